/* check_init_noise.c — perturbed starts ("const:0.1+normal:1e-6"): the
 * syntax (accepted, refused, canonical text read back exactly), validation,
 * the values theta_model_new fills in (deterministic from the seed, +normal:0
 * and +uniform:0 bit for bit the plain strategy, the noise's scale), and the
 * model file (a 132-byte CONF only with a perturbation; read back exactly;
 * a bad perturbation refused). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

static theta_vocab *vocab_n(int n)
{
    theta_vocab *v = theta_vocab_new();
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(theta_vocab_add(v, "</s>", 4, 17), THETA_OK);
    for (int i = 1; i < n; i++) {
        char w[32];
        snprintf(w, sizeof w, "word%d", i);
        ck_assert_int_eq(theta_vocab_add(v, w, strlen(w), 1000 / i + 1), THETA_OK);
    }
    ck_assert_int_eq(theta_vocab_finalize(v, 1, 0), THETA_OK);
    return v;
}

/* A model of 200 words x 16 dims (ns) from the two init texts and seed. */
static theta_model *model_with(const char *in, const char *out, uint64_t seed)
{
    theta_config c = theta_config_default();
    c.dim = 16;
    c.seed = seed;
    ck_assert_msg(theta_init_parse(in, &c.init_in) == THETA_OK, "%s", theta_last_error());
    ck_assert_msg(theta_init_parse(out, &c.init_out) == THETA_OK, "%s", theta_last_error());
    theta_model *m;
    ck_assert_msg(theta_model_new(&c, vocab_n(200), &m) == THETA_OK, "%s", theta_last_error());
    return m;
}

static size_t n_in(const theta_model *m)
{
    return (size_t)m->vocab->size * (size_t)m->cfg.dim;
}

static size_t n_out(const theta_model *m)
{
    return (size_t)m->out_rows * (size_t)m->cfg.dim;
}

/* ---- syntax ------------------------------------------------------------- */

START_TEST(parse_accepts)
{
    static const struct {
        const char *text;
        theta_init_kind kind;
        double value;
        theta_noise_kind noise_kind;
        double noise;
    } ok[] = {
        {"const:0.1+normal:1e-6", THETA_INIT_CONST, 0.1, THETA_NOISE_NORMAL, 1e-6},
        {"const:0.1+uniform:0.01", THETA_INIT_CONST, 0.1, THETA_NOISE_UNIFORM, 0.01},
        {"w2v+normal:1e-3", THETA_INIT_W2V, 0, THETA_NOISE_NORMAL, 1e-3},
        {"zero+uniform:2", THETA_INIT_ZERO, 0, THETA_NOISE_UNIFORM, 2},
        {"scaled:1+normal:0", THETA_INIT_SCALED, 1, THETA_NOISE_NORMAL, 0},
        {"normal:0.5+uniform:0", THETA_INIT_NORMAL, 0.5, THETA_NOISE_UNIFORM, 0},
        {"const:1e+2+normal:1e-3", THETA_INIT_CONST, 100, THETA_NOISE_NORMAL, 1e-3},
        {"const:+0.5+normal:1E+2", THETA_INIT_CONST, 0.5, THETA_NOISE_NORMAL, 100},
        {"const:0.1", THETA_INIT_CONST, 0.1, THETA_NOISE_NONE, 0},
        {"const:1e+5", THETA_INIT_CONST, 1e5, THETA_NOISE_NONE, 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        theta_init in = {.kind = THETA_INIT_UNIFORM, .value = 9, .noise_kind = THETA_NOISE_UNIFORM,
                         .noise = 9};
        ck_assert_msg(theta_init_parse(ok[i].text, &in) == THETA_OK, "%s: %s", ok[i].text,
                      theta_last_error());
        ck_assert_int_eq(in.kind, ok[i].kind);
        ck_assert_msg(in.value == ok[i].value, "%s: value %.17g", ok[i].text, in.value);
        ck_assert_int_eq(in.noise_kind, ok[i].noise_kind);
        ck_assert_msg(in.noise == ok[i].noise, "%s: noise %.17g", ok[i].text, in.noise);
    }
}
END_TEST

START_TEST(parse_rejects)
{
    static const char *bad[] = {
        "const:0.1+normal:-1e-6", "const:0.1+normal:",  "const:0.1+normal",
        "const:0.1+gauss:1",      "const:0.1+const:1",  "const:0.1+normal:1+normal:1",
        "const:0.1+normal:nan",   "const:0.1+normal:inf", "const:0.1+normal:2e6",
        "+normal:1e-6",           "bogus+normal:1",     "const+normal:1",
        "normal:0+normal:1",      "const:0.1+Normal:1", "const:0.1+normal:1x",
        "const:0.1+uniform:-0.5", "w2v:1+normal:1",     "const:0.1+ normal:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        theta_init in = {.kind = THETA_INIT_UNIFORM, .value = 42, .noise_kind = THETA_NOISE_UNIFORM,
                         .noise = 3};
        ck_assert_msg(theta_init_parse(bad[i], &in) == THETA_EINVAL, "'%s' was accepted", bad[i]);
        ck_assert_msg(strlen(theta_last_error()) > 0, "'%s': no message", bad[i]);
        /* the output is written only on success */
        ck_assert_int_eq(in.kind, THETA_INIT_UNIFORM);
        ck_assert(in.value == 42 && in.noise == 3);
        ck_assert_int_eq(in.noise_kind, THETA_NOISE_UNIFORM);
    }
    /* the message names the perturbation's problem */
    theta_init in;
    ck_assert_int_eq(theta_init_parse("const:0.1+normal:-1", &in), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "scale"));
    ck_assert_int_eq(theta_init_parse("const:0.1+gauss:1", &in), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "+gauss:1"));
}
END_TEST

