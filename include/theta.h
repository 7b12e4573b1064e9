/*
 * theta.h — the public API of libtheta, a word2vec-style embedding trainer.
 *
 * What it does: reads text corpora (plain, gzip, stdin), builds a vocabulary,
 * trains skip-gram / CBOW with negative sampling, hierarchical softmax or full
 * softmax, saves models and word vectors, and analyses trained matrices
 * (identical dimensions, rank, neighbours, evaluation).
 * What it does not do: print, exit, or keep mutable global state. Every
 * function that can fail returns a theta_status; the message is in
 * theta_last_error() (thread-local, valid until the next failing call).
 *
 * Conventions: word ids are int32_t, token counts int64_t, byte sizes size_t.
 * Matrices are float32, row-major: row r of a (rows, dim) matrix starts at
 * m + (size_t)r * dim.
 */
#ifndef THETA_H
#define THETA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define THETA_VERSION "0.1.0"

/* ---- errors ------------------------------------------------------------- */

typedef enum {
    THETA_OK = 0,
    THETA_EINVAL,    /* bad argument or option value */
    THETA_EIO,       /* open/read/write failed */
    THETA_ENOMEM,    /* allocation failed */
    THETA_EFORMAT,   /* malformed file */
    THETA_EDATA,     /* input is valid but unusable (empty corpus, ...) */
    THETA_EDIVERGED, /* training produced a non-finite value */
    THETA_EINTR,     /* stopped on request (signal); state is consistent */
    THETA_EMISMATCH  /* resume: checkpoint does not match corpus/config */
} theta_status;

/* The message of the last failure in this thread ("" if none). */
const char *theta_last_error(void);

/* ---- configuration ------------------------------------------------------ */

typedef enum { THETA_ARCH_SKIPGRAM = 0, THETA_ARCH_CBOW = 1 } theta_arch;
typedef enum { THETA_LOSS_NS = 0, THETA_LOSS_HS = 1, THETA_LOSS_SOFTMAX = 2 } theta_loss;

/* Update order: word2vec's per-pair updates, or windows that share one draw
 * of negatives (faster; skip-gram only — CBOW trains the same either way). */
typedef enum { THETA_KERNEL_PAIR = 0, THETA_KERNEL_BATCH = 1 } theta_kernel;

typedef enum {
    THETA_INIT_W2V = 0, /* input: U(-0.5/dim, 0.5/dim); output: zero */
    THETA_INIT_ZERO,
    THETA_INIT_CONST,   /* every element = value */
    THETA_INIT_UNIFORM, /* U(-value, value) */
    THETA_INIT_NORMAL,  /* N(0, value^2) */
    THETA_INIT_SCALED   /* U(-value/dim, value/dim): word2vec's shape, any width */
} theta_init_kind;

/* A perturbation added to every element of a start, drawn from --seed:
 * N(0, noise^2) or U(-noise, noise), added in double, rounded to float. */
typedef enum { THETA_NOISE_NONE = 0, THETA_NOISE_NORMAL, THETA_NOISE_UNIFORM } theta_noise_kind;

typedef struct {
    theta_init_kind kind;
    double value;
    theta_noise_kind noise_kind; /* "+normal:S" / "+uniform:A" after the strategy */
    double noise;                /* its scale, >= 0 (0 leaves the start bit for bit) */
} theta_init;

/* Every hyper-parameter of a run. theta_config_default() is the single source
 * of the defaults; the effective config is saved in the model file. */
typedef struct {
    theta_arch arch;
    theta_loss loss;
    int dim;           /* embedding dimensions */
    int window;        /* max context distance; effective window is random */
    int negative;      /* negative samples per positive (loss ns) */
    int epochs;
    int threads;
    int64_t min_count; /* words rarer than this are dropped */
    int64_t max_vocab; /* keep at most this many rows (0 = no limit) */
    double sample;     /* subsampling threshold (0 = off) */
    double alpha;      /* starting learning rate */
    double min_alpha_ratio; /* floor of the decayed rate, as a share of alpha */
    uint64_t seed;
    theta_init init_in;
    theta_init init_out;
    theta_kernel kernel;
    float noise_uniform; /* loss ns: share of negatives drawn uniformly over the words
                          * (the rest by count^0.75); float, as saved in the model */
    int share_negatives; /* batch ns skip-gram: centre words per shared draw of negatives */
} theta_config;

#define THETA_MAX_SHARE 16 /* most centre words per shared draw of negatives */

theta_config theta_config_default(void);

/* The default starting learning rate for a loss (the CLI applies it when
 * --alpha is not given). */
double theta_config_default_alpha(theta_loss loss);

/* Checks ranges and combinations; THETA_EINVAL with a message naming the
 * field ("dim must be an integer in 1..10000, not 0"). */
theta_status theta_config_validate(const theta_config *cfg);

/* The valid values of one numeric field of theta_config: [lo, hi], each end
 * open if lo_open / hi_open, integers only if integer, and 0 too if zero_ok.
 * theta_config_validate checks them; a program parsing options can too. */
typedef struct {
    const char *field;  /* the field's name in theta_config: "dim", "min_count" */
    size_t offset;      /* offsetof(theta_config, field) */
    int type;           /* private: how the field is stored */
    double lo, hi;
    unsigned char integer, lo_open, hi_open, zero_ok;
} theta_config_range;

/* Every range, ending with an entry whose field is NULL. */
const theta_config_range *theta_config_ranges(void);
/* The range of one field, or NULL. */
const theta_config_range *theta_config_range_of(const char *field);
int theta_config_in_range(const theta_config_range *r, double v);
/* The range in words: "an integer in 1..10000", "a number in [0, 1)". */
void theta_config_range_text(const theta_config_range *r, char *buf, size_t size);

