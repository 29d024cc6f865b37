#include "compiler/task/held_out_figure.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "compiler/task/collapse.h"

namespace tml {
namespace {

int64_t Argmax(const float* v, int64_t n) { return std::max_element(v, v + n) - v; }

std::vector<float> Flatten(const std::vector<const Tensor*>& ts) {
  std::vector<float> flat;
  for (const Tensor* t : ts) flat.insert(flat.end(), t->f32.begin(), t->f32.end());
  return flat;
}

// Cross-entropy (nats) summed over the positions t < T - 1 of one sample's
// logits [T, V] against the input's next token; adds the count to *positions.
double NextTokenNll(const Tensor& logits, const Tensor& input, int64_t* positions) {
  const int64_t v = logits.shape.empty() ? 0 : logits.shape.back();
  const int64_t t = v > 0 ? logits.num_elements() / v : 0;
  double nll = 0.0;
  for (int64_t p = 0; p + 1 < t && p + 1 < static_cast<int64_t>(input.i64.size()); ++p) {
    const int64_t next = input.i64[static_cast<size_t>(p + 1)];
    if (next < 0 || next >= v) continue;
    const float* row = logits.f32.data() + p * v;
    const float mx = *std::max_element(row, row + v);
    double sum = 0.0;
    for (int64_t k = 0; k < v; ++k) sum += std::exp(static_cast<double>(row[k]) - mx);
    nll += std::log(sum) - (static_cast<double>(row[next]) - mx);
    ++*positions;
  }
  return nll;
}

HeldOutFigure LanguageModelFigure(const std::vector<const Tensor*>& inputs,
                                  const std::vector<const Tensor*>& student,
                                  const std::vector<const Tensor*>& teacher,
                                  const std::vector<int64_t>& train_tokens) {
  HeldOutFigure f;
  f.name = "perplexity";
  double s_nll = 0.0, t_nll = 0.0;
  int64_t s_n = 0, t_n = 0;
  std::vector<int64_t> next_tokens;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i]->dtype != DType::kInt64) continue;
    s_nll += NextTokenNll(*student[i], *inputs[i], &s_n);
    t_nll += NextTokenNll(*teacher[i], *inputs[i], &t_n);
    next_tokens.insert(next_tokens.end(), inputs[i]->i64.begin() + 1, inputs[i]->i64.end());
  }
  f.value = s_n > 0 ? std::exp(s_nll / static_cast<double>(s_n)) : NAN;
  f.original = t_n > 0 ? std::exp(t_nll / static_cast<double>(t_n)) : NAN;
  f.text = fmt::format("perplexity {:.4f} (original {:.4f}), cross-entropy {:.4f} nats", f.value,
                       f.original, std::log(f.value));
  const int64_t vocab = student.empty() || student[0]->shape.empty() ? 0 : student[0]->shape.back();
  const double unigram = train_tokens.empty() ? UnigramPerplexity(next_tokens)
                                              : HeldOutUnigramPerplexity(train_tokens, next_tokens, vocab);
  f.worse_than_trivial = f.value >= unigram && f.original < unigram;
  f.trivial_detail = fmt::format("perplexity {:.4g} >= {:.4g} of the unigram predictor", f.value, unigram);
  return f;
}

HeldOutFigure ClassifierFigure(const std::vector<const Tensor*>& student,
                               const std::vector<const Tensor*>& teacher,
                               const std::vector<int64_t>& labels) {
  HeldOutFigure f;
  f.name = "top-1 agreement";
  f.higher_is_better = true;
  f.original = 1.0;
  int64_t agree = 0, correct = 0, teacher_correct = 0;
  for (size_t i = 0; i < student.size(); ++i) {
    const int64_t n = student[i]->num_elements();
    const int64_t s = Argmax(student[i]->f32.data(), n);
    agree += s == Argmax(teacher[i]->f32.data(), n);
    if (!labels.empty()) {
      correct += s == labels[i];
      teacher_correct += Argmax(teacher[i]->f32.data(), n) == labels[i];
    }
  }
  const double count = static_cast<double>(std::max<size_t>(student.size(), 1));
  f.value = static_cast<double>(agree) / count;
  f.text = fmt::format("top-1 agreement {:.4f}", f.value);
  if (!labels.empty()) {
    const double accuracy = static_cast<double>(correct) / count;
    const double original = static_cast<double>(teacher_correct) / count;
    const double majority = MajorityClassAccuracy(labels);
    f.text += fmt::format(", accuracy {:.4f} (original {:.4f})", accuracy, original);
    f.worse_than_trivial = accuracy <= majority && original > majority;
    f.trivial_detail = fmt::format("accuracy {:.4f} <= {:.4f} of always answering the majority class",
                                   accuracy, majority);
  }
  return f;
}

}  // namespace

HeldOutFigure ComputeHeldOutFigure(Task task, const std::vector<const Tensor*>& inputs,
                                   const std::vector<const Tensor*>& student,
                                   const std::vector<const Tensor*>& teacher,
                                   const std::vector<int64_t>& labels,
                                   const std::vector<int64_t>& train_tokens) {
  if (task == Task::kLanguageModel) return LanguageModelFigure(inputs, student, teacher, train_tokens);
  if (task == Task::kClassifier) return ClassifierFigure(student, teacher, labels);
  const std::vector<float> s = Flatten(student), t = Flatten(teacher);
  const int64_t samples = static_cast<int64_t>(student.size());
  HeldOutFigure f;
  if (task == Task::kAnomaly && !inputs.empty() && inputs[0]->dtype == DType::kFloat32 &&
      Flatten(inputs).size() == s.size()) {
    const std::vector<float> x = Flatten(inputs);
    double s_score = 0.0, t_score = 0.0;
    for (size_t k = 0; k < x.size(); ++k) {
      s_score += (x[k] - static_cast<double>(s[k])) * (x[k] - static_cast<double>(s[k]));
      t_score += (x[k] - static_cast<double>(t[k])) * (x[k] - static_cast<double>(t[k]));
    }
    f.name = "reconstruction score";
    f.value = s_score / static_cast<double>(std::max<size_t>(x.size(), 1));
    f.original = t_score / static_cast<double>(std::max<size_t>(x.size(), 1));
    f.text = fmt::format("reconstruction score {:.4g} (original {:.4g})", f.value, f.original);
  } else {
    double err = 0.0, energy = 0.0;
    for (size_t k = 0; k < t.size() && k < s.size(); ++k) {
      err += (s[k] - static_cast<double>(t[k])) * (s[k] - static_cast<double>(t[k]));
      energy += static_cast<double>(t[k]) * t[k];
    }
    f.name = "relative error";
    f.value = std::sqrt(err / std::max(energy, 1e-30));
    f.text = fmt::format("relative error {:.4f}, SNR {:.1f} dB", f.value,
                         10.0 * std::log10(std::max(energy, 1e-30) / std::max(err, 1e-30)));
  }
  f.worse_than_trivial = WorseThanMeanPredictor(s, t, samples);
  f.trivial_detail = "further from the original's outputs than their mean over the samples is";
  return f;
}

}  // namespace tml
