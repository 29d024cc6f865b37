/* SPDX-License-Identifier: MIT */
/*
 * tml_kernels.h - prototypes of every tinyml-compile runtime kernel (float32).
 *
 * This header is the contract: layout, valid ranges, aliasing and optional arguments are
 * documented here; the .c files only explain why they do what they do.
 *
 * Common rules
 *  - Argument order: ctx, op params, then one (dims, data) pair per tensor in ONNX input
 *    order, outputs last. Kernels that need no scratch accept ctx == NULL.
 *  - Tensors are dense, row-major (C order) float32 unless stated otherwise.
 *  - Outputs must not overlap inputs unless a kernel says "in place allowed".
 *  - Return TML_OK, TML_ERROR_ARG for inconsistent dims/params or a missing required
 *    pointer, TML_ERROR_BUFFER when the scratch in ctx is too small, TML_ERROR_INDEX for
 *    out-of-range data-dependent indices. On error the outputs are unspecified.
 *  - Scratch: kernels with a tml_<fn>_get_buffer_size() companion read ctx->buf (at least
 *    4-byte aligned) and never allocate. The companion returns the size in bytes and
 *    lives in the same source file as its kernel.
 *
 * Reserved names for later work (not implemented yet): tml_kron_matvec_f32,
 * tml_sparse_matvec_f32, the int8 variants tml_fully_connected_s8, tml_kron_matvec_s8,
 * tml_sparse_matvec_s8, tml_lstm_step_s8_s16, tml_gru_step_s8_s16, tml_rnn_step_s8_s16,
 * and a tml_quant_params struct that goes right after the op params.
 */
#ifndef TML_KERNELS_H
#define TML_KERNELS_H

#include "tml_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* =======================================================================================
 * Linear algebra
 * ===================================================================================== */

/**
 * @brief Fully connected (dense) layer over a batch: y[n] = clamp(W·x[n] + b).
 *
 * @param[in]  ctx          Unused; may be NULL.
 * @param[in]  params       Output clamp [act_min, act_max] (act_min <= act_max).
 * @param[in]  input_dims   Rank >= 1, last dim = in_features; leading dims form the batch.
 * @param[in]  input        Input, [batch, in_features].
 * @param[in]  weight_dims  [out_features, in_features].
 * @param[in]  weights      Row-major W, one row per output feature.
 * @param[in]  bias_dims    [out_features]; ignored when bias is NULL.
 * @param[in]  bias         Bias or NULL for none.
 * @param[in]  output_dims  Rank >= 1, last dim = out_features, same batch count as input.
 * @param[out] output       Output, [batch, out_features].
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_fully_connected_f32(const tml_context *ctx, const tml_fc_params *params,
                                   const tml_dims *input_dims, const float *input,
                                   const tml_dims *weight_dims, const float *weights,
                                   const tml_dims *bias_dims, const float *bias,
                                   const tml_dims *output_dims, float *output);

/**
 * @brief ONNX Gemm: Y = alpha·op(A)·op(B) + beta·C, op(X) = X^T when trans_x is set.
 *
 * @param[in]  ctx      Unused; may be NULL.
 * @param[in]  params   alpha, beta, trans_a, trans_b (0 or 1).
 * @param[in]  a_dims   Rank 2: [M, K], or [K, M] when trans_a.
 * @param[in]  a        A.
 * @param[in]  b_dims   Rank 2: [K, N], or [N, K] when trans_b.
 * @param[in]  b        B.
 * @param[in]  c_dims   C, unidirectionally broadcastable to [M, N]: rank 0, [1], [N],
 *                      [1, 1], [1, N], [M, 1] or [M, N]. Ignored when c is NULL.
 * @param[in]  c        C or NULL (opset 11+: C is optional; no bias term).
 * @param[in]  y_dims   [M, N].
 * @param[out] y        Y.
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_gemm_f32(const tml_context *ctx, const tml_gemm_params *params,
                        const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                        const float *b, const tml_dims *c_dims, const float *c,
                        const tml_dims *y_dims, float *y);

/**
 * @brief ONNX MatMul with numpy semantics.
 *
 * A 1-D A [K] is treated as [1, K] and a 1-D B [K] as [K, 1]; the inserted axis does not
 * appear in Y. Leading (batch) dims broadcast multidirectionally (extent 1 or missing
 * broadcasts). Y = [batch..., M, N] with the batch dims broadcast, M dropped when A is
 * 1-D and N dropped when B is 1-D.
 *
 * @param[in]  ctx     Unused; may be NULL.
 * @param[in]  a_dims  Rank 1..TML_MAX_RANK, [..., M, K].
 * @param[in]  a       A.
 * @param[in]  b_dims  Rank 1..TML_MAX_RANK, [..., K, N].
 * @param[in]  b       B.
 * @param[in]  y_dims  The broadcast output shape described above.
 * @param[out] y       Y.
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_matmul_f32(const tml_context *ctx, const tml_dims *a_dims, const float *a,
                          const tml_dims *b_dims, const float *b, const tml_dims *y_dims, float *y);

/* =======================================================================================
 * Elementwise binary operators with multidirectional (numpy) broadcasting, rank <= 6.
 * y[i] = a[broadcast i] op b[broadcast i]. In place allowed (y == a or y == b) when that
 * input has the output's shape.
 * ===================================================================================== */

