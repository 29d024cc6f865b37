// Conversion of ONNX TensorProto (initializers, Constant values, the .pb
// files of the ONNX conformance cases) into IR tensors.
#ifndef TML_COMPILER_ONNX_TENSOR_PROTO_H_
#define TML_COMPILER_ONNX_TENSOR_PROTO_H_

#include <string>

#include "compiler/ir/tensor.h"
#include "compiler/status.h"

namespace onnx {
class TensorProto;
}

namespace tml {

// Converts float, double, float16-free numeric types to the IR's two dtypes:
// FLOAT/DOUBLE -> kFloat32; INT64/INT32/INT16/INT8/UINT8/BOOL -> kInt64.
// The tensor gets role kConstant and `name` (or the proto's name when empty).
StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto, const std::string& name = "");

// Reads a serialized TensorProto file (the conformance cases' input_N.pb).
StatusOr<Tensor> ReadTensorProtoFile(const std::string& path);

}  // namespace tml

#endif  // TML_COMPILER_ONNX_TENSOR_PROTO_H_
