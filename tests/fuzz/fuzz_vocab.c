/*
 * fuzz_vocab.c — libFuzzer target for theta_vocab_load (word2vec's
 * "word count" vocabulary files).
 *
 * The input is loaded with (min-count 1, no limit) and (min-count 2, at most
 * 3 rows). A failure must come with a message; an input with a NUL byte
 * must fail; a success must be a finalized
 * vocabulary: </s> at id 0, the other words by count (descending) then
 * bytes, none below min-count, every word found at its own id, lengths and
 * the total consistent.
 */
#include <string.h>

#include "fuzz.h"
#include "theta.h"

static void check_vocab(const theta_vocab *v, int64_t min_count, int64_t max_vocab)
{
    FUZZ_REQUIRE(v->size >= 1, "empty vocabulary");
    FUZZ_REQUIRE(max_vocab == 0 || v->size <= max_vocab, "%d rows over max %lld", v->size,
                 (long long)max_vocab);
    FUZZ_REQUIRE(strcmp(v->entries[0].word, THETA_EOS) == 0, "id 0 is not %s", THETA_EOS);
    int64_t total = 0;
    for (int32_t i = 0; i < v->size; i++) {
        const theta_vocab_entry *e = &v->entries[i];
        FUZZ_REQUIRE(e->count >= 0, "negative count");
        FUZZ_REQUIRE(e->len == strlen(e->word), "length of entry %d", i);
        FUZZ_REQUIRE(i == 0 || (e->len > 0 && e->len <= THETA_MAX_WORD), "entry %d: %u bytes", i,
                     e->len);
        FUZZ_REQUIRE(i == 0 || e->count >= min_count, "entry %d below min-count", i);
        FUZZ_REQUIRE(theta_vocab_find(v, e->word, e->len) == i, "entry %d not found", i);
        if (i >= 2) {
            const theta_vocab_entry *p = &v->entries[i - 1];
            FUZZ_REQUIRE(p->count > e->count ||
                             (p->count == e->count && strcmp(p->word, e->word) < 0),
                         "entries %d and %d out of order", i - 1, i);
        }
        total += e->count;
    }
    FUZZ_REQUIRE(total == v->total, "total %lld, counts sum to %lld", (long long)v->total,
                 (long long)total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    static const int64_t limits[2][2] = {{1, 0}, {2, 3}};
    for (int k = 0; k < 2; k++) {
        theta_vocab *v = NULL;
        theta_status st = theta_vocab_load(path, limits[k][0], limits[k][1], &v);
        /* a NUL byte is never part of a valid file */
        FUZZ_REQUIRE(st != THETA_OK || !memchr(data, '\0', size), "a NUL byte was accepted");
        if (st != THETA_OK) {
            FUZZ_REQUIRE(v == NULL, "output written on failure");
            FUZZ_REQUIRE(theta_last_error()[0] != '\0', "failure %d without a message", st);
            continue;
        }
        check_vocab(v, limits[k][0], limits[k][1]);
        theta_vocab_free(v);
    }
    return 0;
}
