/* check_vecwrite.c — the vector writers: word2vec binary byte for byte,
 * word2vec text values that read back exactly, numpy .npy header and data
 * (and numpy itself, when it is installed), a model's matrices, atomicity;
 * and the centring export applies. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "suites.h"
#include "testutil.h"
#include "theta.h"

/* little-endian bytes of a float, independent of the host's byte order */
static void le_f32(unsigned char *p, float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

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

/* values with awkward bit patterns: negative zero, subnormals, extremes */
static const float tricky[] = {1.0f,    -2.5f,        0.1f,     -0.0f,        FLT_MIN,
                               FLT_MAX, -FLT_MAX,     1e-45f,   1.0f / 3.0f,  -123456.789f,
                               3e-39f,  16777217.0f,  0.0f,     2.0e-7f,      -1e30f};

START_TEST(binary_layout_is_exact)
{
    char *p = tu_path(tu_dir, "v.bin");
    const float m[6] = {1.0f, -2.5f, 0.1f, -0.0f, FLT_MIN, 1e-45f};
    const char *names[2] = {"a", "w\xc3\xb6rd"};
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_BINARY, 2, 3, m, names), THETA_OK);
    unsigned char want[64];
    size_t n = 0;
    memcpy(want + n, "2 3\na ", 6);
    n += 6;
    for (int d = 0; d < 3; d++, n += 4)
        le_f32(want + n, m[d]);
    want[n++] = '\n';
    memcpy(want + n, "w\xc3\xb6rd ", 6);
    n += 6;
    for (int d = 0; d < 3; d++, n += 4)
        le_f32(want + n, m[3 + d]);
    want[n++] = '\n';
    size_t len;
    char *got = tu_read_file(p, &len);
    ck_assert_uint_eq(len, n);
    ck_assert_uint_eq(len, 4 + 2 + 12 + 1 + 6 + 12 + 1);
    ck_assert_int_eq(memcmp(got, want, n), 0);
    /* the float bytes of 1.0f are 00 00 80 3f in little-endian order */
    ck_assert_int_eq(memcmp(got + 6, "\x00\x00\x80\x3f", 4), 0);
    free(got);
    free(p);
}
END_TEST

START_TEST(text_values_round_trip)
{
    char *p = tu_path(tu_dir, "v.txt");
    int rows = 3, dim = 5;
    ck_assert_uint_eq(sizeof tricky / sizeof tricky[0], (size_t)(rows * dim));
    const char *names[3] = {"x", "</s>", "caf\xc3\xa9"};
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_TEXT, rows, dim, tricky, names), THETA_OK);
    char *text = tu_read_file(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(strncmp(text, "3 5\n", 4), 0);
    char *s = text + 4;
    for (int r = 0; r < rows; r++) {
        size_t wl = strlen(names[r]);
        ck_assert_int_eq(strncmp(s, names[r], wl), 0);
        s += wl;
        for (int d = 0; d < dim; d++) {
            ck_assert_int_eq(*s, ' ');
            char *end;
            float x = strtof(s + 1, &end);
            ck_assert_ptr_ne(end, s + 1);
            const float *want = &tricky[r * dim + d];
            ck_assert_msg(memcmp(&x, want, 4) == 0, "row %d dim %d: wrote %.9g, read %.9g", r, d,
                          (double)*want, (double)x);
            s = end;
        }
        ck_assert_int_eq(*s, '\n'); /* no trailing space */
        s++;
    }
    ck_assert_int_eq(*s, '\0');
    free(text);
    /* simple values print simply */
    const float simple[3] = {1.0f, -2.5f, 0.5f};
    const char *one[1] = {"a"};
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_TEXT, 1, 3, simple, one), THETA_OK);
    text = tu_read_file(p, NULL);
    ck_assert_str_eq(text, "1 3\na 1 -2.5 0.5\n");
    free(text);
    free(p);
}
END_TEST

/* theta__format_g9(x) is byte for byte what printf's %.9g writes */
static void expect_g9(float x)
{
    char got[THETA__G9_MAX + 1], want[32];
    int n = theta__format_g9(x, got);
    ck_assert_int_le(n, THETA__G9_MAX);
    got[n] = '\0';
    snprintf(want, sizeof want, "%.9g", (double)x);
    ck_assert_msg(strcmp(got, want) == 0, "%a: wrote %s, printf writes %s", (double)x, got, want);
}

