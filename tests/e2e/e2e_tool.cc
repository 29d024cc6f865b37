// Helpers for the end-to-end tests (tests/e2e/CMakeLists.txt):
//
//   tml_e2e_tool step MODEL.onnx TEST_X.npy WORKDIR CC [SAMPLES]
//     Generates the model's C sources, builds two host programs with
//     `CC -std=c99 -Wall -Wextra -Werror -pedantic` (codegen's HostMainC: one
//     calling NAME_invoke, one feeding NAME_step one time step at a time after
//     NAME_reset) and checks that both give the same outputs on the first
//     SAMPLES test inputs (default 20). Fails if the model has no NAME_step.
//   tml_e2e_tool fault-elf OUT_DIR
//     Builds a tiny Cortex-M4 firmware that stores to unmapped memory (for the
//     "clear error, no hang" test of `tinyml-compile emulate`); prints the ELF path.
//   tml_e2e_tool exit-elf OUT_DIR
//     The same for a firmware whose main returns 7 after a short loop.
//   tml_e2e_tool fragments OUTDIR NAME CC WORKDIR
//     Builds OUTDIR's sources through its Make fragment (NAME.mk) with a
//     three-line Makefile and runs one inference on zeros; then checks that
//     every file NAME.cmake lists exists (cmake -P on a tiny script).
//   tml_e2e_tool host-vs-emu OUTDIR NAME TEST_X.npy CC WORKDIR [SAMPLES [SAVED.npy]]
//     After `compile --verify` into OUTDIR: builds OUTDIR's sources for the
//     host (codegen's HostMainC) and runs the first SAMPLES (default 20) test
//     inputs through it and through OUTDIR/firmware/firmware.elf in the
//     emulated M4; exit 0 when the outputs are bit-identical (int8 models:
//     the integer kernels must agree exactly on both). With SAVED.npy (written
//     by `verify --save-outputs`) also checks that it holds the host build's
//     outputs bit for bit.
//   tml_e2e_tool token-range OUTDIR NAME CC WORKDIR
//     Builds a token model's sources (OUTDIR, with NAME_step) on the host with a
//     main that feeds out-of-range token ids: NAME_invoke and NAME_step must
//     return -3 (TML_ERROR_INDEX) without writing the output.
//   tml_e2e_tool same-dirs DIR_A DIR_B
//     Exit 0 when both directory trees hold the same files with the same bytes.
//   tml_e2e_tool npy-hex Y.npy
//     Prints each float32 of Y.npy as "output[k] = 0x<bits>" (k from 0), one per
//     line: the format examples/firmware_project prints its logits in.
//   tml_e2e_tool api-s8 OUTDIR NAME TEST_X.npy CC WORKDIR [SAMPLES]
//     The int8 API of an int8 streaming model (compile --quantize int8, one
//     input, one output), on the host and in the emulated M4, per sample x:
//     NAME_step over x's rows == NAME_invoke(x); with q = quantize(x) in
//     INPUT0's format, NAME_invoke_s8(q) == quantize(NAME_invoke(dequantize(q)))
//     and dequantize(NAME_invoke_s8(q)) == NAME_invoke(dequantize(q));
//     NAME_step_s8 over q's rows == NAME_invoke_s8(q); all bit for bit, and
//     the host and the M4 agree bit for bit. Handles --arena extern builds; a
//     model without int8 I/O (NAME_HAS_INVOKE_S8 0) checks the step only.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "codegen/harness.h"
#include "codegen/model_emitter.h"
#include "compiler/driver/model.h"
#include "compiler/npy.h"
#include "emulator/firmware_build.h"
#include "emulator/m4_runner.h"

namespace fs = std::filesystem;

