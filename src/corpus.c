/*
 * corpus.c — the streaming corpus reader: plain text or gzip (one or more
 * concatenated members, decoded with zlib's inflate) from a file or standard
 * input, split into whitespace tokens, a newline returned as THETA_EOS.
 * Memory is two fixed buffers, whatever the corpus size. Words longer than
 * THETA_MAX_WORD bytes are cut at a UTF-8 character boundary. A read error
 * or a damaged gzip stream (truncated, corrupt, a damaged member header,
 * junk after the last member) is an error, never a silent end of the corpus.
 *
 * Why not gzread: it silently ignores anything after a gzip member that does
 * not start with the gzip magic, so a damaged second member header or
 * appended junk would end the corpus early without a word.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define READ_BUFFER (256 * 1024) /* decoded bytes handed to the tokenizer */
#define IN_BUFFER (128 * 1024)   /* compressed bytes read from the file */

enum { MODE_UNKNOWN = 0, MODE_PLAIN, MODE_GZIP };

struct theta_reader {
    int fd;
    int own_fd;           /* close fd at the end (not for standard input) */
    char *path;
    unsigned char *buf;   /* [READ_BUFFER] decoded input; buf[pos..len) unread */
    size_t len, pos;
    unsigned char *in;    /* [IN_BUFFER] raw input; z.next_in/avail_in unread */
    z_stream z;
    int mode;
    int z_ready;          /* inflateInit2 done */
    int member_done;      /* a gzip member ended; the next must start with the magic */
    int in_eof;           /* the raw input is exhausted */
    int eof;
    int failed;
    int64_t bytes;
    char word[THETA_MAX_WORD + 8];
    /* theta_reader_open_segments: the segments, read one after the other */
    theta_segment *segs;  /* [nsegs], paths owned; NULL for theta_reader_open */
    int nsegs, seg;       /* seg: the one being read */
    int64_t next_off;     /* plain byte range: file offset of the next byte read */
    int skip_head;        /* plain byte range: drop bytes through the first newline */
    int range_done;       /* plain byte range: its last line was delivered */
    int pending_eos;      /* a file ended without a newline and another has bytes: end
                             the sentence before its first token */
};

/* ASCII whitespace and NUL separate tokens; '\n' also ends a sentence. */
static const unsigned char is_sep[256] = {
    [0] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1,
};

static void reader_free(theta_reader *r)
{
    if (r->z_ready)
        inflateEnd(&r->z);
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    free(r->path);
    free(r->buf);
    free(r->in);
    for (int i = 0; i < r->nsegs; i++)
        free((char *)r->segs[i].path);
    free(r->segs);
    free(r);
}

/* open(path) for reading, except for a descriptor path (/dev/fd/N,
 * /proc/self/fd/N) of a pipe, FIFO or socket: a pipe whose writer has
 * already closed (`--input <(zcat small.gz)` after zcat is done) cannot be
 * opened again, so read the descriptor itself (a duplicate). */
static int open_input(const char *path)
{
    const char *num = strncmp(path, "/dev/fd/", 8) == 0          ? path + 8
                      : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                                                                 : NULL;
    if (num && *num >= '0' && *num <= '9') {
        char *end;
        long fd = strtol(num, &end, 10);
        struct stat sb;
        if (*end == '\0' && fd <= INT32_MAX && fstat((int)fd, &sb) == 0 &&
            (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)))
            return fcntl((int)fd, F_DUPFD_CLOEXEC, 3);
    }
    return open(path, O_RDONLY | O_CLOEXEC);
}

theta_status theta_reader_open(const char *path, theta_reader **out)
{
    theta_reader *r = theta__calloc(1, sizeof *r);
    if (!r)
        return THETA_ENOMEM;
    r->fd = -1;
    r->path = strdup(path);
    r->buf = theta__alloc(READ_BUFFER, 1);
    r->in = theta__alloc(IN_BUFFER, 1);
    if (!r->path || !r->buf || !r->in) {
        reader_free(r);
        return theta__fail(THETA_ENOMEM, "out of memory opening %s", path);
    }
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open_input(path);
        r->own_fd = 1;
        if (r->fd < 0) {
            theta_status st = theta__fail(THETA_EIO, "%s: cannot open: %s", path,
                                          strerror(errno));
            reader_free(r);
            return st;
        }
    }
    *out = r;
    return THETA_OK;
}

