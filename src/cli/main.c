/* main.c — the theta program: dispatches to one command per cmd_<name>.c. */
#include "cli.h"
#include "theta_mpi.h"

#include <string.h>

static const cli_command commands[] = {
    {"train", cmd_train, "train word vectors on a corpus", help_train},
    {"nn", cmd_nn, "nearest neighbours of words by cosine similarity", help_nn},
    {"analogy", cmd_analogy, "solve a : b :: c : ? (3CosAdd or 3CosMul)", help_analogy},
    {"eval", cmd_eval, "analogy accuracy and word-pair correlations", help_eval},
    {"export", cmd_export, "write a model's matrix, or convert vectors (txt, bin, npy)", help_export},
    {"info", cmd_info, "format, shape, hyper-parameters and state of a file", help_info},
    {"classes", cmd_classes, "k-means clusters of the vectors (word2vec -classes)", help_classes},
    {"dims", cmd_dims, "report identical dimensions and rank of trained vectors", help_dims},
    {"phrases", cmd_phrases, "join frequent word pairs into one token (word2phrase)", help_phrases},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: theta <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'theta help <command>' or 'theta <command> --help' for its options.\n"
                 "'theta --version' prints the version.\n");
}

static const cli_command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("theta %s (kernel: %s)%s\n", THETA_VERSION, theta_kernel_isa(),
               theta__mpi_available() ? " mpi" : "");
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        const cli_command *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "theta: unknown command '%s'\n", argv[2]);
            return 2;
        }
        c->help(stdout);
        return 0;
    }
    const cli_command *c = find(name);
    if (!c) {
        fprintf(stderr, "theta: unknown command '%s'\n", name);
        usage(stderr);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
