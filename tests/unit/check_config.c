/* check_config.c — defaults, validation of every field, init strategy
 * parsing and formatting, names. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "theta.h"

START_TEST(defaults)
{
    theta_config c = theta_config_default();
    ck_assert_int_eq(c.arch, THETA_ARCH_SKIPGRAM);
    ck_assert_int_eq(c.loss, THETA_LOSS_NS);
    ck_assert_int_eq(c.dim, 100);
    ck_assert_int_eq(c.window, 5);
    ck_assert_int_eq(c.negative, 5);
    ck_assert_int_eq(c.epochs, 5);
    ck_assert_int_eq(c.min_count, 5);
    ck_assert_int_eq(c.max_vocab, 0);
    ck_assert(c.sample == 1e-3);
    ck_assert(c.alpha == 0.05);
    ck_assert(c.min_alpha_ratio == 1e-4);
    ck_assert(c.noise_uniform == 0.0f);
    ck_assert_int_ge(c.threads, 1);
    ck_assert_int_le(c.threads, 512);
    ck_assert_int_eq(c.init_in.kind, THETA_INIT_SCALED);
    ck_assert(c.init_in.value == 1.0);
    ck_assert_int_eq(c.init_out.kind, THETA_INIT_ZERO);
    ck_assert_int_eq(theta_config_validate(&c), THETA_OK);
}
END_TEST

/* One out-of-range (or in-range boundary) setting of one field. */
typedef struct {
    const char *what;
    void (*set)(theta_config *c);
    const char *msg; /* a word the message must contain; NULL if accepted */
} field_case;

#define SETTER(name, body) \
    static void name(theta_config *c) { body; }

SETTER(arch_bad, c->arch = (theta_arch)2)
SETTER(loss_bad, c->loss = (theta_loss)3)
SETTER(dim_0, c->dim = 0)
SETTER(dim_neg, c->dim = -3)
SETTER(dim_big, c->dim = 10001)
SETTER(dim_1, c->dim = 1)
SETTER(dim_max, c->dim = 10000)
SETTER(window_0, c->window = 0)
SETTER(window_big, c->window = 1001)
SETTER(window_max, c->window = 1000)
SETTER(negative_0, c->negative = 0)
SETTER(negative_big, c->negative = 1001)
SETTER(negative_0_hs, { c->loss = THETA_LOSS_HS; c->negative = 0; })
SETTER(epochs_0, c->epochs = 0)
SETTER(epochs_big, c->epochs = 100001)
SETTER(threads_0, c->threads = 0)
SETTER(threads_big, c->threads = 513)
SETTER(threads_max, c->threads = 512)
SETTER(min_count_0, c->min_count = 0)
SETTER(min_count_neg, c->min_count = -5)
SETTER(min_count_1, c->min_count = 1)
SETTER(max_vocab_neg, c->max_vocab = -1)
SETTER(max_vocab_1, c->max_vocab = 1)
SETTER(max_vocab_2, c->max_vocab = 2)
SETTER(sample_neg, c->sample = -1e-3)
SETTER(sample_1, c->sample = 1.0)
SETTER(sample_nan, c->sample = NAN)
SETTER(sample_0, c->sample = 0)
SETTER(alpha_0, c->alpha = 0)
SETTER(alpha_neg, c->alpha = -0.1)
SETTER(alpha_big, c->alpha = 10.5)
SETTER(alpha_nan, c->alpha = NAN)
SETTER(alpha_inf, c->alpha = INFINITY)
SETTER(ratio_neg, c->min_alpha_ratio = -0.1)
SETTER(ratio_big, c->min_alpha_ratio = 1.5)
SETTER(ratio_nan, c->min_alpha_ratio = NAN)
SETTER(noise_neg, c->noise_uniform = -0.01f)
SETTER(noise_big, c->noise_uniform = 1.5f)
SETTER(noise_nan, c->noise_uniform = NAN)
SETTER(noise_1, c->noise_uniform = 1.0f)
SETTER(init_kind_bad, c->init_in.kind = (theta_init_kind)6) /* one past THETA_INIT_SCALED */
SETTER(init_out_kind_bad, c->init_out.kind = (theta_init_kind)99)
SETTER(init_value_nan, { c->init_in.kind = THETA_INIT_CONST; c->init_in.value = NAN; })
SETTER(init_value_inf, { c->init_out.kind = THETA_INIT_CONST; c->init_out.value = -INFINITY; })
SETTER(init_uniform_0, { c->init_in.kind = THETA_INIT_UNIFORM; c->init_in.value = 0; })
SETTER(init_normal_neg, { c->init_out.kind = THETA_INIT_NORMAL; c->init_out.value = -1; })
SETTER(init_const_huge, { c->init_in.kind = THETA_INIT_CONST; c->init_in.value = 2e6; })
SETTER(init_const_neg, { c->init_in.kind = THETA_INIT_CONST; c->init_in.value = -2; })

