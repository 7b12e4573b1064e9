/*
 * fuzz_reader.c — libFuzzer target for the corpus reader (theta_reader_*).
 *
 * Each input is read twice:
 *   1. as the file itself. Unless it starts with the gzip magic, the reader
 *      must succeed and return exactly the tokens of a reference tokenizer
 *      written here from the rules in theta.h; with the magic it must not
 *      crash, and a failure must come with a message.
 *   2. gzip-compressed by zlib as two members (split at a point the input
 *      chooses; either member may be empty): the reader must succeed and
 *      return the same tokens as the reference on the plain bytes.
 */
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "theta.h"

typedef struct {
    unsigned char *s;
    size_t len, cap;
} text;

static void text_add(text *t, const void *p, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        FUZZ_REQUIRE(t->s != NULL, "out of memory");
    }
    memcpy(t->s + t->len, p, n);
    t->len += n;
}

/* Tokens joined by '\n' (never inside a token). */
static void add_token(text *t, const void *p, size_t n)
{
    text_add(t, p, n);
    text_add(t, "\n", 1);
}

static int is_sep(unsigned char c)
{
    return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The reference: split on NUL and ASCII whitespace, '\n' is THETA_EOS; a
 * word longer than THETA_MAX_WORD bytes keeps the longest prefix of at most
 * THETA_MAX_WORD bytes that does not end inside a UTF-8 character, looking
 * back over at most 3 continuation bytes (else THETA_MAX_WORD bytes). */
static void reference(const uint8_t *d, size_t n, text *out)
{
    size_t i = 0;
    while (i < n) {
        if (d[i] == '\n') {
            add_token(out, THETA_EOS, strlen(THETA_EOS));
            i++;
            continue;
        }
        if (is_sep(d[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !is_sep(d[j]))
            j++;
        size_t len = j - i;
        if (len > THETA_MAX_WORD) {
            size_t keep = THETA_MAX_WORD;
            for (int back = 0; back < 4; back++) {
                if ((d[i + THETA_MAX_WORD - back] & 0xC0) != 0x80) {
                    keep = THETA_MAX_WORD - back;
                    break;
                }
            }
            len = keep;
        }
        add_token(out, d + i, len);
        i = j;
    }
}

/* Reads every token of path; returns 0 on a clean end and close, -1 otherwise. */
static int read_all(const char *path, text *out)
{
    theta_reader *r;
    FUZZ_REQUIRE(theta_reader_open(path, &r) == THETA_OK, "open: %s", theta_last_error());
    const char *w;
    size_t len;
    int rc;
    while ((rc = theta_reader_next(r, &w, &len)) > 0) {
        FUZZ_REQUIRE(len >= 1 && len <= THETA_MAX_WORD, "token of %zu bytes", len);
        for (size_t k = 0; k < len; k++)
            FUZZ_REQUIRE(!is_sep((unsigned char)w[k]), "separator inside a token");
        add_token(out, w, len);
    }
    FUZZ_REQUIRE(rc == 0 || rc == -1, "theta_reader_next returned %d", rc);
    if (rc < 0)
        FUZZ_REQUIRE(theta_last_error()[0] != '\0', "an error without a message");
    theta_status st = theta_reader_close(r);
    if (rc < 0)
        FUZZ_REQUIRE(st != THETA_OK, "an error seen by next, but close reports success");
    /* batches (of a size taken from the input) give the same tokens and end */
    const int batch = 1 + (int)(out->len % 64);
    text again = {0};
    FUZZ_REQUIRE(theta_reader_open(path, &r) == THETA_OK, "open: %s", theta_last_error());
    const char *bw[64];
    uint32_t bl[64];
    int brc;
    while ((brc = theta_reader_next_batch(r, bw, bl, batch)) > 0) {
        FUZZ_REQUIRE(brc <= batch, "a batch of %d tokens, at most %d asked", brc, batch);
        for (int k = 0; k < brc; k++)
            add_token(&again, bw[k], bl[k]);
    }
    theta_status bst = theta_reader_close(r);
    FUZZ_REQUIRE(brc == rc && bst == st, "batches end %d/%d, one by one %d/%d", brc, bst, rc, st);
    FUZZ_REQUIRE(again.len == out->len && (out->len == 0 || memcmp(again.s, out->s, out->len) == 0),
                 "batches of %d give other tokens", batch);
    free(again.s);
    return rc == 0 && st == THETA_OK ? 0 : -1;
}

/* One complete gzip member of d[0..n) appended to out. */
static void gzip_member(const uint8_t *d, size_t n, text *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    FUZZ_REQUIRE(deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK,
                 "deflateInit2");
    uLong bound = deflateBound(&z, (uLong)n) + 32;
    unsigned char *buf = malloc(bound);
    FUZZ_REQUIRE(buf != NULL, "out of memory");
    z.next_in = (unsigned char *)d;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)bound;
    FUZZ_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
    text_add(out, buf, bound - z.avail_out);
    deflateEnd(&z);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    text want = {0}, got = {0}, gz = {0};
    reference(data, size, &want);

    int ok = read_all(fuzz_file(data, size), &got);
    int gzip_magic = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (!gzip_magic) {
        FUZZ_REQUIRE(ok == 0, "plain input refused: %s", theta_last_error());
        FUZZ_REQUIRE(got.len == want.len && (got.len == 0 || memcmp(got.s, want.s, got.len) == 0),
                     "plain tokens differ from the reference");
    }

    size_t split = size ? data[size - 1] % (size + 1) : 0;
    gzip_member(data, split, &gz);
    gzip_member(data + split, size - split, &gz);
    got.len = 0;
    ok = read_all(fuzz_file(gz.s, gz.len), &got);
    FUZZ_REQUIRE(ok == 0, "gzip input refused: %s", theta_last_error());
    FUZZ_REQUIRE(got.len == want.len && (got.len == 0 || memcmp(got.s, want.s, got.len) == 0),
                 "gzip tokens differ from the reference");
    free(want.s);
    free(got.s);
    free(gz.s);
    return 0;
}
