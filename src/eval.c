/*
 * eval.c — cosine search, word analogies and word-pair similarity over a
 * matrix of named vectors, with gensim 4's definitions (see theta.h):
 * restrict_vocab = the first N rows in file order, case-insensitive look-up
 * through upper-casing to the first row of each folded form, 3CosAdd over
 * unit vectors, Spearman with average ranks for ties.
 *
 * The analogy search is a blocked matrix product: each worker takes a block
 * of questions, packs their query vectors into panels of 8 (linalg.h) and
 * sweeps the restricted matrix in tiles of rows that stay in L2, keeping the
 * top k of every question as it goes. It reads the index and writes only its
 * own questions' results.
 */
#include "internal.h"
#include "linalg.h"
#include "pool.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- case folding ------------------------------------------------------- */

/* Python's str.upper() on one code point of the ranges theta folds
 * (U+0000..U+017F, U+0345, U+0370..U+045F); other code points unchanged.
 * Returns how many code points went to out. */
static int upper_cp(uint32_t c, uint32_t out[3])
{
    uint32_t u = c;
    if (c >= 'a' && c <= 'z') {
        u = c - 32;
    } else if (c < 0x80) {
        u = c;
    } else if (c == 0xB5) {
        u = 0x39C; /* micro sign -> Greek capital mu */
    } else if (c == 0xDF) {
        out[0] = out[1] = 'S';
        return 2;
    } else if (c >= 0xE0 && c <= 0xFE && c != 0xF7) {
        u = c - 32;
    } else if (c == 0xFF) {
        u = 0x178;
    } else if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x131) {
            u = 'I';
        } else if (c == 0x149) {
            out[0] = 0x2BC;
            out[1] = 'N';
            return 2;
        } else if (c == 0x17F) {
            u = 'S';
        } else if (c == 0x130 || c == 0x138 || c == 0x178) {
            u = c;
        } else if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
            u = (c & 1) ? c : c - 1;
        } else {
            u = (c & 1) ? c - 1 : c;
        }
    } else if (c == 0x345) {
        u = 0x399;
    } else if (c >= 0x370 && c <= 0x3FF) {
        switch (c) {
        case 0x371: case 0x373: case 0x377: u = c - 1; break;
        case 0x37B: case 0x37C: case 0x37D: u = c + 0x82; break;
        case 0x390: case 0x3B0:
            out[0] = c == 0x390 ? 0x399 : 0x3A5;
            out[1] = 0x308;
            out[2] = 0x301;
            return 3;
        case 0x3AC: u = 0x386; break;
        case 0x3AD: case 0x3AE: case 0x3AF: u = c - 0x25; break;
        case 0x3C2: u = 0x3A3; break;
        case 0x3CC: u = 0x38C; break;
        case 0x3CD: case 0x3CE: u = c - 0x3F; break;
        case 0x3D0: u = 0x392; break;
        case 0x3D1: u = 0x398; break;
        case 0x3D5: u = 0x3A6; break;
        case 0x3D6: u = 0x3A0; break;
        case 0x3D7: u = 0x3CF; break;
        case 0x3F0: u = 0x39A; break;
        case 0x3F1: u = 0x3A1; break;
        case 0x3F2: u = 0x3F9; break;
        case 0x3F3: u = 0x37F; break;
        case 0x3F5: u = 0x395; break;
        case 0x3F8: u = 0x3F7; break;
        case 0x3FB: u = 0x3FA; break;
        default:
            if (c >= 0x3B1 && c <= 0x3CB)
                u = c - 0x20;
            else if (c >= 0x3D9 && c <= 0x3EF && (c & 1))
                u = c - 1;
            break;
        }
    } else if (c >= 0x430 && c <= 0x44F) {
        u = c - 0x20;
    } else if (c >= 0x450 && c <= 0x45F) {
        u = c - 0x50;
    }
    out[0] = u;
    return 1;
}