/* Parses "w2v", "zero", "const:C", "uniform:A", "normal:SIGMA" or
 * "scaled:K" (U(-K/dim, K/dim); the input matrix's default, K = 1), each
 * optionally followed by a perturbation "+normal:S" or "+uniform:A" (S, A >= 0):
 * "const:0.1+normal:1e-6". */
theta_status theta_init_parse(const char *text, theta_init *out);

/* Room for the longest text theta_init_format writes, with its NUL. */
#define THETA_INIT_TEXT 80

/* Writes the canonical text form of an init ("const:0.1", "const:0.1+normal:1e-06")
 * into buf; theta_init_parse reads it back exactly. */
void theta_init_format(const theta_init *init, char *buf, size_t size);

const char *theta_arch_name(theta_arch arch);
const char *theta_loss_name(theta_loss loss);
const char *theta_kernel_name(theta_kernel kernel);

/* ---- random numbers (xoshiro256**, seeded by splitmix64) ---------------- */

typedef struct {
    uint64_t s[4];
} theta_rng;

void theta_rng_seed(theta_rng *rng, uint64_t seed);
uint64_t theta_rng_next(theta_rng *rng);
/* Uniform double in [0, 1). */
double theta_rng_uniform(theta_rng *rng);
/* Mixes several values into one seed (for per-chunk seeds). */
uint64_t theta_seed_mix(uint64_t a, uint64_t b, uint64_t c);

/* ---- corpus reader ------------------------------------------------------ */

#define THETA_MAX_WORD 100       /* bytes; longer words are cut at a UTF-8 boundary */
#define THETA_MAX_SENTENCE 1000  /* tokens; longer sentences are split */
#define THETA_EOS "</s>"         /* sentence end, vocabulary entry 0 */

typedef struct theta_reader theta_reader;

/* Opens a plain or gzip file, or standard input for "-". */
theta_status theta_reader_open(const char *path, theta_reader **out);

/* A part of a corpus: a whole file (start 0, end -1), or the lines of a
 * plain text file that start in the byte range [start, end) (end -1: to the
 * end). Splitting a file at any byte offsets gives every line to exactly one
 * range. */
typedef struct {
    const char *path;
    int64_t start, end;
} theta_segment;

/* Opens segments[n] to be read one after the other as one input (a newline
 * is added between two files when the first does not end with one). Whole
 * files may be gzip; byte ranges must be plain text (else a read error). */
theta_status theta_reader_open_segments(const theta_segment *segments, int n, theta_reader **out);

/* Next token. Returns 1 and sets *word and *len (not NUL-terminated, valid until
 * the next call) for a word, or THETA_EOS for a newline; 0 at the end of the
 * input; -1 on a read or decompression error (see theta_last_error()). */
int theta_reader_next(theta_reader *r, const char **word, size_t *len);

/* Up to max (>= 1) next tokens, as theta_reader_next returns them one by one,
 * all pointing into the reader's buffer (valid until the next call on r).
 * Returns how many (>= 1), 0 at the end of the input, -1 on an error. */
int theta_reader_next_batch(theta_reader *r, const char **words, uint32_t *lens, int max);

/* Bytes consumed from the (decompressed) input so far. */
int64_t theta_reader_bytes(const theta_reader *r);

/* Closes; reports a truncated or corrupt gzip stream that was not yet seen. */
theta_status theta_reader_close(theta_reader *r);

/* theta_spool_open("-", path_out, size, fd_out, NULL): standard input
 * copied to a nameless file, reopened for each epoch as /dev/fd/N. A closed
 * standard input is THETA_EIO, an empty one THETA_EDATA. */
theta_status theta_spool_stdin(char *path_out, size_t size, int *fd_out);

/* 1 if path ("-": standard input) can be read only once: a pipe, a FIFO, a
 * socket or a character device (process substitution's /dev/fd/N is a
 * pipe); 0 for a regular file or a block device, and for a path that
 * cannot be looked at (opening it reports why). */
int theta_input_is_stream(const char *path);

/* Copies the input at path ("-": standard input) into a file without a name
 * in $TMPDIR (default /tmp), so that it is gone on every exit, signals
 * included, and returns in path_out a path that reads it again from the
 * start (/dev/fd/N) for each pass; close *fd_out at the end. *bytes_out (if
 * not NULL) gets the bytes copied: the spool's disk use. THETA_EIO for a
 * closed standard input, an unreadable input, or a $TMPDIR that cannot take
 * the file (the message names it and says when it is full); THETA_EDATA for
 * an empty input. */
theta_status theta_spool_open(const char *path, char *path_out, size_t size, int *fd_out,
                              int64_t *bytes_out);

/* ---- vocabulary --------------------------------------------------------- */

typedef struct {
    char *word;    /* NUL-terminated, owned by the vocab */
    int64_t count;
    uint32_t len;  /* strlen(word) */
    uint32_t hash; /* of the word's bytes, for the hash table */
} theta_vocab_entry;

/* A vocabulary: its entries and what counting dropped. The hash table
 * behind theta_vocab_find is private (hash). */
typedef struct {
    theta_vocab_entry *entries; /* [size]; entry 0 is </s> once finalized */
    int32_t size;
    int64_t total;              /* sum of the counts of the entries */
    int64_t pruned_words;       /* distinct words dropped by pruning while counting */
    int64_t pruned_below;       /* pruning dropped every word with count below this */
    int64_t dropped_words;      /* distinct words dropped by min-count / max-vocab */
    int64_t bytes_read;         /* theta_vocab_build: (decompressed) corpus bytes counted */
    struct theta__vocab_hash *hash; /* private to the library */
} theta_vocab;

