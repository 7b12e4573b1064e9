/*
 * cmd_phrases.c — `theta phrases`: word2vec's word2phrase. Parses the
 * options, shows progress and the summary; the work is theta_phrases_run.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

void help_phrases(FILE *out)
{
    theta_phrases_config d = theta_phrases_config_default();
    fprintf(out,
"usage: theta phrases [options] INPUT [-o OUT]\n"
"\n"
"Joins frequent word pairs into one token ('new york' -> 'new_york'), as\n"
"word2vec's word2phrase does, so that they get their own vectors. Counts the\n"
"words and the adjacent pairs of each sentence (a newline ends a sentence;\n"
"</s> never joins), scores every pair, and writes the corpus again, one\n"
"sentence per line, with the pairs scoring above the threshold joined. Joining\n"
"is greedy, left to right: in 'a b c', if a b joins, b does not join c in the\n"
"same pass. A joined token longer than %d bytes is never made.\n"
"INPUT is plain text, gzip, or - for standard input (spooled to $TMPDIR).\n"
"\n"
"  -i, --input FILE      the corpus (or give it as INPUT)\n"
"  -o, --output FILE     write the rewritten corpus (atomically; default stdout)\n"
"      --scoring w2v|npmi  w2v (default): (n(ab) - min_count) / (n(a) n(b)) * N,\n"
"                        N the words in the corpus, as word2phrase; npmi:\n"
"                        gensim's normalised PMI ln(p(ab) / (p(a) p(b))) / -ln p(ab),\n"
"                        p(x) = n(x) / N, in -1..1\n"
"      --threshold T     join a pair when its score is above T (default %g for\n"
"                        w2v, %g for npmi); with --passes, the last pass's\n"
"      --min-count N     a pair and each of its words must occur N times\n"
"                        (default %lld, as word2phrase)\n"
"      --passes N        rounds, each on the previous one's output (1..%d,\n"
"                        default %d): longer phrases ('new_york_times'). Pass k\n"
"                        of N uses T x 2^(N-k) (w2v: 2 passes at 100 are 200\n"
"                        then 100, as word2vec's demo) or, with npmi, halves\n"
"                        the distance to 1 for each earlier pass (0.75, 0.5)\n"
"      --delimiter S     joins the words (default '%s'; no whitespace)\n"
"  -t, --threads N       threads for counting a plain file in byte ranges\n"
"                        (default: online CPUs, here %d); the output does not\n"
"                        depend on it unless the table had to prune\n"
"      --max-entries N   words + pairs held while counting (default %lld,\n"
"                        about 60 bytes each); when the table passes N the\n"
"                        rarest are dropped, as word2vec does, and the\n"
"                        summary says so\n"
"      --save-phrases FILE  write 'phrase score count' lines: every pair each\n"
"                        pass may join, pass by pass, best score first\n"
"  -q, --quiet           no progress or summary on stderr\n"
"  -h, --help            this text\n"
"\n"
"example (the 1M-word benchmark corpus, then training on the result):\n"
"  $ theta phrases corpus-small.txt -o phrased.txt --passes 2\n"
"  $ theta train --input phrased.txt --output v.txt\n",
            THETA_MAX_WORD, theta_phrases_default_threshold(THETA_PHRASES_W2V),
            theta_phrases_default_threshold(THETA_PHRASES_NPMI), (long long)d.min_count,
            THETA_PHRASES_MAX_PASSES, d.passes, d.delimiter, d.threads,
            (long long)d.max_entries);
}

typedef struct {
    int quiet;
    int tty;
    int printed; /* a \r line is on screen */
    double start, last;
    int stage;   /* 2 * pass + writing, of the stage started at stage_start */
    double stage_start;
} progress_ctx;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    if (stop_flag)
        _exit(128 + sig);
    stop_flag = sig;
}

