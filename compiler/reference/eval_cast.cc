#include <cmath>
#include <cstdint>

#include "compiler/ops/op_registry.h"
#include "compiler/reference/eval_common.h"

namespace tml {
namespace {

// Wraps an integer into the range of ONNX type `to`, the way a C cast would.
int64_t Narrow(int64_t v, int64_t to) {
  switch (to) {
    case 2:
      return static_cast<uint8_t>(v);
    case 3:
      return static_cast<int8_t>(v);
    case 4:
      return static_cast<uint16_t>(v);
    case 5:
      return static_cast<int16_t>(v);
    case 6:
      return static_cast<int32_t>(v);
    case 9:
      return v != 0 ? 1 : 0;
    case 12:
      return static_cast<uint32_t>(v);
    default:
      return v;  // INT64, UINT64 (same bits)
  }
}

// Float to integer truncates toward zero; values int64 cannot hold (and NaN)
// become INT64_MIN, as x86 and numpy produce.
int64_t FloatToInt(float v, int64_t to) {
  if (to == 9) return v != 0.0f ? 1 : 0;
  if (!(v >= -9.2233720368547758e18f && v < 9.2233720368547758e18f)) return INT64_MIN;
  return Narrow(static_cast<int64_t>(v), to);
}

}  // namespace

Status EvalCast(const Node& node, const EvalArgs& args) {
  const Tensor& in = *args.input(0);
  Tensor& out = *args.output(0);
  const int64_t to = node.GetInt("to", 1);
  if (out.dtype == DType::kFloat32) {
    std::vector<float>& y = MutableData<float>(out);
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = in.dtype == DType::kFloat32 ? in.f32[i] : static_cast<float>(in.i64[i]);
    }
  } else {
    std::vector<int64_t>& y = MutableData<int64_t>(out);
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = in.dtype == DType::kFloat32 ? FloatToInt(in.f32[i], to) : Narrow(in.i64[i], to);
    }
  }
  return Status::Ok();
}

}  // namespace tml