namespace {

// Extra flags for host builds of generated C (scripts/sanitize.sh sets
// TML_HOST_CFLAGS to the sanitizers).
std::string HostCflags() {
  const char* extra = std::getenv("TML_HOST_CFLAGS");
  return extra != nullptr ? extra : "";
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

// The first `count` values of a data file as the raw bytes the generated C
// reads: float32, or int32 token ids for integer files.
std::string SampleBytes(const tml::Tensor& x, int64_t count) {
  std::string bytes(static_cast<size_t>(count) * 4, '\0');
  for (int64_t k = 0; k < count; ++k) {
    if (x.dtype == tml::DType::kInt64) {
      const int32_t id = static_cast<int32_t>(x.i64[static_cast<size_t>(k)]);
      std::memcpy(&bytes[static_cast<size_t>(k) * 4], &id, 4);
    } else {
      std::memcpy(&bytes[static_cast<size_t>(k) * 4], &x.f32[static_cast<size_t>(k)], 4);
    }
  }
  return bytes;
}

int Step(int argc, char** argv) {
  if (argc < 6) return 2;
  const std::string model_path = argv[2], data_path = argv[3], cc = argv[5];
  const fs::path work = argv[4];
  const int64_t max_samples = argc > 6 ? std::atol(argv[6]) : 20;
  auto graph = tml::LoadModel(model_path, {}, tml::NullObserver());
  if (!graph.ok()) {
    std::cerr << graph.status().message() << "\n";
    return 1;
  }
  tml::codegen::CodegenOptions options;
  options.tool_version = "test";
  options.model_file = fs::path(model_path).filename().string();
  auto model = tml::codegen::GenerateModel(*graph, options);
  if (!model.ok()) {
    std::cerr << model.status().message() << "\n";
    return 1;
  }
  if (!model->has_step) {
    std::cerr << "the model has no model_step()\n";
    return 1;
  }
  std::cout << "model_step: " << model->seq_len << " steps of " << model->step_input_size
            << " floats, " << (model->step_prefix_output ? "prefix output" : "window output")
            << ", state " << model->state_bytes << " bytes\n";
  fs::remove_all(work);
  std::string sources;
  for (const auto& f : model->files) {
    Write(work / f.path, f.content);
    if (f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".c") sources += " " + (work / f.path).string();
  }
  Write(work / "host_main.c", tml::codegen::HostMainC("model"));
  const std::string base = cc + " -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -O2 " + HostCflags() + " -I" + work.string() +
                           " -I" + (work / "runtime/include").string() + " " +
                           (work / "host_main.c").string() + sources + " -lm -o ";
  for (const char* variant : {"invoke", "step"}) {
    const std::string cmd = base + (work / variant).string() +
                            (std::string(variant) == "step" ? " -DTML_CHECK_STEP" : "");
    if (std::system(cmd.c_str()) != 0) {
      std::cerr << "compile failed: " << cmd << "\n";
      return 1;
    }
  }
  auto x = tml::ReadNpy(data_path);
  if (!x.ok()) {
    std::cerr << x.status().message() << "\n";
    return 1;
  }
  const int64_t n = std::min<int64_t>(x->shape[0], max_samples);
  const int64_t per = x->num_elements() / x->shape[0];
  Write(work / "in.bin", SampleBytes(*x, n * per));
  std::map<std::string, std::vector<float>> outs;
  for (const char* variant : {"invoke", "step"}) {
    const std::string run = (work / variant).string() + " " + (work / "in.bin").string() + " " +
                            (work / (std::string(variant) + ".bin")).string() + " " +
                            std::to_string(n);
    if (std::system(run.c_str()) != 0) {
      std::cerr << "run failed: " << run << "\n";
      return 1;
    }
    const std::string bytes = Slurp(work / (std::string(variant) + ".bin"));
    std::vector<float> v(bytes.size() / 4);
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(v.data()));
    outs[variant] = v;
  }
  const auto& a = outs["invoke"];
  const auto& b = outs["step"];
  if (a.size() != b.size() || a.empty()) {
    std::cerr << "output sizes differ: " << a.size() << " vs " << b.size() << "\n";
    return 1;
  }
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    max_diff = std::max(max_diff, static_cast<double>(std::fabs(a[i] - b[i])));
    max_ref = std::max(max_ref, static_cast<double>(std::fabs(a[i])));
  }
  std::cout << n << " samples: max |invoke - step| = " << max_diff << " (max |output| " << max_ref
            << ")\n";
  return max_diff <= 1e-5 * std::max(1.0, max_ref) ? 0 : 1;
}

