/*
 * cmd_train.c — `theta train`: build the vocabulary, train, write vectors
 * and the model. train_main runs the steps in order; the options are read
 * in train_args.c (their help is train_help.c), the inputs opened in
 * train_inputs.c, the model set up in train_setup.c (a warm start in
 * train_warm.c). In an MPI job
 * (theta_mpi.h; run by hand, the MPI build is the plain program) every
 * rank runs the same steps on its share of the corpus and rank 0 writes.
 */
#include "cmd_train.h"
#include "theta_mpi.h"
#include "train.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *cmd = "train";

/* ---- signals ------------------------------------------------------------ */

static volatile int stop_flag;

static void on_signal(int sig)
{
    if (stop_flag)
        _exit(128 + sig); /* a second signal: leave at once */
    stop_flag = sig;
}

static void catch_signals(int on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- one run ------------------------------------------------------------ */

/* Everything one `theta train` holds, freed by run_free. */
typedef struct {
    train_args a;
    int mpi;                  /* a rank of an MPI job */
    int rank, nranks;         /* MPI jobs: this process's rank, the number of ranks (else 0, 0) */
    int no_abort;             /* MPI: every rank left its last collective call, or all ranks
                                 fail together: a failure needs no MPI_Abort */
    char rank_output[4096];
    train_inputs files;       /* the inputs as read: streams spooled */
    const char *input;        /* the first of them */
    theta_fingerprint *fps;   /* [a.ninputs]: a checkpoint records them */
    theta_segment *segs;      /* MPI: this rank's share of the corpus */
    int nsegs;
    theta_model *m;
    FILE *log;
    train_progress progress;
    theta__mpi_sync_ctx sync;
} train_run;

static void run_free(train_run *r)
{
    free(r->fps);
    free(r->segs);
    if (r->log)
        fclose(r->log);
    theta_model_free(r->m);
    train_inputs_close(&r->files);
    train_args_free(&r->a);
}

/* After a step every rank takes: 1 if it failed on any rank, and then every
 * rank leaves with status 1 (no MPI_Abort). why is printed once: by rank 0
 * if it failed there, else by each rank where it failed. Collective in an
 * MPI job; otherwise just `failed` with why printed. */
static int failed_somewhere(train_run *r, int failed, const char *why)
{
    if (!r->mpi) {
        if (failed)
            cli_error(cmd, "%s", why);
        return failed;
    }
    int root_failed;
    int any = theta__mpi_any(failed, &root_failed);
    if (failed && (r->rank == 0 || !root_failed))
        cli_error(cmd, "%s", why);
    if (any)
        r->no_abort = 1;
    return any;
}

/* MPI: rank 0 reports and writes; the others only train (a testing aid:
 * THETA_MPI_RANK_OUTPUT=1 has rank r write --output to FILE.rank<r>). */
static int join_job(train_run *r)
{
    r->rank = theta__mpi_rank();
    r->nranks = theta__mpi_size();
    if (r->nranks > 1 && strcmp(r->a.input, "-") == 0)
        return cli_usage_error(cmd, "with several MPI ranks the corpus must be files, not '-'");
    if (r->rank != 0) {
        const char *own = getenv("THETA_MPI_RANK_OUTPUT");
        if (own && strcmp(own, "1") == 0 && r->a.output)
            snprintf(r->rank_output, sizeof r->rank_output, "%s.rank%d", r->a.output, r->rank);
        r->a.quiet = 1;
        r->a.output = r->rank_output[0] ? r->rank_output : NULL;
        r->a.output_context = r->a.save_model = r->a.save_vocab = r->a.log_json = NULL;
    }
    return 0;
}

/* Every input opened, streams spooled (they are read once per epoch), this
 * rank's share of the corpus, and every input file's fingerprint. */
static int prepare_inputs(train_run *r)
{
    /* each rank prints its own error here; then, in an MPI job, all ranks
     * leave together (an MPI_Abort could end a rank before its message is
     * forwarded) */
    int bad = train_inputs_open(&r->files, &r->a, r->nranks) != 0;
    if (r->mpi && theta__mpi_any(bad, NULL))
        r->no_abort = 1;
    if (bad || r->no_abort)
        return 1;
    r->input = r->files.paths[0];
    r->fps = calloc((size_t)r->a.ninputs, sizeof *r->fps);
    if (failed_somewhere(r, !r->fps, "out of memory for the input files' fingerprints"))
        return 1;
    /* errors of these steps are seen on every rank, or told to every rank */
    bad = 0;
    if (r->mpi)
        bad = theta__mpi_fingerprints(r->files.paths, r->a.ninputs, r->fps) != THETA_OK;
    for (int i = 0; !r->mpi && i < r->a.ninputs && !bad; i++) /* a stream read once: none */
        bad = !r->files.streamed[i] &&
              theta_corpus_fingerprint(r->files.paths[i], &r->fps[i].bytes, &r->fps[i].crc);
    if (failed_somewhere(r, bad, theta_last_error()))
        return 1;
    return 0;
}

/* MPI: this rank's share of the corpus, in pieces of about `piece` bytes
 * (see theta__mpi_shares). Collective. */
static int take_share(train_run *r, int64_t piece)
{
    r->sync.piece = piece;
    int bad = theta__mpi_shares(r->files.paths, r->a.ninputs, &r->sync.piece, &r->segs,
                                &r->nsegs) != THETA_OK;
    return failed_somewhere(r, bad, theta_last_error());
}

/* The model to train: the checkpoint to resume, or a new one; in an MPI job
 * this rank's share of the corpus, dealt as the checkpoint's run dealt it. */
static int start_model(train_run *r)
{
    train_args *a = &r->a;
    if (!a->resume) {
        /* a testing aid: THETA_MPI_PIECE=N deals pieces of N bytes (0: halves) */
        const char *piece = getenv("THETA_MPI_PIECE");
        if (r->mpi && take_share(r, piece && *piece ? strtoll(piece, NULL, 10) : THETA__MPI_PIECE))
            return 1;
        if (train_new_model(a, r->files.paths, r->segs, r->nsegs, &r->m))
            return 1;
        r->m->state.corpus_bytes = r->fps[0].bytes;
        r->m->state.corpus_crc = r->fps[0].crc;
        if (!r->mpi && a->ninputs > 1) { /* the model's INPT section: every file's print */
            r->m->shares.inputs = r->fps;
            r->m->shares.ninputs = a->ninputs;
            r->fps = NULL;
        }
        return 0;
    }
    char why[1024];
    int bad = train_resume_model(a, r->fps, a->ninputs, r->nranks, r->rank, &r->m, why,
                                 sizeof why);
    /* in an MPI job every rank checks the same checkpoint: one message */
    if (failed_somewhere(r, bad, why))
        return 1;
    if (r->mpi && take_share(r, r->m->shares.piece))
        return 1;
    if (r->mpi)
        theta__mpi_clear_shares(r->m); /* this rank took its place in them */
    if (a->given[OPT_THREADS])
        r->m->cfg.threads = a->cfg.threads;
    if (!a->quiet)
        fprintf(stderr, "resuming %s: epoch %d of %d, %lld words done\n", a->resume,
                r->m->state.epoch + 1, r->m->cfg.epochs, (long long)r->m->state.words_done);
    return 0;
}

/* theta_train_hooks.checkpoint; user: the train_progress (hooks.user) */
static theta_status save_checkpoint(const theta_model *m, void *user)
{
    const train_progress *p = user;
    return theta_model_save(m, p->a->checkpoint);
}

/* MPI: stops and checkpoints are decided together, at a sync (see mpi.c). */
static void setup_sync(train_run *r, theta_train_hooks *h, theta__train_ext *x)
{
    r->sync.signal = &stop_flag;
    r->sync.stop_after_words = r->a.stop_after;
    r->sync.checkpoint = r->rank == 0 && r->a.checkpoint ? save_checkpoint : NULL;
    r->sync.user = &r->progress;
    r->sync.checkpoint_every = r->a.checkpoint_every;
    r->sync.inputs = r->fps;
    r->sync.ninputs = r->a.ninputs;
    h->checkpoint = NULL;
    x->sync = theta__mpi_sync;
    x->sync_user = &r->sync;
    x->sync_every = r->a.sync_every;
    if (!r->a.given[OPT_SYNC_WORDS] && !r->a.given[OPT_SYNC_EVERY]) {
        long long n = SYNC_WORDS_JOB / r->nranks;
        r->a.sync_words = n > SYNC_WORDS_MIN ? n : SYNC_WORDS_MIN;
    }
    x->sync_words = r->a.sync_words;
    r->sync.full_every = r->a.sync_full_every;
    r->sync.mean_rows = r->a.sync_mean_rows;
    r->sync.bf16 = r->a.sync_bf16;
    /* a testing aid: THETA_MPI_SYNC_DENSE=1 sends every row dense (the same sums) */
    const char *dense = getenv("THETA_MPI_SYNC_DENSE");
    r->sync.dense_only = dense && strcmp(dense, "1") == 0;
    x->stream = (uint64_t)r->rank;
}

/* Trains with progress, checkpoints and signals. */
static theta_status train_model(train_run *r)
{
    train_args *a = &r->a;
    r->progress = (train_progress){a, isatty(STDERR_FILENO), r->log, 0};
    theta_train_hooks h;
    memset(&h, 0, sizeof h);
    h.progress = train_on_progress;
    h.user = &r->progress;
    h.interval = r->progress.tty ? 0.5 : 5.0;
    h.stop = &stop_flag;
    h.checkpoint = a->checkpoint ? save_checkpoint : NULL;
    h.checkpoint_every = a->checkpoint_every;
    h.isa = a->isa;
    h.log_every_words = a->log_every;
    theta__train_ext x;
    memset(&x, 0, sizeof x);
    x.stop_after_words = a->stop_after;
    const theta_segment *segs = r->files.segs;
    int nsegs = r->files.n;
    if (r->mpi) {
        setup_sync(r, &h, &x);
        segs = r->segs;
        nsegs = r->nsegs;
        if (theta__mpi_sync_begin(&r->sync, r->m))
            return THETA_ENOMEM;
    }
    catch_signals(1);
    theta_status st = theta__train(r->m, segs, nsegs, &h, &x);
    if (r->mpi)
        theta__mpi_sync_end(&r->sync);
    catch_signals(0);
    if (r->progress.printed)
        fputc('\n', stderr);
    return st;
}

/* Training stopped at a chunk boundary: the state is consistent, save it
 * (in an MPI job, rank 0 saves every rank's place in its share). Returns
 * the exit status. */
static int save_after_stop(train_run *r)
{
    const char *to = r->a.checkpoint ? r->a.checkpoint : r->a.save_model;
    int sig = stop_flag;
    if (r->mpi) {
        /* the stop sync summed every row; every rank exits with the same status */
        sig = r->sync.stop_signal;
        theta_model *m = r->m;
        if (theta__mpi_gather_state(m, &r->sync, m->state.chunks_done, m->state.loss_sum,
                                    m->state.loss_count))
            return cli_error(cmd, "%s", theta_last_error());
        r->no_abort = 1; /* that was the last collective call */
        if (r->rank != 0)
            return sig ? 128 + sig : 0;
    }
    if (!to) {
        cli_error(cmd, "%s; nothing saved (use --checkpoint FILE to be able to resume)",
                  theta_last_error());
        return sig ? 128 + sig : 1;
    }
    if (theta_model_save(r->m, to))
        return cli_error(cmd, "%s", theta_last_error());
    fprintf(stderr, "theta train: stopped in epoch %d after %lld words; saved to %s.\n",
            r->m->state.epoch + 1, (long long)r->m->state.words_done, to);
    train_print_resume_hint(to, r->a.inputs, r->a.ninputs, r->nranks);
    return sig ? 128 + sig : 0;
}

/* MPI, rank 0: what each rank's syncs sent, on stderr and in --log-json
 * (every rank sends the same sizes; see theta__mpi_traffic). */
static void report_traffic(const train_run *r, double seconds)
{
    const theta__mpi_traffic *t = &r->sync.traffic;
    double per_s = seconds > 0 ? (double)t->bytes / seconds : 0;
    double per_word = t->words > 0 ? (double)t->bytes / (double)t->words : 0;
    double dense_word = t->words > 0 ? (double)t->dense_bytes / (double)t->words : 0;
    if (!r->a.quiet)
        fprintf(stderr, "sync: %d rank%s, %lld syncs (%lld of every row), %.1f MB sent by each "
                        "rank: %.2f MB/s, %.1f bytes per word it trained (dense rows: %.1f); "
                        "%.1f s in syncs (%.1f s of it waiting for the slowest rank, %.1f s sending rows)\n",
                r->nranks, r->nranks == 1 ? "" : "s", (long long)t->syncs,
                (long long)t->full_syncs, (double)t->bytes / 1e6, per_s / 1e6, per_word,
                dense_word, t->seconds, t->wait_seconds, t->mpi_seconds);
    if (r->log) {
        fprintf(r->log, "{\"mpi\": {\"ranks\": %d, \"sync_words\": %lld, \"syncs\": %lld, "
                        "\"full_syncs\": %lld, \"exact_syncs\": %lld, \"sparse_sums\": %lld, "
                        "\"rows\": %lld, \"bytes_sent\": %lld, \"dense_bytes\": %lld, "
                        "\"rank_words\": %lld, \"bytes_per_second\": %.1f, \"bytes_per_word\": %.3f, "
                        "\"sync_seconds\": %.3f, \"wait_seconds\": %.3f, \"mpi_seconds\": %.3f, "
                        "\"seconds\": %.3f}}\n",
                r->nranks, r->a.sync_words, (long long)t->syncs, (long long)t->full_syncs,
                (long long)t->exact_syncs, (long long)t->sparse_sums, (long long)t->rows,
                (long long)t->bytes, (long long)t->dense_bytes, (long long)t->words, per_s,
                per_word, t->seconds, t->wait_seconds, t->mpi_seconds, seconds);
        fflush(r->log);
    }
}

/* The vectors, the model and the final checkpoint. */
static int write_outputs(train_run *r)
{
    const train_args *a = &r->a;
    theta_vec_format fmt = a->binary ? THETA_VEC_BINARY : THETA_VEC_TEXT;
    /* --center: a centred copy; the model saved next keeps the trained rows */
    if ((a->output && (a->center ? theta_model_write_centered_vectors(r->m, 0, a->output, fmt)
                                 : theta_model_write_vectors(r->m, 0, a->output, fmt))) ||
        (a->output_context && theta_model_write_vectors(r->m, 1, a->output_context, fmt)) ||
        (a->save_model && theta_model_save(r->m, a->save_model)) ||
        (a->checkpoint && theta_model_save(r->m, a->checkpoint)))
        return cli_error(cmd, "%s", theta_last_error());
    return 0;
}

/* The steps of `theta train`, in order; returns the exit status. */
static int train_main(train_run *r)
{
    double t0 = theta_now();
    /* 1. no output may name an input or another output (every rank sees the same) */
    if (train_check_files(&r->a))
        return 2;
    /* in an MPI job: this rank's part */
    if (r->mpi && join_job(r))
        return 2;
    /* 2. the corpus: every file opens, streams spooled, this rank's share, fingerprints */
    if (prepare_inputs(r))
        return 1;
    /* 3. the model: resumed from a checkpoint, or new (vocabulary, matrices) */
    if (start_model(r))
        return 1;
    if (!r->a.quiet)
        train_print_model(&r->a, r->m);
    if (r->a.log_json && !(r->log = fopen(r->a.log_json, "a")))
        return cli_error(cmd, "%s: cannot open for appending", r->a.log_json);
    /* 4. train */
    double t1 = theta_now();
    theta_status st = train_model(r);
    if (r->mpi && r->rank == 0 && !st)
        report_traffic(r, theta_now() - t1);
    /* 5. a stop (signal, --stop-after-words) saves the state to resume from */
    if (st == THETA_EINTR)
        return save_after_stop(r);
    if (st == THETA_EDIVERGED)
        return cli_error(cmd, "%s (try a smaller --alpha or init scale)", theta_last_error());
    if (st)
        return cli_error(cmd, "%s", theta_last_error());
    /* 6. write what was asked for */
    if (write_outputs(r))
        return 1;
    if (!r->a.quiet)
        fprintf(stderr, "done in %.1f s\n", theta_now() - t0);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    train_run r;
    memset(&r, 0, sizeof r);
    r.mpi = theta__mpi_launched();
    if (r.mpi)
        theta__mpi_init(&argc, &argv);
    int status = train_parse_args(argc, argv, theta__mpi_available(), r.mpi, &r.a);
    if (status == 0)
        status = train_main(&r);
    else if (status < 0)
        status = 0; /* --help */
    run_free(&r);
    if (r.mpi) {
        /* a runtime error on one rank would leave the others waiting in a
         * collective call: end the whole job */
        if (status == 1 && theta__mpi_size() > 1 && !r.no_abort)
            theta__mpi_abort(1);
        theta__mpi_finalize();
    }
    return status;
}
