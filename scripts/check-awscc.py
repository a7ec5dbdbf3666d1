#!/usr/bin/env python3
"""Checks Terraform JSON modules' awscc_* resources against the vendored awscc 1.106.0 schema
(crates/stackwright-codegen/data/awscc-resources.json.gz): known type, known attributes and nested attributes
(the compact schema's "blocks", at every depth), none computed only, required ones present (`min_items` for nested
ones), and each nested value of its nesting's shape (an object for `single`, a list for `list`, a map of objects for
`map`). `terraform validate` cannot check them here: the awscc provider is not in the
machine's provider mirror. Prints one line per problem; exit 1 if any.

Usage: scripts/check-awscc.py MAIN_TF_JSON...
"""
import gzip, json, os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with gzip.open(os.path.join(root, "crates", "stackwright-codegen", "data", "awscc-resources.json.gz"), "rt") as f:
    schema = json.load(f)["resources"]
META = {"//", "lifecycle", "depends_on", "count", "for_each", "provider"}
problems = []


def check(node, body, where, top):
    attrs, blocks = node.get("attributes", {}), node.get("blocks", {})
    for key, value in body.items():
        if top and key in META:
            continue
        if key in attrs:
            if attrs[key].get("computed") and not (attrs[key].get("optional") or attrs[key].get("required")):
                problems.append(f"{where}: `{key}` is computed only")
        elif key in blocks:
            block, nesting = blocks[key], blocks[key].get("nesting")
            if not block.get("attributes") and not block.get("blocks"):
                continue  # what the compact schema's source lost: contents unknown
            if isinstance(value, str) and "${" in value:
                continue  # a reference: its shape is known at apply time
            if nesting == "single":
                if not isinstance(value, dict):
                    problems.append(f"{where}.{key}: expected an object (single nested attribute)")
                    continue
                items = [(f"{where}.{key}", value)]
            elif nesting == "map":
                if not isinstance(value, dict):
                    problems.append(f"{where}.{key}: expected a map of objects")
                    continue
                items = [(f"{where}.{key}.{k}", v) for k, v in value.items()]
            else:
                if not isinstance(value, list):
                    problems.append(f"{where}.{key}: expected a list of objects")
                    continue
                items = [(f"{where}.{key}[{i}]", v) for i, v in enumerate(value)]
            for at, item in items:
                if isinstance(item, dict):
                    check(block, item, at, False)
                else:
                    problems.append(f"{at}: expected an object")
        else:
            problems.append(f"{where}: unknown attribute `{key}`")
    for key, a in attrs.items():
        if a.get("required") and key not in body:
            problems.append(f"{where}: required attribute `{key}` is missing")
    for key, b in blocks.items():
        if b.get("min_items", 0) > 0 and key not in body:
            problems.append(f"{where}: required nested attribute `{key}` is missing")


checked = 0
for path in sys.argv[1:]:
    with open(path) as f:
        module = json.load(f)
    for type_name, blocks in module.get("resource", {}).items():
        if not type_name.startswith("awscc_"):
            continue
        for name, body in blocks.items():
            checked += 1
            where = f"{path}: {type_name}.{name}"
            if type_name not in schema:
                problems.append(f"{where}: awscc 1.106.0 has no resource type `{type_name}`")
                continue
            check(schema[type_name], body, where, True)
for p in problems:
    print(f"FAIL: {p}")
print(f"awscc schema check: {checked} awscc resource(s), {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
