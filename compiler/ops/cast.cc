// Cast: "to" is an ONNX TensorProto data type number. FLOAT (1) and DOUBLE
// (11) give a float32 tensor; the integer types and BOOL give an int64 tensor
// whose values the eval wraps to the target's range (BOOL: 0/1). Half
// precision, strings and complex numbers are rejected.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareCast(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(graph, node, 0, "input"));
  if (!node.HasAttr("to")) return InvalidInput("{}: attribute 'to' is required", node.Describe());
  const int64_t to = node.GetInt("to", 0);
  DType dtype;
  switch (to) {
    case 1:   // FLOAT
    case 11:  // DOUBLE
      dtype = DType::kFloat32;
      break;
    case 2:   // UINT8
    case 3:   // INT8
    case 4:   // UINT16
    case 5:   // INT16
    case 6:   // INT32
    case 7:   // INT64
    case 9:   // BOOL
    case 12:  // UINT32
    case 13:  // UINT64
      dtype = DType::kInt64;
      break;
    default:
      return InvalidInput(
          "{}: casting to ONNX data type {} is not supported (float, double, integer and bool "
          "types are)",
          node.Describe(), to);
  }
  SetOutput(graph, node, 0, dtype, x->shape);
  return Status::Ok();
}

}  // namespace tml
