// Rendering results for people and machines: the library computes (Compile,
// Verify), these functions only format, so the CLI, the tests and the CMake
// step print the same thing.
//
//   RenderCompileText  the "wrote OUTDIR ..." summary of a compile: files,
//                      weights, arena, per-layer weight sizes, anomaly threshold
//   RenderVerifyText   the verify report: errors per output, top-1 agreement,
//                      accuracy / anomaly figures, cycles and instructions per
//                      inference, energy, cycles per layer and per function,
//                      flash and RAM against the budget
//   RenderVerifyJson   the same figures for `--report FILE.json`
//   RenderHtml         the self-contained --html page (html_report.h) from the
//                      manifest's compile-time figures and, when verified, the
//                      RenderVerifyJson document itself: one source of truth, so
//                      the page cannot disagree with --report (a test opens it
//                      in Chromium and compares, tests/tools/check_html_report.py)
#ifndef TML_COMPILER_REPORT_RENDER_H_
#define TML_COMPILER_REPORT_RENDER_H_

#include <string>

#include <nlohmann/json.hpp>

#include "compiler/driver/compile.h"
#include "verification/verify.h"

namespace tml::report {

// The "schema_version" of RenderVerifyJson's report.
inline constexpr int kVerifyReportSchemaVersion = 4;

std::string RenderCompileText(const Compiled& compiled, const std::string& out_dir);
std::string RenderVerifyText(const verification::VerificationResult& result);
nlohmann::json RenderVerifyJson(const verification::VerificationResult& result);
// The manifest's fine-tuning epochs as [{epoch, loss, agreement}] (empty
// without --finetune): the report's "finetune_history", the page's loss curve.
nlohmann::json FinetuneHistory(const nlohmann::json& manifest);
// `measured` may be null (compile without --verify).
std::string RenderHtml(const nlohmann::json& manifest, const verification::VerificationResult* measured);

}  // namespace tml::report

#endif  // TML_COMPILER_REPORT_RENDER_H_
