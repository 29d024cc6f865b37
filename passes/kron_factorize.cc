#include "passes/kron_factorize.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "passes/kron_budget.h"

namespace tml {

using kron::KronShape;
using kron::KronSpectrum;

bool ParseKronMode(const std::string& text, KronMode* mode) {
  if (text == "off") *mode = KronMode::kOff;
  else if (text == "auto") *mode = KronMode::kAuto;
  else if (text == "exact") *mode = KronMode::kExact;
  else return false;
  return true;
}

const char* KronModeName(KronMode mode) {
  switch (mode) {
    case KronMode::kOff: return "off";
    case KronMode::kAuto: return "auto";
    case KronMode::kExact: return "exact";
  }
  return "?";
}

namespace {

// Measured error at or below this counts as exact in the direct check: float
// weights with exact structure reconstruct to ~1e-7.
constexpr double kExactMeasuredError = 1e-5;

struct Candidate {
  size_t spectrum = 0;  // index into BlockSearch::spectra
  KronShape shape;
  int rank = 0;
  int64_t params = 0, macs = 0;
  double error = 1.0;
  double ratio = 1.0;
  bool exact = false;
};

struct BlockSearch {
  std::vector<KronSpectrum> spectra;
  std::vector<Candidate> candidates;
};

// A chosen factorization of one block, with its measured error.
struct BlockChoice {
  Candidate candidate;
  std::vector<KronTerm> terms;
  double measured_error = 0.0;
  bool exact = false;
};

// Largest rank worth computing for a shape: it must stay below the dense
// storage and MACs, within max_rank and the rank of R(W).
int UsefulRank(const KronShape& s, int max_rank) {
  const int64_t dense = s.rows() * s.cols();
  const int64_t lo = std::min(s.m1 * s.n1, s.m2 * s.n2);
  int r = 0;
  while (r < max_rank && r < lo && kron::KronParams(s, r + 1) < dense &&
         kron::KronMacs(s, r + 1) < dense) {
    ++r;
  }
  return r;
}

int ThreadCount(const KronFactorizeOptions& options) {
  if (options.threads > 0) return options.threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hw == 0 ? 1u : hw, 1u, 4u));
}

// Runs fn(i) for i in [0, count) on the worker threads.
template <typename Fn>
void ParallelFor(size_t count, int threads, Fn fn) {
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i = next++; i < count; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min<int>(threads, static_cast<int>(count)); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
}

// True when the screened spectrum may hold an admissible candidate, so the
// shape is worth the accurate (refined) SVD. The screen's error is an upper
// bound of the refined one (a Rayleigh–Ritz approximation on a smaller
// subspace), typically within 2× for matrices with real structure.
bool WorthRefining(const KronSpectrum& sp, int max_rank, const KronFactorizeOptions& options) {
  for (int r = 1; r <= max_rank && r <= sp.MaxRank(); ++r) {
    const double e = sp.RelativeError(r);
    if (options.mode == KronMode::kExact && e <= 1e-3) return true;
    if (options.mode == KronMode::kAuto && options.compress <= 0.0 && e <= 3.0 * options.tol + 1e-6) return true;
  }
  return false;
}

