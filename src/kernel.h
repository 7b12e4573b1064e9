/*
 * kernel.h — the training kernels: one skip-gram or CBOW sentence update for
 * negative sampling, hierarchical softmax and full softmax, in two variants:
 *
 *   pair   word2vec's order: every (context, centre) pair draws its own
 *          negatives and is applied at once. The reference order.
 *   batch  for each centre word, the context rows of its window share one
 *          draw of negatives (Ji et al., HogBatch): the window is a small
 *          GEMM, scores S = In · Outᵀ (contexts × targets), computed in
 *          register tiles so that each loaded row serves several products,
 *          then G = loss(S), grad_in = G · Out, Out += Gᵀ · In, In += grad_in,
 *          all from the rows as they were before the window. Skip-gram only;
 *          CBOW is the same in both.
 *
 * Each kernel is compiled for AVX-512, AVX2 (with FMA) and SSE2 and picked at
 * run time (theta__kernel_select); kernel_ref.c holds a plain scalar
 * reference of both that the tests compare them with, bit for bit.
 *
 * The arithmetic, on every instruction set alike:
 *   y += a * x    one fused multiply-add per element (SSE2: fmaf's result
 *                 built from doubles, kernel_impl.h), in the vector body and
 *                 the tail alike;
 *   dot(a, b)     16 logical lanes: lane l accumulates fma(a[i], b[i], .) over
 *                 i ≡ l (mod 16), the last partial step padded with zeros,
 *                 then one fixed tree adds the lanes (theta__dot_tree).
 * So results are bit-identical across ISAs and a matrix of rows
 * c * (1, ..., 1) keeps that shape under single-threaded training (the build
 * uses -ffp-contract=off: no other fusing).
 */
#ifndef THETA_KERNEL_H
#define THETA_KERNEL_H

#include "theta.h"

#define THETA_SIGMOID_MAX 8.0f
#define THETA_SIGMOID_RES 512                        /* table entries per unit of x */
#define THETA_SIGMOID_SIZE (2 * 8 * THETA_SIGMOID_RES + 1) /* 2 * MAX * RES + 1 */
#define THETA_MAX_WINDOW 1000
#define THETA_RNG_AHEAD 16 /* draws generated ahead of use (a power of two) */

/* Read-only tables shared by all workers: for x_i = i / RES - MAX, cell i
 * holds σ(x_i) and -log σ(x_i) side by side, so the loss step reads both
 * from one cache line with one index. */
typedef struct {
    float sigmoid;
    float neg_log;
} theta__sigmoid_cell;

typedef struct {
    theta__sigmoid_cell cell[THETA_SIGMOID_SIZE];
} theta__tables;

void theta__tables_init(theta__tables *t);

/* σ(x) in *sig, and in *nls the loss -log σ(x) if positive, else
 * -log σ(-x) = -log σ(x) + x: from the table cell nearest x (its x_i, so the
 * two losses are those of one point), or the limits outside [-MAX, MAX]. */
static inline void theta__sigmoid_lookup(const theta__tables *t, float x, int positive, float *sig,
                                         float *nls)
{
    if (x >= THETA_SIGMOID_MAX) {
        *sig = 1.0f;
        *nls = positive ? 0.0f : x;
    } else if (x <= -THETA_SIGMOID_MAX) {
        *sig = 0.0f;
        *nls = positive ? -x : 0.0f;
    } else {
        int i = (int)((x + THETA_SIGMOID_MAX) * THETA_SIGMOID_RES + 0.5f);
        theta__sigmoid_cell c = t->cell[i];
        *sig = c.sigmoid;
        *nls = positive ? c.neg_log
                        : c.neg_log + ((float)i * (1.0f / THETA_SIGMOID_RES) - THETA_SIGMOID_MAX);
    }
}

