#!/usr/bin/env bash
# Check CloudFormation JSON templates with cfn-lint 1.58.0 and cloudformation-validate 1.14.0 (both offline).
# Usage: scripts/validators/check_cfn.sh TEMPLATE.json...
#   env: REGIONS="us-east-1 eu-west-1" (regions to check resource availability in; default us-east-1)
# Exit: 0 when both are free of errors; cfn-lint warnings are printed and do not fail.
set -uo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/validators/lib.sh
. "$here/lib.sh"
H=$VALIDATORS_HOME
[ $# -gt 0 ] || { sed -n '2,5s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[ -x "$H/venv-cfnlint/bin/cfn-lint" ] && [ -x "$H/venv-cfnvalidate/bin/python" ] \
  || { echo "checkers missing: run scripts/validators/install.sh" >&2; exit 2; }
rc=0
# shellcheck disable=SC2086  # REGIONS is a space separated list
"$H/venv-cfnlint/bin/cfn-lint" --format parseable --non-zero-exit-code error --regions ${REGIONS:-us-east-1} -- "$@" || rc=1
"$H/venv-cfnvalidate/bin/python" -B "$here/cfn_validate.py" "$@" || rc=1
exit $rc
