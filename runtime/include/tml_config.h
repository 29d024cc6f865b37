/*
 * tml_config.h - build-wide choices of the runtime.
 *
 * The compiler writes this file into every output directory with the choices of the
 * compile (`tinyml-compile compile --float-math exact|fast`); a build may still override
 * any of them with -D.
 *
 * TML_FLOAT_MATH_EXACT: 1 = exp, sigmoid and tanh through libm (expf, tanhf); 0 = the
 * short approximations of tml_math_f32.h (largest absolute error below 1e-7 on sigmoid and
 * tanh, relative 8.1e-8 on exp), faster and without newlib's code. Default 0.
 */
#ifndef TML_CONFIG_H
#define TML_CONFIG_H

#ifndef TML_FLOAT_MATH_EXACT
#define TML_FLOAT_MATH_EXACT 0
#endif

/*
 * TML_LINK_KRON_MATVEC_S8, TML_LINK_SPARSE_MATVEC_S8, TML_LINK_KRON_MATVEC_F32,
 * TML_LINK_SPARSE_MATVEC_F32: 1 = the linear-operator kernels (tml_linear_op_s8_apply,
 * tml_linear_op_apply_f32) can run Kronecker / sparse operators of that type, which links
 * tml_kron_matvec_* / tml_sparse_matvec_*; 0 = they run dense operators only (a Kronecker
 * or sparse operator is refused with TML_ERROR_ARG) and link neither. The compiler writes
 * 0 for the forms the model has no operator of. Default 1.
 */
#ifndef TML_LINK_KRON_MATVEC_S8
#define TML_LINK_KRON_MATVEC_S8 1
#endif
#ifndef TML_LINK_SPARSE_MATVEC_S8
#define TML_LINK_SPARSE_MATVEC_S8 1
#endif
#ifndef TML_LINK_KRON_MATVEC_F32
#define TML_LINK_KRON_MATVEC_F32 1
#endif
#ifndef TML_LINK_SPARSE_MATVEC_F32
#define TML_LINK_SPARSE_MATVEC_F32 1
#endif

/*
 * TML_S8_LONG_ROWS: 1 = the int8 dense kernels take rows of more than 512 columns (their
 * lane accumulators are folded every 512 columns, ~1 KB more code); 0 = they refuse such a
 * layer with TML_ERROR_ARG. The compiler writes 0 when no int8 dense weight is that wide.
 * Default 1.
 */
#ifndef TML_S8_LONG_ROWS
#define TML_S8_LONG_ROWS 1
#endif

/*
 * TML_S8_KRON_CASES: the specialized bodies tml_kron_matvec_s8 links, a mask of
 * TML_KRON_S8_* (tml_kernels_s8.h); shapes outside it run the general bodies (same
 * results, slower). The compiler writes the cases its Kronecker operators use. Default:
 * all of them.
 */
#ifndef TML_S8_KRON_CASES
#define TML_S8_KRON_CASES 0x1FFF
#endif

/*
 * TML_S8_LSTM_FUSED: 1 = tml_lstm_step_s8_s16 has its fused path for dense W and R (the
 * products, both requantizations and the gate activations in one pass over the rows);
 * 0 = every operator goes through tml_linear_op_s8_apply (same results, slower; about
 * 0.5 KB less code). The compiler writes 0 when no int8 LSTM has dense W and R.
 * Default 1.
 */
#ifndef TML_S8_LSTM_FUSED
#define TML_S8_LSTM_FUSED 1
#endif

/*
 * TML_S8_LSTM_GENERAL: 1 = tml_lstm_step_s8_s16 takes any operator form (Kronecker, row
 * blocks, sparse, per-row requantization) through tml_linear_op_s8_apply; 0 = only the
 * fused dense path (TML_S8_LSTM_FUSED), other operators are TML_ERROR_ARG (about 1.1 KB
 * less code). The compiler writes 0 when every int8 LSTM's W and R take the fused path.
 * Default 1.
 */
#ifndef TML_S8_LSTM_GENERAL
#define TML_S8_LSTM_GENERAL 1
#endif

#endif /* TML_CONFIG_H */
