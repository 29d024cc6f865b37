/* SPDX-License-Identifier: MIT */
/* One inference on a constant input; prints the status in words and the first logit. */
#include <stdio.h>

#include "clf.h"

static float input[CLF_INPUT_SIZE];
static float output[CLF_OUTPUT_SIZE];

int main(void) {
  int k;
  int rc;
  for (k = 0; k < CLF_INPUT_SIZE; ++k) input[k] = 0.25f;
  rc = clf_invoke(input, output);
  printf("clf_invoke: %s; output[0] = %g\n", clf_status_str(rc), (double)output[0]);
  return rc == 0 ? 0 : 1;
}
