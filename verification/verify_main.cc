#include "verification/verify_main.h"

#include <cctype>

#include <fmt/format.h>

namespace tml::verification {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string VerifyMainC(const std::string& name) {
  return fmt::format(
      "/* Verification main for the emulated Cortex-M4 (bkpt #1 protocol). */\n"
      "#include \"{0}.h\"\n\n"
      "#if defined({1}_INPUT_IS_TOKENS)\n"
      "int32_t tml_in[{1}_INPUT_SIZE + 1];\n"
      "#else\n"
      "float tml_in[{1}_INPUT_SIZE + 1];\n"
      "#endif\n"
      "float tml_out[{1}_OUTPUT_SIZE + 1];\n"
      "volatile int tml_status;\n\n"
      "int main(void) {{\n"
      "  for (;;) {{\n"
      "    __asm volatile(\"bkpt #1\" ::: \"memory\");\n"
      "    tml_status = {0}_invoke(tml_in, tml_out);\n"
      "  }}\n"
      "}}\n",
      name, Upper(name));
}

}  // namespace tml::verification
