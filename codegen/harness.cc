#include "codegen/harness.h"

#include <fmt/format.h>

#include "codegen/c_writer.h"

namespace tml::codegen {

std::string HostMainC(const std::string& name) {
  return fmt::format(
      "/* Host driver: prog IN.bin OUT.bin [N] (raw float32 samples, int32 token ids). */\n"
      "#include <stdio.h>\n"
      "#include <stdlib.h>\n\n"
      "#include \"{0}.h\"\n\n"
      "#if defined({1}_INPUT_IS_TOKENS)\n"
      "static int32_t in[{1}_INPUT_SIZE + 1];\n"
      "#else\n"
      "static float in[{1}_INPUT_SIZE + 1];\n"
      "#endif\n"
      "static float out[{1}_OUTPUT_SIZE + 1];\n"
      "#if {1}_ARENA_EXTERN\n"
      "static float arena[({1}_ARENA_BYTES + 3) / 4] __attribute__((aligned({1}_ARENA_ALIGN)));\n"
      "#endif\n\n"
      "int main(int argc, char **argv) {{\n"
      "  FILE *fi;\n"
      "  FILE *fo;\n"
      "  long n = 1;\n"
      "  long s;\n"
      "  if (argc < 3) return 2;\n"
      "#if {1}_ARENA_EXTERN\n"
      "  if ({0}_init(arena, sizeof arena) != 0) return 1;\n"
      "#endif\n"
      "  if (argc > 3) n = atol(argv[3]);\n"
      "  fi = fopen(argv[1], \"rb\");\n"
      "  fo = fopen(argv[2], \"wb\");\n"
      "  if (fi == NULL || fo == NULL) return 1;\n"
      "  for (s = 0; s < n; ++s) {{\n"
      "    if (fread(in, sizeof(in[0]), {1}_INPUT_SIZE, fi) != {1}_INPUT_SIZE) return 1;\n"
      "#if defined(TML_CHECK_STEP)\n"
      "    {{\n"
      "      int t;\n"
      "      {0}_reset();\n"
      "      for (t = 0; t < {1}_SEQ_LEN; ++t) {{\n"
      "        if ({0}_step(in + t * {1}_STEP_INPUT_SIZE, out) < 0) return 1;\n"
      "      }}\n"
      "    }}\n"
      "#else\n"
      "    if ({0}_invoke(in, out) != 0) return 1;\n"
      "#endif\n"
      "    if (fwrite(out, sizeof(float), {1}_OUTPUT_SIZE, fo) != {1}_OUTPUT_SIZE) return 1;\n"
      "  }}\n"
      "  fclose(fi);\n"
      "  return fclose(fo) == 0 ? 0 : 1;\n"
      "}}\n",
      name, MacroPrefix(name));
}

}  // namespace tml::codegen
