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
#include "compiler/inspect.h"
#include "compiler/npy.h"
#include "compiler/progress.h"
#include "compiler/report/anomaly.h"
#include "compiler/report/html_report.h"
#include "compiler/version.h"
#include "emulator/elf_file.h"
#include "emulator/emulate.h"
#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"
#include "passes/kron_math.h"
#include "passes/quantize.h"

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

// The error-versus-compression curve of one matrix of the kron-factorize
// report, for --html: over every factor shape and rank up to max_rank, the
// smallest relative error at each compression (the Pareto front). The stored
// tensor may be the transpose of the out×in matrix (Gemm transB = 0): R(Wᵀ) is
// a permutation of R(W), so the front is the same.
nlohmann::json KronCurve(const Graph& original, const nlohmann::json& m, int max_rank) {
  nlohmann::json points = nlohmann::json::array();
  const TensorId id = original.FindTensor(m.value("tensor", std::string()));
  if (id == kNoTensor) return points;
  const Tensor& t = original.tensor(id);
  if (t.shape.size() < 2 || t.f32.empty()) return points;
  const int64_t rows = t.shape[t.shape.size() - 2], cols = t.shape.back();
  const int64_t d = m.value("direction", 0);
  if (static_cast<int64_t>(t.f32.size()) < (d + 1) * rows * cols) return points;
  const float* w = t.f32.data() + d * rows * cols;
  std::map<double, double> best;  // compression -> error
  for (const kron::KronShape& shape : kron::ShapeCandidates(rows, cols)) {
    const kron::KronSpectrum sp = kron::ComputeSpectrum(w, shape, max_rank, {}, /*screen=*/true);
    for (int r = 1; r <= std::min(max_rank, sp.MaxRank()); ++r) {
      const double c = static_cast<double>(rows * cols) / kron::KronParams(shape, r);
      if (c <= 1.0) continue;
      const double e = std::max(sp.RelativeError(r), 0.0);
      auto it = best.find(c);
      if (it == best.end() || e < it->second) best[c] = e;
    }
  }
  // Pareto front: walking from high compression down, keep strictly better errors.
  double floor = INFINITY;
  std::vector<std::pair<double, double>> front;
  for (auto it = best.rbegin(); it != best.rend(); ++it) {
    if (it->second < floor) {
      floor = it->second;
      front.push_back(*it);
    }
  }
  for (auto it = front.rbegin(); it != front.rend(); ++it) points.push_back({it->first, it->second});
  return points;
}

