// NAME_score / NAME_ANOMALY_THRESHOLD added to the generated sources (codegen/anomaly_scorer.h).
#include "codegen/anomaly_scorer.h"

#include <gtest/gtest.h>

#include <string>

namespace tml::codegen {
namespace {

TEST(AnomalyScorerTest, ScorerGoesInsideTheExternCBlock) {
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

TEST(AnomalyScorerTest, ScorerRejectsAnUnexpectedHeader) {
  std::string header = "int x;\n", source;
  EXPECT_FALSE(AddAnomalyScorer("ae", 1.0, "", &header, &source).ok());
}

}  // namespace
}  // namespace tml::codegen