START_TEST(format_round_trips)
{
    static const char *canon[] = {"const:0.1+normal:1e-06", "w2v+uniform:0.5", "scaled:1+normal:0",
                                  "zero+normal:0.001",      "normal:0.1+uniform:1e-08"};
    char buf[THETA_INIT_TEXT];
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        theta_init in;
        ck_assert_int_eq(theta_init_parse(canon[i], &in), THETA_OK);
        theta_init_format(&in, buf, sizeof buf);
        ck_assert_str_eq(buf, canon[i]);
    }
    /* awkward values, the longest texts included: read back bit for bit */
    static const double values[] = {1.0 / 3, -123456.78901234567, 1e-7, 999999.99999999988,
                                    -1.0000000000000001e-05};
    static const double scales[] = {0, 1.0 / 3, 1.0000000000000001e-05, 999999.99999999988};
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
        for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++)
            for (int k = 0; k < 2; k++) {
                theta_init a = {.kind = THETA_INIT_CONST, .value = values[v],
                                .noise_kind = k ? THETA_NOISE_UNIFORM : THETA_NOISE_NORMAL,
                                .noise = scales[s]},
                           b;
                if (k)
                    a.kind = THETA_INIT_UNIFORM, a.value = fabs(a.value);
                theta_init_format(&a, buf, sizeof buf);
                ck_assert_uint_lt(strlen(buf), sizeof buf - 1); /* not cut */
                ck_assert_msg(theta_init_parse(buf, &b) == THETA_OK, "'%s': %s", buf,
                              theta_last_error());
                ck_assert_int_eq(b.kind, a.kind);
                ck_assert_int_eq(b.noise_kind, a.noise_kind);
                ck_assert_msg(b.value == a.value && b.noise == a.noise, "'%s'", buf);
            }
}
END_TEST

START_TEST(validate_perturbation)
{
    theta_config c = theta_config_default();
    ck_assert_int_eq(theta_config_validate(&c), THETA_OK);
    c.init_in.noise_kind = THETA_NOISE_NORMAL;
    c.init_in.noise = 1e-6;
    ck_assert_int_eq(theta_config_validate(&c), THETA_OK);
    c.init_in.noise = -1e-6;
    ck_assert_int_eq(theta_config_validate(&c), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "input"));
    c.init_in.noise = NAN;
    ck_assert_int_eq(theta_config_validate(&c), THETA_EINVAL);
    c.init_in.noise = 0;
    c.init_out.noise_kind = (theta_noise_kind)3;
    ck_assert_int_eq(theta_config_validate(&c), THETA_EINVAL);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "output"));
    c.init_out.noise_kind = THETA_NOISE_NONE;
    c.init_out.noise = 0.5; /* a scale without a perturbation */
    ck_assert_int_eq(theta_config_validate(&c), THETA_EINVAL);
}
END_TEST

/* ---- values ------------------------------------------------------------- */

