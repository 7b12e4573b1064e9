#!/usr/bin/env bash
# Benchmarks theta against fastText and gensim on one corpus with the same
# settings (skip-gram, negative 5, window 5, dim 100, sample 1e-4,
# min-count 5), alternating the systems run by run, and prints one table:
# median tokens/s (corpus tokens x epochs / whole-run wall time), min-max,
# peak RSS, analogy accuracy and WS353 rho (all evaluated by `theta eval`),
# and theta's ratio to each peer; then thread scaling and the speed of the
# vocabulary pass. The learning rates: fastText and gensim at word2vec's
# alpha 0.025; theta (and theta-1thread) at its own defaults (alpha 0.05,
# input init scaled:1, batch kernel); theta-w2v with word2vec's choices
# (alpha 0.025, --init-in w2v, --kernel pair); theta-hs at --loss hs's
# default (alpha 0.0375).
#
#   scripts/bench.sh [CORPUS]        (or CORPUS=... ; default: the benchmark
#                                    corpus of scripts/bench-corpus.sh, built
#                                    once in ${XDG_CACHE_HOME:-~/.cache}/theta/bench)
#   ROUNDS=3 EPOCHS=1 THREADS=2 ANALOGIES=questions-words.txt PAIRS=wordsim353.tsv
#   PEERS="fasttext gensim"  THETA_ARGS="..." (extra theta options)
#   WORD2VEC=PATH  also word2vec.c (a binary you built from its sources; the
#                  peers then default to "fasttext gensim word2vec")
#   HS=1  also theta with --loss hs at its defaults (row theta-hs)
#   BASELINE=REV  the kernel-speed section (at the end of every run) also builds
#   REV and alternates it with this build; KERNEL_ONLY=1 runs only that section,
#   with QUALITY=1 also the quality section. The whole run includes the quality
#   section whenever ANALOGIES or PAIRS is set (QUALITY=0: not)
#   BASELINE=REV, PAIRED=1  only the paired comparison: both builds at once, 1 thread
#   each, pinned to their own CPUs (see its comment below)
#   QUALITY_ONLY=1  theta's defaults at QUALITY_EPOCHS="1 5" for SEEDS="1 2 3":
#   analogy and rho per seed and their medians (needs ANALOGIES/PAIRS)
#   MPI_ONLY=1  only the MPI lines (needs build-mpi/theta from `make MPI=1` and
#   mpirun): mpirun -np 2 x 1 thread against 1 process x 2 threads, and the
#   quality at several --sync-every periods (SYNC_PERIODS="0.1 0.5 2"), ROUNDS
#   alternating rounds, medians; theta's default alpha (these compare theta
#   with theta), needs ANALOGIES/PAIRS for the quality columns
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-${CORPUS:-}}
rounds=${ROUNDS:-3}
epochs=${EPOCHS:-1}
threads=${THREADS:-2}
peers=${PEERS:-fasttext gensim${WORD2VEC:+ word2vec}}
theta=build/theta
make --no-print-directory "$theta" >/dev/null
if [ -z "$corpus" ]; then
    bench_dir=${XDG_CACHE_HOME:-$HOME/.cache}/theta/bench
    bash scripts/bench-corpus.sh "$bench_dir" >&2
    corpus=$bench_dir/corpus-big.txt
fi
[ -r "$corpus" ] || { echo "bench.sh: cannot read corpus $corpus" >&2; exit 1; }

# peers: install when missing, and say so
for p in $peers; do
    case $p in
    fasttext) command -v fasttext >/dev/null || { echo "bench.sh: installing fasttext" >&2;
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q fasttext >/dev/null; } ;;
    gensim) /usr/bin/python3 -c 'import gensim' 2>/dev/null || { echo "bench.sh: installing python3-gensim" >&2;
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-gensim >/dev/null; } ;;
    word2vec) [ -x "${WORD2VEC:-}" ] || { echo "bench.sh: word2vec: set WORD2VEC to a word2vec.c" \
        "binary you built (no Debian or npm package has it)" >&2; exit 1; } ;;
    esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/theta-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
