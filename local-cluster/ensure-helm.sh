#!/usr/bin/env bash
# The Helm binary for the chart tests, `make helm-install` and `make demo`: built once from the Go module proxy and
# cached by version under ~/.cache/pekko-bootstrap-operator/helm/<version>/helm. Progress goes to stderr; the
# binary's path is the last line on stdout. Never rebuilds a cached binary. HELM_BIN=/path/to/helm skips the build.
#
# Why v3.21.4: the proxy serves v3.21.4 and v3.22.0 in full (checked with `go list -m -versions helm.sh/helm/v3` and
# `go mod download`). v3.21.4 is the newest patch of the 3.21 line, and its client-go v0.36 is one minor away from
# the local cluster's Kubernetes 1.35 (inside the supported skew); v3.22.0 is a .0 release on client-go v0.37, two
# minors ahead. Helm's go.mod has no replace directives, so plain `go install pkg@version` builds it.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.21.4}"
CACHE_ROOT="${PBO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-bootstrap-operator}"
dir="$CACHE_ROOT/helm/$HELM_VERSION"
bin="$dir/helm"

say() { printf '[helm] %s\n' "$*" >&2; }

if [ -n "${HELM_BIN:-}" ]; then
  [ -x "$HELM_BIN" ] || { say "HELM_BIN=$HELM_BIN is not an executable"; exit 1; }
  echo "$HELM_BIN"; exit 0
fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

command -v go >/dev/null || { say "Go is needed to build Helm $HELM_VERSION (or set HELM_BIN)"; exit 1; }
mkdir -p "$dir"
# One build at a time: `make test-chart` and `make helm-install` may both ask for it.
exec 9>"$dir/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

log="$dir/build.log"; : >"$log"
start=$(date +%s)
say "building Helm $HELM_VERSION from the Go module proxy (first time only; a few minutes on 2 cores; log: $log)"
mod="helm.sh/helm/v3"
gomod=$(go mod download -json "$mod@$HELM_VERSION" 2>>"$log" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p') \
  || { say "go mod download $mod@$HELM_VERSION failed (log: $log)"; exit 1; }
# Like Helm's Makefile: the default Kubernetes version for `helm template`/`helm lint` follows client-go
# (client-go v0.36.x -> 1.36), and `helm version` reports the release.
cg=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")
cg=${cg#v0.}; minor=${cg%%.*}
ld="-s -w -X $mod/internal/version.version=$HELM_VERSION -X $mod/internal/version.gitTreeState=clean"
for p in "$mod/pkg/lint/rules" "$mod/pkg/chartutil"; do
  ld="$ld -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$minor"
done
tmp="$dir/.gobin"; rm -rf "$tmp"; mkdir -p "$tmp"
say "compiling $mod/cmd/helm@$HELM_VERSION"
if ! GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags "$ld" "$mod/cmd/helm@$HELM_VERSION" >>"$log" 2>&1; then
  say "go install failed (log: $log); retry with: make helm"
  exit 1
fi
mv "$tmp/helm" "$bin"; rm -rf "$tmp"
say "Helm $HELM_VERSION built in $(( $(date +%s) - start ))s: $bin"
echo "$bin"
