#!/usr/bin/env bash
# Security scan with checkov 3.3.30, offline.
# Usage: scripts/validators/check_checkov.sh cfn TEMPLATE.json  |  scripts/validators/check_checkov.sh tf DIR
# Exit: checkov's status (1 when a check fails).
# Notes: in terraform_json mode checkov names resources `resource.NAME` without the type in some checks, so give
# resources distinct names across types to read its report. checkov 3.3.30 cannot parse a "terraform" block with
# plain attributes (required_version): the tf mode scans scratch copies without them (see artifacts.py).
set -uo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/validators/lib.sh
. "$here/lib.sh"
CK=$VALIDATORS_HOME/venv-checkov/bin/checkov
[ -x "$CK" ] || { echo "checkov missing: run scripts/validators/install.sh checkov" >&2; exit 2; }
case ${1:-} in
  cfn) [ $# -eq 2 ] || exit 2
       "$CK" -f "$2" --framework cloudformation --skip-download --compact --quiet ;;
  tf)  [ $# -eq 2 ] && [ -d "$2" ] || { echo "usage: check_checkov.sh tf DIR" >&2; exit 2; }
       scratch=$(mktemp -d "${TMPDIR:-/tmp}/check_checkov.XXXXXX")
       trap 'rm -rf "$scratch"' EXIT
       first=
       for f in "$2"/*.tf.json; do [ -f "$f" ] && { first=$f; break; }; done
       [ -n "$first" ] || { echo "no *.tf.json in $2" >&2; exit 2; }
       printf '1\tterraform:%s\n' "$(cd -- "$(dirname -- "$first")" && pwd -P)/$(basename -- "$first")" >"$scratch/map"
       python3 -B "$here/artifacts.py" checkov-prep "$scratch/map" "$scratch/scan" >/dev/null || exit 2
       "$CK" -d "$scratch/scan/1" --framework terraform_json --skip-download --compact --quiet ;;
  *) echo "usage: check_checkov.sh cfn FILE | check_checkov.sh tf DIR" >&2; exit 2 ;;
esac
