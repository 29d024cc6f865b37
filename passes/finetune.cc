#include "passes/finetune.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "compiler/inspect.h"
#include "compiler/npy.h"
#include "compiler/reference/interpreter.h"
#include "compiler/reference/materialize.h"
#include "compiler/reference/run_batch.h"
#include "compiler/task/collapse.h"
#include "compiler/task/held_out_figure.h"
#include "passes/backward/backward.h"
#include "passes/dope.h"
#include "passes/finetune_loss.h"

namespace tml {
namespace {

bool IsRecurrent(OpKind op) { return op == OpKind::kLstm || op == OpKind::kGru || op == OpKind::kRnn; }

// A weight operator set on a node input: where its parameters live.
struct Slot {
  size_t node = 0;
  size_t set = 0;
  size_t input = 0;
};

// Every operator of a set in a fixed order (directions, then row blocks).
std::vector<WeightOperator*> Leaves(WeightOperatorSet& set) {
  std::vector<WeightOperator*> out;
  for (WeightOperator& op : set.per_direction) {
    if (op.row_blocks.empty()) {
      out.push_back(&op);
    } else {
      for (WeightOperator& b : op.row_blocks) out.push_back(&b);
    }
  }
  return out;
}

struct Adam {
  std::vector<float>* value = nullptr;
  std::vector<float> m, v, avg;
  void Reset() {
    m.assign(value->size(), 0.0f);
    v.assign(value->size(), 0.0f);
    avg.clear();
  }
};

// The forward/backward machinery over the student graph for one thread.
class Engine {
 public:
  Engine(const Graph& g, const std::vector<Slot>& slots, const std::vector<bool>& trainable,
         const std::vector<bool>& needs_grad)
      : g_(g), slots_(slots), trainable_(trainable), needs_grad_(needs_grad) {}

  // Materialized weights for the current step, [slot].
  void SetWeights(const std::vector<Tensor>* weights) { weights_ = weights; }

  // Runs one sample; returns its outputs. With `train`, keeps the saved state.
  Status Forward(const Tensor& input, bool train, std::vector<Tensor>* outputs) {
    const size_t n = g_.tensors().size();
    values_.assign(n, Tensor());
    ptr_.assign(n, nullptr);
    saved_.clear();
    saved_.resize(g_.nodes().size());
    for (size_t t = 0; t < n; ++t) {
      if (g_.tensors()[t].is_constant()) ptr_[t] = &g_.tensors()[t];
    }
    const TensorId in = g_.inputs()[0];
    values_[in] = input;
    values_[in].shape = g_.tensor(in).shape;
    ptr_[in] = &values_[in];
    for (size_t ni = 0; ni < g_.nodes().size(); ++ni) {
      const Node& node = g_.nodes()[ni];
      for (TensorId id : node.outputs) {
        if (id == kNoTensor) continue;
        const Tensor& d = g_.tensor(id);
        values_[id].name = d.name;
        values_[id].dtype = d.dtype;
        values_[id].shape = d.shape;
        ptr_[id] = &values_[id];
      }
      const EvalArgs args = Args(ni);
      if (train) {
        TML_RETURN_IF_ERROR(ForwardForTraining(node, args, &saved_[ni]));
      } else {
        TML_RETURN_IF_ERROR(EvalNode(node, args));
      }
    }
    outputs->clear();
    for (TensorId id : g_.outputs()) outputs->push_back(values_[id]);
    return Status::Ok();
  }

  // A value of the last Forward().
  const Tensor& Value(TensorId id) const { return values_[id]; }

  // Backpropagates dL/d(outputs) of the last Forward(train = true), and
  // dL/d(hints[k]) = dhint[k] of intermediate tensors; adds the weight
  // gradients into slot_grads[slot] and tensor_grads[tensor].
  Status Backward(const std::vector<std::vector<float>>& dy, const std::vector<TensorId>& hints,
                  const std::vector<std::vector<float>>& dhint, std::vector<Tensor>* slot_grads,
                  std::map<TensorId, std::vector<float>>* tensor_grads) {
    const size_t n = g_.tensors().size();
    grads_.assign(n, Tensor());
    std::vector<bool> has(n, false);
    for (size_t k = 0; k < g_.outputs().size(); ++k) {
      const TensorId id = g_.outputs()[k];
      grads_[id] = values_[id];
      grads_[id].f32 = dy[k];
      has[id] = true;
    }
    for (size_t k = 0; k < hints.size() && k < dhint.size(); ++k) {
      grads_[hints[k]] = values_[hints[k]];
      grads_[hints[k]].f32 = dhint[k];
      has[hints[k]] = true;
    }
    for (size_t ni = g_.nodes().size(); ni-- > 0;) {
      const Node& node = g_.nodes()[ni];
      std::vector<const Tensor*> dout;
      bool any = false;
      for (TensorId id : node.outputs) {
        const bool h = id != kNoTensor && has[id];
        dout.push_back(h ? &grads_[id] : nullptr);
        any = any || h;
      }
      if (!any) continue;
      std::vector<Tensor> local(node.inputs.size());
      std::vector<Tensor*> din(node.inputs.size(), nullptr);
      bool wanted = false;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const TensorId id = node.inputs[i];
        if (id == kNoTensor || g_.tensor(id).dtype != DType::kFloat32) continue;
        const int slot = SlotOf(ni, i);
        if (slot < 0 && !needs_grad_[id] && !trainable_[id]) continue;
        local[i].shape = g_.tensor(id).shape;
        local[i].f32.assign(static_cast<size_t>(local[i].num_elements()), 0.0f);
        din[i] = &local[i];
        wanted = true;
      }
      if (!wanted) continue;
      if (!HasBackward(node.op)) {
        return InvalidInput("finetune: {}: no backward pass for this op on the gradient path",
                            node.Describe());
      }
      TML_RETURN_IF_ERROR(BackwardNode(node, Args(ni), saved_[ni].get(), dout, din));
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (din[i] == nullptr) continue;
        const TensorId id = node.inputs[i];
        const int slot = SlotOf(ni, i);
        std::vector<float>* into = nullptr;
        if (slot >= 0) {
          into = &(*slot_grads)[static_cast<size_t>(slot)].f32;
        } else if (trainable_[id]) {
          into = &(*tensor_grads)[id];
        } else {
          if (!has[id]) {
            grads_[id].shape = local[i].shape;
            grads_[id].f32.assign(local[i].f32.size(), 0.0f);
            has[id] = true;
          }
          into = &grads_[id].f32;
        }
        if (into->empty()) into->assign(local[i].f32.size(), 0.0f);
        for (size_t k = 0; k < local[i].f32.size(); ++k) (*into)[k] += local[i].f32[k];
      }
    }
    return Status::Ok();
  }

 private:
  int SlotOf(size_t node, size_t input) const {
    for (size_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].node == node && slots_[s].input == input) return static_cast<int>(s);
    }
    return -1;
  }
  EvalArgs Args(size_t ni) const {
    const Node& node = g_.nodes()[ni];
    EvalArgs args;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const TensorId id = node.inputs[i];
      const int slot = SlotOf(ni, i);
      if (slot >= 0 && weights_ != nullptr) {
        args.in.push_back(&(*weights_)[static_cast<size_t>(slot)]);
      } else {
        args.in.push_back(id == kNoTensor ? nullptr : ptr_[id]);
      }
    }
    for (TensorId id : node.outputs) {
      args.out.push_back(id == kNoTensor ? nullptr : const_cast<Tensor*>(ptr_[id]));
    }
    return args;
  }

  const Graph& g_;
  const std::vector<Slot>& slots_;
  const std::vector<bool>& trainable_;
  const std::vector<bool>& needs_grad_;
  const std::vector<Tensor>* weights_ = nullptr;
  std::vector<Tensor> values_, grads_;
  std::vector<const Tensor*> ptr_;
  std::vector<std::unique_ptr<SavedForward>> saved_;
};

