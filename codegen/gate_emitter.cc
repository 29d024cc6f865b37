#include "codegen/gate_emitter.h"

#include <cctype>

#include <fmt/format.h>

#include "codegen/c_writer.h"

namespace tml::codegen {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// energy and delta: the mean square only.
std::string EnergyBody(const std::string& name, const WakeGate& gate) {
  std::string body = fmt::format(
      "  float sum_square = 0.0f;\n"
      "  float energy;\n"
      "  int i;\n"
      "  for (i = 0; i < {0}; ++i) {{\n"
      "    const float v = input[i];\n"
      "    sum_square += v * v;\n"
      "  }}\n"
      "  energy = sum_square / {1};\n",
      gate.size, FloatLiteral(static_cast<float>(gate.size)));
  if (gate.kind == WakeGateKind::kEnergy) {
    return body + fmt::format("  return energy >= {}_GATE_THRESHOLD ? 1 : 0;\n", Upper(name));
  }
  // The baseline follows the idle level only while windows are discarded.
  return body + fmt::format(
                    "  {{\n"
                    "    float change = energy - {0}_gate_baseline;\n"
                    "    if (change < 0.0f) {{\n"
                    "      change = -change;\n"
                    "    }}\n"
                    "    if (change >= {1}_GATE_THRESHOLD) {{\n"
                    "      return 1;\n"
                    "    }}\n"
                    "  }}\n"
                    "  {0}_gate_baseline += {2} * (energy - {0}_gate_baseline);\n"
                    "  return 0;\n",
                    name, Upper(name), FloatLiteral(gate.alpha));
}

// linear: the five statistics of ComputeWindowStats, then the logit.
std::string LinearBody(const std::string& name, const WakeGate& gate) {
  std::string body = fmt::format(
      "  float sum = 0.0f, sum_square = 0.0f, peak = 0.0f, diff_square = 0.0f;\n"
      "  int crossings = 0;\n"
      "  int i;\n"
      "  for (i = 0; i < {0}; ++i) {{\n"
      "    const float v = input[i];\n"
      "    const float magnitude = v < 0.0f ? -v : v;\n"
      "    sum += v;\n"
      "    sum_square += v * v;\n"
      "    if (magnitude > peak) {{\n"
      "      peak = magnitude;\n"
      "    }}\n"
      "  }}\n"
      "  for (i = {1}; i < {0}; ++i) {{\n"
      "    const float v = input[i];\n"
      "    const float previous = input[i - {1}];\n"
      "    const float d = v - previous;\n"
      "    diff_square += d * d;\n"
      "    crossings += (v < 0.0f) != (previous < 0.0f);\n"
      "  }}\n"
      "  {{\n"
      "    const float mean = sum / {2};\n"
      "    const float mean_square = sum_square / {2};\n"
      "    const float variance = mean_square - mean * mean;\n"
      "    const float zero_crossing_rate = (float)crossings / {3};\n"
      "    const float diff_energy = diff_square / {3};\n"
      "    float z = {4};\n",
      gate.size, gate.stride, FloatLiteral(static_cast<float>(gate.size)),
      FloatLiteral(static_cast<float>(gate.size - gate.stride)), FloatLiteral(gate.bias));
  const char* features[kWakeGateFeatures] = {"mean", "variance", "zero_crossing_rate", "peak", "diff_energy"};
  for (int k = 0; k < kWakeGateFeatures; ++k) {
    body += fmt::format("    z += {} * {};\n", FloatLiteral(gate.weights[static_cast<size_t>(k)]), features[k]);
  }
  return body + fmt::format("    return z >= {}_GATE_THRESHOLD ? 1 : 0;\n  }}\n", Upper(name));
}

}  // namespace

Status AddWakeGate(const std::string& name, const WakeGate& gate, const std::string& note,
                   std::string* header, std::string* source) {
  const std::string upper = Upper(name);
  const std::string closing = "#ifdef __cplusplus\n}";
  const size_t at = header->rfind(closing);
  if (at == std::string::npos || header->find(upper + "_INPUT_SIZE") == std::string::npos) {
    return InvalidInput("--gate: {}.h does not have the expected layout", name);
  }
  const bool delta = gate.kind == WakeGateKind::kDelta;
  std::string decl = fmt::format(
      "/* Wake-up gate (--gate {2}): {3} */\n"
      "#define {0}_GATE_THRESHOLD {4}\n"
      "/* 1 when the window `input` ({0}_INPUT_SIZE floats) should wake the model, 0 to\n"
      " * discard it.{5} */\n"
      "int {1}_gate(const float *input);\n",
      upper, name, WakeGateKindName(gate.kind), note, FloatLiteral(gate.threshold),
      delta ? " Keeps a running baseline of the idle energy (not reentrant)." : "");
  if (delta) decl += fmt::format("/* Restarts the baseline at the calibrated idle level. */\nvoid {}_gate_reset(void);\n", name);
  decl += fmt::format(
      "/* {0}_gate, then {0}_invoke when it passes: returns 1 (output written), 0 (window\n"
      " * discarded, output untouched) or {0}_invoke's negative status. */\n"
      "int {0}_invoke_gated(const float *input, float *output);\n\n",
      name);
  header->insert(at, decl);
  *source += fmt::format("\n/* ---- wake-up gate (--gate {}): {} ---- */\n", WakeGateKindName(gate.kind), note);
  if (delta) {
    *source += fmt::format(
        "static float {0}_gate_baseline = {1};\n\n"
        "void {0}_gate_reset(void) {{\n"
        "  {0}_gate_baseline = {1};\n"
        "}}\n\n",
        name, FloatLiteral(gate.baseline));
  }
  *source += fmt::format("int {}_gate(const float *input) {{\n", name);
  *source += gate.kind == WakeGateKind::kLinear ? LinearBody(name, gate) : EnergyBody(name, gate);
  *source += fmt::format(
      "}}\n\n"
      "int {0}_invoke_gated(const float *input, float *output) {{\n"
      "  int rc;\n"
      "  if (!{0}_gate(input)) {{\n"
      "    return 0;\n"
      "  }}\n"
      "  rc = {0}_invoke(input, output);\n"
      "  return rc < 0 ? rc : 1;\n"
      "}}\n",
      name);
  return Status::Ok();
}

}  // namespace tml::codegen