tokens=$(wc -w <"$corpus")
bytes=$(stat -c %s "$corpus")
# the home directory as ~: the lines are pasted into docs, which name no machine's paths
shown=$corpus
[ -n "${HOME:-}" ] && [[ $shown == "$HOME"/* ]] && shown="~${shown#"$HOME"}"
echo "corpus: $shown ($tokens tokens, $((bytes / 1000000)) MB), $epochs epoch(s), $threads threads, $rounds rounds"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), theta kernel $($theta --version | sed 's/.*kernel: //; s/)//')"

# theta at its own defaults (alpha 0.05, input init +-1/dim, batch kernel) with the
# shared settings; theta-w2v with word2vec's exact choices (alpha 0.025, +-0.5/dim, pair)
common_theta="--dim 100 --window 5 --negative 5 --sample 1e-4 --min-count 5 --epochs $epochs"
w2v_theta="--alpha 0.025 --init-in w2v --kernel pair"
run() { # name threads -> appends "name seconds rss_kb" to $work/times
    local name=$1 t=$2 out=$work/$1.bin
    local cmd
    case $name in
    theta-w2v) cmd=("$theta" train --input "$corpus" --output "$out" --binary --threads "$t" --quiet $common_theta $w2v_theta) ;;
    theta-hs) cmd=("$theta" train --input "$corpus" --output "$out" --binary --threads "$t" --quiet $common_theta --loss hs ${THETA_ARGS:-}) ;;
    theta*) cmd=("$theta" train --input "$corpus" --output "$out" --binary --threads "$t" --quiet $common_theta ${THETA_ARGS:-}) ;;
    word2vec) cmd=("$WORD2VEC" -train "$corpus" -output "$out" -cbow 0 -size 100 -window 5 -negative 5
        -hs 0 -sample 1e-4 -min-count 5 -alpha 0.025 -iter "$epochs" -threads "$t" -binary 1 -debug 0) ;;
    fasttext) cmd=(fasttext skipgram -input "$corpus" -output "$work/ft" -minn 0 -maxn 0 -loss ns -neg 5
        -ws 5 -dim 100 -t 1e-4 -minCount 5 -lr 0.025 -epoch "$epochs" -thread "$t" -verbose 0) ;;
    gensim) cmd=(/usr/bin/python3 -c "
import sys, logging
from gensim.models import Word2Vec
m = Word2Vec(corpus_file=sys.argv[1], sg=1, vector_size=100, window=5, negative=5, sample=1e-4,
             min_count=5, alpha=0.025, epochs=int(sys.argv[3]), workers=int(sys.argv[4]))
m.wv.save_word2vec_format(sys.argv[2], binary=True)" "$corpus" "$out" "$epochs" "$t") ;;
    esac
    /usr/bin/time -f "%e %M" -o "$work/time" "${cmd[@]}" >/dev/null 2>"$work/$name.err" ||
        { echo "bench.sh: $name failed:" >&2; tail -3 "$work/$name.err" >&2; exit 1; }
    [ "$name" = fasttext ] && mv "$work/ft.vec" "$out"
    echo "$name $(cat "$work/time")" >>"$work/times"
}

evaluate() { # name -> "analogy% rho"
    local args=()
    [ -n "${ANALOGIES:-}" ] && args+=(--analogies "$ANALOGIES")
    [ -n "${PAIRS:-}" ] && args+=(--pairs "$PAIRS")
    if [ ${#args[@]} -eq 0 ]; then echo "- -"; return; fi
    "$theta" eval "$work/$1.bin" "${args[@]}" --json 2>/dev/null | /usr/bin/python3 -c "
import json, sys
r = json.load(sys.stdin)
a = r.get('analogy_accuracy'); p = r.get('pairs') or [{}]
print('%s %s' % ('%.1f' % (100 * a) if a is not None else '-', '%.3f' % p[0]['spearman'] if 'spearman' in p[0] else '-'))"
}

mpi_bench() { # tokens/s and quality: -np 2 x 1 thread vs 1 process x 2 threads, sync periods
    local mpi=build-mpi/theta
    if [ ! -x "$mpi" ] || ! command -v mpirun >/dev/null; then
        echo "mpi: skipped (build with make MPI=1 and install mpirun: scripts/install-deps.sh --mpi)"
        return
    fi
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    local over=""
    mpirun --version 2>&1 | grep -q "Open MPI" && over=--oversubscribe
    # theta against theta: theta's own defaults (alpha 0.05), not the peers' alpha
    local opts="--dim 100 --window 5 --negative 5 --sample 1e-4 --min-count 5 --epochs $epochs"
    local name np t sync secs r
    # the setups alternate within each round (the machine may be shared); medians
    for r in $(seq "$rounds"); do
        while read -r name np t sync; do
            if [ "$np" = 1 ]; then
                /usr/bin/time -f "%e" -o "$work/time" "$theta" train --input "$corpus" --output "$work/$name.bin" --binary --threads "$t" --quiet $opts ${THETA_ARGS:-} 2>"$work/$name.err"
            else
                /usr/bin/time -f "%e" -o "$work/time" mpirun -np "$np" $over "$mpi" train --input "$corpus" --output "$work/$name.bin" --binary --threads "$t" --quiet $opts ${THETA_ARGS:-} --sync-every "$sync" </dev/null >/dev/null 2>"$work/$name.err"
            fi || { echo "bench.sh: $name failed:" >&2; tail -3 "$work/$name.err" >&2; exit 1; }
            secs=$(cat "$work/time")
            echo "$name $secs $(evaluate "$name")" >>"$work/mpi-times"
        done < <(echo "1-process-x-${threads}-threads 1 $threads -"
                 for p in ${SYNC_PERIODS:-0.1 0.5 2}; do echo "np2-x-1-thread-sync-$p 2 1 $p"; done)
    done
    echo
    printf "%-30s %12s %9s %7s   (medians of %d rounds)\n" "mpi run" "tokens/s" "analogy" "rho" "$rounds"
    awk -v tok="$tokens" -v ep="$epochs" '
        function sortn(a, n,  i, j, v) { for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v } }
        function med(a, k) { sortn(a, k); return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        { if (!($1 in n)) order[++names] = $1; k = ++n[$1]
          s[$1, k] = tok * ep / $2; acc[$1, k] = $3; rho[$1, k] = $4 }
        END { for (i = 1; i <= names; i++) { nm = order[i]; delete x; delete y; delete z
                for (k = 1; k <= n[nm]; k++) { x[k] = s[nm, k]; y[k] = acc[nm, k]; z[k] = rho[nm, k] }
                printf "%-30s %12.0f %8.1f%% %7.3f\n", nm, med(x, n[nm]), med(y, n[nm]), med(z, n[nm]) } }' "$work/mpi-times"
}
# ---- kernel speed: this build against BASELINE, FLOP rate and share of peak ----
#   BASELINE=<git rev>  also build that revision (in a scratch worktree, removed
#                       afterwards) and alternate it with this build, ROUNDS each
#   KERNEL_ONLY=1       only this section
# Training words/s = corpus words / the epochs' training seconds (--log-json);
# GFLOP/s = 6 * dim FLOP per (input row, target row) product the kernels report
# ("products" in --log-json; a dot and two axpys each); peak = a short FMA (and
# mul+add) loop the script compiles for this CPU: one core's rate in thread CPU
# time (so a busy machine does not lower it) times $threads. GFLOP/s per
# CPU-second divides by the whole run's user CPU time instead (vocabulary
# pass and reading included: a lower bound of the kernel's own rate).
fp_peak() { # -> "fma16 fma8 muladd16" GFLOP/s for $threads cores (16 / 8 lanes)
    local src=$work/peak.c
    cat >"$src" <<'PEAK'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
#define ITERS 10000000L
/* 12 independent chains in registers: enough to cover the FMA latency on 2 ports */
#define STEP(x) x = x * m + a;
#define LOOP(V, W) static void *run##W(void *p) { \
    V m, a, x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11; \
    for (int k = 0; k < W; k++) { m[k] = 0.999999f; a[k] = 1e-7f; } \
    x0 = m; x1 = m + a; x2 = x1 + a; x3 = x2 + a; x4 = x3 + a; x5 = x4 + a; \
    x6 = x5 + a; x7 = x6 + a; x8 = x7 + a; x9 = x8 + a; x10 = x9 + a; x11 = x10 + a; \
    for (long i = 0; i < ITERS; i++) { \
        STEP(x0) STEP(x1) STEP(x2) STEP(x3) STEP(x4) STEP(x5) \
        STEP(x6) STEP(x7) STEP(x8) STEP(x9) STEP(x10) STEP(x11) \
        __asm__("" : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3), "+x"(x4), "+x"(x5)); } \
    x0 = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11; \
    *(float *)p = x0[0]; return NULL; }
