/* SPDX-License-Identifier: MIT */
/* tml_linear_op_apply_f32 - see tml_kernels.h for the contract. */
#include "tml_config.h"
#include "tml_kernels.h"
#include "tml_math_f32.h"
#include "tml_support.h"

int32_t tml_linear_op_apply_f32_get_buffer_size(const tml_linear_op_f32 *op) {
  int32_t k;
  int32_t most = 0;
  if (op == NULL) {
    return -1;
  }
  if (op->num_blocks > 0) {
    if (op->blocks == NULL) {
      return -1;
    }
    for (k = 0; k < op->num_blocks; ++k) {
      const int32_t need = tml_linear_op_apply_f32_get_buffer_size(&op->blocks[k]);
      if (need < 0) {
        return -1;
      }
      most = need > most ? need : most;
    }
    return most;
  }
  if (op->w != NULL) {
    return 0;
  }
#if TML_LINK_KRON_MATVEC_F32
  return tml_kron_matvec_f32_get_buffer_size(&op->kron);
#else
  return -1; /* built without Kronecker operators (tml_config.h) */
#endif
}

/* The operator's main form (dense, Kronecker sum or row blocks), without its overlay. */
static tml_status apply_form(const tml_context *ctx, const tml_linear_op_f32 *op, const float *x,
                             float *y) {
  int32_t k;
  TML_CHECK(op != NULL && x != NULL && y != NULL && op->rows >= 1 && op->cols >= 1);
  if (op->num_blocks > 0) {
    int32_t row = 0;
    TML_CHECK(op->blocks != NULL);
    for (k = 0; k < op->num_blocks; ++k) {
      tml_status s;
      TML_CHECK(op->blocks[k].cols == op->cols && op->blocks[k].num_blocks == 0);
      TML_CHECK(row + op->blocks[k].rows <= op->rows);
      s = tml_linear_op_apply_f32(ctx, &op->blocks[k], x, y + row);
      if (s != TML_OK) {
        return s;
      }
      row += op->blocks[k].rows;
    }
    TML_CHECK(row == op->rows);
    return TML_OK;
  }
  if (op->w != NULL) {
    tml_matvec_acc_f32(op->w, x, op->rows, op->cols, y);
    return TML_OK;
  }
#if !TML_LINK_KRON_MATVEC_F32
  return TML_ERROR_ARG; /* built without Kronecker operators (tml_config.h) */
#else
  {
    tml_kron_params p = op->kron;
    tml_dims xd;
    tml_dims yd;
    tml_dims ad;
    tml_dims bd;
    TML_CHECK(p.m1 * p.m2 == op->rows && p.n1 * p.n2 == op->cols);
    p.accumulate = 1;
    xd.rank = 1;
    xd.dim[0] = op->cols;
    yd.rank = 1;
    yd.dim[0] = op->rows;
    ad.rank = 3;
    ad.dim[0] = p.rank;
    ad.dim[1] = p.m1;
    ad.dim[2] = p.n1;
    bd.rank = 3;
    bd.dim[0] = p.rank;
    bd.dim[1] = p.m2;
    bd.dim[2] = p.n2;
    return tml_kron_matvec_f32(ctx, &p, &xd, x, &ad, op->a, &bd, op->b, NULL, NULL, &yd, y);
  }
#endif
}

tml_status tml_linear_op_apply_f32(const tml_context *ctx, const tml_linear_op_f32 *op,
                                   const float *x, float *y) {
  tml_status s;
  TML_CHECK(op != NULL);
  s = apply_form(ctx, op, x, y);
  if (s != TML_OK || op->sparse == NULL) {
    return s;
  }
#if !TML_LINK_SPARSE_MATVEC_F32
  return TML_ERROR_ARG; /* built without sparse operators (tml_config.h) */
#else
  {
    tml_dims xd;
    tml_dims yd;
    TML_CHECK(op->sparse->params.rows == op->rows && op->sparse->params.cols == op->cols);
    xd.rank = 1;
    xd.dim[0] = op->cols;
    yd.rank = 1;
    yd.dim[0] = op->rows;
    return tml_sparse_matvec_f32(NULL, &op->sparse->params, op->sparse->row_ptr,
                                 op->sparse->col_idx, op->sparse->values, &xd, x, &yd, y);
  }
#endif
}