/**
 * @brief Computes the broadcast strides for tml_add/sub/mul/div_f32 from three shapes.
 *
 * Meant for the compiler (run on the host at compile time), usable on target too.
 * @param[in]  a_dims  Shape of A (rank <= y rank).
 * @param[in]  b_dims  Shape of B (rank <= y rank).
 * @param[in]  y_dims  The broadcast shape of A and B.
 * @param[out] params  a_strides, b_strides aligned with y_dims.
 * @return TML_OK, or TML_ERROR_ARG if A or B does not broadcast to Y.
 */
tml_status tml_broadcast_params_init(const tml_dims *a_dims, const tml_dims *b_dims,
                                     const tml_dims *y_dims, tml_broadcast_params *params);

/**
 * @brief ONNX Add: y = a + b with broadcasting.
 *
 * @param[in]  ctx     Unused; may be NULL.
 * @param[in]  params  Broadcast strides from tml_broadcast_params_init(). May be NULL when
 *                     each input has either exactly Y's shape or a single element.
 * @param[in]  a_dims  Shape of A.
 * @param[in]  a       A.
 * @param[in]  b_dims  Shape of B.
 * @param[in]  b       B.
 * @param[in]  y_dims  Broadcast output shape, rank 0..TML_MAX_RANK.
 * @param[out] y       Y.
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_add_f32(const tml_context *ctx, const tml_broadcast_params *params,
                       const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                       const float *b, const tml_dims *y_dims, float *y);

/** @brief ONNX Sub: y = a - b with broadcasting. Arguments as tml_add_f32(). */
tml_status tml_sub_f32(const tml_context *ctx, const tml_broadcast_params *params,
                       const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                       const float *b, const tml_dims *y_dims, float *y);

/** @brief ONNX Mul: y = a · b with broadcasting. Arguments as tml_add_f32(). */
tml_status tml_mul_f32(const tml_context *ctx, const tml_broadcast_params *params,
                       const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                       const float *b, const tml_dims *y_dims, float *y);

/**
 * @brief ONNX Div: y = a / b with broadcasting (IEEE semantics: x/0 gives ±inf or NaN).
 * Arguments as tml_add_f32().
 */
tml_status tml_div_f32(const tml_context *ctx, const tml_broadcast_params *params,
                       const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                       const float *b, const tml_dims *y_dims, float *y);

/* =======================================================================================
 * Activations: elementwise, any rank; input and output have the same element count.
 * ctx is unused and may be NULL. In place allowed (output == input).
 * ===================================================================================== */

/** @brief ONNX Relu: y = max(0, x). @return TML_OK or TML_ERROR_ARG. */
tml_status tml_relu_f32(const tml_context *ctx, const tml_dims *input_dims, const float *input,
                        const tml_dims *output_dims, float *output);

/** @brief ONNX LeakyRelu: y = x if x >= 0 else alpha·x. @return TML_OK or TML_ERROR_ARG. */
tml_status tml_leaky_relu_f32(const tml_context *ctx, const tml_leaky_relu_params *params,
                              const tml_dims *input_dims, const float *input,
                              const tml_dims *output_dims, float *output);

/** @brief ONNX Sigmoid: y = 1 / (1 + e^-x). @return TML_OK or TML_ERROR_ARG. */
tml_status tml_sigmoid_f32(const tml_context *ctx, const tml_dims *input_dims, const float *input,
                           const tml_dims *output_dims, float *output);