static size_t put_utf8(uint32_t c, char *p)
{
    if (c < 0x80) {
        p[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        p[0] = (char)(0xC0 | (c >> 6));
        p[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    p[0] = (char)(0xE0 | (c >> 12));
    p[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    p[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

size_t theta_eval_fold(const char *word, char *buf, size_t size)
{
    const unsigned char *s = (const unsigned char *)word;
    size_t n = 0;
    while (*s) {
        uint32_t cps[3];
        int ncp;
        size_t used;
        if (s[0] < 0x80) {
            ncp = upper_cp(s[0], cps);
            used = 1;
        } else if (s[0] >= 0xC2 && s[0] <= 0xDF && (s[1] & 0xC0) == 0x80) {
            ncp = upper_cp(((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F), cps);
            used = 2;
        } else {
            /* anything else (longer sequences, stray bytes) is copied */
            if (n + 1 >= size)
                return (size_t)-1;
            buf[n++] = (char)*s++;
            continue;
        }
        char tmp[9];
        size_t len = 0;
        for (int i = 0; i < ncp; i++)
            len += put_utf8(cps[i], tmp + len);
        if (n + len >= size)
            return (size_t)-1;
        memcpy(buf + n, tmp, len);
        n += len;
        s += used;
    }
    if (n >= size)
        return (size_t)-1;
    buf[n] = '\0';
    return n;
}

/* ---- index -------------------------------------------------------------- */

struct theta_eval_index {
    int64_t rows;
    int dim;
    float *unit;               /* (rows, dim), borrowed, normalized in place */
    const char *const *words;  /* [rows], borrowed */
    float *norms;              /* [rows] */
    int64_t *canon;            /* [rows] first row with the same folded word */
    char *folded;              /* every row's folded word, NUL-separated */
    size_t *folded_at;         /* [rows] offset into folded */
    int64_t *exact;            /* hash of rows by word; -1 = empty */
    int64_t *fold_table;       /* hash of canonical rows by folded word */
    size_t table_mask;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ^ (h >> 29);
}

static const char *folded_word(const theta_eval_index *ix, int64_t r)
{
    return ix->folded + ix->folded_at[r];
}

/* Slot holding key in table (by key_of), or the empty slot where it goes. */
static size_t probe(const theta_eval_index *ix, const int64_t *table, const char *key, int folded)
{
    size_t i = hash_str(key) & ix->table_mask;
    while (table[i] >= 0) {
        const char *w = folded ? folded_word(ix, table[i]) : ix->words[table[i]];
        if (strcmp(w, key) == 0)
            break;
        i = (i + 1) & ix->table_mask;
    }
    return i;
}

/* Folds every word into one buffer; returns nonzero on allocation failure. */
static theta_status fold_all(theta_eval_index *ix)
{
    size_t cap = 1024, used = 0;
    ix->folded = theta__alloc(cap, 1);
    ix->folded_at = theta__alloc((size_t)ix->rows, sizeof *ix->folded_at);
    if (!ix->folded || !ix->folded_at)
        return THETA_ENOMEM;
    for (int64_t r = 0; r < ix->rows; r++) {
        for (;;) {
            size_t n = theta_eval_fold(ix->words[r], ix->folded + used, cap - used);
            if (n != (size_t)-1) {
                ix->folded_at[r] = used;
                used += n + 1;
                break;
            }
            char *b = cap > SIZE_MAX / 2 ? NULL : realloc(ix->folded, cap * 2);
            if (!b)
                return theta__fail(THETA_ENOMEM, "out of memory folding the vocabulary");
            ix->folded = b;
            cap *= 2;
        }
    }
    return THETA_OK;
}

theta_status theta_eval_index_new(float *m, int64_t rows, int dim, const char *const *words,
                                  theta_eval_index **out)
{
    if (rows < 1 || dim < 1 || !m || !words)
        return theta__fail(THETA_EINVAL, "an index needs at least one row and one dimension");
    for (int64_t r = 0; r < rows; r++) {
        const float *v = m + (size_t)r * (size_t)dim;
        for (int d = 0; d < dim; d++)
            if (!isfinite(v[d]))
                return theta__fail(THETA_EDATA, "vector %lld ('%s') has a non-finite value in "
                                   "dimension %d", (long long)r, words[r], d);
    }
    theta_eval_index *ix = theta__calloc(1, sizeof *ix);
    if (!ix)
        return THETA_ENOMEM;
    ix->rows = rows;
    ix->dim = dim;
    ix->unit = m;
    ix->words = words;
    size_t tsize = 16;
    while (tsize < (size_t)rows * 2)
        tsize *= 2;
    ix->table_mask = tsize - 1;
    ix->norms = theta__alloc((size_t)rows, sizeof *ix->norms);
    ix->canon = theta__alloc((size_t)rows, sizeof *ix->canon);
    ix->exact = theta__alloc(tsize, sizeof *ix->exact);
    ix->fold_table = theta__alloc(tsize, sizeof *ix->fold_table);
    theta_status st = THETA_ENOMEM;
    if (!ix->norms || !ix->canon || !ix->exact || !ix->fold_table || (st = fold_all(ix))) {
        theta_eval_index_free(ix);
        return st;
    }
    memset(ix->exact, 0xff, tsize * sizeof *ix->exact);
    memset(ix->fold_table, 0xff, tsize * sizeof *ix->fold_table);
    for (int64_t r = 0; r < rows; r++) {
        float *v = m + (size_t)r * (size_t)dim;
        double ss = 0;
        for (int d = 0; d < dim; d++)
            ss += (double)v[d] * v[d];
        double norm = sqrt(ss);
        ix->norms[r] = (float)norm;
        if (norm > 0)
            for (int d = 0; d < dim; d++)
                v[d] = (float)(v[d] / norm);
        size_t i = probe(ix, ix->exact, words[r], 0);
        if (ix->exact[i] < 0)
            ix->exact[i] = r;
        i = probe(ix, ix->fold_table, folded_word(ix, r), 1);
        if (ix->fold_table[i] < 0)
            ix->fold_table[i] = r;
        ix->canon[r] = ix->fold_table[i];
    }
    *out = ix;
    return THETA_OK;
}

void theta_eval_index_free(theta_eval_index *ix)
{
    if (!ix)
        return;
    free(ix->norms);
    free(ix->canon);
    free(ix->folded);
    free(ix->folded_at);
    free(ix->exact);
    free(ix->fold_table);
    free(ix);
}

int64_t theta_eval_index_rows(const theta_eval_index *ix) { return ix->rows; }
int theta_eval_index_dim(const theta_eval_index *ix) { return ix->dim; }
const char *theta_eval_index_word(const theta_eval_index *ix, int64_t row) { return ix->words[row]; }
double theta_eval_index_norm(const theta_eval_index *ix, int64_t row) { return ix->norms[row]; }

const float *theta_eval_index_unit(const theta_eval_index *ix, int64_t row)
{
    return ix->unit + (size_t)row * (size_t)ix->dim;
}

int64_t theta_eval_find(const theta_eval_index *ix, const char *word)
{
    return ix->exact[probe(ix, ix->exact, word, 0)];
}

int64_t theta_eval_find_folded(const theta_eval_index *ix, const char *word, int64_t limit)
{
    char small[256];
    size_t len = strlen(word);
    /* folding at most triples the length (U+0390: 2 bytes -> 6 bytes) */
    size_t need = 3 * len + 1;
    char *buf = need <= sizeof small ? small : theta__alloc(need, 1);
    if (!buf)
        return -1;
    int64_t r = -1;
    if (theta_eval_fold(word, buf, need) != (size_t)-1)
        r = ix->fold_table[probe(ix, ix->fold_table, buf, 1)];
    if (buf != small)
        free(buf);
    if (limit > 0 && r >= limit)
        return -1;
    return r;
}

static int64_t clamp_limit(const theta_eval_index *ix, int64_t limit)
{
    return limit <= 0 || limit > ix->rows ? ix->rows : limit;
}

/* ---- top k -------------------------------------------------------------- */

/* hits[*n] sorted by score, best first; ties keep the earlier row first
 * (rows arrive in increasing order and an equal score does not displace). */
static void topk_insert(theta_eval_hit *hits, int *n, int k, int64_t row, float score)
{
    int i;
    if (*n < k)
        i = (*n)++;
    else if (score > hits[k - 1].score)
        i = k - 1;
    else
        return;
    while (i > 0 && score > hits[i - 1].score) {
        hits[i] = hits[i - 1];
        i--;
    }
    hits[i].row = row;
    hits[i].score = score;
}

static int is_excluded(int64_t row, const int64_t *exclude, int nexclude)
{
    for (int i = 0; i < nexclude; i++)
        if (exclude[i] == row)
            return 1;
    return 0;
}

theta_status theta_eval_nearest(const theta_eval_index *ix, const float *query, int64_t limit,
                                const int64_t *exclude, int nexclude, int k, theta_eval_hit *hits,
                                int *nhits)
{
    if (k < 1)
        return theta__fail(THETA_EINVAL, "k must be at least 1, not %d", k);
    int dim = ix->dim;
    float *q = theta__alloc((size_t)dim, sizeof *q);
    if (!q)
        return THETA_ENOMEM;
    double ss = 0;
    for (int d = 0; d < dim; d++)
        ss += (double)query[d] * query[d];
    if (!(ss > 0) || !isfinite(ss)) {
        free(q);
        return theta__fail(THETA_EINVAL, "the query vector is zero or not finite");
    }
    double norm = sqrt(ss);
    for (int d = 0; d < dim; d++)
        q[d] = (float)(query[d] / norm);
    int n = 0;
    int64_t end = clamp_limit(ix, limit);
    for (int64_t r = 0; r < end; r++) {
        float s = theta__linalg_dot(ix->unit + (size_t)r * (size_t)dim, q, dim);
        if ((n < k || s > hits[n - 1].score) && !is_excluded(r, exclude, nexclude))
            topk_insert(hits, &n, k, r, s);
    }
    free(q);
    *nhits = n;
    return THETA_OK;
}

void theta_eval_query_sum(const theta_eval_index *ix, const int64_t *rows, int n, float *query)
{
    int dim = ix->dim;
    memset(query, 0, sizeof(float) * (size_t)dim);
    for (int i = 0; i < n; i++) {
        const float *u = theta_eval_index_unit(ix, rows[i]);
        for (int d = 0; d < dim; d++)
            query[d] += u[d];
    }
    double ss = 0;
    for (int d = 0; d < dim; d++)
        ss += (double)query[d] * query[d];
    double norm = sqrt(ss);
    if (norm > 0)
        for (int d = 0; d < dim; d++)
            query[d] = (float)(query[d] / norm);
}

/* ---- batched analogy search --------------------------------------------- */

#define QBLOCK_PANELS 16 /* panels of query vectors per block of questions */

typedef struct {
    const theta_eval_index *ix;
    theta_analogy_method method;
    int64_t limit;         /* rows searched: [0, limit) */
    int64_t nq;
    const int64_t *abc;    /* [3 nq] rows a, b, c of each question */
    int k;
    theta_eval_hit *hits;  /* [nq k] */
    int *nhits;            /* [nq] */
    int per_panel;         /* questions per panel: 8 (add) or 2 (mul: 3 vectors each) */
    int64_t rtile;         /* matrix rows per tile */
    atomic_int failed;
} batch;

/* Packs the queries of questions [q0, q0 + n) into panels. 3CosAdd: the
 * unit vector of b - a + c (unit vectors), one column per question.
 * 3CosMul: a, b and c as three columns per question. */
static void pack_block(const batch *B, int64_t q0, int n, float *panels, float *scratch)
{
    const theta_eval_index *ix = B->ix;
    int dim = ix->dim;
    int npanels = (n + B->per_panel - 1) / B->per_panel;
    for (int p = 0; p < npanels; p++) {
        const float *cols[THETA__PANEL];
        int ncols = 0;
        for (int j = 0; j < B->per_panel; j++) {
            int64_t q = q0 + (int64_t)p * B->per_panel + j;
            if (q >= q0 + n)
                break;
            const int64_t *r = B->abc + 3 * q;
            if (B->method == THETA_ANALOGY_ADD) {
                float *v = scratch + (size_t)j * (size_t)dim;
                const float *a = theta_eval_index_unit(ix, r[0]), *b = theta_eval_index_unit(ix, r[1]),
                            *c = theta_eval_index_unit(ix, r[2]);
                double ss = 0;
                for (int d = 0; d < dim; d++) {
                    v[d] = b[d] - a[d] + c[d];
                    ss += (double)v[d] * v[d];
                }
                double norm = sqrt(ss);
                if (norm > 0)
                    for (int d = 0; d < dim; d++)
                        v[d] = (float)(v[d] / norm);
                cols[ncols++] = v;
            } else {
                for (int t = 0; t < 3; t++)
                    cols[ncols++] = theta_eval_index_unit(ix, r[t]);
            }
        }
        theta__linalg_pack(cols, ncols, dim, panels + (size_t)p * (size_t)dim * THETA__PANEL);
    }
}

/* Sweeps the rows for questions [q0, q0 + n), panels already packed. */
static void sweep_block(const batch *B, int64_t q0, int n, const float *panels)
{
    const theta_eval_index *ix = B->ix;
    const int dim = ix->dim, k = B->k, pp = B->per_panel;
    const int npanels = (n + pp - 1) / pp;
    float tile[THETA__MR][THETA__PANEL];
    for (int64_t t0 = 0; t0 < B->limit; t0 += B->rtile) {
        int64_t t1 = t0 + B->rtile < B->limit ? t0 + B->rtile : B->limit;
        for (int p = 0; p < npanels; p++) {
            const float *panel = panels + (size_t)p * (size_t)dim * THETA__PANEL;
            int64_t qp = q0 + (int64_t)p * pp;
            int nqp = (int)(q0 + n - qp < pp ? q0 + n - qp : pp);
            for (int64_t r = t0; r < t1; r += THETA__MR) {
                const float *rows[THETA__MR];
                for (int i = 0; i < THETA__MR; i++)
                    rows[i] = ix->unit + (size_t)(r + i < t1 ? r + i : r) * (size_t)dim;
                theta__linalg_tile(rows, panel, dim, tile);
                for (int i = 0; i < THETA__MR && r + i < t1; i++) {
                    int64_t row = r + i;
                    for (int j = 0; j < nqp; j++) {
                        int64_t q = qp + j;
                        float s;
                        if (B->method == THETA_ANALOGY_ADD) {
                            s = tile[i][j];
                        } else {
                            /* gensim's most_similar_cosmul, in float as there */
                            float sa = (1 + tile[i][3 * j]) / 2, sb = (1 + tile[i][3 * j + 1]) / 2,
                                  sc = (1 + tile[i][3 * j + 2]) / 2;
                            s = sb * sc / (sa + 0.000001f);
                        }
                        theta_eval_hit *h = B->hits + (size_t)q * (size_t)k;
                        int *nh = B->nhits + q;
                        if (*nh < k || s > h[k - 1].score) {
                            const int64_t *x = B->abc + 3 * q;
                            if (row != x[0] && row != x[1] && row != x[2])
                                topk_insert(h, nh, k, row, s);
                        }
                    }
                }
            }
        }
    }
}

/* Task b of theta__pool_run: the questions of block b. */
static void batch_block(void *arg, int b)
{
    batch *B = arg;
    const int dim = B->ix->dim;
    const int64_t block = (int64_t)QBLOCK_PANELS * B->per_panel;
    if (atomic_load(&B->failed))
        return;
    float *panels = theta__alloc((size_t)QBLOCK_PANELS * THETA__PANEL, sizeof(float) * (size_t)dim);
    float *scratch = theta__alloc((size_t)THETA__PANEL, sizeof(float) * (size_t)dim);
    if (panels && scratch) {
        int64_t q0 = (int64_t)b * block;
        int n = (int)(B->nq - q0 < block ? B->nq - q0 : block);
        pack_block(B, q0, n, panels, scratch);
        sweep_block(B, q0, n, panels);
    } else {
        atomic_store(&B->failed, 1);
    }
    free(panels);
    free(scratch);
}

/* Runs the search for nq questions on up to `threads` threads. */
static theta_status run_batch(batch *B, int threads)
{
    memset(B->nhits, 0, sizeof(int) * (size_t)B->nq);
    B->per_panel = B->method == THETA_ANALOGY_ADD ? THETA__PANEL : THETA__PANEL / 3;
    /* a tile of about 128 KiB of rows stays in L2 while the block's panels pass over it */
    B->rtile = (32768 / B->ix->dim + THETA__MR - 1) / THETA__MR * THETA__MR;
    if (B->rtile < THETA__MR)
        B->rtile = THETA__MR;
    atomic_init(&B->failed, 0);
    int64_t block = (int64_t)QBLOCK_PANELS * B->per_panel;
    theta__pool_run((int)((B->nq + block - 1) / block), threads, batch_block, B);
    if (atomic_load(&B->failed))
        return theta__fail(THETA_ENOMEM, "out of memory for the analogy search buffers");
    return THETA_OK;
}

theta_status theta_eval_analogy(const theta_eval_index *ix, int64_t a, int64_t b, int64_t c,
                                theta_analogy_method method, int64_t limit, int k,
                                theta_eval_hit *hits, int *nhits)
{
    if (k < 1)
        return theta__fail(THETA_EINVAL, "k must be at least 1, not %d", k);
    if (method != THETA_ANALOGY_ADD && method != THETA_ANALOGY_MUL)
        return theta__fail(THETA_EINVAL, "unknown analogy method %d", (int)method);
    int64_t abc[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (abc[i] < 0 || abc[i] >= ix->rows)
            return theta__fail(THETA_EINVAL, "row %lld is not in the index", (long long)abc[i]);
    int n = 0;
    batch B = {.ix = ix, .method = method, .limit = clamp_limit(ix, limit), .nq = 1,
               .abc = abc, .k = k, .hits = hits, .nhits = &n};
    theta_status st = run_batch(&B, 1);
    if (st)
        return st;
    *nhits = n;
    return THETA_OK;
}

/* ---- question and pair files -------------------------------------------- */

/* Words in one growing buffer, referred to by offset until the end. */
typedef struct {
    char *buf;
    size_t len, cap;
    size_t *at;
    int64_t n, ncap;
} arena;

static theta_status arena_add(arena *A, const char *w, size_t len)
{
    if (A->len + len + 1 > A->cap) {
        size_t cap = A->cap ? A->cap : 4096;
        while (A->len + len + 1 > cap)
            cap *= 2;
        char *b = realloc(A->buf, cap);
        if (!b)
            return theta__fail(THETA_ENOMEM, "out of memory reading words");
        A->buf = b;
        A->cap = cap;
    }
    if (A->n == A->ncap) {
        int64_t ncap = A->ncap ? A->ncap * 2 : 256;
        size_t *at = realloc(A->at, (size_t)ncap * sizeof *at);
        if (!at)
            return theta__fail(THETA_ENOMEM, "out of memory reading words");
        A->at = at;
        A->ncap = ncap;
    }
    memcpy(A->buf + A->len, w, len);
    A->buf[A->len + len] = '\0';
    A->at[A->n++] = A->len;
    A->len += len + 1;
    return THETA_OK;
}

/* The words as one allocation: pointers [n] followed by the bytes. */
static char **arena_finish(arena *A)
{
    char **w = theta__alloc(1, (size_t)A->n * sizeof(char *) + A->len + 1);
    if (!w)
        return NULL;
    char *bytes = (char *)(w + A->n);
    if (A->len)
        memcpy(bytes, A->buf, A->len);
    for (int64_t i = 0; i < A->n; i++)
        w[i] = bytes + A->at[i];
    return w;
}

static void arena_free(arena *A)
{
    free(A->buf);
    free(A->at);
}

/* Python's str.split() separators within ASCII, and NUL. */
static int is_sep(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) || c == '\0';
}

/* Splits line[len] at separators into at most max tokens (start, length);
 * returns the number of tokens found (max + 1 if there are more). */
static int split_ws(const char *line, size_t len, const char **tok, size_t *tlen, int max)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_sep((unsigned char)line[i]))
            i++;
        if (i == len)
            break;
        size_t s = i;
        while (i < len && !is_sep((unsigned char)line[i]))
            i++;
        if (n == max)
            return max + 1;
        tok[n] = line + s;
        tlen[n] = i - s;
        n++;
    }
    return n;
}

/* Opens path and drops a UTF-8 byte order mark. */
static theta_status open_text(const char *path, FILE **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return theta__fail(THETA_EIO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char bom[3];
    size_t got = fread(bom, 1, 3, f);
    if (!(got == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF))
        rewind(f);
    *out = f;
    return THETA_OK;
}

void theta_eval_questions_free(theta_eval_questions *q)
{
    if (!q)
        return;
    for (int64_t i = 0; i < q->nsections; i++)
        free(q->sections[i].name);
    free(q->sections);
    free(q->words);
    free(q);
}

static theta_status add_section(theta_eval_questions *q, const char *name, size_t len,
                                int64_t *cap)
{
    if (q->nsections == *cap) {
        int64_t ncap = *cap ? *cap * 2 : 16;
        theta_eval_section *s = realloc(q->sections, (size_t)ncap * sizeof *s);
        if (!s)
            return theta__fail(THETA_ENOMEM, "out of memory reading sections");
        q->sections = s;
        *cap = ncap;
    }
    char *n = theta__alloc(len + 1, 1);
    if (!n)
        return THETA_ENOMEM;
    memcpy(n, name, len);
    n[len] = '\0';
    theta_eval_section *s = &q->sections[q->nsections++];
    s->name = n;
    s->first = q->n;
    s->count = 0;
    return THETA_OK;
}

/* The end both loaders share, reached with st = THETA_OK after the last line or with
 * the error that stopped them: a read error of f, if nothing failed before, else the
 * words' arena closed into *words; the line buffer, the arena and f are freed either
 * way. Returns the first error. */
static theta_status close_loader(theta_status st, FILE *f, const char *path, char *line,
                                 arena *A, char ***words)
{
    if (!st && ferror(f))
        st = theta__fail(THETA_EIO, "%s: read error: %s", path, strerror(errno));
    if (!st && !(*words = arena_finish(A)))
        st = THETA_ENOMEM;
    free(line);
    arena_free(A);
    fclose(f);
    return st;
}

theta_status theta_eval_questions_load(const char *path, theta_eval_questions **out)
{
    FILE *f;
    theta_status st = open_text(path, &f);
    if (st)
        return st;
    theta_eval_questions *q = theta__calloc(1, sizeof *q);
    arena A = {0};
    char *line = NULL;
    size_t lcap = 0;
    int64_t scap = 0, lineno = 0;
    ssize_t got;
    if (!q) {
        fclose(f);
        return THETA_ENOMEM;
    }
    while ((got = getline(&line, &lcap, f)) >= 0) {
        size_t len = (size_t)got;
        lineno++;
        if (len >= 2 && line[0] == ':' && line[1] == ' ') {
            /* gensim: line.lstrip(': ').strip() */
            size_t s = 0, e = len;
            while (s < len && (line[s] == ':' || line[s] == ' '))
                s++;
            while (e > s && is_sep((unsigned char)line[e - 1]))
                e--;
            while (s < e && is_sep((unsigned char)line[s]))
                s++;
            if ((st = add_section(q, line + s, e - s, &scap)))
                goto done;
            continue;
        }
        const char *tok[4];
        size_t tlen[4];
        int n = split_ws(line, len, tok, tlen, 4);
        if (n == 0)
            continue;
        if (n != 4) {
            q->skipped_lines++;
            continue;
        }
        if (q->nsections == 0) {
            st = theta__fail(THETA_EFORMAT, "%s:%lld: a question before the first ': section' line",
                             path, (long long)lineno);
            goto done;
        }
        for (int i = 0; i < 4; i++)
            if ((st = arena_add(&A, tok[i], tlen[i])))
                goto done;
        q->n++;
        q->sections[q->nsections - 1].count++;
    }
done:
    if ((st = close_loader(st, f, path, line, &A, &q->words))) {
        theta_eval_questions_free(q);
        return st;
    }
    *out = q;
    return THETA_OK;
}

void theta_eval_pairs_free(theta_eval_pairs *p)
{
    if (!p)
        return;
    free(p->words);
    free(p->gold);
    free(p);
}

/* Trims separators from both ends of [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
    while (*len && is_sep((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_sep((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static int parse_gold(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* One pair line into tok[3]; 0 if it is a pair, -1 if malformed. */
static int split_pair(const char *line, size_t len, const char **tok, size_t *tlen)
{
    if (memchr(line, '\t', len)) {
        int n = 0;
        size_t s = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && line[i] != '\t')
                continue;
            if (n == 3)
                return -1;
            tok[n] = line + s;
            tlen[n] = i - s;
            trim(&tok[n], &tlen[n]);
            n++;
            s = i + 1;
        }
        if (n != 3)
            return -1;
    } else if (split_ws(line, len, tok, tlen, 3) != 3) {
        return -1;
    }
    if (tlen[0] == 0 || tlen[1] == 0 || memchr(tok[0], '\0', tlen[0]) || memchr(tok[1], '\0', tlen[1]))
        return -1;
    return 0;
}

theta_status theta_eval_pairs_load(const char *path, theta_eval_pairs **out)
{
    FILE *f;
    theta_status st = open_text(path, &f);
    if (st)
        return st;
    theta_eval_pairs *p = theta__calloc(1, sizeof *p);
    arena A = {0};
    char *line = NULL;
    size_t lcap = 0, gcap = 0;
    ssize_t got;
    if (!p) {
        fclose(f);
        return THETA_ENOMEM;
    }
    while ((got = getline(&line, &lcap, f)) >= 0) {
        size_t len = (size_t)got;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        const char *s = line;
        size_t l = len;
        trim(&s, &l);
        if (l == 0 || s[0] == '#')
            continue;
        const char *tok[3];
        size_t tlen[3];
        double gold;
        if (split_pair(line, len, tok, tlen) || parse_gold(tok[2], tlen[2], &gold)) {
            p->skipped_lines++;
            continue;
        }
        if ((size_t)p->n == gcap) {
            size_t ncap = gcap ? gcap * 2 : 256;
            double *g = realloc(p->gold, ncap * sizeof *g);
            if (!g) {
                st = theta__fail(THETA_ENOMEM, "out of memory reading pairs");
                goto done;
            }
            p->gold = g;
            gcap = ncap;
        }
        if ((st = arena_add(&A, tok[0], tlen[0])) || (st = arena_add(&A, tok[1], tlen[1])))
            goto done;
        p->gold[p->n++] = gold;
    }
done:
    st = close_loader(st, f, path, line, &A, &p->words);
    if (!st && p->n == 0)
        st = theta__fail(THETA_EFORMAT, "%s: no 'word word score' line (%lld malformed lines)",
                         path, (long long)p->skipped_lines);
    if (st) {
        theta_eval_pairs_free(p);
        return st;
    }
    *out = p;
    return THETA_OK;
}

/* ---- evaluation --------------------------------------------------------- */

#define EVAL_TOPN 5 /* gensim's evaluate_word_analogies asks most_similar for 5 */

void theta_eval_analogy_result_free(theta_eval_analogy_result *r)
{
    if (!r)
        return;
    free(r->sections);
    free(r->predicted);
    memset(r, 0, sizeof *r);
}

theta_status theta_eval_analogies(const theta_eval_index *ix, const theta_eval_questions *q,
                                  int64_t limit, theta_analogy_method method, int threads,
                                  theta_eval_analogy_result *out)
{
    if (method != THETA_ANALOGY_ADD && method != THETA_ANALOGY_MUL)
        return theta__fail(THETA_EINVAL, "unknown analogy method %d", (int)method);
    limit = clamp_limit(ix, limit);
    theta_eval_analogy_result r;
    memset(&r, 0, sizeof r);
    int64_t *rows = theta__alloc((size_t)q->n ? (size_t)q->n : 1, 4 * sizeof *rows);
    int64_t *abc = theta__alloc((size_t)q->n ? (size_t)q->n : 1, 3 * sizeof *abc);
    int64_t *which = theta__alloc((size_t)q->n ? (size_t)q->n : 1, sizeof *which);
    theta_eval_hit *hits = theta__alloc((size_t)q->n ? (size_t)q->n : 1, EVAL_TOPN * sizeof *hits);
    int *nhits = theta__alloc((size_t)q->n ? (size_t)q->n : 1, sizeof *nhits);
    r.sections = theta__calloc((size_t)q->nsections ? (size_t)q->nsections : 1, sizeof *r.sections);
    r.predicted = theta__alloc((size_t)q->n ? (size_t)q->n : 1, sizeof *r.predicted);
    r.nsections = q->nsections;
    theta_status st = THETA_ENOMEM;
    if (!rows || !abc || !which || !hits || !nhits || !r.sections || !r.predicted)
        goto done;

    /* the questions whose four words are in the first limit rows, by the
     * first row of each folded form (gensim's ok_vocab) */
    int64_t nseen = 0;
    for (int64_t i = 0; i < q->n; i++) {
        int in = 1;
        for (int t = 0; t < 4; t++) {
            rows[4 * i + t] = theta_eval_find_folded(ix, q->words[4 * i + t], limit);
            in = in && rows[4 * i + t] >= 0;
        }
        r.predicted[i] = -1;
        if (in) {
            memcpy(abc + 3 * nseen, rows + 4 * i, 3 * sizeof *abc);
            which[nseen++] = i;
        }
    }
    if (nseen > 0) {
        batch B = {.ix = ix, .method = method, .limit = limit, .nq = nseen, .abc = abc,
                   .k = EVAL_TOPN, .hits = hits, .nhits = nhits};
        if ((st = run_batch(&B, threads)))
            goto done;
    }
    /* gensim takes the first of the top 5 whose upper-cased word is none of
     * the question's a, b, c (other case variants of them are passed over);
     * if all five are, the last one stands */
    for (int64_t j = 0; j < nseen; j++) {
        int64_t i = which[j];
        const int64_t *x = rows + 4 * i;
        const theta_eval_hit *h = hits + (size_t)j * EVAL_TOPN;
        int64_t pred = -2;
        for (int t = 0; t < nhits[j]; t++) {
            int64_t c = ix->canon[h[t].row];
            pred = h[t].row;
            if (c != x[0] && c != x[1] && c != x[2])
                break;
        }
        r.predicted[i] = pred;
    }
    for (int64_t s = 0; s < q->nsections; s++) {
        const theta_eval_section *sec = &q->sections[s];
        theta_eval_score *sc = &r.sections[s];
        for (int64_t i = sec->first; i < sec->first + sec->count; i++) {
            sc->total++;
            if (r.predicted[i] == -1)
                continue;
            sc->seen++;
            if (r.predicted[i] >= 0 && ix->canon[r.predicted[i]] == rows[4 * i + 3])
                sc->correct++;
        }
        r.overall.total += sc->total;
        r.overall.seen += sc->seen;
        r.overall.correct += sc->correct;
    }
    st = THETA_OK;
done:
    free(rows);
    free(abc);
    free(which);
    free(hits);
    free(nhits);
    if (st)
        theta_eval_analogy_result_free(&r);
    else
        *out = r;
    return st;
}

double theta_eval_pearson(const double *x, const double *y, int64_t n)
{
    if (n < 2)
        return NAN;
    double mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int64_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    double r = sxy / sqrt(sxx * syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

typedef struct {
    double v;
    int64_t i;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* 1-based ranks of v[n]; tied values share the average of their ranks. */
static theta_status average_ranks(const double *v, int64_t n, double *rank)
{
    ranked *t = theta__alloc((size_t)n, sizeof *t);
    if (!t)
        return THETA_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
        t[i].v = v[i];
        t[i].i = i;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_ranked);
    for (int64_t s = 0; s < n;) {
        int64_t e = s + 1;
        while (e < n && t[e].v == t[s].v)
            e++;
        double avg = (double)(s + 1 + e) / 2; /* mean of ranks s+1 .. e */
        for (int64_t i = s; i < e; i++)
            rank[t[i].i] = avg;
        s = e;
    }
    free(t);
    return THETA_OK;
}

double theta_eval_spearman(const double *x, const double *y, int64_t n)
{
    if (n < 2)
        return NAN;
    double *rx = theta__alloc((size_t)n, 2 * sizeof *rx);
    if (!rx)
        return NAN;
    double *ry = rx + n;
    double r = NAN;
    if (!average_ranks(x, n, rx) && !average_ranks(y, n, ry))
        r = theta_eval_pearson(rx, ry, n);
    free(rx);
    return r;
}

theta_status theta_eval_pairs_score(const theta_eval_index *ix, const theta_eval_pairs *p,
                                    int64_t limit, theta_eval_pairs_result *out)
{
    limit = clamp_limit(ix, limit);
    double *gold = theta__alloc((size_t)p->n ? (size_t)p->n : 1, 2 * sizeof *gold);
    if (!gold)
        return THETA_ENOMEM;
    double *model = gold + p->n;
    theta_eval_pairs_result r = {0, 0, NAN, NAN, 0};
    for (int64_t i = 0; i < p->n; i++) {
        int64_t a = theta_eval_find_folded(ix, p->words[2 * i], limit);
        int64_t b = theta_eval_find_folded(ix, p->words[2 * i + 1], limit);
        if (a < 0 || b < 0) {
            r.oov++;
            continue;
        }
        const float *ua = theta_eval_index_unit(ix, a), *ub = theta_eval_index_unit(ix, b);
        double s = 0;
        for (int d = 0; d < ix->dim; d++)
            s += (double)ua[d] * ub[d];
        gold[r.used] = p->gold[i];
        model[r.used] = s;
        r.used++;
    }
    r.spearman = theta_eval_spearman(gold, model, r.used);
    r.pearson = theta_eval_pearson(gold, model, r.used);
    r.oov_ratio = r.used + r.oov > 0 ? (double)r.oov / (double)(r.used + r.oov) : 0;
    free(gold);
    *out = r;
    return THETA_OK;
}
