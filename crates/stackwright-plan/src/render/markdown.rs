use super::{
    action_word, after_text, before_text, change_note, clean, command_text, counts, long_texts,
    path_text, shown_changes, stack_line, stack_title, text_diff,
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
    markdown_within(plan, COMMENT_LIMIT)
}

/// The most characters GitHub takes in a pull-request comment (its API refuses a longer body).
pub const COMMENT_LIMIT: usize = 65_536;

/// Room kept for what closes the comment: each section's end, the notes of what was left out.
const RESERVE: usize = 2_048;

/// [`markdown`] in at most `limit` bytes (so at most `limit` characters): whole lines, table rows and
/// sections, in order, while they fit; each cut says how much it left out and points at the whole
/// plan (`plan --format human` or `json`). Data-loss and warning lines come first, so they are the
/// last to be cut.
pub fn markdown_within(plan: &Plan, limit: usize) -> String {
    let mut out = Budget::new(limit.saturating_sub(RESERVE));
    out.line(format!("### Stackwright plan: {}\n", counts(&plan.summary)));
    if plan.loses_data() {
        out.line(format!(
            "> [!CAUTION]\n> **DATA LOSS**: {} change(s) delete stateful resources:",
            plan.summary.data_loss
        ));
        let lines = plan.stacks.iter().flat_map(|stack| {
            stack
                .resources
                .iter()
                .filter(|r| r.data_loss.is_some())
                .map(move |r| {
                    format!(
                        "> - {} {} ({}): {}",
                        code(&stack_title(stack), false),
                        code(&r.address, false),
                        action_word(r),
                        text(r.data_loss.as_deref().unwrap_or_default())
                    )
                })
        });
        out.lines(lines, "> - ", "stateful resources");
        out.line(String::new());
    }
    for embrace in &plan.embraces {
        // `inline` keeps the message's own code spans and escapes the documents' text in it.
        out.line(format!(
            "> [!CAUTION]\n> **DEPLOY WILL FAIL**: {}\n",
            inline(&embrace.message(), false)
        ));
    }
    if !plan.steps.is_single() {
        out.line(format!(
            "> [!IMPORTANT]\n> **{}**: deploy them in order (`synth --steps` writes each step's tree):",
            text(&plan.steps.headline())
        ));
        let lines = plan.steps.steps.iter().map(|step| {
            format!(
                "> {}. {}",
                step.number,
                step.lines
                    .iter()
                    .map(|l| inline(l, false))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        });
        out.lines(lines, "> ", "steps");
        out.line(String::new());
    }
    if plan.summary.warnings > 0 {
        out.line("> [!WARNING]".to_owned());
        let lines = plan.stacks.iter().flat_map(|stack| {
            stack.resources.iter().flat_map(move |r| {
                r.warnings.iter().map(move |w| {
                    format!(
                        "> - {} {}: {}",
                        code(&stack_title(stack), false),
                        code(&r.address, false),
                        inline(w, false)
                    )
                })
            })
        });
        out.lines(lines, "> - ", "warnings");
        out.line(String::new());
    }
    out.line(
        "| environment | stack | target | status | add | update | replace | destroy |\n|---|---|---|---|--:|--:|--:|--:|"
            .to_owned(),
    );
    let rows = plan.stacks.iter().map(|s| {
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            text(&s.environment),
            text(&s.stack),
            s.target.name(),
            s.status.name(),
            s.summary.add,
            s.summary.update,
            s.summary.replace,
            s.summary.destroy
        )
    });
    out.lines(rows, "", "stacks");
    let changed: Vec<_> = plan.stacks.iter().filter(|s| s.has_changes()).collect();
    for (i, s) in changed.iter().enumerate() {
        let mut head = format!("\n<details><summary>{}</summary>\n\n", html(&stack_line(s)));
        for note in &s.notes {
            let _ = writeln!(head, "- {}\n", inline(note, false));
        }
        for command in &s.commands {
            head.push_str(&command_block(command));
        }
        if !out.fits(&head) {
            out.omitted(&format!("{} more changed stacks", changed.len() - i));
            break;
        }
        out.push(&head);
        if !s.resources.is_empty() {
            out.line("| action | resource | type | changes |\n|---|---|---|---|".to_owned());
        }
        out.lines(
            s.resources.iter().map(|r| resource_row(s, r)),
            "",
            "resources",
        );
        let diffs = s.resources.iter().flat_map(|r| {
            shown_changes(r).iter().filter_map(move |c| {
                long_texts(c).map(|(before, after)| {
                    format!(
                        "\n{} {}:\n\n{}",
                        code(&r.address, false),
                        code(&path_text(s.target, &c.path), false),
                        diff_block(&text_diff(before, after))
                    )
                })
            })
        });
        out.blocks(diffs, "text diffs");
        if !s.outputs.is_empty() {
            let list: Vec<String> = s
                .outputs
                .iter()
                .map(|o| format!("{} ({})", code(&o.name, false), o.action.name()))
                .collect();
            out.blocks([format!("\nOutputs: {}\n", list.join(", "))], "outputs");
        }
        if !s.settings.is_empty() {
            out.blocks(
                [format!(
                    "\nAlso changed: {}\n",
                    text(&s.settings.join(", "))
                )],
                "settings",
            );
        }
        // Always written: the reserve holds it.
        out.push("\n</details>\n");
    }
    out.finish()
}

