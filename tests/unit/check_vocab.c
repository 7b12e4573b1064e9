/* check_vocab.c — vocabulary counting, pruning, ordering, files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"
#include "vocab_hash.h"

static void add(theta_vocab *v, const char *w, int64_t c)
{
    ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), c), THETA_OK);
}

START_TEST(counts_and_order)
{
    theta_vocab *v = theta_vocab_new();
    add(v, "b", 3);
    add(v, "a", 3);
    add(v, "c", 7);
    add(v, "rare", 1);
    add(v, "b", 1);
    ck_assert_int_eq(theta_vocab_finalize(v, 2, 0), THETA_OK);
    ck_assert_int_eq(v->size, 4);
    ck_assert_str_eq(v->entries[0].word, "</s>");
    ck_assert_str_eq(v->entries[1].word, "c");
    ck_assert_str_eq(v->entries[2].word, "b"); /* 4 */
    ck_assert_str_eq(v->entries[3].word, "a"); /* 3 */
    ck_assert_int_eq(v->entries[2].count, 4);
    ck_assert_int_eq(theta_vocab_find(v, "a", 1), 3);
    ck_assert_int_eq(theta_vocab_find(v, "rare", 4), -1);
    ck_assert_int_eq(v->dropped_words, 1);
    ck_assert_int_eq(v->total, 14);
    theta_vocab_free(v);
}
END_TEST

START_TEST(ties_by_bytes_and_max_vocab)
{
    theta_vocab *v = theta_vocab_new();
    add(v, "zeta", 5);
    add(v, "alpha", 5);
    add(v, "beta", 5);
    add(v, "\xc3\xa9t\xc3\xa9", 5);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 4), THETA_OK);
    ck_assert_int_eq(v->size, 4);
    ck_assert_str_eq(v->entries[1].word, "alpha");
    ck_assert_str_eq(v->entries[2].word, "beta");
    ck_assert_str_eq(v->entries[3].word, "zeta");
    ck_assert_int_eq(v->dropped_words, 1); /* the UTF-8 word sorts last by bytes */
    theta_vocab_free(v);
}
END_TEST

START_TEST(pruning_bounds_memory)
{
    theta_vocab *v = theta_vocab_new();
    v->hash->prune_limit = 100;
    /* 10 frequent words and 1000 singletons interleaved */
    char w[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(w, sizeof w, "f%d", i % 10);
        add(v, w, 1);
        add(v, w, 1);
        snprintf(w, sizeof w, "s%d", i);
        add(v, w, 1);
        ck_assert_int_le(v->size, 101);
    }
    ck_assert_int_gt(v->pruned_words, 800);
    ck_assert_int_ge(v->pruned_below, 2);
    ck_assert_int_eq(theta_vocab_finalize(v, 5, 0), THETA_OK);
    ck_assert_int_eq(v->size, 11);
    for (int i = 1; i < 11; i++)
        ck_assert_int_eq(v->entries[i].count, 200);
    theta_vocab_free(v);
}
END_TEST

START_TEST(build_from_corpus_and_roundtrip)
{
    char *corpus = tu_path(tu_dir, "c.txt"), *vf = tu_path(tu_dir, "v.txt");
    tu_write_file(corpus, "the cat the dog\nthe end\n\n", (size_t)-1);
    theta_vocab *v;
    ck_assert_int_eq(theta_vocab_build(corpus, 1, 0, 0, &v), THETA_OK);
    ck_assert_int_eq(v->size, 5);
    ck_assert_str_eq(v->entries[0].word, "</s>");
    ck_assert_int_eq(v->entries[0].count, 3);
    ck_assert_str_eq(v->entries[1].word, "the");
    ck_assert_int_eq(v->entries[1].count, 3);
    ck_assert_int_eq(v->total, 9);
    ck_assert_int_eq(theta_vocab_save(v, vf), THETA_OK);
    char *text = tu_read_file(vf, NULL);
    ck_assert_str_eq(text, "</s> 3\nthe 3\ncat 1\ndog 1\nend 1\n");
    theta_vocab *w;
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &w), THETA_OK);
    ck_assert_int_eq(w->size, v->size);
    ck_assert_uint_eq(theta_vocab_crc(w), theta_vocab_crc(v));
    theta_vocab_free(w);
    theta_vocab_free(v);
    free(text);
    free(corpus); free(vf);
}
END_TEST

