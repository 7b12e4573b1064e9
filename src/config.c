/* config.c — the defaults of every hyper-parameter, validation, init parsing. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Chosen by measurement (README, Performance: quality-grid.sh over alpha x
 * init scale on two corpora, 1 and 5 epochs): higher than word2vec's
 * 0.025 / +-0.5/dim, better at both lengths. Hierarchical softmax does best
 * a little lower (corpus-big: 0.0375 ahead of 0.025 and 0.05 at 1 and 5
 * epochs). */
double theta_config_default_alpha(theta_loss loss)
{
    return loss == THETA_LOSS_HS ? 0.0375 : 0.05;
}

theta_config theta_config_default(void)
{
    theta_config c;
    memset(&c, 0, sizeof c);
    c.arch = THETA_ARCH_SKIPGRAM;
    c.loss = THETA_LOSS_NS;
    c.dim = 100;
    c.window = 5;
    c.negative = 5;
    c.epochs = 5;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c.threads = n > 0 ? (int)(n > 512 ? 512 : n) : 1; /* the range of threads */
    c.min_count = 5;
    c.max_vocab = 0;
    c.sample = 1e-3;
    c.alpha = theta_config_default_alpha(c.loss);
    c.min_alpha_ratio = 1e-4;
    c.seed = 1;
    c.init_in.kind = THETA_INIT_SCALED; /* uniform in +-1/dim */
    c.init_in.value = 1.0;
    c.init_out.kind = THETA_INIT_ZERO;
    c.kernel = THETA_KERNEL_BATCH; /* faster and at least as good: see README, Performance */
    c.noise_uniform = 0.0f; /* word2vec.c's ~1 % made no measurable difference: docs/quality.md */
    c.share_negatives = 1;
    return c;
}

/* The numeric fields' ranges: the library's checks and the program's option
 * parsing both read them here. */
#define FIELD(name, type) #name, offsetof(theta_config, name), type
enum { F_INT, F_I64, F_DBL, F_FLT };
static const theta_config_range ranges[] = {
    {FIELD(dim, F_INT), 1, 10000, 1, 0, 0, 0},
    {FIELD(window, F_INT), 1, 1000, 1, 0, 0, 0},
    {FIELD(negative, F_INT), 0, 1000, 1, 0, 0, 0}, /* and >= 1 with loss ns */
    {FIELD(epochs, F_INT), 1, 100000, 1, 0, 0, 0},
    {FIELD(threads, F_INT), 1, 512, 1, 0, 0, 0},
    {FIELD(min_count, F_I64), 1, (double)INT64_MAX, 1, 0, 0, 0},
    {FIELD(max_vocab, F_I64), 2, INT32_MAX, 1, 0, 0, 1},
    {FIELD(sample, F_DBL), 0, 1, 0, 0, 1, 0},
    {FIELD(alpha, F_DBL), 0, 10, 0, 1, 0, 0},
    {FIELD(min_alpha_ratio, F_DBL), 0, 1, 0, 0, 0, 0},
    {FIELD(noise_uniform, F_FLT), 0, 1, 0, 0, 0, 0},
    {FIELD(share_negatives, F_INT), 1, THETA_MAX_SHARE, 1, 0, 0, 0},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0},
};
#undef FIELD

const theta_config_range *theta_config_ranges(void)
{
    return ranges;
}

const theta_config_range *theta_config_range_of(const char *field)
{
    for (const theta_config_range *r = ranges; r->field; r++)
        if (strcmp(r->field, field) == 0)
            return r;
    return NULL;
}

int theta_config_in_range(const theta_config_range *r, double v)
{
    if (r->zero_ok && v == 0)
        return 1;
    if (!isfinite(v) || (r->integer && v != floor(v)))
        return 0;
    return (r->lo_open ? v > r->lo : v >= r->lo) && (r->hi_open ? v < r->hi : v <= r->hi);
}

void theta_config_range_text(const theta_config_range *r, char *buf, size_t size)
{
    const char *zero = r->zero_ok ? "0 or " : "";
    if (r->integer && r->hi >= 1e18)
        snprintf(buf, size, "%san integer >= %.0f", zero, r->lo);
    else if (r->integer)
        snprintf(buf, size, "%san integer in %.0f..%.0f", zero, r->lo, r->hi);
    else
        snprintf(buf, size, "%sa number in %c%g, %g%c", zero, r->lo_open ? '(' : '[', r->lo, r->hi,
                 r->hi_open ? ')' : ']');
}

