/* SPDX-License-Identifier: MIT */
/*
 * tml_types.h - types shared by every tinyml-compile runtime kernel.
 *
 * The runtime is C99 and stands alone: it includes only the C standard library headers
 * <stdint.h>, <stddef.h>, <string.h> and <math.h>, never allocates and never prints.
 *
 * Conventions (the same for every kernel, see tml_kernels.h):
 *  - Kernels are named tml_<op>_<dtype>() and return a tml_status.
 *  - Argument order: context, op parameters, (quantization parameters), then one
 *    (dims, data) pair per tensor in ONNX input order, outputs last.
 *  - Everything that can be derived from static shapes and attributes is computed by the
 *    compiler ahead of time and passed in the parameter structs; kernels only run.
 *  - Kernels that need scratch memory take it from tml_context::buf and have a
 *    tml_<op>_<dtype>_get_buffer_size() companion that returns the bytes required; the
 *    generated code reserves that many bytes in its static arena.
 */
#ifndef TML_TYPES_H
#define TML_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "tml_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * TML_MATH_DSP is defined exactly once, here, when the target has the Armv7E-M DSP
 * extension (Cortex-M4/M7/M33 with DSP). Integer kernels select the SIMD path with
 * `#if defined(TML_MATH_DSP)`; the pure-C path always exists and gives bit-identical
 * results. The float32 kernels do not use it.
 */
#if defined(__ARM_FEATURE_DSP) && (__ARM_FEATURE_DSP == 1)
#define TML_MATH_DSP
#endif

/** Largest tensor rank the N-D kernels (broadcasting, transpose, slice, matmul) handle. */
#define TML_MAX_RANK 6

/* tml_status (every kernel returns one) and tml_status_str(): tml_status.h. */

/**
 * Shape of a tensor: `rank` (0..TML_MAX_RANK) and the extent of each dimension, outermost
 * first; data is dense row-major (C order). A scalar has rank 0 and one element.
 * Entries at and beyond `rank` are ignored.
 */
typedef struct {
  int32_t rank;
  int32_t dim[TML_MAX_RANK];
} tml_dims;

/**
 * Per-call context. `buf` points to `size` bytes of scratch memory (aligned to at least
 * 4 bytes) owned by the caller, or is NULL with size 0 when the kernel needs none.
 * Kernels that need no scratch accept a NULL context.
 */
typedef struct {
  void *buf;
  int32_t size;
} tml_context;

/* ---------------------------------------------------------------------------------------
 * Parameter structs. The compiler fills them from ONNX attributes and static shapes.
 * ------------------------------------------------------------------------------------- */

/** Fully connected (dense) layer y = W·x + b, then clamped to [act_min, act_max]. */
typedef struct {
  float act_min; /**< Lower clamp of the output; -INFINITY for none, 0 for a fused Relu. */
  float act_max; /**< Upper clamp of the output; INFINITY for none. */
} tml_fc_params;

/** ONNX Gemm attributes: Y = alpha·op(A)·op(B) + beta·C. */
typedef struct {
  float alpha;
  float beta;
  int32_t trans_a; /**< 0 or 1. */
  int32_t trans_b; /**< 0 or 1. */
} tml_gemm_params;

/**
 * Multidirectional (numpy) broadcasting of two inputs to the output shape.
 * Both stride arrays are aligned with the *output* dims (same rank, outermost first) and
 * hold the element stride of the input along that output axis, or 0 where the input is
 * broadcast (its extent is 1 or the axis is missing because the input has lower rank).
 * tml_broadcast_params_init() computes them from the three shapes.
 */
typedef struct {
  int32_t a_strides[TML_MAX_RANK];
  int32_t b_strides[TML_MAX_RANK];
} tml_broadcast_params;

/** ONNX LeakyRelu: y = x if x >= 0 else alpha·x. */
typedef struct {
  float alpha;
} tml_leaky_relu_params;

/** ONNX HardSigmoid: y = max(0, min(1, alpha·x + beta)). */
typedef struct {
  float alpha; /**< ONNX default 0.2. */
  float beta;  /**< ONNX default 0.5. */
} tml_hard_sigmoid_params;

/**
 * Softmax / LogSoftmax over one axis of a tensor viewed as [outer, axis_size, inner].
 * Opset 13 semantics; the compiler turns the opset < 13 "coerce to 2-D" semantics into
 * (outer = prod(dims[:axis]), axis_size = prod(dims[axis:]), inner = 1).
 */
typedef struct {
  int32_t outer;
  int32_t axis_size;
  int32_t inner;
} tml_softmax_params;

/** Transpose: output axis k is input axis perm[k] (ONNX `perm`). */
typedef struct {
  int32_t perm[TML_MAX_RANK];
} tml_transpose_params;

/** Concat along `axis` (0 <= axis < rank, already normalised by the compiler). */
typedef struct {
  int32_t axis;
  int32_t num_inputs; /**< >= 1. */
} tml_concat_params;

/**
 * Slice with one entry per input axis (axes not sliced by the ONNX node have start 0,
 * step 1). `start` is the first input index actually read (already clamped by the
 * compiler following the ONNX rules), `step` is non-zero and may be negative; the output
 * extent of each axis comes from the output dims. Output index o of axis k reads input
 * index start[k] + o·step[k].
 */
typedef struct {
  int32_t start[TML_MAX_RANK];
  int32_t step[TML_MAX_RANK];
} tml_slice_params;

/** Element type of an index tensor. */
typedef enum { TML_INDEX_S32 = 0, TML_INDEX_S64 = 1 } tml_index_type;

/** Gather along `axis` (0 <= axis < data rank, already normalised by the compiler). */
typedef struct {
  int32_t axis;
  tml_index_type index_type; /**< Element type behind the `indices` pointer. */
} tml_gather_params;

