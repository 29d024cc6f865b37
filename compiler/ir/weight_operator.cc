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

}  // namespace tml