START_TEST(load_rejects_malformed)
{
    char *vf = tu_path(tu_dir, "v.txt");
    theta_vocab *v = NULL;
    tu_write_file(vf, "a 3\nb x\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), ":2:"));
    tu_write_file(vf, "a 3\na 4\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    tu_write_file(vf, "", 0);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EDATA);
    ck_assert_int_eq(theta_vocab_load("/nonexistent/v", 1, 0, &v), THETA_EIO);
    ck_assert_ptr_null(v);
    free(vf);
}
END_TEST

START_TEST(many_words_all_findable)
{
    /* 50000 words force several rehashes; every id must still be found */
    theta_vocab *v = theta_vocab_new();
    char w[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(w, sizeof w, "w%d", i);
        ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), 50000 - i), THETA_OK);
    }
    ck_assert_int_eq(v->size, 50000);
    ck_assert_uint_ge(v->hash->table_size, 100000);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    ck_assert_int_eq(v->size, 50001);
    int bad = 0;
    for (int i = 0; i < 50000; i++) {
        snprintf(w, sizeof w, "w%d", i);
        bad += theta_vocab_find(v, w, strlen(w)) != i + 1;
    }
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(theta_vocab_find(v, "w50000", 6), -1);
    ck_assert_int_eq(theta_vocab_find(v, "w1", 1), -1); /* a prefix is not the word */
    ck_assert_int_eq(theta_vocab_find(v, "</s>", 4), 0);
    theta_vocab_free(v);
}
END_TEST

/* Words that share their first THETA__VOCAB_HEAD bytes (kept in the hash
 * slot) or are longer than a slot's length byte are still told apart. */
START_TEST(words_sharing_a_head_are_distinct)
{
    theta_vocab *v = theta_vocab_new();
    char w[400];
    memset(w, 'q', sizeof w);
    const size_t lens[] = {1, 22, 23, 24, 25, 40, 254, 255, 256, 300, 399};
    const size_t n = sizeof lens / sizeof *lens;
    for (size_t i = 0; i < n; i++) /* "qqq...q": the shorter is a prefix of the longer */
        ck_assert_int_eq(theta_vocab_add(v, w, lens[i], (int64_t)(i + 1)), THETA_OK);
    for (size_t i = 0; i < n; i++) { /* the same lengths, last byte different */
        w[lens[i] - 1] = 'z';
        ck_assert_int_eq(theta_vocab_add(v, w, lens[i], 100 + (int64_t)i), THETA_OK);
        w[lens[i] - 1] = 'q';
    }
    ck_assert_int_eq(v->size, (int32_t)(2 * n));
    for (size_t i = 0; i < n; i++) {
        int32_t a = theta_vocab_find(v, w, lens[i]);
        ck_assert_int_ge(a, 0);
        ck_assert_int_eq(v->entries[a].count, (int64_t)(i + 1));
        ck_assert_uint_eq(v->entries[a].len, lens[i]);
        w[lens[i] - 1] = 'z';
        int32_t b = theta_vocab_find(v, w, lens[i]);
        ck_assert_int_ge(b, 0);
        ck_assert_int_eq(v->entries[b].count, 100 + (int64_t)i);
        w[lens[i] - 1] = 'q';
    }
    ck_assert_int_eq(theta_vocab_find(v, w, 26), -1);
    ck_assert_int_eq(theta_vocab_find(v, w, 257), -1);
    /* all still found after finalize's rehash, and through the batch lookup */
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    const char *words[2 * 11];
    uint32_t wl[2 * 11];
    int32_t ids[2 * 11];
    char copies[11][400];
    for (size_t i = 0; i < n; i++) {
        words[2 * i] = w;
        wl[2 * i] = (uint32_t)lens[i];
        memcpy(copies[i], w, sizeof w);
        copies[i][lens[i] - 1] = 'z';
        words[2 * i + 1] = copies[i];
        wl[2 * i + 1] = (uint32_t)lens[i];
    }
    theta_vocab_find_batch(v, words, wl, (int)(2 * n), ids);
    for (size_t i = 0; i < 2 * n; i++) {
        ck_assert_int_gt(ids[i], 0);
        ck_assert_uint_eq(v->entries[ids[i]].len, wl[i]);
        ck_assert_int_eq(memcmp(v->entries[ids[i]].word, words[i], wl[i]), 0);
    }
    theta_vocab_free(v);
}
END_TEST

