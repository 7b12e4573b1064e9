/*
 * cmd_train.c — `theta train`: build the vocabulary, train, write vectors
 * and the model. Accepts theta's long options and word2vec's single-dash
 * flags (-train -output -size ...), translated before getopt_long.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef THETA_MPI
#include "theta_mpi.h"
#endif

#define SYNC_EVERY_DEFAULT 0.1 /* seconds: as fast as 0.5 and 2 s on 2 ranks, better vectors
                                  (README, MPI section) */

#ifdef THETA_MPI
/* 1 when an MPI launcher started this process (then theta train is one rank
 * of a job); run by hand, the MPI build behaves as the build without MPI. */
static int use_mpi;
/* every rank has left its last collective call, or all ranks fail together:
 * a failure needs no MPI_Abort */
static int no_abort;
#endif

void help_train(FILE *out)
{
    theta_config d = theta_config_default();
    fprintf(out,
"usage: theta train --input FILE [options]\n"
"\n"
"Trains word vectors on a text corpus: whitespace-separated words, one sentence\n"
"per line, plain or gzip-compressed; FILE '-' reads standard input.\n"
"\n"
"Input and output:\n"
"  -i, --input FILE        corpus (plain, .gz, or - for stdin)\n"
"  -o, --output FILE       write the word vectors (word2vec text format)\n"
"      --binary            write --output/--output-context in word2vec binary format\n"
"      --output-context FILE  write the output matrix (rows: words for ns/softmax,\n"
"                          inner tree nodes __node_N for hs)\n"
"      --save-model FILE   write theta's model file (both matrices, vocabulary,\n"
"                          hyper-parameters, training state)\n"
"      --save-vocab FILE   write the vocabulary ('word count' lines)\n"
"      --read-vocab FILE   use this vocabulary instead of counting the corpus\n"
"      --log-json FILE     append one JSON object per epoch: loss, rate, time, and\n"
"                          for both matrices the distinct dimensions, identical\n"
"                          dimensions and rank (as theta dims computes them)\n"
"      --log-every-words N  also log every N words (training pauses briefly)\n"
"      --checkpoint FILE   save the model and training state to FILE every\n"
"                          --checkpoint-every seconds (default 300) and on\n"
"                          SIGINT/SIGTERM; resume with --resume FILE\n"
"      --checkpoint-every S  seconds between checkpoints\n"
"      --resume FILE       continue the run saved in FILE (same corpus; training\n"
"                          options come from FILE and may be omitted)\n"
"  -q, --quiet             no progress or summary on stderr\n"
"      --sync-every S      MPI builds (mpirun -np N theta train --input SHARDS...):\n"
"                          seconds between two sums of the ranks' changes to\n"
"                          the matrices (default %g; frequent words every time,\n"
"                          all words every 8th time and at the end of each epoch)\n"
"\n"
"Model:\n"
"      --model skipgram|cbow  architecture (default skipgram)\n"
"      --loss ns|hs|softmax   negative sampling (default), hierarchical softmax, or\n"
"                          full softmax (cost grows with the vocabulary: for small\n"
"                          vocabularies, up to a few thousand words)\n"
"      --dim N             dimensions (default %d)\n"
"      --window N          maximum context distance (default %d)\n"
"      --negative N        negative samples per example (default %d)\n"
"      --sample T          subsampling threshold, 0 = off (default %g)\n"
"      --alpha A           starting learning rate (default %g, with --loss hs %g;\n"
"                          word2vec: 0.025)\n"
"      --epochs N          passes over the corpus (default %d)\n"
"      --min-count N       drop words rarer than N (default %lld)\n"
"      --max-vocab N       keep at most N words (default: no limit)\n"
"      --threads N         worker threads (default: online CPUs, here %d)\n"
"      --seed S            random seed (default %llu)\n"
"      --kernel batch|pair update order: one shared draw of negatives per window\n"
"                          (default; skip-gram, faster), or word2vec's exact\n"
"                          per-pair updates\n"
"      --isa auto|avx512f|avx2|sse2  force the kernels' instruction set (results\n"
"                          are identical on every one; default: the best here)\n"
"\n"
"Initialisation (each matrix): w2v | zero | const:C | uniform:A | normal:SIGMA |\n"
"scaled:K (uniform in +-K/dim)\n"
"      --init-in S         input matrix (default scaled:1, uniform in +-1/dim;\n"
"                          w2v: word2vec's +-0.5/dim)\n"
"      --init-out S        output matrix (default zero, as w2v)\n"
"      --zero-init         both matrices zero (nothing will ever move)\n"
"\n"
"word2vec's flags work too, with word2vec's meanings: -train -output -size\n"
"-window -sample -hs -negative -threads -iter -min-count -alpha -binary -cbow\n"
"-save-vocab -read-vocab (theta's default model is skip-gram; -cbow 1 selects CBOW;\n"
"-hs 1 selects hierarchical softmax and needs -negative 0).\n",
            SYNC_EVERY_DEFAULT, d.dim, d.window, d.negative, d.sample, d.alpha,
            theta_config_default_alpha(THETA_LOSS_HS), d.epochs,
            (long long)d.min_count, d.threads, (unsigned long long)d.seed);
}

