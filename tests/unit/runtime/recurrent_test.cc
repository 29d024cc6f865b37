// LSTM / GRU / RNN (full sequence and single step) against a double-precision reference
// written directly from the ONNX operator equations.
#include <cmath>
#include <string>
#include <vector>

#include "runtime_test_util.h"

namespace tml::test {
namespace {

enum class Cell { kLstm, kGru, kRnn };

int Gates(Cell cell) { return cell == Cell::kLstm ? 4 : (cell == Cell::kGru ? 3 : 1); }

struct RnnCase {
  std::string name;
  Cell cell;
  int S, N, I, H;
  tml_rnn_direction direction = TML_RNN_FORWARD;
  int layout = 0;
  float clip = 0.0f;
  bool input_forget = false;
  bool linear_before_reset = false;
  bool bias = true;
  std::vector<int32_t> seq_lens;  // empty: input not given
  bool initial = false;
  bool peephole = false;
  bool want_y = true, want_yh = true, want_yc = true;
  float weight_scale = 0.5f;
};

void PrintTo(const RnnCase& c, std::ostream* os) { *os << c.name; }

struct RnnData {
  std::vector<float> x, w, r, b, p, h0, c0;
};

struct RnnRef {
  std::vector<double> y, yh, yc;
};

int Dirs(const RnnCase& c) { return c.direction == TML_RNN_BIDIRECTIONAL ? 2 : 1; }

RnnData MakeData(const RnnCase& c, uint32_t seed) {
  const int D = Dirs(c), G = Gates(c.cell);
  RnnData d;
  d.x = Random(c.S * c.N * c.I, seed + 1);
  d.w = Random(D * G * c.H * c.I, seed + 2, -c.weight_scale, c.weight_scale);
  d.r = Random(D * G * c.H * c.H, seed + 3, -c.weight_scale, c.weight_scale);
  d.b = Random(D * 2 * G * c.H, seed + 4, -c.weight_scale, c.weight_scale);
  d.p = Random(D * 3 * c.H, seed + 5, -c.weight_scale, c.weight_scale);
  d.h0 = Random(D * c.N * c.H, seed + 6);
  d.c0 = Random(D * c.N * c.H, seed + 7);
  return d;
}

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// The ONNX equations, one batch row and direction at a time, in double precision.
RnnRef Reference(const RnnCase& c, const RnnData& d) {
  const int S = c.S, N = c.N, I = c.I, H = c.H, D = Dirs(c), G = Gates(c.cell);
  RnnRef out;
  out.y.assign(static_cast<size_t>(S) * D * N * H, 0.0);
  out.yh.assign(static_cast<size_t>(D) * N * H, 0.0);
  out.yc.assign(static_cast<size_t>(D) * N * H, 0.0);
  // Index helpers for the two layouts.
  auto x_at = [&](int t, int n, int i) {
    return static_cast<double>(c.layout == 0 ? d.x[(t * N + n) * I + i] : d.x[(n * S + t) * I + i]);
  };
  auto y_index = [&](int t, int dir, int n, int j) {
    return c.layout == 0 ? ((t * D + dir) * N + n) * H + j : ((n * S + t) * D + dir) * H + j;
  };
  auto state_index = [&](int dir, int n, int j) {
    return c.layout == 0 ? (dir * N + n) * H + j : (n * D + dir) * H + j;
  };
  auto clip = [&](double v) {
    return c.clip > 0 ? std::max(-double{c.clip}, std::min(double{c.clip}, v)) : v;
  };

  for (int dir = 0; dir < D; ++dir) {
    const bool reverse = c.direction == TML_RNN_REVERSE || dir == 1;
    // Row `q·H + j` of W/R of this direction times a vector.
    auto wx = [&](int q, int j, int t, int n) {
      double acc = 0;
      for (int i = 0; i < I; ++i)
        acc += double{d.w[((dir * G + q) * H + j) * I + i]} * x_at(t, n, i);
      return acc;
    };
    auto rh = [&](int q, int j, const std::vector<double>& h) {
      double acc = 0;
      for (int m = 0; m < H; ++m) acc += double{d.r[((dir * G + q) * H + j) * H + m]} * h[m];
      return acc;
    };
    auto wb = [&](int q, int j) { return c.bias ? double{d.b[(dir * 2 * G + q) * H + j]} : 0.0; };
    auto rb = [&](int q, int j) {
      return c.bias ? double{d.b[(dir * 2 * G + G + q) * H + j]} : 0.0;
    };
    auto pp = [&](int q, int j) {  // peephole q: 0 i, 1 o, 2 f
      return c.peephole ? double{d.p[(dir * 3 + q) * H + j]} : 0.0;
    };
    for (int n = 0; n < N; ++n) {
      const int len = c.seq_lens.empty() ? S : c.seq_lens[n];
      std::vector<double> h(H), cs(H);
      for (int j = 0; j < H; ++j) {
        h[j] = c.initial ? d.h0[state_index(dir, n, j)] : 0.0;
        cs[j] = c.initial ? d.c0[state_index(dir, n, j)] : 0.0;
      }
      for (int k = 0; k < len; ++k) {
        const int t = reverse ? len - 1 - k : k;
        std::vector<double> hn(H), cn(H);
        if (c.cell == Cell::kLstm) {
          for (int j = 0; j < H; ++j) {
            // Gate order in W/R/B: i, o, f, c.
            const double it = Sigmoid(
                clip(wx(0, j, t, n) + rh(0, j, h) + wb(0, j) + rb(0, j) + pp(0, j) * cs[j]));
            const double ft = c.input_forget
                                  ? 1.0 - it
                                  : Sigmoid(clip(wx(2, j, t, n) + rh(2, j, h) + wb(2, j) +
                                                 rb(2, j) + pp(2, j) * cs[j]));
            const double ct = std::tanh(clip(wx(3, j, t, n) + rh(3, j, h) + wb(3, j) + rb(3, j)));
            cn[j] = ft * cs[j] + it * ct;
            const double ot = Sigmoid(
                clip(wx(1, j, t, n) + rh(1, j, h) + wb(1, j) + rb(1, j) + pp(1, j) * cn[j]));
            hn[j] = ot * std::tanh(cn[j]);
          }
        } else if (c.cell == Cell::kGru) {
          // Gate order z, r, h.
          std::vector<double> z(H), r(H), rh_prod(H);
          for (int j = 0; j < H; ++j) {
            z[j] = Sigmoid(clip(wx(0, j, t, n) + rh(0, j, h) + wb(0, j) + rb(0, j)));
            r[j] = Sigmoid(clip(wx(1, j, t, n) + rh(1, j, h) + wb(1, j) + rb(1, j)));
            rh_prod[j] = r[j] * h[j];
          }
          for (int j = 0; j < H; ++j) {
            const double ht =
                c.linear_before_reset
                    ? std::tanh(clip(wx(2, j, t, n) + r[j] * (rh(2, j, h) + rb(2, j)) + wb(2, j)))
                    : std::tanh(clip(wx(2, j, t, n) + rh(2, j, rh_prod) + rb(2, j) + wb(2, j)));
            hn[j] = (1.0 - z[j]) * ht + z[j] * h[j];
          }
        } else {
          for (int j = 0; j < H; ++j)
            hn[j] = std::tanh(clip(wx(0, j, t, n) + rh(0, j, h) + wb(0, j) + rb(0, j)));
        }
        h = hn;
        if (c.cell == Cell::kLstm) cs = cn;
        for (int j = 0; j < H; ++j) out.y[y_index(t, dir, n, j)] = h[j];
      }
      for (int j = 0; j < H; ++j) {
        out.yh[state_index(dir, n, j)] = h[j];
        out.yc[state_index(dir, n, j)] = cs[j];
      }
    }
  }
  return out;
}

struct RnnRun {
  tml_status status;
  std::vector<float> y, yh, yc;
};

// Calls the full-sequence kernel with exactly get_buffer_size() bytes of scratch.
RnnRun RunKernel(const RnnCase& c, const RnnData& d, int32_t scratch_bytes_override = -1) {
  const int S = c.S, N = c.N, I = c.I, H = c.H, D = Dirs(c), G = Gates(c.cell);
  const tml_dims xd = Dims(c.layout == 0 ? Shape{S, N, I} : Shape{N, S, I});
  const tml_dims wd = Dims({D, G * H, I}), rd = Dims({D, G * H, H}), bd = Dims({D, 2 * G * H});
  const tml_dims pd = Dims({D, 3 * H}), ld = Dims({N});
  const tml_dims sd = Dims(c.layout == 0 ? Shape{D, N, H} : Shape{N, D, H});
  const tml_dims yd = Dims(c.layout == 0 ? Shape{S, D, N, H} : Shape{N, S, D, H});
  int32_t bytes = c.cell == Cell::kLstm  ? tml_lstm_f32_get_buffer_size(&rd)
                  : c.cell == Cell::kGru ? tml_gru_f32_get_buffer_size(&rd)
                                         : tml_rnn_f32_get_buffer_size(&rd);
  if (scratch_bytes_override >= 0) bytes = scratch_bytes_override;
  std::vector<float> scratch(static_cast<size_t>(bytes) / sizeof(float));
  const tml_context ctx{scratch.data(), bytes};
  const tml_rnn_params params{c.direction, c.layout, c.clip, c.input_forget ? 1 : 0,
                              c.linear_before_reset ? 1 : 0};
  RnnRun run;
  run.y.assign(static_cast<size_t>(S) * D * N * H, NAN);  // poison: every element is written
  run.yh.assign(static_cast<size_t>(D) * N * H, NAN);
  run.yc.assign(static_cast<size_t>(D) * N * H, NAN);
  const float* b = c.bias ? d.b.data() : nullptr;
  const int32_t* lens = c.seq_lens.empty() ? nullptr : c.seq_lens.data();
  const float* h0 = c.initial ? d.h0.data() : nullptr;
  float* y = c.want_y ? run.y.data() : nullptr;
  float* yh = c.want_yh ? run.yh.data() : nullptr;
  if (c.cell == Cell::kLstm) {
    run.status = tml_lstm_f32(&ctx, &params, &xd, d.x.data(), &wd, d.w.data(), &rd, d.r.data(), &bd,
                              b, &ld, lens, &sd, h0, &sd, c.initial ? d.c0.data() : nullptr, &pd,
                              c.peephole ? d.p.data() : nullptr, &yd, y, &sd, yh, &sd,
                              c.want_yc ? run.yc.data() : nullptr);
  } else if (c.cell == Cell::kGru) {
    run.status = tml_gru_f32(&ctx, &params, &xd, d.x.data(), &wd, d.w.data(), &rd, d.r.data(), &bd,
                             b, &ld, lens, &sd, h0, &yd, y, &sd, yh);
  } else {
    run.status = tml_rnn_f32(&ctx, &params, &xd, d.x.data(), &wd, d.w.data(), &rd, d.r.data(), &bd,
                             b, &ld, lens, &sd, h0, &yd, y, &sd, yh);
  }
  return run;
}

class RecurrentF32Test : public ::testing::TestWithParam<RnnCase> {};

TEST_P(RecurrentF32Test, MatchesOnnxReference) {
  const RnnCase& c = GetParam();
  const RnnData d = MakeData(c, 100);
  const RnnRef ref = Reference(c, d);
  const RnnRun run = RunKernel(c, d);
  ASSERT_EQ(TML_OK, run.status) << c.name;
  if (c.want_y) {
    EXPECT_TRUE(AllNear(run.y, ref.y)) << c.name << ": Y";
  } else {
    EXPECT_TRUE(std::isnan(run.y[0])) << c.name << ": Y not requested but written";
  }
  if (c.want_yh) {
    EXPECT_TRUE(AllNear(run.yh, ref.yh)) << c.name << ": Y_h";
  } else {
    EXPECT_TRUE(std::isnan(run.yh[0])) << c.name << ": Y_h not requested but written";
  }
  if (c.cell == Cell::kLstm && c.want_yc) {
    EXPECT_TRUE(AllNear(run.yc, ref.yc)) << c.name << ": Y_c";
  }
}

RnnCase Lstm(std::string name, int S, int N, int I, int H) {
  RnnCase c;
  c.name = std::move(name);
  c.cell = Cell::kLstm;
  c.S = S, c.N = N, c.I = I, c.H = H;
  return c;
}
RnnCase Gru(std::string name, int S, int N, int I, int H) {
  RnnCase c = Lstm(std::move(name), S, N, I, H);
  c.cell = Cell::kGru;
  return c;
}
RnnCase Rnn(std::string name, int S, int N, int I, int H) {
  RnnCase c = Lstm(std::move(name), S, N, I, H);
  c.cell = Cell::kRnn;
  return c;
}
template <typename F>
RnnCase With(RnnCase c, F f) {
  f(c);
  return c;
}

std::vector<RnnCase> Cases() {
  std::vector<RnnCase> v;
  // LSTM
  v.push_back(Lstm("lstm_basic", 5, 1, 3, 4));
  v.push_back(With(Lstm("lstm_no_bias_batch", 4, 3, 5, 6), [](RnnCase& c) { c.bias = false; }));
  v.push_back(With(Lstm("lstm_initial_peephole", 6, 2, 3, 5), [](RnnCase& c) {
    c.initial = true;
    c.peephole = true;
  }));
  v.push_back(With(Lstm("lstm_reverse_clip", 5, 2, 4, 3), [](RnnCase& c) {
    c.direction = TML_RNN_REVERSE;
    c.clip = 0.4f;
    c.weight_scale = 1.5f;
    c.initial = true;
  }));
  v.push_back(With(Lstm("lstm_input_forget", 5, 2, 3, 4), [](RnnCase& c) {
    c.input_forget = true;
    c.peephole = true;
    c.initial = true;
  }));
  v.push_back(With(Lstm("lstm_bidi_layout1_all", 5, 3, 3, 4), [](RnnCase& c) {
    c.direction = TML_RNN_BIDIRECTIONAL;
    c.layout = 1;
    c.seq_lens = {5, 2, 3};
    c.initial = true;
    c.peephole = true;
    c.clip = 0.8f;
    c.weight_scale = 1.0f;
  }));
  v.push_back(With(Lstm("lstm_bidi_layout0_seq_lens", 6, 4, 2, 3), [](RnnCase& c) {
    c.direction = TML_RNN_BIDIRECTIONAL;
    c.seq_lens = {1, 6, 0, 4};
    c.initial = true;
  }));
  v.push_back(With(Lstm("lstm_reverse_layout1_seq_lens", 5, 3, 3, 4), [](RnnCase& c) {
    c.direction = TML_RNN_REVERSE;
    c.layout = 1;
    c.seq_lens = {3, 5, 1};
    c.peephole = true;
  }));
  v.push_back(With(Lstm("lstm_only_yh", 4, 2, 3, 4), [](RnnCase& c) {
    c.want_y = false;
    c.want_yc = false;
    c.direction = TML_RNN_BIDIRECTIONAL;
  }));
  v.push_back(With(Lstm("lstm_only_y", 4, 2, 3, 4), [](RnnCase& c) {
    c.want_yh = false;
    c.want_yc = false;
  }));
  v.push_back(Lstm("lstm_wide", 3, 1, 20, 16));
  // GRU
  for (int lbr = 0; lbr < 2; ++lbr) {
    const std::string s = "_lbr" + std::to_string(lbr);
    v.push_back(
        With(Gru("gru_basic" + s, 5, 1, 3, 4), [lbr](RnnCase& c) { c.linear_before_reset = lbr; }));
    v.push_back(With(Gru("gru_initial_batch" + s, 4, 3, 5, 6), [lbr](RnnCase& c) {
      c.linear_before_reset = lbr;
      c.initial = true;
    }));
    v.push_back(With(Gru("gru_reverse_clip" + s, 5, 2, 4, 3), [lbr](RnnCase& c) {
      c.linear_before_reset = lbr;
      c.direction = TML_RNN_REVERSE;
      c.clip = 0.5f;
      c.weight_scale = 1.5f;
      c.initial = true;
    }));
    v.push_back(With(Gru("gru_bidi_layout1_seq_lens" + s, 5, 3, 3, 4), [lbr](RnnCase& c) {
      c.linear_before_reset = lbr;
      c.direction = TML_RNN_BIDIRECTIONAL;
      c.layout = 1;
      c.seq_lens = {2, 5, 4};
      c.initial = true;
    }));
    v.push_back(With(Gru("gru_bidi_layout0_no_bias" + s, 4, 2, 3, 5), [lbr](RnnCase& c) {
      c.linear_before_reset = lbr;
      c.direction = TML_RNN_BIDIRECTIONAL;
      c.bias = false;
      c.seq_lens = {4, 0};
    }));
  }
  // RNN
  v.push_back(Rnn("rnn_basic", 5, 1, 3, 4));
  v.push_back(With(Rnn("rnn_reverse_initial", 5, 2, 3, 4), [](RnnCase& c) {
    c.direction = TML_RNN_REVERSE;
    c.initial = true;
  }));
  v.push_back(With(Rnn("rnn_clip_no_bias", 4, 2, 4, 3), [](RnnCase& c) {
    c.clip = 0.3f;
    c.bias = false;
    c.weight_scale = 1.5f;
  }));
  v.push_back(With(Rnn("rnn_bidi_layout1_seq_lens", 6, 3, 2, 5), [](RnnCase& c) {
    c.direction = TML_RNN_BIDIRECTIONAL;
    c.layout = 1;
    c.seq_lens = {6, 3, 1};
    c.initial = true;
  }));
  v.push_back(With(Rnn("rnn_bidi_layout0", 3, 2, 3, 3),
                   [](RnnCase& c) { c.direction = TML_RNN_BIDIRECTIONAL; }));
  return v;
}

INSTANTIATE_TEST_SUITE_P(Cases, RecurrentF32Test, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<RnnCase>& info) {
                           return info.param.name;
                         });

TEST(RecurrentF32Test, ScratchTooSmallIsReported) {
  for (const RnnCase& c : {Lstm("l", 3, 2, 3, 4), Gru("g", 3, 2, 3, 4), Rnn("r", 3, 2, 3, 4)}) {
    const RnnData d = MakeData(c, 7);
    const tml_dims rd = Dims({1, Gates(c.cell) * c.H, c.H});
    const int32_t need = c.cell == Cell::kLstm  ? tml_lstm_f32_get_buffer_size(&rd)
                         : c.cell == Cell::kGru ? tml_gru_f32_get_buffer_size(&rd)
                                                : tml_rnn_f32_get_buffer_size(&rd);
    EXPECT_EQ(TML_ERROR_BUFFER, RunKernel(c, d, need - 4).status) << c.name;
    EXPECT_EQ(TML_ERROR_BUFFER, RunKernel(c, d, 0).status) << c.name;
    EXPECT_EQ(TML_OK, RunKernel(c, d, need).status) << c.name;
  }
}

TEST(RecurrentF32Test, SequenceLengthOutOfRangeIsReported) {
  RnnCase c = Lstm("l", 3, 2, 3, 4);
  c.seq_lens = {3, 4};
  EXPECT_EQ(TML_ERROR_INDEX, RunKernel(c, MakeData(c, 8)).status);
  c.seq_lens = {-1, 2};
  EXPECT_EQ(TML_ERROR_INDEX, RunKernel(c, MakeData(c, 8)).status);
  RnnCase g = Gru("g", 3, 2, 3, 4);
  g.seq_lens = {2, 5};
  EXPECT_EQ(TML_ERROR_INDEX, RunKernel(g, MakeData(g, 8)).status);
}

TEST(RecurrentF32Test, RejectsInconsistentDims) {
  const RnnCase c = Lstm("l", 3, 2, 3, 4);
  const RnnData d = MakeData(c, 9);
  const tml_dims xd = Dims({3, 2, 3}), wd = Dims({1, 16, 3}), bad_rd = Dims({1, 16, 5});
  const tml_dims bidi_wd = Dims({2, 16, 3});
  std::vector<float> scratch(64);
  const tml_context ctx{scratch.data(), 256};
  const tml_rnn_params fwd{TML_RNN_FORWARD, 0, 0.0f, 0, 0};
  const tml_rnn_params bidi{TML_RNN_BIDIRECTIONAL, 0, 0.0f, 0, 0};
  std::vector<float> yh(16);
  const tml_dims sd = Dims({1, 2, 4}), rd = Dims({1, 16, 4});
  EXPECT_EQ(TML_ERROR_ARG,
            tml_lstm_f32(&ctx, &fwd, &xd, d.x.data(), &wd, d.w.data(), &bad_rd, d.r.data(), nullptr,
                         nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                         nullptr, nullptr, nullptr, &sd, yh.data(), nullptr, nullptr));
  // Bidirectional needs two directions of weights.
  EXPECT_EQ(TML_ERROR_ARG,
            tml_lstm_f32(&ctx, &bidi, &xd, d.x.data(), &wd, d.w.data(), &rd, d.r.data(), nullptr,
                         nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                         nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  (void)bidi_wd;
  // Y_h with the wrong layout.
  const tml_dims wrong_sd = Dims({2, 1, 4});
  EXPECT_EQ(TML_ERROR_ARG,
            tml_lstm_f32(&ctx, &fwd, &xd, d.x.data(), &wd, d.w.data(), &rd, d.r.data(), nullptr,
                         nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                         nullptr, nullptr, nullptr, &wrong_sd, yh.data(), nullptr, nullptr));
  EXPECT_EQ(TML_OK,
            tml_lstm_f32(&ctx, &fwd, &xd, d.x.data(), &wd, d.w.data(), &rd, d.r.data(), nullptr,
                         nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                         nullptr, nullptr, nullptr, &sd, yh.data(), nullptr, nullptr));
}

// ---------------------------------------------------------------- single-step kernels

// Streaming use: calling the step kernel once per time step with the state updated in
// place reproduces the full-sequence forward result for every batch row.
TEST(RecurrentStepF32Test, StreamingStepsMatchFullSequence) {
  for (Cell cell : {Cell::kLstm, Cell::kGru, Cell::kRnn}) {
    for (int variant = 0; variant < 2; ++variant) {
      RnnCase c = cell == Cell::kLstm  ? Lstm("l", 6, 2, 3, 5)
                  : cell == Cell::kGru ? Gru("g", 6, 2, 3, 5)
                                       : Rnn("r", 6, 2, 3, 5);
      c.initial = variant == 1;
      c.peephole = variant == 1;
      c.linear_before_reset = variant == 1;
      c.clip = variant == 1 ? 0.7f : 0.0f;
      c.input_forget = false;
      const RnnData d = MakeData(c, 200);
      const RnnRef ref = Reference(c, d);
      const tml_rnn_cell_params cp{c.I, c.H, c.clip, 0, c.linear_before_reset ? 1 : 0};
      const int32_t bytes = cell == Cell::kLstm  ? tml_lstm_step_f32_get_buffer_size(&cp)
                            : cell == Cell::kGru ? tml_gru_step_f32_get_buffer_size(&cp)
                                                 : tml_rnn_step_f32_get_buffer_size(&cp);
      std::vector<float> scratch(static_cast<size_t>(bytes) / sizeof(float));
      const tml_context ctx{scratch.data(), bytes};
      const tml_rnn_weights_f32 weights{d.w.data(), d.r.data(), d.b.data(),
                                        c.peephole ? d.p.data() : nullptr};
      std::vector<float> y(static_cast<size_t>(c.S) * c.N * c.H);
      for (int n = 0; n < c.N; ++n) {
        std::vector<float> h(c.H, 0.0f), cs(c.H, 0.0f);
        if (c.initial) {
          h.assign(d.h0.begin() + n * c.H, d.h0.begin() + (n + 1) * c.H);
          cs.assign(d.c0.begin() + n * c.H, d.c0.begin() + (n + 1) * c.H);
        }
        for (int t = 0; t < c.S; ++t) {
          const float* x = d.x.data() + (t * c.N + n) * c.I;
          tml_status st;
          if (cell == Cell::kLstm)
            st =
                tml_lstm_step_f32(&ctx, &cp, &weights, x, h.data(), cs.data(), h.data(), cs.data());
          else if (cell == Cell::kGru)
            st = tml_gru_step_f32(&ctx, &cp, &weights, x, h.data(), h.data());
          else
            st = tml_rnn_step_f32(&ctx, &cp, &weights, x, h.data(), h.data());
          ASSERT_EQ(TML_OK, st);
          std::copy(h.begin(), h.end(), y.begin() + (t * c.N + n) * c.H);
        }
      }
      EXPECT_TRUE(AllNear(y, ref.y)) << "cell " << static_cast<int>(cell) << " variant " << variant;
    }
  }
}

TEST(RecurrentStepF32Test, NullPreviousStateMeansZeros) {
  const RnnCase c = Lstm("l", 1, 1, 4, 3);
  const RnnData d = MakeData(c, 300);
  const tml_rnn_cell_params cp{c.I, c.H, 0.0f, 0, 0};
  std::vector<float> scratch(7 * c.H);
  const tml_context ctx{scratch.data(), static_cast<int32_t>(scratch.size() * sizeof(float))};
  const tml_rnn_weights_f32 weights{d.w.data(), d.r.data(), d.b.data(), d.p.data()};
  const std::vector<float> zeros(c.H, 0.0f);
  std::vector<float> h1(c.H), c1(c.H), h2(c.H), c2(c.H);
  ASSERT_EQ(TML_OK, tml_lstm_step_f32(&ctx, &cp, &weights, d.x.data(), nullptr, nullptr, h1.data(),
                                      c1.data()));
  ASSERT_EQ(TML_OK, tml_lstm_step_f32(&ctx, &cp, &weights, d.x.data(), zeros.data(), zeros.data(),
                                      h2.data(), c2.data()));
  EXPECT_EQ(h1, h2);
  EXPECT_EQ(c1, c2);
  for (int lbr = 0; lbr < 2; ++lbr) {
    const RnnData g = MakeData(Gru("g", 1, 1, 4, 3), 301);
    const tml_rnn_cell_params gp{c.I, c.H, 0.0f, 0, lbr};
    const tml_rnn_weights_f32 gw{g.w.data(), g.r.data(), g.b.data(), nullptr};
    ASSERT_EQ(TML_OK, tml_gru_step_f32(&ctx, &gp, &gw, g.x.data(), nullptr, h1.data()));
    ASSERT_EQ(TML_OK, tml_gru_step_f32(&ctx, &gp, &gw, g.x.data(), zeros.data(), h2.data()));
    EXPECT_EQ(h1, h2) << "lbr " << lbr;
  }
}

TEST(RecurrentStepF32Test, BufferSizesAndErrors) {
  const tml_rnn_cell_params cp{3, 5, 0.0f, 0, 0};
  EXPECT_EQ(tml_lstm_step_f32_get_buffer_size(&cp), 4 * 5 * 4);
  EXPECT_EQ(tml_gru_step_f32_get_buffer_size(&cp), 7 * 5 * 4);
  EXPECT_EQ(tml_rnn_step_f32_get_buffer_size(&cp), 5 * 4);
  const tml_dims rd = Dims({2, 20, 5});
  EXPECT_EQ(tml_lstm_f32_get_buffer_size(&rd), (2 + 4) * 5 * 4);
  EXPECT_EQ(tml_gru_f32_get_buffer_size(&rd), (1 + 7) * 5 * 4);
  EXPECT_EQ(tml_rnn_f32_get_buffer_size(&rd), (1 + 1) * 5 * 4);
  const tml_dims bad = Dims({20, 5});
  EXPECT_EQ(tml_lstm_f32_get_buffer_size(&bad), -1);

  std::vector<float> w(20 * 3), r(20 * 5), x(3), h(5), c(5), scratch(20);
  const tml_rnn_weights_f32 weights{w.data(), r.data(), nullptr, nullptr};
  const tml_context small{scratch.data(), 4 * 5 * 4 - 4};
  EXPECT_EQ(TML_ERROR_BUFFER, tml_lstm_step_f32(&small, &cp, &weights, x.data(), nullptr, nullptr,
                                                h.data(), c.data()));
  EXPECT_EQ(TML_ERROR_BUFFER, tml_lstm_step_f32(nullptr, &cp, &weights, x.data(), nullptr, nullptr,
                                                h.data(), c.data()));
  const tml_context ok{scratch.data(), 4 * 5 * 4};
  const tml_rnn_cell_params bad_cp{0, 5, 0.0f, 0, 0};
  EXPECT_EQ(TML_ERROR_ARG, tml_lstm_step_f32(&ok, &bad_cp, &weights, x.data(), nullptr, nullptr,
                                             h.data(), c.data()));
  EXPECT_EQ(TML_OK,
            tml_lstm_step_f32(&ok, &cp, &weights, x.data(), nullptr, nullptr, h.data(), c.data()));
}

}  // namespace
}  // namespace tml::test
