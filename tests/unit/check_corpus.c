/* check_corpus.c — the streaming corpus reader: tokens, separators, long
 * words, buffer boundaries, gzip (plain vs gz, damaged, multi-member),
 * errors, byte counts and the standard-input spool. */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
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

#define BUF (256 * 1024) /* the reader's internal buffer (corpus.c READ_BUFFER) */

/* A token stream flattened into one string: each token followed by '\n'
 * (tokens never contain '\n'; a sentence end shows as "</s>"). */
typedef struct {
    char *s;
    size_t len, cap;
    int n;
} toks;

static void toks_add(toks *t, const char *w, size_t len)
{
    if (t->len + len + 2 > t->cap) {
        t->cap = (t->len + len + 2) * 2;
        t->s = realloc(t->s, t->cap);
        REQUIRE(t->s != NULL, "out of memory");
    }
    memcpy(t->s + t->len, w, len);
    t->len += len;
    t->s[t->len++] = '\n';
    t->s[t->len] = '\0';
    t->n++;
}

static void toks_free(toks *t)
{
    free(t->s);
    memset(t, 0, sizeof *t);
}

/* Every token of r into out (reset first): with theta_reader_next when batch
 * is 0, else with theta_reader_next_batch, at most `batch` tokens a call.
 * Returns the last return of the reader (0 = clean end, -1 = error). */
static int collect(theta_reader *r, int batch, toks *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    toks_add(out, "", 0); /* never empty: s is always allocated */
    out->len = 0;
    out->n = 0;
    out->s[0] = '\0';
    if (batch == 0) {
        const char *w;
        size_t len;
        while ((rc = theta_reader_next(r, &w, &len)) > 0) {
            REQUIRE(len > 0 && len <= THETA_MAX_WORD, "token of %zu bytes", len);
            toks_add(out, w, len);
        }
    } else {
        const char *w[64];
        uint32_t len[64];
        while ((rc = theta_reader_next_batch(r, w, len, batch)) > 0) {
            REQUIRE(rc <= batch, "batch of %d tokens, asked for at most %d", rc, batch);
            for (int i = 0; i < rc; i++) {
                REQUIRE(len[i] > 0 && len[i] <= THETA_MAX_WORD, "token of %u bytes", len[i]);
                toks_add(out, w[i], len[i]);
            }
        }
    }
    return rc;
}

/* One pass over path (see collect); returns the status of theta_reader_close. */
static theta_status read_pass(const char *path, int batch, toks *out, int *last)
{
    theta_reader *r = NULL;
    ck_assert_int_eq(theta_reader_open(path, &r), THETA_OK);
    *last = collect(r, batch, out);
    return theta_reader_close(r);
}

/* Reads every token of path. *last is the final return of theta_reader_next
 * (0 = clean end, -1 = error); returns the status of theta_reader_close.
 * Every file is read again in batches of several sizes, which must give the
 * same tokens, the same end and the same closing status (standard input,
 * which cannot be read twice, is read in batches only). */
static theta_status read_tokens(const char *path, toks *out, int *last)
{
    if (strcmp(path, "-") == 0) /* standard input reads once: in batches (which call
                                   theta_reader_next at every refill) */
        return read_pass(path, 5, out, last);
    theta_status st = read_pass(path, 0, out, last);
    static const int batches[] = {1, 5, 64};
    for (size_t b = 0; b < sizeof batches / sizeof *batches; b++) {
        toks t;
        int blast;
        theta_status bst = read_pass(path, batches[b], &t, &blast);
        REQUIRE(bst == st && blast == *last, "batches of %d: status %d end %d, one by one %d %d",
                batches[b], bst, blast, st, *last);
        REQUIRE(t.n == out->n && t.len == out->len && memcmp(t.s, out->s, t.len) == 0,
                "batches of %d: %d tokens, one by one %d (or different bytes)", batches[b], t.n,
                out->n);
        toks_free(&t);
    }
    return st;
}

/* Reads path and requires a clean end. */
static void read_ok(const char *path, toks *out)
{
    int last;
    ck_assert_int_eq(read_tokens(path, out, &last), THETA_OK);
    ck_assert_int_eq(last, 0);
}

/* The reference tokenizer, for ASCII input only: split on NUL and ASCII
 * whitespace, '\n' gives </s>, words cut at THETA_MAX_WORD bytes. */
static void ref_tokens(const char *text, size_t n, toks *out)
{
    memset(out, 0, sizeof *out);
    toks_add(out, "", 0);
    out->len = 0;
    out->n = 0;
    out->s[0] = '\0';
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            toks_add(out, "</s>", 4);
            i++;
        } else if (c == 0 || c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
            i++;
        } else {
            size_t j = i;
            while (j < n && text[j] != '\n' && text[j] != 0 && text[j] != ' ' && text[j] != '\t' &&
                   text[j] != '\r' && text[j] != '\v' && text[j] != '\f')
                j++;
            toks_add(out, text + i, j - i > THETA_MAX_WORD ? THETA_MAX_WORD : j - i);
            i = j;
        }
    }
}

static void write_gz(const char *path, const char *mode, const void *data, size_t len)
{
    gzFile g = gzopen(path, mode);
    ck_assert_msg(g != NULL, "gzopen %s", path);
    const char *p = data;
    while (len > 0) {
        unsigned step = len > (1u << 20) ? (1u << 20) : (unsigned)len;
        ck_assert_int_eq(gzwrite(g, p, step), (int)step);
        p += step;
        len -= step;
    }
    ck_assert_int_eq(gzclose(g), Z_OK);
}

/* n bytes of ASCII text: words of 1..maxw letters from a small alphabet,
 * separated by spaces, tabs and newlines (so it compresses, but not trivially). */