// out×in matrix of direction d from a gradient laid out like the weight input.
std::vector<float> DirectionMatrix(const Node& node, const Tensor& grad, int64_t d, int64_t rows,
                                   int64_t cols) {
  if (IsRecurrent(node.op)) {
    return std::vector<float>(grad.f32.begin() + d * rows * cols,
                              grad.f32.begin() + (d + 1) * rows * cols);
  }
  const bool in_by_out = node.op == OpKind::kMatMul || node.GetInt("transB", 0) == 0;
  if (!in_by_out) return grad.f32;
  std::vector<float> m(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) m[i * cols + j] = grad.f32[j * rows + i];
  }
  return m;
}

// Factor and S gradients of one operator from its dense gradient dw (rows×cols,
// row stride `stride`), in the order of its parameters (a_k, b_k..., S values).
void OperatorGrads(const WeightOperator& op, const float* dw, int64_t stride,
                   const std::vector<float>* sparse_mask, std::vector<std::vector<float>>* out) {
  for (const KronTerm& t : op.terms) {
    std::vector<float> da(t.a.size(), 0.0f), db(t.b.size(), 0.0f);
    for (int64_t i1 = 0; i1 < t.a_rows; ++i1) {
      for (int64_t i2 = 0; i2 < t.b_rows; ++i2) {
        const float* row = dw + (i1 * t.b_rows + i2) * stride;
        for (int64_t j1 = 0; j1 < t.a_cols; ++j1) {
          const float a = t.a[i1 * t.a_cols + j1];
          const float* blk = row + j1 * t.b_cols;
          const float* b = &t.b[i2 * t.b_cols];
          float* dbr = &db[i2 * t.b_cols];
          float acc = 0.0f;
          for (int64_t j2 = 0; j2 < t.b_cols; ++j2) {
            acc += blk[j2] * b[j2];
            dbr[j2] += blk[j2] * a;
          }
          da[i1 * t.a_cols + j1] += acc;
        }
      }
    }
    out->push_back(std::move(da));
    out->push_back(std::move(db));
  }
  if (op.sparse) {
    std::vector<float> ds(op.sparse->values.size());
    for (int64_t r = 0; r < op.rows; ++r) {
      for (int32_t k = op.sparse->row_ptr[r]; k < op.sparse->row_ptr[r + 1]; ++k) {
        ds[k] = dw[r * stride + op.sparse->col_idx[k]] * (sparse_mask ? (*sparse_mask)[k] : 1.0f);
      }
    }
    out->push_back(std::move(ds));
  }
}

bool ClassifierShaped(const Tensor& t) {
  return !t.shape.empty() && t.shape.back() > 1 && t.num_elements() == t.shape.back();
}

int64_t Argmax(const std::vector<float>& v) {
  return std::max_element(v.begin(), v.end()) - v.begin();
}

template <typename Fn>
void ParallelChunks(int threads, size_t count, Fn fn) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(count)));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    const size_t begin = count * t / threads, end = count * (t + 1) / threads;
    pool.emplace_back([&fn, t, begin, end] { fn(t, begin, end); });
  }
  for (std::thread& th : pool) th.join();
}

constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kAdamEps = 1e-8;
constexpr double kPi = 3.14159265358979323846;

// What the phases of one Run() share. The Engines keep references to `slots`,
// `trainable` and `needs_grad`, so the state never moves once built.
struct TrainingState {
  TrainingState(const FinetuneOptions& options, Graph& student, FinetuneReport& r, Observer* obs)
      : o(options), graph(student), report(r), observer(obs), rng(options.seed),
        threads(std::max(1, options.threads)) {}
  TrainingState(const TrainingState&) = delete;
  TrainingState& operator=(const TrainingState&) = delete;

  const FinetuneOptions& o;
  Graph& graph;  // the student, trained in place
  FinetuneReport& report;
  Observer* observer;
  const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::mt19937_64 rng;  // draws the split, then every epoch's shuffle
  const int threads;

  // Data (LoadData, RunTeacher).
  std::vector<Tensor> samples;
  std::vector<int64_t> labels;  // one per sample, or empty
  std::vector<int64_t> train, holdout;  // sample indices
  // [sample][output]; past FinetuneOptions::max_teacher_values (RunTeacher) only the held-out
  // samples' and those of the scale statistics are kept, the others are run
  // on teacher_graph when a batch needs them (streamed).
  std::vector<std::vector<Tensor>> teacher_out;
  Graph teacher_graph;  // the original model: the student without operators
  bool teacher_streamed = false;
  // Intermediate matching: the first output of every node with a weight
  // operator (a compressed layer's output or hidden states), the teacher's
  // values [sample][hint], and each one's weight: out_ms / mean(t²), so a
  // hint's squared error counts relative to its own scale in the units of
  // the output loss.
  std::vector<TensorId> hints;
  std::vector<std::vector<std::vector<float>>> teacher_hints;
  std::vector<double> hint_scale;
  double hint_weight_now = 0.0;  // this epoch's weight of the matching term
  Task task = Task::kAuto;  // detected in RunTeacher unless --task gave it
  std::vector<int64_t> train_tokens;  // lm: the training split's token ids (the unigram predictor)

  // The last held-out evaluation (Evaluate) and the best epoch's parameters.
  HeldOutFigure figure;
  std::vector<float> holdout_student, holdout_teacher;  // first outputs, back to back
  std::vector<std::vector<float>> best_params;  // CollectParams() order
  double best_figure = 0.0;
  int best_epoch = -1;

  // Parameters (CollectTrainable, PrepareDoping, CollectParams).
  std::vector<Slot> slots;
  std::vector<bool> trainable, needs_grad;  // per tensor
  std::vector<TensorId> trained_tensors;
  std::vector<std::vector<int64_t>> target_nnz;  // per slot, per leaf operator
  std::vector<std::vector<std::vector<float>>> dense_w;  // per slot, per direction
  bool doped = false;
  int anneal_epochs = 0;
  // Gradual compression (PrepareGradual): per slot, original − structure in
  // the weight tensor's layout, and the steps over which its weight fades.
  std::vector<std::vector<float>> residual;
  int64_t gradual_steps = 0;
  std::vector<Adam> params;  // CollectParams() order

  // Training (StartEngines, TrainEpoch).
  std::vector<std::unique_ptr<Engine>> engines;  // one per thread
  std::vector<std::vector<std::vector<float>>> masks;  // per slot, per leaf: dropout of the last Materialize
  int swa_start = 0;  // first epoch averaged
  int64_t step = 0, swa_count = 0;
  int64_t steps_per_epoch = 0, total_steps = 0;  // the learning-rate schedule
  size_t epoch_samples = 0;  // trained per epoch (ChooseEpochSamples)
};

// Reads the labels (from labels_path, else the options'), checked against `count`.
StatusOr<std::vector<int64_t>> LoadLabels(const FinetuneOptions& o, int64_t count) {
  std::vector<int64_t> labels = o.labels;
  if (!o.labels_path.empty()) {
    TML_ASSIGN_OR_RETURN(Tensor l, ReadNpy(o.labels_path));
    labels.clear();
    if (l.dtype == DType::kInt64) labels = l.i64;
    for (float v : l.f32) labels.push_back(static_cast<int64_t>(v));
  }
  if (!labels.empty() && static_cast<int64_t>(labels.size()) != count) {
    return InvalidInput("finetune: {} labels for {} calibration samples", labels.size(), count);
  }
  return labels;
}

