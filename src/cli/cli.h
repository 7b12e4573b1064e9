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

/* A matrix of named vectors from either a .theta model (which: 0 the input
 * matrix, 1 the output matrix) or a word-vector file in any format
 * theta_vectors_load reads (which must be 0). load.c. */
typedef struct {
    int64_t rows;
    int dim;
    float *data;           /* (rows, dim) */
    const char **words;    /* [rows] (a model's: theta_model_row_names, owned) */
    char format[40];       /* "theta-model" or the detected vector format */
    theta_model *model;    /* owner, for a model */
    theta_vectors *vectors;/* owner, for a vector file */
} cli_vectors;

/* Loads path; on failure prints "theta CMD: message" and returns 1. */
int cli_load_vectors(const char *cmd, const char *path, int which, cli_vectors *out);
void cli_vectors_free(cli_vectors *v);

/* cli_load_vectors, then a search index over them (the vectors are
 * normalised in place). On failure prints "theta CMD: message", frees
 * what it loaded and returns 1; else the caller frees *ix, then *v. */
int cli_load_index(const char *cmd, const char *path, int which, cli_vectors *v,
                   theta_eval_index **ix);

/* Parses "in" / "out" for --matrix; -1 if neither. */
int cli_parse_matrix(const char *s);

/* s as a JSON string literal: quoted, escaped, invalid UTF-8 bytes as U+FFFD. */
void cli_json_string(FILE *f, const char *s);
/* A finite number with %.*g, or null. */
void cli_json_number(FILE *f, double v, int digits);

/* Splits line in place at ASCII whitespace into tok[max]; returns the
 * number of words, or max + 1 if there are more. */
int cli_split_words(char *line, char **tok, int max);

/* The usage error for getopt_long's '?' or ':' (optstring starting with ':',
 * opterr = 0): names the option from argv[optind - 1]. Returns 2. */
int cli_option_error(const char *cmd, int c, char **argv);

/* The search options nn and analogy share: -k N, --restrict N, --matrix in|out.
 * CLI_OPT_RESTRICT / CLI_OPT_MATRIX are their getopt codes. Returns 1 if c
 * was one of them (parsed into *k, *limit, *which), 0 if not, or 2 after
 * printing a usage error. */
enum { CLI_OPT_RESTRICT = 256, CLI_OPT_MATRIX, CLI_OPT_FIRST_FREE };
int cli_search_option(const char *cmd, int c, long long *k, long long *limit, int *which);

/* Parses "3cosadd" / "3cosmul" for --method; -1 if neither. cmd_analogy.c. */
int cli_parse_method(const char *s, theta_analogy_method *out);

/* Threads for an analysis command: the trainer's default (online CPUs). */
int cli_default_threads(void);

/* A file a command reads or writes, named by its option ("--output", or
 * "the input FILE" for an argument). may_be: an input option this output
 * may name (train's --checkpoint may be the --resume file), or NULL. */
typedef struct {
    const char *option;
    const char *path;   /* NULL: not given; "-": standard input/output */
    const char *may_be;
} cli_file;

/* No output may name an input or another output (paths.c): call before any
 * work. Existing files are compared by device and inode after following
 * links, files still to be written by their normalised absolute paths;
 * outputs that are not regular files (/dev/null) and "-" never clash.
 * Prints one line for the first clash, "theta CMD: --output names the same
 * file as --input: c.txt (refusing to overwrite an input)", and returns 2;
 * else 0. */
int cli_check_paths(const char *cmd, const cli_file *inputs, int ninputs, const cli_file *outputs,
                    int noutputs);

/* The commands (one cmd_<name>.c each). */
int cmd_train(int argc, char **argv);
void help_train(FILE *out);
int cmd_nn(int argc, char **argv);
void help_nn(FILE *out);
int cmd_analogy(int argc, char **argv);
void help_analogy(FILE *out);
int cmd_eval(int argc, char **argv);
void help_eval(FILE *out);
int cmd_export(int argc, char **argv);
void help_export(FILE *out);
int cmd_info(int argc, char **argv);
void help_info(FILE *out);
int cmd_classes(int argc, char **argv);
void help_classes(FILE *out);
int cmd_dims(int argc, char **argv);
void help_dims(FILE *out);
int cmd_phrases(int argc, char **argv); void help_phrases(FILE *out);

#endif
