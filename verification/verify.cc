#include "verification/verify.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "compiler/inspect.h"
#include "compiler/npy.h"
#include "compiler/onnx/importer.h"
#include "compiler/ir/verifier.h"
#include "compiler/reference/run_batch.h"
#include "verification/collapse_gates.h"
#include "verification/file_digest.h"
#include "verification/firmware.h"
#include "verification/manifest.h"

namespace tml::verification {
namespace {

// The original model as the manifest names it, unchanged since compile.
StatusOr<Graph> LoadOriginalModel(const std::string& out_dir, const nlohmann::json& manifest) {
  const std::string model_path = manifest["model_path"];
  TML_ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(model_path));
  if (HashBytes(bytes) != manifest["model_hash"].get<std::string>()) {
    return InvalidInput("{}: the model changed since {} was generated; compile again", model_path,
                        out_dir);
  }
  ImportOptions import_options;
  if (manifest.contains("import_limits")) {
    const nlohmann::json& l = manifest["import_limits"];
    import_options.limits.max_tensor_bytes = l.value("max_tensor_bytes", import_options.limits.max_tensor_bytes);
    import_options.limits.max_weight_bytes = l.value("max_weight_bytes", import_options.limits.max_weight_bytes);
    import_options.limits.max_model_bytes = l.value("max_model_bytes", import_options.limits.max_model_bytes);
    import_options.limits.max_nodes = l.value("max_nodes", import_options.limits.max_nodes);
  }
  for (const std::string& text : manifest["input_shapes"].get<std::vector<std::string>>()) {
    TML_ASSIGN_OR_RETURN(auto named, ParseInputShape(text));
    import_options.input_shapes[named.first] = named.second;
  }
  // Import warnings were shown at compile time.
  TML_ASSIGN_OR_RETURN(ImportResult imported, ImportOnnxFile(model_path, import_options));
  TML_RETURN_IF_ERROR(VerifyGraph(imported.graph).WithPrefix(model_path));
  return std::move(imported.graph);
}

// The anomaly scores of the firmware's reconstructions, against the threshold
// set at compile time and the labels.
AnomalyResult ScoreAnomalies(const nlohmann::json& manifest, const std::vector<Tensor>& data,
                             const EmulatedRun& run, int64_t samples, const Tensor& labels) {
  std::vector<float> flat_in, flat_out;
  for (int64_t s = 0; s < samples; ++s) {
    for (const Tensor& d : data) {
      const int64_t n = d.num_elements() / samples;
      flat_in.insert(flat_in.end(), d.f32.begin() + s * n, d.f32.begin() + (s + 1) * n);
    }
    flat_out.insert(flat_out.end(), run.outputs[s].begin(), run.outputs[s].end());
  }
  const std::vector<double> scores = ReconstructionScores(flat_in, flat_out, samples);
  AnomalyResult a;
  a.threshold = manifest["anomaly"]["threshold"].get<double>();
  for (double v : scores) a.flagged += v > a.threshold;
  if (!labels.i64.empty()) {
    a.has_labels = true;
    a.metrics = EvaluateAnomaly(scores, labels.i64, a.threshold);
  }
  return a;
}

// Test data and labels, checked against each other.
Status ReadTestData(const VerifyOptions& options, std::vector<Tensor>* data, Tensor* labels) {
  for (const std::string& path : options.test_data) {
    TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
    data->push_back(std::move(t));
  }
  const int64_t samples = (*data)[0].shape.empty() ? 0 : (*data)[0].shape[0];
  if (samples <= 0) return InvalidInput("{}: no test samples", options.test_data[0]);
  if (!options.test_labels.empty()) {
    TML_ASSIGN_OR_RETURN(*labels, ReadNpy(options.test_labels));
    // [N] classes (or anomaly flags), or [N, T] next tokens of per-position logits.
    if (labels->dtype != DType::kInt64 || labels->shape.empty() || labels->shape[0] != samples ||
        labels->shape.size() > 2) {
      return InvalidInput("{}: expected {} integer labels ([N] or [N, T])", options.test_labels, samples);
    }
  }
  return Status::Ok();
}

// The target of the options, else of the manifest (manifest.h).
StatusOr<emu::TargetProfile> VerificationProfile(const VerifyOptions& options,
                                                 const nlohmann::json& target) {
  emu::TargetChoice choice;
  choice.spec = options.target;
  choice.clock_mhz = options.clock_mhz;
  choice.flash_ws = options.flash_ws;
  choice.flash_cache = options.flash_cache;
  return ManifestTarget(target, choice);
}

EmulationSetup SetupFor(const nlohmann::json& manifest, const VerificationFirmware& firmware,
                        const emu::TargetProfile& profile, const VerifyOptions& options) {
  EmulationSetup setup;
  setup.elf = firmware.elf;
  setup.profile_elf = firmware.profile_elf;
  setup.profile = profile;
  setup.max_instructions = options.max_instructions;
  setup.model_name = manifest["name"];
  setup.layer_names = manifest["layers"].get<std::vector<std::string>>();
  for (const auto& t : manifest["inputs"]) setup.input_size += NumElements(t["shape"].get<Shape>());
  for (const auto& t : manifest["outputs"]) setup.output_size += NumElements(t["shape"].get<Shape>());
  return setup;
}

// The firmware's outputs as tensors shaped like the reference's.
std::vector<Tensor> FirmwareOutputs(const std::vector<Tensor>& reference,
                                    const std::vector<std::vector<float>>& got, int64_t samples) {
  std::vector<Tensor> outputs;
  int64_t offset = 0;
  for (const Tensor& ref : reference) {
    Tensor t;
    t.name = ref.name;
    t.dtype = DType::kFloat32;
    t.shape = ref.shape;
    const int64_t per = ref.num_elements() / samples;
    for (int64_t s = 0; s < samples; ++s) {
      t.f32.insert(t.f32.end(), got[s].begin() + offset, got[s].begin() + offset + per);
    }
    offset += per;
    outputs.push_back(std::move(t));
  }
  return outputs;
}

// The float original's anomaly threshold, set as compile set the firmware's:
// the same percentile of its scores on the same normal samples (--calib).
std::optional<double> OriginalThreshold(const nlohmann::json& anomaly, const Graph& graph) {
  const std::string calib_path = anomaly.value("calib", std::string());
  StatusOr<Tensor> calib = ReadNpy(calib_path);
  if (calib_path.empty() || !calib.ok() || calib->shape.empty() || calib->shape[0] <= 0) return std::nullopt;
  StatusOr<std::vector<Tensor>> recon = RunBatch(graph, {*calib}, {calib_path});
  if (!recon.ok()) return std::nullopt;
  const std::vector<double> scores = ReconstructionScores(calib->f32, (*recon)[0].f32, calib->shape[0]);
  return Percentile(scores, anomaly.value("percentile", 99.0));
}

// Task figures of the firmware and the float original, and the gates.
void JudgeTask(const nlohmann::json& manifest, const Graph& graph, const std::vector<Tensor>& data,
               const std::vector<Tensor>& reference, const Tensor& labels, const Gates& requested,
               VerificationResult* r) {
  const bool anomaly = manifest.contains("anomaly") && data.size() == 1;
  std::optional<double> fw_threshold, original_threshold;
  if (anomaly) {
    fw_threshold = manifest["anomaly"]["threshold"].get<double>();
    if (!labels.i64.empty()) original_threshold = OriginalThreshold(manifest["anomaly"], graph);
  }
  const Tensor* input = anomaly ? &data[0] : nullptr;
  r->firmware_figures = ComputeTaskFigures(r->firmware_outputs[0], labels, input, fw_threshold, r->task);
  r->original_figures = ComputeTaskFigures(reference[0], labels, input, original_threshold, r->task);
  if (anomaly && !original_threshold.has_value()) r->original_figures.recall.reset();
  const bool uncompressed_float = manifest.value("quantize", std::string("none")) == "none" &&
                                  !manifest.contains("kron_factorize") && !manifest.contains("dope") &&
                                  !manifest.contains("finetune");
  double worst = 0.0;
  for (const OutputMetrics& m : r->comparison.outputs) worst = std::isnan(m.relative) ? NAN : std::max(worst, m.relative);
  r->gates = EvaluateGates(requested, uncompressed_float, r->firmware_figures, r->original_figures, worst);
  for (GateResult& g : CollapseGates(r->task, r->firmware_outputs[0], reference[0], labels,
                                     r->firmware_figures, r->original_figures)) {
    // A regression model's task figure is its output error: a limit the user
    // set on it (--max-relative-error / --tolerance) is the bar, not the mean
    // predictor (the output-spread check still guards against collapse).
    if (r->task == Task::kRegression && requested.max_relative_error.has_value() &&
        g.name == "collapse: trivial predictor") {
      continue;
    }
    r->gates.push_back(std::move(g));
  }
  // Fine-tuning saw the collapse on its held-out samples: never ship it.
  if (manifest.contains("finetune") && manifest["finetune"].contains("collapse")) {
    GateResult g;
    g.name = "collapse: fine-tuning";
    g.value = 1;
    g.limit = 0;
    g.by_default = true;
    g.detail = manifest["finetune"]["collapse"].get<std::string>();
    r->gates.push_back(g);
  }
  for (const GateResult& g : r->gates) {
    if (g.name == "relative error") r->relative_error_limit = g.limit;
  }
}

// The relevant windows for the wake-up gate's recall: --gate-relevant, or labels != 0.
Status RelevantWindows(const VerifyOptions& options, const Tensor& labels, int64_t samples, WakeGateInputs* in) {
  if (!options.gate_relevant.empty()) {
    TML_ASSIGN_OR_RETURN(Tensor mask, ReadNpy(options.gate_relevant));
    if (mask.dtype != DType::kInt64 || mask.shape != Shape{samples}) {
      return InvalidInput("--gate-relevant {}: expected {} integers (1 = relevant window), got {} {}",
                          options.gate_relevant, samples, mask.dtype == DType::kInt64 ? "integers" : "floats",
                          ShapeToString(mask.shape));
    }
    in->relevant_mask = mask.i64;
    in->relevant_source = "--gate-relevant " + std::filesystem::path(options.gate_relevant).filename().string();
  }
  if (labels.shape.size() == 1) {
    in->labels = labels.i64;
    if (in->relevant_mask.empty()) {
      in->relevant_mask = labels.i64;
      in->relevant_source = "labels != 0";
    }
  }
  return Status::Ok();
}

// The task the figures and gates follow: --task, else the one compile was
// told, else detected from the shapes, the labels and --anomaly.
Task VerifyTask(const nlohmann::json& manifest, const std::vector<Tensor>& reference,
                const Tensor& labels, int64_t samples, Task requested) {
  if (requested == Task::kAuto && manifest.contains("task")) {
    StatusOr<Task> recorded = ParseTask(manifest["task"].get<std::string>());
    if (recorded.ok()) requested = *recorded;
  }
  TaskShapes shapes;
  const nlohmann::json& in = manifest["inputs"][0];
  shapes.input = in["shape"].get<Shape>();
  shapes.token_input = in.value("dtype", std::string("float32")) == "int32";
  shapes.output.assign(reference[0].shape.begin() + 1, reference[0].shape.end());
  shapes.has_labels = labels.shape.size() >= 1 && labels.shape[0] == samples;
  if (shapes.has_labels) shapes.labels.assign(labels.shape.begin() + 1, labels.shape.end());
  shapes.anomaly = manifest.contains("anomaly");
  return DetectTask(shapes, requested);
}

}  // namespace