/**
 * @brief ONNX HardSigmoid: y = max(0, min(1, alpha·x + beta)).
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_hard_sigmoid_f32(const tml_context *ctx, const tml_hard_sigmoid_params *params,
                                const tml_dims *input_dims, const float *input,
                                const tml_dims *output_dims, float *output);

/** @brief ONNX Tanh. @return TML_OK or TML_ERROR_ARG. */
tml_status tml_tanh_f32(const tml_context *ctx, const tml_dims *input_dims, const float *input,
                        const tml_dims *output_dims, float *output);

/* =======================================================================================
 * Softmax family (opset 13 semantics, see tml_softmax_params). In place allowed.
 * ===================================================================================== */

/**
 * @brief ONNX Softmax: y = exp(x - max) / sum(exp(x - max)) along the axis.
 *
 * @param[in]  ctx          Unused; may be NULL.
 * @param[in]  params       outer, axis_size (>= 1), inner; outer·axis_size·inner must
 *                          equal the element count of input and output.
 * @param[in]  input_dims   Any shape.
 * @param[in]  input        X viewed as [outer, axis_size, inner].
 * @param[in]  output_dims  Same element count as input.
 * @param[out] output       Y, same layout as X.
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_softmax_f32(const tml_context *ctx, const tml_softmax_params *params,
                           const tml_dims *input_dims, const float *input,
                           const tml_dims *output_dims, float *output);

/**
 * @brief ONNX LogSoftmax: y = x - max - log(sum(exp(x - max))) along the axis.
 * Arguments as tml_softmax_f32().
 */
tml_status tml_log_softmax_f32(const tml_context *ctx, const tml_softmax_params *params,
                               const tml_dims *input_dims, const float *input,
                               const tml_dims *output_dims, float *output);

/* =======================================================================================
 * Data movement
 * ===================================================================================== */

/**
 * @brief ONNX Transpose: output axis k is input axis perm[k].
 *
 * @param[in]  ctx          Unused; may be NULL.
 * @param[in]  params       perm[0 .. rank-1], a permutation of 0 .. rank-1.
 * @param[in]  input_dims   Rank 0..TML_MAX_RANK.
 * @param[in]  input        X.
 * @param[in]  output_dims  output_dims.dim[k] == input_dims.dim[perm[k]].
 * @param[out] output       Y.
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_transpose_f32(const tml_context *ctx, const tml_transpose_params *params,
                             const tml_dims *input_dims, const float *input,
                             const tml_dims *output_dims, float *output);

/**
 * @brief ONNX Concat along params->axis: for each outer index, copies one contiguous block
 * of every input in turn.
 *
 * @param[in]  ctx          Unused; may be NULL.
 * @param[in]  params       axis (0 <= axis < rank), num_inputs >= 1.
 * @param[in]  input_dims   Array of num_inputs shapes; all equal to output_dims except
 *                          along axis.
 * @param[in]  inputs       Array of num_inputs data pointers (an input with extent 0
 *                          along axis may be NULL).
 * @param[in]  output_dims  Output shape; dim[axis] is the sum of the inputs' dim[axis].
 * @param[out] output       Y.
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_concat_f32(const tml_context *ctx, const tml_concat_params *params,
                          const tml_dims *input_dims, const float *const *inputs,
                          const tml_dims *output_dims, float *output);

/**
 * @brief ONNX Slice (N-D, strided, negative steps allowed).
 *
 * Y[o_0, ..., o_{r-1}] = X[start_0 + o_0·step_0, ..., start_{r-1} + o_{r-1}·step_{r-1}].
 * @param[in]  ctx          Unused; may be NULL.
 * @param[in]  params       Per input axis: start (first index read) and step (!= 0); every
 *                          index read must lie inside the input.
 * @param[in]  input_dims   Rank 1..TML_MAX_RANK.
 * @param[in]  input        X.
 * @param[in]  output_dims  Same rank as input; the extent of each axis.
 * @param[out] output       Y.
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_slice_f32(const tml_context *ctx, const tml_slice_params *params,
                         const tml_dims *input_dims, const float *input,
                         const tml_dims *output_dims, float *output);

/**
 * @brief ONNX Gather along params->axis.
 *
 * Y shape = data[:axis] + indices shape + data[axis+1:]; negative indices count from the
 * end (index + data.dim[axis]).
 * @param[in]  ctx           Unused; may be NULL.
 * @param[in]  params        axis (0 <= axis < data rank), index_type of `indices`.
 * @param[in]  data_dims     Rank 1..TML_MAX_RANK.
 * @param[in]  data          Data.
 * @param[in]  indices_dims  Any rank with data rank + indices rank - 1 <= TML_MAX_RANK.
 * @param[in]  indices       int32_t or int64_t values (params->index_type), each in
 *                           [-data.dim[axis], data.dim[axis]).
 * @param[in]  output_dims   Shape described above.
 * @param[out] output        Y.
 * @return TML_OK, TML_ERROR_ARG, or TML_ERROR_INDEX for an out-of-range index.
 */
