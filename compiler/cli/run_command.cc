// `tinyml-compile run MODEL.onnx --input X.npy [--output Y.npy]`: the float
// reference interpreter over a batch; prints the outputs or writes them.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "compiler/cli/cli_common.h"
#include "compiler/cli/console_observer.h"

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

}  // namespace

Command AddRunCommand(CLI::App& app) {
  struct Flags {
    std::string model;
    CommonOptions common;
    std::vector<std::string> inputs;
    std::string output;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("run", "Float reference inference over a batch");
  cmd->add_option("model", f->model, "ONNX model")->required();
  cmd->add_option("--input", f->inputs, ".npy samples per model input (first axis = samples)")->required();
  cmd->add_option("--output", f->output, ".npy file for the outputs (default: print)");
  AddInputShapeOption(cmd, &f->common);
  return {cmd, [f]() -> Status {
            ConsoleObserver observer;
            TML_ASSIGN_OR_RETURN(std::vector<Tensor> outputs,
                                 RunReference(f->model, f->common, f->inputs, observer));
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
