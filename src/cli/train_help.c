/*
 * train_help.c — the text of `theta help train` (and `theta train --help`),
 * printed a section at a time; the defaults come from the library.
 */
#include "cmd_train.h"

/* theta help train, a section at a time. */
static void help_files(FILE *out)
{
    fprintf(out,
"usage: theta train --input FILE... [options]\n"
"\n"
"Trains word vectors on a text corpus: whitespace-separated words, one sentence\n"
"per line, plain or gzip-compressed; FILE '-' reads standard input. Several\n"
"files are one corpus, read in the order given. No output may name an input or\n"
"another output (refused with exit 2 before any work).\n"
"\n"
"Input and output:\n"
"  -i, --input FILE...     corpus: one or more files, plain or .gz, '-' (stdin)\n"
"                          at most once; an input read more than once that\n"
"                          cannot seek (stdin, a FIFO, <(zcat a.gz)) is copied\n"
"                          to a file without a name in $TMPDIR (default /tmp)\n"
"      --stream            read the text every epoch; by default one input of at\n"
"                          most 2^26 tokens is kept as word ids after counting\n"
"                          (1-2 bytes a token), so that training reads no text\n"
"  -o, --output FILE       write the word vectors (word2vec text format)\n"
"      --binary            write --output/--output-context in word2vec binary format\n"
"      --center            write --output's vectors less each dimension's mean\n"
"                          (better analogies; the model keeps the trained rows)\n"
"      --output-context FILE  write the output matrix (rows: words for ns/softmax,\n"
"                          inner tree nodes __node_N for hs)\n"
"      --save-model FILE   write theta's model file (both matrices, vocabulary,\n"
"                          hyper-parameters, training state)\n"
"      --save-vocab FILE   write the vocabulary ('word count' lines)\n"
"      --read-vocab FILE   use this vocabulary instead of counting the corpus\n"
"      --log-json FILE     append one JSON object per epoch: loss, rate, time, and\n"
"                          for both matrices the distinct dimensions, identical\n"
"                          dimensions and rank (as theta dims computes them), and\n"
"                          in in_spread / out_spread sigma_2/sigma_1 and the\n"
"                          effective rank (see theta help dims)\n"
"      --log-every-words N  also log every N words (training pauses briefly)\n"
"      --checkpoint FILE   save the model and training state to FILE every\n"
"                          --checkpoint-every seconds (default 300) and on\n"
"                          SIGINT/SIGTERM; resume with --resume FILE\n"
"      --checkpoint-every S  seconds between checkpoints\n"
"      --resume FILE       continue the run saved in FILE (same corpus; training\n"
"                          options come from FILE and may be omitted)\n"
"  -q, --quiet             no progress or summary on stderr\n"
"      --sync-words N      MPI builds (mpirun -np N theta train --input SHARDS...):\n"
"                          words each rank trains between two sums of the ranks'\n"
"                          changes to the matrices (default %d / ranks, at\n"
"                          least %d; frequent words every time, all words at\n"
"                          every --sync-full-every-th time and at the end of\n"
"                          each epoch)\n"
"      --sync-full-every K  every row at every K-th sync (default %d)\n"
"      --sync-merge sum|mean|mean:M  a row's changes on several ranks: added\n"
"                          up, or their mean, or their mean for the rows of the\n"
"                          M most frequent words only (default mean:%lld; a\n"
"                          change one rank alone made, and every change at the\n"
"                          end of an epoch, is kept in full)\n"
"      --sync-precision float32|bfloat16  the deltas of the syncs within an epoch\n"
"                          (default float32; bfloat16 sends half the bytes; the\n"
"                          last sync of each epoch is always exact float32)\n"
"      --sync-every S      sync every S seconds instead of every N words (the\n"
"                          vectors then depend on the machine's speed)\n"
"\n",
            SYNC_WORDS_JOB, SYNC_WORDS_MIN, SYNC_FULL_EVERY_DEFAULT, (long long)SYNC_MEAN_ROWS_DEFAULT);
}

