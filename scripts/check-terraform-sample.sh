#!/usr/bin/env bash
# The outside checkers on every service of the generated hashicorp/aws builders (issue 21): the Terraform
# sample (crates/stackwright-aws-terraform/examples/terraform_sample.rs, written by `cargo xtask codegen`: one type
# of each service, its required attributes and blocks filled by name or with terraform-overlay.json's `sample`
# values) and the crate's Terraform-only example (examples/orders.rs: a Lambda behind an HTTP API, an SQS queue
# and a VPC endpoint) are synthesized with `--target terraform` and judged by scripts/check-artifacts.sh:
#
#   terraform validate   Terraform 1.0.3 with the real hashicorp/aws provider from the local mirror (gating):
#                        every type name, attribute, block and nesting, and the provider's own checks of the
#                        sample's literal values
#   checkov              the example: gating (its findings are fixed or accepted, with their reasons, in its
#                        code); the sample: reported, not gating (CHECKOV_GATING=0), since it carries only what
#                        the schema requires, none of the hand-written kinds' secure defaults
#
# Usage: scripts/check-terraform-sample.sh [--keep-temp]    Exit: 0 clean, 1 a gating check failed.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

KEEP=()
[ "${1:-}" = "--keep-temp" ] && KEEP=(--keep-temp)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/stackwright-terraform-sample.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

sample=(cargo run -q -p stackwright-aws-terraform --features full --example terraform-sample --)
echo "==> build and synthesize the Terraform sample: ${sample[*]} synth --target terraform"
"${sample[@]}" synth --target terraform --out "$OUT/sample"
example=(cargo run -q -p stackwright-aws-terraform --example orders --)
echo "==> synthesize the Terraform-only example: ${example[*]} synth --target terraform"
"${example[@]}" synth --target terraform --out "$OUT/orders"

echo "==> the example: terraform validate and checkov (gating)"
CHECKOV_GATING=1 bash scripts/check-artifacts.sh "${KEEP[@]}" --out-dir "$OUT/orders"
echo "==> the sample: terraform validate (gating), checkov (report only)"
CHECKOV_GATING=0 bash scripts/check-artifacts.sh "${KEEP[@]}" --out-dir "$OUT/sample"
