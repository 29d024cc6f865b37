// kron-factorize: replaces large weight matrices by sums of Kronecker products
// (DESIGN.md §5; the math is in kron_math.h).
//
// Which weights: LSTM/GRU/RNN W (input 1) and R (input 2), one operator per
// direction, and the constant weight (input 1) of Gemm and MatMul when it is
// a 2-D constant. The original dense tensor stays the node input; the pass
// attaches a WeightOperatorSet (compiler/ir/weight_operator.h), which the
// reference interpreter and the code generator use instead.
//
// Per matrix (out×in, m×n) the pass considers:
// - "stacked": the whole m×n matrix (for recurrent weights all gates at once);
// - "per gate" (LSTM: 4, GRU: 3 blocks of H rows): each gate block on its own,
//   stored as WeightOperator::row_blocks; only when every block factorizes;
// and for each every factor shape with all factors >= 2 (ShapeCandidates) and
// every rank r <= max_rank. One SVD per shape gives the error of every rank.
// A candidate is admissible only if it pays in kernel cycles — r·min(MACs of
// the two evaluation orders) < m·n — and in storage (fewer stored values).
// Among admissible candidates:
// - mode kAuto, compress == 0: the cheapest (cost: stored values, or MACs)
//   whose relative Frobenius error ||W − op||/||W|| is <= tol;
// - mode kAuto, compress = N > 0: a budget for the whole model — all the
//   candidate matrices together store at most (Σ m·n)/N values. Run() gives
//   each matrix its share by the allocation of kron_budget.h over every
//   matrix's error-vs-size curve (Kronecker sums, low rank U·V, dense), then
//   per matrix takes the most accurate candidate (Kronecker or U·V) within
//   its share; FactorizeMatrix() alone applies N to the one matrix (and
//   compress_fallback = M to a matrix that cannot reach N);
// - mode kExact: the cheapest that is exact.
// "Exact" means σ_{r+1}/σ_1 < exact_ratio (1e-6) of the rearranged matrix;
// such a candidate is reported as exact whatever the mode. Stacked and per
// gate are compared with the same rule; none admissible: the matrix stays
// dense and the report says why. The error of the chosen factors is measured
// directly (||W − Σ A⊗B|| in double) and is what the report shows.
//
// Large matrices use a truncated randomized SVD (kron_math.h); shapes are
// searched on `threads` worker threads. The result does not depend on the
// number of threads.
#ifndef TML_PASSES_KRON_FACTORIZE_H_
#define TML_PASSES_KRON_FACTORIZE_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "passes/kron_math.h"
#include "passes/pass.h"

namespace tml {

enum class KronMode { kOff, kAuto, kExact };
enum class KronCost { kParams, kMacs };

// "off" | "auto" | "exact"; false for anything else.
bool ParseKronMode(const std::string& text, KronMode* mode);
const char* KronModeName(KronMode mode);

struct KronFactorizeOptions {
  KronMode mode = KronMode::kOff;
  double tol = 1e-3;      // --kron-tol: largest relative Frobenius error (kAuto)
  int max_rank = 4;       // --kron-max-rank: largest number of terms, >= 1
  double compress = 0.0;  // --compress N: target compression (> 1) instead of tol; 0 = off
  // --compress-fallback M: a matrix no candidate brings to `compress` gets the
  // most accurate factorization reaching M (> 1) instead of staying dense; 0 = off.
  // Since the whole-model budget: ignored by Run() (a warning says so), kept
  // for old command lines; FactorizeMatrix() still honours it.
  double compress_fallback = 0.0;
  // --target-bytes B: instead of N, the whole firmware's weights (every float
  // constant counted as float32) fit in B bytes; the candidate matrices get
  // what the other weights leave. 0 = off.
  int64_t target_bytes = 0;
  // Largest rank of the plain low-rank (U·V) candidates under --compress.
  int low_rank_max = 64;
  KronCost cost = KronCost::kParams;  // what "cheapest" means
  double exact_ratio = 1e-6;          // σ_{r+1}/σ_1 below this is exact structure
  // Matrices with fewer elements are left alone (nothing to gain).
  int64_t min_elements = 64;
  int threads = 0;  // worker threads for the shape search; 0 = hardware concurrency (max 4)
  kron::SvdOptions svd;
};

// One factorized (or kept dense) block: the whole matrix or one gate.
struct KronBlockReport {
  int64_t rows = 0, cols = 0;
  kron::KronShape shape;  // zeros when dense
  int rank = 0;           // 0 = dense
  kron::KronOrder order = kron::KronOrder::kXBtFirst;
  double relative_error = 0.0;
  double sigma_ratio = 0.0;  // σ_{r+1}/σ_1
  bool exact = false;
};

// What the pass decided for one matrix (one direction of one weight input).
struct KronMatrixReport {
  std::string node;      // ONNX node name
  std::string op;        // "LSTM", "Gemm", ...
  std::string input;     // "W", "R" or "weight"
  std::string tensor;    // the weight tensor's name
  int direction = 0;
  int64_t rows = 0, cols = 0;      // out×in
  std::string layout;              // "stacked", "per gate" or "dense"
  std::vector<KronBlockReport> blocks;  // 1 (stacked) or G (per gate); empty when dense
  int64_t params_before = 0, params_after = 0;
  double compression = 1.0;
  double relative_error = 0.0;  // of the whole matrix, measured
  bool exact = false;
  int64_t macs_before = 0, macs_after = 0;
  // Best admissible candidate of each layout, for the stacked-vs-per-gate
  // comparison ("" when the layout does not apply or has none).
  std::string stacked_best, per_gate_best;
  std::string note;  // why dense, or which rule picked it
  double seconds = 0.0;