static char *gen_text(size_t n, uint64_t seed, int maxw)
{
    char *t = malloc(n + 1);
    ck_assert_ptr_nonnull(t);
    theta_rng rng;
    theta_rng_seed(&rng, seed);
    size_t i = 0;
    while (i < n) {
        uint64_t x = theta_rng_next(&rng);
        int wl = 1 + (int)(x % (uint64_t)maxw);
        for (int k = 0; k < wl && i < n; k++)
            t[i++] = (char)('a' + (theta_rng_next(&rng) >> 40) % 12);
        if (i < n) {
            int s = (int)((x >> 32) % 16);
            t[i++] = s == 0 ? '\n' : s == 1 ? '\t' : ' ';
        }
    }
    t[n] = '\0';
    return t;
}

/* ---- core --------------------------------------------------------------- */

START_TEST(separators_and_sentence_ends)
{
    char *p = tu_path(tu_dir, "c.txt");
    static const char text[] = "the cat\tsat\r\non  the\vmat\f\n\nx\0y\0\0z \r\n\tend";
    tu_write_file(p, text, sizeof text - 1);
    toks t;
    read_ok(p, &t);
    ck_assert_str_eq(t.s, "the\ncat\nsat\n</s>\non\nthe\nmat\n</s>\n</s>\nx\ny\nz\n</s>\nend\n");
    ck_assert_int_eq(t.n, 14);
    toks_free(&t);
    free(p);
}
END_TEST

START_TEST(no_trailing_newline_and_only_separators)
{
    char *p = tu_path(tu_dir, "c.txt");
    toks t;
    tu_write_file(p, "last", (size_t)-1);
    read_ok(p, &t);
    ck_assert_str_eq(t.s, "last\n");
    toks_free(&t);
    tu_write_file(p, " \t\r\v\f", (size_t)-1);
    read_ok(p, &t);
    ck_assert_int_eq(t.n, 0);
    toks_free(&t);
    tu_write_file(p, "\n\n", (size_t)-1);
    read_ok(p, &t);
    ck_assert_str_eq(t.s, "</s>\n</s>\n");
    toks_free(&t);
    free(p);
}
END_TEST

START_TEST(bytes_are_kept)
{
    /* UTF-8 and high bytes pass through untouched */
    char *p = tu_path(tu_dir, "c.txt");
    tu_write_file(p, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xff\xfe\n", (size_t)-1);
    toks t;
    read_ok(p, &t);
    ck_assert_str_eq(t.s, "caf\xc3\xa9\n\xe6\x97\xa5\xe6\x9c\xac\n\xff\xfe\n</s>\n");
    toks_free(&t);
    free(p);
}
END_TEST

START_TEST(long_ascii_word_cut_at_100)
{
    char *p = tu_path(tu_dir, "c.txt");
    char text[1000];
    size_t n = 0;
    static const int lens[] = {99, 100, 101, 150, 400};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        memset(text + n, 'a' + (int)k, (size_t)lens[k]);
        n += (size_t)lens[k];
        text[n++] = ' ';
    }
    tu_write_file(p, text, n);
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open(p, &r), THETA_OK);
    const char *w;
    size_t len;
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        ck_assert_int_eq(theta_reader_next(r, &w, &len), 1);
        ck_assert_uint_eq(len, lens[k] > 100 ? 100 : (size_t)lens[k]);
        for (size_t i = 0; i < len; i++)
            ck_assert_int_eq(w[i], 'a' + (int)k);
    }
    ck_assert_int_eq(theta_reader_next(r, &w, &len), 0);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    free(p);
}
END_TEST

/* A word of k ASCII bytes followed by characters of width cw (2, 3 or 4
 * bytes) up to about 130 bytes, so a character straddles byte 100. The
 * result must be the longest prefix <= 100 bytes ending on a character
 * boundary: the last boundary k + j*cw <= 100. */
static size_t make_utf8_word(char *w, size_t k, int cw)
{
    static const char *chars[5] = {NULL, NULL, "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        w[n++] = 'x';
    while (n < 130) {
        memcpy(w + n, chars[cw], (size_t)cw);
        n += (size_t)cw;
    }
    return n;
}

static size_t expected_cut(size_t k, int cw)
{
    return k + (100 - k) / (size_t)cw * (size_t)cw;
}

/* Checks the utf-8 cut both in the middle of the buffer (fast path) and on
 * a word that crosses the buffer boundary (slow path). */
START_TEST(long_utf8_word_cut_at_char_boundary)
{
    char *p = tu_path(tu_dir, "c.txt");
    int cw = 2 + _i % 3;
    size_t k = (size_t)(_i / 3); /* 0..3 ASCII bytes before the multi-byte run */
    char w[200];
    size_t wn = make_utf8_word(w, k, cw);
    size_t want = expected_cut(k, cw);
    ck_assert_uint_le(want, 100);
    ck_assert_uint_gt(want + (size_t)cw, 100);
    for (int boundary = 0; boundary < 2; boundary++) {
        /* fast path: "w w\n"; slow path: pad so the word starts 40 bytes before BUF */
        size_t pad = boundary ? BUF - 40 : 0;
        size_t n = pad + 2 * (wn + 1);
        char *text = malloc(n);
        ck_assert_ptr_nonnull(text);
        memset(text, ' ', pad);
        memcpy(text + pad, w, wn);
        text[pad + wn] = ' ';
        memcpy(text + pad + wn + 1, w, wn);
        text[n - 1] = '\n';
        tu_write_file(p, text, n);
        free(text);
        theta_reader *r;
        ck_assert_int_eq(theta_reader_open(p, &r), THETA_OK);
        const char *tw;
        size_t len;
        for (int rep = 0; rep < 2; rep++) {
            ck_assert_int_eq(theta_reader_next(r, &tw, &len), 1);
            ck_assert_msg(len == want, "k=%zu cw=%d boundary=%d: cut at %zu, want %zu", k, cw,
                          boundary, len, want);
            ck_assert_int_eq(memcmp(tw, w, len), 0);
        }
        ck_assert_int_eq(theta_reader_next(r, &tw, &len), 1);
        ck_assert_uint_eq(len, 4);
        ck_assert_int_eq(memcmp(tw, "</s>", 4), 0);
        ck_assert_int_eq(theta_reader_next(r, &tw, &len), 0);
        ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    }
    free(p);
}
END_TEST

START_TEST(long_invalid_utf8_word_is_not_emptied)
{
    /* 150 continuation bytes (not UTF-8, e.g. Latin-1 text): the word must
     * still come out, cut near 100 bytes, not as an empty token */
    char *p = tu_path(tu_dir, "c.txt");
    char text[160];
    memset(text, 0xa0, 150);
    memcpy(text + 150, " ok\n", 4);
    tu_write_file(p, text, 154);
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open(p, &r), THETA_OK);
    const char *w;
    size_t len;
    ck_assert_int_eq(theta_reader_next(r, &w, &len), 1);
    ck_assert_uint_le(len, 100);
    ck_assert_uint_ge(len, 97);
    ck_assert_int_eq((unsigned char)w[0], 0xa0);
    ck_assert_int_eq(theta_reader_next(r, &w, &len), 1);
    ck_assert_uint_eq(len, 2);
    ck_assert_int_eq(memcmp(w, "ok", 2), 0);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    free(p);
}
END_TEST

