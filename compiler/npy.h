// NumPy .npy files: the data format of every CLI option that takes samples
// (--input, --test-data, --calib, --labels). The first axis is samples.
//
// Reads C-order little-endian float32/float64 (into float32) and
// int8/uint8/int16/int32/int64/bool (into int64); writes float32 or int64.
// Errors name the file and say what was expected.
#ifndef TML_COMPILER_NPY_H_
#define TML_COMPILER_NPY_H_

#include <cstdint>
#include <string>

#include "compiler/ir/tensor.h"
#include "compiler/status.h"

namespace tml {

// What ReadNpy accepts from a file that may come from anyone: the header's
// shape is counted with overflow checks and must be backed by the file's
// bytes; the file and the tensor it becomes (float32 or int64 in memory) must
// each fit max_bytes. Headers over 64 KB or with more than 64 dims are refused.
struct NpyLimits {
  int64_t max_bytes = int64_t{2048} << 20;  // 2048 MB: millions of samples of any MCU model
};

StatusOr<Tensor> ReadNpy(const std::string& path, const NpyLimits& limits = {});
// The same on the file's bytes, already read (`path` names them in messages).
StatusOr<Tensor> ParseNpy(const std::string& data, const std::string& path, const NpyLimits& limits = {});

// Writes `t` (float32 or int64, per its dtype) with its shape.
Status WriteNpy(const std::string& path, const Tensor& t);

}  // namespace tml

#endif  // TML_COMPILER_NPY_H_