int HostVsEmu(int argc, char** argv) {
  if (argc < 7) return 2;
  const fs::path out = argv[2], work = argv[6];
  const std::string name = argv[3], data_path = argv[4], cc = argv[5];
  const int64_t max_samples = argc > 7 ? std::atol(argv[7]) : 20;
  const nlohmann::json manifest = nlohmann::json::parse(Slurp(out / "tinyml-compile.json"), nullptr, false);
  if (manifest.is_discarded()) {
    std::cerr << "no manifest in " << out << "\n";
    return 1;
  }
  fs::remove_all(work);
  Write(work / "host_main.c", tml::codegen::HostMainC(name));
  std::string cmd = cc + " -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -O2 " + HostCflags() + " -I" + out.string() + " -I" +
                    (out / "runtime/include").string() + " " + (work / "host_main.c").string();
  for (const auto& src : manifest["sources"]) cmd += " " + (out / src.get<std::string>()).string();
  cmd += " -lm -o " + (work / "host").string();
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "compile failed: " << cmd << "\n";
    return 1;
  }
  auto x = tml::ReadNpy(data_path);
  if (!x.ok()) {
    std::cerr << x.status().message() << "\n";
    return 1;
  }
  const int64_t n = std::min<int64_t>(x->shape[0], max_samples);
  const int64_t per = x->num_elements() / x->shape[0];
  Write(work / "in.bin", SampleBytes(*x, n * per));
  const std::string run = (work / "host").string() + " " + (work / "in.bin").string() + " " +
                          (work / "out.bin").string() + " " + std::to_string(n);
  if (std::system(run.c_str()) != 0) {
    std::cerr << "run failed: " << run << "\n";
    return 1;
  }
  const std::string host = Slurp(work / "out.bin");
  const size_t out_bytes = host.size() / static_cast<size_t>(n);
  tml::emu::RunnerOptions options;
  auto runner = tml::emu::M4Runner::Load((out / "firmware/firmware.elf").string(), options);
  if (!runner.ok()) {
    std::cerr << runner.status().message() << "\n";
    return 1;
  }
  auto stop = (*runner)->RunUntilBreakpoint();
  if (!stop.ok()) return 1;
  int64_t differing = 0;
  const std::string in_bytes = SampleBytes(*x, n * per);
  for (int64_t s = 0; s < n; ++s) {
    const char* sample = in_bytes.data() + static_cast<size_t>(s * per) * 4;
    if (!(*runner)->WriteSymbol("tml_in", sample, static_cast<size_t>(per) * 4).ok()) return 1;
    if (!(*runner)->RunUntilBreakpoint().ok()) return 1;
    auto got = (*runner)->ReadSymbol("tml_out", out_bytes);
    if (!got.ok()) return 1;
    if (std::memcmp(got->data(), host.data() + static_cast<size_t>(s) * out_bytes, out_bytes) != 0) {
      ++differing;
    }
  }
  // With SAVED.npy (`verify --save-outputs`): what verify saved is what the
  // host build computes, sample for sample.
  if (argc > 8) {
    auto saved = tml::ReadNpy(argv[8]);
    if (!saved.ok() || saved->num_elements() < n * static_cast<int64_t>(out_bytes / 4)) {
      std::cerr << "cannot read " << argv[8] << " or it is too short\n";
      return 1;
    }
    if (std::memcmp(saved->f32.data(), host.data(), static_cast<size_t>(n) * out_bytes) != 0) {
      std::cerr << argv[8] << ": the saved firmware outputs DIFFER from the host build's\n";
      return 1;
    }
    std::cout << "saved firmware outputs equal the host build's; ";
  }
  std::cout << n << " samples: " << (differing == 0 ? "host and emulator bit-identical" : "DIFFER")
            << " (" << differing << " differing)\n";
  return differing == 0 ? 0 : 1;
}

