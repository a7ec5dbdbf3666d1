use super::{
    action_word, after_text, change_note, counts, path_text, shown_changes, stack_line,
    stack_title, value_text,
};
use crate::Plan;
use std::fmt::Write as _;

/// The plan as a pull-request comment: a headline, a data-loss warning when needed, one table row per
/// stack, and per changed stack a collapsible section with one row per changed resource.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Stackwright plan: {}\n", counts(&plan.summary));
    if plan.loses_data() {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **DATA LOSS**: {} change(s) delete stateful resources:",
            plan.summary.data_loss
        );
        for stack in &plan.stacks {
            for r in stack.resources.iter().filter(|r| r.data_loss.is_some()) {
                let _ = writeln!(
                    out,
                    "> - `{}` `{}` ({}): {}",
                    stack_title(stack),
                    r.address,
                    action_word(r),
                    r.data_loss.as_deref().unwrap_or_default()
                );
            }
        }
        out.push('\n');
    }
    for embrace in &plan.embraces {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **DEPLOY WILL FAIL**: {}\n",
            embrace.message()
        );
    }
    let _ = writeln!(
        out,
        "| environment | stack | target | status | add | update | replace | destroy |\n|---|---|---|---|--:|--:|--:|--:|"
    );
    for s in &plan.stacks {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            s.environment,
            s.stack,
            s.target.name(),
            s.status.name(),
            s.summary.add,
            s.summary.update,
            s.summary.replace,
            s.summary.destroy
        );
    }
    for s in plan.stacks.iter().filter(|s| s.has_changes()) {
        let _ = writeln!(
            out,
            "\n<details><summary>{}</summary>\n",
            escape(&stack_line(s))
        );
        if !s.resources.is_empty() {
            let _ = writeln!(
                out,
                "| action | resource | type | changes |\n|---|---|---|---|"
            );
        }
        for r in &s.resources {
            let mut details: Vec<String> = shown_changes(r)
                .iter()
                .map(|c| {
                    let after = after_text(c);
                    let note = change_note(c)
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default();
                    format!(
                        "`{}`: `{}` → `{}`{}",
                        path_text(s.target, &c.path),
                        value_text(c.before.as_ref()),
                        after,
                        note
                    )
                })
                .collect();
            if let Some(what) = &r.data_loss {
                details.insert(0, format!("**DATA LOSS**: {what}"));
            }
            details.extend(r.notes.iter().cloned());
            let address = match &r.moved_from {
                Some(old) => format!("`{}` (from `{old}`)", r.address),
                None => format!("`{}`", r.address),
            };
            let _ = writeln!(
                out,
                "| {} | {address} | `{}` | {} |",
                action_word(r),
                r.type_name,
                escape(&details.join("<br>"))
            );
        }
        if !s.outputs.is_empty() {
            let list: Vec<String> = s
                .outputs
                .iter()
                .map(|o| format!("`{}` ({})", o.name, o.action.name()))
                .collect();
            let _ = writeln!(out, "\nOutputs: {}", list.join(", "));
        }
        if !s.settings.is_empty() {
            let _ = writeln!(out, "\nAlso changed: {}", escape(&s.settings.join(", ")));
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

/// Keeps table cells in one cell: pipes and newlines would end it.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
