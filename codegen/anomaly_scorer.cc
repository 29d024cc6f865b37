#include "codegen/anomaly_scorer.h"

#include <fmt/format.h>

#include "codegen/c_writer.h"

namespace tml::codegen {

Status AddAnomalyScorer(const std::string& name, double threshold, const std::string& note,
                        std::string* header, std::string* source) {
  const std::string upper = MacroPrefix(name);
  // The declarations go inside the extern "C" block: before its closing part.
  const std::string closing = "#ifdef __cplusplus\n}";
  const size_t at = header->rfind(closing);
  if (at == std::string::npos || header->find(upper + "_INPUT_SIZE") == std::string::npos) {
    return InvalidInput("--anomaly: {}.h does not have the expected layout", name);
  }
  // %.9g round-trips a float: the C constant is the threshold the host used.
  const std::string decl = fmt::format(
      "/* Anomaly detection (--anomaly): {2} */\n"
      "#define {0}_ANOMALY_THRESHOLD {3:.9g}f\n"
      "/* Mean squared reconstruction error of `input` ({0}_INPUT_SIZE floats): runs\n"
      " * {1}_invoke and writes the score; a score above {0}_ANOMALY_THRESHOLD is an\n"
      " * anomaly. Returns {1}_invoke's status. Not reentrant (static output buffer). */\n"
      "int {1}_score(const float *input, float *score);\n\n",
      upper, name, note, static_cast<float>(threshold));
  header->insert(at, decl);
  *source += fmt::format(
      "\n/* ---- anomaly score (--anomaly): mean squared reconstruction error ---- */\n"
      "int {1}_score(const float *input, float *score) {{\n"
      "  static float reconstruction[{0}_OUTPUT_SIZE];\n"
      "  float sum = 0.0f;\n"
      "  int i;\n"
      "  const int rc = {1}_invoke(input, reconstruction);\n"
      "  if (rc != 0) {{\n"
      "    return rc;\n"
      "  }}\n"
      "  for (i = 0; i < {0}_INPUT_SIZE; ++i) {{\n"
      "    const float d = reconstruction[i] - input[i];\n"
      "    sum += d * d;\n"
      "  }}\n"
      "  *score = sum / (float){0}_INPUT_SIZE;\n"
      "  return 0;\n"
      "}}\n",
      upper, name);
  return Status::Ok();
}

}  // namespace tml::codegen