tml_status tml_gather_f32(const tml_context *ctx, const tml_gather_params *params,
                          const tml_dims *data_dims, const float *data,
                          const tml_dims *indices_dims, const void *indices,
                          const tml_dims *output_dims, float *output);

/**
 * @brief Copy (Reshape, Flatten, Squeeze, Unsqueeze, Identity when the buffers differ).
 *
 * @param[in]  ctx          Unused; may be NULL.
 * @param[in]  input_dims   Any shape.
 * @param[in]  input        X.
 * @param[in]  output_dims  Any shape with the same element count.
 * @param[out] output       Y; may overlap or equal input (memmove; nothing when equal).
 * @return TML_OK or TML_ERROR_ARG.
 */
tml_status tml_copy_f32(const tml_context *ctx, const tml_dims *input_dims, const float *input,
                        const tml_dims *output_dims, float *output);

/* =======================================================================================
 * Recurrent layers: ONNX LSTM / GRU / RNN (opset 7-14), default activations only.
 *
 * Single-time-step kernels process one direction and one batch row. They take the sizes
 * in tml_rnn_cell_params and the weights in tml_rnn_weights_f32 instead of (dims, data)
 * pairs: they run once per time step in the innermost loop, and generated streaming code
 * (NAME_step()) calls them directly to keep state between calls. They support in-place
 * state update (h == h_prev, c == c_prev). x_t must not overlap h or c.
 *
 * Full-sequence kernels follow the ONNX operator exactly and are built on the step
 * kernels. Optional ONNX inputs/outputs are passed as a NULL data pointer (their dims are
 * then ignored and may be NULL).
 *
 * Tensor layouts (D = num_directions, S = seq_length, N = batch_size, I = input_size,
 * H = hidden_size, G = gates: 4 LSTM, 3 GRU, 1 RNN):
 *   W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] (Wb then Rb), P [D, 3·H] (LSTM, i o f),
 *   sequence_lens [N] (int32), direction 0 forward, direction 1 reverse (bidirectional).
 *   layout 0: X [S, N, I], initial_h/c, Y_h/c [D, N, H], Y [S, D, N, H]
 *   layout 1: X [N, S, I], initial_h/c, Y_h/c [N, D, H], Y [N, S, D, H]
 * Gate order: LSTM i, o, f, c; GRU z, r, h.
 * sequence_lens: batch row n runs steps 0 .. len[n]-1 (reverse: len[n]-1 down to 0);
 * valid values 0 .. S (ONNX runtimes require >= 1; 0 leaves Y zero and Y_h/Y_c equal to
 * the initial state). Y is zero at t >= len[n]; Y_h/Y_c hold the state after the last
 * valid step. NULL = every row runs S steps.
 * clip > 0 clips every gate pre-activation (including LSTM peephole terms) to
 * [-clip, clip] before its activation; the cell state fed to tanh in LSTM is not clipped.
 * ===================================================================================== */

/**
 * @brief Scratch bytes of tml_lstm_step_f32(): the 4·H gate pre-activations.
 * @param[in] params  Cell sizes.
 * @return Bytes, >= 0.
 */
int32_t tml_lstm_step_f32_get_buffer_size(const tml_rnn_cell_params *params);

