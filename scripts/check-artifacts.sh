#!/usr/bin/env bash
# Synthesize every example and judge the artifacts with outside checkers (all offline once installed).
#
# Usage: scripts/check-artifacts.sh [--example NAME]... [--keep-temp]
#        scripts/check-artifacts.sh --out-dir DIR [--out-dir DIR]... [--keep-temp]
#
#   (default)        for each examples/*/Cargo.toml: cargo run -q -p NAME -- synth --out TMP/NAME, then check it
#                    (an example of one target declares it: `.targets([Target::Terraform])`)
#   --example NAME   only synthesize and check example package NAME (repeatable)
#   --out-dir DIR    check an already-synthesized out dir (DIR/manifest.json); builds nothing; never writes to DIR
#   --keep-temp      keep the scratch dir (synthesized output, terraform copies, raw checker reports)
#
# Checks, per artifact listed in each manifest.json (paths relative to the out dir):
#   manifest        manifest.json parses, format 1, each path exists inside the out dir, sha256 matches   (gating)
#   cloudformation  cfn-lint 1.58.0 --regions <the artifact's region>: 0 errors (warnings shown)          (gating)
#                   cloudformation-validate 1.14.0: 0 FATAL/ERROR                                           (gating)
#   terraform       terraform 1.0.3 init -backend=false + validate -json in a scratch copy of the out dir,
#                   hashicorp/aws from a local filesystem mirror: valid and 0 errors                        (gating)
#                   No mirror (or no runnable terraform): a NOTICE on stderr, reported as NOT RUN, not failed.
#   checkov 3.3.30  failed checks are reported per artifact; CHECKOV_GATING=1 makes them fatal
# Exit: 0 when no gating check failed, 1 when one did, 2 on bad usage.
#
# Environment: VALIDATORS_HOME (default ~/.cache/stackwright-validators), TF_MIRROR (filesystem mirror dir),
#   CHECKOV_GATING=1, CHECK_JOBS (terraform dirs checked in parallel; default: CPUs, at most 4).
# Checkers are installed first with scripts/validators/install.sh (idempotent; needs PyPI on first run).
# shellcheck source-path=SCRIPTDIR disable=SC2329  # functions are called indirectly (traps, start_family)
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "check-artifacts: $*" >&2; exit 2; }

OUT_DIRS=()
ONLY=()
KEEP=0
while [ $# -gt 0 ]; do
  case $1 in
    --out-dir)    [ $# -ge 2 ] || die "--out-dir needs a directory"; OUT_DIRS+=("$2"); shift 2 ;;
    --out-dir=*)  OUT_DIRS+=("${1#--out-dir=}"); shift ;;
    --example|-e) [ $# -ge 2 ] || die "--example needs a package name"; ONLY+=("$2"); shift 2 ;;
    --example=*)  ONLY+=("${1#--example=}"); shift ;;
    --keep-temp)  KEEP=1; shift ;;
    -h|--help)    usage; exit 0 ;;
    *)            die "unknown argument: $1 (see --help)" ;;
  esac