START_TEST(text_values_print_as_printf)
{
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
        expect_g9(tricky[i]);
    /* around every power of ten a float can reach in fixed notation and past */
    for (int j = -7; j <= 11; j++) {
        float p = (float)pow(10.0, j);
        for (int u = 0; u < 40; u++) {
            expect_g9(p);
            expect_g9(-p);
            p = nextafterf(p, 0.0f);
        }
        p = (float)pow(10.0, j);
        for (int u = 0; u < 40; u++, p = nextafterf(p, INFINITY))
            expect_g9(p);
    }
    /* ties: q * 2^-(k+1) with q odd is n + 1/2 at 10^k, rounded half to even */
    for (int k = 2; k <= 12; k++) {
        double lo = 2e8 / pow(5.0, k), hi = fmin(2e9 / pow(5.0, k), 16777216.0);
        for (double q = floor(lo) + 1; q < hi; q += 2 + floor((hi - lo) / 600) * 2)
            expect_g9((float)ldexp(q, -(k + 1)));
    }
    /* random bit patterns: every sign, exponent and mantissa */
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 300000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint32_t b = (uint32_t)(s >> 16);
        float x;
        memcpy(&x, &b, 4);
        expect_g9(x);
    }
    /* values as trained vectors hold them */
    for (int i = 0; i < 300000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        expect_g9((float)((double)(s >> 11) / 9007199254740992.0 * 4.0 - 2.0));
    }
}
END_TEST

/* Rows longer than the writer's buffer read back exactly; a wide matrix of
 * no rows is just its header (the writer's memory does not grow with dim). */
START_TEST(text_long_rows_round_trip)
{
    char *p = tu_path(tu_dir, "long.txt");
    enum { R = 2, D = 3000 };
    static float m[R * D];
    for (int i = 0; i < R * D; i++)
        m[i] = (float)((i * 2654435761u) % 100003) / (i % 7 ? 997.0f : -3.0e-3f);
    const char *names[R] = {"a", "b"};
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_TEXT, R, D, m, names), THETA_OK);
    theta_vectors *v;
    ck_assert_int_eq(theta_vectors_load(p, &v), THETA_OK);
    ck_assert_int_eq(v->rows, R);
    ck_assert_int_eq(v->dim, D);
    ck_assert_int_eq(memcmp(v->data, m, sizeof m), 0);
    theta_vectors_free(v);
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_TEXT, 0, 1 << 26, m, names), THETA_OK);
    char *text = tu_read_file(p, NULL);
    ck_assert_str_eq(text, "0 67108864\n");
    free(text);
    free(p);
}
END_TEST

/* Checks an .npy file written from m (rows, dim) and returns its header length. */
static size_t check_npy(const char *path, int64_t rows, int dim, const float *m)
{
    size_t len;
    unsigned char *b = (unsigned char *)tu_read_file(path, &len);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_ge(len, 10);
    ck_assert_int_eq(memcmp(b, "\x93NUMPY", 6), 0);
    ck_assert_int_eq(b[6], 1); /* version 1.0 */
    ck_assert_int_eq(b[7], 0);
    size_t hlen = (size_t)b[8] | (size_t)b[9] << 8;
    size_t data = 10 + hlen;
    ck_assert_uint_eq(data % 64, 0);
    ck_assert_uint_eq(len, data + (size_t)rows * (size_t)dim * 4);
    char want[128];
    int wn = snprintf(want, sizeof want,
                      "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %d), }",
                      (long long)rows, dim);
    ck_assert_uint_le((size_t)wn, hlen);
    ck_assert_int_eq(memcmp(b + 10, want, (size_t)wn), 0);
    for (size_t i = 10 + (size_t)wn; i < data - 1; i++)
        ck_assert_int_eq(b[i], ' ');
    ck_assert_int_eq(b[data - 1], '\n');
    for (size_t i = 0; i < (size_t)rows * (size_t)dim; i++) {
        unsigned char le[4];
        le_f32(le, m[i]);
        if (memcmp(b + data + 4 * i, le, 4) != 0)
            ck_abort_msg("element %zu differs", i);
    }
    free(b);
    return hlen;
}

