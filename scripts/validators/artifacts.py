#!/usr/bin/env python3
"""Bookkeeping for scripts/check-artifacts.sh (python3 standard library only).

The shell script runs the checkers; this file reads manifests, turns each checker's machine-readable output into
per-artifact results, and prints the summary. Subcommands (see each function):

  examples ROOT                                   list example packages: NAME <TAB> DIR
  manifest ARTIFACTS RESULTS OUTDIR...            read each OUTDIR/manifest.json, list artifacts
  cfnlint RESULTS MAP JSON STDERR RC REGION       cfn-lint --format json output -> results
  cfnvalidate RESULTS MAP TSV OUT RC                cfn_validate.py --tsv output -> results
  tfvalidate RESULTS IDS LABEL JSON RC            terraform validate -json output -> results
  checkov-prep MAP DEST                           checkov input copies (works around a checkov parser bug)
  checkov RESULTS MAP JSON RC GATING              checkov -o json output -> results
  summary ARTIFACTS RESULTS... [--notrun CHECK=REASON]...   print the summary, exit 1 on a gating failure

ARTIFACTS is a TSV: IDX OK APP ENV REGION TARGET ABSPATH RELPATH OUTDIR (OK is 1 when the file can be checked).
A RESULTS file is a TSV: IDX CHECK STATUS TEXT, IDX "-" for findings not tied to one artifact.
STATUS is PASS, FAIL (gating failure), WARN (failure that is only reported) or NOTRUN.
A MAP file is a TSV: IDX <TAB> PATH (CloudFormation maps add <TAB> LABEL).
"""
import glob
import hashlib
import json
import os
import re
import sys

CHECKS = {  # check name -> (label in the summary, targets it applies to)
    "manifest": ("manifest", ("cloudformation", "terraform")),
    "cfn-lint": ("cfn-lint", ("cloudformation",)),
    "cfn-validate": ("cloudformation-validate", ("cloudformation",)),
    "terraform": ("terraform validate", ("terraform",)),
    "checkov": ("checkov", ("cloudformation", "terraform")),
}
TARGETS = ("cloudformation", "terraform")
SAFE = re.compile(r"^[A-Za-z0-9._:@+=,/ -]*$")


def clean(text):
    return " ".join(str(text).split())


class Results:
    def __init__(self, path):
        self.path = path
        self.rows = []

    def add(self, idx, check, status, text):
        assert status in ("PASS", "FAIL", "WARN", "NOTRUN"), status
        self.rows.append((str(idx), check, status, clean(text)))

    def write(self):
        with open(self.path, "a", encoding="utf-8") as f:
            for row in self.rows:
                f.write("\t".join(row) + "\n")


