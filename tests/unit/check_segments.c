/*
 * check_segments.c — the byte-range reader behind the MPI corpus split (no
 * MPI needed): every cut of a file into ranges gives every line once, and
 * segments join files and gzip (a byte range of a gzip file is refused).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

/* every token of the segments, joined with ' ' ("\n" for sentence ends) */
static char *read_all(const theta_segment *segs, int n)
{
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open_segments(segs, n, &r), THETA_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    const char *w;
    size_t wl;
    int rc;
    while ((rc = theta_reader_next(r, &w, &wl)) > 0) {
        if (len + wl + 2 > cap)
            out = realloc(out, cap *= 2);
        memcpy(out + len, w, wl);
        len += wl;
        out[len++] = ' ';
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(theta_reader_close(r), THETA_OK);
    out[len] = '\0';
    return out;
}

START_TEST(byte_ranges_give_every_line_once)
{
    char *path = tu_path(tu_dir, "lines.txt");
    tu_write_file(path, "aa bb\ncc\n\ndd ee ff\ngg\nhh ii", (size_t)-1);
    theta_segment whole = {path, 0, -1};
    char *expect = read_all(&whole, 1);
    const int64_t size = 27;
    /* every cut point, and a three-way cut */
    for (int64_t cut = 0; cut <= size; cut++) {
        theta_segment two[2] = {{path, 0, cut}, {path, cut, size}};
        char *got = read_all(two, 2);
        ck_assert_msg(strcmp(got, expect) == 0, "cut %lld: '%s' != '%s'", (long long)cut, got,
                      expect);
        free(got);
    }
    theta_segment three[3] = {{path, 0, 7}, {path, 7, 15}, {path, 15, size}};
    char *got = read_all(three, 3);
    ck_assert_str_eq(got, expect);
    free(got);
    /* one range alone: the lines that start in it */
    theta_segment mid = {path, 4, 13};
    got = read_all(&mid, 1);
    ck_assert_str_eq(got, "cc </s> </s> dd ee ff </s> ");
    free(got);
    free(expect);
    free(path);
}
END_TEST

START_TEST(segments_join_files_and_gzip)
{
    char *a = tu_path(tu_dir, "a.txt"), *b = tu_path(tu_dir, "b.txt.gz");
    tu_write_file(a, "x y", (size_t)-1); /* no final newline: one is added */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "printf 'z w\\n' | gzip > '%s'", b);
    ck_assert_int_eq(system(cmd), 0);
    theta_segment segs[2] = {{a, 0, -1}, {b, 0, -1}};
    char *got = read_all(segs, 2);
    ck_assert_str_eq(got, "x y </s> z w </s> ");
    free(got);
    /* a byte range of a gzip file is refused */
    theta_segment bad = {b, 1, -1};
    theta_reader *r;
    ck_assert_int_eq(theta_reader_open_segments(&bad, 1, &r), THETA_OK);
    const char *w;
    size_t wl;
    ck_assert_int_eq(theta_reader_next(r, &w, &wl), -1);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "gzip"));
    ck_assert_int_eq(theta_reader_close(r), THETA_EIO);
    free(a);
    free(b);
}
END_TEST

Suite *segments_suite(void)
{
    Suite *s = suite_create("segments");
    TCase *tc = tcase_create("segments");
    tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(tc, byte_ranges_give_every_line_once);
    tcase_add_test(tc, segments_join_files_and_gzip);
    suite_add_tcase(s, tc);
    return s;
}
