// LSTM / GRU / RNN through time. The forward mirrors compiler/reference/eval_*.cc
// step for step (same expressions, so the outputs match EvalNode bit for bit in
// practice and to float rounding always) and keeps each step's state and
// activated gates; the backward walks the steps in reverse.
#include <Eigen/Dense>

#include "compiler/reference/eval_recurrent_common.h"
#include "passes/backward/backward.h"

namespace tml {
namespace {

using recurrent::RecurrentRun;
using recurrent::RowArray;
using recurrent::RowMatrix;
using recurrent::RowVector;
using RowMap = Eigen::Map<RowMatrix>;

// One time step of one direction.
struct StepCache {
  int64_t t = 0;
  RowMatrix h_prev, c_prev;  // state before the step
  RowArray act;              // activated gates, [batch, G·H] in W/R gate order
  RowArray pre;              // gate pre-activations before clipping (for the clip mask)
  RowArray c_next;           // LSTM new cell; GRU (linear_before_reset): H·Rhᵀ + Rbh
};

struct RecurrentSaved : SavedForward {
  RowMatrix x;  // [seq·batch, input], row t·batch + b
  std::vector<std::vector<StepCache>> steps;  // [direction][iteration]
};

RowArray Sig(const RowArray& a) { return recurrent::Sigmoid(a); }

// 1 where the pre-activation was not clipped (or there is no clip).
RowArray ClipMask(const RowArray& pre, float clip) {
  if (clip <= 0.0f) return RowArray::Ones(pre.rows(), pre.cols());
  return (pre.abs() <= clip).cast<float>();
}

int64_t Gates(OpKind op) { return op == OpKind::kLstm ? 4 : op == OpKind::kGru ? 3 : 1; }

// Offset of (t, d, b) in Y for either layout.
int64_t YOffset(int64_t layout, int64_t t, int64_t d, int64_t b, int64_t seq, int64_t dirs,
                int64_t batch, int64_t hidden) {
  return layout == 0 ? ((t * dirs + d) * batch + b) * hidden : ((b * seq + t) * dirs + d) * hidden;
}
int64_t StateOffset(int64_t layout, int64_t d, int64_t b, int64_t dirs, int64_t batch,
                    int64_t hidden) {
  return layout == 0 ? (d * batch + b) * hidden : (b * dirs + d) * hidden;
}

}  // namespace

Status ForwardRecurrent(const Node& node, const EvalArgs& args,
                        std::unique_ptr<SavedForward>* saved_out) {
  const int64_t gates = Gates(node.op);
  TML_ASSIGN_OR_RETURN(RecurrentRun run, RecurrentRun::Make(node, args, gates));
  const RecurrentAttrs& attrs = run.attrs();
  const int64_t hs = run.hidden(), batch = run.batch();
  auto saved = std::make_unique<RecurrentSaved>();
  saved->x = run.InputsTimeMajor();
  saved->steps.resize(static_cast<size_t>(run.dirs()));
  const RowMatrix& x = saved->x;
  for (int64_t d = 0; d < run.dirs(); ++d) {
    const auto w = run.Weights(kRecurrentW, d);
    const auto r = run.Weights(kRecurrentR, d);
    RowMatrix h = run.InitialState(kRecurrentInitialH, d);
    RowMatrix c = node.op == OpKind::kLstm ? run.InitialState(kRecurrentInitialC, d)
                                           : RowMatrix::Zero(batch, hs);
    const RowVector wb = run.Bias(d, 0), rb = run.Bias(d, 1);
    const RowMatrix xw = node.op == OpKind::kGru ? RowMatrix((x * w.transpose()).rowwise() + wb)
                                                 : RowMatrix((x * w.transpose()).rowwise() + (wb + rb));
    std::vector<StepCache>& steps = saved->steps[static_cast<size_t>(d)];
    for (int64_t step = 0; step < run.seq(); ++step) {
      StepCache sc;
      sc.t = run.Step(d, step);
      sc.h_prev = h;
      sc.c_prev = c;
      const auto xw_t = xw.middleRows(sc.t * batch, batch);
      RowMatrix h_next;
      if (node.op == OpKind::kLstm) {
        const RowArray g = (xw_t + h * r.transpose()).array();
        const RowArray cp = c.array();
        sc.pre.resize(batch, 4 * hs);
        sc.act.resize(batch, 4 * hs);
        sc.pre.middleCols(0, hs) = g.middleCols(0, hs) + (cp.rowwise() * run.Peephole(d, 0).array());
        sc.act.middleCols(0, hs) = Sig(recurrent::Clip(sc.pre.middleCols(0, hs), attrs.clip));
        if (attrs.input_forget) {
          sc.pre.middleCols(2 * hs, hs) = 0.0f;
          sc.act.middleCols(2 * hs, hs) = 1.0f - sc.act.middleCols(0, hs);
        } else {
          sc.pre.middleCols(2 * hs, hs) =
              g.middleCols(2 * hs, hs) + (cp.rowwise() * run.Peephole(d, 2).array());
          sc.act.middleCols(2 * hs, hs) =
              Sig(recurrent::Clip(sc.pre.middleCols(2 * hs, hs), attrs.clip));
        }
        sc.pre.middleCols(3 * hs, hs) = g.middleCols(3 * hs, hs);
        sc.act.middleCols(3 * hs, hs) = recurrent::Clip(g.middleCols(3 * hs, hs), attrs.clip).tanh();
        sc.c_next = sc.act.middleCols(2 * hs, hs) * cp +
                    sc.act.middleCols(0, hs) * sc.act.middleCols(3 * hs, hs);
        sc.pre.middleCols(hs, hs) =
            g.middleCols(hs, hs) + (sc.c_next.rowwise() * run.Peephole(d, 1).array());
        sc.act.middleCols(hs, hs) = Sig(recurrent::Clip(sc.pre.middleCols(hs, hs), attrs.clip));
        h_next = (sc.act.middleCols(hs, hs) * sc.c_next.tanh()).matrix();
        run.Advance(sc.t, sc.c_next.matrix(), &c);
      } else if (node.op == OpKind::kGru) {
        const auto r_zr = r.topRows(2 * hs);
        const auto r_h = r.bottomRows(hs);
        sc.pre.resize(batch, 3 * hs);
        sc.act.resize(batch, 3 * hs);
        sc.pre.leftCols(2 * hs) =
            ((xw_t.leftCols(2 * hs) + h * r_zr.transpose()).rowwise() + rb.head(2 * hs)).array();
        sc.act.leftCols(2 * hs) = Sig(recurrent::Clip(sc.pre.leftCols(2 * hs), attrs.clip));
        const RowArray reset = sc.act.middleCols(hs, hs);
        if (attrs.linear_before_reset) {
          sc.c_next = ((h * r_h.transpose()).rowwise() + rb.tail(hs)).array();
          sc.pre.rightCols(hs) = xw_t.rightCols(hs).array() + reset * sc.c_next;
        } else {
          const RowMatrix reset_h = (reset * h.array()).matrix();
          sc.pre.rightCols(hs) =
              ((xw_t.rightCols(hs) + reset_h * r_h.transpose()).rowwise() + rb.tail(hs)).array();
        }
        sc.act.rightCols(hs) = recurrent::Clip(sc.pre.rightCols(hs), attrs.clip).tanh();
        const RowArray z = sc.act.leftCols(hs);
        h_next = ((1.0f - z) * sc.act.rightCols(hs) + z * h.array()).matrix();
      } else {
        sc.pre = (xw_t + h * r.transpose()).array();
        sc.act = recurrent::Clip(sc.pre, attrs.clip).tanh();
        h_next = sc.act.matrix();
      }
      run.Advance(sc.t, h_next, &h);
      run.WriteStep(sc.t, d, h);
      steps.push_back(std::move(sc));
    }
    run.WriteState(kRecurrentYh, d, h);
    if (node.op == OpKind::kLstm) run.WriteState(kRecurrentYc, d, c);
  }
  *saved_out = std::move(saved);
  return Status::Ok();
}

Status BackwardRecurrent(const Node& node, const EvalArgs& args, const SavedForward* saved_base,
                         const std::vector<const Tensor*>& dout, const std::vector<Tensor*>& din) {
  const auto* saved = dynamic_cast<const RecurrentSaved*>(saved_base);
  if (saved == nullptr) return Internal("{}: backward without its forward", node.Describe());
  const int64_t gates = Gates(node.op);
  const RecurrentAttrs attrs = ReadRecurrentAttrs(node);
  const Tensor& xt = *args.input(kRecurrentX);
  const Tensor& wt = *args.input(kRecurrentW);
  const int64_t layout = attrs.layout, dirs = attrs.num_directions;
  const int64_t seq = layout == 0 ? xt.shape[0] : xt.shape[1];
  const int64_t batch = layout == 0 ? xt.shape[1] : xt.shape[0];
  const int64_t input = xt.shape[2];
  const int64_t hs = wt.shape[1] / gates, gh = gates * hs;
  std::vector<int64_t> lens(static_cast<size_t>(batch), seq);
  if (const Tensor* l = args.input(kRecurrentSequenceLens)) {
    for (int64_t b = 0; b < batch; ++b) {
      lens[b] = l->dtype == DType::kInt64 ? l->i64[b] : static_cast<int64_t>(l->f32[b]);
    }
  }
  auto grad_in = [&](size_t i) -> Tensor* { return i < din.size() ? din[i] : nullptr; };
  auto grad_out = [&](size_t i) -> const Tensor* { return i < dout.size() ? dout[i] : nullptr; };
  RowMatrix dx = RowMatrix::Zero(seq * batch, input);
  for (int64_t d = 0; d < dirs; ++d) {
    const Tensor& rt = *args.input(kRecurrentR);
    const Eigen::Map<const RowMatrix> w(wt.f32.data() + d * gh * input, gh, input);
    const Eigen::Map<const RowMatrix> r(rt.f32.data() + d * gh * hs, gh, hs);
    RowVector p[3] = {RowVector::Zero(hs), RowVector::Zero(hs), RowVector::Zero(hs)};
    if (const Tensor* pt = args.input(kRecurrentP); pt != nullptr && node.op == OpKind::kLstm) {
      for (int k = 0; k < 3; ++k) p[k] = Eigen::Map<const RowVector>(pt->f32.data() + (d * 3 + k) * hs, hs);
    }
    RowMatrix dh = RowMatrix::Zero(batch, hs), dc = RowMatrix::Zero(batch, hs);
    auto read_state = [&](size_t index, RowMatrix* into) {
      const Tensor* g = grad_out(index);
      if (g == nullptr) return;
      for (int64_t b = 0; b < batch; ++b) {
        into->row(b) += Eigen::Map<const RowVector>(
            g->f32.data() + StateOffset(layout, d, b, dirs, batch, hs), hs);
      }
    };
    read_state(kRecurrentYh, &dh);
    if (node.op == OpKind::kLstm) read_state(kRecurrentYc, &dc);
    RowMatrix dgates = RowMatrix::Zero(seq * batch, gh);  // d(pre-activation) per step, row t·batch+b
    RowMatrix dr = RowMatrix::Zero(gh, hs);
    RowVector drb = RowVector::Zero(gh);  // GRU: R bias gradient differs from W bias
    RowVector dp[3] = {RowVector::Zero(hs), RowVector::Zero(hs), RowVector::Zero(hs)};
    const std::vector<StepCache>& steps = saved->steps[static_cast<size_t>(d)];
    for (size_t it = steps.size(); it-- > 0;) {
      const StepCache& sc = steps[it];
      const int64_t t = sc.t;
      if (const Tensor* gy = grad_out(kRecurrentY)) {
        for (int64_t b = 0; b < batch; ++b) {
          if (t < lens[b]) {
            dh.row(b) += Eigen::Map<const RowVector>(
                gy->f32.data() + YOffset(layout, t, d, b, seq, dirs, batch, hs), hs);
          }
        }
      }
      RowArray da(batch, gh);
      RowMatrix dh_prev, dc_prev = dc;
      // Finished rows (t >= len) did not run this step: no gate gradient.
      Eigen::Array<float, Eigen::Dynamic, 1> valid(batch);
      for (int64_t b = 0; b < batch; ++b) valid(b) = t < lens[b] ? 1.0f : 0.0f;
      const RowArray dha = dh.array().colwise() * valid;
      const RowArray dca = dc.array().colwise() * valid;
      if (node.op == OpKind::kLstm) {
        const RowArray i = sc.act.middleCols(0, hs), o = sc.act.middleCols(hs, hs);
        const RowArray f = sc.act.middleCols(2 * hs, hs), ct = sc.act.middleCols(3 * hs, hs);
        const RowArray tc = sc.c_next.tanh();
        const RowArray cp = sc.c_prev.array();
        const RowArray da_o = dha * tc * o * (1.0f - o) * ClipMask(sc.pre.middleCols(hs, hs), attrs.clip);
        RowArray dcn = dca + dha * o * (1.0f - tc * tc) + (da_o.rowwise() * p[1].array());
        dp[1] += (da_o * sc.c_next).colwise().sum().matrix();
        RowArray di = dcn * ct;
        const RowArray df = dcn * cp;
        const RowArray dct = dcn * i;
        RowArray dcp = dcn * f;
        RowArray da_f = RowArray::Zero(batch, hs);
        if (attrs.input_forget) {
          di -= df;
        } else {
          da_f = df * f * (1.0f - f) * ClipMask(sc.pre.middleCols(2 * hs, hs), attrs.clip);
        }
        const RowArray da_i = di * i * (1.0f - i) * ClipMask(sc.pre.middleCols(0, hs), attrs.clip);
        const RowArray da_c = dct * (1.0f - ct * ct) * ClipMask(sc.pre.middleCols(3 * hs, hs), attrs.clip);
        dcp += (da_i.rowwise() * p[0].array()) + (da_f.rowwise() * p[2].array());
        dp[0] += (da_i * cp).colwise().sum().matrix();
        dp[2] += (da_f * cp).colwise().sum().matrix();
        da.middleCols(0, hs) = da_i;
        da.middleCols(hs, hs) = da_o;
        da.middleCols(2 * hs, hs) = da_f;
        da.middleCols(3 * hs, hs) = da_c;
        dh_prev = da.matrix() * r;
        dc_prev = dcp.matrix();
        dr += da.matrix().transpose() * sc.h_prev;
      } else if (node.op == OpKind::kGru) {
        const RowArray z = sc.act.leftCols(hs), rs = sc.act.middleCols(hs, hs);
        const RowArray ht = sc.act.rightCols(hs);
        const RowArray hp = sc.h_prev.array();
        const auto r_zr = r.topRows(2 * hs);
        const auto r_h = r.bottomRows(hs);
        const RowArray da_h = dha * (1.0f - z) * (1.0f - ht * ht) * ClipMask(sc.pre.rightCols(hs), attrs.clip);
        const RowArray dz = dha * (hp - ht);
        RowArray dh_p = dha * z;
        RowArray dreset;
        if (attrs.linear_before_reset) {
          const RowArray dhr = da_h * rs;
          dreset = da_h * sc.c_next;
          dr.bottomRows(hs) += dhr.matrix().transpose() * sc.h_prev;
          dh_p += (dhr.matrix() * r_h).array();
          drb.tail(hs) += dhr.colwise().sum().matrix();
        } else {
          const RowArray drh = (da_h.matrix() * r_h).array();
          dreset = drh * hp;
          dh_p += drh * rs;
          dr.bottomRows(hs) += da_h.matrix().transpose() * (rs * hp).matrix();
          drb.tail(hs) += da_h.colwise().sum().matrix();
        }
        da.leftCols(hs) = dz * z * (1.0f - z) * ClipMask(sc.pre.leftCols(hs), attrs.clip);
        da.middleCols(hs, hs) = dreset * rs * (1.0f - rs) * ClipMask(sc.pre.middleCols(hs, hs), attrs.clip);
        da.rightCols(hs) = da_h;
        const RowMatrix da_zr = da.leftCols(2 * hs).matrix();
        dr.topRows(2 * hs) += da_zr.transpose() * sc.h_prev;
        drb.head(2 * hs) += da_zr.colwise().sum();
        dh_prev = dh_p.matrix() + da_zr * r_zr;
      } else {
        da = dha * (1.0f - sc.act * sc.act) * ClipMask(sc.pre, attrs.clip);
        dh_prev = da.matrix() * r;
        dr += da.matrix().transpose() * sc.h_prev;
      }
      // Rows that had finished keep their state: the gradient passes through.
      for (int64_t b = 0; b < batch; ++b) {
        if (t >= lens[b]) {
          dh_prev.row(b) = dh.row(b);
          dc_prev.row(b) = dc.row(b);
        }
      }
      dgates.middleRows(t * batch, batch) = da.matrix();
      dh = dh_prev;
      dc = dc_prev;
    }
    if (Tensor* g = grad_in(kRecurrentP); g != nullptr && node.op == OpKind::kLstm) {
      for (int k = 0; k < 3; ++k) {
        Eigen::Map<RowVector>(g->f32.data() + (d * 3 + k) * hs, hs) += dp[k];
      }
    }
    // X-side gradients: the gates' pre-activations are X·Wᵀ + biases.
    dx += dgates * w;
    if (Tensor* g = grad_in(kRecurrentW)) {
      RowMap(g->f32.data() + d * gh * input, gh, input) += dgates.transpose() * saved->x;
    }
    if (Tensor* g = grad_in(kRecurrentR)) RowMap(g->f32.data() + d * gh * hs, gh, hs) += dr;
    if (Tensor* g = grad_in(kRecurrentB)) {
      const RowVector dwb = dgates.colwise().sum();
      Eigen::Map<RowVector>(g->f32.data() + d * 2 * gh, gh) += dwb;
      Eigen::Map<RowVector>(g->f32.data() + d * 2 * gh + gh, gh) +=
          node.op == OpKind::kGru ? drb : dwb;
    }
    auto write_state = [&](size_t index, const RowMatrix& s) {
      Tensor* g = grad_in(index);
      if (g == nullptr) return;
      for (int64_t b = 0; b < batch; ++b) {
        Eigen::Map<RowVector>(g->f32.data() + StateOffset(layout, d, b, dirs, batch, hs), hs) += s.row(b);
      }
    };
    write_state(kRecurrentInitialH, dh);
    if (node.op == OpKind::kLstm) write_state(kRecurrentInitialC, dc);
  }
  if (Tensor* g = grad_in(kRecurrentX)) {
    for (int64_t t = 0; t < seq; ++t) {
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t row = layout == 0 ? t * batch + b : b * seq + t;
        Eigen::Map<RowVector>(g->f32.data() + row * input, input) += dx.row(t * batch + b);
      }
    }
  }
  return Status::Ok();
}

}  // namespace tml
