// finetune: accuracy recovery of a compressed graph by distillation (DESIGN.md §5).
//
// Teacher: the original model — the same graph with every weight operator
// removed (passes never replace the dense weight inputs, so nothing else is
// needed). Student: the graph as the earlier passes left it (Kronecker factors
// and sparse overlays attached as weight operators).
//
// Loss per sample: mean over output elements of (student − teacher)², plus,
// when labels are given, ce_weight × the cross-entropy of the first output's
// softmax against the label, plus intermediate matching: for the first output
// of every node with a weight operator (a compressed layer's output, an
// LSTM's hidden states), hint_weight × mean((student − teacher)²) scaled by
// (mean square of the teacher's outputs) / (mean square of the teacher's
// value there), so each layer counts by its relative error. Its weight fades
// linearly to 0 by the first averaged epoch. It gives every compressed layer
// a gradient of its own: without it a deep network whose compressed layer
// switches a ReLU bottleneck off entirely has no gradient left and its output
// stays constant for every input (the dense autoencoder collapse).
// Averaged over the mini-batch.
//
// Trained parameters: the Kronecker factors A_k, B_k and the values of S of
// every operator, the recurrent biases (B), Gemm C and the constant operand of
// Add/Sub on the gradient path, and, with train_dense (the default), dense
// Gemm/MatMul and recurrent weights that have no operator. Gradients come from the backward
// passes (passes/backward); the dense weight gradient dW of an operator is
// mapped onto its structure:
//   dA_k[i1,j1] = Σ_{i2,j2} dW[i1·m2+i2, j1·n2+j2]·B_k[i2,j2]
//   dB_k[i2,j2] = Σ_{i1,j1} dW[i1·m2+i2, j1·n2+j2]·A_k[i1,j1]
//   dS[r,c]     = dW[r,c] on the support of S.
//
// Optimiser: Adam (β1 0.9, β2 0.999); the learning rate warms up linearly over
// the first warmup_fraction of the steps (at most one epoch) and then decays
// (cosine) from lr to final_lr_fraction × lr at the last step; over the last
// swa_fraction of the epochs the weights are averaged after every mini-batch
// update (stochastic weight averaging) and the average is what the pass
// writes back.
//
// Doping while training (Doping paper): when operators carry S, training starts
// with S re-selected at dope_start_factor × its density (from the residual of
// the original weights) and prunes S by magnitude after each epoch, the density
// annealing (cubic) to the original one by anneal_fraction of the epochs; every
// mini-batch drops each S entry with probability co_dropout (inverted dropout,
// training only), so the Kronecker factors cannot lean on S entries that will
// be pruned (co-matrix dropout). The final nnz equals the dope pass's.
//
// Gradual compression: training starts from the original weights and tightens
// to the compressed structure. Every operator's weight is trained as
// structure + ρ·R, where R is the residual the compression left (original −
// structure as the earlier passes made it, fixed) and ρ fades from 1 to 0 over
// the first gradual_fraction of the steps, cubically (fast at first, gently at
// the end, like gradual pruning schedules). At ρ = 1 the student is the
// original; as ρ falls the factors learn to carry what R carried, one small
// step at a time, instead of starting from the factorization's whole error.
// Held-out figures and checkpoints are always of the structure alone (ρ = 0).
//
// Data: the calibration samples (first axis = samples, each reshaped to the
// model's single input) are shuffled with the seed; the last holdout_fraction
// are held back. A header line and one line per epoch go to the observer's
// Epoch() (train loss and the task's figure on the held-out part,
// compiler/task/held_out_figure.h: top-1 agreement, reconstruction score,
// relative error / SNR or perplexity); Summary() is the final report.
// Collapse (compiler/task/collapse.h) is checked on the held-out outputs after
// the last epoch: a warning line says so, and the epoch with the best held-out
// figure is kept when the last one is worse or collapsed.
//
// Threads: each mini-batch is split into `threads` contiguous parts whose
// gradients are summed in part order, so results do not depend on timing;
// they do depend on `threads` only through float summation order (the default
// is 2, so a given seed gives the same result on every machine).
#ifndef TML_PASSES_FINETUNE_H_
#define TML_PASSES_FINETUNE_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/task/task.h"
#include "passes/pass.h"

