// EvalLstm: float reference of ONNX LSTM (see eval_recurrent_common.h for the
// scheme shared with GRU and RNN).
//   i = σ(clip(Xi + H·Riᵀ + Pi⊙C + b_i))      gate order in W/R/B: i, o, f, c
//   f = σ(clip(Xf + H·Rfᵀ + Pf⊙C + b_f))      (f = 1 - i with input_forget)
//   c̃ = tanh(clip(Xc + H·Rcᵀ + b_c))
//   C' = f⊙C + i⊙c̃
//   o = σ(clip(Xo + H·Roᵀ + Po⊙C' + b_o))     (the output peephole sees the new cell)
//   H' = o⊙tanh(C')
#include "compiler/reference/eval_recurrent_common.h"

namespace tml {

Status EvalLstm(const Node& node, const EvalArgs& args) {
  using namespace recurrent;  // NOLINT: local helpers
  TML_ASSIGN_OR_RETURN(RecurrentRun run, RecurrentRun::Make(node, args, 4));
  const RecurrentAttrs& attrs = run.attrs();
  const int64_t h_size = run.hidden();
  const int64_t batch = run.batch();
  const RowMatrix x = run.InputsTimeMajor();
  for (int64_t d = 0; d < run.dirs(); ++d) {
    const ConstRowMap w = run.Weights(kRecurrentW, d);
    const ConstRowMap r = run.Weights(kRecurrentR, d);
    const RowMatrix xw = (x * w.transpose()).rowwise() + (run.Bias(d, 0) + run.Bias(d, 1));
    const RowVectorArray p_i = run.Peephole(d, 0).array();
    const RowVectorArray p_o = run.Peephole(d, 1).array();
    const RowVectorArray p_f = run.Peephole(d, 2).array();
    RowMatrix h = run.InitialState(kRecurrentInitialH, d);
    RowMatrix c = run.InitialState(kRecurrentInitialC, d);
    for (int64_t step = 0; step < run.seq(); ++step) {
      const int64_t t = run.Step(d, step);
      const RowArray g = (xw.middleRows(t * batch, batch) + h * r.transpose()).array();
      const RowArray c_prev = c.array();
      const RowArray i =
          Sigmoid(Clip(g.middleCols(0, h_size) + (c_prev.rowwise() * p_i), attrs.clip));
      const RowArray f =
          attrs.input_forget
              ? RowArray(1.0f - i)
              : Sigmoid(
                    Clip(g.middleCols(2 * h_size, h_size) + (c_prev.rowwise() * p_f), attrs.clip));
      const RowArray c_tilde = Tanh(Clip(g.middleCols(3 * h_size, h_size), attrs.clip));
      const RowArray c_next = f * c_prev + i * c_tilde;
      const RowArray o =
          Sigmoid(Clip(g.middleCols(h_size, h_size) + (c_next.rowwise() * p_o), attrs.clip));
      const RowArray h_next = o * Tanh(c_next);
      run.Advance(t, h_next.matrix(), &h);
      run.Advance(t, c_next.matrix(), &c);
      run.WriteStep(t, d, h);
    }
    run.WriteState(kRecurrentYh, d, h);
    run.WriteState(kRecurrentYc, d, c);
  }
  return Status::Ok();
}

}  // namespace tml
