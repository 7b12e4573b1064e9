/*
 * cmd_train.h — the pieces of `theta train` (cmd_train.c runs them in order):
 * its options (train_args.c), the model it starts from, new or resumed, and
 * its progress reports (train_setup.c).
 */
#ifndef THETA_CLI_CMD_TRAIN_H
#define THETA_CLI_CMD_TRAIN_H

#include "cli.h"

/* --sync-words by default: SYNC_WORDS_JOB / ranks words per rank between two
 * syncs, at least one 10 000-word chunk: 20 000 on 2 ranks, 10 000 on 4 or
 * more: the job syncs after about 40 000 words of all ranks together, up to
 * 4 ranks (docs/mpi.md) */
#define SYNC_WORDS_JOB 40000
#define SYNC_WORDS_MIN 10000
#define SYNC_FULL_EVERY_DEFAULT 8 /* every row at every 8th sync */
#define SYNC_MEAN_ROWS_DEFAULT 1000 /* --sync-merge mean:1000 (docs/mpi.md) */
#define CHECKPOINT_EVERY_DEFAULT 300 /* seconds */

enum {
    OPT_BINARY = 256, OPT_OUTPUT_CONTEXT, OPT_SAVE_MODEL, OPT_SAVE_VOCAB, OPT_READ_VOCAB,
    OPT_LOG_JSON, OPT_MODEL, OPT_LOSS, OPT_DIM, OPT_WINDOW, OPT_NEGATIVE, OPT_SAMPLE, OPT_ALPHA,
    OPT_EPOCHS, OPT_MIN_COUNT, OPT_MAX_VOCAB, OPT_THREADS, OPT_SEED, OPT_INIT_IN, OPT_INIT_OUT,
    OPT_ZERO_INIT, OPT_W2V_HS, OPT_W2V_CBOW, OPT_W2V_BINARY, OPT_W2V_DEBUG, OPT_STOP_AFTER,
    OPT_CHECKPOINT, OPT_CHECKPOINT_EVERY, OPT_RESUME, OPT_KERNEL, OPT_ISA, OPT_LOG_EVERY,
    OPT_SYNC_EVERY, OPT_NOISE_UNIFORM, OPT_INIT_FROM, OPT_SHARE_NEGATIVES, OPT_SYNC_WORDS,
    OPT_SYNC_FULL_EVERY, OPT_SYNC_MERGE, OPT_SYNC_PRECISION, OPT_CENTER, OPT_STREAM, OPT_COUNT
};

typedef struct {
    theta_config cfg;
    const char *input, *output, *output_context, *save_model, *save_vocab, *read_vocab,
        *log_json, *checkpoint, *resume, *isa;
    int binary, center, stream, quiet, alpha_set, hs_flag, negative_set;
    long long stop_after, log_every;
    double checkpoint_every;
    double sync_every;   /* seconds between syncs when sync_words is 0 (--sync-every) */
    long long sync_words; /* words per rank between syncs */
    int sync_full_every;
    long long sync_mean_rows; /* --sync-merge mean:M (mean: all rows, sum: 0) */
    int sync_bf16;        /* --sync-precision bfloat16 */
    const char **inputs; /* [ninputs]: --input FILE and the files after the options */
    int ninputs;
    char **argv;         /* the command line with word2vec's flags translated (owned) */
    unsigned char given[OPT_COUNT]; /* options given on the command line */
    const char *init_file[2]; /* --init-in / --init-out file:PATH (the fallback is cfg's init) */
    const char *init_from;    /* --init-from MODEL: continue it on this corpus */
} train_args;

/* Parses the command line into a (also word2vec's single-dash flags).
 * mpi_build: this program was built with MPI (--sync-* are allowed);
 * mpi_job: it is a rank of an MPI job (files after the options are more
 * input, the shards). 0 ok, -1 after printing --help, 2 after printing a
 * usage error. Free a with train_args_free in every case. */
