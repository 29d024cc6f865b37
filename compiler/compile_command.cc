#include "compiler/compile_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "codegen/harness.h"
#include "codegen/model_emitter.h"
#include "compiler/npy.h"
#include "compiler/version.h"
#include "emulator/elf_file.h"
#include "emulator/emulate.h"
#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"

namespace tml {
namespace {

namespace fs = std::filesystem;

constexpr const char* kManifest = "tinyml-compile.json";

StatusOr<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidInput("{}: no such file or not readable", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return InvalidInput("{}: cannot write", path.string());
  return Status::Ok();
}

// Writes `files` under `out_dir` atomically (see the header).
Status WriteOutputDir(const fs::path& out_dir, const std::vector<codegen::GeneratedFile>& files,
                      bool force) {
  std::error_code ec;
  const bool exists = fs::exists(out_dir, ec);
  if (exists && !fs::is_directory(out_dir, ec)) {
    return InvalidInput("{}: exists and is not a directory", out_dir.string());
  }
  if (exists && !fs::is_empty(out_dir, ec) && !force) {
    return InvalidInput("{}: directory is not empty; use --force to replace it", out_dir.string());
  }
  fs::path parent = out_dir.parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) {
    return InvalidInput("{}: the parent directory {} does not exist", out_dir.string(),
                        parent.string());
  }
  const fs::path tmp = parent / fmt::format(".{}.tmp-{}", out_dir.filename().string(), getpid());
  fs::remove_all(tmp, ec);
  if (!fs::create_directory(tmp, ec)) {
    return InvalidInput("{}: cannot create a directory in {} ({})", out_dir.string(),
                        parent.string(), ec.message());
  }
  for (const codegen::GeneratedFile& f : files) {
    Status st = WriteText(tmp / f.path, f.content);
    if (!st.ok()) {
      fs::remove_all(tmp, ec);
      return st;
    }
  }
  if (exists) {
    const fs::path old = parent / fmt::format(".{}.old-{}", out_dir.filename().string(), getpid());
    fs::rename(out_dir, old, ec);
    if (ec) {
      fs::remove_all(tmp, ec);
      return InvalidInput("{}: cannot replace it ({})", out_dir.string(), ec.message());
    }
    fs::rename(tmp, out_dir, ec);
    if (ec) {
      fs::rename(old, out_dir, ec);
      fs::remove_all(tmp, ec);
      return InvalidInput("{}: cannot replace it", out_dir.string());
    }
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp, out_dir, ec);
    if (ec) {
      const std::string why = ec.message();
      fs::remove_all(tmp, ec);
      return InvalidInput("{}: cannot create it ({})", out_dir.string(), why);
    }
  }
  return Status::Ok();
}

struct OutputMetrics {
  std::string name;
  double max_abs = 0, rmse = 0, snr_db = 0, max_ref = 0, relative = 0;
  bool classifier = false;
  int64_t top1_agree = 0, rows = 0, samples = 0;
};

double Db(double signal, double noise) {
  if (noise == 0) return INFINITY;
  if (signal == 0) return -INFINITY;
  return 10.0 * std::log10(signal / noise);
}

std::string Kb(double bytes) { return fmt::format("{:.1f} KB", bytes / 1024.0); }

}  // namespace