// Reads and checks the calibration data and labels, cuts the samples to the
// model input and splits them (seeded shuffle) into training and held-out parts.
Status LoadData(TrainingState& st) {
  const FinetuneOptions& o = st.o;
  const Graph& graph = st.graph;
  if (graph.inputs().size() != 1) {
    return InvalidInput("finetune: the model has {} inputs; fine-tuning supports one",
                        graph.inputs().size());
  }
  Tensor calib = o.calib;
  if (!o.calib_path.empty()) {
    TML_ASSIGN_OR_RETURN(calib, ReadNpy(o.calib_path));
  }
  if (calib.shape.empty() || calib.shape[0] < 2) {
    return InvalidInput("finetune: --finetune needs --calib X.npy with at least 2 samples");
  }
  const Tensor& in_decl = graph.tensor(graph.inputs()[0]);
  const bool tokens = in_decl.dtype == DType::kInt64;  // token ids stay integers
  if (tokens) {
    TML_RETURN_IF_ERROR(CheckDataType(calib, in_decl, o.calib_path.empty() ? "finetune: the calibration data" : o.calib_path));
  } else if (calib.dtype != DType::kFloat32) {
    calib.f32.assign(calib.i64.begin(), calib.i64.end());
    calib.dtype = DType::kFloat32;
  }
  const int64_t non_finite = CountNonFinite(calib.f32);
  if (non_finite > 0) {
    return InvalidInput("finetune: {}: holds {} NaN/Inf values; training data must be finite",
                        o.calib_path.empty() ? std::string("the calibration data") : o.calib_path, non_finite);
  }
  const int64_t count = calib.shape[0];
  const int64_t per = in_decl.num_elements();
  if (calib.num_elements() != count * per) {
    return InvalidInput("finetune: {}: samples have {} values, the model input '{}' {} needs {}",
                        o.calib_path, calib.num_elements() / count, in_decl.name,
                        ShapeToString(in_decl.shape), per);
  }
  TML_ASSIGN_OR_RETURN(st.labels, LoadLabels(o, count));
  st.samples.resize(static_cast<size_t>(count));
  for (int64_t s = 0; s < count; ++s) {
    st.samples[s].name = in_decl.name;
    st.samples[s].shape = in_decl.shape;
    st.samples[s].dtype = in_decl.dtype;
    if (tokens) {
      st.samples[s].i64.assign(calib.i64.begin() + s * per, calib.i64.begin() + (s + 1) * per);
    } else {
      st.samples[s].f32.assign(calib.f32.begin() + s * per, calib.f32.begin() + (s + 1) * per);
    }
  }
  std::vector<int64_t> order(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), st.rng);
  const int64_t held = std::clamp<int64_t>(std::min<int64_t>(std::llround(o.holdout_fraction * count), o.max_holdout), 1,
                                           count - 1);
  st.holdout.assign(order.end() - held, order.end());
  st.train.assign(order.begin(), order.end() - held);
  st.report.train_samples = static_cast<int64_t>(st.train.size());
  st.report.holdout_samples = held;
  st.report.epochs = o.epochs;
  return Status::Ok();
}

// The teacher's outputs for every sample (the same graph without operators is
// the original model), or, for a calibration set whose outputs would exceed
// FinetuneOptions::max_teacher_values, for the held-out samples and the
// first kStatSamples training samples only: the others are computed when a
// batch uses them, so memory stays bounded however large the set.
Status RunTeacher(TrainingState& st) {
  Graph& teacher = st.teacher_graph;
  teacher = st.graph;
  for (Node& node : teacher.nodes()) node.weight_ops.clear();
  if (st.o.hint_weight > 0.0) {
    for (const Node& node : st.graph.nodes()) {
      if (node.weight_ops.empty() || node.outputs.empty() || node.outputs[0] == kNoTensor) continue;
      const TensorId id = node.outputs[0];
      if (st.graph.tensor(id).dtype != DType::kFloat32) continue;
      if (std::find(st.graph.outputs().begin(), st.graph.outputs().end(), id) != st.graph.outputs().end()) continue;
      st.hints.push_back(id);
    }
  }
  // The teacher's hints are kept for every sample; past kMaxHintValues
  // (64 M floats, 256 MB) fine-tuning matches the outputs only and says so.
  constexpr int64_t kMaxHintValues = int64_t{1} << 26;
  constexpr size_t kStatSamples = 2048;
  int64_t out_values = 0;
  for (TensorId id : st.graph.outputs()) out_values += st.graph.tensor(id).num_elements();
  st.teacher_streamed = out_values * static_cast<int64_t>(st.samples.size()) > st.o.max_teacher_values;
  int64_t hint_values = 0;
  for (TensorId id : st.hints) hint_values += st.graph.tensor(id).num_elements();
  if (st.teacher_streamed) {
    st.observer->Info(fmt::format(
        "finetune: {} samples x {} output values exceed {} values; the original's outputs are computed "
        "per batch (streamed), matching the outputs only\n",
        st.samples.size(), out_values, st.o.max_teacher_values));
    st.hints.clear();
  } else if (hint_values * static_cast<int64_t>(st.samples.size()) > kMaxHintValues) {
    st.observer->Info(fmt::format(
        "finetune: {} samples x {} intermediate values exceed {} values; matching the outputs only\n",
        st.samples.size(), hint_values, kMaxHintValues));
    st.hints.clear();
  }
  const size_t real_outputs = teacher.outputs().size();
  Graph with_hints = teacher;
  for (TensorId id : st.hints) with_hints.outputs().push_back(id);
  const size_t count = st.samples.size();
  st.teacher_out.assign(count, {});
  st.teacher_hints.assign(count, {});
  std::vector<int64_t> kept(st.holdout);
  if (st.teacher_streamed) {
    kept.insert(kept.end(), st.train.begin(), st.train.begin() + static_cast<std::ptrdiff_t>(std::min(kStatSamples, st.train.size())));
  } else {
    kept.resize(count);
    for (size_t s = 0; s < count; ++s) kept[s] = static_cast<int64_t>(s);
  }
  std::vector<Status> errors(static_cast<size_t>(std::max(1, st.o.threads)));
  ParallelChunks(st.o.threads, kept.size(), [&](int t, size_t b, size_t e) {
    Interpreter interp(with_hints);
    for (size_t i = b; i < e; ++i) {
      const size_t s = static_cast<size_t>(kept[i]);
      StatusOr<std::vector<Tensor>> y = interp.Run({st.samples[s]});
      if (!y.ok()) { errors[t] = y.status(); return; }
      for (size_t k = real_outputs; k < y->size(); ++k) st.teacher_hints[s].push_back(std::move((*y)[k].f32));
      y->resize(real_outputs);
      st.teacher_out[s] = std::move(*y);
    }
  });
  for (const Status& s : errors) TML_RETURN_IF_ERROR(s);
  const std::vector<Tensor>& first = st.teacher_out[st.holdout[0]];
  st.report.classifier = ClassifierShaped(first[0]);
  double out_sq = 0.0, out_n = 0.0;
  std::vector<double> hint_sq(st.hints.size(), 0.0), hint_n(st.hints.size(), 0.0);
  for (int64_t s : st.train) {
    for (const Tensor& y : st.teacher_out[s]) {
      for (float v : y.f32) out_sq += static_cast<double>(v) * v;
      out_n += static_cast<double>(y.f32.size());
    }
    for (size_t h = 0; h < st.hints.size(); ++h) {
      for (float v : st.teacher_hints[s][h]) hint_sq[h] += static_cast<double>(v) * v;
      hint_n[h] += static_cast<double>(st.teacher_hints[s][h].size());
    }
  }
  TaskShapes shapes;
  shapes.input = st.samples[0].shape;
  shapes.token_input = st.samples[0].dtype == DType::kInt64;
  shapes.output = first[0].shape;
  shapes.has_labels = !st.labels.empty();
  st.task = DetectTask(shapes, st.o.task);
  st.report.task = TaskName(st.task);
  // A language model's loss is in nats (LanguageModelLoss), not in squared
  // logits: its hints count as relative squared error.
  const double out_ms = st.task == Task::kLanguageModel ? 1.0 : out_sq / std::max(out_n, 1.0);
  for (size_t h = 0; h < st.hints.size(); ++h) {
    st.hint_scale.push_back(out_ms / std::max(hint_sq[h] / std::max(hint_n[h], 1.0), 1e-12));
  }
  return Status::Ok();
}

