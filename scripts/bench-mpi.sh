#!/usr/bin/env bash
# bench-mpi.sh — quality and traffic of MPI training against one process.
#
# Trains on one corpus as one process with 2 threads (1x2, the plain build)
# and as mpirun -np 2 and -np 4 with 1 thread each (2x1, 4x1; the MPI build,
# -np 4 oversubscribed on a small machine: quality only, not speed), at theta's
# defaults, evaluates every run (analogies, WS353 rho) and prints one line per
# run with the bytes each rank sent per word it trained and per second, and
# the seconds spent in syncs (and of them, waiting for the slowest rank).
#
#   scripts/bench-mpi.sh                     the table: 1x2, 2x1, 4x1 at 1 and 5 epochs
#   MODE=model BPW=400 THREADS=1 scripts/bench-mpi.sh   the scaling model's table
#   MODE=grid GRID="10000 20000 50000" scripts/bench-mpi.sh
#                                            2x1 at each --sync-words N (and 1x2
#                                            if CONFIGS names it)
#
# Environment: CORPUS (default ~/.cache/theta/corpus-big.txt), EPOCHS ("1 5"),
# SEEDS ("1 2 3"; the table ends with each configuration's medians),
# CONFIGS ("1x2 2x1 4x1"), GRID, EXTRA (more train options for
# the MPI runs, e.g. "--sync-full-every 1"), THETA (build/theta), THETA_MPI
# (build-mpi/theta), MPIRUN (mpirun), ANALOGIES, PAIRS (the evaluation sets,
# default ../shared/data/ beside the project).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$HOME/.cache/theta/corpus-big.txt}
EPOCHS=${EPOCHS:-1 5}
SEEDS=${SEEDS:-1 2 3}
CONFIGS=${CONFIGS-1x2 2x1 4x1}
MODE=${MODE:-table}
GRID=${GRID:-10000 20000 50000 100000}
EXTRA=${EXTRA:-}
THETA=${THETA:-$here/build/theta}
THETA_MPI=${THETA_MPI:-$here/build-mpi/theta}
MPIRUN=${MPIRUN:-mpirun}
ANALOGIES=${ANALOGIES:-$here/../shared/data/questions-words.txt}
PAIRS=${PAIRS:-$here/../shared/data/wordsim353.tsv}

# MODE=model: the scaling model of docs/mpi-scaling.md, from BPW (bytes each
# rank hands to MPI per word it trains; default: measured at the default N,
# 460 at 20 000 words, 800 at 10 000), WPS (words/s of one thread), THREADS
# (per node), N (--sync-words; default theta's, 40000 / nodes and at least
# 10000), CALLS (collective calls per sync), LOCAL_NS
# (ns per byte of the sync's own work: deltas, packing, adding) and each
# link's bandwidth and latency: a ring allreduce of B bytes on p ranks takes
# 2(p-1)/p B / bandwidth + 2(p-1) latency, and a sync stops every thread.
if [ "$MODE" = model ]; then
    BPW=${BPW:-auto} WPS=${WPS:-1200000} THREADS=${THREADS:-1} N=${N:-auto} CALLS=${CALLS:-5}
    LOCAL_NS=${LOCAL_NS:-0.55}
    printf '# %s B/word, %s words/s/thread x %s threads, --sync-words %s, %s calls per sync, ' \
        "$BPW" "$WPS" "$THREADS" "$N" "$CALLS"
    printf '%s ns of local work per byte\n' "$LOCAL_NS"
    printf '%-8s %5s %8s %10s %10s %10s %8s %8s\n' link nodes N compute_ms sync_ms efficiency \
        speedup Mwords/s
    for link in "10 20e-6" "100 3e-6"; do
        set -- $link
        for p in 2 4 8 16 32; do
            n=$N bpw=$BPW
            [ "$n" = auto ] && n=$((40000 / p > 10000 ? 40000 / p : 10000))
            [ "$bpw" = auto ] && bpw=$([ "$n" -ge 20000 ] && echo 460 || echo 800)
            awk -v g="$1" -v lat="$2" -v p="$p" -v bpw="$bpw" -v wps="$WPS" -v th="$THREADS" \
                -v n="$n" -v calls="$CALLS" -v loc="$LOCAL_NS" 'BEGIN {
                bw = g * 1e9 / 8; r = wps * th
                tc = n / r; b = bpw * n
                ts = b * loc * 1e-9 + 2 * (p - 1) / p * b / bw + 2 * (p - 1) * lat * calls
                e = tc / (tc + ts)
                printf "%-8s %5d %8d %10.2f %10.2f %10.2f %8.1f %8.1f\n", g " Gbit/s", p, n, tc * 1e3,
                    ts * 1e3, e, p * e, p * e * r / 1e6 }'
        done
    done
    exit 0
fi

for f in "$CORPUS" "$ANALOGIES" "$PAIRS"; do
    [ -r "$f" ] || { echo "bench-mpi.sh: $f: cannot read" >&2; exit 1; }
done
for b in "$THETA" "$THETA_MPI"; do
    [ -x "$b" ] || { echo "bench-mpi.sh: $b: not built (make; make MPI=1)" >&2; exit 1; }
