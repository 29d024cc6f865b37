// `tinyml-compile run MODEL.onnx --input X.npy [--output Y.npy]`: the float
// reference interpreter over a batch; prints the outputs or writes them.
// `run --compiled OUTDIR --input X.npy`: the same on the IR a compile output
// directory was generated from (compiler/driver/run_compiled.h).
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "compiler/cli/cli_common.h"
#include "compiler/cli/console_observer.h"
#include "compiler/driver/run_compiled.h"

namespace tml::cli {
namespace {

void PrintOutputs(const std::vector<Tensor>& outputs) {
  for (const Tensor& out : outputs) {
    const int64_t samples = out.shape[0];
    const int64_t per = samples ? out.num_elements() / samples : 0;
    std::cout << fmt::format("output '{}' {}\n", out.name, ShapeToString(out.shape));
    for (int64_t s = 0; s < samples && s < 10; ++s) {
      std::vector<std::string> row;
      for (int64_t k = 0; k < per && k < 16; ++k) row.push_back(fmt::format("{:.6g}", out.f32[s * per + k]));
      std::cout << fmt::format("  [{}]: {}{}\n", s, fmt::join(row, " "), per > 16 ? " ..." : "");
    }
    if (samples > 10) std::cout << fmt::format("  ... {} more samples\n", samples - 10);
  }
}

// Re-running the pipeline for --compiled: its warnings and fine-tuning epochs
// (stderr), not the pass summaries, which would mix with printed outputs.
class QuietObserver : public Observer {
 public:
  void Epoch(std::string_view pass, const std::string& line) override { console_.Epoch(pass, line); }
  void Warning(const std::string& text) override { console_.Warning(text); }

 private:
  ConsoleObserver console_;
};

StatusOr<std::vector<Tensor>> RunCompiledDir(const std::string& out_dir, const std::vector<std::string>& inputs) {
  TML_ASSIGN_OR_RETURN(nlohmann::json manifest, ReadCompiledManifest(out_dir));
  TML_ASSIGN_OR_RETURN(CompileOptions options,
                       ParseRecordedOptions(manifest["report"]["options"].get<std::string>()));
  QuietObserver observer;
  return RunCompiled(out_dir, manifest, options, inputs, observer);
}

}  // namespace

Command AddRunCommand(CLI::App& app) {
  struct Flags {
    std::string model;
    CommonOptions common;
    std::vector<std::string> inputs;
    std::string output;
    std::string compiled;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("run", "Float reference inference over a batch");
  cmd->add_option("model", f->model, "ONNX model (or --compiled OUTDIR)");
  cmd->add_option("--compiled", f->compiled,
                  "Run the compressed IR a compile output directory was generated from (its recorded "
                  "options, model and calibration data)");
  cmd->add_option("--input", f->inputs, ".npy samples per model input (first axis = samples)")->required();
  cmd->add_option("--output", f->output, ".npy file for the outputs (default: print)");
  AddInputShapeOption(cmd, &f->common);
  return {cmd, [f]() -> Status {
            if (f->model.empty() == f->compiled.empty()) {
              return InvalidInput("run needs either MODEL.onnx or --compiled OUTDIR");
            }
            std::vector<Tensor> outputs;
            if (!f->compiled.empty()) {
              if (!f->common.input_shapes.empty()) {
                return InvalidInput("--input-shape does not apply to --compiled: {} runs with the shapes it was "
                                    "compiled with", f->compiled);
              }
              TML_ASSIGN_OR_RETURN(outputs, RunCompiledDir(f->compiled, f->inputs));
            } else {
              ConsoleObserver observer;
              TML_ASSIGN_OR_RETURN(outputs, RunReference(f->model, f->common, f->inputs, observer));
            }
            if (f->output.empty()) {
              PrintOutputs(outputs);
              return Status::Ok();
            }
            // First output at --output; further outputs next to it as <stem>.<k>.npy.
            TML_ASSIGN_OR_RETURN(std::vector<std::string> paths, WriteReferenceOutputs(outputs, f->output));
            for (size_t o = 0; o < paths.size(); ++o) {
              std::cerr << fmt::format("wrote output '{}' {} to {}\n", outputs[o].name,
                                       ShapeToString(outputs[o].shape), paths[o]);
            }
            return Status::Ok();
          }};
}

}  // namespace tml::cli
