/*
 * mpi_none.c — the interface of theta_mpi.h for a build without MPI: one
 * process that is rank 0 of 1. The program calls the MPI steps only when
 * theta__mpi_launched() says a launcher started it, which is never the case
 * here; the rest are what those steps come to with one process, so that
 * the program needs no conditional compilation.
 */
#include "internal.h"
#include "theta_mpi.h"

#include <stdlib.h>
#include <string.h>

int theta__mpi_launched(void)
{
    return 0;
}

int theta__mpi_available(void)
{
    return 0;
}

void theta__mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

void theta__mpi_finalize(void)
{
}

int theta__mpi_rank(void)
{
    return 0;
}

int theta__mpi_size(void)
{
    return 1;
}

void theta__mpi_abort(int code)
{
    (void)code; /* one process: no other rank to end; the caller exits */
}

int theta__mpi_any(int flag, int *root_flag)
{
    if (root_flag)
        *root_flag = flag;
    return flag;
}

theta_status theta__mpi_shares(const char *const *inputs, int n, int64_t *piece,
                               theta_segment **segs, int *nsegs)
{
    *piece = 0; /* one process reads every file whole */
    theta_segment *s = theta__calloc(n > 0 ? (size_t)n : 1, sizeof *s);
    if (!s)
        return THETA_ENOMEM;
    for (int i = 0; i < n; i++)
        s[i] = (theta_segment){inputs[i], 0, -1};
    *segs = s;
    *nsegs = n;
    return THETA_OK;
}

theta_status theta__mpi_fingerprints(const char *const *inputs, int n, theta_fingerprint *out)
{
    for (int i = 0; i < n; i++) {
        theta_status st = theta_corpus_fingerprint(inputs[i], &out[i].bytes, &out[i].crc);
        if (st)
            return st;
    }
    return THETA_OK;
}

theta_status theta__mpi_vocab(const theta_segment *segs, int nsegs, int64_t min_count,
                              int64_t max_vocab, theta_vocab **out)
{
    theta_vocab *v = NULL;
    theta_status st = theta__vocab_count_segments(segs, nsegs, theta_vocab_prune_limit(0), &v);
    if (!st && (st = theta_vocab_finalize(v, min_count, max_vocab)))
        theta_vocab_free(v);
    if (!st)
        *out = v;
    return st;
}

theta_status theta__mpi_sync_begin(theta__mpi_sync_ctx *ctx, theta_model *m)
{
    (void)ctx;
    (void)m;
    return THETA_OK; /* nothing to sum: no copy */
}

void theta__mpi_sync_end(theta__mpi_sync_ctx *ctx)
{
    (void)ctx;
}

/* One process: its words are everyone's, it has finished when it has, and
 * it stops when it was asked to. Nothing is sent: the traffic counts only
 * syncs and words. */
theta_status theta__mpi_sync(theta_model *m, theta__sync *s, void *user)
{
    theta__mpi_sync_ctx *ctx = user;
    (void)m;
    ctx->traffic.syncs++;
    ctx->traffic.words += s->words;
    s->words_total = s->words;
    s->all_finished = s->finished;
    s->stop = s->stop_request;
    if (s->stop && ctx->signal)
        ctx->stop_signal = *ctx->signal;
    return THETA_OK;
}

theta_status theta__mpi_gather_state(theta_model *m, const theta__mpi_sync_ctx *ctx,
                                     int64_t chunks, double loss_sum, int64_t loss_count)
{
    (void)ctx;
    theta__mpi_clear_shares(m);
    m->state.chunks_done = chunks;
    m->state.loss_sum = loss_sum;
    m->state.loss_count = loss_count;
    return THETA_OK;
}

void theta__mpi_clear_shares(theta_model *m)
{
    free(m->shares.ranks);
    free(m->shares.inputs);
    memset(&m->shares, 0, sizeof m->shares);
}
