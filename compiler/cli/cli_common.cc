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
  // One line whatever the message holds (a node name may contain a newline).
  std::string message = status.message();
  for (char& c : message) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  std::cerr << "tinyml-compile: " << kind << ": " << message << "\n";
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
  // Resource limits of the import (README "Limits"; MB = 2^20 bytes).
  cmd->add_option("--max-tensor-mb", common->max_tensor_mb,
                  fmt::format("Largest tensor the model may hold or compute, in MB (default {})",
                              kDefaultMaxTensorMb));
  cmd->add_option("--max-weights-mb", common->max_weights_mb,
                  fmt::format("Most bytes of constants (weights, folded constants), in MB "
                              "(default {})",
                              kDefaultMaxWeightsMb));
  cmd->add_option("--max-model-mb", common->max_model_mb,
                  fmt::format("Largest model file, in MB (default {})", kDefaultMaxModelMb));
  cmd->add_option("--max-nodes", common->max_nodes,
                  fmt::format("Most nodes (and initializers) in the model (default {})",
                              kDefaultMaxNodes));
}

void AddTargetOptions(CLI::App* cmd, std::string* target, double* clock_mhz, int64_t* flash_ws,
                      std::string* flash_cache) {
  cmd->add_option("--target", *target,
                  fmt::format("Board profile NAME[@MHZ]: {} (clock, flash wait states and cache, "
                              "flash/RAM size; default cortex-m4: 80 MHz, 0 wait states)",
                              fmt::join(emu::TargetProfileNames(), ", ")));
  cmd->add_option("--clock-mhz", *clock_mhz,
                  "Clock in MHz (default: the target's; a part's wait states follow it)");
  cmd->add_option("--flash-ws", *flash_ws,
                  "Flash wait states 0..15 (default: the target's, from its flash-latency table)")
      ->check(CLI::Range(0, 15));
  cmd->add_option("--flash-cache", *flash_cache,
                  "ART-style flash instruction/data cache and prefetch: on or off (default: the "
                  "target's)")
      ->check(CLI::IsMember({"on", "off"}));
}

void AddBudgetOptions(CLI::App* cmd, VerifyOptions* v) {
  cmd->add_option("--flash-kb", v->flash_kb, "Flash budget in KB (default: the target's, 1024)");
  cmd->add_option("--ram-kb", v->ram_kb, "RAM budget in KB (default: the target's, 256)");
  AddTargetOptions(cmd, &v->target, &v->clock_mhz, &v->flash_ws, &v->flash_cache);
}

void AddVerifyOptions(CLI::App* cmd, VerifyFlags* flags) {
  VerifyOptions* v = &flags->options;
  cmd->add_option("--test-data", v->test_data, ".npy samples per model input (first axis = samples)");
  cmd->add_option("--test-labels", v->test_labels,
                  ".npy integer labels: classes [N], anomaly flags [N] or next tokens [N, T]");
  cmd->add_option_function<std::string>(
         "--task", [v](const std::string& text) { v->task = *ParseTask(text); },
         "What the model does, for the figures and gates of fine-tuning and verification: "
         "classifier, anomaly, regression or lm (default auto: from shapes and labels)")
      ->check(CLI::IsMember({"auto", "classifier", "anomaly", "regression", "lm"}));
  // Release gates (verification/gates.h); defaults apply by task when labels are given.
  Gates* g = &v->gates;
  cmd->add_option("--max-relative-error,--tolerance", g->max_relative_error,
                  "Largest relative error (max abs error / max abs reference) of every output; by "
                  "default 1e-3 for uncompressed float builds, no raw-error gate otherwise");
  cmd->add_option("--min-accuracy", g->min_accuracy, "Lowest firmware accuracy in percent");
  cmd->add_option("--max-accuracy-drop", g->max_accuracy_drop,
                  "Largest accuracy drop vs the float original in points (default 1)");
  cmd->add_option("--min-auc", g->min_auc, "Lowest firmware anomaly AUC");
  cmd->add_option("--max-auc-drop", g->max_auc_drop, "Largest AUC drop vs the float original (default 0.01)");
  cmd->add_option("--max-recall-drop", g->max_recall_drop,
                  "Largest drop of the recall at the threshold vs the float original (default 0.05)");
  cmd->add_option("--max-perplexity-increase", g->max_perplexity_increase,
                  "Largest perplexity increase vs the float original in percent (default 2)");
  cmd->add_option("--save-outputs", flags->save_outputs,
                  "Write the emulated firmware's outputs as .npy (shaped like `run --output`)");
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
  cmd->add_option("--gate-relevant", v->gate_relevant,
                  ".npy 0/1 integers [N]: the relevant test windows, for the wake-up gate's recall "
                  "(default: labels != 0)");
}

Status VerifyAndReport(const std::string& out_dir, const VerifyFlags& flags) {
  ConsoleObserver observer;
  TML_ASSIGN_OR_RETURN(VerificationResult result,
                       VerifyOutputDir(out_dir, flags.options, observer));
  std::cout << report::RenderVerifyText(result);
  if (!flags.save_outputs.empty()) {
    TML_ASSIGN_OR_RETURN(std::vector<std::string> paths,
                         WriteReferenceOutputs(result.firmware_outputs, flags.save_outputs));
    for (const std::string& p : paths) std::cout << fmt::format("  firmware outputs: {}\n", p);
  }
  if (!flags.report_json.empty()) {
    TML_RETURN_IF_ERROR(WriteTextFile(
        flags.report_json,
        report::RenderVerifyJson(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
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
