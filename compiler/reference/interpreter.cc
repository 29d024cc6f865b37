#include "compiler/reference/interpreter.h"

#include "compiler/ops/op_registry.h"
#include "compiler/reference/materialize.h"

namespace tml {

StatusOr<std::vector<Tensor>> Interpreter::Run(const std::vector<Tensor>& inputs) const {
  const Graph& g = graph_;
  if (inputs.size() != g.inputs().size()) {
    return InvalidInput("the model takes {} input(s), {} given", g.inputs().size(), inputs.size());
  }
  // Values of non-constant tensors for this run; constants are read in place.
  std::vector<Tensor> values(g.tensors().size());
  std::vector<bool> ready(g.tensors().size(), false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& declared = g.tensor(g.inputs()[i]);
    if (inputs[i].shape != declared.shape || inputs[i].dtype != declared.dtype) {
      return InvalidInput("input '{}' must be {} {}, got {} {}", declared.name,
                          DTypeName(declared.dtype), ShapeToString(declared.shape),
                          DTypeName(inputs[i].dtype),
                          ShapeToString(inputs[i].shape));
    }
    values[g.inputs()[i]] = inputs[i];
    ready[g.inputs()[i]] = true;
  }
  auto value = [&](TensorId id) -> const Tensor* {
    if (id == kNoTensor) return nullptr;
    if (g.tensor(id).is_constant()) return &g.tensor(id);
    return ready[id] ? &values[id] : nullptr;
  };
  for (const Node& node : g.nodes()) {
    EvalArgs args;
    // Compressed weights run as the dense matrices they stand for.
    std::vector<Tensor> materialized;
    materialized.reserve(node.weight_ops.size());
    for (const WeightOperatorSet& set : node.weight_ops) {
      TML_ASSIGN_OR_RETURN(Tensor dense, MaterializeWeight(g, node, set));
      materialized.push_back(std::move(dense));
    }
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const TensorId id = node.inputs[i];
      const Tensor* t = value(id);
      for (size_t k = 0; k < node.weight_ops.size(); ++k) {
        if (node.weight_ops[k].input == i) t = &materialized[k];
      }
      if (id != kNoTensor && t == nullptr) {
        return Internal("{}: input '{}' is used before it is computed", node.Describe(),
                        g.tensor(id).name);
      }
      args.in.push_back(t);
    }
    for (TensorId id : node.outputs) {
      if (id == kNoTensor) {
        args.out.push_back(nullptr);
        continue;
      }
      Tensor& out = values[id];
      const Tensor& declared = g.tensor(id);
      out.name = declared.name;
      out.dtype = declared.dtype;
      out.shape = declared.shape;
      out.role = declared.role;
      args.out.push_back(&out);
    }
    TML_RETURN_IF_ERROR(EvalNode(node, args));
    for (TensorId id : node.outputs) {
      if (id == kNoTensor) continue;
      ready[id] = true;
      // Kernels must fill exactly the declared number of elements.
      const Tensor& out = values[id];
      size_t n = out.dtype == DType::kFloat32 ? out.f32.size() : out.i64.size();
      if (static_cast<int64_t>(n) != out.num_elements()) {
        return Internal("{}: produced {} values for '{}' of shape {}", node.Describe(), n,
                        out.name, ShapeToString(out.shape));
      }
    }
  }
  std::vector<Tensor> outputs;
  for (TensorId id : g.outputs()) {
    if (!ready[id]) return Internal("output '{}' was never computed", g.tensor(id).name);
    outputs.push_back(std::move(values[id]));
  }
  return outputs;
}

}  // namespace tml
