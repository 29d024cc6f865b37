// `tinyml-compile compile MODEL.onnx -o OUTDIR [...]`: the flags of Compile
// (compiler/driver/compile.h), the output directory written atomically, and
// with --verify the verification of what was written.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "compiler/cli/cli_common.h"
#include "compiler/cli/console_observer.h"
#include "compiler/driver/compile.h"
#include "compiler/driver/output_dir.h"
#include "compiler/driver/verify.h"
#include "compiler/report/render.h"

namespace tml::cli {
namespace {

struct CompileFlags {
  std::string model, out_dir, kron_mode = "off";
  bool force = false, verify = false;
  CompileOptions options;
  VerifyFlags verify_flags;
};

void AddCompressionOptions(CLI::App* cmd, CompileFlags* f) {
  PipelineOptions& p = f->options.passes;
  cmd->add_option("--kronecker", f->kron_mode,
                  "Kronecker factorization of weight matrices: off, auto or exact (default off)")
      ->check(CLI::IsMember({"off", "auto", "exact"}));
  cmd->add_option("--kron-tol", p.kron.tol, "Largest relative Frobenius error per matrix (default 1e-3)");
  cmd->add_option("--kron-max-rank", p.kron.max_rank, "Largest number of Kronecker terms per matrix (default 4)");
  cmd->add_option("--compress", p.kron.compress,
                  "Target compression N (> 1) of all the candidate weight matrices together, "
                  "spread over them by their sensitivity");
  cmd->add_option("--kron-low-rank", p.kron.low_rank_max,
                  "Largest rank of plain low-rank (U.V) candidates under --compress (default 64; "
                  "0 = Kronecker sums only, as always with --finetune)");
  cmd->add_option("--target-bytes", p.kron.target_bytes,
                  "Instead of --compress: all the firmware's weights (as float32) fit in B bytes");
  cmd->add_option("--compress-fallback", p.kron.compress_fallback,
                  "Ignored (with a warning): --compress is a budget for the whole model");
  cmd->add_option("--dope", p.dope.density,
                  "Sparse overlay of the largest residual entries of each Kronecker-factorized "
                  "weight, as a fraction of its entries (default 0 = off)");
  cmd->add_option("--finetune", p.finetune.epochs,
                  "Epochs of distillation from the original model on --calib (default 0 = off)");
  cmd->add_option("--labels", p.finetune.labels_path,
                  ".npy integer labels of --calib: adds cross-entropy to fine-tuning");
  cmd->add_option("--seed", p.finetune.seed, "Fine-tuning seed (default 0)");
  cmd->add_option("--finetune-lr", p.finetune.lr, "Adam learning rate of fine-tuning (default 1e-2)");
  cmd->add_option("--finetune-samples", p.finetune.samples_per_epoch,
                  "Training samples per fine-tuning epoch (default: all, unless the epochs would "
                  "exceed the training budget of 8e11 MACs: then as many as fit, drawn afresh each epoch)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--finetune-dense,!--finetune-frozen-dense", p.finetune.train_dense,
                "Fine-tuning trains the dense weights left uncompressed (e.g. the classifier head): "
                "the default; --finetune-frozen-dense keeps them as they are");
  cmd->add_option("--finetune-match", p.finetune.hint_weight,
                  "Weight of matching every compressed layer's output to the original's during "
                  "fine-tuning, fading to 0 by the averaged epochs (default 1; 0 = final outputs only)");
  cmd->add_option("--finetune-gradual", p.finetune.gradual_fraction,
                  "Fraction of the fine-tuning steps over which training moves from the original "
                  "weights to the compressed structure (default 0.1; 0 = start from the structure)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--print-ir-after", f->options.pass_manager.print_ir_after,
                  "Print the IR after the named pass (e.g. quantize), or 'all'");
  cmd->add_option("--stop-after", f->options.pass_manager.stop_after,
                  "Run only the first N passes of the pipeline");
}

void AddQuantizeAndAnomalyOptions(CLI::App* cmd, CompileOptions* o) {
  cmd->add_option("--quantize", o->quantize,
                  "none (default) or int8: int8 weights and activations, ranges calibrated on --calib")
      ->check(CLI::IsMember({"none", "int8"}));
  cmd->add_option("--calib-method", o->calib_method,
                  "int8 activation ranges: minmax (default) or percentile[:P] "
                  "(±P-th percentile of |x|, default 99.99: clips rare outliers)");
  cmd->add_option("--arena", o->arena,
                  "static (default): the scratch arena is a static array in NAME.c; extern: the "
                  "caller passes it to NAME_init() (NAME_ARENA_BYTES, NAME_ARENA_ALIGN)")
      ->check(CLI::IsMember({"static", "extern"}));
  cmd->add_option("--float-math", o->float_math,
                  "fast (default): exp/sigmoid/tanh as short approximations (error < 1e-7); "
                  "exact: newlib's expf/tanhf (slower, larger)")
      ->check(CLI::IsMember({"fast", "exact"}));
  cmd->add_flag("--anomaly", o->anomaly, "Autoencoder: emit NAME_score() and a threshold set on --calib");
  cmd->add_option("--calib", o->calib,
                  ".npy calibration samples (--anomaly: normal data; --finetune: training data)");
  cmd->add_option("--anomaly-percentile", o->anomaly_percentile,
                  "Percentile of the calibration scores used as threshold (default 99)");
}

void AddGateOptions(CLI::App* cmd, CompileOptions* o) {
  cmd->add_option("--gate", o->gate,
                  "Wake-up gate in front of the model: energy, delta or linear (NAME_gate, "
                  "NAME_invoke_gated), calibrated on --gate-calib and --gate-discard");
  cmd->add_option("--gate-calib", o->gate_calib, ".npy windows the model must see (relevant), shaped like the input");
  cmd->add_option("--gate-discard", o->gate_discard, ".npy windows the gate should discard (idle, silence)");
  cmd->add_option("--gate-recall", o->gate_recall,
                  "Fraction of the relevant windows the gate must let pass, in (0, 1] (default 0.99)");
  cmd->add_option("--gate-frames", o->gate_frames,
                  "energy/delta: the mean square over the last N time steps only (default 0 = the whole window)");
}

Status RunCompile(CompileFlags& f) {
  CompileOptions& o = f.options;
  if (f.verify && f.verify_flags.options.test_data.empty()) return InvalidInput("--verify needs --test-data X.npy");
  if (!f.verify_flags.options.gate_relevant.empty() && f.options.gate.empty()) {
    return InvalidInput("--gate-relevant applies to a model compiled with --gate energy|delta|linear");
  }
  ParseKronMode(f.kron_mode, &o.passes.kron.mode);
  o.passes.finetune.calib_path = o.calib;
  o.passes.finetune.task = f.verify_flags.options.task;
  const VerifyOptions& v = f.verify_flags.options;
  o.test_data = v.test_data;
  o.test_labels = v.test_labels;
  o.kron_curves = !f.verify_flags.html.empty();
  o.flash_kb = v.flash_kb;
  o.ram_kb = v.ram_kb;
  o.clock_mhz = v.clock_mhz;
  o.target = v.target;
  o.flash_ws = v.flash_ws;
  o.flash_cache = v.flash_cache;
  // Everything that can be checked is checked before OUTDIR is touched: a
  // failed run must not have replaced it, nor delete an input that lies in it.
  std::vector<std::string> inputs = {f.model, o.calib, o.passes.finetune.labels_path, v.test_labels,
                                     o.gate_calib, o.gate_discard, v.gate_relevant};
  inputs.insert(inputs.end(), v.test_data.begin(), v.test_data.end());
  TML_RETURN_IF_ERROR(CheckOutputDir(f.out_dir, f.force, inputs));
  ConsoleObserver observer;
  TML_ASSIGN_OR_RETURN(Compiled compiled, Compile(f.model, o, observer));
  if (f.verify) {
    std::vector<std::vector<int64_t>> shapes;
    std::vector<bool> tokens;
    for (const codegen::TensorInfo& t : compiled.model.inputs) {
      shapes.push_back(t.shape);
      tokens.push_back(t.tokens);
    }
    TML_RETURN_IF_ERROR(CheckVerifyInputs(v, shapes, tokens));
  }
  TML_RETURN_IF_ERROR(WriteOutputDir(f.out_dir, compiled.files, f.force));
  std::cout << report::RenderCompileText(compiled, f.out_dir);
  if (f.verify) return VerifyAndReport(f.out_dir, f.verify_flags);
  if (!f.verify_flags.html.empty()) {
    TML_RETURN_IF_ERROR(WriteTextFile(f.verify_flags.html, report::RenderHtml(compiled.manifest, nullptr)));
    std::cout << fmt::format("report: {} (no measured figures without --verify)\n", f.verify_flags.html);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CompileOptions> ParseRecordedOptions(const std::string& recorded) {
  CLI::App app("recorded compile options");
  CompileFlags f;
  app.add_option("--name", f.options.name);
  AddInputShapeOption(&app, &f.options.common);
  AddCompressionOptions(&app, &f);
  AddQuantizeAndAnomalyOptions(&app, &f.options);
  try {
    app.parse(recorded, false);
  } catch (const CLI::ParseError& e) {
    return InvalidInput("recorded compile options '{}': {}", recorded, e.what());
  }
  ParseKronMode(f.kron_mode, &f.options.passes.kron.mode);
  f.options.passes.finetune.calib_path = f.options.calib;
  return f.options;
}

Command AddCompileCommand(CLI::App& app) {
  auto f = std::make_shared<CompileFlags>();
  CLI::App* cmd = app.add_subcommand("compile", "Generate C firmware sources for a Cortex-M4");
  cmd->add_option("model", f->model, "ONNX model")->required();
  cmd->add_option("-o,--output", f->out_dir, "Output directory (written atomically)")->required();
  cmd->add_option("--name", f->options.name, "C prefix and file name (default: model)");
  cmd->add_flag("--force", f->force, "Replace a non-empty output directory");
  cmd->add_flag("--verify", f->verify, "Build for the M4, run the test data in the emulator, compare");
  AddVerifyOptions(cmd, &f->verify_flags);
  AddBudgetOptions(cmd, &f->verify_flags.options);
  AddInputShapeOption(cmd, &f->options.common);
  AddCompressionOptions(cmd, f.get());
  AddQuantizeAndAnomalyOptions(cmd, &f->options);
  AddGateOptions(cmd, &f->options);
  return {cmd, [f]() { return RunCompile(*f); }};
}

}  // namespace tml::cli
