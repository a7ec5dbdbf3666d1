"""Validate CloudFormation templates with AWS's offline engine (PyPI cloudformation-validate 1.14.0).

Usage: python cfn_validate.py [--tsv RESULTS.tsv] TEMPLATE.json...
  (run it with the interpreter of $VALIDATORS_HOME/venv-cfnvalidate)
Exit 1 if any diagnostic is FATAL or ERROR (or a template cannot be validated at all).
Prints one line per diagnostic of severity WARN or worse (INFO is counted, not printed), then one count line per
template. With --tsv, also writes one line per template: PATH <TAB> BAD_COUNT <TAB> COUNTS.
Adapted from the team's shared validators recipe; a template that makes the engine raise counts as one FATAL."""
import sys

from cloudformation_validate import RegoEngine


def main(argv):
    tsv = None
    if len(argv) >= 2 and argv[0] == "--tsv":
        tsv, argv = argv[1], argv[2:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    engine = RegoEngine()
    rows = []
    bad_total = 0
    for path in argv:
        counts, bad = {}, 0
        try:
            report = engine.validate_template(path)
            diagnostics = list(report.diagnostics)
        except Exception as exc:  # the engine itself gave up on this template
            print(f"{path}: [FATAL] engine: {type(exc).__name__}: {exc}")
            counts["FATAL"] = 1
            bad = 1
            diagnostics = []
        for d in diagnostics:
            sev = d.severity.name
            counts[sev] = counts.get(sev, 0) + 1
            if sev in ("FATAL", "ERROR", "WARN"):
                print(f"{path}: [{sev}] {d.rule_id}: {d.message}")
            if sev in ("FATAL", "ERROR"):
                bad += 1
        summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) if counts else "clean"
        print(f"{path}: {summary}")
        rows.append((path, bad, summary))
        bad_total += bad
    if tsv:
        with open(tsv, "w", encoding="utf-8") as f:
            for path, bad, summary in rows:
                f.write(f"{path}\t{bad}\t{summary}\n")
    return 1 if bad_total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
