/* main.c — the theta program: dispatches to one command per cmd_<name>.c. */
#include "cli.h"

#include <string.h>

static const cli_command commands[] = {
    {"train", cmd_train, "train word vectors on a corpus", help_train},
    {"dims", cmd_dims, "report identical dimensions and rank of trained vectors", help_dims},
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
        printf("theta %s (kernel: %s)\n", THETA_VERSION, theta_kernel_isa());
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