theta_vocab *theta_vocab_new(void);
void theta_vocab_free(theta_vocab *v);

/* Adds count to word (inserting it). While theta_vocab_build counts, prunes
 * the rarest words when size passes its prune_limit; a vocabulary from
 * theta_vocab_new never prunes. */
theta_status theta_vocab_add(theta_vocab *v, const char *word, size_t len, int64_t count);

/* The id of word, or -1. */
int32_t theta_vocab_find(const theta_vocab *v, const char *word, size_t len);

/* ids[i] = theta_vocab_find(v, words[i], lens[i]) for n words, faster: the
 * lookups of each THETA_VOCAB_BATCH words overlap their cache misses. */
#define THETA_VOCAB_BATCH 64
void theta_vocab_find_batch(const theta_vocab *v, const char *const *words, const uint32_t *lens,
                            int n, int32_t *ids);

/* Drops words below min_count, keeps </s> at id 0, sorts the rest by count
 * (descending) then bytes, cuts to max_vocab rows (0 = no limit), rehashes. */
theta_status theta_vocab_finalize(theta_vocab *v, int64_t min_count, int64_t max_vocab);

/* Counts every token of r into v (not finalized; prunes as theta_vocab_add
 * does) and adds the bytes read to v->bytes_read. THETA_EIO on a read error. */
theta_status theta_vocab_count(theta_vocab *v, theta_reader *r);

/* The pruning cap used while counting: requested, or the default if <= 0. */
int64_t theta_vocab_prune_limit(int64_t requested);

/* Counts a whole corpus (one pass of the reader) and finalizes. */
theta_status theta_vocab_build(const char *path, int64_t min_count, int64_t max_vocab,
                               int64_t prune_limit, theta_vocab **out);

/* The same with up to `threads` threads: a plain text file of a few MB or
 * more is counted in byte ranges in parallel (gzip, standard input and small
 * files in one pass). The counts equal one pass's unless pruning was needed. */
theta_status theta_vocab_build_threads(const char *path, int64_t min_count, int64_t max_vocab,
                                       int64_t prune_limit, int threads, theta_vocab **out);

/* One vocabulary over several files read as one corpus in the order given
 * (plain, gzip, "-" for standard input): each large plain file is counted
 * in parallel as theta_vocab_build_threads does, the counts summed, then
 * finalized. Every file is opened first: a missing or unreadable one is
 * THETA_EIO naming it before any counting. */
theta_status theta_vocab_build_files(const char *const *paths, int n, int64_t min_count,
                                     int64_t max_vocab, int64_t prune_limit, int threads,
                                     theta_vocab **out);

/* word2vec's vocabulary file: one "word count" line per entry. */
theta_status theta_vocab_save(const theta_vocab *v, const char *path);
theta_status theta_vocab_load(const char *path, int64_t min_count, int64_t max_vocab,
                              theta_vocab **out);

/* CRC-32 of the finalized vocabulary (words and counts), for fingerprints. */
uint32_t theta_vocab_crc(const theta_vocab *v);

/* ---- negative sampler (alias table over count^0.75, </s> excluded) ------ */

/* theta_sampler_build_mix draws a share `uniform` (0..1) of the samples
 * uniformly over the words 1..V-1 and the rest by count^power;
 * theta_sampler_build is share 0. Errors: THETA_EDATA without a counted
 * word, THETA_ENOMEM. */

/* One column of the table: a draw that picks it keeps the column's word
 * with probability threshold / 2^32, else takes alias. The two sit side by
 * side so that a draw touches one cache line. */
typedef struct {
    uint32_t threshold; /* acceptance threshold scaled to 2^32 */
    int32_t alias;
} theta_sampler_cell;

typedef struct {
    theta_sampler_cell *cell; /* [n] */
    int32_t n;
} theta_sampler;

theta_status theta_sampler_build(theta_sampler *s, const theta_vocab *v, double power);
theta_status theta_sampler_build_mix(theta_sampler *s, const theta_vocab *v, double power,
                                     double uniform);
void theta_sampler_free(theta_sampler *s);

/* The column a draw r looks at: its high 32 bits, multiply-shift. */
static inline int32_t theta_sampler_column(const theta_sampler *s, uint64_t r)
{
    return (int32_t)(((r >> 32) * (uint64_t)s->n) >> 32);
}

static inline int32_t theta_sampler_draw(const theta_sampler *s, uint64_t r)
{
    /* high 32 bits pick a column, low 32 bits accept/alias */
    int32_t i = theta_sampler_column(s, r);
    const theta_sampler_cell c = s->cell[i];
    return (uint32_t)r < c.threshold ? i : c.alias;
}

/* ---- Huffman tree (hierarchical softmax) -------------------------------- */

typedef struct {
    int32_t n;          /* leaves = vocabulary size; inner nodes = n - 1 */
    int64_t *offset;    /* [n + 1] start of word w's path in code/point */
    uint8_t *code;      /* [offset[n]] branch bits, root first */
    int32_t *point;     /* [offset[n]] inner node ids (0 .. n-2), root first */
    int32_t max_depth;
} theta_huffman;

theta_status theta_huffman_build(theta_huffman *h, const theta_vocab *v);
void theta_huffman_free(theta_huffman *h);

/* ---- model -------------------------------------------------------------- */

/* Training state, saved with the model so a run can be resumed. */
typedef struct {
    int32_t epoch;         /* epochs completed */
    int64_t words_done;    /* in-vocabulary tokens processed over all epochs */
    int64_t chunks_done;   /* chunks of the current epoch already trained */
    int64_t train_words;   /* tokens per epoch (sum of vocabulary counts) */
    double loss_sum;       /* loss statistics of the current epoch */
    int64_t loss_count;
    uint64_t corpus_bytes; /* corpus fingerprint (0 = unknown) */
    uint32_t corpus_crc;
} theta_train_state;

