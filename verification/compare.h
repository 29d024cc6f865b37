// Comparison of the firmware's outputs with the reference interpreter's
// (verify step 4): per output max abs error, RMSE, SNR, relative error and
// top-1 agreement, and top-1 accuracy against integer labels.
#ifndef TML_VERIFICATION_COMPARE_H_
#define TML_VERIFICATION_COMPARE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ir/tensor.h"

namespace tml::verification {

struct OutputMetrics {
  std::string name;
  double max_abs = 0, rmse = 0, snr_db = 0, max_ref = 0;
  double relative = 0;  // max_abs / max_ref (max_abs when the reference is all 0)
  // One class vector per sample (last dim > 1 and it is the whole output):
  // top1_agree of rows argmax-agree with the reference.
  bool classifier = false;
  int64_t top1_agree = 0, rows = 0, samples = 0;
};

struct Comparison {
  std::vector<OutputMetrics> outputs;
  bool has_accuracy = false;  // labels given (and not an anomaly model)
  int64_t correct = 0;        // samples whose first output's argmax equals the label
};

// `reference[o]` holds output o for all samples ([N, ...]); `got[s]` the
// firmware's outputs of sample s, all outputs back to back. `labels` (may be
// empty) are the samples' classes.
Comparison CompareOutputs(const std::vector<Tensor>& reference,
                          const std::vector<std::vector<float>>& got, int64_t samples,
                          const std::vector<int64_t>& labels);

// 10·log10(signal / noise), +inf without noise, -inf without signal.
double Db(double signal, double noise);

// Top-1 accuracy of an [N, classes] output against N integer labels; -1 when
// the output is not one class vector per sample (an autoencoder's, say).
double Top1Accuracy(const Tensor& output, const Tensor& labels);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_COMPARE_H_
