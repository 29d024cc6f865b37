#include "passes/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "compiler/npy.h"
#include "compiler/reference/run_batch.h"

namespace tml {

StatusOr<CalibMethod> ParseCalibMethod(const std::string& text) {
  CalibMethod m;
  if (text == "minmax") return m;
  if (text.rfind("percentile", 0) == 0) {
    m.method = RangeMethod::kPercentile;
    const std::string rest = text.substr(10);
    if (rest.empty()) return m;
    if (rest[0] == ':' && rest.size() > 1) {
      char* end = nullptr;
      const double p = std::strtod(rest.c_str() + 1, &end);
      if (end != nullptr && *end == '\0' && p > 0.0 && p <= 100.0) {
        m.percentile = p;
        return m;
      }
    }
  }
  return InvalidInput("--calib-method {}: expected minmax, percentile or percentile:P with P in (0, 100]",
                      text);
}

Range CalibrationRange(const std::vector<float>& values, RangeMethod method, double percentile) {
  Range r;
  if (values.empty()) return r;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  r.min = *lo;
  r.max = *hi;
  if (method == RangeMethod::kPercentile) {
    std::vector<float> mag(values.size());
    for (size_t k = 0; k < values.size(); ++k) mag[k] = std::abs(values[k]);
    const double p = std::clamp(percentile, 0.0, 100.0) / 100.0;
    const size_t idx = std::min(mag.size() - 1, static_cast<size_t>(p * (mag.size() - 1) + 0.5));
    std::nth_element(mag.begin(), mag.begin() + static_cast<std::ptrdiff_t>(idx), mag.end());
    const float bound = mag[idx];
    r.min = std::max(r.min, -bound);
    r.max = std::min(r.max, bound);
  }
  return r;
}

namespace {

// At most `max` samples of `t` (first axis), evenly spaced, first and last included.
Tensor EvenlySpacedSamples(const Tensor& t, int64_t max) {
  const int64_t n = t.shape.empty() ? 0 : t.shape[0];
  if (n <= max || max < 2) return t;
  const int64_t per = t.num_elements() / n;
  Tensor out = t;
  out.shape[0] = max;
  out.f32.clear();
  out.i64.clear();
  for (int64_t k = 0; k < max; ++k) {
    const int64_t s = k * (n - 1) / (max - 1);
    if (!t.f32.empty()) out.f32.insert(out.f32.end(), t.f32.begin() + s * per, t.f32.begin() + (s + 1) * per);
    if (!t.i64.empty()) out.i64.insert(out.i64.end(), t.i64.begin() + s * per, t.i64.begin() + (s + 1) * per);
  }
  return out;
}

bool IsRecurrent(const Node& node) {
  return node.op == OpKind::kLstm || node.op == OpKind::kGru || node.op == OpKind::kRnn;
}

}  // namespace

Status CalibrateInt8(Graph* graph, const std::vector<Tensor>& data,
                     const std::vector<std::string>& labels, std::string* summary,
                     const CalibMethod& method) {
  std::vector<size_t> fc;
  for (size_t i = 0; i < graph->nodes().size(); ++i) {
    const Node& node = graph->nodes()[i];
    const std::string why = Int8Unsupported(*graph, node);
    if (!why.empty()) {
      return InvalidInput("{}: cannot run under --quantize int8: {}", node.Describe(), why);
    }
    if (node.op == OpKind::kGemm || node.op == OpKind::kMatMul || IsRecurrent(node)) {
      fc.push_back(i);
    }
  }
  if (fc.empty()) {
    return InvalidInput("--quantize int8: the model has no fully connected or recurrent layer");
  }
  // Run the reference with every FC input and output as a graph output.
  Graph probe = *graph;
  probe.outputs().clear();
  for (size_t i : fc) {
    probe.outputs().push_back(graph->nodes()[i].input(0));
    const Node& node = graph->nodes()[i];
    probe.outputs().push_back(IsRecurrent(node) ? node.input(0) : node.output(0));
  }
  TML_ASSIGN_OR_RETURN(std::vector<Tensor> values, RunBatch(probe, data, labels));
  summary->clear();
  for (size_t k = 0; k < fc.size(); ++k) {
    Node& node = graph->nodes()[fc[k]];
    const Range in = CalibrationRange(values[2 * k].f32, method.method, method.percentile);
    const Range out = CalibrationRange(values[2 * k + 1].f32, method.method, method.percentile);
    const AffineQuant qi = ChooseAffineInt8(in);
    // LSTM/GRU/RNN: only X is calibrated (h is int8 at 2^-7, c int16 Q4.11).
    const AffineQuant qo = IsRecurrent(node) ? AffineQuant{} : ChooseAffineInt8(out);
    WriteInt8Plan({qi, qo}, &node);
    if (IsRecurrent(node)) {
      *summary += fmt::format("  {}: input [{:.4g}, {:.4g}] scale {:.4g} zp {}; h int8 2^-7, {}gates "
                              "Q3.12\n",
                              node.Describe(), in.min, in.max, qi.scale, qi.zero_point,
                              node.op == OpKind::kLstm ? "c int16 Q4.11, " : "");
      continue;
    }
    *summary += fmt::format("  {}: input [{:.4g}, {:.4g}] scale {:.4g} zp {}, output [{:.4g}, {:.4g}] "
                            "scale {:.4g} zp {}\n",
                            node.Describe(), in.min, in.max, qi.scale, qi.zero_point, out.min,
                            out.max, qo.scale, qo.zero_point);
  }
  return Status::Ok();
}

StatusOr<bool> QuantizePass::Run(Graph& graph) {
  summary_.clear();
  if (!options_.int8) return false;
  std::vector<Tensor> data = options_.calib;
  std::vector<std::string> labels = options_.calib_paths;
  if (!options_.calib_paths.empty()) {
    data.clear();
    for (const std::string& path : options_.calib_paths) {
      TML_ASSIGN_OR_RETURN(Tensor t, ReadNpy(path));
      data.push_back(std::move(t));
    }
  } else {
    labels.assign(data.size(), "calibration data");
  }
  if (data.empty()) {
    return InvalidInput("quantize: --quantize int8 needs --calib X.npy (or --test-data) for the ranges");
  }
  for (size_t i = 0; i < data.size(); ++i) {
    const int64_t bad = CountNonFinite(data[i].f32);
    if (bad > 0) {
      return InvalidInput("{}: holds {} NaN/Inf values; int8 ranges need finite calibration data", labels[i], bad);
    }
  }
  const int64_t given = data[0].shape.empty() ? 0 : data[0].shape[0];
  for (Tensor& t : data) t = EvenlySpacedSamples(t, options_.max_samples);
  std::string nodes;
  TML_RETURN_IF_ERROR(CalibrateInt8(&graph, data, labels, &nodes, options_.method));
  const CalibMethod& m = options_.method;
  const std::string how = m.method == RangeMethod::kMinMax
                              ? std::string("min/max")
                              : fmt::format("percentile {:g} of |x|", m.percentile);
  const int64_t samples = data[0].shape.empty() ? 0 : data[0].shape[0];
  const std::string of = samples < given ? fmt::format(" (evenly spaced, of {})", given) : "";
  summary_ = fmt::format("quantize int8: {} calibration samples{} ({})\n", samples, of, how) + nodes;
  return true;
}

}  // namespace tml