/* Opens segment r->seg: its file, positioned for its byte range. A range
 * that starts inside the file starts one byte early and drops the bytes
 * through the first newline: a line belongs to the range it starts in. */
static theta_status open_segment(theta_reader *r)
{
    const theta_segment *g = &r->segs[r->seg];
    free(r->path);
    r->path = strdup(g->path);
    if (!r->path)
        return theta__fail(THETA_ENOMEM, "out of memory opening %s", g->path);
    r->fd = open(g->path, O_RDONLY | O_CLOEXEC);
    r->own_fd = 1;
    if (r->fd < 0)
        return theta__fail(THETA_EIO, "%s: cannot open: %s", g->path, strerror(errno));
    r->next_off = 0;
    r->skip_head = 0;
    r->range_done = g->end >= 0 && g->end <= g->start; /* empty */
    if (g->start > 0) {
        if (lseek(r->fd, (off_t)(g->start - 1), SEEK_SET) < 0)
            return theta__fail(THETA_EIO, "%s: cannot seek: %s", g->path, strerror(errno));
        r->next_off = g->start - 1;
        r->skip_head = 1;
    }
    return THETA_OK;
}

theta_status theta_reader_open_segments(const theta_segment *segs, int n, theta_reader **out)
{
    if (n < 1)
        return theta__fail(THETA_EINVAL, "no corpus segment to read");
    theta_reader *r = theta__calloc(1, sizeof *r);
    if (!r)
        return THETA_ENOMEM;
    r->fd = -1;
    r->buf = theta__alloc(READ_BUFFER, 1);
    r->in = theta__alloc(IN_BUFFER, 1);
    r->segs = theta__calloc((size_t)n, sizeof *r->segs);
    if (!r->buf || !r->in || !r->segs) {
        reader_free(r);
        return theta__fail(THETA_ENOMEM, "out of memory opening %s", segs[0].path);
    }
    for (int i = 0; i < n; i++) {
        r->segs[i] = segs[i];
        r->segs[i].path = strdup(segs[i].path);
        if (!r->segs[i].path) {
            reader_free(r);
            return theta__fail(THETA_ENOMEM, "out of memory opening %s", segs[i].path);
        }
        r->nsegs = i + 1;
    }
    theta_status st = open_segment(r);
    if (st) {
        reader_free(r);
        return st;
    }
    *out = r;
    return THETA_OK;
}

theta_status theta__deal_share(const char *path, int64_t bytes, int rank, int size, int64_t piece,
                               theta_segment **segs, int *nsegs)
{
    if (piece <= 0) { /* one equal range per rank (bytes / size, the rest spread) */
        theta_segment *s = theta__calloc(1, sizeof *s);
        if (!s)
            return THETA_ENOMEM;
        int64_t a = bytes / size * rank + bytes % size * rank / size;
        int64_t b = rank + 1 == size ? bytes
                                     : bytes / size * (rank + 1) + bytes % size * (rank + 1) / size;
        *s = (theta_segment){path, a, b};
        *segs = s;
        *nsegs = 1;
        return THETA_OK;
    }
    const int64_t pieces = (bytes + piece - 1) / piece;
    const int64_t mine = pieces > rank ? (pieces - rank + size - 1) / size : 0;
    if (mine >= INT32_MAX)
        return theta__fail(THETA_EINVAL, "%s: %lld pieces of %lld bytes for one rank: too many",
                           path, (long long)mine, (long long)piece);
    theta_segment *s = theta__calloc((size_t)(mine > 0 ? mine : 1), sizeof *s);
    if (!s)
        return THETA_ENOMEM;
    int k = 0;
    for (int64_t i = rank; i < pieces; i += size) {
        int64_t end = (i + 1) * piece;
        s[k++] = (theta_segment){path, i * piece, end < bytes ? end : bytes};
    }
    if (k == 0)
        s[k++] = (theta_segment){path, bytes, bytes};
    *segs = s;
    *nsegs = k;
    return THETA_OK;
}

static const char *display_name(const theta_reader *r)
{
    return strcmp(r->path, "-") ? r->path : "standard input";
}

static int fail_read(theta_reader *r, const char *what)
{
    theta__fail(THETA_EIO, "%s: %s", display_name(r), what);
    r->failed = 1;
    return -1;
}

