#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareNode(Graph& graph, Node& node) {
  switch (node.op) {
#define TML_OP(kind, name, family) \
  case OpKind::kind:               \
    return Prepare##family(graph, node);
#include "compiler/ir/op_kinds.def"
#undef TML_OP
  }
  return Internal("{}: no Prepare for this op", node.Describe());
}

Status EvalNode(const Node& node, const EvalArgs& args) {
  switch (node.op) {
#define TML_OP(kind, name, family) \
  case OpKind::kind:               \
    return Eval##family(node, args);
#include "compiler/ir/op_kinds.def"
#undef TML_OP
  }
  return Internal("{}: no Eval for this op", node.Describe());
}

const Tensor* OptionalInput(const Graph& graph, const Node& node, size_t i) {
  TensorId id = node.input(i);
  return id == kNoTensor ? nullptr : &graph.tensor(id);
}

void SetOutput(Graph& graph, const Node& node, size_t i, DType dtype, Shape shape) {
  TensorId id = node.output(i);
  if (id == kNoTensor) return;
  Tensor& t = graph.tensor(id);
  t.dtype = dtype;
  t.shape = std::move(shape);
}

Status NormalizeAxis(const Node& node, int64_t rank, int64_t* axis) {
  if (*axis < -rank || *axis >= rank) {
    return InvalidInput("{}: axis {} is out of range for a rank-{} tensor", node.Describe(),
                        *axis, rank);
  }
  if (*axis < 0) *axis += rank;
  return Status::Ok();
}

StatusOr<std::vector<int64_t>> ConstantInts(const Graph& graph, const Node& node, size_t i,
                                            const char* what) {
  const Tensor* t = OptionalInput(graph, node, i);
  if (t == nullptr) return InvalidInput("{}: input '{}' is required", node.Describe(), what);
  if (!t->is_constant()) {
    return InvalidInput(
        "{}: input '{}' ('{}') must be known at compile time; tinyml-compile needs static "
        "shapes (export with constant folding, or pass --input-shape)",
        node.Describe(), what, t->name);
  }
  if (t->dtype == DType::kInt64) return t->i64;
  std::vector<int64_t> values;
  for (float v : t->f32) values.push_back(static_cast<int64_t>(v));
  return values;
}

}  // namespace tml
