#!/usr/bin/env bash
# Deploy rehearsal (issue 12, "ground truth from the engine itself"): applies the flagship's `test` environment
# (Terraform) to moto, a local AWS, then for each scenario compares `terraform show -json` of `terraform plan`
# against the applied base with Stackwright's `plan --format json` of the same change, resource by resource
# (action per address: create, update, replace, delete, no-op), and tears everything down.
#
#   scripts/rehearse-moto.sh [--apply] [--keep DIR]
#
# With --apply, each scenario is also applied after its comparison, checked to converge (a second plan is
# empty), and the base is applied again before the next scenario (about twice the time).
#
# - moto[server] 5.2.5 is pip-installed into $VALIDATORS_HOME/venv-moto (like scripts/validators/install.sh does
#   for the checkers) and started on 127.0.0.1 only, on a free port, by this script, and stopped on exit.
#   MOTO_ACCOUNT_ID is the environment's account, so the provider's `allowed_account_ids` is really checked
#   against what sts:GetCallerIdentity answers.
# - Terraform 1.0.3 and hashicorp/aws from the local filesystem mirror, found as the checkers find them
#   (scripts/validators/lib.sh); nothing is downloaded.
# - The artifact is never edited: the provider is pointed at moto by an override file next to it
#   (`rehearsal_override.tf.json`), which also holds the workarounds for moto's gaps, each named there.
# - Scenarios come from `cargo run -p notebook-service --example rehearsal` (trees and Stackwright plans).
#
# Prints one line per scenario (`scenario: N/M resources agree`) and each disagreement; exit 0 when every
# scenario agrees, 1 when one does not, 2 when the rehearsal itself cannot run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=validators/lib.sh
. "$root/scripts/validators/lib.sh"
MOTO_VERSION=5.2.5
ENV_NAME=test
STACK=notebook

keep= apply=
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
    --apply) apply=1; shift ;;
    *) echo "usage: scripts/rehearse-moto.sh [--apply] [--keep DIR]" >&2; exit 2 ;;
  esac
done
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
moto_pid=

cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

die() { echo "rehearse-moto: $*" >&2; exit 2; }

# moto into its own venv, once.
venv=$VALIDATORS_HOME/venv-moto
if ! "$venv/bin/python" -c "import sys, importlib.metadata as m; sys.exit(m.version('moto') != '$MOTO_VERSION')" 2>/dev/null; then
  echo "rehearse-moto: installing moto[server]==$MOTO_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv does not work here"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

tf_unavailable_reason >"$work/tf-unavailable" # sets TF_BIN, TF_MIRROR_DIR and TF_PLATFORM in this shell
[ ! -s "$work/tf-unavailable" ] || die "$(cat "$work/tf-unavailable")"
tf_write_cli_config "$work/terraform.rc" "$TF_MIRROR_DIR"
tf_env "$work/terraform.rc"

echo "rehearse-moto: writing the scenarios' trees and plans" >&2
(cd "$root" && cargo run -q -p notebook-service --example rehearsal -- "$work/trees") || die "the scenarios did not synthesize"
module=terraform/$ENV_NAME/$STACK/main.tf.json
account=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["provider"]["aws"]["allowed_account_ids"][0])' "$work/trees/base/$module")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# moto gap: AWS managed policies (AmazonSSMManagedInstanceCore) exist only when moto is asked to load them.
MOTO_ACCOUNT_ID=$account MOTO_IAM_LOAD_MANAGED_POLICIES=true "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$port" 2>/dev/null && break
  sleep 0.1
done
kill -0 "$moto_pid" 2>/dev/null || die "moto did not start: $(tail -n 5 "$work/moto.log")"

run=$work/run
mkdir -p "$run"
export AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE

# The override next to the artifact: the provider talks to moto; moto's gaps are worked around here only.
write_override() {
  python3 - "$1" "$port" >"$run/rehearsal_override.tf.json" <<'PY'
import json, sys
module = json.load(open(sys.argv[1]))
endpoint = f"http://127.0.0.1:{sys.argv[2]}"
services = ["ec2", "iam", "sts", "ssm", "logs", "cloudwatchlogs", "s3", "kms", "autoscaling", "elbv2", "rds",
            "secretsmanager", "cloudwatch", "sns", "sqs", "route53", "acm", "dynamodb", "lambda"]
override = {
    "//": "rehearsal only: the provider talks to moto on 127.0.0.1",
    "provider": {"aws": {
        "endpoints": [{s: endpoint for s in services}],
        "s3_use_path_style": True,
        "skip_metadata_api_check": True,
    }},
    "resource": {},
}
if module.get("terraform", {}).get("backend"):
    # The rehearsal's state stays in its scratch directory, not where the artifact's backend points.
    override["terraform"] = {"backend": {"local": {"path": "terraform.tfstate"}}}
for name in module.get("resource", {}).get("aws_instance", {}):
    override["resource"].setdefault("aws_instance", {})[name] = {
        "//": "moto gaps: `monitoring = true` never leaves pending; the root volume needs an explicit size",
        "monitoring": False,
        "root_block_device": [{"volume_size": 8, "volume_type": "gp3", "encrypted": True}],
    }
print(json.dumps(override, indent=2))
PY
}

use_tree() {
  cp "$work/trees/$1/$module" "$run/main.tf.json"
  write_override "$run/main.tf.json"
}

tf() { "$TF_BIN" -chdir="$run" "$@"; }

use_tree base
tf init -input=false -no-color >"$work/init.log" 2>&1 || die "terraform init failed: $(tail -n 20 "$work/init.log")"
echo "rehearse-moto: applying the base tree of $ENV_NAME/$STACK into moto (account $account)" >&2
start=$(date +%s)
tf apply -auto-approve -input=false -no-color >"$work/apply-base.log" 2>&1 ||
  die "terraform apply of the base failed: $(grep -A5 'Error' "$work/apply-base.log" | head -n 30)"
echo "rehearse-moto: applied in $(( $(date +%s) - start )) s" >&2