/* read(2) that retries on EINTR. */
static ssize_t read_some(int fd, unsigned char *dst, size_t cap)
{
    for (;;) {
        ssize_t n = read(fd, dst, cap);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

/* Moves the unread raw bytes to the front of r->in and reads more after
 * them. Returns 0 (sets in_eof at the end of the input) or -1 on error. */
static int fill_input(theta_reader *r)
{
    if (r->in_eof || r->z.avail_in == IN_BUFFER)
        return 0;
    if (r->z.avail_in > 0 && r->z.next_in != r->in)
        memmove(r->in, r->z.next_in, r->z.avail_in);
    r->z.next_in = r->in;
    ssize_t n = read_some(r->fd, r->in + r->z.avail_in, IN_BUFFER - r->z.avail_in);
    if (n < 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "read error: %s", strerror(errno));
        return fail_read(r, msg);
    }
    if (n == 0)
        r->in_eof = 1;
    r->z.avail_in += (uInt)n;
    return 0;
}

/* The one place that knows gzip's magic bytes. */
static int gzip_magic(const unsigned char *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static int has_gzip_magic(const theta_reader *r)
{
    return gzip_magic(r->z.next_in, r->z.avail_in);
}

int theta__file_is_gzip(const char *path)
{
    unsigned char magic[2];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(magic, 1, 2, f);
    fclose(f);
    return gzip_magic(magic, n);
}

/* Decodes gzip into r->buf. Returns the number of bytes, 0 at a clean end
 * (after a complete last member), -1 on error. */
static ssize_t inflate_some(theta_reader *r)
{
    for (;;) {
        if (r->member_done) {
            /* between members: the end of the input, or another member */
            while (r->z.avail_in < 2 && !r->in_eof)
                if (fill_input(r) < 0)
                    return -1;
            if (r->z.avail_in == 0)
                return 0;
            if (!has_gzip_magic(r))
                return fail_read(r, "unexpected bytes after the gzip data "
                                    "(damaged gzip member header or appended junk?)");
            if (inflateReset(&r->z) != Z_OK)
                return fail_read(r, "cannot reset the gzip decoder");
            r->member_done = 0;
        }
        if (r->z.avail_in == 0 && !r->in_eof && fill_input(r) < 0)
            return -1;
        r->z.next_out = r->buf;
        r->z.avail_out = READ_BUFFER;
        uInt avail_in = r->z.avail_in;
        int ret = inflate(&r->z, Z_NO_FLUSH);
        size_t produced = READ_BUFFER - r->z.avail_out;
        if (ret == Z_STREAM_END)
            r->member_done = 1;
        else if (ret == Z_DATA_ERROR) {
            char msg[300];
            snprintf(msg, sizeof msg, "corrupt gzip data: %s",
                     r->z.msg ? r->z.msg : "invalid deflate stream");
            return fail_read(r, msg);
        } else if (ret == Z_MEM_ERROR) {
            r->failed = 1;
            theta__fail(THETA_ENOMEM, "%s: out of memory decoding gzip data", display_name(r));
            return -1;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            return fail_read(r, "gzip decoder error");
        }
        if (produced > 0)
            return (ssize_t)produced;
        if (ret != Z_STREAM_END && r->z.avail_in == 0 && r->in_eof)
            return fail_read(r, "unexpected end of file (truncated gzip data)");
        if (ret != Z_STREAM_END && r->z.avail_in == avail_in && r->z.avail_in > 0)
            return fail_read(r, "gzip decoder makes no progress");
    }
}

/* On the first refill: gzip if the input starts with the gzip magic. */
static int detect_mode(theta_reader *r)
{
    r->z.next_in = r->in;
    r->z.avail_in = 0;
    while (r->z.avail_in < 2 && !r->in_eof)
        if (fill_input(r) < 0)
            return -1;
    if (!has_gzip_magic(r)) {
        r->mode = MODE_PLAIN;
        return 0;
    }
    r->mode = MODE_GZIP;
    /* 15 + 16: a gzip wrapper (header and CRC-32/length trailer checked) */
    if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
        r->failed = 1;
        theta__fail(THETA_ENOMEM, "%s: cannot start the gzip decoder", display_name(r));
        return -1;
    }
    r->z_ready = 1;
    return 0;
}

static int refill(theta_reader *r);

/* The end of the current segment: the end of the input, or on to the next
 * segment, with a newline between them when the last one did not end with
 * one (a sentence never spans two files). */
static int next_segment(theta_reader *r)
{
    if (!r->segs || r->seg + 1 >= r->nsegs) {
        r->eof = 1;
        return 0;
    }
    int need_newline = r->len > 0 && r->buf[r->len - 1] != '\n';
    if (r->z_ready)
        inflateEnd(&r->z);
    r->z_ready = 0;
    memset(&r->z, 0, sizeof r->z);
    r->mode = MODE_UNKNOWN;
    r->member_done = r->in_eof = r->range_done = 0;
    if (r->fd >= 0 && close(r->fd) != 0) {
        r->fd = -1;
        return fail_read(r, "error at close");
    }
    r->fd = -1;
    r->seg++;
    if (open_segment(r)) {
        r->failed = 1;
        return -1;
    }
    r->len = r->pos = 0;
    r->pending_eos |= need_newline;
    return refill(r);
}

/* A plain byte range [start, end): keeps, of the r->len new bytes, the lines
 * that start in it (the line holding byte end - 1 is the last). Returns 1 if
 * bytes are left, else what the next refill returns. */
static int clip_range(theta_reader *r)
{
    const theta_segment *g = &r->segs[r->seg];
    const int64_t buf_off = r->next_off;
    r->next_off += (int64_t)r->len;
    if (r->range_done) {
        r->len = r->pos = 0;
        return next_segment(r);
    }
    size_t from = 0;
    if (r->skip_head) {
        const unsigned char *nl = memchr(r->buf, '\n', r->len);
        if (!nl) {
            r->len = r->pos = 0;
            return refill(r);
        }
        from = (size_t)(nl - r->buf) + 1;
        r->skip_head = 0;
        if (g->end >= 0 && buf_off + (int64_t)from - 1 >= g->end - 1) {
            r->len = r->pos = 0; /* no line starts in the range */
            r->range_done = 1;
            return next_segment(r);
        }
    }
    if (g->end >= 0 && buf_off + (int64_t)r->len > g->end - 1) {
        int64_t last = g->end - 1 - buf_off; /* index of byte end - 1, may be < 0 */
        size_t at = last > (int64_t)from ? (size_t)last : from;
        const unsigned char *nl = memchr(r->buf + at, '\n', r->len - at);
        if (nl) {
            r->len = (size_t)(nl - r->buf) + 1;
            r->range_done = 1;
        }
    }
    r->pos = from;
    if (r->pos == r->len)
        return r->range_done ? next_segment(r) : refill(r);
    return 1;
}

/* Refills the buffer. Returns 1 if bytes are available, 0 at the end, -1 on error. */
static int refill(theta_reader *r)
{
    if (r->failed)
        return -1;
    if (r->eof)
        return 0;
    if (r->mode == MODE_UNKNOWN && detect_mode(r) < 0)
        return -1;
    if (r->segs && r->mode == MODE_GZIP &&
        (r->segs[r->seg].start > 0 || r->segs[r->seg].end >= 0))
        return fail_read(r, "a byte range of a gzip file cannot be read (give whole files)");
    if (r->range_done) {
        r->len = r->pos = 0;
        return next_segment(r);
    }
    ssize_t n;
    if (r->mode == MODE_GZIP) {
        n = inflate_some(r);
    } else if (r->z.avail_in > 0) {
        /* plain text: first the bytes read while detecting the format */
        n = (ssize_t)r->z.avail_in;
        memcpy(r->buf, r->z.next_in, r->z.avail_in);
        r->z.avail_in = 0;
    } else if (r->in_eof) {
        n = 0;
    } else {
        n = read_some(r->fd, r->buf, READ_BUFFER);
        if (n < 0) {
            char msg[300];
            snprintf(msg, sizeof msg, "read error: %s", strerror(errno));
            return fail_read(r, msg);
        }
    }
    if (n < 0)
        return -1;
    if (n == 0)
        return next_segment(r);
    r->len = (size_t)n;
    r->pos = 0;
    r->bytes += n;
    if (r->segs && r->mode == MODE_PLAIN)
        return clip_range(r);
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

/* Position of the first separator in buf[p..len), or len. */
static inline size_t find_sep(const unsigned char *buf, size_t p, size_t len)
{
#if defined(__SSE2__)
    /* 16 bytes at a time: b == ' ', b == 0, or b - 9 in 0..4 (\t \n \v \f \r) */
    const __m128i space = _mm_set1_epi8(' '), zero = _mm_setzero_si128();
    const __m128i nine = _mm_set1_epi8(9), four = _mm_set1_epi8(4);
    while (p + 16 <= len) {
        __m128i b = _mm_loadu_si128((const __m128i *)(buf + p));
        __m128i x = _mm_sub_epi8(b, nine);
        __m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(x, four), four);
        __m128i sep = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, space), _mm_cmpeq_epi8(b, zero)), ctl);
        unsigned mask = (unsigned)_mm_movemask_epi8(sep);
        if (mask)
            return p + (size_t)__builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < len && !is_sep[buf[p]])
        p++;
    return p;
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
        if (r->pending_eos) {
            r->pending_eos = 0;
            *word = THETA_EOS;
            *len = sizeof THETA_EOS - 1;
            return 1;
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
    size_t start = r->pos, p = find_sep(r->buf, start, r->len);
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
        if (st == 0 || r->pending_eos)
            break; /* the end of the input, or of a file: the word ends */
    }
    *word = r->word;
    *len = cut_word(r->word, n);
    return 1;
}