static const field_case field_cases[] = {
    {"arch 2", arch_bad, "model"},
    {"loss 3", loss_bad, "loss"},
    {"dim 0", dim_0, "dim must"},
    {"dim -3", dim_neg, "dim must"},
    {"dim 10001", dim_big, "dim must"},
    {"dim 1", dim_1, NULL},
    {"dim 10000", dim_max, NULL},
    {"window 0", window_0, "window must"},
    {"window 1001", window_big, "window must"},
    {"window 1000", window_max, NULL},
    {"negative 0", negative_0, "negative must"},
    {"negative 1001", negative_big, "negative must"},
    {"negative 0 with hs", negative_0_hs, NULL},
    {"epochs 0", epochs_0, "epochs must"},
    {"epochs 100001", epochs_big, "epochs must"},
    {"threads 0", threads_0, "threads must"},
    {"threads 513", threads_big, "threads must"},
    {"threads 512", threads_max, NULL},
    {"min_count 0", min_count_0, "min_count must"},
    {"min_count -5", min_count_neg, "min_count must"},
    {"min_count 1", min_count_1, NULL},
    {"max_vocab -1", max_vocab_neg, "max_vocab must"},
    {"max_vocab 1", max_vocab_1, "max_vocab must"},
    {"max_vocab 2", max_vocab_2, NULL},
    {"sample -1e-3", sample_neg, "sample must"},
    {"sample 1", sample_1, "sample must"},
    {"sample nan", sample_nan, "sample must"},
    {"sample 0", sample_0, NULL},
    {"alpha 0", alpha_0, "alpha must"},
    {"alpha -0.1", alpha_neg, "alpha must"},
    {"alpha 10.5", alpha_big, "alpha must"},
    {"alpha nan", alpha_nan, "alpha must"},
    {"alpha inf", alpha_inf, "alpha must"},
    {"min_alpha_ratio -0.1", ratio_neg, "min_alpha_ratio must"},
    {"min_alpha_ratio 1.5", ratio_big, "min_alpha_ratio must"},
    {"min_alpha_ratio nan", ratio_nan, "min_alpha_ratio must"},
    {"noise_uniform -0.01", noise_neg, "noise_uniform must"},
    {"noise_uniform 1.5", noise_big, "noise_uniform must"},
    {"noise_uniform nan", noise_nan, "noise_uniform must"},
    {"noise_uniform 1", noise_1, NULL},
    {"init_in kind 6", init_kind_bad, "input"},
    {"init_out kind 99", init_out_kind_bad, "output"},
    {"init_in const nan", init_value_nan, "input"},
    {"init_out const -inf", init_value_inf, "output"},
    {"init_in uniform 0", init_uniform_0, "uniform"},
    {"init_out normal -1", init_normal_neg, "normal"},
    {"init_in const 2e6", init_const_huge, "too large"},
    {"init_in const -2", init_const_neg, NULL},
};

START_TEST(validate_each_field)
{
    const field_case *fc = &field_cases[_i];
    theta_config c = theta_config_default();
    fc->set(&c);
    theta_status st = theta_config_validate(&c);
    if (!fc->msg) {
        ck_assert_msg(st == THETA_OK, "%s: rejected: %s", fc->what, theta_last_error());
        return;
    }
    ck_assert_msg(st == THETA_EINVAL, "%s: validate gave %d", fc->what, (int)st);
    ck_assert_msg(strstr(theta_last_error(), fc->msg) != NULL, "%s: message '%s' lacks '%s'",
                  fc->what, theta_last_error(), fc->msg);
    /* the library names fields, not the program's options */
    ck_assert_msg(strstr(theta_last_error(), "--") == NULL, "%s: message '%s' names an option",
                  fc->what, theta_last_error());
}
END_TEST

