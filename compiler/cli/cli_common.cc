#include "compiler/cli/cli_common.h"

#include <iostream>

#include <fmt/format.h>

#include "compiler/cli/console_observer.h"
#include "compiler/driver/output_dir.h"
#include "compiler/report/render.h"

namespace tml::cli {

int ReportStatus(const Status& status) {
  if (status.ok()) return 0;
  const char* kind = status.code() == StatusCode::kInternal ? "internal error" : "error";
  std::cout.flush();
  std::cerr << "tinyml-compile: " << kind << ": " << status.message() << "\n";
  switch (status.code()) {
    case StatusCode::kVerifyFailed:
      return 1;
    case StatusCode::kInvalidInput:
      return 2;
    default:
      return 3;
  }
}

void AddInputShapeOption(CLI::App* cmd, CommonOptions* common) {
  cmd->add_option("--input-shape", common->input_shapes,
                  "Static shape for an input with dynamic dimensions: NAME=D1,D2,... (repeatable)");
}

void AddBudgetOptions(CLI::App* cmd, VerifyOptions* v) {
  cmd->add_option("--flash-kb", v->flash_kb, "Flash budget in KB (default 1024)");
  cmd->add_option("--ram-kb", v->ram_kb, "RAM budget in KB (default 256)");
  cmd->add_option("--clock-mhz", v->clock_mhz, "Clock for latency figures (default 80)");
}

void AddVerifyOptions(CLI::App* cmd, VerifyFlags* flags) {
  VerifyOptions* v = &flags->options;
  cmd->add_option("--test-data", v->test_data, ".npy samples per model input (first axis = samples)");
  cmd->add_option("--test-labels", v->test_labels, ".npy integer labels, for accuracy");
  cmd->add_option("--tolerance", v->tolerance,
                  "Largest relative error (max abs error / max abs reference), default 1e-3 "
                  "(0.25 for --quantize int8)");
  cmd->add_option("--max-instructions", v->max_instructions, "Per-inference instruction budget");
  cmd->add_option("--report", flags->report_json, "Also write the verification figures as JSON");
  cmd->add_option("--html", flags->html, "Write a self-contained HTML report (sizes, cycles, errors)");
  // Energy (verification/energy.h): defaults are assumptions for a low-power M4F.
  cmd->add_option("--ua-per-mhz", v->energy.ua_per_mhz, "Run-mode current in uA/MHz (default 100)");
  cmd->add_option("--volts", v->energy.volts, "Supply voltage (default 3.0)");
  cmd->add_option("--sleep-ua", v->energy.sleep_ua, "Current between inferences in uA (default 2)");
  cmd->add_option("--inferences-per-hour", v->energy.inferences_per_hour,
                  "Inference rate, for the battery life (with --battery-mah)");
  cmd->add_option("--battery-mah", v->energy.battery_mah, "Battery capacity in mAh");
}

Status VerifyAndReport(const std::string& out_dir, const VerifyFlags& flags) {
  ConsoleObserver observer;
  TML_ASSIGN_OR_RETURN(VerificationResult result,
                       VerifyOutputDir(out_dir, flags.options, observer));
  std::cout << report::RenderVerifyText(result);
  if (!flags.report_json.empty()) {
    TML_RETURN_IF_ERROR(WriteTextFile(flags.report_json, report::RenderVerifyJson(result).dump(2) + "\n"));
  }
  if (!flags.html.empty()) {
    TML_RETURN_IF_ERROR(WriteTextFile(flags.html, report::RenderHtml(result.manifest, &result)));
    std::cout << fmt::format("  report: {}\n", flags.html);
  }
  const std::vector<std::string> problems = result.Problems();
  if (!problems.empty()) return VerifyFailed("verification failed: {}", fmt::join(problems, "; "));
  std::cout << "verification passed\n";
  return Status::Ok();
}

}  // namespace tml::cli
