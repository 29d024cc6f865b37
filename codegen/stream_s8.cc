#include "codegen/stream_s8.h"

#include "codegen/c_writer.h"

namespace tml::codegen {
namespace {

int64_t AlignedFloats(int64_t bytes) { return (bytes + 15) / 16 * 4; }
int64_t Align4(int64_t n) { return (n + 3) / 4 * 4; }

std::string Cast(const std::string& type, const std::string& stream, int64_t offset) {
  return fmt::format("({} *)(void *)({} + {})", type, stream, offset);
}

}  // namespace

bool IsRecurrentS8(const Node& node) { return UsesLstmS8(node) || UsesGruS8(node) || UsesRnnS8(node); }

RecurrentStepS8 StepS8(EmitContext& ctx, const Node& node) {
  if (UsesLstmS8(node)) return LstmStepS8(ctx, node);
  if (UsesGruS8(node)) return GruStepS8(ctx, node);
  return RnnStepS8(ctx, node);
}

StreamS8Slots PlanStreamS8(const RecurrentStepS8& step, int64_t* next) {
  StreamS8Slots slots;
  slots.h = *next;
  *next += AlignedFloats(step.H);
  if (step.has_cell) {
    slots.c = *next;
    *next += AlignedFloats(2 * int64_t{step.H});
  }
  slots.scratch = *next;
  slots.scratch_bytes = Align4(step.I) + step.step_bytes;
  *next += AlignedFloats(slots.scratch_bytes);
  return slots;
}

Status EmitStreamStepS8(EmitContext& ctx, const RecurrentStepS8& step, const StreamS8Slots& slots,
                        const std::string& stream, const std::string& x_row,
                        const std::string& y_row) {
  if (step.step_bytes < 0) return InvalidInput("malformed int8 recurrent operators");
  TML_ASSIGN_OR_RETURN(std::string x_dims, ctx.DimsOf(Shape{step.I}));
  TML_ASSIGN_OR_RETURN(std::string h_dims, ctx.DimsOf(Shape{step.H}));
  ctx.UseKernel("tml_quantize_s8");
  ctx.UseKernel(step.kernel);
  CWriter& body = ctx.body();
  body.Open("");
  body.Line(fmt::format("int8_t *xq_ = {};", Cast("int8_t", stream, slots.scratch)));
  body.Line(fmt::format("int8_t *h_ = {};", Cast("int8_t", stream, slots.h)));
  if (step.has_cell) body.Line(fmt::format("int16_t *c_ = {};", Cast("int16_t", stream, slots.c)));
  body.Line(fmt::format("const tml_context step_ctx_ = {{xq_ + {}, {}}};", Align4(step.I),
                        step.step_bytes));
  ctx.Call(fmt::format("tml_quantize_s8({}, {}, {}, {}, xq_)", x_dims, x_row,
                       FloatLiteral(static_cast<float>(1.0 / step.in.scale)), step.in.zero_point));
  ctx.Call(fmt::format(fmt::runtime(step.call), fmt::arg("ctx", "&step_ctx_"), fmt::arg("x", "xq_"),
                       fmt::arg("h", "h_"), fmt::arg("c", "c_")));
  if (!y_row.empty()) {
    ctx.UseKernel("tml_dequantize_s8");
    ctx.Call(fmt::format("tml_dequantize_s8({}, h_, 0.0078125f, 0, {})", h_dims, y_row));
  }
  body.Close();
  return Status::Ok();
}

Status EmitStreamStatesS8(EmitContext& ctx, const RecurrentStepS8& step, const StreamS8Slots& slots,
                          const std::string& stream, const std::string& y_h,
                          const std::string& y_c) {
  CWriter& body = ctx.body();
  if (!y_h.empty()) {
    TML_ASSIGN_OR_RETURN(std::string h_dims, ctx.DimsOf(Shape{step.H}));
    ctx.UseKernel("tml_dequantize_s8");
    ctx.Call(fmt::format("tml_dequantize_s8({}, {}, 0.0078125f, 0, {})", h_dims,
                         Cast("const int8_t", stream, slots.h), y_h));
  }
  if (!y_c.empty() && step.has_cell) {
    body.Open("");
    body.Line(fmt::format("const int16_t *c_ = {};", Cast("const int16_t", stream, slots.c)));
    body.Line("int32_t k_;");
    body.Line(fmt::format("for (k_ = 0; k_ < {}; ++k_) ({})[k_] = (float)c_[k_] * 0.00048828125f;",
                          step.H, y_c));
    body.Close();
  }
  return Status::Ok();
}

}  // namespace tml::codegen
