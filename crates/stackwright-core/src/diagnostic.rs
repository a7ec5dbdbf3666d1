use std::fmt;

/// Where the user's program declared something: captured with `#[track_caller]` by every builder.
pub type Location = &'static std::panic::Location<'static>;

/// One problem found while building or lowering an app.
///
/// Phases collect these instead of stopping at the first; only the CLI renders them.
/// `message` is lowercase with no trailing period, names the value received and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub environment: Option<String>,
    pub stack: Option<String>,
    pub resource: Option<String>,
    pub location: Option<Location>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            environment: None,
            stack: None,
            resource: None,
            location: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn in_environment(mut self, name: &str) -> Self {
        self.environment.get_or_insert_with(|| name.to_owned());
        self
    }

    pub fn in_stack(mut self, name: &str) -> Self {
        self.stack.get_or_insert_with(|| name.to_owned());
        self
    }

    pub fn for_resource(mut self, id: &str) -> Self {
        self.resource.get_or_insert_with(|| id.to_owned());
        self
    }
}

/// Plain, single-line rendering for logs and test assertions; the CLI has a richer one.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let context: Vec<String> = [
            ("environment", &self.environment),
            ("stack", &self.stack),
            ("resource", &self.resource),
        ]
        .into_iter()
        .filter_map(|(what, name)| name.as_ref().map(|n| format!("{what} `{n}`")))
        .collect();
        if !context.is_empty() {
            write!(f, " (in {})", context.join(", "))?;
        }
        if let Some(at) = self.location {
            write!(f, " at {}:{}:{}", at.file(), at.line(), at.column())?;
        }
        Ok(())
    }
}
