/*
 * cmd_dims.c — `theta dims FILE`: how many dimensions of trained vectors
 * really differ (classes of identical dimensions, zero and duplicate rows,
 * numerical rank, top singular values) for a model's input and output
 * matrices or a vector file, as a report with a one-line verdict per matrix
 * or as one JSON object. The analysis is theta_dims_analyze (src/dims.c).
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void help_dims(FILE *out)
{
    fprintf(out,
"usage: theta dims [options] FILE\n"
"\n"
"Reports how many dimensions of trained vectors are really different. FILE is a\n"
"theta model (.theta, both matrices) or a vector file: word2vec text or binary,\n"
"fastText .vec or GloVe, detected from the content, not the name.\n"
"\n"
"For each matrix: rows, dimensions, all-zero rows, duplicate rows (distinct words\n"
"with bit-identical vectors), classes of identical dimensions (columns equal in\n"
"every row), the numerical rank (singular values above %g x the largest, from\n"
"the eigenvalues of the Gram matrix in double), the top %d singular values and\n"
"the share of the first direction; then one verdict line per matrix.\n"
"\n"
"Beside the exact verdicts, two continuous measures of how far a matrix is from\n"
"symmetric (double precision; JSON keys sigma_ratio, effective_rank):\n"
"  sigma_2/sigma_1   the second singular value over the first: 0 when every\n"
"                    dimension is a multiple of one column (a symmetric start),\n"
"                    tiny for a slightly perturbed one, O(1) once they differ\n"
"  effective rank    exp(H), H = -sum p_i ln p_i with p_i = sigma_i / sum sigma_j\n"
"                    (Roy & Vetterli 2007): 1 for rank 1, the number of\n"
"                    dimensions when all singular values are equal\n"
"Singular values with sigma_i^2 <= k x 2.2e-16 x sigma_1^2 (k distinct\n"
"dimensions) are at the rounding level of the Gram matrix and count as 0.\n"
"\n"
"Options:\n"
"      --matrix in|out|both  the matrices of a model to report (default both;\n"
"                          a vector file has only 'in')\n"
"      --tol T             dimensions are identical when max |a - b| <= T x the\n"
"                          largest |value| in the matrix (default 0: exact float\n"
"                          equality, +0 equals -0)\n"
"      --json              one JSON object on stdout instead of the report\n"
"  -h, --help              this text\n"
"\n"
"A dimension that holds a NaN is identical to no other; rows holding a NaN or\n"
"an infinity are left out of the rank. The rank is always exact-arithmetic on\n"
"the stored values; --tol only changes which dimensions count as identical.\n"
"Exit status: 0 ok, 1 unreadable or invalid file, 2 usage error.\n",
            THETA_DIMS_RANK_REL, THETA_DIMS_TOP);
}

enum { OPT_MATRIX = 256, OPT_TOL, OPT_JSON };

static const struct option long_options[] = {
    {"matrix", required_argument, NULL, OPT_MATRIX},
    {"tol", required_argument, NULL, OPT_TOL},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

enum { WANT_IN = 1, WANT_OUT = 2 };

typedef struct {
    const char *name;  /* "in" or "out" */
    theta_dims_report rep;
    char verdict[320]; /* the longest verdict is 297 bytes */
} matrix_result;

/* ---- JSON --------------------------------------------------------------- */

