#!/usr/bin/env bash
# Measure build times of the workspace: a clean debug build and the edit-compile loop of the flagship.
#
# Usage: scripts/measure-build.sh [--clean-runs N] [--rebuild-runs N] [--keep]
#
#   (a) clean    `cargo clean` of a separate target dir, then `cargo build --workspace` (debug), timed;
#                repeated --clean-runs times (default 3), median/min/max reported
#   (b) rebuild  `touch examples/notebook-service/src/lib.rs` then `cargo build -p notebook-service`, timed;
#                repeated --rebuild-runs times (default 3) after one untimed warm-up build of the package
#                (so that a feature-resolution difference between `--workspace` and `-p` is not counted)
#   --keep       keep the measurement target dir afterwards (removed by default)
#
# Targets: clean <= 60 s, rebuild <= 5 s (median). Exit 0 whether or not they are met (this measures, it
# does not gate); non-zero only if a build fails or on bad usage.
#
# Environment: MEASURE_TARGET_DIR (default: <repo>/target/measure). The normal target dir is never touched.
# Dependencies are fetched (untimed) before the clean build, so download time is not measured.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "measure-build: $*" >&2; exit 2; }

CLEAN_RUNS=3
REBUILD_RUNS=3
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clean-runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--clean-runs needs a positive integer"; CLEAN_RUNS=$2; shift 2 ;;
    --rebuild-runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--rebuild-runs needs a positive integer"; REBUILD_RUNS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${MEASURE_TARGET_DIR:-$ROOT/target/measure}
TOUCHED=examples/notebook-service/src/lib.rs
[[ -f "$TOUCHED" ]] || die "$TOUCHED not found"

CLEAN_TARGET_S=60
REBUILD_TARGET_S=5

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# stats VALUES...: "median X s  min Y s  max Z s"
stats() {
  printf '%s\n' "$@" | sort -g | awk '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "median %.2f s   min %.2f s   max %.2f s", m, v[1], v[NR]
    }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "PASS" : "FAIL" }'; }

LOG=$(mktemp -t measure-build.XXXXXX)
cleanup() {
  rm -f "$LOG"
  if [[ $KEEP -eq 0 ]]; then rm -rf "$CARGO_TARGET_DIR"; fi
}
trap cleanup EXIT

# run LABEL CMD...: runs CMD with output in $LOG, prints the wall seconds; shows the log on failure.
run() {
  local label=$1; shift
  local start end
  start=$(now)
  if ! "$@" >"$LOG" 2>&1; then
    echo "measure-build: $label failed: $*" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
  end=$(now)
  elapsed "$start" "$end"
}

echo "measure-build: $(cargo --version), $(rustc --version)"
echo "measure-build: $(nproc) CPUs, target dir $CARGO_TARGET_DIR"
[[ -n "${RUSTC_WRAPPER:-}" ]] && echo "measure-build: note: RUSTC_WRAPPER=$RUSTC_WRAPPER is set and may skew clean-build times"
[[ -n "${CARGO_BUILD_JOBS:-}" ]] && echo "measure-build: note: CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS"

cargo fetch -q || die "cargo fetch failed (dependencies are fetched before timing)"

CLEAN=()
for ((i = 1; i <= CLEAN_RUNS; i++)); do
  cargo clean -q
  t=$(run "clean build" cargo build --workspace)
  compiled=$(grep -c '^ *Compiling ' "$LOG" || true)
  echo "clean build $i/$CLEAN_RUNS: ${t} s (cargo build --workspace, $compiled crates compiled)"
  CLEAN+=("$t")
done

t=$(run "warm-up build" cargo build -p notebook-service)
echo "warm-up: cargo build -p notebook-service ${t} s (untimed in the figures)"

REBUILD=()
for ((i = 1; i <= REBUILD_RUNS; i++)); do
  touch "$TOUCHED"
  t=$(run "incremental rebuild" cargo build -p notebook-service)
  compiled=$(grep '^ *Compiling ' "$LOG" | awk '{ print $2 }' | paste -sd, - || true)
  echo "rebuild $i/$REBUILD_RUNS: ${t} s (touch $TOUCHED; cargo build -p notebook-service; compiled: ${compiled:-nothing})"
  REBUILD+=("$t")
done

echo
echo "clean debug build   ($CLEAN_RUNS run(s))  $(stats "${CLEAN[@]}")   target <= ${CLEAN_TARGET_S} s: $(verdict "$(median "${CLEAN[@]}")" "$CLEAN_TARGET_S")"
echo "incremental rebuild ($REBUILD_RUNS run(s))  $(stats "${REBUILD[@]}")   target <= ${REBUILD_TARGET_S} s: $(verdict "$(median "${REBUILD[@]}")" "$REBUILD_TARGET_S")"
