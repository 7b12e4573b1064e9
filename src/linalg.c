/* linalg.c — dense float kernels for cosine search and k-means. */
#include "linalg.h"
#include "isa.h"

#include <string.h>

float theta__linalg_dot(const float *a, const float *b, int n)
{
    float s[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            s[j] += a[i + j] * b[i + j];
    for (int j = 0; i < n; i++, j++)
        s[j] += a[i] * b[i];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

void theta__linalg_pack(const float *const *q, int nq, int dim, float *panel)
{
    memset(panel, 0, sizeof(float) * (size_t)dim * THETA__PANEL);
    for (int j = 0; j < nq; j++)
        for (int d = 0; d < dim; d++)
            panel[(size_t)d * THETA__PANEL + j] = q[j][d];
}

/* The 4 x 8 tile (linalg_impl.h), compiled for SSE2 and, on x86-64, AVX2
 * (2.3x faster than SSE2 here), picked at run time (isa.h); both give the
 * same results. No FMA (-ffp-contract=off). */
typedef float v8f __attribute__((vector_size(32)));

#ifdef THETA__X86
#pragma GCC push_options
#pragma GCC target("avx2")
#define SUFFIX _avx2
#include "linalg_impl.h"
#undef SUFFIX
#pragma GCC pop_options
#endif

#define SUFFIX _sse2
#include "linalg_impl.h"
#undef SUFFIX

void theta__linalg_tile(const float *const row[THETA__MR], const float *panel, int dim,
                        float out[THETA__MR][THETA__PANEL])
{
#ifdef THETA__X86
    if (theta__isa_best() >= THETA__AVX2) {
        tile_avx2(row, panel, dim, out);
        return;
    }
#endif
    tile_sse2(row, panel, dim, out);
}

int theta__linalg_tile_isa(const char *isa, const float *const row[THETA__MR], const float *panel,
                           int dim, float out[THETA__MR][THETA__PANEL])
{
    if (!theta__isa_supported(isa))
        return -1;
#ifdef THETA__X86
    if (strcmp(isa, "avx2") == 0) {
        tile_avx2(row, panel, dim, out);
        return 0;
    }
#endif
    if (strcmp(isa, "sse2") != 0)
        return -1;
    tile_sse2(row, panel, dim, out);
    return 0;
}
