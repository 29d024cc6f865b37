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

#endif /* TML_CONFIG_H */
