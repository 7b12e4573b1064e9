/*
 * dims.h — private hooks of dims.c for the tests (not installed).
 */
#ifndef THETA_DIMS_H
#define THETA_DIMS_H

#include "internal.h"

/* Adds X'X of the (nb, kp) row-major block X to G (kp x kp; the entries on
 * and above the diagonal are the result, kp a multiple of 8) with the given
 * kernel: "sse2" or "avx2". Returns -1 if that kernel is not built in or the
 * CPU lacks it. */
int theta__dims_gram_block(const char *isa, const double *X, int nb, int kp, double *G);

#endif
