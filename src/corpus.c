/*
 * corpus.c — the streaming corpus reader: plain text or gzip (zlib's gzread
 * reads both) from a file or standard input, split into whitespace tokens,
 * a newline returned as THETA_EOS. Memory is one buffer, whatever the corpus
 * size. Words longer than THETA_MAX_WORD bytes are cut at a UTF-8 character
 * boundary. A read error or a damaged gzip stream is an error, never a
 * silent end of the corpus.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define READ_BUFFER (256 * 1024)

struct theta_reader {
    gzFile gz;
    char *path;
    unsigned char *buf;
    size_t len, pos;
    int eof;
    int failed;
    int64_t bytes;
    char word[THETA_MAX_WORD + 8];
};

/* ASCII whitespace and NUL separate tokens; '\n' also ends a sentence. */
static const unsigned char is_sep[256] = {
    [0] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1,
};

theta_status theta_reader_open(const char *path, theta_reader **out)
{
    theta_reader *r = theta__calloc(1, sizeof *r);
    if (!r)
        return THETA_ENOMEM;
    r->path = strdup(path);
    r->buf = theta__alloc(READ_BUFFER, 1);
    if (!r->path || !r->buf) {
        free(r->path);
        free(r->buf);
        free(r);
        return theta__fail(THETA_ENOMEM, "out of memory opening %s", path);
    }
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        r->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!r->gz && fd >= 0)
            close(fd);
    } else {
        r->gz = gzopen(path, "rb");
    }
    if (!r->gz) {
        theta_status st = theta__fail(THETA_EIO, "%s: cannot open: %s",
                                      strcmp(path, "-") ? path : "standard input",
                                      errno ? strerror(errno) : "out of memory");
        free(r->path);
        free(r->buf);
        free(r);
        return st;
    }
    gzbuffer(r->gz, READ_BUFFER);
    *out = r;
    return THETA_OK;
}

static const char *display_name(const theta_reader *r)
{
    return strcmp(r->path, "-") ? r->path : "standard input";
}

/* Refills the buffer. Returns 1 if bytes are available, 0 at the end, -1 on error. */
static int refill(theta_reader *r)
{
    if (r->failed)
        return -1;
    if (r->eof)
        return 0;
    int n = gzread(r->gz, r->buf, READ_BUFFER);
    if (n < 0) {
        int errnum;
        const char *msg = gzerror(r->gz, &errnum);
        theta__fail(THETA_EIO, "%s: read error: %s", display_name(r),
                    errnum == Z_ERRNO ? strerror(errno) : msg);
        r->failed = 1;
        return -1;
    }
    if (n == 0) {
        int errnum;
        const char *msg = gzerror(r->gz, &errnum);
        if (errnum != Z_OK && errnum != Z_STREAM_END) {
            theta__fail(THETA_EIO, "%s: %s (truncated or corrupt gzip data?)",
                        display_name(r), errnum == Z_ERRNO ? strerror(errno) : msg);
            r->failed = 1;
            return -1;
        }
        r->eof = 1;
        return 0;
    }
    r->len = (size_t)n;
    r->pos = 0;
    r->bytes += n;
    return 1;
}

/* Length of the longest prefix of w[0..len) of at most THETA_MAX_WORD bytes
 * that does not end inside a UTF-8 character. A character is at most 4
 * bytes, so look back at most 3; a longer run of continuation bytes is not
 * UTF-8 and is cut at THETA_MAX_WORD (never down to an empty word). */
static size_t cut_word(const char *w, size_t len)
{
    if (len <= THETA_MAX_WORD)
        return len;
    for (size_t cut = THETA_MAX_WORD; cut > THETA_MAX_WORD - 4 && cut > 0; cut--)
        if (((unsigned char)w[cut] & 0xC0) != 0x80)
            return cut;
    return THETA_MAX_WORD;
}

int theta_reader_next(theta_reader *r, const char **word, size_t *len)
{
    /* skip separators; a newline is a token of its own */
    for (;;) {
        if (r->pos == r->len) {
            int st = refill(r);
            if (st <= 0)
                return st;
        }
        unsigned char c = r->buf[r->pos];
        if (!is_sep[c])
            break;
        r->pos++;
        if (c == '\n') {
            *word = THETA_EOS;
            *len = sizeof THETA_EOS - 1;
            return 1;
        }
    }
    /* fast path: the word ends inside the buffer */
    size_t start = r->pos, p = start;
    while (p < r->len && !is_sep[r->buf[p]])
        p++;
    if (p < r->len) {
        r->pos = p;
        *word = (const char *)r->buf + start;
        *len = cut_word(*word, p - start);
        return 1;
    }
    /* slow path: the word crosses a buffer boundary; keep what fits */
    size_t n = 0;
    const size_t keep = sizeof r->word - 1;
    for (;;) {
        while (r->pos < r->len && !is_sep[r->buf[r->pos]]) {
            if (n < keep)
                r->word[n++] = (char)r->buf[r->pos];
            r->pos++;
        }
        if (r->pos < r->len)
            break;
        int st = refill(r);
        if (st < 0)
            return -1;
        if (st == 0)
            break;
    }
    *word = r->word;
    *len = cut_word(r->word, n);
    return 1;
}

int64_t theta_reader_bytes(const theta_reader *r)
{
    return r->bytes;
}

theta_status theta_reader_close(theta_reader *r)
{
    if (!r)
        return THETA_OK;
    theta_status st = THETA_OK;
    int failed = r->failed;
    int rc = gzclose_r(r->gz);
    if (!failed && rc != Z_OK)
        st = theta__fail(THETA_EIO, "%s: error at close (truncated or corrupt gzip data?)",
                         display_name(r));
    else if (failed)
        st = THETA_EIO;
    free(r->path);
    free(r->buf);
    free(r);
    return st;
}

theta_status theta_spool_stdin(char *path_out, size_t size, int *fd_out)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/theta-stdin-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return theta__fail(THETA_EIO, "cannot create a spool file for standard input in %s: %s",
                           dir && *dir ? dir : "/tmp", strerror(errno));
    unlink(tmpl);
    char *buf = theta__alloc(READ_BUFFER, 1);
    if (!buf) {
        close(fd);
        return THETA_ENOMEM;
    }
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, READ_BUFFER);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            theta_status st = theta__fail(THETA_EIO, "standard input: read error: %s",
                                          strerror(errno));
            free(buf);
            close(fd);
            return st;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                theta_status st = theta__fail(THETA_EIO, "spooling standard input: %s",
                                              strerror(errno));
                free(buf);
                close(fd);
                return st;
            }
            off += w;
        }
    }
    free(buf);
    snprintf(path_out, size, "/dev/fd/%d", fd);
    *fd_out = fd;
    return THETA_OK;
}
