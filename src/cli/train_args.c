/*
 * train_args.c — `theta train`'s command line: theta's long options and
 * word2vec's single-dash flags (-train -output -size ...), translated into
 * a copy of argv before getopt_long. The ranges of the model's numbers come
 * from the library (theta_config_range_of), so the two never disagree.
 */
#include "cmd_train.h"

#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *cmd = "train";

static const struct option long_options[] = {
    {"input", required_argument, NULL, 'i'},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"binary", no_argument, NULL, OPT_BINARY},
    {"center", no_argument, NULL, OPT_CENTER},
    {"stream", no_argument, NULL, OPT_STREAM},
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
    {"noise-uniform", required_argument, NULL, OPT_NOISE_UNIFORM},
    {"share-negatives", required_argument, NULL, OPT_SHARE_NEGATIVES},
    {"isa", required_argument, NULL, OPT_ISA},
    {"log-every-words", required_argument, NULL, OPT_LOG_EVERY},
    {"sync-every", required_argument, NULL, OPT_SYNC_EVERY},
    {"sync-words", required_argument, NULL, OPT_SYNC_WORDS},
    {"sync-full-every", required_argument, NULL, OPT_SYNC_FULL_EVERY},
    {"sync-merge", required_argument, NULL, OPT_SYNC_MERGE},
    {"sync-precision", required_argument, NULL, OPT_SYNC_PRECISION},
    {"init-from", required_argument, NULL, OPT_INIT_FROM},
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

/* The options that set a numeric field of theta_config, checked against
 * the library's range for it. */
static const struct { int opt; const char *field; } config_fields[] = {
    {OPT_DIM, "dim"},           {OPT_WINDOW, "window"},       {OPT_NEGATIVE, "negative"},
    {OPT_EPOCHS, "epochs"},     {OPT_MIN_COUNT, "min_count"}, {OPT_MAX_VOCAB, "max_vocab"},
    {OPT_THREADS, "threads"},   {OPT_SAMPLE, "sample"},       {OPT_ALPHA, "alpha"},
    {OPT_NOISE_UNIFORM, "noise_uniform"},
    {OPT_SHARE_NEGATIVES, "share_negatives"},
};

/* A copy of argv with word2vec's flags replaced by theta's; NULL after
 * printing an error (status in *rc). */
static char **translate_w2v_flags(int argc, char **argv, int *rc)
{
    char **copy = calloc((size_t)argc + 1, sizeof *copy);
    if (!copy) {
        *rc = cli_error(cmd, "out of memory");
        return NULL;
    }
    for (int i = 0; i < argc; i++) {
        copy[i] = argv[i];
        if (i == 0 || argv[i][0] != '-' || argv[i][1] == '-')
            continue;
        if (strcmp(argv[i], "-classes") == 0) {
            free(copy);
            *rc = cli_usage_error(cmd, "-classes is not a training option here: train, then run "
                                       "'theta classes VECTORS -k K'");
            return NULL;
        }
        for (size_t k = 0; k < sizeof w2v_flags / sizeof w2v_flags[0]; k++)
            if (strcmp(argv[i], w2v_flags[k].w2v) == 0)
                copy[i] = (char *)w2v_flags[k].ours;
    }
    return copy;
}

/* "--min-count" for "min_count" */
static void option_name(const char *field, char *buf, size_t size)
{
    snprintf(buf, size, "--%s", field);
    for (char *p = buf; *p; p++)
        if (*p == '_')
            *p = '-';
}

/* Sets the config field of option c from text, in the library's range.
 * 1 if c is not such an option, 0 when set, 2 after a usage error. */
static int parse_config_number(train_args *a, int c, const char *text)
{
    const char *field = NULL;
    for (size_t i = 0; i < sizeof config_fields / sizeof config_fields[0]; i++)
        if (config_fields[i].opt == c)
            field = config_fields[i].field;
    if (!field)
        return 1;
    const theta_config_range *r = theta_config_range_of(field);
    char name[32], range[80];
    option_name(field, name, sizeof name);
    theta_config_range_text(r, range, sizeof range);
    long long n = 0;
    double x = 0;
    int bad = r->integer ? cli_parse_int(text, INT64_MIN, INT64_MAX, &n) : cli_parse_double(text, -1e300, 1e300, &x);
    if (r->integer)
        x = (double)n;
    if (bad || !theta_config_in_range(r, x))
        return cli_usage_error(cmd, "%s must be %s, not '%s'", name, range, text);
    char *p = (char *)&a->cfg + r->offset;
    if (c == OPT_MIN_COUNT || c == OPT_MAX_VOCAB)
        *(int64_t *)(void *)p = n;
    else if (c == OPT_NOISE_UNIFORM) /* stored as float (model file) */
        *(float *)(void *)p = (float)x;
    else if (r->integer)
        *(int *)(void *)p = (int)n;
    else
        *(double *)(void *)p = x;
    return 0;
}

