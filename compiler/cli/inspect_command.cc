// `tinyml-compile inspect MODEL.onnx [--json] [--print-ir]`: per-node shapes,
// parameters and MACs (compiler/inspect.h).
#include <iostream>
#include <memory>

#include "compiler/cli/cli_common.h"
#include "compiler/cli/console_observer.h"

namespace tml::cli {

Command AddInspectCommand(CLI::App& app) {
  struct Flags {
    std::string model;
    CommonOptions common;
    bool json = false;
    bool print_ir = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("inspect", "Per-node shapes, parameters and MACs");
  cmd->add_option("model", f->model, "ONNX model")->required();
  cmd->add_flag("--json", f->json, "Print JSON instead of a table");
  cmd->add_flag("--print-ir", f->print_ir, "Also print the imported IR");
  AddInputShapeOption(cmd, &f->common);
  return {cmd, [f]() -> Status {
            ConsoleObserver observer;
            TML_ASSIGN_OR_RETURN(Inspection inspection,
                                 InspectModel(f->model, f->common, f->print_ir, observer));
            if (f->json) {
              std::cout << SummaryToJson(inspection.summary).dump(2) << "\n";
            } else {
              std::cout << FormatSummary(inspection.summary);
            }
            if (f->print_ir) std::cout << "\n" << inspection.ir;
            return Status::Ok();
          }};
}

}  // namespace tml::cli