typedef struct {
    uint64_t bytes;        /* an input file's size and the CRC of theta_corpus_fingerprint */
    uint32_t crc;
} theta_fingerprint;

/* Which files a checkpoint's run read: ninputs > 1 records the fingerprints
 * of its several files, in order (0: one file, theta_train_state's
 * fingerprint). A data-parallel (MPI) run's checkpoint also records where
 * every rank stood in its share of the corpus (nranks > 0; the entries are
 * private to the MPI code), so that every rank resumes where it stopped. */
typedef struct {
    int32_t nranks;
    int32_t ninputs;
    struct theta__rank_state *ranks; /* [nranks], owned by the model */
    theta_fingerprint *inputs;       /* [ninputs] in command-line order, owned by the model */
    int64_t piece;                   /* an MPI run of one file: the bytes of the pieces dealt
                                        to the ranks (0: one equal range per rank) */
} theta_shares;

typedef struct {
    theta_config cfg;
    theta_vocab *vocab;   /* owned */
    float *in;            /* (vocab->size, dim) input vectors Θ */
    float *out;           /* (out_rows, dim) output vectors */
    int64_t out_rows;     /* vocab size (ns, softmax) or vocab size - 1 (hs) */
    theta_huffman huffman;/* built for loss hs */
    theta_sampler sampler;/* built for loss ns */
    theta_train_state state;
    theta_shares shares;  /* the checkpoint's input files and MPI ranks (see above) */
} theta_model;

/* Takes ownership of vocab (also on failure), allocates and initialises both
 * matrices from cfg->init_in / init_out and cfg->seed. */
theta_status theta_model_new(const theta_config *cfg, theta_vocab *vocab, theta_model **out);
void theta_model_free(theta_model *m);

/* Bytes the two matrices of such a model take. */
size_t theta_model_matrix_bytes(const theta_config *cfg, int64_t vocab_size);

/* theta's own file (format in src/model.c). Written to a temporary file in
 * the same directory, flushed and renamed into place. */
theta_status theta_model_save(const theta_model *m, const char *path);
theta_status theta_model_load(const char *path, theta_model **out);

/* Name of output row r ("word" for ns/softmax, "__node_<r>" for hs). */
void theta_model_out_name(const theta_model *m, int64_t r, char *buf, size_t size);

/* The names of every row of matrix which (0: input, 1: output), as
 * theta_model_out_name gives them: one malloc'd block, free it with free().
 * Word names point into m's vocabulary (valid while m is). */
theta_status theta_model_row_names(const theta_model *m, int which, const char ***out);

/* What a .theta file's header says, read without loading the file. */
typedef struct {
    uint32_t version;  /* format version (theta_model_load reads only its own) */
    uint32_t sections; /* 5, or 6 in the checkpoint of an MPI run */
} theta_model_header;

/* Reads the header of the model file at path: THETA_EIO if it cannot be
 * read, THETA_EFORMAT if it is not a theta model. */
theta_status theta_model_peek(const char *path, theta_model_header *out);

/* ---- training ----------------------------------------------------------- */

typedef struct {
    int epoch;              /* 1-based epoch in progress */
    int epochs;
    double progress;        /* share of all epochs done, 0..1 */
    double alpha;           /* current learning rate */
    double loss;            /* mean loss per example since the last report */
    double words_per_sec_thread;
    double eta_seconds;
    double elapsed;         /* seconds since training started */
    int64_t words_done;
    int epoch_end;          /* 1: this report closes an epoch */
    int snapshot;           /* 1: every worker is idle (epoch end or log_every_words):
                               the matrices may be analysed in the callback */
    double epoch_loss;      /* with snapshot: mean loss over the epoch so far */
    double epoch_seconds;   /* with epoch_end: wall time of the epoch */
    int64_t epoch_products; /* (input row, target row) products the kernels computed in the
                               epoch so far, this run's part (a dot and two axpys each:
                               6 * dim FLOP) */
} theta_progress;

/* Called from the training thread; m may be read (not written) in the call.
 * Return nonzero to stop training (theta_train returns THETA_EINTR). */
typedef int (*theta_progress_fn)(const theta_progress *p, const theta_model *m, void *user);

/* What a caller may watch and steer while training runs; every field may be
 * zero / NULL. */
typedef struct {
    theta_progress_fn progress;
    void *user;                 /* passed to progress and checkpoint */
    double interval;            /* seconds between progress reports (0: 1 s) */
    const volatile int *stop;   /* if non-NULL and set (e.g. by a signal handler), stop at the
                                   next chunk boundary; theta_train returns THETA_EINTR */
    /* Called every checkpoint_every seconds at a chunk boundary, with every
     * worker idle and m->state describing exactly the work done; a failure
     * status stops training with that status. */
    theta_status (*checkpoint)(const theta_model *m, void *user);
    double checkpoint_every;
    const char *isa;            /* force "avx512f", "avx2" or "sse2" kernels; NULL = best */
    int64_t log_every_words;    /* also report a snapshot each time this many words are done */
} theta_train_hooks;

/* Where a diverged run stopped (valid after theta_train returned THETA_EDIVERGED). */
typedef struct {
    int32_t word;  /* id of the word being trained */
    int epoch;     /* 1-based */
    double alpha;
} theta_divergence;

/* Trains m on the corpus at path ("-" must have been spooled by the caller)
 * for the remaining epochs of m->cfg.epochs, resuming from m->state.
 * hooks may be NULL. Not thread-safe on one model. */
theta_status theta_train(theta_model *m, const char *path, const theta_train_hooks *hooks);

