// The character language model of examples/char_lm (issue 14): compression
// ratio of the LSTM weights, perplexity of the emulated firmware against the
// float reference, and wall time, for the float build, int8, and Kronecker
// compression with fine-tuning (with and without int8 on top).
//
//   bench_char_lm MODEL_DIR [--samples N] [--epochs E] [--calib X.npy] [--only LABEL]
// MODEL_DIR holds model.onnx, test_x.npy / test_y.npy (token windows and their
// next tokens) and calib_x.npy. N test windows are emulated (default 16; the
// Cortex-M4 emulation of the 2 x LSTM(160) float model is ~1 s per window).
// Prints one row per configuration: LSTM weights (dense float32 -> stored,
// ratio), total weight bytes, firmware and float perplexity, the increase,
// compile and verify seconds. Wall times vary with the machine's load.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "compiler/driver/compile.h"
#include "compiler/driver/output_dir.h"
#include "compiler/driver/verify.h"
#include "compiler/npy.h"

namespace {

namespace fs = std::filesystem;

struct Config {
  std::string label;
  double compress = 0;  // 0: no Kronecker factorization
  bool finetune = false;
  bool int8 = false;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The first `n` rows of a data file, written next to the bench's outputs.
std::string Head(const std::string& path, int64_t n, const fs::path& work) {
  auto t = tml::ReadNpy(path);
  if (!t.ok()) {
    std::fprintf(stderr, "%s\n", t.status().message().c_str());
    std::exit(2);
  }
  n = std::min<int64_t>(n, t->shape[0]);
  const int64_t per = t->num_elements() / t->shape[0];
  t->shape[0] = n;
  if (t->dtype == tml::DType::kInt64) t->i64.resize(static_cast<size_t>(n * per));
  else t->f32.resize(static_cast<size_t>(n * per));
  const std::string out = (work / fs::path(path).filename()).string();
  if (!tml::WriteNpy(out, *t).ok()) std::exit(3);
  return out;
}

int Run(const std::string& dir, const Config& c, int epochs, const std::string& calib,
        const std::string& test_x, const std::string& test_y, const fs::path& work) {
  tml::CompileOptions o;
  o.name = "char_lm";
  o.calib = calib;
  if (c.compress > 0) {
    o.passes.kron.mode = tml::KronMode::kAuto;
    o.passes.kron.compress = c.compress;
  }
  if (c.finetune) {
    o.passes.finetune.epochs = epochs;
    o.passes.finetune.calib_path = calib;
  }
  if (c.int8) o.quantize = "int8";
  o.flash_kb = 4096;
  const auto t0 = std::chrono::steady_clock::now();
  auto compiled = tml::Compile(dir + "/model.onnx", o, tml::NullObserver());
  if (!compiled.ok()) {
    std::fprintf(stderr, "%s: %s\n", c.label.c_str(), compiled.status().message().c_str());
    return 1;
  }
  const double compile_s = Seconds(t0);
  const std::string out = (work / ("out_" + std::to_string(std::hash<std::string>()(c.label)))).string();
  if (!tml::WriteOutputDir(out, compiled->files, true).ok()) return 1;
  tml::VerifyOptions v;
  v.test_data = {test_x};
  v.test_labels = test_y;
  v.gates.max_perplexity_increase = 1e9;  // the bench reports, it does not judge
  const auto t1 = std::chrono::steady_clock::now();
  auto result = tml::VerifyOutputDir(out, v, tml::NullObserver());
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", c.label.c_str(), result.status().message().c_str());
    return 1;
  }
  const double verify_s = Seconds(t1);
  int64_t dense = 0, stored = 0;
  for (const auto& l : compiled->model.layer_weights) {
    if (l.layer.find("(LSTM)") == std::string::npos) continue;
    dense += l.dense_float_bytes;
    stored += l.bytes;
  }
  const double fw = result->firmware_figures.perplexity.value_or(NAN);
  const double fl = result->original_figures.perplexity.value_or(NAN);
  std::printf("%-34s LSTM %8lld -> %7lld B %6.1fx  weights %7lld B  perplexity %.4f (float %.4f, %+.2f %%)  "
              "compile %.1f s  verify %.1f s%s\n",
              c.label.c_str(), static_cast<long long>(dense), static_cast<long long>(stored),
              static_cast<double>(dense) / static_cast<double>(std::max<int64_t>(stored, 1)),
              static_cast<long long>(compiled->model.weight_bytes), fw, fl, 100 * (fw / fl - 1),
              compile_s, verify_s, result->passed() ? "" : "  (gates failed)");
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL_DIR [--samples N] [--epochs E] [--calib X.npy] [--only LABEL]\n",
                 argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  int64_t samples = 16;
  int epochs = 10;
  std::string calib = dir + "/calib_x.npy", only;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--samples") samples = std::atol(argv[i + 1]);
    else if (flag == "--epochs") epochs = std::atoi(argv[i + 1]);
    else if (flag == "--calib") calib = argv[i + 1];
    else if (flag == "--only") only = argv[i + 1];
  }
  const fs::path work = fs::temp_directory_path() / "bench_char_lm";
  fs::create_directories(work);
  const std::string test_x = Head(dir + "/test_x.npy", samples, work);
  const std::string test_y = Head(dir + "/test_y.npy", samples, work);
  const std::string ft = " --finetune " + std::to_string(epochs);
  const std::vector<Config> configs = {
      {"float", 0, false, false},
      {"--quantize int8", 0, false, true},
      {"--kronecker auto --compress 10" + ft, 10, true, false},
      {"--kronecker auto --compress 25" + ft, 25, true, false},
      {"--compress 10" + ft + " --quantize int8", 10, true, true},
  };
  int failures = 0;
  for (const Config& c : configs) {
    if (!only.empty() && c.label != only) continue;
    failures += Run(dir, c, epochs, calib, test_x, test_y, work);
  }
  return failures == 0 ? 0 : 1;
}