// The operator slots and the trained constant tensors (biases, Add/Sub operands
// on the gradient path, dense weights with train_dense), and which activations
// need a gradient.
void CollectTrainable(TrainingState& st) {
  const FinetuneOptions& o = st.o;
  const Graph& graph = st.graph;
  for (size_t ni = 0; ni < graph.nodes().size(); ++ni) {
    for (size_t si = 0; si < graph.nodes()[ni].weight_ops.size(); ++si) {
      st.slots.push_back({ni, si, graph.nodes()[ni].weight_ops[si].input});
    }
  }
  const size_t nt = graph.tensors().size();
  std::vector<bool>& trainable = st.trainable;
  std::vector<bool>& needs_grad = st.needs_grad;
  trainable.assign(nt, false);
  needs_grad.assign(nt, false);
  auto mark = [&](const Node& node, size_t i) {
    const TensorId id = node.input(i);
    if (id != kNoTensor && graph.tensor(id).is_constant() &&
        graph.tensor(id).dtype == DType::kFloat32 && node.WeightOps(i) == nullptr) {
      trainable[id] = true;
    }
  };
  for (const Node& node : graph.nodes()) {
    if (IsRecurrent(node.op)) {
      mark(node, 3);
      if (o.train_dense) { mark(node, 1); mark(node, 2); }
    } else if (node.op == OpKind::kGemm) {
      mark(node, 2);
      if (o.train_dense) mark(node, 1);
    } else if (node.op == OpKind::kMatMul) {
      if (o.train_dense) mark(node, 1);
    } else if (node.op == OpKind::kGather && graph.tensor(node.input(1)).role == TensorRole::kInput) {
      mark(node, 0);  // an embedding table looked up by the model's token ids
    }
  }
  // Forward reachability: which activations depend on parameters; Add/Sub biases
  // on such a path are trained too.
  for (size_t ni = 0; ni < graph.nodes().size(); ++ni) {
    const Node& node = graph.nodes()[ni];
    bool depends = !node.weight_ops.empty();
    for (TensorId id : node.inputs) depends = depends || (id != kNoTensor && (needs_grad[id] || trainable[id]));
    if ((node.op == OpKind::kAdd || node.op == OpKind::kSub) && depends) {
      mark(node, 0);
      mark(node, 1);
    }
    if (depends) {
      for (TensorId id : node.outputs) if (id != kNoTensor) needs_grad[id] = true;
    }
  }
  for (size_t t = 0; t < nt; ++t) if (trainable[t]) st.trained_tensors.push_back(static_cast<TensorId>(t));
}

// Re-selects S of every doped leaf at `factor` × its target nnz: from the
// residual of the original weights, or (pruning) by magnitude of S itself.
void Redope(TrainingState& st, double factor, bool from_residual) {
  for (size_t s = 0; s < st.slots.size(); ++s) {
    Node& node = st.graph.nodes()[st.slots[s].node];
    WeightOperatorSet& set = node.weight_ops[st.slots[s].set];
    size_t li = 0;
    for (size_t d = 0; d < set.per_direction.size(); ++d) {
      WeightOperator& op = set.per_direction[d];
      std::vector<WeightOperator*> leaves;
      if (op.row_blocks.empty()) leaves.push_back(&op); else for (auto& b : op.row_blocks) leaves.push_back(&b);
      int64_t row = 0;
      for (WeightOperator* leaf : leaves) {
        const int64_t target = st.target_nnz[s][li++];
        const int64_t k = std::min<int64_t>(leaf->rows * leaf->cols, std::llround(target * factor));
        if (target > 0) {
          if (from_residual) {
            DopeOperator(st.dense_w[s][d].data() + row * leaf->cols,
                         static_cast<double>(k) / static_cast<double>(leaf->rows * leaf->cols), leaf);
          } else if (leaf->sparse->nnz() > k) {
            std::vector<float> dense(static_cast<size_t>(leaf->rows * leaf->cols), 0.0f);
            for (int64_t r = 0; r < leaf->rows; ++r)
              for (int32_t q = leaf->sparse->row_ptr[r]; q < leaf->sparse->row_ptr[r + 1]; ++q)
                dense[r * leaf->cols + leaf->sparse->col_idx[q]] = leaf->sparse->values[q];
            leaf->sparse = SelectLargest(dense.data(), leaf->rows, leaf->cols, k);
          }
        }
        row += leaf->rows;
      }
    }
  }
}

// Doping anneal: the target nnz of every leaf operator and the original dense
// weights; when any operator carries S, restarts it at dope_start_factor × density.
void PrepareDoping(TrainingState& st) {
  const FinetuneOptions& o = st.o;
  st.target_nnz.resize(st.slots.size());
  st.dense_w.resize(st.slots.size());
  for (size_t s = 0; s < st.slots.size(); ++s) {
    Node& node = st.graph.nodes()[st.slots[s].node];
    WeightOperatorSet& set = node.weight_ops[st.slots[s].set];
    for (size_t d = 0; d < set.per_direction.size(); ++d) {
      int64_t rows = 0, cols = 0;
      st.dense_w[s].push_back(
          DenseWeightMatrix(st.graph, node, set.input, static_cast<int64_t>(d), &rows, &cols));
    }
    for (WeightOperator* leaf : Leaves(set)) {
      st.target_nnz[s].push_back(leaf->sparse ? leaf->sparse->nnz() : 0);
      st.doped = st.doped || (leaf->sparse && leaf->sparse->nnz() > 0);
    }
  }
  st.anneal_epochs = std::max(1, static_cast<int>(std::lround(o.anneal_fraction * o.epochs)));
  if (st.doped && o.dope_start_factor > 1.0) Redope(st, o.dope_start_factor, true);
}

// Gradual compression: the residual each operator set left (original weight
// tensor − its structure as the earlier passes and the doping restart made
// it). Needs StartEngines' step counts.
Status PrepareGradual(TrainingState& st) {
  st.gradual_steps = static_cast<int64_t>(std::llround(st.o.gradual_fraction * static_cast<double>(st.total_steps)));
  if (st.gradual_steps <= 0) return Status::Ok();
  st.residual.resize(st.slots.size());
  for (size_t s = 0; s < st.slots.size(); ++s) {
    const Node& node = st.graph.nodes()[st.slots[s].node];
    const WeightOperatorSet& set = node.weight_ops[st.slots[s].set];
    TML_ASSIGN_OR_RETURN(const Tensor structure, MaterializeWeight(st.graph, node, set));
    const std::vector<float>& original = st.graph.tensor(node.input(set.input)).f32;
    st.residual[s].resize(original.size());
    for (size_t k = 0; k < original.size(); ++k) st.residual[s][k] = original[k] - structure.f32[k];
  }
  return Status::Ok();
}

// The residual's weight ρ at the current step: (1 − step / gradual_steps)³,
// 0 once the gradual phase is over.
double ResidualWeight(const TrainingState& st) {
  if (st.step >= st.gradual_steps) return 0.0;
  const double left = 1.0 - static_cast<double>(st.step) / static_cast<double>(st.gradual_steps);
  return left * left * left;
}

// The optimiser state of every parameter, reset: per slot and leaf the factors
// a_k, b_k and the S values, then the trained tensors.
void CollectParams(TrainingState& st) {
  st.params.clear();
  for (size_t s = 0; s < st.slots.size(); ++s) {
    WeightOperatorSet& set = st.graph.nodes()[st.slots[s].node].weight_ops[st.slots[s].set];
    for (WeightOperator* leaf : Leaves(set)) {
      for (KronTerm& t : leaf->terms) {
        st.params.push_back(Adam{&t.a, {}, {}, {}});
        st.params.push_back(Adam{&t.b, {}, {}, {}});
      }
      if (leaf->sparse) st.params.push_back(Adam{&leaf->sparse->values, {}, {}, {}});
    }
  }
  for (TensorId id : st.trained_tensors) st.params.push_back(Adam{&st.graph.tensor(id).f32, {}, {}, {}});
  for (Adam& p : st.params) p.Reset();
}

