#!/usr/bin/env bash
# The kind path, for machines with Docker: a kind cluster, both images built and loaded, the chart installed, the
# demo applied, and a wait for phase Formed. Run from anywhere:  local-cluster/kind/run.sh [up|down]
#   up (default)  create (or reuse) the cluster and do everything above; idempotent
#   down          delete the kind cluster
# Needs: docker (an engine that answers), kind, kubectl, and Go for Helm (or HELM_BIN=/path/to/helm).
# Settings: KIND_CLUSTER (default pekko-bootstrap), KIND_NODE_IMAGE (kind's default when unset), DEMO_TIMEOUT
# (seconds, default 300), KIND_KUBECONFIG (default ~/.kube/kind-<cluster>.kubeconfig; ~/.kube/config is left alone).
# See docs/install.md ("The kind path").
set -euo pipefail
cd "$(dirname "$0")/../.."

CLUSTER="${KIND_CLUSTER:-pekko-bootstrap}"
TIMEOUT="${DEMO_TIMEOUT:-300}"
export KUBECONFIG="${KIND_KUBECONFIG:-$HOME/.kube/kind-$CLUSTER.kubeconfig}"
RELEASE=pekko-bootstrap-operator
OPERATOR_NS=pekko-bootstrap-system
NS=pekko-demo
CB=pekko-bootstrap-demo
IMAGES=(pekko-bootstrap-operator:dev pekko-bootstrap-agent:dev)

say() { printf '[kind] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { say "$1 is not installed: $2"; exit 1; }; }

if [ "${1:-up}" = down ]; then
  need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
  kind delete cluster --name "$CLUSTER"
  rm -f "$KUBECONFIG"
  exit 0
fi
[ "${1:-up}" = up ] || { say "usage: $0 [up|down]"; exit 2; }

need docker "https://docs.docker.com/engine/install/"
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "https://kubernetes.io/docs/tasks/tools/"
timeout 30 docker info >/dev/null 2>&1 || { say "docker does not answer (is the engine running?)"; exit 1; }

mkdir -p "$(dirname "$KUBECONFIG")"
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  say "kind cluster $CLUSTER exists; reusing it"
  kind export kubeconfig --name "$CLUSTER" --kubeconfig "$KUBECONFIG"
else
  say "creating kind cluster $CLUSTER"
  kind create cluster --name "$CLUSTER" --kubeconfig "$KUBECONFIG" --wait 120s \
    ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
fi

say "building the images (make images)"
hack/images.sh
say "loading ${IMAGES[*]} into the kind nodes"
kind load docker-image --name "$CLUSTER" "${IMAGES[@]}"

helm=$(local-cluster/ensure-helm.sh | tail -n 1)
say "applying the CRDs, then helm upgrade --install"
kubectl apply --server-side --force-conflicts -f charts/pekko-bootstrap-operator/crds/
kubectl wait --for=condition=Established --timeout=60s crd/clusterbootstraps.bootstrap.pekko-operator.dev \
  crd/clustermemberships.bootstrap.pekko-operator.dev
# pullPolicy Never: the images exist only inside the kind nodes (kind load), never in a registry.
"$helm" upgrade --install "$RELEASE" charts/pekko-bootstrap-operator --namespace "$OPERATOR_NS" --create-namespace \
  --set image.repository=pekko-bootstrap-operator --set image.tag=dev --set image.pullPolicy=Never \
  --wait --timeout 180s
"$helm" test "$RELEASE" --namespace "$OPERATOR_NS"

say "applying docs/examples/demo.yaml"
kubectl apply -f docs/examples/demo.yaml
say "waiting for phase Formed (up to ${TIMEOUT}s)"
if ! kubectl -n "$NS" wait "cb/$CB" --for=jsonpath='{.status.phase}'=Formed --timeout="${TIMEOUT}s"; then
  say "not Formed within ${TIMEOUT}s"
  kubectl -n "$NS" describe cb "$CB" || true
  kubectl -n "$NS" get pods -o wide || true
  kubectl -n "$OPERATOR_NS" logs "deploy/$RELEASE" --tail=50 || true
  exit 1
fi
kubectl -n "$NS" get cb
say "done. KUBECONFIG=$KUBECONFIG kubectl -n $NS describe cb $CB; delete with: $0 down"
