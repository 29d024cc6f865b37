// Tensor: one value in the graph — a model input or output, a constant
// (weights, folded shapes), or an intermediate activation.
//
// Shapes are static: every dimension is known after import (dynamic ones are
// resolved by --input-shape or rejected). Constants keep their data in the
// tensor; float constants in `f32`, integer ones (indices, shapes) in `i64`.
#ifndef TML_COMPILER_IR_TENSOR_H_
#define TML_COMPILER_IR_TENSOR_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tml {

using Shape = std::vector<int64_t>;
using TensorId = int32_t;
inline constexpr TensorId kNoTensor = -1;

enum class DType { kFloat32, kInt64 };

enum class TensorRole {
  kInput,       // fed by the caller
  kOutput,      // read by the caller (also computed by a node)
  kConstant,    // data known at compile time
  kActivation,  // produced by one node, consumed by others
};

const char* DTypeName(DType dtype);
const char* TensorRoleName(TensorRole role);

// Number of elements of a shape (1 for a scalar, the empty shape). Never
// overflows: a product beyond int64 saturates at INT64_MAX. Shapes read from a
// file (ONNX, .npy, --input-shape) are checked with CheckedNumElements at the
// boundary, so inside the compiler every count fits (see onnx/importer.h for
// the limits).
int64_t NumElements(const Shape& shape);
// The element count when every dim is >= 0 and the product fits in int64;
// false (and *count untouched) for a negative dim or an overflow.
[[nodiscard]] bool CheckedNumElements(const Shape& shape, int64_t* count);
// a * b and a + b, false when the result does not fit in int64.
[[nodiscard]] bool CheckedMul(int64_t a, int64_t b, int64_t* result);
[[nodiscard]] bool CheckedAdd(int64_t a, int64_t b, int64_t* result);
// a * b for a, b >= 0, saturating at INT64_MAX (for figures such as MAC counts).
int64_t SaturatingMul(int64_t a, int64_t b);
// "[1, 8, 128]".
std::string ShapeToString(const Shape& shape);
// The shape without its leading 1s: [1, 1, 8] -> [8]. Data files hold one
// sample per row, shaped like the model's input or output up to leading 1s.
Shape StripLeadingOnes(const Shape& shape);
// How many of `values` are NaN or ±Inf (weights and data files are checked with it).
int64_t CountNonFinite(const std::vector<float>& values);

struct Tensor {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  TensorRole role = TensorRole::kActivation;
  std::vector<float> f32;    // constant data when dtype == kFloat32
  std::vector<int64_t> i64;  // constant data when dtype == kInt64

  int64_t num_elements() const { return NumElements(shape); }
  bool is_constant() const { return role == TensorRole::kConstant; }
};

}  // namespace tml

#endif  // TML_COMPILER_IR_TENSOR_H_