Status CheckTestData(const VerifyOptions& options, const std::vector<std::vector<int64_t>>& input_shapes,
                     const std::vector<bool>& token_inputs) {
  if (options.test_data.empty()) return InvalidInput("verify needs --test-data X.npy");
  if (options.test_data.size() != input_shapes.size()) {
    return InvalidInput("the model has {} input(s) and {} --test-data file(s) were given",
                        input_shapes.size(), options.test_data.size());
  }
  std::vector<Tensor> data;
  Tensor labels;
  TML_RETURN_IF_ERROR(ReadTestData(options, &data, &labels));
  if (!options.gate_relevant.empty()) {
    WakeGateInputs relevant;
    TML_RETURN_IF_ERROR(RelevantWindows(options, labels, data[0].shape[0], &relevant));
  }
  for (size_t i = 0; i < data.size(); ++i) {
    const Tensor& d = data[i];
    const bool tokens = i < token_inputs.size() && token_inputs[i];
    if (tokens && d.dtype != DType::kInt64) {
      return InvalidInput("{}: holds floats; the model input takes integer token ids: give an "
                          "int32 or int64 .npy",
                          options.test_data[i]);
    }
    if (!tokens && d.dtype != DType::kFloat32) {
      return InvalidInput("{}: holds integers; the model input needs float32 or float64 data",
                          options.test_data[i]);
    }
    const std::vector<int64_t> sample(d.shape.begin() + 1, d.shape.end());
    if (StripLeadingOnes(sample) != StripLeadingOnes(input_shapes[i]) || d.shape[0] != data[0].shape[0]) {
      return InvalidInput("{}: shape {} does not fit input {} with {} samples; expected [N, ...] with one "
                          "sample per row", options.test_data[i], ShapeToString(d.shape),
                          ShapeToString(input_shapes[i]), data[0].shape[0]);
    }
  }
  return Status::Ok();
}