START_TEST(crc_tracks_words_and_counts)
{
    theta_vocab *a = theta_vocab_new(), *b = theta_vocab_new(), *c = theta_vocab_new();
    add(a, "x", 2);
    add(a, "y", 1);
    add(b, "x", 2);
    add(b, "y", 2);
    add(c, "x", 2);
    add(c, "z", 1);
    ck_assert_int_eq(theta_vocab_finalize(a, 1, 0), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(b, 1, 0), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(c, 1, 0), THETA_OK);
    ck_assert_uint_ne(theta_vocab_crc(a), theta_vocab_crc(b));
    ck_assert_uint_ne(theta_vocab_crc(a), theta_vocab_crc(c));
    /* the documented bytes: each word with its NUL, then the count as u64 LE */
    unsigned char bytes[] = "</s>\0\0\0\0\0\0\0\0\0x\0\2\0\0\0\0\0\0\0y\0\1\0\0\0\0\0\0\0";
    ck_assert_uint_eq(theta_vocab_crc(a), (uint32_t)crc32(0, bytes, sizeof bytes - 1));
    theta_vocab_free(a);
    theta_vocab_free(b);
    theta_vocab_free(c);
}
END_TEST

START_TEST(build_from_gzip_and_damaged_gzip)
{
    char *g = tu_path(tu_dir, "c.gz"), *cut = tu_path(tu_dir, "cut.gz");
    gzFile z = gzopen(g, "wb");
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < 20000; i++)
        gzprintf(z, "alpha beta %d gamma\n", i % 7);
    ck_assert_int_eq(gzclose(z), Z_OK);
    theta_vocab *v = NULL;
    ck_assert_int_eq(theta_vocab_build(g, 2, 0, 0, &v), THETA_OK);
    ck_assert_int_eq(v->size, 11);
    ck_assert_int_eq(v->entries[0].count, 20000);
    ck_assert_int_eq(v->total, 20000 * 5);
    ck_assert_int_eq(theta_vocab_find(v, "6", 1), 10); /* 2857 times, the rarest */
    ck_assert_int_eq(v->entries[10].count, 2857);
    theta_vocab_free(v);
    /* a truncated corpus is an error, not a smaller vocabulary */
    size_t len;
    char *b = tu_read_file(g, &len);
    tu_write_file(cut, b, len - 20);
    v = NULL;
    ck_assert_int_eq(theta_vocab_build(cut, 1, 0, 0, &v), THETA_EIO);
    ck_assert_ptr_null(v);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), cut));
    ck_assert_int_eq(theta_vocab_build("/nonexistent/corpus", 1, 0, 0, &v), THETA_EIO);
    free(b);
    free(g); free(cut);
}
END_TEST

/* A ~6 MB corpus with what a byte-range split has to get right: lines longer
 * than the reader's buffer, CRLF, tabs and NULs, words longer than
 * THETA_MAX_WORD, empty lines, no final newline. */