LOOP(v16, 16)
LOOP(v8, 8)
/* CPU time of the thread: the rate a core gives while it runs, however busy the machine */
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char **argv) {
    int T = argc > 1 ? atoi(argv[1]) : 1; double best[2] = {0, 0};
    for (int rep = 0; rep < 3; rep++)
        for (int w = 8; w <= 16; w += 8) {
            float out; double t0 = now();
            (w == 16 ? run16 : run8)(&out);
            double g = 2.0 * 12 * w * ITERS / (now() - t0) / 1e9;
            if (g > best[w / 16]) best[w / 16] = g;
        }
    /* T cores, each at the rate of one: 16 lanes (the widest), 8 lanes */
    printf("%.1f %.1f\n", best[1] * T, best[0] * T);
    return 0;
}
PEAK
    local fma mul
    cc -O2 -march=native -ffp-contract=fast -pthread -o "$work/peak-fma" "$src" &&
        cc -O2 -march=native -ffp-contract=off -pthread -o "$work/peak-mul" "$src" ||
        { echo "0 0 0"; return; }
    fma=$("$work/peak-fma" "$threads")
    mul=$("$work/peak-mul" "$threads")
    echo "$fma ${mul% *}"
}

kernel_run() { # label binary -> appends "label train_words train_secs products wall user" to $work/kernel
    local label=$1 bin=$2 log=$work/kernel-$1.json
    rm -f "$log"
    /usr/bin/time -f "%e %U" -o "$work/ktime" "$bin" train --input "$corpus" --output "$work/k.bin" --binary \
        --threads "$threads" --quiet $common_theta ${THETA_ARGS:-} --log-json "$log" 2>"$work/k.err" ||
        { echo "bench.sh: $label failed:" >&2; tail -3 "$work/k.err" >&2; exit 1; }
    awk -v l="$label" -v tm="$(cat "$work/ktime")" '/"end": true/ {
            match($0, /"words": [0-9]+/); w = substr($0, RSTART + 9, RLENGTH - 9)
            match($0, /"seconds": [0-9.]+/); s += substr($0, RSTART + 11, RLENGTH - 11)
            p1 = 0; if (match($0, /"products": [0-9]+/)) p1 = substr($0, RSTART + 12, RLENGTH - 12); p += p1 }
        END { printf "%s %s %s %s %s\n", l, w, s, p, tm }' "$log" >>"$work/kernel"
}

