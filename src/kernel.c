/*
 * kernel.c — instantiates the training kernels (kernel_impl.h) for
 * AVX-512, AVX2 (with FMA) and SSE2 and picks one at run time, so one binary
 * runs on any x86-64 without -march=native, with bit-identical results.
 */
#include "kernel.h"
#include "isa.h"
#include "loss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the vector types never cross a real call: every helper is inlined */
#pragma GCC diagnostic ignored "-Wpsabi"

#ifdef THETA__X86
#include <immintrin.h>
#endif

/* Tile sizes (see kernel_impl.h), chosen so that the accumulators, the
 * loaded lanes and a temporary fit the ISA's vector registers (32 zmm, 16
 * ymm, 16 xmm). */
#ifdef THETA__X86
#pragma GCC push_options
#pragma GCC target("avx512f")
#define VW 16
#define JB 3
#define KB 6
#define KU 8
#define SUFFIX _avx512
#include "kernel_impl.h"
#undef VW
#undef JB
#undef KB
#undef KU
#undef SUFFIX
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define VW 8
#define JB 2
#define KB 3
#define KU 6
#define SUFFIX _avx2
#include "kernel_impl.h"
#undef VW
#undef JB
#undef KB
#undef KU
#undef SUFFIX
#pragma GCC pop_options
#endif

#define VW 4
#define JB 1
#define KB 3
#define KU 6
#define SUFFIX _sse2
#include "kernel_impl.h"
#undef VW
#undef JB
#undef KB
#undef KU
#undef SUFFIX

static const theta__kernel kernels[] = {
#ifdef THETA__X86
    {"avx512f", {sentence_pair_avx512, sentence_batch_avx512}, dot_avx512, axpy_avx512},
    {"avx2", {sentence_pair_avx2, sentence_batch_avx2}, dot_avx2, axpy_avx2},
#endif
    {"sse2", {sentence_pair_sse2, sentence_batch_sse2}, dot_sse2, axpy_sse2},
};

const theta__kernel *theta__kernel_select(const char *isa)
{
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        if (isa && *isa && strcmp(isa, "auto") != 0 && strcmp(isa, kernels[i].isa) != 0)
            continue;
        if (theta__isa_supported(kernels[i].isa))
            return &kernels[i];
    }
    return NULL;
}

const char *theta_kernel_isa(void)
{
    return theta__kernel_select(NULL)->isa; /* never NULL: sse2 runs everywhere */
}

void theta__tables_init(theta__tables *t)
{
    for (int i = 0; i < THETA_SIGMOID_SIZE; i++) {
        double x = (double)i / THETA_SIGMOID_RES - THETA_SIGMOID_MAX;
        t->cell[i].sigmoid = (float)(1.0 / (1.0 + exp(-x)));
        /* -log σ(x) = log(1 + e^-x), computed stably */
        t->cell[i].neg_log = (float)(x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x)));
    }
}

/* Widest row of scores one group of centre words needs. */
static size_t max_targets(const theta_model *m)
{
    size_t nt = (size_t)m->cfg.negative + 1;
    if (m->cfg.loss == THETA_LOSS_NS && m->cfg.share_negatives > 1)
        nt += (size_t)m->cfg.share_negatives - 1;
    if (m->cfg.loss == THETA_LOSS_HS && (size_t)m->huffman.max_depth > nt)
        nt = (size_t)m->huffman.max_depth;
    if (m->cfg.loss == THETA_LOSS_SOFTMAX && (size_t)m->vocab->size > nt)
        nt = (size_t)m->vocab->size;
    return nt;
}

/* Most input rows of a group: its windows' context positions (one window:
 * 2 window; a group of N: up to 2 window + N, each centre a context of the
 * others). */
static size_t max_rows(const theta_model *m)
{
    int share = m->cfg.share_negatives > 1 ? m->cfg.share_negatives : 0;
    return 2 * (size_t)m->cfg.window + (size_t)share;
}

static size_t round16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

/* grad, hidden, scores, labels (2 halves), weights (2), targets (2), trows,
 * pweights */
size_t theta__worker_scratch(const theta_model *m)
{
    size_t ctx = max_rows(m), dim = (size_t)m->cfg.dim, nt = max_targets(m);
    size_t gs = (size_t)theta__grad_stride(m->cfg.dim);
    size_t ptr = (sizeof(float *) + sizeof(float) - 1) / sizeof(float); /* floats per pointer */
    return ctx * gs + round16(dim) + round16(ctx * nt) + 6 * round16(nt) + ptr * round16(nt) +
           ctx * round16(nt);
}

void theta__worker_attach(theta__worker *w, const theta_model *m, float *buf)
{
    size_t ctx = max_rows(m), dim = (size_t)m->cfg.dim, nt = max_targets(m);
    size_t gs = (size_t)theta__grad_stride(m->cfg.dim);
    size_t ptr = (sizeof(float *) + sizeof(float) - 1) / sizeof(float);
    w->m = m;
    w->grad = buf;
    w->hidden = w->grad + ctx * gs;
    w->scores = w->hidden + round16(dim);
    w->targets_half = (int)round16(nt);
    w->labels = w->scores + round16(ctx * nt);
    w->weights = w->labels + 2 * round16(nt);
    w->targets = (int32_t *)(w->weights + 2 * round16(nt));
    w->trows = (float **)(void *)(w->labels + 6 * round16(nt));
    w->pweights = w->labels + 6 * round16(nt) + ptr * round16(nt);
}
