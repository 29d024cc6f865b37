// tinyml-compile: the command line. One file per command (compiler/cli/*_command.cc)
// registers its flags (CLI11) and calls the library (compiler/driver/,
// verification/); cli_main.cc parses and dispatches; this file catches what escapes.
// Exit codes: 0 ok, 1 verification or budget failed, 2 bad usage or input, 3 internal error.
#include <cstdio>
#include <exception>
#include <iostream>

#include "compiler/cli/cli_main.h"

int main(int argc, char** argv) {
  // Piped (CI logs): one line at a time, so results show as they happen and
  // stay in order with the progress lines on stderr.
  std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
  // Library code reports through Status; an exception here is a bug.
  try {
    return tml::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "tinyml-compile: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "tinyml-compile: internal error: unknown exception\n";
  }
  return 3;
}
