//! Text templates (tera) with live references, rendered once per environment into an [`Expr`].
//!
//! Text that lives inside resources (user data, cloud-init documents, configuration files) often needs
//! values that exist only at deploy time: a security group id, a database endpoint. A [`Template`] is
//! rendered with a context of the environment (`env.name`, `env.account`, `env.region`, `env.partition`),
//! the user's typed config (`config.*`, through `serde::Serialize`), named values and named references
//! (`refs.*`); the result is an [`Expr`] of literal text and references, which each target lowers to its
//! own interpolation (`Fn::Sub` in CloudFormation, `${...}` in Terraform) while keeping literal `${` of
//! the text literal.
//!
//! ```
//! use stackwright_core::Expr;
//! use stackwright_template::Template;
//!
//! let template = Template::new("motd.txt", "{{ env.name }}: ${HOME} in {{ refs.vpc }}\n");
//! # let spec = stackwright_core::Environment::new("test", "123456789012", "us-west-2", ()).spec().clone();
//! let text = template.with_spec(&spec).reference("vpc", "vpc-123").try_render().unwrap();
//! assert_eq!(text, Expr::from("test: ${HOME} in vpc-123\n"));
//! ```
//!
//! Problems (syntax, unknown variable or reference, a reference altered by a filter) name the template
//! and the line; [`Render::render`] records them on the stack, located at the caller's line, so they fail
//! the synthesis with every other problem.
//!
//! Architecture invariant: no IO. Templates are embedded in the binary ([`include_template!`]) or given as
//! text; a template never sees deploy-time values, only placeholders for them.

mod placeholder;

use placeholder::{Encoding, Part};
use serde::Serialize;
use serde_json::Value as Json;
use stackwright_core::{Diagnostic, EnvSpec, Environment, Expr, Stack};
use std::borrow::Cow;

/// A tera template and the name its problems are reported under (its path, for embedded templates).
#[derive(Clone, Debug)]
pub struct Template {
    name: Cow<'static, str>,
    source: Cow<'static, str>,
}

/// Embeds a template file in the binary, so it renders from any working directory.
///
/// The path is relative to the file containing the macro call, as for `include_str!`; problems name the
/// template by that path joined to the calling file's directory (`templates/web/user-data.sh`).
#[macro_export]
macro_rules! include_template {
    ($path:literal) => {
        $crate::Template::embedded(file!(), $path, include_str!($path))
    };
}

impl Template {
    /// A template from text, e.g. read by the user's own code; `name` is how problems refer to it.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Self {
        Template {
            name: Cow::Owned(name.into()),
            source: Cow::Owned(source.into()),
        }
    }

    /// What [`include_template!`] expands to: `path` relative to the directory of `including_file`.
    pub fn embedded(including_file: &str, path: &'static str, source: &'static str) -> Self {
        let dir = including_file
            .rsplit_once(['/', '\\'])
            .map_or("", |(dir, _)| dir);
        Template {
            name: Cow::Owned(normalize(&format!("{dir}/{path}"))),
            source: Cow::Borrowed(source),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Starts a rendering for an environment: `env.*` and the environment's config as `config.*`.
    pub fn with_env<C: Serialize>(&self, env: &Environment<C>) -> Render<'_> {
        // Only the serialization of `C` is generic; the rest is compiled once, here.
        let config = serde_json::to_value(env.config()).map_err(|e| e.to_string());
        self.with_spec_and_config(env.spec(), config)
    }

    fn with_spec_and_config(&self, env: &EnvSpec, config: Result<Json, String>) -> Render<'_> {
        let mut render = self.with_spec(env);
        render.config = Some(config);
        render
    }

    /// Starts a rendering with `env.*` only, for configs that are not `Serialize`.
    pub fn with_spec(&self, env: &EnvSpec) -> Render<'_> {
        let env = serde_json::json!({
            "name": env.name,
            "account": env.account,
            "region": env.region,
            "partition": stackwright_core::regions::partition(&env.region),
        });
        Render {
            template: self,
            env,
            config: None,
            values: Vec::new(),
            references: Vec::new(),
        }
    }
}