enum {
    OPT_BINARY = 256, OPT_OUTPUT_CONTEXT, OPT_SAVE_MODEL, OPT_SAVE_VOCAB, OPT_READ_VOCAB,
    OPT_LOG_JSON, OPT_MODEL, OPT_LOSS, OPT_DIM, OPT_WINDOW, OPT_NEGATIVE, OPT_SAMPLE, OPT_ALPHA,
    OPT_EPOCHS, OPT_MIN_COUNT, OPT_MAX_VOCAB, OPT_THREADS, OPT_SEED, OPT_INIT_IN, OPT_INIT_OUT,
    OPT_ZERO_INIT, OPT_W2V_HS, OPT_W2V_CBOW, OPT_W2V_BINARY, OPT_W2V_DEBUG, OPT_STOP_AFTER,
    OPT_CHECKPOINT, OPT_CHECKPOINT_EVERY, OPT_RESUME, OPT_KERNEL, OPT_ISA, OPT_LOG_EVERY,
    OPT_SYNC_EVERY, OPT_COUNT
};

static const struct option long_options[] = {
    {"input", required_argument, NULL, 'i'},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"binary", no_argument, NULL, OPT_BINARY},
    {"output-context", required_argument, NULL, OPT_OUTPUT_CONTEXT},
    {"save-model", required_argument, NULL, OPT_SAVE_MODEL},
    {"save-vocab", required_argument, NULL, OPT_SAVE_VOCAB},
    {"read-vocab", required_argument, NULL, OPT_READ_VOCAB},
    {"log-json", required_argument, NULL, OPT_LOG_JSON},
    {"model", required_argument, NULL, OPT_MODEL},
    {"loss", required_argument, NULL, OPT_LOSS},
    {"dim", required_argument, NULL, OPT_DIM},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"negative", required_argument, NULL, OPT_NEGATIVE},
    {"sample", required_argument, NULL, OPT_SAMPLE},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"min-count", required_argument, NULL, OPT_MIN_COUNT},
    {"max-vocab", required_argument, NULL, OPT_MAX_VOCAB},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"init-in", required_argument, NULL, OPT_INIT_IN},
    {"init-out", required_argument, NULL, OPT_INIT_OUT},
    {"zero-init", no_argument, NULL, OPT_ZERO_INIT},
    {"stop-after-words", required_argument, NULL, OPT_STOP_AFTER},
    {"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
    {"checkpoint-every", required_argument, NULL, OPT_CHECKPOINT_EVERY},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"isa", required_argument, NULL, OPT_ISA},
    {"log-every-words", required_argument, NULL, OPT_LOG_EVERY},
    {"sync-every", required_argument, NULL, OPT_SYNC_EVERY},
    /* targets of word2vec's flags */
    {"w2v-hs", required_argument, NULL, OPT_W2V_HS},
    {"w2v-cbow", required_argument, NULL, OPT_W2V_CBOW},
    {"w2v-binary", required_argument, NULL, OPT_W2V_BINARY},
    {"w2v-debug", required_argument, NULL, OPT_W2V_DEBUG},
    {NULL, 0, NULL, 0},
};

/* word2vec's single-dash flags and the long option each becomes. */
static const struct { const char *w2v, *ours; } w2v_flags[] = {
    {"-train", "--input"},       {"-output", "--output"},       {"-size", "--dim"},
    {"-window", "--window"},     {"-sample", "--sample"},       {"-hs", "--w2v-hs"},
    {"-negative", "--negative"}, {"-threads", "--threads"},     {"-iter", "--epochs"},
    {"-min-count", "--min-count"}, {"-alpha", "--alpha"},       {"-binary", "--w2v-binary"},
    {"-cbow", "--w2v-cbow"},     {"-save-vocab", "--save-vocab"}, {"-read-vocab", "--read-vocab"},
    {"-debug", "--w2v-debug"},
};

