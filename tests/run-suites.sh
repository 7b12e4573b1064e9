#!/usr/bin/env bash
# Runs the Check runners given (make test: build/check_unit, then
# build/check_cli) one after the other, all of them even when one fails, and
# fails if any failed. With CK_RUN_SUITE a runner that lacks the suite exits
# 3 (tests/runner.c): not a failure, unless no runner has it.
# Usage: tests/run-suites.sh RUNNER...
set -u
failed=0
found=0
for r in "$@"; do
    "$r"
    rc=$?
    case $rc in
        0) found=1 ;;
        3) [ -n "${CK_RUN_SUITE:-}" ] || { failed=1; echo "$r: exit status 3" >&2; } ;;
        *) found=1; failed=1; echo "$r: exit status $rc" >&2 ;;
    esac
done
if [ "$found" = 0 ] && [ -n "${CK_RUN_SUITE:-}" ]; then
    echo "run-suites.sh: no runner has a suite '$CK_RUN_SUITE'" >&2
    exit 1
fi
exit "$failed"