done
if [ ${#OUT_DIRS[@]} -gt 0 ] && [ ${#ONLY[@]} -gt 0 ]; then die "--out-dir and --example do not mix"; fi
# Resolve --out-dir against the caller's cwd before moving to the repository root.
for i in "${!OUT_DIRS[@]}"; do
  [ -d "${OUT_DIRS[$i]}" ] || die "--out-dir ${OUT_DIRS[$i]}: not a directory"
  OUT_DIRS[i]=$(cd -- "${OUT_DIRS[$i]}" && pwd -P)
done

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
V=$ROOT/scripts/validators
# shellcheck source=scripts/validators/lib.sh
. "$V/lib.sh"
H=$VALIDATORS_HOME
CHECKOV_GATING=${CHECKOV_GATING:-0}
export CHECKOV_GATING

helper() { python3 -B "$V/artifacts.py" "$@"; }
say() { printf '\n==> %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

T_START=$(now)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stackwright-check.XXXXXX")
BG_PIDS=()
kill_tree() {  # PID: stop a background family and the checker processes it started (children first)
  local c
  if command -v pgrep >/dev/null 2>&1; then
    for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
  fi
  kill -TERM "$1" 2>/dev/null || true
}
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  if [ ${#BG_PIDS[@]} -gt 0 ]; then
    for p in "${BG_PIDS[@]}"; do kill_tree "$p"; done
    wait 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then echo "check-artifacts: scratch dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------------------------------------ synthesize
if [ ${#OUT_DIRS[@]} -eq 0 ]; then
  listing=$(helper examples "$ROOT")
  NAMES=()
  declare -A DIRS=()
  while IFS=$'\t' read -r name dir; do
    DIRS[$name]=$dir
    [ -n "$name" ] || continue
    if [ ${#ONLY[@]} -gt 0 ]; then
      keep=0
      for o in "${ONLY[@]}"; do [ "$o" = "$name" ] && keep=1; done
      [ "$keep" = 1 ] || continue
    fi
    NAMES+=("$name")
  done <<<"$listing"
  if [ ${#ONLY[@]} -gt 0 ]; then
    for o in "${ONLY[@]}"; do
      printf '%s\n' "$listing" | cut -f1 | grep -qxF -- "$o" || die "--example $o: no such package under examples/"
    done
  fi
  if [ ${#NAMES[@]} -eq 0 ]; then
    echo "NOTICE: no example packages (examples/*/Cargo.toml) found: nothing to synthesize" >&2
  fi
fi

# ------------------------------------------------------------------------------------------------ checkers
say "validators (scripts/validators/install.sh)"
bash "$V/install.sh"
if [ ${#OUT_DIRS[@]} -eq 0 ]; then
  # Synth builds Rust Lambda functions (the serverless example's) with cargo-zigbuild.
  bash scripts/install-lambda-build.sh >/dev/null
fi

if [ ${#OUT_DIRS[@]} -eq 0 ]; then
  mkdir -p "$WORK/out"
  for name in ${NAMES[@]+"${NAMES[@]}"}; do
    # The workspace keeps one binary (the flagship, for a bare `cargo run`); other examples are cargo
    # example targets named like their package.
    run=(cargo run -q -p "$name")
    if [ ! -f "${DIRS[$name]}/src/main.rs" ]; then run+=(--example "$name"); fi
    synth=(synth)
    say "synth $name: ${run[*]} -- ${synth[*]} --out \$TMP/$name"
    t0=$(now)
    rc=0
    "${run[@]}" -- "${synth[@]}" --out "$WORK/out/$name" || rc=$?
    if [ "$rc" = 0 ]; then
      OUT_DIRS+=("$WORK/out/$name")
      echo "synthesized $name in $(since "$t0")"
    else
      echo "FAIL: cargo run -q -p $name -- synth exited $rc" >&2
      printf -- '-\tsynth\tFAIL\t%s\n' "$name: cargo run -q -p $name -- synth --out DIR exited $rc" >>"$WORK/results.synth"
    fi
  done
fi

# ------------------------------------------------------------------------------------------------ manifests
ART=$WORK/artifacts.tsv
: >"$ART"
if [ ${#OUT_DIRS[@]} -gt 0 ]; then
  say "manifests"
  helper manifest "$ART" "$WORK/results.manifest" "${OUT_DIRS[@]}"
fi

declare -A CFN_MAP=()      # region -> map file (IDX, ABSPATH, LABEL)
CFN_REGIONS=()
declare -A TF_IDS=()       # artifact dir -> comma separated artifact indexes
declare -A TF_LABEL=() TF_OUT=() TF_REL=()
TF_DIRS=()
N_CFN=0 N_TF=0 N_ALL=0
: >"$WORK/cfn.all.map"
: >"$WORK/checkov.prep.map"
: >"$WORK/checkov.labels.map"
while IFS=$'\t' read -r idx ok app _env region target abs rel out; do
  [ "$ok" = 1 ] || continue
  N_ALL=$((N_ALL + 1))
  case $target in
    cloudformation)
      N_CFN=$((N_CFN + 1))
      if [ -z "${CFN_MAP[$region]+x}" ]; then
        CFN_REGIONS+=("$region")
        CFN_MAP[$region]=$WORK/cfn.${#CFN_REGIONS[@]}.map
      fi
      printf '%s\t%s\t%s\n' "$idx" "$abs" "$app: $rel" | tee -a "$WORK/cfn.all.map" >>"${CFN_MAP[$region]}"
      ;;
    terraform)
      N_TF=$((N_TF + 1))
      dir=$(dirname "$abs")
      if grep -q '"hashicorp/awscc"' "$abs"; then
        # Generated registry types lower to the awscc provider, which is not in this machine's provider
        # mirror: `terraform validate` cannot check these modules (reported NOT RUN, never passed). Their awscc
        # resources are checked against the vendored awscc schema instead; a mismatch fails.
        echo "NOTICE: terraform validate CANNOT check $app: $rel: it has awscc resources and the awscc provider is not in the local mirror." >&2
        echo "NOTICE: checking its awscc resources against the vendored awscc 1.106.0 schema instead (scripts/check-awscc.py)." >&2
        if python3 "$ROOT/scripts/check-awscc.py" "$abs" >"$WORK/awscc.$idx.out" 2>&1; then
          printf '%s\tterraform\tNOTRUN\t%s\n' "$idx" "cannot check awscc here; vendored awscc schema check passed" >>"$WORK/results.awscc"
        else
          cat "$WORK/awscc.$idx.out" >&2
          printf '%s\tterraform\tFAIL\t%s\n' "$idx" "awscc resources do not match the vendored awscc schema" >>"$WORK/results.awscc"
        fi
        tail -n 1 "$WORK/awscc.$idx.out" >&2
      elif [ -z "${TF_IDS[$dir]+x}" ]; then
        TF_DIRS+=("$dir")
        TF_IDS[$dir]=$idx
        TF_LABEL[$dir]="$app: $(dirname "$rel")"
        TF_OUT[$dir]=$out
        TF_REL[$dir]=$(dirname "$rel")
      else
        TF_IDS[$dir]+=",$idx"
      fi
      ;;
  esac
  printf '%s\t%s:%s\n' "$idx" "$target" "$abs" >>"$WORK/checkov.prep.map"
  printf '%s\t%s\n' "$idx" "$app: $rel" >>"$WORK/checkov.labels.map"
done <"$ART"

# ------------------------------------------------------------------------------------------------ families
# Each family runs in the background, writes its own results file(s) and log; the logs are printed in a fixed
# order once all are done. An artifact a family failed to write a result for counts as failed ("no result").

cfn_family() {
  local region map rc t0 files=() n=0
  for region in "${CFN_REGIONS[@]}"; do
    n=$((n + 1))
    map=${CFN_MAP[$region]}
    mapfile -t files < <(cut -f2 "$map")
    t0=$(now)
    rc=0
    "$H/venv-cfnlint/bin/cfn-lint" --format json --regions "$region" -- "${files[@]}" \
      >"$WORK/cfnlint.$n.json" 2>"$WORK/cfnlint.$n.err" || rc=$?
    helper cfnlint "$WORK/results.cfnlint.$n" "$map" "$WORK/cfnlint.$n.json" "$WORK/cfnlint.$n.err" "$rc" "$region"
    echo "  (cfn-lint --regions $region took $(since "$t0"))"
  done
  mapfile -t files < <(cut -f2 "$WORK/cfn.all.map")
  t0=$(now)
  rc=0
  "$H/venv-cfnvalidate/bin/python" -B "$V/cfn_validate.py" --tsv "$WORK/cfnvalidate.tsv" -- "${files[@]}" \
    >"$WORK/cfnvalidate.out" 2>&1 || rc=$?
  helper cfnvalidate "$WORK/results.cfnvalidate" "$WORK/cfn.all.map" "$WORK/cfnvalidate.tsv" "$WORK/cfnvalidate.out" "$rc"
  echo "  (cloudformation-validate took $(since "$t0"))"
}

tf_one() {  # N DIR: copy DIR's out dir to scratch, init + validate there
  local n=$1 dir=$2 t0 t1 rc=0
  local tree=$WORK/tf/$n/tree
  local d=$tree/${TF_REL[$dir]}
  mkdir -p "$tree"
  # The whole out dir is copied (it is small) so relative references between artifacts still resolve; a stray
  # .terraform from an earlier manual run is dropped. The checked out dir itself is never written to.
  cp -R "${TF_OUT[$dir]}/." "$tree/"
  find "$tree" -name .terraform -type d -prune -exec rm -rf {} +
  t0=$(now)
  if "$TF_BIN" -chdir="$d" init -backend=false -input=false -no-color >"$WORK/tf/$n/init.log" 2>&1; then
    t1=$(now)
    "$TF_BIN" -chdir="$d" validate -json -no-color >"$WORK/tf/$n/validate.json" 2>"$WORK/tf/$n/validate.err" || rc=$?
    helper tfvalidate "$WORK/results.tf.$n" "${TF_IDS[$dir]}" "${TF_LABEL[$dir]}" "$WORK/tf/$n/validate.json" "$rc"
    echo "  (${TF_LABEL[$dir]}: init $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1fs", b - a }'), validate $(since "$t1"))"
  else
    rc=$?
    echo "  FAIL ${TF_LABEL[$dir]}: terraform init -backend=false exited $rc:"
    sed 's/^/    /' "$WORK/tf/$n/init.log"
    local idx
    for idx in ${TF_IDS[$dir]//,/ }; do
      printf '%s\tterraform\tFAIL\tinit failed\n' "$idx" >>"$WORK/results.tf.$n"
    done
  fi
}

tf_family() {
  local n=0 running=0 dir
  tf_write_cli_config "$WORK/terraformrc" "$TF_MIRROR_DIR"
  tf_env "$WORK/terraformrc"
  export TF_PLUGIN_CACHE_DIR=$WORK/tf-plugin-cache
  mkdir -p "$TF_PLUGIN_CACHE_DIR"
  for dir in "${TF_DIRS[@]}"; do
    n=$((n + 1))
    mkdir -p "$WORK/tf/$n"
    if [ "$n" = 1 ]; then
      tf_one "$n" "$dir" >"$WORK/tf/$n/log" 2>&1 || true  # alone: fills the shared plugin cache
    else
      tf_one "$n" "$dir" >"$WORK/tf/$n/log" 2>&1 &
      running=$((running + 1))
      if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
      fi
    fi
  done
  wait || true
  for ((i = 1; i <= n; i++)); do cat "$WORK/tf/$i/log"; done
}

checkov_family() {
  local copies rc=0 t0 args=() f
  copies=$(helper checkov-prep "$WORK/checkov.prep.map" "$WORK/checkov")
  while IFS= read -r f; do [ -n "$f" ] && args+=(-f "$f"); done <<<"$copies"
  t0=$(now)
  (cd "$WORK/checkov" && "$H/venv-checkov/bin/checkov" "${args[@]}" --framework cloudformation terraform_json \
      --skip-download --compact -o json) >"$WORK/checkov.json" 2>"$WORK/checkov.err" || rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    echo "checkov exited $rc; its stderr ends with:"
    tail -n 40 "$WORK/checkov.err" | sed 's/^/    /'
  fi
  helper checkov "$WORK/results.checkov" "$WORK/checkov.labels.map" "$WORK/checkov.json" "$rc" "$CHECKOV_GATING"
  echo "  (checkov took $(since "$t0"))"
}

NOTRUN=()
TF_REASON=
if [ "$N_TF" -gt 0 ]; then
  tf_unavailable_reason >"$WORK/tf-reason"
  TF_REASON=$(cat "$WORK/tf-reason")
  if [ -n "$TF_REASON" ]; then
    {
      echo
      echo "NOTICE: terraform validate did NOT run: $TF_REASON"
      echo "NOTICE: the $N_TF terraform artifact(s) are reported as NOT RUN, not as passed."
      echo
    } >&2
    NOTRUN+=(--notrun "terraform=$TF_REASON")
  fi
fi
JOBS=${CHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
[ -n "${CHECK_JOBS:-}" ] || [ "$JOBS" -le 4 ] || JOBS=4

declare -A LOGS=()
FAMILIES=()
start_family() {  # NAME DESCRIPTION
  FAMILIES+=("$1")
  LOGS[$1]=$WORK/log.$1
  echo "  $2"
  "${1}_family" >"${LOGS[$1]}" 2>&1 &
  BG_PIDS+=($!)
}
if [ "$N_ALL" -gt 0 ]; then
  say "checking $N_ALL artifact(s) ($N_CFN CloudFormation, $N_TF Terraform)"
  if [ "$N_CFN" -gt 0 ]; then
    start_family cfn "cfn-lint in ${#CFN_REGIONS[@]} region group(s) (${CFN_REGIONS[*]}), cloudformation-validate"
  fi
  if [ "$N_TF" -gt 0 ] && [ -z "$TF_REASON" ]; then
    start_family tf "terraform init + validate: ${#TF_DIRS[@]} dir(s), $JOBS at a time; $("$TF_BIN" version | head -n 1), hashicorp/aws $(tf_mirror_aws_versions "$TF_MIRROR_DIR") from $TF_MIRROR_DIR"
  fi
  start_family checkov "checkov on $N_ALL artifact(s) ($([ "$CHECKOV_GATING" = 1 ] && echo gating || echo report only))"
  wait "${BG_PIDS[@]}" || true
  BG_PIDS=()
  for fam in "${FAMILIES[@]}"; do
    case $fam in
      cfn) say "cloudformation: cfn-lint + cloudformation-validate" ;;
      tf) say "terraform validate" ;;
      checkov) say "checkov" ;;
    esac
    cat "${LOGS[$fam]}"
  done
fi

# ------------------------------------------------------------------------------------------------ summary
echo
rc=0
helper summary "$ART" "$WORK"/results.* ${NOTRUN[@]+"${NOTRUN[@]}"} || rc=$?
echo "(check-artifacts took $(since "$T_START"))"
exit "$rc"
