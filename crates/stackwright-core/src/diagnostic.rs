use std::fmt;

/// Where the user's program declared something: captured with `#[track_caller]` by every builder.
pub type Location = &'static std::panic::Location<'static>;

/// One problem found while building or lowering an app.
///
/// Phases collect these instead of stopping at the first; only the CLI renders them.
/// `message` is lowercase with no trailing period, names the value received and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub message: String,
    pub environment: Option<String>,
    /// Other environments with the very same problem (a definition runs once per environment), so that
    /// it is reported once.
    pub also_in: Vec<String>,
    pub stack: Option<String>,
    pub resource: Option<String>,
    pub location: Option<Location>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            environment: None,
            also_in: Vec::new(),
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

impl Diagnostic {
    /// Where the problem is, for messages: `environment `dev``, `environments `dev`, `prod``,
    /// `stack `web``, `resource `Vpc``, each when known.
    pub fn context(&self) -> Vec<String> {
        let mut context = Vec::new();
        if let Some(env) = &self.environment {
            let all: Vec<String> = std::iter::once(env)
                .chain(&self.also_in)
                .map(|e| format!("`{e}`"))
                .collect();
            let plural = if all.len() == 1 { "" } else { "s" };
            context.push(format!("environment{plural} {}", all.join(", ")));
        }
        for (what, name) in [("stack", &self.stack), ("resource", &self.resource)] {
            if let Some(name) = name {
                context.push(format!("{what} `{name}`"));
            }
        }
        context
    }
}

/// Plain, single-line rendering for logs and test assertions; the CLI has a richer one.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let context = self.context();
        if !context.is_empty() {
            write!(f, " (in {})", context.join(", "))?;
        }
        if let Some(at) = self.location {
            write!(f, " at {}:{}:{}", at.file(), at.line(), at.column())?;
        }
        Ok(())
    }
}
