/*
 * kernel_impl.h — the body of the training kernels, included by kernel.c
 * once per instruction set with VW (floats per hardware vector), SUFFIX and
 * the tile sizes defined, inside a `#pragma GCC target` region:
 *
 *   JB x KB  the register tile of the scores: JB input rows against KB target
 *            rows, JB * KB * (16 / VW) accumulators held in registers
 *   KU       target rows held in registers (old and new values) while the
 *            backward pass streams the input rows past them
 *
 * The arithmetic is the one kernel.h describes (fused multiply-add per
 * element, dot products in 16 logical lanes and one reduction tree), so
 * every instantiation, and kernel_ref.c, gives the same bits.
 */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define F(name) CAT(name, SUFFIX)
#define NV (16 / VW) /* hardware vectors per 16 logical lanes */
#define AI static inline __attribute__((always_inline))

/* ---- the vector primitives of this instruction set ---------------------- */

#if VW == 16
typedef __m512 F(vf);
AI F(vf) F(ld)(const float *p) { return _mm512_loadu_ps(p); }
AI void F(st)(float *p, F(vf) v) { _mm512_storeu_ps(p, v); }
AI F(vf) F(set1)(float a) { return _mm512_set1_ps(a); }
AI F(vf) F(zero)(void) { return _mm512_setzero_ps(); }
AI F(vf) F(fma)(F(vf) a, F(vf) b, F(vf) c) { return _mm512_fmadd_ps(a, b, c); }
/* the first r (0..VW) floats at p, the others 0 */
AI F(vf) F(ldm)(const float *p, int r)
{
    return _mm512_maskz_loadu_ps((__mmask16)((1u << r) - 1), p);
}
AI void F(stm)(float *p, F(vf) v, int r)
{
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << r) - 1), v);
}
/* the first 8 lanes + the last 8 */
AI __m256 F(fold8)(const F(vf) *v)
{
    return _mm256_add_ps(_mm512_castps512_ps256(v[0]),
                         _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v[0]), 1)));
}
#elif VW == 8
typedef __m256 F(vf);
AI F(vf) F(ld)(const float *p) { return _mm256_loadu_ps(p); }
AI void F(st)(float *p, F(vf) v) { _mm256_storeu_ps(p, v); }
AI F(vf) F(set1)(float a) { return _mm256_set1_ps(a); }
AI F(vf) F(zero)(void) { return _mm256_setzero_ps(); }
AI F(vf) F(fma)(F(vf) a, F(vf) b, F(vf) c) { return _mm256_fmadd_ps(a, b, c); }
AI __m256i F(mask)(int r)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
AI F(vf) F(ldm)(const float *p, int r) { return _mm256_maskload_ps(p, F(mask)(r)); }
AI void F(stm)(float *p, F(vf) v, int r) { _mm256_maskstore_ps(p, F(mask)(r), v); }
AI __m256 F(fold8)(const F(vf) *v) { return _mm256_add_ps(v[0], v[1]); }
#else
typedef float F(vf) __attribute__((vector_size(16)));
AI F(vf) F(ld)(const float *p)
{
    F(vf) v;
    memcpy(&v, p, sizeof v);
    return v;
}
AI void F(st)(float *p, F(vf) v) { memcpy(p, &v, sizeof v); }
AI F(vf) F(set1)(float a) { return (F(vf)){a, a, a, a}; }
AI F(vf) F(zero)(void) { return (F(vf)){0}; }
AI F(vf) F(fma_libm)(F(vf) a, F(vf) b, F(vf) c)
{
    return (F(vf)){fmaf(a[0], b[0], c[0]), fmaf(a[1], b[1], c[1]), fmaf(a[2], b[2], c[2]),
                   fmaf(a[3], b[3], c[3])};
}
#if defined(THETA__X86) && defined(__SSE2__) && !defined(FP_FAST_FMAF)
/* No FMA instruction, and libm's fmaf is a function call (slow in software),
 * so fmaf is built from double arithmetic. a * b is exact in double (48
 * bits), so d = a * b + c is rounded once, and rounding d to float gives
 * fmaf's result unless d lies on a midpoint between two floats (the exact
 * sum may be on either side of it) or below float's normal range (where the
 * midpoints lie elsewhere): such lanes, rare, take libm's fmaf. SSE2 has no
 * 64-bit compares, so the tests are on d's 32-bit halves: the low one holds
 * the bit below float's last and the 28 under it, the high one the exponent.
 * tests/unit/check_kernel.c checks both cases against fmaf. */
