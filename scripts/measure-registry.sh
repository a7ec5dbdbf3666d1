#!/usr/bin/env bash
# Figures of the generated registry builders (issue 10): coverage, generated source size, the compile time
# of a user crate with 5 generated services vs none (clean debug builds in a scratch target directory), and
# `cargo check --features full`. Slow (several clean builds); run by hand, not in CI.
#
#   scripts/measure-registry.sh [--quick]   (--quick: coverage and size only)
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
root=$PWD

echo "== coverage (cargo xtask codegen --check)"
cargo xtask codegen --check
echo "== generated source size"
gen=crates/stackwright-aws-generated/src/generated
cat "$gen"/*.rs | wc -c | awk '{printf "%.1f MB of Rust in src/generated\n", $1/1e6}'
cat "$gen"/*.schemas.jsonl | wc -c | awk '{printf "%.1f MB of registry schemas (synth-time validation) in src/generated\n", $1/1e6}'
[ "${1:-}" = "--quick" ] && exit 0

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
user_crate() { # name, features
  mkdir -p "$scratch/$1/src"
  cat > "$scratch/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2021"
[dependencies]
stackwright = { path = "$root/crates/stackwright" }
stackwright-aws-generated = { path = "$root/crates/stackwright-aws-generated", features = [$2] }
[workspace]
TOML
  echo 'pub fn f() {}' > "$scratch/$1/src/lib.rs"
}
user_crate none ''
user_crate five '"lambda", "sqs", "sns", "dynamodb", "events"'
for c in none five; do
  ( cd "$scratch/$c" && cargo generate-lockfile -q --offline 2>/dev/null || cargo generate-lockfile -q )
  start=$(date +%s.%N)
  ( cd "$scratch/$c" && CARGO_TARGET_DIR="$scratch/target-$c" cargo build -q --offline )
  echo "clean debug build, $c: $(echo "$(date +%s.%N) - $start" | bc) s"
done
start=$(date +%s.%N)
CARGO_TARGET_DIR="$scratch/target-full" cargo check -q -p stackwright-aws-generated --features full
echo "cargo check -p stackwright-aws-generated --features full (clean): $(echo "$(date +%s.%N) - $start" | bc) s"
