// EvalGru: float reference of ONNX GRU (see eval_recurrent_common.h for the
// scheme shared with LSTM and RNN). Gate order in W/R/B: z, r, h.
//   z = σ(clip(Xz + H·Rzᵀ + Wbz + Rbz)),  r = σ(clip(Xr + H·Rrᵀ + Wbr + Rbr))
//   h̃ = tanh(clip(Xh + (r⊙H)·Rhᵀ + Rbh + Wbh))        linear_before_reset = 0
//   h̃ = tanh(clip(Xh + r⊙(H·Rhᵀ + Rbh) + Wbh))        linear_before_reset = 1
//   H' = (1 - z)⊙h̃ + z⊙H
#include "compiler/reference/eval_recurrent_common.h"

namespace tml {

Status EvalGru(const Node& node, const EvalArgs& args) {
  using namespace recurrent;  // NOLINT: local helpers
  TML_ASSIGN_OR_RETURN(RecurrentRun run, RecurrentRun::Make(node, args, 3));
  const RecurrentAttrs& attrs = run.attrs();
  const int64_t h_size = run.hidden();
  const int64_t batch = run.batch();
  const RowMatrix x = run.InputsTimeMajor();
  for (int64_t d = 0; d < run.dirs(); ++d) {
    const ConstRowMap w = run.Weights(kRecurrentW, d);
    const ConstRowMap r = run.Weights(kRecurrentR, d);
    const auto r_zr = r.topRows(2 * h_size);
    const auto r_h = r.bottomRows(h_size);
    const RowVector rb = run.Bias(d, 1);
    const RowVector rb_zr = rb.head(2 * h_size);
    const RowVector rb_h = rb.tail(h_size);
    // The W bias of every gate goes in with X; R biases are added per gate below.
    const RowMatrix xw = (x * w.transpose()).rowwise() + run.Bias(d, 0);
    RowMatrix h = run.InitialState(kRecurrentInitialH, d);
    for (int64_t step = 0; step < run.seq(); ++step) {
      const int64_t t = run.Step(d, step);
      const auto xw_t = xw.middleRows(t * batch, batch);
      const RowArray zr =
          ((xw_t.leftCols(2 * h_size) + h * r_zr.transpose()).rowwise() + rb_zr).array();
      const RowArray z = Sigmoid(Clip(zr.leftCols(h_size), attrs.clip));
      const RowArray reset = Sigmoid(Clip(zr.rightCols(h_size), attrs.clip));
      RowArray pre;
      if (attrs.linear_before_reset) {
        const RowArray hr = ((h * r_h.transpose()).rowwise() + rb_h).array();
        pre = xw_t.rightCols(h_size).array() + reset * hr;
      } else {
        const RowMatrix reset_h = (reset * h.array()).matrix();
        pre = ((xw_t.rightCols(h_size) + reset_h * r_h.transpose()).rowwise() + rb_h).array();
      }
      const RowArray h_tilde = Tanh(Clip(pre, attrs.clip));
      const RowArray h_next = (1.0f - z) * h_tilde + z * h.array();
      run.Advance(t, h_next.matrix(), &h);
      run.WriteStep(t, d, h);
    }
    run.WriteState(kRecurrentYh, d, h);
  }
  return Status::Ok();
}

}  // namespace tml
