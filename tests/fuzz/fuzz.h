/*
 * fuzz.h — helpers shared by the libFuzzer targets in tests/fuzz/: the
 * input bytes as a file that the library can open by path (an in-memory
 * memfd, reached through /proc/self/fd, so no disk is touched), and an
 * assertion that aborts (libFuzzer then keeps the input as a crasher).
 */
#ifndef THETA_FUZZ_H
#define THETA_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_REQUIRE(cond, ...) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
            abort(); \
        } \
    } while (0)

/* Values written here are kept by the compiler: reads of every element
 * stay in the code, so AddressSanitizer checks their bounds. */
static volatile uint32_t fuzz_sink;

/* Replaces the content of this target's memfd by data[0..size) and returns
 * a path that opens it afresh (offset 0) on every open. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("theta-fuzz", MFD_CLOEXEC);
        FUZZ_REQUIRE(fd >= 0, "memfd_create failed");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    FUZZ_REQUIRE(ftruncate(fd, 0) == 0, "ftruncate failed");
    for (size_t off = 0; off < size;) {
        ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);
        FUZZ_REQUIRE(n > 0, "pwrite failed");
        off += (size_t)n;
    }
    return path;
}

static char fuzz_dir_path[256];

static void fuzz_dir_remove(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

/* A private directory for files the library writes (atomic saves need a
 * real directory): in /dev/shm when there is one (no disk, cheap fsync),
 * else in TMPDIR; removed at exit. */
static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/theta-fuzz-XXXXXX",
                 base && *base ? base : "/tmp");
        FUZZ_REQUIRE(mkdtemp(fuzz_dir_path) != NULL, "mkdtemp failed");
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir_path;
}

#endif
