// The anomaly score in the generated C (`compile --anomaly`): the score of a
// sample is the mean squared reconstruction error of an autoencoder,
//   score = (1/n) Σ_i (output_i − input_i)²
// (verification/anomaly_metrics.h computes the same on the host), and the
// generated sources get, next to NAME_invoke:
//   #define NAME_ANOMALY_THRESHOLD <float>
//   int NAME_score(const float *input, float *score);
//       Runs NAME_invoke on `input` (NAME_INPUT_SIZE floats) and writes its
//       score; returns NAME_invoke's status. Uses a static buffer of
//       NAME_OUTPUT_SIZE floats for the reconstruction (not reentrant).
#ifndef TML_CODEGEN_ANOMALY_SCORER_H_
#define TML_CODEGEN_ANOMALY_SCORER_H_

#include <string>

#include "compiler/status.h"

namespace tml::codegen {

// Adds NAME_ANOMALY_THRESHOLD / NAME_score to the generated NAME.h (before its
// closing extern "C" block) and NAME.c (appended). `note` goes into the
// comment (how the threshold was set). InvalidInput when the header does not
// have the expected shape.
Status AddAnomalyScorer(const std::string& name, double threshold, const std::string& note,
                        std::string* header, std::string* source);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_ANOMALY_SCORER_H_
