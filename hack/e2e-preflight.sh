#!/usr/bin/env bash
# Before the e2e suites: each suite runs its own operator, watching only its test's namespace. A cluster-wide
# operator installed in the same local cluster (`make helm-install`) would reconcile the tests' resources too and
# make the results meaningless, so refuse to start and say how to remove it. The demo's operator
# (`make demo`) watches only pekko-demo and is fine.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBECONFIG="${CLUSTER_DIR:-$PWD/.cluster}/kubeconfig"
KUBECTL="$(local-cluster/build-binaries.sh 2>/dev/null | tail -n 1)/kubectl"
found=$("$KUBECTL" --kubeconfig "$KUBECONFIG" get clusterrolebindings \
  -l app.kubernetes.io/part-of=pekko-bootstrap-operator,app.kubernetes.io/managed-by=Helm \
  -o jsonpath='{range .items[*]}{.subjects[0].namespace}/{.metadata.name}{"\n"}{end}' 2>/dev/null || true)
if [ -n "$found" ]; then
  echo "[e2e] a cluster-wide pekko-bootstrap-operator is installed in the local cluster:" >&2
  echo "$found" | sed 's/^/[e2e]   /' >&2
  echo "[e2e] it would reconcile the tests' resources too. Remove it first:" >&2
  echo "[e2e]   $(local-cluster/ensure-helm.sh 2>/dev/null | tail -n 1) uninstall pekko-bootstrap-operator -n pekko-bootstrap-system --kubeconfig $KUBECONFIG" >&2
  echo "[e2e] or start from a fresh cluster: make cluster-down" >&2
  exit 1
fi