AI __m128i F(fma_bad)(__m128d d)
{
    const __m128i u = _mm_castpd_si128(d), lo = _mm_set_epi32(0, -1, 0, -1);
    const __m128i h = _mm_and_si128(u, _mm_set1_epi32(0x7fffffff));
    __m128i mid = _mm_cmpeq_epi32(_mm_and_si128(u, _mm_set1_epi32(0x1fffffff)),
                                  _mm_set1_epi32(0x10000000));
    __m128i tiny = _mm_and_si128(_mm_cmpgt_epi32(h, _mm_setzero_si128()),
                                 _mm_cmpgt_epi32(_mm_set1_epi32((1023 - 126) << 20), h));
    return _mm_or_si128(_mm_and_si128(mid, lo), _mm_andnot_si128(lo, tiny));
}
AI F(vf) F(fma)(F(vf) a, F(vf) b, F(vf) c)
{
    const __m128 av = (__m128)a, bv = (__m128)b, cv = (__m128)c;
    __m128d d0 = _mm_add_pd(_mm_mul_pd(_mm_cvtps_pd(av), _mm_cvtps_pd(bv)), _mm_cvtps_pd(cv));
    __m128d d1 = _mm_add_pd(_mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(av, av)),
                                       _mm_cvtps_pd(_mm_movehl_ps(bv, bv))),
                            _mm_cvtps_pd(_mm_movehl_ps(cv, cv)));
    if (_mm_movemask_epi8(_mm_or_si128(F(fma_bad)(d0), F(fma_bad)(d1))) != 0)
        return F(fma_libm)(a, b, c);
    return (F(vf))_mm_movelh_ps(_mm_cvtpd_ps(d0), _mm_cvtpd_ps(d1));
}
#else
/* a hardware fmaf, or no SSE2 to build one from */
AI F(vf) F(fma)(F(vf) a, F(vf) b, F(vf) c) { return F(fma_libm)(a, b, c); }
#endif
AI F(vf) F(ldm)(const float *p, int r)
{
    F(vf) v = {0};
    for (int i = 0; i < r; i++)
        v[i] = p[i];
    return v;
}
AI void F(stm)(float *p, F(vf) v, int r)
{
    for (int i = 0; i < r; i++)
        p[i] = v[i];
}
#endif

/* The lanes of one dot product's accumulators (16 logical lanes), reduced
 * in theta__dot_tree's order. */
AI float F(reduce)(const F(vf) *v)
{
#if VW == 4
    F(vf) u = (v[0] + v[2]) + (v[1] + v[3]);
    return (u[0] + u[2]) + (u[1] + u[3]);
#else
    __m256 t = F(fold8)(v);
    __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
    __m128 h = _mm_add_ps(u, _mm_movehl_ps(u, u));
    return _mm_cvtss_f32(_mm_add_ss(h, _mm_shuffle_ps(h, h, 1)));
#endif
}

/* Vector h of the 16 logical lanes of step i of a row of n floats (zeros
 * past n). */
AI F(vf) F(ld16_part)(const float *p, int i, int h, int n)
{
    int r = n - i - h * VW;
    return r >= VW ? F(ld)(p + i + h * VW) : F(ldm)(p + i + h * VW, r > 0 ? r : 0);
}

AI float F(dot_i)(const float *a, const float *b, int n)
{
    F(vf) s[NV];
    for (int h = 0; h < NV; h++)
        s[h] = F(zero)();
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int h = 0; h < NV; h++)
            s[h] = F(fma)(F(ld)(a + i + h * VW), F(ld)(b + i + h * VW), s[h]);
    if (i < n)
        for (int h = 0; h < NV; h++)
            s[h] = F(fma)(F(ld16_part)(a, i, h, n), F(ld16_part)(b, i, h, n), s[h]);
    return F(reduce)(s);
}

/* y += a * x */
AI void F(axpy_i)(float *restrict y, float a, const float *restrict x, int n)
{
    const F(vf) av = F(set1)(a);
    int i = 0;
    for (; i + VW <= n; i += VW)
        F(st)(y + i, F(fma)(av, F(ld)(x + i), F(ld)(y + i)));
    if (i < n)
        F(stm)(y + i, F(fma)(av, F(ldm)(x + i, n - i), F(ldm)(y + i, n - i)), n - i);
}

/* y += x */
AI void F(add_i)(float *restrict y, const float *restrict x, int n)
{
    int i = 0;
    for (; i + VW <= n; i += VW)
        F(st)(y + i, F(ld)(y + i) + F(ld)(x + i));
    if (i < n)
        F(stm)(y + i, F(ldm)(y + i, n - i) + F(ldm)(x + i, n - i), n - i);
}

