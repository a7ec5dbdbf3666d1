#!/usr/bin/env bash
# Checks the StackSet example (examples/notebook-service/examples/stackset.rs: the Notebook Service in 3
# organizational units x 4 regions, declared on the app) with the outside checkers: cfn-lint (in every region
# of the fleet) and cloudformation-validate on the StackSet template and on the administration stack that
# synthesis writes into the tree (stack `edge-stackset` of environment `prod-oregon`).
#
# NOT REHEARSED on moto, and said so: moto 5.2.5 has no `AWS::CloudFormation::StackSet` resource (the
# administration stack completes having created nothing), and its CreateStackInstances cannot create the
# instances of this template (it names each instance's stack after the stack set id, whose `:` then fails
# the SNS topic name it derives from it).
#
# Usage: scripts/check-stackset.sh [--keep-temp]
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
KEEP=0
[ "${1:-}" = "--keep-temp" ] && KEEP=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stackwright-stackset.XXXXXX")
cleanup() { if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

bash "$ROOT/scripts/validators/install.sh" cfnlint cfnvalidate
# shellcheck source=scripts/validators/lib.sh
. "$ROOT/scripts/validators/lib.sh"
H=$VALIDATORS_HOME

echo "==> cargo run -p notebook-service --example stackset -- $WORK"
cargo run -q --manifest-path "$ROOT/Cargo.toml" -p notebook-service --example stackset -- "$WORK"
files=("$WORK/notebook-edge.template.json" "$WORK/out/cloudformation/prod-oregon/edge-stackset.template.json")
echo "==> cfn-lint (us-west-2 us-east-1 eu-central-1 ap-southeast-2)"
"$H/venv-cfnlint/bin/cfn-lint" --regions us-west-2 us-east-1 eu-central-1 ap-southeast-2 -- "${files[@]}"
echo "==> cloudformation-validate"
"$H/venv-cfnvalidate/bin/python" -B "$ROOT/scripts/validators/cfn_validate.py" --tsv "$WORK/validate.tsv" -- "${files[@]}"
echo "NOTICE: the StackSet is NOT REHEARSED on moto: moto 5.2.5 has no AWS::CloudFormation::StackSet resource, and its"
echo "NOTICE: CreateStackInstances fails on this template (instance stacks named after the stack set id, with a \`:\`)."
echo "check-stackset: ok (cfn-lint, cloudformation-validate)"
