//! A plan as text: for a terminal ([`human`]), a pull-request comment ([`markdown`]) and bots ([`json`]).

mod human;
mod json;
mod markdown;

pub use human::human;
pub use json::{json, FORMAT_VERSION};
pub use markdown::{markdown, markdown_text, markdown_within, COMMENT_LIMIT};

use crate::{Action, Plan, PropertyChange, Replacement, ResourceChange, StackPlan, Summary};
use serde_json::Value as Json;

/// `prod-oregon/notebook (terraform)`; `prod-oregon/notebook (terraform, 111111111111/us-west-2)` for
/// a stack that moves.
fn stack_title(s: &StackPlan) -> String {
    match (&s.placement, s.relocated) {
        (Some(p), true) => format!(
            "{}/{} ({}, {}/{})",
            s.environment,
            s.stack,
            s.target.name(),
            p.account,
            p.region
        ),
        _ => format!("{}/{} ({})", s.environment, s.stack, s.target.name()),
    }
}

/// `2 to add, 1 to update, 0 to replace, 0 to destroy`, with moves and possible replacements when any.
fn counts(s: &Summary) -> String {
    let mut text = format!(
        "{} to add, {} to update, {} to replace, {} to destroy",
        s.add, s.update, s.replace, s.destroy
    );
    if s.moved > 0 {
        text.push_str(&format!(", {} to move", s.moved));
    }
    if s.may_replace > 0 {
        text.push_str(&format!(" ({} of the updates may replace)", s.may_replace));
    }
    match s.warnings {
        0 => {}
        1 => text.push_str("; 1 warning"),
        n => text.push_str(&format!("; {n} warnings")),
    }
    match s.refused {
        0 => {}
        1 => text.push_str("; TERRAFORM WILL REFUSE (1 resource has prevent_destroy)"),
        n => text.push_str(&format!(
            "; TERRAFORM WILL REFUSE ({n} resources have prevent_destroy)"
        )),
    }
    text
}

/// A command as a line (or lines, when a quoted value holds a newline) to paste into a POSIX shell: the
/// command, then the account it needs credentials for as a shell comment. Not cleaned: its values are
/// quoted for the shell already, and escaping a character would change the command.
fn command_text(c: &crate::CommandLine) -> String {
    format!(
        "{}  # with credentials for account {}",
        c.shell,
        c.account.escape_debug()
    )
}

/// The one-line summary of a stack: `prod-oregon/notebook (terraform): 2 to add, ...`.
fn stack_line(s: &StackPlan) -> String {
    let what = match s.status {
        crate::StackStatus::Unchanged => "no changes".to_owned(),
        crate::StackStatus::Added if s.relocated => format!(
            "new deployment (the environment moves here): {}",
            counts(&s.summary)
        ),
        crate::StackStatus::Removed if s.relocated => format!(
            "the environment moves away: {}; the old deployment stays until destroyed here with the \
             previous artifacts",
            counts(&s.summary)
        ),
        crate::StackStatus::Added => format!("new stack: {}", counts(&s.summary)),
        crate::StackStatus::Removed => format!("stack removed: {}", counts(&s.summary)),
        crate::StackStatus::Changed => counts(&s.summary),
    };
    format!("{}: {what}", stack_title(s))
}

/// The closing line of the whole plan.
fn total_line(plan: &Plan) -> String {
    let changed = plan.stacks.iter().filter(|s| s.has_changes()).count();
    let loss = match plan.summary.data_loss {
        0 => "no data loss".to_owned(),
        1 => "1 change LOSES DATA".to_owned(),
        n => format!("{n} changes LOSE DATA"),
    };
    format!(
        "total: {} in {changed} of {} stacks; {loss}",
        counts(&plan.summary),
        plan.stacks.len()
    )
}

/// `+`, `~`, `-/+`, `-`, `->` (a move without other change).
fn symbol(r: &ResourceChange) -> &'static str {
    match r.action {
        Action::Add => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Destroy => "-",
        Action::NoChange => "->",
    }
}

/// `add`, `update`, `update (may replace)`, `replace`, `destroy`, `move`.
fn action_word(r: &ResourceChange) -> &'static str {
    match r.action {
        Action::NoChange => "move",
        Action::Update if r.may_replace => "update (may replace)",
        other => other.name(),
    }
}

/// A property path as written in its engine's documents: `BlockDeviceMappings/0/Ebs`, `root_block_device.0`.
fn path_text(target: crate::Target, path: &[String]) -> String {
    path.join(match target {
        crate::Target::CloudFormation => "/",
        crate::Target::Terraform => ".",
    })
}

/// The old value of a change in one line (see [`value_text`]).
fn before_text(c: &PropertyChange) -> String {
    match long_texts(c) {
        Some((before, _)) => long_summary(before),
        None => shown_value(c, c.before.as_ref()),
    }
}

/// A side of a change: `(sensitive)` where the whole value is a hidden secret, else [`value_text`].
fn shown_value(c: &PropertyChange, value: Option<&Json>) -> String {
    match value {
        Some(Json::String(s)) if c.sensitive && s == crate::sensitive::HIDDEN => s.clone(),
        _ => value_text(value),
    }
}

/// A value in one line; `(none)` for an absent one.
fn value_text(value: Option<&Json>) -> String {
    match value {
        None => "(none)".to_owned(),
        Some(v) => {
            let text = v.to_string();
            const MAX: usize = 120;
            if text.chars().count() > MAX {
                let cut: String = text.chars().take(MAX - 3).collect();
                format!("{cut}...")
            } else {
                text
            }
        }
    }
}

