#include "compiler/driver/compile.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "codegen/anomaly_scorer.h"
#include "compiler/driver/compile_gate.h"
#include "compiler/driver/compression_effect.h"
#include "compiler/npy.h"
#include "compiler/reference/run_batch.h"
#include "compiler/report/html_report.h"
#include "compiler/version.h"
#include "verification/anomaly_metrics.h"
#include "verification/file_digest.h"
#include "verification/manifest.h"

namespace tml {
namespace {

namespace fs = std::filesystem;

// The compile-time figures of the passes, for the manifest and the reports.
struct PassFigures {
  nlohmann::json kron, dope, finetune;
  nlohmann::json report;  // layers (bytes before/after), passes, stages
};

// --quantize / --calib-method into the quantize pass's options: its
// calibration data is --calib, or (with a warning) the test data.
Status ConfigureQuantize(const CompileOptions& options, Observer& observer, QuantizeOptions* q) {
  if (options.quantize != "int8") {
    if (options.quantize != "none") {
      return InvalidInput("--quantize {}: expected none or int8", options.quantize);
    }
    if (options.calib_method != "minmax") return InvalidInput("--calib-method applies to --quantize int8 only");
    return Status::Ok();
  }
  TML_ASSIGN_OR_RETURN(q->method, ParseCalibMethod(options.calib_method));
  q->int8 = true;
  if (!options.calib.empty()) {
    q->calib_paths = {options.calib};
  } else if (!options.test_data.empty()) {
    q->calib_paths = options.test_data;
    observer.Warning("--quantize int8 without --calib: calibrating on the test data, so the verify "
                     "figures are optimistic");
  } else {
    return InvalidInput("--quantize int8 needs --calib X.npy (or --test-data) for the ranges");
  }
  return Status::Ok();
}

// Runs the pipeline on `graph` (each pass's summary goes to the observer as
// it ends) and gathers the figures the reports need.
Status RunPipeline(const CompileOptions& options, Observer& observer, Graph* graph, PassFigures* figures) {
  const Graph original = *graph;
  PipelineOptions pipeline = options.passes;
  TML_RETURN_IF_ERROR(ConfigureQuantize(options, observer, &pipeline.quantize));
  PassManagerOptions manager_options = options.pass_manager;
  manager_options.observer = &observer;
  PassManager pm(manager_options);
  TML_RETURN_IF_ERROR(BuildPipeline(pipeline, {}, &pm));
  TML_RETURN_IF_ERROR(pm.Run(*graph));
  const nlohmann::json bytes_before = report::LayerWeightBytes(original);
  const nlohmann::json bytes_after = report::LayerWeightBytes(*graph);
  for (const Node& node : graph->nodes()) {
    figures->report["layers"].push_back({{"name", node.name},
                                         {"op", node.onnx_op_type},
                                         {"bytes_before", bytes_before.value(node.name, 0.0)},
                                         {"bytes_after", bytes_after.value(node.name, 0.0)}});
  }
  std::string pass_names;
  for (const PassRunRecord& rec : pm.records()) pass_names += (pass_names.empty() ? "" : ", ") + rec.name;
  figures->report["passes"] = pass_names;
  if (const auto* dope = static_cast<const DopePass*>(pm.Find("dope"))) figures->dope = dope->report().ToJson();
  if (const auto* finetune = static_cast<const FinetunePass*>(pm.Find("finetune"))) {
    figures->finetune = finetune->report().ToJson();
  }
  const auto* kron = static_cast<const KronFactorizePass*>(pm.Find("kron-factorize"));
  if (kron == nullptr) return Status::Ok();
  figures->kron = kron->report().ToJson();
  if (options.kron_curves) {
    for (nlohmann::json& m : figures->kron["matrices"]) {
      m["curve"] = KronCurve(original, m, std::max(options.passes.kron.max_rank, 8));
    }
  }
  const CompressionEffectInput effect{options.test_data, options.test_labels, options.anomaly, pass_names};
  TML_RETURN_IF_ERROR(
      MeasureCompressionEffect(original, *graph, effect, observer, &figures->kron, &figures->report));
  // The recurrent weights as stored, the figure compression targets are stated in.
  const RecurrentWeightBytes recurrent = CountRecurrentWeightBytes(*graph);
  if (recurrent.stored < recurrent.dense) {
    observer.Info(fmt::format(
        "recurrent weights (W, R): {} -> {} bytes float32, {:.1f}x smaller (Kronecker factors + "
        "sparse overlay, indices counted)\n",
        recurrent.dense, recurrent.stored,
        static_cast<double>(recurrent.dense) / static_cast<double>(recurrent.stored)));
    figures->kron["recurrent_weight_bytes"] = {{"dense", recurrent.dense}, {"stored", recurrent.stored}};
  }
  return Status::Ok();
}

// Every option that shapes the output, recorded in the sources' provenance
// header and the manifest, with data paths as given: run again from the same
// directory on the same files, the recorded command gives the same sources.
std::vector<std::string> RecordedOptions(const CompileOptions& options) {
  std::vector<std::string> recorded{"--name " + options.name};
  for (const std::string& s : options.common.input_shapes) recorded.push_back("--input-shape " + s);
  const KronFactorizeOptions& k = options.passes.kron;
  if (k.mode != KronMode::kOff) {
    recorded.push_back(std::string("--kronecker ") + KronModeName(k.mode));
    recorded.push_back(fmt::format("--kron-tol {:g}", k.tol));
    recorded.push_back(fmt::format("--kron-max-rank {}", k.max_rank));
    if (k.compress > 0) recorded.push_back(fmt::format("--compress {:g}", k.compress));
    if (k.compress_fallback > 0) recorded.push_back(fmt::format("--compress-fallback {:g}", k.compress_fallback));
    if (k.target_bytes > 0) recorded.push_back(fmt::format("--target-bytes {}", k.target_bytes));
    if (k.low_rank_max != KronFactorizeOptions{}.low_rank_max) {
      recorded.push_back(fmt::format("--kron-low-rank {}", k.low_rank_max));
    }
  }
  if (options.passes.dope.density > 0) recorded.push_back(fmt::format("--dope {:g}", options.passes.dope.density));
  if (options.passes.finetune.epochs > 0) {
    const FinetuneOptions& f = options.passes.finetune;
    recorded.push_back(fmt::format("--finetune {} --seed {} --finetune-lr {:g}", f.epochs, f.seed, f.lr));
    if (!f.train_dense) recorded.push_back("--finetune-frozen-dense");
    if (f.hint_weight != 1.0) recorded.push_back(fmt::format("--finetune-match {:g}", f.hint_weight));
    if (f.gradual_fraction != FinetuneOptions{}.gradual_fraction) {
      recorded.push_back(fmt::format("--finetune-gradual {:g}", f.gradual_fraction));
    }
    if (f.samples_per_epoch > 0) recorded.push_back(fmt::format("--finetune-samples {}", f.samples_per_epoch));
    if (!f.labels_path.empty()) recorded.push_back("--labels " + f.labels_path);
  }
  if (options.passes.finetune.task != Task::kAuto) {
    recorded.push_back(std::string("--task ") + TaskName(options.passes.finetune.task));
  }
  if (options.quantize != "none") recorded.push_back("--quantize " + options.quantize);
  if (options.calib_method != "minmax") recorded.push_back("--calib-method " + options.calib_method);
  if (options.float_math != "fast") recorded.push_back("--float-math " + options.float_math);
  if (options.anomaly) {
    recorded.push_back(fmt::format("--anomaly --anomaly-percentile {:g}", options.anomaly_percentile));
  }
  const bool uses_calib = options.passes.finetune.epochs > 0 || options.anomaly || options.quantize != "none";
  if (uses_calib && !options.calib.empty()) recorded.push_back("--calib " + options.calib);
  if (options.pass_manager.stop_after >= 0) {
    recorded.push_back(fmt::format("--stop-after {}", options.pass_manager.stop_after));
  }
  if (options.arena != "static") recorded.push_back("--arena " + options.arena);
  if (!options.gate.empty()) {
    recorded.push_back(fmt::format("--gate {} --gate-calib {} --gate-discard {} --gate-recall {:g}", options.gate,
                                   options.gate_calib, options.gate_discard, options.gate_recall));
    if (options.gate_frames > 0) recorded.push_back(fmt::format("--gate-frames {}", options.gate_frames));
  }
  return recorded;
}

// --anomaly: NAME_score() and the threshold from the reference scores of the
// normal samples in --calib. Returns the manifest's "anomaly" entry.
StatusOr<nlohmann::json> AddAnomalyScoring(const Graph& graph, const CompileOptions& options,
                                           codegen::GeneratedModel* model) {
  if (options.calib.empty()) return InvalidInput("--anomaly needs --calib X.npy (normal samples)");
  if (!model->inputs.empty() && model->inputs[0].tokens) {
    return InvalidInput("--anomaly needs an autoencoder of float inputs; '{}' takes token ids",
                        model->inputs[0].name);
  }
  if (model->inputs.size() != 1 || model->outputs.size() != 1 || model->input_size != model->output_size) {
    return InvalidInput(
        "--anomaly needs an autoencoder: one input and one output of the same size "
        "(the model has {} input(s), {} output(s), {} input and {} output values)",
        model->inputs.size(), model->outputs.size(), model->input_size, model->output_size);
  }
  if (!(options.anomaly_percentile >= 0 && options.anomaly_percentile <= 100)) {
    return InvalidInput("--anomaly-percentile {:g}: expected 0..100", options.anomaly_percentile);
  }
  TML_ASSIGN_OR_RETURN(Tensor calib, ReadNpy(options.calib));
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> recon, RunBatch(graph, {calib}, {options.calib}));
  const int64_t n = calib.shape.empty() ? 0 : calib.shape[0];
  if (n == 0) return InvalidInput("{}: no samples", options.calib);
  const int64_t bad = CountNonFinite(calib.f32);
  if (bad > 0) {
    return InvalidInput("{}: holds {} NaN/Inf values; the anomaly threshold needs finite normal samples",
                        options.calib, bad);
  }
  const std::vector<double> scores = verification::ReconstructionScores(calib.f32, recon[0].f32, n);
  const double threshold = verification::Percentile(scores, options.anomaly_percentile);
  double mean = 0;
  for (double v : scores) mean += v / static_cast<double>(n);
  const std::string note =
      fmt::format("threshold = {:g}th percentile of the scores of the {} normal samples in {}",
                  options.anomaly_percentile, n, fs::path(options.calib).filename().string());
  std::string* header = nullptr;
  std::string* source = nullptr;
  for (codegen::GeneratedFile& f : model->files) {
    if (f.path == options.name + ".h") header = &f.content;
    if (f.path == options.name + ".c") source = &f.content;
  }
  if (header == nullptr || source == nullptr) return Internal("--anomaly: no {}.c/.h", options.name);
  TML_RETURN_IF_ERROR(codegen::AddAnomalyScorer(options.name, threshold, note, header, source));
  return nlohmann::json{{"threshold", static_cast<double>(static_cast<float>(threshold))},
                        {"percentile", options.anomaly_percentile},
                        {"calib", fs::absolute(options.calib).lexically_normal().string()},
                        {"calib_samples", n},
                        {"calib_mean_score", mean}};
}

// {role, path, sha256} of the files the compile read besides the model.
StatusOr<nlohmann::json> CompileDataFiles(const CompileOptions& options) {
  nlohmann::json files = nlohmann::json::array();
  const auto add = [&files](const char* role, const std::string& path) -> Status {
    if (path.empty()) return Status::Ok();
    TML_ASSIGN_OR_RETURN(std::string sha, verification::Sha256File(path));
    files.push_back({{"role", role}, {"path", path}, {"sha256", sha}});
    return Status::Ok();
  };
  const bool uses_calib = options.passes.finetune.epochs > 0 || options.anomaly || options.quantize != "none";
  if (uses_calib) TML_RETURN_IF_ERROR(add("calibration data", options.calib));
  if (options.passes.finetune.epochs > 0) TML_RETURN_IF_ERROR(add("calibration labels", options.passes.finetune.labels_path));
  if (!options.gate.empty()) {
    TML_RETURN_IF_ERROR(add("gate relevant windows", options.gate_calib));
    TML_RETURN_IF_ERROR(add("gate irrelevant windows", options.gate_discard));
  }
  return files;
}

// `j` without its "seconds" entries (at any depth).
nlohmann::json WithoutTimes(nlohmann::json j) {
  if (j.is_object()) {
    j.erase("seconds");
    for (auto& [key, value] : j.items()) value = WithoutTimes(value);
  } else if (j.is_array()) {
    for (nlohmann::json& value : j) value = WithoutTimes(value);
  }
  return j;
}

nlohmann::json BuildManifest(const std::string& model_path, const CompileOptions& options,
                             const std::string& model_hash, const codegen::GeneratedModel& model,
                             const PassFigures& figures, const nlohmann::json& anomaly) {
  nlohmann::json manifest;
  manifest["tool"] = "tinyml-compile";
  manifest["version"] = TML_VERSION;
  manifest["name"] = options.name;
  manifest["model_path"] = fs::absolute(model_path).lexically_normal().string();
  manifest["model_hash"] = model_hash;
  manifest["input_shapes"] = options.common.input_shapes;
  // The import limits the model was compiled under, so `verify` imports it the same way.
  const StatusOr<ImportOptions> import_options = MakeImportOptions(options.common);
  if (import_options.ok()) {
    const ImportLimits& l = import_options->limits;
    manifest["import_limits"] = {{"max_tensor_bytes", l.max_tensor_bytes}, {"max_weight_bytes", l.max_weight_bytes},
                                 {"max_model_bytes", l.max_model_bytes}, {"max_nodes", l.max_nodes}};
  }
  manifest["quantize"] = options.quantize;
  manifest["arena"] = options.arena;  // --arena: static, or extern (NAME_init)
  manifest["has_invoke_s8"] = model.has_s8;
  manifest["float_math"] = options.float_math;
  if (options.passes.finetune.task != Task::kAuto) manifest["task"] = TaskName(options.passes.finetune.task);
  std::vector<std::string> sources;
  for (const auto& f : model.files) {
    if (f.path.size() > 2 && f.path.substr(f.path.size() - 2) == ".c") sources.push_back(f.path);
  }
  manifest["sources"] = sources;
  manifest["include_dirs"] = {".", "runtime/include"};
  nlohmann::json ins = nlohmann::json::array(), outs = nlohmann::json::array();
  for (const auto& t : model.inputs) {
    ins.push_back({{"name", t.name}, {"shape", t.shape}});
    if (t.tokens) ins.back()["dtype"] = "int32";  // token ids; float32 otherwise
  }
  for (const auto& t : model.outputs) outs.push_back({{"name", t.name}, {"shape", t.shape}});
  manifest["inputs"] = ins;
  manifest["outputs"] = outs;
  manifest["arena_bytes"] = model.arena_bytes;
  manifest["weight_bytes"] = model.weight_bytes;
  manifest["kernels"] = model.kernels;
  manifest["layers"] = model.layers;
  nlohmann::json lw = nlohmann::json::array();
  for (const auto& l : model.layer_weights) {
    lw.push_back({{"layer", l.layer}, {"weight_bytes", l.bytes}, {"dense_float_bytes", l.dense_float_bytes}});
  }
  manifest["layer_weights"] = lw;
  manifest["has_step"] = model.has_step;
  // Estimated, not measured on this output: the tool's build-time table (GeneratedModel::
  // kernel_text); verify measures the firmware's functions from its ELF.
  if (!model.kernel_text.empty()) {
    nlohmann::json kt = nlohmann::json::array();
    int64_t total = 0;
    for (const auto& k : model.kernel_text) {
      kt.push_back({{"kernel", k.kernel}, {"bytes", k.bytes}});
      total += k.bytes;
    }
    manifest["kernel_text"] = {{"estimated", true},
                               {"compiler", model.kernel_text_compiler},
                               {"flags", "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 "
                                         "-O2 -ffunction-sections, default tml_config.h"},
                               {"total_bytes", total},
                               {"kernels", kt}};
  }
  // Wall-clock times stay out of the manifest, so identical input gives an
  // identical output directory; they are printed as the passes end.
  if (!figures.kron.is_null()) manifest["kron_factorize"] = WithoutTimes(figures.kron);
  if (!figures.dope.is_null()) manifest["dope"] = WithoutTimes(figures.dope);
  if (!figures.finetune.is_null()) manifest["finetune"] = WithoutTimes(figures.finetune);
  if (!anomaly.is_null()) manifest["anomaly"] = anomaly;
  manifest["report"] = figures.report;
  return manifest;
}

}  // namespace