START_TEST(npy_header_and_data)
{
    char *p = tu_path(tu_dir, "v.npy");
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_NPY, 3, 5, tricky, NULL), THETA_OK);
    check_npy(p, 3, 5, tricky);
    /* shapes whose dict text has every length modulo 64 around the padding edge */
    float *m = calloc(100000, sizeof *m);
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < 100000; i++)
        m[i] = (float)i - 0.25f;
    static const struct { int64_t rows; int dim; } shapes[] = {
        {1, 1}, {0, 7}, {10, 10}, {99, 1000}, {1000, 99}, {100000, 1}, {1, 100000}, {12345, 8}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_NPY, shapes[k].rows, shapes[k].dim, m, NULL),
                         THETA_OK);
        check_npy(p, shapes[k].rows, shapes[k].dim, m);
    }
    free(m);
    free(p);
}
END_TEST

START_TEST(npy_loads_in_numpy)
{
    if (system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_vecwrite: numpy not available, skipping npy_loads_in_numpy\n");
        return;
    }
    char *p = tu_path(tu_dir, "v.npy"), *t = tu_path(tu_dir, "v.txt");
    const char *names[3] = {"a", "b", "c"};
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_NPY, 3, 5, tricky, NULL), THETA_OK);
    ck_assert_int_eq(theta_vectors_write(t, THETA_VEC_TEXT, 3, 5, tricky, names), THETA_OK);
    /* numpy reads the .npy; its values must equal the text file's, bit for
     * bit (float32 of the exact decimal), and the shape and dtype match */
    char cmd[12000];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"\n"
             "import numpy as np, sys\n"
             "a = np.load('%s', allow_pickle=False)\n"
             "rows = [l.split()[1:] for l in open('%s').read().splitlines()[1:]]\n"
             "b = np.array(rows, dtype=np.float64).astype(np.float32)\n"
             "ok = a.dtype == np.dtype('<f4') and a.shape == (3, 5) and a.flags['C_CONTIGUOUS']\n"
             "ok = ok and a.tobytes() == b.tobytes() and a[0, 0] == 1.0 and a[0, 1] == -2.5\n"
             "sys.exit(0 if ok else 1)\n\"",
             p, t);
    ck_assert_int_eq(system(cmd), 0);
    free(p);
    free(t);
}
END_TEST

START_TEST(model_matrices)
{
    char *p = tu_path(tu_dir, "in.bin"), *q = tu_path(tu_dir, "out.txt");
    theta_vocab *v = theta_vocab_new();
    ck_assert_int_eq(theta_vocab_add(v, "the", 3, 10), THETA_OK);
    ck_assert_int_eq(theta_vocab_add(v, "cat", 3, 5), THETA_OK);
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    theta_config c = theta_config_default();
    c.dim = 2;
    c.threads = 1;
    c.loss = THETA_LOSS_HS;
    ck_assert_int_eq(theta_init_parse("const:0.5", &c.init_in), THETA_OK);
    ck_assert_int_eq(theta_init_parse("const:-1", &c.init_out), THETA_OK);
    theta_model *m;
    ck_assert_int_eq(theta_model_new(&c, v, &m), THETA_OK);
    ck_assert_int_eq(theta_model_write_vectors(m, 0, p, THETA_VEC_BINARY), THETA_OK);
    size_t len;
    char *b = tu_read_file(p, &len);
    unsigned char half[4];
    le_f32(half, 0.5f);
    ck_assert_uint_eq(len, 4 + (5 + 8 + 1) + 2 * (4 + 8 + 1));
    ck_assert_int_eq(memcmp(b, "3 2\n</s> ", 9), 0);
    ck_assert_int_eq(memcmp(b + 9, half, 4), 0);
    ck_assert_int_eq(memcmp(b + 13, half, 4), 0);
    ck_assert_int_eq(memcmp(b + 17, "\nthe ", 5), 0);
    free(b);
    /* hs output rows are inner nodes, named __node_<r> */
    ck_assert_int_eq(theta_model_write_vectors(m, 1, q, THETA_VEC_TEXT), THETA_OK);
    char *text = tu_read_file(q, NULL);
    ck_assert_str_eq(text, "2 2\n__node_0 -1 -1\n__node_1 -1 -1\n");
    free(text);
    theta_model_free(m);
    free(p);
    free(q);
}
END_TEST