static int on_progress(const theta_phrases_progress *p, void *user)
{
    progress_ctx *c = user;
    double now = theta_now();
    if (2 * p->pass + p->writing != c->stage) {
        c->stage = 2 * p->pass + p->writing;
        c->stage_start = now;
    }
    if (!c->quiet && now - c->last >= (c->tty ? 0.5 : 5.0)) {
        c->last = now;
        double mb = (double)p->bytes_done / 1e6, took = now - c->stage_start;
        char pct[32] = "", rate[32] = "";
        if (p->bytes_total > 0)
            snprintf(pct, sizeof pct, " %5.1f%%", 100.0 * (double)p->bytes_done /
                                                      (double)p->bytes_total);
        if (took > 0.5)
            snprintf(rate, sizeof rate, "  %.1f MB/s", mb / took);
        fprintf(stderr, "%spass %d/%d %s%s  %.1f MB%s%s", c->tty ? "\r" : "", p->pass, p->passes,
                p->writing ? "writing " : "counting", pct, mb, rate, c->tty ? "   " : "\n");
        c->printed = c->tty;
    }
    return stop_flag != 0;
}

static void print_summary(const theta_phrases_stats *s, const char *out, double seconds)
{
    for (int k = 0; k < s->passes; k++) {
        const theta_phrases_pass_stats *p = &s->pass[k];
        fprintf(stderr,
                "theta phrases: pass %d/%d (threshold %g): %lld words, %lld words and pairs "
                "counted, %lld phrases above the threshold, %lld pairs joined\n",
                k + 1, s->passes, p->threshold, (long long)p->words, (long long)p->entries,
                (long long)p->phrases, (long long)p->joins);
        if (p->pruned)
            fprintf(stderr,
                    "theta phrases: pass %d: the count table was full: pruned %lld rare words "
                    "and pairs (every count below %lld); raise --max-entries for exact "
                    "counts\n",
                    k + 1, (long long)p->pruned, (long long)p->pruned_below);
    }
    fprintf(stderr, "theta phrases: wrote %lld tokens to %s in %.1f s\n",
            (long long)s->tokens_out, out ? out : "standard output", seconds);
}

enum { OPT_SCORING = 256, OPT_THRESHOLD, OPT_MIN_COUNT, OPT_PASSES, OPT_DELIMITER,
       OPT_MAX_ENTRIES, OPT_SAVE_PHRASES };

typedef struct {
    theta_phrases_config cfg;
    const char *input, *output, *save;
    int quiet;
} phrases_args;

/* One option of theta phrases (not -h); 0, or a usage error's status. */
static int parse_phrases_option(phrases_args *a, int c, const char *text, const char **threshold,
                                char **argv)
{
    long long v;
    switch (c) {
    case 'i':
        if (a->input)
            return cli_usage_error("phrases", "one INPUT expected, got '%s' too", text);
        a->input = text;
        return 0;
    case 'o': a->output = text; return 0;
    case OPT_SCORING:
        if (strcmp(text, "w2v") == 0)
            a->cfg.scoring = THETA_PHRASES_W2V;
        else if (strcmp(text, "npmi") == 0)
            a->cfg.scoring = THETA_PHRASES_NPMI;
        else
            return cli_usage_error("phrases", "--scoring must be w2v or npmi, not '%s'", text);
        return 0;
    case OPT_THRESHOLD: *threshold = text; return 0;
    case OPT_MIN_COUNT:
        if (cli_parse_int(text, 1, INT64_MAX, &v))
            return cli_usage_error("phrases", "--min-count must be a positive integer, not "
                                              "'%s'", text);
        a->cfg.min_count = v;
        return 0;
    case OPT_PASSES:
        if (cli_parse_int(text, 1, THETA_PHRASES_MAX_PASSES, &v))
            return cli_usage_error("phrases", "--passes must be in 1..%d, not '%s'",
                                   THETA_PHRASES_MAX_PASSES, text);
        a->cfg.passes = (int)v;
        return 0;
    case OPT_DELIMITER: a->cfg.delimiter = text; return 0;
    case 't':
        if (cli_parse_int(text, 1, 512, &v))
            return cli_usage_error("phrases", "--threads must be in 1..512, not '%s'", text);
        a->cfg.threads = (int)v;
        return 0;
    case OPT_MAX_ENTRIES:
        if (cli_parse_int(text, 16, 1LL << 30, &v))
            return cli_usage_error("phrases", "--max-entries must be in 16..%lld, not '%s'",
                                   1LL << 30, text);
        a->cfg.max_entries = v;
        return 0;
    case OPT_SAVE_PHRASES: a->save = text; return 0;
    case 'q': a->quiet = 1; return 0;
    default: return cli_option_error("phrases", c, argv);
    }
}