typedef struct {
    theta_config cfg;
    const char *input, *output, *output_context, *save_model, *save_vocab, *read_vocab,
        *log_json, *checkpoint, *resume, *isa;
    int binary, quiet, alpha_set, hs_flag, negative_set;
    long long stop_after, log_every;
    double checkpoint_every;
    double sync_every;
    const char **inputs; /* MPI builds: --input FILE and the files after the options */
    int ninputs;
    theta_segment *segs; /* MPI builds: this rank's share of the corpus */
    int nsegs;
    unsigned char given[OPT_COUNT]; /* options given on the command line */
} train_args;

static int parse_args(int argc, char **argv, train_args *a)
{
    static const char *cmd = "train";
    memset(a, 0, sizeof *a);
    a->cfg = theta_config_default();
    /* translate word2vec's flags in place (argv is ours to permute) */
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || argv[i][1] == '-')
            continue;
        if (strcmp(argv[i], "-classes") == 0)
            return cli_usage_error(cmd, "-classes is not a training option here: train, then run "
                                        "'theta classes VECTORS -k K'");
        for (size_t k = 0; k < sizeof w2v_flags / sizeof w2v_flags[0]; k++)
            if (strcmp(argv[i], w2v_flags[k].w2v) == 0)
                argv[i] = (char *)w2v_flags[k].ours;
    }
    optind = 1;
    opterr = 0;
    int c;
    long long n;
    double x;
    a->checkpoint_every = 300;
    a->sync_every = SYNC_EVERY_DEFAULT;
    while ((c = getopt_long(argc, argv, ":i:o:qh", long_options, NULL)) != -1) {
        if (c >= 0 && c < OPT_COUNT)
            a->given[c] = 1;
        switch (c) {
        case OPT_CHECKPOINT: a->checkpoint = optarg; break;
        case OPT_RESUME: a->resume = optarg; break;
        case OPT_ISA:
            if (strcmp(optarg, "auto") && strcmp(optarg, "avx512f") && strcmp(optarg, "avx2") &&
                strcmp(optarg, "sse2"))
                return cli_usage_error(cmd, "--isa must be auto, avx512f, avx2 or sse2, not '%s'",
                                       optarg);
            a->isa = optarg;
            break;
        case OPT_KERNEL:
            if (strcmp(optarg, "pair") == 0)
                a->cfg.kernel = THETA_KERNEL_PAIR;
            else if (strcmp(optarg, "batch") == 0)
                a->cfg.kernel = THETA_KERNEL_BATCH;
            else
                return cli_usage_error(cmd, "--kernel must be pair or batch, not '%s'", optarg);
            break;
        case OPT_SYNC_EVERY:
            if (cli_parse_double(optarg, 0.001, 1e6, &x))
                return cli_usage_error(cmd, "--sync-every must be a number of seconds >= 0.001, "
                                            "not '%s'", optarg);
            a->sync_every = x;
            break;
        case OPT_CHECKPOINT_EVERY:
            if (cli_parse_double(optarg, 1, 1e9, &x))
                return cli_usage_error(cmd, "--checkpoint-every must be a number of seconds >= 1, "
                                            "not '%s'", optarg);
            a->checkpoint_every = x;
            break;
        case 'i': a->input = optarg; break;
        case 'o': a->output = optarg; break;
        case 'q': a->quiet = 1; break;
        case 'h': help_train(stdout); return -1;
        case OPT_BINARY: a->binary = 1; break;
        case OPT_OUTPUT_CONTEXT: a->output_context = optarg; break;
        case OPT_SAVE_MODEL: a->save_model = optarg; break;
        case OPT_SAVE_VOCAB: a->save_vocab = optarg; break;
        case OPT_READ_VOCAB: a->read_vocab = optarg; break;
        case OPT_LOG_JSON: a->log_json = optarg; break;
        case OPT_MODEL:
            if (strcmp(optarg, "skipgram") == 0 || strcmp(optarg, "sg") == 0)
                a->cfg.arch = THETA_ARCH_SKIPGRAM;
            else if (strcmp(optarg, "cbow") == 0)
                a->cfg.arch = THETA_ARCH_CBOW;
            else
                return cli_usage_error(cmd, "--model must be skipgram or cbow, not '%s'", optarg);
            break;
        case OPT_LOSS:
            if (strcmp(optarg, "ns") == 0)
                a->cfg.loss = THETA_LOSS_NS;
            else if (strcmp(optarg, "hs") == 0)
                a->cfg.loss = THETA_LOSS_HS;
            else if (strcmp(optarg, "softmax") == 0)
                a->cfg.loss = THETA_LOSS_SOFTMAX;
            else
                return cli_usage_error(cmd, "--loss must be ns, hs or softmax, not '%s'", optarg);
            break;
#define INT_OPT(OPT, NAME, LO, HI, FIELD)                                                          \
    case OPT:                                                                                      \
        if (cli_parse_int(optarg, LO, HI, &n))                                                     \
            return cli_usage_error(cmd, "--" NAME " must be an integer in %lld..%lld, not '%s'",   \
                                   (long long)(LO), (long long)(HI), optarg);                      \
        FIELD = n;                                                                                 \
        break;
        INT_OPT(OPT_DIM, "dim", 1, 10000, a->cfg.dim)
        INT_OPT(OPT_WINDOW, "window", 1, 1000, a->cfg.window)
        INT_OPT(OPT_EPOCHS, "epochs", 1, 100000, a->cfg.epochs)
        INT_OPT(OPT_MIN_COUNT, "min-count", 1, INT64_MAX, a->cfg.min_count)
        INT_OPT(OPT_THREADS, "threads", 1, 512, a->cfg.threads)
        INT_OPT(OPT_STOP_AFTER, "stop-after-words", 1, INT64_MAX, a->stop_after)
        INT_OPT(OPT_LOG_EVERY, "log-every-words", 1, INT64_MAX, a->log_every)
#undef INT_OPT
        case OPT_NEGATIVE:
            if (cli_parse_int(optarg, 0, 1000, &n))
                return cli_usage_error(cmd, "--negative must be an integer in 0..1000, not '%s'",
                                       optarg);
            a->cfg.negative = (int)n;
            a->negative_set = 1;
            break;
        case OPT_MAX_VOCAB:
            if (cli_parse_int(optarg, 0, INT32_MAX, &n) || n == 1)
                return cli_usage_error(cmd, "--max-vocab must be 0 (no limit) or an integer >= 2, "
                                            "not '%s'", optarg);
            a->cfg.max_vocab = n;
            break;
        case OPT_SEED:
            if (cli_parse_int(optarg, 0, INT64_MAX, &n))
                return cli_usage_error(cmd, "--seed must be a non-negative integer, not '%s'", optarg);
            a->cfg.seed = (uint64_t)n;
            break;
        case OPT_SAMPLE:
            if (cli_parse_double(optarg, 0, 0.999999, &x))
                return cli_usage_error(cmd, "--sample must be a number in [0, 1), not '%s'", optarg);
            a->cfg.sample = x;
            break;
        case OPT_ALPHA:
            if (cli_parse_double(optarg, 1e-12, 10, &x) || x <= 0)
                return cli_usage_error(cmd, "--alpha must be a number in (0, 10], not '%s'", optarg);
            a->cfg.alpha = x;
            a->alpha_set = 1;
            break;
        case OPT_INIT_IN:
        case OPT_INIT_OUT:
            if (theta_init_parse(optarg, c == OPT_INIT_IN ? &a->cfg.init_in : &a->cfg.init_out))
                return cli_usage_error(cmd, "--init-%s: %s", c == OPT_INIT_IN ? "in" : "out",
                                       theta_last_error());
            break;
        case OPT_ZERO_INIT:
            a->cfg.init_in.kind = a->cfg.init_out.kind = THETA_INIT_ZERO;
            break;
        case OPT_W2V_HS:
        case OPT_W2V_CBOW:
        case OPT_W2V_BINARY:
        case OPT_W2V_DEBUG:
            if (cli_parse_int(optarg, 0, c == OPT_W2V_DEBUG ? 100 : 1, &n))
                return cli_usage_error(cmd, "word2vec flag takes %s, not '%s'",
                                       c == OPT_W2V_DEBUG ? "a level" : "0 or 1", optarg);
            if (c == OPT_W2V_HS)
                a->hs_flag = (int)n;
            else if (c == OPT_W2V_CBOW)
                a->cfg.arch = n ? THETA_ARCH_CBOW : THETA_ARCH_SKIPGRAM;
            else if (c == OPT_W2V_BINARY)
                a->binary = (int)n;
            break;
        case ':':
            return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!a->input)
        return cli_usage_error(cmd, "no corpus given (--input FILE, or - for standard input)");
#ifdef THETA_MPI
    if (use_mpi) {
        /* the corpus: --input FILE and every argument left (shards) */
        a->inputs = (const char **)argv + optind - 1;
        a->inputs[0] = a->input;
        a->ninputs = argc - optind + 1;
        for (int i = 0; i < a->ninputs; i++)
            if (strcmp(a->inputs[i], "-") == 0 && a->ninputs > 1)
                return cli_usage_error(cmd, "standard input cannot be one of several shards");
    } else if (optind < argc) {
        return cli_usage_error(cmd, "unexpected argument '%s' (several input files are for "
                                    "mpirun -np N theta train --input FILES...)", argv[optind]);
    }
#else
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (a->given[OPT_SYNC_EVERY])
        return cli_usage_error(cmd, "--sync-every needs a build with MPI (make MPI=1)");
#endif
    if (a->hs_flag) {
        if (a->negative_set && a->cfg.negative > 0)
            return cli_usage_error(cmd, "theta trains one loss at a time: with -hs 1 give "
                                        "-negative 0 (or use --loss hs)");
        a->cfg.loss = THETA_LOSS_HS;
    } else if (a->negative_set && a->cfg.negative == 0 && a->cfg.loss == THETA_LOSS_NS) {
        return cli_usage_error(cmd, "--negative 0 leaves no loss: use --loss hs or softmax");
    }
    if (!a->alpha_set)
        a->cfg.alpha = theta_config_default_alpha(a->cfg.loss);
    if (a->log_every && !a->log_json)
        return cli_usage_error(cmd, "--log-every-words needs --log-json FILE");
    if (a->resume && !a->checkpoint)
        a->checkpoint = a->resume; /* keep checkpointing where we resumed from */
    if (a->resume && a->read_vocab)
        return cli_usage_error(cmd, "--resume uses the checkpoint's vocabulary; drop --read-vocab");
    if (theta_config_validate(&a->cfg))
        return cli_usage_error(cmd, "%s", theta_last_error());
    return 0;
}