/// `forces replacement: ...`, `may force replacement: ...`, or the reason alone.
fn change_note(c: &PropertyChange) -> Option<String> {
    let reason = c.reason.as_deref();
    match (c.replacement, reason) {
        (Replacement::Always, Some(r)) => Some(format!("forces replacement: {r}")),
        (Replacement::Always, None) => Some("forces replacement".into()),
        (Replacement::Conditional, Some(r)) => Some(format!("may force replacement: {r}")),
        (Replacement::Conditional, None) => Some("may force replacement".into()),
        (Replacement::Never, r) => r.map(str::to_owned),
    }
}

/// The new value, or `(known after deploy: cause)`.
fn after_text(c: &PropertyChange) -> String {
    match &c.known_after_deploy {
        Some(cause) => format!("(known after deploy: {cause})"),
        None => match long_texts(c) {
            Some((_, after)) => long_summary(after),
            None => shown_value(c, c.after.as_ref()),
        },
    }
}

/// `text` with every control character written as a visible escape (`\u{1b}`): C0 (newlines and tabs
/// included: one value stays on one line), DEL, C1, and the bidirectional overrides and isolates that
/// make a terminal or a browser show text in another order than it is. Data from the documents goes
/// through here before any renderer shows it, so it cannot move the cursor, recolor the terminal, set its
/// title or hide text.
fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    fn hostile(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hostile) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Longer than this (or on several lines), a changed text is shown as a diff rather than as two values.
const LONG: usize = 120;

/// The old and new text of a change between two long or multi-line strings (also inside the same
/// `Fn::Base64` / `Fn::Sub` wrapper, as CloudFormation user data is written), when it is one.
fn long_texts(c: &PropertyChange) -> Option<(&str, &str)> {
    if c.sensitive || c.known_after_deploy.is_some() {
        return None;
    }
    fn text(value: &Json) -> Option<(&str, Vec<&str>)> {
        match value {
            Json::String(s) => Some((s, Vec::new())),
            Json::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next()?;
                if !matches!(key.as_str(), "Fn::Base64" | "Fn::Sub") {
                    return None;
                }
                // `Fn::Sub` with a variable map: the text is its first item; the map must not change.
                let inner = match arg {
                    Json::Array(items) if key == "Fn::Sub" && items.len() == 2 => &items[0],
                    other => other,
                };
                let (s, mut wrappers) = text(inner)?;
                wrappers.insert(0, key.as_str());
                Some((s, wrappers))
            }
            _ => None,
        }
    }
    let (before, wb) = text(c.before.as_ref()?)?;
    let (after, wa) = text(c.after.as_ref()?)?;
    let long = |s: &str| s.contains('\n') || s.chars().count() > LONG;
    (wb == wa && (long(before) || long(after)) && sub_variables(c)).then_some((before, after))
}

/// Whether the `Fn::Sub` variable maps (if any) of both sides are the same: the diff shows the text only.
fn sub_variables(c: &PropertyChange) -> bool {
    fn vars(value: Option<&Json>) -> Option<&Json> {
        let mut node = value?;
        loop {
            let (key, arg) = node.as_object()?.iter().next()?;
            match (key.as_str(), arg) {
                ("Fn::Sub", Json::Array(items)) => return items.get(1),
                ("Fn::Base64", inner) => node = inner,
                _ => return None,
            }
        }
    }
    vars(c.before.as_ref()) == vars(c.after.as_ref())
}

/// One side of a long text, in a line: `(42 lines)` or `(315 characters)`.
fn long_summary(text: &str) -> String {
    match text.lines().count() {
        0 | 1 => format!("({} characters)", text.chars().count()),
        n => format!("({n} lines)"),
    }
}

/// How two long texts differ, as unified-diff lines (`@@ -3,5 +3,5 @@`, `-old`, `+new`, ` same`) with two
/// lines of context, by the `similar` crate (Myers). Texts of one line each are cut to the part that
/// differs, with 40 characters either side.
fn text_diff(before: &str, after: &str) -> Vec<String> {
    if !before.contains('\n') && !after.contains('\n') {
        let b: Vec<char> = before.chars().collect();
        let a: Vec<char> = after.chars().collect();
        let prefix = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
        let suffix = b[prefix..]
            .iter()
            .rev()
            .zip(a[prefix..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        const CONTEXT: usize = 40;
        let cut = |chars: &[char]| {
            let start = prefix.saturating_sub(CONTEXT);
            let end = (chars.len() - suffix + CONTEXT).min(chars.len());
            let mut s = String::new();
            if start > 0 {
                s.push('…');
            }
            s.extend(&chars[start..end]);
            if end < chars.len() {
                s.push('…');
            }
            s
        };
        return vec![format!("-{}", cut(&b)), format!("+{}", cut(&a))];
    }
    let diff = similar::TextDiff::from_lines(before, after);
    let mut out = Vec::new();
    for hunk in diff.unified_diff().context_radius(2).iter_hunks() {
        out.push(hunk.header().to_string());
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            let line = change.value();
            out.push(format!("{sign}{}", line.strip_suffix('\n').unwrap_or(line)));
        }
    }
    out
}

/// The property changes worth a line: for an addition, none (the resource is new as a whole).
fn shown_changes(r: &ResourceChange) -> &[PropertyChange] {
    match r.action {
        Action::Add | Action::Destroy => &[],
        _ => &r.changes,
    }
}
