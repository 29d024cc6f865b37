/* SPDX-License-Identifier: MIT */
/*
 * tml_status.h - the status codes of the tinyml-compile runtime and of generated models.
 *
 * The one public header a generated NAME.h includes: every NAME_* function that can fail
 * returns 0 (TML_OK) or one of the negative codes below, as an int. tml_status_str() (and the
 * generated NAME_status_str(), which calls it) names a code in English for logs.
 */
#ifndef TML_STATUS_H
#define TML_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Status returned by every kernel and every generated NAME_* function. */
typedef enum {
  TML_OK = 0,                  /**< Success. */
  TML_ERROR_ARG = -1,          /**< Inconsistent dims, invalid parameter or missing pointer. */
  TML_ERROR_BUFFER = -2,       /**< tml_context scratch missing or smaller than _get_buffer_size(). */
  TML_ERROR_INDEX = -3,        /**< A data-dependent index (gather, sequence_lens) is out of range. */
  TML_ERROR_NOT_INITIALIZED = -4, /**< --arena extern: NAME_init() was not called or failed. */
  TML_ERROR_ARENA_SIZE = -5,   /**< NAME_init(): fewer bytes than NAME_ARENA_BYTES. */
  TML_ERROR_ARENA_ALIGN = -6   /**< NAME_init(): arena NULL or not aligned to NAME_ARENA_ALIGN. */
} tml_status;

/** A short English description of `status` (a tml_status value); "unknown status" otherwise. */
const char *tml_status_str(int status);

#ifdef __cplusplus
}
#endif

#endif /* TML_STATUS_H */