Status RunCompile(const std::string& model_path, const CompileOptions& options) {
  if (options.out_dir.empty()) return InvalidInput("compile needs -o OUTDIR");
  if (options.verify && options.verify_options.test_data.empty()) {
    return InvalidInput("--verify needs --test-data X.npy");
  }
  TML_ASSIGN_OR_RETURN(std::string bytes, ReadBytes(model_path));
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options.common));
  nlohmann::json kron_json;
  {
    const Graph original = graph;
    PassManager pm(options.pass_manager);
    TML_RETURN_IF_ERROR(BuildPipeline(options.passes, {}, &pm));
    TML_RETURN_IF_ERROR(pm.Run(graph));
    if (const auto* kron = static_cast<const KronFactorizePass*>(pm.Find("kron-factorize"))) {
      std::cout << kron->report().ToTable();
      kron_json = kron->report().ToJson();
      // Whole-model effect of the compression, on the reference interpreter,
      // when test data is at hand (verify then checks the firmware too).
      if (!options.verify_options.test_data.empty() && !graph.nodes().empty()) {
        std::vector<Tensor> data;
        for (const std::string& path : options.verify_options.test_data) {
          TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
          data.push_back(std::move(t));
        }
        TML_ASSIGN_OR_RETURN(std::vector<Tensor> want,
                             RunBatch(original, data, options.verify_options.test_data));
        TML_ASSIGN_OR_RETURN(std::vector<Tensor> got,
                             RunBatch(graph, data, options.verify_options.test_data));
        double max_err = 0.0, max_ref = 0.0;
        for (size_t o = 0; o < want.size(); ++o) {
          for (size_t i = 0; i < want[o].f32.size(); ++i) {
            max_err = std::max(max_err, static_cast<double>(std::fabs(want[o].f32[i] - got[o].f32[i])));
            max_ref = std::max(max_ref, static_cast<double>(std::fabs(want[o].f32[i])));
          }
        }
        const double rel = max_ref > 0 ? max_err / max_ref : max_err;
        std::cout << fmt::format(
            "kron-factorize: reference output error on the test data: max abs {:.3g}, relative {:.3g}\n",
            max_err, rel);
        kron_json["reference_output_max_abs_error"] = max_err;
        kron_json["reference_output_relative_error"] = rel;
      }
    }
  }
  codegen::CodegenOptions cg;
  cg.name = options.name;
  cg.tool_version = TML_VERSION;
  cg.model_file = fs::path(model_path).filename().string();
  cg.model_hash = codegen::HashBytes(bytes);
  cg.options.push_back("--name " + options.name);
  for (const std::string& s : options.common.input_shapes) cg.options.push_back("--input-shape " + s);
  if (options.passes.kron.mode != KronMode::kOff) {
    const KronFactorizeOptions& k = options.passes.kron;
    cg.options.push_back(std::string("--kronecker ") + KronModeName(k.mode));
    cg.options.push_back(fmt::format("--kron-tol {:g}", k.tol));
    cg.options.push_back(fmt::format("--kron-max-rank {}", k.max_rank));
    if (k.compress > 0) cg.options.push_back(fmt::format("--compress {:g}", k.compress));
  }
  TML_ASSIGN_OR_RETURN(codegen::GeneratedModel model, codegen::GenerateModel(graph, cg));

  const VerifyOptions& v = options.verify_options;
  nlohmann::json manifest;
  manifest["tool"] = "tinyml-compile";
  manifest["version"] = TML_VERSION;
  manifest["name"] = options.name;
  manifest["model_path"] = fs::absolute(model_path).lexically_normal().string();
  manifest["model_hash"] = cg.model_hash;
  manifest["input_shapes"] = options.common.input_shapes;
  std::vector<std::string> sources;
  for (const auto& f : model.files) {
    if (f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".c") sources.push_back(f.path);
  }
  manifest["sources"] = sources;
  manifest["include_dirs"] = {".", "runtime/include"};
  nlohmann::json ins = nlohmann::json::array(), outs = nlohmann::json::array();
  for (const auto& t : model.inputs) ins.push_back({{"name", t.name}, {"shape", t.shape}});
  for (const auto& t : model.outputs) outs.push_back({{"name", t.name}, {"shape", t.shape}});
  manifest["inputs"] = ins;
  manifest["outputs"] = outs;
  manifest["arena_bytes"] = model.arena_bytes;
  manifest["weight_bytes"] = model.weight_bytes;
  manifest["kernels"] = model.kernels;
  manifest["layers"] = model.layers;
  manifest["has_step"] = model.has_step;
  if (!kron_json.is_null()) manifest["kron_factorize"] = kron_json;
  manifest["target"] = {{"name", "cortex-m4"},
                        {"flash_kb", v.flash_kb > 0 ? v.flash_kb : 1024.0},
                        {"ram_kb", v.ram_kb > 0 ? v.ram_kb : 256.0},
                        {"clock_mhz", v.clock_mhz > 0 ? v.clock_mhz : 80.0}};
  std::vector<codegen::GeneratedFile> files = model.files;
  files.push_back({kManifest, manifest.dump(2) + "\n"});
  TML_RETURN_IF_ERROR(WriteOutputDir(options.out_dir, files, options.force));

  std::cout << fmt::format("wrote {} ({} files): {} + runtime ({} kernels)\n", options.out_dir,
                           files.size(), options.name + ".c/.h", model.kernels.size());
  std::cout << fmt::format("  weights {} bytes, arena {} bytes{}\n", model.weight_bytes,
                           model.arena_bytes,
                           model.has_step ? fmt::format(", streaming state {} bytes ({}_step)",
                                                        model.state_bytes, options.name)
                                          : std::string());
  if (!options.verify) return Status::Ok();
  return RunVerify(options.out_dir, v);
}