/* The value of an option that takes one of a few names: its index in
 * names[], or -1 after a usage error. */
static int parse_choice(const char *opt, const char *text, const char *const *names, int n,
                        const char *list)
{
    for (int i = 0; i < n; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    cli_usage_error(cmd, "--%s must be %s, not '%s'", opt, list, text);
    return -1;
}

/* --init-in / --init-out (which 0 / 1): a strategy, or file:PATH[,FALLBACK]
 * (the fallback, for the words the file lacks, is the config's init: the
 * matrix's default when not given). A comma splits off the fallback only
 * if what follows it is a strategy. 0, or 2 after a usage error. */
static int parse_init(train_args *a, int which, const char *text)
{
    const char *opt = which ? "out" : "in";
    theta_init *init = which ? &a->cfg.init_out : &a->cfg.init_in;
    if (strncmp(text, "file:", 5) != 0) {
        a->init_file[which] = NULL;
        if (theta_init_parse(text, init))
            return cli_usage_error(cmd, "--init-%s: %s", opt, theta_last_error());
        return 0;
    }
    const char *path = text + 5, *comma = strrchr(path, ',');
    theta_config d = theta_config_default();
    theta_init fallback = which ? d.init_out : d.init_in;
    if (comma && theta_init_parse(comma + 1, &fallback) == THETA_OK) {
        /* keep the path in argv: it ends at the comma */
        ((char *)comma)[0] = '\0';
    } else if (comma && strncmp(comma + 1, "file:", 5) == 0) {
        return cli_usage_error(cmd, "--init-%s: one file per matrix, not '%s'", opt, text);
    }
    if (!*path)
        return cli_usage_error(cmd, "--init-%s file: needs a PATH (file:PATH[,FALLBACK])", opt);
    *init = fallback;
    a->init_file[which] = path;
    return 0;
}

/* The options that choose a model, a loss, a kernel or an init. 1 if c is
 * none of them, 0 when set, 2 after a usage error. */
static int parse_choice_option(train_args *a, int c, const char *text)
{
    static const char *const models[] = {"skipgram", "sg", "cbow"};
    static const char *const losses[] = {"ns", "hs", "softmax"};
    static const char *const kernels[] = {"pair", "batch"};
    static const char *const isas[] = {"auto", "avx512f", "avx2", "sse2"};
    int i;
    switch (c) {
    case OPT_MODEL:
        if ((i = parse_choice("model", text, models, 3, "skipgram or cbow")) < 0)
            return 2;
        a->cfg.arch = i == 2 ? THETA_ARCH_CBOW : THETA_ARCH_SKIPGRAM;
        return 0;
    case OPT_LOSS:
        if ((i = parse_choice("loss", text, losses, 3, "ns, hs or softmax")) < 0)
            return 2;
        a->cfg.loss = (theta_loss)i;
        return 0;
    case OPT_KERNEL:
        if ((i = parse_choice("kernel", text, kernels, 2, "pair or batch")) < 0)
            return 2;
        a->cfg.kernel = i == 0 ? THETA_KERNEL_PAIR : THETA_KERNEL_BATCH;
        return 0;
    case OPT_ISA:
        if (parse_choice("isa", text, isas, 4, "auto, avx512f, avx2 or sse2") < 0)
            return 2;
        a->isa = text;
        return 0;
    case OPT_INIT_IN:
    case OPT_INIT_OUT:
        return parse_init(a, c == OPT_INIT_OUT, text);
    default:
        return 1;
    }
}

/* The options that are not the model's: files, schedules, word2vec's 0/1
 * flags. 1 if c is none of them, 0 when set, 2 after a usage error. */
static int parse_run_option(train_args *a, int c, const char *text)
{
    long long n;
    switch (c) {
    case 'i': a->input = text; return 0;
    case 'o': a->output = text; return 0;
    case 'q': a->quiet = 1; return 0;
    case OPT_BINARY: a->binary = 1; return 0;
    case OPT_CENTER: a->center = 1; return 0;
    case OPT_STREAM: a->stream = 1; return 0;
    case OPT_OUTPUT_CONTEXT: a->output_context = text; return 0;
    case OPT_SAVE_MODEL: a->save_model = text; return 0;
    case OPT_SAVE_VOCAB: a->save_vocab = text; return 0;
    case OPT_READ_VOCAB: a->read_vocab = text; return 0;
    case OPT_LOG_JSON: a->log_json = text; return 0;
    case OPT_CHECKPOINT: a->checkpoint = text; return 0;
    case OPT_RESUME: a->resume = text; return 0;
    case OPT_INIT_FROM: a->init_from = text; return 0;
    case OPT_ZERO_INIT:
        a->cfg.init_in.kind = a->cfg.init_out.kind = THETA_INIT_ZERO;
        a->cfg.init_in.noise_kind = a->cfg.init_out.noise_kind = THETA_NOISE_NONE;
        a->cfg.init_in.noise = a->cfg.init_out.noise = 0;
        return 0;
    case OPT_SYNC_EVERY:
        if (cli_parse_double(text, 0.001, 1e6, &a->sync_every))
            return cli_usage_error(cmd, "--sync-every must be a number of seconds >= 0.001, "
                                        "not '%s'", text);
        return 0;
    case OPT_SYNC_WORDS:
        if (cli_parse_int(text, 1, INT64_MAX, &n))
            return cli_usage_error(cmd, "--sync-words must be an integer >= 1, not '%s'", text);
        a->sync_words = n;
        return 0;
    case OPT_SYNC_MERGE:
        if (strcmp(text, "sum") == 0)
            a->sync_mean_rows = 0;
        else if (strcmp(text, "mean") == 0)
            a->sync_mean_rows = INT64_MAX;
        else if (strncmp(text, "mean:", 5) != 0 || cli_parse_int(text + 5, 1, INT64_MAX, &n))
            return cli_usage_error(cmd, "--sync-merge must be sum, mean or mean:M, not '%s'",
                                   text);
        else
            a->sync_mean_rows = n;
        return 0;
    case OPT_SYNC_PRECISION:
        if (strcmp(text, "float32") != 0 && strcmp(text, "bfloat16") != 0)
            return cli_usage_error(cmd, "--sync-precision must be float32 or bfloat16, not '%s'",
                                   text);
        a->sync_bf16 = strcmp(text, "bfloat16") == 0;
        return 0;
    case OPT_SYNC_FULL_EVERY:
        if (cli_parse_int(text, 1, 1000000, &n))
            return cli_usage_error(cmd, "--sync-full-every must be an integer from 1 to "
                                        "1000000, not '%s'", text);
        a->sync_full_every = (int)n;
        return 0;
    case OPT_CHECKPOINT_EVERY:
        if (cli_parse_double(text, 1, 1e9, &a->checkpoint_every))
            return cli_usage_error(cmd, "--checkpoint-every must be a number of seconds >= 1, "
                                        "not '%s'", text);
        return 0;
    case OPT_STOP_AFTER:
    case OPT_LOG_EVERY:
        if (cli_parse_int(text, 1, INT64_MAX, &n))
            return cli_usage_error(cmd, "--%s must be an integer >= 1, not '%s'",
                                   c == OPT_STOP_AFTER ? "stop-after-words" : "log-every-words",
                                   text);
        *(c == OPT_STOP_AFTER ? &a->stop_after : &a->log_every) = n;
        return 0;
    case OPT_SEED:
        if (cli_parse_int(text, 0, INT64_MAX, &n))
            return cli_usage_error(cmd, "--seed must be a non-negative integer, not '%s'", text);
        a->cfg.seed = (uint64_t)n;
        return 0;
    case OPT_W2V_HS:
    case OPT_W2V_CBOW:
    case OPT_W2V_BINARY:
    case OPT_W2V_DEBUG:
        if (cli_parse_int(text, 0, c == OPT_W2V_DEBUG ? 100 : 1, &n))
            return cli_usage_error(cmd, "word2vec flag takes %s, not '%s'",
                                   c == OPT_W2V_DEBUG ? "a level" : "0 or 1", text);
        if (c == OPT_W2V_HS)
            a->hs_flag = (int)n;
        else if (c == OPT_W2V_CBOW)
            a->cfg.arch = n ? THETA_ARCH_CBOW : THETA_ARCH_SKIPGRAM;
        else if (c == OPT_W2V_BINARY)
            a->binary = (int)n;
        return 0;
    default:
        return 1;
    }
}

/* The corpus: --input FILE and every argument left, one corpus in that order. */
static int collect_inputs(train_args *a, int argc, char **argv, int mpi_job)
{
    if (!a->input)
        return cli_usage_error(cmd, "no corpus given (--input FILE, or - for standard input)");
    a->ninputs = argc - optind + 1;
    a->inputs = calloc((size_t)a->ninputs, sizeof *a->inputs);
    if (!a->inputs)
        return cli_error(cmd, "out of memory");
    a->inputs[0] = a->input;
    for (int i = 1; i < a->ninputs; i++)
        a->inputs[i] = argv[optind + i - 1];
    int stdin_seen = 0;
    for (int i = 0; i < a->ninputs; i++) {
        if (strcmp(a->inputs[i], "-") != 0)
            continue;
        if (mpi_job && a->ninputs > 1)
            return cli_usage_error(cmd, "standard input cannot be one of several shards");
        if (stdin_seen++)
            return cli_usage_error(cmd, "standard input ('-') can be only one of the inputs");
    }
    return 0;
}

/* --init-from and file: starts against the other options. */
static int check_warm_start(const train_args *a, int mpi_job)
{
    if (a->resume && a->init_from)
        return cli_usage_error(cmd, "--resume continues a stopped run on its corpus; --init-from "
                                    "starts a new run from a model: give one of them");
    for (int w = 0; w < 2; w++)
        if (a->resume && a->init_file[w])
            return cli_usage_error(cmd, "--resume: the matrices come from the checkpoint; drop "
                                        "--init-%s file:", w ? "out" : "in");
    if (a->init_file[1] && a->cfg.loss == THETA_LOSS_HS && !a->init_from)
        return cli_usage_error(cmd, "--init-out file: with --loss hs: the output matrix's rows are "
                                    "the inner nodes of the Huffman tree, not words (start it "
                                    "with a strategy, e.g. zero)");
    if (mpi_job && (a->init_from || a->init_file[0] || a->init_file[1]))
        return cli_usage_error(cmd, "--init-from and --init-in/--init-out file: are not "
                                    "supported in an MPI job");
    return 0;
}

/* Checks the options against each other once all are read. */
static int check_combinations(train_args *a, int mpi_build)
{
    static const struct { int opt; const char *name; } sync_opts[] = {
        {OPT_SYNC_EVERY, "--sync-every"}, {OPT_SYNC_WORDS, "--sync-words"},
        {OPT_SYNC_FULL_EVERY, "--sync-full-every"}, {OPT_SYNC_MERGE, "--sync-merge"},
        {OPT_SYNC_PRECISION, "--sync-precision"}};
    for (size_t i = 0; i < sizeof sync_opts / sizeof sync_opts[0]; i++)
        if (a->given[sync_opts[i].opt] && !mpi_build)
            return cli_usage_error(cmd, "%s needs a build with MPI (make MPI=1)",
                                   sync_opts[i].name);
    if (a->given[OPT_SYNC_EVERY] && a->given[OPT_SYNC_WORDS])
        return cli_usage_error(cmd, "give --sync-words N or --sync-every S, not both");
    if (a->given[OPT_SYNC_EVERY])
        a->sync_words = 0; /* the seconds replace the default word count */
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

int train_parse_args(int argc, char **argv, int mpi_build, int mpi_job, train_args *a)
{
    memset(a, 0, sizeof *a);
    a->cfg = theta_config_default();
    a->checkpoint_every = CHECKPOINT_EVERY_DEFAULT;
    a->sync_words = SYNC_WORDS_JOB / 2; /* set by rank count in an MPI job (see cmd_train.h) */
    a->sync_full_every = SYNC_FULL_EVERY_DEFAULT;
    a->sync_mean_rows = SYNC_MEAN_ROWS_DEFAULT;
    int rc = 0;
    if (!(a->argv = translate_w2v_flags(argc, argv, &rc)))
        return rc;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, a->argv, ":i:o:qh", long_options, NULL)) != -1) {
        if (c >= 0 && c < OPT_COUNT)
            a->given[c] = 1;
        if (c == 'h') {
            help_train(stdout);
            return -1;
        }
        if (c == ':')
            return cli_usage_error(cmd, "option '%s' needs a value", a->argv[optind - 1]);
        a->negative_set |= c == OPT_NEGATIVE;
        a->alpha_set |= c == OPT_ALPHA;
        if ((rc = parse_config_number(a, c, optarg)) != 1 ||
            (rc = parse_choice_option(a, c, optarg)) != 1 ||
            (rc = parse_run_option(a, c, optarg)) != 1) {
            if (rc)
                return rc;
            continue;
        }
        return cli_usage_error(cmd, "unknown option '%s'", a->argv[optind - 1]);
    }
    if ((rc = collect_inputs(a, argc, a->argv, mpi_job)))
        return rc;
    if ((rc = check_combinations(a, mpi_build)))
        return rc;
    return check_warm_start(a, mpi_job);
}

void train_args_free(train_args *a)
{
    free(a->inputs);
    free(a->argv);
    a->inputs = NULL;
    a->argv = NULL;
}
