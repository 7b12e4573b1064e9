/*
 * kernel.c — the hot loop: per-pair updates for skip-gram and CBOW with
 * negative sampling, hierarchical softmax and full softmax.
 *
 * Shapes: in (V, dim) and out (out_rows, dim), row-major float32. The same
 * arithmetic is applied to every dimension: theta__axpy's vector body and
 * tail both do one multiply and one add in float, never a fused one.
 */
#include "kernel.h"

#include <math.h>
#include <string.h>

typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

float theta__dot(const float *a, const float *b, int n)
{
    /* four independent vector accumulators: ~4x the naive loop without fast-math */
    v4f s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 += load4(a + i) * load4(b + i);
        s1 += load4(a + i + 4) * load4(b + i + 4);
        s2 += load4(a + i + 8) * load4(b + i + 8);
        s3 += load4(a + i + 12) * load4(b + i + 12);
    }
    for (; i + 4 <= n; i += 4)
        s0 += load4(a + i) * load4(b + i);
    v4f s = (s0 + s1) + (s2 + s3);
    float r = (s[0] + s[1]) + (s[2] + s[3]);
    for (; i < n; i++)
        r += a[i] * b[i];
    return r;
}

void theta__axpy(float *restrict y, float a, const float *restrict x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += a * x[i];
}

void theta__tables_init(theta__tables *t)
{
    for (int i = 0; i < THETA_SIGMOID_SIZE; i++) {
        double x = (double)i / THETA_SIGMOID_RES - THETA_SIGMOID_MAX;
        t->sigmoid[i] = (float)(1.0 / (1.0 + exp(-x)));
        /* -log σ(x) = log(1 + e^-x), computed stably */
        t->logsig[i] = (float)(x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x)));
    }
}

static inline float sigmoid(const theta__tables *t, float x)
{
    if (x >= THETA_SIGMOID_MAX)
        return 1.0f;
    if (x <= -THETA_SIGMOID_MAX)
        return 0.0f;
    return t->sigmoid[(int)((x + THETA_SIGMOID_MAX) * THETA_SIGMOID_RES + 0.5f)];
}

/* -log σ(x) */
static inline float neg_log_sigmoid(const theta__tables *t, float x)
{
    if (x >= THETA_SIGMOID_MAX)
        return 0.0f;
    if (x <= -THETA_SIGMOID_MAX)
        return -x;
    return t->logsig[(int)((x + THETA_SIGMOID_MAX) * THETA_SIGMOID_RES + 0.5f)];
}

/* The output side of one example: hidden vector h (the input row, or the
 * CBOW mean) predicts target. Accumulates dL/dh * alpha into w->grad and
 * updates the output rows. */
static void output_layer(theta__worker *w, const float *h, int32_t target, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim;
    const theta__tables *t = w->t;
    float *out = m->out;
    double loss = 0;

    switch (m->cfg.loss) {
    case THETA_LOSS_NS:
        for (int k = 0; k <= m->cfg.negative; k++) {
            int32_t c;
            float label;
            if (k == 0) {
                c = target;
                label = 1.0f;
            } else {
                c = theta_sampler_draw(&m->sampler, theta_rng_next(&w->rng));
                if (c == target)
                    continue;
                label = 0.0f;
            }
            float *row = out + (size_t)c * dim;
            float f = theta__dot(h, row, dim);
            if (!isfinite(f)) {
                w->diverged = 1;
                return;
            }
            float g = (label - sigmoid(t, f)) * alpha;
            loss += k == 0 ? neg_log_sigmoid(t, f) : neg_log_sigmoid(t, -f);
            theta__axpy(w->grad, g, row, dim);
            theta__axpy(row, g, h, dim);
        }
        break;
    case THETA_LOSS_HS: {
        const theta_huffman *hf = &m->huffman;
        for (int64_t p = hf->offset[target]; p < hf->offset[target + 1]; p++) {
            float *row = out + (size_t)hf->point[p] * dim;
            float f = theta__dot(h, row, dim);
            if (!isfinite(f)) {
                w->diverged = 1;
                return;
            }
            /* branch bit 0 is the "positive" side, as in word2vec */
            float label = 1.0f - (float)hf->code[p];
            float g = (label - sigmoid(t, f)) * alpha;
            loss += hf->code[p] ? neg_log_sigmoid(t, -f) : neg_log_sigmoid(t, f);
            theta__axpy(w->grad, g, row, dim);
            theta__axpy(row, g, h, dim);
        }
        break;
    }
    case THETA_LOSS_SOFTMAX: {
        /* normalised over every word but </s> (row 0 is never a target) */
        const int32_t V = m->vocab->size;
        float *s = w->scores;
        float mx = -INFINITY;
        for (int32_t c = 1; c < V; c++) {
            s[c] = theta__dot(h, out + (size_t)c * dim, dim);
            if (!isfinite(s[c])) {
                w->diverged = 1;
                return;
            }
            if (s[c] > mx)
                mx = s[c];
        }
        double z = 0;
        for (int32_t c = 1; c < V; c++) {
            s[c] = expf(s[c] - mx);
            z += s[c];
        }
        loss += -log((double)s[target] / z);
        for (int32_t c = 1; c < V; c++) {
            float p = (float)(s[c] / z);
            float g = ((c == target ? 1.0f : 0.0f) - p) * alpha;
            float *row = out + (size_t)c * dim;
            theta__axpy(w->grad, g, row, dim);
            theta__axpy(row, g, h, dim);
        }
        break;
    }
    }
    w->loss += loss;
    w->examples++;
}

void theta__sg_pair(theta__worker *w, int32_t input, int32_t target, float alpha)
{
    const int dim = w->m->cfg.dim;
    float *in = w->m->in + (size_t)input * dim;
    memset(w->grad, 0, (size_t)dim * sizeof *w->grad);
    output_layer(w, in, target, alpha);
    for (int i = 0; i < dim; i++)
        in[i] += w->grad[i];
}

void theta__cbow(theta__worker *w, const int32_t *ctx, int n, int32_t target, float alpha)
{
    const int dim = w->m->cfg.dim;
    float *h = w->hidden;
    memset(h, 0, (size_t)dim * sizeof *h);
    for (int j = 0; j < n; j++) {
        const float *row = w->m->in + (size_t)ctx[j] * dim;
        for (int i = 0; i < dim; i++)
            h[i] += row[i];
    }
    const float scale = 1.0f / (float)n;
    for (int i = 0; i < dim; i++)
        h[i] *= scale;
    memset(w->grad, 0, (size_t)dim * sizeof *w->grad);
    output_layer(w, h, target, alpha);
    for (int j = 0; j < n; j++) {
        float *row = w->m->in + (size_t)ctx[j] * dim;
        for (int i = 0; i < dim; i++)
            row[i] += w->grad[i];
    }
}
