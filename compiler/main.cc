// tinyml-compile: the command line. Parsing only (CLI11); the work is in
// driver.cc. Exit codes: 0 ok, 1 verification or budget failed, 2 bad usage
// or input, 3 internal error.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "compiler/compile_command.h"
#include "compiler/driver.h"
#include "compiler/version.h"

namespace {

int ExitCode(const tml::Status& status) {
  switch (status.code()) {
    case tml::StatusCode::kOk:
      return 0;
    case tml::StatusCode::kVerifyFailed:
      return 1;
    case tml::StatusCode::kInvalidInput:
      return 2;
    case tml::StatusCode::kInternal:
      return 3;
  }
  return 3;
}

int Report(const tml::Status& status) {
  if (!status.ok()) {
    const char* kind = status.code() == tml::StatusCode::kInternal ? "internal error" : "error";
    std::cerr << "tinyml-compile: " << kind << ": " << status.message() << "\n";
  }
  return ExitCode(status);
}

void AddInputShapeOption(CLI::App* cmd, tml::CommonOptions* common) {
  cmd->add_option("--input-shape", common->input_shapes,
                  "Static shape for an input with dynamic dimensions: NAME=D1,D2,... (repeatable)");
}

int Main(int argc, char** argv) {
  CLI::App app{"tinyml-compile: ONNX sequence models to Cortex-M4 firmware"};
  app.set_version_flag("--version", std::string("tinyml-compile ") + TML_VERSION);
  app.require_subcommand(1);

  std::string model;
  tml::InspectOptions inspect;
  CLI::App* inspect_cmd = app.add_subcommand("inspect", "Per-node shapes, parameters and MACs");
  inspect_cmd->add_option("model", model, "ONNX model")->required();
  inspect_cmd->add_flag("--json", inspect.json, "Print JSON instead of a table");
  inspect_cmd->add_flag("--print-ir", inspect.print_ir, "Also print the imported IR");
  AddInputShapeOption(inspect_cmd, &inspect.common);

  tml::RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Float reference inference over a batch");
  run_cmd->add_option("model", model, "ONNX model")->required();
  run_cmd->add_option("--input", run.inputs, ".npy samples per model input (first axis = samples)")
      ->required();
  run_cmd->add_option("--output", run.output, ".npy file for the outputs (default: print)");
  AddInputShapeOption(run_cmd, &run.common);

  auto add_budget = [](CLI::App* cmd, tml::VerifyOptions* v) {
    cmd->add_option("--flash-kb", v->flash_kb, "Flash budget in KB (default 1024)");
    cmd->add_option("--ram-kb", v->ram_kb, "RAM budget in KB (default 256)");
    cmd->add_option("--clock-mhz", v->clock_mhz, "Clock for latency figures (default 80)");
  };
  auto add_verify = [](CLI::App* cmd, tml::VerifyOptions* v) {
    cmd->add_option("--test-data", v->test_data, ".npy samples per model input (first axis = samples)");
    cmd->add_option("--test-labels", v->test_labels, ".npy integer labels, for accuracy");
    cmd->add_option("--tolerance", v->tolerance,
                    "Largest relative error (max abs error / max abs reference), default 1e-3 "
                    "(0.25 for --quantize int8)");
    cmd->add_option("--max-instructions", v->max_instructions, "Per-inference instruction budget");
    cmd->add_option("--report", v->report_json, "Also write the verification figures as JSON");
    cmd->add_option("--html", v->html, "Write a self-contained HTML report (sizes, cycles, errors)");
    // Energy (compiler/report/energy.h): defaults are assumptions for a low-power M4F.
    cmd->add_option("--ua-per-mhz", v->energy.ua_per_mhz, "Run-mode current in uA/MHz (default 100)");
    cmd->add_option("--volts", v->energy.volts, "Supply voltage (default 3.0)");
    cmd->add_option("--sleep-ua", v->energy.sleep_ua, "Current between inferences in uA (default 2)");
    cmd->add_option("--inferences-per-hour", v->energy.inferences_per_hour,
                    "Inference rate, for the battery life (with --battery-mah)");
    cmd->add_option("--battery-mah", v->energy.battery_mah, "Battery capacity in mAh");
  };

  tml::CompileOptions compile;
  CLI::App* compile_cmd = app.add_subcommand("compile", "Generate C firmware sources for a Cortex-M4");
  compile_cmd->add_option("model", model, "ONNX model")->required();
  compile_cmd->add_option("-o,--output", compile.out_dir, "Output directory (written atomically)")
      ->required();
  compile_cmd->add_option("--name", compile.name, "C prefix and file name (default: model)");
  compile_cmd->add_flag("--force", compile.force, "Replace a non-empty output directory");
  std::string target = "cortex-m4";
  compile_cmd->add_option("--target", target, "Target profile (cortex-m4)")
      ->check(CLI::IsMember({"cortex-m4"}));
  compile_cmd->add_flag("--verify", compile.verify,
                        "Build for the M4, run the test data in the emulator, compare");
  add_verify(compile_cmd, &compile.verify_options);
  add_budget(compile_cmd, &compile.verify_options);
  AddInputShapeOption(compile_cmd, &compile.common);
  std::string kron_mode = "off";
  compile_cmd->add_option("--kronecker", kron_mode,
                          "Kronecker factorization of weight matrices: off, auto or exact (default off)")
      ->check(CLI::IsMember({"off", "auto", "exact"}));
  compile_cmd->add_option("--kron-tol", compile.passes.kron.tol,
                          "Largest relative Frobenius error per matrix (default 1e-3)");
  compile_cmd->add_option("--kron-max-rank", compile.passes.kron.max_rank,
                          "Largest number of Kronecker terms per matrix (default 4)");
  compile_cmd->add_option("--compress", compile.passes.kron.compress,
                          "Target compression N (> 1): the most accurate factorization reaching Nx");
  compile_cmd->add_option("--compress-fallback", compile.passes.kron.compress_fallback,
                          "Compression M (> 1) for matrices that cannot reach --compress (such as "
                          "an LSTM's narrow input weight); default 0 = they stay dense");
  compile_cmd->add_option("--dope", compile.passes.dope.density,
                          "Sparse overlay of the largest residual entries of each Kronecker-factorized "
                          "weight, as a fraction of its entries (default 0 = off)");
  compile_cmd->add_option("--finetune", compile.passes.finetune.epochs,
                          "Epochs of distillation from the original model on --calib (default 0 = off)");
  compile_cmd->add_option("--labels", compile.passes.finetune.labels_path,
                          ".npy integer labels of --calib: adds cross-entropy to fine-tuning");
  compile_cmd->add_option("--seed", compile.passes.finetune.seed, "Fine-tuning seed (default 0)");
  compile_cmd->add_option("--finetune-lr", compile.passes.finetune.lr,
                          "Adam learning rate of fine-tuning (default 1e-2)");
  compile_cmd->add_flag("--finetune-dense", compile.passes.finetune.train_dense,
                        "Fine-tuning also trains the dense weights left uncompressed (e.g. the "
                        "classifier head)");
  compile_cmd->add_option("--print-ir-after", compile.pass_manager.print_ir_after,
                          "Print the IR after the named pass, or 'all'");
  compile_cmd->add_option("--stop-after", compile.pass_manager.stop_after,
                          "Run only the first N passes of the pipeline");
  compile_cmd->add_option("--quantize", compile.quantize,
                          "none (default) or int8: int8 weights and activations, ranges "
                          "calibrated on --calib")
      ->check(CLI::IsMember({"none", "int8"}));
  compile_cmd->add_option("--calib-method", compile.calib_method,
                          "int8 activation ranges: minmax (default) or percentile[:P] "
                          "(±P-th percentile of |x|, default 99.99: clips rare outliers)");
  compile_cmd->add_flag("--anomaly", compile.anomaly,
                        "Autoencoder: emit NAME_score() and a threshold set on --calib");
  compile_cmd->add_option("--calib", compile.calib,
                          ".npy calibration samples (--anomaly: normal data; --finetune: training data)");
  compile_cmd->add_option("--anomaly-percentile", compile.anomaly_percentile,
                          "Percentile of the calibration scores used as threshold (default 99)");

  std::string out_dir;
  tml::VerifyOptions verify;
  CLI::App* verify_cmd = app.add_subcommand("verify", "Re-verify a compile output directory");
  verify_cmd->add_option("outdir", out_dir, "Output directory of `compile`")->required();
  add_verify(verify_cmd, &verify);
  add_budget(verify_cmd, &verify);

  std::string elf;
  tml::EmulateCommandOptions emulate;
  CLI::App* emulate_cmd = app.add_subcommand("emulate", "Run a bare-metal Cortex-M4 ELF");
  emulate_cmd->add_option("firmware", elf, "ELF file")->required();
  emulate_cmd->add_flag("--json", emulate.json, "Print JSON");
  emulate_cmd->add_option("--max-instructions", emulate.max_instructions, "Instruction budget");
  emulate_cmd->add_option("--clock-mhz", emulate.clock_mhz, "Clock for the time figure");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string command = "tinyml-compile";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    std::cerr << "tinyml-compile: error: " << e.what() << " (see '" << command << " --help')\n";
    return 2;
  }
  if (*inspect_cmd) return Report(tml::RunInspect(model, inspect));
  if (*run_cmd) return Report(tml::RunReference(model, run));
  if (*compile_cmd) {
    tml::ParseKronMode(kron_mode, &compile.passes.kron.mode);
    compile.passes.finetune.calib_path = compile.calib;
    return Report(tml::RunCompile(model, compile));
  }
  if (*verify_cmd) return Report(tml::RunVerify(out_dir, verify));
  if (*emulate_cmd) return Report(tml::RunEmulate(elf, emulate));
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Library code reports through Status; an exception here is a bug.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "tinyml-compile: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "tinyml-compile: internal error: unknown exception\n";
  }
  return 3;
}