status=0
for plan_file in "$work"/trees/*.plan.json; do
  scenario=$(basename "$plan_file" .plan.json)
  use_tree "$scenario"
  tf plan -input=false -no-color -out="$work/$scenario.tfplan" >"$work/plan-$scenario.log" 2>&1 ||
    { echo "$scenario: terraform plan failed: $(grep -A5 Error "$work/plan-$scenario.log" | head -n 20)"; status=1; continue; }
  tf show -json "$work/$scenario.tfplan" >"$work/$scenario.terraform.json"
  python3 - "$scenario" "$work/$scenario.terraform.json" "$plan_file" "$ENV_NAME" <<'PY' || status=1
import json, sys
scenario, terraform_file, stackwright_file, env = sys.argv[1:]
ACTIONS = {("no-op",): "no-op", ("create",): "create", ("update",): "update", ("delete",): "delete",
           ("delete", "create"): "replace", ("create", "delete"): "replace"}
terraform = {}
for change in json.load(open(terraform_file)).get("resource_changes", []):
    if change.get("mode") != "managed":
        continue
    terraform[change["address"]] = ACTIONS.get(tuple(change["change"]["actions"]), "+".join(change["change"]["actions"]))
OURS = {"add": "create", "update": "update", "replace": "replace", "destroy": "delete", "no-change": "no-op"}
stackwright = {}
for stack in json.load(open(stackwright_file))["stacks"]:
    if stack["environment"] == env and stack["target"] == "terraform":
        for r in stack["resources"]:
            stackwright[r["address"]] = OURS[r["action"]]
addresses = sorted(set(terraform) | set(stackwright))
disagree = [(a, terraform.get(a, "no-op"), stackwright.get(a, "no-op")) for a in addresses
            if terraform.get(a, "no-op") != stackwright.get(a, "no-op")]
changes = [f"{a} {terraform[a]}" for a in addresses if terraform.get(a, "no-op") != "no-op"]
print(f"{scenario}: {len(addresses) - len(disagree)}/{len(addresses)} resources agree "
      f"(terraform changes: {', '.join(changes) or 'none'})")
for address, theirs, ours in disagree:
    print(f"  {address}: terraform {theirs}, stackwright {ours}")
sys.exit(1 if disagree else 0)
PY
  if [ -n "$apply" ]; then
    if ! tf apply -auto-approve -input=false -no-color >"$work/apply-$scenario.log" 2>&1; then
      echo "  apply: failed: $(grep -A5 Error "$work/apply-$scenario.log" | head -n 20)"; status=1
    elif tf plan -detailed-exitcode -input=false -no-color >"$work/replan-$scenario.log" 2>&1; then
      echo "  apply: applied, and a second plan is empty"
    else
      echo "  apply: applied, but a second plan still has changes (see $work/replan-$scenario.log)"; status=1
    fi
    use_tree base
    tf apply -auto-approve -input=false -no-color >"$work/revert-$scenario.log" 2>&1 ||
      { echo "  apply: reverting to the base failed"; status=1; }
  fi
done

# Teardown: first as the artifact stands (the flow-log group carries prevent_destroy, so Terraform refuses,
# as Stackwright's plan of removing the environment says), then without that guard, and moto must be empty.
use_tree base
if tf destroy -auto-approve -input=false -no-color >"$work/destroy.log" 2>&1; then
  echo "teardown: terraform destroy succeeded as the artifact stands"
else
  echo "teardown: terraform destroy refused as the artifact stands: $(grep -o 'prevent_destroy[^.]*' "$work/destroy.log" | head -n 1)"
  python3 - "$run/rehearsal_override.tf.json" "$run/main.tf.json" <<'PY'
import json, sys
override = json.load(open(sys.argv[1]))
module = json.load(open(sys.argv[2]))
for type_name, blocks in module.get("resource", {}).items():
    for name, body in blocks.items():
        if body.get("lifecycle", {}).get("prevent_destroy"):
            entry = override["resource"].setdefault(type_name, {}).setdefault(name, {})
            entry["lifecycle"] = {"prevent_destroy": False}
json.dump(override, open(sys.argv[1], "w"), indent=2)
PY
  tf destroy -auto-approve -input=false -no-color >"$work/destroy-unguarded.log" 2>&1 ||
    { echo "teardown: terraform destroy failed: $(grep -A5 Error "$work/destroy-unguarded.log" | head -n 20)"; status=1; }
fi
left=$(tf state list 2>/dev/null | grep -v '^data\.' || true)
if [ -n "$left" ]; then echo "teardown: still in state: $left"; status=1; else echo "teardown: state empty"; fi
# And moto itself holds nothing of the environment (boto3 comes with moto).
region=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["provider"]["aws"]["region"])' "$work/trees/base/$module")
"$venv/bin/python" - "http://127.0.0.1:$port" "$region" <<'PY' || status=1
import sys, boto3
endpoint, region = sys.argv[1:]
client = lambda service: boto3.client(service, endpoint_url=endpoint, region_name=region)
ec2 = client("ec2")
left = {
    "instances": [i["InstanceId"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
                  if i["State"]["Name"] != "terminated"],
    "vpcs": [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")],
    "security groups": [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]
                        if g["GroupName"] != "default"],
    "roles": [r["RoleName"] for r in client("iam").list_roles()["Roles"]],
    "instance profiles": [p["InstanceProfileName"] for p in client("iam").list_instance_profiles()["InstanceProfiles"]],
    "log groups": [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]],
}
left = {k: v for k, v in left.items() if v}
print(f"teardown: moto holds {left}" if left else "teardown: moto holds nothing of the environment")
sys.exit(1 if left else 0)
PY
exit "$status"
