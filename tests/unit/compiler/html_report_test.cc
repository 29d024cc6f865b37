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
                  {"weight_bytes_before", 4096},
                  {"weight_bytes_after", 512},
                  {"cycles", 1000}},
                 {{"name", "fc"},
                  {"op", "Gemm"},
                  {"weight_bytes_before", 256},
                  {"weight_bytes_after", 256},
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
  EXPECT_NE(html.find("data-field=\"weight_bytes_before\" data-value=\"4096\">4,096<"), std::string::npos);
  EXPECT_NE(html.find("8.0×"), std::string::npos);  // lstm's compression
}

size_t Count(const std::string& html, const std::string& what) {
  size_t n = 0;
  for (size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
  return n;
}

TEST(HtmlReportTest, GatesComeFirstAndTaskFiguresCarryTheirValues) {
  json r;
  r["verdict"] = {{"passed", false}, {"problems", {"accuracy drop 80.8 points > 1 points"}}};
  r["gates"] = {{{"gate", "accuracy drop"}, {"value", 80.83}, {"limit", 1.0}, {"kind", "max"},
                 {"default", true}, {"passed", false}, {"detail", "firmware 17.78%, float 98.61%"}}};
  r["figures"]["firmware"] = {{"accuracy", 0.1778}, {"confusion_matrix", {{3, 1}, {0, 4}}}};
  r["figures"]["float"] = {{"accuracy", 0.9861},
                           {"roc", {{{"threshold", 0.0}, {"fpr", 1.0}, {"tpr", 1.0}},
                                    {{"threshold", 0.5}, {"fpr", 0.0}, {"tpr", 0.0}}}},
                           {"score_histogram", {{"edges", {0.1, 1.0, 10.0}}, {"normal", {2, 0}}, {"anomalous", {0, 3}}}}};
  r["finetune_history"] = {{{"epoch", 1}, {"loss", 0.5}, {"agreement", 0.9}}};
  r["summary"] = {{"Model", "m.onnx"}};
  const std::string html = RenderHtmlReport(r);
  const size_t verdict = html.find("id=\"verdict\" class=\"fail\" data-passed=\"false\"");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, html.find("<h2>Summary</h2>"));
  EXPECT_NE(html.find("data-gate=\"accuracy drop\" data-value=\"80.83\" data-limit=\"1.0\" data-passed=\"false\""),
            std::string::npos);
  EXPECT_NE(html.find("data-side=\"firmware\" data-figure=\"accuracy\" data-value=\"0.1778\">17.78 %<"),
            std::string::npos);
  EXPECT_EQ(Count(html, "data-true="), 4u);
  EXPECT_NE(html.find("data-true=\"0\" data-pred=\"1\" data-count=\"1\""), std::string::npos);
  EXPECT_NE(html.find("data-side=\"float\" data-fpr=\"[1.0,0.0]\" data-tpr=\"[1.0,0.0]\""), std::string::npos);
  EXPECT_EQ(Count(html, "data-bin="), 4u);
  EXPECT_NE(html.find("data-class=\"anomalous\" data-bin=\"1\" data-count=\"3\""), std::string::npos);
  EXPECT_NE(html.find("data-epoch=\"1\" data-loss=\"0.5\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
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