START_TEST(words_cross_buffer_boundaries_whole)
{
    /* ~900 KB of words 1..120 bytes long: every buffer boundary falls inside
     * some word, at varying offsets; the stream must equal the reference */
    char *p = tu_path(tu_dir, "c.txt");
    size_t n = 3 * BUF + 100000;
    char *text = gen_text(n, 7, 120);
    /* plant known words across the first two boundaries */
    memset(text + BUF - 60, ' ', 1);
    memset(text + BUF - 59, 'q', 90);
    text[BUF + 31] = ' ';
    text[2 * BUF - 1] = '\n'; /* sentence end as the last byte of a buffer */
    text[2 * BUF] = '\r';
    text[2 * BUF + 1] = '\n';
    tu_write_file(p, text, n);
    toks got, want;
    read_ok(p, &got);
    ref_tokens(text, n, &want);
    ck_assert_int_gt(want.n, 10000);
    ck_assert_int_eq(got.n, want.n);
    ck_assert_uint_eq(got.len, want.len);
    ck_assert_int_eq(memcmp(got.s, want.s, want.len), 0);
    char q90[92];
    memset(q90, 'q', 90);
    q90[90] = '\n';
    q90[91] = '\0';
    ck_assert_ptr_nonnull(strstr(got.s, q90));
    toks_free(&got);
    toks_free(&want);
    free(text);
    free(p);
}
END_TEST

START_TEST(every_split_point_of_a_word)
{
    /* the word "boundary" (and a 100+ byte word) at every offset around the
     * end of the first buffer */
    char *p = tu_path(tu_dir, "c.txt");
    size_t n = BUF + 300;
    char *text = malloc(n);
    ck_assert_ptr_nonnull(text);
    for (int wl = 8; wl <= 130; wl += 122) {
        for (size_t start = BUF - (size_t)wl - 1; start <= BUF + 1; start++) {
            memset(text, ' ', n);
            text[10] = 'a';
            for (int i = 0; i < wl; i++)
                text[start + (size_t)i] = (char)('b' + i % 20);
            text[n - 1] = 'z';
            tu_write_file(p, text, n);
            toks got;
            read_ok(p, &got);
            ck_assert_int_eq(got.n, 3);
            size_t keep = wl > 100 ? 100 : (size_t)wl;
            ck_assert_uint_eq(got.len, 2 + keep + 1 + 2);
            ck_assert_int_eq(memcmp(got.s + 2, text + start, keep), 0);
            toks_free(&got);
        }
    }
    free(text);
    free(p);
}
END_TEST

/* ---- gzip --------------------------------------------------------------- */

START_TEST(plain_and_gzip_identical)
{
    char *p = tu_path(tu_dir, "c.txt"), *g = tu_path(tu_dir, "c.txt.gz");
    size_t n = 2 * BUF + 12345;
    char *text = gen_text(n, 3, 15);
    tu_write_file(p, text, n);
    write_gz(g, "wb6", text, n);
    size_t gzlen;
    free(tu_read_file(g, &gzlen));
    ck_assert_uint_lt(gzlen, n); /* it really is compressed */
    toks a, b, want;
    read_ok(p, &a);
    read_ok(g, &b);
    ref_tokens(text, n, &want);
    ck_assert_int_gt(want.n, 50000);
    ck_assert_int_eq(a.n, want.n);
    ck_assert_int_eq(b.n, want.n);
    ck_assert_uint_eq(b.len, want.len);
    ck_assert_int_eq(memcmp(a.s, want.s, want.len), 0);
    ck_assert_int_eq(memcmp(b.s, want.s, want.len), 0);
    toks_free(&a);
    toks_free(&b);
    toks_free(&want);
    free(text);
    free(p);
    free(g);
}
END_TEST

START_TEST(gzip_two_members)
{
    char *g = tu_path(tu_dir, "c.gz");
    write_gz(g, "wb", "first member\n", 13);
    write_gz(g, "ab", "second one\nend", 14);
    toks t;
    read_ok(g, &t);
    ck_assert_str_eq(t.s, "first\nmember\n</s>\nsecond\none\n</s>\nend\n");
    toks_free(&t);
    free(g);
}
END_TEST

/* Segments (file joins with an added sentence end, byte ranges, a gzip
 * file) read in batches give what theta_reader_next gives, at every cut. */
static void read_segments(const theta_segment *segs, int n, int batch, toks *out)
{
    theta_reader *r = NULL;
    ck_assert_int_eq(theta_reader_open_segments(segs, n, &r), THETA_OK);
    ck_assert_int_eq(collect(r, batch, out), 0);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
}