static void print_json(FILE *f, const char *path, const char *format, double tol,
                       const matrix_result *mr, int n)
{
    fputs("{\"file\": ", f);
    cli_json_string(f, path);
    fputs(", \"format\": ", f);
    cli_json_string(f, format);
    fputs(", \"tolerance\": ", f);
    cli_json_number(f, tol, 9);
    fprintf(f, ", \"equality\": \"%s\", \"rank_rel\": ", tol > 0 ? "tolerance" : "exact");
    cli_json_number(f, THETA_DIMS_RANK_REL, 9);
    fputs(", \"matrices\": [", f);
    for (int i = 0; i < n; i++) {
        const theta_dims_report *r = &mr[i].rep;
        fprintf(f, "%s{\"name\": \"%s\", \"rows\": %lld, \"dims\": %d, \"distinct_dims\": %d, "
                   "\"identical_dims\": %d, \"largest_class\": %d, \"rank\": ",
                i ? ", " : "", mr[i].name, (long long)r->rows, r->dim, r->distinct_dims,
                r->identical_dims, r->largest_class);
        if (r->rank >= 0)
            fprintf(f, "%d", r->rank);
        else
            fputs("null", f);
        fprintf(f, ", \"zero_rows\": %lld, \"duplicate_rows\": %lld, \"all_zero\": %s, "
                   "\"nan_dims\": %d, \"nonfinite_rows\": %lld, \"max_abs\": ",
                (long long)r->zero_rows, (long long)r->duplicate_rows,
                r->all_zero ? "true" : "false", r->nan_dims, (long long)r->nonfinite_rows);
        cli_json_number(f, r->max_abs, 9);
        fputs(", \"threshold\": ", f);
        cli_json_number(f, r->threshold, 9);
        fputs(", \"first_share\": ", f);
        cli_json_number(f, r->first_share, 9);
        fputs(", \"sigma_ratio\": ", f);
        cli_json_number(f, r->sigma_ratio, 17);
        fputs(", \"effective_rank\": ", f);
        cli_json_number(f, r->effective_rank, 17);
        fputs(", \"singular_values\": [", f);
        for (int t = 0; r->rank >= 0 && t < r->n_singular; t++) {
            if (t)
                fputs(", ", f);
            cli_json_number(f, r->singular[t], 9);
        }
        fputs("], \"verdict\": ", f);
        cli_json_string(f, mr[i].verdict);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

/* ---- report ------------------------------------------------------------- */

static const char *long_name(const char *name)
{
    return strcmp(name, "out") == 0 ? "output matrix" : "input matrix";
}

static void make_verdict(matrix_result *mr, double tol)
{
    const theta_dims_report *r = &mr->rep;
    char rank[32], within[48] = "";
    if (r->rank >= 0)
        snprintf(rank, sizeof rank, "rank %d", r->rank);
    else
        snprintf(rank, sizeof rank, "rank not computed");
    if (tol > 0)
        snprintf(within, sizeof within, " within --tol %g", tol);
    const char *what = NULL;
    char partly[64];
    if (r->rows > 0 && r->all_zero) {
        what = "all zero";
    } else if (r->distinct_dims == 1 && r->dim > 1) {
        what = "symmetric";
    } else if (r->identical_dims > 0) {
        snprintf(partly, sizeof partly, "partly symmetric (largest class %d)", r->largest_class);
        what = partly;
    }
    char nan[64] = "";
    if (r->nan_dims > 0)
        snprintf(nan, sizeof nan, "%sNaN in %d dimension%s", what ? "; " : "", r->nan_dims,
                 r->nan_dims == 1 ? "" : "s");
    snprintf(mr->verdict, sizeof mr->verdict, "%s: %d of %d dimensions identical%s (%d distinct), %s%s%s%s",
             long_name(mr->name), r->identical_dims, r->dim, within, r->distinct_dims, rank,
             what || nan[0] ? " \xe2\x80\x94 " : "", what ? what : "", nan);
}

static void print_report(FILE *f, const char *path, const char *format, double tol,
                         const matrix_result *mr, int n)
{
    fprintf(f, "file:      %s\nformat:    %s\n", path, format);
    if (tol > 0)
        fprintf(f, "equality:  within tolerance: max |a - b| <= %g x max |value| (per matrix)\n",
                tol);
    else
        fprintf(f, "equality:  exact (float equality; +0 equals -0)\n");
    for (int i = 0; i < n; i++) {
        const theta_dims_report *r = &mr[i].rep;
        fprintf(f, "\n%s (%s): %lld rows x %d dimensions\n", long_name(mr[i].name), mr[i].name,
                (long long)r->rows, r->dim);
        fprintf(f, "  zero rows         %lld\n", (long long)r->zero_rows);
        fprintf(f, "  duplicate rows    %lld (rows equal to an earlier row)\n",
                (long long)r->duplicate_rows);
        fprintf(f, "  all zero          %s\n", r->all_zero ? "yes" : "no");
        fprintf(f, "  max |value|       %.9g\n", r->max_abs);
        if (tol > 0)
            fprintf(f, "  tolerance         %.9g (= %g x %.9g)\n", r->threshold, tol, r->max_abs);
        fprintf(f, "  distinct dims     %d (classes of identical dimensions)\n", r->distinct_dims);
        fprintf(f, "  identical dims    %d (dimensions identical to at least one other)\n",
                r->identical_dims);
        fprintf(f, "  largest class     %d\n", r->largest_class);
        if (r->nan_dims > 0 || r->nonfinite_rows > 0)
            fprintf(f, "  NaN / Inf         %d dimension%s hold a NaN (a NaN dimension is identical "
                       "to no other); %lld row%s with NaN or Inf left out of the rank\n",
                    r->nan_dims, r->nan_dims == 1 ? "" : "s", (long long)r->nonfinite_rows,
                    r->nonfinite_rows == 1 ? "" : "s");
        if (r->rank >= 0) {
            fprintf(f, "  rank              %d (singular values above %g x the largest)\n",
                    r->rank, THETA_DIMS_RANK_REL);
            fprintf(f, "  singular values  ");
            for (int t = 0; t < r->n_singular; t++)
                fprintf(f, " %.6g", r->singular[t]);
            fprintf(f, "%s\n", r->n_singular < r->dim ? " ..." : "");
            fprintf(f, "  first direction   %.4g%% of the variance (sigma_1^2 / sum sigma_i^2)\n",
                    100 * r->first_share);
            fprintf(f, "  sigma_2/sigma_1   %.6g (0: every dimension a multiple of one)\n",
                    r->sigma_ratio);
            fprintf(f, "  effective rank    %.6g (exp of the entropy of sigma_i / sum sigma)\n",
                    r->effective_rank);
        } else {
            fprintf(f, "  rank              not computed (more than %d distinct dimensions)\n",
                    THETA_DIMS_MAX_RANK_DIM);
        }
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\n", mr[i].verdict);
}

/* ---- the command -------------------------------------------------------- */

int cmd_dims(int argc, char **argv)
{
    static const char *cmd = "dims";
    int want = WANT_IN | WANT_OUT, matrix_given = 0, json = 0;
    double tol = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_MATRIX:
            if (strcmp(optarg, "in") == 0)
                want = WANT_IN;
            else if (strcmp(optarg, "out") == 0)
                want = WANT_OUT;
            else if (strcmp(optarg, "both") == 0)
                want = WANT_IN | WANT_OUT;
            else
                return cli_usage_error(cmd, "--matrix must be in, out or both, not '%s'", optarg);
            matrix_given = 1;
            break;
        case OPT_TOL:
            if (cli_parse_double(optarg, 0, 1, &tol))
                return cli_usage_error(cmd, "--tol must be a number in [0, 1], not '%s'", optarg);
            break;
        case OPT_JSON:
            json = 1;
            break;
        case 'h':
            help_dims(stdout);
            return 0;
        case ':':
            return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no FILE given");
    if (optind < argc - 1)
        return cli_usage_error(cmd, "one FILE only, not also '%s'", argv[optind + 1]);
    const char *path = argv[optind];

    theta_model *model = NULL;
    theta_vectors *vec = NULL;
    const char *format;
    matrix_result mr[2];
    int n = 0;
    if (theta_file_is_model(path)) {
        if (theta_model_load(path, &model))
            return cli_error(cmd, "%s", theta_last_error());
        format = "theta-model";
        if (want & WANT_IN)
            mr[n++].name = "in";
        if (want & WANT_OUT)
            mr[n++].name = "out";
    } else {
        if (matrix_given && want == WANT_OUT)
            return cli_usage_error(cmd, "%s: --matrix out needs a theta model; a vector file has "
                                        "only the input matrix", path);
        if (theta_vectors_load(path, &vec))
            return cli_error(cmd, "%s", theta_last_error());
        format = vec->format;
        mr[n++].name = "in";
    }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const float *m;
        int64_t rows;
        int dim;
        if (model) {
            int out = strcmp(mr[i].name, "out") == 0;
            m = out ? model->out : model->in;
            rows = out ? model->out_rows : model->vocab->size;
            dim = model->cfg.dim;
        } else {
            m = vec->data;
            rows = vec->rows;
            dim = vec->dim;
        }
        if (theta_dims_analyze(m, rows, dim, tol, &mr[i].rep))
            rc = cli_error(cmd, "%s: %s matrix: %s", path, mr[i].name, theta_last_error());
        else
            make_verdict(&mr[i], tol);
    }
    if (!rc) {
        if (json)
            print_json(stdout, path, format, tol, mr, n);
        else
            print_report(stdout, path, format, tol, mr, n);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = cli_error(cmd, "write error on standard output");
    }
    theta_model_free(model);
    theta_vectors_free(vec);
    return rc;
}
