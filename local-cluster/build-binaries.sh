#!/usr/bin/env bash
# v1.35.4: the newest v1.35 patch whose staging modules the module proxy served in full when this was written
# (v1.35.7 answered 403; v1.35.6 lacked k8s.io/mount-utils, kube-proxy, externaljwt and sample-apiserver v0.35.6).
# Builds the local control plane's binaries from the Go module proxy and caches them by version:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl.
# Prints the folder that holds them on its last line. Never rebuilds what is cached.
#
# Why a wrapper module: k8s.io/kubernetes replaces its staging modules (k8s.io/api, ...) with local paths, and
# `go install pkg@version` refuses modules with replace directives. A wrapper module that requires k8s.io/kubernetes
# and pins each staging module to its published v0.X.Y builds the same code.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.35.4}"
K8S_FALLBACK_VERSION="${K8S_FALLBACK_VERSION:-v1.34.10}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.14}"
CACHE_ROOT="${PBO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-bootstrap-operator}"
K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

say() { printf '[build-binaries] %s\n' "$*" >&2; }
fail() {
  say "FAILED at step: $1"
  say "retry with: make binaries   (cached steps are skipped; logs: $2)"
  exit 1
}

have_all() { # dir names...
  local dir=$1; shift
  for b in "$@"; do [ -x "$dir/$b" ] || return 1; done
}

# KUBEBUILDER_ASSETS (the envtest convention): ready binaries, no build.
if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if have_all "$KUBEBUILDER_ASSETS" etcd "${K8S_BINS[@]}"; then
    say "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    echo "$KUBEBUILDER_ASSETS"; exit 0
  fi
  say "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks one of: etcd ${K8S_BINS[*]}; building instead"
fi

build_etcd() {
  local out="$CACHE_ROOT/etcd/$ETCD_VERSION/bin"
  if [ -x "$out/etcd" ]; then say "etcd $ETCD_VERSION: cached"; return 0; fi
  local work="$CACHE_ROOT/etcd/$ETCD_VERSION/work" log="$CACHE_ROOT/etcd/$ETCD_VERSION/build.log"
  mkdir -p "$work" "$out"; : >"$log"
  say "etcd $ETCD_VERSION: downloading modules (log: $log)"
  ( cd "$work" && rm -f go.mod go.sum && go mod init local/etcd-build && \
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" ) >>"$log" 2>&1 || fail "etcd: go get" "$log"
  say "etcd $ETCD_VERSION: compiling"
  ( cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3 ) >>"$log" 2>&1 \
    || fail "etcd: go build" "$log"
  mv "$out/etcd.tmp" "$out/etcd"
  say "etcd $ETCD_VERSION: done"
}

build_k8s() { # version
  local v=$1 out="$CACHE_ROOT/k8s/$1/bin"
  if have_all "$out" "${K8S_BINS[@]}"; then say "kubernetes $v: cached"; return 0; fi
  local work="$CACHE_ROOT/k8s/$v/work" log="$CACHE_ROOT/k8s/$v/build.log"
  mkdir -p "$work" "$out"; : >"$log"
  local staging="v0.${v#v1.}"
  say "kubernetes $v: reading its go.mod (log: $log)"
  local gomod
  gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$v" 2>>"$log" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p') \
    || fail "kubernetes $v: go mod download" "$log"
  [ -n "$gomod" ] && [ -f "$gomod" ] || fail "kubernetes $v: go mod download (no go.mod path)" "$log"
  # Every k8s.io module required at exactly v0.0.0 is a staging module replaced by a local path upstream
  # (k8s.io/utils and kube-openapi carry pseudo-versions v0.0.0-DATE-HASH: real modules, left alone).
  local mods
  mods=$(grep -E '^\s*k8s\.io/[^ ]+ v0\.0\.0(\s|$)' "$gomod" | awk '{print $1}' | sort -u)
  {
    echo "module local/k8s-build"
    echo
    echo "go 1.25"
    echo
    echo "require k8s.io/kubernetes $v"
    echo
    for m in $mods; do echo "replace $m => $m $staging"; done
  } >"$work/go.mod"
  cat >"$work/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  say "kubernetes $v: resolving $(echo "$mods" | wc -w) staging modules at $staging and downloading dependencies"
  ( cd "$work" && go mod tidy -e ) >>"$log" 2>&1 || fail "kubernetes $v: go mod tidy" "$log"
  local minor=${v#v1.}; minor=${minor%%.*}
  local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  for b in "${K8S_BINS[@]}"; do
    if [ -x "$out/$b" ]; then say "kubernetes $v: $b cached"; continue; fi
    say "kubernetes $v: compiling $b"
    ( cd "$work" && CGO_ENABLED=0 go build -trimpath -tags selinux,notest -ldflags "-s -w $ld" \
        -o "$out/$b.tmp" "k8s.io/kubernetes/cmd/$b" ) >>"$log" 2>&1 || return 1
    mv "$out/$b.tmp" "$out/$b"
  done
  say "kubernetes $v: done"
}

# One build at a time per cache (two checkouts running `make` at once would otherwise write the same files).
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build-binaries.lock"
flock 9

build_etcd
version="$K8S_VERSION"
if ! build_k8s "$K8S_VERSION"; then
  say "kubernetes $K8S_VERSION did not build (log: $CACHE_ROOT/k8s/$K8S_VERSION/build.log); falling back to $K8S_FALLBACK_VERSION"
  version="$K8S_FALLBACK_VERSION"
  build_k8s "$K8S_FALLBACK_VERSION" || fail "kubernetes $K8S_FALLBACK_VERSION: go build" "$CACHE_ROOT/k8s/$K8S_FALLBACK_VERSION/build.log"
fi

# One folder with everything, like KUBEBUILDER_ASSETS.
assets="$CACHE_ROOT/assets/$version-etcd-$ETCD_VERSION"
mkdir -p "$assets"
ln -sf "$CACHE_ROOT/etcd/$ETCD_VERSION/bin/etcd" "$assets/etcd"
for b in "${K8S_BINS[@]}"; do ln -sf "$CACHE_ROOT/k8s/$version/bin/$b" "$assets/$b"; done
echo "$assets"