build_baseline() { # -> $work/baseline: BASELINE built in a scratch worktree (removed again)
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/theta-baseline.XXXXXX")
    git worktree add --detach -q "$dir/src" "$BASELINE" >/dev/null 2>&1 ||
        { echo "bench.sh: cannot check out BASELINE=$BASELINE" >&2; rm -rf "$dir"; exit 1; }
    make --no-print-directory -C "$dir/src" build/theta >/dev/null 2>&1 ||
        { echo "bench.sh: cannot build BASELINE=$BASELINE" >&2; git worktree remove --force "$dir/src"; rm -rf "$dir"; exit 1; }
    cp "$dir/src/build/theta" "$work/baseline"
    git worktree remove --force "$dir/src"
    rm -rf "$dir"
}

kernel_bench() {
    local base_bin=""
    if [ -n "${BASELINE:-}" ]; then
        build_baseline
        base_bin=$work/baseline
    fi
    : >"$work/kernel"
    local r
    for r in $(seq "$rounds"); do
        kernel_run theta "$theta"
        [ -n "$base_bin" ] && kernel_run baseline "$base_bin"
    done
    local p16 p8 pmul
    read -r p16 p8 pmul < <(fp_peak)
    echo
    echo "kernel: $epochs epoch(s), $threads threads, medians of $rounds alternating rounds (min-max)"
    echo "fp32 peak, $threads cores: $p16 GFLOP/s (FMA, 16 lanes), $p8 (FMA, 8 lanes), $pmul (mul+add, 16 lanes);" \
        "of peak: share of the first"
    printf "%-22s %14s %22s %8s %8s %8s %8s %s\n" build "train words/s" "min-max" "run (s)" "GFLOP/s" "of peak" "/CPU-s" "vs baseline"
    awk -v dim=100 -v peak="$p16" -v base="${BASELINE:-}" -v T="$threads" '
        function sortn(a, n,  i, j, v) { for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v } }
        function med(a, k) { sortn(a, k); return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        { k = ++n[$1]; rate[$1, k] = $2 / $3; wall[$1, k] = $5; user[$1, k] = $6; words[$1, k] = $2
          if ($4 > 0) ppw[$1] = $4 / $2 }
        END { for (b = 0; b < 2; b++) { nm = b ? "baseline" : "theta"; if (!(nm in n)) continue
                p = (nm in ppw) ? ppw[nm] : ppw["theta"]
                delete x; delete y; delete z; delete c
                for (k = 1; k <= n[nm]; k++) { x[k] = rate[nm, k]; y[k] = wall[nm, k]
                  z[k] = 6 * dim * p * rate[nm, k] / 1e9; c[k] = 6 * dim * p * words[nm, k] / user[nm, k] / 1e9 }
                m = med(x, n[nm]); lo = x[1]; hi = x[n[nm]]; w = med(y, n[nm]); g = med(z, n[nm]); gc = med(c, n[nm])
                if (nm == "theta") mt = m
                share = (peak > 0) ? 100 * g / peak : 0
                printf "%-22s %14.0f %22s %8.2f %7.1f%s %7.1f%% %8.1f %s\n", (b ? "baseline " substr(base, 1, 12) : "theta (this build)"),
                    m, sprintf("%.0f-%.0f", lo, hi), w, g, ((nm in ppw) ? " " : "*"), share, gc, (b ? sprintf("%.2fx", mt / m) : "") } }' "$work/kernel"
    grep -q '^baseline' "$work/kernel" && ! awk '$1 == "baseline" && $4 > 0 { f = 1 } END { exit !f }' "$work/kernel" &&
        echo "  * baseline reports no products: its FLOP rate is estimated from this build's products per word"
    return 0
}
# ---- paired: this build and BASELINE trained at the same time ------------
#   PAIRED=1 BASELINE=<git rev>  ROUNDS rounds; in each, both train 1 thread,
#   each pinned to its own CPU (taskset), the CPUs swapped every round. On a
#   shared machine whose speed drifts from run to run, both builds see the
#   same drift, so baseline ÷ this per round resolves a few per cent that
#   alternating runs cannot. Also says whether the two wrote the same vectors
#   (a speed change that should not change the arithmetic).
train_seconds() { # log.json -> training seconds, all epochs
    awk '/"end": true/ { match($0, /"seconds": [0-9.]+/); s += substr($0, RSTART + 11, RLENGTH - 11) }
        END { printf "%.3f\n", s }' "$1"
}
paired_bench() {
    [ -n "${BASELINE:-}" ] || { echo "bench.sh: PAIRED=1 needs BASELINE=<git rev>" >&2; exit 1; }
    command -v taskset >/dev/null || { echo "bench.sh: PAIRED=1 needs taskset (util-linux)" >&2; exit 1; }
    [ "$(nproc)" -ge 2 ] || { echo "bench.sh: PAIRED=1 needs 2 CPUs" >&2; exit 1; }
    build_baseline
    local r a b same=1
    echo
    echo "paired: this build and baseline ${BASELINE:0:12} side by side, 1 thread each, pinned, CPUs swapped each round"
    printf "%-6s %12s %14s %16s\n" round "this (s)" "baseline (s)" "baseline / this"
    : >"$work/paired"
    for r in $(seq "$rounds"); do
        a=$((r % 2)); b=$((1 - a))
        rm -f "$work/p-this.json" "$work/p-base.json" # --log-json appends
        taskset -c "$a" "$theta" train --input "$corpus" --output "$work/p-this.bin" --binary --threads 1 \
            --quiet $common_theta ${THETA_ARGS:-} --log-json "$work/p-this.json" 2>"$work/p-this.err" &
        local pid=$!
        taskset -c "$b" "$work/baseline" train --input "$corpus" --output "$work/p-base.bin" --binary \
            --threads 1 --quiet $common_theta ${THETA_ARGS:-} --log-json "$work/p-base.json" 2>"$work/p-base.err" ||
            { echo "bench.sh: baseline failed:" >&2; tail -3 "$work/p-base.err" >&2; exit 1; }
        wait "$pid" || { echo "bench.sh: theta failed:" >&2; tail -3 "$work/p-this.err" >&2; exit 1; }
        cmp -s "$work/p-this.bin" "$work/p-base.bin" || same=0
        echo "$(train_seconds "$work/p-this.json") $(train_seconds "$work/p-base.json")" >>"$work/paired"
        awk -v r="$r" 'END { printf "%-6d %12.2f %14.2f %16.3f\n", r, $1, $2, $2 / $1 }' "$work/paired"
    done
    awk '{ q[NR] = $2 / $1; f += ($2 > $1) }
        END { for (i = 2; i <= NR; i++) { v = q[i]; for (j = i - 1; j >= 1 && q[j] > v; j--) q[j + 1] = q[j]; q[j + 1] = v }
              m = (NR % 2) ? q[(NR + 1) / 2] : (q[NR / 2] + q[NR / 2 + 1]) / 2
              printf "median baseline / this: %.3f (%.3f-%.3f); this build faster in %d of %d rounds\n", m, q[1], q[NR], f, NR }' "$work/paired"
    if [ "$same" = 1 ]; then echo "vectors: identical in every round"; else echo "vectors: differ"; fi
}
quality_bench() { # theta's defaults: analogy and rho per seed, medians, for each of QUALITY_EPOCHS
    local e sd
    echo
    echo "quality: theta's defaults (the shared settings above), $threads threads, seeds ${SEEDS:-1 2 3}"
    printf "%-8s %-28s %-28s %s\n" epochs "analogy % (per seed)" "rho (per seed)" "medians"
    for e in ${QUALITY_EPOCHS:-1 5}; do
        local accs="" rhos=""
        for sd in ${SEEDS:-1 2 3}; do
            "$theta" train --input "$corpus" --output "$work/q.bin" --binary --threads "$threads" --quiet \
                --dim 100 --window 5 --negative 5 --sample 1e-4 --min-count 5 --epochs "$e" --seed "$sd" \
                ${THETA_ARGS:-} || { echo "bench.sh: theta (seed $sd) failed" >&2; exit 1; }
            read -r acc rho < <(evaluate q)
            accs="$accs $acc"
            rhos="$rhos $rho"
        done
        printf "%-8s %-28s %-28s %s\n" "$e" "$accs" "$rhos" "$(echo "$accs|$rhos" | awk -F'|' '
            function med(s,  a, n, i, j, v) { n = split(s, a, " ")
                for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > v + 0; j--) a[j + 1] = a[j]; a[j + 1] = v }
                return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
            { printf "%s%% / %s", med($1), med($2) }')"
    done
}
if [ -n "${KERNEL_ONLY:-}" ]; then
    kernel_bench
    [ -n "${QUALITY:-}" ] && [ "$QUALITY" != 0 ] && quality_bench
    exit 0
