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

echo "== 1. Train skip-gram with negative sampling on $corpus (5 epochs, random init)"
"$theta" train --input "$corpus" --output "$dir/vectors.bin" --binary --save-model "$dir/random.theta"
echo
echo "== 2. Nearest neighbours (theta nn $dir/vectors.bin WORD -k 6)"
for w in god king water egypt bread; do
    printf '%-6s' "$w"
    "$theta" nn "$dir/vectors.bin" "$w" -k 6 | awk '{ printf " %s (%.2f)", $1, $2 } END { print "" }'
done
echo
echo "== 3. Do the dimensions ever become different? (1 epoch each)"
"$theta" train --input "$corpus" --epochs 1 --threads 1 --quiet --zero-init --save-model "$dir/zero.theta"
"$theta" train --input "$corpus" --epochs 1 --threads 1 --quiet --init-in const:0.1 --init-out zero \
    --save-model "$dir/const.theta"
"$theta" train --input "$corpus" --epochs 1 --threads 2 --quiet --init-in const:0.1 --init-out zero \
    --save-model "$dir/const-2threads.theta"
echo "-- theta dims $dir/const.theta  (--init-in const:0.1 --init-out zero, 1 thread)"
"$theta" dims "$dir/const.theta" | sed -n '/^input matrix (in)/,/^$/p'
for run in "random:default random init, 5 epochs, 2 threads" "zero:--zero-init, 1 thread" \
    "const:const:0.1 input, zero output, 1 thread" "const-2threads:const:0.1 input, zero output, 2 threads"; do
    echo "-- ${run#*:}"
    "$theta" dims "$dir/${run%%:*}.theta" | tail -n 2
done
