// Parses the command line and dispatches to the command files
// (compiler/cli/*_command.cc), which register their flags with CLI11.
#include "compiler/cli/cli_main.h"

#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/cli/cli_common.h"
#include "compiler/version.h"

namespace tml::cli {

int Main(int argc, char** argv) {
  CLI::App app{"tinyml-compile: ONNX sequence models to Cortex-M4 firmware"};
  app.set_version_flag("--version", std::string("tinyml-compile ") + TML_VERSION);
  app.require_subcommand(1);
  const std::vector<Command> commands = {AddInspectCommand(app), AddRunCommand(app),
                                         AddCompileCommand(app), AddVerifyCommand(app),
                                         AddEmulateCommand(app)};
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
  for (const Command& c : commands) {
    if (c.app->parsed()) return ReportStatus(c.run());
  }
  return 2;
}

}  // namespace tml::cli
