/* check_huffman.c — the Huffman tree of hierarchical softmax: a real binary
 * tree (each word's path walks from the root to its own leaf), prefix-free
 * codes, Kraft equality, inner node ids 0..V-2 with the root V-2, code
 * lengths that never grow with the count, optimal total cost, max_depth,
 * V = 2 and V < 2. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

/* An assertion for hot loops: Check's ck_assert records its location with a
 * write to the runner on every *passing* check, which costs a system call. */
#define REQUIRE(cond, ...) \
    do { \
        if (!(cond)) \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

/* A finalized vocabulary: counts[0] for </s>, then words w1.. (any order;
 * finalize sorts them). */
static theta_vocab *vocab_of(const int64_t *counts, int n)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(theta_vocab_add(v, "</s>", 4, counts[0]), THETA_OK);
    for (int i = 1; i < n; i++) {
        char w[32];
        snprintf(w, sizeof w, "w%06d", i);
        ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), counts[i]), THETA_OK);
    }
    ck_assert_int_eq(theta_vocab_finalize(v, 0, 0), THETA_OK);
    ck_assert_int_eq(v->size, n);
    return v;
}

/* The optimal (Huffman) cost sum(count * depth) computed independently:
 * repeatedly merge the two smallest weights, O(n^2). */
static int64_t huffman_cost(const theta_vocab *v)
{
    int n = v->size;
    int64_t *w = malloc((size_t)n * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (int i = 0; i < n; i++)
        w[i] = v->entries[i].count;
    int64_t cost = 0;
    for (int live = n; live > 1; live--) {
        int a = 0, b = 1;
        if (w[b] < w[a]) {
            a = 1;
            b = 0;
        }
        for (int i = 2; i < live; i++) {
            if (w[i] < w[a]) {
                b = a;
                a = i;
            } else if (w[i] < w[b]) {
                b = i;
            }
        }
        int64_t merged = w[a] + w[b];
        cost += merged;
        int lo = a < b ? a : b, hi = a < b ? b : a;
        w[lo] = merged;
        w[hi] = w[live - 1];
    }
    free(w);
    return cost;
}

/* Checks everything a Huffman tree for v must satisfy. */
static void check_tree(const theta_huffman *h, const theta_vocab *v)
{
    int32_t n = v->size;
    ck_assert_int_eq(h->n, n);
    ck_assert_int_eq(h->offset[0], 0);
    /* child[2 * node + bit]: an inner node id (>= 0), a leaf -(w + 1), or
     * unset (INT32_MIN). Walking every path fills the table; a conflict means
     * two paths disagree on the tree, or two words share a code (not
     * prefix-free), or a word's code is a prefix of another's. */
    int32_t *child = malloc((size_t)(n - 1) * 2 * sizeof *child);
    ck_assert_ptr_nonnull(child);
    for (int32_t i = 0; i < 2 * (n - 1); i++)
        child[i] = INT32_MIN;
    int32_t maxlen = 0;
    int64_t cost = 0;
    for (int32_t w = 0; w < n; w++) {
        int64_t a = h->offset[w], b = h->offset[w + 1];
        int64_t len = b - a;
        REQUIRE(len >= 1 && len <= n - 1, "word %d: code length %lld", w, (long long)len);
        REQUIRE(h->point[a] == n - 2, "word %d: path starts at %d, not the root %d", w,
                h->point[a], n - 2);
        for (int64_t k = a; k < b; k++) {
            int32_t node = h->point[k];
            REQUIRE(node >= 0 && node <= n - 2, "word %d: inner node id %d", w, node);
            REQUIRE(h->code[k] <= 1, "word %d: code bit %d", w, h->code[k]);
            int32_t next = k + 1 < b ? h->point[k + 1] : -(w + 1);
            int32_t *slot = &child[2 * node + h->code[k]];
            REQUIRE(*slot == INT32_MIN || *slot == next,
                    "word %d: edge (%d, %d) leads to %d here and %d elsewhere", w, node,
                    h->code[k], next, *slot);
            *slot = next;
        }
        if (len > maxlen)
            maxlen = (int32_t)len;
        cost += v->entries[w].count * len;
    }
    /* a full binary tree: every inner node has both children, and every
     * inner node but the root is some node's child exactly once */
    int32_t *parents = calloc((size_t)n, sizeof *parents);
    ck_assert_ptr_nonnull(parents);
    int leaves = 0;
    for (int32_t i = 0; i < 2 * (n - 1); i++) {
        REQUIRE(child[i] != INT32_MIN, "inner node %d has no child %d", i / 2, i % 2);
        if (child[i] >= 0)
            parents[child[i]]++;
        else
            leaves++;
    }
    ck_assert_int_eq(leaves, n);
    for (int32_t i = 0; i < n - 1; i++)
        REQUIRE(parents[i] == (i == n - 2 ? 0 : 1), "inner node %d has %d parents", i, parents[i]);
    free(parents);
    free(child);
    ck_assert_int_eq(h->max_depth, maxlen);
    /* Kraft equality: sum 2^-len == 1, exactly (2^-len is exact in double
     * and the partial sums are dyadic with at most max_depth bits) */
    if (maxlen <= 52) {
        double kraft = 0;
        for (int32_t w = 0; w < n; w++)
            kraft += ldexp(1.0, -(int)(h->offset[w + 1] - h->offset[w]));
        ck_assert(kraft == 1.0);
    }
    /* more frequent -> not longer: with words sorted by count, walk pairs */
    for (int32_t x = 0; x < n; x++)
        for (int32_t y = 0; y < n; y++)
            if (v->entries[x].count > v->entries[y].count)
                REQUIRE(h->offset[x + 1] - h->offset[x] <= h->offset[y + 1] - h->offset[y],
                        "word %d (count %lld) has a longer code than word %d (count %lld)", x,
                        (long long)v->entries[x].count, y, (long long)v->entries[y].count);
    /* and the tree is optimal */
    ck_assert_int_eq(cost, huffman_cost(v));
}

START_TEST(small_known_tree)
{
    /* counts 0(</s>) 8 4 2 1 1: a chain; depths 4 1 2 3 5 5... computed: */
    static const int64_t counts[] = {0, 8, 4, 2, 1, 1};
    theta_vocab *v = vocab_of(counts, 6);
    theta_huffman h;
    ck_assert_int_eq(theta_huffman_build(&h, v), THETA_OK);
    check_tree(&h, v);
    /* merges: 0+1=1, 1+1=2, 2+2=4, 4+4=8, 8+8=16: w1 depth 1, w2 2, w3 3,
     * then {w4 or w5} 4 and the other with </s> at 5 */
    ck_assert_int_eq(h.offset[2] - h.offset[1], 1);
    ck_assert_int_eq(h.offset[3] - h.offset[2], 2);
    ck_assert_int_eq(h.offset[4] - h.offset[3], 3);
    ck_assert_int_eq(h.offset[1] - h.offset[0], 5); /* </s>, count 0 */
    ck_assert_int_eq(h.max_depth, 5);
    ck_assert_int_eq(h.offset[6], 1 + 2 + 3 + 4 + 5 + 5);
    theta_huffman_free(&h);
    ck_assert_ptr_null(h.code);
    ck_assert_ptr_null(h.point);
    ck_assert_ptr_null(h.offset);
    theta_vocab_free(v);
}
END_TEST

START_TEST(zipf_vocabulary)
{
    int n = 1500;
    int64_t *counts = malloc((size_t)n * sizeof *counts);
    ck_assert_ptr_nonnull(counts);
    counts[0] = 40000; /* </s> among the frequent words */
    for (int i = 1; i < n; i++)
        counts[i] = 1000000 / i + 1;
    theta_vocab *v = vocab_of(counts, n);
    theta_huffman h;
    ck_assert_int_eq(theta_huffman_build(&h, v), THETA_OK);
    check_tree(&h, v);
    ck_assert_int_lt(h.max_depth, 40);
    theta_huffman_free(&h);
    theta_vocab_free(v);
    free(counts);
}
END_TEST

START_TEST(random_counts_with_ties)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        theta_rng rng;
        theta_rng_seed(&rng, seed);
        int n = 2 + (int)(theta_rng_next(&rng) % 300);
        int64_t *counts = malloc((size_t)n * sizeof *counts);
        ck_assert_ptr_nonnull(counts);
        for (int i = 0; i < n; i++)
            counts[i] = (int64_t)(theta_rng_next(&rng) % (seed % 2 ? 5 : 100000));
        theta_vocab *v = vocab_of(counts, n);
        theta_huffman h;
        ck_assert_int_eq(theta_huffman_build(&h, v), THETA_OK);
        check_tree(&h, v);
        theta_huffman_free(&h);
        theta_vocab_free(v);
        free(counts);
    }
}
END_TEST

