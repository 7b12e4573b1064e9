/*
 * dims.c — how many dimensions of a trained matrix really differ: classes
 * of identical columns, zero and duplicate rows, numerical rank and the top
 * singular values. Used by `theta dims` and by the trainer's epoch log, so it
 * works on an in-memory matrix, never copies it, and keeps its scratch memory
 * small (16 bytes per row, a few k x k doubles for k distinct columns).
 *
 * Method, for a row-major (rows, dim) float matrix M:
 *  1. One pass over M: a 64-bit hash per column and per row (values as bits,
 *     -0 folded into +0), the columns holding a NaN, zero rows, rows holding
 *     a NaN or an infinity, the largest finite |value|.
 *  2. Exact column classes: columns with equal hashes are candidates; one
 *     more pass confirms each against the first column of its class (after
 *     a hash collision the class is split and the rest checked again). A
 *     column holding a NaN is a class of its own. With a tolerance, exact
 *     classes are then merged greedily in column order: a class joins the
 *     first earlier class whose first column is within tol * max|value| of
 *     its own everywhere (the relation is not transitive, so the first
 *     column is the class's reference). Each such scan stops as soon as no
 *     candidate is left, so columns that differ early cost little.
 *  3. Duplicate rows: rows sorted by hash, equal hashes confirmed by value.
 *  4. Rank: the Gram matrix of the k distinct columns over the finite,
 *     nonzero rows, G = X'X (double: products of floats are exact, sums go
 *     through 64-row blocks), weighted by the class sizes n: the nonzero
 *     eigenvalues of W^1/2 G W^1/2 (W = diag(n)) are those of M'M, so equal
 *     columns add no work and no rounding noise. Householder reflections
 *     make it tridiagonal; eigenvalues come from Sturm-sequence bisection.
 *     sigma_i = sqrt(lambda_i); rank counts sigma_i > 1e-6 sigma_1.
 *  5. The continuous measures (sigma_2 / sigma_1, the effective rank) from
 *     every eigenvalue of the same tridiagonal matrix, by bisection to
 *     eps x lambda_1; eigenvalues below k eps lambda_1 are rounding and count
 *     as 0.
 *
 * The Gram matrix is summed over a fixed number of row ranges chosen from
 * the matrix size alone, so the result is the same with any thread count,
 * and the SSE2 and AVX2 kernels add in the same order (bit-identical).
 */
#include "dims.h"
#include "isa.h"
#include "pool.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HASH_MUL 0x9e3779b97f4a7c15ULL
#define BLOCK_ROWS 64   /* rows per Gram block */
#define MAX_PARTS 4     /* row ranges (and threads) of the Gram sum */

/* Bits of a float with -0 folded into +0, so that +0 and -0 compare equal. */
static inline uint32_t value_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return (u & 0x7fffffffu) ? u : 0;
}