int FaultElf(int argc, char** argv, bool fault) {
  if (argc < 3) return 2;
  const fs::path dir = argv[2];
  Write(dir / "fault.c",
        fault ? "/* Stores to an address no memory is mapped at: the emulator must report it. */\n"
                "#include <stdint.h>\n"
                "int main(void) {\n"
                "  *(volatile uint32_t *)0x70000000u = 42u;\n"
                "  return 0;\n"
                "}\n"
              : "/* Sums a little and exits with 7. */\n"
                "volatile int sink;\n"
                "int main(void) {\n"
                "  int i;\n"
                "  for (i = 0; i < 100; ++i) sink += i;\n"
                "  return 7;\n"
                "}\n");
  tml::emu::FirmwareBuild build;
  build.build_dir = dir.string();
  build.output_name = "fault.elf";
  build.sources = {(dir / "fault.c").string()};
  auto elf = tml::emu::BuildFirmware(build);
  if (!elf.ok()) {
    std::cerr << elf.status().message() << "\n";
    return 1;
  }
  std::cout << *elf << "\n";
  return 0;
}

int Fragments(int argc, char** argv) {
  if (argc < 6) return 2;
  const fs::path out = fs::absolute(argv[2]), work = fs::absolute(argv[5]);
  const std::string name = argv[3], cc = argv[4];
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  fs::remove_all(work);
  Write(work / "host_main.c", tml::codegen::HostMainC(name));
  Write(work / "Makefile",
        "include " + (out / (name + ".mk")).string() + "\n"
        "prog: host_main.c $(" + upper + "_SOURCES)\n"
        "\t" + cc + " -std=c99 -Wall -Wextra -Werror -pedantic -O2 $(addprefix -I,$(" + upper +
            "_INCLUDE_DIRS)) $^ -lm -o $@\n");
  if (std::system(("make -s -C " + work.string()).c_str()) != 0) {
    std::cerr << "make with " << name << ".mk failed\n";
    return 1;
  }
  std::vector<char> zeros(1 << 20, 0);
  {
    std::ofstream z(work / "zeros.bin", std::ios::binary);
    z.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  const std::string run = (work / "prog").string() + " " + (work / "zeros.bin").string() + " " +
                          (work / "out.bin").string();
  if (std::system(run.c_str()) != 0) {
    std::cerr << "the program built from " << name << ".mk failed\n";
    return 1;
  }
  Write(work / "check.cmake",
        "include(" + (out / (name + ".cmake")).string() + ")\n"
        "foreach(f IN LISTS " + upper + "_SOURCES)\n"
        "  if(NOT EXISTS ${f})\n    message(FATAL_ERROR \"missing ${f}\")\n  endif()\nendforeach()\n"
        "foreach(d IN LISTS " + upper + "_INCLUDE_DIRS)\n"
        "  if(NOT IS_DIRECTORY ${d})\n    message(FATAL_ERROR \"missing ${d}\")\n  endif()\nendforeach()\n"
        "list(LENGTH " + upper + "_SOURCES n)\nmessage(STATUS \"${n} sources listed\")\n");
  if (std::system(("cmake -P " + (work / "check.cmake").string()).c_str()) != 0) {
    std::cerr << name << ".cmake lists files that do not exist\n";
    return 1;
  }
  std::cout << name << ".mk builds and runs; " << name << ".cmake lists existing files\n";
  return 0;
}

int SameDirs(int argc, char** argv) {
  if (argc < 4) return 2;
  auto list = [](const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = Slurp(e.path());
    }
    return files;
  };
  const auto a = list(argv[2]), b = list(argv[3]);
  if (a.size() != b.size()) {
    std::cerr << "different file counts: " << a.size() << " vs " << b.size() << "\n";
    return 1;
  }
  for (const auto& [name, content] : a) {
    auto it = b.find(name);
    if (it == b.end()) {
      std::cerr << name << " only in " << argv[2] << "\n";
      return 1;
    }
    if (it->second != content) {
      std::cerr << name << " differs\n";
      return 1;
    }
  }
  std::cout << a.size() << " files, byte-identical\n";
  return 0;
}