START_TEST(equal_counts_balanced)
{
    /* 64 equal counts: a complete tree, every code 6 bits */
    int64_t counts[64];
    for (int i = 0; i < 64; i++)
        counts[i] = 10;
    theta_vocab *v = vocab_of(counts, 64);
    theta_huffman h;
    ck_assert_int_eq(theta_huffman_build(&h, v), THETA_OK);
    check_tree(&h, v);
    for (int w = 0; w < 64; w++)
        ck_assert_int_eq(h.offset[w + 1] - h.offset[w], 6);
    ck_assert_int_eq(h.max_depth, 6);
    theta_huffman_free(&h);
    theta_vocab_free(v);
}
END_TEST

START_TEST(fibonacci_counts_max_depth)
{
    /* Fibonacci counts give the deepest possible tree: depth n - 1 */
    int n = 40;
    int64_t counts[40];
    int64_t a = 1, b = 1;
    for (int i = 0; i < n; i++) {
        counts[n - 1 - i] = a; /* any order: finalize sorts */
        int64_t c = a + b;
        a = b;
        b = c;
    }
    /* </s> (entry 0) gets the largest count: it must be placed right */
    theta_vocab *v = vocab_of(counts, n);
    theta_huffman h;
    ck_assert_int_eq(theta_huffman_build(&h, v), THETA_OK);
    check_tree(&h, v);
    ck_assert_int_eq(h.max_depth, n - 1);
    theta_huffman_free(&h);
    theta_vocab_free(v);
}
END_TEST

