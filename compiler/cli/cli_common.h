// What the command files of the CLI share: one command = one file
// (inspect_command.cc, ...), each registering its subcommand with CLI11 and
// returning the function that runs it; main.cc parses and dispatches.
// Only the CLI prints results and maps a Status to an exit code:
// 0 ok, 1 verification or budget failed, 2 bad usage or input, 3 internal error.
#ifndef TML_COMPILER_CLI_CLI_COMMON_H_
#define TML_COMPILER_CLI_CLI_COMMON_H_

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "compiler/driver/compile.h"
#include "compiler/driver/model.h"
#include "compiler/status.h"
#include "compiler/driver/verify.h"

namespace tml::cli {

// A registered subcommand: `app` is parsed by CLI11, `run` does the work.
struct Command {
  CLI::App* app = nullptr;
  std::function<Status()> run;
};

Command AddInspectCommand(CLI::App& app);
Command AddRunCommand(CLI::App& app);
Command AddCompileCommand(CLI::App& app);
Command AddVerifyCommand(CLI::App& app);
Command AddEmulateCommand(CLI::App& app);

// Prints a failed status as one "tinyml-compile: error: ..." line on stderr;
// returns the exit code.
int ReportStatus(const Status& status);

void AddInputShapeOption(CLI::App* cmd, CommonOptions* common);

// The verify flags of `compile --verify` and `verify`: the library's options
// plus where to write the reports.
struct VerifyFlags {
  VerifyOptions options;
  std::string report_json;  // --report
  std::string html;         // --html
  std::string save_outputs;  // --save-outputs: the firmware's outputs as .npy
};
void AddVerifyOptions(CLI::App* cmd, VerifyFlags* flags);
// --target NAME[@MHZ], --clock-mhz, --flash-ws, --flash-cache
// (emulator/target_profile.h's TargetChoice; AddBudgetOptions adds them too).
void AddTargetOptions(CLI::App* cmd, std::string* target, double* clock_mhz, int64_t* flash_ws,
                      std::string* flash_cache);
void AddBudgetOptions(CLI::App* cmd, VerifyOptions* options);

// The CompileOptions of the options a manifest recorded (report.options: the
// compile flags that shape the output), parsed as `compile` parses them.
StatusOr<CompileOptions> ParseRecordedOptions(const std::string& recorded);

// Verifies `out_dir`, prints the report, writes --report / --html, and fails
// with kVerifyFailed naming what missed.
Status VerifyAndReport(const std::string& out_dir, const VerifyFlags& flags);

}  // namespace tml::cli

#endif  // TML_COMPILER_CLI_CLI_COMMON_H_
