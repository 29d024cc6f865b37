// LanguageModelLoss (passes/finetune_loss.h): the value against a direct
// computation of KL + cross-entropy, the gradient against finite differences,
// and the fixed points (student == teacher, no labels: zero loss, zero gradient).
#include "passes/finetune_loss.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace tml {
namespace {

constexpr size_t kPositions = 4;
constexpr size_t kVocab = 5;

std::vector<double> LogSoftmax(const float* z) {
  double mx = z[0];
  for (size_t q = 1; q < kVocab; ++q) mx = std::max(mx, static_cast<double>(z[q]));
  double sum = 0;
  for (size_t q = 0; q < kVocab; ++q) sum += std::exp(z[q] - mx);
  std::vector<double> out(kVocab);
  for (size_t q = 0; q < kVocab; ++q) out[q] = z[q] - mx - std::log(sum);
  return out;
}

// KL(teacher || student) + w * CE(next token), averaged over positions, written out plainly.
double DirectLoss(const std::vector<float>& s, const std::vector<float>& t, const std::vector<int64_t>& tok,
                  double w) {
  double total = 0;
  for (size_t p = 0; p < kPositions; ++p) {
    const std::vector<double> ls = LogSoftmax(&s[p * kVocab]);
    const std::vector<double> lt = LogSoftmax(&t[p * kVocab]);
    for (size_t q = 0; q < kVocab; ++q) total += std::exp(lt[q]) * (lt[q] - ls[q]);
    if (p + 1 < kPositions) total -= w * ls[static_cast<size_t>(tok[p + 1])];
  }
  return total / kPositions;
}

struct Window {
  std::vector<float> student, teacher;
  std::vector<int64_t> tokens{3, 1, 4, 0};
};

Window RandomWindow(unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 2.0f);
  Window w;
  for (size_t i = 0; i < kPositions * kVocab; ++i) {
    w.student.push_back(n(rng));
    w.teacher.push_back(n(rng));
  }
  return w;
}

TEST(LanguageModelLossTest, ValueIsKlPlusWeightedNextTokenCrossEntropy) {
  const Window w = RandomWindow(1);
  std::vector<float> dy(w.student.size());
  for (double ce : {0.0, 0.5, 1.0}) {
    const double loss = LanguageModelLoss(w.student.data(), w.teacher.data(), kPositions, kVocab,
                                          w.tokens.data(), ce, 1.0, dy.data());
    EXPECT_NEAR(loss, DirectLoss(w.student, w.teacher, w.tokens, ce), 1e-9) << "ce_weight " << ce;
  }
  // Without tokens there is no cross-entropy term whatever the weight.
  EXPECT_NEAR(LanguageModelLoss(w.student.data(), w.teacher.data(), kPositions, kVocab, nullptr, 1.0, 1.0,
                                dy.data()),
              DirectLoss(w.student, w.teacher, w.tokens, 0.0), 1e-9);
}

TEST(LanguageModelLossTest, GradientMatchesFiniteDifferencesAndIsScaled) {
  Window w = RandomWindow(2);
  std::vector<float> dy(w.student.size()), scaled(w.student.size()), unused(w.student.size());
  LanguageModelLoss(w.student.data(), w.teacher.data(), kPositions, kVocab, w.tokens.data(), 0.7, 1.0, dy.data());
  LanguageModelLoss(w.student.data(), w.teacher.data(), kPositions, kVocab, w.tokens.data(), 0.7, 0.25,
                    scaled.data());
  for (size_t i = 0; i < w.student.size(); ++i) {
    const float keep = w.student[i];
    const float h = 1e-2f;
    w.student[i] = keep + h;
    const double up = DirectLoss(w.student, w.teacher, w.tokens, 0.7);
    w.student[i] = keep - h;
    const double down = DirectLoss(w.student, w.teacher, w.tokens, 0.7);
    w.student[i] = keep;
    EXPECT_NEAR(dy[i], (up - down) / (2 * h), 2e-4) << "logit " << i;
    EXPECT_NEAR(scaled[i], 0.25 * dy[i], 1e-7) << "logit " << i;
  }
}

TEST(LanguageModelLossTest, StudentEqualToTeacherWithoutLabelsIsAFixedPoint) {
  const Window w = RandomWindow(3);
  std::vector<float> dy(w.student.size(), 9.0f);
  const double loss = LanguageModelLoss(w.teacher.data(), w.teacher.data(), kPositions, kVocab, nullptr, 1.0,
                                        1.0, dy.data());
  EXPECT_NEAR(loss, 0.0, 1e-12);
  for (float g : dy) EXPECT_NEAR(g, 0.0f, 1e-7f);
}

TEST(LanguageModelLossTest, TokenIdsOutsideTheVocabularyGiveNoLabel) {
  Window w = RandomWindow(4);
  std::vector<float> dy(w.student.size());
  const std::vector<int64_t> bad{0, -1, 99, 7};
  const double with_bad = LanguageModelLoss(w.student.data(), w.teacher.data(), kPositions, kVocab, bad.data(),
                                            1.0, 1.0, dy.data());
  EXPECT_NEAR(with_bad, DirectLoss(w.student, w.teacher, w.tokens, 0.0), 1e-9);
}

}  // namespace
}  // namespace tml
