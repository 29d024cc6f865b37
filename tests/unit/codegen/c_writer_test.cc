#include "codegen/c_writer.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace tml::codegen {
namespace {

// Parses a literal the way a C compiler would (the "f" suffix dropped).
float Parse(const std::string& literal) {
  std::string text = literal.substr(0, literal.size() - 1);
  return std::strtof(text.c_str(), nullptr);
}

TEST(FloatLiteralTest, RoundTripsEveryFloatExactly) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 20000; ++i) {
    uint32_t b = bits(rng);
    float v;
    std::memcpy(&v, &b, 4);
    if (!std::isfinite(v)) continue;
    const std::string lit = FloatLiteral(v);
    ASSERT_EQ(lit.back(), 'f') << lit;
    const float back = Parse(lit);
    ASSERT_EQ(std::memcmp(&back, &v, 4), 0) << lit;
  }
}

TEST(FloatLiteralTest, SpellsSpecialValues) {
  EXPECT_EQ(FloatLiteral(1.0f), "1.0f");
  EXPECT_EQ(FloatLiteral(-0.0f), "-0.0f");
  EXPECT_EQ(FloatLiteral(0.1f), "0.100000001f");
  EXPECT_EQ(FloatLiteral(1e10f), "1e+10f");
  EXPECT_EQ(FloatLiteral(std::numeric_limits<float>::infinity()), "INFINITY");
  EXPECT_EQ(FloatLiteral(-std::numeric_limits<float>::infinity()), "-INFINITY");
  EXPECT_EQ(FloatLiteral(std::nanf("")), "NAN");
}

TEST(ModelNameTest, RefusesKeywordsHeadersAndReservedNames) {
  for (const char* ok : {"model", "lstm_classifier", "ae2", "Model_"}) EXPECT_EQ(WhyNotModelName(ok), "") << ok;
  EXPECT_NE(WhyNotModelName("stdint").find("standard C header"), std::string::npos);
  EXPECT_NE(WhyNotModelName("math").find("standard C header"), std::string::npos);
  EXPECT_NE(WhyNotModelName("int").find("keyword"), std::string::npos);
  EXPECT_NE(WhyNotModelName("main").find("keyword"), std::string::npos);
  EXPECT_NE(WhyNotModelName("__x").find("reserved"), std::string::npos);
  EXPECT_NE(WhyNotModelName("_Model").find("reserved"), std::string::npos);
  EXPECT_NE(WhyNotModelName("tml_kernels").find("tml_"), std::string::npos);
  EXPECT_NE(WhyNotModelName("my-model").find("not a C identifier"), std::string::npos);
  EXPECT_NE(WhyNotModelName("").find("not a C identifier"), std::string::npos);
}

TEST(CIdentifierTest, SanitizesNames) {
  EXPECT_EQ(CIdentifier("lstm_1"), "lstm_1");
  EXPECT_EQ(CIdentifier("/lstm/LSTM"), "_lstm_LSTM");
  EXPECT_EQ(CIdentifier("1x"), "_1x");
  EXPECT_EQ(CIdentifier(""), "_");
}

TEST(CommentTextTest, CannotCloseTheComment) {
  EXPECT_EQ(CommentText("a */ b\n"), "a *| b?");
}

TEST(CWriterTest, IndentsAndWrapsArrays) {
  CWriter w;
  w.Open("void f(void)");
  w.Line("x();");
  w.Line();
  w.Close();
  w.FloatArray("static const float a[3]", {1.0f, 2.5f, -3.0f}, 2);
  EXPECT_EQ(w.str(),
            "void f(void) {\n  x();\n\n}\n"
            "static const float a[3] = {\n  1.0f, 2.5f,\n  -3.0f,\n};\n");
}

}  // namespace
}  // namespace tml::codegen
