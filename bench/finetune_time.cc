// Fine-tuning wall time and accuracy recovery on the example models
// (issue 6 acceptance figures): Kronecker factorization at a compression
// target, doping, distillation from calibration data, then the test set
// through the reference interpreter for the float model and the compressed one.
//
//   bench_finetune_time MODEL_DIR [--compress N] [--dope D] [--epochs E]
//       [--compress-fallback N] [--train-dense 0|1] [--calib X.npy] [--labels Y.npy] [--lr LR] [--batch B] [--seed S] [--threads T]
// Classifiers (test_y with > 2 classes): accuracy; autoencoders: ROC AUC of the
// reconstruction MSE. Prints the per-matrix tables, the LSTM weight bytes and
// the compression (sparse indices counted), and the fine-tuning seconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "compiler/driver/model.h"
#include "compiler/reference/run_batch.h"
#include "compiler/npy.h"
#include "passes/dope.h"
#include "passes/finetune.h"
#include "passes/kron_factorize.h"

namespace {

double Auc(const std::vector<double>& score, const std::vector<int64_t>& label) {
  double pairs = 0, wins = 0;
  for (size_t i = 0; i < score.size(); ++i)
    for (size_t j = 0; j < score.size(); ++j)
      if (label[i] == 1 && label[j] == 0) {
        pairs += 1;
        wins += score[i] > score[j] ? 1.0 : score[i] == score[j] ? 0.5 : 0.0;
      }
  return wins / pairs;
}

// Accuracy (classifier) or AUC (autoencoder) of `graph` on the test set.
double Score(const tml::Graph& graph, const tml::Tensor& x, const std::vector<int64_t>& y,
             bool classifier) {
  auto out = tml::RunBatch(graph, {x}, {"test_x"});
  if (!out.ok()) {
    std::fprintf(stderr, "%s\n", out.status().message().c_str());
    std::exit(3);
  }
  const tml::Tensor& o = (*out)[0];
  const int64_t n = x.shape[0], per = o.num_elements() / n;
  if (classifier) {
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float* row = o.f32.data() + i * per;
      correct += (std::max_element(row, row + per) - row) == y[i] ? 1 : 0;
    }
    return static_cast<double>(correct) / static_cast<double>(n);
  }
  std::vector<double> score(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double e = 0;
    for (int64_t k = 0; k < per; ++k) {
      const double d = o.f32[i * per + k] - x.f32[i * per + k];
      e += d * d;
    }
    score[i] = e / static_cast<double>(per);
  }
  return Auc(score, y);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL_DIR [--compress N] [--dope D] [--epochs E] [--calib X.npy] "
                 "[--labels Y.npy] [--lr LR] [--batch B] [--seed S] [--threads T] [--rank R]\n", argv[0]);
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/";
  tml::KronFactorizeOptions kron;
  kron.mode = tml::KronMode::kAuto;
  kron.compress = 40;
  kron.max_rank = 4;
  tml::DopeOptions dope{0.01};
  tml::FinetuneOptions ft;
  ft.epochs = 40;
  ft.calib_path = dir + "calib_x.npy";
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--compress") kron.compress = std::atof(v.c_str());
    else if (k == "--compress-fallback") kron.compress_fallback = std::atof(v.c_str());
    else if (k == "--train-dense") ft.train_dense = v == "1";
    else if (k == "--rank") kron.max_rank = std::atoi(v.c_str());
    else if (k == "--dope") dope.density = std::atof(v.c_str());
    else if (k == "--epochs") ft.epochs = std::atoi(v.c_str());
    else if (k == "--calib") ft.calib_path = v;
    else if (k == "--labels") ft.labels_path = v;
    else if (k == "--lr") ft.lr = std::atof(v.c_str());
    else if (k == "--batch") ft.batch_size = std::atoi(v.c_str());
    else if (k == "--seed") ft.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--threads") ft.threads = std::atoi(v.c_str());
    else if (k == "--dope-start") ft.dope_start_factor = std::atof(v.c_str());
    else if (k == "--co-dropout") ft.co_dropout = std::atof(v.c_str());
    else { std::fprintf(stderr, "unknown option %s\n", k.c_str()); return 2; }
  }
  auto loaded = tml::LoadModel(dir + "model.onnx", {}, tml::NullObserver());
  auto tx = tml::ReadNpy(dir + "test_x.npy");
  auto ty = tml::ReadNpy(dir + "test_y.npy");
  if (!loaded.ok() || !tx.ok() || !ty.ok()) {
    std::fprintf(stderr, "cannot read %s\n", dir.c_str());
    return 2;
  }
  tml::Graph graph = std::move(*loaded);
  const tml::Graph original = graph;
  std::vector<int64_t> labels = ty->i64;
  const bool classifier = *std::max_element(labels.begin(), labels.end()) > 1;

  tml::KronFactorizePass kp(kron);
  tml::DopePass dp(dope);
  tml::FinetunePass fp(ft);
  std::vector<tml::Pass*> passes = {&kp, &dp};
  for (tml::Pass* p : passes) {
    auto r = p->Run(graph);
    if (!r.ok()) { std::fprintf(stderr, "%s\n", r.status().message().c_str()); return 2; }
  }
  std::printf("%s\n", kp.report().ToTable().c_str());
  std::printf("%s\n", dp.report().ToTable().c_str());
  const double float_score = Score(original, *tx, labels, classifier);
  const double before = Score(graph, *tx, labels, classifier);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = fp.Run(graph);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.ok()) { std::fprintf(stderr, "%s\n", r.status().message().c_str()); return 2; }
  const double after = Score(graph, *tx, labels, classifier);
  const tml::RecurrentWeightBytes bytes = tml::CountRecurrentWeightBytes(graph);
  const int64_t dense_bytes = bytes.dense, compressed_bytes = bytes.stored;
  const char* metric = classifier ? "accuracy" : "AUC";
  std::printf("recurrent weights: %lld -> %lld bytes (%.1fx smaller)\n",
              static_cast<long long>(dense_bytes), static_cast<long long>(compressed_bytes),
              static_cast<double>(dense_bytes) / static_cast<double>(compressed_bytes));
  std::printf("test %s: float %.4f, compressed before fine-tuning %.4f, after %.4f\n", metric,
              float_score, before, after);
  std::printf("fine-tuning wall time: %.1f s (%d epochs, %d threads)\n", seconds, ft.epochs, ft.threads);
  return 0;
}
