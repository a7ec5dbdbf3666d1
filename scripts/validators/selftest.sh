#!/usr/bin/env bash
# Self-test of scripts/check-artifacts.sh on hand-written artifacts (no Rust build involved), ~30-60 s.
# Usage: scripts/validators/selftest.sh      Exit 0 when every case behaves as expected.
#   good      one SNS topic per target in two regions          -> exit 0, all checks ran
#   bad       cfn-lint/cfn-validate errors, terraform validate errors, terraform init failure, sha256 mismatch,
#             missing file                                     -> exit 1 with those failures in the summary
#   nomirror  good artifacts, TF_MIRROR pointing nowhere       -> exit 0, NOTICE, terraform reported NOT RUN
#   gating    good artifacts with CHECKOV_GATING=1             -> exit 1 (an unencrypted SNS topic fails CKV_AWS_26)
#   skips     the same with CKV_AWS_26 skipped, with a reason, in each artifact (CloudFormation Metadata,
#             Terraform "//" comment), CHECKOV_GATING=1        -> exit 0, each skip listed with its reason
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
T=$(mktemp -d "${TMPDIR:-/tmp}/stackwright-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT

make_out() {  # DIR: a valid out dir with 2 envs x (cloudformation, terraform)
  python3 - "$1" <<'PY'
import hashlib, json, os, sys
out = sys.argv[1]
arts = []
for env, account, region in (("prod-oregon", "111111111111", "us-west-2"), ("dev-frankfurt", "222222222222", "eu-central-1")):
    files = {
        "cloudformation": (f"cloudformation/{env}/notebook.template.json", {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "notebook-topic"}}},
            "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}},
        }),
        "terraform": (f"terraform/{env}/notebook/main.tf.json", {
            "terraform": {"required_version": ">= 1.0.0",
                          "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}}},
            "provider": {"aws": {"region": region}},
            "resource": {"aws_sns_topic": {"topic": {"name": "notebook-topic"}}},
            "output": {"topic_arn": {"value": "${aws_sns_topic.topic.arn}"}},
        }),
    }
    for target, (path, doc) in files.items():
        full = os.path.join(out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        data = json.dumps(doc, indent=2).encode()
        open(full, "wb").write(data)
        arts.append({"env": env, "account": account, "region": region, "stack": "notebook", "target": target,
                     "path": path, "sha256": hashlib.sha256(data).hexdigest()})
json.dump({"format": 1, "app": "notebook", "artifacts": arts}, open(os.path.join(out, "manifest.json"), "w"), indent=2)
PY
}

