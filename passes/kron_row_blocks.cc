#include "passes/kron_row_blocks.h"

#include <cstddef>

namespace tml {
namespace {

bool SameShape(const KronTerm& a, const KronTerm& b) {
  return a.a_rows == b.a_rows && a.a_cols == b.a_cols && a.b_rows == b.b_rows &&
         a.b_cols == b.b_cols;
}

}  // namespace

bool StackKronRowBlocks(const WeightOperator& op, WeightOperator* out) {
  if (op.row_blocks.empty() || op.row_blocks[0].terms.empty()) return false;
  const KronTerm& shape = op.row_blocks[0].terms[0];
  const int64_t block_rows = op.row_blocks[0].rows;
  for (const WeightOperator& b : op.row_blocks) {
    if (!b.row_blocks.empty() || b.terms.empty() || b.rows != block_rows || b.cols != op.cols) {
      return false;
    }
    for (const KronTerm& t : b.terms) {
      if (!SameShape(t, shape)) return false;
    }
  }
  if (shape.a_rows * shape.b_rows != block_rows) return false;
  const int64_t blocks = static_cast<int64_t>(op.row_blocks.size());
  const int64_t m1 = shape.a_rows, n1 = shape.a_cols;
  WeightOperator s;
  s.rows = op.rows;
  s.cols = op.cols;
  s.relative_error = op.relative_error;
  bool doped = false;
  for (int64_t g = 0; g < blocks; ++g) {
    const WeightOperator& b = op.row_blocks[g];
    doped = doped || b.sparse.has_value();
    for (const KronTerm& t : b.terms) {
      KronTerm st = t;
      st.a_rows = blocks * m1;
      st.a.assign(static_cast<size_t>(blocks * m1 * n1), 0.0f);
      std::copy(t.a.begin(), t.a.end(), st.a.begin() + static_cast<std::ptrdiff_t>(g * m1 * n1));
      s.terms.push_back(std::move(st));
    }
  }
  if (doped) {
    SparseOverlay sp;
    sp.row_ptr.push_back(0);
    for (const WeightOperator& b : op.row_blocks) {
      for (int64_t r = 0; r < block_rows; ++r) {
        if (b.sparse.has_value()) {
          for (int32_t e = b.sparse->row_ptr[r]; e < b.sparse->row_ptr[r + 1]; ++e) {
            sp.col_idx.push_back(b.sparse->col_idx[e]);
            sp.values.push_back(b.sparse->values[e]);
          }
        }
        sp.row_ptr.push_back(static_cast<int32_t>(sp.values.size()));
      }
    }
    s.sparse = std::move(sp);
  }
  *out = std::move(s);
  return true;
}

}  // namespace tml
