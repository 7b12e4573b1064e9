/*
 * isa.h — the one way libtheta runs code on more than one instruction set.
 *
 * A module writes its hot body once, in a template header <module>_impl.h
 * that names its functions through SUFFIX (and may use a vector width VW),
 * and includes it once per instruction set inside a GCC target region:
 *
 *     #ifdef THETA__X86
 *     #pragma GCC push_options
 *     #pragma GCC target("avx2")
 *     #define SUFFIX _avx2
 *     #include "module_impl.h"
 *     #undef SUFFIX
 *     #pragma GCC pop_options
 *     #endif
 *     #define SUFFIX _sse2            (the portable build, always there)
 *     #include "module_impl.h"
 *     #undef SUFFIX
 *
 * and picks one at run time with theta__isa_best / theta__isa_supported: a
 * plain branch, not an ifunc (ifunc resolvers run before the sanitizer
 * runtimes and crash ThreadSanitizer builds). Every instance must do the
 * same floating-point operations in the same order per result, so the
 * choice never changes a number (the tests compare them). One binary runs
 * on any x86-64 without -march=native. Users: kernel.c, linalg.c, dims.c.
 */
#ifndef THETA_ISA_H
#define THETA_ISA_H

/* the AVX2 and AVX-512 instances are built: with GCC on x86-64 (clang, used
 * for the fuzz targets, knows no `#pragma GCC target` and builds the
 * portable instances alone) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define THETA__X86 1
#endif

/* Instruction sets, narrowest first: a CPU that runs one runs those before it
 * ("avx2" here means AVX2 with FMA3). */
typedef enum { THETA__SSE2, THETA__AVX2, THETA__AVX512F } theta__isa;

/* The widest instruction set this CPU runs (THETA__SSE2 off x86-64, where
 * "sse2" names the portable build). Detected once; thread-safe. */
theta__isa theta__isa_best(void);

/* 1 if isa names an instruction set ("sse2", "avx2", "avx512f") this CPU
 * runs and this build has code for, else 0 (also for unknown names). */
int theta__isa_supported(const char *isa);

#endif
