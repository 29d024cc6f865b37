#include "compiler/report/html_report.h"

#include <gtest/gtest.h>

namespace tml::report {
namespace {

using nlohmann::json;

TEST(HtmlReportTest, EmptyInputRendersEverySectionAsNoData) {
  const std::string html = RenderHtmlReport(json::object());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Layers</h2>"), std::string::npos);
  EXPECT_NE(html.find("Kronecker factorization"), std::string::npos);
  EXPECT_NE(html.find("class=\"nodata\""), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
}

TEST(HtmlReportTest, SelfContained) {
  json r;
  r["summary"] = {{"Model", "m.onnx"}};
  r["layers"] = {{{"name", "lstm"},
                  {"op", "LSTM"},
                  {"bytes_before", 4096},
                  {"bytes_after", 512},
                  {"cycles", 1000}},
                 {{"name", "fc"},
                  {"op", "Gemm"},
                  {"bytes_before", 256},
                  {"bytes_after", 256},
                  {"cycles", 250}}};
  r["stages"] = {{{"name", "import"}, {"relative_error", 0.0}},
                 {{"name", "kron"}, {"relative_error", 1e-3}}};
  r["kron_curves"] = {
      {{"matrix", "lstm W"}, {"points", {{2.0, 1e-4}, {8.0, 1e-2}}}, {"chosen", {8.0, 1e-2}}}};
  const std::string html = RenderHtmlReport(r);
  // Four charts: bytes, cycles, stages, Kronecker.
  size_t svgs = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
    ++svgs;
  EXPECT_EQ(svgs, 4u);
  // No network: no external scripts, stylesheets, images or fonts.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // The share of cycles in the table: 1000 of 1250.
  EXPECT_NE(html.find("80.0%"), std::string::npos);
  EXPECT_NE(html.find("4,096"), std::string::npos);
}

TEST(HtmlReportTest, EscapesNames) {
  json r;
  r["layers"] = {{{"name", "<script>alert('x')</script>"}, {"cycles", 5}}};
  const std::string html = RenderHtmlReport(r);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace tml::report