START_TEST(batches_over_segments)
{
    char *a = tu_path(tu_dir, "a.txt"), *g = tu_path(tu_dir, "b.gz"), *c = tu_path(tu_dir, "c.txt");
    tu_write_file(a, "x y", (size_t)-1); /* no final newline: a sentence end is added */
    write_gz(g, "wb", "z w\nv", 5);
    /* c: lines around the buffer size, so ranges and refills meet words */
    size_t clen = 3 * BUF + 1234;
    char *text = malloc(clen);
    for (size_t i = 0; i < clen; i++)
        text[i] = (char)("abcdefgh"[i * 7 % 8]);
    for (size_t i = 5; i < clen; i += 1 + i % 13)
        text[i] = ' ';
    for (size_t i = 100; i < clen; i += BUF / 3 + 17)
        text[i] = '\n';
    tu_write_file(c, text, clen);
    const int64_t cuts[] = {0, 1, 99, 100, 101, BUF - 1, BUF, BUF + 1, 2 * BUF + 5, (int64_t)clen};
    for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
        theta_segment segs[4] = {{a, 0, -1}, {g, 0, -1}, {c, 0, cuts[k]}, {c, cuts[k], -1}};
        toks one;
        read_segments(segs, 4, 0, &one);
        ck_assert_int_gt(one.n, 1000);
        for (int b = 1; b <= 64; b = b * 4 + 1) {
            toks t;
            read_segments(segs, 4, b, &t);
            ck_assert_msg(t.n == one.n && t.len == one.len && memcmp(t.s, one.s, t.len) == 0,
                          "cut %lld, batches of %d: %d tokens, one by one %d",
                          (long long)cuts[k], b, t.n, one.n);
            toks_free(&t);
        }
        ck_assert_int_eq(strncmp(one.s, "x\ny\n</s>\nz\nw\n</s>\nv\n</s>\n", 23), 0);
        toks_free(&one);
    }
    free(text);
    free(a); free(g); free(c);
}
END_TEST

/* A file dealt to the ranks (theta__deal_share, the MPI split): every byte
 * in exactly one rank's ranges, piece i to rank i % size, one equal range per
 * rank with piece 0, an empty range for a rank without a piece; and the ranks'
 * ranges read give every line of the file exactly once. */
START_TEST(deal_share_gives_every_line_to_one_rank)
{
    char *c = tu_path(tu_dir, "deal.txt");
    enum { LINES = 3000 };
    size_t cap = (size_t)LINES * 16, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i < LINES; i++) /* lines of 4..14 bytes: pieces cut them anywhere */
        len += (size_t)snprintf(text + len, cap - len, "w%d %.*s\n", i, i % 7, "xxxxxxx");
    tu_write_file(c, text, len);
    toks whole;
    read_ok(c, &whole);
    const int64_t bytes = (int64_t)len;
    const struct { int size; int64_t piece; } cases[] = {
        {1, 0}, {2, 0}, {3, 0}, {2, 1}, {2, 7}, {3, 100}, {4, 4096}, {3, bytes}, {5, bytes / 2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const int size = cases[k].size;
        const int64_t piece = cases[k].piece;
        unsigned char *owner = calloc((size_t)bytes, 1);
        int *seen = calloc(LINES, sizeof *seen);
        int tokens = 0;
        size_t chars = 0;
        for (int rank = 0; rank < size; rank++) {
            theta_segment *segs = NULL;
            int n = 0;
            ck_assert_int_eq(theta__deal_share(c, bytes, rank, size, piece, &segs, &n), THETA_OK);
            ck_assert_int_ge(n, 1);
            if (piece == 0) {
                ck_assert_int_eq(n, 1);
                ck_assert_int_eq(segs[0].start, bytes * rank / size);
            } else if (piece * rank >= bytes) {
                ck_assert_int_eq(n, 1);
                ck_assert_int_eq(segs[0].start, segs[0].end);
            }
            for (int i = 0; i < n; i++) {
                if (piece > 0 && segs[i].start < segs[i].end) {
                    ck_assert_int_eq(segs[i].start, (rank + (int64_t)i * size) * piece);
                    ck_assert_int_le(segs[i].end - segs[i].start, piece);
                }
                for (int64_t b = segs[i].start; b < segs[i].end; b++) {
                    ck_assert_msg(!owner[b], "size %d piece %lld: byte %lld dealt twice", size,
                                  (long long)piece, (long long)b);
                    owner[b] = 1;
                }
            }
            toks t;
            read_segments(segs, n, 0, &t);
            tokens += t.n;
            chars += t.len;
            for (const char *w = t.s; w && *w; w = strchr(w, '\n') + 1)
                if (w[0] == 'w')
                    seen[atoi(w + 1)]++;
            toks_free(&t);
            free(segs);
        }
        for (int64_t b = 0; b < bytes; b++)
            ck_assert_msg(owner[b], "size %d piece %lld: byte %lld dealt to no rank", size,
                          (long long)piece, (long long)b);
        /* the ranks read every line once: the same tokens, in another order */
        for (int i = 0; i < LINES; i++)
            ck_assert_msg(seen[i] == 1, "size %d piece %lld: line %d read %d times", size,
                          (long long)piece, i, seen[i]);
        ck_assert_int_eq(tokens, whole.n);
        ck_assert_uint_eq(chars, whole.len);
        free(seen);
        free(owner);
    }
    toks_free(&whole);
    free(text);
    free(c);
}
END_TEST

START_TEST(empty_gzip)
{
    char *g = tu_path(tu_dir, "e.gz");
    write_gz(g, "wb", "", 0);
    toks t;
    read_ok(g, &t);
    ck_assert_int_eq(t.n, 0);
    toks_free(&t);
    free(g);
}
END_TEST

