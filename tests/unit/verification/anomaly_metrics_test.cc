#include "verification/anomaly_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace tml::verification {
namespace {

TEST(AnomalyTest, ReconstructionScoresAreMeanSquaredErrors) {
  const std::vector<float> in = {0, 0, 1, 1};
  const std::vector<float> out = {1, 1, 1, 3};
  const std::vector<double> s = ReconstructionScores(in, out, 2);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 2.0);
}

TEST(AnomalyTest, PercentileInterpolatesLikeNumpy) {
  // numpy.percentile([1, 2, 3, 4], [0, 50, 99, 100]) = 1, 2.5, 3.97, 4
  EXPECT_DOUBLE_EQ(Percentile({4, 1, 3, 2}, 0), 1.0);
  EXPECT_DOUBLE_EQ(Percentile({4, 1, 3, 2}, 50), 2.5);
  EXPECT_NEAR(Percentile({4, 1, 3, 2}, 99), 3.97, 1e-12);
  EXPECT_DOUBLE_EQ(Percentile({4, 1, 3, 2}, 100), 4.0);
  EXPECT_DOUBLE_EQ(Percentile({7}, 99), 7.0);
}

TEST(AnomalyTest, AucCountsTiesAsHalf) {
  EXPECT_DOUBLE_EQ(RocAuc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}), 0.0);
  // One positive tied with one negative: 3 of 4 pairs ordered, 1 tie -> 3.5/4.
  EXPECT_DOUBLE_EQ(RocAuc({0.1, 0.5, 0.5, 0.9}, {0, 0, 1, 1}), 0.875);
  EXPECT_TRUE(std::isnan(RocAuc({0.1, 0.2}, {0, 0})));
}

TEST(AnomalyTest, PrecisionAndRecallAtThreshold) {
  const AnomalyMetrics m = EvaluateAnomaly({0.1, 0.6, 0.4, 0.9, 0.7}, {0, 0, 1, 1, 1}, 0.5);
  EXPECT_EQ(m.true_positives, 2);
  EXPECT_EQ(m.false_positives, 1);
  EXPECT_EQ(m.false_negatives, 1);
  EXPECT_EQ(m.true_negatives, 1);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.false_positive_rate, 0.5);
}

}  // namespace
}  // namespace tml::verification
