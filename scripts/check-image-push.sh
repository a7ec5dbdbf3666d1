#!/usr/bin/env bash
# Rehearse an image asset's publish step without a Docker daemon: build an image from a `FROM scratch` build
# context (Stackwright's own OCI writer), push it with skopeo as `list` publishes it, to a registry on
# 127.0.0.1 (Debian's docker-registry, started here on a free port with its storage in a scratch directory, and
# stopped at the end), and check that the registry holds the image under its tag with the digest it was tagged
# with (crates/stackwright-assets/tests/main.rs, an_image_is_pushed_to_a_local_registry_with_its_digest).
#
# Needs skopeo and docker-registry (Debian packages): installed with apt-get when missing and this runs as root;
# otherwise the rehearsal is NOT RUN, said loudly (exit 0). Never leaves loopback. About 15 seconds.
#
# Usage: scripts/check-image-push.sh        Exit: 0 pushed (or NOT RUN, said why), 1 the push or check failed.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

not_run() { echo "IMAGE PUSH NOT REHEARSED: $*" >&2; exit 0; }

if ! command -v skopeo >/dev/null 2>&1 || ! command -v docker-registry >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing skopeo and docker-registry (Debian packages)"
    apt-get install -y --no-install-recommends skopeo docker-registry >/dev/null \
      || not_run "apt-get could not install skopeo and docker-registry"
  else
    not_run "skopeo or docker-registry is missing, and apt-get cannot install them here (not root, or no apt-get)"
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stackwright-registry.XXXXXX")
REGISTRY_PID=
cleanup() {
  if [ -n "$REGISTRY_PID" ]; then kill "$REGISTRY_PID" 2>/dev/null || true; wait "$REGISTRY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/storage
http:
  addr: 127.0.0.1:$PORT
YAML
docker-registry serve "$WORK/config.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
for _ in $(seq 50); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/v2/')" 2>/dev/null; then break; fi
  kill -0 "$REGISTRY_PID" 2>/dev/null || { cat "$WORK/registry.log" >&2; not_run "docker-registry did not start"; }
  sleep 0.2
done
echo "==> registry on 127.0.0.1:$PORT (pid $REGISTRY_PID); pushing an image built from a scratch context"
STACKWRIGHT_TEST_REGISTRY=127.0.0.1:$PORT cargo test -q -p stackwright-assets --test main -- --ignored \
  --exact an_image_is_pushed_to_a_local_registry_with_its_digest --nocapture
echo "image push rehearsed: OK"
