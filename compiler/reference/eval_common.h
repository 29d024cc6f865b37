// Helpers shared by the Eval<Family> functions of the reference interpreter.
//
// Tensors keep float data in `f32` and integer data (int64, int32, bool, ...)
// in `i64`, chosen by `dtype`. Evals that ONNX defines for both are written
// once as a template over T = float or int64_t and dispatched on the dtype
// with Data<T>/MutableData<T>. Shapes were checked by Prepare, so these
// helpers do no validation.
#ifndef TML_COMPILER_REFERENCE_EVAL_COMMON_H_
#define TML_COMPILER_REFERENCE_EVAL_COMMON_H_

#include <cstdint>
#include <vector>

#include "compiler/ir/tensor.h"

namespace tml {

template <typename T>
const std::vector<T>& Data(const Tensor& t);
template <>
inline const std::vector<float>& Data<float>(const Tensor& t) {
  return t.f32;
}
template <>
inline const std::vector<int64_t>& Data<int64_t>(const Tensor& t) {
  return t.i64;
}

// The output buffer of `t`, resized to its element count.
template <typename T>
std::vector<T>& MutableData(Tensor& t);
template <>
inline std::vector<float>& MutableData<float>(Tensor& t) {
  t.f32.assign(static_cast<size_t>(t.num_elements()), 0.0f);
  t.i64.clear();
  return t.f32;
}
template <>
inline std::vector<int64_t>& MutableData<int64_t>(Tensor& t) {
  t.i64.assign(static_cast<size_t>(t.num_elements()), 0);
  t.f32.clear();
  return t.i64;
}

// Row-major strides of `shape` (in elements).
inline std::vector<int64_t> Strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

// Product of shape[begin, end).
inline int64_t DimProduct(const Shape& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) n *= shape[i];
  return n;
}

// For each element of a tensor of shape `out` (row-major order), the flat
// offset of the element of a tensor of shape `in` that broadcasts onto it
// (numpy rules: `in` aligned at the last dimension, size-1 dims repeat).
inline std::vector<int64_t> BroadcastOffsets(const Shape& in, const Shape& out) {
  const size_t rank = out.size();
  const size_t lead = rank - in.size();
  // Stride of `in` along each output dim; 0 where `in` repeats.
  std::vector<int64_t> in_strides(rank, 0);
  const std::vector<int64_t> strides = Strides(in);
  for (size_t i = 0; i < in.size(); ++i) in_strides[lead + i] = in[i] == 1 ? 0 : strides[i];
  const int64_t total = NumElements(out);
  std::vector<int64_t> offsets(static_cast<size_t>(total));
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t n = 0; n < total; ++n) {
    offsets[static_cast<size_t>(n)] = offset;
    // Odometer increment over the output index, keeping `offset` in step.
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out[d]) {
        offset += in_strides[d];
        break;
      }
      offset -= in_strides[d] * (out[d] - 1);
      index[d] = 0;
    }
  }
  return offsets;
}

}  // namespace tml

#endif  // TML_COMPILER_REFERENCE_EVAL_COMMON_H_
