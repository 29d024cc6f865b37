// Softmax / LogSoftmax: the tensor viewed as [outer, axis_size, inner]; the
// opset < 13 coerce-to-2-D form reduces over prod(dims[axis:]). Reading an int8
// layer's output: tml_softmax_s8 (codegen/int8_links.h).
#include <cmath>

#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

namespace {

// "&<tml_softmax_params>": the tensor as [outer, axis_size, inner].
std::string SoftmaxParams(EmitContext& ctx, const Node& node) {
  const Shape& shape = ctx.tensor(node.input(0)).shape;
  const int64_t axis = node.GetInt("axis", static_cast<int64_t>(shape.size()) - 1);
  const bool coerce = node.GetInt("coerce_2d", 0) != 0;
  int64_t outer = 1, size = 1, inner = 1;
  for (int64_t k = 0; k < static_cast<int64_t>(shape.size()); ++k) {
    if (k < axis) {
      outer *= shape[k];
    } else if (k == axis || coerce) {
      size *= shape[k];
    } else {
      inner *= shape[k];
    }
  }
  return ctx.Param("tml_softmax_params", fmt::format("{{{}, {}, {}}}", outer, size, inner));
}

// Softmax of an int8 layer's output (codegen/int8_links.h): tml_softmax_s8 into
// the node's scratch, dequantized (scale 1/256, zero point -128) into Y.
Status EmitSoftmaxS8(EmitContext& ctx, const Node& node) {
  const auto& [scale, zero_point] = ctx.int8_links().format.at(node.input(0));
  (void)zero_point;  // only differences of codes matter
  std::vector<int64_t> table;
  for (int d = 0; d < 256; ++d) table.push_back(std::llround(65535.0 * std::exp(-scale * d)));
  const std::string table_name = ctx.IntWeightArray("uint16_t", table, 2);
  const std::string params = SoftmaxParams(ctx, node);
  TML_ASSIGN_OR_RETURN(std::string dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  if (ctx.Scratch() == "NULL") return InvalidInput("int8 softmax without scratch");
  ctx.UseKernel("tml_softmax_s8");
  ctx.UseKernel("tml_dequantize_s8");
  ctx.Call(fmt::format("tml_softmax_s8({}, {}, (const int8_t *){}, {}, (int8_t *)({})->buf)", params,
                       dims, x, table_name, ctx.Scratch()));
  ctx.Call(fmt::format("tml_dequantize_s8({}, (const int8_t *)({})->buf, {}, -128, {})", dims,
                       ctx.Scratch(), FloatLiteral(1.0f / 256.0f), y));
  return Status::Ok();
}

}  // namespace

int64_t SoftmaxS8ScratchBytes(const Graph& graph, const Node& node) {
  if (!FindInt8Links(graph).int8_softmax.count(node.output(0))) return 0;
  return (graph.tensor(node.output(0)).num_elements() + 3) / 4 * 4;
}

Status EmitSoftmax(EmitContext& ctx, const Node& node) {
  if (ctx.int8_links().int8_softmax.count(node.output(0))) return EmitSoftmaxS8(ctx, node);
  const std::string params = SoftmaxParams(ctx, node);
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.Dims(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y_dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  const std::string kernel =
      node.op == OpKind::kSoftmax ? "tml_softmax_f32" : "tml_log_softmax_f32";
  ctx.UseKernel(kernel);
  ctx.Call(fmt::format("{}(NULL, {}, {}, {}, {}, {})", kernel, params, x_dims, x, y_dims, y));
  return Status::Ok();
}

}  // namespace tml::codegen
