// tinyml-compile: the command line. One file per command (compiler/cli/*_command.cc)
// registers its flags (CLI11) and calls the library (compiler/driver/,
// verification/); this file parses and dispatches. Exit codes: 0 ok,
// 1 verification or budget failed, 2 bad usage or input, 3 internal error.
#include <cstdio>
#include <exception>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/cli/cli_common.h"
#include "compiler/version.h"

namespace {

int Main(int argc, char** argv) {
  CLI::App app{"tinyml-compile: ONNX sequence models to Cortex-M4 firmware"};
  app.set_version_flag("--version", std::string("tinyml-compile ") + TML_VERSION);
  app.require_subcommand(1);
  const std::vector<tml::cli::Command> commands = {
      tml::cli::AddInspectCommand(app), tml::cli::AddRunCommand(app), tml::cli::AddCompileCommand(app),
      tml::cli::AddVerifyCommand(app), tml::cli::AddEmulateCommand(app)};
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
  for (const tml::cli::Command& c : commands) {
    if (c.app->parsed()) return tml::cli::ReportStatus(c.run());
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Piped (CI logs): one line at a time, so results show as they happen and
  // stay in order with the progress lines on stderr.
  std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
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