// How many training samples each epoch trains on (FinetuneOptions::
// samples_per_epoch, budget_macs); says so when the budget cuts the epochs.
void ChooseEpochSamples(TrainingState& st) {
  const FinetuneOptions& o = st.o;
  const size_t all = st.train.size();
  if (o.samples_per_epoch > 0) {
    st.epoch_samples = std::min(all, static_cast<size_t>(o.samples_per_epoch));
    st.report.epoch_samples = static_cast<int64_t>(st.epoch_samples);
    return;
  }
  // Forward and backward cost about three forward passes.
  const double per_sample = 3.0 * static_cast<double>(std::max<int64_t>(1, SummarizeGraph(st.graph).macs));
  const double fit = o.budget_macs / (per_sample * std::max(1, o.epochs));
  const size_t floor_samples = std::min(all, static_cast<size_t>(std::max(1, o.batch_size)));
  st.epoch_samples = fit >= static_cast<double>(all) ? all : std::max(floor_samples, static_cast<size_t>(fit));
  st.report.epoch_samples = static_cast<int64_t>(st.epoch_samples);
  if (st.epoch_samples < all) {
    st.observer->Info(fmt::format(
        "finetune: {} epochs of {} training samples exceed the training budget ({:.3g} MACs, {:.3g} per "
        "sample); each epoch trains on {} of them, drawn afresh (--finetune-samples N to choose)\n",
        o.epochs, all, o.budget_macs, per_sample, st.epoch_samples));
  }
}

// One Engine per thread, the dropout masks and the first averaged epoch.
void StartEngines(TrainingState& st) {
  for (int t = 0; t < st.threads; ++t) {
    st.engines.push_back(std::make_unique<Engine>(st.graph, st.slots, st.trainable, st.needs_grad));
  }
  st.masks.resize(st.slots.size());
  const FinetuneOptions& o = st.o;
  st.swa_start = o.epochs - std::max(1, static_cast<int>(std::lround(o.swa_fraction * o.epochs)));
  const int64_t batch = std::max(1, o.batch_size);
  st.steps_per_epoch = (static_cast<int64_t>(st.epoch_samples) + batch - 1) / batch;
  st.total_steps = st.steps_per_epoch * o.epochs;
}

// Materialized weights, [slot]; with `drop_rng`, S entries are dropped
// (co-matrix dropout) and the masks kept in st.masks for the gradients;
// `rho` × the compression's residual is added (gradual compression).
Status Materialize(TrainingState& st, std::mt19937_64* drop_rng, double rho, std::vector<Tensor>* out) {
  const FinetuneOptions& o = st.o;
  out->clear();
  for (size_t s = 0; s < st.slots.size(); ++s) {
    const Node& node = st.graph.nodes()[st.slots[s].node];
    WeightOperatorSet set = node.weight_ops[st.slots[s].set];
    st.masks[s].clear();
    for (WeightOperator* leaf : Leaves(set)) {
      std::vector<float> mask;
      if (leaf->sparse && drop_rng != nullptr && o.co_dropout > 0.0) {
        std::bernoulli_distribution keep(1.0 - o.co_dropout);
        const float scale = static_cast<float>(1.0 / (1.0 - o.co_dropout));
        mask.resize(leaf->sparse->values.size());
        for (size_t k = 0; k < mask.size(); ++k) {
          mask[k] = keep(*drop_rng) ? scale : 0.0f;
          leaf->sparse->values[k] *= mask[k];
        }
      }
      st.masks[s].push_back(std::move(mask));
    }
    TML_ASSIGN_OR_RETURN(Tensor dense, MaterializeWeight(st.graph, node, set));
    if (rho > 0.0 && s < st.residual.size()) {
      const std::vector<float>& r = st.residual[s];
      for (size_t k = 0; k < dense.f32.size() && k < r.size(); ++k) dense.f32[k] += static_cast<float>(rho * r[k]);
    }
    out->push_back(std::move(dense));
  }
  return Status::Ok();
}

// Held-out evaluation: agreement with the teacher (top-1 or fidelity) and,
// when `accuracy` is given, accuracy against the labels (-1 without labels).
Status Evaluate(TrainingState& st, double* agreement, double* accuracy) {
  const std::vector<int64_t>& holdout = st.holdout;
  const std::vector<int64_t>& labels = st.labels;
  std::vector<Tensor> weights;
  TML_RETURN_IF_ERROR(Materialize(st, nullptr, 0.0, &weights));
  std::vector<std::vector<Tensor>> outs(holdout.size());
  std::vector<Status> errors(static_cast<size_t>(st.threads));
  ParallelChunks(st.threads, holdout.size(), [&](int t, size_t b, size_t e) {
    st.engines[t]->SetWeights(&weights);
    for (size_t i = b; i < e; ++i) {
      Status status = st.engines[t]->Forward(st.samples[holdout[i]], false, &outs[i]);
      if (!status.ok()) { errors[t] = status; return; }
    }
  });
  for (const Status& s : errors) TML_RETURN_IF_ERROR(s);
  double agree = 0, err = 0, var = 0;
  int64_t correct = 0;
  for (size_t i = 0; i < holdout.size(); ++i) {
    const std::vector<float>& s = outs[i][0].f32;
    const std::vector<float>& t = st.teacher_out[holdout[i]][0].f32;
    if (st.report.classifier) agree += Argmax(s) == Argmax(t) ? 1 : 0;
    double mean = 0;
    for (float v : t) mean += v;
    mean /= static_cast<double>(t.size());
    for (size_t k = 0; k < t.size(); ++k) {
      err += (s[k] - t[k]) * static_cast<double>(s[k] - t[k]);
      var += (t[k] - mean) * (t[k] - mean);
    }
    if (!labels.empty()) correct += Argmax(s) == labels[holdout[i]] ? 1 : 0;
  }
  *agreement = st.report.classifier ? agree / static_cast<double>(holdout.size())
                                    : 1.0 - err / std::max(var, 1e-30);
  std::vector<const Tensor*> ins, student, teacher;
  std::vector<int64_t> held_labels;
  st.holdout_student.clear();
  st.holdout_teacher.clear();
  for (size_t i = 0; i < holdout.size(); ++i) {
    ins.push_back(&st.samples[holdout[i]]);
    student.push_back(&outs[i][0]);
    teacher.push_back(&st.teacher_out[holdout[i]][0]);
    if (!labels.empty()) held_labels.push_back(labels[holdout[i]]);
    st.holdout_student.insert(st.holdout_student.end(), outs[i][0].f32.begin(), outs[i][0].f32.end());
    st.holdout_teacher.insert(st.holdout_teacher.end(), teacher.back()->f32.begin(), teacher.back()->f32.end());
  }
  if (st.task == Task::kLanguageModel && st.train_tokens.empty()) {
    for (int64_t i : st.train) {
      st.train_tokens.insert(st.train_tokens.end(), st.samples[i].i64.begin(), st.samples[i].i64.end());
    }
  }
  st.figure = ComputeHeldOutFigure(st.task, ins, student, teacher, held_labels, st.train_tokens);
  if (accuracy != nullptr) {
    *accuracy = labels.empty() ? -1.0 : static_cast<double>(correct) / static_cast<double>(holdout.size());
  }
  return Status::Ok();
}

