// WeightOperator: how a linear map y = W·x is represented once passes have
// worked on it. A node keeps its original dense weight tensor as an input;
// a pass that compresses the weight attaches a WeightOperator for that input
// (Node::weight_ops), and every later stage uses the operator instead:
//
//   W ≈ Σ_k A_k ⊗ B_k  (+ S)
//
// - Kronecker terms: A_k is m1×n1, B_k is m2×n2 with m = m1·m2, n = n1·n2 and
//   (A⊗B)[i1·m2+i2, j1·n2+j2] = A[i1,j1]·B[i2,j2]. No terms = dense.
// - S: an optional sparse overlay in CSR (row pointers, column indices,
//   values), the "doping" of the largest residual entries.
//
// The operator covers one m×n matrix: one direction of an LSTM/GRU/RNN W or R
// (the stacked gates, [gates·H, in]) or one Gemm/MatMul weight, always as
// out×in (row = output). For recurrent weights of several directions there is
// one operator per direction.
//
// Row blocks: instead of terms/sparse, an operator may be the vertical stack of
// sub-operators (row_blocks, each with the same cols, rows summing to rows),
// e.g. one Kronecker sum per gate of a recurrent weight. A block is itself an
// operator without further blocks. Empty row_blocks (the default) means the
// terms/sparse form above.
//
// The reference interpreter materialises operators back into dense tensors,
// so any compressed graph can be run and compared with the original.
#ifndef TML_COMPILER_IR_WEIGHT_OPERATOR_H_
#define TML_COMPILER_IR_WEIGHT_OPERATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tml {

struct KronTerm {
  int64_t a_rows = 0, a_cols = 0;  // m1 × n1
  int64_t b_rows = 0, b_cols = 0;  // m2 × n2
  std::vector<float> a;            // row-major m1·n1
  std::vector<float> b;            // row-major m2·n2
};

struct SparseOverlay {
  std::vector<int32_t> row_ptr;  // rows + 1 entries
  std::vector<int32_t> col_idx;  // nnz entries
  std::vector<float> values;     // nnz entries
  int64_t nnz() const { return static_cast<int64_t>(values.size()); }
};

struct WeightOperator {
  int64_t rows = 0;  // m (outputs)
  int64_t cols = 0;  // n (inputs)
  std::vector<KronTerm> terms;
  std::optional<SparseOverlay> sparse;
  // Vertical stack of sub-operators (see the header comment); when non-empty,
  // terms and sparse are empty.
  std::vector<WeightOperator> row_blocks;
  // Relative Frobenius error ||W − op||/||W|| measured when the pass built it.
  double relative_error = 0.0;

  bool is_dense() const { return terms.empty() && !sparse.has_value() && row_blocks.empty(); }
  // Number of stored float values (factors + sparse values).
  int64_t StoredValues() const;
  // The dense m×n matrix it stands for, row-major.
  std::vector<float> Materialize() const;
};

// Rows [begin, end) of `op` in the same structured form, when the form allows it without
// approximation: a whole run of row blocks; or Kronecker terms whose B factors all have m2
// rows, with begin and end multiples of m2 (rows i1 in [begin/m2, end/m2) of every A_k),
// the sparse overlay's rows cut alike. Nothing (std::nullopt) for a dense operator or a
// cut through a block or a B factor: the caller then takes the rows of Materialize().
// (A GRU's R splits this way into the z/r rows and the candidate rows.)
std::optional<WeightOperator> SliceRows(const WeightOperator& op, int64_t begin, int64_t end);

// The operators attached to one weight input of a node, one per direction
// (index d covers rows [d·rows, (d+1)·rows) of the flattened input).
struct WeightOperatorSet {
  size_t input = 0;  // the node input it replaces (e.g. 1 = LSTM W, 2 = LSTM R)
  std::vector<WeightOperator> per_direction;
  // How the pass chose it, for the report (e.g. "stacked gates", "per gate").
  std::string note;
};

}  // namespace tml

#endif  // TML_COMPILER_IR_WEIGHT_OPERATOR_H_