/// One changed resource as a row of its stack's table.
fn resource_row(s: &crate::StackPlan, r: &crate::ResourceChange) -> String {
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
    format!(
        "| {} | {address} | {} | {} |",
        action_word(r),
        code(&r.type_name, true),
        details.join("<br>")
    )
}

/// The comment being written, within `limit` bytes (its closing parts go into the reserve beyond).
struct Budget {
    out: String,
    limit: usize,
    cut: bool,
}

impl Budget {
    fn new(limit: usize) -> Budget {
        Budget {
            out: String::new(),
            limit,
            cut: false,
        }
    }

    fn fits(&self, text: &str) -> bool {
        self.out.len() + text.len() <= self.limit
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// `text` and a newline, if they fit; else the comment is marked cut.
    fn line(&mut self, mut text: String) {
        text.push('\n');
        if self.fits(&text) {
            self.out.push_str(&text);
        } else {
            self.cut = true;
        }
    }

    /// Each line while they fit; then one line (led by `lead`, to stay in a list or quote) saying how
    /// many `what` were left out.
    fn lines(&mut self, lines: impl Iterator<Item = String>, lead: &str, what: &str) {
        let mut left = 0;
        for mut line in lines {
            line.push('\n');
            if left == 0 && self.fits(&line) {
                self.out.push_str(&line);
            } else {
                left += 1;
            }
        }
        if left > 0 {
            self.cut = true;
            let _ = writeln!(
                self.out,
                "{lead}… and {left} more {what}, left out to fit a comment"
            );
        }
    }

    /// Each block while they fit, then a paragraph saying how many were left out.
    fn blocks(&mut self, blocks: impl IntoIterator<Item = String>, what: &str) {
        let mut left = 0;
        for block in blocks {
            if left == 0 && self.fits(&block) {
                self.out.push_str(&block);
            } else {
                left += 1;
            }
        }
        if left > 0 {
            self.omitted(&format!("{left} more {what}"));
        }
    }

    fn omitted(&mut self, what: &str) {
        self.cut = true;
        let _ = writeln!(self.out, "\n… and {what}, left out to fit a comment.");
    }

    fn finish(mut self) -> String {
        if self.cut {
            let _ = writeln!(
                self.out,
                "\n**This plan is longer than a comment takes** ({COMMENT_LIMIT} characters): \
                 `plan --format human` or `plan --format json` gives all of it."
            );
        }
        self.out
    }
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

/// A command as a fenced `sh` block at the top level (in a list item, a line of a value less indented
/// than the item would end it), whose fence is longer than any backtick run inside (CommonMark 4.5): no
/// value can close it, and a newline inside a quoted value stays a newline (a code span would make it a
/// space). The command is not cleaned, so that it pastes as it is.
fn command_block(c: &crate::CommandLine) -> String {
    let command = command_text(c);
    let longest = command
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}sh\n{command}\n{fence}\n\n")
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

/// A line of the caller's in the comment: its words escaped and its backticked names as code, as the
/// plan's own lines are (a step's progress, for a plan against a step's tree).
pub fn markdown_text(line: &str) -> String {
    inline(line, false)
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
