// SHA-256 of a data file, for the JSON report: which calibration, label and
// test files a verification used, so a report can be tied to its data.
#ifndef TML_VERIFICATION_FILE_DIGEST_H_
#define TML_VERIFICATION_FILE_DIGEST_H_

#include <string>

#include "compiler/status.h"

namespace tml::verification {

// Lower-case hex digest of the file's bytes (OpenSSL's EVP SHA-256).
StatusOr<std::string> Sha256File(const std::string& path);

}  // namespace tml::verification

#endif  // TML_VERIFICATION_FILE_DIGEST_H_