static float F(dot)(const float *a, const float *b, int n)
{
    return F(dot_i)(a, b, n);
}

static void F(axpy)(float *y, float a, const float *x, int n)
{
    F(axpy_i)(y, a, x, n);
}

/* ---- pair kernel: word2vec's order --------------------------------------- */

/* Starts fetching rows ids[0..nt) of matrix mat into the cache. */
AI void F(prefetch_rows)(const float *mat, int dim, const int32_t *ids, int nt)
{
    for (int k = 0; k < nt; k++) {
        const char *row = (const char *)(mat + (size_t)ids[k] * dim);
        for (size_t b = 0; b < (size_t)dim * sizeof(float); b += 64)
            __builtin_prefetch(row + b, 1);
    }
}

/* The output side of one example: h (an input row or the CBOW mean)
 * predicts word. Adds dL/dh * alpha to grad and updates the output rows,
 * one target after the other. */
AI void F(output)(theta__worker *w, const float *h, float *grad, int32_t word, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim;
    float *out = m->out;
    double loss = 0;
    if (m->cfg.loss == THETA_LOSS_SOFTMAX) {
        /* normalised over every word but </s> (row 0 is never a target) */
        const int nt = m->vocab->size - 1;
        float *s = w->scores;
        for (int k = 0; k < nt; k++)
            s[k] = F(dot_i)(h, out + (size_t)(k + 1) * dim, dim);
        if (theta__loss_softmax(s, nt, word - 1, alpha, &loss) != 0)
            goto diverged;
        for (int k = 0; k < nt; k++) {
            float *row = out + (size_t)(k + 1) * dim;
            F(axpy_i)(grad, s[k], row, dim);
            F(axpy_i)(row, s[k], h, dim);
        }
        w->products += nt;
    } else {
        int nt = theta__targets(w, word, w->targets, w->labels);
        for (int k = 0; k < nt; k++) {
            float *row = out + (size_t)w->targets[k] * dim;
            float g = F(dot_i)(h, row, dim);
            if (theta__loss_sigmoid(w->t, &g, &w->labels[k], NULL, 1, alpha, &loss) != 0)
                goto diverged;
            F(axpy_i)(grad, g, row, dim);
            F(axpy_i)(row, g, h, dim);
        }
        w->products += nt;
    }
    w->loss += loss;
    w->examples++;
    return;
diverged:
    w->diverged = 1;
    w->diverged_word = word;
}

static void F(sentence_pair)(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim;
    float *in = m->in;
    for (int pos = 0; pos < len && !w->diverged; pos++) {
        int32_t word = sen[pos];
        int lo, hi;
        theta__window(w, pos, len, &lo, &hi);
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

/* ---- batch kernel: the window as a register-blocked GEMM ----------------- */

/* Starts fetching the input rows of sen[from..from+count) (clipped to the
 * sentence): the rows that first enter a window at the next centre words.
 * The other rows of a window were in the previous windows, so in cache. */
AI void F(prefetch_entering)(const theta_model *m, const int32_t *sen, int len, int from,
                             int count)
{
    int to = from + count < len ? from + count : len;
    if (from < to)
        F(prefetch_rows)(m->in, m->cfg.dim, sen + from, to - from);
}

/* Row k of the window's targets: tg[k], or word k + 1 for softmax (tg NULL). */
AI float *F(trow)(float *out, const int32_t *tg, int k, int dim)
{
    return out + (size_t)(tg ? tg[k] : k + 1) * dim;
}

/* One step (16 logical lanes from element i) of a score tile; full: no
 * element past dim. */
AI void F(score_step)(F(vf) acc[JB][KB][NV], const float *const *a, float *const *b, int i,
                      int dim, const int jb, const int kb, const int full)
{
    F(vf) x[JB][NV], y[NV];
    for (int j = 0; j < jb; j++)
        for (int h = 0; h < NV; h++)
            x[j][h] = full ? F(ld)(a[j] + i + h * VW) : F(ld16_part)(a[j], i, h, dim);
    for (int k = 0; k < kb; k++) {
        for (int h = 0; h < NV; h++)
            y[h] = full ? F(ld)(b[k] + i + h * VW) : F(ld16_part)(b[k], i, h, dim);
        for (int j = 0; j < jb; j++)
            for (int h = 0; h < NV; h++)
                acc[j][k][h] = F(fma)(x[j][h], y[h], acc[j][k][h]);
    }
}

#if VW == 16
/* score_step with the 16 lanes of every row loaded under mask m (zeros in
 * the lanes it leaves out, as ld16_part) */
AI void F(score_step_mask)(F(vf) acc[JB][KB][NV], const float *const *a, float *const *b, int i,
                           __mmask16 m, const int jb, const int kb)
{
    F(vf) x[JB];
    for (int j = 0; j < jb; j++)
        x[j] = _mm512_maskz_loadu_ps(m, a[j] + i);
    for (int k = 0; k < kb; k++) {
        F(vf) y = _mm512_maskz_loadu_ps(m, b[k] + i);
        for (int j = 0; j < jb; j++)
            acc[j][k][0] = F(fma)(x[j], y, acc[j][k][0]);
    }
}
#endif

/* S[j][k] = dot(a[j], b[k]) for j < jb, k < kb (compile-time constants once
 * inlined): jb * kb dot products share each load of a row's 16 lanes. */
AI void F(score_tile)(const float *const *a, float *const *b, int dim, float *S, int ld,
                      const int jb, const int kb)
{
    F(vf) acc[JB][KB][NV];
    for (int j = 0; j < jb; j++)
        for (int k = 0; k < kb; k++)
            for (int h = 0; h < NV; h++)
                acc[j][k][h] = F(zero)();
#if VW == 16
    /* one loop, the last step's loads masked: a separate tail step made gcc
     * keep the accumulators on the stack across the two loops */
    for (int i = 0; i < dim; i += 16) {
        const __mmask16 m = dim - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (dim - i)) - 1);
        F(score_step_mask)(acc, a, b, i, m, jb, kb);
    }
#else
    int i = 0;
    for (; i + 16 <= dim; i += 16)
        F(score_step)(acc, a, b, i, dim, jb, kb, 1);
    if (i < dim)
        F(score_step)(acc, a, b, i, dim, jb, kb, 0);
#endif
    for (int j = 0; j < jb; j++)
        for (int k = 0; k < kb; k++)
            S[(size_t)j * ld + k] = F(reduce)(acc[j][k]);
}

