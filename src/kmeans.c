/*
 * kmeans.c — spherical k-means, word2vec's -classes: a centroid is the sum
 * of its rows scaled to unit length, and a row goes to the centroid with the
 * highest dot product (= cosine, since the row's own length is the same for
 * every centroid). Seeding is k-means++ on the cosine distance 1 - cos
 * (half the squared distance between unit vectors), drawn from theta's RNG.
 *
 * The assignment step is the costly one, rows x k x dim: the centroids are
 * packed into panels of 8 and the rows swept 4 at a time with linalg.h's
 * tile, on several threads over disjoint row ranges. Every row's scores are
 * computed the same way whatever the thread count, and the centroid sums
 * are taken serially in row order, so a seed gives one answer.
 */
#include "internal.h"
#include "linalg.h"
#include "pool.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const float *m;
    int64_t rows;
    int dim, k;
    const float *panels; /* (ceil(k / 8), dim, 8) unit centroids */
    int32_t *assign;     /* [rows] */
    float *best;         /* [rows] cosine to the assigned centroid */
    const float *inv_norm; /* [rows] 1 / |row| (0 for a zero row) */
    atomic_llong moved;
} assign_job;

#define ASSIGN_CHUNK 1024 /* rows per work item */

/* Task c of theta__pool_run: assigns the rows of chunk c. */
static void assign_chunk(void *arg, int chunk)
{
    assign_job *J = arg;
    const int dim = J->dim, k = J->k;
    const int npanels = (k + THETA__PANEL - 1) / THETA__PANEL;
    float tile[THETA__MR][THETA__PANEL];
    int64_t moved = 0;
    int64_t r0 = (int64_t)chunk * ASSIGN_CHUNK;
    int64_t r1 = r0 + ASSIGN_CHUNK < J->rows ? r0 + ASSIGN_CHUNK : J->rows;
    for (int64_t r = r0; r < r1; r += THETA__MR) {
        const float *rows[THETA__MR];
        float best[THETA__MR];
        int32_t arg_best[THETA__MR];
        for (int i = 0; i < THETA__MR; i++) {
            rows[i] = J->m + (size_t)(r + i < r1 ? r + i : r) * (size_t)dim;
            best[i] = -INFINITY;
            arg_best[i] = 0;
        }
        for (int p = 0; p < npanels; p++) {
            theta__linalg_tile(rows, J->panels + (size_t)p * (size_t)dim * THETA__PANEL, dim, tile);
            for (int i = 0; i < THETA__MR; i++)
                for (int j = 0; j < THETA__PANEL && p * THETA__PANEL + j < k; j++)
                    if (tile[i][j] > best[i]) {
                        best[i] = tile[i][j];
                        arg_best[i] = p * THETA__PANEL + j;
                    }
        }
        for (int i = 0; i < THETA__MR && r + i < r1; i++) {
            if (J->assign[r + i] != arg_best[i])
                moved++;
            J->assign[r + i] = arg_best[i];
            J->best[r + i] = best[i] * J->inv_norm[r + i];
        }
    }
    atomic_fetch_add(&J->moved, moved);
}

/* Assigns every row to its nearest centroid; returns how many rows moved. */
static int64_t assign_all(assign_job *J, int threads)
{
    atomic_store(&J->moved, 0);
    /* rows are vocabulary rows (int32_t), so the chunk count fits an int */
    int64_t chunks = (J->rows + ASSIGN_CHUNK - 1) / ASSIGN_CHUNK;
    theta__pool_run((int)chunks, threads, assign_chunk, J);
    return atomic_load(&J->moved);
}

/* Writes the unit-length direction of v[dim] (double) into the panel slot
 * of centroid c; a zero sum leaves a zero centroid. */
static void set_centroid(float *panels, int dim, int c, const double *v)
{
    double ss = 0;
    for (int d = 0; d < dim; d++)
        ss += v[d] * v[d];
    double inv = ss > 0 ? 1 / sqrt(ss) : 0;
    float *p = panels + (size_t)(c / THETA__PANEL) * (size_t)dim * THETA__PANEL + c % THETA__PANEL;
    for (int d = 0; d < dim; d++)
        p[(size_t)d * THETA__PANEL] = (float)(v[d] * inv);
}

static void set_centroid_row(float *panels, int dim, int c, const float *row, double *scratch)
{
    for (int d = 0; d < dim; d++)
        scratch[d] = row[d];
    set_centroid(panels, dim, c, scratch);
}

/* Cosine of row r with centroid c. */
static double cosine_to(const assign_job *J, int64_t r, int c)
{
    const float *row = J->m + (size_t)r * (size_t)J->dim;
    const float *p = J->panels + (size_t)(c / THETA__PANEL) * (size_t)J->dim * THETA__PANEL +
                     c % THETA__PANEL;
    double s = 0;
    for (int d = 0; d < J->dim; d++)
        s += (double)row[d] * p[(size_t)d * THETA__PANEL];
    return s * J->inv_norm[r];
}

/* k-means++: the first centroid uniformly, each next one with probability
 * proportional to 1 - cos to the nearest centroid so far. */
