/*
 * train.h — the trainer's private entry point: what theta_train does, plus
 * the seams that only the program and the tests use: a stop after N words,
 * and data-parallel training (several processes, each on its share of the
 * corpus, summing their changes at syncs; see theta_mpi.h). Not installed.
 */
#ifndef THETA_TRAIN_H
#define THETA_TRAIN_H

#include "theta.h"

/* One call of theta__train_ext.sync. */
typedef struct theta__sync {
    int64_t words;        /* in: words this process trained since the last sync */
    int finished;         /* in: this process has trained all its share of the epoch */
    int epoch;            /* in: 0-based epoch */
    int stop_request;     /* in: this process was asked to stop (hooks->stop,
                             stop_after_words or the progress callback) */
    int64_t chunks;       /* in: chunks of its share of the epoch this process trained */
    double loss_sum;      /* in: this process's loss statistics of the epoch so far */
    int64_t loss_count;
    int64_t words_total;  /* out: words trained by all processes since the last sync */
    int all_finished;     /* out: every process has finished the epoch */
    int stop;             /* out: stop training now (the trainer returns THETA_EINTR) */
} theta__sync;

typedef struct {
    /* Stop at the first chunk boundary past this many words done (0 = off),
     * as if hooks->stop had been set there. */
    int64_t stop_after_words;
    /* Data-parallel training. sync is called with every worker idle: every
     * sync_words words handed to this process's workers (or, with
     * sync_words 0, every sync_every seconds) at a chunk boundary
     * (finished = 0), and at the end of the share of each epoch,
     * repeatedly (finished = 1) until it reports all_finished. It may
     * change the matrices of m; it returns in
     * words_total the words trained by all processes since the last sync,
     * which replaces this process's own count in the learning rate. A
     * failure status stops training with that status. With sync set, a stop
     * is not taken alone: the process syncs at once with stop_request = 1
     * and stops when a sync says stop, so that all processes stop at the
     * same sync. NULL = one process. */
    theta_status (*sync)(theta_model *m, theta__sync *s, void *user);
    void *sync_user;
    int64_t sync_words; /* words of this process between two syncs (0: use sync_every) */
    double sync_every;  /* seconds between two syncs when sync_words is 0 */
    uint64_t stream; /* mixed into the chunk seeds (0 = the one-process seeds) */
} theta__train_ext;

/* theta_train_segments with the extras above (ext may be NULL). */
theta_status theta__train(theta_model *m, const theta_segment *segs, int nsegs,
                          const theta_train_hooks *hooks, const theta__train_ext *ext);

#endif
