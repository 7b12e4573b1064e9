#!/usr/bin/env bash
# make demo: trains theta on the demo corpus, prints nearest neighbours of a
# few words, then shows what zero and constant initialisation do to the
# dimensions (theta dims) next to the default random start.
set -euo pipefail
theta=${1:-build/theta}
cd "$(dirname "$0")/.."
dir=data/demo
corpus=$dir/corpus.txt
mkdir -p "$dir"
if [ ! -s "$corpus" ]; then
    bash scripts/install-deps.sh --demo || echo "demo: could not install bible-kjv; using a generated corpus" >&2
    bash scripts/demo-corpus.sh "$corpus"
fi

echo "== Training skip-gram with negative sampling on $corpus (5 epochs, default random init)"
"$theta" train --input "$corpus" --output "$dir/vectors.bin" --binary --save-model "$dir/random.theta"
echo
echo "== Nearest neighbours"
for w in god king water egypt; do
    "$theta" nn "$dir/vectors.bin" "$w" -k 6 || true
done
echo
echo "== Identical dimensions after training, by initialisation (1 epoch, 1 thread)"
"$theta" train --input "$corpus" --epochs 1 --threads 1 --quiet --zero-init --save-model "$dir/zero.theta"
"$theta" train --input "$corpus" --epochs 1 --threads 1 --quiet --init-in const:0.1 --init-out zero \
    --save-model "$dir/const.theta"
for run in random zero const; do
    echo "-- $run init: theta dims $dir/$run.theta"
    "$theta" dims "$dir/$run.theta"
    echo
done