/* Reads a damaged file: it must fail (next returns -1 or close reports an
 * error) with THETA_EIO and a message naming the file. With truth, every
 * token delivered before the failure must be a prefix of the true stream
 * (truncation; corrupt data may decode to garbage before its CRC is seen). */
static void expect_damaged(const char *path, const toks *truth, const char *what)
{
    toks t;
    int last;
    theta_status st = read_tokens(path, &t, &last);
    ck_assert_msg(last == -1 || st != THETA_OK, "%s: read %d tokens and ended cleanly", what, t.n);
    ck_assert_msg(st == THETA_EIO, "%s: close gave %d, not THETA_EIO", what, (int)st);
    ck_assert_msg(strstr(theta_last_error(), path) != NULL, "%s: message '%s' does not name %s",
                  what, theta_last_error(), path);
    if (truth) {
        ck_assert_uint_le(t.len, truth->len);
        ck_assert_msg(memcmp(t.s, truth->s, t.len) == 0, "%s: tokens differ before the error",
                      what);
    }
    toks_free(&t);
}

/* Two members where the second one's header is damaged, or junk after the
 * last member: zlib's gzread silently stops at the end of the good member;
 * the reader must not lose the rest of the corpus without saying so. */
START_TEST(gzip_damaged_member_header_is_an_error)
{
    char *a = tu_path(tu_dir, "a.gz"), *g = tu_path(tu_dir, "ab.gz");
    write_gz(a, "wb", "first member\n", 13);
    size_t alen;
    char *first = tu_read_file(a, &alen);
    write_gz(g, "wb", "first member\n", 13);
    size_t n = 100000;
    char *text = gen_text(n, 23, 9);
    write_gz(g, "ab", text, n);
    size_t glen;
    char *gz = tu_read_file(g, &glen);
    ck_assert_int_eq(memcmp(gz, first, alen), 0);
    /* each of the two magic bytes of the second member */
    for (size_t k = 0; k < 2; k++) {
        gz[alen + k] ^= 0x40;
        tu_write_file(g, gz, glen);
        gz[alen + k] ^= 0x40;
        expect_damaged(g, NULL, k ? "second member magic byte 2" : "second member magic byte 1");
    }
    /* junk after a complete file: short, one byte, and longer than any buffer */
    static const size_t junk[] = {1, 7, 600000};
    char *j = malloc(600000);
    ck_assert_ptr_nonnull(j);
    memset(j, 'J', 600000);
    for (size_t k = 0; k < 3; k++) {
        char *both = malloc(glen + junk[k]);
        ck_assert_ptr_nonnull(both);
        memcpy(both, gz, glen);
        memcpy(both + glen, j, junk[k]);
        tu_write_file(g, both, glen + junk[k]);
        free(both);
        expect_damaged(g, NULL, "trailing junk");
    }
    free(j);
    free(gz);
    free(first);
    free(text);
    free(a);
    free(g);
}
END_TEST

START_TEST(gzip_truncated_is_an_error)
{
    char *g = tu_path(tu_dir, "c.gz"), *cut = tu_path(tu_dir, "cut.gz");
    size_t n = 150000;
    char *text = gen_text(n, 11, 9);
    write_gz(g, "wb", text, n);
    size_t glen;
    char *gz = tu_read_file(g, &glen);
    toks truth;
    ref_tokens(text, n, &truth);
    /* cut inside the header, the deflate data, the CRC and the length */
    size_t cuts[] = {2, 5, 10, 11, 20, glen / 3, glen / 2, glen - 9, glen - 8, glen - 5, glen - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "cut at %zu of %zu", cuts[i], glen);
        tu_write_file(cut, gz, cuts[i]);
        expect_damaged(cut, &truth, what);
    }
    toks_free(&truth);
    free(gz);
    free(text);
    free(g);
    free(cut);
}
END_TEST

START_TEST(gzip_corrupt_deflate_is_an_error)
{
    char *g = tu_path(tu_dir, "c.gz"), *bad = tu_path(tu_dir, "bad.gz");
    size_t n = 60000;
    char *text = gen_text(n, 5, 9);
    write_gz(g, "wb", text, n);
    size_t glen;
    char *gz = tu_read_file(g, &glen);
    /* bytes 0..9 are the gzip header (mtime, flags, OS: some are ignored by
     * design); every later byte is deflate data or the CRC/length trailer */
    int tried = 0;
    for (size_t off = 10; off < glen; off += (off < glen - 16 ? 53 : 1)) {
        char what[64];
        snprintf(what, sizeof what, "byte %zu of %zu flipped", off, glen);
        gz[off] ^= 0x55;
        tu_write_file(bad, gz, glen);
        gz[off] ^= 0x55;
        expect_damaged(bad, NULL, what);
        tried++;
    }
    ck_assert_int_gt(tried, 50);
    free(gz);
    free(text);
    free(g);
    free(bad);
}
END_TEST

/* ---- errors and io ------------------------------------------------------ */

START_TEST(missing_file)
{
    char *p = tu_path(tu_dir, "no-such-file.txt");
    theta_reader *r = (theta_reader *)0x1;
    ck_assert_int_eq(theta_reader_open(p, &r), THETA_EIO);
    ck_assert_ptr_eq(r, (theta_reader *)0x1); /* untouched on failure */
    ck_assert_ptr_nonnull(strstr(theta_last_error(), p));
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "No such file"));
    free(p);
}
END_TEST

START_TEST(directory_is_an_error)
{
    theta_reader *r = NULL;
    theta_status st = theta_reader_open(tu_dir, &r);
    if (st == THETA_OK) {
        const char *w;
        size_t len;
        ck_assert_int_eq(theta_reader_next(r, &w, &len), -1);
        ck_assert_ptr_nonnull(strstr(theta_last_error(), tu_dir));
        ck_assert_int_eq(theta_reader_close(r), THETA_EIO);
    } else {
        ck_assert_int_eq(st, THETA_EIO);
    }
    ck_assert_ptr_nonnull(strstr(theta_last_error(), tu_dir));
}
END_TEST