BlockSearch SearchBlock(const float* w, int64_t m, int64_t n, const KronFactorizeOptions& options) {
  BlockSearch search;
  std::vector<std::pair<KronShape, int>> work;
  for (const KronShape& s : kron::ShapeCandidates(m, n)) {
    const int r = UsefulRank(s, options.max_rank);
    if (r > 0) work.emplace_back(s, r);
  }
  if (options.mode == KronMode::kAuto && options.compress > 0.0) {
    // Plain low rank U·V competes under a size target: a dense-trained
    // matrix is often served better by it than by balanced factors.
    const int low = kron::LowRankLimit(m, n, options.low_rank_max);
    if (low > 0) work.emplace_back(kron::LowRankShape(m, n), low);
  }
  const int threads = ThreadCount(options);
  double frob_sq = 0.0;
  for (int64_t k = 0; k < m * n; ++k) frob_sq += static_cast<double>(w[k]) * w[k];
  // Phase 1: every shape, screened (exact already when the full SVD is cheap).
  search.spectra.resize(work.size());
  ParallelFor(work.size(), threads, [&](size_t i) {
    search.spectra[i] = kron::ComputeSpectrum(w, work[i].first, work[i].second, options.svd, /*screen=*/true, frob_sq);
  });
  // Phase 2: refine the screened shapes that may matter.
  std::vector<size_t> refine;
  for (size_t i = 0; i < work.size(); ++i) {
    if (search.spectra[i].truncated && WorthRefining(search.spectra[i], work[i].second, options)) refine.push_back(i);
  }
  if (options.mode == KronMode::kAuto && options.compress > 0.0) {
    // The most accurate candidates reaching the target: refine the best few.
    std::vector<std::pair<double, size_t>> best;
    for (size_t i = 0; i < work.size(); ++i) {
      if (!search.spectra[i].truncated) continue;
      double e = 2.0;
      for (int r = 1; r <= work[i].second && r <= search.spectra[i].MaxRank(); ++r) {
        if (static_cast<double>(kron::KronParams(work[i].first, r)) * options.compress <= static_cast<double>(m * n)) {
          e = std::min(e, search.spectra[i].RelativeError(r));
        }
      }
      if (e <= 1.0) best.emplace_back(e, i);
    }
    std::sort(best.begin(), best.end());
    for (size_t k = 0; k < best.size() && k < 6; ++k) refine.push_back(best[k].second);
  }
  ParallelFor(refine.size(), threads, [&](size_t k) {
    const size_t i = refine[k];
    search.spectra[i] = kron::ComputeSpectrum(w, work[i].first, work[i].second, options.svd, /*screen=*/false, frob_sq);
  });

  for (size_t i = 0; i < work.size(); ++i) {
    const KronSpectrum& sp = search.spectra[i];
    for (int r = 1; r <= work[i].second && r <= sp.MaxRank(); ++r) {
      Candidate c;
      c.spectrum = i;
      c.shape = work[i].first;
      c.rank = r;
      c.params = kron::KronParams(c.shape, r);
      c.macs = kron::KronMacs(c.shape, r);
      c.error = sp.RelativeError(r);
      c.ratio = sp.SigmaRatio(r);
      c.exact = c.ratio < options.exact_ratio;
      search.candidates.push_back(c);
    }
  }
  return search;
}

std::tuple<int64_t, int64_t, double> CostKey(const KronFactorizeOptions& options, int64_t params,
                                             int64_t macs, double error) {
  return options.cost == KronCost::kParams ? std::make_tuple(params, macs, error)
                                           : std::make_tuple(macs, params, error);
}

// The admissible candidates of one block in order of preference.
std::vector<Candidate> Rank(const std::vector<Candidate>& all, int64_t dense_params,
                            const KronFactorizeOptions& options) {
  std::vector<Candidate> out;
  for (const Candidate& c : all) {
    if (options.mode == KronMode::kExact && !c.exact) continue;
    if (options.mode == KronMode::kAuto) {
      if (options.compress > 0.0) {
        if (static_cast<double>(c.params) * options.compress > static_cast<double>(dense_params)) continue;
      } else if (c.error > options.tol && !c.exact) {
        continue;
      }
    }
    out.push_back(c);
  }
  if (options.mode == KronMode::kAuto && options.compress > 0.0) {
    std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
      return std::make_tuple(a.error, a.params, a.macs) < std::make_tuple(b.error, b.params, b.macs);
    });
  } else {
    std::stable_sort(out.begin(), out.end(), [&](const Candidate& a, const Candidate& b) {
      return CostKey(options, a.params, a.macs, a.error) < CostKey(options, b.params, b.macs, b.error);
    });
  }
  return out;
}

