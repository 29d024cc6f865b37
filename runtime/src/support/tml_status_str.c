/* SPDX-License-Identifier: MIT */
/* tml_status_str - see tml_status.h. */
#include "tml_status.h"

const char *tml_status_str(int status) {
  switch (status) {
    case TML_OK:
      return "ok";
    case TML_ERROR_ARG:
      return "invalid argument (inconsistent dims, invalid parameter or missing pointer)";
    case TML_ERROR_BUFFER:
      return "scratch buffer missing or too small";
    case TML_ERROR_INDEX:
      return "data-dependent index out of range";
    case TML_ERROR_NOT_INITIALIZED:
      return "model not initialized: call NAME_init() with the arena first";
    case TML_ERROR_ARENA_SIZE:
      return "arena smaller than NAME_ARENA_BYTES";
    case TML_ERROR_ARENA_ALIGN:
      return "arena NULL or not aligned to NAME_ARENA_ALIGN";
    default:
      return "unknown status";
  }
}