START_TEST(write_is_atomic)
{
    char *p = tu_path(tu_dir, "v.txt"), *q = tu_path(tu_dir, "no/such/tu_dir/v.txt");
    const char *names[1] = {"a"};
    const float x[2] = {1, 2};
    tu_write_file(p, "previous", (size_t)-1);
    ck_assert_int_eq(theta_vectors_write(p, THETA_VEC_TEXT, 1, 2, x, names), THETA_OK);
    ck_assert_int_eq(count_entries(tu_dir), 1);
    char *text = tu_read_file(p, NULL);
    ck_assert_str_eq(text, "1 2\na 1 2\n");
    free(text);
    ck_assert_int_eq(theta_vectors_write(q, THETA_VEC_BINARY, 1, 2, x, names), THETA_EIO);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), q));
    ck_assert_int_eq(count_entries(tu_dir), 1);
    free(p);
    free(q);
}
END_TEST

/* Known means; identical columns stay identical bit for bit, a zero matrix
 * stays zero, and the columns' means end near zero. */
START_TEST(center_subtracts_column_means)
{
    float a[6] = {1, 2, 3, 4, 5, 9};
    ck_assert_int_eq(theta_vectors_center(a, 3, 2), THETA_OK);
    const float want[6] = {-2, -3, 0, -1, 2, 4};
    ck_assert_int_eq(memcmp(a, want, sizeof a), 0);

    enum { R = 301, D = 5 };
    static float m[R * D], z[R * D];
    theta_rng r;
    theta_rng_seed(&r, 9);
    for (int i = 0; i < R; i++) {
        for (int j = 0; j < D; j++)
            m[i * D + j] = (float)(theta_rng_uniform(&r) * 4.0 - 1.0) * (float)(j + 1);
        m[i * D + 3] = m[i * D + 1]; /* two identical dimensions */
    }
    ck_assert_int_eq(theta_vectors_center(m, R, D), THETA_OK);
    for (int j = 0; j < D; j++) {
        double mean = 0, spread = 0;
        for (int i = 0; i < R; i++) {
            mean += m[i * D + j];
            spread += fabs(m[i * D + j]);
        }
        ck_assert_msg(fabs(mean) < 1e-6 * spread, "column %d: mean %g", j, mean / R);
        ck_assert_double_gt(spread / R, 0.4);
    }
    for (int i = 0; i < R; i++)
        ck_assert_int_eq(memcmp(&m[i * D + 3], &m[i * D + 1], sizeof(float)), 0);
    ck_assert_int_eq(theta_vectors_center(z, R, D), THETA_OK);
    for (int i = 0; i < R * D; i++)
        ck_assert_int_eq(memcmp(&z[i], &(float){0.0f}, sizeof(float)), 0);
    ck_assert_int_eq(theta_vectors_center(z, 0, D), THETA_OK);
}
END_TEST

Suite *vecwrite_suite(void)
{
    Suite *s = suite_create("vecwrite");
    TCase *io = tcase_create("io");
    tcase_add_checked_fixture(io, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(io, binary_layout_is_exact);
    tcase_add_test(io, text_values_round_trip);
    tcase_add_test(io, text_values_print_as_printf);
    tcase_add_test(io, text_long_rows_round_trip);
    tcase_add_test(io, npy_header_and_data);
    tcase_add_test(io, npy_loads_in_numpy);
    tcase_add_test(io, model_matrices);
    tcase_add_test(io, center_subtracts_column_means);
    tcase_set_timeout(io, 20);
    suite_add_tcase(s, io);
    TCase *err = tcase_create("errors");
    tcase_add_checked_fixture(err, tu_fixture_tmpdir_setup, tu_fixture_tmpdir_teardown);
    tcase_add_test(err, write_is_atomic);
    suite_add_tcase(s, err);
    return s;
}
