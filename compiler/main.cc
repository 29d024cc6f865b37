// tinyml-compile: the command line. Parsing only (CLI11); the work is in
// driver.cc. Exit codes: 0 ok, 1 verification or budget failed, 2 bad usage
// or input, 3 internal error.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

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
