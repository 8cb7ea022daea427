#!/usr/bin/env bash
# Configures and builds into build/ (or build-sanitize/ with --sanitize). Usage: build.sh [--sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
flags=()
if [[ ${1:-} == --sanitize ]]; then
  dir=build-sanitize
  flags+=(-DSTARFORM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
# Two cores and large translation units: more jobs than cores only costs memory.
cmake --build "$dir" -j "$(nproc)"
echo "$dir"
