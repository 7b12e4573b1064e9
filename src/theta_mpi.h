/*
 * theta_mpi.h — data-parallel training over MPI. With `make MPI=1` (mpicc)
 * src/mpi.c implements it: each rank reads its share of the corpus, the
 * vocabulary counts are merged into one global vocabulary, and the ranks
 * add up their changes to the matrices every few thousand words through
 * theta__train_ext.sync. Without MPI, src/mpi_none.c implements the same
 * interface for one process (rank 0 of 1), so the program has no
 * conditional compilation. Nothing here prints; errors are theta_status.
 */
#ifndef THETA_THETA_MPI_H
#define THETA_THETA_MPI_H

#include "theta.h"
#include "train.h"

/* 1 if an MPI launcher (mpirun, mpiexec, srun) started this process, seen
 * in its environment; 0 when it was run by hand: then the MPI build is the
 * program without MPI (no MPI_Init, which would change its signals, its
 * standard input and its arguments). */
int theta__mpi_launched(void);

/* 1 in a build with MPI (src/mpi.c), 0 in one without (src/mpi_none.c). */
int theta__mpi_available(void);

/* MPI_Init / MPI_Finalize (MPI_COMM_WORLD). */
void theta__mpi_init(int *argc, char ***argv);
void theta__mpi_finalize(void);
int theta__mpi_rank(void);
int theta__mpi_size(void);
/* Ends every rank of the job with exit status code (MPI_Abort). */
void theta__mpi_abort(int code);

/* 1 if flag is set on any rank; *root_flag (may be NULL): rank 0's flag.
 * Collective: lets every rank leave together after an error that may
 * differ between ranks. */
int theta__mpi_any(int flag, int *root_flag);

/* One plain text file is dealt to the ranks in pieces of this many bytes,
 * round-robin, so that every rank's text comes from all of the corpus in the
 * order one process reads it (as the chunks of one process's threads do);
 * one half per rank cost 0.02 WS353 rho at 1 epoch on 2 ranks
 * (docs/mpi.md). */
#define THETA__MPI_PIECE ((int64_t)1 << 18)

/* This rank's share of inputs[n]: whole files dealt round-robin when there
 * are at least as many files as ranks; else one plain text file, dealt in
 * pieces of about *piece bytes (at most 65536 pieces per rank, and at least
 * one per rank for a small file), or with *piece 0 split into one equal
 * byte range per rank (the split of checkpoints without a piece size). Sets
 * *piece to the piece size dealt (0 for whole files). *segs is malloc'ed
 * (paths point into inputs); *nsegs >= 1. */
theta_status theta__mpi_shares(const char *const *inputs, int n, int64_t *piece,
                               theta_segment **segs, int *nsegs);

/* The fingerprint (theta_corpus_fingerprint) of every one of inputs[n] into
 * out[n], on every rank; each file is read only by a rank whose share it is
 * in (shards may be local to their nodes). Collective; a failure is this
 * rank's (out is then incomplete on every rank: see theta__mpi_any). */
theta_status theta__mpi_fingerprints(const char *const *inputs, int n, theta_fingerprint *out);

/* Counts this rank's share, merges the counts of every rank on rank 0
 * (pruning as one process would), finalizes there with min_count and
 * max_vocab, and sends the result to every rank: the same vocabulary, the
 * same ids everywhere. Collective. */
theta_status theta__mpi_vocab(const theta_segment *segs, int nsegs, int64_t min_count,
                              int64_t max_vocab, theta_vocab **out);

/* What one rank's syncs handed to MPI (payload bytes of every collective
 * call of the sync: the flags, the index of the changed rows (a bitmap or
 * 16-bit counts) and the rows, twice for an exact sum: a reduce and a
 * broadcast). Every rank sends the same
 * sizes: the decisions and the row sets are the same on every rank. */
