/*
 * linalg.h — private dense kernels shared by the evaluators (eval.c) and
 * k-means (kmeans.c): a dot product and a register-blocked 4 x 8 tile of
 * dot products between matrix rows and a packed panel of query vectors.
 * Float inputs, float accumulation; no threads, no allocation.
 */
#ifndef THETA_LINALG_H
#define THETA_LINALG_H

#include <stddef.h>
#include <stdint.h>

#define THETA__PANEL 8 /* query vectors per packed panel */
#define THETA__MR 4    /* matrix rows per tile */

/* sum a[i] b[i], i < n, with 8 partial sums (not the naive order). */
float theta__linalg_dot(const float *a, const float *b, int n);

/* Packs up to THETA__PANEL query vectors q[j][dim] (nq of them; the rest
 * are zero) dimension-major: panel[d * THETA__PANEL + j] = q[j][d]. */
void theta__linalg_pack(const float *const *q, int nq, int dim, float *panel);

/* out[i][j] = dot(row[i], query j of panel), i < THETA__MR, j < THETA__PANEL. */
void theta__linalg_tile(const float *const row[THETA__MR], const float *panel, int dim,
                 float out[THETA__MR][THETA__PANEL]);

/* For the tests: the tile with the given instance, "sse2" or "avx2";
 * -1 if that instance is not built in or the CPU lacks it. */
int theta__linalg_tile_isa(const char *isa, const float *const row[THETA__MR], const float *panel,
                           int dim, float out[THETA__MR][THETA__PANEL]);

#endif
