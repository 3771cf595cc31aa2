#!/usr/bin/env bash
# scripts/test.sh — the second command of the README: installs what the tests need, builds, checks that
# man/ and completions/ are up to date, and runs the whole test suite (unit tests, and pipeline tests
# over the built binaries, which also run examples/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh

echo "== building" >&2
swift build --build-tests >&2

echo "== checking that man/ and completions/ are current" >&2
scripts/generate-docs.sh --check

echo "== tests" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --skip-build 2>&1 | tee "$log"
# One plain closing line with the counts of Swift Testing's summary.
passed=$(grep -oE 'Test run with [0-9]+ tests? in [0-9]+ suites? passed' "$log" | grep -oE '[0-9]+' | head -1)
if [ -n "$passed" ]; then echo "tests: $passed passed, 0 failed"; fi