/* Row jb of tiles (jb input rows) against all nt targets. */
AI void F(score_rows)(const float *const *a, float *const *b, int nt, int dim, float *S, int ld,
                      const int jb)
{
    int k = 0;
    for (; k + KB <= nt; k += KB)
        F(score_tile)(a, b + k, dim, S + k, ld, jb, KB);
    switch (nt - k) {
#define TAIL(r)                                                                                  \
    case r:                                                                                      \
        F(score_tile)(a, b + k, dim, S + k, ld, jb, r);                                          \
        break;
        TAIL(1)
#if KB > 2
        TAIL(2)
#endif
#if KB > 3
        TAIL(3)
#endif
#if KB > 4
        TAIL(4)
#endif
#if KB > 5
        TAIL(5)
#endif
#if KB > 6
        TAIL(6)
#endif
#if KB > 7
        TAIL(7)
#endif
#undef TAIL
    default:
        break;
    }
}

/* S (n, ld) = scores of the n input rows a against the nt target rows b. */
static void F(scores)(const float *const *a, int n, float *const *b, int nt, int dim, float *S,
                      int ld)
{
    int j = 0;
#if JB > 1
    for (; j + JB <= n; j += JB)
        F(score_rows)(a + j, b, nt, dim, S + (size_t)j * ld, ld, JB);
#endif
    for (; j < n; j++)
        F(score_rows)(a + j, b, nt, dim, S + (size_t)j * ld, ld, 1);
}

/* For kb (constant) target rows b: grad[j] += G[j][k] b[k] from the old rows,
 * and b[k] += Σ_j G[j][k] a[j], in order of j, every element alike. The kb
 * rows stay in registers while the n input rows stream past them. */
AI void F(backward_step)(const float *const *a, int n, float *const *b, const float *G, int ld,
                         float *grad, int gs, int first, int i, int r, const int kb)
{
    F(vf) o[KU], u[KU];
    for (int k = 0; k < kb; k++)
        u[k] = o[k] = r == VW ? F(ld)(b[k] + i) : F(ldm)(b[k] + i, r);
    for (int j = 0; j < n; j++) {
        F(vf) x = r == VW ? F(ld)(a[j] + i) : F(ldm)(a[j] + i, r);
        float *gp = grad + (size_t)j * gs + i;
        F(vf) g = first ? F(zero)() : F(ld)(gp);
        const float *gj = G + (size_t)j * ld;
        for (int k = 0; k < kb; k++) {
            F(vf) c = F(set1)(gj[k]);
            g = F(fma)(c, o[k], g);
            u[k] = F(fma)(c, x, u[k]);
        }
        F(st)(gp, g);
    }
    for (int k = 0; k < kb; k++) {
        if (r == VW)
            F(st)(b[k] + i, u[k]);
        else
            F(stm)(b[k] + i, u[k], r);
    }
}

