/*
 * kernel.h — the training kernels: one skip-gram or CBOW sentence update for
 * negative sampling, hierarchical softmax and full softmax, in two variants:
 *
 *   pair   word2vec's order: every (context, centre) pair draws its own
 *          negatives and is applied at once. The reference.
 *   batch  for each centre word, the context rows of its window share one
 *          draw of negatives (Ji et al., HogBatch), so the forward and
 *          backward passes are small dense products (contexts x targets),
 *          and the random output rows are fetched once per window, not once
 *          per pair. Skip-gram only; CBOW is the same in both.
 *
 * Each kernel is compiled for AVX-512, AVX2 and SSE2 and picked at run time
 * (theta__kernel_select). Every dimension gets exactly the same
 * floating-point operations (a multiply then an add, never fused; the build
 * uses -ffp-contract=off), and dot products reduce 16 logical lanes in one
 * fixed order on every instruction set, so results are bit-identical across
 * ISAs and a matrix of rows c * (1, ..., 1) keeps that shape under
 * single-threaded training.
 */
#ifndef THETA_KERNEL_H
#define THETA_KERNEL_H

#include "theta.h"

#define THETA_SIGMOID_MAX 8.0f
#define THETA_SIGMOID_RES 512                        /* table entries per unit of x */
#define THETA_SIGMOID_SIZE (2 * 8 * THETA_SIGMOID_RES + 1) /* 2 * MAX * RES + 1 */
#define THETA_MAX_WINDOW 1000

/* Read-only tables shared by all workers. */
typedef struct {
    float sigmoid[THETA_SIGMOID_SIZE]; /* σ(x) on [-MAX, MAX] */
    float logsig[THETA_SIGMOID_SIZE];  /* -log σ(x) on [-MAX, MAX] */
} theta__tables;

void theta__tables_init(theta__tables *t);

static inline float theta__sigmoid(const theta__tables *t, float x)
{
    if (x >= THETA_SIGMOID_MAX)
        return 1.0f;
    if (x <= -THETA_SIGMOID_MAX)
        return 0.0f;
    return t->sigmoid[(int)((x + THETA_SIGMOID_MAX) * THETA_SIGMOID_RES + 0.5f)];
}

/* -log σ(x) */
static inline float theta__neg_log_sigmoid(const theta__tables *t, float x)
{
    if (x >= THETA_SIGMOID_MAX)
        return 0.0f;
    if (x <= -THETA_SIGMOID_MAX)
        return -x;
    return t->logsig[(int)((x + THETA_SIGMOID_MAX) * THETA_SIGMOID_RES + 0.5f)];
}

/* A worker's scratch space and statistics. */
typedef struct {
    const theta_model *m;
    const theta__tables *t;
    float *grad;      /* (2 * window, dim) gradients of the input rows */
    float *hidden;    /* (dim) CBOW: mean of the context rows */
    float *scores;    /* (2 * window, max(vocab, 1 + negative, depth)) scores / gradients */
    int32_t *targets; /* (2, targets_half): two sets of target rows ... */
    float *labels;    /* (2, targets_half): ... and their labels */
    int targets_half;
    theta_rng rng;
    double loss;      /* sum of example losses */
    int64_t examples;
    int diverged;     /* a non-finite score was seen ... */
    int32_t diverged_word; /* ... while training this word */
} theta__worker;

/* Trains one sentence sen[0..len) (already subsampled) at rate alpha. */
typedef void (*theta__sentence_fn)(theta__worker *w, const int32_t *sen, int len, float alpha);

typedef struct {
    const char *isa;                 /* "avx512f", "avx2", "sse2" */
    theta__sentence_fn sentence[2];  /* by theta_kernel */
    float (*dot)(const float *a, const float *b, int n);
    void (*axpy)(float *y, float a, const float *x, int n);
} theta__kernel;

/* The best kernel set this CPU runs, or the one named by isa (NULL if the
 * CPU lacks it or the name is unknown). isa may be NULL or "auto". */
const theta__kernel *theta__kernel_select(const char *isa);

/* Points w's scratch arrays into buf, which must hold
 * theta__worker_scratch(m) floats (64-byte aligned). */
size_t theta__worker_scratch(const theta_model *m);
void theta__worker_attach(theta__worker *w, const theta_model *m, float *buf);

#endif
