/*
 * testutil.h — helpers for the Check suites: temporary directories, writing
 * fixture files, running the theta binary (THETA_BIN) and capturing output.
 */
#ifndef THETA_TESTUTIL_H
#define THETA_TESTUTIL_H

#include <stddef.h>

/* A fresh temporary directory under $TMPDIR (default /tmp); the path is
 * malloc'ed (free it after tu_rmdir). */
char *tu_tmpdir(void);
/* Removes dir and everything under it (symlinks are removed, not followed);
 * warns on stderr if something is left. */
void tu_rmdir(const char *dir);

/* Checked fixture (tcase_add_checked_fixture(tc, tu_fixture_tmpdir_setup,
 * tu_fixture_tmpdir_teardown)): each test of the TCase gets a fresh empty
 * directory tu_dir, removed with its contents after the test. */
extern char *tu_dir;
void tu_fixture_tmpdir_setup(void);
void tu_fixture_tmpdir_teardown(void);

/* dir + "/" + name in a malloc'ed string. */
char *tu_path(const char *dir, const char *name);

/* Writes len bytes (or strlen if len == (size_t)-1) to path; aborts the test on failure. */
void tu_write_file(const char *path, const void *data, size_t len);

/* Reads a whole file (malloc'ed, NUL-terminated); *len may be NULL. NULL if missing. */
char *tu_read_file(const char *path, size_t *len);

/* Runs "$THETA_BIN <args>" through /bin/sh with stdout and stderr captured
 * into malloc'ed strings (either out pointer may be NULL). Returns the exit status. */
int tu_run(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Like tu_run, with the theta process's address space limited to
 * as_limit_mb megabytes (setrlimit RLIMIT_AS, as `ulimit -v`; 0 = no limit)
 * and its peak resident memory stored in *peak_kb (if not NULL): VmHWM,
 * sampled every 5 ms from the exec to the exit. (Not wait4's ru_maxrss: it
 * counts the forked copy of this process before the exec.) The arguments
 * may use shell redirections. */
int tu_run_limited(long as_limit_mb, long *peak_kb, char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Path of the theta binary under test (THETA_BIN, default build/theta). */
const char *tu_theta_bin(void);

#endif