fi
if [ -n "${PAIRED:-}" ]; then
    paired_bench
    exit 0
fi
if [ -n "${QUALITY_ONLY:-}" ]; then
    quality_bench
    exit 0
fi
if [ -n "${MPI_ONLY:-}" ]; then
    mpi_bench
    exit 0
fi

for r in $(seq "$rounds"); do
    run theta "$threads"
    run theta-w2v "$threads"
    for p in $peers; do run "$p" "$threads"; done
    run theta-1thread 1
    [ -n "${HS:-}" ] && run theta-hs "$threads"
done


echo
printf "%-14s %12s %22s %10s %9s %7s %s\n" system "tokens/s" "min-max" "peak RSS" "analogy" "rho" "theta/system"
theta_med=""
for name in theta theta-w2v $peers theta-1thread ${HS:+theta-hs}; do
    read -r med lo hi rss < <(awk -v n="$name" -v tok="$tokens" -v ep="$epochs" '$1 == n {
            s[++k] = tok * ep / $2; m = ($3 > m ? $3 : m) }
        function sortn(a, n,  i, j, v) { for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v } }
        END { sortn(s, k); med = (k % 2) ? s[(k + 1) / 2] : (s[k / 2] + s[k / 2 + 1]) / 2;
              printf "%.0f %.0f %.0f %.0f\n", med, s[1], s[k], m / 1024 }' "$work/times")
    [ "$name" = theta ] && theta_med=$med
    read -r acc rho < <(evaluate "$name")
    ratio=$(awk -v a="$theta_med" -v b="$med" 'BEGIN { printf "%.2fx", a / b }')
    printf "%-14s %12s %22s %8s MB %8s%% %7s %s\n" "$name" "$med" "$lo-$hi" "$rss" "$acc" "$rho" "$ratio"