/**
 * @brief One LSTM time step for one batch row of one direction.
 *
 *   i = σ(W_i x + R_i h_prev + P_i ⊙ c_prev + Wb_i + Rb_i)
 *   f = σ(W_f x + R_f h_prev + P_f ⊙ c_prev + Wb_f + Rb_f)   (input_forget: f = 1 - i)
 *   g = tanh(W_c x + R_c h_prev + Wb_c + Rb_c)
 *   c = f ⊙ c_prev + i ⊙ g
 *   o = σ(W_o x + R_o h_prev + P_o ⊙ c + Wb_o + Rb_o)
 *   h = o ⊙ tanh(c)
 * with each pre-activation clipped when params->clip > 0.
 *
 * @param[in]  ctx      Scratch of tml_lstm_step_f32_get_buffer_size() bytes.
 * @param[in]  params   input_size, hidden_size (>= 1), clip, input_forget.
 * @param[in]  weights  One direction: w [4H, I], r [4H, H], b [8H] or NULL, p [3H] or NULL.
 * @param[in]  x_t      Input [I].
 * @param[in]  h_prev   Previous hidden state [H], or NULL for zeros.
 * @param[in]  c_prev   Previous cell state [H], or NULL for zeros.
 * @param[out] h        New hidden state [H]; may equal h_prev.
 * @param[out] c        New cell state [H]; may equal c_prev.
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_lstm_step_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                             const tml_rnn_weights_f32 *weights, const float *x_t,
                             const float *h_prev, const float *c_prev, float *h, float *c);

/**
 * @brief Scratch bytes of tml_lstm_f32(): state (2·H) plus one step's scratch (4·H).
 * @param[in] r_dims  R dims [D, 4H, H].
 * @return Bytes, or -1 for malformed dims.
 */
int32_t tml_lstm_f32_get_buffer_size(const tml_dims *r_dims);

/**
 * @brief ONNX LSTM over a whole sequence (see the section comment for layouts).
 *
 * @param[in]  ctx       Scratch of tml_lstm_f32_get_buffer_size() bytes.
 * @param[in]  params    direction, layout, clip, input_forget.
 * @param[in]  x_dims, x                 X (required).
 * @param[in]  w_dims, w                 W (required).
 * @param[in]  r_dims, r                 R (required).
 * @param[in]  b_dims, b                 B or NULL.
 * @param[in]  sequence_lens_dims, sequence_lens   [N] int32 or NULL.
 * @param[in]  initial_h_dims, initial_h         or NULL (zeros).
 * @param[in]  initial_c_dims, initial_c         or NULL (zeros).
 * @param[in]  p_dims, p                 Peepholes or NULL.
 * @param[out] y_dims, y                 Y or NULL.
 * @param[out] y_h_dims, y_h             Y_h or NULL.
 * @param[out] y_c_dims, y_c             Y_c or NULL.
 * @return TML_OK, TML_ERROR_ARG, TML_ERROR_BUFFER, or TML_ERROR_INDEX for a
 *         sequence_lens value outside 0 .. S.
 */
tml_status tml_lstm_f32(const tml_context *ctx, const tml_rnn_params *params,
                        const tml_dims *x_dims, const float *x, const tml_dims *w_dims,
                        const float *w, const tml_dims *r_dims, const float *r,
                        const tml_dims *b_dims, const float *b, const tml_dims *sequence_lens_dims,
                        const int32_t *sequence_lens, const tml_dims *initial_h_dims,
                        const float *initial_h, const tml_dims *initial_c_dims,
                        const float *initial_c, const tml_dims *p_dims, const float *p,
                        const tml_dims *y_dims, float *y, const tml_dims *y_h_dims, float *y_h,
                        const tml_dims *y_c_dims, float *y_c);

/**
 * @brief Scratch bytes of tml_gru_step_f32(): 7·H floats (input and recurrent
 * projections of the three gates, and r ⊙ h_prev).
 * @param[in] params  Cell sizes.
 * @return Bytes, >= 0.
 */
int32_t tml_gru_step_f32_get_buffer_size(const tml_rnn_cell_params *params);

/**
 * @brief One GRU time step for one batch row of one direction.
 *
 *   z = σ(W_z x + R_z h_prev + Wb_z + Rb_z)
 *   r = σ(W_r x + R_r h_prev + Wb_r + Rb_r)
 *   linear_before_reset = 0: g = tanh(W_h x + R_h (r ⊙ h_prev) + Rb_h + Wb_h)
 *   linear_before_reset = 1: g = tanh(W_h x + r ⊙ (R_h h_prev + Rb_h) + Wb_h)
 *   h = (1 - z) ⊙ g + z ⊙ h_prev
 * with each pre-activation clipped when params->clip > 0.
 *
 * @param[in]  ctx      Scratch of tml_gru_step_f32_get_buffer_size() bytes.
 * @param[in]  params   input_size, hidden_size (>= 1), clip, linear_before_reset.
 * @param[in]  weights  One direction: w [3H, I], r [3H, H], b [6H] or NULL; p ignored.
 * @param[in]  x_t      Input [I].
 * @param[in]  h_prev   Previous hidden state [H], or NULL for zeros.
 * @param[out] h        New hidden state [H]; may equal h_prev.
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_gru_step_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                            const tml_rnn_weights_f32 *weights, const float *x_t,
                            const float *h_prev, float *h);

/**
 * @brief Scratch bytes of tml_gru_f32(): state (H) plus one step's scratch (7·H).
 * @param[in] r_dims  R dims [D, 3H, H].
 * @return Bytes, or -1 for malformed dims.
 */
