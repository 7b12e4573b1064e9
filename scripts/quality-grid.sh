#!/usr/bin/env bash
# Trains theta over a grid of starting learning rates and input-init scales
# and prints analogy accuracy and WS353 rho for each cell (theta eval), to
# choose defaults by measurement.
#
#   scripts/quality-grid.sh CORPUS ANALOGIES PAIRS
#   ALPHAS="0.025 0.0375 0.05" INITS="uniform:0.005 uniform:0.01" EPOCHS="1 5"
#   THREADS=2 REPEATS=1 THETA_ARGS="--sample 1e-4"
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:?usage: quality-grid.sh CORPUS ANALOGIES PAIRS}
analogies=${2:?analogy questions file}
pairs=${3:?word-pair file}
theta=${THETA:-build/theta}
alphas=${ALPHAS:-0.025 0.0375 0.05}
inits=${INITS:-uniform:0.005 uniform:0.01}
epochs_list=${EPOCHS:-1}
threads=${THREADS:-2}
repeats=${REPEATS:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/theta-grid.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf "%-7s %-8s %-16s %-6s %9s %7s %8s\n" epochs alpha init seed analogy rho seconds
for e in $epochs_list; do
    for a in $alphas; do
        for i in $inits; do
            for s in $(seq "$repeats"); do
                start=$(date +%s%N)
                "$theta" train --input "$corpus" --output "$work/v.bin" --binary --quiet \
                    --epochs "$e" --alpha "$a" --init-in "$i" --threads "$threads" --seed "$s" \
                    --sample 1e-4 ${THETA_ARGS:-}
                secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
                read -r acc rho < <("$theta" eval "$work/v.bin" --analogies "$analogies" \
                    --pairs "$pairs" --json | tr -d '\n' |
                    sed -n 's/.*"analogy_accuracy": *\([0-9.e-]*\).*"spearman": *\([0-9.e-]*\).*/\1 \2/p') || true
                printf "%-7s %-8s %-16s %-6s %8.2f%% %7.3f %8s\n" "$e" "$a" "$i" "$s" \
                    "$(awk -v x="$acc" 'BEGIN { print 100 * x }')" "$rho" "$secs"
            done
        done
    done
done