static char *tricky_corpus(const char *dir, size_t *len_out)
{
    size_t cap = 6u << 20, n = 0;
    char *t = malloc(cap + 4096);
    uint64_t x = 88172645463325252ULL;
    while (n < cap) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned r = (unsigned)(x >> 11);
        unsigned id = r % (1 + (r >> 8) % 3000); /* skewed: small ids are frequent */
        n += (size_t)sprintf(t + n, "w%u", id);
        switch (r % 23) {
        case 0: t[n++] = '\n'; break;
        case 1: t[n++] = '\r'; t[n++] = '\n'; break;
        case 2: t[n++] = '\t'; break;
        case 3: t[n++] = '\0'; break;
        case 4: t[n++] = '\n'; t[n++] = '\n'; break;
        case 5:
            if (r % 7 == 0) { /* a word longer than THETA_MAX_WORD */
                t[n++] = ' ';
                for (int i = 0; i < 150; i++)
                    t[n++] = (char)('a' + (id + (unsigned)i) % 26);
            }
            t[n++] = ' ';
            break;
        default: t[n++] = ' ';
        }
        /* now and then a line of ~300 KB: no newline until far past a buffer */
        if (r % 100003 == 0) {
            size_t stop = n + (300u << 10);
            while (n < stop && n < cap)
                n += (size_t)sprintf(t + n, "long%u ", (unsigned)(n % 97));
        }
    }
    n += (size_t)sprintf(t + n, "the end");
    char *path = tu_path(dir, "tricky.txt");
    tu_write_file(path, t, n);
    free(t);
    *len_out = n;
    return path;
}

static void same_vocab(const theta_vocab *a, const theta_vocab *b, const char *what)
{
    ck_assert_msg(a->size == b->size, "%s: %d words, one pass %d", what, b->size, a->size);
    ck_assert_msg(a->total == b->total, "%s: %lld tokens, one pass %lld", what,
                  (long long)b->total, (long long)a->total);
    for (int32_t i = 0; i < a->size; i++)
        if (strcmp(a->entries[i].word, b->entries[i].word) != 0 ||
            a->entries[i].count != b->entries[i].count)
            ck_abort_msg("%s: entry %d is %s %lld, one pass %s %lld", what, i, b->entries[i].word,
                         (long long)b->entries[i].count, a->entries[i].word,
                         (long long)a->entries[i].count);
    ck_assert_uint_eq(theta_vocab_crc(a), theta_vocab_crc(b));
}

START_TEST(threaded_count_equals_one_pass)
{
    size_t len;
    char *path = tricky_corpus(tu_dir, &len);
    theta_vocab *one = NULL;
    ck_assert_int_eq(theta_vocab_build_threads(path, 1, 0, 0, 1, &one), THETA_OK);
    ck_assert_int_gt(one->size, 2000);
    ck_assert_int_gt(one->entries[0].count, 10000); /* sentence ends */
    const int threads[] = {2, 3, 4, 5, 8};
    for (size_t k = 0; k < sizeof threads / sizeof *threads; k++) {
        theta_vocab *v = NULL;
        char what[32];
        snprintf(what, sizeof what, "%d threads", threads[k]);
        ck_assert_int_eq(theta_vocab_build_threads(path, 1, 0, 0, threads[k], &v), THETA_OK);
        same_vocab(one, v, what);
        ck_assert_int_eq(v->bytes_read, (int64_t)len);
        theta_vocab_free(v);
    }
    /* min-count and max-vocab apply to the summed counts */
    theta_vocab *a = NULL, *b = NULL;
    ck_assert_int_eq(theta_vocab_build_threads(path, 40, 500, 0, 1, &a), THETA_OK);
    ck_assert_int_eq(theta_vocab_build_threads(path, 40, 500, 0, 4, &b), THETA_OK);
    ck_assert_int_eq(a->size, 500);
    same_vocab(a, b, "min-count 40, max-vocab 500, 4 threads");
    theta_vocab_free(a);
    theta_vocab_free(b);
    /* gzip is one pass whatever the threads: the same counts */
    char *g = tu_path(tu_dir, "tricky.txt.gz");
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "gzip -c '%s' > '%s'", path, g);
    ck_assert_int_eq(system(cmd), 0);
    theta_vocab *z = NULL;
    ck_assert_int_eq(theta_vocab_build_threads(g, 1, 0, 0, 4, &z), THETA_OK);
    same_vocab(one, z, "gzip, 4 threads");
    theta_vocab_free(z);
    /* pruning while counting in parallel still bounds the table */
    theta_vocab *p = NULL;
    ck_assert_int_eq(theta_vocab_build_threads(path, 1, 0, 600, 3, &p), THETA_OK);
    ck_assert_int_le(p->size, 600);
    ck_assert_int_gt(p->pruned_words, 0);
    ck_assert_str_eq(p->entries[1].word, one->entries[1].word); /* the top word survives */
    theta_vocab_free(p);
    /* a missing file is the same error as with one thread */
    theta_vocab *m = NULL;
    ck_assert_int_eq(theta_vocab_build_threads("/nonexistent/corpus", 1, 0, 0, 4, &m), THETA_EIO);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "/nonexistent/corpus"));
    theta_vocab_free(one);
    free(g);
    free(path);
}
END_TEST