// The --html page from the manifest (compile-time figures, "report") and
// `measured` (verify: "summary" rows, "layer_cycles" by marker id,
// "firmware_relative_error", "notes"); see compiler/report/html_report.h.
Status WriteHtml(const std::string& path, const nlohmann::json& manifest,
                 const nlohmann::json& measured) {
  using nlohmann::json;
  const json rd = manifest.value("report", json::object());
  json r;
  r["title"] = manifest.value("name", std::string("model")) + " - tinyml-compile report";
  r["generator"] = std::string("tinyml-compile ") + TML_VERSION;
  json summary = json::array();
  summary.push_back({"Model", manifest.value("model_path", std::string())});
  summary.push_back({"Model hash", manifest.value("model_hash", std::string())});
  for (const char* io : {"inputs", "outputs"}) {
    std::string text;
    for (const json& t : manifest.value(io, json::array())) {
      text += (text.empty() ? "" : ", ") + t["name"].get<std::string>() + " " + t["shape"].dump();
    }
    summary.push_back({io == std::string("inputs") ? "Inputs" : "Outputs", text});
  }
  summary.push_back({"Options", rd.value("options", std::string())});
  summary.push_back({"Weights (static const)", manifest.value("weight_bytes", 0)});
  summary.push_back({"Arena (bytes)", manifest.value("arena_bytes", 0)});
  summary.push_back({"Runtime kernels", manifest.value("kernels", json::array()).size()});
  if (manifest.contains("dope")) {
    const json& d = manifest["dope"];
    summary.push_back({"Doping", fmt::format("density {:g}: {} non-zeros, {} bytes of sparse overlay",
                                             d.value("density", 0.0), d.value("nnz", 0),
                                             d.value("sparse_bytes", 0))});
  }
  if (manifest.contains("finetune")) {
    const json& f = manifest["finetune"];
    std::string text = fmt::format(
        "{} epochs in {:.1f} s; held-out {} {:.4f} -> {:.4f}", f.value("epochs", 0),
        f.value("seconds", 0.0), f.value("agreement_metric", std::string("agreement")),
        f.value("agreement_before", 0.0), f.value("agreement_after", 0.0));
    if (f.contains("accuracy_before")) {
      text += fmt::format(", accuracy {:.4f} -> {:.4f} (teacher {:.4f})", f.value("accuracy_before", 0.0),
                          f.value("accuracy_after", 0.0), f.value("teacher_accuracy", 0.0));
    }
    summary.push_back({"Fine-tuning", text});
  }
  for (const json& row : measured.value("summary", json::array())) summary.push_back(row);
  r["summary"] = summary;
  const json cycles = measured.value("layer_cycles", json::object());
  json layers = json::array();
  int id = 0;
  for (json l : rd.value("layers", json::array())) {
    const std::string key = std::to_string(id++);
    if (cycles.contains(key)) l["cycles"] = cycles[key];
    layers.push_back(l);
  }
  if (cycles.contains("outside")) layers.push_back({{"name", "(outside layers)"}, {"cycles", cycles["outside"]}});
  r["layers"] = layers;
  json stages = rd.value("stages", json::array());
  if (measured.contains("firmware_relative_error")) {
    if (stages.empty()) stages.push_back({{"name", "import (float reference)"}, {"relative_error", 0.0}});
    stages.push_back({{"name", "firmware (emulated M4)"},
                      {"relative_error", measured["firmware_relative_error"]}});
  }
  r["stages"] = stages;
  json curves = json::array();
  if (manifest.contains("kron_factorize")) {
    for (const json& m : manifest["kron_factorize"].value("matrices", json::array())) {
      json c;
      c["matrix"] = m.value("node", std::string()) + " " + m.value("input", std::string()) +
                    (m.value("direction", 0) > 0 ? " dir " + std::to_string(m.value("direction", 0)) : "");
      if (m.value("layout", std::string()) != "dense") {
        c["chosen"] = {m.value("compression", 1.0), m.value("relative_error", 0.0)};
      }
      if (m.contains("curve")) c["points"] = m["curve"];
      if (c.contains("chosen") || c.contains("points")) curves.push_back(c);
    }
  }
  r["kron_curves"] = curves;
  r["notes"] = measured.value("notes", json::array());
  return WriteText(path, tml::report::RenderHtmlReport(r));
}

