#!/usr/bin/env bash
# The main job: installs what is missing, builds, and shows what kubectl-starform does with the
# example desired state testdata/states/small.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
set -x
build/kubectl-starform render -f testdata/states/small.yaml