int32_t tml_gru_f32_get_buffer_size(const tml_dims *r_dims);

/**
 * @brief ONNX GRU over a whole sequence (see the section comment for layouts).
 * Arguments as tml_lstm_f32() without initial_c, P and Y_c; params->linear_before_reset
 * selects the variant.
 */
tml_status tml_gru_f32(const tml_context *ctx, const tml_rnn_params *params, const tml_dims *x_dims,
                       const float *x, const tml_dims *w_dims, const float *w,
                       const tml_dims *r_dims, const float *r, const tml_dims *b_dims,
                       const float *b, const tml_dims *sequence_lens_dims,
                       const int32_t *sequence_lens, const tml_dims *initial_h_dims,
                       const float *initial_h, const tml_dims *y_dims, float *y,
                       const tml_dims *y_h_dims, float *y_h);

/**
 * @brief Scratch bytes of tml_rnn_step_f32(): the H pre-activations.
 * @param[in] params  Cell sizes.
 * @return Bytes, >= 0.
 */
int32_t tml_rnn_step_f32_get_buffer_size(const tml_rnn_cell_params *params);

/**
 * @brief One simple-RNN time step for one batch row of one direction:
 *   h = tanh(W x + R h_prev + Wb + Rb), the pre-activation clipped when clip > 0.
 *
 * @param[in]  ctx      Scratch of tml_rnn_step_f32_get_buffer_size() bytes.
 * @param[in]  params   input_size, hidden_size (>= 1), clip.
 * @param[in]  weights  One direction: w [H, I], r [H, H], b [2H] or NULL; p ignored.
 * @param[in]  x_t      Input [I].
 * @param[in]  h_prev   Previous hidden state [H], or NULL for zeros.
 * @param[out] h        New hidden state [H]; may equal h_prev.
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_rnn_step_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                            const tml_rnn_weights_f32 *weights, const float *x_t,
                            const float *h_prev, float *h);

/**
 * @brief Scratch bytes of tml_rnn_f32(): state (H) plus one step's scratch (H).
 * @param[in] r_dims  R dims [D, H, H].
 * @return Bytes, or -1 for malformed dims.
 */
int32_t tml_rnn_f32_get_buffer_size(const tml_dims *r_dims);

/**
 * @brief ONNX RNN over a whole sequence (see the section comment for layouts).
 * Arguments as tml_gru_f32().
 */
tml_status tml_rnn_f32(const tml_context *ctx, const tml_rnn_params *params, const tml_dims *x_dims,
                       const float *x, const tml_dims *w_dims, const float *w,
                       const tml_dims *r_dims, const float *r, const tml_dims *b_dims,
                       const float *b, const tml_dims *sequence_lens_dims,
                       const int32_t *sequence_lens, const tml_dims *initial_h_dims,
                       const float *initial_h, const tml_dims *y_dims, float *y,
                       const tml_dims *y_h_dims, float *y_h);


/* =======================================================================================
 * Kronecker-factored linear algebra
 * ===================================================================================== */

/**
 * @brief Scratch bytes of tml_kron_matvec_f32(): the intermediate T of one term,
 * n1·m2 floats (TML_KRON_XBT_FIRST) or m1·n2 floats (TML_KRON_AX_FIRST).
 * @param[in] params  Factor shapes and order.
 * @return Bytes, or -1 for invalid params.
 */
int32_t tml_kron_matvec_f32_get_buffer_size(const tml_kron_params *params);