bool VerificationResult::gates_ok() const {
  for (const GateResult& g : gates) {
    if (!g.passed) return false;
  }
  return true;
}

std::vector<std::string> VerificationResult::Problems() const {
  std::vector<std::string> problems;
  for (const GateResult& g : gates) {
    if (!g.passed) problems.push_back(g.Describe());
  }
  if (wake_gate.has_value() && wake_gate->mismatches > 0) {
    problems.push_back(fmt::format("wake-up gate: {} of {} firmware decisions differ from the host reference "
                                   "(first: window {})",
                                   wake_gate->mismatches, wake_gate->windows, wake_gate->first_mismatch));
  }
  if (wake_gate.has_value() && wake_gate->s8.has_value() && wake_gate->s8->mismatches > 0) {
    problems.push_back(fmt::format("int8 wake-up gate: {} of {} firmware decisions differ from the host reference "
                                   "(first: window {})",
                                   wake_gate->s8->mismatches, wake_gate->windows, wake_gate->s8->first_mismatch));
  }
  if (!flash_ok()) problems.push_back(fmt::format("flash {:.1f} KB exceeds {:g} KB", flash / 1024.0, flash_kb));
  if (!ram_ok()) problems.push_back(fmt::format("RAM {:.1f} KB exceeds {:g} KB", ram / 1024.0, ram_kb));
  return problems;
}