/* A worker's scratch space and statistics. */
typedef struct {
    const theta_model *m;
    const theta__tables *t;
    float *grad;      /* (2 * window + share, stride) gradients of the input rows */
    float *hidden;    /* (dim) CBOW: mean of the context rows */
    float *scores;    /* (2 * window + share, max(vocab, share + negative, depth)) scores / gradients */
    int32_t *targets; /* (2, targets_half): two sets of target rows ... */
    float *labels;    /* (2, targets_half): ... their labels ... */
    float *weights;   /* (2, targets_half): ... and weights (batch: times drawn) */
    float *pweights;  /* (2 * window + share, targets_half) batch ns: weight per product */
    float **trows;    /* (max targets) batch: the window's target rows */
    int targets_half;
    theta_rng rng;    /* generates ahead[]: draw through theta__draw only */
    uint64_t ahead[THETA_RNG_AHEAD]; /* the stream's next draws, from ahead[next % AHEAD] on */
    unsigned next;
    double loss;      /* sum of example losses */
    int64_t examples;
    int64_t products; /* (input row, target row) products computed: each is a
                         dot, and two axpys, of dim elements (6 dim FLOP) */
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

/* The plain scalar reference kernels (kernel_ref.c), isa "scalar": the same
 * arithmetic in the same order as every entry of theta__kernel_select. */
const theta__kernel *theta__kernel_reference(void);

/* The lane sums of a dot product, added in the one order every ISA uses:
 * halves first (l + l+8, then + l+4, then + l+2, then + l+1). */
static inline float theta__dot_tree(const float l[16])
{
    return (((l[0] + l[8]) + (l[4] + l[12])) + ((l[2] + l[10]) + (l[6] + l[14]))) +
           (((l[1] + l[9]) + (l[5] + l[13])) + ((l[3] + l[11]) + (l[7] + l[15])));
}

/* Floats between two gradient rows in theta__worker.grad: dim rounded up to
 * 16, so that a tail step may read and write whole vectors there. */
static inline int theta__grad_stride(int dim)
{
    return (dim + 15) & ~15;
}

/* Seeds the worker's random stream (theta_rng_seed) for theta__draw. */
static inline void theta__worker_seed(theta__worker *w, uint64_t seed)
{
    theta_rng_seed(&w->rng, seed);
    for (int i = 0; i < THETA_RNG_AHEAD; i++)
        w->ahead[i] = theta_rng_next(&w->rng);
    w->next = 0;
}

/* The stream's next draw: the sequence theta_rng_next gives after the
 * same seed, generated THETA_RNG_AHEAD draws early so that a draw's use can
 * be prefetched (theta__draw_negative). */
static inline uint64_t theta__draw(theta__worker *w)
{
    const unsigned i = w->next++ % THETA_RNG_AHEAD;
    const uint64_t r = w->ahead[i];
    w->ahead[i] = theta_rng_next(&w->rng);
    return r;
}

/* One negative for the centre word `word` (the seam where the noise
 * distribution is drawn). A draw of the word itself is drawn again (as
 * fastText does), so every example has K negatives; after a few tries it
 * gives up and returns -1 (no negative). */
static inline int32_t theta__draw_negative(theta__worker *w, int32_t word)
{
    const theta_sampler *s = &w->m->sampler;
    int32_t c;
    int tries = 0;
    do {
        uint64_t r = theta__draw(w);
        /* the draw THETA_RNG_AHEAD later is likely a negative too: its
         * column (a random one of V) is fetched while this one is used */
        uint64_t later = w->ahead[(w->next - 1) % THETA_RNG_AHEAD];
        __builtin_prefetch(&s->cell[theta_sampler_column(s, later)]);
        c = theta_sampler_draw(s, r);
    } while (c == word && ++tries < 8);
    return c == word ? -1 : c;
}

/* Fills targets/labels with the output rows a centre word is scored
 * against: (word, 1) then K negatives (0) for ns; the tree path for hs.
 * Returns the count. Not for softmax (every word is a target). */
static inline int theta__targets(theta__worker *w, int32_t word, int32_t *targets, float *labels)
{
    const theta_model *m = w->m;
    int nt = 0;
    if (m->cfg.loss == THETA_LOSS_NS) {
        targets[nt] = word;
        labels[nt++] = 1.0f;
        for (int k = 0; k < m->cfg.negative; k++) {
            int32_t c = theta__draw_negative(w, word);
            if (c < 0)
                continue;
            targets[nt] = c;
            labels[nt++] = 0.0f;
        }
    } else {
        const theta_huffman *hf = &m->huffman;
        for (int64_t p = hf->offset[word]; p < hf->offset[word + 1]; p++) {
            targets[nt] = hf->point[p];
            labels[nt++] = 1.0f - (float)hf->code[p]; /* branch 0 is the positive side */
        }
    }
    return nt;
}

/* Batch kernels: merges repeated targets (a negative drawn twice) into one
 * with weight = times drawn, so that every target row of a window is
 * distinct and can be updated from its old value. Returns the new count. */
static inline int theta__targets_merge(int32_t *targets, float *labels, float *weights, int nt)
{
    int n = 0;
    for (int k = 0; k < nt; k++) {
        int d = 0;
        while (d < n && targets[d] != targets[k])
            d++;
        if (d < n) {
            weights[d] += 1.0f;
            continue;
        }
        targets[n] = targets[k];
        labels[n] = labels[k];
        weights[n++] = 1.0f;
    }
    return n;
}

/* Negative sampling, batch kernel: the targets a group of g consecutive
 * centre words words[0..g) share (g = share_negatives, fewer at a sentence's
 * end): their distinct words first (label 1; *npos of them), then K
 * negatives drawn once for the group, merged (label 0, weight = times
 * drawn). A negative that is one of the group's words is drawn again (a
 * few tries, then left out). With g = 1 the same draws, targets and weights
 * as theta__targets + theta__targets_merge. Returns the count. */
static inline int theta__group_targets(theta__worker *w, const int32_t *words, int g,
                                       int32_t *targets, float *labels, float *weights, int *npos)
{
    int np = 0;
    for (int i = 0; i < g; i++) {
        int d = 0;
        while (d < np && targets[d] != words[i])
            d++;
        if (d == np) {
            targets[np] = words[i];
            labels[np] = 1.0f;
            weights[np++] = 1.0f;
        }
    }
    int nt = np;
    for (int k = 0; k < w->m->cfg.negative; k++) {
        int32_t c;
        int tries = 0, clash;
        for (;;) {
            c = theta__draw_negative(w, words[0]);
            clash = 0;
            for (int d = 1; d < np && c >= 0 && !clash; d++)
                clash = c == targets[d];
            if (!clash || ++tries >= 8)
                break;
        }
        if (c < 0 || clash)
            continue;
        targets[nt] = c;
        labels[nt++] = 0.0f;
    }
    *npos = np;
    return np + theta__targets_merge(targets + np, labels + np, weights + np, nt - np);
}

/* Effective window of position pos: [lo, hi], uniform in 1..window as word2vec. */
static inline void theta__window(theta__worker *w, int pos, int len, int *lo, int *hi)
{
    const int window = w->m->cfg.window;
    int b = (int)(((theta__draw(w) >> 32) * (uint64_t)window) >> 32);
    *lo = pos - window + b < 0 ? 0 : pos - window + b;
    *hi = pos + window - b >= len ? len - 1 : pos + window - b;
}

/* The rows of a group of g centre words at sen[p0..p0+g) against its nt
 * targets (npos positives, then the shared negatives): each context
 * position c of any of the g windows is one input row (in order of c), and
 * W (n, nt) holds how often each (row, target) product counts: 1 per
 * window of c whose centre word is that positive, and times drawn for a
 * negative: a position meets the group's negatives once, however many of
 * its windows hold it (counting them once per window, all from the rows as
 * they were before the group, multiplies the step and measured worse:
 * docs/kernel.md). 0: no product. With g = 1 the rows and weights of one
 * window. Returns n, the pairs (examples) in *pairs. */
static inline int theta__group_rows(theta__worker *w, const int32_t *sen, int len, int p0, int g,
                                    const int32_t *targets, const float *weights, int npos,
                                    int nt, float **rows, float *W, int *pairs)
{
    const theta_model *m = w->m;
    int lo[THETA_MAX_SHARE], hi[THETA_MAX_SHARE], col[THETA_MAX_SHARE];
    int base = len, top = -1;
    for (int i = 0; i < g; i++) {
        theta__window(w, p0 + i, len, &lo[i], &hi[i]);
        base = lo[i] < base ? lo[i] : base;
        top = hi[i] > top ? hi[i] : top;
        col[i] = 0;
        while (targets[col[i]] != sen[p0 + i])
            col[i]++;
    }
    int n = 0, np = 0;
    for (int c = base; c <= top; c++) {
        float *wr = W + (size_t)n * nt;
        int windows = 0;
        for (int k = 0; k < nt; k++)
            wr[k] = 0.0f;
        for (int i = 0; i < g; i++)
            if (c >= lo[i] && c <= hi[i] && c != p0 + i) {
                wr[col[i]] += 1.0f;
                windows++;
            }
        if (windows == 0)
            continue;
        for (int k = npos; k < nt; k++)
            wr[k] = weights[k];
        rows[n++] = m->in + (size_t)sen[c] * m->cfg.dim;
        np += windows;
    }
    *pairs = np;
    return n;
}

/* Points w's scratch arrays into buf, which must hold
 * theta__worker_scratch(m) floats (64-byte aligned). */
size_t theta__worker_scratch(const theta_model *m);
void theta__worker_attach(theta__worker *w, const theta_model *m, float *buf);

#endif
