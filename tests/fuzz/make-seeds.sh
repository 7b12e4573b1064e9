#!/usr/bin/env bash
# Regenerates the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/)
# from small valid files: a tiny corpus in several encodings, and the
# vocabulary, models and vectors that the theta binary writes for it.
# Usage: tests/fuzz/make-seeds.sh [path/to/theta]   (default build/theta)
set -euo pipefail
cd "$(dirname "$0")/../.."
theta=$(realpath "${1:-build/theta}")
out=tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"/{reader,vocab,model,vectors}

# reader: plain text (CRLF, tabs, UTF-8, a NUL, a long word whose cut falls
# inside a UTF-8 character), gzip, two gzip members, an empty file
long=$(printf 'x%.0s' $(seq 98))
printf 'the cat sat\r\non the\tmat\n\xc3\xa9t\xc3\xa9 caf\xc3\xa9\0end\n%s\xc3\xa9\xc3\xa9 tail' "$long" \
    > "$out/reader/plain.txt"
gzip -9n < "$out/reader/plain.txt" > "$out/reader/one.gz"
{ printf 'first member\n' | gzip -n; printf 'second member' | gzip -n; } > "$out/reader/two.gz"
: > "$out/reader/empty"

# a corpus for the trained files: 4 words, 8 sentences
for i in 1 2 3 4; do echo "red green blue red"; echo "blue sky red green"; done > "$tmp/c.txt"
common=(--input "$tmp/c.txt" --dim 3 --epochs 1 --threads 1 --min-count 1 --quiet --seed 1)
"$theta" train "${common[@]}" --save-vocab "$out/vocab/vocab.txt" --save-model "$out/model/ns.theta" \
    --output "$out/vectors/text.vec"
"$theta" train "${common[@]}" --loss hs --model cbow --save-model "$out/model/hs-cbow.theta" \
    --output "$out/vectors/binary.bin" --binary
# perturbed starts: the 132-byte CONF section
"$theta" train "${common[@]}" --init-in const:0.1+normal:1e-6 --init-out zero+uniform:0.01 \
    --save-model "$out/model/perturbed.theta"
# the checkpoint of a 2-rank MPI run (its RANK section), with an MPI build and mpirun
mpi=${THETA_MPI_BIN:-build-mpi/theta}
if [ -x "$mpi" ] && command -v mpirun >/dev/null; then
    head -4 "$tmp/c.txt" > "$tmp/a.txt"
    tail -4 "$tmp/c.txt" > "$tmp/b.txt"
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 \
        $(mpirun --version 2>&1 | grep -q 'Open MPI' && echo --oversubscribe) "$(realpath "$mpi")" \
        train --input "$tmp/a.txt" "$tmp/b.txt" --dim 3 --epochs 2 --threads 1 --min-count 1 \
        --quiet --seed 1 --stop-after-words 1 --checkpoint "$out/model/mpi-np2.theta" 2>/dev/null
fi
tr '\n' '\r' < "$out/vocab/vocab.txt" | sed 's/\r/\r\n/g' > "$out/vocab/crlf.txt"
tail -n +2 "$out/vectors/text.vec" > "$out/vectors/glove.txt"
du -cb "$out"/*/* | tail -1