/// Resolves `.` and `..` segments lexically, so an embedded template is named by a readable path.
fn normalize(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." if segments.last().is_some_and(|s| *s != "..") => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let joined = segments.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Names the context reserves for itself.
const RESERVED_NAMES: [&str; 3] = ["env", "config", "refs"];

/// One rendering of a template: its context, built by chained calls, then [`Render::render`].
#[derive(Debug)]
pub struct Render<'t> {
    template: &'t Template,
    env: Json,
    config: Option<Result<Json, String>>,
    values: Vec<(String, Result<Json, String>)>,
    references: Vec<(String, Expr)>,
}

impl Render<'_> {
    /// Binds `refs.NAME` to a value known at deploy time (`vpc.id()`, `instance.private_ip()`, or any
    /// expression). The template can print it, or join it with text (`~`); it cannot inspect it.
    pub fn reference(mut self, name: impl Into<String>, value: impl Into<Expr>) -> Self {
        self.references.push((name.into(), value.into()));
        self
    }

    /// Binds a top-level variable `NAME` to a value known now (a port, a list of packages, ...).
    pub fn value(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).map_err(|e| e.to_string());
        self.values.push((name.into(), value));
        self
    }

    /// Renders the template. On a problem, records it on `stack` at the caller's line and returns an
    /// empty text: the synthesis fails and nothing is written.
    #[track_caller]
    pub fn render(self, stack: &mut Stack) -> Expr {
        let at = std::panic::Location::caller();
        match self.try_render() {
            Ok(expr) => expr,
            Err(problems) => {
                for problem in problems {
                    stack.report(Diagnostic::new(problem).at(at));
                }
                Expr::from("")
            }
        }
    }

    /// Renders the template, or lists its problems, each naming the template (and line, when known).
    pub fn try_render(self) -> Result<Expr, Vec<String>> {
        let name = self.template.name();
        let problems = self.input_problems();
        if !problems.is_empty() {
            return Err(problems
                .into_iter()
                .map(|p| format!("template `{name}`: {p}"))
                .collect());
        }
        let mut tera = tera::Tera::new();
        // Nothing here is HTML: autoescaping would corrupt scripts.
        tera.autoescape_on(Vec::<&'static str>::new());
        tera.add_raw_template(name, self.template.source())
            .map_err(|e| describe(name, &e))?;
        let mut renderings = Vec::new();
        for encoding in Encoding::ALL {
            let rendered = tera
                .render(name, &self.context(encoding))
                .map_err(|e| describe(name, &e))?;
            let parts = placeholder::split(&rendered, encoding, self.references.len())
                .map_err(|()| vec![self.altered(name)])?;
            renderings.push(parts);
        }
        if renderings[0] != renderings[1] {
            return Err(vec![self.altered(name)]);
        }
        let parts = renderings.swap_remove(0);
        Ok(Expr::concat(parts.into_iter().map(|part| match part {
            Part::Text(text) => Expr::Literal(text),
            Part::Reference(i) => self.references[i].1.clone(),
        })))
    }

    fn altered(&self, name: &str) -> String {
        let names: Vec<String> = self
            .references
            .iter()
            .map(|(n, _)| format!("`refs.{n}`"))
            .collect();
        format!(
            "template `{name}`: a reference ({}) went through a filter, test or comparison that needs its \
             value: references are known only at deploy time; print them whole (`{{{{ refs.NAME }}}}`) or \
             join them with text (`~`)",
            names.join(", ")
        )
    }

    /// Names that are not identifiers or are bound twice, values that failed to serialize, and user text
    /// containing the characters reserved for placeholders.
    fn input_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let names = self
            .references
            .iter()
            .map(|(n, _)| ("reference", n))
            .chain(self.values.iter().map(|(n, _)| ("value", n)));
        for (what, name) in names {
            if !is_identifier(name) {
                problems.push(format!(
                    "invalid {what} name `{name}`: expected an identifier (ASCII letters, digits and `_`, not \
                     starting with a digit)"
                ));
            }
            if what == "value" && RESERVED_NAMES.contains(&name.as_str()) {
                problems.push(format!(
                    "value name `{name}` is reserved: expected a name other than {}",
                    RESERVED_NAMES.join(", ")
                ));
            }
            let key = if what == "reference" {
                format!("refs.{name}")
            } else {
                name.clone()
            };
            if seen.contains(&key) {
                problems.push(format!("{what} `{name}` is bound twice"));
            }
            seen.push(key);
        }
        if let Some(c) = self
            .template
            .source()
            .chars()
            .find(|c| placeholder::is_reserved(*c))
        {
            problems.push(reserved_char("the template text", c));
        }
        let values = self
            .config
            .iter()
            .map(|c| ("config".to_owned(), c))
            .chain(self.values.iter().map(|(n, v)| (n.clone(), v)));
        for (name, value) in values {
            match value {
                Err(e) => problems.push(format!("`{name}` cannot be serialized: {e}")),
                Ok(json) => {
                    if let Some(c) = find_reserved(json) {
                        problems.push(reserved_char(&format!("`{name}`"), c));
                    }
                }
            }
        }
        problems
    }

    fn context(&self, encoding: Encoding) -> tera::Context {
        let mut context = tera::Context::new();
        context.insert("env", &self.env);
        if let Some(Ok(config)) = &self.config {
            context.insert("config", config);
        }
        let refs: serde_json::Map<String, Json> = self
            .references
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.clone(), Json::String(placeholder::encode(i, encoding))))
            .collect();
        context.insert("refs", &refs);
        for (name, value) in &self.values {
            if let Ok(value) = value {
                context.insert(name.clone(), value);
            }
        }
        context
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn reserved_char(where_: &str, c: char) -> String {
    format!(
        "{where_} contains U+{:04X}: characters U+E000 to U+E01F are reserved for references",
        c as u32
    )
}

