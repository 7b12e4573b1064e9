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
#   HS=1  also theta with --loss hs at its defaults (row theta-hs)
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
peers=${PEERS:-fasttext gensim}
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
    esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/theta-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
tokens=$(wc -w <"$corpus")
bytes=$(stat -c %s "$corpus")
echo "corpus: $corpus ($tokens tokens, $((bytes / 1000000)) MB), $epochs epoch(s), $threads threads, $rounds rounds"
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

mpi_bench
