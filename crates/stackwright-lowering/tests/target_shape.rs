//! The shape issue 25 gave the target crates, kept: they lower constructs generically, so they name no
//! construct's kind (only the engine's own: raw, registry, lookups, zones, assets, stack outputs), and no
//! hand-written function there grows past 120 lines.

use std::path::{Path, PathBuf};

/// The kinds the targets lower themselves; every other kind is a construct, lowered from its forms.
const ENGINE_KINDS: &[&str] = &[
    "ASSET",
    "AVAILABILITY_ZONES",
    "RAW",
    "REGISTRY",
    "SECURITY_GROUP_LOOKUP",
    "SSM_PARAMETER_LOOKUP",
    "STACK_OUTPUT",
    "SUBNET_LOOKUP",
    "VPC_LOOKUP",
];

const MAX_FUNCTION_LINES: usize = 120;

fn target_sources() -> Vec<(PathBuf, String)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for target in ["stackwright-cloudformation", "stackwright-terraform"] {
        let mut stack = vec![crates.join(target).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("a target crate's sources are readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file is UTF-8");
                    files.push((path, text));
                }
            }
        }
    }
    assert!(
        files.len() > 10,
        "the target crates' sources were not found"
    );
    files.sort();
    files
}

#[test]
fn targets_name_no_construct_kind() {
    let mut found = Vec::new();
    for (path, text) in target_sources() {
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("kinds::") {
                rest = &rest[at + "kinds::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                if !name.is_empty() && !ENGINE_KINDS.contains(&name.as_str()) {
                    found.push(format!("{}:{}: kinds::{name}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "a target crate names a construct's kind; declare what the kind is in each target in its \
         construct's forms (stackwright_aws::construct) instead:\n{}",
        found.join("\n")
    );
}

/// Functions as rustfmt lays them out: from a line declaring `fn name` to the closing brace at the same
/// indentation.
fn long_functions(text: &str) -> Vec<(usize, usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let declaration = trimmed
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("const ");
        let Some(name) = declaration.strip_prefix("fn ") else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let close = format!("{indent}}}");
        let Some(end) = lines[start..].iter().position(|l| *l == close) else {
            continue;
        };
        if end + 1 > MAX_FUNCTION_LINES {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            long.push((start + 1, end + 1, name));
        }
    }
    long
}

#[test]
fn no_target_function_over_120_lines() {
    let mut found = Vec::new();
    for (path, text) in target_sources() {
        for (line, length, name) in long_functions(&text) {
            found.push(format!(
                "{}:{line}: `{name}`, {length} lines",
                path.display()
            ));
        }
    }
    assert!(
        found.is_empty(),
        "a function of a target crate is over {MAX_FUNCTION_LINES} lines; split it into named steps:\n{}",
        found.join("\n")
    );
}

#[test]
fn long_functions_are_found() {
    let body = "    x();\n".repeat(MAX_FUNCTION_LINES);
    let text = format!("pub(crate) fn short() {{\n}}\n\nfn long() {{\n{body}}}\n");
    assert_eq!(
        long_functions(&text),
        vec![(4, MAX_FUNCTION_LINES + 2, "long".to_owned())]
    );
}