/* The same on segs[nsegs] read one after another as one corpus (several
 * files, or byte ranges of plain files: see theta_reader_open_segments). */
theta_status theta_train_segments(theta_model *m, const theta_segment *segs, int nsegs,
                                  const theta_train_hooks *hooks);

/* Details of the last divergence in this thread's last theta_train call. */
theta_divergence theta_train_divergence(void);

/* ---- word vectors (word2vec text / binary) ------------------------------ */

typedef enum {
    THETA_VEC_TEXT = 0,   /* "V D" header, "word v1 ... vD" lines */
    THETA_VEC_BINARY = 1, /* "V D\n", then "word " + D float32 LE + "\n" */
    THETA_VEC_NPY = 2     /* numpy .npy 1.0, <f4, C order (no words) */
} theta_vec_format;

/* Writes rows of a (rows, dim) matrix with a name per row; atomically. */
theta_status theta_vectors_write(const char *path, theta_vec_format fmt, int64_t rows, int dim,
                                 const float *m, const char *const *names);

/* Writes one of a model's matrices (0 = input, 1 = output). */
theta_status theta_model_write_vectors(const theta_model *m, int which, const char *path,
                                       theta_vec_format fmt);

/* The same, centred (theta_vectors_center) on a copy: m is not changed. */
theta_status theta_model_write_centered_vectors(const theta_model *m, int which, const char *path,
                                                theta_vec_format fmt);

/* Centres the (rows, dim) matrix m in place: subtracts from every column its
 * mean over the rows (summed in double, rows in order). Each dimension gets
 * the same arithmetic, so identical columns stay identical and a zero matrix
 * stays zero. THETA_ENOMEM if dim doubles cannot be allocated. */
theta_status theta_vectors_center(float *m, int64_t rows, int dim);

/* A matrix of named vectors read from a file. */
typedef struct {
    int64_t rows;
    int dim;
    char **words;      /* [rows], NUL-terminated */
    float *data;       /* (rows, dim) */
    char format[32];   /* what was detected: "word2vec-text", "word2vec-binary", "glove", ... */
} theta_vectors;

/* Reads word2vec text (with or without trailing space), word2vec binary
 * (with or without newline after each record), fastText .vec and GloVe (no
 * header); format detected from content. Checks sizes before allocating.
 * NaN and infinite values are accepted as stored (callers check if they
 * need finite values); words are kept as raw bytes. THETA_EIO / THETA_EFORMAT
 * with "path:line: problem" (text) or "path: binary row N: problem". *out is
 * set only on success; free it with theta_vectors_free. */
theta_status theta_vectors_load(const char *path, theta_vectors **out);
void theta_vectors_free(theta_vectors *v);

/* 1 if path starts with a theta model's magic bytes (a file to read with
 * theta_model_load, not theta_vectors_load); 0 otherwise or if unreadable.
 * Checks nothing else. */
int theta_file_is_model(const char *path);

/* ---- misc --------------------------------------------------------------- */

/* A cheap fingerprint of a corpus file: its size in bytes and the CRC-32 of
 * its first and last 64 KiB (raw bytes, compressed or not). */
theta_status theta_corpus_fingerprint(const char *path, uint64_t *bytes, uint32_t *crc);

/* CRC-32 (zlib) of a buffer, chained from crc. */
uint32_t theta_crc32(uint32_t crc, const void *buf, size_t len);

/* The widest instruction set this CPU runs the training kernels on
 * ("avx512f", "avx2", "sse2"): what training uses unless
 * theta_train_hooks.isa names another. */
const char *theta_kernel_isa(void);

/* Monotonic wall clock in seconds. */
double theta_now(void);

/* ---- evaluation ----------------------------------------------------------
 * Cosine search, word analogies, word-pair similarity and k-means over a
 * matrix of named vectors, with the definitions of word2vec's distance /
 * word-analogy / compute-accuracy / -classes and gensim 4's most_similar,
 * most_similar_cosmul, evaluate_word_analogies and evaluate_word_pairs.
 * Files are read here only for the question and pair lists; vectors come
 * from theta_vectors_load or a model. Nothing here prints. */

/* Upper-cases word into buf (NUL-terminated) the way Python's str.upper()
 * does for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters;
 * every other byte is copied. Returns the length, or (size_t)-1 if buf is
 * too small (the output can be longer than the input: "ß" -> "SS"). */
size_t theta_eval_fold(const char *word, char *buf, size_t size);

/* A search index over a (rows, dim) matrix: normalizes every row of m to
 * unit length IN PLACE (zero rows stay zero, their cosine with anything is
 * 0), keeps the norms, and hashes the words exactly and case-folded. m and
 * words are borrowed and must outlive the index. THETA_EDATA if a value is
 * NaN or infinite. Read-only afterwards: safe to search from many threads. */
typedef struct theta_eval_index theta_eval_index;

theta_status theta_eval_index_new(float *m, int64_t rows, int dim, const char *const *words,
                                  theta_eval_index **out);
void theta_eval_index_free(theta_eval_index *ix);
int64_t theta_eval_index_rows(const theta_eval_index *ix);
int theta_eval_index_dim(const theta_eval_index *ix);
const char *theta_eval_index_word(const theta_eval_index *ix, int64_t row);
const float *theta_eval_index_unit(const theta_eval_index *ix, int64_t row); /* [dim] */
double theta_eval_index_norm(const theta_eval_index *ix, int64_t row);       /* before normalizing */

/* The first row holding exactly word, or -1. */
int64_t theta_eval_find(const theta_eval_index *ix, const char *word);
/* The first row whose folded word equals word's folded form, if that row is
 * below limit (limit <= 0: no limit); else -1. gensim's case_insensitive
 * look-up over restrict_vocab rows. */
