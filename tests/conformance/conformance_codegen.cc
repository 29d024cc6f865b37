// Runs one ONNX node conformance case as generated C and compares with the
// expected outputs:
//   tml_conformance_codegen CASE_DIR --target host|m4 --work DIR [--cc CC]
//                           [--rtol R] [--atol A]
// host: the sources are compiled with `CC -std=c99 -Wall -Wextra -Werror -Wconversion -Wsign-conversion
//       -pedantic` together with codegen's host driver and run natively;
// m4:   they are built with arm-none-eabi-gcc (emulator BuildFirmware, also
//       with -std=c99 -Wall -Wextra -Werror -pedantic) and run once in the
//       emulated Cortex-M4.
// Exit 0 when every output matches at rtol/atol (default 1e-4 / 1e-5).
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "codegen/harness.h"
#include "codegen/model_emitter.h"
#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"
#include "tests/conformance/conformance_case.h"
#include "verification/verify_main.h"

namespace fs = std::filesystem;

namespace {

bool WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::vector<float> Concat(const std::vector<tml::Tensor>& tensors) {
  std::vector<float> all;
  for (const tml::Tensor& t : tensors) all.insert(all.end(), t.f32.begin(), t.f32.end());
  return all;
}

tml::StatusOr<std::vector<float>> RunHost(const fs::path& dir, const tml::codegen::GeneratedModel& model,
                                          const std::vector<float>& input, const std::string& cc) {
  if (!WriteFile(dir / "host_main.c", tml::codegen::HostMainC("model"))) {
    return tml::Internal("cannot write {}", dir.string());
  }
  std::string cmd = cc + " -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -O2 -I" + dir.string() + " -I" +
                    (dir / "runtime/include").string() + " " + (dir / "host_main.c").string();
  for (const auto& f : model.files) {
    if (f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".c") cmd += " " + (dir / f.path).string();
  }
  cmd += " -lm -o " + (dir / "model_host").string();
  if (std::system(cmd.c_str()) != 0) return tml::VerifyFailed("host compile failed: {}", cmd);
  {
    std::ofstream in(dir / "in.bin", std::ios::binary);
    in.write(reinterpret_cast<const char*>(input.data()), static_cast<std::streamsize>(input.size() * 4));
  }
  const std::string run = (dir / "model_host").string() + " " + (dir / "in.bin").string() + " " +
                          (dir / "out.bin").string();
  if (std::system(run.c_str()) != 0) return tml::VerifyFailed("host run failed: {}", run);
  std::vector<float> out(static_cast<size_t>(model.output_size));
  std::ifstream f(dir / "out.bin", std::ios::binary);
  f.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * 4));
  if (!f) return tml::VerifyFailed("host run wrote too little output");
  return out;
}

tml::StatusOr<std::vector<float>> RunM4(const fs::path& dir, const tml::codegen::GeneratedModel& model,
                                        const std::vector<float>& input) {
  if (!WriteFile(dir / "m4_main.c", tml::verification::VerifyMainC("model"))) {
    return tml::Internal("cannot write {}", dir.string());
  }
  tml::emu::FirmwareBuild build;
  build.build_dir = (dir / "firmware").string();
  build.sources.push_back((dir / "m4_main.c").string());
  for (const auto& f : model.files) {
    if (f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".c") {
      build.sources.push_back((dir / f.path).string());
    }
  }
  build.include_dirs = {dir.string(), (dir / "runtime/include").string()};
  build.extra_flags = {"-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wconversion", "-Wsign-conversion"};
  TML_ASSIGN_OR_RETURN(std::string elf, tml::emu::BuildFirmware(build));
  tml::emu::RunnerOptions options;
  options.max_instructions = 500'000'000;
  TML_ASSIGN_OR_RETURN(auto runner, tml::emu::M4Runner::Load(elf, options));
  TML_ASSIGN_OR_RETURN(tml::emu::StopInfo stop, runner->RunUntilBreakpoint());
  TML_RETURN_IF_ERROR(runner->WriteSymbol("tml_in", input.data(), input.size() * 4));
  TML_ASSIGN_OR_RETURN(stop, runner->RunUntilBreakpoint());
  if (stop.reason != tml::emu::StopReason::kBreakpoint || stop.breakpoint != 1) {
    return tml::VerifyFailed("firmware stopped unexpectedly");
  }
  TML_ASSIGN_OR_RETURN(std::vector<uint8_t> status, runner->ReadSymbol("tml_result", 4));
  int32_t rc = 0;
  std::memcpy(&rc, status.data(), 4);
  if (rc != 0) return tml::VerifyFailed("model_invoke returned {}", rc);
  std::vector<float> out(static_cast<size_t>(model.output_size));
  if (!out.empty()) {
    TML_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                         runner->ReadSymbol("tml_out", out.size() * 4));
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
  }
  std::cout << "emulated Cortex-M4: " << stop.instructions << " instructions, " << stop.cycles
            << " cycles\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: tml_conformance_codegen CASE_DIR --target host|m4 --work DIR [--cc CC]\n";
    return 2;
  }
  const fs::path case_dir = argv[1];
  std::string target = "host", cc = "cc";
  fs::path work = fs::temp_directory_path() / "tml_conformance";
  double rtol = 1e-4, atol = 1e-5;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--target") target = argv[i + 1];
    if (flag == "--work") work = argv[i + 1];
    if (flag == "--cc") cc = argv[i + 1];
    if (flag == "--rtol") rtol = std::stod(argv[i + 1]);
    if (flag == "--atol") atol = std::stod(argv[i + 1]);
  }
  auto loaded = tml::testing::LoadConformanceCase(case_dir);
  if (!loaded.ok()) {
    std::cerr << "load failed: " << loaded.status().message() << "\n";
    return 1;
  }
  tml::codegen::CodegenOptions options;
  options.model_file = "model.onnx";
  options.tool_version = "test";
  auto model = tml::codegen::GenerateModel(loaded->graph, options);
  if (!model.ok()) {
    std::cerr << "codegen failed: " << model.status().message() << "\n";
    return 1;
  }
  const fs::path dir = work / case_dir.filename() / target;
  fs::remove_all(dir);
  for (const auto& f : model->files) {
    if (!WriteFile(dir / f.path, f.content)) {
      std::cerr << "cannot write " << (dir / f.path) << "\n";
      return 1;
    }
  }
  const std::vector<float> input = Concat(loaded->feeds);
  auto out = target == "m4" ? RunM4(dir, *model, input) : RunHost(dir, *model, input, cc);
  if (!out.ok()) {
    std::cerr << target << ": " << out.status().message() << "\n";
    return 1;
  }
  int failures = 0;
  size_t pos = 0;
  for (size_t o = 0; o < loaded->graph.outputs().size(); ++o) {
    tml::Tensor got;
    const tml::Tensor& spec = loaded->graph.tensor(loaded->graph.outputs()[o]);
    got.name = spec.name;
    got.shape = spec.shape;
    const size_t n = static_cast<size_t>(spec.num_elements());
    got.f32.assign(out->begin() + static_cast<std::ptrdiff_t>(pos),
                   out->begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    if (!tml::testing::CompareOutput(o, got, loaded->expected[o], rtol, atol)) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