START_TEST(zero_noise_is_identity)
{
    /* every strategy, either matrix, either perturbation: bit for bit */
    static const char *base[] = {"w2v", "zero", "const:0.1", "const:-0", "uniform:0.5",
                                 "normal:0.1", "scaled:1"};
    static const char *zero[] = {"+normal:0", "+uniform:0"};
    char a[64], b[64];
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        for (int z = 0; z < 2; z++) {
            snprintf(a, sizeof a, "%s%s", base[i], zero[z]);
            snprintf(b, sizeof b, "%s%s", base[(i + 3) % 7], zero[z]);
            theta_model *plain = model_with(base[i], base[(i + 3) % 7], 11);
            theta_model *noisy = model_with(a, b, 11);
            ck_assert_msg(memcmp(plain->in, noisy->in, n_in(plain) * sizeof(float)) == 0,
                          "%s: input differs", a);
            ck_assert_msg(memcmp(plain->out, noisy->out, n_out(plain) * sizeof(float)) == 0,
                          "%s: output differs", b);
            theta_model_free(plain);
            theta_model_free(noisy);
        }
}
END_TEST

START_TEST(deterministic_from_seed)
{
    theta_model *a = model_with("const:0.1+normal:1e-6", "zero+uniform:1e-3", 5);
    theta_model *b = model_with("const:0.1+normal:1e-6", "zero+uniform:1e-3", 5);
    theta_model *c = model_with("const:0.1+normal:1e-6", "zero+uniform:1e-3", 6);
    ck_assert(memcmp(a->in, b->in, n_in(a) * sizeof(float)) == 0);
    ck_assert(memcmp(a->out, b->out, n_out(a) * sizeof(float)) == 0);
    size_t differ_in = 0, differ_out = 0;
    for (size_t i = 0; i < n_in(a); i++)
        differ_in += a->in[i] != c->in[i];
    for (size_t i = 0; i < n_out(a); i++)
        differ_out += a->out[i] != c->out[i];
    ck_assert_uint_gt(differ_in, n_in(a) * 9 / 10);
    ck_assert_uint_gt(differ_out, n_out(a) * 9 / 10);
    /* the two matrices draw from their own streams */
    theta_model *d = model_with("zero+uniform:1e-3", "zero+uniform:1e-3", 5);
    ck_assert(memcmp(d->in, d->out, n_out(d) * sizeof(float)) != 0);
    theta_model_free(a);
    theta_model_free(b);
    theta_model_free(c);
    theta_model_free(d);
}
END_TEST

START_TEST(noise_on_top_of_the_start)
{
    /* the start's own values are the plain strategy's; the noise is added */
    theta_model *plain = model_with("uniform:0.1", "zero", 9);
    theta_model *noisy = model_with("uniform:0.1+normal:1e-6", "zero+normal:1e-6", 9);
    double sum = 0, sum2 = 0, max = 0;
    size_t n = n_in(plain);
    for (size_t i = 0; i < n; i++) {
        double d = (double)noisy->in[i] - (double)plain->in[i];
        sum += d;
        sum2 += d * d;
        max = fmax(max, fabs(d));
    }
    /* N(0, 1e-12) plus the float rounding (half an ulp of 0.1: 3.7e-9) */
    ck_assert_msg(fabs(sum / (double)n) < 1e-7, "mean %g", sum / (double)n);
    double sd = sqrt(sum2 / (double)n);
    ck_assert_msg(sd > 0.95e-6 && sd < 1.05e-6, "sd %g", sd);
    ck_assert_msg(max < 6e-6, "max %g", max);
    /* output: zero + N(0, 1e-12), every value exact in float's range */
    double s2 = 0;
    for (size_t i = 0; i < n_out(noisy); i++)
        s2 += (double)noisy->out[i] * noisy->out[i];
    ck_assert_msg(fabs(sqrt(s2 / (double)n_out(noisy)) - 1e-6) < 0.05e-6, "out sd");
    theta_model_free(plain);
    theta_model_free(noisy);
    /* uniform: within +-A, variance A^2 / 3 */
    theta_model *u = model_with("const:0+uniform:0.01", "zero", 9);
    double v = 0, mx = 0;
    for (size_t i = 0; i < n_in(u); i++) {
        v += (double)u->in[i] * u->in[i];
        mx = fmax(mx, fabs(u->in[i]));
    }
    ck_assert(mx <= 0.01 && mx > 0.0099);
    ck_assert_msg(fabs(sqrt(v / (double)n_in(u)) - 0.01 / sqrt(3.0)) < 0.0003, "uniform sd");
    theta_model_free(u);
}
END_TEST

