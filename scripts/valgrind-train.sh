#!/usr/bin/env bash
# make valgrind: `theta train` under valgrind's memcheck on a small generated
# corpus with 2 threads; fails on any memory error or definite leak.
# Two runs: skip-gram / negative sampling from a gzip file with every output
# file, and CBOW / hierarchical softmax from standard input.
# Usage: scripts/valgrind-train.sh [path/to/theta]   (default build/theta)
set -euo pipefail
theta=$(realpath "${1:-build/theta}")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash scripts/gen-corpus.sh 3000 > "$tmp/corpus.txt"
gzip -c "$tmp/corpus.txt" > "$tmp/corpus.txt.gz"
vg=(valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite)
common=(--dim 32 --epochs 2 --threads 2 --min-count 1 --quiet)

echo "valgrind: theta train (skip-gram, ns, gzip input, all outputs)"
"${vg[@]}" "$theta" train --input "$tmp/corpus.txt.gz" "${common[@]}" --output "$tmp/v.txt" \
    --output-context "$tmp/ctx.txt" --save-model "$tmp/m.theta" --save-vocab "$tmp/vocab.txt" \
    --log-json "$tmp/log.json"
echo "valgrind: theta train (cbow, hs, standard input, binary output)"
"${vg[@]}" "$theta" train --input - "${common[@]}" --model cbow --loss hs --kernel pair \
    --output "$tmp/v.bin" --binary < "$tmp/corpus.txt"
# the runs produced what they should (a run that did nothing would pass memcheck)
rows=$(head -1 "$tmp/v.txt" | cut -d' ' -f1)
[ "$rows" -gt 50 ] && [ -s "$tmp/v.bin" ] && [ -s "$tmp/m.theta" ] && [ "$(wc -l < "$tmp/log.json")" -eq 2 ] || {
    echo "valgrind: the training runs did not write the expected files" >&2
    exit 1
}
echo "valgrind: no errors, no definite leaks ($rows words)"