make_bad() {  # DIR: the good out dir, broken in several ways
  make_out "$1"
  python3 - "$1" <<'PY'
import hashlib, json, os, sys
out = sys.argv[1]
def write(path, text):
    os.makedirs(os.path.dirname(os.path.join(out, path)), exist_ok=True)
    open(os.path.join(out, path), "w").write(text)
write("cloudformation/dev-frankfurt/notebook.template.json", json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicNamex": "a"}},
                  "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "Nope"}}}}}))
write("terraform/dev-frankfurt/notebook/main.tf.json", json.dumps({
    "provider": {"aws": {"region": "eu-central-1"}},
    "resource": {"aws_sns_topic": {"t": {"namex": "x", "fifo_topic": "notbool"}}}}))
write("terraform/broken/notebook/main.tf.json", '{"resource": ')
m = json.load(open(os.path.join(out, "manifest.json")))
for a in m["artifacts"]:
    a["sha256"] = hashlib.sha256(open(os.path.join(out, a["path"]), "rb").read()).hexdigest()
m["artifacts"][0]["sha256"] = "0" * 64
m["artifacts"].append({"env": "broken", "account": "1", "region": "us-east-1", "stack": "notebook",
                       "target": "terraform", "path": "terraform/broken/notebook/main.tf.json",
                       "sha256": hashlib.sha256(b'{"resource": ').hexdigest()})
m["artifacts"].append({"env": "broken", "account": "1", "region": "us-east-1", "stack": "notebook",
                       "target": "cloudformation", "path": "cloudformation/missing.json", "sha256": "0" * 64})
json.dump(m, open(os.path.join(out, "manifest.json"), "w"), indent=2)
PY
}

make_skipped() {  # DIR: the good out dir, CKV_AWS_26 skipped with a reason in every artifact
  make_out "$1"
  python3 - "$1" <<'PY'
import hashlib, json, os, sys
out = sys.argv[1]
m = json.load(open(os.path.join(out, "manifest.json")))
for a in m["artifacts"]:
    full = os.path.join(out, a["path"])
    doc = json.load(open(full))
    if a["target"] == "cloudformation":
        doc["Resources"]["Topic"]["Metadata"] = {"checkov": {"skip": [{"id": "CKV_AWS_26", "comment": "cfn reason"}]}}
    else:
        doc["resource"]["aws_sns_topic"]["topic"]["//"] = ["checkov:skip=CKV_AWS_26: tf reason"]
    data = json.dumps(doc, indent=2).encode()
    open(full, "wb").write(data)
    a["sha256"] = hashlib.sha256(data).hexdigest()
json.dump(m, open(os.path.join(out, "manifest.json"), "w"), indent=2)
PY
}

fails=0
expect() {  # NAME WANT_RC LOG PATTERN...: check exit status and that each extended regex occurs in LOG
  local name=$1 want=$2 got=$3 log=$4 p ok=1; shift 4
  [ "$got" = "$want" ] || { echo "selftest $name: exit $got, want $want"; ok=0; }
  for p in "$@"; do grep -Eq -- "$p" "$log" || { echo "selftest $name: output lacks /$p/"; ok=0; }; done
  if [ "$ok" = 1 ]; then echo "selftest $name: ok"; else fails=$((fails + 1)); echo "--- $name output:"; cat "$log"; fi
}
run() {  # NAME DIR [ENV=VAL...]: run check-artifacts on DIR, leave exit status in RC
  local name=$1 dir=$2; shift 2
  RC=0
  env "$@" bash "$ROOT/scripts/check-artifacts.sh" --out-dir "$dir" >"$T/$name.log" 2>&1 || RC=$?
}

make_out "$T/good"
(cd "$T/good" && find . -type f -exec sha256sum {} + | sort) >"$T/good.sums"
run good "$T/good"
expect good 0 "$RC" "$T/good.log" '^RESULT: PASS$' 'checks that did NOT run: none' 'terraform validate \(2 artifacts\)'
(cd "$T/good" && find . -type f -exec sha256sum {} + | sort) | cmp -s - "$T/good.sums" \
  || { echo "selftest good: the checked out dir was modified"; fails=$((fails + 1)); }

make_bad "$T/bad"
run bad "$T/bad"
expect bad 1 "$RC" "$T/bad.log" '^RESULT: FAIL' 'cfn-lint FAIL 2 errors' 'cloudformation-validate FAIL' \
  'terraform validate FAIL 2 errors' 'terraform validate FAIL init failed' 'manifest FAIL sha256 mismatch' \
  "manifest FAIL path 'cloudformation/missing.json' does not exist"

run nomirror "$T/good" TF_MIRROR="$T/no-such-mirror"
expect nomirror 0 "$RC" "$T/nomirror.log" '^NOTICE: terraform validate did NOT run: ' \
  'checks that did NOT run: terraform validate \(2 artifacts' 'terraform validate NOT RUN'

run gating "$T/good" CHECKOV_GATING=1
expect gating 1 "$RC" "$T/gating.log" 'checkov FAIL 1 failed \(CKV_AWS_26\)' '^RESULT: FAIL'

make_skipped "$T/skips"
run skips "$T/skips" CHECKOV_GATING=1
expect skips 0 "$RC" "$T/skips.log" '^RESULT: PASS$' \
  'skipped notebook: cloudformation/prod-oregon/notebook.template.json: CKV_AWS_26 .*: cfn reason' \
  'skipped notebook: terraform/prod-oregon/notebook/main.tf.json: CKV_AWS_26 .*: tf reason' \
  'checkov 0 failed, [0-9]+ passed, 1 skipped with a reason'

if [ "$fails" != 0 ]; then echo "selftest: $fails case(s) failed"; exit 1; fi
echo "selftest: all cases passed"