StatusOr<VerificationResult> Verify(const std::string& out_dir, const VerifyOptions& options,
                                    Observer& observer) {
  if (options.test_data.empty()) return InvalidInput("verify needs --test-data X.npy");
  if (options.max_instructions == 0) {
    return InvalidInput("--max-instructions 0: give a budget of at least 1 instruction per inference");
  }
  VerificationResult r;
  TML_ASSIGN_OR_RETURN(r.manifest, ReadManifest(out_dir));
  const nlohmann::json& manifest = r.manifest;
  r.out_dir = out_dir;
  r.name = manifest["name"];
  TML_ASSIGN_OR_RETURN(Graph graph, LoadOriginalModel(out_dir, manifest));
  std::vector<Tensor> data;
  Tensor labels;
  TML_RETURN_IF_ERROR(ReadTestData(options, &data, &labels));
  r.samples = data[0].shape[0];
  const bool has_gate = manifest.contains("gate");
  if (!options.gate_relevant.empty() && !has_gate) {
    return InvalidInput("--gate-relevant: {} was compiled without --gate", out_dir);
  }
  WakeGateInputs gate_inputs;
  if (has_gate) TML_RETURN_IF_ERROR(RelevantWindows(options, labels, r.samples, &gate_inputs));
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> reference, RunBatch(graph, data, options.test_data));

  const nlohmann::json& target = manifest["target"];
  TML_ASSIGN_OR_RETURN(emu::TargetProfile profile, VerificationProfile(options, target));
  const bool same_target = options.target.empty();
  r.flash_kb = options.flash_kb > 0  ? options.flash_kb
               : same_target         ? target["flash_kb"].get<double>()
                                     : profile.flash_size / 1024.0;
  r.ram_kb = options.ram_kb > 0 ? options.ram_kb
             : same_target      ? target["ram_kb"].get<double>()
                                : profile.sram_size / 1024.0;
  r.target = profile.name;
  r.target_settings = emu::DescribeTarget(profile);
  r.flash_wait_states = profile.flash_wait_states;
  r.flash_cache = profile.flash_cache;
  // Generous memory for linking and running, so a model that does not fit
  // the part still runs and the figures can be reported against the budget.
  profile.flash_size = 16u << 20;
  profile.sram_size = 16u << 20;
  r.clock_mhz = profile.clock_mhz;
  r.stack_size = profile.stack_size;
  TML_ASSIGN_OR_RETURN(VerificationFirmware firmware,
                       BuildVerificationFirmware(out_dir, manifest, profile));
  r.elf_path = firmware.elf;
  const EmulationSetup setup = SetupFor(manifest, firmware, profile, options);
  TML_ASSIGN_OR_RETURN(r.run, RunEmulated(setup, data, r.samples, observer));
  // Logical MACs of each layer of the original model (layer i = node i), the
  // denominator of cycles per MAC: a compressed layer shows its speed-up there.
  const ModelSummary summary = SummarizeGraph(graph);
  for (CycleShare& layer : r.run.layers) {
    if (layer.index >= 0 && layer.index < static_cast<int64_t>(summary.nodes.size())) {
      layer.macs = summary.nodes[static_cast<size_t>(layer.index)].macs;
    }
  }

  const bool anomaly = manifest.contains("anomaly");
  r.task = VerifyTask(manifest, reference, labels, r.samples, options.task);
  r.comparison = CompareOutputs(reference, r.run.outputs, r.samples,
                                labels.shape.size() == 1 ? labels.i64 : std::vector<int64_t>{});
  r.comparison.has_accuracy = r.comparison.has_accuracy && !anomaly && r.task == Task::kClassifier;
  // Top-1 agreement is a classifier's figure; a reconstruction's argmax means nothing.
  for (OutputMetrics& m : r.comparison.outputs) {
    m.classifier = m.classifier && (r.task == Task::kClassifier || r.task == Task::kLanguageModel);
  }
  if (anomaly) r.anomaly = ScoreAnomalies(manifest, data, r.run, r.samples, labels);
  r.firmware_outputs = FirmwareOutputs(reference, r.run.outputs, r.samples);
  for (const std::string& path : options.test_data) {
    TML_ASSIGN_OR_RETURN(std::string sha, Sha256File(path));
    r.data_files.push_back({{"role", "test data"}, {"path", path}, {"sha256", sha}});
  }
  if (!options.test_labels.empty()) {
    TML_ASSIGN_OR_RETURN(std::string sha, Sha256File(options.test_labels));
    r.data_files.push_back({{"role", "test labels"}, {"path", options.test_labels}, {"sha256", sha}});
  }
  JudgeTask(manifest, graph, data, reference, labels, options.gates, &r);
  r.mean_instructions = static_cast<double>(r.run.sum_instructions) / static_cast<double>(r.samples);
  r.mean_cycles = static_cast<double>(r.run.sum_cycles) / static_cast<double>(r.samples);
  r.energy_model = options.energy;
  r.energy_model.clock_mhz = profile.clock_mhz;
  r.energy = EstimateEnergy(r.mean_cycles, r.energy_model);
  if (has_gate) {
    gate_inputs.windows = data[0].f32;
    gate_inputs.samples = r.samples;
    gate_inputs.model_cycles = r.run.cycles;
    TML_ASSIGN_OR_RETURN(r.wake_gate, RunWakeGate(manifest["gate"], setup, gate_inputs, r.energy_model));
  }
  r.flash = uint64_t{r.run.text} + r.run.rodata + r.run.data;
  r.ram = uint64_t{r.run.data} + r.run.bss + profile.stack_size;
  r.arena_bytes = manifest["arena_bytes"].get<int64_t>();
  return r;
}

}  // namespace tml::verification
