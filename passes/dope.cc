#include "passes/dope.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace tml {

int SparseColIndexBytes(int64_t cols) { return cols <= 256 ? 1 : cols <= 65536 ? 2 : 4; }
int SparseRowPtrBytes(int64_t nnz) { return nnz <= 255 ? 1 : nnz <= 65535 ? 2 : 4; }

int64_t SparseOverlayBytes(const SparseOverlay& s, int64_t rows, int64_t cols) {
  const int64_t nnz = s.nnz();
  return nnz * (4 + SparseColIndexBytes(cols)) + (rows + 1) * SparseRowPtrBytes(nnz);
}

int64_t WeightOperatorBytes(const WeightOperator& op) {
  if (!op.row_blocks.empty()) {
    int64_t bytes = 0;
    for (const WeightOperator& b : op.row_blocks) bytes += WeightOperatorBytes(b);
    return bytes;
  }
  int64_t bytes = 0;
  for (const KronTerm& t : op.terms) bytes += 4 * static_cast<int64_t>(t.a.size() + t.b.size());
  if (op.terms.empty()) bytes += 4 * op.rows * op.cols;
  if (op.sparse) bytes += SparseOverlayBytes(*op.sparse, op.rows, op.cols);
  return bytes;
}

RecurrentWeightBytes CountRecurrentWeightBytes(const Graph& graph) {
  RecurrentWeightBytes bytes;
  for (const Node& node : graph.nodes()) {
    if (node.op != OpKind::kLstm && node.op != OpKind::kGru && node.op != OpKind::kRnn) continue;
    for (size_t input : {size_t{1}, size_t{2}}) {
      const int64_t dense = 4 * graph.tensor(node.input(input)).num_elements();
      bytes.dense += dense;
      const WeightOperatorSet* set = node.WeightOps(input);
      if (set == nullptr) {
        bytes.stored += dense;
        continue;
      }
      for (const WeightOperator& op : set->per_direction) bytes.stored += WeightOperatorBytes(op);
    }
  }
  return bytes;
}

SparseOverlay SelectLargest(const float* values, int64_t rows, int64_t cols, int64_t k) {
  const int64_t n = rows * cols;
  k = std::clamp<int64_t>(k, 0, n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  // A strict total order, so the selection does not depend on the algorithm.
  auto larger = [values](int64_t a, int64_t b) {
    const float va = std::fabs(values[a]), vb = std::fabs(values[b]);
    return va != vb ? va > vb : a < b;
  };
  if (k < n) std::nth_element(order.begin(), order.begin() + k, order.end(), larger);
  order.resize(static_cast<size_t>(k));
  std::sort(order.begin(), order.end());
  SparseOverlay s;
  s.row_ptr.assign(static_cast<size_t>(rows + 1), 0);
  for (int64_t idx : order) {
    s.row_ptr[static_cast<size_t>(idx / cols + 1)]++;
    s.col_idx.push_back(static_cast<int32_t>(idx % cols));
    s.values.push_back(values[idx]);
  }
  for (int64_t r = 0; r < rows; ++r) s.row_ptr[r + 1] += s.row_ptr[r];
  return s;
}

std::vector<float> DenseWeightMatrix(const Graph& graph, const Node& node, size_t input, int64_t d,
                                     int64_t* rows, int64_t* cols) {
  const TensorId id = node.input(input);
  if (id == kNoTensor) return {};
  const Tensor& t = graph.tensor(id);
  if (!t.is_constant() || t.dtype != DType::kFloat32) return {};
  const bool recurrent =
      node.op == OpKind::kLstm || node.op == OpKind::kGru || node.op == OpKind::kRnn;
  if (recurrent) {
    if (t.shape.size() != 3 || d >= t.shape[0]) return {};
    *rows = t.shape[1];
    *cols = t.shape[2];
    const int64_t size = *rows * *cols;
    return std::vector<float>(t.f32.begin() + d * size, t.f32.begin() + (d + 1) * size);
  }
  if (t.shape.size() != 2 || d != 0) return {};
  const bool in_by_out = node.op == OpKind::kMatMul || node.GetInt("transB", 0) == 0;
  *rows = in_by_out ? t.shape[1] : t.shape[0];
  *cols = in_by_out ? t.shape[0] : t.shape[1];
  if (!in_by_out) return t.f32;
  std::vector<float> m(static_cast<size_t>(*rows * *cols));
  for (int64_t i = 0; i < *rows; ++i) {
    for (int64_t j = 0; j < *cols; ++j) m[i * *cols + j] = t.f32[j * *rows + i];
  }
  return m;
}

namespace {

double RelativeError(const float* w, const std::vector<float>& approx) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < approx.size(); ++i) {
    num += (static_cast<double>(w[i]) - approx[i]) * (static_cast<double>(w[i]) - approx[i]);
    den += static_cast<double>(w[i]) * w[i];
  }
  return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

}  // namespace

void DopeOperator(const float* w, double density, WeightOperator* op) {
  if (!op->row_blocks.empty()) {
    int64_t row = 0;
    for (WeightOperator& block : op->row_blocks) {
      DopeOperator(w + row * op->cols, density, &block);
      row += block.rows;
    }
    op->relative_error = RelativeError(w, op->Materialize());
    return;
  }
  op->sparse.reset();
  std::vector<float> residual = op->Materialize();
  for (size_t i = 0; i < residual.size(); ++i) residual[i] = w[i] - residual[i];
  const int64_t k = std::llround(density * static_cast<double>(op->rows * op->cols));
  op->sparse = SelectLargest(residual.data(), op->rows, op->cols, k);
  op->relative_error = RelativeError(w, op->Materialize());
}

