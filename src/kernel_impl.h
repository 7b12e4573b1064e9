/*
 * kernel_impl.h — the body of the training kernels, included by kernel.c
 * once per instruction set with VW (floats per hardware vector) and
 * SUFFIX defined, inside a `#pragma GCC target` region.
 *
 * Dot products accumulate into 32 logical lanes (two groups of 16), held in
 * 32 / VW hardware vectors, and reduce them in one fixed order, so the
 * result does not depend on VW. Element-wise updates are a multiply then an
 * add per element in both the vector body and the scalar tail.
 */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define F(name) CAT(name, SUFFIX)
#define NV (16 / VW) /* hardware vectors per 16 logical lanes */

typedef float F(vf) __attribute__((vector_size(VW * 4)));

static inline __attribute__((always_inline)) F(vf) F(ld)(const float *p)
{
    F(vf) v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void F(st)(float *p, F(vf) v)
{
    memcpy(p, &v, sizeof v);
}

static inline __attribute__((always_inline)) float F(dot_i)(const float *a, const float *b, int n)
{
    F(vf) s[2 * NV];
    for (int k = 0; k < 2 * NV; k++)
        s[k] = (F(vf)){0};
    int i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 2 * NV; k++)
            s[k] += F(ld)(a + i + k * VW) * F(ld)(b + i + k * VW);
    if (i + 16 <= n) {
        for (int k = 0; k < NV; k++)
            s[k] += F(ld)(a + i + k * VW) * F(ld)(b + i + k * VW);
        i += 16;
    }
    float lane[16];
    for (int k = 0; k < NV; k++) {
        F(vf) t = s[k] + s[k + NV];
        memcpy(lane + k * VW, &t, sizeof t);
    }
    float r = (((lane[0] + lane[8]) + (lane[4] + lane[12])) +
               ((lane[2] + lane[10]) + (lane[6] + lane[14]))) +
              (((lane[1] + lane[9]) + (lane[5] + lane[13])) +
               ((lane[3] + lane[11]) + (lane[7] + lane[15])));
    for (; i < n; i++)
        r += a[i] * b[i];
    return r;
}

/* y += a * x */
static inline __attribute__((always_inline)) void F(axpy_i)(float *restrict y, float a,
                                                            const float *restrict x, int n)
{
    const F(vf) av = a - (F(vf)){0};
    int i = 0;
    for (; i + VW <= n; i += VW)
        F(st)(y + i, F(ld)(y + i) + av * F(ld)(x + i));
    for (; i < n; i++)
        y[i] += a * x[i];
}

/* y += x */
static inline __attribute__((always_inline)) void F(add_i)(float *restrict y,
                                                           const float *restrict x, int n)
{
    int i = 0;
    for (; i + VW <= n; i += VW)
        F(st)(y + i, F(ld)(y + i) + F(ld)(x + i));
    for (; i < n; i++)
        y[i] += x[i];
}

static float F(dot)(const float *a, const float *b, int n)
{
    return F(dot_i)(a, b, n);
}

static void F(axpy)(float *y, float a, const float *x, int n)
{
    F(axpy_i)(y, a, x, n);
}

/* Fills w->targets/labels with the output rows a centre word is scored
 * against: (word, 1) then K negatives (0) for ns; the tree path for hs.
 * Returns the count. */