/* ---- progress ----------------------------------------------------------- */

typedef struct {
    const train_args *a;
    int tty;
    FILE *log;
    int printed; /* a \r line is on screen */
} progress_ctx;

static void format_duration(double s, char *buf, size_t size)
{
    long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;
    snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* ", \"in\": {...}" with the theta dims figures of one matrix */
static void log_dims(FILE *f, const char *name, const float *m, int64_t rows, int dim)
{
    theta_dims_report r;
    if (theta_dims_analyze(m, rows, dim, 0, &r)) {
        fprintf(f, ", \"%s\": null", name);
        return;
    }
    fprintf(f, ", \"%s\": {\"distinct_dims\": %d, \"identical_dims\": %d, \"rank\": %d, "
               "\"all_zero\": %s}",
            name, r.distinct_dims, r.identical_dims, r.rank, r.all_zero ? "true" : "false");
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

static int on_progress(const theta_progress *p, const theta_model *m, void *user)
{
    progress_ctx *ctx = user;
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

static volatile int stop_flag;

static void on_signal(int sig)
{
    if (stop_flag)
        _exit(128 + sig); /* a second signal: leave at once */
    stop_flag = sig;
}

/* user: the progress_ctx (hooks.user) */
static theta_status save_checkpoint(const theta_model *m, void *user)
{
    const progress_ctx *ctx = user;
    return theta_model_save(m, ctx->a->checkpoint);
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
        {OPT_W2V_HS, "hs", c->loss == saved->loss},
        {OPT_INIT_IN, "init-in", c->init_in.kind == saved->init_in.kind &&
                                     c->init_in.value == saved->init_in.value},
        {OPT_INIT_OUT, "init-out", c->init_out.kind == saved->init_out.kind &&
                                       c->init_out.value == saved->init_out.value},
        {OPT_ZERO_INIT, "zero-init", saved->init_in.kind == THETA_INIT_ZERO &&
                                         saved->init_out.kind == THETA_INIT_ZERO},
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
    const int saved_inputs = sh->nranks > 0 ? sh->ninputs : 1;
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
        theta_fingerprint want = sh->nranks > 0 ? sh->inputs[i]
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

/* --resume: loads the checkpoint, checks it against this run and takes
 * this process's place in the corpus (rank: its MPI rank). Else 1 with the
 * message in why. */
static int resume_model(const train_args *a, const theta_fingerprint *fps, int ninputs,
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
    if (!bad && (m->state.train_words != m->vocab->total ||
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
        const theta_rank_state *r = &m->shares.ranks[rank];
        m->state.chunks_done = r->chunks_done;
        m->state.loss_sum = r->loss_sum;
        m->state.loss_count = r->loss_count;
    }
    *out = m;
    return 0;
}

/* Builds a fresh model: vocabulary (counted or read), summary, matrices. */
static int new_model(const train_args *a, const char *input, theta_model **out)
{
    static const char *cmd = "train";
    theta_vocab *v = NULL;
    double t0 = theta_now();
    theta_status st;
    if (a->read_vocab)
        st = theta_vocab_load(a->read_vocab, a->cfg.min_count, a->cfg.max_vocab, &v);
#ifdef THETA_MPI
    else if (a->segs)
        st = theta__mpi_vocab(a->segs, a->nsegs, a->cfg.min_count, a->cfg.max_vocab, &v);
#endif
    else
        st = theta_vocab_build_threads(input, a->cfg.min_count, a->cfg.max_vocab, 0,
                                       a->cfg.threads, &v);
    if (st)
        return cli_error(cmd, "%s", theta_last_error());
    if (v->size < 2) {
        theta_vocab_free(v);
        return cli_error(cmd, "%s: no word occurs at least %lld times (--min-count)",
                         a->read_vocab ? a->read_vocab : a->input, (long long)a->cfg.min_count);
    }
    if (a->save_vocab && theta_vocab_save(v, a->save_vocab)) {
        theta_vocab_free(v);
        return cli_error(cmd, "%s", theta_last_error());
    }
    if (!a->quiet) {
        double dt = theta_now() - t0;
        fprintf(stderr, "vocabulary: %d words (min-count %lld), %lld tokens per epoch", v->size,
                (long long)a->cfg.min_count, (long long)v->total);
        if (a->read_vocab)
            fprintf(stderr, ", read from %s\n", a->read_vocab);
        else
            fprintf(stderr, "; counted %.1f MB in %.2f s\n", (double)v->bytes_read / 1e6, dt);
        if (v->dropped_words)
            fprintf(stderr, "  %lld rarer distinct words dropped by --min-count/--max-vocab\n",
                    (long long)v->dropped_words);
        if (v->pruned_words)
            fprintf(stderr, "  pruning while counting dropped %lld distinct words (counts below %lld)\n",
                    (long long)v->pruned_words, (long long)v->pruned_below);
        fprintf(stderr, "matrices: %.1f MB\n",
                (double)theta_model_matrix_bytes(&a->cfg, v->size) / 1e6);
    }
    st = theta_model_new(&a->cfg, v, out);
    if (st)
        return cli_error(cmd, "%s", theta_last_error());
    return 0;
}

static int train_main(int argc, char **argv);

int cmd_train(int argc, char **argv)
{
#ifdef THETA_MPI
    use_mpi = theta__mpi_launched();
    if (!use_mpi)
        return train_main(argc, argv);
    theta__mpi_init(&argc, &argv);
    int status = train_main(argc, argv);
    /* a runtime error on one rank would leave the others waiting in a
     * collective call: end the whole job */
    if (status == 1 && theta__mpi_size() > 1 && !no_abort)
        theta__mpi_abort(1);
    theta__mpi_finalize();
    return status;
#else
    return train_main(argc, argv);
#endif
}

#ifdef THETA_MPI
/* After a step that every rank takes: 1 if it failed on any rank, and then
 * every rank leaves with status 1 (no MPI_Abort). why is printed once: by
 * rank 0 if it failed there, else by each rank where it failed. Collective. */
static int failed_on_any_rank(int failed, const char *why)
{
    int root_failed;
    int any = theta__mpi_any(failed, &root_failed);
    if (failed && (theta__mpi_rank() == 0 || !root_failed))
        cli_error("train", "%s", why);
    if (any)
        no_abort = 1;
    return any;
}
#endif

/* "Resume with: ..." after a stop; inputs[ninputs] are the corpus files,
 * nranks the MPI ranks (0: not an MPI job). */
static void print_resume_hint(const char *to, const char *const *inputs, int ninputs, int nranks)
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

static int train_main(int argc, char **argv)
{
    static const char *cmd = "train";
    train_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    int rank = 0, nranks = 0; /* MPI jobs: this process's rank, the number of ranks */
#ifdef THETA_MPI
    static char rank_output[4096];
    if (use_mpi) {
        rank = theta__mpi_rank();
        nranks = theta__mpi_size();
        if (nranks > 1 && strcmp(a.input, "-") == 0)
            return cli_usage_error(cmd, "with several MPI ranks the corpus must be files, not '-'");
    }
    if (rank != 0) {
        /* rank 0 reports and writes; the others only train (a testing aid:
         * THETA_MPI_RANK_OUTPUT=1 has rank r write --output to FILE.rank<r>) */
        const char *own = getenv("THETA_MPI_RANK_OUTPUT");
        if (own && strcmp(own, "1") == 0 && a.output)
            snprintf(rank_output, sizeof rank_output, "%s.rank%d", a.output, rank);
        a.quiet = 1;
        a.output = rank_output[0] ? rank_output : NULL;
        a.output_context = a.save_model = a.save_vocab = a.log_json = NULL;
    }
#endif

    char spool_path[64];
    int spool_fd = -1;
    const char *input = a.input;
    if (strcmp(input, "-") == 0) {
        if (theta_spool_stdin(spool_path, sizeof spool_path, &spool_fd))
            return cli_error(cmd, "%s", theta_last_error());
        input = spool_path;
    }
    theta_model *m = NULL;
    FILE *log = NULL;
    int status = 1;
    double t0 = theta_now();
    /* the input files' fingerprints: a checkpoint records them */
    theta_fingerprint one_fp, *fps = &one_fp;
    const char *const *inputs = &a.input;
    int ninputs = 1;
#ifdef THETA_MPI
    theta__mpi_sync_ctx sync_ctx;
    memset(&sync_ctx, 0, sizeof sync_ctx);
    if (use_mpi) {
        /* errors of these steps are seen on every rank, or told to every rank */
        a.inputs[0] = input; /* standard input: the spooled copy */
        int bad = theta__mpi_shares(a.inputs, a.ninputs, &a.segs, &a.nsegs) != THETA_OK;
        if (failed_on_any_rank(bad, theta_last_error()))
            goto done;
        fps = calloc((size_t)a.ninputs, sizeof *fps);
        if (failed_on_any_rank(!fps, "out of memory for the input files' fingerprints"))
            goto done;
        bad = theta__mpi_fingerprints(a.inputs, a.ninputs, fps) != THETA_OK;
        if (failed_on_any_rank(bad, theta_last_error()))
            goto done;
        a.inputs[0] = a.input;
        inputs = a.inputs;
        ninputs = a.ninputs;
    } else
#endif
    if (theta_corpus_fingerprint(input, &one_fp.bytes, &one_fp.crc)) {
        cli_error(cmd, "%s", theta_last_error());
        goto done;
    }
    if (a.resume) {
        char why[1024];
        int bad = resume_model(&a, fps, ninputs, nranks, rank, &m, why, sizeof why);
#ifdef THETA_MPI
        if (use_mpi) {
            /* every rank checks the same checkpoint: one message */
            if (failed_on_any_rank(bad, why))
                goto done;
            theta__mpi_clear_shares(m); /* this rank took its place in them */
        } else
#endif
        if (bad) {
            cli_error(cmd, "%s", why);
            goto done;
        }
        if (a.given[OPT_THREADS])
            m->cfg.threads = a.cfg.threads;
        if (!a.quiet)
            fprintf(stderr, "resuming %s: epoch %d of %d, %lld words done\n", a.resume,
                    m->state.epoch + 1, m->cfg.epochs, (long long)m->state.words_done);
    } else {
        if (new_model(&a, input, &m))
            goto done;
        m->state.corpus_bytes = fps[0].bytes;
        m->state.corpus_crc = fps[0].crc;
    }
    if (!a.quiet) {
        const theta_config *c = &m->cfg;
        char ii[48], io[48];
        theta_init_format(&c->init_in, ii, sizeof ii);
        theta_init_format(&c->init_out, io, sizeof io);
        fprintf(stderr, "model: %s, loss %s, dim %d, window %d, %d thread%s, init in %s / out %s, "
                        "kernel %s (%s)\n",
                theta_arch_name(c->arch), theta_loss_name(c->loss), c->dim, c->window, c->threads,
                c->threads == 1 ? "" : "s", ii, io, theta_kernel_name(c->kernel),
                a.isa ? a.isa : theta_kernel_isa());
    }
    if (a.log_json && !(log = fopen(a.log_json, "a"))) {
        cli_error(cmd, "%s: cannot open for appending", a.log_json);
        goto done;
    }
    progress_ctx pctx = {&a, isatty(STDERR_FILENO), log, 0};
    theta_train_hooks hooks;
    memset(&hooks, 0, sizeof hooks);
    hooks.progress = on_progress;
    hooks.user = &pctx;
    hooks.interval = pctx.tty ? 0.5 : 5.0;
    hooks.stop_after_words = a.stop_after;
    hooks.stop = &stop_flag;
    hooks.checkpoint = a.checkpoint ? save_checkpoint : NULL;
    hooks.checkpoint_every = a.checkpoint_every;
    hooks.isa = a.isa;
    hooks.log_every_words = a.log_every;
#ifdef THETA_MPI
    if (use_mpi) {
        /* stops and checkpoints are decided together, at a sync (see mpi.c) */
        sync_ctx.signal = &stop_flag;
        sync_ctx.stop_after_words = a.stop_after;
        sync_ctx.checkpoint = rank == 0 && a.checkpoint ? save_checkpoint : NULL;
        sync_ctx.user = &pctx;
        sync_ctx.checkpoint_every = a.checkpoint_every;
        sync_ctx.inputs = fps;
        sync_ctx.ninputs = ninputs;
        hooks.checkpoint = NULL;
        hooks.sync = theta__mpi_sync;
        hooks.sync_every = a.sync_every;
        hooks.stream = (uint64_t)rank;
        hooks.segments = a.segs;
        hooks.nsegments = a.nsegs;
        hooks.sync_user = &sync_ctx;
        if (theta__mpi_sync_begin(&sync_ctx, m)) {
            cli_error(cmd, "%s", theta_last_error());
            goto done;
        }
    }
#endif
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    theta_status st = theta_train(m, input, &hooks);
#ifdef THETA_MPI
    if (use_mpi)
        theta__mpi_sync_end(&sync_ctx);
#endif
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (pctx.printed)
        fputc('\n', stderr);
    if (st == THETA_EINTR) {
        /* stopped at a chunk boundary: the state is consistent, save it */
        const char *to = a.checkpoint ? a.checkpoint : a.save_model;
        int sig = stop_flag;
#ifdef THETA_MPI
        if (use_mpi) {
            /* the stop sync summed every row; every rank exits with the same
             * status, and rank 0 saves every rank's place in its share */
            sig = sync_ctx.stop_signal;
            st = theta__mpi_gather_state(m, &sync_ctx, m->state.chunks_done, m->state.loss_sum,
                                         m->state.loss_count);
            if (st) {
                cli_error(cmd, "%s", theta_last_error());
                goto done;
            }
            no_abort = 1; /* that was the last collective call */
            if (rank != 0) {
                status = sig ? 128 + sig : 0;
                goto done;
            }
        }
#endif
        status = sig ? 128 + sig : 0;
        if (!to) {
            cli_error(cmd, "%s; nothing saved (use --checkpoint FILE to be able to resume)",
                      theta_last_error());
            status = sig ? 128 + sig : 1;
            goto done;
        }
        if (theta_model_save(m, to)) {
            cli_error(cmd, "%s", theta_last_error());
            status = 1;
            goto done;
        }
        fprintf(stderr, "theta train: stopped in epoch %d after %lld words; saved to %s.\n",
                m->state.epoch + 1, (long long)m->state.words_done, to);
        print_resume_hint(to, inputs, ninputs, nranks);
        goto done;
    }
    if (st) {
        cli_error(cmd, "%s", theta_last_error());
        goto done;
    }
    theta_vec_format fmt = a.binary ? THETA_VEC_BINARY : THETA_VEC_TEXT;
    if ((a.output && theta_model_write_vectors(m, 0, a.output, fmt)) ||
        (a.output_context && theta_model_write_vectors(m, 1, a.output_context, fmt)) ||
        (a.save_model && theta_model_save(m, a.save_model)) ||
        (a.checkpoint && theta_model_save(m, a.checkpoint))) {
        cli_error(cmd, "%s", theta_last_error());
        goto done;
    }
    if (!a.quiet)
        fprintf(stderr, "done in %.1f s\n", theta_now() - t0);
    status = 0;
done:
    if (fps != &one_fp)
        free(fps);
    free(a.segs);
    if (log)
        fclose(log);
    theta_model_free(m);
    if (spool_fd >= 0)
        close(spool_fd);
    return status;
}
