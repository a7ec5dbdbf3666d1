#!/usr/bin/env bash
# terraform init + validate one directory of *.tf.json, offline, in a scratch copy (DIR is not written to).
# The hashicorp/aws provider comes from a local filesystem mirror: $TF_MIRROR if set, else the first of Terraform's
# implied local mirror directories or an /opt/<name>/ folder holding registry.terraform.io/hashicorp/aws/<version>.
# Usage: scripts/validators/check_tf.sh DIR
# Exit: terraform validate's status (prints its -json report); 3 with a NOTICE when it cannot run here.
set -uo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/validators/lib.sh
. "$here/lib.sh"
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: check_tf.sh DIR" >&2; exit 2; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/check_tf.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tf_unavailable_reason >"$scratch/why"   # sets TF_BIN and TF_MIRROR_DIR
if [ -s "$scratch/why" ]; then echo "NOTICE: terraform validate did NOT run: $(cat "$scratch/why")" >&2; exit 3; fi
mkdir -p "$scratch/src"
cp -R "$1/." "$scratch/src/"
rm -rf "$scratch/src/.terraform"
tf_write_cli_config "$scratch/terraformrc" "$TF_MIRROR_DIR"
tf_env "$scratch/terraformrc"
"$TF_BIN" -chdir="$scratch/src" init -backend=false -input=false -no-color >"$scratch/init.log" 2>&1 \
  || { cat "$scratch/init.log" >&2; echo "terraform init failed" >&2; exit 1; }
"$TF_BIN" -chdir="$scratch/src" validate -json -no-color
