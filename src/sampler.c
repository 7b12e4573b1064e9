/*
 * sampler.c — negative sampling: Walker/Vose alias table over count^power
 * (word2vec: 0.75), optionally mixed with a uniform share over the words,
 * O(V) memory, O(1) per draw. </s> (id 0) is never drawn.
 *
 * The uniform share is what word2vec.c does in effect: its table includes
 * </s> (counted once per line) and a draw of </s> is replaced by a word
 * drawn uniformly, so rare words get more negative updates than count^0.75
 * alone gives them.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

theta_status theta_sampler_build(theta_sampler *s, const theta_vocab *v, double power)
{
    return theta_sampler_build_mix(s, v, power, 0.0);
}

theta_status theta_sampler_build_mix(theta_sampler *s, const theta_vocab *v, double power,
                                     double uniform)
{
    int32_t n = v->size;
    s->n = n;
    s->cell = theta__alloc((size_t)n, sizeof *s->cell);
    double *p = theta__alloc((size_t)n, sizeof *p);
    int32_t *small = theta__alloc((size_t)n, sizeof *small);
    int32_t *large = theta__alloc((size_t)n, sizeof *large);
    if (!s->cell || !p || !small || !large)
        goto nomem;
    double sum = 0;
    for (int32_t i = 0; i < n; i++) {
        p[i] = i == 0 ? 0.0 : pow((double)v->entries[i].count, power);
        sum += p[i];
    }
    if (!(sum > 0)) {
        free(p); free(small); free(large);
        theta_sampler_free(s);
        return theta__fail(THETA_EDATA, "negative sampling needs at least one counted word");
    }
    /* p = (1 - u) count^power / sum + u / (n - 1) over the words 1..n-1 */
    if (uniform > 0 && n > 1) {
        for (int32_t i = 1; i < n; i++)
            p[i] = (1.0 - uniform) * p[i] / sum + uniform / (double)(n - 1);
        sum = 1.0;
    }
    int32_t ns = 0, nl = 0;
    for (int32_t i = 0; i < n; i++) {
        p[i] = p[i] * n / sum; /* mean 1 */
        s->cell[i].alias = i;
        if (p[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
        int32_t a = small[--ns], b = large[--nl];
        s->cell[a].threshold = (uint32_t)fmin(p[a] * 4294967296.0, 4294967295.0);
        s->cell[a].alias = b;
        p[b] = (p[b] + p[a]) - 1.0;
        if (p[b] < 1.0)
            small[ns++] = b;
        else
            large[nl++] = b;
    }
    /* what is left has probability 1 up to rounding: always accept, except </s> */
    while (nl > 0) {
        int32_t b = large[--nl];
        s->cell[b].threshold = UINT32_MAX;
    }
    while (ns > 0) {
        int32_t a = small[--ns];
        s->cell[a].threshold = UINT32_MAX;
    }
    if (n > 1 && s->cell[0].alias == 0) {
        /* rounding left </s> on its own column: send it to the most frequent word */
        s->cell[0].threshold = 0;
        s->cell[0].alias = 1;
    }
    free(p); free(small); free(large);
    return THETA_OK;
nomem:
    free(p); free(small); free(large);
    theta_sampler_free(s);
    return THETA_ENOMEM;
}

void theta_sampler_free(theta_sampler *s)
{
    free(s->cell);
    s->cell = NULL;
    s->n = 0;
}
