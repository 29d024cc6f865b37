#include "codegen/gate_emitter.h"

#include <fmt/format.h>

#include "codegen/c_writer.h"

namespace tml::codegen {
namespace {

// The statistics of ComputeWindowStats (float window) into block-scoped
// consts: mean_square, and for linear mean, variance, zero_crossing_rate,
// peak, diff_energy. Opens the block the decision closes.
std::string FloatStats(const WakeGate& gate) {
  const std::string n = FloatLiteral(static_cast<float>(gate.size));
  if (gate.kind != WakeGateKind::kLinear) {
    const int64_t start = WakeGateEnergyStart(gate);
    return fmt::format(
        "  float sum_square = 0.0f;\n"
        "  int i;\n"
        "  for (i = {2}; i < {0}; ++i) {{\n"
        "    const float v = input[i];\n"
        "    sum_square += v * v;\n"
        "  }}\n"
        "  {{\n"
        "    const float mean_square = sum_square / {1};\n",
        gate.size, FloatLiteral(static_cast<float>(gate.size - start)), start);
  }
  return fmt::format(
      "  float sum = 0.0f, sum_square = 0.0f, peak_abs = 0.0f, diff_square = 0.0f;\n"
      "  int crossings = 0;\n"
      "  int i;\n"
      "  for (i = 0; i < {0}; ++i) {{\n"
      "    const float v = input[i];\n"
      "    const float magnitude = v < 0.0f ? -v : v;\n"
      "    sum += v;\n"
      "    sum_square += v * v;\n"
      "    if (magnitude > peak_abs) {{\n"
      "      peak_abs = magnitude;\n"
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
      "    const float peak = peak_abs;\n"
      "    const float diff_energy = diff_square / {3};\n",
      gate.size, gate.stride, n, FloatLiteral(static_cast<float>(gate.size - gate.stride)));
}

// The int8 twin's statistics (ComputeWindowStatsS8): integer sums, then the
// S8Scales constants.
std::string S8Stats(const WakeGate& gate) {
  const S8Scales k = WakeGateS8Scales(gate);
  if (gate.kind != WakeGateKind::kLinear) {
    return fmt::format(
        "  int32_t sum_square = 0;\n"
        "  int i;\n"
        "  for (i = {2}; i < {0}; ++i) {{\n"
        "    const int32_t v = input[i];\n"
        "    sum_square += v * v;\n"
        "  }}\n"
        "  {{\n"
        "    const float mean_square = (float)sum_square * {1};\n",
        gate.size, FloatLiteral(k.square), WakeGateEnergyStart(gate));
  }
  return fmt::format(
      "  int32_t sum = 0, sum_square = 0, peak_q = 0, diff_square = 0, crossings = 0;\n"
      "  int i;\n"
      "  for (i = 0; i < {0}; ++i) {{\n"
      "    const int32_t v = input[i];\n"
      "    const int32_t magnitude = v < 0 ? -v : v;\n"
      "    sum += v;\n"
      "    sum_square += v * v;\n"
      "    if (magnitude > peak_q) {{\n"
      "      peak_q = magnitude;\n"
      "    }}\n"
      "  }}\n"
      "  for (i = {1}; i < {0}; ++i) {{\n"
      "    const int32_t v = input[i];\n"
      "    const int32_t previous = input[i - {1}];\n"
      "    const int32_t d = v - previous;\n"
      "    diff_square += d * d;\n"
      "    crossings += (v < 0) != (previous < 0);\n"
      "  }}\n"
      "  {{\n"
      "    const float mean = (float)sum * {2};\n"
      "    const float mean_square = (float)sum_square * {3};\n"
      "    const float variance = mean_square - mean * mean;\n"
      "    const float zero_crossing_rate = (float)crossings / {4};\n"
      "    const float peak = (float)peak_q * {5};\n"
      "    const float diff_energy = (float)diff_square * {6};\n",
      gate.size, gate.stride, FloatLiteral(k.mean), FloatLiteral(k.square),
      FloatLiteral(static_cast<float>(gate.size - gate.stride)), FloatLiteral(k.peak), FloatLiteral(k.diff));
}

// The decision on the statistics (WakeGateRunner::DecideStats); closes the block.
std::string Decision(const std::string& name, const WakeGate& gate) {
  const std::string threshold = MacroPrefix(name) + "_GATE_THRESHOLD";
  if (gate.kind == WakeGateKind::kEnergy) {
    return fmt::format("    return mean_square >= {} ? 1 : 0;\n  }}\n", threshold);
  }
  if (gate.kind == WakeGateKind::kDelta) {
    // The baseline follows the idle level only while windows are discarded.
    return fmt::format(
        "    float change = mean_square - {0}_gate_baseline;\n"
        "    if (change < 0.0f) {{\n"
        "      change = -change;\n"
        "    }}\n"
        "    if (change >= {1}) {{\n"
        "      return 1;\n"
        "    }}\n"
        "    {0}_gate_baseline += {2} * (mean_square - {0}_gate_baseline);\n"
        "    return 0;\n"
        "  }}\n",
        name, threshold, FloatLiteral(gate.alpha));
  }
  std::string text = fmt::format("    float z = {};\n", FloatLiteral(gate.bias));
  const char* features[kWakeGateFeatures] = {"mean", "variance", "zero_crossing_rate", "peak", "diff_energy"};
  for (int k = 0; k < kWakeGateFeatures; ++k) {
    text += fmt::format("    z += {} * {};\n", FloatLiteral(gate.weights[static_cast<size_t>(k)]), features[k]);
  }
  return text + fmt::format("    return z >= {} ? 1 : 0;\n  }}\n", threshold);
}

std::string Declarations(const std::string& name, const WakeGate& gate, const std::string& note) {
  const std::string upper = MacroPrefix(name);
  const bool delta = gate.kind == WakeGateKind::kDelta;
  std::string decl = fmt::format(
      "/* Wake-up gate (--gate {2}): {3} */\n"
      "#define {0}_GATE_THRESHOLD {4}\n"
      "/* 1 when the window `input` ({0}_INPUT_SIZE floats) should wake the model, 0 to\n"
      " * discard it.{5} */\n"
      "int {1}_gate(const float *input);\n",
      upper, name, WakeGateKindName(gate.kind), note, FloatLiteral(gate.threshold),
      delta ? " Keeps a running baseline of the idle energy (not reentrant)." : "");
  if (gate.s8_scale > 0) {
    decl += fmt::format(
        "/* The same gate on int8 samples q = round(x / {0}_GATE_S8_SCALE), clamped to\n"
        " * [-127, 127]: integer sums, then the float decision{2}. */\n"
        "#define {0}_GATE_S8_SCALE {3}\n"
        "int {1}_gate_s8(const int8_t *input);\n",
        upper, name, delta ? " (one baseline shared with " + name + "_gate)" : "", FloatLiteral(gate.s8_scale));
  }
  if (delta) decl += fmt::format("/* Restarts the baseline at the calibrated idle level. */\nvoid {}_gate_reset(void);\n", name);
  decl += fmt::format(
      "/* {0}_gate, then {0}_invoke when it passes: returns 1 (output written), 0 (window\n"
      " * discarded, output untouched) or {0}_invoke's negative status. */\n"
      "int {0}_invoke_gated(const float *input, float *output);\n\n",
      name);
  return decl;
}

}  // namespace

Status AddWakeGate(const std::string& name, const WakeGate& gate, const std::string& note,
                   std::string* header, std::string* source) {
  const std::string upper = MacroPrefix(name);
  const std::string closing = "#ifdef __cplusplus\n}";
  const size_t at = header->rfind(closing);
  if (at == std::string::npos || header->find(upper + "_INPUT_SIZE") == std::string::npos) {
    return InvalidInput("--gate: {}.h does not have the expected layout", name);
  }
  const bool delta = gate.kind == WakeGateKind::kDelta;
  const std::string decl = Declarations(name, gate, note);
  header->insert(at, decl);
  if (gate.s8_scale > 0) {
    // int8_t in the declarations: <stdint.h> before the extern "C" block.
    const size_t open = header->find("#ifdef __cplusplus\nextern");
    if (open == std::string::npos) return InvalidInput("--gate: {}.h does not have the expected layout", name);
    header->insert(open, "#include <stdint.h>\n\n");
  }
  *source += fmt::format("\n/* ---- wake-up gate (--gate {}): {} ---- */\n", WakeGateKindName(gate.kind), note);
  if (delta) {
    *source += fmt::format(
        "static float {0}_gate_baseline = {1};\n\n"
        "void {0}_gate_reset(void) {{\n"
        "  {0}_gate_baseline = {1};\n"
        "}}\n\n",
        name, FloatLiteral(gate.baseline));
  }
  *source += fmt::format("int {}_gate(const float *input) {{\n", name) + FloatStats(gate) +
             Decision(name, gate) + "}\n\n";
  if (gate.s8_scale > 0) {
    *source += fmt::format("int {}_gate_s8(const int8_t *input) {{\n", name) + S8Stats(gate) +
               Decision(name, gate) + "}\n\n";
  }
  *source += fmt::format(
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
