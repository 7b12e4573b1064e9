/*
 * vecio_read.c — reading word vectors written by word2vec.c, gensim,
 * fastText (.vec), GloVe and theta itself. The variant comes from the
 * content, never from the file name:
 *
 *   - First line "V D" (exactly two integers): a word2vec header. Anything
 *     else: no header, GloVe text, D = fields on the first line - 1. (So a
 *     one-dimensional GloVe file whose first line is "<integer> <integer>"
 *     reads as a header; such files do not occur in practice.)
 *   - After a header, text if the first record line is a word followed by
 *     tokens made only of number characters and the line after it looks the
 *     same (or is the end of the file); binary otherwise. Raw float32 bytes
 *     almost never pass that test twice in a row.
 *
 * Text: tokens are separated by runs of spaces/tabs; leading and trailing
 * whitespace, '\r' line ends and a missing final newline are accepted; a
 * line must have exactly D values; blank lines are accepted only at the end
 * of the file. Values are parsed with strtof (exact for %.9g output); hex
 * floats and finite numbers outside the float range are refused.
 * Binary: per record, word bytes up to a space (leading '\n' skipped, so
 * word2vec.c's newline after each vector is optional, even mixed), then D
 * little-endian float32; only whitespace may follow the last record.
 *
 * Policies: non-finite values (nan, inf, -inf in text; any bit pattern in
 * binary) are ACCEPTED as stored: the reader is also used to inspect
 * diverged runs, so callers that need finite values check for themselves.
 * Words are kept as raw bytes (no UTF-8 validation) but may not contain a
 * NUL byte. Every count and size is checked against the file size before
 * anything is allocated; nothing is read into a fixed-size buffer.
 */
#include "internal.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    FILE *f;
    const char *path;
    uint64_t size;  /* bytes in the file */
    char *buf;      /* current text line, or current binary word */
    size_t cap;
    int64_t lineno; /* 1-based number of the text line in buf */
} src;

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static theta_status read_error(const src *s)
{
    return theta__fail(THETA_EIO, "%s: read error: %s", s->path, strerror(errno ? errno : EIO));
}

/* Reads the next text line into s->buf without its line end and trailing
 * whitespace. Returns 1 (a line), 0 (end of file) or -1 (failure, status in
 * *st). */
static int read_line(src *s, size_t *len, theta_status *st)
{
    errno = 0;
    ssize_t n = getline(&s->buf, &s->cap, s->f);
    if (n < 0) {
        if (ferror(s->f)) {
            *st = read_error(s);
            return -1;
        }
        if (errno == ENOMEM) {
            *st = theta__fail(THETA_ENOMEM, "%s:%lld: out of memory for a line", s->path,
                              (long long)s->lineno + 1);
            return -1;
        }
        return 0;
    }
    s->lineno++;
    if (memchr(s->buf, '\0', (size_t)n)) {
        *st = theta__fail(THETA_EFORMAT, "%s:%lld: NUL byte in a text line", s->path,
                          (long long)s->lineno);
        return -1;
    }
    while (n > 0 && (s->buf[n - 1] == '\n' || is_blank(s->buf[n - 1])))
        n--;
    s->buf[n] = '\0';
    *len = (size_t)n;
    return 1;
}

/* Next space/tab-separated token of *p, NUL-terminated in place; NULL at the end. */
static char *next_token(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s) {
        *p = s;
        return NULL;
    }
    char *t = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return t;
}

static int64_t count_tokens(const char *s)
{
    int64_t n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        n++;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    return n;
}

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define HAVE_FAST_FLOAT 1
#else
#define HAVE_FAST_FLOAT 0 /* x87 extended precision: double rounding, use strtof */
#endif

/* The common case of parse_value, about ten times faster than strtof with
 * the same result: a plain decimal with at most 19 significant digits and a
 * decimal exponent within +-22 is m * 10^e with m and 10^e exact doubles, so
 * one multiplication or division gives the correctly rounded double
 * (Clinger's fast path). Rounding that double to float gives the correctly
 * rounded float unless the double lies exactly halfway between two floats
 * (then the decimal may have been just above or below): that case, zero
 * exponents out of range, subnormals and anything else return 0 and go to
 * strtof. */
