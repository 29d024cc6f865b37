// NAME_step for int8 recurrent layers (compile --quantize int8). A streamed
// int8 LSTM / GRU / RNN keeps its state as its step kernel keeps it — h int8
// at 2^-7, an LSTM's c int16 Q4.11 — in NAME_stream (the model's streaming
// state, separate from the scratch arena), with its step scratch (the int8
// input row, then the kernel's buffer). Each NAME_step call quantizes the
// step's float row with the layer's calibrated input format and runs the same
// step kernel with the same arguments as the whole-sequence loop of
// NAME_invoke, so stepping through a sequence is bit-exact with invoking on it.
// The float views the rest of the model reads (Y's row, Y_h, Y_c) are
// dequantized from the state as NAME_invoke does.
#ifndef TML_CODEGEN_STREAM_S8_H_
#define TML_CODEGEN_STREAM_S8_H_

#include <cstdint>
#include <string>

#include "codegen/ops/emit_context.h"
#include "codegen/ops/op_emitters.h"

namespace tml::codegen {

// Where one int8 recurrent node keeps its step data in NAME_stream (offsets in floats).
struct StreamS8Slots {
  int64_t h = -1, c = -1, scratch = -1;  // c: LSTM only
  int64_t scratch_bytes = 0;
};

// An LSTM / GRU / RNN carrying the int8 plan.
bool IsRecurrentS8(const Node& node);
// Its step (weights emitted into ctx; they are shared with NAME_invoke's).
RecurrentStepS8 StepS8(EmitContext& ctx, const Node& node);
// Reserves the node's slots from *next (floats, 16-byte aligned).
StreamS8Slots PlanStreamS8(const RecurrentStepS8& step, int64_t* next);
// One time step: quantize `x_row` (float), the step kernel on the state, and
// when `y_row` is not empty, h dequantized into it. `stream` names the float
// array NAME_stream.
Status EmitStreamStepS8(EmitContext& ctx, const RecurrentStepS8& step, const StreamS8Slots& slots,
                        const std::string& stream, const std::string& x_row,
                        const std::string& y_row);
// The float Y_h / Y_c the rest of the model reads (empty: not read).
Status EmitStreamStatesS8(EmitContext& ctx, const RecurrentStepS8& step, const StreamS8Slots& slots,
                          const std::string& stream, const std::string& y_h,
                          const std::string& y_c);

}  // namespace tml::codegen

#endif  // TML_CODEGEN_STREAM_S8_H_
