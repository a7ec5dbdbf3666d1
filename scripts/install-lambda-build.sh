#!/usr/bin/env bash
# Install what synth builds Rust Lambda functions with (`stackwright::assets::RustFunction`): cargo-zigbuild
# 0.24.0 and ziglang 0.15.2 from PyPI, pinned, into $VALIDATORS_HOME/venv-lambda (default
# ~/.cache/stackwright-validators/venv-lambda), where synth finds them when they are not on PATH. Idempotent
# (about 0.1 s when installed). Then says loudly which Lambda architectures this machine can build: each needs
# the Rust standard library of its target (`rustup target add x86_64-unknown-linux-gnu`,
# `rustup target add aarch64-unknown-linux-gnu`).
#
# Usage: scripts/install-lambda-build.sh        Prints the venv's bin directory last (for PATH).
# Exit: 0 when at least x86_64 can be built, 1 otherwise.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
H=${VALIDATORS_HOME:-$HOME/.cache/stackwright-validators}
bash scripts/validators/install.sh lambda >&2
BIN=$H/venv-lambda/bin
sysroot=$(rustc --print sysroot)
# arm64 functions need the aarch64 standard library; try to add it once (a failure only leaves arm64
# "CANNOT be built", said below).
if [ ! -d "$sysroot/lib/rustlib/aarch64-unknown-linux-gnu/lib" ] && command -v rustup >/dev/null 2>&1; then
  timeout 300 rustup target add aarch64-unknown-linux-gnu >&2 || echo "install-lambda-build: rustup target add aarch64-unknown-linux-gnu failed" >&2
fi
x86=0
for arch in x86_64:x86_64-unknown-linux-gnu arm64:aarch64-unknown-linux-gnu; do
  name=${arch%%:*} triple=${arch#*:}
  if [ -d "$sysroot/lib/rustlib/$triple/lib" ]; then
    echo "LAMBDA BUILD: $name CAN be built here ($triple, glibc 2.34, cargo-zigbuild $("$BIN/cargo-zigbuild" --version | awk '{print $2}'), zig $("$BIN/python" -m ziglang version))" >&2
    [ "$name" = x86_64 ] && x86=1
  else
    echo "LAMBDA BUILD: $name CANNOT be built here: no Rust standard library for $triple (rustup target add $triple)" >&2
  fi
done
echo "$BIN"
[ "$x86" = 1 ]