// The C side of api-s8: check() fills tml_out with 7 blocks of OUTPUT_SIZE
// floats for the sample in tml_in (see CheckBlocks); a host main over files,
// or the M4Runner bkpt #1 loop.
std::string ApiS8CheckC(const std::string& name) {
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string text = R"(/* int8 API check (tests/e2e/e2e_tool.cc api-s8). */
#include "@N@.h"
#include "tml_kernels_s8.h"

#if @U@_NUM_INPUTS != 1 || @U@_NUM_OUTPUTS != 1 || !defined(@U@_HAS_STEP)
#error "api-s8 needs one input, one output and NAME_step"
#endif
#define IN @U@_INPUT_SIZE
#define OUT @U@_OUTPUT_SIZE
#define ROW @U@_STEP_INPUT_SIZE

float tml_in[IN + 1];
float tml_out[7 * OUT + 1];
volatile int tml_result;
static int8_t q_in[IN + 1];
static int8_t q_out[OUT + 1];
static float deq_in[IN + 1];
#if @U@_ARENA_EXTERN
static float arena[(@U@_ARENA_BYTES + 3) / 4] __attribute__((aligned(@U@_ARENA_ALIGN)));
#endif

static tml_dims Flat(int32_t n) {
  tml_dims d;
  int k;
  d.rank = 1;
  for (k = 0; k < TML_MAX_RANK; ++k) d.dim[k] = 1;
  d.dim[0] = n;
  return d;
}

static int Check(void) {
  const tml_dims in_dims = Flat(IN);
  const tml_dims out_dims = Flat(OUT);
  int t;
  int k;
  int rc = 0;
  if ((rc = @N@_invoke(tml_in, tml_out)) != 0) return rc;
  @N@_reset();
  for (t = 0; t < @U@_SEQ_LEN; ++t) {
    rc = @N@_step(tml_in + t * ROW, tml_out + OUT);
    if (rc < 0) return rc;
  }
  if (rc != 1) return 101;
#if @U@_HAS_INVOKE_S8 /* else blocks 2..6 stay 0: only step == invoke is checked */
  if (tml_quantize_s8(&in_dims, tml_in, 1.0f / @U@_INPUT0_SCALE, @U@_INPUT0_ZERO_POINT, q_in) != TML_OK) return 102;
  if ((rc = @N@_invoke_s8(q_in, q_out)) != 0) return rc;
  for (k = 0; k < OUT; ++k) tml_out[2 * OUT + k] = (float)q_out[k];
  if (tml_dequantize_s8(&out_dims, q_out, @U@_OUTPUT0_SCALE, @U@_OUTPUT0_ZERO_POINT, tml_out + 4 * OUT) != TML_OK) return 103;
  if (tml_dequantize_s8(&in_dims, q_in, @U@_INPUT0_SCALE, @U@_INPUT0_ZERO_POINT, deq_in) != TML_OK) return 104;
  if ((rc = @N@_invoke(deq_in, tml_out + 5 * OUT)) != 0) return rc;
  if (tml_quantize_s8(&out_dims, tml_out + 5 * OUT, 1.0f / @U@_OUTPUT0_SCALE, @U@_OUTPUT0_ZERO_POINT, q_out) != TML_OK) return 105;
  for (k = 0; k < OUT; ++k) tml_out[3 * OUT + k] = (float)q_out[k];
  @N@_reset();
  for (t = 0; t < @U@_SEQ_LEN; ++t) {
    rc = @N@_step_s8(q_in + t * ROW, q_out);
    if (rc < 0) return rc;
  }
  if (rc != 1) return 106;
  for (k = 0; k < OUT; ++k) tml_out[6 * OUT + k] = (float)q_out[k];
#else
  (void)in_dims;
  (void)out_dims;
  (void)k;
  (void)q_in;
  (void)q_out;
  (void)deq_in;
#endif
  return 0;
}

#if defined(TML_HOST)
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  FILE *fi;
  FILE *fo;
  long n;
  long s;
  if (argc < 4) return 2;
  n = atol(argv[3]);
#if @U@_ARENA_EXTERN
  /* NAME_init's refusals, and calls before it succeeded. */
  if (@N@_invoke(tml_in, tml_out) != TML_ERROR_NOT_INITIALIZED) return 3;
  if (@N@_init(arena, @U@_ARENA_BYTES - 1) != TML_ERROR_ARENA_SIZE) return 4;
  if (@N@_init((char *)arena + 4, @U@_ARENA_BYTES) != TML_ERROR_ARENA_ALIGN) return 5;
  if (@N@_init(NULL, @U@_ARENA_BYTES) != TML_ERROR_ARENA_ALIGN) return 6;
  if (@N@_step(tml_in, tml_out) != TML_ERROR_NOT_INITIALIZED) return 7;
  if (@N@_init(arena, sizeof arena) != 0) return 1;
  printf("NAME_init refusals: ok (%s)\n", @N@_status_str(TML_ERROR_ARENA_SIZE));
#endif
  fi = fopen(argv[1], "rb");
  fo = fopen(argv[2], "wb");
  if (fi == NULL || fo == NULL) return 1;
  for (s = 0; s < n; ++s) {
    int rc;
    if (fread(tml_in, sizeof(float), IN, fi) != IN) return 1;
    rc = Check();
    if (rc != 0) {
      fprintf(stderr, "sample %ld: status %d (%s)\n", s, rc, @N@_status_str(rc));
      return 1;
    }
    if (fwrite(tml_out, sizeof(float), 7 * OUT, fo) != 7 * OUT) return 1;
  }
  fclose(fi);
  return fclose(fo) == 0 ? 0 : 1;
}
#else
int main(void) {
#if @U@_ARENA_EXTERN
  tml_result = @N@_init(arena, sizeof arena);
#endif
  for (;;) {
    __asm volatile("bkpt #1" ::: "memory");
    tml_result = Check();
  }
}
#endif
)";
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"@N@", name}, {"@U@", upper}}) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  }
  return text;
}