static int fast_float(const char *s, float *out)
{
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    uint64_t m = 0;
    int digits = 0, exp10 = 0, any = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        any = 1;
        if (m == 0 && *p == '0')
            continue; /* leading zeros */
        if (++digits > 19)
            return 0;
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) {
            any = 1;
            exp10--;
            if (m == 0 && *p == '0')
                continue;
            if (++digits > 19)
                return 0;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    if (!any)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        int eneg = *p == '-';
        if (*p == '-' || *p == '+')
            p++;
        if (*p < '0' || *p > '9')
            return 0;
        int e = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    if (*p != '\0')
        return 0;
    double d = 0;
    if (m != 0) {
        if (m > (1ULL << 53) || exp10 < -22 || exp10 > 22)
            return 0;
        d = exp10 >= 0 ? (double)m * pow10[exp10] : (double)m / pow10[-exp10];
        if (d < FLT_MIN || d > FLT_MAX)
            return 0;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        if ((bits & ((1ULL << 29) - 1)) == (1ULL << 28))
            return 0; /* a float midpoint: let strtof decide */
    }
    *out = (float)(neg ? -d : d);
    return 1;
}

/* One decimal value (also nan / inf): 0 on success, -1 not a number, -2
 * a finite number too large for float32. */
static int parse_value(const char *tok, float *out)
{
    if (HAVE_FAST_FLOAT && fast_float(tok, out))
        return 0;
    if (strpbrk(tok, "xX"))
        return -1; /* strtof would take hex floats; no writer produces them */
    char *end;
    float v = strtof(tok, &end);
    if (end == tok || *end != '\0')
        return -1;
    if (isinf(v) && !strpbrk(tok, "iI"))
        return -2;
    *out = v;
    return 0;
}

/* Parses the line in s->buf ("word v1 ... vD", non-blank) into row; *word
 * points into s->buf. */
static theta_status parse_text_row(src *s, int dim, float *row, char **word)
{
    char *p = s->buf;
    char *w = next_token(&p);
    int64_t k = 0;
    char *t;
    while ((t = next_token(&p))) {
        int bad = k < dim ? parse_value(t, &row[k]) : 0;
        if (bad)
            return theta__fail(THETA_EFORMAT, "%s:%lld: '%.40s' is %s", s->path,
                               (long long)s->lineno, t,
                               bad == -2 ? "out of the float32 range" : "not a number");
        k++;
    }
    if (k != dim)
        return theta__fail(THETA_EFORMAT, "%s:%lld: expected %d values after the word, found %lld",
                           s->path, (long long)s->lineno, dim, (long long)k);
    *word = w;
    return THETA_OK;
}

static char *dup_bytes(const char *w, size_t len)
{
    char *c = theta__alloc(len + 1, 1);
    if (c) {
        memcpy(c, w, len);
        c[len] = '\0';
    }
    return c;
}

/* After the last record: only blank lines may follow. rows < 0: no header. */
static theta_status expect_text_end(src *s, int64_t rows)
{
    size_t len;
    theta_status st = THETA_OK;
    int got;
    while ((got = read_line(s, &len, &st)) > 0) {
        if (len == 0)
            continue;
        if (rows < 0)
            return theta__fail(THETA_EFORMAT, "%s:%lld: a vector after a blank line", s->path,
                               (long long)s->lineno);
        return theta__fail(THETA_EFORMAT, "%s:%lld: more vectors than the %lld the header declares",
                           s->path, (long long)s->lineno, (long long)rows);
    }
    return got < 0 ? st : THETA_OK;
}

static theta_status read_text(src *s, int64_t rows, int dim, theta_vectors *v)
{
    for (int64_t r = 0; r < rows; r++) {
        size_t len;
        theta_status st = THETA_OK;
        int got = read_line(s, &len, &st);
        if (got < 0)
            return st;
        if (got == 0)
            return theta__fail(THETA_EFORMAT,
                               "%s:%lld: the header declares %lld vectors, the file ends after %lld",
                               s->path, (long long)s->lineno + 1, (long long)rows, (long long)r);
        if (len == 0)
            return theta__fail(THETA_EFORMAT, "%s:%lld: empty line", s->path, (long long)s->lineno);
        char *w;
        if ((st = parse_text_row(s, dim, v->data + (size_t)r * (size_t)dim, &w)))
            return st;
        if (!(v->words[r] = dup_bytes(w, strlen(w))))
            return THETA_ENOMEM;
    }
    return expect_text_end(s, rows);
}

