// Anomaly detection with an autoencoder (`compile --anomaly`, `verify` with
// labels): the score of a sample is the mean squared reconstruction error
//   score = (1/n) Σ_i (output_i − input_i)²
// over its n input values (the model's output must have the input's shape).
// The threshold is a percentile of the scores of normal calibration data
// (--calib, --anomaly-percentile, default 99): a sample scoring above it is
// an anomaly. Label 1 = anomaly, 0 = normal.
//
// The generated C's NAME_score() computes the same score
// (codegen/anomaly_scorer.h).
#ifndef TML_VERIFICATION_ANOMALY_METRICS_H_
#define TML_VERIFICATION_ANOMALY_METRICS_H_

#include <cstdint>
#include <string>
#include <vector>


namespace tml::verification {

// Scores of `samples` rows: input and output both hold samples × per floats.
std::vector<double> ReconstructionScores(const std::vector<float>& input,
                                         const std::vector<float>& output, int64_t samples);

// The p-th percentile (0 ≤ p ≤ 100) with linear interpolation between order
// statistics (NumPy's default). `values` must not be empty.
double Percentile(std::vector<double> values, double p);

// ROC AUC of `scores` against `labels` (1 = positive): the probability that a
// random anomaly scores above a random normal sample, ties counting ½
// (Mann–Whitney U). NaN when one of the classes is empty.
double RocAuc(const std::vector<double>& scores, const std::vector<int64_t>& labels);

struct AnomalyMetrics {
  double threshold = 0.0;
  double auc = 0.0;
  int64_t true_positives = 0, false_positives = 0, true_negatives = 0, false_negatives = 0;
  double precision = 0.0;            // TP / (TP + FP); 0 when nothing is flagged
  double recall = 0.0;               // TP / (TP + FN): share of anomalies detected
  double false_positive_rate = 0.0;  // FP / (FP + TN): false alarms
};

// score > threshold = anomaly. labels.size() must equal scores.size().
AnomalyMetrics EvaluateAnomaly(const std::vector<double>& scores,
                               const std::vector<int64_t>& labels, double threshold);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_ANOMALY_METRICS_H_
