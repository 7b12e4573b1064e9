#!/usr/bin/env bash
# Writes the demo corpus to $1: the King James Bible from Debian's bible-kjv
# package (lower-cased, verse numbers and punctuation removed, one verse per
# line), or, where that package is unavailable, a corpus generated here.
set -euo pipefail
out=${1:?usage: demo-corpus.sh OUTFILE}
mkdir -p "$(dirname "$out")"
if command -v bible >/dev/null 2>&1 && bible -f "Gen1:1-Rev22:21" >"$out.raw" 2>/dev/null &&
    [ "$(wc -l <"$out.raw")" -gt 30000 ]; then
    # "Ge1:1 In the beginning ..." -> "in the beginning ..."
    sed -E 's/^[0-9]?[A-Za-z]+[0-9]+:[0-9]+ //' "$out.raw" | tr 'A-Z' 'a-z' |
        sed -E "s/'s\b//g; s/[^a-z]+/ /g; s/^ +//; s/ +$//" >"$out.tmp"
    rm -f "$out.raw"
    mv "$out.tmp" "$out"
    echo "demo corpus: King James Bible (bible-kjv), $(wc -w <"$out") words" >&2
    exit 0
fi
rm -f "$out.raw"
bash "$(dirname "$0")/gen-corpus.sh" 40000 >"$out.tmp"
mv "$out.tmp" "$out"
echo "demo corpus: bible-kjv unavailable; generated $(wc -w <"$out") words instead" >&2