START_TEST(two_words)
{
    static const int64_t counts[] = {3, 9};
    theta_vocab *v = vocab_of(counts, 2);
    theta_huffman h;
    ck_assert_int_eq(theta_huffman_build(&h, v), THETA_OK);
    check_tree(&h, v);
    ck_assert_int_eq(h.n, 2);
    ck_assert_int_eq(h.max_depth, 1);
    ck_assert_int_eq(h.offset[1], 1);
    ck_assert_int_eq(h.offset[2], 2);
    ck_assert_int_eq(h.point[0], 0);
    ck_assert_int_eq(h.point[1], 0);
    ck_assert_int_ne(h.code[0], h.code[1]);
    theta_huffman_free(&h);
    theta_vocab_free(v);
}
END_TEST

START_TEST(fewer_than_two_words)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    ck_assert_int_eq(v->size, 1);
    theta_huffman h;
    memset(&h, 0xab, sizeof h);
    ck_assert_int_eq(theta_huffman_build(&h, v), THETA_EDATA);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "2 words"));
    ck_assert_ptr_null(h.offset);
    ck_assert_ptr_null(h.code);
    ck_assert_ptr_null(h.point);
    theta_huffman_free(&h); /* safe after a failure */
    theta_vocab_free(v);
}
END_TEST

Suite *huffman_suite(void)
{
    Suite *s = suite_create("huffman");
    TCase *core = tcase_create("core");
    tcase_add_test(core, small_known_tree);
    tcase_add_test(core, zipf_vocabulary);
    tcase_add_test(core, random_counts_with_ties);
    tcase_add_test(core, equal_counts_balanced);
    tcase_add_test(core, fibonacci_counts_max_depth);
    tcase_add_test(core, two_words);
    suite_add_tcase(s, core);
    TCase *err = tcase_create("errors");
    tcase_add_test(err, fewer_than_two_words);
    suite_add_tcase(s, err);
    return s;
}
