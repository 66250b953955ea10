#!/usr/bin/env bash
# `make demo`: the README's first command. Local cluster up, the chart installed, docs/examples/demo.yaml applied
# (3 agent pods), then waits for phase Formed and shows `kubectl get cb`. Idempotent: run it again and it reuses the
# running cluster and upgrades the release in place. DEMO_TIMEOUT (seconds, default 300) bounds the wait.
set -euo pipefail
cd "$(dirname "$0")/.."

TIMEOUT="${DEMO_TIMEOUT:-300}"
NS=pekko-demo
CB=pekko-bootstrap-demo
CLUSTER_DIR="${CLUSTER_DIR:-$PWD/.cluster}"
KUBECONFIG="$CLUSTER_DIR/kubeconfig"
started=$(date +%s)

step() { printf '\n==> [demo %ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
make_() { make --no-print-directory "$@"; }

step "1/4 local Kubernetes cluster (the first run builds etcd, the API server and friends from source: 15-30 min on 2 cores; later runs take seconds)"
make_ cluster-up

step "2/4 the operator's Helm chart (the first run builds Helm: about 2 min)"
# The demo's operator watches only its own namespace, so it never touches what `make test` creates on the same
# cluster. `make helm-install` installs the usual cluster-wide operator.
RELEASE=pekko-bootstrap-operator NAMESPACE=$NS HELM_ARGS="--set watchNamespaces={$NS} ${HELM_ARGS:-}" make_ helm-install

KUBECTL="${KUBECTL:-$(local-cluster/build-binaries.sh 2>/dev/null | tail -n 1)/kubectl}"
k() { "$KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }

step "3/4 a 3-node Pekko cluster: kubectl apply -f docs/examples/demo.yaml"
k apply -f docs/examples/demo.yaml

step "4/4 waiting for phase Formed (up to ${TIMEOUT}s)"
deadline=$(( $(date +%s) + TIMEOUT ))
last=""
phase=""
while :; do
  phase=$(k -n "$NS" get cb "$CB" -o jsonpath='{.status.phase}' 2>/dev/null || true)
  line="phase=${phase:-<none yet>} ready=$(k -n "$NS" get cb "$CB" -o jsonpath='{.status.readyReplicas}/{.spec.replicas} contact points={.status.readyContactPoints}' 2>/dev/null || true)"
  if [ "$line" != "$last" ]; then echo "    $line"; last=$line; fi
  # Formed, and the Deployment's own count caught up (it trails the pods' readiness by a moment).
  [ "$phase" = Formed ] && [ "$(k -n "$NS" get cb "$CB" -o jsonpath='{.status.readyReplicas}')" = "$(k -n "$NS" get cb "$CB" -o jsonpath='{.spec.replicas}')" ] && break
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo
    echo "The cluster did not reach phase Formed within ${TIMEOUT}s (phase: ${phase:-none})."
    echo "What the operator says about it:"
    k -n "$NS" describe cb "$CB" || true
    k -n "$NS" get pods -o wide || true
    echo
    echo "Operator logs: kubectl --kubeconfig $KUBECONFIG -n $NS logs deploy/pekko-bootstrap-operator"
    echo "Pod logs:      $CLUSTER_DIR/logs/pods/${NS}_<pod>_<container>.log"
    echo "Wait longer:   DEMO_TIMEOUT=600 make demo      Stop everything: make cluster-down"
    exit 1
  fi
  sleep 2
done

step "done in $(( $(date +%s) - started ))s"
k -n "$NS" get cb
cat <<MSG

The cluster formed. Look further (export KUBECONFIG=$KUBECONFIG first):
  kubectl -n $NS describe cb $CB                 conditions, events, contact points, seed node
  kubectl -n $NS get pods -o wide                the 3 agent pods
  kubectl -n $NS logs -l app=$CB --prefix        what the agents did to join
  kubectl -n $NS logs deploy/pekko-bootstrap-operator
  kubectl -n $NS scale cb/$CB --replicas=5       and watch: kubectl -n $NS get cb -w
Stop everything: make cluster-down
MSG