StatusOr<Graph> CompileGraph(const std::string& model_path, const CompileOptions& options, Observer& observer) {
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options.common, observer));
  PassFigures figures;
  TML_RETURN_IF_ERROR(RunPipeline(options, observer, &graph, &figures));
  return graph;
}

StatusOr<Compiled> Compile(const std::string& model_path, const CompileOptions& options,
                           Observer& observer) {
  emu::TargetChoice choice;
  if (!options.target.empty()) choice.spec = options.target;
  choice.clock_mhz = options.clock_mhz;
  choice.flash_ws = options.flash_ws;
  choice.flash_cache = options.flash_cache;
  TML_ASSIGN_OR_RETURN(const emu::TargetProfile target, emu::ResolveTarget(choice));
  TML_RETURN_IF_ERROR(CheckGateOptions(options));
  TML_ASSIGN_OR_RETURN(std::string bytes, verification::ReadFileBytes(model_path));
  TML_ASSIGN_OR_RETURN(Graph graph, LoadModel(model_path, options.common, observer));
  PassFigures figures;
  TML_RETURN_IF_ERROR(RunPipeline(options, observer, &graph, &figures));
  codegen::CodegenOptions cg;
  cg.name = options.name;
  cg.tool_version = TML_VERSION;
  cg.model_file = fs::path(model_path).filename().string();
  cg.model_hash = verification::HashBytes(bytes);
  cg.options = RecordedOptions(options);
  const std::optional<codegen::ArenaMode> arena = codegen::ParseArenaMode(options.arena);
  if (!arena.has_value()) return InvalidInput("--arena {}: expected static or extern", options.arena);
  cg.arena = *arena;
  if (options.float_math != "fast" && options.float_math != "exact") {
    return InvalidInput("--float-math {}: expected fast or exact", options.float_math);
  }
  cg.exact_float_math = options.float_math == "exact";
  Compiled compiled;
  compiled.name = options.name;
  TML_ASSIGN_OR_RETURN(compiled.model, codegen::GenerateModel(graph, cg));
  std::string options_text;
  for (const std::string& o : cg.options) options_text += (options_text.empty() ? "" : " ") + o;
  figures.report["options"] = options_text;
  nlohmann::json anomaly;
  if (options.anomaly) {
    TML_ASSIGN_OR_RETURN(anomaly, AddAnomalyScoring(graph, options, &compiled.model));
  }
  TML_ASSIGN_OR_RETURN(const nlohmann::json gate, AddWakeGateToModel(options, &compiled.model, observer));
  // The report's per-layer bytes are what codegen emitted (int8, factors,
  // indices), the same figures the command line prints.
  for (size_t i = 0; i < compiled.model.layers.size() && i < figures.report["layers"].size(); ++i) {
    if (i < compiled.model.layer_arena_bytes.size()) {
      figures.report["layers"][i]["arena_bytes"] = compiled.model.layer_arena_bytes[i];
    }
    for (const auto& l : compiled.model.layer_weights) {
      if (l.layer != compiled.model.layers[i]) continue;
      figures.report["layers"][i]["bytes_before"] = l.dense_float_bytes;
      figures.report["layers"][i]["bytes_after"] = l.bytes;
    }
  }
  compiled.manifest = BuildManifest(model_path, options, cg.model_hash, compiled.model, figures, anomaly);
  compiled.manifest["target"] = verification::TargetManifest(target, options.flash_kb, options.ram_kb);
  if (!gate.is_null()) compiled.manifest["gate"] = gate;
  TML_ASSIGN_OR_RETURN(compiled.manifest["data_files"], CompileDataFiles(options));
  compiled.files = compiled.model.files;
  // Names and paths may hold any bytes: invalid UTF-8 is replaced, never an error.
  compiled.files.push_back({verification::kManifestFile,
                            compiled.manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"});
  return compiled;
}

}  // namespace tml
