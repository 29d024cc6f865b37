// `tinyml-compile verify OUTDIR --test-data X.npy ...`: re-verify a compile
// output directory (verification/verify.h).
#include <memory>

#include "compiler/cli/cli_common.h"

namespace tml::cli {

Command AddVerifyCommand(CLI::App& app) {
  struct Flags {
    std::string out_dir;
    VerifyFlags verify;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("verify", "Re-verify a compile output directory");
  cmd->add_option("outdir", f->out_dir, "Output directory of `compile`")->required();
  AddVerifyOptions(cmd, &f->verify);
  AddBudgetOptions(cmd, &f->verify.options);
  return {cmd, [f]() { return VerifyAndReport(f->out_dir, f->verify); }};
}

}  // namespace tml::cli