/**
 * @brief Kronecker-factored matrix-vector product over a batch:
 *   y[n] = Σ_{k<rank} (A_k ⊗ B_k)·x[n] + bias   (accumulate = 1: y[n] += ...)
 * computed per term as vec(A_k·X·B_kᵀ), X = x[n] reshaped row-major to [n1, n2], in the
 * order params->order (see tml_kron_order). Equal to tml_fully_connected_f32() with the
 * dense W = Σ A_k⊗B_k [m1·m2, n1·n2] up to float rounding, at a fraction of the MACs.
 *
 * @param[in]  ctx          Scratch of tml_kron_matvec_f32_get_buffer_size() bytes.
 * @param[in]  params       m1, n1, m2, n2, rank (>= 1), order, accumulate.
 * @param[in]  input_dims   Rank >= 1, last dim = n1·n2; leading dims form the batch.
 * @param[in]  input        x, [batch, n1·n2].
 * @param[in]  a_dims       [rank, m1, n1] (or [m1, n1] when rank is 1).
 * @param[in]  a            The A factors, term after term, each row-major.
 * @param[in]  b_dims       [rank, m2, n2] (or [m2, n2] when rank is 1).
 * @param[in]  b            The B factors, term after term, each row-major.
 * @param[in]  bias_dims    [m1·m2]; ignored when bias is NULL.
 * @param[in]  bias         Bias or NULL for none.
 * @param[in]  output_dims  Rank >= 1, last dim = m1·m2, same batch count as input.
 * @param[out] output       y, [batch, m1·m2]; must not overlap input.
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_kron_matvec_f32(const tml_context *ctx, const tml_kron_params *params,
                               const tml_dims *input_dims, const float *input,
                               const tml_dims *a_dims, const float *a, const tml_dims *b_dims,
                               const float *b, const tml_dims *bias_dims, const float *bias,
                               const tml_dims *output_dims, float *output);


/**
 * @brief Scratch bytes of tml_linear_op_apply_f32(): the largest Kronecker intermediate of
 * the operator or its blocks (0 for dense).
 * @param[in] op  The operator.
 * @return Bytes, or -1 for an invalid operator.
 */
int32_t tml_linear_op_apply_f32_get_buffer_size(const tml_linear_op_f32 *op);

/**
 * @brief Accumulating matrix-vector product with an operator: y += M·x.
 *
 * @param[in]     ctx  Scratch of tml_linear_op_apply_f32_get_buffer_size() bytes (NULL for dense).
 * @param[in]     op   Dense, Kronecker sum or row blocks (see tml_linear_op_f32).
 * @param[in]     x    Input [op->cols].
 * @param[in,out] y    Output [op->rows]; must not overlap x.
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_linear_op_apply_f32(const tml_context *ctx, const tml_linear_op_f32 *op,
                                   const float *x, float *y);

/**
 * @brief Scratch bytes of tml_lstm_step_op_f32(): the 4·H gate pre-activations plus the
 * larger scratch of the W and R operators.
 * @return Bytes, or -1 for invalid operators.
 */
int32_t tml_lstm_step_op_f32_get_buffer_size(const tml_rnn_cell_params *params,
                                             const tml_rnn_op_weights_f32 *weights);

/**
 * @brief tml_lstm_step_f32() with W and R given as operators (dense, Kronecker sums or
 * per-gate blocks): the same equations, contract and in-place rules.
 *
 * @param[in]  ctx      Scratch of tml_lstm_step_op_f32_get_buffer_size() bytes.
 * @param[in]  params   input_size, hidden_size (>= 1), clip, input_forget.
 * @param[in]  weights  w [4H, I] and r [4H, H] operators, b [8H] or NULL, p [3H] or NULL.
 * @param[in]  x_t, h_prev, c_prev, h, c   As tml_lstm_step_f32().
 * @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_lstm_step_op_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                                const tml_rnn_op_weights_f32 *weights, const float *x_t,
                                const float *h_prev, const float *c_prev, float *h, float *c);

/**
 * @brief Scratch bytes of tml_gru_step_op_f32(): 6·H floats (input and recurrent
 * projections) plus the larger scratch of the W and R operators. @return Bytes, or -1.
 */
int32_t tml_gru_step_op_f32_get_buffer_size(const tml_rnn_cell_params *params,
                                            const tml_rnn_op_weights_f32 *weights);