/* GloVe: no header; the first line (already in s->buf, non-blank) fixes D. */
static theta_status read_glove(src *s, theta_vectors *v)
{
    int64_t fields = count_tokens(s->buf);
    if (fields < 2)
        return theta__fail(THETA_EFORMAT, "%s:%lld: no header and no values after the word",
                           s->path, (long long)s->lineno);
    if (fields - 1 > INT_MAX)
        return theta__fail(THETA_EFORMAT, "%s:%lld: too many values on a line", s->path,
                           (long long)s->lineno);
    int dim = (int)(fields - 1);
    v->dim = dim;
    /* every line holds at least 2*dim + 1 bytes plus its newline */
    uint64_t max_rows = (s->size + 1) / (2 * (uint64_t)dim + 2);
    int64_t cap = 0, rows = 0;
    theta_status st = THETA_OK;
    size_t len = 1;
    for (int got = 1; got > 0; got = read_line(s, &len, &st)) {
        if (len == 0) {
            st = expect_text_end(s, -1);
            break;
        }
        if (rows == cap) {
            int64_t ncap = cap ? cap * 2 : 1024;
            if ((uint64_t)ncap > max_rows + 1)
                ncap = (int64_t)max_rows + 1;
            if ((uint64_t)ncap > SIZE_MAX / sizeof(float) / (size_t)dim)
                return theta__fail(THETA_ENOMEM, "%s: matrix too large", s->path);
            float *d = realloc(v->data, (size_t)ncap * (size_t)dim * sizeof(float));
            if (d)
                v->data = d;
            char **w = realloc(v->words, (size_t)ncap * sizeof *w);
            if (w)
                v->words = w;
            if (!d || !w)
                return theta__fail(THETA_ENOMEM, "%s: out of memory at line %lld", s->path,
                                   (long long)s->lineno);
            cap = ncap;
        }
        char *w;
        v->words[rows] = NULL;
        v->rows = rows;
        if ((st = parse_text_row(s, dim, v->data + (size_t)rows * (size_t)dim, &w)))
            return st;
        if (!(v->words[rows] = dup_bytes(w, strlen(w))))
            return THETA_ENOMEM;
        rows++;
        v->rows = rows; /* so that a failure frees every word read so far */
    }
    if (st)
        return st;
    /* give back the unused capacity (shrinking does not move the block) */
    float *d = realloc(v->data, (size_t)rows * (size_t)dim * sizeof(float));
    if (d)
        v->data = d;
    return THETA_OK;
}

static int grow(src *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    size_t ncap = s->cap ? s->cap : 64;
    while (ncap < need)
        ncap *= 2;
    char *b = realloc(s->buf, ncap);
    if (!b)
        return -1;
    s->buf = b;
    s->cap = ncap;
    return 0;
}

static theta_status read_binary(src *s, int64_t rows, int dim, theta_vectors *v)
{
    for (int64_t r = 0; r < rows; r++) {
        int c = getc_unlocked(s->f);
        while (c == '\n')
            c = getc_unlocked(s->f);
        if (c == EOF)
            return ferror(s->f) ? read_error(s)
                                : theta__fail(THETA_EFORMAT,
                                              "%s: binary: the header declares %lld vectors, the "
                                              "file ends after %lld",
                                              s->path, (long long)rows, (long long)r);
        size_t n = 0;
        while (c != ' ') {
            if (c == EOF)
                return ferror(s->f) ? read_error(s)
                                    : theta__fail(THETA_EFORMAT,
                                                  "%s: binary row %lld: the file ends inside the word",
                                                  s->path, (long long)r + 1);
            if (c == '\0')
                return theta__fail(THETA_EFORMAT, "%s: binary row %lld: NUL byte in the word",
                                   s->path, (long long)r + 1);
            if (grow(s, n + 2))
                return theta__fail(THETA_ENOMEM, "%s: out of memory for a word", s->path);
            s->buf[n++] = (char)c;
            c = getc_unlocked(s->f);
        }
        if (n == 0)
            return theta__fail(THETA_EFORMAT, "%s: binary row %lld: empty word", s->path,
                               (long long)r + 1);
        if (!(v->words[r] = dup_bytes(s->buf, n)))
            return THETA_ENOMEM;
        if (theta__read_f32(s->f, v->data + (size_t)r * (size_t)dim, (size_t)dim) != (size_t)dim)
            return ferror(s->f) ? read_error(s)
                                : theta__fail(THETA_EFORMAT,
                                              "%s: binary row %lld ('%.40s'): the file ends "
                                              "inside the vector",
                                              s->path, (long long)r + 1, v->words[r]);
    }
    int c;
    while ((c = getc_unlocked(s->f)) != EOF)
        if (c != '\n' && !is_blank(c))
            return theta__fail(THETA_EFORMAT,
                               "%s: binary: data after the %lld vectors the header declares "
                               "(offset %lld)",
                               s->path, (long long)rows, (long long)ftello(s->f) - 1);
    return ferror(s->f) ? read_error(s) : THETA_OK;
}

