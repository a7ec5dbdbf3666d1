#!/usr/bin/env bash
# Proves `stackwright new`: scaffolds a crate into a scratch directory, depending on this checkout's
# crates by path, then runs what its README promises: cargo build, cargo run -- synth, cargo test (its
# snapshot test must pass as created), and checks the synthesized artifacts with the outside checkers.
#
# Usage: scripts/check-scaffold.sh [--keep-temp]
# The scaffolded crate starts from this workspace's Cargo.lock and builds into this workspace's target
# directory (CARGO_TARGET_DIR), so the dependencies compiled for `cargo test` are reused.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
KEEP=0
[ "${1:-}" = "--keep-temp" ] && KEEP=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stackwright-new.XXXXXX")
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CRATE=$WORK/demo-infra

echo "==> stackwright new $CRATE"
cargo run -q --manifest-path "$ROOT/Cargo.toml" -p stackwright-tool -- new "$CRATE" \
  --stackwright-path "$ROOT/crates/stackwright"
cp "$ROOT/Cargo.lock" "$CRATE/Cargo.lock"
cd "$CRATE"

echo "==> cargo build"
cargo build
echo "==> cargo run -- synth --out $WORK/out"
cargo run -q -- synth --out "$WORK/out"
echo "==> cargo test"
cargo test
pending=$(find . -name '*.snap.new' -o -name '*.pending-snap')
if [ -n "$pending" ]; then
  echo "check-scaffold: the new crate's test left pending snapshots: $pending" >&2
  exit 1
fi
echo "==> outside checkers on the new crate's artifacts"
bash "$ROOT/scripts/check-artifacts.sh" --out-dir "$WORK/out"
echo "check-scaffold: ok"