// Builds and checks the preferred candidates; the first whose measured error
// honours the mode wins.
std::optional<BlockChoice> ChooseBlock(const float* w, int64_t m, int64_t n,
                                       const KronFactorizeOptions& options) {
  BlockSearch search = SearchBlock(w, m, n, options);
  std::vector<Candidate> ranked = Rank(search.candidates, m * n, options);
  int tries = 0;
  for (const Candidate& c : ranked) {
    if (++tries > 4) break;
    BlockChoice choice;
    choice.candidate = c;
    choice.terms = kron::TermsFromSpectrum(search.spectra[c.spectrum], c.rank);
    choice.measured_error = kron::KronRelativeError(w, m, n, choice.terms);
    choice.exact = c.exact && choice.measured_error <= kExactMeasuredError;
    const bool ok = options.mode == KronMode::kExact  ? choice.exact
                    : options.compress > 0.0          ? true
                    : choice.measured_error <= options.tol || choice.exact;
    if (ok) return choice;
  }
  return std::nullopt;
}

KronBlockReport BlockReport(const BlockChoice& c, int64_t rows, int64_t cols) {
  KronBlockReport b;
  b.rows = rows;
  b.cols = cols;
  b.shape = c.candidate.shape;
  b.rank = c.candidate.rank;
  b.order = kron::BestOrder(c.candidate.shape);
  b.relative_error = c.measured_error;
  b.sigma_ratio = c.candidate.ratio;
  b.exact = c.exact;
  return b;
}

double SquaredNorm(const float* w, int64_t count) {
  double s = 0.0;
  for (int64_t k = 0; k < count; ++k) s += static_cast<double>(w[k]) * w[k];
  return s;
}

std::string ShapeText(const KronShape& s) {
  if (s == kron::LowRankShape(s.rows(), s.cols())) return fmt::format("U.V {}x{}", s.rows(), s.cols());
  return fmt::format("{}x{} (x) {}x{}", s.m1, s.n1, s.m2, s.n2);
}

// A plan for a whole matrix (stacked or per gate), to compare the two.
struct Plan {
  std::vector<BlockChoice> blocks;
  int64_t params = 0, macs = 0;
  double error = 0.0;
  bool exact = true;
  std::string Summary() const {
    return fmt::format("{} values, {} MACs, error {:.3g}{}", params, macs, error, exact ? " (exact)" : "");
  }
};

std::optional<Plan> MakePlan(const float* w, int64_t rows, int64_t cols, int blocks,
                             const KronFactorizeOptions& options) {
  Plan plan;
  const int64_t h = rows / blocks;
  double err_sq = 0.0;
  for (int g = 0; g < blocks; ++g) {
    const float* block = w + g * h * cols;
    std::optional<BlockChoice> choice = ChooseBlock(block, h, cols, options);
    if (!choice) return std::nullopt;
    plan.params += choice->candidate.params;
    plan.macs += choice->candidate.macs;
    const double e = choice->measured_error;
    err_sq += e * e * SquaredNorm(block, h * cols);
    plan.exact = plan.exact && choice->exact;
    plan.blocks.push_back(std::move(*choice));
  }
  const double total = SquaredNorm(w, rows * cols);
  plan.error = total > 0.0 ? std::sqrt(err_sq / total) : 0.0;
  return plan;
}

// True when plan a is preferred over plan b under the mode's rule.
bool Better(const Plan& a, const Plan& b, const KronFactorizeOptions& options) {
  if (options.mode == KronMode::kAuto && options.compress > 0.0) {
    return std::make_tuple(a.error, a.params) < std::make_tuple(b.error, b.params);
  }
  return CostKey(options, a.params, a.macs, a.error) < CostKey(options, b.params, b.macs, b.error);
}

}  // namespace

std::string KronMatrixReport::FactorText() const {
  if (blocks.empty()) return "dense";
  if (blocks.size() == 1) {
    return fmt::format("{}, r={}", ShapeText(blocks[0].shape), blocks[0].rank);
  }
  std::vector<std::string> parts;
  for (const KronBlockReport& b : blocks) parts.push_back(fmt::format("{} r={}", ShapeText(b.shape), b.rank));
  bool same = true;
  for (const std::string& p : parts) same = same && p == parts[0];
  if (same) return fmt::format("{} gates: {}", blocks.size(), parts[0]);
  return fmt::format("{}", fmt::join(parts, "; "));
}

