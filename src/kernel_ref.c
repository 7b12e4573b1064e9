/*
 * kernel_ref.c — the plain scalar reference of the training kernels: the
 * arithmetic kernel.h describes, written as loops over elements, compiled
 * without vectorisation. The tests run it beside every ISA's kernels and
 * expect the same bits; it is not used for training.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize", "no-tree-slp-vectorize")
#endif

#include <math.h>
#include <string.h>

#include "kernel.h"
#include "loss.h"

/* 16 lanes of fmaf over i ≡ l (mod 16), zeros past n, one tree. */
static float ref_dot(const float *a, const float *b, int n)
{
    float lane[16] = {0};
    for (int i = 0; i < n; i += 16)
        for (int l = 0; l < 16; l++)
            lane[l] = i + l < n ? fmaf(a[i + l], b[i + l], lane[l]) : fmaf(0.0f, 0.0f, lane[l]);
    return theta__dot_tree(lane);
}

static void ref_axpy(float *y, float a, const float *x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = fmaf(a, x[i], y[i]);
}

static void ref_add(float *y, const float *x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += x[i];
}

/* One example of the pair kernel: h predicts word, targets one at a time. */
static void ref_output(theta__worker *w, const float *h, float *grad, int32_t word, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim;
    double loss = 0;
    int nt;
    int32_t *tg = w->targets;
    if (m->cfg.loss == THETA_LOSS_SOFTMAX) {
        nt = m->vocab->size - 1;
        for (int k = 0; k < nt; k++)
            w->scores[k] = ref_dot(h, m->out + (size_t)(k + 1) * dim, dim);
        if (theta__loss_softmax(w->scores, nt, word - 1, alpha, &loss) != 0)
            goto diverged;
        for (int k = 0; k < nt; k++) {
            float *row = m->out + (size_t)(k + 1) * dim;
            ref_axpy(grad, w->scores[k], row, dim);
            ref_axpy(row, w->scores[k], h, dim);
        }
    } else {
        nt = theta__targets(w, word, tg, w->labels);
        for (int k = 0; k < nt; k++) {
            float *row = m->out + (size_t)tg[k] * dim;
            float g = ref_dot(h, row, dim);
            if (theta__loss_sigmoid(w->t, &g, &w->labels[k], NULL, 1, alpha, &loss) != 0)
                goto diverged;
            ref_axpy(grad, g, row, dim);
            ref_axpy(row, g, h, dim);
        }
    }
    w->loss += loss;
    w->examples++;
    w->products += nt;
    return;
diverged:
    w->diverged = 1;
    w->diverged_word = word;
}

static void ref_pair(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim;
    for (int pos = 0; pos < len && !w->diverged; pos++) {
        int lo, hi;
        theta__window(w, pos, len, &lo, &hi);
        if (m->cfg.arch == THETA_ARCH_SKIPGRAM) {
            for (int c = lo; c <= hi && !w->diverged; c++) {
                if (c == pos)
                    continue;
                float *row = m->in + (size_t)sen[c] * dim;
                memset(w->grad, 0, (size_t)dim * sizeof *w->grad);
                ref_output(w, row, w->grad, sen[pos], alpha);
                ref_add(row, w->grad, dim);
            }
        } else {
            int n = hi - lo;
            if (n == 0)
                continue;
            memset(w->hidden, 0, (size_t)dim * sizeof *w->hidden);
            for (int c = lo; c <= hi; c++)
                if (c != pos)
                    ref_add(w->hidden, m->in + (size_t)sen[c] * dim, dim);
            const float scale = 1.0f / (float)n;
            for (int i = 0; i < dim; i++)
                w->hidden[i] *= scale;
            memset(w->grad, 0, (size_t)dim * sizeof *w->grad);
            ref_output(w, w->hidden, w->grad, sen[pos], alpha);
            for (int c = lo; c <= hi; c++)
                if (c != pos)
                    ref_add(m->in + (size_t)sen[c] * dim, w->grad, dim);
        }
    }
}

/* The rows and targets' products of one group (or window): S = In · Outᵀ;
 * G = loss(S) with weights W (NULL: those of the targets); grad = G · Out;
 * Out += Gᵀ · In; In += grad (all from the old rows). 0, or -1 if the
 * scores are not finite. */
static int ref_gemm(theta__worker *w, float **rows, int n, int nt, const float *labels,
                    const float *weights, const float *W, int truth, float alpha, double *loss)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim, gs = theta__grad_stride(dim);
    const int softmax = m->cfg.loss == THETA_LOSS_SOFTMAX;
    float *G = w->scores;
    for (int j = 0; j < n; j++)
        for (int k = 0; k < nt; k++)
            G[(size_t)j * nt + k] = ref_dot(rows[j], w->trows[k], dim);
    if (!softmax) {
        if (theta__loss_sigmoid_rows(w->t, G, n, nt, labels, W ? W : weights, W ? nt : 0, alpha,
                                     loss))
            return -1;
    } else {
        for (int j = 0; j < n; j++)
            if (theta__loss_softmax(G + (size_t)j * nt, nt, truth, alpha, loss))
                return -1;
    }
    for (int j = 0; j < n; j++) {
        float *gj = w->grad + (size_t)j * gs;
        for (int i = 0; i < dim; i++)
            gj[i] = 0.0f;
        for (int k = 0; k < nt; k++)
            ref_axpy(gj, G[(size_t)j * nt + k], w->trows[k], dim);
    }
    for (int k = 0; k < nt; k++)
        for (int j = 0; j < n; j++)
            ref_axpy(w->trows[k], G[(size_t)j * nt + k], rows[j], dim);
    for (int j = 0; j < n; j++)
        ref_add(rows[j], w->grad + (size_t)j * gs, dim);
    return 0;
}

