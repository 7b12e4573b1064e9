/* isa.c — CPU detection for isa.h. */
#include "isa.h"

#include <stdatomic.h>
#include <string.h>

static const char *const names[] = {"sse2", "avx2", "avx512f"};

static theta__isa detect(void)
{
#ifdef THETA__X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return THETA__AVX512F;
    /* the AVX2 kernels fuse multiply-adds: FMA3 comes with AVX2 on every
     * CPU we know of, but it is a separate feature bit */
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return THETA__AVX2;
#endif
    return THETA__SSE2;
}

theta__isa theta__isa_best(void)
{
    /* -1: not detected yet; detecting twice is harmless */
    static atomic_int best = -1;
    int b = atomic_load_explicit(&best, memory_order_relaxed);
    if (b < 0) {
        b = (int)detect();
        atomic_store_explicit(&best, b, memory_order_relaxed);
    }
    return (theta__isa)b;
}

int theta__isa_supported(const char *isa)
{
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcmp(isa, names[i]) == 0)
            return i <= (int)theta__isa_best();
    return 0;
}