StatusOr<bool> DopePass::Run(Graph& graph) {
  report_ = DopeReport{};
  report_.options = options_;
  if (!(options_.density >= 0.0 && options_.density < 1.0)) {
    return InvalidInput("dope: --dope must be in [0, 1) (got {:g})", options_.density);
  }
  if (options_.density == 0.0) return false;
  bool changed = false;
  for (Node& node : graph.nodes()) {
    for (WeightOperatorSet& set : node.weight_ops) {
      for (size_t d = 0; d < set.per_direction.size(); ++d) {
        WeightOperator& op = set.per_direction[d];
        if (op.is_dense() || (op.terms.empty() && op.row_blocks.empty())) continue;
        int64_t rows = 0, cols = 0;
        const std::vector<float> w =
            DenseWeightMatrix(graph, node, set.input, static_cast<int64_t>(d), &rows, &cols);
        if (w.empty() || rows != op.rows || cols != op.cols) {
          return Internal("dope: {}: operator of input {} does not match its dense weight",
                          node.Describe(), set.input);
        }
        DopeMatrixReport r;
        r.node = node.name;
        r.op = OpKindName(node.op);
        const bool recurrent = node.op == OpKind::kLstm || node.op == OpKind::kGru ||
                               node.op == OpKind::kRnn;
        r.input = recurrent ? (set.input == 1 ? "W" : "R") : "weight";
        r.direction = static_cast<int>(d);
        r.rows = rows;
        r.cols = cols;
        r.error_before = op.relative_error;
        DopeOperator(w.data(), options_.density, &op);
        r.error_after = op.relative_error;
        const int64_t total = WeightOperatorBytes(op);
        auto count_nnz = [](const WeightOperator& o) {
          int64_t n = o.sparse ? o.sparse->nnz() : 0;
          for (const WeightOperator& b : o.row_blocks) n += b.sparse ? b.sparse->nnz() : 0;
          return n;
        };
        r.nnz = count_nnz(op);
        r.col_index_bytes = SparseColIndexBytes(cols);
        r.row_ptr_bytes = SparseRowPtrBytes(r.nnz);
        WeightOperator bare = op;
        bare.sparse.reset();
        for (WeightOperator& b : bare.row_blocks) b.sparse.reset();
        r.kron_bytes = WeightOperatorBytes(bare);
        r.sparse_bytes = total - r.kron_bytes;
        r.compression = static_cast<double>(4 * rows * cols) / static_cast<double>(total);
        report_.matrices.push_back(r);
        changed = true;
      }
    }
  }
  return changed;
}

int64_t DopeReport::TotalNnz() const {
  int64_t n = 0;
  for (const DopeMatrixReport& m : matrices) n += m.nnz;
  return n;
}

int64_t DopeReport::TotalSparseBytes() const {
  int64_t n = 0;
  for (const DopeMatrixReport& m : matrices) n += m.sparse_bytes;
  return n;
}

nlohmann::json DopeReport::ToJson() const {
  nlohmann::json j;
  j["density"] = options.density;
  j["nnz"] = TotalNnz();
  j["sparse_bytes"] = TotalSparseBytes();
  nlohmann::json list = nlohmann::json::array();
  for (const DopeMatrixReport& m : matrices) {
    list.push_back({{"node", m.node}, {"op", m.op}, {"input", m.input},
                    {"direction", m.direction}, {"rows", m.rows}, {"cols", m.cols},
                    {"nnz", m.nnz}, {"col_index_bytes", m.col_index_bytes},
                    {"row_ptr_bytes", m.row_ptr_bytes}, {"sparse_bytes", m.sparse_bytes},
                    {"kron_bytes", m.kron_bytes}, {"error_before", m.error_before},
                    {"error_after", m.error_after}, {"compression", m.compression}});
  }
  j["matrices"] = std::move(list);
  return j;
}

std::string DopeReport::ToTable() const {
  std::string out = fmt::format("{:<20} {:<6} {:>3} {:>11} {:>7} {:>5} {:>9} {:>9} {:>8} {:>8} {:>7}\n",
                                "node", "input", "dir", "shape", "nnz", "idx", "S bytes",
                                "KP bytes", "err KP", "err +S", "ratio");
  for (const DopeMatrixReport& m : matrices) {
    out += fmt::format("{:<20} {:<6} {:>3} {:>11} {:>7} {:>5} {:>9} {:>9} {:>8.4f} {:>8.4f} {:>6.1f}x\n",
                       m.node.substr(0, 20), m.input, m.direction,
                       fmt::format("{}x{}", m.rows, m.cols), m.nnz,
                       fmt::format("u{}", 8 * m.col_index_bytes), m.sparse_bytes, m.kron_bytes,
                       m.error_before, m.error_after, m.compression);
  }
  out += fmt::format("total: {} non-zeros, {} bytes of sparse overlay\n", TotalNnz(),
                     TotalSparseBytes());
  return out;
}

}  // namespace tml