namespace tml {

struct FinetuneOptions {
  int epochs = 0;             // --finetune EPOCHS; 0 = off
  std::string calib_path;     // --calib X.npy (required when epochs > 0)
  std::string labels_path;    // --labels Y.npy (optional, integer class per sample)
  uint64_t seed = 0;          // --seed
  // Alternatively the data itself (used when calib_path is empty): [N, ...] float32, [N] int64.
  Tensor calib;
  std::vector<int64_t> labels;
  double lr = 1e-2;  // --finetune-lr; the examples' recipes (their READMEs) were tuned at 1e-2
  int batch_size = 16;
  double holdout_fraction = 0.15;
  double ce_weight = 1.0;
  double swa_fraction = 0.25;
  // Dense weights that stay (uncompressed layers, heads) are trained too.
  bool train_dense = true;
  // Weight of intermediate matching (finetune.cc: hints), fading to 0 by the
  // averaged epochs; 0 = match the outputs only.
  double hint_weight = 1.0;
  double warmup_fraction = 0.05;   // of the steps, linear warm-up (at most one epoch)
  double final_lr_fraction = 0.1;  // cosine decay of the learning rate down to lr × this
  // Of the steps, the gradual-compression phase (--finetune-gradual; 0 = off).
  double gradual_fraction = 0.1;
  double dope_start_factor = 2.0;
  double anneal_fraction = 0.5;
  double co_dropout = 0.1;
  int threads = 2;
  Task task = Task::kAuto;  // --task; kAuto: compiler/task/task.h's DetectTask
  // Training samples per epoch (--finetune-samples); 0 = all of them unless
  // epochs x samples x 3 x the model's MACs (forward and backward) exceed
  // budget_macs: then each epoch trains on as many as fit, drawn afresh from
  // the shuffled training split, so a large calibration set (tens of
  // thousands of windows) takes bounded time and every window still serves.
  int64_t samples_per_epoch = 0;
  double budget_macs = 8e11;  // about 5 minutes on 2 cores of this project's CI machine
  // Held-out samples evaluated after every epoch: holdout_fraction of the
  // data, at most this many (the rest trains).
  int64_t max_holdout = 512;
  // The original model's outputs are kept for every sample up to this many
  // values (64 M floats, 256 MB); past it they are computed per batch.
  int64_t max_teacher_values = int64_t{1} << 26;
};

struct FinetuneEpoch {
  int epoch = 0;
  double loss = 0.0;
  double agreement = 0.0;  // on the held-out samples
  int64_t nnz = 0;         // sparse entries after the epoch
  double figure = 0.0;     // the task's held-out figure (FinetuneReport::figure_name)
};

struct FinetuneReport {
  int epochs = 0;
  int64_t train_samples = 0, holdout_samples = 0;
  int64_t parameters = 0;  // trained scalar parameters
  int64_t epoch_samples = 0;  // training samples per epoch (all, or as the budget allows)
  bool classifier = false;  // agreement is top-1 (else fidelity)
  double agreement_before = 0.0, agreement_after = 0.0;  // held-out, vs teacher
  double accuracy_before = -1.0, accuracy_after = -1.0;  // held-out, vs labels (-1: none)
  double teacher_accuracy = -1.0;
  std::string task;         // compiler/task/task.h's name of the task
  std::string figure_name;  // the task's held-out figure: "perplexity", "top-1 agreement", ...
  std::string figure_before, figure_after;  // its text before and after training
  std::string collapse;     // compiler/task/collapse.h's line when the result collapsed
  // The epoch whose parameters were kept because the last one was worse or
  // collapsed (0: as compressed, before training); -1: the last epoch's.
  int best_epoch = -1;
  double seconds = 0.0;
  std::vector<FinetuneEpoch> history;
  nlohmann::json ToJson() const;
  std::string Summary() const;
};

class FinetunePass : public Pass {
 public:
  explicit FinetunePass(FinetuneOptions options) : options_(std::move(options)) {}
  std::string_view Name() const override { return "finetune"; }
  // kInvalidInput for missing/mismatched data, a model with more than one input,
  // or an op on the gradient path without a backward pass (naming the node).
  StatusOr<bool> Run(Graph& graph) override;
  const FinetuneReport& report() const { return report_; }
  std::string Summary() const override { return report_.Summary(); }

 private:
  FinetuneOptions options_;
  FinetuneReport report_;
};

}  // namespace tml

#endif  // TML_PASSES_FINETUNE_H_