/* ---- init strategies ---------------------------------------------------- */

START_TEST(init_parse_accepts)
{
    static const struct { const char *text; theta_init_kind kind; double value; } ok[] = {
        {"w2v", THETA_INIT_W2V, 0},         {"zero", THETA_INIT_ZERO, 0},
        {"const:0.1", THETA_INIT_CONST, 0.1}, {"const:-2", THETA_INIT_CONST, -2},
        {"const:0", THETA_INIT_CONST, 0},   {"uniform:0.5", THETA_INIT_UNIFORM, 0.5},
        {"normal:0.1", THETA_INIT_NORMAL, 0.1}, {"normal:1e-3", THETA_INIT_NORMAL, 1e-3},
        {"scaled:1", THETA_INIT_SCALED, 1},     {"scaled:0.5", THETA_INIT_SCALED, 0.5},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        theta_init in = {.kind = (theta_init_kind)77, .value = 99};
        ck_assert_msg(theta_init_parse(ok[i].text, &in) == THETA_OK, "%s: %s", ok[i].text,
                      theta_last_error());
        ck_assert_int_eq(in.kind, ok[i].kind);
        ck_assert_msg(in.value == ok[i].value, "%s: value %.17g", ok[i].text, in.value);
    }
}
END_TEST

START_TEST(init_parse_rejects)
{
    static const char *bad[] = {"scaled",    "scaled:0",  "scaled:-1",
                                "const",     "const:abc", "uniform:-1", "normal:0",  "zero:1",
                                "bogus",     "",          "const:",     "uniform:0", "const:nan",
                                "const:inf", "w2v:",      "w2v:1",      "constant:1", "uniform",
                                "normal:-0.5", "const:1e7", "const:0.1x", "CONST:1",  ":1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        theta_init in = {.kind = THETA_INIT_UNIFORM, .value = 42};
        ck_assert_msg(theta_init_parse(bad[i], &in) == THETA_EINVAL, "'%s' was accepted", bad[i]);
        ck_assert_msg(strlen(theta_last_error()) > 0, "'%s': no message", bad[i]);
        /* the output is written only on success */
        ck_assert_int_eq(in.kind, THETA_INIT_UNIFORM);
        ck_assert(in.value == 42);
    }
}
END_TEST

START_TEST(init_format_round_trips)
{
    /* canonical text -> init -> the same text */
    static const char *canon[] = {"w2v", "zero", "const:0.1", "const:-2", "const:0",
                                  "uniform:0.5", "normal:0.1", "normal:1e-05", "const:123456"};
    char buf[64];
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        theta_init in;
        ck_assert_int_eq(theta_init_parse(canon[i], &in), THETA_OK);
        theta_init_format(&in, buf, sizeof buf);
        ck_assert_str_eq(buf, canon[i]);
    }
    /* any value -> text -> the same value, bit for bit */
    static const double values[] = {1.0 / 3, 0.1 + 0.2, 1e-7, -123456.78901234567, 0.5 / 300,
                                    3.0517578125e-05, 999999.99999999988};
    static const theta_init_kind kinds[] = {THETA_INIT_CONST, THETA_INIT_UNIFORM, THETA_INIT_NORMAL};
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            theta_init a = {.kind = kinds[k], .value = values[i]}, b;
            if (kinds[k] != THETA_INIT_CONST && a.value < 0)
                a.value = -a.value;
            theta_init_format(&a, buf, sizeof buf);
            ck_assert_msg(theta_init_parse(buf, &b) == THETA_OK, "'%s': %s", buf,
                          theta_last_error());
            ck_assert_int_eq(b.kind, a.kind);
            ck_assert_msg(b.value == a.value, "%.17g -> '%s' -> %.17g", a.value, buf, b.value);
        }
    }
    /* a small buffer is truncated, still NUL-terminated */
    theta_init u = {.kind = THETA_INIT_UNIFORM, .value = 0.5};
    theta_init_format(&u, buf, 5);
    ck_assert_str_eq(buf, "unif");
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(theta_arch_name(THETA_ARCH_SKIPGRAM), "skipgram");
    ck_assert_str_eq(theta_arch_name(THETA_ARCH_CBOW), "cbow");
    ck_assert_str_eq(theta_loss_name(THETA_LOSS_NS), "ns");
    ck_assert_str_eq(theta_loss_name(THETA_LOSS_HS), "hs");
    ck_assert_str_eq(theta_loss_name(THETA_LOSS_SOFTMAX), "softmax");
}
END_TEST

