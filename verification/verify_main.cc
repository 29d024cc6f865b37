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

std::string VerifyMainC(const std::string& name, bool wake_gate, bool wake_gate_s8) {
  if (wake_gate) {
    const std::string s8_input =
        wake_gate_s8 ? fmt::format("int8_t tml_in_s8[{}_INPUT_SIZE + 1];\n", Upper(name)) : std::string();
    const std::string s8_call =
        wake_gate_s8 ? fmt::format("    }} else if (tml_gate_mode == 2) {{\n      tml_gate = {}_gate_s8(tml_in_s8);\n", name)
                     : std::string();
    return fmt::format(
        "/* Verification main for the emulated Cortex-M4 (bkpt #1 protocol), with the\n"
        " * wake-up gate: tml_gate_mode 1 runs {0}_gate instead of the model. */\n"
        "#include \"{0}.h\"\n\n"
        "float tml_in[{1}_INPUT_SIZE + 1];\n"
        "float tml_out[{1}_OUTPUT_SIZE + 1];\n"
        "volatile int tml_result;\n"
        "volatile int tml_gate_mode;\n"
        "volatile int tml_gate;\n{2}\n"
        "#if {1}_ARENA_EXTERN\n"
        "static float tml_arena[({1}_ARENA_BYTES + 3) / 4] __attribute__((aligned({1}_ARENA_ALIGN)));\n"
        "#endif\n\n"
        "int main(void) {{\n"
        "#if {1}_ARENA_EXTERN\n"
        "  tml_result = {0}_init(tml_arena, sizeof tml_arena);\n"
        "#endif\n"
        "  for (;;) {{\n"
        "    __asm volatile(\"bkpt #1\" ::: \"memory\");\n"
        "    if (tml_gate_mode == 1) {{\n"
        "      tml_gate = {0}_gate(tml_in);\n"
        "{3}"
        "    }} else {{\n"
        "      tml_result = {0}_invoke(tml_in, tml_out);\n"
        "    }}\n"
        "  }}\n"
        "}}\n",
        name, Upper(name), s8_input, s8_call);
  }
  return fmt::format(
      "/* Verification main for the emulated Cortex-M4 (bkpt #1 protocol). */\n"
      "#include \"{0}.h\"\n\n"
      "#if defined({1}_INPUT_IS_TOKENS)\n"
      "int32_t tml_in[{1}_INPUT_SIZE + 1];\n"
      "#else\n"
      "float tml_in[{1}_INPUT_SIZE + 1];\n"
      "#endif\n"
      "float tml_out[{1}_OUTPUT_SIZE + 1];\n"
      "volatile int tml_result;\n\n"
      "#if {1}_ARENA_EXTERN\n"
      "static float tml_arena[({1}_ARENA_BYTES + 3) / 4] __attribute__((aligned({1}_ARENA_ALIGN)));\n"
      "#endif\n\n"
      "int main(void) {{\n"
      "#if {1}_ARENA_EXTERN\n"
      "  tml_result = {0}_init(tml_arena, sizeof tml_arena);\n"
      "#endif\n"
      "  for (;;) {{\n"
      "    __asm volatile(\"bkpt #1\" ::: \"memory\");\n"
      "    tml_result = {0}_invoke(tml_in, tml_out);\n"
      "  }}\n"
      "}}\n",
      name, Upper(name));
}

}  // namespace tml::verification