static double field_value(const theta_config *c, const theta_config_range *r)
{
    const char *p = (const char *)c + r->offset;
    switch (r->type) {
    case F_INT: return *(const int *)(const void *)p;
    case F_I64: return (double)*(const int64_t *)(const void *)p;
    case F_FLT: return *(const float *)(const void *)p;
    default: return *(const double *)(const void *)p;
    }
}

static theta_status check_init(const theta_init *in, const char *matrix)
{
    if (in->kind > THETA_INIT_SCALED || !isfinite(in->value))
        return theta__fail(THETA_EINVAL, "bad init strategy for the %s matrix", matrix);
    if ((in->kind == THETA_INIT_UNIFORM || in->kind == THETA_INIT_NORMAL ||
         in->kind == THETA_INIT_SCALED) && in->value <= 0)
        return theta__fail(THETA_EINVAL, "init %s needs a positive scale",
                           in->kind == THETA_INIT_UNIFORM  ? "uniform"
                           : in->kind == THETA_INIT_NORMAL ? "normal"
                                                           : "scaled");
    if (fabs(in->value) > 1e6)
        return theta__fail(THETA_EINVAL, "init value %g is too large", in->value);
    if (in->noise_kind > THETA_NOISE_UNIFORM || !isfinite(in->noise) || in->noise < 0 ||
        in->noise > 1e6)
        return theta__fail(THETA_EINVAL, "bad perturbation of the %s matrix's init", matrix);
    if (in->noise_kind == THETA_NOISE_NONE && in->noise != 0)
        return theta__fail(THETA_EINVAL, "the %s matrix's init has a noise scale but no "
                                         "perturbation", matrix);
    return THETA_OK;
}

theta_status theta_config_validate(const theta_config *c)
{
    if (c->arch != THETA_ARCH_SKIPGRAM && c->arch != THETA_ARCH_CBOW)
        return theta__fail(THETA_EINVAL, "unknown model %d", (int)c->arch);
    if (c->loss != THETA_LOSS_NS && c->loss != THETA_LOSS_HS && c->loss != THETA_LOSS_SOFTMAX)
        return theta__fail(THETA_EINVAL, "unknown loss %d", (int)c->loss);
    if (c->kernel != THETA_KERNEL_PAIR && c->kernel != THETA_KERNEL_BATCH)
        return theta__fail(THETA_EINVAL, "unknown kernel %d", (int)c->kernel);
    for (const theta_config_range *r = ranges; r->field; r++) {
        double v = field_value(c, r);
        if (!theta_config_in_range(r, v)) {
            char text[80];
            theta_config_range_text(r, text, sizeof text);
            return theta__fail(THETA_EINVAL, "%s must be %s, not %.17g", r->field, text, v);
        }
    }
    if (c->loss == THETA_LOSS_NS && c->negative < 1)
        return theta__fail(THETA_EINVAL, "negative must be at least 1 with loss ns, not %d",
                           c->negative);
    theta_status st = check_init(&c->init_in, "input");
    return st ? st : check_init(&c->init_out, "output");
}

static int parse_value(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* "normal:S" / "uniform:A" after the '+' of a perturbed start, S, A >= 0. */
static theta_status parse_noise(const char *text, const char *whole, theta_init *r)
{
    static const struct { const char *name; theta_noise_kind kind; } kinds[] = {
        {"normal:", THETA_NOISE_NORMAL}, {"uniform:", THETA_NOISE_UNIFORM}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].name);
        if (strncmp(text, kinds[i].name, n) != 0)
            continue;
        double v;
        if (parse_value(text + n, &v) != 0 || v < 0 || v > 1e6)
            return theta__fail(THETA_EINVAL, "init '%s': the perturbation needs a scale in "
                                             "[0, 1e6]: +%sS", whole, kinds[i].name);
        r->noise_kind = kinds[i].kind;
        r->noise = v;
        return THETA_OK;
    }
    return theta__fail(THETA_EINVAL, "init '%s': unknown perturbation '+%s' (+normal:S, "
                                     "+uniform:A)", whole, text);
}

