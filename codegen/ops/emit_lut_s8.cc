// An element-wise activation between two int8 layers (codegen/int8_links.h)
// as one tml_lut_s8 call: the 256 entries map each int8 code of the input
// format through the float reference activation (compiler/reference, so the
// table has exactly the semantics the interpreter has) to the output format.
#include "codegen/ops/op_emitters.h"
#include "compiler/ops/op_registry.h"
#include "compiler/quant/int8_plan.h"

namespace tml::codegen {
namespace {

StatusOr<std::vector<int64_t>> ActivationTable(const Node& node, const AffineQuant& in,
                                               const AffineQuant& out) {
  Tensor x{"x", DType::kFloat32, {256}, TensorRole::kActivation, {}, {}};
  for (int q = -128; q <= 127; ++q) x.f32.push_back(in.Dequantize(static_cast<int8_t>(q)));
  Tensor y{"y", DType::kFloat32, {256}, TensorRole::kActivation, std::vector<float>(256), {}};
  EvalArgs args;
  args.in = {&x};
  args.out = {&y};
  TML_RETURN_IF_ERROR(EvalNode(node, args));
  std::vector<int64_t> table;
  for (float v : y.f32) table.push_back(out.Quantize(v));
  return table;
}

AffineQuant Format(const Int8Links& links, TensorId id) {
  AffineQuant q;
  q.scale = links.format.at(id).first;
  q.zero_point = links.format.at(id).second;
  return q;
}

}  // namespace

Status EmitTableActivationS8(EmitContext& ctx, const Node& node) {
  const Int8Links& links = ctx.int8_links();
  TML_ASSIGN_OR_RETURN(std::vector<int64_t> table,
                       ActivationTable(node, Format(links, node.input(0)),
                                       Format(links, node.output(0))));
  const std::string table_name = ctx.IntWeightArray("int8_t", table, 1);
  TML_ASSIGN_OR_RETURN(std::string dims, ctx.Dims(node.output(0)));
  TML_ASSIGN_OR_RETURN(std::string x, ctx.Ptr(node.input(0)));
  TML_ASSIGN_OR_RETURN(std::string y, ctx.Ptr(node.output(0)));
  ctx.UseKernel("tml_lut_s8");
  ctx.Call(fmt::format("tml_lut_s8({}, (const int8_t *){}, {}, (int8_t *){})", dims, x, table_name, y));
  return Status::Ok();
}

}  // namespace tml::codegen