/* Tokens straight out of the buffer, without a copy or a call per token.
 * A batch never refills the buffer once it holds a token (a refill would move
 * the bytes its pointers point into): a word that crosses the end of the
 * buffer, and every refill, goes through theta_reader_next as the first
 * token of the next batch. */
int theta_reader_next_batch(theta_reader *r, const char **words, uint32_t *lens, int max)
{
    const unsigned char *buf = r->buf;
    int n = 0;
    while (n < max) {
        if (r->pending_eos && r->pos < r->len) { /* (at the end of the input it is dropped) */
            r->pending_eos = 0;
            words[n] = THETA_EOS;
            lens[n++] = sizeof THETA_EOS - 1;
            continue;
        }
        size_t pos = r->pos;
        const size_t len = r->len;
        while (pos < len && is_sep[buf[pos]]) {
            if (buf[pos++] == '\n') {
                words[n] = THETA_EOS;
                lens[n++] = sizeof THETA_EOS - 1;
                if (n == max)
                    break;
            }
        }
        r->pos = pos;
        if (n == max)
            break;
        size_t end = pos < len ? find_sep(buf, pos, len) : len;
        if (end == len) {
            if (n > 0)
                break; /* refilling would invalidate the batch's words */
            const char *w;
            size_t wl;
            int rc = theta_reader_next(r, &w, &wl);
            if (rc <= 0)
                return rc;
            words[n] = w;
            lens[n++] = (uint32_t)wl;
            buf = r->buf;
            continue;
        }
        r->pos = end;
        words[n] = (const char *)buf + pos;
        lens[n++] = (uint32_t)cut_word((const char *)buf + pos, end - pos);
    }
    return n;
}