static void seed_centroids(assign_job *J, float *panels, double *dist, double *scratch,
                           theta_rng *rng)
{
    const int64_t rows = J->rows;
    int64_t r = (int64_t)(theta_rng_uniform(rng) * (double)rows);
    set_centroid_row(panels, J->dim, 0, J->m + (size_t)r * (size_t)J->dim, scratch);
    for (int64_t i = 0; i < rows; i++)
        dist[i] = 1 - cosine_to(J, i, 0);
    for (int c = 1; c < J->k; c++) {
        double total = 0;
        for (int64_t i = 0; i < rows; i++)
            total += dist[i] > 0 ? dist[i] : 0;
        int64_t pick = rows - 1;
        if (total > 0) {
            double x = theta_rng_uniform(rng) * total;
            for (int64_t i = 0; i < rows; i++) {
                x -= dist[i] > 0 ? dist[i] : 0;
                if (x < 0) {
                    pick = i;
                    break;
                }
            }
        } else {
            pick = (int64_t)(theta_rng_uniform(rng) * (double)rows);
        }
        set_centroid_row(panels, J->dim, c, J->m + (size_t)pick * (size_t)J->dim, scratch);
        for (int64_t i = 0; i < rows; i++) {
            double d = 1 - cosine_to(J, i, c);
            if (d < dist[i])
                dist[i] = d;
        }
    }
}

theta_status theta_kmeans_cluster(const float *m, int64_t rows, int dim, int k, int iters,
                                  uint64_t seed, int threads, int32_t *assign, int *iters_done)
{
    if (rows < 1 || dim < 1)
        return theta__fail(THETA_EINVAL, "k-means needs at least one vector");
    if (k < 1 || k > rows)
        return theta__fail(THETA_EINVAL, "k must be in 1..%lld (the number of vectors), not %d",
                           (long long)rows, k);
    if (iters < 1)
        return theta__fail(THETA_EINVAL, "k-means needs at least one iteration, not %d", iters);
    for (size_t i = 0; i < (size_t)rows * (size_t)dim; i++)
        if (!isfinite(m[i]))
            return theta__fail(THETA_EDATA, "vector %lld has a non-finite value",
                               (long long)(i / (size_t)dim));
    int npanels = (k + THETA__PANEL - 1) / THETA__PANEL;
    float *panels = theta__calloc((size_t)npanels * THETA__PANEL, sizeof(float) * (size_t)dim);
    float *best = theta__alloc((size_t)rows, sizeof *best);
    float *inv_norm = theta__alloc((size_t)rows, sizeof *inv_norm);
    double *dist = theta__alloc((size_t)rows, sizeof *dist);
    double *sums = theta__calloc((size_t)k, sizeof(double) * (size_t)dim);
    int64_t *count = theta__alloc((size_t)k, sizeof *count);
    double *scratch = theta__alloc((size_t)dim, sizeof *scratch);
    theta_status st = THETA_ENOMEM;
    if (!panels || !best || !inv_norm || !dist || !sums || !count || !scratch)
        goto done;
    for (int64_t r = 0; r < rows; r++) {
        double ss = 0;
        const float *v = m + (size_t)r * (size_t)dim;
        for (int d = 0; d < dim; d++)
            ss += (double)v[d] * v[d];
        inv_norm[r] = ss > 0 ? (float)(1 / sqrt(ss)) : 0;
    }
    assign_job J = {.m = m, .rows = rows, .dim = dim, .k = k, .panels = panels,
                    .assign = assign, .best = best, .inv_norm = inv_norm};
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    seed_centroids(&J, panels, dist, scratch, &rng);
    for (int64_t r = 0; r < rows; r++)
        assign[r] = -1;
    if (threads < 1)
        threads = 1;
    int it = 0;
    for (;;) {
        int64_t moved = assign_all(&J, threads);
        /* an empty class takes the row farthest from its own centroid */
        memset(count, 0, sizeof *count * (size_t)k);
        for (int64_t r = 0; r < rows; r++)
            count[assign[r]]++;
        for (int c = 0; c < k; c++) {
            if (count[c])
                continue;
            int64_t far = -1;
            for (int64_t r = 0; r < rows; r++)
                if (count[assign[r]] > 1 && (far < 0 || best[r] < best[far]))
                    far = r;
            if (far < 0)
                break;
            count[assign[far]]--;
            assign[far] = c;
            count[c] = 1;
            best[far] = 1;
            moved++;
        }
        it++;
        if (it >= iters || (moved == 0 && it > 1))
            break;
        memset(sums, 0, sizeof *sums * (size_t)k * (size_t)dim);
        for (int64_t r = 0; r < rows; r++) {
            double *s = sums + (size_t)assign[r] * (size_t)dim;
            const float *v = m + (size_t)r * (size_t)dim;
            for (int d = 0; d < dim; d++)
                s[d] += v[d];
        }
        for (int c = 0; c < k; c++)
            set_centroid(panels, dim, c, sums + (size_t)c * (size_t)dim);
    }
    if (iters_done)
        *iters_done = it;
    st = THETA_OK;
done:
    free(panels);
    free(best);
    free(inv_norm);
    free(dist);
    free(sums);
    free(count);
    free(scratch);
    return st;
}