// Top-1 accuracy of an [N, classes] output against N integer labels; -1 when
// the output is not one class vector per sample (an autoencoder's, say).
double Top1Accuracy(const Tensor& output, const Tensor& labels) {
  if (labels.dtype != DType::kInt64 || output.shape.empty() || output.dtype != DType::kFloat32) return -1.0;
  const int64_t n = output.shape[0];
  if (n <= 0 || labels.num_elements() != n) return -1.0;
  const int64_t per = output.num_elements() / n;
  if (per < 2 || per != output.shape.back()) return -1.0;  // one class vector per sample
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = output.f32.data() + i * per;
    correct += (std::max_element(row, row + per) - row) == labels.i64[static_cast<size_t>(i)] ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace

Status RunCompile(const std::string& model_path, const CompileOptions& options) {
  if (options.out_dir.empty()) return InvalidInput("compile needs -o OUTDIR");
  if (options.verify && options.verify_options.test_data.empty()) {
    return InvalidInput("--verify needs --test-data X.npy");
  }
  TML_ASSIGN_OR_RETURN(std::string bytes, ReadBytes(model_path));
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options.common));
  nlohmann::json kron_json, dope_json, finetune_json;
  // Compile-time figures for the report (--html), kept in the manifest.
  nlohmann::json report_data;
  {
    const Graph original = graph;
    PassManager pm(options.pass_manager);
    TML_RETURN_IF_ERROR(BuildPipeline(options.passes, {}, &pm));
    TML_RETURN_IF_ERROR(pm.Run(graph));
    const nlohmann::json bytes_before = tml::report::LayerWeightBytes(original);
    const nlohmann::json bytes_after = tml::report::LayerWeightBytes(graph);
    for (const Node& node : graph.nodes()) {
      report_data["layers"].push_back({{"name", node.name},
                                       {"op", node.onnx_op_type},
                                       {"bytes_before", bytes_before.value(node.name, 0.0)},
                                       {"bytes_after", bytes_after.value(node.name, 0.0)}});
    }
    std::string pass_names;
    for (const PassRunRecord& rec : pm.records()) {
      pass_names += (pass_names.empty() ? "" : ", ") + rec.name;
    }
    report_data["passes"] = pass_names;
    if (const auto* kron = static_cast<const KronFactorizePass*>(pm.Find("kron-factorize"))) {
      std::cout << kron->report().ToTable();
      kron_json = kron->report().ToJson();
      if (!options.verify_options.html.empty()) {
        for (nlohmann::json& m : kron_json["matrices"]) {
          m["curve"] = KronCurve(original, m, std::max(options.passes.kron.max_rank, 8));
        }
      }
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
        if (!options.verify_options.test_labels.empty()) {
          TML_ASSIGN_OR_RETURN(Tensor labels, ReadNpy(options.verify_options.test_labels));
          const double before = Top1Accuracy(want[0], labels), after = Top1Accuracy(got[0], labels);
          if (before >= 0.0 && after >= 0.0) {
            std::cout << fmt::format(
                "compressed model (reference interpreter) on the test labels: accuracy {:.2f}% "
                "(float {:.2f}%)\n", 100.0 * after, 100.0 * before);
            kron_json["reference_accuracy_float"] = before;
            kron_json["reference_accuracy_compressed"] = after;
          }
          const bool reconstructs = data.size() == 1 && want[0].shape == data[0].shape &&
                                    labels.dtype == DType::kInt64 &&
                                    labels.num_elements() == data[0].shape[0];
          if (options.anomaly && reconstructs) {
            const int64_t n = data[0].shape[0];
            const double auc_before = report::RocAuc(
                report::ReconstructionScores(data[0].f32, want[0].f32, n), labels.i64);
            const double auc_after = report::RocAuc(
                report::ReconstructionScores(data[0].f32, got[0].f32, n), labels.i64);
            std::cout << fmt::format(
                "compressed model (reference interpreter) on the test labels: anomaly AUC {:.4f} "
                "(float {:.4f})\n", auc_after, auc_before);
            kron_json["reference_auc_float"] = auc_before;
            kron_json["reference_auc_compressed"] = auc_after;
          }
        }
        report_data["stages"] = {{{"name", "import (float reference)"}, {"relative_error", 0.0}},
                                 {{"name", "after " + pass_names}, {"relative_error", rel}}};
      }
    }
    // Doping and fine-tuning figures (the fine-tuning epochs and summary went
    // to stderr while it ran).
    if (const auto* dope = static_cast<const DopePass*>(pm.Find("dope"))) {
      std::cout << dope->report().ToTable();
      dope_json = dope->report().ToJson();
    }
    // The recurrent weights as stored, the figure compression targets are stated in.
    const RecurrentWeightBytes recurrent = CountRecurrentWeightBytes(graph);
    if (!kron_json.is_null() && recurrent.stored < recurrent.dense) {
      std::cout << fmt::format(
          "recurrent weights (W, R): {} -> {} bytes float32, {:.1f}x smaller (Kronecker factors + "
          "sparse overlay, indices counted)\n",
          recurrent.dense, recurrent.stored,
          static_cast<double>(recurrent.dense) / static_cast<double>(recurrent.stored));
      kron_json["recurrent_weight_bytes"] = {{"dense", recurrent.dense}, {"stored", recurrent.stored}};
    }
    if (const auto* finetune = static_cast<const FinetunePass*>(pm.Find("finetune"))) {
      finetune_json = finetune->report().ToJson();
    }
  }
  // --quantize int8: activation ranges from the reference interpreter.
  if (options.quantize == "int8") {
    TML_ASSIGN_OR_RETURN(const CalibMethod method, ParseCalibMethod(options.calib_method));
    std::vector<std::string> paths;
    if (!options.calib.empty()) {
      paths = {options.calib};
    } else if (!options.verify_options.test_data.empty()) {
      paths = options.verify_options.test_data;
      std::cerr << "tinyml-compile: warning: --quantize int8 without --calib: calibrating on the "
                   "test data, so the verify figures are optimistic\n";
    } else {
      return InvalidInput("--quantize int8 needs --calib X.npy (or --test-data) for the ranges");
    }
    std::vector<Tensor> data;
    for (const std::string& path : paths) {
      TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
      data.push_back(std::move(t));
    }
    std::string summary;
    TML_RETURN_IF_ERROR(CalibrateInt8(&graph, data, paths, &summary, method));
    const std::string how = method.method == RangeMethod::kMinMax
                                ? std::string("min/max")
                                : fmt::format("percentile {:g} of |x|", method.percentile);
    std::cout << "quantize int8: " << data[0].shape[0] << " calibration samples (" << how << ")\n"
              << summary;
  } else if (options.quantize != "none") {
    return InvalidInput("--quantize {}: expected none or int8", options.quantize);
  } else if (options.calib_method != "minmax") {
    return InvalidInput("--calib-method applies to --quantize int8 only");
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
  if (options.passes.dope.density > 0) {
    cg.options.push_back(fmt::format("--dope {:g}", options.passes.dope.density));
  }
  if (options.passes.finetune.epochs > 0) {
    const FinetuneOptions& f = options.passes.finetune;
    cg.options.push_back(fmt::format("--finetune {} --calib {} --seed {}", f.epochs,
                                     fs::path(f.calib_path).filename().string(), f.seed));
    if (!f.labels_path.empty()) {
      cg.options.push_back("--labels " + fs::path(f.labels_path).filename().string());
    }
  }
  if (options.quantize != "none") cg.options.push_back("--quantize " + options.quantize);
  if (options.calib_method != "minmax") cg.options.push_back("--calib-method " + options.calib_method);
  if (options.anomaly) {
    cg.options.push_back(fmt::format("--anomaly --calib {} --anomaly-percentile {:g}",
                                     fs::path(options.calib).filename().string(),
                                     options.anomaly_percentile));
  }
  TML_ASSIGN_OR_RETURN(codegen::GeneratedModel model, codegen::GenerateModel(graph, cg));
  std::string options_text;
  for (const std::string& o : cg.options) options_text += (options_text.empty() ? "" : " ") + o;
  report_data["options"] = options_text;

  // --anomaly: the threshold from the reference scores of the normal samples.
  nlohmann::json anomaly_json;
  if (options.anomaly) {
    if (options.calib.empty()) return InvalidInput("--anomaly needs --calib X.npy (normal samples)");
    if (model.inputs.size() != 1 || model.outputs.size() != 1 ||
        model.input_size != model.output_size) {
      return InvalidInput(
          "--anomaly needs an autoencoder: one input and one output of the same size "
          "(the model has {} input(s), {} output(s), {} input and {} output values)",
          model.inputs.size(), model.outputs.size(), model.input_size, model.output_size);
    }
    if (!(options.anomaly_percentile >= 0 && options.anomaly_percentile <= 100)) {
      return InvalidInput("--anomaly-percentile {:g}: expected 0..100", options.anomaly_percentile);
    }
    TML_ASSIGN_OR_RETURN(Tensor calib, ReadNpy(options.calib));
    TML_ASSIGN_OR_RETURN(std::vector<Tensor> recon, RunBatch(graph, {calib}, {options.calib}));
    const int64_t n = calib.shape.empty() ? 0 : calib.shape[0];
    if (n == 0) return InvalidInput("{}: no samples", options.calib);
    const std::vector<double> scores = tml::report::ReconstructionScores(calib.f32, recon[0].f32, n);
    const double threshold = tml::report::Percentile(scores, options.anomaly_percentile);
    double mean = 0;
    for (double v : scores) mean += v / static_cast<double>(n);
    const std::string note =
        fmt::format("threshold = {:g}th percentile of the scores of the {} normal samples in {}",
                    options.anomaly_percentile, n, fs::path(options.calib).filename().string());
    std::string* header = nullptr;
    std::string* source = nullptr;
    for (codegen::GeneratedFile& f : model.files) {
      if (f.path == options.name + ".h") header = &f.content;
      if (f.path == options.name + ".c") source = &f.content;
    }
    if (header == nullptr || source == nullptr) return Internal("--anomaly: no {}.c/.h", options.name);
    TML_RETURN_IF_ERROR(tml::report::AddAnomalyScorer(options.name, threshold, note, header, source));
    anomaly_json = {{"threshold", static_cast<double>(static_cast<float>(threshold))},
                    {"percentile", options.anomaly_percentile},
                    {"calib", fs::absolute(options.calib).lexically_normal().string()},
                    {"calib_samples", n},
                    {"calib_mean_score", mean}};
  }

  const VerifyOptions& v = options.verify_options;
  nlohmann::json manifest;
  manifest["tool"] = "tinyml-compile";
  manifest["version"] = TML_VERSION;
  manifest["name"] = options.name;
  manifest["model_path"] = fs::absolute(model_path).lexically_normal().string();
  manifest["model_hash"] = cg.model_hash;
  manifest["input_shapes"] = options.common.input_shapes;
  manifest["quantize"] = options.quantize;
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
  {
    nlohmann::json lw = nlohmann::json::array();
    for (const auto& l : model.layer_weights) {
      lw.push_back({{"layer", l.layer},
                    {"weight_bytes", l.bytes},
                    {"dense_float_bytes", l.dense_float_bytes}});
    }
    manifest["layer_weights"] = lw;
  }
  manifest["has_step"] = model.has_step;
  if (!kron_json.is_null()) manifest["kron_factorize"] = kron_json;
  if (!dope_json.is_null()) manifest["dope"] = dope_json;
  if (!finetune_json.is_null()) manifest["finetune"] = finetune_json;
  if (!anomaly_json.is_null()) manifest["anomaly"] = anomaly_json;
  manifest["report"] = report_data;
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
  // Per layer: what its weights take as emitted (int8 factors, sparse indices and values,
  // biases, multipliers...) against the same constants as dense float32.
  for (const auto& l : model.layer_weights) {
    if (l.dense_float_bytes == 0) continue;
    std::cout << fmt::format("    {}: weights {} bytes (dense float32 {} bytes, {:.1f}x smaller)\n",
                             l.layer, l.bytes, l.dense_float_bytes,
                             l.bytes > 0 ? double(l.dense_float_bytes) / double(l.bytes) : 0.0);
  }
  if (!anomaly_json.is_null()) {
    std::cout << fmt::format(
        "  anomaly: {}_score() = mean squared reconstruction error; threshold {:.6g} ({:g}th "
        "percentile of {} calibration samples, mean score {:.6g})\n",
        options.name, anomaly_json["threshold"].get<double>(), options.anomaly_percentile,
        anomaly_json["calib_samples"].get<int64_t>(), anomaly_json["calib_mean_score"].get<double>());
  }
  if (!options.verify) {
    if (!v.html.empty()) {
      TML_RETURN_IF_ERROR(WriteHtml(v.html, manifest, nlohmann::json::object()));
      std::cout << fmt::format("report: {} (no measured figures without --verify)\n", v.html);
    }
    return Status::Ok();
  }
  return RunVerify(options.out_dir, v);
}