/* ---- the model file ----------------------------------------------------- */

/* The CONF section's length field (file offset 20: after the 16-byte head and the tag). */
static uint64_t conf_length(const char *path)
{
    size_t len;
    unsigned char *b = (unsigned char *)tu_read_file(path, &len);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_ge(len, 28);
    ck_assert(memcmp(b + 16, "CONF", 4) == 0);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | b[20 + i];
    free(b);
    return n;
}

START_TEST(file_round_trip)
{
    char *dir = tu_tmpdir();
    char *p = tu_path(dir, "noisy.theta"), *q = tu_path(dir, "plain.theta");
    theta_model *m = model_with("const:0.1+normal:1e-6", "w2v+uniform:0.25", 3);
    ck_assert_int_eq(theta_model_save(m, p), THETA_OK);
    theta_model *plain = model_with("const:0.1", "w2v", 3);
    ck_assert_int_eq(theta_model_save(plain, q), THETA_OK);
    /* 108 bytes without a perturbation (the format every earlier theta reads), 132 with */
    ck_assert_uint_eq(conf_length(q), 108);
    ck_assert_uint_eq(conf_length(p), 132);
    theta_model *l;
    ck_assert_msg(theta_model_load(p, &l) == THETA_OK, "%s", theta_last_error());
    ck_assert_int_eq(l->cfg.init_in.kind, THETA_INIT_CONST);
    ck_assert(l->cfg.init_in.value == 0.1);
    ck_assert_int_eq(l->cfg.init_in.noise_kind, THETA_NOISE_NORMAL);
    ck_assert(l->cfg.init_in.noise == 1e-6);
    ck_assert_int_eq(l->cfg.init_out.kind, THETA_INIT_W2V);
    ck_assert_int_eq(l->cfg.init_out.noise_kind, THETA_NOISE_UNIFORM);
    ck_assert(l->cfg.init_out.noise == 0.25);
    ck_assert(memcmp(l->in, m->in, n_in(m) * sizeof(float)) == 0);
    theta_model_free(l);
    ck_assert_int_eq(theta_model_load(q, &l), THETA_OK);
    ck_assert_int_eq(l->cfg.init_in.noise_kind, THETA_NOISE_NONE);
    ck_assert_int_eq(l->cfg.init_out.noise_kind, THETA_NOISE_NONE);
    ck_assert(l->cfg.init_in.noise == 0 && l->cfg.init_out.noise == 0);
    theta_model_free(l);

    /* a perturbation of kind 7 with a correct CRC: refused as invalid */
    size_t len;
    unsigned char *b = (unsigned char *)tu_read_file(p, &len);
    ck_assert_ptr_nonnull(b);
    b[28 + 108] = 7; /* init_in noise kind */
    uint32_t crc = theta_crc32(0, b + 28, 132);
    for (int i = 0; i < 4; i++)
        b[28 + 132 + i] = (unsigned char)(crc >> (8 * i));
    tu_write_file(p, b, len);
    free(b);
    ck_assert_int_eq(theta_model_load(p, &l), THETA_EFORMAT);
    ck_assert_ptr_nonnull(strstr(theta_last_error(), "perturbation"));
    theta_model_free(m);
    theta_model_free(plain);
    tu_rmdir(dir);
    free(p);
    free(q);
    free(dir);
}
END_TEST

Suite *init_noise_suite(void)
{
    Suite *s = suite_create("init_noise");
    TCase *syntax = tcase_create("syntax");
    tcase_add_test(syntax, parse_accepts);
    tcase_add_test(syntax, parse_rejects);
    tcase_add_test(syntax, format_round_trips);
    tcase_add_test(syntax, validate_perturbation);
    suite_add_tcase(s, syntax);
    TCase *values = tcase_create("values");
    tcase_add_test(values, zero_noise_is_identity);
    tcase_add_test(values, deterministic_from_seed);
    tcase_add_test(values, noise_on_top_of_the_start);
    suite_add_tcase(s, values);
    TCase *io = tcase_create("io");
    tcase_add_test(io, file_round_trip);
    suite_add_tcase(s, io);
    return s;
}
