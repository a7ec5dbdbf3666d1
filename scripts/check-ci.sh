#!/usr/bin/env bash
# Checks the CI pipelines that `ci` generates with outside checkers: actionlint (with shellcheck on every
# `run:` script) and check-jsonschema against the GitHub workflow and GitLab CI schemas it vendors
# (`--builtin-schema vendor.github-workflows`, `vendor.gitlab-ci`), for every example, a tree that keeps a
# removed environment (teardown jobs), and the 500-environment fleet (examples/notebook-service/examples/
# fleet.rs: 1,000 stacks, matrices batched at GitHub's 256). Each case also runs `ci --check` on what it
# wrote, and a second `ci` must change nothing (deterministic).
#
# Usage: scripts/check-ci.sh [--keep-temp]
# Installs the checkers on first use (scripts/validators/install.sh ci). Each case runs in its own scratch
# directory, so that `--out out` is a fresh tree there.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
KEEP=0
[ "${1:-}" = "--keep-temp" ] && KEEP=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stackwright-ci.XXXXXX")
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

bash "$ROOT/scripts/validators/install.sh" ci
# shellcheck source=scripts/validators/lib.sh
. "$ROOT/scripts/validators/lib.sh"
BIN=$VALIDATORS_HOME/venv-ci/bin
export PATH="$BIN:$PATH"   # actionlint finds shellcheck on PATH
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

app() { cargo run -q --manifest-path "$ROOT/Cargo.toml" "$@"; }

FAILED=()
# check NAME TARGET CARGO_SELECTION...: generate in $WORK/NAME, then check what was written.
check() {
  local name=$1 target=$2; shift 2
  local dir=$WORK/$name t
  mkdir -p "$dir"
  t=$(date +%s.%N)
  local selection=() words=("$@")
  while [ ${#words[@]} -gt 0 ]; do
    case ${words[0]} in
      -p) selection+=(--package "${words[1]}") ;;
      --example) selection+=(--example "${words[1]}") ;;
    esac
    words=("${words[@]:2}")
  done
  printf '\n==> %s: ci --target %s\n' "$name" "$target"
  (cd "$dir" && app "$@" -- ci --target "$target" --root . "${selection[@]}")
  local ok=1
  actionlint "$dir/.github/workflows/stackwright.yml" || ok=0
  check-jsonschema --builtin-schema vendor.github-workflows "$dir/.github/workflows/stackwright.yml" || ok=0
  check-jsonschema --builtin-schema vendor.gitlab-ci "$dir/.gitlab/stackwright.gitlab-ci.yml" || ok=0
  (cd "$dir" && app "$@" -- ci --check --target "$target" --root . "${selection[@]}") || ok=0
  local again
  again=$(cd "$dir" && app "$@" -- ci --target "$target" --root . "${selection[@]}")
  case $again in *"(0 changed)"*) ;; *) echo "a second ci changed the files: $again" >&2; ok=0 ;; esac
  printf -- '--- %s: %s bytes (GitHub), %s bytes (GitLab), %s\n' "$name" \
    "$(wc -c <"$dir/.github/workflows/stackwright.yml")" "$(wc -c <"$dir/.gitlab/stackwright.gitlab-ci.yml")" \
    "$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }')"
  [ "$ok" = 1 ] || FAILED+=("$name")
}

# The examples deploy with CloudFormation: their Terraform modules keep state in local files, which `ci`
# refuses for a runner (the fleet's use S3).
check notebook-service cloudformation -p notebook-service
check two-stack cloudformation -p notebook-service --example two-stack
check web-app cloudformation -p web-app --example web-app
check serverless cloudformation -p serverless --example serverless
check multi-stack cloudformation -p multi-stack --example multi-stack
# Teardown: the tenant-sticky variant's tree (app `notebook`, environment `teams`), then the flagship's
# definition, which has no `teams`: its stacks are kept as removed, and the pipelines tear them down.
mkdir -p "$WORK/teardown"
(cd "$WORK/teardown" && app -p notebook-service --example tenant-sticky -- synth --out out >/dev/null)
check teardown cloudformation -p notebook-service
grep -q '^  teardown-1:' "$WORK/teardown/.github/workflows/stackwright.yml" \
  || { echo "teardown: no teardown job generated" >&2; FAILED+=(teardown-job); }
check fleet-500 terraform -p notebook-service --example fleet

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "check-ci: FAILED: ${FAILED[*]}" >&2
  exit 1
fi
echo "check-ci: ok (actionlint with shellcheck, the GitHub workflow and GitLab CI schemas, ci --check, determinism)"