START_TEST(empty_file)
{
    char *p = tu_path(tu_dir, "empty.txt");
    tu_write_file(p, "", 0);
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open(p, &r), THETA_OK);
    const char *w;
    size_t len;
    ck_assert_int_eq(theta_reader_next(r, &w, &len), 0);
    ck_assert_int_eq(theta_reader_next(r, &w, &len), 0); /* stays at the end */
    ck_assert_int_eq(theta_reader_bytes(r), 0);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    ck_assert_int_eq(theta_reader_close(NULL), THETA_OK);
    free(p);
}
END_TEST

START_TEST(reader_bytes_counts_decompressed_input)
{
    char *p = tu_path(tu_dir, "c.txt"), *g = tu_path(tu_dir, "c.gz");
    size_t n = 2 * BUF + 777;
    char *text = gen_text(n, 13, 10);
    tu_write_file(p, text, n);
    write_gz(g, "wb9", text, n);
    const char *paths[2] = {p, g};
    for (int k = 0; k < 2; k++) {
        theta_reader *r;
        ck_assert_int_eq(theta_reader_open(paths[k], &r), THETA_OK);
        ck_assert_int_eq(theta_reader_bytes(r), 0);
        const char *w;
        size_t len;
        ck_assert_int_eq(theta_reader_next(r, &w, &len), 1);
        /* streaming: after one token at most one buffer has been read */
        int64_t b1 = theta_reader_bytes(r);
        ck_assert_int_ge(b1, (int64_t)len);
        ck_assert_int_le(b1, BUF);
        int64_t prev = b1;
        int rc;
        while ((rc = theta_reader_next(r, &w, &len)) > 0) {
            int64_t b = theta_reader_bytes(r);
            REQUIRE(b >= prev, "bytes went back from %lld to %lld", (long long)prev, (long long)b);
            prev = b;
        }
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(theta_reader_bytes(r), (int64_t)n);
        ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    }
    free(text);
    free(p);
    free(g);
}
END_TEST

/* Redirects standard input from path (Check runs each test in its own
 * process, so this does not leak into other tests). */
static void stdin_from(const char *path)
{
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
}

START_TEST(spool_stdin_reads_twice)
{
    char *p = tu_path(tu_dir, "in.txt");
    size_t n = BUF + 5000;
    char *text = gen_text(n, 17, 12);
    tu_write_file(p, text, n);
    stdin_from(p);
    /* spool into our directory (restored below for CK_FORK=no runs) */
    const char *old_tmp = getenv("TMPDIR");
    char *saved_tmp = old_tmp ? strdup(old_tmp) : NULL;
    setenv("TMPDIR", tu_dir, 1);
    char spool[256];
    int fd = -1;
    ck_assert_int_eq(theta_spool_stdin(spool, sizeof spool, &fd), THETA_OK);
    ck_assert_int_ge(fd, 0);
    ck_assert_ptr_nonnull(strstr(spool, "/dev/fd/"));
    toks want, a, b;
    ref_tokens(text, n, &want);
    read_ok(spool, &a);
    read_ok(spool, &b);
    ck_assert_int_eq(a.n, want.n);
    ck_assert_int_eq(b.n, want.n);
    ck_assert_int_eq(memcmp(a.s, want.s, want.len), 0);
    ck_assert_int_eq(memcmp(b.s, want.s, want.len), 0);
    /* the spool file is unlinked: nothing is left in TMPDIR but our input */
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", tu_dir);
    ck_assert_int_eq(system(cmd), 0);
    if (saved_tmp)
        setenv("TMPDIR", saved_tmp, 1);
    else
        unsetenv("TMPDIR");
    free(saved_tmp);
    close(fd);
    toks_free(&want);
    toks_free(&a);
    toks_free(&b);
    free(text);
    free(p);
}
END_TEST

START_TEST(spool_stdin_gzip)
{
    char *g = tu_path(tu_dir, "in.gz");
    write_gz(g, "wb", "zipped words\non stdin\n", 22);
    stdin_from(g);
    char spool[256];
    int fd;
    ck_assert_int_eq(theta_spool_stdin(spool, sizeof spool, &fd), THETA_OK);
    toks t;
    read_ok(spool, &t);
    ck_assert_str_eq(t.s, "zipped\nwords\n</s>\non\nstdin\n</s>\n");
    toks_free(&t);
    close(fd);
    free(g);
}
END_TEST