fn find_reserved(json: &Json) -> Option<char> {
    let in_text = |s: &str| s.chars().find(|c| placeholder::is_reserved(*c));
    match json {
        Json::String(s) => in_text(s),
        Json::Array(items) => items.iter().find_map(find_reserved),
        Json::Object(map) => map
            .iter()
            .find_map(|(k, v)| in_text(k).or_else(|| find_reserved(v))),
        Json::Null | Json::Bool(_) | Json::Number(_) => None,
    }
}

/// Each problem as `template `NAME` line L, column C: message`, lowercase, without trailing period.
fn describe(name: &str, error: &tera::Error) -> Vec<String> {
    let located = |message: &str, line: usize, column: usize| {
        format!(
            "template `{name}` line {line}, column {column}: {}",
            tidy(message)
        )
    };
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            vec![located(
                report.message(),
                span.start_line,
                span.start_col + 1,
            )]
        }
        // Checks across the template (unknown filters, tests, functions) arrive as rendered reports:
        // `error: MESSAGE` then ` --> NAME:LINE:COLUMN`, one per problem.
        other => {
            let text = other.to_string();
            let mut problems = Vec::new();
            let mut lines = text.lines();
            while let Some(line) = lines.next() {
                let Some(message) = line.strip_prefix("error: ") else {
                    continue;
                };
                let position = lines.next().and_then(|l| {
                    let mut at = l.trim_start().strip_prefix("-->")?.rsplitn(3, ':');
                    let column = at.next()?.parse().ok()?;
                    Some((at.next()?.parse().ok()?, column))
                });
                problems.push(match position {
                    Some((line, column)) => located(message, line, column),
                    None => format!("template `{name}`: {}", tidy(message)),
                });
            }
            if problems.is_empty() {
                problems.push(format!("template `{name}`: {}", tidy(&text)));
            }
            problems
        }
    }
}

/// Tera's messages as ours: lowercase, one sentence, no trailing period.
fn tidy(message: &str) -> String {
    let message = message
        .trim()
        .trim_end_matches('.')
        .replace(". Available fields:", ": expected one of")
        .replace(". Available variables:", ": expected one of");
    lowercase_first(&message)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