def read_map(path, columns=2):
    """Rows of a TSV map file, each split into COLUMNS fields (the last one keeps any further tabs)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                out.append(tuple(line.split("\t", columns - 1)))
    return out


def real(p):
    return os.path.realpath(p)


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


# ---------------------------------------------------------------------------------------------------- examples
def cmd_examples(root):
    """Print NAME <TAB> DIR for every examples/*/ directory with a Cargo.toml, sorted by directory."""
    for toml_path in sorted(glob.glob(os.path.join(root, "examples", "*", "Cargo.toml"))):
        name = None
        try:
            import tomllib  # Python 3.11+

            with open(toml_path, "rb") as f:
                name = tomllib.load(f).get("package", {}).get("name")
        except ImportError:
            pass
        except Exception as exc:
            print(f"check-artifacts: cannot parse {toml_path}: {exc}", file=sys.stderr)
        if not name:  # no tomllib: the first `name = "..."` line of the [package] table
            section = None
            with open(toml_path, encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
                    if m:
                        section = m.group(1)
                        continue
                    m = re.match(r'\s*name\s*=\s*"([^"]+)"', line)
                    if m and section in ("package", None):
                        name = m.group(1)
                        break
        if not name:
            print(f"check-artifacts: no package name in {toml_path}", file=sys.stderr)
            return 1
        print(f"{name}\t{os.path.dirname(toml_path)}")
    return 0


# ---------------------------------------------------------------------------------------------------- manifest
def cmd_manifest(artifacts_path, results_path, *outdirs):
    """Read OUTDIR/manifest.json for each OUTDIR; append artifact rows to ARTIFACTS and manifest results.

    Checked: the JSON parses, format == 1, every artifact has env/region/target/path/sha256, target is known, the
    path is relative, stays inside OUTDIR, exists, and its sha256 matches; no path is listed twice. Files under
    OUTDIR that the manifest does not list are noted (they are not checked), not failed."""
    res = Results(results_path)
    idx = 0
    if os.path.exists(artifacts_path):
        with open(artifacts_path, encoding="utf-8") as f:
            idx = sum(1 for _ in f)
    rows = []
    for outdir in outdirs:
        outdir = os.path.abspath(outdir)
        mpath = os.path.join(outdir, "manifest.json")
        try:
            with open(mpath, encoding="utf-8") as f:
                manifest = json.load(f)
        except (OSError, ValueError) as exc:
            res.add("-", "manifest", "FAIL", f"{mpath}: {exc}")
            print(f"FAIL {mpath}: {exc}")
            continue
        problems = []
        if not isinstance(manifest, dict):
            problems.append("top level is not an object")
            manifest = {}
        if manifest.get("format") != 1:
            problems.append(f"format is {manifest.get('format')!r}, this checker knows format 1")
        app = manifest.get("app")
        if not isinstance(app, str) or not app or not SAFE.match(app):
            problems.append(f"app is {app!r}")
            app = os.path.basename(outdir)
        arts = manifest.get("artifacts")
        if not isinstance(arts, list):
            problems.append("artifacts is not a list")
            arts = []
        for p in problems:
            res.add("-", "manifest", "FAIL", f"{mpath}: {p}")
            print(f"FAIL {mpath}: {p}")
        if not arts:
            print(f"NOTICE: {mpath} lists no artifacts", file=sys.stderr)
        listed = set()
        for n, a in enumerate(arts):
            idx += 1
            errs = []
            if not isinstance(a, dict):
                a = {}
                errs.append("entry is not an object")
            for key in ("env", "region", "target", "path", "sha256"):
                v = a.get(key)
                if not isinstance(v, str) or not v:
                    errs.append(f"{key} is {v!r}")
                elif not SAFE.match(v):
                    errs.append(f"{key} {v!r} has unexpected characters")
            target, rel = a.get("target"), a.get("path")
            if isinstance(target, str) and target and target not in TARGETS:
                errs.append(f"unknown target {target!r}")
            ok = False
            absp = ""
            if isinstance(rel, str) and rel and SAFE.match(rel):
                absp = os.path.normpath(os.path.join(outdir, rel))
                if os.path.isabs(rel) or not absp.startswith(outdir + os.sep):
                    errs.append(f"path {rel!r} is not relative to the out dir")
                elif absp in listed:
                    errs.append(f"path {rel!r} is listed twice")
                elif not os.path.isfile(absp):
                    errs.append(f"path {rel!r} does not exist")
                else:
                    listed.add(absp)
                    if target == "terraform" and not absp.endswith(".tf.json"):
                        errs.append(f"terraform artifact {rel!r} does not end in .tf.json")
                    digest = hashlib.sha256(open(absp, "rb").read()).hexdigest()
                    if isinstance(a.get("sha256"), str) and a["sha256"].lower() != digest:
                        errs.append(f"sha256 mismatch: file {digest[:12]}..., manifest {a['sha256'][:12]}...")
                    ok = target in TARGETS
            label = rel if isinstance(rel, str) and SAFE.match(rel or "") and rel else f"artifacts[{n}]"
            rows.append([str(idx), "1" if ok else "0", app, str(a.get("env", "?")), str(a.get("region", "?")),
                         str(target if target in TARGETS else "?"), absp or "-", label, outdir])
            if errs:
                res.add(idx, "manifest", "FAIL", "; ".join(errs))
                for e in errs:
                    print(f"FAIL {app}: {label}: {e}")
            else:
                res.add(idx, "manifest", "PASS", "ok")
        # Code assets the manifest lists are the engines' input, not the checkers': known, not checked.
        for asset in manifest.get("assets") or []:
            rel = asset.get("path") if isinstance(asset, dict) else None
            if isinstance(rel, str) and SAFE.match(rel):
                listed.add(os.path.join(outdir, rel))
        for dirpath, dirnames, filenames in os.walk(outdir):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for fn in filenames:
                p = os.path.join(dirpath, fn)
                if p != mpath and p not in listed:
                    print(f"NOTE {app}: {os.path.relpath(p, outdir)} is not listed in the manifest (not checked)")
        print(f"{app}: {mpath}: {plural(len(arts), 'artifact')}")
    with open(artifacts_path, "a", encoding="utf-8") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")
    res.write()
    return 0


def rel_label(absp, rows_by_abs):
    return rows_by_abs.get(real(absp), absp)


# ---------------------------------------------------------------------------------------------------- cfn-lint
def cmd_cfnlint(results_path, map_path, json_path, stderr_path, rc, region):
    """cfn-lint exit status is a bit mask: 2 error, 4 warning, 8 informational; anything else is a crash."""
    res = Results(results_path)
    rc = int(rc)
    files = read_map(map_path, 3)
    by_path = {real(p): idx for idx, p, _ in files}
    label_of = {idx: label for idx, _, label in files}
    counts = {idx: {"Error": 0, "Warning": 0, "Informational": 0} for idx, _, _ in files}
    try:
        with open(json_path, encoding="utf-8") as f:
            matches = json.load(f)
        if not isinstance(matches, list):
            raise ValueError("not a list")
    except (OSError, ValueError) as exc:
        print(f"cfn-lint ({region}) gave no JSON report ({exc}), exit status {rc}:")
        sys.stdout.write(open(stderr_path, encoding="utf-8", errors="replace").read()[-4000:])
        for idx, _, _ in files:
            res.add(idx, "cfn-lint", "FAIL", f"crashed (exit {rc})")
        res.write()
        return 0
    unattributed = 0
    for m in matches:
        fn = m.get("Filename") or ""
        idx = by_path.get(real(fn))
        level = m.get("Level", "Error")
        rule = (m.get("Rule") or {}).get("Id", "?")
        loc = (m.get("Location") or {}).get("Start") or {}
        where = f"{label_of.get(idx, fn)}:{loc.get('LineNumber', '?')}:{loc.get('ColumnNumber', '?')}"
        if idx is None:
            unattributed += level == "Error"
        else:
            counts[idx][level] = counts[idx].get(level, 0) + 1
        if level in ("Error", "Warning"):
            print(f"  {level.upper():7} {where}: {rule} {clean(m.get('Message', ''))}")
    crashed = rc not in (0,) and (rc & 1 or rc > 15)
    for idx, _, _ in files:
        e, w = counts[idx]["Error"], counts[idx]["Warning"]
        extra = f", {plural(w, 'warning')}" if w else ""
        if e or unattributed or crashed:
            why = plural(e, "error") if e else (f"exit {rc}" if crashed else "unattributed errors")
            res.add(idx, "cfn-lint", "FAIL", why + extra)
        else:
            res.add(idx, "cfn-lint", "PASS", "ok" + extra)
    if (rc & 2) and not any(counts[i]["Error"] for i, _, _ in files) and not unattributed:
        print(f"cfn-lint ({region}) exited {rc} (errors) but reported none; treating as failure")
        res.rows = [(i, c, "FAIL", t if s == "FAIL" else f"exit {rc}") for i, c, s, t in res.rows]
    errors = sum(c["Error"] for c in counts.values())
    warnings = sum(c["Warning"] for c in counts.values())
    print(f"cfn-lint --regions {region}: {plural(len(files), 'template')}, {plural(errors, 'error')}, "
          f"{plural(warnings, 'warning')}")
    res.write()
    return 0


# ---------------------------------------------------------------------------------------------------- cfn-validate
def cmd_cfnvalidate(results_path, map_path, tsv_path, out_path, rc):
    """cfn_validate.py --tsv output -> results; echoes its report with artifact labels for paths."""
    res = Results(results_path)
    rc = int(rc)
    files = read_map(map_path, 3)
    try:
        with open(out_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    for _, p, label in sorted(files, key=lambda r: -len(r[1])):
        text = text.replace(p, label)
    sys.stdout.write("".join("  " + line for line in text.splitlines(keepends=True)))
    got = {}
    if os.path.exists(tsv_path):
        with open(tsv_path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3:
                    got[real(parts[0])] = (int(parts[1]), parts[2])
    for idx, p, _ in files:
        r = got.get(real(p))
        if r is None:
            res.add(idx, "cfn-validate", "FAIL", f"no result (exit {rc})")
        elif r[0]:
            res.add(idx, "cfn-validate", "FAIL", plural(r[0], "FATAL/ERROR"))
        else:
            warn = re.search(r"WARN=(\d+)", r[1])
            res.add(idx, "cfn-validate", "PASS", "ok" + (f", {plural(int(warn.group(1)), 'warning')}" if warn else ""))
    res.write()
    return 0


# ---------------------------------------------------------------------------------------------------- terraform
def cmd_tfvalidate(results_path, ids, label, json_path, rc):
    """terraform validate -json: fail when valid is false, error_count > 0, or the report is missing."""
    res = Results(results_path)
    ids = ids.split(",")
    try:
        with open(json_path, encoding="utf-8") as f:
            report = json.load(f)
        if not isinstance(report, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as exc:
        print(f"  {label}: terraform validate gave no JSON report ({exc}), exit status {rc}")
        for idx in ids:
            res.add(idx, "terraform", "FAIL", f"validate crashed (exit {rc})")
        res.write()
        return 0
    for d in report.get("diagnostics") or []:
        rng = d.get("range") or {}
        where = f"{rng.get('filename', '?')}:{(rng.get('start') or {}).get('line', '?')}" if rng else "-"
        print(f"  {str(d.get('severity', '?')).upper():7} {label} {where}: {clean(d.get('summary', ''))}"
              f"{': ' + clean(d.get('detail')) if d.get('detail') else ''}")
    errors = report.get("error_count") or 0
    warnings = report.get("warning_count") or 0
    valid = report.get("valid") is True
    extra = f", {plural(warnings, 'warning')}" if warnings else ""
    for idx in ids:
        if not valid or errors > 0 or str(rc) != "0":
            res.add(idx, "terraform", "FAIL", (plural(errors, "error") if errors else f"invalid (exit {rc})") + extra)
        else:
            res.add(idx, "terraform", "PASS", "ok" + extra)
    print(f"  {label}: valid={str(report.get('valid')).lower()} errors={errors} warnings={warnings}")
    res.write()
    return 0


# ---------------------------------------------------------------------------------------------------- checkov
def _tf_for_checkov(text):
    """checkov 3.3.30's terraform_json parser raises 'this method receives only dicts' on a top-level
    "terraform" block with a plain attribute such as required_version (the whole file is then reported as a
    parsing error). No checkov policy reads those attributes, so drop non-object attributes of that block from
    the copy that checkov scans. Returns (new_text, dropped_keys)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return text, []
    dropped = []

    def fix(block):
        if isinstance(block, dict):
            for k in [k for k, v in block.items() if not isinstance(v, (dict, list))]:
                dropped.append(k)
                del block[k]

    if isinstance(doc, dict):
        tb = doc.get("terraform")
        for block in tb if isinstance(tb, list) else [tb]:
            fix(block)
    if not dropped:
        return text, []
    return json.dumps(doc, indent=2), dropped


def cmd_checkov_prep(map_path, dest):
    """MAP rows: IDX <TAB> TARGET:ABSPATH. Copies each CloudFormation template to DEST/IDX/ and each Terraform
    artifact directory's *.tf.json files to DEST/IDX/ (patched, see _tf_for_checkov); prints the copies."""
    for idx, spec in read_map(map_path):
        target, absp = spec.split(":", 1)
        d = os.path.join(dest, idx)
        os.makedirs(d, exist_ok=True)
        srcs = [absp] if target == "cloudformation" else sorted(glob.glob(os.path.join(os.path.dirname(absp), "*.tf.json")))
        for src in srcs:
            with open(src, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if target == "terraform":
                text, dropped = _tf_for_checkov(text)
                if dropped:
                    print(f"checkov input {os.path.basename(src)} (artifact {idx}): dropped terraform."
                          f"{', terraform.'.join(dropped)} (checkov 3.3.30 parser bug)", file=sys.stderr)
            out = os.path.join(d, os.path.basename(src))
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
            print(out)
    return 0


_SKIP = re.compile(r"checkov:skip=([A-Za-z0-9_]+):\s*(.+)")


def _tf_skips(path, resource, cache):
    """{check id: reason} from the `"//"` comment of the Terraform block checkov names `resource`: checkov
    honours no skip comments in Terraform JSON, so the generator writes `checkov:skip=ID: reason` entries
    there. checkov names a block `type.name`, `resource.name` or `data.name`; names are unique across types
    in our artifacts, so the last component finds it."""
    if path not in cache:
        try:
            with open(path, encoding="utf-8") as f:
                cache[path] = json.load(f)
        except (OSError, ValueError):
            cache[path] = {}
    name = resource.rsplit(".", 1)[-1]
    skips = {}
    for group in ("resource", "data"):
        for blocks in (cache[path].get(group) or {}).values():
            block = blocks.get(name) if isinstance(blocks, dict) else None
            if not isinstance(block, dict):
                continue
            comment = block.get("//")
            for entry in comment if isinstance(comment, list) else [comment]:
                m = _SKIP.match(entry) if isinstance(entry, str) else None
                if m:
                    skips[m.group(1)] = m.group(2).strip()
    return skips


def cmd_checkov(results_path, map_path, json_path, rc, gating):
    """MAP rows: IDX <TAB> LABEL; checkov scanned DEST/IDX/* (cmd_checkov_prep) so results map back by the
    IDX path component. A file checkov could not parse counts as a failure. Checks skipped with a reason
    (CloudFormation `Metadata.checkov.skip`, which checkov applies; Terraform `"//"` comments, applied
    here) are listed with that reason, never silently."""
    res = Results(results_path)
    gating = gating == "1"
    bad = "FAIL" if gating else "WARN"
    labels = dict(read_map(map_path))
    try:
        with open(json_path, encoding="utf-8") as f:
            text = f.read()
        reports = json.loads(text) if text.strip() else []
        if isinstance(reports, dict):
            reports = [reports]
        if not isinstance(reports, list):
            raise ValueError("unexpected JSON shape")
    except (OSError, ValueError) as exc:
        print(f"checkov gave no JSON report ({exc}), exit status {rc}")
        for idx in labels:
            res.add(idx, "checkov", bad if gating else "NOTRUN", f"crashed (exit {rc})")
        res.write()
        return 0
    dest = os.path.dirname(os.path.abspath(json_path))
    failed = {i: [] for i in labels}
    passed = {i: 0 for i in labels}
    skipped = {i: [] for i in labels}
    parse_err = {i: [] for i in labels}
    tf_docs = {}

    def owner(path):
        parts = os.path.relpath(os.path.abspath(path), os.path.join(dest, "checkov")).split(os.sep)
        return parts[0] if parts and parts[0] in labels else None

    for rep in reports:
        if not isinstance(rep, dict):
            continue
        results = rep.get("results") or {}
        for c in results.get("failed_checks") or []:
            path = c.get("file_abs_path") or c.get("file_path") or ""
            i = owner(path)
            if not i:
                continue
            reason = None
            if path.endswith(".tf.json"):
                reason = _tf_skips(path, c.get("resource") or "", tf_docs).get(c.get("check_id"))
            if reason:
                skipped[i].append((c, reason))
            else:
                failed[i].append(c)
        for c in results.get("skipped_checks") or []:
            i = owner(c.get("file_abs_path") or c.get("file_path") or "")
            if i:
                reason = (c.get("check_result") or {}).get("suppress_comment") or "no reason given"
                skipped[i].append((c, reason))
        for c in results.get("passed_checks") or []:
            i = owner(c.get("file_abs_path") or c.get("file_path") or "")
            if i:
                passed[i] += 1
        for p in results.get("parsing_errors") or []:
            i = owner(p)
            if i:
                parse_err[i].append(os.path.basename(p))
    for idx, label in labels.items():
        for c, reason in skipped[idx]:
            print(f"  skipped {label}: {c.get('check_id')} {c.get('resource')}: {clean(reason)}")
        for c in failed[idx]:
            print(f"  {'FAILED' if gating else 'report'} {label}: {c.get('check_id')} {c.get('resource')}: "
                  f"{clean(c.get('check_name', ''))}")
        if parse_err[idx]:
            print(f"  {bad} {label}: checkov could not parse {', '.join(parse_err[idx])}")
            res.add(idx, "checkov", bad, "parse error")
        elif failed[idx]:
            ids = sorted({c.get("check_id", "?") for c in failed[idx]})
            res.add(idx, "checkov", bad, f"{len(failed[idx])} failed ({', '.join(ids)})")
        elif passed[idx] or skipped[idx]:
            extra = f", {len(skipped[idx])} skipped with a reason" if skipped[idx] else ""
            res.add(idx, "checkov", "PASS", f"0 failed, {passed[idx]} passed{extra}")
        else:
            res.add(idx, "checkov", "PASS", "no checks applied")
    total = sum(len(v) for v in failed.values())
    print(f"checkov: {plural(len(labels), 'artifact')}, {plural(total, 'failed check')}"
          f"{'' if gating else ' (report only; CHECKOV_GATING=1 makes them fatal)'}")
    res.write()
    return 0


# ---------------------------------------------------------------------------------------------------- summary
def cmd_summary(artifacts_path, *rest):
    results_paths, notrun = [], {}
    args = list(rest)
    while args:
        a = args.pop(0)
        if a == "--notrun":
            check, reason = args.pop(0).split("=", 1)
            notrun[check] = reason
        else:
            results_paths.append(a)
    arts = []
    if os.path.exists(artifacts_path):
        with open(artifacts_path, encoding="utf-8") as f:
            arts = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    results = {}
    general = []
    for rp in results_paths:
        if not os.path.exists(rp):
            continue
        with open(rp, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 4:
                    continue
                idx, check, status, text = parts
                if idx == "-":
                    general.append((check, status, text))
                else:
                    results.setdefault(idx, {})[check] = (status, text)

    gating_failures = 0
    ran = {c: 0 for c in CHECKS}
    skipped = {c: 0 for c in CHECKS}
    lines = []
    for check, status, text in general:
        if status == "FAIL":
            gating_failures += 1
        lines.append(f"  {status:6} {check}: {text}")
    for idx, ok, app, env, region, target, absp, rel, outdir in arts:
        got = results.get(idx, {})
        cells, worst = [], "ok"
        for check, (label, targets) in CHECKS.items():
            if target not in targets and check != "manifest":
                continue
            if check != "manifest" and ok != "1":
                continue  # not checkable: the manifest entry already failed
            status, text = got.get(check, (None, None))
            if status is None:
                if check in notrun:
                    status, text = "NOTRUN", notrun[check]
                elif check == "checkov" and os.environ.get("CHECKOV_GATING") != "1":
                    status, text = "NOTRUN", "no result"
                else:
                    status, text = "FAIL", "no result"
            if status == "NOTRUN":
                skipped[check] += 1
                cells.append(f"{label} NOT RUN")
                if worst == "ok":
                    worst = "NOTRUN"
                continue
            ran[check] += 1
            if status == "FAIL":
                gating_failures += 1
                worst = "FAIL"
            if check == "manifest" and status == "PASS":
                continue
            word = {"PASS": "", "FAIL": "FAIL ", "WARN": ""}[status]
            suffix = " (report only)" if status == "WARN" else ""
            cells.append(f"{label} {word}{text}{suffix}")
        lines.append(f"  {worst:6} {app}: {rel} [{env}, {region}]: " + "; ".join(cells))
    print(f"==> summary: {plural(len(arts), 'artifact')}")
    for line in lines:
        print(line)
    if not arts:
        print("NOTICE: no artifacts were checked", file=sys.stderr)

    def fmt(counts, with_reason):
        out = []
        for c, n in counts.items():
            if not n:
                continue
            label = CHECKS[c][0]
            extra = ""
            if c == "checkov" and os.environ.get("CHECKOV_GATING") != "1" and not with_reason:
                extra = ", report only"
            if with_reason and c in notrun:
                extra = f": {notrun[c]}"
            out.append(f"{label} ({plural(n, 'artifact')}{extra})")
        return ", ".join(out) if out else "none"

    for c, reason in notrun.items():
        if skipped.get(c):
            print(f"NOTICE: {CHECKS[c][0]} did NOT run: {reason}", file=sys.stderr)
    print(f"checks that ran: {fmt(ran, False)}; checks that did NOT run: {fmt(skipped, True)}")
    if gating_failures:
        print(f"RESULT: FAIL ({plural(gating_failures, 'gating failure')})")
        return 1
    print("RESULT: PASS" + (" (with checks NOT run, see above)" if any(skipped.values()) else ""))
    return 0


COMMANDS = {
    "examples": cmd_examples,
    "manifest": cmd_manifest,
    "cfnlint": cmd_cfnlint,
    "cfnvalidate": cmd_cfnvalidate,
    "tfvalidate": cmd_tfvalidate,
    "checkov-prep": cmd_checkov_prep,
    "checkov": cmd_checkov,
    "summary": cmd_summary,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
