/*
 * kernel.h — the per-pair update kernels of skip-gram and CBOW for negative
 * sampling, hierarchical softmax and full softmax, plus the vector
 * primitives they use. Every dimension gets exactly the same floating-point
 * operations (no FMA in one place and not another: the build uses
 * -ffp-contract=off), so a matrix whose rows are multiples of (1, ..., 1)
 * stays so, bit for bit, under single-threaded training.
 */
#ifndef THETA_KERNEL_H
#define THETA_KERNEL_H

#include "theta.h"

#define THETA_SIGMOID_MAX 8.0f
#define THETA_SIGMOID_RES 512 /* table entries per unit of x */
#define THETA_SIGMOID_SIZE (2 * 8 * THETA_SIGMOID_RES + 1) /* 2 * MAX * RES + 1 */

/* Read-only tables shared by all workers. */
typedef struct {
    float sigmoid[THETA_SIGMOID_SIZE];  /* σ(x) on [-MAX, MAX] */
    float logsig[THETA_SIGMOID_SIZE];   /* -log σ(x) on [-MAX, MAX] */
} theta__tables;

void theta__tables_init(theta__tables *t);

/* A worker's scratch space and statistics. */
typedef struct {
    const theta_model *m;
    const theta__tables *t;
    float *grad;      /* (dim) accumulated gradient of the input row(s) */
    float *hidden;    /* (dim) CBOW: mean of the context rows */
    float *scores;    /* (vocab) full softmax: scores / probabilities */
    theta_rng rng;
    double loss;      /* sum of example losses */
    int64_t examples;
    int diverged;     /* a non-finite score was seen */
} theta__worker;

/* One skip-gram example: input row `input` predicts word `target`.
 * Updates both matrices in place (hogwild: rows may race between threads). */
void theta__sg_pair(theta__worker *w, int32_t input, int32_t target, float alpha);

/* One CBOW example: the mean of the ctx[0..n) input rows predicts target. */
void theta__cbow(theta__worker *w, const int32_t *ctx, int n, int32_t target, float alpha);

/* Primitives (exposed for the tests): a dot product with several
 * accumulators, and y += a * x. */
float theta__dot(const float *a, const float *b, int n);
void theta__axpy(float *y, float a, const float *x, int n);

#endif
