/* check_rng.c — xoshiro256** seeded by splitmix64: known answers (computed
 * independently from the published algorithms), determinism, the uniform
 * double's range and moments, seed mixing. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

#define REQUIRE(cond, ...) \
    do { \
        if (!(cond)) \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

START_TEST(seeding_is_splitmix64)
{
    /* the reference splitmix64 sequence for seed 1234567 */
    theta_rng r;
    theta_rng_seed(&r, 1234567);
    ck_assert_uint_eq(r.s[0], 6457827717110365317ULL);
    ck_assert_uint_eq(r.s[1], 3203168211198807973ULL);
    ck_assert_uint_eq(r.s[2], 9817491932198370423ULL);
    ck_assert_uint_eq(r.s[3], 4593380528125082431ULL);
}
END_TEST

START_TEST(known_answers)
{
    /* xoshiro256** outputs, from an independent implementation */
    static const struct { uint64_t seed, out[4]; } cases[] = {
        {0, {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL,
             0x6aa594f1262d2d2cULL}},
        {1, {0xb3f2af6d0fc710c5ULL, 0x853b559647364ceaULL, 0x92f89756082a4514ULL,
             0x642e1c7bc266a3a7ULL}},
        {12345, {0xbe6a36374160d49bULL, 0x214aaa0637a688c6ULL, 0xf69d16de9954d388ULL,
                 0x0c60048c4e96e033ULL}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        theta_rng r;
        theta_rng_seed(&r, cases[c].seed);
        for (int k = 0; k < 4; k++)
            ck_assert_uint_eq(theta_rng_next(&r), cases[c].out[k]);
    }
    ck_assert_uint_eq(theta_seed_mix(1, 2, 3), 0xd0734750fde362b3ULL);
}
END_TEST

START_TEST(same_seed_same_stream)
{
    theta_rng a, b, c;
    theta_rng_seed(&a, 77);
    theta_rng_seed(&b, 77);
    theta_rng_seed(&c, 78);
    int differ = 0;
    for (int k = 0; k < 100000; k++) {
        uint64_t x = theta_rng_next(&a), y = theta_rng_next(&b), z = theta_rng_next(&c);
        REQUIRE(x == y, "draw %d differs for the same seed", k);
        differ += x != z;
    }
    ck_assert_int_eq(differ, 100000);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
    /* reseeding restarts the stream */
    theta_rng_seed(&a, 77);
    theta_rng_seed(&b, 77);
    theta_rng_next(&b);
    theta_rng_seed(&b, 77);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
}
END_TEST

START_TEST(uniform_range_and_moments)
{
    theta_rng r;
    theta_rng_seed(&r, 2024);
    const int n = 2000000;
    double sum = 0, sum2 = 0, lo = 1, hi = 0;
    int64_t bins[16] = {0};
    for (int k = 0; k < n; k++) {
        double u = theta_rng_uniform(&r);
        REQUIRE(u >= 0.0 && u < 1.0, "uniform gave %.17g", u);
        sum += u;
        sum2 += u * u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        bins[(int)(u * 16)]++;
    }
    /* mean 1/2 with standard error sqrt(1/12 / n) = 2.0e-4; 5 SE */
    double mean = sum / n, var = sum2 / n - mean * mean;
    ck_assert_double_eq_tol(mean, 0.5, 5 * sqrt(1.0 / 12 / n));
    /* variance 1/12; the SE of the sample variance is sqrt(1/180 / n) */
    ck_assert_double_eq_tol(var, 1.0 / 12, 5 * sqrt(1.0 / 180 / n));
    ck_assert_double_lt(lo, 1e-5);
    ck_assert_double_gt(hi, 1 - 1e-5);
    /* 16 bins: chi-square with 15 degrees of freedom; P(> 50) < 1e-5 */
    double chi2 = 0, e = n / 16.0;
    for (int b = 0; b < 16; b++)
        chi2 += (bins[b] - e) * (bins[b] - e) / e;
    ck_assert_double_lt(chi2, 50);
}
END_TEST

START_TEST(uniform_extremes)
{
    /* a state whose next output is 0, and one whose next output is
     * 2^64 - 1: the uniform double is 0 and the largest double below 1 */
    theta_rng r = {{1, 0, 2, 3}};
    ck_assert_uint_eq(theta_rng_next(&r), 0);
    r = (theta_rng){{1, 0, 2, 3}};
    ck_assert(theta_rng_uniform(&r) == 0.0);
    r = (theta_rng){{1, 0x4fc71c71c71c71c7ULL, 2, 3}};
    ck_assert_uint_eq(theta_rng_next(&r), UINT64_MAX);
    r = (theta_rng){{1, 0x4fc71c71c71c71c7ULL, 2, 3}};
    double u = theta_rng_uniform(&r);
    ck_assert(u < 1.0);
    ck_assert(u == 1.0 - 0x1.0p-53);
}
END_TEST

START_TEST(seed_mix_separates_inputs)
{
    uint64_t base = theta_seed_mix(1, 0, 0);
    ck_assert_uint_eq(base, theta_seed_mix(1, 0, 0));
    ck_assert_uint_ne(base, theta_seed_mix(2, 0, 0));
    ck_assert_uint_ne(base, theta_seed_mix(1, 1, 0));
    ck_assert_uint_ne(base, theta_seed_mix(1, 0, 1));
    /* the arguments are not interchangeable */
    ck_assert_uint_ne(theta_seed_mix(1, 2, 3), theta_seed_mix(3, 2, 1));
    ck_assert_uint_ne(theta_seed_mix(1, 2, 3), theta_seed_mix(2, 1, 3));
    ck_assert_uint_ne(theta_seed_mix(0, 1, 0), theta_seed_mix(0, 0, 1));
    /* chunk seeds of one run are all distinct */
    enum { N = 4096 };
    static uint64_t seen[N];
    for (int i = 0; i < N; i++)
        seen[i] = theta_seed_mix(7, (uint64_t)(i / 64), (uint64_t)(i % 64));
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            REQUIRE(seen[i] != seen[j], "seeds %d and %d collide", i, j);
}
END_TEST

Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *core = tcase_create("core");
    tcase_add_test(core, seeding_is_splitmix64);
    tcase_add_test(core, known_answers);
    tcase_add_test(core, same_seed_same_stream);
    tcase_add_test(core, uniform_range_and_moments);
    tcase_add_test(core, uniform_extremes);
    tcase_add_test(core, seed_mix_separates_inputs);
    suite_add_tcase(s, core);
    return s;
}
