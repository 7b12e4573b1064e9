/* util.c — allocation, CRC, clock, atomic output files, float32 I/O. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

void *theta__alloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        theta__fail(THETA_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    size_t bytes = n * size;
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        theta__fail(THETA_ENOMEM, "out of memory allocating %zu bytes", bytes);
    return p;
}

void *theta__calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        theta__fail(THETA_ENOMEM, "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

uint32_t theta_crc32(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    uLong c = crc;
    while (len > 0) {
        uInt step = len > (1u << 30) ? (1u << 30) : (uInt)len;
        c = crc32(c, p, step);
        p += step;
        len -= step;
    }
    return (uint32_t)c;
}

double theta_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

theta_status theta__out_open(theta__outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    struct stat sb;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        if (S_ISDIR(sb.st_mode))
            return theta__fail(THETA_EIO, "%s: cannot write: is a directory", path);
        /* a device, FIFO or symbolic link (/dev/null, /dev/stdout, a pipe):
         * renaming a temporary file over it would replace it with a regular
         * file, so write through it, in place */
        o->f = fopen(path, "wb");
        if (!o->f)
            return theta__fail(THETA_EIO, "%s: cannot write: %s", path, strerror(errno));
        o->path = theta__alloc(strlen(path) + 1, 1);
        if (!o->path) {
            fclose(o->f);
            o->f = NULL;
            return THETA_ENOMEM;
        }
        memcpy(o->path, path, strlen(path) + 1);
        return THETA_OK;
    }
    size_t n = strlen(path);
    o->path = theta__alloc(n + 1, 1);
    o->tmp = theta__alloc(n + 32, 1);
    if (!o->path || !o->tmp) {
        free(o->path);
        free(o->tmp);
        return THETA_ENOMEM;
    }
    memcpy(o->path, path, n + 1);
    snprintf(o->tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "wb");
    if (!o->f) {
        theta_status st = theta__fail(THETA_EIO, "%s: cannot write: %s", path, strerror(errno));
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return st;
    }
    return THETA_OK;
}

theta_status theta__out_commit(theta__outfile *o)
{
    int err = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        err = errno ? errno : EIO;
    if (!err && o->tmp && fsync(fileno(o->f)) != 0 && errno != EINVAL && errno != EROFS)
        err = errno;
    if (fclose(o->f) != 0 && !err)
        err = errno ? errno : EIO;
    o->f = NULL;
    if (!err && o->tmp && rename(o->tmp, o->path) != 0)
        err = errno;
    if (err) {
        theta_status st = theta__fail(THETA_EIO, "%s: write failed: %s", o->path, strerror(err));
        if (o->tmp)
            remove(o->tmp);
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return st;
    }
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return THETA_OK;
}

void theta__out_abort(theta__outfile *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        remove(o->tmp);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

size_t theta__write_f32(FILE *f, const float *v, size_t n)
{
    return fwrite(v, sizeof(float), n, f);
}

size_t theta__read_f32(FILE *f, float *v, size_t n)
{
    return fread(v, sizeof(float), n, f);
}