int64_t theta_eval_find_folded(const theta_eval_index *ix, const char *word, int64_t limit);

typedef struct {
    int64_t row;
    float score;
} theta_eval_hit;

/* The k rows among the first limit rows (limit <= 0: all) with the highest
 * cosine to query[dim] (any length, not all zero), best first, skipping the
 * rows listed in exclude[nexclude]. Writes *nhits <= k hits. */
theta_status theta_eval_nearest(const theta_eval_index *ix, const float *query, int64_t limit,
                                const int64_t *exclude, int nexclude, int k, theta_eval_hit *hits,
                                int *nhits);

/* The normalized sum of the unit vectors of rows[n] (word2vec's distance
 * query for several words) into query[dim]. */
void theta_eval_query_sum(const theta_eval_index *ix, const int64_t *rows, int n, float *query);

typedef enum {
    THETA_ANALOGY_ADD = 0, /* 3CosAdd: argmax cos(x, b - a + c) over unit vectors */
    THETA_ANALOGY_MUL = 1  /* 3CosMul: argmax s(x,b) s(x,c) / (s(x,a) + 1e-6), s = (1 + cos) / 2 */
} theta_analogy_method;

/* a : b :: c : ?  The k best rows among the first limit (<= 0: all), rows a,
 * b and c excluded, best first, with their 3CosAdd / 3CosMul scores. */
theta_status theta_eval_analogy(const theta_eval_index *ix, int64_t a, int64_t b, int64_t c,
                                theta_analogy_method method, int64_t limit, int k,
                                theta_eval_hit *hits, int *nhits);

/* An analogy question file (word2vec's questions-words format): ": name"
 * lines open sections; other lines hold four words a b c d ("a is to b as c
 * is to d"). Lines without exactly four words are skipped and counted. */
typedef struct {
    char *name;
    int64_t first, count; /* questions [first, first + count) */
} theta_eval_section;

typedef struct {
    int64_t n;                   /* questions */
    char **words;                /* [4 n]: a b c d of question i at 4 i */
    int64_t nsections;
    theta_eval_section *sections;
    int64_t skipped_lines;       /* non-blank lines that are not four words */
} theta_eval_questions;

/* THETA_EFORMAT (with the line number) for a question before any section. */
theta_status theta_eval_questions_load(const char *path, theta_eval_questions **out);
void theta_eval_questions_free(theta_eval_questions *q);

typedef struct {
    int64_t correct, seen, total; /* seen: all four words in vocabulary */
} theta_eval_score;

typedef struct {
    theta_eval_score overall;
    int64_t nsections;
    theta_eval_score *sections; /* [nsections], in the order of the file */
    int64_t *predicted;         /* [n]: predicted row, or -1 if skipped (OOV) */
} theta_eval_analogy_result;

/* gensim's evaluate_word_analogies(restrict_vocab = limit, case_insensitive):
 * the vocabulary is the first limit rows (<= 0: all); words are matched
 * case-folded to the first row of their folded form; a question with a word
 * outside it is skipped (counted in total, not in seen); otherwise the
 * answer is the best of the top 5 rows (a, b, c excluded) whose folded word
 * is none of a, b, c. Blocked matrix products on `threads` threads. */
theta_status theta_eval_analogies(const theta_eval_index *ix, const theta_eval_questions *q,
                                  int64_t limit, theta_analogy_method method, int threads,
                                  theta_eval_analogy_result *out);
void theta_eval_analogy_result_free(theta_eval_analogy_result *r);

/* A word-pair similarity file: "w1 w2 score" per line, tab-separated (words
 * may hold spaces) or else whitespace-separated; '#' comment lines, blank
 * lines and CRLF accepted; malformed lines skipped and counted. */
typedef struct {
    int64_t n;
    char **words;   /* [2 n] */
    double *gold;   /* [n] */
    int64_t skipped_lines;
} theta_eval_pairs;

/* THETA_EFORMAT if the file holds no valid pair. */
theta_status theta_eval_pairs_load(const char *path, theta_eval_pairs **out);
void theta_eval_pairs_free(theta_eval_pairs *p);

typedef struct {
    int64_t used, oov;  /* pairs scored / pairs with a word outside the vocabulary */
    double spearman;    /* rank correlation, ties ranked by their average (NaN if undefined) */
    double pearson;
    double oov_ratio;   /* oov / (used + oov) */
} theta_eval_pairs_result;

/* gensim's evaluate_word_pairs(restrict_vocab = limit, case_insensitive):
 * cosine of the two words' vectors against the gold scores; pairs with a
 * word outside the first limit rows are left out. */
theta_status theta_eval_pairs_score(const theta_eval_index *ix, const theta_eval_pairs *p,
                                    int64_t limit, theta_eval_pairs_result *out);

/* Correlations of x[n] and y[n] in double; NaN if n < 2 or a side is constant. */
double theta_eval_pearson(const double *x, const double *y, int64_t n);
double theta_eval_spearman(const double *x, const double *y, int64_t n);

/* Spherical k-means (word2vec's -classes: cosine to normalized centroids)
 * of the rows of m (rows, dim), k-means++ seeding from seed, at most iters
 * rounds (stops early when no row moves). assign[rows] gets classes 0..k-1;
 * an empty class is re-seeded with the row farthest from its centroid.
 * Deterministic for a given seed, whatever the thread count. */
theta_status theta_kmeans_cluster(const float *m, int64_t rows, int dim, int k, int iters,
                                  uint64_t seed, int threads, int32_t *assign, int *iters_done);
/* ---- identical dimensions and rank (dims.c) ----------------------------- */

