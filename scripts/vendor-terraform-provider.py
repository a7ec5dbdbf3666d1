#!/usr/bin/env python3
"""Vendors what the generator of the hashicorp/aws builders reads (crates/stackwright-codegen/data/hashicorp-aws/)
from the pinned provider schema in ../shared/schemas/terraform, so that `cargo xtask codegen` and its freshness
test never read ../shared:

- `aws-5.100.0.json.gz`: the provider's 1,526 resource and 608 data source blocks as `terraform providers schema
  -json` prints them, without documentation (`description`, `description_kind`) or schema versions, and each
  resource's force-new paths (attributes and nested blocks whose change replaces the resource, dotted, from
  `aws-5.100.0.forcenew.json`): `{"provider", "resources": {type: {"block", "force_new"}}, "data_sources": {type:
  {"block"}}}`;
- `inputs.sha256`: the sha256 of each input, as `sha256sum` prints it.

Compressed with a zero timestamp and sorted keys, so a re-run on the same input is byte-identical.

Usage: scripts/vendor-terraform-provider.py [SHARED_DIR]   (default: ../shared beside the repository)
"""
import gzip, hashlib, io, json, os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared")
schemas = os.path.join(shared, "schemas", "terraform")
out_dir = os.path.join(root, "crates", "stackwright-codegen", "data", "hashicorp-aws")
PROVIDER = "registry.terraform.io/hashicorp/aws"
INPUTS = ["aws-5.100.0.providers-schema.json.gz", "aws-5.100.0.forcenew.json"]
# What `validate_block`, the generator and `plan` read; documentation stays on the provider's pages.
ATTRIBUTE_KEYS = {"type", "required", "optional", "computed", "sensitive", "deprecated"}
BLOCK_TYPE_KEYS = {"nesting_mode", "min_items", "max_items"}


def strip_block(block):
    out = {}
    attributes = {name: {k: v for k, v in a.items() if k in ATTRIBUTE_KEYS}
                  for name, a in block.get("attributes", {}).items()}
    for name, a in attributes.items():
        if "type" not in a:
            sys.exit(f"attribute {name} has no type (nested attributes are not expected in hashicorp/aws 5.100.0)")
    if attributes:
        out["attributes"] = attributes
    blocks = {}
    for name, b in block.get("block_types", {}).items():
        nested = {k: v for k, v in b.items() if k in BLOCK_TYPE_KEYS}
        nested["block"] = strip_block(b["block"])
        blocks[name] = nested
    if blocks:
        out["block_types"] = blocks
    if block.get("deprecated"):
        out["deprecated"] = True
    return out


with gzip.open(os.path.join(schemas, INPUTS[0]), "rt") as f:
    provider = json.load(f)["provider_schemas"][PROVIDER]
with open(os.path.join(schemas, INPUTS[1])) as f:
    forcenew = json.load(f)
if forcenew.get("provider_version") != "5.100.0":
    sys.exit(f"force-new data is for provider {forcenew.get('provider_version')}, expected 5.100.0")
missing = sorted(set(provider["resource_schemas"]) - set(forcenew["resources"]))
if missing:
    sys.exit(f"force-new data lacks {len(missing)} resources: {missing[:5]}")

resources = {name: {"block": strip_block(s["block"]), "force_new": sorted(forcenew["resources"][name])}
             for name, s in provider["resource_schemas"].items()}
data_sources = {name: {"block": strip_block(s["block"])} for name, s in provider["data_source_schemas"].items()}
document = {"provider": "hashicorp/aws 5.100.0", "resources": resources, "data_sources": data_sources}

os.makedirs(out_dir, exist_ok=True)
buf = io.BytesIO()
with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
    f.write((json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n").encode())
with open(os.path.join(out_dir, "aws-5.100.0.json.gz"), "wb") as f:
    f.write(buf.getvalue())
with open(os.path.join(out_dir, "inputs.sha256"), "w") as f:
    for name in INPUTS:
        with open(os.path.join(schemas, name), "rb") as g:
            f.write(f"{hashlib.sha256(g.read()).hexdigest()}  shared/schemas/terraform/{name}\n")
print(f"wrote aws-5.100.0.json.gz: {len(buf.getvalue())} bytes; {len(resources)} resources, "
      f"{len(data_sources)} data sources")
