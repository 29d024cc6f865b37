#include "compiler/driver/compile_gate.h"

#include <filesystem>

#include <fmt/format.h>

#include "codegen/gate_emitter.h"
#include "compiler/npy.h"
#include "passes/wake_gate_calibration.h"

namespace tml {
namespace {

namespace fs = std::filesystem;

// The windows of one calibration set, checked against the model input:
// float data, [N, <input shape>] (leading 1s may be left out), N >= 1, finite.
StatusOr<std::vector<float>> ReadGateSet(const std::string& flag, const std::string& path, const Shape& input) {
  TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
  if (t.dtype != DType::kFloat32) {
    return InvalidInput("{} {}: holds integers; the gate needs float32 or float64 windows", flag, path);
  }
  const Shape sample = t.shape.empty() ? Shape{} : Shape(t.shape.begin() + 1, t.shape.end());
  if (t.shape.empty() || StripLeadingOnes(sample) != StripLeadingOnes(input)) {
    return InvalidInput("{} {}: shape {} does not fit the model input {}; expected [N, ...] with one window per row",
                        flag, path, ShapeToString(t.shape), ShapeToString(input));
  }
  if (t.shape[0] == 0) return InvalidInput("{} {}: no windows (shape {})", flag, path, ShapeToString(t.shape));
  const int64_t bad = CountNonFinite(t.f32);
  if (bad > 0) return InvalidInput("{} {}: holds {} NaN/Inf values", flag, path, bad);
  return std::move(t.f32);
}

std::string FileName(const std::string& path) { return fs::path(path).filename().string(); }

}  // namespace

Status CheckGateOptions(const CompileOptions& options) {
  if (options.gate.empty()) {
    if (!options.gate_calib.empty() || !options.gate_discard.empty() || options.gate_frames != 0) {
      return InvalidInput("--gate-calib/--gate-discard/--gate-frames need --gate energy|delta|linear");
    }
    return Status::Ok();
  }
  TML_RETURN_IF_ERROR(ParseWakeGateKind(options.gate).status());
  if (options.gate_calib.empty() || options.gate_discard.empty()) {
    return InvalidInput("--gate {} needs --gate-calib RELEVANT.npy and --gate-discard IRRELEVANT.npy",
                        options.gate);
  }
  if (!(options.gate_recall > 0.0 && options.gate_recall <= 1.0)) {
    return InvalidInput("--gate-recall {:g}: expected a fraction in (0, 1], e.g. 0.99", options.gate_recall);
  }
  if (options.gate_frames < 0) {
    return InvalidInput("--gate-frames {}: expected a number of time steps (0 = the whole window)", options.gate_frames);
  }
  if (options.gate_frames > 0 && options.gate == "linear") {
    return InvalidInput("--gate-frames applies to --gate energy and delta (linear uses the whole window)");
  }
  return Status::Ok();
}

StatusOr<nlohmann::json> AddWakeGateToModel(const CompileOptions& options, codegen::GeneratedModel* model,
                                            Observer& observer) {
  if (options.gate.empty()) return nlohmann::json();
  TML_RETURN_IF_ERROR(CheckGateOptions(options));
  if (model->inputs.size() != 1) {
    return InvalidInput("--gate needs a model with one input (this one has {})", model->inputs.size());
  }
  const Shape input = StripLeadingOnes(model->inputs[0].shape);
  TML_ASSIGN_OR_RETURN(const std::vector<float> relevant, ReadGateSet("--gate-calib", options.gate_calib, input));
  TML_ASSIGN_OR_RETURN(const std::vector<float> irrelevant,
                       ReadGateSet("--gate-discard", options.gate_discard, input));
  TML_ASSIGN_OR_RETURN(const WakeGateKind kind, ParseWakeGateKind(options.gate));
  // x[i] and x[i - stride] are consecutive time steps of one channel.
  const int64_t stride = input.size() >= 2 ? input.back() : 1;
  // int8 builds also get NAME_gate_s8, the gate on int8 samples.
  TML_ASSIGN_OR_RETURN(WakeGateCalibration c,
                       CalibrateWakeGate(kind, model->input_size, stride, relevant, irrelevant, options.gate_recall,
                                         options.quantize == "int8", options.gate_frames));
  const std::string note = fmt::format(
      "threshold lets {:.1f}% of the {} relevant windows of {} pass (--gate-recall {:g}); discards "
      "{:.1f}% of the {} windows of {}",
      c.relevant_pass * 100.0, c.relevant, FileName(options.gate_calib), options.gate_recall,
      c.irrelevant_discard * 100.0, c.irrelevant, FileName(options.gate_discard));
  std::string* header = nullptr;
  std::string* source = nullptr;
  for (codegen::GeneratedFile& f : model->files) {
    if (f.path == options.name + ".h") header = &f.content;
    if (f.path == options.name + ".c") source = &f.content;
  }
  if (header == nullptr || source == nullptr) return Internal("--gate: no {}.c/.h", options.name);
  TML_RETURN_IF_ERROR(codegen::AddWakeGate(options.name, c.gate, note, header, source));
  observer.Info(fmt::format("  wake-up gate ({}): {}\n", options.gate, note));
  nlohmann::json j = WakeGateToJson(c.gate);
  j["recall_target"] = options.gate_recall;
  j["calib"] = {{"relevant", fs::absolute(options.gate_calib).lexically_normal().string()},
                {"relevant_windows", c.relevant},
                {"relevant_pass", c.relevant_pass},
                {"irrelevant", fs::absolute(options.gate_discard).lexically_normal().string()},
                {"irrelevant_windows", c.irrelevant},
                {"irrelevant_discard", c.irrelevant_discard}};
  return j;
}

}  // namespace tml
