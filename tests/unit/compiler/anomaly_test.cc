#include "compiler/report/anomaly.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace tml::report {
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

TEST(AnomalyTest, ScorerGoesInsideTheExternCBlock) {
  std::string header =
      "#ifndef AE_H_\n#define AE_H_\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
      "#define AE_INPUT_SIZE 4\n#define AE_OUTPUT_SIZE 4\n"
      "int ae_invoke(const float *input, float *output);\n"
      "#ifdef __cplusplus\n}\n#endif\n#endif\n";
  std::string source = "int ae_invoke(const float *input, float *output) { return 0; }\n";
  ASSERT_TRUE(AddAnomalyScorer("ae", 0.0147263589, "p99", &header, &source).ok());
  const size_t decl = header.find("int ae_score(const float *input, float *score);");
  ASSERT_NE(decl, std::string::npos);
  EXPECT_LT(decl, header.rfind("#ifdef __cplusplus\n}"));
  // The C literal round-trips to the float the host compared with.
  const std::string key = "#define AE_ANOMALY_THRESHOLD ";
  const size_t at = header.find(key);
  ASSERT_NE(at, std::string::npos) << header;
  EXPECT_EQ(std::stof(header.substr(at + key.size())), static_cast<float>(0.0147263589));
  EXPECT_NE(source.find("int ae_score(const float *input, float *score) {"), std::string::npos);
  EXPECT_NE(source.find("ae_invoke(input, reconstruction)"), std::string::npos);
}

TEST(AnomalyTest, ScorerRejectsAnUnexpectedHeader) {
  std::string header = "int x;\n", source;
  EXPECT_FALSE(AddAnomalyScorer("ae", 1.0, "", &header, &source).ok());
}

}  // namespace
}  // namespace tml::report