// The student before training (agreement, accuracy) and the teacher's accuracy;
// returns the header line.
StatusOr<std::string> EvaluateBefore(TrainingState& st) {
  FinetuneReport& r = st.report;
  TML_RETURN_IF_ERROR(Evaluate(st, &r.agreement_before, &r.accuracy_before));
  if (!st.labels.empty()) {
    int64_t correct = 0;
    for (int64_t i : st.holdout) correct += Argmax(st.teacher_out[i][0].f32) == st.labels[i] ? 1 : 0;
    r.teacher_accuracy = static_cast<double>(correct) / static_cast<double>(st.holdout.size());
  }
  r.figure_name = st.figure.name;
  r.figure_before = st.figure.text;
  const std::string per_epoch =
      st.epoch_samples < st.train.size() ? fmt::format(" ({} per epoch)", st.epoch_samples) : "";
  return fmt::format("finetune: {} parameters, {} training{} / {} held-out samples, {} threads, "
                     "task {}; before: {}",
                     r.parameters, st.train.size(), per_epoch, st.holdout.size(), st.threads, r.task,
                     st.figure.text);
}

// The loss of sample `s` (its outputs `out`) and dL/d(outputs) for a
// mini-batch of `bsz`: mean squared error against the teacher, plus ce_weight ×
// the cross-entropy of the first output against the label; a language model's
// first output is judged by LanguageModelLoss instead. Adds to *loss.
Status SampleLoss(const TrainingState& st, int64_t s, const std::vector<Tensor>& out,
                  const std::vector<Tensor>& teacher, size_t bsz, double* loss,
                  std::vector<std::vector<float>>* dy) {
  const FinetuneOptions& o = st.o;
  dy->assign(out.size(), {});
  for (size_t k = 0; k < out.size(); ++k) {
    const std::vector<float>& y = out[k].f32;
    const std::vector<float>& ty = teacher[k].f32;
    (*dy)[k].resize(y.size());
    if (k == 0 && st.task == Task::kLanguageModel) {
      const Shape& shape = out[0].shape;
      const size_t vocab = static_cast<size_t>(shape.empty() ? 1 : std::max<int64_t>(shape.back(), 1));
      const size_t positions = y.size() / vocab;
      const std::vector<int64_t>& tokens = st.samples[s].i64;
      *loss += LanguageModelLoss(y.data(), ty.data(), positions, vocab,
                                 tokens.size() == positions ? tokens.data() : nullptr, o.ce_weight,
                                 1.0 / static_cast<double>(bsz), (*dy)[0].data());
      continue;
    }
    const double inv = 1.0 / static_cast<double>(y.size());
    for (size_t q = 0; q < y.size(); ++q) {
      const double diff = y[q] - ty[q];
      *loss += diff * diff * inv;
      (*dy)[k][q] = static_cast<float>(2.0 * diff * inv / static_cast<double>(bsz));
    }
  }
  if (!st.labels.empty() && o.ce_weight > 0) {
    const std::vector<float>& y = out[0].f32;
    const float mx = *std::max_element(y.begin(), y.end());
    double sum = 0;
    for (float v : y) sum += std::exp(v - mx);
    const int64_t label = st.labels[s];
    if (label < 0 || label >= static_cast<int64_t>(y.size())) {
      return InvalidInput("finetune: label {} of sample {} is outside [0, {})", label, s, y.size());
    }
    *loss += o.ce_weight * (std::log(sum) - (y[label] - mx));
    for (size_t q = 0; q < y.size(); ++q) {
      const double p = std::exp(y[q] - mx) / sum - (static_cast<int64_t>(q) == label ? 1.0 : 0.0);
      (*dy)[0][q] += static_cast<float>(o.ce_weight * p / static_cast<double>(bsz));
    }
  }
  return Status::Ok();
}

// dL/d(hint) of sample `s` for the intermediate-matching term
// hint_weight_now × hint_scale[h] × mean((student − teacher)²) of every hint.
std::vector<std::vector<float>> HintGradients(const TrainingState& st, const Engine& eng, int64_t s,
                                              size_t bsz) {
  std::vector<std::vector<float>> dh;
  if (st.hint_weight_now <= 0.0) return dh;
  for (size_t h = 0; h < st.hints.size(); ++h) {
    const std::vector<float>& y = eng.Value(st.hints[h]).f32;
    const std::vector<float>& t = st.teacher_hints[s][h];
    const double scale = 2.0 * st.hint_weight_now * st.hint_scale[h] /
                         (static_cast<double>(y.size()) * static_cast<double>(bsz));
    std::vector<float> g(y.size());
    for (size_t q = 0; q < y.size() && q < t.size(); ++q) g[q] = static_cast<float>(scale * (y[q] - t[q]));
    dh.push_back(std::move(g));
  }
  return dh;
}

// Forward and backward over the training samples [first, last) with `weights`,
// split over the threads; returns the summed slot and tensor gradients (reduced
// in thread order) and adds each thread's loss to *epoch_loss in thread order.
Status BatchGradients(TrainingState& st, const std::vector<Tensor>& weights, size_t first, size_t last,
                      std::vector<Tensor>* slot_grads_out,
                      std::map<TensorId, std::vector<float>>* tensor_grads_out, double* epoch_loss) {
  const int threads = st.threads;
  const size_t bsz = last - first;
  std::vector<std::vector<Tensor>> slot_grads(static_cast<size_t>(threads));
  std::vector<std::map<TensorId, std::vector<float>>> tensor_grads(static_cast<size_t>(threads));
  std::vector<double> losses(static_cast<size_t>(threads), 0.0);
  std::vector<Status> errors(static_cast<size_t>(threads));
  ParallelChunks(threads, bsz, [&](int t, size_t b, size_t e) {
    Engine& eng = *st.engines[t];
    eng.SetWeights(&weights);
    for (const Tensor& w : weights) {
      Tensor z;
      z.shape = w.shape;
      z.f32.assign(w.f32.size(), 0.0f);
      slot_grads[t].push_back(std::move(z));
    }
    for (size_t i = b; i < e; ++i) {
      const int64_t s = st.train[first + i];
      std::vector<Tensor> out;
      Status status = eng.Forward(st.samples[s], true, &out);
      if (!status.ok()) { errors[t] = status; return; }
      std::vector<Tensor> streamed;
      if (st.teacher_out[s].empty()) {  // RunTeacher kept only some (teacher_streamed)
        StatusOr<std::vector<Tensor>> y = Interpreter(st.teacher_graph).Run({st.samples[s]});
        if (!y.ok()) { errors[t] = y.status(); return; }
        streamed = std::move(*y);
      }
      std::vector<std::vector<float>> dy;
      status = SampleLoss(st, s, out, streamed.empty() ? st.teacher_out[s] : streamed, bsz, &losses[t], &dy);
      if (!status.ok()) { errors[t] = status; return; }
      status = eng.Backward(dy, st.hints, HintGradients(st, eng, s, bsz), &slot_grads[t], &tensor_grads[t]);
      if (!status.ok()) { errors[t] = status; return; }
    }
  });
  for (const Status& s : errors) TML_RETURN_IF_ERROR(s);
  // Deterministic reduction in thread order.
  for (int t = 1; t < threads; ++t) {
    for (size_t s = 0; s < slot_grads[0].size() && s < slot_grads[t].size(); ++s) {
      for (size_t k = 0; k < slot_grads[0][s].f32.size(); ++k) slot_grads[0][s].f32[k] += slot_grads[t][s].f32[k];
    }
    for (auto& [id, g] : tensor_grads[t]) {
      std::vector<float>& into = tensor_grads[0][id];
      if (into.empty()) into.assign(g.size(), 0.0f);
      for (size_t k = 0; k < g.size(); ++k) into[k] += g[k];
    }
  }
  for (double l : losses) *epoch_loss += l;
  *slot_grads_out = std::move(slot_grads[0]);
  *tensor_grads_out = std::move(tensor_grads[0]);
  return Status::Ok();
}

