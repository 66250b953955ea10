#!/usr/bin/env bash
# `make helm-install`: installs the chart into the local cluster with the image pekko-bootstrap-operator:dev, which
# the local kubelet maps to `node operator/main.ts`. The operator then runs as a pod under the chart's own
# ServiceAccount (the kubelet gives it the token files and KUBERNETES_SERVICE_HOST, so KubeConfig.loadFromDefault()
# goes in-cluster), so the chart's RBAC is what it really gets.
# Idempotent: `helm upgrade --install`. Extra Helm flags: HELM_ARGS="--set logLevel=debug" make helm-install.
# CLUSTER_DIR picks another local cluster than .cluster, as for local-cluster/cli.ts.
set -euo pipefail
cd "$(dirname "$0")/.."

RELEASE="${RELEASE:-pekko-bootstrap-operator}"
NAMESPACE="${NAMESPACE:-pekko-bootstrap-system}"
# The cluster folder as local-cluster/cli.ts finds it (CLUSTER_DIR, default .cluster).
CLUSTER_DIR="${CLUSTER_DIR:-$PWD/.cluster}"
KUBECONFIG="$CLUSTER_DIR/kubeconfig"
TIMEOUT="${HELM_INSTALL_TIMEOUT:-180s}"
CHART=charts/pekko-bootstrap-operator
SELECTOR="app.kubernetes.io/name=pekko-bootstrap-operator,app.kubernetes.io/instance=$RELEASE"

say() { printf '[helm-install] %s\n' "$*" >&2; }

[ -f "$KUBECONFIG" ] || { say "no local cluster: $KUBECONFIG is missing (run: make cluster-up)"; exit 1; }
helm=$(local-cluster/ensure-helm.sh | tail -n 1)
# The local cluster's kubectl (built with the control plane, same minor as the API server); KUBECTL overrides it.
KUBECTL="${KUBECTL:-$(local-cluster/build-binaries.sh 2>/dev/null | tail -n 1)/kubectl}"
[ -x "$KUBECTL" ] || { say "kubectl not found at $KUBECTL (run: make binaries)"; exit 1; }
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }

# Helm installs crds/ on the first install only and never upgrades it: apply the current CRDs every time.
say "applying the CRDs (Helm never upgrades crds/)"
k apply --server-side --force-conflicts -f "$CHART/crds/" >&2
k wait --for=condition=Established --timeout=60s crd/clusterbootstraps.bootstrap.pekko-operator.dev \
  crd/clustermemberships.bootstrap.pekko-operator.dev >/dev/null

# One operator at a time: the one from `make operator-up` (a local process) would fight the chart's pod.
node local-cluster/cli.ts operator-down >&2 || true

say "helm upgrade --install $RELEASE into namespace $NAMESPACE (image pekko-bootstrap-operator:dev)"
# Helm's own output (NOTES included) only when it fails: `make demo` keeps its progress lines readable.
log="$CLUSTER_DIR/logs/helm-install.log"
mkdir -p "$CLUSTER_DIR/logs"
# shellcheck disable=SC2086 # HELM_ARGS is a list of flags
if ! "$helm" upgrade --install "$RELEASE" "$CHART" --kubeconfig "$KUBECONFIG" \
    --namespace "$NAMESPACE" --create-namespace \
    --set image.repository=pekko-bootstrap-operator --set image.tag=dev \
    --wait --timeout "$TIMEOUT" ${HELM_ARGS:-} >"$log" 2>&1; then
  cat "$log" >&2
  say "the operator did not become ready within $TIMEOUT. What the cluster says:"
  k -n "$NAMESPACE" get pods -l "$SELECTOR" -o wide >&2 || true
  k -n "$NAMESPACE" describe pods -l "$SELECTOR" >&2 || true
  for f in "$CLUSTER_DIR"/logs/pods/"${NAMESPACE}"_*_operator.log; do
    [ -f "$f" ] && { say "last lines of $f:"; tail -n 30 "$f" >&2; }
  done
  exit 1
fi
say "$(grep -E '^(STATUS|REVISION):' "$log" | tr '\n' ' ')(helm's output and NOTES: $log)"
k -n "$NAMESPACE" wait --for=condition=Ready pod -l "$SELECTOR" --timeout="$TIMEOUT" >&2
k -n "$NAMESPACE" get pods -l "$SELECTOR" -o wide >&2
say "ready. Check it: $helm test $RELEASE -n $NAMESPACE --kubeconfig $KUBECONFIG"
say "changed the operator's code? kubectl -n $NAMESPACE rollout restart deployment/$RELEASE"