/* The range table is what validate checks: each field's bounds are
 * accepted and the values just outside them refused, with the field's name
 * in the message and the range in words. */
START_TEST(ranges_are_what_validate_checks)
{
    int n = 0;
    for (const theta_config_range *r = theta_config_ranges(); r->field; r++, n++) {
        ck_assert_ptr_eq(theta_config_range_of(r->field), r);
        const double step = r->integer ? 1 : 1e-9;
        const double inside[2] = {r->lo_open ? r->lo + step : r->lo,
                                  r->hi_open ? r->hi - step : r->hi};
        const double outside[2] = {r->lo_open ? r->lo : r->lo - step,
                                   r->hi_open ? r->hi : r->hi + step};
        for (int k = 0; k < 2; k++) {
            ck_assert_msg(theta_config_in_range(r, inside[k]), "%s: %.17g refused", r->field,
                          inside[k]);
            /* past int64's end a double cannot step out of range */
            if (r->hi < 1e18 || k == 0)
                ck_assert_msg(!theta_config_in_range(r, outside[k]) ||
                                  (r->zero_ok && outside[k] == 0),
                              "%s: %.17g accepted", r->field, outside[k]);
        }
        if (r->integer)
            ck_assert(!theta_config_in_range(r, inside[0] + 0.5));
        ck_assert(!theta_config_in_range(r, NAN));
        ck_assert_int_eq(theta_config_in_range(r, 0), r->zero_ok || (r->lo == 0 && !r->lo_open));
    }
    ck_assert_int_eq(n, 12);
    ck_assert_ptr_null(theta_config_range_of("bogus"));
    char text[80];
    theta_config_range_text(theta_config_range_of("dim"), text, sizeof text);
    ck_assert_str_eq(text, "an integer in 1..10000");
    theta_config_range_text(theta_config_range_of("sample"), text, sizeof text);
    ck_assert_str_eq(text, "a number in [0, 1)");
    theta_config_range_text(theta_config_range_of("alpha"), text, sizeof text);
    ck_assert_str_eq(text, "a number in (0, 10]");
    theta_config_range_text(theta_config_range_of("max_vocab"), text, sizeof text);
    ck_assert_str_eq(text, "0 or an integer in 2..2147483647");
    theta_config_range_text(theta_config_range_of("min_count"), text, sizeof text);
    ck_assert_str_eq(text, "an integer >= 1");
    theta_config_range_text(theta_config_range_of("noise_uniform"), text, sizeof text);
    ck_assert_str_eq(text, "a number in [0, 1]");
    /* validate refuses a value the table refuses, naming the field */
    theta_config c = theta_config_default();
    c.window = 1001;
    ck_assert_int_eq(theta_config_validate(&c), THETA_EINVAL);
    ck_assert_str_eq(theta_last_error(), "window must be an integer in 1..1000, not 1001");
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *core = tcase_create("core");
    tcase_add_test(core, defaults);
    tcase_add_test(core, init_parse_accepts);
    tcase_add_test(core, init_format_round_trips);
    tcase_add_test(core, names);
    tcase_add_test(core, ranges_are_what_validate_checks);
    suite_add_tcase(s, core);
    TCase *err = tcase_create("errors");
    tcase_add_loop_test(err, validate_each_field, 0,
                        (int)(sizeof field_cases / sizeof field_cases[0]));
    tcase_add_test(err, init_parse_rejects);
    suite_add_tcase(s, err);
    return s;
}
