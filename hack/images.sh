#!/usr/bin/env bash
# `make images`: builds pekko-bootstrap-operator:$TAG and pekko-bootstrap-agent:$TAG (TAG defaults to dev) from
# operator/Dockerfile and agent/Dockerfile, with the repository root as build context. Needs a container engine
# that answers: docker by default, CONTAINER_ENGINE=podman for Podman.
# Without one it says so and exits 2: nothing was built, and scripts that go on to load the images must stop here.
# (The local cluster does not need images: it maps these image names to `node operator/main.ts` and
# `node agent/main.ts`.)
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE="${CONTAINER_ENGINE:-docker}"
TAG="${TAG:-dev}"

if ! command -v "$ENGINE" >/dev/null 2>&1 || ! timeout 30 "$ENGINE" info >/dev/null 2>&1; then
  cat >&2 <<MSG
[images] No container engine is available: '$ENGINE info' does not answer$(command -v "$ENGINE" >/dev/null 2>&1 || echo " ($ENGINE is not installed)").
[images] The images were NOT built. Start Docker (or set CONTAINER_ENGINE=podman) and run make images again.
[images] The local cluster (make cluster-up, make demo, make test) does not need them.
MSG
  exit 2
fi

for part in operator agent; do
  image="pekko-bootstrap-$part:$TAG"
  echo "[images] building $image from $part/Dockerfile" >&2
  "$ENGINE" build -f "$part/Dockerfile" -t "$image" .
done
echo "[images] built: pekko-bootstrap-operator:$TAG pekko-bootstrap-agent:$TAG" >&2
"$ENGINE" image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "^pekko-bootstrap-(operator|agent):$TAG " >&2 || true
