/*
 * internal.h — private helpers shared by libtheta's modules (not installed).
 * Error reporting, checked allocation, little-endian encoding, atomic file
 * writes. Nothing here prints or exits.
 */
#ifndef THETA_INTERNAL_H
#define THETA_INTERNAL_H

#include "theta.h"

#include <stdarg.h>
#include <stdbool.h>

/* theta's files are little-endian and floats are written as they lie in
 * memory (theta__write_f32, the model's CRCs), so libtheta builds only on
 * little-endian hosts (x86-64, ARM64, RISC-V...). */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libtheta needs a little-endian host"
#endif

/* Records a formatted message as theta_last_error() and returns status. */
theta_status theta__fail(theta_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* malloc/calloc that record THETA_ENOMEM; n * size is overflow-checked. */
void *theta__alloc(size_t n, size_t size);
void *theta__calloc(size_t n, size_t size);

/* An output file written under a temporary name and renamed into place by
 * theta__commit; theta__abort removes it. Never leaves a partial file under
 * the final name. A path that exists and is not a regular file (a device
 * such as /dev/null, a FIFO, a symbolic link) is written in place instead:
 * a rename would replace it. */
typedef struct {
    FILE *f;
    char *path;
    char *tmp; /* NULL when writing in place */
} theta__outfile;

theta_status theta__out_open(theta__outfile *o, const char *path);
theta_status theta__out_commit(theta__outfile *o); /* flush, fsync, rename */
void theta__out_abort(theta__outfile *o);

/* Little-endian encoding of fixed-width values. */
static inline void theta__put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}
static inline void theta__put_u64(unsigned char *p, uint64_t v)
{
    theta__put_u32(p, (uint32_t)v);
    theta__put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t theta__get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t theta__get_u64(const unsigned char *p)
{
    return (uint64_t)theta__get_u32(p) | ((uint64_t)theta__get_u32(p + 4) << 32);
}

/* 1 if the file at path starts with gzip's magic bytes; 0 if not or if it
 * cannot be read (corpus.c). */
int theta__file_is_gzip(const char *path);

/* Where one rank of an MPI run stood in its share of the corpus when its
 * checkpoint was taken (theta_shares.ranks; the model file's RANK section). */
typedef struct theta__rank_state {
    int64_t chunks_done;   /* chunks of the current epoch this rank trained */
    double loss_sum;       /* this rank's loss statistics of the current epoch */
    int64_t loss_count;
} theta__rank_state;

/* How many byte ranges (theta_segment) a corpus file is counted in on up
 * to `threads` threads: several only for a plain regular file of a few MB
 * or more; 1 for standard input, gzip, or anything but a regular file.
 * *bytes: the file's size for a plain regular file, else -1. */
int theta__split_parts(const char *path, int threads, int64_t *bytes);

/* Rank `rank` of `size`'s share of a plain file of `bytes` bytes, as byte
 * ranges (theta_segment) into *segs (malloc'ed, *nsegs >= 1): pieces of
 * `piece` bytes dealt round-robin, piece i to rank i % size; piece 0, one
 * equal range per rank. A rank left without a piece gets one empty range. */
theta_status theta__deal_share(const char *path, int64_t bytes, int rank, int size, int64_t piece,
                               theta_segment **segs, int *nsegs);

/* Counts segs[nsegs] (none: an empty vocabulary) into a new vocabulary, not
 * finalized, pruning at prune_limit distinct words. */
theta_status theta__vocab_count_segments(const theta_segment *segs, int nsegs,
                                        int64_t prune_limit, theta_vocab **out);

/* A corpus file as the word ids its reader yields, kept from the counting
 * pass so that training reads no text (vocab.c). Each run holds n ids of
 * the counting vocabulary in code[len], in 7-bit groups, low first, the
 * high bit set on all but the last (words seen early, the frequent ones,
 * take one byte). While counting, map[nmap] takes the ids of a part
 * counted on its own to the merged count's; once finalized, map takes
 * every run's ids to the vocabulary's (-1: a word it dropped). The runs in
 * order are the corpus: 0 is </s>, as the reader yields it. */
typedef struct {
    uint8_t *code;
    int64_t len, cap, n;
    int32_t *map;
    int32_t nmap;
} theta__id_run;

/* The next id of a run at *at in code, in the vocabulary's numbering. */
static inline int32_t theta__id_decode(const theta__id_run *r, int64_t *at)
{
    uint32_t u = 0;
    for (int shift = 0;; shift += 7) {
        uint8_t b = r->code[(*at)++];
        u |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return r->map[u];
    }
}

/* theta_vocab_build_threads that also keeps path's ids in the vocabulary,
 * when the corpus has at most max_ids tokens (about max_ids / threads in
 * each part counted in parallel) and counting did not prune; else the
 * vocabulary is the same, without them. Training passes THETA__IDS_MAX. */
#define THETA__IDS_MAX ((int64_t)1 << 26) /* tokens; a larger corpus is read as text */
theta_status theta__vocab_build_ids(const char *path, int64_t min_count, int64_t max_vocab,
                                    int64_t prune_limit, int64_t max_ids, int threads,
                                    theta_vocab **out);
/* The runs of v's ids of path (their number; 0: none kept), and dropping them. */
int theta__vocab_ids(const theta_vocab *v, const char *path, const theta__id_run **runs);
void theta__vocab_drop_ids(theta_vocab *v);

/* The last byte r delivered (decoded), or -1 if none (corpus.c). */
int theta__reader_last_byte(const theta_reader *r);

/* float32 arrays to/from a file's little-endian bytes: a plain fwrite /
 * fread, since the host is little-endian (checked above). */
size_t theta__write_f32(FILE *f, const float *v, size_t n);
size_t theta__read_f32(FILE *f, float *v, size_t n);

/* x as printf's "%.9g" writes it (nine significant digits: enough to read
 * back the same float32), into out, not terminated; returns the length, at
 * most THETA__G9_MAX (vecio_write.c). */
#define THETA__G9_MAX 16
int theta__format_g9(float x, char *out);

#endif
