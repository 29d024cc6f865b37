#include "compiler/driver/run_compiled.h"

#include <filesystem>
#include <system_error>

#include "compiler/npy.h"
#include "compiler/reference/run_batch.h"
#include "verification/file_digest.h"
#include "verification/manifest.h"

namespace tml {
namespace {

// The model file and the data files the compile read, unchanged since.
Status CheckRecordedFiles(const std::string& out_dir, const nlohmann::json& manifest) {
  const std::string model_path = manifest["model_path"].get<std::string>();
  TML_ASSIGN_OR_RETURN(std::string bytes, verification::ReadFileBytes(model_path));
  if (verification::HashBytes(bytes) != manifest.value("model_hash", std::string())) {
    return InvalidInput("{}: the model changed since {} was generated; compile again", model_path, out_dir);
  }
  for (const nlohmann::json& f : manifest.value("data_files", nlohmann::json::array())) {
    const std::string path = f.value("path", std::string());
    StatusOr<std::string> sha = verification::Sha256File(path);
    if (!sha.ok()) {
      return InvalidInput("{}: the {} {} was compiled with is not readable from here (paths are recorded as "
                          "given: run from the directory the compile ran in)",
                          path, f.value("role", std::string("data file")), out_dir);
    }
    if (*sha != f.value("sha256", std::string())) {
      return InvalidInput("{}: the {} changed since {} was generated; compile again", path,
                          f.value("role", std::string("data file")), out_dir);
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<nlohmann::json> ReadCompiledManifest(const std::string& out_dir) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(std::filesystem::path(out_dir) / verification::kManifestFile, error)) {
    return InvalidInput("{}: not a compile output directory (no {}); give the -o directory of `compile`",
                        out_dir, verification::kManifestFile);
  }
  TML_ASSIGN_OR_RETURN(nlohmann::json manifest, verification::ReadManifest(out_dir));
  const nlohmann::json report = manifest.value("report", nlohmann::json::object());
  if (!report.contains("options") || !report["options"].is_string() || !manifest.contains("model_hash")) {
    return InvalidInput("{}: its {} records no compile options (made by an older tinyml-compile); compile again",
                        out_dir, verification::kManifestFile);
  }
  return manifest;
}

StatusOr<std::vector<Tensor>> RunCompiled(const std::string& out_dir, const nlohmann::json& manifest,
                                          CompileOptions options, const std::vector<std::string>& inputs,
                                          Observer& observer) {
  TML_RETURN_IF_ERROR(CheckRecordedFiles(out_dir, manifest));
  // The import limits the model was compiled under (bytes in the manifest).
  if (manifest.contains("import_limits")) {
    const nlohmann::json& l = manifest["import_limits"];
    CommonOptions& c = options.common;
    c.max_tensor_mb = l.value("max_tensor_bytes", c.max_tensor_mb << 20) >> 20;
    c.max_weights_mb = l.value("max_weight_bytes", c.max_weights_mb << 20) >> 20;
    c.max_model_mb = l.value("max_model_bytes", c.max_model_mb << 20) >> 20;
    c.max_nodes = l.value("max_nodes", c.max_nodes);
  }
  if (options.quantize == "int8") {
    observer.Warning(out_dir + " is an int8 build: this runs the float IR its int8 plan was made on; "
                     "the firmware's int8 outputs come from `verify --save-outputs`");
  }
  TML_ASSIGN_OR_RETURN(Graph graph, CompileGraph(manifest["model_path"].get<std::string>(), options, observer));
  std::vector<Tensor> data;
  for (const std::string& path : inputs) {
    TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
    data.push_back(std::move(t));
  }
  return RunBatch(graph, data, inputs);
}

}  // namespace tml