  std::string FactorText() const;  // "16x2 ⊗ 16x4, r=1" or "4 gates: ..." or "dense"
};

struct KronReport {
  KronFactorizeOptions options;
  std::vector<KronMatrixReport> matrices;
  double seconds = 0.0;

  int64_t ParamsBefore() const;
  int64_t ParamsAfter() const;
  int64_t MacsBefore() const;
  int64_t MacsAfter() const;
  nlohmann::json ToJson() const;
  // A fixed-width table, one row per matrix, plus a totals line.
  std::string ToTable() const;
};

class KronFactorizePass : public Pass {
 public:
  explicit KronFactorizePass(KronFactorizeOptions options) : options_(std::move(options)) {}
  std::string_view Name() const override { return "kron-factorize"; }
  // Validates the options (kInvalidInput on a bad one), then factorizes.
  StatusOr<bool> Run(Graph& graph) override;

  // The report of the last Run().
  const KronReport& report() const { return report_; }
  std::string Summary() const override { return report_.ToTable(); }

  // One matrix, the whole decision: stacked (and per gate when gates > 1, the
  // rows split into `gates` equal blocks). Fills `report` and returns the
  // operator (dense — is_dense() — when nothing pays). Exposed for tests and benches.
  WeightOperator FactorizeMatrix(const float* w, int64_t rows, int64_t cols, int gates,
                                 KronMatrixReport* report) const;

 private:
  // One candidate weight input of a node: its out×in matrix per direction.
  struct MatrixJob {
    size_t node = 0, input = 0;
    std::string label;  // "W", "R" or "weight"
    TensorId tensor = kNoTensor;
    int gates = 1;
    int64_t rows = 0, cols = 0;
    std::vector<std::vector<float>> mats;
  };
  std::vector<MatrixJob> CollectMatrices(const Graph& graph) const;
  // --target-bytes: the whole-model compression of the candidates it means.
  StatusOr<double> CompressForTargetBytes(const Graph& graph, const std::vector<MatrixJob>& jobs) const;
  // --compress N: per job and direction the compression the budget
  // allocation (kron_budget.h) gives the matrix; 0 = stays dense.
  std::vector<std::vector<double>> AllocateTargets(const std::vector<MatrixJob>& jobs) const;
  WeightOperator FactorizeBudgeted(double target, const MatrixJob& job, size_t direction,
                                   KronMatrixReport* report) const;
  WeightOperator FactorizeWith(const KronFactorizeOptions& options, const float* w, int64_t rows,
                               int64_t cols, int gates, KronMatrixReport* report) const;

  KronFactorizeOptions options_;
  double effective_compress_ = 0.0;  // --compress, or what --target-bytes means
  KronReport report_;
};

}  // namespace tml

#endif  // TML_PASSES_KRON_FACTORIZE_H_
