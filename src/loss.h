/*
 * loss.h — the loss step of every training kernel: a row of scores (one
 * input row, or the CBOW mean, against its target rows) becomes, in place,
 * the row of gradient coefficients g_k = dL/ds_k * alpha that the kernels
 * then apply as y += g_k * x. Written once for the pair, batch and reference
 * kernels of every instruction set, in scalar code; the AVX-512 and AVX2
 * batch kernels run theta__loss_sigmoid_rows as vectors (kernel_impl.h,
 * loss_rows) with the same arithmetic and order, and the tests compare them.
 *
 *   ns, hs   binary logistic loss per target: g_k = (label_k - σ(s_k)) α,
 *            times weight_k (a negative drawn several times for one window
 *            counts that many times); loss -log σ(±s_k), both from one
 *            table cell (theta__sigmoid_lookup)
 *   softmax  normalised over the targets: g_k = ([k = true] - p_k) α;
 *            loss -log p_true
 *
 * Each returns 0 and adds the example's loss to *loss, or -1 (and leaves
 * the scores as they are) if a score is not finite: training diverged.
 */
#ifndef THETA_LOSS_H
#define THETA_LOSS_H

#include <math.h>

#include "kernel.h"

/* The lanes of a block's loss added in a halving tree (l + l+8, + l+4,
 * + l+2, + l+1), as the vector kernels add theirs. Every term is ≥ +0, so
 * the lanes past the first `width` hold +0, and the tree over the smallest
 * power of two ≥ width gives the same sum as over all 16. */
static inline double theta__loss_tree(double l[16], int width)
{
    int p = 1;
    while (p < width && p < 16)
        p *= 2;
    for (int h = p / 2; h >= 1; h /= 2)
        for (int i = 0; i < h; i++)
            l[i] += l[i + h];
    return l[0];
}

/* The scores G (n, nt) of n input rows against nt targets, labels[k] (1 or
 * 0) per target; weights W with rows wld apart (wld 0: one row for all, W
 * NULL: 1 everywhere). The loss adds up in 16 lanes, lane l taking the
 * terms of the columns k ≡ l (mod 16) row after row, then theta__loss_tree:
 * the order the vector kernels keep (kernel_impl.h, loss_rows). */
static inline int theta__loss_sigmoid_rows(const theta__tables *t, float *G, int n, int nt,
                                           const float *labels, const float *W, int wld,
                                           float alpha, double *loss)
{
    for (size_t e = 0; e < (size_t)n * nt; e++)
        if (!isfinite(G[e]))
            return -1;
    double l[16] = {0};
    for (int j = 0; j < n; j++) {
        float *s = G + (size_t)j * nt;
        const float *wj = W ? W + (size_t)j * wld : NULL;
        for (int k = 0; k < nt; k++) {
            const float wk = wj ? wj[k] : 1.0f;
            if (wk == 0.0f) {
                s[k] = 0.0f; /* no such product (batch groups): no gradient, no loss */
                continue;
            }
            float label = labels[k], sig, nls;
            theta__sigmoid_lookup(t, s[k], label > 0, &sig, &nls);
            s[k] = (label - sig) * alpha * wk;
            l[k & 15] += (double)wk * (double)nls;
        }
    }
    *loss += theta__loss_tree(l, nt);
    return 0;
}

/* One row s[0..nt) (the pair kernels: one target at a time); weights NULL
 * means 1 for every target. */
static inline int theta__loss_sigmoid(const theta__tables *t, float *s, const float *labels,
                                      const float *weights, int nt, float alpha, double *loss)
{
    return theta__loss_sigmoid_rows(t, s, 1, nt, labels, weights, 0, alpha, loss);
}

/* s[0..nt) over nt classes, the true one at index truth. */
static inline int theta__loss_softmax(float *s, int nt, int truth, float alpha, double *loss)
{
    float mx = -INFINITY;
    for (int k = 0; k < nt; k++) {
        if (!isfinite(s[k]))
            return -1;
        mx = s[k] > mx ? s[k] : mx;
    }
    double z = 0;
    for (int k = 0; k < nt; k++) {
        s[k] = expf(s[k] - mx);
        z += s[k];
    }
    *loss += -log((double)s[truth] / z);
    for (int k = 0; k < nt; k++)
        s[k] = ((k == truth ? 1.0f : 0.0f) - (float)(s[k] / z)) * alpha;
    return 0;
}

#endif
