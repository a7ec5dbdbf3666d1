use stackwright_core::Diagnostic;
use std::fmt::Write as _;

/// Renders problems like a compiler: what is wrong, where it was declared, and in which context.
pub(crate) fn diagnostics(problems: &[Diagnostic], color: bool) -> String {
    let mut out = located("error", "\x1b[1;31m", problems, color);
    let (red, bold, reset) = if color {
        ("\x1b[1;31m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let count = problems.len();
    let plural = if count == 1 { "" } else { "s" };
    let _ = writeln!(
        out,
        "{red}error{reset}{bold}: {count} problem{plural} found; nothing was written{reset}"
    );
    out
}

/// Renders warnings (target parity) as [`diagnostics`] renders problems, without the closing count:
/// they do not stop anything.
pub(crate) fn warnings(warnings: &[Diagnostic], color: bool) -> String {
    located("warning", "\x1b[1;33m", warnings, color)
}

/// Each diagnostic as `severity: message`, its location and its context.
fn located(severity: &str, tint: &str, diagnostics: &[Diagnostic], color: bool) -> String {
    let (tint, bold, blue, reset) = if color {
        (tint, "\x1b[1m", "\x1b[1;34m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut out = String::new();
    for problem in diagnostics {
        let _ = writeln!(
            out,
            "{tint}{severity}{reset}{bold}: {}{reset}",
            problem.message
        );
        if let Some(at) = problem.location {
            let _ = writeln!(
                out,
                "  {blue}-->{reset} {}:{}:{}",
                at.file(),
                at.line(),
                at.column()
            );
        }
        let context = problem.context();
        if !context.is_empty() {
            let _ = writeln!(out, "   {blue}={reset} in {}", context.join(", "));
        }
    }
    out
}

/// Left-aligned columns separated by two spaces.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(String::len)
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c + 1 == row.len() {
                    cell.clone()
                } else {
                    format!("{cell:<w$}", w = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", line.join("  "));
    }
    out
}
