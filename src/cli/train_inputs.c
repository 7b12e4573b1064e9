/*
 * train_inputs.c — the files `theta train` reads and writes, before any
 * work: no output may name an input (cli_check_paths), every input file
 * opens, and an input that can be read only once (standard input, a FIFO,
 * process substitution's /dev/fd/N) is spooled to a nameless file in
 * $TMPDIR when the run reads it more than once.
 */
#include "cmd_train.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *cmd = "train";

int train_check_files(const train_args *a)
{
    int n = a->ninputs + 5;
    cli_file *in = calloc((size_t)n, sizeof *in);
    if (!in)
        return cli_error(cmd, "out of memory");
    for (int i = 0; i < a->ninputs; i++)
        in[i] = (cli_file){"--input", a->inputs[i], NULL};
    in[a->ninputs] = (cli_file){"--read-vocab", a->read_vocab, NULL};
    in[a->ninputs + 1] = (cli_file){"--resume", a->resume, NULL};
    in[a->ninputs + 2] = (cli_file){"--init-from", a->init_from, NULL};
    in[a->ninputs + 3] = (cli_file){"--init-in", a->init_file[0], NULL};
    in[a->ninputs + 4] = (cli_file){"--init-out", a->init_file[1], NULL};
    /* --resume alone keeps checkpointing to the file it resumed from */
    const cli_file out[] = {
        {"--output", a->output, NULL},
        {"--output-context", a->output_context, NULL},
        {"--save-model", a->save_model, NULL},
        {"--save-vocab", a->save_vocab, NULL},
        {a->given[OPT_CHECKPOINT] ? "--checkpoint" : "--resume", a->checkpoint, "--resume"},
        {"--log-json", a->log_json, NULL},
    };
    int rc = cli_check_paths(cmd, in, n, out, (int)(sizeof out / sizeof out[0]));
    free(in);
    return rc;
}

int train_inputs_open(train_inputs *t, const train_args *a, int nranks)
{
    const int n = a->ninputs;
    memset(t, 0, sizeof *t);
    t->n = n;
    t->paths = calloc((size_t)n, sizeof *t->paths);
    t->segs = calloc((size_t)n, sizeof *t->segs);
    t->fds = malloc((size_t)n * sizeof *t->fds);
    t->spool = calloc((size_t)n, sizeof *t->spool);
    t->streamed = calloc((size_t)n, sizeof *t->streamed);
    if (!t->paths || !t->segs || !t->fds || !t->spool || !t->streamed)
        return cli_error(cmd, "out of memory");
    for (int i = 0; i < n; i++)
        t->fds[i] = -1;
    /* every file opens before anything is read: a missing second file is
     * named before the first is spooled or counted */
    for (int i = 0; i < n; i++) {
        if (strcmp(a->inputs[i], "-") == 0 || theta_input_is_stream(a->inputs[i]))
            continue;
        int fd = open(a->inputs[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return cli_error(cmd, "%s: cannot open: %s", a->inputs[i], strerror(errno));
        close(fd);
    }
    /* one pass (a vocabulary read, one epoch, no fingerprint to check) reads
     * a stream as it comes; any other run reads it again */
    const int once = a->read_vocab && !a->resume && a->cfg.epochs == 1 && nranks == 0;
    for (int i = 0; i < n; i++) {
        const char *p = a->inputs[i];
        t->paths[i] = p;
        if (strcmp(p, "-") != 0 && !theta_input_is_stream(p))
            continue;
        if (nranks > 1)
            return cli_error(cmd, "%s: with several MPI ranks the corpus must be regular files",
                             strcmp(p, "-") ? p : "standard input");
        if (once) {
            t->streamed[i] = 1;
            continue;
        }
        int64_t bytes = 0;
        if (theta_spool_open(p, t->spool[i], sizeof t->spool[i], &t->fds[i], &bytes))
            return cli_error(cmd, "%s", theta_last_error());
        t->paths[i] = t->spool[i];
        t->spooled_bytes += bytes;
        if (!a->quiet)
            fprintf(stderr, "spooled %s (%.1f MB) to a file without a name in $TMPDIR\n",
                    strcmp(p, "-") ? p : "standard input", (double)bytes / 1e6);
    }
    for (int i = 0; i < n; i++)
        t->segs[i] = (theta_segment){t->paths[i], 0, -1};
    return 0;
}

void train_inputs_close(train_inputs *t)
{
    for (int i = 0; t->fds && i < t->n; i++)
        if (t->fds[i] >= 0)
            close(t->fds[i]);
    free(t->paths);
    free(t->segs);
    free(t->fds);
    free(t->spool);
    free(t->streamed);
    memset(t, 0, sizeof *t);
}