Status RunVerify(const std::string& out_dir, const VerifyOptions& options) {
  if (options.test_data.empty()) return InvalidInput("verify needs --test-data X.npy");
  const fs::path dir(out_dir);
  TML_ASSIGN_OR_RETURN(std::string manifest_text, ReadBytes((dir / kManifest).string()));
  nlohmann::json manifest = nlohmann::json::parse(manifest_text, nullptr, false);
  if (manifest.is_discarded() || !manifest.contains("model_path")) {
    return InvalidInput("{}: not a tinyml-compile output directory (bad {})", out_dir, kManifest);
  }
  const std::string model_path = manifest["model_path"];
  const std::string name = manifest["name"];
  TML_ASSIGN_OR_RETURN(std::string bytes, ReadBytes(model_path));
  if (codegen::HashBytes(bytes) != manifest["model_hash"].get<std::string>()) {
    return InvalidInput("{}: the model changed since {} was generated; compile again", model_path,
                        out_dir);
  }
  CommonOptions common;
  common.input_shapes = manifest["input_shapes"].get<std::vector<std::string>>();
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, common));

  // Reference outputs on the original model.
  std::vector<Tensor> data;
  for (const std::string& path : options.test_data) {
    TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
    data.push_back(std::move(t));
  }
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> reference, RunBatch(graph, data, options.test_data));
  const int64_t samples = data[0].shape[0];
  Tensor labels;
  if (!options.test_labels.empty()) {
    TML_ASSIGN_OR_RETURN(labels, ReadNpy(options.test_labels));
    if (labels.dtype != DType::kInt64 || labels.num_elements() != samples) {
      return InvalidInput("{}: expected {} integer labels", options.test_labels, samples);
    }
  }

  // Target profile: generous memory for linking and running, so a model that
  // does not fit still runs and the figures can be reported.
  const nlohmann::json& target = manifest["target"];
  const double flash_kb = options.flash_kb > 0 ? options.flash_kb : target["flash_kb"].get<double>();
  const double ram_kb = options.ram_kb > 0 ? options.ram_kb : target["ram_kb"].get<double>();
  emu::TargetProfile profile = emu::CortexM4Profile();
  profile.clock_mhz = options.clock_mhz > 0 ? options.clock_mhz : target["clock_mhz"].get<double>();
  profile.flash_size = 16u << 20;
  profile.sram_size = 16u << 20;

  const fs::path build_dir = fs::absolute(dir / "firmware");
  std::error_code ec;
  fs::create_directories(build_dir, ec);
  const std::string main_c = codegen::EmulatorMainC(name);
  TML_RETURN_IF_ERROR(WriteText(build_dir / "verify_main.c", main_c));
  emu::FirmwareBuild build;
  build.profile = profile;
  build.build_dir = build_dir.string();
  build.sources.push_back((build_dir / "verify_main.c").string());
  for (const auto& s : manifest["sources"]) build.sources.push_back(fs::absolute(dir / s.get<std::string>()).string());
  for (const auto& d : manifest["include_dirs"]) {
    build.include_dirs.push_back(fs::absolute(dir / d.get<std::string>()).lexically_normal().string());
  }
  build.extra_flags = {"-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"};
  TML_ASSIGN_OR_RETURN(std::string elf_path, emu::BuildFirmware(build));
  build.output_name = "firmware_profile.elf";
  build.defines = {"TML_PROFILE"};
  TML_ASSIGN_OR_RETURN(std::string profile_elf, emu::BuildFirmware(build));

  emu::RunnerOptions runner_options;
  runner_options.profile = profile;
  runner_options.max_instructions = options.max_instructions;
  TML_ASSIGN_OR_RETURN(auto runner, emu::M4Runner::Load(elf_path, runner_options));
  TML_ASSIGN_OR_RETURN(emu::StopInfo stop, runner->RunUntilBreakpoint());
  if (stop.reason != emu::StopReason::kBreakpoint || stop.breakpoint != 1) {
    return Internal("the verification firmware did not reach its bkpt #1");
  }
  int64_t in_size = 0, out_size = 0;
  for (const auto& t : manifest["inputs"]) in_size += NumElements(t["shape"].get<Shape>());
  for (const auto& t : manifest["outputs"]) out_size += NumElements(t["shape"].get<Shape>());
  std::vector<std::vector<float>> got(samples);
  uint64_t min_instr = UINT64_MAX, max_instr = 0, sum_instr = 0, sum_cycles = 0;
  std::vector<float> in(static_cast<size_t>(in_size));
  for (int64_t s = 0; s < samples; ++s) {
    size_t pos = 0;
    for (const Tensor& d : data) {
      const int64_t n = d.num_elements() / samples;
      std::copy(d.f32.begin() + s * n, d.f32.begin() + (s + 1) * n, in.begin() + pos);
      pos += static_cast<size_t>(n);
    }
    TML_RETURN_IF_ERROR(runner->WriteSymbol("tml_in", in.data(), in.size() * 4));
    TML_ASSIGN_OR_RETURN(stop, runner->RunUntilBreakpoint());
    if (stop.reason != emu::StopReason::kBreakpoint || stop.breakpoint != 1) {
      return VerifyFailed("sample {}: the firmware stopped unexpectedly ({})", s,
                          stop.reason == emu::StopReason::kExit ? "exit" : "breakpoint");
    }
    TML_ASSIGN_OR_RETURN(std::vector<uint8_t> status, runner->ReadSymbol("tml_status", 4));
    int32_t rc = 0;
    std::memcpy(&rc, status.data(), 4);
    if (rc != 0) return VerifyFailed("sample {}: {}_invoke returned {}", s, name, rc);
    got[s].resize(static_cast<size_t>(out_size));
    if (out_size > 0) {
      TML_ASSIGN_OR_RETURN(std::vector<uint8_t> out, runner->ReadSymbol("tml_out", out_size * 4));
      std::memcpy(got[s].data(), out.data(), static_cast<size_t>(out_size) * 4);
    }
    min_instr = std::min(min_instr, stop.instructions);
    max_instr = std::max(max_instr, stop.instructions);
    sum_instr += stop.instructions;
    sum_cycles += stop.cycles;
  }
  const uint32_t stack_high = runner->StackHighWater();
  const emu::SectionSizes sizes = runner->elf().sizes();

  // Per-layer cycles: the profiled build on the first sample.
  std::map<uint32_t, emu::Attribution> layers;
  {
    TML_ASSIGN_OR_RETURN(auto prof, emu::M4Runner::Load(profile_elf, runner_options));
    TML_ASSIGN_OR_RETURN(emu::StopInfo first, prof->RunUntilBreakpoint());
    (void)first;
    std::vector<float> in0(in.size());
    size_t pos = 0;
    for (const Tensor& d : data) {
      const int64_t n = d.num_elements() / samples;
      std::copy(d.f32.begin(), d.f32.begin() + n, in0.begin() + pos);
      pos += static_cast<size_t>(n);
    }
    TML_RETURN_IF_ERROR(prof->WriteSymbol("tml_in", in0.data(), in0.size() * 4));
    prof->ClearProfile();
    TML_ASSIGN_OR_RETURN(emu::StopInfo one, prof->RunUntilBreakpoint());
    (void)one;
    layers = prof->MarkerProfile();
  }

  // Compare.
  std::vector<OutputMetrics> metrics;
  bool failed = false;
  std::string report;
  int64_t offset = 0;
  int64_t correct = 0;
  for (size_t o = 0; o < reference.size(); ++o) {
    const Tensor& ref = reference[o];
    const int64_t per = ref.num_elements() / samples;
    OutputMetrics m;
    m.name = ref.name;
    m.samples = samples;
    const int64_t last = ref.shape.size() > 1 ? ref.shape.back() : 1;
    m.classifier = last > 1;
    double sum_sq_err = 0, sum_sq_ref = 0;
    for (int64_t s = 0; s < samples; ++s) {
      for (int64_t k = 0; k < per; ++k) {
        const double r = ref.f32[s * per + k];
        const double g = got[s][static_cast<size_t>(offset + k)];
        const double e = std::fabs(g - r);
        m.max_abs = std::isnan(e) ? INFINITY : std::max(m.max_abs, e);
        m.max_ref = std::max(m.max_ref, std::fabs(r));
        sum_sq_err += e * e;
        sum_sq_ref += r * r;
      }
      if (m.classifier) {
        for (int64_t row = 0; row < per / last; ++row) {
          const float* rp = ref.f32.data() + s * per + row * last;
          const float* gp = got[s].data() + offset + row * last;
          const int64_t ra = std::max_element(rp, rp + last) - rp;
          const int64_t ga = std::max_element(gp, gp + last) - gp;
          m.top1_agree += ra == ga;
          ++m.rows;
          if (o == 0 && row == 0 && !labels.i64.empty() && ga == labels.i64[s]) ++correct;
        }
      }
    }
    const double count = static_cast<double>(samples * per);
    m.rmse = std::sqrt(sum_sq_err / std::max(count, 1.0));
    m.snr_db = Db(sum_sq_ref, sum_sq_err);
    m.relative = m.max_ref > 0 ? m.max_abs / m.max_ref : m.max_abs;
    if (!(m.relative <= options.tolerance)) failed = true;
    metrics.push_back(m);
    offset += per;
  }

  std::cout << fmt::format("verify {} ({}) on {} sample(s) in the emulated {} @ {:g} MHz\n",
                           out_dir, name, samples, profile.name, profile.clock_mhz);
  for (const OutputMetrics& m : metrics) {
    std::cout << fmt::format(
        "  output '{}': max abs error {:.3g}, RMSE {:.3g}, SNR {:.1f} dB, relative {:.3g} "
        "(tolerance {:g}) {}\n",
        m.name, m.max_abs, m.rmse, m.snr_db, m.relative, options.tolerance,
        m.relative <= options.tolerance ? "ok" : "FAILED");
    if (m.classifier) {
      std::cout << fmt::format("    top-1 agreement with the reference: {}/{} ({:.2f}%)\n",
                               m.top1_agree, m.rows,
                               100.0 * m.top1_agree / std::max<int64_t>(m.rows, 1));
    }
  }
  if (!labels.i64.empty()) {
    std::cout << fmt::format("  accuracy on the test labels: {}/{} ({:.2f}%)\n", correct, samples,
                             100.0 * correct / std::max<int64_t>(samples, 1));
  }
  const double mean_instr = static_cast<double>(sum_instr) / std::max<int64_t>(samples, 1);
  const double mean_cycles = static_cast<double>(sum_cycles) / std::max<int64_t>(samples, 1);
  std::cout << fmt::format(
      "  per inference: {:.0f} instructions (min {}, max {}), {:.0f} cycles, {:.3f} ms @ {:g} MHz\n",
      mean_instr, min_instr, max_instr, mean_cycles, mean_cycles / (profile.clock_mhz * 1e3),
      profile.clock_mhz);
  const std::vector<std::string> layer_names =
      manifest["layers"].get<std::vector<std::string>>();
  uint64_t layer_total = 0;
  for (const auto& [id, a] : layers) layer_total += a.cycles;
  std::cout << "  cycles per layer (profiled build, sample 0):\n";
  for (const auto& [id, a] : layers) {
    const std::string label = id < layer_names.size() ? layer_names[id] : std::string("(outside layers)");
    std::cout << fmt::format("    {:<48} {:>12} cycles {:>6.1f}%\n", label, a.cycles,
                             layer_total ? 100.0 * a.cycles / layer_total : 0.0);
  }
  const uint64_t flash = sizes.flash();
  const uint64_t ram = uint64_t{sizes.data} + sizes.bss + profile.stack_size;
  const bool flash_ok = flash <= flash_kb * 1024;
  const bool ram_ok = ram <= ram_kb * 1024;
  std::cout << fmt::format("  flash {} (text {} + rodata {} + data {}) of {:g} KB: {}\n", Kb(flash),
                           sizes.text, sizes.rodata, sizes.data, flash_kb,
                           flash_ok ? "fits" : "DOES NOT FIT");
  std::cout << fmt::format(
      "  RAM {} (data {} + bss {} incl. arena {} + stack {} reserved, {} used) of {:g} KB: {}\n",
      Kb(ram), sizes.data, sizes.bss, manifest["arena_bytes"].get<int64_t>(), profile.stack_size,
      stack_high, ram_kb, ram_ok ? "fits" : "DOES NOT FIT");
  std::cout << fmt::format("  firmware: {}\n", elf_path);

  if (!options.report_json.empty()) {
    nlohmann::json j;
    j["samples"] = samples;
    j["instructions_per_inference"] = mean_instr;
    j["cycles_per_inference"] = mean_cycles;
    j["flash_bytes"] = flash;
    j["ram_bytes"] = ram;
    j["stack_high_water"] = stack_high;
    for (const OutputMetrics& m : metrics) {
      j["outputs"].push_back({{"name", m.name}, {"max_abs_error", m.max_abs}, {"rmse", m.rmse},
                              {"snr_db", std::isfinite(m.snr_db) ? m.snr_db : 999.0},
                              {"relative_error", m.relative}, {"top1_agreement", m.top1_agree}});
    }
    if (!labels.i64.empty()) j["accuracy"] = static_cast<double>(correct) / samples;
    TML_RETURN_IF_ERROR(WriteText(options.report_json, j.dump(2) + "\n"));
  }

  std::vector<std::string> problems;
  if (failed) problems.push_back(fmt::format("error above the tolerance {:g}", options.tolerance));
  if (!flash_ok) problems.push_back(fmt::format("flash {} exceeds {:g} KB", Kb(flash), flash_kb));
  if (!ram_ok) problems.push_back(fmt::format("RAM {} exceeds {:g} KB", Kb(ram), ram_kb));
  if (!problems.empty()) {
    std::string all;
    for (const std::string& p : problems) all += (all.empty() ? "" : "; ") + p;
    return VerifyFailed("verification failed: {}", all);
  }
  std::cout << "verification passed\n";
  return Status::Ok();
}

Status RunEmulate(const std::string& elf_path, const EmulateCommandOptions& options) {
  emu::EmulationOptions eo;
  eo.runner.max_instructions = options.max_instructions;
  if (options.clock_mhz > 0) eo.runner.profile.clock_mhz = options.clock_mhz;
  TML_ASSIGN_OR_RETURN(emu::EmulationReport report, emu::EmulateElf(elf_path, eo));
  if (options.json) {
    std::cout << emu::ReportToJson(report).dump(2) << "\n";
  } else {
    std::cout << emu::FormatReport(report);
  }
  return Status::Ok();
}

}  // namespace tml
