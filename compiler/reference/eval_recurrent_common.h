// What the float reference of LSTM, GRU and RNN shares: reading the node's
// tensors in either layout, per-batch sequence lengths, and writing Y/Y_h/Y_c.
//
// The three Evals follow one scheme per direction d:
//   XW = X_all · W_dᵀ + Wb_d          (all time steps at once, time-major rows)
//   for each step t in the direction's order (forward 0..seq-1, reverse seq-1..0):
//     gates = XW[t] + H · R_dᵀ + ...   (op-specific)
//     rows b with t < sequence_lens[b] take the new state and write Y[t];
//     the others keep their state and leave Y[t] at zero.
// Keeping the state of finished rows is what makes Y_h/Y_c the state at the
// last valid step; for the reverse direction, rows with t >= len[b] keep the
// initial state, so that direction effectively starts at t = len[b]-1.
#ifndef TML_COMPILER_REFERENCE_EVAL_RECURRENT_COMMON_H_
#define TML_COMPILER_REFERENCE_EVAL_RECURRENT_COMMON_H_

#include <Eigen/Dense>
#include <vector>

#include "compiler/ops/op_registry.h"
#include "compiler/ops/recurrent_common.h"

namespace tml {
namespace recurrent {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowArray = Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using RowVectorArray = Eigen::Array<float, 1, Eigen::Dynamic>;

inline RowArray Sigmoid(const RowArray& a) { return (1.0f + (-a).exp()).inverse(); }
inline RowArray Tanh(const RowArray& a) { return a.tanh(); }
// Clips gate pre-activations to [-clip, clip]; clip 0 means none.
inline RowArray Clip(const RowArray& a, float clip) {
  if (clip <= 0.0f) return a;
  return a.max(-clip).min(clip);
}

// One evaluation of a recurrent node: sizes, attributes, sequence lengths and
// accessors for its tensors in either layout.
class RecurrentRun {
 public:
  // Reads the node's normalised attributes and tensors, zero-fills the present
  // outputs. `gates` is G (LSTM 4, GRU 3, RNN 1).
  static StatusOr<RecurrentRun> Make(const Node& node, const EvalArgs& args, int64_t gates) {
    RecurrentRun run(args);
    run.attrs_ = ReadRecurrentAttrs(node);
    const Tensor* x = args.input(kRecurrentX);
    const Tensor* w = args.input(kRecurrentW);
    const Tensor* r = args.input(kRecurrentR);
    if (x == nullptr || w == nullptr || r == nullptr || x->shape.size() != 3 ||
        w->shape.size() != 3) {
      return Internal("{}: evaluated before Prepare validated X, W and R", node.Describe());
    }
    run.gates_ = gates;
    run.layout_ = run.attrs_.layout;
    run.dirs_ = run.attrs_.num_directions;
    run.seq_ = run.layout_ == 0 ? x->shape[0] : x->shape[1];
    run.batch_ = run.layout_ == 0 ? x->shape[1] : x->shape[0];
    run.input_ = x->shape[2];
    run.hidden_ = w->shape[1] / gates;
    run.lens_.assign(static_cast<size_t>(run.batch_), run.seq_);
    if (const Tensor* lens = args.input(kRecurrentSequenceLens)) {
      for (int64_t b = 0; b < run.batch_; ++b) {
        const int64_t len =
            lens->dtype == DType::kInt64 ? lens->i64.at(b) : static_cast<int64_t>(lens->f32.at(b));
        if (len < 0 || len > run.seq_) {
          return InvalidInput("{}: sequence_lens[{}] is {}; it must be in [0, {}] (seq_length)",
                              node.Describe(), b, len, run.seq_);
        }
        run.lens_[b] = len;
      }
    }
    for (Tensor* out : args.out) {
      if (out != nullptr) out->f32.assign(static_cast<size_t>(out->num_elements()), 0.0f);
    }
    return run;
  }

  const RecurrentAttrs& attrs() const { return attrs_; }
  int64_t seq() const { return seq_; }
  int64_t batch() const { return batch_; }
  int64_t hidden() const { return hidden_; }
  int64_t dirs() const { return dirs_; }

  // Time step of the i-th iteration of direction d.
  int64_t Step(int64_t d, int64_t i) const {
    const bool reverse = attrs_.direction == "reverse" || d == 1;
    return reverse ? seq_ - 1 - i : i;
  }
  bool Valid(int64_t t, int64_t b) const { return t < lens_[static_cast<size_t>(b)]; }