int theta__reader_last_byte(const theta_reader *r)
{
    return r->len > 0 ? r->buf[r->len - 1] : -1;
}

int64_t theta_reader_bytes(const theta_reader *r)
{
    return r->bytes;
}

theta_status theta_reader_close(theta_reader *r)
{
    if (!r)
        return THETA_OK;
    theta_status st = r->failed ? THETA_EIO : THETA_OK;
    if (r->own_fd && r->fd >= 0) {
        int rc = close(r->fd);
        r->fd = -1;
        if (rc != 0 && !r->failed)
            st = theta__fail(THETA_EIO, "%s: error at close: %s", display_name(r),
                             strerror(errno));
    }
    reader_free(r);
    return st;
}

theta_status theta_spool_stdin(char *path_out, size_t size, int *fd_out)
{
    return theta_spool_open("-", path_out, size, fd_out, NULL);
}

int theta_input_is_stream(const char *path)
{
    struct stat sb;
    int rc = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &sb) : stat(path, &sb);
    if (rc != 0)
        return 0;
    return !(S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode));
}

/* A read-write file with no name in dir, or -1 (errno set). O_TMPFILE never
 * gives it a name; where the file system lacks it, a mkstemp name is
 * unlinked at once (a signal in between is the only way to leave it). */
static int nameless_file(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
#endif
    char tmpl[4096];
    if (snprintf(tmpl, sizeof tmpl, "%s/theta-spool-XXXXXX", dir) >= (int)sizeof tmpl) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd2 = mkostemp(tmpl, O_CLOEXEC);
    if (fd2 >= 0)
        unlink(tmpl);
    return fd2;
}

