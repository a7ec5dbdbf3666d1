#!/usr/bin/env python3
"""Vendors what the generator of registry-type builders reads (crates/stackwright-codegen/data/) from the pinned
schemas in ../shared/schemas, so that `cargo xtask codegen` and its freshness test never read ../shared:

- `registry-schemas.jsonl.gz`: every CloudFormation registry schema, one per line, sorted by type, without what
  neither the builders nor their docs use (handlers' IAM permissions, source URLs, property transforms, type
  configuration, lifecycle notes);
- `region-availability.json.gz`: which regions offer each type, as pinned;
- `awscc-resources.json.gz`: the awscc 1.106.0 provider's resource schemas (data sources dropped).

- `inputs.sha256`: the sha256 of each input, as `sha256sum` prints it (the names lists of
  crates/stackwright-schema record the same digest of the registry schemas, and a test compares them).

Compressed with a zero timestamp, so a re-run on the same input is byte-identical.

Usage: scripts/vendor-registry.py [SHARED_DIR]   (default: ../shared beside the repository)
"""
import gzip, hashlib, io, json, os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared")
schemas = os.path.join(shared, "schemas")
out_dir = os.path.join(root, "crates", "stackwright-codegen", "data")
DROP = {"handlers", "sourceUrl", "propertyTransform", "typeConfiguration", "lifecycle", "$schema", "resourceLink"}


def write_gz(name, text):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(text.encode())
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(buf.getvalue())
    print(f"wrote {name}: {len(buf.getvalue())} bytes")


os.makedirs(out_dir, exist_ok=True)
rows = []
with gzip.open(os.path.join(schemas, "cloudformation", "registry-schemas.jsonl.gz"), "rt") as f:
    for line in f:
        s = json.loads(line)
        rows.append({k: v for k, v in s.items() if k not in DROP})
rows.sort(key=lambda s: s["typeName"])
write_gz("registry-schemas.jsonl.gz", "".join(json.dumps(s, separators=(",", ":"), sort_keys=True) + "\n" for s in rows))

with gzip.open(os.path.join(schemas, "cloudformation", "region-availability.json.gz"), "rt") as f:
    regions = json.load(f)
write_gz("region-availability.json.gz", json.dumps(regions, separators=(",", ":"), sort_keys=True) + "\n")

with gzip.open(os.path.join(schemas, "terraform", "awscc-1.106.0.compact-schema.json.gz"), "rt") as f:
    awscc = json.load(f)
write_gz("awscc-resources.json.gz", json.dumps({"provider": "hashicorp/awscc 1.106.0", "resources": awscc["resources"]},
                                                separators=(",", ":"), sort_keys=True) + "\n")
inputs = ["cloudformation/registry-schemas.jsonl.gz", "cloudformation/region-availability.json.gz",
          "terraform/awscc-1.106.0.compact-schema.json.gz"]
with open(os.path.join(out_dir, "inputs.sha256"), "w") as f:
    for name in inputs:
        with open(os.path.join(schemas, name), "rb") as g:
            f.write(f"{hashlib.sha256(g.read()).hexdigest()}  shared/schemas/{name}\n")
print(f"{len(rows)} registry types, {len(awscc['resources'])} awscc resources")