int train_parse_args(int argc, char **argv, int mpi_build, int mpi_job, train_args *a);
void train_args_free(train_args *a);

/* --resume: loads the checkpoint, checks it against this run (its options
 * and input fingerprints fps[ninputs], nranks MPI ranks, 0 if not an MPI
 * job) and takes this process's place (rank) in the corpus. Else 1 with
 * the message in why. */
int train_resume_model(const train_args *a, const theta_fingerprint *fps, int ninputs,
                       int nranks, int rank, theta_model **out, char *why, size_t n);

/* A fresh model: the vocabulary (read, counted on segs[nsegs], or counted
 * over inputs[a->ninputs] on --threads threads), its summary, the matrices.
 * Prints its error and returns 1 on failure. */
int train_new_model(const train_args *a, const char *const *inputs, const theta_segment *segs,
                    int nsegs, theta_model **out);

/* --init-from (train_warm.c): old, the model to continue, loaded and
 * checked against this run (dim, loss, model; its own when not given) into
 * *cfg. Prints its error and returns 1 on failure. */
int train_load_base(const train_args *a, theta_config *cfg, theta_model **old);

/* --init-from: the model that continues old (freed here) on the new text's
 * vocabulary v (every word, freed here), with its summary. Prints its error
 * and returns 1 on failure. */
int train_extend_model(const train_args *a, const theta_config *cfg, theta_model *old,
                       theta_vocab *v, theta_model **out);

/* --init-in / --init-out file:PATH: src[0] / src[1] read (NULL for a
 * matrix without a file) and checked to have dim dimensions. Prints its
 * error and returns 1 on failure (nothing is left to free). */
int train_load_pretrained(const train_args *a, int dim, theta_vectors *src[2]);
void train_free_pretrained(theta_vectors *src[2]);

/* Rows from_row.. of m's matrices whose words src[] holds take their
 * vectors, with a summary of how many did; frees src[]. Prints its error
 * and returns 1 on failure. */
int train_fill_pretrained(const train_args *a, theta_model *m, theta_vectors *src[2],
                          int32_t from_row);

/* "model: skipgram, loss ns, ..." on stderr. */
void train_print_model(const train_args *a, const theta_model *m);

/* "Resume with: ..." after a stop; nranks the MPI ranks (0: not an MPI job). */
void train_print_resume_hint(const char *to, const char *const *inputs, int ninputs, int nranks);

/* No output names an input or another output (cli_check_paths over every
 * file option): 0, or 2 after printing the clash. train_inputs.c. */
int train_check_files(const train_args *a);

/* The corpus as this run reads it: every input, or the spooled copy of one
 * that can be read only once (standard input, a FIFO, /dev/fd/N). */
typedef struct {
    int n;                 /* a->ninputs */
    const char **paths;    /* [n] what to open: the input or its spool (/dev/fd/N) */
    theta_segment *segs;   /* [n] the whole of each, in order */
    int *streamed;         /* [n] 1: a stream read once as it comes (no fingerprint) */
    int *fds;              /* [n] spool descriptors (-1: none) */
    char (*spool)[32];     /* [n] spool paths */
    int64_t spooled_bytes; /* disk use of the spools */
} train_inputs;

/* Checks that every input file opens (a missing one is named before
 * anything is read), then spools each stream unless the run reads the
 * corpus once, and reports each spool's size on stderr (unless --quiet).
 * nranks: the ranks of an MPI job (0: not one; more than 1: streams are
 * refused). 0, or 1 after printing the error; free t with train_inputs_close. */
int train_inputs_open(train_inputs *t, const train_args *a, int nranks);
void train_inputs_close(train_inputs *t);

/* The progress callback's state: the \r line, the --log-json file. */
typedef struct {
    const train_args *a;
    int tty;
    FILE *log;
    int printed; /* a \r line is on screen */
} train_progress;

/* theta_train_hooks.progress: the progress line, epoch summaries, the JSON log. */
int train_on_progress(const theta_progress *p, const theta_model *m, void *user);

#endif