/* theta_vocab_build_files counts what the reader of the files as one
 * corpus delivers: also the </s> between a file without a final newline
 * and a later one that has bytes. */
START_TEST(several_files_count_as_one_corpus)
{
    char *dir = tu_tmpdir();
    size_t len;
    char *big = tricky_corpus(dir, &len); /* ~6 MB, split when threaded; no final newline */
    char *empty = tu_path(dir, "empty.txt"), *gz = tu_path(dir, "x.gz");
    char *y = tu_path(dir, "y.txt"), *z = tu_path(dir, "z.txt");
    tu_write_file(empty, "", 0);
    tu_write_file(y, "the end\nw1 w2\n", (size_t)-1);
    tu_write_file(z, "tail w1", (size_t)-1);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "printf 'alpha beta\\ngamma the' | gzip -c > '%s'", gz);
    ck_assert_int_eq(system(cmd), 0);
    const char *paths[] = {big, empty, gz, y, z};
    const int n = 5;
    /* the reference: one reader over the five files, counted in one pass */
    theta_segment segs[5];
    for (int i = 0; i < n; i++)
        segs[i] = (theta_segment){paths[i], 0, -1};
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open_segments(segs, n, &r), THETA_OK);
    theta_vocab *want = theta_vocab_new();
    want->hash->prune_limit = theta_vocab_prune_limit(0);
    ck_assert_int_eq(theta_vocab_count(want, r), THETA_OK);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(want, 1, 0), THETA_OK);
    /* big and the gzip file end without a newline: a sentence end after each */
    theta_vocab *alone = NULL;
    ck_assert_int_eq(theta_vocab_build(big, 1, 0, 0, &alone), THETA_OK);
    ck_assert_int_gt(theta_vocab_find(want, "tail", 4), 0);
    const int threads[] = {1, 4};
    for (size_t k = 0; k < 2; k++) {
        theta_vocab *v = NULL;
        char what[32];
        snprintf(what, sizeof what, "%d threads", threads[k]);
        ck_assert_int_eq(theta_vocab_build_files(paths, n, 1, 0, 0, threads[k], &v), THETA_OK);
        same_vocab(want, v, what);
        ck_assert_int_eq(v->bytes_read, want->bytes_read);
        theta_vocab_free(v);
    }
    /* </s>: the big file's own, x.gz's one, y's two, one after big and one after x.gz */
    ck_assert_int_eq(want->entries[0].count, alone->entries[0].count + 1 + 2 + 2);
    /* a missing file is named before anything is counted, whatever its place */
    const char *missing[] = {big, y, "/nonexistent/third"};
    theta_vocab *m = NULL;
    ck_assert_int_eq(theta_vocab_build_files(missing, 3, 1, 0, 0, 2, &m), THETA_EIO);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "/nonexistent/third"));
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "cannot open"));
    theta_vocab_free(alone);
    theta_vocab_free(want);
    tu_rmdir(dir);
    free(big);
    free(empty);
    free(gz);
    free(y);
    free(z);
    free(dir);
}
END_TEST

