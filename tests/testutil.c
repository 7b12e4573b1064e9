/* testutil.c — fixture and process helpers for the Check suites. */
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *t = malloc(4096);
    ck_assert_ptr_nonnull(t);
    snprintf(t, 4096, "%s/theta-test-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t));
    return t;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "warning: could not remove %s: %s\n", path, strerror(errno));
    return 0; /* go on with the rest */
}

void tu_rmdir(const char *dir)
{
    /* depth first (contents before their directory), not through symlinks */
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        fprintf(stderr, "warning: could not remove %s: %s\n", dir, strerror(errno));
}

char *tu_dir;

void tu_fixture_tmpdir_setup(void)
{
    tu_dir = tu_tmpdir();
}

void tu_fixture_tmpdir_teardown(void)
{
    tu_rmdir(tu_dir);
    free(tu_dir);
    tu_dir = NULL;
}

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(data);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    ck_assert_ptr_nonnull(b);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
            ck_assert_ptr_nonnull(b);
        }
    }
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

const char *tu_theta_bin(void)
{
    const char *b = getenv("THETA_BIN");
    return b && *b ? b : "build/theta";
}

int tu_run(char **out, char **err, const char *fmt, ...)
{
    char args[8192], cmd[12288];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *dir = tu_tmpdir();
    char *o = tu_path(dir, "out"), *e = tu_path(dir, "err");
    snprintf(cmd, sizeof cmd, "%s %s >'%s' 2>'%s'", tu_theta_bin(), args, o, e);
    int rc = system(cmd);
    int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + (WIFSIGNALED(rc) ? WTERMSIG(rc) : 0);
    if (out)
        *out = tu_read_file(o, NULL);
    if (err)
        *err = tu_read_file(e, NULL);
    free(o);
    free(e);
    tu_rmdir(dir);
    free(dir);
    return status;
}

/* VmHWM of process pid in KB, or -1 if it cannot be read (it exited). */
static long vm_hwm_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

int tu_run_limited(long as_limit_mb, long *peak_kb, char **out, char **err, const char *fmt, ...)
{
    char args[8192], cmd[12288];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "exec %s %s", tu_theta_bin(), args);
    char *dir = tu_tmpdir();
    char *o = tu_path(dir, "out"), *e = tu_path(dir, "err");
    /* closed by the exec: its end tells that the child runs a new image */
    int execd[2];
    ck_assert_int_eq(pipe2(execd, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(execd[0]);
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0 || dup2(fo, STDOUT_FILENO) < 0 || dup2(fe, STDERR_FILENO) < 0)
            _exit(126);
        close(fo);
        close(fe);
        if (as_limit_mb > 0) {
            struct rlimit rl = {(rlim_t)as_limit_mb << 20, (rlim_t)as_limit_mb << 20};
            if (setrlimit(RLIMIT_AS, &rl) != 0)
                _exit(126);
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(execd[1]);
    char c;
    while (read(execd[0], &c, 1) < 0 && errno == EINTR)
        ;
    close(execd[0]);
    long peak = 0;
    int wstatus;
    pid_t got;
    for (;;) {
        long kb = vm_hwm_kb(pid);
        got = waitpid(pid, &wstatus, WNOHANG);
        if (got != 0)
            break;
        if (kb > peak)
            peak = kb; /* read while the process was still running */
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ck_assert_int_eq(got, pid);
    if (peak_kb)
        *peak_kb = peak;
    int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                                    : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
    if (out)
        *out = tu_read_file(o, NULL);
    if (err)
        *err = tu_read_file(e, NULL);
    free(o);
    free(e);
    tu_rmdir(dir);
    free(dir);
    return status;
}