enum { SHAPE_END, SHAPE_TEXT, SHAPE_OTHER };

/* Classifies the next non-blank line without keeping it, by the text
 * reader's rules (read_line, next_token): tokens are separated by spaces
 * and tabs, and a run of spaces, tabs and '\r' at the end of the line is
 * dropped, so a '\r' elsewhere belongs to a token (a line of blanks and
 * '\r' only is blank). SHAPE_END if only such blank lines are left;
 * SHAPE_TEXT for a word followed by one or more tokens made only of number
 * characters, with *values set to their count. */
static int line_shape(FILE *f, int64_t *values)
{
    static const char number_chars[] = "+-.eEnNaAiIfFtTyY";
    for (;;) {
        enum { LEAD, WORD, REST } state = LEAD;
        int nonblank = 0, in_value = 0, cr = 0;
        int64_t n = 0;
        int c;
        while ((c = getc_unlocked(f)) != EOF && c != '\n') {
            int sep = c == ' ' || c == '\t';
            if (!sep && c != '\r')
                nonblank = 1;
            if (state == LEAD) {
                if (!sep)
                    state = WORD;
            } else if (state == WORD) {
                if (sep)
                    state = REST;
            } else if (sep) {
                in_value = 0;
            } else if (c == '\r') {
                cr = 1; /* inside a value, unless only blanks follow */
            } else {
                if (cr || c == '\0' || ((c < '0' || c > '9') && !strchr(number_chars, c)))
                    return SHAPE_OTHER;
                n += !in_value;
                in_value = 1;
            }
        }
        if (!nonblank) {
            if (c == EOF)
                return SHAPE_END;
            continue;
        }
        *values = n;
        return n > 0 ? SHAPE_TEXT : SHAPE_OTHER;
    }
}

/* Text or binary after a "V D" header, from the next record lines. Text:
 * the first line has exactly D number tokens (D >= 2; raw floats almost
 * never form that), or it is number-shaped and so is the line after it (or
 * the file ends). Also text when no record follows at all. */
static int body_is_text(FILE *f, int dim)
{
    int64_t n1 = 0, n2 = 0;
    int first = line_shape(f, &n1);
    if (first == SHAPE_END)
        return 1;
    if (first != SHAPE_TEXT)
        return 0;
    if (dim >= 2 && n1 == dim)
        return 1;
    return line_shape(f, &n2) != SHAPE_OTHER;
}

/* Integer token: optional sign, then digits only. */
static int is_integer(const char *t)
{
    if (*t == '-' || *t == '+')
        t++;
    if (!*t)
        return 0;
    for (; *t; t++)
        if (*t < '0' || *t > '9')
            return 0;
    return 1;
}

/* 1 if the line is a "V D" header (valid values in *rows, *dim), 0 if it is
 * not a header, -1 if it is a header with impossible values (status in *st). */
static int parse_header(src *s, int64_t *rows, int *dim, theta_status *st)
{
    char *copy = dup_bytes(s->buf, strlen(s->buf));
    if (!copy) {
        *st = THETA_ENOMEM;
        return -1;
    }
    char *p = copy;
    char *a = next_token(&p), *b = next_token(&p), *c = next_token(&p);
    int is = a && b && !c && is_integer(a) && is_integer(b);
    int ret = 0;
    if (is) {
        errno = 0;
        long long v = strtoll(a, NULL, 10);
        int verr = errno;
        errno = 0;
        long long d = strtoll(b, NULL, 10);
        int derr = errno;
        ret = -1;
        if (verr || v < 0)
            *st = theta__fail(THETA_EFORMAT, "%s:1: bad vector count '%.40s' in the header",
                              s->path, a);
        else if (derr || d <= 0 || d > INT_MAX)
            *st = theta__fail(THETA_EFORMAT, "%s:1: bad dimension '%.40s' in the header (must be "
                              "1..%d)", s->path, b, INT_MAX);
        else {
            *rows = v;
            *dim = (int)d;
            ret = 1;
        }
    }
    free(copy);
    return ret;
}

