// dope: adds a sparse overlay S to every Kronecker-factored weight (DESIGN.md §5,
// "Doping"): S holds the k = round(density·m·n) largest-magnitude entries of the
// residual W − Σ A_k⊗B_k, so the operator becomes W ≈ Σ A_k⊗B_k + S.
//
// Which weights: every operator a previous pass attached (Node::weight_ops) that
// has Kronecker terms, per direction; for per-gate operators (row_blocks) each
// block is doped on its own rows at the same density. W is the node's original
// dense input, read as out×in (Gemm with transB = 0 and MatMul store in×out).
// Dense operators and weights without an operator are left alone.
//
// Storage (what the report counts and what codegen emits): CSR with values as
// float32, column indices as the narrowest unsigned type that holds cols − 1
// (uint8 up to 256 columns, uint16 up to 65536, else int32) and row pointers as
// uint8 when nnz <= 255, uint16 when nnz <= 65535, else int32 — the index types of
// tml_sparse_matvec_f32(), which accumulates S·x after the Kronecker kernel.
// The IR keeps int32 indices (SparseOverlay); only the emitted arrays narrow.
//
// Selection is deterministic: ties in magnitude go to the lower row-major index,
// and S is stored sorted by row, then column.
#ifndef TML_PASSES_DOPE_H_
#define TML_PASSES_DOPE_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "passes/pass.h"

namespace tml {

struct DopeOptions {
  double density = 0.0;  // --dope DENSITY in [0, 1): fraction of m·n entries kept; 0 = off
};

// One doped matrix (one direction of one weight input; blocks summed).
struct DopeMatrixReport {
  std::string node, op, input;  // ONNX node name, "LSTM", "W"/"R"/"weight"
  int direction = 0;
  int64_t rows = 0, cols = 0;
  int64_t nnz = 0;
  int col_index_bytes = 0;  // 1, 2 or 4
  int row_ptr_bytes = 0;    // 1, 2 or 4
  int64_t sparse_bytes = 0;  // values + column indices + row pointers
  int64_t kron_bytes = 0;    // float32 Kronecker factors
  double error_before = 0.0, error_after = 0.0;  // ||W − op||_F / ||W||_F
  // Dense float32 bytes / (kron_bytes + sparse_bytes).
  double compression = 1.0;
};

struct DopeReport {
  DopeOptions options;
  std::vector<DopeMatrixReport> matrices;
  int64_t TotalNnz() const;
  int64_t TotalSparseBytes() const;
  nlohmann::json ToJson() const;
  std::string ToTable() const;
};

// Bytes per column index for a matrix with `cols` columns (1, 2 or 4).
int SparseColIndexBytes(int64_t cols);
// Bytes per row pointer for `nnz` non-zeros (1, 2 or 4).
int SparseRowPtrBytes(int64_t nnz);
// Stored bytes of an overlay of a rows×cols matrix: 4·nnz + index bytes + row pointers.
int64_t SparseOverlayBytes(const SparseOverlay& s, int64_t rows, int64_t cols);
// Stored float32 bytes of an operator: Kronecker factors (or dense values) plus S as above.
int64_t WeightOperatorBytes(const WeightOperator& op);

// Float32 bytes of the recurrent weights (W and R of every LSTM/GRU/RNN) of
// `graph`: as dense tensors, and as stored (operators by WeightOperatorBytes,
// sparse indices counted; weights without an operator as dense). The figure
// the compression targets of the examples are stated in.
struct RecurrentWeightBytes {
  int64_t dense = 0;
  int64_t stored = 0;
};
RecurrentWeightBytes CountRecurrentWeightBytes(const Graph& graph);

// The k largest-magnitude entries of a row-major rows×cols matrix as CSR
// (ties: lower index first; sorted by row then column).
SparseOverlay SelectLargest(const float* values, int64_t rows, int64_t cols, int64_t k);

// The out×in matrix of direction d of weight input `input` of `node`, from its
// dense tensor (Gemm transB = 0 and MatMul are transposed). Empty when the
// input is not a float constant of the expected rank.
std::vector<float> DenseWeightMatrix(const Graph& graph, const Node& node, size_t input, int64_t d,
                                     int64_t* rows, int64_t* cols);

// Dopes `op` (terms or row blocks) against the dense out×in matrix `w`:
// replaces any existing overlay by the top round(density·rows·cols) residual entries
// (per block for row blocks). Updates relative_error.
void DopeOperator(const float* w, double density, WeightOperator* op);

class DopePass : public Pass {
 public:
  explicit DopePass(DopeOptions options) : options_(options) {}
  std::string_view Name() const override { return "dope"; }
  // kInvalidInput for a density outside [0, 1); false when density is 0.
  StatusOr<bool> Run(Graph& graph) override;
  const DopeReport& report() const { return report_; }
  std::string Summary() const override { return report_.ToTable(); }

 private:
  DopeOptions options_;
  DopeReport report_;
};

}  // namespace tml

#endif  // TML_PASSES_DOPE_H_