static inline __attribute__((always_inline)) int F(targets_into)(theta__worker *w, int32_t word,
                                                                  int32_t *targets, float *labels)
{
    const theta_model *m = w->m;
    int nt = 0;
    if (m->cfg.loss == THETA_LOSS_NS) {
        targets[nt] = word;
        labels[nt++] = 1.0f;
        for (int k = 0; k < m->cfg.negative; k++) {
            int32_t c = theta_sampler_draw(&m->sampler, theta_rng_next(&w->rng));
            if (c == word)
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

static inline __attribute__((always_inline)) int F(targets)(theta__worker *w, int32_t word)
{
    return F(targets_into)(w, word, w->targets, w->labels);
}

/* Starts fetching nt output rows into the cache. */
static inline __attribute__((always_inline)) void F(prefetch_rows)(const float *out, int dim,
                                                                   const int32_t *targets, int nt)
{
    for (int k = 0; k < nt; k++) {
        const char *row = (const char *)(out + (size_t)targets[k] * dim);
        for (size_t b = 0; b < (size_t)dim * sizeof(float); b += 64)
            __builtin_prefetch(row + b, 1);
    }
}

/* The output side of one example: h (an input row or the CBOW mean)
 * predicts word. Adds alpha * dL/dh to grad and updates the output rows. */
static inline __attribute__((always_inline)) void F(output)(theta__worker *w, const float *h,
                                                            float *grad, int32_t word, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim;
    const theta__tables *t = w->t;
    float *out = m->out;
    double loss = 0;
    if (m->cfg.loss == THETA_LOSS_SOFTMAX) {
        /* normalised over every word but </s> (row 0 is never a target) */
        const int32_t V = m->vocab->size;
        float *s = w->scores;
        float mx = -INFINITY;
        for (int32_t c = 1; c < V; c++) {
            s[c] = F(dot_i)(h, out + (size_t)c * dim, dim);
            if (!isfinite(s[c]))
                goto diverged;
            if (s[c] > mx)
                mx = s[c];
        }
        double z = 0;
        for (int32_t c = 1; c < V; c++) {
            s[c] = expf(s[c] - mx);
            z += s[c];
        }
        loss = -log((double)s[word] / z);
        for (int32_t c = 1; c < V; c++) {
            float g = ((c == word ? 1.0f : 0.0f) - (float)(s[c] / z)) * alpha;
            float *row = out + (size_t)c * dim;
            F(axpy_i)(grad, g, row, dim);
            F(axpy_i)(row, g, h, dim);
        }
    } else {
        int nt = F(targets)(w, word);
        for (int k = 0; k < nt; k++) {
            float *row = out + (size_t)w->targets[k] * dim;
            float f = F(dot_i)(h, row, dim);
            if (!isfinite(f))
                goto diverged;
            float label = w->labels[k];
            float g = (label - theta__sigmoid(t, f)) * alpha;
            loss += theta__neg_log_sigmoid(t, label > 0 ? f : -f);
            F(axpy_i)(grad, g, row, dim);
            F(axpy_i)(row, g, h, dim);
        }
    }
    w->loss += loss;
    w->examples++;
    return;
diverged:
    w->diverged = 1;
    w->diverged_word = word;
}

/* Effective window of position pos: [lo, hi], uniform in 1..window as word2vec. */
static inline __attribute__((always_inline)) void F(window)(theta__worker *w, int pos, int len,
                                                            int *lo, int *hi)
{
    const int window = w->m->cfg.window;
    int b = (int)(((theta_rng_next(&w->rng) >> 32) * (uint64_t)window) >> 32);
    *lo = pos - window + b < 0 ? 0 : pos - window + b;
    *hi = pos + window - b >= len ? len - 1 : pos + window - b;
}

static void F(sentence_pair)(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim;
    float *in = m->in;
    for (int pos = 0; pos < len && !w->diverged; pos++) {
        int32_t word = sen[pos];
        int lo, hi;
        F(window)(w, pos, len, &lo, &hi);
        if (m->cfg.arch == THETA_ARCH_SKIPGRAM) {
            /* word2vec: each context row predicts the centre word */
            for (int c = lo; c <= hi && !w->diverged; c++) {
                if (c == pos)
                    continue;
                float *row = in + (size_t)sen[c] * dim;
                memset(w->grad, 0, (size_t)dim * sizeof *w->grad);
                F(output)(w, row, w->grad, word, alpha);
                F(add_i)(row, w->grad, dim);
            }
        } else {
            int n = hi - lo;
            if (n == 0)
                continue;
            float *h = w->hidden;
            memset(h, 0, (size_t)dim * sizeof *h);
            for (int c = lo; c <= hi; c++)
                if (c != pos)
                    F(add_i)(h, in + (size_t)sen[c] * dim, dim);
            const float scale = 1.0f / (float)n;
            for (int i = 0; i < dim; i++)
                h[i] *= scale;
            memset(w->grad, 0, (size_t)dim * sizeof *w->grad);
            F(output)(w, h, w->grad, word, alpha);
            for (int c = lo; c <= hi; c++)
                if (c != pos)
                    F(add_i)(in + (size_t)sen[c] * dim, w->grad, dim);
        }
    }
}

/* Skip-gram, batched: the n context rows of a window against the nt shared
 * target rows. F = In · Outᵀ (n × nt), G = (label − σ(F)) α,
 * grad_in = G · Out, Out += Gᵀ · In, In += grad_in. */
static void F(sentence_batch)(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    if (m->cfg.arch != THETA_ARCH_SKIPGRAM) {
        F(sentence_pair)(w, sen, len, alpha);
        return;
    }
    const int dim = m->cfg.dim;
    const theta__tables *t = w->t;
    float *in = m->in, *out = m->out;
    const int softmax = m->cfg.loss == THETA_LOSS_SOFTMAX;
    const int32_t V = m->vocab->size;
    /* the targets of position pos+1 are drawn, and their rows prefetched,
     * before position pos is trained: two halves of w->targets / w->labels */
    const int half = w->targets_half;
    int next_nt = 0;
    if (!softmax && len > 0) {
        next_nt = F(targets_into)(w, sen[0], w->targets, w->labels);
        F(prefetch_rows)(out, dim, w->targets, next_nt);
    }
    for (int pos = 0; pos < len && !w->diverged; pos++) {
        int32_t word = sen[pos];
        int cur = pos & 1;
        int32_t *cur_t = w->targets + cur * half;
        float *cur_l = w->labels + cur * half;
        int cur_nt = next_nt;
        if (!softmax && pos + 1 < len) {
            int32_t *nt_t = w->targets + (1 - cur) * half;
            next_nt = F(targets_into)(w, sen[pos + 1], nt_t, w->labels + (1 - cur) * half);
            F(prefetch_rows)(out, dim, nt_t, next_nt);
        }
        int lo, hi;
        F(window)(w, pos, len, &lo, &hi);
        int n = 0;
        const float *rows[2 * THETA_MAX_WINDOW];
        for (int c = lo; c <= hi; c++)
            if (c != pos)
                rows[n++] = in + (size_t)sen[c] * dim;
        if (n == 0)
            continue;
        double loss = 0;
        int nt;
        const int32_t *tg;
        const float *labels = cur_l;
        if (softmax) {
            nt = V - 1; /* targets 1..V-1 */
            tg = NULL;
        } else {
            nt = cur_nt;
            tg = cur_t;
        }
        float *G = w->scores; /* (n, nt) */
        /* forward: scores, then gradients in place */
        for (int j = 0; j < n; j++) {
            float *g = G + (size_t)j * nt;
            for (int k = 0; k < nt; k++) {
                int32_t r = softmax ? k + 1 : tg[k];
                g[k] = F(dot_i)(rows[j], out + (size_t)r * dim, dim);
                if (!isfinite(g[k])) {
                    w->diverged = 1;
                    w->diverged_word = word;
                    return;
                }
            }
            if (softmax) {
                float mx = -INFINITY;
                for (int k = 0; k < nt; k++)
                    mx = g[k] > mx ? g[k] : mx;
                double z = 0;
                for (int k = 0; k < nt; k++) {
                    g[k] = expf(g[k] - mx);
                    z += g[k];
                }
                loss += -log((double)g[word - 1] / z);
                for (int k = 0; k < nt; k++)
                    g[k] = ((k + 1 == word ? 1.0f : 0.0f) - (float)(g[k] / z)) * alpha;
            } else {
                for (int k = 0; k < nt; k++) {
                    float label = labels[k];
                    loss += theta__neg_log_sigmoid(t, label > 0 ? g[k] : -g[k]);
                    g[k] = (label - theta__sigmoid(t, g[k])) * alpha;
                }
            }
        }
        /* backward: input gradients from the old output rows */
        for (int j = 0; j < n; j++) {
            float *gi = w->grad + (size_t)j * dim;
            const float *g = G + (size_t)j * nt;
            memset(gi, 0, (size_t)dim * sizeof *gi);
            for (int k = 0; k < nt; k++)
                F(axpy_i)(gi, g[k], out + (size_t)(softmax ? k + 1 : tg[k]) * dim, dim);
        }
        /* output rows, then input rows */
        for (int k = 0; k < nt; k++) {
            float *o = out + (size_t)(softmax ? k + 1 : tg[k]) * dim;
            for (int j = 0; j < n; j++)
                F(axpy_i)(o, G[(size_t)j * nt + k], rows[j], dim);
        }
        for (int j = 0; j < n; j++)
            F(add_i)((float *)rows[j], w->grad + (size_t)j * dim, dim);
        w->loss += loss;
        w->examples += n;
    }
}

#undef NV
#undef F
#undef CAT
#undef CAT2