WeightOperator KronFactorizePass::FactorizeMatrix(const float* w, int64_t rows, int64_t cols,
                                                  int gates, KronMatrixReport* report) const {
  WeightOperator op = FactorizeWith(options_, w, rows, cols, gates, report);
  const bool fallback = op.is_dense() && options_.mode == KronMode::kAuto &&
                        options_.compress > 0.0 && options_.compress_fallback > 1.0 &&
                        rows * cols >= options_.min_elements;
  if (!fallback) return op;
  // The target is out of reach for this matrix (typically a narrow input
  // weight such as an LSTM's 4H x 8 W): try the fallback target.
  KronFactorizeOptions second = options_;
  second.compress = options_.compress_fallback;
  KronMatrixReport retry = *report;
  retry.blocks.clear();
  WeightOperator fallback_op = FactorizeWith(second, w, rows, cols, gates, &retry);
  if (fallback_op.is_dense()) {
    report->note += fmt::format("; nor {:g}x (--compress-fallback)", options_.compress_fallback);
    return op;
  }
  retry.note = fmt::format("{:g}x out of reach; {} (--compress-fallback)", options_.compress, retry.note);
  retry.seconds += report->seconds;
  *report = std::move(retry);
  return fallback_op;
}

WeightOperator KronFactorizePass::FactorizeWith(const KronFactorizeOptions& options, const float* w,
                                                int64_t rows, int64_t cols, int gates,
                                                KronMatrixReport* report) const {
  const auto start = std::chrono::steady_clock::now();
  report->rows = rows;
  report->cols = cols;
  report->params_before = rows * cols;
  report->macs_before = rows * cols;
  report->params_after = rows * cols;
  report->macs_after = rows * cols;
  report->layout = "dense";

  WeightOperator op;
  op.rows = rows;
  op.cols = cols;
  auto finish = [&]() {
    report->compression = static_cast<double>(report->params_before) /
                          static_cast<double>(std::max<int64_t>(1, report->params_after));
    report->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return op;
  };
  if (rows * cols < options.min_elements) {
    report->note = fmt::format("kept dense: fewer than {} elements", options.min_elements);
    return finish();
  }

  std::optional<Plan> stacked = MakePlan(w, rows, cols, 1, options);
  std::optional<Plan> per_gate;
  if (gates > 1 && rows % gates == 0) per_gate = MakePlan(w, rows, cols, gates, options);
  if (stacked) report->stacked_best = stacked->Summary();
  if (per_gate) report->per_gate_best = per_gate->Summary();

  const Plan* chosen = nullptr;
  bool chose_gates = false;
  if (stacked && per_gate) {
    chose_gates = Better(*per_gate, *stacked, options);
    chosen = chose_gates ? &*per_gate : &*stacked;
  } else if (stacked) {
    chosen = &*stacked;
  } else if (per_gate) {
    chosen = &*per_gate;
    chose_gates = true;
  }
  if (chosen == nullptr) {
    switch (options.mode) {
      case KronMode::kExact:
        report->note = fmt::format("kept dense: no exact Kronecker structure up to rank {}", options.max_rank);
        break;
      case KronMode::kAuto:
        report->note = options.compress > 0.0
                           ? fmt::format("kept dense: nothing reaches {:g}x at rank <= {} with fewer MACs", options.compress, options.max_rank)
                           : fmt::format("kept dense: no factorization within tol {:g} at rank <= {} with fewer MACs", options.tol, options.max_rank);
        break;
      case KronMode::kOff:
        break;
    }
    if (kron::ShapeCandidates(rows, cols).empty()) {
      report->note = fmt::format("kept dense: {}x{} has no factor shape with all factors >= 2", rows, cols);
    }
    return finish();
  }

  report->layout = chose_gates ? "per gate" : "stacked";
  report->params_after = chosen->params;
  report->macs_after = chosen->macs;
  report->relative_error = chosen->error;
  report->exact = chosen->exact;
  const int64_t h = rows / static_cast<int64_t>(chosen->blocks.size());
  for (const BlockChoice& b : chosen->blocks) report->blocks.push_back(BlockReport(b, h, cols));
  if (chose_gates) {
    for (const BlockChoice& b : chosen->blocks) {
      WeightOperator block;
      block.rows = h;
      block.cols = cols;
      block.terms = b.terms;
      block.relative_error = b.measured_error;
      op.row_blocks.push_back(std::move(block));
    }
  } else {
    op.terms = chosen->blocks[0].terms;
  }
  op.relative_error = chosen->error;
  if (options.mode == KronMode::kExact) report->note = "cheapest exact";
  else if (options.compress > 0.0) report->note = fmt::format("most accurate at >= {:g}x", options.compress);
  else report->note = fmt::format("cheapest within tol {:g}", options.tol);
  if (stacked && per_gate) report->note += chose_gates ? "; per gate beats stacked" : "; stacked beats per gate";
  return finish();
}