Status RunVerify(const std::string& out_dir, const VerifyOptions& verify_options) {
  VerifyOptions options = verify_options;
  if (options.test_data.empty()) return InvalidInput("verify needs --test-data X.npy");
  const fs::path dir(out_dir);
  TML_ASSIGN_OR_RETURN(std::string manifest_text, ReadBytes((dir / kManifest).string()));
  nlohmann::json manifest = nlohmann::json::parse(manifest_text, nullptr, false);
  if (manifest.is_discarded() || !manifest.contains("model_path")) {
    return InvalidInput("{}: not a tinyml-compile output directory (bad {})", out_dir, kManifest);
  }
  const std::string model_path = manifest["model_path"];
  const std::string name = manifest["name"];
  if (options.tolerance < 0) {
    options.tolerance = manifest.value("quantize", std::string("none")) == "int8" ? kInt8Tolerance
                                                                                 : 1e-3;
  }
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
  Progress progress("emulating", samples);
  for (int64_t s = 0; s < samples; ++s) {
    progress.Update(s);
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
  progress.Done();
  const uint32_t stack_high = runner->StackHighWater();
  const emu::SectionSizes sizes = runner->elf().sizes();

  // Per-layer cycles: the profiled build on the first sample.
  std::map<uint32_t, emu::Attribution> layers;
  std::map<std::string, emu::Attribution> functions;
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
    functions = prof->FunctionProfile();
  }
  // Logical MACs of each layer of the original model (layer i = node i), the
  // denominator of cycles per MAC: a compressed layer shows its speed-up there.
  std::map<uint32_t, int64_t> layer_macs;
  {
    const ModelSummary summary = SummarizeGraph(graph);
    for (size_t i = 0; i < summary.nodes.size(); ++i) layer_macs[static_cast<uint32_t>(i)] = summary.nodes[i].macs;
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
    m.classifier = last > 1 && per == last;  // one class vector per sample
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
  // Anomaly detection: the scores of the firmware's reconstructions.
  const bool anomaly = manifest.contains("anomaly");
  nlohmann::json anomaly_rows = nlohmann::json::array();
  nlohmann::json anomaly_json;
  if (anomaly) {
    std::vector<float> flat_in, flat_out;
    for (int64_t s = 0; s < samples; ++s) {
      for (const Tensor& d : data) {
        const int64_t n = d.num_elements() / samples;
        flat_in.insert(flat_in.end(), d.f32.begin() + s * n, d.f32.begin() + (s + 1) * n);
      }
      flat_out.insert(flat_out.end(), got[s].begin(), got[s].end());
    }
    const std::vector<double> scores = tml::report::ReconstructionScores(flat_in, flat_out, samples);
    const double threshold = manifest["anomaly"]["threshold"].get<double>();
    int64_t flagged = 0;
    for (double v : scores) flagged += v > threshold;
    std::cout << fmt::format("  anomaly: threshold {:.6g}; {}/{} test samples flagged\n", threshold,
                             flagged, samples);
    anomaly_json = {{"threshold", threshold}, {"flagged", flagged}};
    anomaly_rows.push_back(nlohmann::json::array({"Threshold", threshold}));
    anomaly_rows.push_back(nlohmann::json::array({"Flagged test samples", fmt::format("{}/{}", flagged, samples)}));
    if (!labels.i64.empty()) {
      const tml::report::AnomalyMetrics am =
          tml::report::EvaluateAnomaly(scores, labels.i64, threshold);
      std::cout << fmt::format(
          "  anomaly vs test labels: AUC {:.4f}, precision {:.4f}, recall {:.4f}, false alarms "
          "{:.4f} (TP {}, FP {}, TN {}, FN {})\n",
          am.auc, am.precision, am.recall, am.false_positive_rate, am.true_positives,
          am.false_positives, am.true_negatives, am.false_negatives);
      anomaly_json["auc"] = am.auc;
      anomaly_json["precision"] = am.precision;
      anomaly_json["recall"] = am.recall;
      anomaly_json["false_positive_rate"] = am.false_positive_rate;
      anomaly_rows.push_back(nlohmann::json::array({"ROC AUC", fmt::format("{:.4f}", am.auc)}));
      anomaly_rows.push_back(nlohmann::json::array({"Precision", fmt::format("{:.4f}", am.precision)}));
      anomaly_rows.push_back(nlohmann::json::array({"Recall (anomalies detected)", fmt::format("{:.4f}", am.recall)}));
      anomaly_rows.push_back(nlohmann::json::array({"False alarm rate", fmt::format("{:.4f}", am.false_positive_rate)}));
      anomaly_rows.push_back(nlohmann::json::array({"TP / FP / TN / FN", fmt::format("{} / {} / {} / {}", am.true_positives,
                                                               am.false_positives, am.true_negatives,
                                                               am.false_negatives)}));
    }
  }
  if (!labels.i64.empty() && !anomaly) {
    std::cout << fmt::format("  accuracy on the test labels: {}/{} ({:.2f}%)\n", correct, samples,
                             100.0 * correct / std::max<int64_t>(samples, 1));
  }
  const double mean_instr = static_cast<double>(sum_instr) / std::max<int64_t>(samples, 1);
  const double mean_cycles = static_cast<double>(sum_cycles) / std::max<int64_t>(samples, 1);
  std::cout << fmt::format(
      "  per inference: {:.0f} instructions (min {}, max {}), {:.0f} cycles, {:.3f} ms @ {:g} MHz\n",
      mean_instr, min_instr, max_instr, mean_cycles, mean_cycles / (profile.clock_mhz * 1e3),
      profile.clock_mhz);
  tml::report::EnergyModel energy_model = options.energy;
  energy_model.clock_mhz = profile.clock_mhz;
  const tml::report::EnergyEstimate energy = tml::report::EstimateEnergy(mean_cycles, energy_model);
  std::cout << tml::report::FormatEnergy(energy, energy_model);
  const std::vector<std::string> layer_names =
      manifest["layers"].get<std::vector<std::string>>();
  uint64_t layer_total = 0;
  for (const auto& [id, a] : layers) layer_total += a.cycles;
  std::cout << "  cycles per layer (profiled build, sample 0):\n";
  for (const auto& [id, a] : layers) {
    const std::string label = id < layer_names.size() ? layer_names[id] : std::string("(outside layers)");
    const auto macs = layer_macs.find(id);
    const std::string per_mac = macs != layer_macs.end() && macs->second > 0
                                    ? fmt::format("{:8.2f} cycles/MAC", static_cast<double>(a.cycles) / macs->second)
                                    : std::string(19, ' ');
    std::cout << fmt::format("    {:<48} {:>12} cycles {:>6.1f}% {:>11} instr {}\n", label, a.cycles,
                             layer_total ? 100.0 * a.cycles / layer_total : 0.0, a.instructions, per_mac);
  }
  {
    // The functions that take the time (kernels, libm), most first.
    std::vector<std::pair<std::string, emu::Attribution>> sorted(functions.begin(), functions.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& x, const auto& y) { return x.second.cycles > y.second.cycles; });
    std::cout << "  cycles per function (profiled build, sample 0):\n";
    for (size_t i = 0; i < sorted.size() && i < 8; ++i) {
      std::cout << fmt::format("    {:<48} {:>12} cycles {:>11} instr\n", sorted[i].first,
                               sorted[i].second.cycles, sorted[i].second.instructions);
    }
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
    if (!labels.i64.empty() && !anomaly) j["accuracy"] = static_cast<double>(correct) / samples;
    j["clock_mhz"] = profile.clock_mhz;
    j["latency_ms"] = mean_cycles / (profile.clock_mhz * 1e3);
    for (const auto& [id, a] : layers) {
      const std::string label = id < layer_names.size() ? layer_names[id] : "(outside layers)";
      nlohmann::json layer = {{"layer", label}, {"cycles", a.cycles}, {"instructions", a.instructions}};
      const auto macs = layer_macs.find(id);
      if (macs != layer_macs.end()) {
        layer["macs"] = macs->second;
        if (macs->second > 0) layer["cycles_per_mac"] = static_cast<double>(a.cycles) / macs->second;
      }
      j["layers"].push_back(layer);
    }
    for (const auto& [name, a] : functions) {
      j["functions"].push_back({{"function", name}, {"cycles", a.cycles}, {"instructions", a.instructions}});
    }
    j["energy"] = {{"uj_per_inference", energy.uj_per_inference},
                   {"ua_per_mhz", energy_model.ua_per_mhz},
                   {"volts", energy_model.volts}};
    if (energy.has_battery) {
      j["energy"]["battery_hours"] = energy.battery_hours;
      j["energy"]["average_current_ua"] = energy.average_current_ua;
    }
    if (anomaly) j["anomaly"] = anomaly_json;
    TML_RETURN_IF_ERROR(WriteText(options.report_json, j.dump(2) + "\n"));
  }
  if (!options.html.empty()) {
    nlohmann::json measured;
    // Label/value rows (json::array, not {k, v} pairs, which nlohmann makes objects).
    const auto row = [](const std::string& label, nlohmann::json value) {
      return nlohmann::json::array({label, std::move(value)});
    };
    measured["summary"] = nlohmann::json::array(
        {row("Test samples", samples), row("Cycles / inference", mean_cycles),
         row("Instructions / inference", mean_instr),
         row("Latency", fmt::format("{:.3f} ms at {:g} MHz",
                                    mean_cycles / (profile.clock_mhz * 1e3), profile.clock_mhz)),
         row("Flash", fmt::format("{} of {:g} KB ({})", Kb(flash), flash_kb,
                                  flash_ok ? "fits" : "DOES NOT FIT")),
         row("RAM", fmt::format("{} of {:g} KB ({})", Kb(ram), ram_kb,
                                ram_ok ? "fits" : "DOES NOT FIT")),
         row("Stack high-water (bytes)", stack_high)});
    for (const auto& [id, a] : layers) {
      measured["layer_cycles"][id < layer_names.size() ? std::to_string(id) : "outside"] = a.cycles;
    }
    double worst = 0;
    nlohmann::json verify_rows = nlohmann::json::array();
    for (const OutputMetrics& m : metrics) {
      worst = std::max(worst, m.relative);
      verify_rows.push_back(row("output '" + m.name + "'",
                             fmt::format("max abs error {:.3g}, RMSE {:.3g}, SNR {:.1f} dB, relative {:.3g}",
                                         m.max_abs, m.rmse, m.snr_db, m.relative)));
      if (m.classifier) {
        verify_rows.push_back(row("top-1 agreement", fmt::format("{}/{}", m.top1_agree, m.rows)));
      }
    }
    if (!labels.i64.empty() && !anomaly) {
      verify_rows.push_back(row("accuracy on the test labels", fmt::format("{}/{}", correct, samples)));
    }
    measured["firmware_relative_error"] = worst;
    measured["notes"].push_back({{"title", "Verification against the float reference"}, {"rows", verify_rows}});
    nlohmann::json energy_rows = nlohmann::json::array(
        {row("Energy / inference", fmt::format("{:.3g} uJ", energy.uj_per_inference)),
         row("Assumed run current", fmt::format("{:g} uA/MHz x {:g} MHz = {:.3g} mA at {:g} V",
                                                energy_model.ua_per_mhz, energy_model.clock_mhz,
                                                energy.run_current_ua / 1000, energy_model.volts))});
    if (energy.has_battery) {
      energy_rows.push_back(row("Battery life (MCU only)",
                             fmt::format("{:.0f} h ({:.1f} days) on {:g} mAh at {:g} inferences/h, sleep {:g} uA",
                                         energy.battery_hours, energy.battery_hours / 24,
                                         energy_model.battery_mah, energy_model.inferences_per_hour,
                                         energy_model.sleep_ua)));
    }
    measured["notes"].push_back({{"title", "Energy"}, {"rows", energy_rows}});
    if (anomaly) measured["notes"].push_back({{"title", "Anomaly detection"}, {"rows", anomaly_rows}});
    TML_RETURN_IF_ERROR(WriteHtml(options.html, manifest, measured));
    std::cout << fmt::format("  report: {}\n", options.html);
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