START_TEST(load_edge_cases)
{
    char *vf = tu_path(tu_dir, "v.txt");
    theta_vocab *v = NULL;
    /* CRLF line endings, </s> not first, min_count and max_vocab applied */
    tu_write_file(vf, "b 5\r\n</s> 9\r\na 7\r\nc 1\r\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 2, 0, &v), THETA_OK);
    ck_assert_int_eq(v->size, 3);
    ck_assert_str_eq(v->entries[0].word, "</s>");
    ck_assert_str_eq(v->entries[1].word, "a");
    ck_assert_str_eq(v->entries[2].word, "b");
    ck_assert_int_eq(v->total, 21);
    theta_vocab_free(v);
    v = NULL;
    ck_assert_int_eq(theta_vocab_load(vf, 1, 2, &v), THETA_OK);
    ck_assert_int_eq(v->size, 2);
    ck_assert_int_eq(v->dropped_words, 2);
    theta_vocab_free(v);
    v = NULL;
    /* a word over THETA_MAX_WORD bytes, a negative count, no count */
    char line[200];
    memset(line, 'x', 101);
    snprintf(line + 101, sizeof line - 101, " 3\n");
    tu_write_file(vf, line, (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    tu_write_file(vf, "a -3\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    tu_write_file(vf, "a\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    tu_write_file(vf, "a 99999999999999999999\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    /* a NUL byte inside a word (after a shorter word it would compare equal to) */
    tu_write_file(vf, "a 5\na\0bc 3\n", 11);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), ":2:"));
    /* counts that each fit but whose sum overflows int64 */
    tu_write_file(vf, "a 5000000000000000000\nb 5000000000000000000\n", (size_t)-1);
    ck_assert_int_eq(theta_vocab_load(vf, 1, 0, &v), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), ":2:"));
    ck_assert_ptr_null(v);
    free(vf);
}
END_TEST

START_TEST(save_is_atomic)
{
    char *vf = tu_path(tu_dir, "v.txt"), *bad = tu_path(tu_dir, "no/v.txt");
    theta_vocab *v = theta_vocab_new();
    add(v, "x", 3);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    ck_assert_int_eq(theta_vocab_save(v, bad), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), bad));
    ck_assert_int_eq(theta_vocab_save(v, vf), THETA_OK);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = v.txt", tu_dir);
    ck_assert_int_eq(system(cmd), 0);
    theta_vocab_free(v);
    free(vf); free(bad);
}
END_TEST

Suite *vocab_suite(void)
{
    Suite *s = suite_create("vocab");
    TCase *core = tcase_create("core");
    tcase_add_test(core, counts_and_order);
    tcase_add_test(core, ties_by_bytes_and_max_vocab);
    tcase_add_test(core, pruning_bounds_memory);
    tcase_add_test(core, many_words_all_findable);
    tcase_add_test(core, crc_tracks_words_and_counts);
    tcase_add_test(core, words_sharing_a_head_are_distinct);
    suite_add_tcase(s, core);
    TCase *io = tcase_create("io");
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(io, build_from_corpus_and_roundtrip);
    tcase_add_test(io, load_rejects_malformed);
    tcase_add_test(io, build_from_gzip_and_damaged_gzip);
    tcase_add_test(io, load_edge_cases);
    tcase_add_test(io, threaded_count_equals_one_pass);
    tcase_add_test(io, several_files_count_as_one_corpus);
    tcase_add_test(io, save_is_atomic);
    tcase_set_timeout(io, 20);
    suite_add_tcase(s, io);
    return s;
}