// The slot gradients mapped onto the operators' structure (factors, masked S)
// and the tensor gradients, in CollectParams() order.
StatusOr<std::vector<std::vector<float>>> ParameterGradients(
    TrainingState& st, const std::vector<Tensor>& slot_grads,
    std::map<TensorId, std::vector<float>>& tensor_grads) {
  std::vector<std::vector<float>> grads;
  for (size_t s = 0; s < st.slots.size(); ++s) {
    const Node& node = st.graph.nodes()[st.slots[s].node];
    WeightOperatorSet& set = st.graph.nodes()[st.slots[s].node].weight_ops[st.slots[s].set];
    const std::vector<std::vector<float>>& masks = st.masks[s];
    size_t li = 0;
    for (size_t d = 0; d < set.per_direction.size(); ++d) {
      WeightOperator& op = set.per_direction[d];
      const std::vector<float> dw =
          DirectionMatrix(node, slot_grads[s], static_cast<int64_t>(d), op.rows, op.cols);
      if (op.row_blocks.empty()) {
        OperatorGrads(op, dw.data(), op.cols, masks[li].empty() ? nullptr : &masks[li], &grads);
        ++li;
      } else {
        int64_t row = 0;
        for (WeightOperator& b : op.row_blocks) {
          OperatorGrads(b, dw.data() + row * op.cols, op.cols, masks[li].empty() ? nullptr : &masks[li],
                        &grads);
          ++li;
          row += b.rows;
        }
      }
    }
  }
  for (TensorId id : st.trained_tensors) {
    std::vector<float>& g = tensor_grads[id];
    if (g.empty()) g.assign(st.graph.tensor(id).f32.size(), 0.0f);
    grads.push_back(g);
  }
  if (grads.size() != st.params.size()) {
    return Internal("finetune: {} gradients for {} parameters", grads.size(), st.params.size());
  }
  return grads;
}

// The learning rate of the next step: a linear warm-up over the first
// warmup_fraction of the steps (at least one step, at most one epoch), then a
// cosine decay to final_lr_fraction × lr at the last step. The warm-up keeps
// the first Adam steps — whose second-moment estimates are still noise —
// from throwing freshly factorized weights far from the teacher.
double LearningRate(const TrainingState& st) {
  const double lr = st.o.lr;
  const double total = static_cast<double>(std::max<int64_t>(1, st.total_steps));
  const double warm = std::clamp(std::round(st.o.warmup_fraction * total), 1.0,
                                 static_cast<double>(std::max<int64_t>(1, st.steps_per_epoch)));
  const double step = static_cast<double>(st.step);
  if (step < warm) return lr * (step + 1.0) / warm;
  const double progress = std::min(1.0, (step - warm) / std::max(1.0, total - warm));
  const double floor = st.o.final_lr_fraction;
  return lr * (floor + (1.0 - floor) * 0.5 * (1.0 + std::cos(kPi * progress)));
}

// One Adam update of every parameter; from swa_start on, also folds the new
// weights into their running average.
void AdamStep(TrainingState& st, const std::vector<std::vector<float>>& grads, int epoch) {
  const double lr = LearningRate(st);
  ++st.step;
  const double c1 = 1.0 - std::pow(kBeta1, static_cast<double>(st.step));
  const double c2 = 1.0 - std::pow(kBeta2, static_cast<double>(st.step));
  for (size_t p = 0; p < st.params.size(); ++p) {
    Adam& a = st.params[p];
    std::vector<float>& v = *a.value;
    for (size_t k = 0; k < v.size(); ++k) {
      const float g = grads[p][k];
      a.m[k] = static_cast<float>(kBeta1 * a.m[k] + (1 - kBeta1) * g);
      a.v[k] = static_cast<float>(kBeta2 * a.v[k] + (1 - kBeta2) * g * g);
      v[k] -= static_cast<float>(lr * (a.m[k] / c1) / (std::sqrt(a.v[k] / c2) + kAdamEps));
    }
    if (epoch >= st.swa_start) {
      if (a.avg.empty()) a.avg.assign(v.size(), 0.0f);
      for (size_t k = 0; k < v.size(); ++k) {
        a.avg[k] += (v[k] - a.avg[k]) / static_cast<float>(st.swa_count + 1);
      }
    }
  }
  if (epoch >= st.swa_start) ++st.swa_count;
}

// One mini-batch, the training samples from `first`: weights with dropout,
// gradients, Adam step.
Status TrainBatch(TrainingState& st, int epoch, size_t first, double* epoch_loss) {
  const FinetuneOptions& o = st.o;
  const size_t last = std::min(st.epoch_samples, first + static_cast<size_t>(o.batch_size));
  std::vector<Tensor> weights;
  std::mt19937_64 drop_rng(o.seed * 1000003ULL + static_cast<uint64_t>(st.step));
  TML_RETURN_IF_ERROR(Materialize(st, st.doped ? &drop_rng : nullptr, ResidualWeight(st), &weights));
  std::vector<Tensor> slot_grads;
  std::map<TensorId, std::vector<float>> tensor_grads;
  TML_RETURN_IF_ERROR(BatchGradients(st, weights, first, last, &slot_grads, &tensor_grads, epoch_loss));
  TML_ASSIGN_OR_RETURN(std::vector<std::vector<float>> grads,
                       ParameterGradients(st, slot_grads, tensor_grads));
  AdamStep(st, grads, epoch);
  return Status::Ok();
}

// After epoch `epoch`: anneals the doping density (cubic), pruning S by
// magnitude, and restarts the optimiser state of the S values (the factors
// and tensors keep theirs).
void AnnealDoping(TrainingState& st, int epoch) {
  const FinetuneOptions& o = st.o;
  if (!(st.doped && epoch < st.anneal_epochs && o.dope_start_factor > 1.0)) return;
  const double frac = static_cast<double>(epoch + 1) / st.anneal_epochs;
  const double factor = 1.0 + (o.dope_start_factor - 1.0) * std::pow(1.0 - frac, 3.0);
  const size_t before = st.params.size();
  Redope(st, factor, false);
  std::vector<Adam> old = std::move(st.params);
  CollectParams(st);
  for (size_t p = 0; p < st.params.size() && p < before; ++p) {
    if (old[p].value == st.params[p].value && old[p].m.size() == st.params[p].value->size()) {
      st.params[p].m = std::move(old[p].m);
      st.params[p].v = std::move(old[p].v);
    }
  }
}

// Sparse entries over every operator.
int64_t SparseNnz(TrainingState& st) {
  int64_t nnz = 0;
  for (size_t s = 0; s < st.slots.size(); ++s) {
    for (WeightOperator* leaf : Leaves(st.graph.nodes()[st.slots[s].node].weight_ops[st.slots[s].set])) {
      nnz += leaf->sparse ? leaf->sparse->nnz() : 0;
    }
  }
  return nnz;
}

// Writes the stochastic weight average back into the parameters.
// Remembers the parameters of the epoch with the best held-out figure so far
// (a collapsed epoch never counts).
void KeepIfBest(TrainingState& st, int epoch) {
  const double v = st.figure.value;
  const bool collapsed =
      CheckCollapse(st.holdout_student, st.holdout_teacher, static_cast<int64_t>(st.holdout.size()),
                    st.figure.worse_than_trivial).collapsed;
  if (collapsed || std::isnan(v)) return;
  const bool better = st.best_epoch < 0 || (st.figure.higher_is_better ? v > st.best_figure : v < st.best_figure);
  if (!better) return;
  st.best_figure = v;
  st.best_epoch = epoch;
  st.best_params.clear();
  for (const Adam& p : st.params) st.best_params.push_back(*p.value);
}

