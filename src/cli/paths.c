/*
 * paths.c — no output may name an input: before a command does any work,
 * each file it will write is compared with each file it reads and with each
 * other file it writes. Existing files are compared by device and inode
 * after following links (so a symbolic or hard link to the corpus is the
 * corpus); a file that does not exist yet can only be another output of the
 * same path, compared as a normalised absolute path (a/../x is x, a dangling
 * link is its target). Outputs that are not regular files (/dev/null, a
 * terminal, a FIFO) and standard input/output ("-") never clash: nothing is
 * replaced there.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a path names: an existing file (dev, ino), or a file to be created
 * (its normalised absolute path). */
typedef struct {
    int exists;   /* stat succeeded */
    int regular;  /* ... and it is a regular file */
    dev_t dev;
    ino_t ino;
    char *where;  /* !exists: the normalised absolute path (malloc'ed), or NULL */
} file_id;

/* Lexically normalised absolute form of path: "." and ".." resolved, slashes
 * collapsed (for a path whose directories do not exist either). */
static char *lexical_absolute(const char *path)
{
    char cwd[PATH_MAX];
    size_t cap = strlen(path) + PATH_MAX + 2;
    char *joined = malloc(cap), *out = malloc(cap);
    if (!joined || !out || (path[0] != '/' && !getcwd(cwd, sizeof cwd))) {
        free(joined);
        free(out);
        return NULL;
    }
    snprintf(joined, cap, "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/", path);
    size_t n = 0;
    for (char *save = NULL, *part = strtok_r(joined, "/", &save); part;
         part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0) {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--; /* the slash before the dropped part */
            continue;
        }
        out[n++] = '/';
        size_t len = strlen(part);
        memcpy(out + n, part, len);
        n += len;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    free(joined);
    return out;
}

/* The normalised absolute path of a file that does not exist yet: its
 * directory resolved by realpath (links in it followed), and a final
 * component that is a dangling link replaced by the link's target. */
static char *future_path(const char *path)
{
    char cur[PATH_MAX];
    if (snprintf(cur, sizeof cur, "%s", path) >= (int)sizeof cur)
        return NULL;
    for (int hops = 0; hops < 40; hops++) {
        char target[PATH_MAX];
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0)
            break;
        target[n] = '\0';
        if (target[0] == '/') {
            snprintf(cur, sizeof cur, "%s", target);
        } else {
            char *slash = strrchr(cur, '/');
            char joined[PATH_MAX];
            if (snprintf(joined, sizeof joined, "%.*s%s", slash ? (int)(slash - cur + 1) : 0, cur,
                         target) >= (int)sizeof joined)
                return NULL;
            memcpy(cur, joined, sizeof cur);
        }
    }
    char *slash = strrchr(cur, '/');
    const char *base = slash ? slash + 1 : cur;
    char dir[PATH_MAX], real[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - cur) : 1, slash ? cur : ".");
    if (slash == cur)
        snprintf(dir, sizeof dir, "/");
    if (*base && strcmp(base, ".") && strcmp(base, "..") && realpath(dir, real)) {
        size_t len = strlen(real) + strlen(base) + 2;
        char *out = malloc(len);
        if (out)
            snprintf(out, len, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
        return out;
    }
    return lexical_absolute(cur);
}

static void identify(const char *path, file_id *id)
{
    memset(id, 0, sizeof *id);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        id->exists = 1;
        id->regular = S_ISREG(sb.st_mode);
        id->dev = sb.st_dev;
        id->ino = sb.st_ino;
    } else {
        id->where = future_path(path);
    }
}

/* 1 if writing a (an output) would replace the file b names. */
static int same_file(const file_id *a, const file_id *b)
{
    if (a->exists != b->exists)
        return 0;
    if (a->exists)
        return a->regular && a->dev == b->dev && a->ino == b->ino;
    return a->where && b->where && strcmp(a->where, b->where) == 0;
}

/* One line, no usage hint (the command line is valid, its files are not): 2. */
static int clash(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int clash(const char *cmd, const char *fmt, ...)
{
    char msg[3000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error(cmd, "%s", msg);
    return 2;
}

static int skipped(const char *path)
{
    return !path || strcmp(path, "-") == 0;
}

int cli_check_paths(const char *cmd, const cli_file *inputs, int ninputs, const cli_file *outputs,
                    int noutputs)
{
    file_id *in = calloc((size_t)ninputs + 1, sizeof *in);
    file_id *out = calloc((size_t)noutputs + 1, sizeof *out);
    int rc = 0;
    if (!in || !out) {
        rc = cli_error(cmd, "out of memory");
        goto done;
    }
    for (int i = 0; i < ninputs; i++)
        if (!skipped(inputs[i].path))
            identify(inputs[i].path, &in[i]);
    for (int j = 0; j < noutputs; j++)
        if (!skipped(outputs[j].path))
            identify(outputs[j].path, &out[j]);
    for (int j = 0; j < noutputs && !rc; j++) {
        const cli_file *o = &outputs[j];
        if (skipped(o->path) || (out[j].exists && !out[j].regular))
            continue;
        for (int i = 0; i < ninputs && !rc; i++) {
            const cli_file *f = &inputs[i];
            if (skipped(f->path) || !in[i].exists || !same_file(&out[j], &in[i]))
                continue;
            if (o->may_be && strcmp(o->may_be, f->option) == 0)
                continue;
            if (strcmp(o->path, f->path) == 0)
                rc = clash(cmd, "%s names the same file as %s: %s (refusing to overwrite an "
                                "input)", o->option, f->option, o->path);
            else
                rc = clash(cmd, "%s %s names the same file as %s %s (refusing to overwrite an "
                                "input)", o->option, o->path, f->option, f->path);
        }
        for (int k = 0; k < j && !rc; k++) {
            const cli_file *p = &outputs[k];
            if (skipped(p->path) || !same_file(&out[j], &out[k]))
                continue;
            if (strcmp(o->path, p->path) == 0)
                rc = clash(cmd, "%s and %s name the same file: %s (one would overwrite the "
                                "other)", p->option, o->option, o->path);
            else
                rc = clash(cmd, "%s %s and %s %s name the same file (one would overwrite the "
                                "other)", p->option, p->path, o->option, o->path);
        }
    }
done:
    for (int i = 0; in && i < ninputs; i++)
        free(in[i].where);
    for (int j = 0; out && j < noutputs; j++)
        free(out[j].where);
    free(in);
    free(out);
    return rc;
}