/* Number of entries in dir (the spool must leave none). */
static int entries_in(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* TMPDIR=dir for one test (restored: CK_FORK=no runs share the process). */
static char *set_tmpdir(const char *dir)
{
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", dir, 1);
    return saved;
}

static void restore_tmpdir(char *saved)
{
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

START_TEST(spool_fifo_reads_twice_and_leaves_nothing)
{
    char *dir = tu_tmpdir(), *spooldir = tu_path(dir, "tmp");
    char *fifo = tu_path(dir, "fifo"), *plain = tu_path(dir, "plain.txt");
    ck_assert_int_eq(mkdir(spooldir, 0700), 0);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    size_t n = 3 * BUF + 777;
    char *text = gen_text(n, 5, 9);
    tu_write_file(plain, text, n);
    ck_assert_int_eq(theta_input_is_stream(fifo), 1);
    ck_assert_int_eq(theta_input_is_stream(plain), 0);
    ck_assert_int_eq(theta_input_is_stream("/dev/null"), 1); /* a character device */
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* the writer, as `cat plain > fifo &` */
        FILE *f = fopen(fifo, "wb");
        _exit(f && fwrite(text, 1, n, f) == n && fclose(f) == 0 ? 0 : 1);
    }
    char *saved = set_tmpdir(spooldir);
    char spool[256];
    int fd = -1;
    int64_t bytes = -1;
    ck_assert_msg(theta_spool_open(fifo, spool, sizeof spool, &fd, &bytes) == THETA_OK, "%s",
                  theta_last_error());
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    ck_assert_int_eq(bytes, (int64_t)n);
    ck_assert_int_eq(theta_input_is_stream(spool), 0); /* the spool is a regular file */
    /* nameless from the start: the spool directory stays empty */
    ck_assert_int_eq(entries_in(spooldir), 0);
    toks want, a, b;
    ref_tokens(text, n, &want);
    read_ok(spool, &a);
    read_ok(spool, &b);
    ck_assert_int_eq(a.n, want.n);
    ck_assert_int_eq(memcmp(a.s, want.s, want.len), 0);
    ck_assert_int_eq(memcmp(b.s, want.s, want.len), 0);
    /* its fingerprint is the file's */
    uint64_t fb, pb;
    uint32_t fc, pc;
    ck_assert_int_eq(theta_corpus_fingerprint(spool, &fb, &fc), THETA_OK);
    ck_assert_int_eq(theta_corpus_fingerprint(plain, &pb, &pc), THETA_OK);
    ck_assert_uint_eq(fb, pb);
    ck_assert_uint_eq(fc, pc);
    close(fd);
    /* a missing input is named */
    ck_assert_int_eq(theta_spool_open("/nonexistent/fifo", spool, sizeof spool, &fd, NULL),
                     THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "/nonexistent/fifo: cannot open"));
    restore_tmpdir(saved);
    toks_free(&want);
    toks_free(&a);
    toks_free(&b);
    free(text);
    tu_rmdir(dir);
    free(fifo);
    free(plain);
    free(spooldir);
    free(dir);
}
END_TEST

/* A $TMPDIR too small for the input: the error says so and nothing stays
 * behind. A 64 KB tmpfs when this runs as root, else a file size limit
 * (RLIMIT_FSIZE, as `ulimit -f`) in a child. */
START_TEST(spool_full_tmpdir_says_so)
{
    char *dir = tu_tmpdir(), *small = tu_path(dir, "small"), *in = tu_path(dir, "in.txt");
    ck_assert_int_eq(mkdir(small, 0700), 0);
    size_t n = 300 * 1024;
    char *text = gen_text(n, 9, 7);
    tu_write_file(in, text, n);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=64k tmpfs '%s' 2>/dev/null", small);
    int mounted = geteuid() == 0 && system(cmd) == 0;
    fflush(NULL);
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!mounted) {
            struct rlimit rl = {64 * 1024, 64 * 1024};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        setenv("TMPDIR", small, 1);
        char spool[256];
        int fd;
        theta_status st = theta_spool_open(in, spool, sizeof spool, &fd, NULL);
        const char *msg = theta_last_error();
        ssize_t w = write(pipefd[1], msg, strlen(msg));
        _exit(st == THETA_EIO && w > 0 ? 0 : 1);
    }
    close(pipefd[1]);
    char msg[2048] = {0};
    ssize_t got = read(pipefd[0], msg, sizeof msg - 1);
    close(pipefd[0]);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    char want[4400];
    snprintf(want, sizeof want, "$TMPDIR (%s): no space left to spool %s", small, in);
    int left = entries_in(small);
    if (mounted) {
        snprintf(cmd, sizeof cmd, "umount '%s'", small);
        ck_assert_int_eq(system(cmd), 0);
    }
    ck_assert_msg(got > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "message: %s", msg);
    ck_assert_msg(strstr(msg, want) != NULL, "message: %s", msg);
    ck_assert_msg(strstr(msg, "set TMPDIR to a larger disk") != NULL, "message: %s", msg);
    ck_assert_int_eq(left, 0);
    free(text);
    tu_rmdir(dir);
    free(small);
    free(in);
    free(dir);
}
END_TEST

START_TEST(read_stdin_dash)
{
    char *p = tu_path(tu_dir, "in.txt");
    tu_write_file(p, "from standard input\n", (size_t)-1);
    stdin_from(p);
    toks t;
    read_ok("-", &t);
    ck_assert_str_eq(t.s, "from\nstandard\ninput\n</s>\n");
    toks_free(&t);
    free(p);
}
END_TEST

/* Standard input from a pipe fed one byte at a time by a child process:
 * the gzip magic, headers and member boundaries arrive split across reads. */
static void stdin_from_trickle(const char *data, size_t len)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        for (size_t i = 0; i < len; i++) {
            if (write(fds[1], data + i, 1) != 1)
                _exit(1);
            usleep(100);
        }
        _exit(0);
    }
    close(fds[1]);
    ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
}

