use super::{
    action_word, after_text, before_text, change_note, clean, command_text, long_texts, path_text,
    shown_changes, stack_line, symbol, text_diff, total_line,
};
use crate::{Action, Plan, ResourceChange};
use std::fmt::Write as _;

struct Palette {
    green: &'static str,
    yellow: &'static str,
    red: &'static str,
    magenta: &'static str,
    cyan: &'static str,
    bold: &'static str,
    alarm: &'static str,
    reset: &'static str,
}

const COLOR: Palette = Palette {
    green: "\x1b[32m",
    yellow: "\x1b[33m",
    red: "\x1b[31m",
    magenta: "\x1b[35m",
    cyan: "\x1b[36m",
    bold: "\x1b[1m",
    alarm: "\x1b[1;31m",
    reset: "\x1b[0m",
};

const PLAIN: Palette = Palette {
    green: "",
    yellow: "",
    red: "",
    magenta: "",
    cyan: "",
    bold: "",
    alarm: "",
    reset: "",
};

impl Palette {
    fn of(&self, r: &ResourceChange) -> &'static str {
        match r.action {
            Action::Add => self.green,
            Action::Update => self.yellow,
            Action::Replace => self.magenta,
            Action::Destroy => self.red,
            Action::NoChange => self.cyan,
        }
    }
}

/// The plan for a terminal: per stack a summary line, then one aligned line per changed resource with its
/// changed properties below; unchanged stacks take one line. ANSI colors only when `color`, and only
/// ours: every control character in the documents' data is shown escaped (see `clean`).
pub fn human(plan: &Plan, color: bool) -> String {
    let p = if color { &COLOR } else { &PLAIN };
    let mut out = String::new();
    for stack in &plan.stacks {
        let _ = writeln!(out, "{}{}{}", p.bold, clean(&stack_line(stack)), p.reset);
        for note in &stack.notes {
            let _ = writeln!(out, "  note: {}", clean(note));
        }
        for command in &stack.commands {
            let _ = writeln!(out, "  run: {}", command_text(command));
        }
        let rows: Vec<[String; 3]> = stack
            .resources
            .iter()
            .map(|r| {
                let address = match &r.moved_from {
                    Some(old) => format!("{} (from {})", clean(&r.address), clean(old)),
                    None => clean(&r.address).into_owned(),
                };
                // A Terraform address names its type already.
                let type_name = match stack.target {
                    crate::Target::CloudFormation => clean(&r.type_name).into_owned(),
                    crate::Target::Terraform => String::new(),
                };
                [
                    format!("{} {}", symbol(r), action_word(r)),
                    address,
                    type_name,
                ]
            })
            .collect();
        let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
        let (w0, w1) = (width(0), width(1));
        for (r, row) in stack.resources.iter().zip(&rows) {
            let loss = match &r.data_loss {
                Some(what) => format!("  {}DATA LOSS: {}{}", p.alarm, clean(what), p.reset),
                None if r.refused => format!(
                    "  {}REFUSED: Terraform will refuse (prevent_destroy){}",
                    p.alarm, p.reset
                ),
                None => String::new(),
            };
            let line = format!(
                "  {}{:<w0$}{}  {:<w1$}  {}{loss}",
                p.of(r),
                row[0],
                p.reset,
                row[1],
                row[2]
            );
            let _ = writeln!(out, "{}", line.trim_end());
            for c in shown_changes(r) {
                let note = change_note(c)
                    .map(|n| format!("  ({n})"))
                    .unwrap_or_default();
                let line = format!(
                    "{}: {} -> {}{note}",
                    path_text(stack.target, &c.path),
                    before_text(c),
                    after_text(c)
                );
                let _ = writeln!(out, "      {}", clean(&line));
                if let Some((before, after)) = long_texts(c) {
                    for line in text_diff(before, after) {
                        let color = match line.as_bytes().first() {
                            Some(b'-') => p.red,
                            Some(b'+') => p.green,
                            Some(b'@') => p.cyan,
                            _ => "",
                        };
                        let _ = writeln!(out, "        {color}{}{}", clean(&line), p.reset);
                    }
                }
            }
            for warning in &r.warnings {
                let _ = writeln!(
                    out,
                    "      {}warning: {}{}",
                    p.alarm,
                    clean(warning),
                    p.reset
                );
            }
            for note in &r.notes {
                let _ = writeln!(out, "      note: {}", clean(note));
            }
        }
        if !stack.outputs.is_empty() {
            let list: Vec<String> = stack
                .outputs
                .iter()
                .map(|o| {
                    let sign = match o.action {
                        Action::Add => "+",
                        Action::Destroy => "-",
                        _ => "~",
                    };
                    format!("{sign}{}", o.name)
                })
                .collect();
            let _ = writeln!(out, "  outputs: {}", clean(&list.join(", ")));
        }
        if !stack.settings.is_empty() {
            let _ = writeln!(out, "  also changed: {}", clean(&stack.settings.join(", ")));
        }
    }
    for embrace in &plan.embraces {
        let _ = writeln!(
            out,
            "{}DEPLOY WILL FAIL{}: {}",
            p.alarm,
            p.reset,
            embrace.message()
        );
    }
    if !plan.steps.is_single() {
        let _ = writeln!(
            out,
            "{}{}{}: deploy them in order (`synth --steps` writes each step's tree):",
            p.bold,
            clean(&plan.steps.headline()),
            p.reset
        );
        for step in &plan.steps.steps {
            for (k, line) in step.lines.iter().enumerate() {
                let head = if k == 0 {
                    format!("  {}. ", step.number)
                } else {
                    "     ".to_owned()
                };
                let _ = writeln!(out, "{head}{}", clean(line));
            }
        }
    }
    let loss = if plan.loses_data() { p.alarm } else { p.bold };
    let _ = writeln!(out, "{loss}{}{}", total_line(plan), p.reset);
    out
}
