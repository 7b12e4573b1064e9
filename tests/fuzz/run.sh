#!/usr/bin/env bash
# Runs libFuzzer targets for a bounded time each, starting from the seed
# corpora in tests/fuzz/corpus/<name>/ (read only: new inputs go to
# BUILD/corpus/<name>/), and fails on the first crash, sanitizer report,
# leak, timeout (10 s per input) or allocation over 256 MB (inputs are at
# most a few KB, so that is a bug). Prints executions/s and total runs.
# Usage: tests/fuzz/run.sh BUILD SECONDS NAME...
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$1 seconds=$2
shift 2
mkdir -p "$build/crashes"
status=0
for name in "$@"; do
    case "$name" in
    model) max_len=8192 ;;
    *) max_len=4096 ;;
    esac
    mkdir -p "$build/corpus/$name"
    log=$build/fuzz_$name.log
    start=$(date +%s)
    if "$build/fuzz_$name" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$name-" \
        "$build/corpus/$name" "tests/fuzz/corpus/$name" > "$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        echo "fuzz_$name: ok, $runs runs in $(( $(date +%s) - start )) s ($rate exec/s, $cov)"
    else
        echo "fuzz_$name: FAILED (log: $log); the crashing input is in $build/crashes/:" >&2
        grep -E "^(==[0-9]+==ERROR|SUMMARY|fuzz: |artifact_prefix|Test unit written)" "$log" >&2 || tail -40 "$log" >&2
        status=1
    fi
done
exit $status