/* Writes buf[n] to the spool fd; 0, or -1 with errno set (0 for a write
 * that made no progress: a full disk). */
static int write_all(int fd, const char *buf, size_t n)
{
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

theta_status theta_spool_open(const char *path, char *path_out, size_t size, int *fd_out,
                              int64_t *bytes_out)
{
    const int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "standard input" : path;
    /* a closed descriptor 0 would be handed out again for the spool below,
     * which would then read itself: an empty corpus, not an error */
    if (is_stdin && fcntl(STDIN_FILENO, F_GETFD) < 0 && errno == EBADF)
        return theta__fail(THETA_EIO, "standard input is closed");
    const char *env = getenv("TMPDIR");
    const char *dir = env && *env ? env : "/tmp";
    int in = is_stdin ? STDIN_FILENO : open_input(path);
    if (in < 0)
        return theta__fail(THETA_EIO, "%s: cannot open: %s", path, strerror(errno));
    int fd = nameless_file(dir);
    if (fd < 0) {
        theta_status st = theta__fail(THETA_EIO, "$TMPDIR (%s): cannot create a file to spool %s: "
                                                 "%s", dir, name, strerror(errno));
        if (!is_stdin)
            close(in);
        return st;
    }
    char *buf = theta__alloc(READ_BUFFER, 1);
    theta_status st = buf ? THETA_OK : THETA_ENOMEM;
    int64_t total = 0;
    while (!st) {
        ssize_t n = read_some(in, (unsigned char *)buf, READ_BUFFER);
        if (n == 0)
            break;
        if (n < 0) {
            st = theta__fail(THETA_EIO, "%s: read error: %s", name, strerror(errno));
            break;
        }
        if (write_all(fd, buf, (size_t)n) != 0) {
            if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)
                st = theta__fail(THETA_EIO, "$TMPDIR (%s): no space left to spool %s (%lld bytes "
                                            "so far); set TMPDIR to a larger disk", dir, name,
                                 (long long)total);
            else
                st = theta__fail(THETA_EIO, "$TMPDIR (%s): spooling %s: %s", dir, name,
                                 strerror(errno));
            break;
        }
        total += n;
    }
    free(buf);
    if (!is_stdin)
        close(in);
    if (!st && total == 0)
        st = theta__fail(THETA_EDATA, "%s is empty", name);
    if (st) {
        close(fd); /* nameless: closing it frees its blocks */
        return st;
    }
    snprintf(path_out, size, "/dev/fd/%d", fd);
    *fd_out = fd;
    if (bytes_out)
        *bytes_out = total;
    return THETA_OK;
}

theta_status theta_corpus_fingerprint(const char *path, uint64_t *bytes, uint32_t *crc)
{
    enum { BLOCK = 64 * 1024 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return theta__fail(THETA_EIO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *buf = theta__alloc(BLOCK, 1);
    if (!buf) {
        fclose(f);
        return THETA_ENOMEM;
    }
    theta_status st = THETA_OK;
    uint32_t c = 0;
    size_t n = fread(buf, 1, BLOCK, f);
    c = theta_crc32(c, buf, n);
    if (fseeko(f, 0, SEEK_END) != 0) {
        st = theta__fail(THETA_EIO, "%s: cannot seek: %s", path, strerror(errno));
        goto done;
    }
    off_t size = ftello(f);
    if (size > BLOCK) {
        off_t from = size - BLOCK > BLOCK ? size - BLOCK : BLOCK;
        if (fseeko(f, from, SEEK_SET) != 0) {
            st = theta__fail(THETA_EIO, "%s: cannot seek: %s", path, strerror(errno));
            goto done;
        }
        n = fread(buf, 1, BLOCK, f);
        c = theta_crc32(c, buf, n);
    }
    if (ferror(f)) {
        st = theta__fail(THETA_EIO, "%s: read error", path);
        goto done;
    }
    *bytes = (uint64_t)size;
    *crc = c;
done:
    free(buf);
    fclose(f);
    return st;
}
