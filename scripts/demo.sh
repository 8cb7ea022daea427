#!/usr/bin/env bash
# The main job, against the dev cluster: installs what is missing, builds, starts
# starform-devcluster seeded as a DOKS cluster with Envoy Gateway would be, connects to it as
# kubectl does, plans the example desired state testdata/states/small.yaml against it (every
# object to create), applies it (under the apply lock, in apply order), shows the Gateway
# provisioned by the simulated Envoy Gateway and DigitalOcean controllers, and plans again: no
# changes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null

work=$(mktemp -d)
build/starform-devcluster --kubeconfig-out "$work/kubeconfig" --crds ../shared/crds \
  --seed testdata/devcluster/seed.yaml --lb-delay 2s >"$work/devcluster.log" 2>&1 &
devcluster=$!
trap 'kill "$devcluster" 2>/dev/null; wait "$devcluster" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [[ -s $work/kubeconfig ]] && break
  kill -0 "$devcluster" 2>/dev/null || { cat "$work/devcluster.log"; exit 1; }
  sleep 0.1
done
export KUBECONFIG=$work/kubeconfig

set -x
build/kubectl-starform version
build/kubectl-starform plan -f testdata/states/small.yaml
build/kubectl-starform apply -f testdata/states/small.yaml --auto-approve
{ set +x; } 2>/dev/null
sleep 4  # the simulated load balancer takes --lb-delay to get its address
if command -v kubectl >/dev/null; then
  set -x
  kubectl get gateway,httproutes -A
  kubectl get service -n envoy-gateway-system
  { set +x; } 2>/dev/null
fi
set -x
build/kubectl-starform plan -f testdata/states/small.yaml --detailed-exitcode
