#include "passes/finetune.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "compiler/npy.h"
#include "compiler/reference/interpreter.h"
#include "compiler/reference/materialize.h"
#include "passes/backward/backward.h"
#include "passes/dope.h"

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

  // Backpropagates dL/d(outputs) of the last Forward(train = true); adds the
  // weight gradients into slot_grads[slot] and tensor_grads[tensor].
  Status Backward(const std::vector<std::vector<float>>& dy, std::vector<Tensor>* slot_grads,
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

}  // namespace

StatusOr<bool> FinetunePass::Run(Graph& graph) {
  report_ = FinetuneReport{};
  const FinetuneOptions& o = options_;
  if (o.epochs <= 0) return false;
  std::ostream& log = o.log != nullptr ? *o.log : std::cerr;
  const auto start = std::chrono::steady_clock::now();
  if (graph.inputs().size() != 1) {
    return InvalidInput("finetune: the model has {} inputs; fine-tuning supports one",
                        graph.inputs().size());
  }
  // Data.
  Tensor calib = o.calib;
  if (!o.calib_path.empty()) {
    TML_ASSIGN_OR_RETURN(calib, ReadNpy(o.calib_path));
  }
  if (calib.shape.empty() || calib.shape[0] < 2) {
    return InvalidInput("finetune: --finetune needs --calib X.npy with at least 2 samples");
  }
  if (calib.dtype != DType::kFloat32) {
    calib.f32.assign(calib.i64.begin(), calib.i64.end());
    calib.dtype = DType::kFloat32;
  }
  const int64_t count = calib.shape[0];
  const Tensor& in_decl = graph.tensor(graph.inputs()[0]);
  const int64_t per = in_decl.num_elements();
  if (calib.num_elements() != count * per) {
    return InvalidInput("finetune: {}: samples have {} values, the model input '{}' {} needs {}",
                        o.calib_path, calib.num_elements() / count, in_decl.name,
                        ShapeToString(in_decl.shape), per);
  }
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
  std::vector<Tensor> samples(static_cast<size_t>(count));
  for (int64_t s = 0; s < count; ++s) {
    samples[s].name = in_decl.name;
    samples[s].shape = in_decl.shape;
    samples[s].f32.assign(calib.f32.begin() + s * per, calib.f32.begin() + (s + 1) * per);
  }
  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> order(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  const int64_t held = std::clamp<int64_t>(std::llround(o.holdout_fraction * count), 1, count - 1);
  std::vector<int64_t> holdout(order.end() - held, order.end());
  std::vector<int64_t> train(order.begin(), order.end() - held);
  report_.train_samples = static_cast<int64_t>(train.size());
  report_.holdout_samples = held;
  report_.epochs = o.epochs;

  // Teacher: the same graph without operators is the original model.
  Graph teacher = graph;
  for (Node& node : teacher.nodes()) node.weight_ops.clear();
  std::vector<std::vector<Tensor>> teacher_out(static_cast<size_t>(count));
  {
    std::vector<Status> errors(static_cast<size_t>(std::max(1, o.threads)));
    ParallelChunks(o.threads, static_cast<size_t>(count), [&](int t, size_t b, size_t e) {
      Interpreter interp(teacher);
      for (size_t s = b; s < e; ++s) {
        StatusOr<std::vector<Tensor>> y = interp.Run({samples[s]});
        if (!y.ok()) { errors[t] = y.status(); return; }
        teacher_out[s] = std::move(*y);
      }
    });
    for (const Status& s : errors) TML_RETURN_IF_ERROR(s);
  }
  report_.classifier = ClassifierShaped(teacher_out[0][0]);

  // Parameters.
  std::vector<Slot> slots;
  for (size_t ni = 0; ni < graph.nodes().size(); ++ni) {
    for (size_t si = 0; si < graph.nodes()[ni].weight_ops.size(); ++si) {
      slots.push_back({ni, si, graph.nodes()[ni].weight_ops[si].input});
    }
  }
  const size_t nt = graph.tensors().size();
  std::vector<bool> trainable(nt, false), needs_grad(nt, false);
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
  std::vector<TensorId> trained_tensors;
  for (size_t t = 0; t < nt; ++t) if (trainable[t]) trained_tensors.push_back(static_cast<TensorId>(t));

  // Doping anneal: target nnz per leaf operator, restart at a higher density.
  std::vector<std::vector<int64_t>> target_nnz(slots.size());
  std::vector<std::vector<std::vector<float>>> dense_w(slots.size());  // per slot per direction
  bool doped = false;
  for (size_t s = 0; s < slots.size(); ++s) {
    Node& node = graph.nodes()[slots[s].node];
    WeightOperatorSet& set = node.weight_ops[slots[s].set];
    for (size_t d = 0; d < set.per_direction.size(); ++d) {
      int64_t rows = 0, cols = 0;
      dense_w[s].push_back(DenseWeightMatrix(graph, node, set.input, static_cast<int64_t>(d), &rows, &cols));
    }
    for (WeightOperator* leaf : Leaves(set)) {
      target_nnz[s].push_back(leaf->sparse ? leaf->sparse->nnz() : 0);
      doped = doped || (leaf->sparse && leaf->sparse->nnz() > 0);
    }
  }
  auto redope = [&](double factor, bool from_residual) {
    for (size_t s = 0; s < slots.size(); ++s) {
      Node& node = graph.nodes()[slots[s].node];
      WeightOperatorSet& set = node.weight_ops[slots[s].set];
      size_t li = 0;
      for (size_t d = 0; d < set.per_direction.size(); ++d) {
        WeightOperator& op = set.per_direction[d];
        std::vector<WeightOperator*> leaves;
        if (op.row_blocks.empty()) leaves.push_back(&op); else for (auto& b : op.row_blocks) leaves.push_back(&b);
        int64_t row = 0;
        for (WeightOperator* leaf : leaves) {
          const int64_t target = target_nnz[s][li++];
          const int64_t k = std::min<int64_t>(leaf->rows * leaf->cols, std::llround(target * factor));
          if (target > 0) {
            if (from_residual) {
              DopeOperator(dense_w[s][d].data() + row * leaf->cols,
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
  };
  const int anneal_epochs = std::max(1, static_cast<int>(std::lround(o.anneal_fraction * o.epochs)));
  if (doped && o.dope_start_factor > 1.0) redope(o.dope_start_factor, true);

  std::vector<Adam> params;
  auto collect_params = [&]() {
    params.clear();
    for (size_t s = 0; s < slots.size(); ++s) {
      WeightOperatorSet& set = graph.nodes()[slots[s].node].weight_ops[slots[s].set];
      for (WeightOperator* leaf : Leaves(set)) {
        for (KronTerm& t : leaf->terms) {
          params.push_back(Adam{&t.a, {}, {}, {}});
          params.push_back(Adam{&t.b, {}, {}, {}});
        }
        if (leaf->sparse) params.push_back(Adam{&leaf->sparse->values, {}, {}, {}});
      }
    }
    for (TensorId id : trained_tensors) params.push_back(Adam{&graph.tensor(id).f32, {}, {}, {}});
    for (Adam& p : params) p.Reset();
  };
  collect_params();
  int64_t total_params = 0;
  for (const Adam& p : params) total_params += static_cast<int64_t>(p.value->size());
  report_.parameters = total_params;

  const int threads = std::max(1, o.threads);
  std::vector<std::unique_ptr<Engine>> engines;
  for (int t = 0; t < threads; ++t) {
    engines.push_back(std::make_unique<Engine>(graph, slots, trainable, needs_grad));
  }
  // Materialized weights (with dropout masks on S while training).
  std::vector<std::vector<std::vector<float>>> masks(slots.size());
  auto materialize = [&](std::mt19937_64* drop_rng, std::vector<Tensor>* out) -> Status {
    out->clear();
    for (size_t s = 0; s < slots.size(); ++s) {
      const Node& node = graph.nodes()[slots[s].node];
      WeightOperatorSet set = node.weight_ops[slots[s].set];
      masks[s].clear();
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
        masks[s].push_back(std::move(mask));
      }
      TML_ASSIGN_OR_RETURN(Tensor dense, MaterializeWeight(graph, node, set));
      out->push_back(std::move(dense));
    }
    return Status::Ok();
  };

  // Held-out evaluation: agreement with the teacher and accuracy.
  auto evaluate = [&](double* agreement, double* accuracy) -> Status {
    std::vector<Tensor> weights;
    TML_RETURN_IF_ERROR(materialize(nullptr, &weights));
    std::vector<std::vector<Tensor>> outs(holdout.size());
    std::vector<Status> errors(static_cast<size_t>(threads));
    ParallelChunks(threads, holdout.size(), [&](int t, size_t b, size_t e) {
      engines[t]->SetWeights(&weights);
      for (size_t i = b; i < e; ++i) {
        Status st = engines[t]->Forward(samples[holdout[i]], false, &outs[i]);
        if (!st.ok()) { errors[t] = st; return; }
      }
    });
    for (const Status& s : errors) TML_RETURN_IF_ERROR(s);
    double agree = 0, err = 0, var = 0;
    int64_t correct = 0;
    for (size_t i = 0; i < holdout.size(); ++i) {
      const std::vector<float>& s = outs[i][0].f32;
      const std::vector<float>& t = teacher_out[holdout[i]][0].f32;
      if (report_.classifier) agree += Argmax(s) == Argmax(t) ? 1 : 0;
      double mean = 0;
      for (float v : t) mean += v;
      mean /= static_cast<double>(t.size());
      for (size_t k = 0; k < t.size(); ++k) {
        err += (s[k] - t[k]) * static_cast<double>(s[k] - t[k]);
        var += (t[k] - mean) * (t[k] - mean);
      }
      if (!labels.empty()) correct += Argmax(s) == labels[holdout[i]] ? 1 : 0;
    }
    *agreement = report_.classifier ? agree / static_cast<double>(holdout.size())
                                    : 1.0 - err / std::max(var, 1e-30);
    if (accuracy != nullptr) {
      *accuracy = labels.empty() ? -1.0 : static_cast<double>(correct) / static_cast<double>(holdout.size());
    }
    return Status::Ok();
  };
  TML_RETURN_IF_ERROR(evaluate(&report_.agreement_before, &report_.accuracy_before));
  if (!labels.empty()) {
    int64_t correct = 0;
    for (int64_t i : holdout) correct += Argmax(teacher_out[i][0].f32) == labels[i] ? 1 : 0;
    report_.teacher_accuracy = static_cast<double>(correct) / static_cast<double>(holdout.size());
  }
  log << fmt::format("finetune: {} parameters, {} training / {} held-out samples, {} threads; "
                     "before: agreement {:.4f}{}\n",
                     total_params, train.size(), held, threads, report_.agreement_before,
                     labels.empty() ? "" : fmt::format(", accuracy {:.4f} (teacher {:.4f})",
                                                       report_.accuracy_before, report_.teacher_accuracy));

  const int swa_start = o.epochs - std::max(1, static_cast<int>(std::lround(o.swa_fraction * o.epochs)));
  int64_t step = 0, swa_count = 0;
  const double b1 = 0.9, b2 = 0.999, adam_eps = 1e-8;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    std::shuffle(train.begin(), train.end(), rng);
    double epoch_loss = 0;
    for (size_t first = 0; first < train.size(); first += static_cast<size_t>(o.batch_size)) {
      const size_t last = std::min(train.size(), first + static_cast<size_t>(o.batch_size));
      const size_t bsz = last - first;
      std::vector<Tensor> weights;
      std::mt19937_64 drop_rng(o.seed * 1000003ULL + static_cast<uint64_t>(step));
      TML_RETURN_IF_ERROR(materialize(doped ? &drop_rng : nullptr, &weights));
      std::vector<std::vector<Tensor>> slot_grads(static_cast<size_t>(threads));
      std::vector<std::map<TensorId, std::vector<float>>> tensor_grads(static_cast<size_t>(threads));
      std::vector<double> losses(static_cast<size_t>(threads), 0.0);
      std::vector<Status> errors(static_cast<size_t>(threads));
      ParallelChunks(threads, bsz, [&](int t, size_t b, size_t e) {
        Engine& eng = *engines[t];
        eng.SetWeights(&weights);
        for (const Tensor& w : weights) {
          Tensor z;
          z.shape = w.shape;
          z.f32.assign(w.f32.size(), 0.0f);
          slot_grads[t].push_back(std::move(z));
        }
        for (size_t i = b; i < e; ++i) {
          const int64_t s = train[first + i];
          std::vector<Tensor> out;
          Status st = eng.Forward(samples[s], true, &out);
          if (!st.ok()) { errors[t] = st; return; }
          std::vector<std::vector<float>> dy(out.size());
          for (size_t k = 0; k < out.size(); ++k) {
            const std::vector<float>& y = out[k].f32;
            const std::vector<float>& ty = teacher_out[s][k].f32;
            dy[k].resize(y.size());
            const double inv = 1.0 / static_cast<double>(y.size());
            for (size_t q = 0; q < y.size(); ++q) {
              const double diff = y[q] - ty[q];
              losses[t] += diff * diff * inv;
              dy[k][q] = static_cast<float>(2.0 * diff * inv / static_cast<double>(bsz));
            }
          }
          if (!labels.empty() && o.ce_weight > 0) {
            const std::vector<float>& y = out[0].f32;
            const float mx = *std::max_element(y.begin(), y.end());
            double sum = 0;
            for (float v : y) sum += std::exp(v - mx);
            const int64_t label = labels[s];
            if (label < 0 || label >= static_cast<int64_t>(y.size())) {
              errors[t] = InvalidInput("finetune: label {} of sample {} is outside [0, {})", label, s, y.size());
              return;
            }
            losses[t] += o.ce_weight * (std::log(sum) - (y[label] - mx));
            for (size_t q = 0; q < y.size(); ++q) {
              const double p = std::exp(y[q] - mx) / sum - (static_cast<int64_t>(q) == label ? 1.0 : 0.0);
              dy[0][q] += static_cast<float>(o.ce_weight * p / static_cast<double>(bsz));
            }
          }
          st = eng.Backward(dy, &slot_grads[t], &tensor_grads[t]);
          if (!st.ok()) { errors[t] = st; return; }
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
      for (double l : losses) epoch_loss += l;
      // Map to parameter gradients, in collect_params() order.
      std::vector<std::vector<float>> grads;
      for (size_t s = 0; s < slots.size(); ++s) {
        const Node& node = graph.nodes()[slots[s].node];
        WeightOperatorSet& set = graph.nodes()[slots[s].node].weight_ops[slots[s].set];
        size_t li = 0;
        for (size_t d = 0; d < set.per_direction.size(); ++d) {
          WeightOperator& op = set.per_direction[d];
          const std::vector<float> dw =
              DirectionMatrix(node, slot_grads[0][s], static_cast<int64_t>(d), op.rows, op.cols);
          if (op.row_blocks.empty()) {
            OperatorGrads(op, dw.data(), op.cols, masks[s][li].empty() ? nullptr : &masks[s][li], &grads);
            ++li;
          } else {
            int64_t row = 0;
            for (WeightOperator& b : op.row_blocks) {
              OperatorGrads(b, dw.data() + row * op.cols, op.cols,
                            masks[s][li].empty() ? nullptr : &masks[s][li], &grads);
              ++li;
              row += b.rows;
            }
          }
        }
      }
      for (TensorId id : trained_tensors) {
        std::vector<float>& g = tensor_grads[0][id];
        if (g.empty()) g.assign(graph.tensor(id).f32.size(), 0.0f);
        grads.push_back(g);
      }
      if (grads.size() != params.size()) {
        return Internal("finetune: {} gradients for {} parameters", grads.size(), params.size());
      }
      ++step;
      const double c1 = 1.0 - std::pow(b1, static_cast<double>(step));
      const double c2 = 1.0 - std::pow(b2, static_cast<double>(step));
      for (size_t p = 0; p < params.size(); ++p) {
        Adam& a = params[p];
        std::vector<float>& v = *a.value;
        for (size_t k = 0; k < v.size(); ++k) {
          const float g = grads[p][k];
          a.m[k] = static_cast<float>(b1 * a.m[k] + (1 - b1) * g);
          a.v[k] = static_cast<float>(b2 * a.v[k] + (1 - b2) * g * g);
          v[k] -= static_cast<float>(o.lr * (a.m[k] / c1) / (std::sqrt(a.v[k] / c2) + adam_eps));
        }
        if (epoch >= swa_start) {
          if (a.avg.empty()) a.avg.assign(v.size(), 0.0f);
          for (size_t k = 0; k < v.size(); ++k) {
            a.avg[k] += (v[k] - a.avg[k]) / static_cast<float>(swa_count + 1);
          }
        }
      }
      if (epoch >= swa_start) ++swa_count;
    }
    // Anneal the doping density (cubic), pruning S by magnitude.
    if (doped && epoch < anneal_epochs && o.dope_start_factor > 1.0) {
      const double frac = static_cast<double>(epoch + 1) / anneal_epochs;
      const double factor = 1.0 + (o.dope_start_factor - 1.0) * std::pow(1.0 - frac, 3.0);
      const size_t before = params.size();
      redope(factor, false);
      // S supports changed size: restart their optimiser state (factors keep theirs).
      std::vector<Adam> old = std::move(params);
      collect_params();
      for (size_t p = 0; p < params.size() && p < before; ++p) {
        if (old[p].value == params[p].value && old[p].m.size() == params[p].value->size()) {
          params[p].m = std::move(old[p].m);
          params[p].v = std::move(old[p].v);
        }
      }
    }
    FinetuneEpoch e;
    e.epoch = epoch + 1;
    e.loss = epoch_loss / static_cast<double>(train.size());
    if (epoch == o.epochs - 1 && swa_count > 0) {
      for (Adam& a : params) if (!a.avg.empty()) *a.value = a.avg;
    }
    TML_RETURN_IF_ERROR(evaluate(&e.agreement, nullptr));
    for (size_t s = 0; s < slots.size(); ++s) {
      for (WeightOperator* leaf : Leaves(graph.nodes()[slots[s].node].weight_ops[slots[s].set])) {
        e.nnz += leaf->sparse ? leaf->sparse->nnz() : 0;
      }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log << fmt::format("finetune: epoch {}/{}  loss {:.5f}  {} {:.4f}{}{}  {:.1f}s\n", e.epoch,
                       o.epochs, e.loss, report_.classifier ? "agreement" : "fidelity", e.agreement,
                       doped ? fmt::format("  nnz {}", e.nnz) : "",
                       epoch >= swa_start ? "  (swa)" : "", elapsed);
    report_.history.push_back(e);
  }
  // Final operators: record their error against the original weights.
  for (size_t s = 0; s < slots.size(); ++s) {
    WeightOperatorSet& set = graph.nodes()[slots[s].node].weight_ops[slots[s].set];
    for (size_t d = 0; d < set.per_direction.size(); ++d) {
      const std::vector<float> m = set.per_direction[d].Materialize();
      double num = 0, den = 0;
      for (size_t k = 0; k < m.size(); ++k) {
        num += (dense_w[s][d][k] - m[k]) * static_cast<double>(dense_w[s][d][k] - m[k]);
        den += dense_w[s][d][k] * static_cast<double>(dense_w[s][d][k]);
      }
      set.per_direction[d].relative_error = std::sqrt(num / std::max(den, 1e-30));
    }
  }
  TML_RETURN_IF_ERROR(evaluate(&report_.agreement_after, &report_.accuracy_after));
  report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log << report_.Summary();
  return true;
}

nlohmann::json FinetuneReport::ToJson() const {
  nlohmann::json j = {{"epochs", epochs}, {"train_samples", train_samples},
                      {"holdout_samples", holdout_samples}, {"parameters", parameters},
                      {"agreement_metric", classifier ? "top1" : "fidelity"},
                      {"agreement_before", agreement_before}, {"agreement_after", agreement_after},
                      {"seconds", seconds}};
  if (accuracy_before >= 0) {
    j["accuracy_before"] = accuracy_before;
    j["accuracy_after"] = accuracy_after;
    j["teacher_accuracy"] = teacher_accuracy;
  }
  nlohmann::json h = nlohmann::json::array();
  for (const FinetuneEpoch& e : history) {
    h.push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"agreement", e.agreement}, {"nnz", e.nnz}});
  }
  j["history"] = std::move(h);
  return j;
}

std::string FinetuneReport::Summary() const {
  std::string s = fmt::format(
      "finetune: {} epochs in {:.1f} s; held-out {} {:.4f} -> {:.4f}", epochs, seconds,
      classifier ? "agreement" : "fidelity", agreement_before, agreement_after);
  if (accuracy_before >= 0) {
    s += fmt::format(", accuracy {:.4f} -> {:.4f} (teacher {:.4f})", accuracy_before,
                     accuracy_after, teacher_accuracy);
  }
  return s + "\n";
}

}  // namespace tml