AI void F(backward_tile)(const float *const *a, int n, float *const *b, const float *G, int ld,
                         int dim, float *grad, int gs, int first, const int kb)
{
    int i = 0;
    for (; i + VW <= dim; i += VW)
        F(backward_step)(a, n, b, G, ld, grad, gs, first, i, VW, kb);
    if (i < dim)
        F(backward_step)(a, n, b, G, ld, grad, gs, first, i, dim - i, kb);
}

/* The whole backward pass of a window: grad (n, gs) = G · Out (old rows),
 * Out += Gᵀ · In, target block by target block (order of k kept). */
static void F(backward)(const float *const *a, int n, float *const *b, int nt, const float *G,
                        int ld, int dim, float *grad, int gs)
{
    int k = 0;
    for (; k + KU <= nt; k += KU)
        F(backward_tile)(a, n, b + k, G + k, ld, dim, grad, gs, k == 0, KU);
    switch (nt - k) {
#define TAIL(r)                                                                                  \
    case r:                                                                                      \
        F(backward_tile)(a, n, b + k, G + k, ld, dim, grad, gs, k == 0, r);                      \
        break;
        TAIL(1)
        TAIL(2)
        TAIL(3)
        TAIL(4)
        TAIL(5)
#if KU > 6
        TAIL(6)
#endif
#if KU > 7
        TAIL(7)
#endif
#undef TAIL
    default:
        break;
    }
}

/* The constants of loss_rows (below): the table's range and step. */
typedef struct {
    F(vf) zero, one, max, min, res, half, step;
} F(loss_consts);

AI F(loss_consts) F(loss_consts_make)(void)
{
    return (F(loss_consts)){F(zero)(), F(set1)(1.0f), F(set1)(THETA_SIGMOID_MAX),
                            F(set1)(-THETA_SIGMOID_MAX), F(set1)(THETA_SIGMOID_RES),
                            F(set1)(0.5f), F(set1)(1.0f / THETA_SIGMOID_RES)};
}