static inline int bits_nonfinite(uint32_t u)
{
    return (u & 0x7f800000u) == 0x7f800000u;
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t hash_row(const float *row, int dim)
{
    /* four independent chains so the multiplies overlap */
    uint64_t h0 = 0x243f6a8885a308d3ULL, h1 = 0x13198a2e03707344ULL,
             h2 = 0xa4093822299f31d0ULL, h3 = 0x082efa98ec4e6c89ULL;
    int j = 0;
    for (; j + 4 <= dim; j += 4) {
        h0 = (h0 ^ value_bits(row[j])) * HASH_MUL;
        h1 = (h1 ^ value_bits(row[j + 1])) * HASH_MUL;
        h2 = (h2 ^ value_bits(row[j + 2])) * HASH_MUL;
        h3 = (h3 ^ value_bits(row[j + 3])) * HASH_MUL;
    }
    for (; j < dim; j++)
        h0 = (h0 ^ value_bits(row[j])) * HASH_MUL;
    uint64_t z = h0 ^ rotl64(h1, 17) ^ rotl64(h2, 31) ^ rotl64(h3, 47);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- pass 1 ------------------------------------------------------------- */

typedef struct {
    uint64_t *col_hash;     /* [dim] */
    unsigned char *col_nan; /* [dim] */
    uint64_t *row_key;      /* [2 * rows]: (hash, row) pairs, or NULL */
    int64_t zero_rows;
    int64_t nonfinite_rows;
    uint32_t max_bits;      /* bits of the largest finite |value| */
} scan_result;

static void scan(const float *m, int64_t rows, int dim, scan_result *s)
{
    for (int j = 0; j < dim; j++) {
        s->col_hash[j] = 0x452821e638d01377ULL;
        s->col_nan[j] = 0;
    }
    uint32_t mx = 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *row = m + (size_t)r * (size_t)dim;
        uint32_t any = 0, nonfinite = 0;
        for (int j = 0; j < dim; j++) {
            uint32_t u = value_bits(row[j]);
            uint32_t a = u & 0x7fffffffu;
            any |= a;
            if (a >= 0x7f800000u) {
                nonfinite = 1;
                if (a > 0x7f800000u)
                    s->col_nan[j] = 1;
            } else if (a > mx) {
                mx = a; /* positive floats order like their bits */
            }
            s->col_hash[j] = (s->col_hash[j] ^ u) * HASH_MUL;
        }
        s->zero_rows += !any;
        s->nonfinite_rows += nonfinite;
        if (s->row_key) {
            s->row_key[2 * r] = hash_row(row, dim);
            s->row_key[2 * r + 1] = (uint64_t)r;
        }
    }
    s->max_bits = mx;
}

/* ---- column classes ----------------------------------------------------- */

typedef struct {
    uint64_t hash;
    int nan;
    int col;
} col_key;

static int cmp_col_key(const void *pa, const void *pb)
{
    const col_key *a = pa, *b = pb;
    if (a->nan != b->nan)
        return a->nan < b->nan ? -1 : 1;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return (a->col > b->col) - (a->col < b->col);
}

/* Checks every unverified column j against cls[j] in one pass; sets bad[j]
 * for those that differ somewhere. Stops once none is left to check. */
static void verify_pass(const float *m, int64_t rows, int dim, const int *cls, int *alive, int n,
                        unsigned char *bad)
{
    for (int64_t r = 0; r < rows && n > 0; r++) {
        const float *row = m + (size_t)r * (size_t)dim;
        for (int i = 0; i < n; i++) {
            int j = alive[i];
            if (row[j] != row[cls[j]]) {
                bad[j] = 1;
                alive[i--] = alive[--n];
            }
        }
    }
}

/* Exact classes: cls[j] = lowest column of j's class. */
static theta_status exact_classes(const float *m, int64_t rows, int dim, const scan_result *s,
                                  int *cls)
{
    col_key *keys = theta__alloc((size_t)dim, sizeof *keys);
    int *alive = theta__alloc((size_t)dim, sizeof *alive);
    unsigned char *verified = theta__calloc((size_t)dim, 1);
    unsigned char *bad = theta__calloc((size_t)dim, 1);
    if (!keys || !alive || !verified || !bad) {
        free(keys);
        free(alive);
        free(verified);
        free(bad);
        return THETA_ENOMEM;
    }
    for (int j = 0; j < dim; j++)
        keys[j] = (col_key){s->col_hash[j], s->col_nan[j], j};
    qsort(keys, (size_t)dim, sizeof *keys, cmp_col_key);
    /* first guess: one class per hash; NaN columns alone */
    for (int i = 0; i < dim; i++) {
        int j = keys[i].col;
        int same = i > 0 && !keys[i].nan && !keys[i - 1].nan && keys[i].hash == keys[i - 1].hash;
        cls[j] = same ? cls[keys[i - 1].col] : j;
        verified[j] = cls[j] == j;
    }
    for (;;) {
        int n = 0;
        for (int j = 0; j < dim; j++)
            if (!verified[j])
                alive[n++] = j;
        if (n == 0)
            break;
        memset(bad, 0, (size_t)dim);
        verify_pass(m, rows, dim, cls, alive, n, bad);
        /* within each hash run, the lowest column that failed starts a new
         * class and the others that failed are checked against it next */
        int run_rep = -1;
        for (int i = 0; i < dim; i++) {
            int j = keys[i].col;
            if (i == 0 || keys[i].nan || keys[i].hash != keys[i - 1].hash || keys[i - 1].nan)
                run_rep = -1;
            if (verified[j])
                continue;
            if (!bad[j]) {
                verified[j] = 1;
            } else if (run_rep < 0) {
                run_rep = j;
                cls[j] = j;
                verified[j] = 1;
            } else {
                cls[j] = run_rep;
            }
        }
    }
    free(keys);
    free(alive);
    free(verified);
    free(bad);
    return THETA_OK;
}

/* Merges exact classes whose first columns are within thr everywhere, in
 * column order (see the file comment). */
static theta_status merge_within(const float *m, int64_t rows, int dim, double thr,
                                 const unsigned char *col_nan, int *cls)
{
    int *lead = theta__alloc((size_t)dim, sizeof *lead);
    int *cand = theta__alloc((size_t)dim, sizeof *cand);
    if (!lead || !cand) {
        free(lead);
        free(cand);
        return THETA_ENOMEM;
    }
    for (int j = 0; j < dim; j++)
        lead[j] = -1;
    for (int r0 = 0; r0 < dim; r0++) {
        if (cls[r0] != r0 || lead[r0] >= 0)
            continue;
        lead[r0] = r0;
        if (col_nan[r0])
            continue;
        int n = 0;
        for (int c = r0 + 1; c < dim; c++)
            if (cls[c] == c && lead[c] < 0 && !col_nan[c])
                cand[n++] = c;
        for (int64_t r = 0; r < rows && n > 0; r++) {
            const float *row = m + (size_t)r * (size_t)dim;
            float a = row[r0];
            for (int i = 0; i < n; i++) {
                float b = row[cand[i]];
                if (!(a == b || fabs((double)a - (double)b) <= thr))
                    cand[i--] = cand[--n];
            }
        }
        for (int i = 0; i < n; i++)
            lead[cand[i]] = r0;
    }
    for (int j = 0; j < dim; j++)
        cls[j] = lead[cls[j]];
    free(lead);
    free(cand);
    return THETA_OK;
}

static double threshold_of(double tol, uint32_t max_bits)
{
    float mx;
    memcpy(&mx, &max_bits, sizeof mx);
    return tol * (double)mx;
}

static theta_status check_args(const float *m, int64_t rows, int dim, double tol)
{
    if (rows < 0 || dim < 1 || (rows > 0 && !m))
        return theta__fail(THETA_EINVAL, "dims: bad matrix (%lld rows, %d dims)", (long long)rows,
                           dim);
    if (!(tol >= 0) || !isfinite(tol))
        return theta__fail(THETA_EINVAL, "dims: tolerance must be finite and >= 0, not %g", tol);
    if ((uint64_t)rows > SIZE_MAX / sizeof(float) / (size_t)dim)
        return theta__fail(THETA_EINVAL, "dims: %lld x %d matrix is too large", (long long)rows,
                           dim);
    return THETA_OK;
}

static theta_status classes_from_scan(const float *m, int64_t rows, int dim, double tol,
                                      const scan_result *s, int *cls)
{
    theta_status st = exact_classes(m, rows, dim, s, cls);
    double thr = threshold_of(tol, s->max_bits);
    if (!st && thr > 0)
        st = merge_within(m, rows, dim, thr, s->col_nan, cls);
    return st;
}

theta_status theta_dims_classes(const float *m, int64_t rows, int dim, double tol, int *class_of)
{
    theta_status st = check_args(m, rows, dim, tol);
    if (st)
        return st;
    scan_result s = {0};
    s.col_hash = theta__alloc((size_t)dim, sizeof *s.col_hash);
    s.col_nan = theta__alloc((size_t)dim, 1);
    int *cls = theta__alloc((size_t)dim, sizeof *cls);
    if (!s.col_hash || !s.col_nan || !cls) {
        st = THETA_ENOMEM;
    } else {
        scan(m, rows, dim, &s);
        st = classes_from_scan(m, rows, dim, tol, &s, cls);
        if (!st)
            memcpy(class_of, cls, (size_t)dim * sizeof *cls);
    }
    free(s.col_hash);
    free(s.col_nan);
    free(cls);
    return st;
}

/* ---- duplicate rows ----------------------------------------------------- */

static int cmp_row_key(const void *pa, const void *pb)
{
    const uint64_t *a = pa, *b = pb;
    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    return (a[1] > b[1]) - (a[1] < b[1]);
}

static int rows_equal(const float *a, const float *b, int dim)
{
    for (int j = 0; j < dim; j++)
        if (value_bits(a[j]) != value_bits(b[j]))
            return 0;
    return 1;
}

/* Rows equal to an earlier row; key is (hash, row) pairs, sorted here. */
static theta_status count_duplicates(const float *m, int64_t rows, int dim, uint64_t *key,
                                     int64_t *out)
{
    qsort(key, (size_t)rows, 2 * sizeof *key, cmp_row_key);
    int64_t dup = 0;
    int64_t *reps = NULL;
    size_t nreps_cap = 0;
    for (int64_t i = 0; i < rows;) {
        int64_t end = i + 1;
        while (end < rows && key[2 * end] == key[2 * i])
            end++;
        if (end - i > 1) {
            /* distinct vectors of this hash (almost always one) */
            size_t nreps = 0;
            for (int64_t t = i; t < end; t++) {
                const float *row = m + (size_t)key[2 * t + 1] * (size_t)dim;
                size_t q = 0;
                while (q < nreps && !rows_equal(m + (size_t)reps[q] * (size_t)dim, row, dim))
                    q++;
                if (q < nreps) {
                    dup++;
                    continue;
                }
                if (nreps == nreps_cap) {
                    size_t ncap = nreps_cap ? nreps_cap * 2 : 16;
                    int64_t *nr = realloc(reps, ncap * sizeof *nr);
                    if (!nr) {
                        free(reps);
                        return theta__fail(THETA_ENOMEM, "dims: out of memory");
                    }
                    reps = nr;
                    nreps_cap = ncap;
                }
                reps[nreps++] = (int64_t)key[2 * t + 1];
            }
        }
        i = end;
    }
    free(reps);
    *out = dup;
    return THETA_OK;
}

/* ---- Gram matrix -------------------------------------------------------- */

/* gram_block_sse2 and, on x86-64, gram_block_avx2: one body (dims_impl.h)
 * compiled per instruction set (isa.h), identical results. */
#ifdef THETA__X86
#pragma GCC push_options
#pragma GCC target("avx2")
#define VW 4
#define SUFFIX _avx2
#include "dims_impl.h"
#undef VW
#undef SUFFIX
#pragma GCC pop_options
#endif

#define VW 2
#define SUFFIX _sse2
#include "dims_impl.h"
#undef VW
#undef SUFFIX

typedef void (*gram_block_fn)(const double *X, int nb, int kp, double *G);

/* The Gram block for isa ("sse2", "avx2"), NULL if not built or the CPU lacks it. */
static gram_block_fn gram_block_for(const char *isa)
{
    if (!theta__isa_supported(isa))
        return NULL;
#ifdef THETA__X86
    if (strcmp(isa, "avx2") == 0)
        return gram_block_avx2;
#endif
    return strcmp(isa, "sse2") == 0 ? gram_block_sse2 : NULL;
}

/* The widest Gram block this CPU runs. */
static gram_block_fn gram_block_best(void)
{
#ifdef THETA__X86
    if (theta__isa_best() >= THETA__AVX2)
        return gram_block_avx2;
#endif
    return gram_block_sse2;
}

int theta__dims_gram_block(const char *isa, const double *X, int nb, int kp, double *G)
{
    gram_block_fn block = gram_block_for(isa);
    if (!block)
        return -1;
    block(X, nb, kp, G);
    return 0;
}

typedef struct {
    const float *m;
    int64_t rows;
    int dim;
    const int *cols; /* [k] the distinct columns */
    int k, kp;       /* kp: k rounded up to a multiple of 8 */
    int nparts;
    double *G;       /* [nparts][kp * kp] partial sums */
    double *X;       /* [nparts][BLOCK_ROWS * kp] blocks, zero padded */
    int64_t used[MAX_PARTS]; /* finite nonzero rows of each part */
    gram_block_fn block;
} gram_job;

/* Task p of theta__pool_run: the Gram sum of row range p into its own G. */
static void gram_part(void *arg, int p)
{
    gram_job *g = arg;
    int64_t r0 = g->rows * p / g->nparts, r1 = g->rows * (p + 1) / g->nparts;
    int kp = g->kp, k = g->k;
    double *X = g->X + (size_t)p * BLOCK_ROWS * (size_t)kp;
    double *G = g->G + (size_t)p * (size_t)kp * (size_t)kp;
    int nb = 0;
    int64_t used = 0;
    for (int64_t r = r0; r < r1; r++) {
        const float *row = g->m + (size_t)r * (size_t)g->dim;
        double *x = X + (size_t)nb * (size_t)kp;
        uint32_t any = 0, bad = 0;
        for (int c = 0; c < k; c++) {
            float v = row[g->cols[c]];
            uint32_t u = value_bits(v);
            any |= u;
            bad |= bits_nonfinite(u);
            x[c] = v;
        }
        if (!any || bad)
            continue; /* zero rows add nothing; non-finite rows are left out */
        used++;
        if (++nb == BLOCK_ROWS) {
            g->block(X, nb, kp, G);
            nb = 0;
        }
    }
    if (nb > 0)
        g->block(X, nb, kp, G);
    g->used[p] = used;
}

/* ---- eigenvalues -------------------------------------------------------- */

/* The Householder vector of column c below the diagonal (rows c+1 .. n-1 of
 * the lower triangle of a) into v (global row indices): the reflection
 * I - beta v v' maps that column to (alpha, 0, ..., 0). Sets *e = alpha and
 * returns beta (0: the column is already zero). */
static double reflector(const double *a, int n, size_t ld, int c, double *v, double *e)
{
    double scale = 0;
    for (int r = c + 1; r < n; r++)
        scale = fmax(scale, fabs(a[(size_t)r * ld + (size_t)c]));
    if (scale == 0) {
        for (int r = c + 1; r < n; r++)
            v[r] = 0;
        *e = 0;
        return 0;
    }
    double s2 = 0;
    for (int r = c + 1; r < n; r++) {
        v[r] = a[(size_t)r * ld + (size_t)c] / scale;
        s2 += v[r] * v[r];
    }
    double alpha = v[c + 1] > 0 ? -sqrt(s2) : sqrt(s2);
    *e = alpha * scale;
    v[c + 1] -= alpha;
    double vtv = 0;
    for (int r = c + 1; r < n; r++)
        vtv += v[r] * v[r];
    return 2.0 / vtv;
}

/* Reduces the symmetric n x n matrix a (row stride ld; only the lower
 * triangle is read and written) to a tridiagonal matrix with the same
 * eigenvalues: diagonal d[n], off-diagonal e[n - 1]. Destroys a; work: 5n
 * doubles. Step k applies H = I - beta v v' to the trailing block B (rows
 * and columns k+1 ..): B <- B - v q' - q v' with p = beta B v and
 * q = p - (beta p'v / 2) v. The update of step k and the product B v of
 * step k + 1 share one pass over the lower triangle (the memory traffic is
 * what costs for large n). */
static void tridiagonalize(double *a, int n, size_t ld, double *d, double *e, double *work)
{
    double *v = work, *q = work + n, *p = work + 2 * (size_t)n;
    double *vn = work + 3 * (size_t)n, *pn = work + 4 * (size_t)n;
#define A(i, j) a[(size_t)(i) * ld + (size_t)(j)]
    memset(work, 0, 5 * (size_t)n * sizeof *work);
    /* the first reflection and its p = beta B v (lower triangle of rows 1..) */
    double beta = 0;
    if (n > 2) {
        beta = reflector(a, n, ld, 0, v, &e[0]);
        for (int r = 1; r < n; r++)
            p[r] = 0;
        for (int r = 1; beta != 0 && r < n; r++) {
            double s = 0;
            for (int c = 1; c < r; c++) {
                s += A(r, c) * v[c];
                p[c] += A(r, c) * v[r];
            }
            p[r] += s + A(r, r) * v[r];
        }
        for (int r = 1; r < n; r++)
            p[r] *= beta;
    }
    for (int k = 0; k + 2 < n; k++) {
        d[k] = A(k, k);
        int b0 = k + 1; /* first row of this step's block */
        if (beta != 0) {
            double pv = 0;
            for (int r = b0; r < n; r++)
                pv += p[r] * v[r];
            double half = 0.5 * beta * pv;
            for (int r = b0; r < n; r++)
                q[r] = p[r] - half * v[r];
            /* column b0 first: the next reflection is built from it */
            for (int r = b0; r < n; r++)
                A(r, b0) -= v[r] * q[b0] + q[r] * v[b0];
        }
        double beta_next = 0;
        if (k + 3 < n)
            beta_next = reflector(a, n, ld, b0, vn, &e[b0]);
        for (int r = b0 + 1; r < n; r++)
            pn[r] = 0;
        if (beta != 0 || beta_next != 0) {
            for (int r = b0 + 1; r < n; r++) {
                double *row = a + (size_t)r * ld;
                double vr = beta != 0 ? v[r] : 0, qr = beta != 0 ? q[r] : 0, wr = vn[r];
                double s0 = 0, s1 = 0;
                int c = b0 + 1;
                if (beta != 0 && beta_next != 0) {
                    for (; c + 1 < r; c += 2) {
                        double x0 = row[c] - (vr * q[c] + qr * v[c]);
                        double x1 = row[c + 1] - (vr * q[c + 1] + qr * v[c + 1]);
                        row[c] = x0;
                        row[c + 1] = x1;
                        s0 += x0 * vn[c];
                        s1 += x1 * vn[c + 1];
                        pn[c] += x0 * wr;
                        pn[c + 1] += x1 * wr;
                    }
                }
                for (; c <= r; c++) {
                    double x = row[c];
                    if (beta != 0) {
                        x -= vr * q[c] + qr * v[c];
                        row[c] = x;
                    }
                    if (beta_next != 0) {
                        if (c < r) {
                            s0 += x * vn[c];
                            pn[c] += x * wr;
                        } else {
                            s0 += x * wr;
                        }
                    }
                }
                pn[r] += s0 + s1;
            }
        }
        for (int r = b0 + 1; r < n; r++) {
            p[r] = beta_next * pn[r];
            v[r] = vn[r];
        }
        beta = beta_next;
    }
    if (n >= 2) {
        d[n - 2] = A(n - 2, n - 2);
        e[n - 2] = A(n - 1, n - 2);
    }
    d[n - 1] = A(n - 1, n - 1);
#undef A
}

/* Number of eigenvalues below x of the tridiagonal (d, e2 = e^2), from the
 * signs of the pivots of T - xI (Sturm sequence). */
static int count_below(const double *d, const double *e2, int n, double x, double pivmin)
{
    int count = 0;
    double q = 1;
    for (int i = 0; i < n; i++) {
        q = d[i] - x - (i ? e2[i - 1] / q : 0.0);
        if (fabs(q) < pivmin)
            q = -pivmin;
        count += q < 0;
    }
    return count;
}

/* The eigenvalue of index j (ascending) by bisection in [lo, hi]. */
static double eigenvalue(const double *d, const double *e2, int n, int j, double lo, double hi,
                         double pivmin)
{
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (count_below(d, e2, n, mid, pivmin) > j)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

/* sigma_ratio and effective_rank from the tridiagonal (d, e2) of the Gram
 * matrix scaled by 1/maxd, its largest eigenvalue top and the nz eigenvalues
 * that can be nonzero. Every eigenvalue by bisection to the rounding level
 * of the reduction (about eps x top); those below k eps top count as 0. */
static theta_status spread(const double *d, const double *e2, int k, int nz, double top,
                           double lo, double hi, double pivmin, theta_dims_report *rep)
{
    double *sigma = theta__alloc((size_t)nz, sizeof *sigma);
    if (!sigma)
        return THETA_ENOMEM;
    double noise = (double)k * DBL_EPSILON * top, width = DBL_EPSILON * top, sum = 0;
    for (int t = 0; t < nz; t++) {
        double a = lo, b = hi;
        while (b - a > width) {
            double mid = 0.5 * (a + b);
            if (mid <= a || mid >= b)
                break;
            if (count_below(d, e2, k, mid, pivmin) > k - 1 - t)
                b = mid;
            else
                a = mid;
        }
        double lambda = 0.5 * (a + b);
        sigma[t] = lambda > noise ? sqrt(lambda) : 0; /* descending: sigma_1 first */
        sum += sigma[t];
        hi = b; /* the next eigenvalue is not larger */
    }
    double h = 0;
    for (int t = 0; t < nz; t++)
        if (sigma[t] > 0) {
            double p = sigma[t] / sum;
            h -= p * log(p);
        }
    rep->sigma_ratio = nz > 1 ? sigma[1] / sigma[0] : 0;
    rep->effective_rank = exp(h);
    free(sigma);
    return THETA_OK;
}

/* Rank, singular values and first share from the weighted Gram matrix h
 * (k x k, stride ld, symmetric, destroyed). */
static theta_status spectrum(double *h, int k, size_t ld, int64_t used, theta_dims_report *rep)
{
    double trace = 0, maxd = 0;
    for (int i = 0; i < k; i++) {
        trace += h[(size_t)i * ld + (size_t)i];
        maxd = fmax(maxd, h[(size_t)i * ld + (size_t)i]);
    }
    if (!(trace > 0))
        return THETA_OK; /* zero matrix: rank 0, all singular values 0 */
    double *buf = theta__alloc(8 * (size_t)k, sizeof *buf);
    if (!buf)
        return THETA_ENOMEM;
    double *d = buf, *e = buf + k, *e2 = buf + 2 * (size_t)k, *work = buf + 3 * (size_t)k;
    /* scale to a largest diagonal of 1: no overflow or underflow in the steps */
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            h[(size_t)i * ld + (size_t)j] /= maxd;
    tridiagonalize(h, k, ld, d, e, work);
    double lo = d[0], hi = d[0], emax = 0;
    for (int i = 0; i < k; i++) {
        double r = (i > 0 ? fabs(e[i - 1]) : 0) + (i + 1 < k ? fabs(e[i]) : 0);
        lo = fmin(lo, d[i] - r);
        hi = fmax(hi, d[i] + r);
        if (i + 1 < k) {
            e2[i] = e[i] * e[i];
            emax = fmax(emax, e2[i]);
        }
    }
    double pivmin = DBL_MIN * fmax(1.0, emax);
    double pad = DBL_EPSILON * fmax(fabs(lo), fabs(hi)) + pivmin;
    lo -= pad;
    hi += pad;
    double top = eigenvalue(d, e2, k, k - 1, lo, hi, pivmin);
    int64_t rank = 0;
    if (top > 0) {
        double cut = THETA_DIMS_RANK_REL * THETA_DIMS_RANK_REL * top;
        rank = k - count_below(d, e2, k, cut, pivmin);
        if (rank > used)
            rank = used; /* cannot exceed the rows that went in; the rest is rounding */
    }
    rep->rank = (int)rank;
    rep->first_share = fmax(top, 0) / (trace / maxd);
    /* past the number of rows that went in, singular values are zero by
     * construction: report 0, not the rounding noise */
    for (int t = 0; t < rep->n_singular && t < k && t < used; t++) {
        double lambda = t == 0 ? top : eigenvalue(d, e2, k, k - 1 - t, lo, hi, pivmin);
        rep->singular[t] = sqrt(fmax(lambda, 0) * maxd);
    }
    theta_status st = THETA_OK;
    if (top > 0)
        st = spread(d, e2, k, k < used ? k : (int)used, top, lo, hi, pivmin, rep);
    free(buf);
    return st;
}

/* Rank part of the report for the exact classes cls. */
static theta_status rank_of(const float *m, int64_t rows, int dim, const int *cls,
                            theta_dims_report *rep)
{
    int k = 0;
    for (int j = 0; j < dim; j++)
        k += cls[j] == j;
    if (k > THETA_DIMS_MAX_RANK_DIM) {
        rep->rank = -1;
        rep->first_share = NAN;
        rep->sigma_ratio = rep->effective_rank = NAN;
        for (int t = 0; t < rep->n_singular; t++)
            rep->singular[t] = NAN;
        return THETA_OK;
    }
    int kp = (k + 7) / 8 * 8;
    double work = (double)rows * (double)k * (double)k;
    /* the partition depends on the sizes only (results independent of the
     * thread count); at most 64 MB of partial Gram matrices */
    int nparts = work >= (double)(1 << 24) ? MAX_PARTS : 1;
    while (nparts > 1 && (double)nparts * kp * kp * sizeof(double) > 64e6)
        nparts--;
    gram_job job = {.m = m, .rows = rows, .dim = dim, .k = k, .kp = kp, .nparts = nparts};
    job.block = gram_block_best();
    int *cols = theta__alloc((size_t)k, sizeof *cols);
    double *weight = theta__alloc((size_t)k, sizeof *weight);
    int *index = theta__alloc((size_t)dim, sizeof *index);
    job.G = theta__calloc((size_t)nparts * (size_t)kp * (size_t)kp, sizeof *job.G);
    job.X = theta__calloc((size_t)nparts * BLOCK_ROWS * (size_t)kp, sizeof *job.X);
    theta_status st = THETA_OK;
    if (!cols || !weight || !index || !job.G || !job.X) {
        st = THETA_ENOMEM;
        goto done;
    }
    k = 0;
    for (int j = 0; j < dim; j++)
        if (cls[j] == j) {
            index[j] = k;
            weight[k] = 0;
            cols[k++] = j;
        }
    for (int j = 0; j < dim; j++)
        weight[index[cls[j]]] += 1;
    job.cols = cols;
    if (rows > 0)
        theta__pool_run(nparts, theta__cpu_count(), gram_part, &job);
    int64_t used = 0;
    for (int p = 0; p < nparts; p++)
        used += job.used[p];
    /* sum the parts in order; mirror the upper triangle; weight by sqrt(n_a n_b) */
    double *G = job.G;
    size_t kk = (size_t)kp * (size_t)kp;
    for (int p = 1; p < nparts; p++)
        for (size_t i = 0; i < kk; i++)
            G[i] += G[(size_t)p * kk + i];
    for (int a = 0; a < k; a++)
        for (int b = a; b < k; b++) {
            double v = G[(size_t)a * (size_t)kp + (size_t)b] * sqrt(weight[a] * weight[b]);
            G[(size_t)a * (size_t)kp + (size_t)b] = v;
            G[(size_t)b * (size_t)kp + (size_t)a] = v;
        }
    st = spectrum(G, k, (size_t)kp, used, rep);
done:
    free(cols);
    free(weight);
    free(index);
    free(job.G);
    free(job.X);
    return st;
}

/* ---- the report --------------------------------------------------------- */

theta_status theta_dims_analyze(const float *m, int64_t rows, int dim, double tol,
                                theta_dims_report *out)
{
    theta_status st = check_args(m, rows, dim, tol);
    if (st)
        return st;
    theta_dims_report rep;
    memset(&rep, 0, sizeof rep);
    rep.rows = rows;
    rep.dim = dim;
    rep.tol = tol;
    rep.n_singular = dim < THETA_DIMS_TOP ? dim : THETA_DIMS_TOP;

    scan_result s = {0};
    s.col_hash = theta__alloc((size_t)dim, sizeof *s.col_hash);
    s.col_nan = theta__alloc((size_t)dim, 1);
    s.row_key = theta__alloc(2 * (size_t)rows, sizeof *s.row_key);
    int *cls = theta__alloc((size_t)dim, sizeof *cls);
    int *size = theta__calloc((size_t)dim, sizeof *size);
    if (!s.col_hash || !s.col_nan || !s.row_key || !cls || !size) {
        st = THETA_ENOMEM;
        goto done;
    }
    scan(m, rows, dim, &s);
    float mx;
    memcpy(&mx, &s.max_bits, sizeof mx);
    rep.max_abs = mx;
    rep.threshold = threshold_of(tol, s.max_bits);
    rep.zero_rows = s.zero_rows;
    rep.nonfinite_rows = s.nonfinite_rows;
    rep.all_zero = s.zero_rows == rows;
    for (int j = 0; j < dim; j++)
        rep.nan_dims += s.col_nan[j];
    if ((st = count_duplicates(m, rows, dim, s.row_key, &rep.duplicate_rows)))
        goto done;

    /* the rank needs the exact classes; the report shows the tolerance ones */
    if ((st = exact_classes(m, rows, dim, &s, cls)))
        goto done;
    if ((st = rank_of(m, rows, dim, cls, &rep)))
        goto done;
    if (rep.threshold > 0 && (st = merge_within(m, rows, dim, rep.threshold, s.col_nan, cls)))
        goto done;
    for (int j = 0; j < dim; j++)
        size[cls[j]]++;
    for (int j = 0; j < dim; j++) {
        if (!size[j])
            continue;
        rep.distinct_dims++;
        if (size[j] > 1)
            rep.identical_dims += size[j];
        if (size[j] > rep.largest_class)
            rep.largest_class = size[j];
    }
    *out = rep;
done:
    free(s.col_hash);
    free(s.col_nan);
    free(s.row_key);
    free(cls);
    free(size);
    return st;
}