theta_status theta_init_parse(const char *text, theta_init *out)
{
    theta_init r = {.kind = THETA_INIT_W2V};
    static const struct { const char *name; theta_init_kind kind; int has_value; } kinds[] = {
        {"w2v", THETA_INIT_W2V, 0},         {"zero", THETA_INIT_ZERO, 0},
        {"const", THETA_INIT_CONST, 1},     {"uniform", THETA_INIT_UNIFORM, 1},
        {"normal", THETA_INIT_NORMAL, 1},   {"scaled", THETA_INIT_SCALED, 1},
    };
    /* the strategy ends at a '+' before a letter ("1e+5" is a number) */
    size_t blen = strlen(text);
    for (const char *p = strchr(text, '+'); p; p = strchr(p + 1, '+'))
        if (isalpha((unsigned char)p[1])) {
            blen = (size_t)(p - text);
            break;
        }
    char base[128];
    if (blen >= sizeof base)
        return theta__fail(THETA_EINVAL, "init '%.40s...' is too long", text);
    memcpy(base, text, blen);
    base[blen] = '\0';
    if (text[blen] && parse_noise(text + blen + 1, text, &r))
        return THETA_EINVAL;
    const char *colon = strchr(base, ':');
    size_t nlen = colon ? (size_t)(colon - base) : blen;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) != nlen || strncmp(kinds[i].name, base, nlen) != 0)
            continue;
        r.kind = kinds[i].kind;
        if (kinds[i].has_value) {
            if (!colon || parse_value(colon + 1, &r.value) != 0)
                return theta__fail(THETA_EINVAL, "init '%s' needs a number: %s:VALUE", text,
                                   kinds[i].name);
            if (r.kind != THETA_INIT_CONST && r.value <= 0)
                return theta__fail(THETA_EINVAL, "init '%s' needs a positive scale", text);
            if (fabs(r.value) > 1e6)
                return theta__fail(THETA_EINVAL, "init '%s': value too large", text);
        } else if (colon) {
            return theta__fail(THETA_EINVAL, "init '%s' takes no value", kinds[i].name);
        }
        *out = r;
        return THETA_OK;
    }
    return theta__fail(THETA_EINVAL,
                       "unknown init strategy '%s' (w2v, zero, const:C, uniform:A, normal:SIGMA, "
                       "scaled:K, each optionally +normal:S or +uniform:A)",
                       text);
}

/* The shortest %g text (at least 9 digits, at most 17) that reads back as
 * exactly v, so that parse(format(init)) == init. */
static void format_value(double v, char *out, size_t size)
{
    for (int prec = 9; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

void theta_init_format(const theta_init *init, char *buf, size_t size)
{
    char num[40], noise[64] = "";
    format_value(init->value, num, sizeof num);
    if (init->noise_kind != THETA_NOISE_NONE) {
        char scale[40];
        format_value(init->noise, scale, sizeof scale);
        snprintf(noise, sizeof noise, "+%s:%s",
                 init->noise_kind == THETA_NOISE_NORMAL    ? "normal"
                 : init->noise_kind == THETA_NOISE_UNIFORM ? "uniform"
                                                           : "?",
                 scale);
    }
    switch (init->kind) {
    case THETA_INIT_W2V: snprintf(buf, size, "w2v%s", noise); break;
    case THETA_INIT_ZERO: snprintf(buf, size, "zero%s", noise); break;
    case THETA_INIT_CONST: snprintf(buf, size, "const:%s%s", num, noise); break;
    case THETA_INIT_UNIFORM: snprintf(buf, size, "uniform:%s%s", num, noise); break;
    case THETA_INIT_NORMAL: snprintf(buf, size, "normal:%s%s", num, noise); break;
    case THETA_INIT_SCALED: snprintf(buf, size, "scaled:%s%s", num, noise); break;
    default: snprintf(buf, size, "?"); break;
    }
}

const char *theta_arch_name(theta_arch arch)
{
    return arch == THETA_ARCH_CBOW ? "cbow" : "skipgram";
}

const char *theta_kernel_name(theta_kernel kernel)
{
    return kernel == THETA_KERNEL_BATCH ? "batch" : "pair";
}

const char *theta_loss_name(theta_loss loss)
{
    return loss == THETA_LOSS_HS ? "hs" : loss == THETA_LOSS_SOFTMAX ? "softmax" : "ns";
}