  // X as [seq*batch, input] with row t*batch + b, whatever the layout.
  RowMatrix InputsTimeMajor() const {
    const float* x = args_->input(kRecurrentX)->f32.data();
    RowMatrix out(seq_ * batch_, input_);
    for (int64_t t = 0; t < seq_; ++t) {
      for (int64_t b = 0; b < batch_; ++b) {
        const int64_t row = layout_ == 0 ? t * batch_ + b : b * seq_ + t;
        out.row(t * batch_ + b) = Eigen::Map<const RowVector>(x + row * input_, input_);
      }
    }
    return out;
  }

  // Direction d's [G*H, cols] slice of W (cols = input) or R (cols = hidden).
  ConstRowMap Weights(size_t index, int64_t d) const {
    const Tensor& t = *args_->input(index);
    const int64_t rows = t.shape[1], cols = t.shape[2];
    return ConstRowMap(t.f32.data() + d * rows * cols, rows, cols);
  }

  // Direction d's W bias (half 0) or R bias (half 1) of B, length G*H; zeros when B is absent.
  RowVector Bias(int64_t d, int64_t half) const {
    const int64_t n = gates_ * hidden_;
    const Tensor* b = args_->input(kRecurrentB);
    if (b == nullptr) return RowVector::Zero(n);
    return Eigen::Map<const RowVector>(b->f32.data() + d * 2 * n + half * n, n);
  }

  // Peephole slice k (0 = i, 1 = o, 2 = f) of direction d as a row; zeros when P is absent.
  RowVector Peephole(int64_t d, int64_t k) const {
    const Tensor* p = args_->input(kRecurrentP);
    if (p == nullptr) return RowVector::Zero(hidden_);
    return Eigen::Map<const RowVector>(p->f32.data() + (d * 3 + k) * hidden_, hidden_);
  }

  // Direction d's initial state from input `index` (initial_h or initial_c) as
  // [batch, hidden]; zeros when absent.
  RowMatrix InitialState(size_t index, int64_t d) const {
    RowMatrix s = RowMatrix::Zero(batch_, hidden_);
    const Tensor* t = args_->input(index);
    if (t == nullptr) return s;
    for (int64_t b = 0; b < batch_; ++b) {
      s.row(b) = Eigen::Map<const RowVector>(t->f32.data() + StateOffset(d, b), hidden_);
    }
    return s;
  }

  // Writes the valid rows of state h (after step t of direction d) into Y.
  void WriteStep(int64_t t, int64_t d, const RowMatrix& h) const {
    Tensor* y = args_->output(kRecurrentY);
    if (y == nullptr) return;
    for (int64_t b = 0; b < batch_; ++b) {
      if (!Valid(t, b)) continue;
      const int64_t offset = layout_ == 0 ? ((t * dirs_ + d) * batch_ + b) * hidden_
                                          : ((b * seq_ + t) * dirs_ + d) * hidden_;
      Eigen::Map<RowVector>(y->f32.data() + offset, hidden_) = h.row(b);
    }
  }

  // Writes direction d's final state into output `index` (Y_h or Y_c), if present.
  void WriteState(size_t index, int64_t d, const RowMatrix& s) const {
    Tensor* out = args_->output(index);
    if (out == nullptr) return;
    for (int64_t b = 0; b < batch_; ++b) {
      Eigen::Map<RowVector>(out->f32.data() + StateOffset(d, b), hidden_) = s.row(b);
    }
  }

  // state.row(b) = next.row(b) for the rows still running at step t.
  void Advance(int64_t t, const RowMatrix& next, RowMatrix* state) const {
    for (int64_t b = 0; b < batch_; ++b) {
      if (Valid(t, b)) state->row(b) = next.row(b);
    }
  }

 private:
  explicit RecurrentRun(const EvalArgs& args) : args_(&args) {}

  // Offset of (direction d, batch b) in a state tensor: [D, batch, H] or [batch, D, H].
  int64_t StateOffset(int64_t d, int64_t b) const {
    return layout_ == 0 ? (d * batch_ + b) * hidden_ : (b * dirs_ + d) * hidden_;
  }

  const EvalArgs* args_;
  RecurrentAttrs attrs_;
  int64_t gates_ = 1, layout_ = 0, dirs_ = 1, seq_ = 0, batch_ = 0, input_ = 0, hidden_ = 0;
  std::vector<int64_t> lens_;
};

}  // namespace recurrent
}  // namespace tml

#endif  // TML_COMPILER_REFERENCE_EVAL_RECURRENT_COMMON_H_