#if VW == 16
/* lanes 8-15 of v as doubles */
AI __m512d F(upper_pd)(__m512 v)
{
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

/* theta__loss_sigmoid_rows (loss.h) 16 targets at a time: the same
 * arithmetic lane by lane, the table cells read by gathers, the loss in the
 * same 16 lanes (two vectors of doubles) and the same tree. */
static int F(loss_rows)(const theta__tables *t, float *G, int n, int nt, const float *labels,
                        const float *W, int wld, float alpha, double *loss)
{
    const F(loss_consts) c = F(loss_consts_make)();
    const __m512 zero = c.zero, one = c.one, max = c.max, min = c.min, a = F(set1)(alpha);
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    for (size_t e = 0; e < (size_t)n * nt; e += 16) {
        const size_t r = (size_t)n * nt - e;
        const __mmask16 m = r >= 16 ? 0xffff : (__mmask16)((1u << r) - 1);
        const __m512 x = _mm512_maskz_loadu_ps(m, G + e);
        if (_mm512_mask_cmp_ps_mask(m, _mm512_sub_ps(x, x), zero, _CMP_NEQ_UQ))
            return -1; /* x - x is 0 unless x is infinite or NaN */
    }
    __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
    for (int j = 0; j < n; j++)
        for (int k = 0; k < nt; k += 16) {
            const __mmask16 m = nt - k >= 16 ? 0xffff : (__mmask16)((1u << (nt - k)) - 1);
            float *s = G + (size_t)j * nt + k;
            const __m512 x = _mm512_maskz_loadu_ps(m, s);
            const __m512 lab = _mm512_maskz_loadu_ps(m, labels + k);
            const __m512 wk = W ? _mm512_maskz_loadu_ps(m, W + (size_t)j * wld + k)
                                : _mm512_maskz_mov_ps(m, one);
            const __mmask16 live = _mm512_mask_cmp_ps_mask(m, wk, zero, _CMP_NEQ_OQ);
            const __mmask16 pos = _mm512_cmp_ps_mask(lab, zero, _CMP_GT_OQ);
            const __mmask16 above = _mm512_cmp_ps_mask(x, max, _CMP_GE_OQ);
            const __mmask16 below = _mm512_cmp_ps_mask(x, min, _CMP_LE_OQ);
            const __mmask16 in = live & ~above & ~below;
            const __m512i i = _mm512_cvttps_epi32(
                _mm512_add_ps(_mm512_mul_ps(_mm512_add_ps(x, max), c.res), c.half));
            __m512 sig = _mm512_mask_i32gather_ps(zero, in, i, &t->cell[0].sigmoid, 8);
            __m512 nls = _mm512_mask_i32gather_ps(zero, in, i, &t->cell[0].neg_log, 8);
            const __m512 xi = _mm512_sub_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(i), c.step), max);
            sig = _mm512_mask_mov_ps(sig, above, one);
            nls = _mm512_mask_add_ps(nls, in & ~pos, nls, xi);
            nls = _mm512_mask_mov_ps(nls, above & ~pos, x);
            const __m512 negx = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), sign));
            nls = _mm512_mask_mov_ps(nls, below & pos, negx);
            const __m512 g = _mm512_mul_ps(_mm512_mul_ps(_mm512_sub_ps(lab, sig), a), wk);
            _mm512_mask_storeu_ps(s, m, _mm512_maskz_mov_ps(live, g));
            const __m512d tlo = _mm512_mul_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(wk)),
                                              _mm512_cvtps_pd(_mm512_castps512_ps256(nls)));
            const __m512d thi = _mm512_mul_pd(F(upper_pd)(wk), F(upper_pd)(nls));
            lo = _mm512_mask_add_pd(lo, (__mmask8)live, lo, tlo);
            hi = _mm512_mask_add_pd(hi, (__mmask8)(live >> 8), hi, thi);
        }
    /* the tree: l + l+8, then + l+4, + l+2, + l+1 */
    const __m512d l8 = _mm512_add_pd(lo, hi);
    const __m256d l4 = _mm256_add_pd(_mm512_castpd512_pd256(l8), _mm512_extractf64x4_pd(l8, 1));
    const __m128d l2 = _mm_add_pd(_mm256_castpd256_pd128(l4), _mm256_extractf128_pd(l4, 1));
    *loss += _mm_cvtsd_f64(_mm_add_sd(l2, _mm_unpackhi_pd(l2, l2)));
    return 0;
}
#elif VW == 8
/* theta__loss_sigmoid_rows (loss.h) 8 targets at a time, as the AVX-512
 * loss_rows: targets k and k + 8 of the loss's 16 lanes in two pairs of
 * vectors of doubles, and the same tree. */
