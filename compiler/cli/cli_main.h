// The command line's parse and dispatch (cli_main.cc), apart from main.cc so
// the executable's own file does not include CLI11: its inline code is compiled
// once, with the command files (compiler/CMakeLists.txt: tml_cli is one unity TU).
#ifndef TML_COMPILER_CLI_CLI_MAIN_H_
#define TML_COMPILER_CLI_CLI_MAIN_H_

namespace tml::cli {

// Parses argv, runs the chosen command and returns the exit code (cli_common.h).
int Main(int argc, char** argv);

}  // namespace tml::cli

#endif  // TML_COMPILER_CLI_CLI_MAIN_H_
