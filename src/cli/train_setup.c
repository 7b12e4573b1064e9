/*
 * train_setup.c — what `theta train` starts from and what it shows while it
 * runs: a resumed checkpoint (checked against this run) or a new model, the
 * summaries on stderr, and the progress callback (progress line, epoch
 * lines, the --log-json file).
 */
#include "cmd_train.h"
#include "internal.h"
#include "theta_mpi.h"

#include <stdio.h>
#include <string.h>

static const char *cmd = "train";

/* ---- the model ---------------------------------------------------------- */

static int same_init(const theta_init *a, const theta_init *b)
{
    return a->kind == b->kind && a->value == b->value && a->noise_kind == b->noise_kind &&
           a->noise == b->noise;
}

/* With --resume, every training option given must agree with the checkpoint;
 * else 1 with the message in why. */
static int check_resume_options(const train_args *a, const theta_config *saved, char *why,
                                size_t n)
{
    const theta_config *c = &a->cfg;
    struct { int opt; const char *name; int same; } checks[] = {
        {OPT_DIM, "dim", c->dim == saved->dim},
        {OPT_WINDOW, "window", c->window == saved->window},
        {OPT_NEGATIVE, "negative", c->negative == saved->negative},
        {OPT_EPOCHS, "epochs", c->epochs == saved->epochs},
        {OPT_MIN_COUNT, "min-count", c->min_count == saved->min_count},
        {OPT_MAX_VOCAB, "max-vocab", c->max_vocab == saved->max_vocab},
        {OPT_SAMPLE, "sample", c->sample == saved->sample},
        {OPT_ALPHA, "alpha", c->alpha == saved->alpha},
        {OPT_SEED, "seed", c->seed == saved->seed},
        {OPT_MODEL, "model", c->arch == saved->arch},
        {OPT_W2V_CBOW, "cbow", c->arch == saved->arch},
        {OPT_LOSS, "loss", c->loss == saved->loss},
        {OPT_KERNEL, "kernel", c->kernel == saved->kernel},
        {OPT_NOISE_UNIFORM, "noise-uniform", c->noise_uniform == saved->noise_uniform},
        {OPT_SHARE_NEGATIVES, "share-negatives", c->share_negatives == saved->share_negatives},
        {OPT_W2V_HS, "hs", c->loss == saved->loss},
        {OPT_INIT_IN, "init-in", same_init(&c->init_in, &saved->init_in)},
        {OPT_INIT_OUT, "init-out", same_init(&c->init_out, &saved->init_out)},
        {OPT_ZERO_INIT, "zero-init", saved->init_in.kind == THETA_INIT_ZERO &&
                                         saved->init_out.kind == THETA_INIT_ZERO &&
                                         saved->init_in.noise_kind == THETA_NOISE_NONE &&
                                         saved->init_out.noise_kind == THETA_NOISE_NONE},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (a->given[checks[i].opt] && !checks[i].same) {
            snprintf(why, n, "%s: --%s differs from the checkpoint's; drop it to resume, "
                             "or start a new run", a->resume, checks[i].name);
            return 1;
        }
    return 0;
}

/* The checkpoint's run and this one read the same corpus with as many
 * processes: fps[ninputs] are this run's input files, nranks its MPI ranks
 * (0: not an MPI job). Else 1 with the message in why. */
static int check_resume_corpus(const train_args *a, const theta_model *m,
                               const theta_fingerprint *fps, int ninputs, int nranks, char *why,
                               size_t n)
{
    const theta_shares *sh = &m->shares;
    if (sh->nranks > 0 && nranks == 0) {
        snprintf(why, n, "%s: checkpoint of an MPI run of %d rank%s over %d input file%s: resume "
                         "it with mpirun -np %d and the same files (build with make MPI=1)",
                 a->resume, sh->nranks, sh->nranks == 1 ? "" : "s", sh->ninputs,
                 sh->ninputs == 1 ? "" : "s", sh->nranks);
        return 1;
    }
    const int saved_ranks = sh->nranks > 0 ? sh->nranks : 1;
    const int listed = sh->nranks > 0 || sh->ninputs > 1; /* RANK or INPT: every file's print */
    const int saved_inputs = listed ? sh->ninputs : 1;
    if (nranks > 0 && saved_ranks != nranks) {
        snprintf(why, n, "%s: checkpoint of a run of %d MPI rank%s: resume it with mpirun -np %d, "
                         "not %d", a->resume, saved_ranks, saved_ranks == 1 ? "" : "s",
                 saved_ranks, nranks);
        return 1;
    }
    if (saved_inputs != ninputs) {
        snprintf(why, n, "%s: the checkpoint's run read %d input file%s, this one %d: give the "
                         "same files in the same order", a->resume, saved_inputs,
                 saved_inputs == 1 ? "" : "s", ninputs);
        return 1;
    }
    for (int i = 0; i < ninputs; i++) {
        theta_fingerprint want = listed ? sh->inputs[i]
                                 : (theta_fingerprint){m->state.corpus_bytes, m->state.corpus_crc};
        if (want.bytes == fps[i].bytes && want.crc == fps[i].crc)
            continue;
        if (ninputs == 1)
            snprintf(why, n, "%s: this is not the corpus the checkpoint %s was trained on "
                             "(size or content differs)", a->input, a->resume);
        else
            snprintf(why, n, "%s: input file %d is not the one the checkpoint %s was trained on "
                             "(size or content differs; give the same files in the same order)",
                     a->inputs[i], i + 1, a->resume);
        return 1;
    }
    return 0;
}

int train_resume_model(const train_args *a, const theta_fingerprint *fps, int ninputs,
                        int nranks, int rank, theta_model **out, char *why, size_t n)
{
    theta_model *m;
    if (theta_model_load(a->resume, &m)) {
        snprintf(why, n, "%s", theta_last_error());
        return 1;
    }
    int bad = check_resume_options(a, &m->cfg, why, n);
    if (!bad && m->state.epoch >= m->cfg.epochs) {
        snprintf(why, n, "%s: training already finished (%d of %d epochs)", a->resume,
                 m->state.epoch, m->cfg.epochs);
        bad = 1;
    }
    bad = bad || check_resume_corpus(a, m, fps, ninputs, nranks, why, n);
    /* the state must describe this model, or resuming would skip or repeat work */
    /* (a run continued on new text counts fewer words per epoch than its
     * vocabulary's counts sum: they add the old run's) */
    if (!bad && (m->state.train_words > m->vocab->total ||
                 (double)m->state.words_done >
                     (double)m->cfg.epochs * (double)m->state.train_words)) {
        snprintf(why, n, "%s: the training state does not match the model's vocabulary "
                         "(damaged checkpoint?)", a->resume);
        bad = 1;
    }
    if (bad) {
        theta_model_free(m);
        return 1;
    }
    if (m->shares.nranks > 0) {
        /* this rank's place in its share; the word count is every rank's */
        const theta__rank_state *r = &m->shares.ranks[rank];
        m->state.chunks_done = r->chunks_done;
        m->state.loss_sum = r->loss_sum;
        m->state.loss_count = r->loss_count;
    }
    *out = m;
    return 0;
}

/* The vocabulary's summary on stderr. */
static void print_vocab(const train_args *a, const theta_vocab *v, double seconds)
{
    fprintf(stderr, "vocabulary: %d words (min-count %lld), %lld tokens per epoch", v->size,
            (long long)a->cfg.min_count, (long long)v->total);
    if (a->read_vocab)
        fprintf(stderr, ", read from %s\n", a->read_vocab);
    else
        fprintf(stderr, "; counted %.1f MB in %.2f s\n", (double)v->bytes_read / 1e6, seconds);
    if (v->dropped_words)
        fprintf(stderr, "  %lld rarer distinct words dropped by --min-count/--max-vocab\n",
                (long long)v->dropped_words);
    if (v->pruned_words)
        fprintf(stderr, "  pruning while counting dropped %lld distinct words (counts below %lld)\n",
                (long long)v->pruned_words, (long long)v->pruned_below);
    fprintf(stderr, "matrices: %.1f MB\n",
            (double)theta_model_matrix_bytes(&a->cfg, v->size) / 1e6);
}

int train_new_model(const train_args *a, const char *const *inputs, const theta_segment *segs,
                    int nsegs, theta_model **out)
{
    theta_vocab *v = NULL;
    theta_model *old = NULL;
    theta_config cfg = a->cfg;
    double t0 = theta_now();
    theta_status st;
    theta_vectors *src[2];
    if (a->init_from && train_load_base(a, &cfg, &old))
        return 1;
    if (train_load_pretrained(a, cfg.dim, src)) {
        theta_model_free(old);
        return 1;
    }
    /* continuing: every word of the new text, min-count applies to new words */
    const int64_t min_count = old ? 1 : cfg.min_count, max_vocab = old ? 0 : cfg.max_vocab;
    if (a->read_vocab)
        st = theta_vocab_load(a->read_vocab, min_count, max_vocab, &v);
    else if (segs)
        st = theta__mpi_vocab(segs, nsegs, min_count, max_vocab, &v);
    else if (a->ninputs == 1 && !old && !a->stream) /* the text as ids too: training reads no text */
        st = theta__vocab_build_ids(inputs[0], min_count, max_vocab, 0, THETA__IDS_MAX,
                                    cfg.threads, &v);
    else
        st = theta_vocab_build_files(inputs, a->ninputs, min_count, max_vocab, 0, cfg.threads,
                                     &v);
    if (st) {
        theta_model_free(old);
        train_free_pretrained(src);
        return cli_error(cmd, "%s", theta_last_error());
    }
    const int32_t base_rows = old ? old->vocab->size : 0; /* rows that keep the model's */
    if (old) {
        if (train_extend_model(a, &cfg, old, v, out)) {
            train_free_pretrained(src);
            return 1;
        }
    } else {
        if (v->size < 2) {
            theta_vocab_free(v);
            train_free_pretrained(src);
            return cli_error(cmd, "%s: no word occurs at least %lld times (--min-count)",
                             a->read_vocab ? a->read_vocab : a->input, (long long)cfg.min_count);
        }
        if (!a->quiet)
            print_vocab(a, v, theta_now() - t0);
        if (theta_model_new(&cfg, v, out)) {
            train_free_pretrained(src);
            return cli_error(cmd, "%s", theta_last_error());
        }
    }
    int bad = a->save_vocab && theta_vocab_save((*out)->vocab, a->save_vocab) &&
              cli_error(cmd, "%s", theta_last_error());
    if (bad)
        train_free_pretrained(src);
    if (bad || train_fill_pretrained(a, *out, src, base_rows)) {
        theta_model_free(*out);
        *out = NULL;
        return 1;
    }
    return 0;
}

void train_print_model(const train_args *a, const theta_model *m)
{
    const theta_config *c = &m->cfg;
    char ii[4200], io[4200], fb[THETA_INIT_TEXT];
    theta_init_format(&c->init_in, fb, sizeof fb);
    snprintf(ii, sizeof ii, "%s%s%s%s", a->init_file[0] ? "file:" : "",
             a->init_file[0] ? a->init_file[0] : "", a->init_file[0] ? "," : "", fb);
    theta_init_format(&c->init_out, fb, sizeof fb);
    snprintf(io, sizeof io, "%s%s%s%s", a->init_file[1] ? "file:" : "",
             a->init_file[1] ? a->init_file[1] : "", a->init_file[1] ? "," : "", fb);
    fprintf(stderr, "model: %s, loss %s, dim %d, window %d, %d thread%s, %s%s%sinit in %s / "
                    "out %s, kernel %s (%s)\n",
            theta_arch_name(c->arch), theta_loss_name(c->loss), c->dim, c->window, c->threads,
            c->threads == 1 ? "" : "s", a->init_from ? "rows of " : "",
            a->init_from ? a->init_from : "", a->init_from ? ", new rows " : "", ii, io,
            theta_kernel_name(c->kernel),
            a->isa ? a->isa : theta_kernel_isa());
}

void train_print_resume_hint(const char *to, const char *const *inputs, int ninputs, int nranks)
{
    fputs("Resume with: ", stderr);
    if (nranks > 0)
        fprintf(stderr, "mpirun -np %d ", nranks);
    fprintf(stderr, "theta train --resume %s --input", to);
    if (ninputs <= 4)
        for (int i = 0; i < ninputs; i++)
            fprintf(stderr, " %s", inputs[i]);
    else
        fprintf(stderr, " %s ... (the same %d files)", inputs[0], ninputs);
    fputs(" [your output options]\n", stderr);
}

/* ---- progress ----------------------------------------------------------- */

static void format_duration(double s, char *buf, size_t size)
{
    long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;
    snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* ", \"in\": {...}, \"in_spread\": {...}" with the theta dims figures of one
 * matrix: the exact verdicts, then the continuous measures of symmetry */
static void log_dims(FILE *f, const char *name, const float *m, int64_t rows, int dim)
{
    theta_dims_report r;
    if (theta_dims_analyze(m, rows, dim, 0, &r)) {
        fprintf(f, ", \"%s\": null, \"%s_spread\": null", name, name);
        return;
    }
    fprintf(f, ", \"%s\": {\"distinct_dims\": %d, \"identical_dims\": %d, \"rank\": %d, "
               "\"all_zero\": %s}",
            name, r.distinct_dims, r.identical_dims, r.rank, r.all_zero ? "true" : "false");
    fprintf(f, ", \"%s_spread\": {\"sigma_ratio\": ", name);
    cli_json_number(f, r.sigma_ratio, 17);
    fputs(", \"effective_rank\": ", f);
    cli_json_number(f, r.effective_rank, 17);
    fputc('}', f);
}

/* One JSON line: the epoch's figures and both matrices' symmetry. */
static void log_snapshot(FILE *f, const theta_progress *p, const theta_model *m)
{
    fprintf(f, "{\"epoch\": %d, \"end\": %s, \"words\": %lld, \"loss\": %.6f, "
               "\"alpha\": %.8f, \"seconds\": %.3f, \"products\": %lld",
            p->epoch, p->epoch_end ? "true" : "false", (long long)p->words_done, p->epoch_loss,
            p->alpha, p->epoch_seconds, (long long)p->epoch_products);
    log_dims(f, "in", m->in, m->vocab->size, m->cfg.dim);
    log_dims(f, "out", m->out, m->out_rows, m->cfg.dim);
    fputs("}\n", f);
    fflush(f);
}

int train_on_progress(const theta_progress *p, const theta_model *m, void *user)
{
    train_progress *ctx = user;
    if (p->snapshot && ctx->log)
        log_snapshot(ctx->log, p, m);
    if (ctx->a->quiet || (p->snapshot && !p->epoch_end))
        return 0;
    char eta[32];
    format_duration(p->eta_seconds, eta, sizeof eta);
    if (p->epoch_end) {
        if (ctx->printed)
            fputc('\n', stderr);
        ctx->printed = 0;
        fprintf(stderr, "epoch %d/%d done: mean loss %.4f, %.1f s\n", p->epoch, p->epochs,
                p->epoch_loss, p->epoch_seconds);
        return 0;
    }
    fprintf(stderr, "%sepoch %d/%d %5.1f%%  alpha %.6f  loss %.4f  %.1fk words/s/thread  ETA %s%s",
            ctx->tty ? "\r" : "", p->epoch, p->epochs, 100.0 * p->progress, p->alpha, p->loss,
            p->words_per_sec_thread / 1000.0, eta, ctx->tty ? "  " : "\n");
    ctx->printed = ctx->tty;
    return 0;
}