static int F(loss_rows)(const theta__tables *t, float *G, int n, int nt, const float *labels,
                        const float *W, int wld, float alpha, double *loss)
{
    const F(loss_consts) c = F(loss_consts_make)();
    const __m256 zero = c.zero, one = c.one, max = c.max, min = c.min, a = F(set1)(alpha);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const float *sig0 = &t->cell[0].sigmoid, *nls0 = &t->cell[0].neg_log;
    for (size_t e = 0; e < (size_t)n * nt; e += 8) {
        const __m256i m = F(mask)((size_t)n * nt - e >= 8 ? 8 : (int)((size_t)n * nt - e));
        const __m256 x = _mm256_maskload_ps(G + e, m);
        const __m256 bad = _mm256_cmp_ps(_mm256_sub_ps(x, x), zero, _CMP_NEQ_UQ);
        if (_mm256_movemask_ps(_mm256_and_ps(_mm256_castsi256_ps(m), bad)))
            return -1; /* x - x is 0 unless x is infinite or NaN */
    }
    __m256d acc[2][2] = {{_mm256_setzero_pd(), _mm256_setzero_pd()},
                         {_mm256_setzero_pd(), _mm256_setzero_pd()}};
    for (int j = 0; j < n; j++)
        for (int k = 0; k < nt; k += 8) {
            const __m256i m = F(mask)(nt - k >= 8 ? 8 : nt - k);
            const __m256 mf = _mm256_castsi256_ps(m);
            float *s = G + (size_t)j * nt + k;
            const __m256 x = _mm256_maskload_ps(s, m), lab = _mm256_maskload_ps(labels + k, m);
            const __m256 wk = W ? _mm256_maskload_ps(W + (size_t)j * wld + k, m)
                                : _mm256_and_ps(one, mf);
            const __m256 live = _mm256_cmp_ps(wk, zero, _CMP_NEQ_OQ);
            const __m256 pos = _mm256_cmp_ps(lab, zero, _CMP_GT_OQ);
            const __m256 above = _mm256_cmp_ps(x, max, _CMP_GE_OQ);
            const __m256 below = _mm256_cmp_ps(x, min, _CMP_LE_OQ);
            const __m256 in = _mm256_andnot_ps(_mm256_or_ps(above, below), live);
            const __m256i i = _mm256_cvttps_epi32(
                _mm256_add_ps(_mm256_mul_ps(_mm256_add_ps(x, max), c.res), c.half));
            __m256 sig = _mm256_mask_i32gather_ps(zero, sig0, i, in, 8);
            __m256 nls = _mm256_mask_i32gather_ps(zero, nls0, i, in, 8);
            const __m256 xi = _mm256_sub_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(i), c.step), max);
            sig = _mm256_blendv_ps(sig, one, above);
            nls = _mm256_blendv_ps(nls, _mm256_add_ps(nls, xi), _mm256_andnot_ps(pos, in));
            nls = _mm256_blendv_ps(nls, x, _mm256_andnot_ps(pos, above));
            nls = _mm256_blendv_ps(nls, _mm256_xor_ps(x, sign), _mm256_and_ps(below, pos));
            const __m256 g = _mm256_mul_ps(_mm256_mul_ps(_mm256_sub_ps(lab, sig), a), wk);
            _mm256_maskstore_ps(s, m, _mm256_and_ps(g, live));
            /* the dead lanes add +0, which leaves a sum of terms >= +0 as it is */
            const __m256 tw = _mm256_and_ps(wk, live), tn = _mm256_and_ps(nls, live);
            __m256d *l = acc[(k / 8) & 1];
            const __m128 w0 = _mm256_castps256_ps128(tw), w1 = _mm256_extractf128_ps(tw, 1);
            const __m128 n0 = _mm256_castps256_ps128(tn), n1 = _mm256_extractf128_ps(tn, 1);
            l[0] = _mm256_add_pd(l[0], _mm256_mul_pd(_mm256_cvtps_pd(w0), _mm256_cvtps_pd(n0)));
            l[1] = _mm256_add_pd(l[1], _mm256_mul_pd(_mm256_cvtps_pd(w1), _mm256_cvtps_pd(n1)));
        }
    /* the tree: l + l+8, then + l+4, + l+2, + l+1 */
    const __m256d l4 = _mm256_add_pd(_mm256_add_pd(acc[0][0], acc[1][0]),
                                     _mm256_add_pd(acc[0][1], acc[1][1]));
    const __m128d l2 = _mm_add_pd(_mm256_castpd256_pd128(l4), _mm256_extractf128_pd(l4, 1));
    *loss += _mm_cvtsd_f64(_mm_add_sd(l2, _mm_unpackhi_pd(l2, l2)));
    return 0;
}
#else
#define loss_rows_sse2 theta__loss_sigmoid_rows
#endif

/* Skip-gram with negative sampling, batched: each group of share_negatives
 * consecutive centre words shares one draw of negatives, and the distinct
 * context positions of its windows are the input rows of one GEMM against
 * the group's targets, each product weighted (kernel.h, theta__group_rows).
 * The next group's targets are drawn, and their rows prefetched, before
 * this group's windows. */
static void F(sentence_shared)(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    const int dim = m->cfg.dim, gs = theta__grad_stride(dim), half = w->targets_half;
    const int share = m->cfg.share_negatives > 1 ? m->cfg.share_negatives : 1;
    float *out = m->out;
    int next_nt = 0, next_np = 0;
    if (len > 0) {
        next_nt = theta__group_targets(w, sen, share < len ? share : len, w->targets, w->labels,
                                       w->weights, &next_np);
        F(prefetch_rows)(out, dim, w->targets, next_nt);
    }
    float **trows = w->trows;
    float *rows[2 * THETA_MAX_WINDOW + THETA_MAX_SHARE];
    for (int p0 = 0, grp = 0; p0 < len && !w->diverged; p0 += share, grp++) {
        const int cur = grp & 1, g = len - p0 < share ? len - p0 : share;
        const int32_t *tg = w->targets + cur * half;
        const float *labels = w->labels + cur * half, *weights = w->weights + cur * half;
        const int nt = next_nt, npos = next_np;
        if (p0 + share < len) {
            const int o = (1 - cur) * half, g2 = len - p0 - share < share ? len - p0 - share : share;
            next_nt = theta__group_targets(w, sen + p0 + share, g2, w->targets + o, w->labels + o,
                                           w->weights + o, &next_np);
            F(prefetch_rows)(out, dim, w->targets + o, next_nt);
            F(prefetch_entering)(m, sen, len, p0 + share + m->cfg.window, g2);
        }
        int pairs;
        float *W = w->pweights;
        int n = theta__group_rows(w, sen, len, p0, g, tg, weights, npos, nt, rows, W, &pairs);
        if (n == 0)
            continue;
        for (int k = 0; k < nt; k++)
            trows[k] = out + (size_t)tg[k] * dim;
        float *G = w->scores; /* (n, nt): scores, then gradients in place */
        F(scores)((const float *const *)rows, n, trows, nt, dim, G, nt);
        double loss = 0;
        if (F(loss_rows)(w->t, G, n, nt, labels, W, nt, alpha, &loss)) {
            w->diverged = 1;
            w->diverged_word = sen[p0];
            return;
        }
        F(backward)((const float *const *)rows, n, trows, nt, G, nt, dim, w->grad, gs);
        for (int j = 0; j < n; j++)
            F(add_i)(rows[j], w->grad + (size_t)j * gs, dim);
        w->loss += loss;
        w->examples += pairs;
        w->products += (int64_t)n * nt;
    }
}

