// Recovery on a deep dense autoencoder (tests/e2e/ae_standardized, the small
// twin of examples/mlperf_autoencoder: 160-64x2-8-64x2-160, ReLU): compressed
// under a whole-model budget and fine-tuned, its output still varies with the
// input as the original's does (no collapse to one output for every sample)
// and it still separates the anomalies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "compiler/npy.h"
#include "compiler/onnx/importer.h"
#include "compiler/reference/run_batch.h"
#include "passes/finetune.h"
#include "passes/kron_factorize.h"

namespace tml {
namespace {

const std::string kModel = std::string(TML_SOURCE_DIR) + "/tests/e2e/ae_standardized/";

// Mean over output elements of the standard deviation across samples.
double OutputSpread(const Tensor& y, int64_t samples) {
  const int64_t per = y.num_elements() / samples;
  double total = 0.0;
  for (int64_t k = 0; k < per; ++k) {
    double sum = 0.0, sq = 0.0;
    for (int64_t s = 0; s < samples; ++s) {
      const double v = y.f32[static_cast<size_t>(s * per + k)];
      sum += v;
      sq += v * v;
    }
    const double mean = sum / static_cast<double>(samples);
    total += std::sqrt(std::max(0.0, sq / static_cast<double>(samples) - mean * mean));
  }
  return total / static_cast<double>(per);
}

// ROC AUC of the reconstruction MSE against labels (1 = anomaly), ties half.
double ReconstructionAuc(const Tensor& x, const Tensor& y, const std::vector<int64_t>& labels) {
  const int64_t n = static_cast<int64_t>(labels.size()), per = x.num_elements() / n;
  std::vector<double> score(static_cast<size_t>(n), 0.0);
  for (int64_t s = 0; s < n; ++s) {
    for (int64_t k = 0; k < per; ++k) {
      const double d = y.f32[static_cast<size_t>(s * per + k)] - x.f32[static_cast<size_t>(s * per + k)];
      score[static_cast<size_t>(s)] += d * d;
    }
  }
  double wins = 0.0, pairs = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (labels[i] != 1 || labels[j] != 0) continue;
      pairs += 1.0;
      wins += score[i] > score[j] ? 1.0 : score[i] == score[j] ? 0.5 : 0.0;
    }
  }
  return wins / pairs;
}

TEST(FinetuneRecoveryTest, CompressedDenseAutoencoderKeepsItsOutputSpread) {
  StatusOr<ImportResult> imported = ImportOnnxFile(kModel + "model.onnx");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  StatusOr<Tensor> calib = ReadNpy(kModel + "calib_x.npy");
  StatusOr<Tensor> x = ReadNpy(kModel + "test_x.npy");
  StatusOr<Tensor> y = ReadNpy(kModel + "test_y.npy");
  ASSERT_TRUE(calib.ok() && x.ok() && y.ok());
  const Graph original = imported->graph;
  Graph graph = original;

  KronFactorizeOptions k;
  k.mode = KronMode::kAuto;
  k.compress = 8.0;
  k.low_rank_max = 0;  // as the pipeline does for a fine-tuned model
  KronFactorizePass kron(k);
  ASSERT_TRUE(kron.Run(graph).ok());
  EXPECT_GE(static_cast<double>(kron.report().ParamsBefore()) / static_cast<double>(kron.report().ParamsAfter()), 8.0);

  FinetuneOptions f;
  f.epochs = 20;
  f.calib = *calib;
  FinetunePass finetune(f);
  StatusOr<bool> changed = finetune.Run(graph);
  ASSERT_TRUE(changed.ok()) << changed.status().message();

  const int64_t n = x->shape[0];
  StatusOr<std::vector<Tensor>> want = RunBatch(original, {*x}, {"test_x"});
  StatusOr<std::vector<Tensor>> got = RunBatch(graph, {*x}, {"test_x"});
  ASSERT_TRUE(want.ok() && got.ok());
  const double spread_float = OutputSpread((*want)[0], n), spread = OutputSpread((*got)[0], n);
  const double auc_float = ReconstructionAuc(*x, (*want)[0], y->i64);
  const double auc = ReconstructionAuc(*x, (*got)[0], y->i64);
  std::cout << "output spread " << spread << " (float " << spread_float << "), AUC " << auc
            << " (float " << auc_float << ")\n";
  EXPECT_GT(spread, 0.5 * spread_float);
  EXPECT_GT(auc, 0.9);
}

// Gradual compression (training starts from the original weights and moves
// to the structure over the first 10 % of the steps) recovers more than
// starting from the factorization's whole error: the held-out reconstruction
// score after 20 epochs, summed over three seeds (measured: 0.0311 with it,
// 0.0594 without).
TEST(FinetuneRecoveryTest, GradualCompressionRecoversMoreThanStartingFromTheStructure) {
  StatusOr<ImportResult> imported = ImportOnnxFile(kModel + "model.onnx");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  StatusOr<Tensor> calib = ReadNpy(kModel + "calib_x.npy");
  ASSERT_TRUE(calib.ok());
  KronFactorizeOptions k;
  k.mode = KronMode::kAuto;
  k.compress = 8.0;
  k.low_rank_max = 0;
  Graph compressed = imported->graph;
  ASSERT_TRUE(KronFactorizePass(k).Run(compressed).ok());
  double gradual = 0.0, sharp = 0.0;
  for (uint64_t seed = 0; seed < 3; ++seed) {
    for (const double fraction : {0.1, 0.0}) {
      FinetuneOptions f;
      f.epochs = 20;
      f.calib = *calib;
      f.seed = seed;
      f.gradual_fraction = fraction;
      Graph graph = compressed;
      FinetunePass finetune(f);
      ASSERT_TRUE(finetune.Run(graph).ok());
      (fraction > 0 ? gradual : sharp) += finetune.report().history.back().figure;
    }
  }
  std::cout << "held-out reconstruction score, 3 seeds: gradual " << gradual << ", from the structure "
            << sharp << "\n";
  EXPECT_LT(gradual, 0.8 * sharp);
}

}  // namespace
}  // namespace tml
