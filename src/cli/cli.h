/*
 * cli.h — shared pieces of the theta program: the command signature, strict
 * number parsing, and error printing. Commands print data to stdout and
 * diagnostics to stderr; they return 0 (ok), 1 (runtime error), 2 (usage).
 */
#ifndef THETA_CLI_H
#define THETA_CLI_H

#include "theta.h"

typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct {
    const char *name;
    cli_command_fn run;
    const char *summary;
    void (*help)(FILE *out); /* full usage text */
} cli_command;

/* Strict parses: the whole string, within [lo, hi]; 0 on success. */
int cli_parse_int(const char *s, long long lo, long long hi, long long *out);
int cli_parse_double(const char *s, double lo, double hi, double *out);

/* "theta CMD: message" on stderr; returns 1 (runtime) or 2 (usage). */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The commands (one cmd_<name>.c each). */
int cmd_train(int argc, char **argv);
void help_train(FILE *out);
int cmd_dims(int argc, char **argv);
void help_dims(FILE *out);

#endif
