// EvalRnn: float reference of ONNX RNN (see eval_recurrent_common.h for the
// scheme shared with LSTM and GRU).
//   H' = tanh(clip(X·Wᵀ + H·Rᵀ + Wb + Rb))
#include "compiler/reference/eval_recurrent_common.h"

namespace tml {

Status EvalRnn(const Node& node, const EvalArgs& args) {
  using namespace recurrent;  // NOLINT: local helpers
  TML_ASSIGN_OR_RETURN(RecurrentRun run, RecurrentRun::Make(node, args, 1));
  const RecurrentAttrs& attrs = run.attrs();
  const int64_t batch = run.batch();
  const RowMatrix x = run.InputsTimeMajor();
  for (int64_t d = 0; d < run.dirs(); ++d) {
    const ConstRowMap w = run.Weights(kRecurrentW, d);
    const ConstRowMap r = run.Weights(kRecurrentR, d);
    const RowMatrix xw = (x * w.transpose()).rowwise() + (run.Bias(d, 0) + run.Bias(d, 1));
    RowMatrix h = run.InitialState(kRecurrentInitialH, d);
    for (int64_t step = 0; step < run.seq(); ++step) {
      const int64_t t = run.Step(d, step);
      const RowArray pre = (xw.middleRows(t * batch, batch) + h * r.transpose()).array();
      const RowArray h_next = Tanh(Clip(pre, attrs.clip));
      run.Advance(t, h_next.matrix(), &h);
      run.WriteStep(t, d, h);
    }
    run.WriteState(kRecurrentYh, d, h);
  }
  return Status::Ok();
}

}  // namespace tml
