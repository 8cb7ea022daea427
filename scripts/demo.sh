#!/usr/bin/env bash
# The main job, against the dev cluster: installs what is missing, builds, starts
# starform-devcluster seeded as a DOKS cluster with Envoy Gateway would be, connects to it as
# kubectl does and plans the example desired state testdata/states/small.yaml against it (every
# object to create). Where kubectl is installed, it applies the rendered objects with kubectl
# as starform's field manager, so the simulated Envoy Gateway and DigitalOcean controllers
# provision the Gateway and its load balancer, and plans again: no changes.
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
{ set +x; } 2>/dev/null
if command -v kubectl >/dev/null; then
  set -x
  build/kubectl-starform render -f testdata/states/small.yaml |
    kubectl apply --server-side --field-manager=starform -f -
  sleep 4  # the simulated load balancer takes --lb-delay to get its address
  kubectl get gateway,httproutes -A
  kubectl get service -n envoy-gateway-system
  build/kubectl-starform plan -f testdata/states/small.yaml
fi