/* The command line into a; 0, -1 after --help, or a usage error's status. */
static int parse_phrases_args(int argc, char **argv, phrases_args *a)
{
    static const struct option opts[] = {
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"scoring", required_argument, NULL, OPT_SCORING},
        {"threshold", required_argument, NULL, OPT_THRESHOLD},
        {"min-count", required_argument, NULL, OPT_MIN_COUNT},
        {"passes", required_argument, NULL, OPT_PASSES},
        {"delimiter", required_argument, NULL, OPT_DELIMITER},
        {"threads", required_argument, NULL, 't'},
        {"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
        {"save-phrases", required_argument, NULL, OPT_SAVE_PHRASES},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    a->cfg = theta_phrases_config_default();
    const char *threshold_arg = NULL;
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:o:t:qh", opts, NULL)) != -1) {
        if (c == 'h') {
            help_phrases(stdout);
            return -1;
        }
        if ((rc = parse_phrases_option(a, c, optarg, &threshold_arg, argv)))
            return rc;
    }
    for (; optind < argc; optind++) {
        if (a->input)
            return cli_usage_error("phrases", "one INPUT expected, got '%s' too", argv[optind]);
        a->input = argv[optind];
    }
    if (!a->input)
        return cli_usage_error("phrases", "missing INPUT");
    a->cfg.threshold = theta_phrases_default_threshold(a->cfg.scoring);
    if (threshold_arg && cli_parse_double(threshold_arg, -HUGE_VAL, HUGE_VAL, &a->cfg.threshold))
        return cli_usage_error("phrases", "--threshold must be a number, not '%s'",
                               threshold_arg);
    if (theta_phrases_config_validate(&a->cfg))
        return cli_usage_error("phrases", "%s", theta_last_error());
    if (a->output && strcmp(a->output, "-") == 0)
        a->output = NULL;
    /* no output may name the input or the other output (links followed) */
    const cli_file in[] = {{"--input", a->input, NULL}};
    const cli_file out[] = {{"-o", a->output, NULL}, {"--save-phrases", a->save, NULL}};
    return cli_check_paths("phrases", in, 1, out, 2) ? 2 : 0;
}

int cmd_phrases(int argc, char **argv)
{
    phrases_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_phrases_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    /* quiet: the progress hook prints nothing but still stops on a signal */
    progress_ctx pctx = {a.quiet, isatty(STDERR_FILENO), 0, theta_now(), theta_now(), 0, 0};
    theta_phrases_hooks hooks = {a.output, stdout, a.save, on_progress, &pctx};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    theta_phrases_stats stats;
    theta_status st = theta_phrases_run(a.input, &a.cfg, &hooks, &stats);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (pctx.printed)
        fputc('\n', stderr);
    if (st == THETA_EINTR && stop_flag) {
        fprintf(stderr, "theta phrases: stopped by signal %d%s%s\n", (int)stop_flag,
                a.output ? "; nothing written to " : "", a.output ? a.output : "");
        return 128 + (int)stop_flag;
    }
    if (st)
        return cli_error("phrases", "%s", theta_last_error());
    if (!a.quiet)
        print_summary(&stats, a.output, theta_now() - pctx.start);
    return 0;
}
