// Gemm: Y = alpha * op(A) * op(B) + beta * C, op() transposing when transA /
// transB is set; A and B are 2-D, C (optional since opset 11) broadcasts
// unidirectionally to [M, N]. Prepare writes all four attributes with their
// defaults (0, 0, 1.0, 1.0); transA and transB must be 0 or 1.
#include "compiler/ops/broadcast.h"
#include "compiler/ops/op_registry.h"

namespace tml {

Status PrepareGemm(Graph& graph, Node& node) {
  TML_ASSIGN_OR_RETURN(const Tensor* a, RequiredInput(graph, node, 0, "A"));
  TML_ASSIGN_OR_RETURN(const Tensor* b, RequiredInput(graph, node, 1, "B"));
  const Tensor* c = OptionalInput(graph, node, 2);
  const int64_t trans_a = node.GetInt("transA", 0);
  const int64_t trans_b = node.GetInt("transB", 0);
  for (const auto& [attr, value] : {std::pair{"transA", trans_a}, std::pair{"transB", trans_b}}) {
    if (value != 0 && value != 1) {
      return InvalidInput("{}: attribute '{}' must be 0 or 1, got {}", node.Describe(), attr, value);
    }
  }
  node.attrs["transA"] = trans_a;
  node.attrs["transB"] = trans_b;
  node.attrs["alpha"] = node.GetFloat("alpha", 1.0f);
  node.attrs["beta"] = node.GetFloat("beta", 1.0f);
  node.attrs.erase("broadcast");  // opset < 7; C always broadcasts now.
  for (const Tensor* t : {a, b}) {
    if (t->shape.size() != 2) {
      return InvalidInput("{}: input '{}' must be 2-D, got shape {}", node.Describe(), t->name,
                          ShapeToString(t->shape));
    }
  }
  if (a->dtype != b->dtype || (c != nullptr && c->dtype != a->dtype)) {
    return InvalidInput("{}: inputs A, B and C must have the same element type", node.Describe());
  }
  const int64_t m = a->shape[trans_a ? 1 : 0];
  const int64_t k = a->shape[trans_a ? 0 : 1];
  const int64_t kb = b->shape[trans_b ? 1 : 0];
  const int64_t n = b->shape[trans_b ? 0 : 1];
  if (k != kb) {
    return InvalidInput(
        "{}: inner dimensions do not match: A '{}' {} (transA={}) gives K={}, B '{}' {} "
        "(transB={}) gives K={}",
        node.Describe(), a->name, ShapeToString(a->shape), trans_a, k, b->name,
        ShapeToString(b->shape), trans_b, kb);
  }
  if (c != nullptr && !BroadcastsTo(c->shape, {m, n})) {
    return InvalidInput("{}: C '{}' of shape {} does not broadcast to the output shape [{}, {}]",
                        node.Describe(), c->name, ShapeToString(c->shape), m, n);
  }
  SetOutput(graph, node, 0, a->dtype, {m, n});
  return Status::Ok();
}

}  // namespace tml