// Blocks of check(): 0 invoke(x), 1 step over x, 2 invoke_s8(q) codes,
// 3 quantize(invoke(dequantize(q))) codes, 4 dequantize(invoke_s8(q)),
// 5 invoke(dequantize(q)), 6 step_s8 over q (codes). Returns the failures.
std::vector<std::string> CheckBlocks(const float* b, size_t out) {
  auto same = [&](int i, int j) { return std::memcmp(b + i * out, b + j * out, out * 4) == 0; };
  std::vector<std::string> failed;
  if (!same(0, 1)) failed.push_back("step != invoke");
  if (!same(2, 3)) failed.push_back("invoke_s8 != quantize(invoke(dequantize))");
  if (!same(4, 5)) failed.push_back("dequantize(invoke_s8) != invoke(dequantize)");
  if (!same(6, 2)) failed.push_back("step_s8 != invoke_s8");
  return failed;
}

int ApiS8(int argc, char** argv) {
  if (argc < 7) return 2;
  const fs::path out = fs::absolute(argv[2]), work = fs::absolute(argv[6]);
  const std::string name = argv[3], data_path = argv[4], cc = argv[5];
  const int64_t max_samples = argc > 7 ? std::atol(argv[7]) : 5;
  const nlohmann::json manifest = nlohmann::json::parse(Slurp(out / "tinyml-compile.json"), nullptr, false);
  if (manifest.is_discarded()) {
    std::cerr << "no manifest in " << out << "\n";
    return 1;
  }
  fs::remove_all(work);
  Write(work / "check.c", ApiS8CheckC(name));
  std::string cmd = cc + " -std=c99 -Wall -Wextra -Werror -Wconversion -Wsign-conversion -O2 -DTML_HOST " +
                    HostCflags() + " -I" + out.string() + " -I" + (out / "runtime/include").string() +
                    " " + (work / "check.c").string();
  std::vector<std::string> sources;
  for (const auto& src : manifest["sources"]) sources.push_back((out / src.get<std::string>()).string());
  for (const std::string& src : sources) cmd += " " + src;
  cmd += " -lm -o " + (work / "host").string();
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "compile failed: " << cmd << "\n";
    return 1;
  }
  auto x = tml::ReadNpy(data_path);
  if (!x.ok()) {
    std::cerr << x.status().message() << "\n";
    return 1;
  }
  const int64_t n = std::min<int64_t>(x->shape[0], max_samples);
  const int64_t per = x->num_elements() / x->shape[0];
  {
    std::ofstream in(work / "in.bin", std::ios::binary);
    in.write(reinterpret_cast<const char*>(x->f32.data()), static_cast<std::streamsize>(n * per * 4));
  }
  const std::string run = (work / "host").string() + " " + (work / "in.bin").string() + " " +
                          (work / "out.bin").string() + " " + std::to_string(n);
  if (std::system(run.c_str()) != 0) {
    std::cerr << "run failed: " << run << "\n";
    return 1;
  }
  const std::string host = Slurp(work / "out.bin");
  const size_t block_bytes = host.size() / static_cast<size_t>(n);
  const size_t out_floats = block_bytes / 4 / 7;
  tml::emu::FirmwareBuild build;
  build.build_dir = (work / "m4").string();
  build.sources = sources;
  build.sources.push_back((work / "check.c").string());
  build.include_dirs = {out.string(), (out / "runtime/include").string()};
  build.extra_flags = {"-std=c99", "-Wall", "-Wextra", "-Werror", "-Wconversion", "-Wsign-conversion"};
  auto elf = tml::emu::BuildFirmware(build);
  if (!elf.ok()) {
    std::cerr << elf.status().message() << "\n";
    return 1;
  }
  auto runner = tml::emu::M4Runner::Load(*elf, tml::emu::RunnerOptions{});
  if (!runner.ok() || !(*runner)->RunUntilBreakpoint().ok()) {
    std::cerr << "cannot start " << *elf << "\n";
    return 1;
  }
  int failures = 0;
  for (int64_t s = 0; s < n; ++s) {
    const float* hb = reinterpret_cast<const float*>(host.data() + static_cast<size_t>(s) * block_bytes);
    for (const std::string& f : CheckBlocks(hb, out_floats)) {
      std::cerr << "host, sample " << s << ": " << f << "\n";
      ++failures;
    }
    if (!(*runner)->WriteSymbol("tml_in", x->f32.data() + s * per, static_cast<size_t>(per) * 4).ok() ||
        !(*runner)->RunUntilBreakpoint().ok()) {
      return 1;
    }
    auto got = (*runner)->ReadSymbol("tml_out", block_bytes);
    auto status = (*runner)->ReadSymbol("tml_result", 4);
    if (!got.ok() || !status.ok()) return 1;
    int32_t rc = 0;
    std::memcpy(&rc, status->data(), 4);
    if (rc != 0) {
      std::cerr << "M4, sample " << s << ": status " << rc << "\n";
      ++failures;
      continue;
    }
    for (const std::string& f : CheckBlocks(reinterpret_cast<const float*>(got->data()), out_floats)) {
      std::cerr << "M4, sample " << s << ": " << f << "\n";
      ++failures;
    }
    if (std::memcmp(got->data(), hb, block_bytes) != 0) {
      std::cerr << "sample " << s << ": host and M4 differ\n";
      ++failures;
    }
  }
  const bool s8 = manifest.value("has_invoke_s8", false);
  std::cout << n << " samples: " << (failures == 0 ? "int8 API bit-exact" : "FAILED")
            << (s8 ? " (step == invoke, step_s8 == invoke_s8 == quantize(invoke(dequantize)), host == M4)\n"
                   : " (step == invoke, host == M4; no int8 I/O for this model)\n");
  return failures == 0 ? 0 : 1;
}