/* Skip-gram, batched: for each centre word, the n context rows of its window
 * against the nt distinct target rows it shares (see kernel.h); negative
 * sampling in groups of centre words (sentence_shared). */
static void F(sentence_batch)(theta__worker *w, const int32_t *sen, int len, float alpha)
{
    const theta_model *m = w->m;
    if (m->cfg.arch != THETA_ARCH_SKIPGRAM) {
        F(sentence_pair)(w, sen, len, alpha);
        return;
    }
    if (m->cfg.loss == THETA_LOSS_NS) {
        F(sentence_shared)(w, sen, len, alpha);
        return;
    }
    const int dim = m->cfg.dim, gs = theta__grad_stride(dim);
    float *in = m->in, *out = m->out;
    const int softmax = m->cfg.loss == THETA_LOSS_SOFTMAX;
    /* the targets of position pos+1 are drawn, and their rows prefetched,
     * before position pos is trained: two halves of w->targets / labels / weights */
    const int half = w->targets_half;
    int next_nt = 0;
    if (!softmax && len > 0) {
        next_nt = theta__targets(w, sen[0], w->targets, w->labels);
        next_nt = theta__targets_merge(w->targets, w->labels, w->weights, next_nt);
        F(prefetch_rows)(out, dim, w->targets, next_nt);
    }
    float **trows = w->trows;
    for (int pos = 0; pos < len && !w->diverged; pos++) {
        int32_t word = sen[pos];
        int cur = pos & 1;
        const int32_t *tg = softmax ? NULL : w->targets + cur * half;
        const float *labels = w->labels + cur * half, *weights = w->weights + cur * half;
        int nt = softmax ? m->vocab->size - 1 : next_nt;
        if (!softmax && pos + 1 < len) {
            int32_t *t2 = w->targets + (1 - cur) * half;
            float *l2 = w->labels + (1 - cur) * half, *w2 = w->weights + (1 - cur) * half;
            next_nt = theta__targets(w, sen[pos + 1], t2, l2);
            next_nt = theta__targets_merge(t2, l2, w2, next_nt);
            F(prefetch_rows)(out, dim, t2, next_nt);
        }
        F(prefetch_entering)(m, sen, len, pos + 1 + m->cfg.window, 1);
        int lo, hi;
        theta__window(w, pos, len, &lo, &hi);
        int n = 0;
        const float *rows[2 * THETA_MAX_WINDOW];
        for (int c = lo; c <= hi; c++)
            if (c != pos)
                rows[n++] = in + (size_t)sen[c] * dim;
        if (n == 0)
            continue;
        for (int k = 0; k < nt; k++)
            trows[k] = F(trow)(out, tg, k, dim);
        float *G = w->scores; /* (n, nt): scores, then gradients in place */
        F(scores)(rows, n, trows, nt, dim, G, nt);
        double loss = 0;
        int bad = 0;
        if (softmax) {
            for (int j = 0; j < n && !bad; j++)
                bad = theta__loss_softmax(G + (size_t)j * nt, nt, word - 1, alpha, &loss);
        } else {
            bad = F(loss_rows)(w->t, G, n, nt, labels, weights, 0, alpha, &loss);
        }
        if (bad) {
            w->diverged = 1;
            w->diverged_word = word;
            return;
        }
        F(backward)(rows, n, trows, nt, G, nt, dim, w->grad, gs);
        for (int j = 0; j < n; j++)
            F(add_i)((float *)rows[j], w->grad + (size_t)j * gs, dim);
        w->loss += loss;
        w->examples += n;
        w->products += (int64_t)n * nt;
    }
}

#undef AI
#undef NV
#undef F
#undef CAT
#undef CAT2
