#!/usr/bin/env bash
# Builds the benchmarks' Go peer (bench/peer) from the Go module proxy and caches the binary under
# ~/.cache/pekko-bootstrap-operator/peer/<hash of the peer's sources>/pbo-peer, like local-cluster/build-binaries.sh
# caches the control plane: never rebuilt while the sources are unchanged, one build at a time per cache (flock).
# Prints the binary's path on its last line.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE_ROOT="${PBO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-bootstrap-operator}"

say() { printf '[build-peer] %s\n' "$*" >&2; }

command -v go >/dev/null || { say "needs Go (go.mod asks for $(sed -n 's/^go //p' "$HERE/go.mod") or newer) on PATH"; exit 1; }

hash=$(cd "$HERE" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)
out="$CACHE_ROOT/peer/$hash"
if [ -x "$out/pbo-peer" ]; then say "cached ($out)"; echo "$out/pbo-peer"; exit 0; fi

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build-peer.lock"
flock 9
if [ -x "$out/pbo-peer" ]; then say "built meanwhile by another run"; echo "$out/pbo-peer"; exit 0; fi

mkdir -p "$out"
log="$out/build.log"
say "building (log: $log)"
started=$(date +%s)
if ! (cd "$HERE" && CGO_ENABLED=0 go build -trimpath -o "$out/pbo-peer.tmp" .) >"$log" 2>&1; then
  say "FAILED: go build (log: $log)"; tail -n 20 "$log" >&2; exit 1
fi
mv "$out/pbo-peer.tmp" "$out/pbo-peer"
say "done in $(( $(date +%s) - started ))s"
echo "$out/pbo-peer"
