#include "verification/compare.h"

#include <algorithm>
#include <cmath>

namespace tml::verification {
namespace {

// The metrics of output `ref` (all samples) against the firmware's values at
// `offset` of each sample; counts label hits of the first output's first row.
OutputMetrics CompareOne(const Tensor& ref, const std::vector<std::vector<float>>& got, int64_t samples,
                         int64_t offset, const std::vector<int64_t>* labels, int64_t* correct) {
  const int64_t per = ref.num_elements() / samples;
  OutputMetrics m;
  m.name = ref.name;
  m.samples = samples;
  const int64_t last = ref.shape.size() > 1 ? ref.shape.back() : 1;
  m.classifier = last > 1 && per == last;  // one class vector per sample
  double sum_sq_err = 0, sum_sq_ref = 0;
  for (int64_t s = 0; s < samples; ++s) {
    for (int64_t k = 0; k < per; ++k) {
      const double r = ref.f32[s * per + k];
      const double g = got[s][static_cast<size_t>(offset + k)];
      const double e = std::fabs(g - r);
      m.max_abs = std::isnan(e) ? INFINITY : std::max(m.max_abs, e);
      m.max_ref = std::max(m.max_ref, std::fabs(r));
      sum_sq_err += e * e;
      sum_sq_ref += r * r;
    }
    if (!m.classifier) continue;
    for (int64_t row = 0; row < per / last; ++row) {
      const float* rp = ref.f32.data() + s * per + row * last;
      const float* gp = got[s].data() + offset + row * last;
      const int64_t ra = std::max_element(rp, rp + last) - rp;
      const int64_t ga = std::max_element(gp, gp + last) - gp;
      m.top1_agree += ra == ga;
      ++m.rows;
      if (labels != nullptr && row == 0 && ga == (*labels)[s]) ++*correct;
    }
  }
  const double count = static_cast<double>(samples * per);
  m.rmse = std::sqrt(sum_sq_err / std::max(count, 1.0));
  m.snr_db = Db(sum_sq_ref, sum_sq_err);
  m.relative = m.max_ref > 0 ? m.max_abs / m.max_ref : m.max_abs;
  return m;
}

}  // namespace

double Db(double signal, double noise) {
  if (noise == 0) return INFINITY;
  if (signal == 0) return -INFINITY;
  return 10.0 * std::log10(signal / noise);
}

Comparison CompareOutputs(const std::vector<Tensor>& reference,
                          const std::vector<std::vector<float>>& got, int64_t samples,
                          const std::vector<int64_t>& labels) {
  Comparison c;
  int64_t offset = 0;
  for (size_t o = 0; o < reference.size(); ++o) {
    const std::vector<int64_t>* l = o == 0 && !labels.empty() ? &labels : nullptr;
    c.outputs.push_back(CompareOne(reference[o], got, samples, offset, l, &c.correct));
    offset += reference[o].num_elements() / samples;
  }
  c.has_accuracy = !labels.empty();
  return c;
}

double Top1Accuracy(const Tensor& output, const Tensor& labels) {
  if (labels.dtype != DType::kInt64 || output.shape.empty() || output.dtype != DType::kFloat32) return -1.0;
  const int64_t n = output.shape[0];
  if (n <= 0 || labels.num_elements() != n) return -1.0;
  const int64_t per = output.num_elements() / n;
  if (per < 2 || per != output.shape.back()) return -1.0;  // one class vector per sample
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = output.f32.data() + i * per;
    correct += (std::max_element(row, row + per) - row) == labels.i64[static_cast<size_t>(i)] ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace tml::verification