static void help_warm(FILE *out)
{
    fputs(
"Warm starts (docs/training.md):\n"
"      --init-in file:PATH[,S]  start the input matrix's rows from the vectors in\n"
"                          PATH (word2vec text/binary, fastText .vec, GloVe, or a\n"
"                          .theta model's input matrix), matched by word; words\n"
"                          PATH lacks start from S (default: the usual default)\n"
"      --init-out file:PATH[,S]  the same for the output matrix (a model's output\n"
"                          matrix; not with --loss hs: its rows are tree nodes)\n"
"      --init-from MODEL   continue MODEL (ns or softmax) on this corpus, a new run:\n"
"                          the vocabulary is MODEL's words (ids and rows kept)\n"
"                          + this corpus's new words reaching --min-count\n"
"                          (appended by count, started by --init-in/--init-out);\n"
"                          counts for sampling and subsampling are MODEL's +\n"
"                          this corpus's; --alpha restarts and decays over this\n"
"                          run; dim, loss and model come from MODEL\n"
"\n", out);
}

static void help_model(FILE *out, const theta_config *d)
{
    fprintf(out,
"Model:\n"
"      --model skipgram|cbow  architecture (default skipgram)\n"
"      --loss ns|hs|softmax   negative sampling (default), hierarchical softmax, or\n"
"                          full softmax (cost grows with the vocabulary: for small\n"
"                          vocabularies, up to a few thousand words)\n"
"      --dim N             dimensions (default %d)\n"
"      --window N          maximum context distance (default %d)\n"
"      --negative N        negative samples per example (default %d)\n"
"      --noise-uniform U   share of negatives drawn uniformly over the words, the\n"
"                          rest by count^0.75 (default %g; word2vec.c: about the\n"
"                          share of </s> in its table)\n"
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
"      --share-negatives N  batch kernel, skip-gram, ns: N neighbouring centre\n"
"                          words share one draw of negatives, one GEMM (faster,\n"
"                          fewer distinct negatives: lower analogy scores at 1\n"
"                          epoch; default 1, one draw per centre word; 1..16)\n"
"      --isa auto|avx512f|avx2|sse2  force the kernels' instruction set (results\n"
"                          are identical on every one; default: the best here)\n"
"\n",
            d->dim, d->window, d->negative, (double)d->noise_uniform, d->sample, d->alpha,
            theta_config_default_alpha(THETA_LOSS_HS), d->epochs, (long long)d->min_count,
            d->threads, (unsigned long long)d->seed);
}

static void help_init(FILE *out)
{
    fputs(
"Initialisation (each matrix): w2v | zero | const:C | uniform:A | normal:SIGMA |\n"
"scaled:K (uniform in +-K/dim), each optionally perturbed: +normal:S or\n"
"+uniform:A adds N(0, S^2) or U(-A, A) noise to every element, drawn from --seed\n"
"(const:0.1+normal:1e-6: a constant start whose dimensions differ by ~1e-6;\n"
"+normal:0 leaves the start unchanged, bit for bit)\n"
"      --init-in S         input matrix (default scaled:1, uniform in +-1/dim;\n"
"                          w2v: word2vec's +-0.5/dim)\n"
"      --init-out S        output matrix (default zero, as w2v)\n"
"      --zero-init         both matrices zero (nothing will ever move)\n"
"\n"
"word2vec's flags work too, with word2vec's meanings: -train -output -size\n"
"-window -sample -hs -negative -threads -iter -min-count -alpha -binary -cbow\n"
"-save-vocab -read-vocab (theta's default model is skip-gram; -cbow 1 selects CBOW;\n"
"-hs 1 selects hierarchical softmax and needs -negative 0).\n", out);
}

void help_train(FILE *out)
{
    theta_config d = theta_config_default();
    help_files(out);
    help_warm(out);
    help_model(out, &d);
    help_init(out);
}