#define THETA_DIMS_TOP 8            /* singular values kept in a report */
#define THETA_DIMS_RANK_REL 1e-6    /* rank: singular values above this x the largest */
#define THETA_DIMS_MAX_RANK_DIM 2048 /* more distinct columns than this: rank not computed */

/* What theta_dims_analyze finds in a (rows, dim) matrix. Two columns are
 * identical when they are equal in every row: exactly (float ==, so +0 and
 * -0 are equal) with tol 0, or with max |a - b| <= tol * max_abs otherwise
 * (not transitive: a class is measured from its lowest column, and columns
 * join the first such class in column order). A column that holds a NaN is
 * identical to no other column. The rank always uses the exact values. */
typedef struct {
    int64_t rows;
    int dim;
    double tol;             /* relative tolerance used; 0 = exact equality */
    double threshold;       /* absolute tolerance: tol * max_abs */
    double max_abs;         /* largest |value| among the finite values */
    int distinct_dims;      /* classes of identical columns */
    int identical_dims;     /* columns identical to at least one other column */
    int largest_class;      /* columns in the largest class */
    int nan_dims;           /* columns holding a NaN (each a class of its own) */
    int64_t zero_rows;      /* rows whose values are all zero */
    int64_t duplicate_rows; /* rows equal to an earlier row (bitwise, +0 == -0) */
    int64_t nonfinite_rows; /* rows holding a NaN or an infinity; left out of the rank */
    int all_zero;           /* every value is zero (also when rows == 0) */
    int rank;               /* singular values above THETA_DIMS_RANK_REL x the largest;
                               -1 if not computed (see THETA_DIMS_MAX_RANK_DIM) */
    double first_share;     /* sigma_1^2 / sum of sigma_i^2 (0 for a zero matrix,
                               NaN if the rank was not computed) */
    int n_singular;         /* entries used in singular[]: min(dim, THETA_DIMS_TOP) */
    double singular[THETA_DIMS_TOP]; /* largest singular values, descending (NaN if
                                        the rank was not computed) */
    /* How far from symmetric, continuously (double; NaN if the rank was not
     * computed; 0 for a zero matrix). Singular values at the rounding level
     * of the Gram matrix's eigenvalues (sigma_i^2 <= k x DBL_EPSILON x sigma_1^2,
     * k distinct columns) count as 0, so an exactly rank-1 matrix gives 0 and 1. */
    double sigma_ratio;     /* sigma_2 / sigma_1: 0 when every column is a multiple of
                               one vector, grows as the columns' spread does */
    double effective_rank;  /* exp(H), H = -sum p_i ln p_i, p_i = sigma_i / sum sigma
                               (Roy & Vetterli 2007): 1 for rank 1 .. dim for equal
                               singular values */
} theta_dims_report;

/* Analyses a row-major (rows, dim) matrix: column classes, zero and
 * duplicate rows, numerical rank from the eigenvalues of the Gram matrix
 * (double). Does not copy the matrix; temporary memory is about
 * 16 bytes per row plus a few (distinct dims)^2 doubles. Uses up to 4
 * threads for large matrices; the result does not depend on the thread
 * count. THETA_EINVAL for bad arguments, THETA_ENOMEM. Thread-safe. */
theta_status theta_dims_analyze(const float *m, int64_t rows, int dim, double tol,
                                theta_dims_report *out);

/* The column classes alone: class_of[j] (dim entries) is set to the lowest
 * column index of column j's class, under the same rules. */
theta_status theta_dims_classes(const float *m, int64_t rows, int dim, double tol, int *class_of);

/* ---- phrases ------------------------------------------------------------
 * word2vec's word2phrase: counts the words and adjacent word pairs of a
 * corpus (within a sentence; a newline ends one, </s> never joins) in a hash
 * table of bounded size, scores every pair, and rewrites the corpus with the
 * pairs that score above a threshold joined into one token ("new york" ->
 * "new_york"). Several passes, each on the previous pass's output with a
 * lower threshold, build longer phrases. The corpus is streamed, never held;
 * intermediate passes go to unlinked temporary files in $TMPDIR (or /tmp).
 * The rewritten corpus has one sentence per line, tokens separated by one
 * space. docs/phrases.md has the formulas and the pass schedule. */

typedef enum {
    THETA_PHRASES_W2V = 0, /* (n(ab) - min_count) / (n(a) n(b)) * total words */
    THETA_PHRASES_NPMI = 1 /* gensim's normalised PMI, in -1..1 */
} theta_phrases_scoring;

#define THETA_PHRASES_MAX_PASSES 8
#define THETA_PHRASES_MAX_DELIMITER 16 /* bytes */

typedef struct {
    theta_phrases_scoring scoring;
    double threshold;    /* of the last pass; a pair joins when its score is above it */
    int64_t min_count;   /* a pair and each of its words must occur this often */
    int passes;          /* 1..THETA_PHRASES_MAX_PASSES */
    int threads;         /* for counting a plain file in byte ranges */
    int64_t max_entries; /* words + pairs held while counting (0 = the default);
                            the rarest are pruned when the table passes it */
    const char *delimiter; /* joins the words of a phrase; no whitespace */
} theta_phrases_config;

/* Defaults: w2v scoring, threshold 100, min_count 5, 1 pass, online CPUs,
 * 20 million entries, "_". */
theta_phrases_config theta_phrases_config_default(void);

/* The default threshold of a scoring (100 for w2v, 0.5 for npmi). */
double theta_phrases_default_threshold(theta_phrases_scoring scoring);

/* THETA_EINVAL with a message naming the option. */
theta_status theta_phrases_config_validate(const theta_phrases_config *cfg);

/* The threshold of pass (0-based) of cfg->passes: the last pass uses
 * cfg->threshold; each earlier one doubles it (w2v) or halves its distance
 * to 1 (npmi). */
