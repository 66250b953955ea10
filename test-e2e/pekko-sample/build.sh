#!/usr/bin/env bash
# Builds the Pekko sample app's self-contained jar once and caches it by content:
#   <cache>/pekko-sample/<sha256 of pom.xml and src/>/pekko-sample.jar
# Never rebuilds what is cached. Prints the jar's path on its last line; progress goes to stderr.
#
# Also writes the local cluster's image map for it, registering `pekko-sample:dev` and `pekko-sample:dev2` (the second
# tag is the same jar, for rolling-update tests):
#   - always <cache>/pekko-sample/<hash>/images.json (for LOCAL_IMAGE_MAP=... at `make cluster-up`);
#   - and <cluster dir>/images.d/pekko-sample.json when that folder exists (the kubelet stand-in re-reads images.d at
#     every pod start, so a running cluster picks it up at once). The cluster dir is CLUSTER_DIR, else <repo>/.cluster.
#   --image-map FILE (or PEKKO_SAMPLE_IMAGE_MAP=FILE) writes the map to FILE as well.
#
# The JVM flags live in the map's command, not in JAVA_TOOL_OPTIONS: that variable belongs to the operator, which hands
# Pekko its bootstrap settings in it. The heap is kept small because the local cluster runs several JVMs on 2 cores.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${PBO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pekko-bootstrap-operator}/pekko-sample"
CLUSTER_DIR="${CLUSTER_DIR:-$REPO/.cluster}"
EXTRA_MAP="${PEKKO_SAMPLE_IMAGE_MAP:-}"
JVM_FLAGS=(-Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1)

say() { printf '[pekko-sample] %s\n' "$*" >&2; }
fail() { # step log
  say "FAILED at step: $1"
  say "log: $2"
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --image-map) EXTRA_MAP="${2:?--image-map needs a file}"; shift 2 ;;
    *) say "unknown argument: $1 (usage: build.sh [--image-map FILE])"; exit 2 ;;
  esac
done

command -v java >/dev/null || fail "find java (a JDK 17 or newer must be on PATH)" "-"
JAVA="$(readlink -f "$(command -v java)")"
case "$JAVA$CACHE_ROOT" in *'"'*|*'\\'*) fail "check paths (the image map is JSON: no quotes or backslashes in $JAVA or $CACHE_ROOT)" "-" ;; esac

# The cache key: every file that goes into the jar, by path and content, in a stable order.
key="$(cd "$HERE" && { echo pom.xml; find src -type f | LC_ALL=C sort; } | while read -r f; do
  printf '%s\n' "$f"; sha256sum <"$f"; done | sha256sum | cut -c1-16)"
out="$CACHE_ROOT/$key"
jar="$out/pekko-sample.jar"
mkdir -p "$out"

build() {
  local log="$out/build.log" work="$out/work"
  # One build at a time per key: concurrent test runs wait for the first instead of racing it.
  exec 9>"$out/.lock"
  flock 9
  if [ -s "$jar" ]; then say "jar $key: built by a concurrent run"; return 0; fi
  command -v mvn >/dev/null || fail "find mvn (Maven 3.8 or newer must be on PATH)" "-"
  : >"$log"
  rm -rf "$work" && mkdir -p "$work"
  # Build from a copy: the repository gets no target/ folder, and an edit during the build can't mix versions.
  (cd "$HERE" && cp -r pom.xml src "$work/") >>"$log" 2>&1 || fail "copy sources to $work" "$log"
  say "jar $key: building with Maven (the first run downloads dependencies; log: $log)"
  local t0=$SECONDS
  (cd "$work" && mvn -q -B package) >>"$log" 2>&1 || fail "mvn -q -B package" "$log"
  [ -s "$work/target/pekko-sample.jar" ] || fail "mvn package produced no target/pekko-sample.jar" "$log"
  mv "$work/target/pekko-sample.jar" "$jar.tmp" && mv "$jar.tmp" "$jar"
  rm -rf "$work"
  say "jar $key: built in $((SECONDS - t0))s ($(du -h "$jar" | cut -f1))"
}

if [ -s "$jar" ]; then say "jar $key: cached"; else build; fi

# The image map: both tags run the same jar; the operator's JAVA_TOOL_OPTIONS reach the JVM from the pod's env.
entry="$(printf '{"command": ["%s"' "$JAVA"; for f in "${JVM_FLAGS[@]}"; do printf ', "%s"' "$f"; done
  printf ', "-jar", "%s"], "env": {}}' "$jar")"
map="$(printf '{\n  "pekko-sample:dev": %s,\n  "pekko-sample:dev2": %s\n}\n' "$entry" "$entry")"
write_map() { # file
  mkdir -p "$(dirname "$1")"
  printf '%s' "$map" >"$1.tmp" && mv "$1.tmp" "$1" || fail "write image map $1" "-"
  say "image map: $1"
}
write_map "$out/images.json"
if [ -d "$CLUSTER_DIR/images.d" ]; then
  write_map "$CLUSTER_DIR/images.d/pekko-sample.json"
else
  say "no $CLUSTER_DIR/images.d (cluster not up): load the map with LOCAL_IMAGE_MAP=$out/images.json at cluster-up"
fi
if [ -n "$EXTRA_MAP" ]; then write_map "$EXTRA_MAP"; fi

echo "$jar"
