/* check_util.c — the private helpers every module relies on: CRC-32,
 * clock, checked allocation, atomic output files, little-endian codecs,
 * float32 I/O, and the thread-local error message. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "suites.h"
#include "testutil.h"
#include "theta.h"

static int count_entries(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    int n = -1;
    ck_assert_int_eq(fscanf(f, "%d", &n), 1);
    pclose(f);
    return n;
}

START_TEST(crc32_check_value_and_chaining)
{
    /* the CRC-32 check value of "123456789" */
    ck_assert_uint_eq(theta_crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(theta_crc32(theta_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    ck_assert_uint_eq(theta_crc32(0, "", 0), 0);
    ck_assert_uint_eq(theta_crc32(0x1234, "", 0), 0x1234);
}
END_TEST

START_TEST(clock_is_monotonic)
{
    double t0 = theta_now();
    ck_assert_double_gt(t0, 0);
    usleep(20000);
    double t1 = theta_now();
    ck_assert_double_ge(t1 - t0, 0.015);
    ck_assert_double_lt(t1 - t0, 5);
}
END_TEST

START_TEST(checked_allocation)
{
    void *p = theta__alloc(SIZE_MAX / 2, 4);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "overflows"));
    p = theta__alloc(0, 8); /* a valid pointer even for 0 bytes */
    ck_assert_ptr_nonnull(p);
    free(p);
    unsigned char *z = theta__calloc(1000, 3);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < 3000; i++)
        if (z[i])
            ck_abort_msg("byte %d not zero", i);
    free(z);
}
END_TEST

START_TEST(little_endian_codecs)
{
    unsigned char b[8];
    theta__put_u32(b, 0x11223344u);
    ck_assert_int_eq(memcmp(b, "\x44\x33\x22\x11", 4), 0);
    ck_assert_uint_eq(theta__get_u32(b), 0x11223344u);
    theta__put_u64(b, 0x0102030405060708ULL);
    ck_assert_int_eq(memcmp(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8), 0);
    ck_assert_uint_eq(theta__get_u64(b), 0x0102030405060708ULL);
    theta__put_u64(b, UINT64_MAX);
    ck_assert_uint_eq(theta__get_u64(b), UINT64_MAX);
}
END_TEST

START_TEST(out_file_commit_and_abort)
{
    char *p = tu_path(tu_dir, "f.bin");
    theta__outfile o;
    /* abort: nothing is left behind */
    ck_assert_int_eq(theta__out_open(&o, p), THETA_OK);
    ck_assert_int_eq(count_entries(tu_dir), 1); /* the temporary file */
    fputs("partial", o.f);
    theta__out_abort(&o);
    ck_assert_int_eq(count_entries(tu_dir), 0);
    ck_assert_ptr_null(o.f);
    /* commit: the file appears under its name, complete */
    const float v[3] = {1.5f, -2.0f, 0.25f};
    ck_assert_int_eq(theta__out_open(&o, p), THETA_OK);
    ck_assert_uint_eq(theta__write_f32(o.f, v, 3), 3);
    ck_assert_ptr_null(tu_read_file(p, NULL)); /* not there until committed */
    ck_assert_int_eq(theta__out_commit(&o), THETA_OK);
    ck_assert_int_eq(count_entries(tu_dir), 1);
    size_t len;
    char *b = tu_read_file(p, &len);
    ck_assert_uint_eq(len, 12);
    ck_assert_int_eq(memcmp(b, "\x00\x00\xc0\x3f\x00\x00\x00\xc0\x00\x00\x80\x3e", 12), 0);
    free(b);
    float r[3];
    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(theta__read_f32(f, r, 3), 3);
    ck_assert_uint_eq(theta__read_f32(f, r, 1), 0);
    fclose(f);
    ck_assert_int_eq(memcmp(r, v, sizeof v), 0);
    /* a directory that does not exist */
    char *q = tu_path(tu_dir, "none/f.bin");
    ck_assert_int_eq(theta__out_open(&o, q), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), q));
    free(p);
    free(q);
}
END_TEST

static void *other_thread(void *arg)
{
    (void)arg;
    const char *before = theta_last_error();
    int empty = before[0] == '\0';
    theta__fail(THETA_EIO, "from the other thread");
    return (void *)(intptr_t)empty;
}

START_TEST(last_error_is_per_thread)
{
    ck_assert_int_eq(theta__fail(THETA_EDATA, "main %d %s", 42, "x"), THETA_EDATA);
    ck_assert_str_eq(theta_last_error(), "main 42 x");
    pthread_t t;
    void *res;
    ck_assert_int_eq(pthread_create(&t, NULL, other_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &res), 0);
    ck_assert_int_eq((int)(intptr_t)res, 1);
    ck_assert_str_eq(theta_last_error(), "main 42 x");
    /* long messages are truncated, still terminated */
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    theta__fail(THETA_EINVAL, "%s", big);
    ck_assert_uint_gt(strlen(theta_last_error()), 100);
    ck_assert_uint_lt(strlen(theta_last_error()), sizeof big - 1);
}
END_TEST

START_TEST(last_error_can_wrap_itself)
{
    /* regression: theta_model_load wraps the config's own message like
     * this; formatting straight into the buffer it read garbled it */
    theta__fail(THETA_EINVAL, "--dim must be in 1..10000, not -5");
    theta__fail(THETA_EFORMAT, "%s: invalid hyper-parameters: %s", "m.theta", theta_last_error());
    ck_assert_str_eq(theta_last_error(),
                     "m.theta: invalid hyper-parameters: --dim must be in 1..10000, not -5");
}
END_TEST

Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *core = tcase_create("core");
    tcase_add_test(core, crc32_check_value_and_chaining);
    tcase_add_test(core, clock_is_monotonic);
    tcase_add_test(core, checked_allocation);
    tcase_add_test(core, little_endian_codecs);
    tcase_add_test(core, last_error_is_per_thread);
    tcase_add_test(core, last_error_can_wrap_itself);
    suite_add_tcase(s, core);
    TCase *io = tcase_create("io");
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(io, out_file_commit_and_abort);
    suite_add_tcase(s, io);
    return s;
}