/**
 * @brief tml_gru_step_f32() with W [3H, I] and R [3H, H] given as operators (dense,
 * Kronecker sums or per-gate blocks); linear_before_reset must be 1 (PyTorch's GRU), b [6H]
 * or NULL, p unused. Same equations, contract and in-place rules.
 * @return TML_OK, TML_ERROR_ARG (also for linear_before_reset 0) or TML_ERROR_BUFFER.
 */
tml_status tml_gru_step_op_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                               const tml_rnn_op_weights_f32 *weights, const float *x_t,
                               const float *h_prev, float *h);

/**
 * @brief Scratch bytes of tml_rnn_step_op_f32(): H floats plus the larger operator scratch.
 * @return Bytes, or -1.
 */
int32_t tml_rnn_step_op_f32_get_buffer_size(const tml_rnn_cell_params *params,
                                            const tml_rnn_op_weights_f32 *weights);

/**
 * @brief tml_rnn_step_f32() (tanh) with W [H, I] and R [H, H] given as operators, b [2H] or
 * NULL. Same contract and in-place rules. @return TML_OK, TML_ERROR_ARG or TML_ERROR_BUFFER.
 */
tml_status tml_rnn_step_op_f32(const tml_context *ctx, const tml_rnn_cell_params *params,
                               const tml_rnn_op_weights_f32 *weights, const float *x_t,
                               const float *h_prev, float *h);

/* =======================================================================================
 * Sparse linear algebra (the doping overlay S of a Kronecker-factored weight)
 * ===================================================================================== */

/** Element type of a CSR index array (row pointers or column indices). */
typedef enum {
  TML_SPARSE_INDEX_U8 = 0,  /**< uint8_t: column indices when cols <= 256. */
  TML_SPARSE_INDEX_U16 = 1, /**< uint16_t: cols <= 65536, or row pointers when nnz <= 65535. */
  TML_SPARSE_INDEX_S32 = 2  /**< int32_t: anything else. */
} tml_sparse_index_type;

/** A sparse matrix S [rows, cols] in CSR form with narrow index arrays. */
typedef struct {
  int32_t rows;                         /**< >= 1. */
  int32_t cols;                         /**< >= 1. */
  tml_sparse_index_type row_ptr_type;   /**< Element type of row_ptr (rows + 1 entries). */
  tml_sparse_index_type col_index_type; /**< Element type of col_idx (nnz entries). */
} tml_sparse_params;

/** A sparse overlay S in CSR, as tml_linear_op_f32::sparse points to it. */
typedef struct tml_sparse_f32 {
  tml_sparse_params params; /**< rows and cols equal the operator's. */
  const void *row_ptr;      /**< rows + 1 offsets of params.row_ptr_type. */
  const void *col_idx;      /**< nnz column indices of params.col_index_type. */
  const float *values;      /**< nnz values. */
} tml_sparse_f32;

/**
 * @brief Accumulating sparse matrix-vector product over a batch: y[n] += S·x[n].
 *
 * S is CSR: the non-zeros of row i are values[row_ptr[i] .. row_ptr[i+1]-1] at columns
 * col_idx[same range]. It accumulates so that it follows tml_kron_matvec_f32() (or
 * tml_linear_op_apply_f32()) on the same output: y = (Σ A_k⊗B_k)·x + S·x. Cost: one MAC
 * per non-zero and batch row.
 *
 * @param[in]     ctx          Unused; may be NULL.
 * @param[in]     params       rows, cols and the two index types.
 * @param[in]     row_ptr      rows + 1 non-decreasing offsets, row_ptr[0] = 0.
 * @param[in]     col_idx      nnz = row_ptr[rows] column indices in [0, cols).
 * @param[in]     values       nnz values.
 * @param[in]     input_dims   Rank >= 1, last dim = cols; leading dims form the batch.
 * @param[in]     input        x, [batch, cols].
 * @param[in]     output_dims  Rank >= 1, last dim = rows, same batch count as input.
 * @param[in,out] output       y, [batch, rows]; must not overlap input.
 * @return TML_OK, TML_ERROR_ARG, or TML_ERROR_INDEX when a row pointer decreases or a
 *         column index is out of range (nothing is written past the offending row).
 */
tml_status tml_sparse_matvec_f32(const tml_context *ctx, const tml_sparse_params *params,
                                 const void *row_ptr, const void *col_idx, const float *values,
                                 const tml_dims *input_dims, const float *input,
                                 const tml_dims *output_dims, float *output);

#ifdef __cplusplus
}
#endif

#endif /* TML_KERNELS_H */
