use super::{
    action_word, after_text, before_text, change_note, clean, counts, long_texts, path_text,
    shown_changes, stack_line, stack_title, text_diff,
};
use crate::{Plan, PropertyChange};
use std::fmt::Write as _;

/// The plan as a pull-request comment: a headline, a data-loss warning when needed, one table row per
/// stack, and per changed stack a collapsible section with one row per changed resource.
///
/// Data from the documents (ids, types, values, names) cannot change the comment's structure: text is
/// escaped for Markdown and HTML (`|`, `<`, `>`, `&`, emphasis and link syntax), `@` mentions are broken
/// with a zero-width joiner, code spans are fenced with more backticks than the longest run inside them
/// (CommonMark), and control characters are shown escaped.
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
                    "> - {} {} ({}): {}",
                    code(&stack_title(stack), false),
                    code(&r.address, false),
                    action_word(r),
                    text(r.data_loss.as_deref().unwrap_or_default())
                );
            }
        }
        out.push('\n');
    }
    for embrace in &plan.embraces {
        // `inline` keeps the message's own code spans and escapes the documents' text in it.
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **DEPLOY WILL FAIL**: {}\n",
            inline(&embrace.message(), false)
        );
    }
    if plan.summary.warnings > 0 {
        let _ = writeln!(out, "> [!WARNING]");
        for stack in &plan.stacks {
            for r in &stack.resources {
                for w in &r.warnings {
                    let _ = writeln!(
                        out,
                        "> - {} {}: {}",
                        code(&stack_title(stack), false),
                        code(&r.address, false),
                        inline(w, false)
                    );
                }
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "| environment | stack | target | status | add | update | replace | destroy |\n|---|---|---|---|--:|--:|--:|--:|"
    );
    for s in &plan.stacks {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            text(&s.environment),
            text(&s.stack),
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
            html(&stack_line(s))
        );
        for note in &s.notes {
            let _ = writeln!(out, "- {}\n", inline(note, false));
        }
        if !s.resources.is_empty() {
            let _ = writeln!(
                out,
                "| action | resource | type | changes |\n|---|---|---|---|"
            );
        }
        for r in &s.resources {
            let mut details: Vec<String> = shown_changes(r)
                .iter()
                .map(|c| change(s.target, c))
                .collect();
            if let Some(what) = &r.data_loss {
                details.insert(0, format!("**DATA LOSS**: {}", text(what)));
            }
            if r.refused {
                details.insert(0, "**TERRAFORM WILL REFUSE**".to_owned());
            }
            details.extend(
                r.warnings
                    .iter()
                    .map(|w| format!("**warning**: {}", inline(w, true))),
            );
            details.extend(r.notes.iter().map(|n| inline(n, true)));
            let address = match &r.moved_from {
                Some(old) => format!("{} (from {})", code(&r.address, true), code(old, true)),
                None => code(&r.address, true),
            };
            let _ = writeln!(
                out,
                "| {} | {address} | {} | {} |",
                action_word(r),
                code(&r.type_name, true),
                details.join("<br>")
            );
        }
        for r in &s.resources {
            for c in shown_changes(r) {
                if let Some((before, after)) = long_texts(c) {
                    let _ = writeln!(
                        out,
                        "\n{} {}:\n",
                        code(&r.address, false),
                        code(&path_text(s.target, &c.path), false)
                    );
                    out.push_str(&diff_block(&text_diff(before, after)));
                }
            }
        }
        if !s.outputs.is_empty() {
            let list: Vec<String> = s
                .outputs
                .iter()
                .map(|o| format!("{} ({})", code(&o.name, false), o.action.name()))
                .collect();
            let _ = writeln!(out, "\nOutputs: {}", list.join(", "));
        }
        if !s.settings.is_empty() {
            let _ = writeln!(out, "\nAlso changed: {}", text(&s.settings.join(", ")));
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

/// One property change in a table cell: `` `path`: `before` → `after` (note) ``.
fn change(target: crate::Target, c: &PropertyChange) -> String {
    let after = match &c.known_after_deploy {
        Some(cause) => format!("(known after deploy: {})", inline(cause, true)),
        None => code(&after_text(c), true),
    };
    let note = change_note(c)
        .map(|n| format!(" ({})", inline(&n, true)))
        .unwrap_or_default();
    format!(
        "{}: {} → {after}{note}",
        code(&path_text(target, &c.path), true),
        code(&before_text(c), true),
    )
}

/// Lines as a fenced `diff` block whose fence is longer than any backtick run inside (CommonMark 4.5), so
/// no line of data can close it.
fn diff_block(lines: &[String]) -> String {
    let lines: Vec<String> = lines.iter().map(|l| clean(l).into_owned()).collect();
    let longest = lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}diff\n{}\n{fence}\n", lines.join("\n"))
}

/// Zero-width joiner: put after `@`, it keeps a mention from notifying anyone and looks the same.
const ZWJ: char = '\u{200d}';

/// Data as literal Markdown text, safe in a table cell: HTML's `<`, `>` and `&` as entities, Markdown's
/// inline syntax and the cell separator `|` backslash-escaped, mentions broken.
fn text(data: &str) -> String {
    let data = clean(data);
    let chars: Vec<char> = data.chars().collect();
    let word = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    let mut out = String::with_capacity(data.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // Inside a word (`ami_id`) an underscore cannot emphasize (CommonMark 6.2).
            '_' if word(i.checked_sub(1)) && word(Some(i + 1)) => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push(c);
                out.push(ZWJ);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Data as a code span that no backtick inside it can end: the fence is one backtick longer than the
/// longest run inside, with a space on each side when the data starts or ends with a backtick or a space
/// (CommonMark 6.1). In a table cell (`cell`), `|` is escaped as `\|`, which GitHub's tables read as `|`
/// even inside code.
fn code(data: &str, cell: bool) -> String {
    let data = clean(data);
    if data.is_empty() {
        return "(empty)".to_owned();
    }
    let longest = data
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    let pad = if data.starts_with(['`', ' ']) || data.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    let body = if cell {
        data.replace('|', "\\|")
    } else {
        data.into_owned()
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Our own words with data between backticks (`` create-only property `ImageId` ``): the words as
/// [`text`], the data as [`code`]. Data holding backticks itself only shifts what is shown as code; all of
/// it stays escaped either way.
fn inline(ours: &str, cell: bool) -> String {
    ours.split('`')
        .enumerate()
        .map(|(i, piece)| match (i % 2, piece.is_empty()) {
            (_, true) => String::new(),
            (0, _) => text(piece),
            _ => code(piece, cell),
        })
        .collect()
}

/// Data as HTML text, for the `<summary>` of a collapsible section (a raw HTML block, where Markdown
/// escapes do not apply).
fn html(data: &str) -> String {
    let mut out = String::with_capacity(data.len());
    for c in clean(data).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '@' => {
                out.push(c);
                out.push(ZWJ);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("a", false), "`a`");
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("``x", false), "``` ``x ```");
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert_eq!(code("a|b", false), "`a|b`");
    }

    #[test]
    fn text_cannot_open_html_tables_or_mentions() {
        assert_eq!(
            text("</details> | @team *x*"),
            "&lt;/details&gt; \\| @\u{200d}team \\*x\\*"
        );
        assert_eq!(html("a<b>&\"@x"), "a&lt;b&gt;&amp;&quot;@\u{200d}x");
        assert_eq!(
            inline("property `Na|me` of `x`", true),
            "property `Na\\|me` of `x`"
        );
    }
}
