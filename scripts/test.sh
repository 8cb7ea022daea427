#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test under ctest.
# Usage: scripts/test.sh [--sanitize]   (--sanitize: an ASan+UBSan build in build-sanitize/)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dir=$(scripts/build.sh "$@" | tail -n 1)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
