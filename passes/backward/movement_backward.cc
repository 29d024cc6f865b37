// Data movement (Reshape, Transpose, Concat, Slice, Gather, Tile, Expand):
// every output element is a copy of exactly one input element, so
// dL/dx[j] = Σ_{k : y[k] came from x[j]} dL/dy[k]. Which input element each
// output element came from is found by running the op's own reference Eval on
// float tensors holding element indices (other float inputs hold -1), which
// keeps the backward exact for every attribute and opset form the Eval handles.
// Indices are exact in float32 up to 2^24 elements.
#include "passes/backward/backward.h"

namespace tml {

Status BackwardMovement(const Node& node, const EvalArgs& args,
                        const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din) {
  if (dout.empty() || dout[0] == nullptr) return Status::Ok();
  const Tensor& dy = *dout[0];
  for (size_t i = 0; i < din.size() && i < args.in.size(); ++i) {
    if (din[i] == nullptr || args.in[i] == nullptr || args.in[i]->dtype != DType::kFloat32) continue;
    if (args.in[i]->num_elements() >= (int64_t{1} << 24)) {
      return InvalidInput("finetune: {}: input too large for the index-map backward",
                          node.Describe());
    }
    std::vector<Tensor> probes(args.in.size());
    EvalArgs probe_args;
    for (size_t j = 0; j < args.in.size(); ++j) {
      const Tensor* t = args.in[j];
      if (t == nullptr || t->dtype != DType::kFloat32) {
        probe_args.in.push_back(t);
        continue;
      }
      probes[j] = *t;
      for (size_t k = 0; k < probes[j].f32.size(); ++k) {
        probes[j].f32[k] = j == i ? static_cast<float>(k) : -1.0f;
      }
      probe_args.in.push_back(&probes[j]);
    }
    Tensor map = *args.out[0];
    probe_args.out.push_back(&map);
    for (size_t o = 1; o < args.out.size(); ++o) probe_args.out.push_back(nullptr);
    TML_RETURN_IF_ERROR(EvalNode(node, probe_args));
    for (size_t k = 0; k < map.f32.size(); ++k) {
      const float v = map.f32[k];
      if (v >= 0.0f) din[i]->f32[static_cast<size_t>(v)] += dy.f32[k];
    }
  }
  return Status::Ok();
}

}  // namespace tml