done
# Open MPI refuses to run as root without these (MPICH ignores them)
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
oversub=
if "$MPIRUN" --version 2>&1 | grep -qi "open mpi"; then
    oversub=--oversubscribe
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run CONFIG EPOCHS SEED [train options...]: one training and its evaluation,
# printed as one line of the table
run() {
    local config=$1 epochs=$2 seed=$3
    shift 3
    local np=${config%x*} threads=${config#*x}
    local vec=$work/vec.txt log=$work/log.json
    rm -f "$log"
    local t0 t1
    t0=$(date +%s.%N)
    if [ "$np" = 1 ]; then
        "$THETA" train --input "$CORPUS" --output "$vec" --epochs "$epochs" --threads "$threads" \
            --seed "$seed" --quiet "$@" --log-json "$log"
    else
        # shellcheck disable=SC2086
        "$MPIRUN" -np "$np" $oversub "$THETA_MPI" train --input "$CORPUS" --output "$vec" \
            --epochs "$epochs" --threads "$threads" --seed "$seed" --quiet $EXTRA "$@" \
            --log-json "$log"
    fi
    t1=$(date +%s.%N)
    local ev acc rho
    ev=$("$THETA" eval "$vec" --analogies "$ANALOGIES" --pairs "$PAIRS" 2>&1)
    acc=$(printf '%s\n' "$ev" | awk '$1 == "total" { sub("%", "", $NF); print $NF }')
    rho=$(printf '%s\n' "$ev" | awk '{ for (i = 1; i < NF; i++) if ($i == "spearman") print $(i + 1) }')
    # the MPI line of --log-json: bytes per word and per second, seconds in syncs
    local bpw=- dbpw=- mbs=- syncs=- sync_s=- wait_s=-
    if grep -q '"mpi"' "$log"; then
        read -r bpw dbpw mbs syncs sync_s wait_s < <(grep '"mpi"' "$log" | tail -1 | tr -d '{}",' |
            awk '{ for (i = 1; i < NF; i++) v[$i] = $(i + 1)
                   printf "%.1f %.1f %.2f %d %.1f %.1f\n", v["bytes_per_word:"],
                       v["dense_bytes:"] / v["rank_words:"], v["bytes_per_second:"] / 1e6,
                       v["syncs:"], v["sync_seconds:"], v["wait_seconds:"] }')
    fi
    printf '%-6s %-24s %6s %4s %8s %7s %8.1f %8s %8s %8s %7s %7s %7s\n' "$config" "${*:--}" \
        "$epochs" "$seed" "$acc" "$rho" "$(echo "$t1 - $t0" | bc)" "$bpw" "$dbpw" "$mbs" "$syncs" \
        "$sync_s" "$wait_s"
    rm -f "$vec"
}

printf '# corpus %s; analogy %% (questions-words, 3CosAdd), WS353 Spearman rho\n' "$CORPUS"
printf '# B/word: bytes each rank sent per word it trained (dense: the same syncs sending every row dense)\n'
printf '%-6s %-24s %6s %4s %8s %7s %8s %8s %8s %8s %7s %7s %7s\n' config options epochs seed \
    analogy ws353 seconds B/word dense MB/s syncs sync_s wait_s
for e in $EPOCHS; do
    for s in $SEEDS; do
        if [ "$MODE" = grid ]; then
            case " $CONFIGS " in *" 1x2 "*) run 1x2 "$e" "$s" ;; esac
            for n in $GRID; do
                run 2x1 "$e" "$s" --sync-words "$n"
            done
        else
            for c in $CONFIGS; do
                run "$c" "$e" "$s"
            done
        fi
    done
done | tee "$work/rows"

# the medians over the seeds of each configuration, and their distance from
# the first configuration's (1x2 by default) at the same epochs
echo
echo "# medians over seeds ${SEEDS}; gap: against the first configuration at the same epochs"
printf '%-6s %-24s %6s %5s %8s %7s %8s %8s\n' config options epochs seeds analogy ws353 gap gap_rho
awk '$1 != "config" && $1 !~ /^#/ {
        key = $1 " " $2 " " $3
        if (!(key in n)) order[++keys] = key
        n[key]++; acc[key, n[key]] = $5; rho[key, n[key]] = $6 }
    function median(a, k, m,  i, j, v, x) {
        for (i = 1; i <= m; i++) x[i] = a[k, i] + 0
        for (i = 2; i <= m; i++) { v = x[i]; for (j = i - 1; j >= 1 && x[j] > v; j--) x[j + 1] = x[j]; x[j + 1] = v }
        return (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2 }
    END {
        for (i = 1; i <= keys; i++) {
            k = order[i]; split(k, f, " ")
            ma = median(acc, k, n[k]); mr = median(rho, k, n[k])
            if (!(f[3] in first_a)) { first_a[f[3]] = ma; first_r[f[3]] = mr }
            printf "%-6s %-24s %6s %5d %8.2f %7.4f %+8.2f %+8.4f\n", f[1], f[2], f[3], n[k], ma, mr,
                ma - first_a[f[3]], mr - first_r[f[3]] } }' "$work/rows"