std::vector<KronFactorizePass::MatrixJob> KronFactorizePass::CollectMatrices(const Graph& graph) const {
  std::vector<MatrixJob> jobs;
  for (size_t ni = 0; ni < graph.nodes().size(); ++ni) {
    const Node& node = graph.nodes()[ni];
    int gates = 0;
    std::vector<std::pair<size_t, std::string>> weights;
    switch (node.op) {
      case OpKind::kLstm: gates = 4; weights = {{1, "W"}, {2, "R"}}; break;
      case OpKind::kGru: gates = 3; weights = {{1, "W"}, {2, "R"}}; break;
      case OpKind::kRnn: gates = 1; weights = {{1, "W"}, {2, "R"}}; break;
      case OpKind::kGemm:
      case OpKind::kMatMul: gates = 1; weights = {{1, "weight"}}; break;
      default: continue;
    }
    for (const auto& [input, label] : weights) {
      if (node.WeightOps(input) != nullptr) continue;  // already compressed
      const TensorId id = node.input(input);
      if (id == kNoTensor) continue;
      const Tensor& t = graph.tensor(id);
      if (!t.is_constant() || t.dtype != DType::kFloat32) continue;
      MatrixJob job{ni, input, label, id, gates, 0, 0, {}};
      // Per direction out×in matrices.
      if (gates > 1 || node.op == OpKind::kRnn) {
        if (t.shape.size() != 3) continue;
        job.rows = t.shape[1];
        job.cols = t.shape[2];
        for (int64_t d = 0; d < t.shape[0]; ++d) {
          job.mats.emplace_back(t.f32.begin() + d * job.rows * job.cols,
                                t.f32.begin() + (d + 1) * job.rows * job.cols);
        }
      } else {
        if (t.shape.size() != 2) continue;
        const bool in_by_out = node.op == OpKind::kMatMul || node.GetInt("transB", 0) == 0;
        job.rows = in_by_out ? t.shape[1] : t.shape[0];
        job.cols = in_by_out ? t.shape[0] : t.shape[1];
        std::vector<float> m(static_cast<size_t>(job.rows * job.cols));
        for (int64_t i = 0; i < job.rows; ++i) {
          for (int64_t j = 0; j < job.cols; ++j) {
            m[static_cast<size_t>(i * job.cols + j)] =
                in_by_out ? t.f32[static_cast<size_t>(j * job.rows + i)]
                          : t.f32[static_cast<size_t>(i * job.cols + j)];
          }
        }
        job.mats.push_back(std::move(m));
      }
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

std::vector<std::vector<double>> KronFactorizePass::AllocateTargets(const std::vector<MatrixJob>& jobs) const {
  // Every matrix's error-vs-size curve; the small ones stay dense and are
  // paid from the budget first.
  std::vector<std::vector<kron::CurvePoint>> curves;
  std::vector<std::pair<size_t, size_t>> where;  // (job, direction) of each curve
  int64_t total = 0, fixed = 0;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const int64_t dense = jobs[j].rows * jobs[j].cols;
    for (size_t d = 0; d < jobs[j].mats.size(); ++d) {
      total += dense;
      if (dense < options_.min_elements) {
        fixed += dense;
        continue;
      }
      curves.push_back(kron::ErrorCurve(jobs[j].mats[d].data(), jobs[j].rows, jobs[j].cols,
                                        options_.max_rank, options_.low_rank_max, options_.svd,
                                        ThreadCount(options_)));
      where.emplace_back(j, d);
    }
  }
  const int64_t budget = static_cast<int64_t>(std::floor(static_cast<double>(total) / effective_compress_)) - fixed;
  const std::vector<size_t> pick = kron::AllocateBudget(curves, budget);
  std::vector<std::vector<double>> targets(jobs.size());
  for (size_t j = 0; j < jobs.size(); ++j) targets[j].assign(jobs[j].mats.size(), 0.0);
  for (size_t c = 0; c < curves.size(); ++c) {
    const auto [j, d] = where[c];
    const kron::CurvePoint& p = curves[c][pick[c]];
    const int64_t dense = jobs[j].rows * jobs[j].cols;
    // A hair under dense / params, so that the allocated size itself passes
    // the candidates' params × compress <= dense test.
    targets[j][d] = p.params >= dense ? 0.0 : static_cast<double>(dense) / static_cast<double>(p.params) * (1.0 - 1e-9);
  }
  return targets;
}

WeightOperator KronFactorizePass::FactorizeBudgeted(double target, const MatrixJob& job, size_t d,
                                                    KronMatrixReport* report) const {
  KronFactorizeOptions options = options_;
  if (target <= 1.0) {
    // The allocation keeps it dense: every value spent elsewhere buys less error.
    options.min_elements = std::numeric_limits<int64_t>::max();  // dense, no search
    WeightOperator op = FactorizeWith(options, job.mats[d].data(), job.rows, job.cols, job.gates, report);
    if (job.rows * job.cols >= options_.min_elements) {
      report->note = fmt::format("kept dense by the {:.3g}x budget: it buys the least error elsewhere", effective_compress_);
    }
    return op;
  }
  options.compress = target;
  WeightOperator op = FactorizeWith(options, job.mats[d].data(), job.rows, job.cols, job.gates, report);
  report->note = fmt::format("{:.1f}x of the {:.3g}x budget; {}", target, effective_compress_, report->note);
  return op;
}

StatusOr<double> KronFactorizePass::CompressForTargetBytes(const Graph& graph,
                                                           const std::vector<MatrixJob>& jobs) const {
  int64_t all = 0, candidates = 0;
  for (const Tensor& t : graph.tensors()) {
    if (t.is_constant() && t.dtype == DType::kFloat32) all += t.num_elements();
  }
  for (const MatrixJob& job : jobs) candidates += graph.tensor(job.tensor).num_elements();
  const int64_t others = all - candidates;  // biases and every weight no operator replaces
  const int64_t values = options_.target_bytes / 4 - others;
  if (values <= 0) {
    return InvalidInput(
        "kron-factorize: --target-bytes {} is below the {} bytes of float32 weights that are not "
        "compressed (biases, other constants); give at least {}",
        options_.target_bytes, others * 4, (others + 1) * 4);
  }
  // Within the target already: nothing to compress (1 = no budget).
  return values >= candidates ? 1.0 : static_cast<double>(candidates) / static_cast<double>(values);
}

StatusOr<bool> KronFactorizePass::Run(Graph& graph) {
  report_ = KronReport{};
  report_.options = options_;
  if (options_.mode == KronMode::kOff) return false;
  if (options_.max_rank < 1) {
    return InvalidInput("kron-factorize: --kron-max-rank must be >= 1 (got {})", options_.max_rank);
  }
  if (options_.compress != 0.0 && options_.compress <= 1.0) {
    return InvalidInput("kron-factorize: --compress must be > 1 (got {:g})", options_.compress);
  }
  if (options_.target_bytes < 0 || (options_.target_bytes > 0 && options_.compress > 0.0)) {
    return InvalidInput("kron-factorize: give either --compress N or --target-bytes B (> 0), not both");
  }
  if (options_.compress_fallback != 0.0 &&
      (options_.compress_fallback <= 1.0 || options_.compress <= 0.0)) {
    return InvalidInput(
        "kron-factorize: --compress-fallback needs --compress and must be > 1 (got {:g})",
        options_.compress_fallback);
  }
  if (options_.low_rank_max < 0) {
    return InvalidInput("kron-factorize: --kron-low-rank must be >= 0 (got {})", options_.low_rank_max);
  }
  if (!(options_.tol >= 0.0)) {
    return InvalidInput("kron-factorize: --kron-tol must be >= 0 (got {:g})", options_.tol);
  }
  if (options_.compress_fallback > 0.0 && options_.mode == KronMode::kAuto) {
    observer().Warning(fmt::format(
        "--compress-fallback {:g} is ignored: --compress {:g} is a budget for all the candidate "
        "matrices together, spread over them by the allocation",
        options_.compress_fallback, options_.compress));
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<MatrixJob> jobs = CollectMatrices(graph);
  std::vector<std::vector<double>> targets;  // per job, per direction: compress, 0 = dense
  effective_compress_ = options_.compress;
  if (options_.mode == KronMode::kAuto && options_.target_bytes > 0) {
    TML_ASSIGN_OR_RETURN(effective_compress_, CompressForTargetBytes(graph, jobs));
  }
  if (options_.mode == KronMode::kAuto && effective_compress_ > 1.0) targets = AllocateTargets(jobs);
  bool changed = false;
  for (size_t j = 0; j < jobs.size(); ++j) {
    MatrixJob& job = jobs[j];
    Node& node = graph.nodes()[job.node];
    WeightOperatorSet set;
    set.input = job.input;
    bool all = true;
    std::vector<KronMatrixReport> reports;
    for (size_t d = 0; d < job.mats.size(); ++d) {
      KronMatrixReport r;
      r.node = node.name;
      r.op = OpKindName(node.op);
      r.input = job.label;
      r.tensor = graph.tensor(job.tensor).name;
      r.direction = static_cast<int>(d);
      if (targets.empty()) {
        set.per_direction.push_back(FactorizeMatrix(job.mats[d].data(), job.rows, job.cols, job.gates, &r));
      } else {
        set.per_direction.push_back(FactorizeBudgeted(targets[j][d], job, d, &r));
      }
      all = all && !set.per_direction.back().is_dense();
      reports.push_back(std::move(r));
    }
    if (all) {
      std::vector<std::string> layouts;
      for (const KronMatrixReport& r : reports) layouts.push_back(r.layout);
      set.note = fmt::format("{}", fmt::join(layouts, ", "));
      node.weight_ops.push_back(std::move(set));
      changed = true;
    } else if (job.mats.size() > 1) {
      // One operator set covers every direction; a partly dense set is not
      // representable, so all directions stay dense.
      for (KronMatrixReport& r : reports) {
        if (r.layout != "dense") {
          r.note = "kept dense: another direction of this weight does not factorize";
          r.layout = "dense";
          r.blocks.clear();
          r.params_after = r.params_before;
          r.macs_after = r.macs_before;
          r.compression = 1.0;
          r.relative_error = 0.0;
          r.exact = false;
        }
      }
    }
    for (KronMatrixReport& r : reports) report_.matrices.push_back(std::move(r));
  }
  report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return changed;
}

int64_t KronReport::ParamsBefore() const {
  int64_t n = 0;
  for (const KronMatrixReport& m : matrices) n += m.params_before;
  return n;
}
int64_t KronReport::ParamsAfter() const {
  int64_t n = 0;
  for (const KronMatrixReport& m : matrices) n += m.params_after;
  return n;
}
int64_t KronReport::MacsBefore() const {
  int64_t n = 0;
  for (const KronMatrixReport& m : matrices) n += m.macs_before;
  return n;
}
int64_t KronReport::MacsAfter() const {
  int64_t n = 0;
  for (const KronMatrixReport& m : matrices) n += m.macs_after;
  return n;
}

nlohmann::json KronReport::ToJson() const {
  nlohmann::json j;
  j["mode"] = KronModeName(options.mode);
  j["tol"] = options.tol;
  j["max_rank"] = options.max_rank;
  j["compress"] = options.compress;
  j["compress_fallback"] = options.compress_fallback;
  j["target_bytes"] = options.target_bytes;
  j["cost"] = options.cost == KronCost::kParams ? "params" : "macs";
  j["seconds"] = seconds;
  j["params_before"] = ParamsBefore();
  j["params_after"] = ParamsAfter();
  j["macs_before"] = MacsBefore();
  j["macs_after"] = MacsAfter();
  nlohmann::json list = nlohmann::json::array();
  for (const KronMatrixReport& m : matrices) {
    nlohmann::json e;
    e["node"] = m.node;
    e["op"] = m.op;
    e["input"] = m.input;
    e["tensor"] = m.tensor;
    e["direction"] = m.direction;
    e["shape"] = {m.rows, m.cols};
    e["layout"] = m.layout;
    nlohmann::json blocks = nlohmann::json::array();
    for (const KronBlockReport& b : m.blocks) {
      blocks.push_back({{"rows", b.rows},
                        {"cols", b.cols},
                        {"a_shape", {b.shape.m1, b.shape.n1}},
                        {"b_shape", {b.shape.m2, b.shape.n2}},
                        {"rank", b.rank},
                        {"order", b.order == kron::KronOrder::kXBtFirst ? "XBt_first" : "AX_first"},
                        {"relative_error", b.relative_error},
                        {"sigma_ratio", b.sigma_ratio},
                        {"exact", b.exact}});
    }
    e["blocks"] = blocks;
    e["factors"] = m.FactorText();
    e["params_before"] = m.params_before;
    e["params_after"] = m.params_after;
    e["compression"] = m.compression;
    e["relative_error"] = m.relative_error;
    e["exact"] = m.exact;
    e["macs_before"] = m.macs_before;
    e["macs_after"] = m.macs_after;
    e["stacked_best"] = m.stacked_best;
    e["per_gate_best"] = m.per_gate_best;
    e["note"] = m.note;
    e["seconds"] = m.seconds;
    list.push_back(std::move(e));
  }
  j["matrices"] = std::move(list);
  return j;
}

std::string KronReport::ToTable() const {
  std::string out = fmt::format(
      "kron-factorize ({}, tol {:g}, max rank {}{}): {} matrices in {:.2f} s\n", KronModeName(options.mode),
      options.tol, options.max_rank,
      options.target_bytes > 0 ? fmt::format(", target {} bytes", options.target_bytes) :
      options.compress > 0.0 ? fmt::format(", compress {:g}x{}", options.compress,
                                           options.compress_fallback > 0.0
                                               ? fmt::format(" (fallback {:g}x)", options.compress_fallback)
                                               : std::string())
                             : std::string(),
      matrices.size(), seconds);
  out += fmt::format("{:<16} {:<6} {:<6} {:>3} {:>11} {:<9} {:<34} {:>9} {:>9} {:>7} {:>9} {:<6} {:>9} {:>9}  {}\n",
                     "node", "op", "in", "dir", "shape", "layout", "factors", "params", "-> params",
                     "x", "rel.err", "exact", "MACs", "-> MACs", "note");
  for (const KronMatrixReport& m : matrices) {
    out += fmt::format("{:<16} {:<6} {:<6} {:>3} {:>11} {:<9} {:<34} {:>9} {:>9} {:>7.1f} {:>9.2e} {:<6} {:>9} {:>9}  {}\n",
                       m.node.substr(0, 16), m.op, m.input, m.direction,
                       fmt::format("{}x{}", m.rows, m.cols), m.layout, m.FactorText(), m.params_before,
                       m.params_after, m.compression, m.relative_error,
                       m.layout == "dense" ? "-" : (m.exact ? "exact" : "approx"), m.macs_before,
                       m.macs_after, m.note);
  }
  const int64_t before = ParamsBefore(), after = ParamsAfter();
  out += fmt::format("total: {} -> {} weight values ({:.1f}x), {} -> {} MACs per step\n", before, after,
                     static_cast<double>(before) / static_cast<double>(std::max<int64_t>(1, after)),
                     MacsBefore(), MacsAfter());
  return out;
}

}  // namespace tml
