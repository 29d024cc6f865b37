// Collapse: a compressed model whose output no longer depends on its input
// (the same reconstruction or the same logits for every sample) can still show
// a small training loss. Two signs give it away, checked after fine-tuning
// (passes/finetune) and by verification's "collapse" gate:
//   - the spread of the outputs across samples (per output element, the
//     standard deviation over samples, averaged) is below 1 % of the
//     original model's on the same samples;
//   - the task figure is worse than a trivial predictor's while the original's
//     is better (majority class, unigram next-token distribution, AUC 0.5,
//     the mean output).
#ifndef TML_COMPILER_TASK_COLLAPSE_H_
#define TML_COMPILER_TASK_COLLAPSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tml {

inline constexpr double kCollapseSpreadFraction = 0.01;

// `outputs` holds `samples` outputs back to back; 0 for fewer than 2 samples.
double OutputSpread(const std::vector<float>& outputs, int64_t samples);

struct CollapseCheck {
  bool collapsed = false;
  double spread = 0.0, original_spread = 0.0;
  bool worse_than_trivial = false;
  std::string trivial_detail;  // "perplexity 31.2 >= 30.9 of the unigram predictor"
  // One line: what collapsed and by how much (empty when not collapsed).
  std::string Describe() const;
};

// The spread test on the two models' outputs on the same samples, plus the
// trivial-predictor verdict when the caller has one (`trivial_detail` says it).
CollapseCheck CheckCollapse(const std::vector<float>& outputs,
                            const std::vector<float>& original_outputs, int64_t samples,
                            bool worse_than_trivial = false, const std::string& trivial_detail = "");

// Trivial predictors' figures on labels:
// the accuracy of always answering the most frequent class;
double MajorityClassAccuracy(const std::vector<int64_t>& labels);
// the perplexity of predicting every token from the labels' own unigram
// frequencies (a lower bound for any context-free predictor of them).
double UnigramPerplexity(const std::vector<int64_t>& labels);
// The perplexity on `tokens` of the unigram frequencies of `train` (add-one
// smoothed over `vocab` symbols): the trivial predictor out of sample.
double HeldOutUnigramPerplexity(const std::vector<int64_t>& train, const std::vector<int64_t>& tokens,
                                int64_t vocab);
// True when `outputs` are further from `reference` (mean squared) than the
// per-element mean of `reference` over the samples is: worse than a constant.
bool WorseThanMeanPredictor(const std::vector<float>& outputs, const std::vector<float>& reference,
                            int64_t samples);

}  // namespace tml

#endif  // TML_COMPILER_TASK_COLLAPSE_H_
