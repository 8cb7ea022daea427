#!/usr/bin/env bash
# Cross-checks the hand-written CEL rules (devcluster/cel_rules*) against an independent CEL
# evaluator, @marcbachmann/cel-js from npm: random values for every rule of the shared CRDs,
# each judged by both (true, false or evaluation error). Run it after changing a rule or
# updating the CRDs. Not part of CI: it needs node and npm. Usage: run.sh [BUILD_DIR] [CASES]
# (BUILD_DIR has devcluster_tests built; default build; CASES per rule, default 200).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/cel-crosscheck/gen_cases.py ../shared "${2:-200}" > "$work/cases.jsonl"
cp scripts/cel-crosscheck/eval.mjs "$work/"
(cd "$work" && npm init -y >/dev/null && npm install --silent @marcbachmann/cel-js@8.0.0 >/dev/null)
STARFORM_CEL_CASES="$work/cases.jsonl" STARFORM_CEL_VERDICTS="$work/cpp.out" \
  "$build/devcluster_tests" '[.cel-crosscheck]' >/dev/null
node "$work/eval.mjs" "$work/cases.jsonl" > "$work/js.out"
python3 scripts/cel-crosscheck/compare.py "$work"