/* ---------------------------------------------------------------------------------------
 * Recurrent layers (ONNX LSTM / GRU / RNN, default activations only).
 * ------------------------------------------------------------------------------------- */

/** ONNX `direction` attribute. */
typedef enum {
  TML_RNN_FORWARD = 0,
  TML_RNN_REVERSE = 1,
  TML_RNN_BIDIRECTIONAL = 2
} tml_rnn_direction;

/**
 * Attributes of a full-sequence LSTM/GRU/RNN call. Shapes (seq_length, batch_size,
 * input_size, hidden_size, num_directions) come from the tensor dims.
 */
typedef struct {
  tml_rnn_direction direction;
  int32_t layout;              /**< 0: X [seq, batch, I]; 1: X [batch, seq, I] (opset 14). */
  float clip;                  /**< > 0: clip gate pre-activations to [-clip, clip]; <= 0: off. */
  int32_t input_forget;        /**< LSTM only: 1 couples the forget gate, f = 1 - i. */
  int32_t linear_before_reset; /**< GRU only: ONNX `linear_before_reset` (0 or 1). */
} tml_rnn_params;

/**
 * One cell of one direction, used by the single-time-step kernels (tml_*_step_f32).
 * Streaming code calls the step kernels directly, so this struct carries the sizes.
 */
typedef struct {
  int32_t input_size;          /**< I >= 1. */
  int32_t hidden_size;         /**< H >= 1. */
  float clip;                  /**< > 0: clip gate pre-activations to [-clip, clip]; <= 0: off. */
  int32_t input_forget;        /**< LSTM only. */
  int32_t linear_before_reset; /**< GRU only. */
} tml_rnn_cell_params;

/**
 * Weights of one direction of a recurrent layer; each pointer points at the slice of the
 * ONNX tensor for that direction (G = 4 for LSTM, 3 for GRU, 1 for RNN):
 *   w [G·H, I] row-major, r [G·H, H] row-major,
 *   b [2·G·H] (Wb then Rb) or NULL for zero bias,
 *   p [3·H] LSTM peepholes (order i, o, f) or NULL for none; ignored by GRU/RNN.
 */
typedef struct {
  const float *w;
  const float *r;
  const float *b;
  const float *p;
} tml_rnn_weights_f32;


/* ---------------------------------------------------------------------------------------
 * Kronecker-factored linear maps (tml_kron_matvec_f32).
 * ------------------------------------------------------------------------------------- */

/**
 * Evaluation order of y = vec(A·X·Bᵀ) with x reshaped row-major to X [n1, n2]:
 *   TML_KRON_XBT_FIRST: T = X·Bᵀ [n1, m2], then A·T;   m2·n1·(n2 + m1) MACs per term.
 *   TML_KRON_AX_FIRST:  T = A·X  [m1, n2], then T·Bᵀ;  m1·n2·(n1 + m2) MACs per term.
 * The compiler picks the cheaper one per layer.
 */
typedef enum { TML_KRON_XBT_FIRST = 0, TML_KRON_AX_FIRST = 1 } tml_kron_order;

/**
 * y = Σ_k (A_k ⊗ B_k)·x (+ bias), A_k [m1, n1], B_k [m2, n2], all terms the same shape:
 * (A⊗B)[i1·m2 + i2, j1·n2 + j2] = A[i1, j1]·B[i2, j2] (numpy kron).
 */
typedef struct {
  int32_t m1, n1;         /**< Shape of every A_k, >= 1. */
  int32_t m2, n2;         /**< Shape of every B_k, >= 1. */
  int32_t rank;           /**< Number of terms, >= 1. */
  tml_kron_order order;   /**< Evaluation order (the same result up to rounding). */
  int32_t accumulate;     /**< 0: output = result; 1: output += result. */
} tml_kron_params;


/**
 * A weight matrix M [rows, cols] (out × in) as the compiler represents it, applied by
 * tml_linear_op_apply_f32() and the *_step_op_f32 recurrent kernels. Exactly one form:
 *  - dense:  w != NULL, row-major [rows, cols];
 *  - Kronecker sum: w == NULL, num_blocks == 0: M = Σ_k A_k ⊗ B_k with shapes, rank and
 *    evaluation order in `kron` (kron.accumulate is ignored), factors in a and b as for
 *    tml_kron_matvec_f32(); rows == m1·m2, cols == n1·n2;
 *  - row blocks: num_blocks > 0: M is blocks[0 .. num_blocks-1] stacked vertically (each
 *    dense or Kronecker, same cols, rows summing to rows), e.g. one Kronecker sum per gate.
 * Any form may add a sparse overlay (doping): sparse != NULL makes M = form + S, with S
 * [rows, cols] in CSR (see tml_sparse_matvec_f32()).
 */
struct tml_sparse_f32;
typedef struct tml_linear_op_f32 {
  int32_t rows;
  int32_t cols;
  const float *w;
  tml_kron_params kron;
  const float *a;
  const float *b;
  int32_t num_blocks;
  const struct tml_linear_op_f32 *blocks;
  const struct tml_sparse_f32 *sparse; /**< Doping overlay S, or NULL. */
} tml_linear_op_f32;

/** Weights of one direction of a recurrent layer with operator W and R (see
 * tml_rnn_weights_f32 for b and p). */
typedef struct {
  const tml_linear_op_f32 *w; /**< [G·H, I]. */
  const tml_linear_op_f32 *r; /**< [G·H, H]. */
  const float *b;
  const float *p;
} tml_rnn_op_weights_f32;

#ifdef __cplusplus
}
#endif

#endif /* TML_TYPES_H */
