/*
 * fuzz_vectors.c — libFuzzer target for theta_vectors_load (word2vec text
 * and binary, fastText .vec, GloVe).
 *
 * A failure must leave the output untouched and come with a message; a
 * success must be a consistent matrix: a known format, dim >= 1, a
 * non-empty NUL-free word per row, and rows x dim floats that can all be
 * read (AddressSanitizer checks the bounds). Vectors read from text must
 * survive a round trip through theta_vectors_write (text) unchanged (NaNs
 * stay NaN). Binary is not round-tripped: its text-or-binary detection is
 * a documented heuristic that crafted float bytes can fool.
 */
#include <string.h>

#include "fuzz.h"
#include "theta.h"

static int same_float(float a, float b)
{
    uint32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    return x == y || (a != a && b != b);
}

static void text_round_trip(const theta_vectors *v)
{
    char path[300];
    snprintf(path, sizeof path, "%s/round-trip.vec", fuzz_dir());
    FUZZ_REQUIRE(theta_vectors_write(path, THETA_VEC_TEXT, v->rows, v->dim, v->data,
                                     (const char *const *)v->words) == THETA_OK,
                 "write: %s", theta_last_error());
    theta_vectors *w = NULL;
    FUZZ_REQUIRE(theta_vectors_load(path, &w) == THETA_OK, "reload: %s", theta_last_error());
    FUZZ_REQUIRE(strcmp(w->format, "word2vec-text") == 0, "reloaded as %s", w->format);
    FUZZ_REQUIRE(w->rows == v->rows && w->dim == v->dim, "reloaded as %lld x %d",
                 (long long)w->rows, w->dim);
    for (int64_t r = 0; r < v->rows; r++) {
        FUZZ_REQUIRE(strcmp(w->words[r], v->words[r]) == 0, "row %lld: word changed",
                     (long long)r);
        for (int d = 0; d < v->dim; d++) {
            size_t i = (size_t)r * (size_t)v->dim + (size_t)d;
            FUZZ_REQUIRE(same_float(w->data[i], v->data[i]), "row %lld value %d: %.9g became %.9g",
                         (long long)r, d, v->data[i], w->data[i]);
        }
    }
    theta_vectors_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    theta_vectors *v = NULL;
    theta_status st = theta_vectors_load(fuzz_file(data, size), &v);
    if (st != THETA_OK) {
        FUZZ_REQUIRE(v == NULL, "output written on failure");
        FUZZ_REQUIRE(theta_last_error()[0] != '\0', "failure %d without a message", st);
        return 0;
    }
    FUZZ_REQUIRE(v->rows >= 0 && v->dim >= 1, "%lld x %d", (long long)v->rows, v->dim);
    FUZZ_REQUIRE(strcmp(v->format, "word2vec-text") == 0 || strcmp(v->format, "word2vec-binary") == 0 ||
                     strcmp(v->format, "glove") == 0,
                 "format '%s'", v->format);
    /* every value and word lies inside the file: a row needs >= 2 bytes per value */
    FUZZ_REQUIRE((uint64_t)v->rows * (uint64_t)v->dim <= size, "%lld x %d values from %zu bytes",
                 (long long)v->rows, v->dim, size);
    uint32_t bits = 0;
    for (int64_t r = 0; r < v->rows; r++) {
        FUZZ_REQUIRE(v->words[r] != NULL && v->words[r][0] != '\0', "row %lld has no word",
                     (long long)r);
        for (int d = 0; d < v->dim; d++) {
            uint32_t u;
            memcpy(&u, &v->data[(size_t)r * (size_t)v->dim + (size_t)d], 4);
            bits ^= u;
        }
    }
    fuzz_sink = bits;
    if (strcmp(v->format, "word2vec-binary") != 0)
        text_round_trip(v);
    theta_vectors_free(v);
    return 0;
}