/* Refuses a header that the rest bytes after it cannot hold: at most
 * max_rows records of the detected kind fit. */
static theta_status check_fits(const src *s, int64_t rows, int dim, uint64_t rest,
                               uint64_t max_rows, const char *kind)
{
    if ((uint64_t)rows > max_rows)
        return theta__fail(THETA_EFORMAT,
                           "%s: the header declares %lld x %d values, more than the %llu bytes "
                           "after it can hold as %s",
                           s->path, (long long)rows, dim, (unsigned long long)rest, kind);
    if ((uint64_t)rows > SIZE_MAX / sizeof(float) / (uint64_t)dim)
        return theta__fail(THETA_ENOMEM, "%s: a %lld x %d matrix does not fit in memory", s->path,
                           (long long)rows, dim);
    return THETA_OK;
}

void theta_vectors_free(theta_vectors *v)
{
    if (!v)
        return;
    if (v->words)
        for (int64_t r = 0; r < v->rows; r++)
            free(v->words[r]);
    free(v->words);
    free(v->data);
    free(v);
}

theta_status theta_vectors_load(const char *path, theta_vectors **out)
{
    src s = {.path = path};
    s.f = fopen(path, "rb");
    if (!s.f)
        return theta__fail(THETA_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(s.f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(s.f);
        return theta__fail(THETA_EIO, "%s: not a regular file", path);
    }
    s.size = (uint64_t)sb.st_size;
    setvbuf(s.f, NULL, _IOFBF, 1 << 17);

    theta_status st = THETA_OK;
    theta_vectors *v = theta__calloc(1, sizeof *v);
    if (!v) {
        fclose(s.f);
        return THETA_ENOMEM;
    }
    size_t len;
    int got = read_line(&s, &len, &st);
    if (got < 0)
        goto fail;
    if (got == 0) {
        st = theta__fail(THETA_EFORMAT, "%s: empty file", path);
        goto fail;
    }
    if (len >= 3 && memcmp(s.buf, "\xef\xbb\xbf", 3) == 0) { /* UTF-8 byte order mark */
        memmove(s.buf, s.buf + 3, len - 2);
        len -= 3;
    }
    if (len == 0) {
        st = theta__fail(THETA_EFORMAT, "%s:1: empty first line", path);
        goto fail;
    }
    int64_t rows;
    int dim;
    int h = parse_header(&s, &rows, &dim, &st);
    if (h < 0)
        goto fail;
    if (h == 0) {
        snprintf(v->format, sizeof v->format, "glove");
        if ((st = read_glove(&s, v)))
            goto fail;
    } else {
        off_t body = ftello(s.f);
        if (body < 0 || (uint64_t)body > s.size) {
            st = read_error(&s);
            goto fail;
        }
        int text = body_is_text(s.f, dim);
        if (ferror(s.f) || fseeko(s.f, body, SEEK_SET) != 0) {
            st = read_error(&s);
            goto fail;
        }
        uint64_t rest = s.size - (uint64_t)body;
        /* text: "w v1 .. vD" is 2D + 1 bytes + newline (not after the last);
         * binary: word, space, 4D bytes, optional newline */
        st = text ? check_fits(&s, rows, dim, rest, (rest + 1) / (2 * (uint64_t)dim + 2), "text")
                  : check_fits(&s, rows, dim, rest, rest / (4 * (uint64_t)dim + 2), "binary");
        if (st)
            goto fail;
        v->words = theta__calloc((size_t)rows, sizeof *v->words);
        v->data = theta__alloc((size_t)rows * (size_t)dim, sizeof(float));
        if (!v->words || !v->data) {
            st = THETA_ENOMEM;
            goto fail;
        }
        v->rows = rows;
        v->dim = dim;
        snprintf(v->format, sizeof v->format, text ? "word2vec-text" : "word2vec-binary");
        st = text ? read_text(&s, rows, dim, v) : read_binary(&s, rows, dim, v);
        if (st)
            goto fail;
    }
    free(s.buf);
    fclose(s.f);
    *out = v;
    return THETA_OK;
fail:
    free(s.buf);
    fclose(s.f);
    theta_vectors_free(v);
    return st;
}