START_TEST(stdin_pipe_in_single_bytes)
{
    char *g = tu_path(tu_dir, "in.gz");
    write_gz(g, "wb", "one two\n", 8);
    write_gz(g, "ab", "three\n", 6);
    size_t glen;
    char *gz = tu_read_file(g, &glen);
    const char *plain = "plain  text\r\nover a pipe";
    for (int k = 0; k < 2; k++) {
        stdin_from_trickle(k ? plain : gz, k ? strlen(plain) : glen);
        toks t;
        read_ok("-", &t);
        ck_assert_str_eq(t.s, k ? "plain\ntext\n</s>\nover\na\npipe\n"
                                : "one\ntwo\n</s>\nthree\n</s>\n");
        toks_free(&t);
        int status;
        ck_assert_int_gt(wait(&status), 0);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    free(gz);
    free(g);
}
END_TEST

/* Feeds a pipe one byte at a time and, before each byte, interrupts the
 * reading thread with SIGUSR1 (no SA_RESTART), so its read() fails with
 * EINTR about as often as it returns data. */
typedef struct {
    pthread_t reader;
    int fd;            /* the write end; closed at the end */
    const char *bytes;
    size_t n;
    int signals;       /* interruptions before the first byte (and after the last) */
} eintr_feed;

static void on_usr1(int sig)
{
    (void)sig;
}

static void pause_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void *feed_with_eintr(void *arg)
{
    eintr_feed *f = arg;
    for (size_t i = 0; i <= f->n; i++) {
        for (int k = 0; k < (i == 0 || i == f->n ? f->signals : 1); k++) {
            pause_ms(2);
            pthread_kill(f->reader, SIGUSR1);
        }
        pause_ms(2);
        if (i < f->n && write(f->fd, f->bytes + i, 1) != 1)
            break;
    }
    close(f->fd);
    return NULL;
}

/* Spools standard input fed by feed_with_eintr; returns the status and,
 * on success, the spool's path and descriptor. */
static theta_status spool_with_eintr(const char *bytes, size_t n, int signals, char *spool,
                                     size_t size, int *fd)
{
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read() returns EINTR */
    ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old_sa), 0);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    int saved_stdin = dup(STDIN_FILENO);
    ck_assert_int_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
    close(p[0]);
    eintr_feed f = {pthread_self(), p[1], bytes, n, signals};
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, feed_with_eintr, &f), 0);
    theta_status st = theta_spool_stdin(spool, size, fd);
    pthread_join(tid, NULL);
    /* restore standard input and the handler (for CK_FORK=no runs) */
    dup2(saved_stdin, STDIN_FILENO);
    close(saved_stdin);
    sigaction(SIGUSR1, &old_sa, NULL);
    return st;
}

START_TEST(spool_stdin_interrupted_reads)
{
    const char *text = "eintr does not\ncount as bytes\n";
    size_t n = strlen(text);
    char spool[256];
    int fd = -1;
    ck_assert_int_eq(spool_with_eintr(text, n, 3, spool, sizeof spool, &fd), THETA_OK);
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open(spool, &r), THETA_OK);
    const char *w;
    size_t len;
    int nt = 0;
    char got[256] = "";
    while (theta_reader_next(r, &w, &len) == 1) {
        strncat(got, w, len);
        strcat(got, " ");
        nt++;
    }
    ck_assert_int_eq(theta_reader_bytes(r), (int64_t)n);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    ck_assert_str_eq(got, "eintr does not </s> count as bytes </s> ");
    ck_assert_int_eq(nt, 8);
    close(fd);
}
END_TEST

START_TEST(spool_stdin_empty_despite_interrupts)
{
    /* each EINTR used to subtract one from the byte count, so an empty
     * input interrupted a few times was not reported as empty */
    char spool[256];
    int fd = -1;
    ck_assert_int_eq(spool_with_eintr("", 0, 5, spool, sizeof spool, &fd), THETA_EDATA);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "standard input is empty"));
}
END_TEST

START_TEST(truncated_stdin_gzip_names_standard_input)
{
    char *g = tu_path(tu_dir, "in.gz");
    size_t n = 50000;
    char *text = gen_text(n, 19, 9);
    write_gz(g, "wb", text, n);
    size_t glen;
    char *gz = tu_read_file(g, &glen);
    tu_write_file(g, gz, glen / 2);
    stdin_from(g);
    toks t;
    int last;
    theta_status st = read_tokens("-", &t, &last);
    ck_assert(last == -1 || st != THETA_OK);
    ck_assert_int_eq(st, THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "standard input"));
    toks_free(&t);
    free(gz);
    free(text);
    free(g);
}
END_TEST

Suite *corpus_suite(void)
{
    Suite *s = suite_create("corpus");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(core, separators_and_sentence_ends);
    tcase_add_test(core, no_trailing_newline_and_only_separators);
    tcase_add_test(core, bytes_are_kept);
    tcase_add_test(core, long_ascii_word_cut_at_100);
    tcase_add_loop_test(core, long_utf8_word_cut_at_char_boundary, 0, 12);
    tcase_add_test(core, long_invalid_utf8_word_is_not_emptied);
    tcase_add_test(core, words_cross_buffer_boundaries_whole);
    tcase_add_test(core, every_split_point_of_a_word);
    tcase_set_timeout(core, 20);
    suite_add_tcase(s, core);
    TCase *io = tcase_create("io");
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(io, plain_and_gzip_identical);
    tcase_add_test(io, gzip_two_members);
    tcase_add_test(io, batches_over_segments);
    tcase_add_test(io, deal_share_gives_every_line_to_one_rank);
    tcase_add_test(io, empty_gzip);
    tcase_add_test(io, empty_file);
    tcase_add_test(io, reader_bytes_counts_decompressed_input);
    tcase_add_test(io, spool_stdin_reads_twice);
    tcase_add_test(io, spool_stdin_gzip);
    tcase_add_test(io, spool_fifo_reads_twice_and_leaves_nothing);
    tcase_add_test(io, spool_full_tmpdir_says_so);
    tcase_add_test(io, read_stdin_dash);
    tcase_add_test(io, stdin_pipe_in_single_bytes);
    tcase_add_test(io, spool_stdin_interrupted_reads);
    tcase_set_timeout(io, 20);
    suite_add_tcase(s, io);
    TCase *err = tcase_create("errors");
    tcase_add_checked_fixture(err, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(err, missing_file);
    tcase_add_test(err, spool_stdin_empty_despite_interrupts);
    tcase_add_test(err, directory_is_an_error);
    tcase_add_test(err, gzip_truncated_is_an_error);
    tcase_add_test(err, gzip_corrupt_deflate_is_an_error);
    tcase_add_test(err, gzip_damaged_member_header_is_an_error);
    tcase_add_test(err, truncated_stdin_gzip_names_standard_input);
    tcase_set_timeout(err, 20);
    suite_add_tcase(s, err);
    return s;
}
