#include "verification/task_figures.h"

#include <gtest/gtest.h>

#include <numeric>

#include "verification/anomaly_metrics.h"

namespace tml::verification {
namespace {

Tensor Floats(Shape shape, std::vector<float> values) {
  Tensor t;
  t.dtype = DType::kFloat32;
  t.shape = std::move(shape);
  t.f32 = std::move(values);
  return t;
}

Tensor Labels(std::vector<int64_t> values) {
  Tensor t;
  t.dtype = DType::kInt64;
  t.shape = {static_cast<int64_t>(values.size())};
  t.i64 = std::move(values);
  return t;
}

TEST(TaskFiguresTest, ConfusionMatrixCountsTrueAgainstPredicted) {
  // Predictions (argmax): 0, 1, 1, 2; labels 0, 1, 2, 2.
  const Tensor out = Floats({4, 3}, {9, 0, 0, 0, 9, 0, 0, 9, 0, 0, 0, 9});
  const auto m = ConfusionMatrix(out, Labels({0, 1, 2, 2}));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0], (std::vector<int64_t>{1, 0, 0}));
  EXPECT_EQ(m[1], (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(m[2], (std::vector<int64_t>{0, 1, 1}));
  EXPECT_TRUE(ConfusionMatrix(out, Labels({0, 1, 3, 2})).empty());  // label out of range
  const TaskFigures f = ComputeTaskFigures(out, Labels({0, 1, 2, 2}), nullptr, std::nullopt);
  EXPECT_EQ(f.confusion, m);
  EXPECT_DOUBLE_EQ(*f.accuracy, 0.75);
}

TEST(TaskFiguresTest, RocRunsFromAllFlaggedToNoneAndItsAreaIsTheAuc) {
  const std::vector<double> scores = {0.1, 0.4, 0.35, 0.8, 0.35, 0.05, 0.9};
  const std::vector<int64_t> labels = {0, 0, 1, 1, 0, 0, 1};
  const std::vector<RocPoint> roc = RocCurve(scores, labels);
  ASSERT_EQ(roc.size(), 7u);  // 6 distinct scores + the point below them all
  EXPECT_DOUBLE_EQ(roc.front().fpr, 1.0);
  EXPECT_DOUBLE_EQ(roc.front().tpr, 1.0);
  EXPECT_DOUBLE_EQ(roc.back().fpr, 0.0);
  EXPECT_DOUBLE_EQ(roc.back().tpr, 0.0);
  double area = 0.0;
  for (size_t i = 1; i < roc.size(); ++i) {
    area += (roc[i - 1].fpr - roc[i].fpr) * (roc[i - 1].tpr + roc[i].tpr) / 2.0;
  }
  EXPECT_NEAR(area, RocAuc(scores, labels), 1e-12);
  // Each point is what EvaluateAnomaly finds at its threshold.
  for (const RocPoint& p : roc) {
    const AnomalyMetrics m = EvaluateAnomaly(scores, labels, p.threshold);
    EXPECT_DOUBLE_EQ(p.tpr, m.recall);
    EXPECT_DOUBLE_EQ(p.fpr, m.false_positive_rate);
  }
  EXPECT_TRUE(RocCurve({0.1, 0.2}, {0, 0}).empty());
}

TEST(TaskFiguresTest, RocIsThinnedToItsLimit) {
  std::vector<double> scores;
  std::vector<int64_t> labels;
  for (int i = 0; i < 1000; ++i) {
    scores.push_back(i);
    labels.push_back(i % 3 == 0);
  }
  const std::vector<RocPoint> roc = RocCurve(scores, labels);
  EXPECT_EQ(roc.size(), static_cast<size_t>(kMaxRocPoints));
  EXPECT_DOUBLE_EQ(roc.back().fpr, 0.0);
  EXPECT_DOUBLE_EQ(roc.back().tpr, 0.0);
}

TEST(TaskFiguresTest, HistogramSharesItsLogBinsBetweenTheClasses) {
  const std::vector<double> scores = {0.0, 1e-4, 2e-3, 1e-2, 1e-1, 1.0};
  const std::vector<int64_t> labels = {0, 0, 0, 1, 1, 1};
  const ScoreHistogram h = HistogramOfScores(scores, labels);
  ASSERT_EQ(h.edges.size(), static_cast<size_t>(kHistogramBins + 1));
  EXPECT_NEAR(h.edges.front(), 1e-4, 1e-16);
  EXPECT_NEAR(h.edges.back(), 1.0, 1e-12);
  EXPECT_EQ(std::accumulate(h.normal.begin(), h.normal.end(), int64_t{0}), 3);
  EXPECT_EQ(std::accumulate(h.anomalous.begin(), h.anomalous.end(), int64_t{0}), 3);
  EXPECT_EQ(h.normal[0], 2);                      // 0 and the smallest score
  EXPECT_EQ(h.anomalous[kHistogramBins - 1], 1);  // the largest score
  EXPECT_EQ(h.normal[7], 1);  // 2e-3: log10 1.30 of the 4 decades up, 7.8 of 24 bins
}

TEST(TaskFiguresTest, AnomalyFiguresCarryRocAndHistogram) {
  const Tensor input = Floats({4, 1}, {0, 0, 0, 0});
  const Tensor output = Floats({4, 1}, {0.1f, 0.2f, 1.0f, 2.0f});
  const TaskFigures f = ComputeTaskFigures(output, Labels({0, 0, 1, 1}), &input, 0.5);
  EXPECT_DOUBLE_EQ(*f.auc, 1.0);
  EXPECT_DOUBLE_EQ(*f.recall, 1.0);
  EXPECT_EQ(f.roc.size(), 5u);
  ASSERT_TRUE(f.histogram.has_value());
  EXPECT_TRUE(f.confusion.empty());
}

}  // namespace
}  // namespace tml::verification