done
t1=$(awk '$1 == "theta-1thread"' "$work/times" | wc -l)
echo
awk -v tok="$tokens" -v ep="$epochs" '$1 == "theta" { a[++i] = tok * ep / $2 } $1 == "theta-1thread" { b[++j] = tok * ep / $2 }
    function sortn(a, n,  i, j, v) { for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v } }
    END { sortn(a, i); sortn(b, j); ma = a[int((i + 1) / 2)]; mb = b[int((j + 1) / 2)];
          printf "thread scaling: %d threads / 1 thread = %.2fx (medians)\n", '"$threads"', ma / mb }' "$work/times"

# vocabulary pass: count only (stop training after the first chunk), with one
# thread and with $threads (a plain file is counted in byte ranges in parallel),
# alternating, 5 runs each, medians
for r in 1 2 3 4 5; do
    for t in 1 "$threads"; do
        # (stopping without a checkpoint exits 1: expected here)
        { "$theta" train --input "$corpus" --stop-after-words 1 --threads "$t" 2>&1 || true; } |
            sed -n "s/.*counted \([0-9.]*\) MB in \([0-9.]*\) s.*/$t \1 \2/p"
    done
done | awk 'function sortn(a, n,  i, j, v) { for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v } }
    { k = ++n[$1]; s[$1, k] = $2 / ($3 > 0 ? $3 : 0.005) }
    END { for (t in n) { for (i = 1; i <= n[t]; i++) x[i] = s[t, i]; sortn(x, n[t]);
            printf "vocabulary pass, %s thread(s): %.0f MB/s (median of %d)\n", t, x[int((n[t] + 1) / 2)], n[t] } }' | sort

kernel_bench
# theta's defaults at 1 and 5 epochs, 3 seeds: needs the evaluation sets; QUALITY=0 leaves it out
[ -n "${ANALOGIES:-}${PAIRS:-}" ] && [ "${QUALITY:-1}" != 0 ] && quality_bench
mpi_bench