int NpyHex(int argc, char** argv) {
  if (argc < 3) return 2;
  auto y = tml::ReadNpy(argv[2]);
  if (!y.ok()) {
    std::cerr << y.status().message() << "\n";
    return 1;
  }
  for (size_t k = 0; k < y->f32.size(); ++k) {
    uint32_t bits = 0;
    std::memcpy(&bits, &y->f32[k], 4);
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", bits);
    std::cout << "output[" << k << "] = " << hex << "\n";
  }
  return 0;
}

}  // namespace

// Out-of-range token ids on the host build of a token model's sources: every
// NAME_invoke / NAME_step call must return TML_ERROR_INDEX (-3) and leave the
// output untouched; in-range ids must return 0 / 1.
int TokenRange(int argc, char** argv) {
  if (argc < 6) return 2;
  const fs::path out = argv[2], work = argv[5];
  const std::string name = argv[3], cc = argv[4];
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const nlohmann::json manifest = nlohmann::json::parse(Slurp(out / "tinyml-compile.json"), nullptr, false);
  if (manifest.is_discarded()) return 1;
  fs::remove_all(work);
  const std::string main_c =
      "#include <stdio.h>\n#include <string.h>\n#include \"" + name + ".h\"\n"
      "static int32_t in[" + upper + "_INPUT_SIZE];\nstatic float out[" + upper + "_OUTPUT_SIZE];\n"
      "static int untouched(void) {\n  int32_t k;\n"
      "  for (k = 0; k < " + upper + "_OUTPUT_SIZE; ++k) if (out[k] != 7.0f) return 0;\n  return 1;\n}\n"
      "int main(void) {\n  int32_t k;\n  int bad[4];\n  int ok;\n"
      "  for (k = 0; k < " + upper + "_OUTPUT_SIZE; ++k) out[k] = 7.0f;\n"
      "  in[" + upper + "_INPUT_SIZE - 1] = " + upper + "_VOCAB_SIZE;\n"
      "  bad[0] = " + name + "_invoke(in, out);\n  ok = untouched();\n"
      "  in[" + upper + "_INPUT_SIZE - 1] = -1;\n  bad[1] = " + name + "_invoke(in, out);\n  ok &= untouched();\n"
      "  " + name + "_reset();\n  k = " + upper + "_VOCAB_SIZE;\n  bad[2] = " + name + "_step(&k, out);\n  ok &= untouched();\n"
      "  in[" + upper + "_INPUT_SIZE - 1] = 0;\n  bad[3] = " + name + "_invoke(in, out);\n"
      "  printf(\"invoke(id = VOCAB_SIZE) = %d, invoke(id = -1) = %d, step(id = VOCAB_SIZE) = %d, "
      "output untouched %d; invoke(in range) = %d\\n\", bad[0], bad[1], bad[2], ok, bad[3]);\n"
      "  return bad[0] == -3 && bad[1] == -3 && bad[2] == -3 && ok && bad[3] == 0 ? 0 : 1;\n}\n";
  Write(work / "token_range.c", main_c);
  std::string cmd = cc + " -std=c99 -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -O2 " +
                    HostCflags() + " -I" + out.string() + " -I" + (out / "runtime/include").string() +
                    " " + (work / "token_range.c").string();
  for (const auto& src : manifest["sources"]) cmd += " " + (out / src.get<std::string>()).string();
  cmd += " -lm -o " + (work / "token_range").string();
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "compile failed: " << cmd << "\n";
    return 1;
  }
  return std::system((work / "token_range").string().c_str()) == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "token-range") return TokenRange(argc, argv);
  if (cmd == "step") return Step(argc, argv);
  if (cmd == "fault-elf") return FaultElf(argc, argv, true);
  if (cmd == "exit-elf") return FaultElf(argc, argv, false);
  if (cmd == "same-dirs") return SameDirs(argc, argv);
  if (cmd == "host-vs-emu") return HostVsEmu(argc, argv);
  if (cmd == "fragments") return Fragments(argc, argv);
  if (cmd == "api-s8") return ApiS8(argc, argv);
  if (cmd == "npy-hex") return NpyHex(argc, argv);
  std::cerr << "usage: tml_e2e_tool step|fault-elf|same-dirs ...\n";
  return 2;
}
