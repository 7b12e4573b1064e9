/*
 * loss.h — the loss step of every training kernel: a row of scores (one
 * input row, or the CBOW mean, against its target rows) becomes, in place,
 * the row of gradient coefficients g_k = dL/ds_k * alpha that the kernels
 * then apply as y += g_k * x. Written once for the pair, batch and reference
 * kernels of every instruction set; scalar code, no vectors.
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

/* s[0..nt) against labels (1 or 0); weights NULL means 1 for every target. */
static inline int theta__loss_sigmoid(const theta__tables *t, float *s, const float *labels,
                                      const float *weights, int nt, float alpha, double *loss)
{
    for (int k = 0; k < nt; k++)
        if (!isfinite(s[k]))
            return -1;
    /* four partial sums, so the additions of one row do not wait on each other */
    double l[4] = {0, 0, 0, 0};
    for (int k = 0; k < nt; k++) {
        if (weights && weights[k] == 0.0f) {
            s[k] = 0.0f; /* no such product (batch groups): no gradient, no loss */
            continue;
        }
        float label = labels[k], sig, nls;
        theta__sigmoid_lookup(t, s[k], label > 0, &sig, &nls);
        float g = (label - sig) * alpha;
        if (weights) {
            g *= weights[k];
            l[k & 3] += (double)weights[k] * nls;
        } else {
            l[k & 3] += nls;
        }
        s[k] = g;
    }
    *loss += (l[0] + l[1]) + (l[2] + l[3]);
    return 0;
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
