#include "compiler/ir/weight_operator.h"

namespace tml {

int64_t WeightOperator::StoredValues() const {
  int64_t n = 0;
  if (!row_blocks.empty()) {
    for (const WeightOperator& block : row_blocks) n += block.StoredValues();
    return n;
  }
  for (const KronTerm& t : terms) n += static_cast<int64_t>(t.a.size() + t.b.size());
  if (terms.empty() && !sparse) n += rows * cols;
  if (sparse) n += sparse->nnz();
  return n;
}

std::vector<float> WeightOperator::Materialize() const {
  std::vector<float> w(static_cast<size_t>(rows * cols), 0.f);
  if (!row_blocks.empty()) {
    size_t offset = 0;
    for (const WeightOperator& block : row_blocks) {
      std::vector<float> part = block.Materialize();
      for (size_t k = 0; k < part.size() && offset + k < w.size(); ++k) w[offset + k] = part[k];
      offset += part.size();
    }
    return w;
  }
  for (const KronTerm& t : terms) {
    for (int64_t i1 = 0; i1 < t.a_rows; ++i1) {
      for (int64_t j1 = 0; j1 < t.a_cols; ++j1) {
        const float a = t.a[static_cast<size_t>(i1 * t.a_cols + j1)];
        for (int64_t i2 = 0; i2 < t.b_rows; ++i2) {
          float* row = &w[static_cast<size_t>((i1 * t.b_rows + i2) * cols + j1 * t.b_cols)];
          const float* b = &t.b[static_cast<size_t>(i2 * t.b_cols)];
          for (int64_t j2 = 0; j2 < t.b_cols; ++j2) row[j2] += a * b[j2];
        }
      }
    }
  }
  if (sparse) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int32_t k = sparse->row_ptr[static_cast<size_t>(r)]; k < sparse->row_ptr[static_cast<size_t>(r) + 1]; ++k) {
        w[static_cast<size_t>(r * cols + sparse->col_idx[static_cast<size_t>(k)])] += sparse->values[static_cast<size_t>(k)];
      }
    }
  }
  return w;
}

namespace {

std::optional<WeightOperator> SliceBlocks(const WeightOperator& op, int64_t begin, int64_t end) {
  WeightOperator out;
  out.rows = end - begin;
  out.cols = op.cols;
  int64_t row = 0;
  for (const WeightOperator& block : op.row_blocks) {
    const int64_t next = row + block.rows;
    if (row >= begin && next <= end) {
      out.row_blocks.push_back(block);
    } else if (row < end && next > begin) {
      return std::nullopt;  // the cut goes through this block
    }
    row = next;
  }
  if (out.row_blocks.size() == 1) return out.row_blocks[0];
  return out;
}

std::optional<WeightOperator> SliceTerms(const WeightOperator& op, int64_t begin, int64_t end) {
  const int64_t m2 = op.terms.empty() ? 1 : op.terms[0].b_rows;
  for (const KronTerm& t : op.terms) {
    if (t.b_rows != m2) return std::nullopt;
  }
  if (begin % m2 != 0 || end % m2 != 0) return std::nullopt;
  WeightOperator out;
  out.rows = end - begin;
  out.cols = op.cols;
  out.relative_error = op.relative_error;
  for (const KronTerm& t : op.terms) {
    KronTerm cut = t;
    cut.a_rows = (end - begin) / m2;
    cut.a.assign(t.a.begin() + static_cast<ptrdiff_t>(begin / m2 * t.a_cols),
                 t.a.begin() + static_cast<ptrdiff_t>(end / m2 * t.a_cols));
    out.terms.push_back(std::move(cut));
  }
  if (op.sparse) {
    SparseOverlay s;
    const int32_t first = op.sparse->row_ptr[static_cast<size_t>(begin)];
    for (int64_t r = begin; r <= end; ++r) s.row_ptr.push_back(op.sparse->row_ptr[static_cast<size_t>(r)] - first);
    const int32_t last = op.sparse->row_ptr[static_cast<size_t>(end)];
    s.col_idx.assign(op.sparse->col_idx.begin() + first, op.sparse->col_idx.begin() + last);
    s.values.assign(op.sparse->values.begin() + first, op.sparse->values.begin() + last);
    out.sparse = std::move(s);
  }
  return out;
}

}  // namespace

std::optional<WeightOperator> SliceRows(const WeightOperator& op, int64_t begin, int64_t end) {
  if (begin < 0 || end > op.rows || begin >= end || op.is_dense()) return std::nullopt;
  if (!op.row_blocks.empty()) return SliceBlocks(op, begin, end);
  if (op.terms.empty()) return std::nullopt;  // a sparse overlay alone: no structured form
  return SliceTerms(op, begin, end);
}

}  // namespace tml