/* Negative sampling, batched in groups of share_negatives centre words
 * (kernel.h: theta__group_targets, theta__group_rows), the draws in the
 * fast kernels' order: the next group's targets before this group's
 * windows. */
static void ref_shared(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    const int half = w->targets_half;
    const int share = m->cfg.share_negatives > 1 ? m->cfg.share_negatives : 1;
    int next_nt = 0, next_np = 0;
    if (len > 0)
        next_nt = theta__group_targets(w, sen, share < len ? share : len, w->targets, w->labels,
                                       w->weights, &next_np);
    float *rows[2 * THETA_MAX_WINDOW + THETA_MAX_SHARE];
    for (int p0 = 0, grp = 0; p0 < len && !w->diverged; p0 += share, grp++) {
        int cur = grp & 1, g = len - p0 < share ? len - p0 : share;
        const int32_t *tg = w->targets + cur * half;
        const float *labels = w->labels + cur * half, *weights = w->weights + cur * half;
        int nt = next_nt, npos = next_np;
        if (p0 + share < len) {
            int o = (1 - cur) * half, rest = len - p0 - share;
            next_nt = theta__group_targets(w, sen + p0 + share, rest < share ? rest : share,
                                           w->targets + o, w->labels + o, w->weights + o,
                                           &next_np);
        }
        int pairs;
        int n = theta__group_rows(w, sen, len, p0, g, tg, weights, npos, nt, rows, w->pweights,
                                  &pairs);
        if (n == 0)
            continue;
        for (int k = 0; k < nt; k++)
            w->trows[k] = m->out + (size_t)tg[k] * m->cfg.dim;
        double loss = 0;
        if (ref_gemm(w, rows, n, nt, labels, NULL, w->pweights, 0, alpha, &loss)) {
            w->diverged = 1;
            w->diverged_word = sen[p0];
            return;
        }
        w->loss += loss;
        w->examples += pairs;
        w->products += (int64_t)n * nt;
    }
}

/* The batch kernel, one product at a time: S = In · Outᵀ; G = loss(S);
 * grad = G · Out; Out += Gᵀ · In; In += grad (all from the old rows). The
 * random draws come in the fast kernels' order: the next position's targets
 * before this position's window. */
static void ref_batch(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    if (m->cfg.arch != THETA_ARCH_SKIPGRAM) {
        ref_pair(w, sen, len, alpha);
        return;
    }
    if (m->cfg.loss == THETA_LOSS_NS) {
        ref_shared(w, sen, len, alpha);
        return;
    }
    const int dim = m->cfg.dim;
    const int softmax = m->cfg.loss == THETA_LOSS_SOFTMAX, half = w->targets_half;
    int next_nt = 0;
    if (!softmax && len > 0)
        next_nt = theta__targets_merge(w->targets, w->labels, w->weights,
                                       theta__targets(w, sen[0], w->targets, w->labels));
    for (int pos = 0; pos < len && !w->diverged; pos++) {
        int cur = pos & 1;
        const int32_t *tg = w->targets + cur * half;
        const float *labels = w->labels + cur * half, *weights = w->weights + cur * half;
        int nt = softmax ? w->m->vocab->size - 1 : next_nt;
        if (!softmax && pos + 1 < len) {
            int o = (1 - cur) * half;
            next_nt = theta__targets(w, sen[pos + 1], w->targets + o, w->labels + o);
            next_nt = theta__targets_merge(w->targets + o, w->labels + o, w->weights + o, next_nt);
        }
        int lo, hi;
        theta__window(w, pos, len, &lo, &hi);
        float *rows[2 * THETA_MAX_WINDOW];
        int n = 0;
        for (int c = lo; c <= hi; c++)
            if (c != pos)
                rows[n++] = m->in + (size_t)sen[c] * dim;
        if (n == 0)
            continue;
        for (int k = 0; k < nt; k++)
            w->trows[k] = m->out + (size_t)(softmax ? k + 1 : tg[k]) * dim;
        double loss = 0;
        if (ref_gemm(w, rows, n, nt, labels, weights, NULL, sen[pos] - 1, alpha, &loss)) {
            w->diverged = 1;
            w->diverged_word = sen[pos];
            return;
        }
        w->loss += loss;
        w->examples += n;
        w->products += (int64_t)n * nt;
    }
}

static const theta__kernel reference = {"scalar", {ref_pair, ref_batch}, ref_dot, ref_axpy};

const theta__kernel *theta__kernel_reference(void)
{
    return &reference;
}