double theta_phrases_pass_threshold(const theta_phrases_config *cfg, int pass);

/* The score of pair ab from the counts, -INFINITY if the pair or one of its
 * words occurs fewer than min_count times. */
double theta_phrases_score(theta_phrases_scoring scoring, int64_t count_a, int64_t count_b,
                           int64_t count_ab, int64_t min_count, int64_t total_words);

/* Counts of the words and pairs of one corpus (one pass). */
typedef struct theta_phrases_table theta_phrases_table;

typedef struct {
    int64_t words;        /* word tokens counted (</s> not included) */
    int64_t bytes;        /* (decompressed) input bytes */
    int64_t entries;      /* distinct words + pairs held */
    int64_t pruned;       /* distinct words + pairs dropped by pruning */
    int64_t pruned_below; /* pruning dropped every entry whose count was below this */
} theta_phrases_table_info;

/* Counts path (plain, gzip or a /dev/fd path; not "-") with cfg->threads
 * and cfg->max_entries. THETA_EIO on a read error. */
theta_status theta_phrases_count(const char *path, const theta_phrases_config *cfg,
                                 theta_phrases_table **out);
/* Occurrences of word w / of the pair "a b" (0 if not held). */
int64_t theta_phrases_word_count(const theta_phrases_table *t, const char *w);
int64_t theta_phrases_pair_count(const theta_phrases_table *t, const char *a, const char *b);
theta_phrases_table_info theta_phrases_table_stats(const theta_phrases_table *t);
void theta_phrases_table_free(theta_phrases_table *t);

typedef struct {
    int pass, passes;    /* 1-based */
    int writing;         /* 0: counting, 1: writing the pass's output */
    int64_t bytes_done;  /* (decompressed) input bytes of this stage */
    int64_t bytes_total; /* -1 if not known (counting gzip) */
} theta_phrases_progress;

typedef struct {
    double threshold;
    int64_t words;        /* word tokens in the pass's input */
    int64_t entries, pruned, pruned_below; /* as theta_phrases_table_info */
    int64_t phrases;      /* distinct pairs scoring above the threshold */
    int64_t joins;        /* pairs joined in the pass's output */
} theta_phrases_pass_stats;

typedef struct {
    int passes;
    theta_phrases_pass_stats pass[THETA_PHRASES_MAX_PASSES];
    int64_t tokens_out;   /* tokens written by the last pass */
} theta_phrases_stats;

typedef struct {
    const char *output;       /* written atomically; NULL: to stream */
    FILE *stream;             /* the output when output is NULL (stdout) */
    const char *save_phrases; /* if set: "phrase score count" lines, written atomically */
    /* called from the calling thread a few times a second; nonzero stops
     * the run (THETA_EINTR; nothing is written under output) */
    int (*progress)(const theta_phrases_progress *p, void *user);
    void *user;
} theta_phrases_hooks;

/* Rewrites input (plain, gzip, or "-" for standard input, spooled) in
 * cfg->passes passes. On failure nothing is left under hooks->output or
 * hooks->save_phrases, and no temporary file is left. *stats (may be NULL)
 * is filled as far as the run got. */
theta_status theta_phrases_run(const char *input, const theta_phrases_config *cfg,
                               const theta_phrases_hooks *hooks, theta_phrases_stats *stats);

/* ---- pretrained vectors and continued training (pretrained.c) -----------
 * A new model's matrix can start from vectors trained elsewhere, matched by
 * word (fastText's -pretrainedVectors), and a saved model can continue on
 * new text with a vocabulary that grows (gensim's build_vocab(update=True)).
 * docs/training.md has the semantics. Nothing here trains or prints. */

/* Reads the vectors to start matrix which (0: input, 1: output) from path:
 * a word-vector file (word2vec text or binary, fastText .vec, GloVe; its
 * rows serve either matrix) or a theta model (its matrix which; the output
 * matrix of an hs model is refused: its rows are tree nodes, not words).
 * THETA_EDATA if it holds no vectors. Free *out with theta_vectors_free. */
theta_status theta_pretrained_load(const char *path, int which, theta_vectors **out);

/* Overwrites each row r >= from_row of m's matrix which (0: input, 1:
 * output) whose word src holds with src's vector for it (a word held twice:
 * its first row); other rows are left as they are. *matched (may be NULL):
 * the rows written. THETA_EINVAL if src->dim is not m->cfg.dim (the message
 * names both) or for the output matrix of an hs model; THETA_EDATA, with
 * nothing written, if a vector to take holds a NaN or an infinity. */
theta_status theta_model_fill_rows(theta_model *m, int which, const theta_vectors *src,
                                   int32_t from_row, int64_t *matched);

/* The model a run that continues old on new text trains (old is not
 * changed). added: the new text's vocabulary, finalized with min_count 1
 * (its words with their counts). The vocabulary: old's words in their
 * order (ids kept) with old + new counts, then added's other words whose
 * count reaches cfg->min_count, in added's order (count, then bytes), up to
 * cfg->max_vocab rows in all (0: no limit; old words always stay). Both
 * matrices: old rows copied, new rows started from cfg->init_in / init_out
 * and cfg->seed as theta_model_new starts them. State: a new run (epoch 0)
 * whose epoch is the new text's tokens of the vocabulary's words
 * (state.train_words; vocab->total, the sum of the summed counts, is larger).
 * THETA_EMISMATCH if cfg's dim, loss or arch differ from old's (the message
 * names both); THETA_EINVAL for an hs model (its tree follows the counts). */
theta_status theta_model_extend(const theta_model *old, const theta_vocab *added,
                                const theta_config *cfg, theta_model **out);

#ifdef __cplusplus
}
#endif

#endif /* THETA_H */