typedef struct {
    int64_t syncs, full_syncs, exact_syncs;
    int64_t sparse_sums;   /* row sets sent sparse (index + changed rows) */
    int64_t rows;          /* rows summed (each matrix row once per sync that sent it) */
    int64_t bytes;         /* bytes sent */
    int64_t dense_bytes;   /* what the same syncs would have sent as dense rows */
    int64_t words;         /* words this rank trained (the syncs' s->words) */
    double seconds;        /* time spent in the syncs (waiting for the others included) */
    double wait_seconds;   /* of which in the first call, waiting for the slowest rank */
    double mpi_seconds;    /* of which in the calls that send the rows and their index */
} theta__mpi_traffic;

/* State of the sync hook; fill the first fields, zero the rest. */
typedef struct {
    const volatile int *signal;    /* the signal this rank got (0: none), for stop_signal */
    int64_t stop_after_words;      /* stop once all ranks did this many words (0 = off) */
    theta_status (*checkpoint)(const theta_model *m, void *user); /* called on rank 0 */
    void *user;
    double checkpoint_every;       /* seconds, measured on rank 0 */
    const theta_fingerprint *inputs; /* [ninputs] of the run (theta__mpi_fingerprints) */
    int ninputs;
    int64_t piece;                 /* the piece size of theta__mpi_shares, for checkpoints */
    int full_every;                /* every row at every full_every-th sync (0: FULL_EVERY) */
    int64_t mean_rows;             /* rows [0, mean_rows) of each matrix, at a sync that is not
                                      exact: their changes divided by the number of ranks
                                      that made them (0: none) */
    int bf16;                      /* the syncs between exact ones send bfloat16 deltas */
    int dense_only;                /* a testing aid: never the sparse encoding */
    /* out */
    int stop_signal;               /* after a stop: the largest signal any rank got (0: none) */
    theta__mpi_traffic traffic;    /* what this rank's syncs sent, for the summary */
    /* private */
    int64_t words_done, hot_rows;
    float *base_in, *base_out;     /* the matrices after the last sync (theta__mpi_sync_begin) */
    unsigned char *dirty;          /* a bit per row: changed since the last sync on some rank */
    uint16_t *ranks;               /* per row: the ranks that changed it (mean: their count) */
    float *pack;                   /* the changed rows' deltas, packed (PACK floats) */
    uint16_t *half;                /* [PACK] bfloat16 deltas */
    int64_t nsync, nfull;
    double last_checkpoint;
    int stopped;                   /* the last sync stopped training */
} theta__mpi_sync_ctx;

/* Before theta_train (collective): with more than one rank, every rank takes
 * rank 0's matrices and keeps a copy of them (the base of the first sync):
 * one more copy of both matrices per rank. With one rank, nothing. */
theta_status theta__mpi_sync_begin(theta__mpi_sync_ctx *ctx, theta_model *m);
/* Frees the copy (any time after theta__mpi_sync_begin; idempotent). */
void theta__mpi_sync_end(theta__mpi_sync_ctx *ctx);

/* theta_train_hooks.sync: one allreduce of (words, still training, stop,
 * checkpoint due), then the sum of the ranks' changes since the last sync
 * for the hot rows (or for every row). user is a theta__mpi_sync_ctx.
 * Collective. */
theta_status theta__mpi_sync(theta_model *m, theta__sync *s, void *user);

/* Before rank 0 saves a checkpoint (collective, all workers idle): every
 * rank's position in its share of the epoch (chunks trained, loss so far)
 * gathered into rank 0's m->state (its own) and m->shares (everyone's, and
 * ctx's input fingerprints). With one rank on one input file m->shares
 * stays empty: the checkpoint is the one of the build without MPI. The
 * caller sets m->state.words_done (the count of all ranks). */
theta_status theta__mpi_gather_state(theta_model *m, const theta__mpi_sync_ctx *ctx,
                                     int64_t chunks, double loss_sum, int64_t loss_count);
/* Frees m->shares and empties it. */
void theta__mpi_clear_shares(theta_model *m);

#endif
