/*
 * vecio_write.c — writing word vectors: word2vec text ("V D" header, then
 * "word v1 ... vD" per line, values printed with %.9g so float32 values
 * round-trip exactly), word2vec binary ("V D\n", then "word " + D
 * little-endian float32 + "\n" per row, byte-compatible with word2vec.c),
 * and numpy .npy 1.0 (<f4, C order). Every write is atomic. Also the
 * centring `--center` of train and export applies before writing.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int write_npy_header(FILE *f, int64_t rows, int dim)
{
    char dict[128];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %d), }",
                     (long long)rows, dim);
    /* magic (6) + version (2) + header length (2) + dict, padded to 64 with '\n' last */
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t hlen = padded - 10;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                             (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    if (fwrite(pre, 1, 10, f) != 10 || fwrite(dict, 1, (size_t)n, f) != (size_t)n)
        return -1;
    for (size_t i = (size_t)n; i < hlen - 1; i++)
        fputc(' ', f);
    return fputc('\n', f) == EOF ? -1 : 0;
}

/* 10^k, all exact in double */
static const double pow10_exact[13] = {1e0, 1e1, 1e2, 1e3, 1e4,  1e5,  1e6,
                                       1e7, 1e8, 1e9, 1e10, 1e11, 1e12};

/* a's 9 significant digits as the integer n, 10^8 <= n < 10^9, with
 * a * 10^k rounded to n (k returned), when 0 <= k <= 12; -1 otherwise. For
 * those k, a * 10^k is exact in double (a has 24 significant bits, 5^12 < 2^28),
 * so rint rounds the exact value half to even, as printf does. */
static int nine_digits(double a, int e2, int64_t *n)
{
    int k = 8 - (e2 * 1233 >> 12); /* 8 - about floor(log10 a); corrected below */
    for (int tries = 0; tries < 4; tries++) {
        if (k < 0 || k > 12)
            return -1;
        double v = rint(a * pow10_exact[k]);
        if (v >= 1e9)
            k--;
        else if (v < 1e8)
            k++;
        else {
            *n = (int64_t)v;
            return k;
        }
    }
    return -1;
}

int theta__format_g9(float x, char *out)
{
    double a = fabs((double)x);
    int e2;
    frexp(a, &e2);
    int64_t n;
    int k = a > 0 && isfinite(a) ? nine_digits(a, e2 - 1, &n) : -1;
    if (k < 0) /* zero, not finite, or printf would use its exponent form */
        return snprintf(out, THETA__G9_MAX, "%.9g", (double)x);
    char d[9];
    for (int i = 8; i >= 0; i--, n /= 10)
        d[i] = (char)('0' + n % 10);
    int last = 8; /* the last digit kept: trailing zeros of the fraction go */
    int point = 8 - k; /* the digit before the decimal point, -1..-4: 0.000ddd */
    while (last > point && d[last] == '0')
        last--;
    int len = 0;
    if (signbit(x))
        out[len++] = '-';
    if (point < 0) {
        out[len++] = '0';
        out[len++] = '.';
        for (int z = point + 1; z < 0; z++)
            out[len++] = '0';
    }
    for (int i = 0; i <= last; i++) {
        out[len++] = d[i];
        if (i == point && i < last)
            out[len++] = '.';
    }
    return len;
}

/* " v1 ... vD\n" of a text row, through a buffer of bounded size (a row
 * can have any number of dimensions); 0, or -1 if a write failed. */
static int write_text_row(FILE *f, const float *row, int dim)
{
    char buf[4096];
    size_t len = 0;
    for (int d = 0; d < dim; d++) {
        if (len > sizeof buf - (2 + THETA__G9_MAX)) { /* room for ' ', a value and '\n' */
            if (fwrite(buf, 1, len, f) != len)
                return -1;
            len = 0;
        }
        buf[len++] = ' ';
        len += (size_t)theta__format_g9(row[d], buf + len);
    }
    buf[len++] = '\n';
    return fwrite(buf, 1, len, f) == len ? 0 : -1;
}

theta_status theta_vectors_write(const char *path, theta_vec_format fmt, int64_t rows, int dim,
                                 const float *m, const char *const *names)
{
    theta__outfile o;
    theta_status st = theta__out_open(&o, path);
    if (st)
        return st;
    int bad = 0;
    if (fmt == THETA_VEC_NPY) {
        bad = write_npy_header(o.f, rows, dim) ||
              theta__write_f32(o.f, m, (size_t)rows * (size_t)dim) != (size_t)rows * (size_t)dim;
    } else {
        bad = fprintf(o.f, "%lld %d\n", (long long)rows, dim) < 0;
        for (int64_t r = 0; r < rows && !bad; r++) {
            const float *row = m + (size_t)r * (size_t)dim;
            if (fputs(names[r], o.f) == EOF)
                bad = 1;
            if (fmt == THETA_VEC_BINARY) {
                bad = bad || fputc(' ', o.f) == EOF ||
                      theta__write_f32(o.f, row, (size_t)dim) != (size_t)dim ||
                      fputc('\n', o.f) == EOF;
            } else {
                bad = bad || write_text_row(o.f, row, dim);
            }
        }
    }
    if (bad || ferror(o.f)) {
        st = theta__fail(THETA_EIO, "%s: write failed: %s", path, strerror(errno));
        theta__out_abort(&o);
        return st;
    }
    return theta__out_commit(&o);
}

/* One of m's matrices, or a centred copy of it (m itself unchanged). */
static theta_status write_model_matrix(const theta_model *m, int which, const char *path,
                                       theta_vec_format fmt, int center)
{
    int64_t rows = which ? m->out_rows : m->vocab->size;
    const float *mat = which ? m->out : m->in;
    float *copy = NULL;
    if (center) {
        size_t n = (size_t)rows * (size_t)m->cfg.dim;
        if (!(copy = malloc(n * sizeof *copy)))
            return theta__fail(THETA_ENOMEM, "out of memory for the centred vectors");
        memcpy(copy, mat, n * sizeof *copy);
        mat = copy;
    }
    const char **names = NULL;
    theta_status st = center ? theta_vectors_center(copy, rows, m->cfg.dim) : THETA_OK;
    if (!st)
        st = theta_model_row_names(m, which, &names);
    if (!st)
        st = theta_vectors_write(path, fmt, rows, m->cfg.dim, mat, (const char *const *)names);
    free(names);
    free(copy);
    return st;
}

theta_status theta_model_write_vectors(const theta_model *m, int which, const char *path,
                                       theta_vec_format fmt)
{
    return write_model_matrix(m, which, path, fmt, 0);
}

theta_status theta_model_write_centered_vectors(const theta_model *m, int which, const char *path,
                                                theta_vec_format fmt)
{
    return write_model_matrix(m, which, path, fmt, 1);
}

theta_status theta_vectors_center(float *m, int64_t rows, int dim)
{
    if (rows <= 0 || dim <= 0)
        return THETA_OK;
    double *mean = calloc((size_t)dim, sizeof *mean);
    if (!mean)
        return theta__fail(THETA_ENOMEM, "out of memory for the column means");
    for (int64_t r = 0; r < rows; r++)
        for (int j = 0; j < dim; j++)
            mean[j] += m[(size_t)r * (size_t)dim + (size_t)j];
    for (int j = 0; j < dim; j++)
        mean[j] /= (double)rows;
    for (int64_t r = 0; r < rows; r++)
        for (int j = 0; j < dim; j++) {
            float *x = &m[(size_t)r * (size_t)dim + (size_t)j];
            *x = (float)((double)*x - mean[j]);
        }
    free(mean);
    return THETA_OK;
}