// After the last epoch: a collapsed result goes back to the best epoch's
// parameters (when the doping anneal left their sizes alone), and a collapse
// that remains is reported in one line.
Status KeepBestCheckpoint(TrainingState& st, Observer& observer) {
  const int64_t held = static_cast<int64_t>(st.holdout.size());
  CollapseCheck check = CheckCollapse(st.holdout_student, st.holdout_teacher, held,
                                      st.figure.worse_than_trivial, st.figure.trivial_detail);
  bool sizes_match = st.best_params.size() == st.params.size();
  for (size_t i = 0; sizes_match && i < st.params.size(); ++i) {
    sizes_match = st.best_params[i].size() == st.params[i].value->size();
  }
  const std::string last_epoch = check.Describe();
  const bool restore = check.collapsed && st.best_epoch >= 0 && st.best_epoch != st.o.epochs && sizes_match;
  if (restore) {
    for (size_t i = 0; i < st.params.size(); ++i) *st.params[i].value = st.best_params[i];
    st.report.best_epoch = st.best_epoch;
    double ignored = 0;
    TML_RETURN_IF_ERROR(Evaluate(st, &ignored, nullptr));
    check = CheckCollapse(st.holdout_student, st.holdout_teacher, held, st.figure.worse_than_trivial,
                          st.figure.trivial_detail);
  }
  const std::string kept = restore ? fmt::format(" (kept epoch {}, the best)", st.best_epoch) : "";
  if (check.collapsed) {
    st.report.collapse = check.Describe();
    observer.Warning(fmt::format("finetune: {}{}; verification will fail (gate 'collapse: fine-tuning')",
                                 check.Describe(), kept));
  } else if (restore) {
    observer.Warning(fmt::format("finetune: the last epoch collapsed ({}); kept epoch {}, the best",
                                 last_epoch, st.best_epoch));
  }
  return Status::Ok();
}

void WriteBackSwaAverage(TrainingState& st) {
  for (Adam& a : st.params) {
    if (!a.avg.empty()) *a.value = a.avg;
  }
}

// One epoch (0-based): shuffle, every mini-batch, the doping anneal, on the
// last epoch the SWA write-back, then the held-out evaluation. Returns its
// history entry.
StatusOr<FinetuneEpoch> TrainEpoch(TrainingState& st, int epoch) {
  const FinetuneOptions& o = st.o;
  std::shuffle(st.train.begin(), st.train.end(), st.rng);
  // Intermediate matching fades out linearly until the averaging starts: it
  // pulls every compressed layer back towards the original early on (no dead
  // units, no layer drifting off), the output alone decides at the end.
  st.hint_weight_now = st.swa_start > 0 ? o.hint_weight * std::max(0.0, 1.0 - static_cast<double>(epoch) / st.swa_start) : 0.0;
  double epoch_loss = 0;
  for (size_t first = 0; first < st.epoch_samples; first += static_cast<size_t>(o.batch_size)) {
    TML_RETURN_IF_ERROR(TrainBatch(st, epoch, first, &epoch_loss));
  }
  AnnealDoping(st, epoch);
  FinetuneEpoch e;
  e.epoch = epoch + 1;
  e.loss = epoch_loss / static_cast<double>(st.epoch_samples);
  if (epoch == o.epochs - 1 && st.swa_count > 0) WriteBackSwaAverage(st);
  TML_RETURN_IF_ERROR(Evaluate(st, &e.agreement, nullptr));
  e.figure = st.figure.value;
  e.nnz = SparseNnz(st);
  KeepIfBest(st, e.epoch);
  return e;
}

// The progress line of epoch `e`.
std::string EpochLine(const TrainingState& st, const FinetuneEpoch& e) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - st.start).count();
  // While gradual compression is on, the loss is of structure + ρ·residual;
  // the held-out figure is of the structure alone.
  const double rho = ResidualWeight(st);
  return fmt::format("finetune: epoch {}/{}  loss {:.5f}  {}{}{}{}  {:.1f}s", e.epoch,
                     st.o.epochs, e.loss, st.figure.text,
                     st.doped ? fmt::format("  nnz {}", e.nnz) : "",
                     rho > 0.0 ? fmt::format("  (gradual: residual x{:.3f})", rho) : "",
                     e.epoch > st.swa_start ? "  (swa)" : "", elapsed);  // e.epoch is 1-based
}

// Final operators: their relative error against the original weights.
void RecordRelativeErrors(TrainingState& st) {
  for (size_t s = 0; s < st.slots.size(); ++s) {
    WeightOperatorSet& set = st.graph.nodes()[st.slots[s].node].weight_ops[st.slots[s].set];
    const std::vector<std::vector<float>>& dense_w = st.dense_w[s];
    for (size_t d = 0; d < set.per_direction.size(); ++d) {
      const std::vector<float> m = set.per_direction[d].Materialize();
      double num = 0, den = 0;
      for (size_t k = 0; k < m.size(); ++k) {
        num += (dense_w[d][k] - m[k]) * static_cast<double>(dense_w[d][k] - m[k]);
        den += dense_w[d][k] * static_cast<double>(dense_w[d][k]);
      }
      set.per_direction[d].relative_error = std::sqrt(num / std::max(den, 1e-30));
    }
  }
}

}  // namespace

StatusOr<bool> FinetunePass::Run(Graph& graph) {
  report_ = FinetuneReport{};
  if (options_.epochs <= 0) return false;
  TrainingState st(options_, graph, report_, &observer());
  TML_RETURN_IF_ERROR(LoadData(st));
  TML_RETURN_IF_ERROR(RunTeacher(st));
  CollectTrainable(st);
  PrepareDoping(st);
  CollectParams(st);
  for (const Adam& p : st.params) report_.parameters += static_cast<int64_t>(p.value->size());
  ChooseEpochSamples(st);
  StartEngines(st);
  TML_RETURN_IF_ERROR(PrepareGradual(st));
  TML_ASSIGN_OR_RETURN(const std::string header, EvaluateBefore(st));
  KeepIfBest(st, 0);  // the compressed model before training is a checkpoint too
  observer().Epoch("finetune", header);
  for (int epoch = 0; epoch < options_.epochs; ++epoch) {
    TML_ASSIGN_OR_RETURN(FinetuneEpoch e, TrainEpoch(st, epoch));
    observer().Epoch("finetune", EpochLine(st, e));
    report_.history.push_back(e);
  }
  TML_RETURN_IF_ERROR(KeepBestCheckpoint(st, observer()));
  RecordRelativeErrors(st);
  TML_RETURN_IF_ERROR(Evaluate(st, &report_.agreement_after, &report_.accuracy_after));
  report_.figure_after = st.figure.text;
  report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - st.start).count();
  return true;
}

nlohmann::json FinetuneReport::ToJson() const {
  nlohmann::json j = {{"epochs", epochs}, {"train_samples", train_samples}, {"epoch_samples", epoch_samples},
                      {"holdout_samples", holdout_samples}, {"parameters", parameters},
                      {"agreement_metric", classifier ? "top1" : "fidelity"},
                      {"task", task}, {"figure", figure_name}, {"figure_before", figure_before},
                      {"figure_after", figure_after}, {"best_epoch", best_epoch},
                      {"agreement_before", agreement_before}, {"agreement_after", agreement_after},
                      {"seconds", seconds}};
  if (!collapse.empty()) j["collapse"] = collapse;
  if (accuracy_before >= 0) {
    j["accuracy_before"] = accuracy_before;
    j["accuracy_after"] = accuracy_after;
    j["teacher_accuracy"] = teacher_accuracy;
  }
  nlohmann::json h = nlohmann::json::array();
  for (const FinetuneEpoch& e : history) {
    h.push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"agreement", e.agreement}, {"figure", e.figure},
                 {"nnz", e.nnz}});
  }
  j["history"] = std::move(h);
  return j;
}

std::string FinetuneReport::Summary() const {
  std::string s = fmt::format("finetune: {} epochs in {:.1f} s, task {}; held-out {} -> {}", epochs,
                              seconds, task, figure_before, figure_after);
  if (best_epoch >= 0) s += fmt::format(" (epoch {} kept, the best)", best_epoch);
  if (!collapse.empty()) s += "; COLLAPSED";
  return s + "\n";
}

}  // namespace tml
