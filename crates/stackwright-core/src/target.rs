//! Which deployment engines an app, an environment or a stack is compiled for (declared targets).
//!
//! The core knows the targets only by name: what a target does with a stack is its own crate's business.

use crate::diagnostic::Location;

/// A deployment engine Stackwright compiles for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    CloudFormation,
    Terraform,
}

impl Target {
    /// Every target, in the order artifacts are produced.
    pub const ALL: [Target; 2] = [Target::CloudFormation, Target::Terraform];

    /// The target's name, as `--target`, overrides and `manifest.json` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Target::CloudFormation => "cloudformation",
            Target::Terraform => "terraform",
        }
    }

    /// The target of a name as [`Target::name`] spells it.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The target that is not this one.
    pub fn other(self) -> Target {
        match self {
            Target::CloudFormation => Target::Terraform,
            Target::Terraform => Target::CloudFormation,
        }
    }

    /// The target's name for people (`CloudFormation`, `Terraform`).
    pub fn title(self) -> &'static str {
        match self {
            Target::CloudFormation => "CloudFormation",
            Target::Terraform => "Terraform",
        }
    }
}

/// What declares a stack's targets: the app, its environment, or the stack itself (the narrowest
/// declaration wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    App,
    Environment,
    Stack,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::App => "app",
            Level::Environment => "environment",
            Level::Stack => "stack",
        }
    }
}

/// One `.targets(..)` declaration: the targets, in [`Target::ALL`] order without repeats, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub targets: Vec<Target>,
    pub level: Level,
    pub location: Location,
}

impl Declaration {
    pub(crate) fn new(
        targets: impl IntoIterator<Item = Target>,
        level: Level,
        location: Location,
    ) -> Self {
        let given: Vec<Target> = targets.into_iter().collect();
        Declaration {
            targets: Target::ALL
                .into_iter()
                .filter(|t| given.contains(t))
                .collect(),
            level,
            location,
        }
    }

    /// `cloudformation, terraform`: the targets' names.
    pub fn names(&self) -> String {
        names(&self.targets)
    }

    /// `` `.targets(..)` of the app at src/lib.rs:12 ``: the declaration for messages.
    pub fn describe(&self) -> String {
        format!(
            "`.targets({})` of the {} at {}:{}",
            self.names(),
            self.level.name(),
            self.location.file(),
            self.location.line()
        )
    }

    /// The problem with a declaration that declares nothing.
    pub(crate) fn empty_problem(&self) -> Option<String> {
        self.targets.is_empty().then(|| {
            format!(
                "the {} declares no target (`.targets([])`): expected at least one of {}",
                self.level.name(),
                names(&Target::ALL)
            )
        })
    }

    /// The problem with a declaration wider than `parent` (the declaration it narrows).
    pub(crate) fn wider_problem(&self, parent: &Declaration) -> Option<String> {
        let extra: Vec<Target> = self
            .targets
            .iter()
            .copied()
            .filter(|t| !parent.targets.contains(t))
            .collect();
        (!extra.is_empty()).then(|| {
            format!(
                "the {} declares target{} {} that its {} does not have ({}): a declaration may only narrow \
                 the one around it; drop {} here, or add {} there",
                self.level.name(),
                if extra.len() == 1 { "" } else { "s" },
                names(&extra),
                parent.level.name(),
                parent.describe(),
                names(&extra),
                names(&extra),
            )
        })
    }
}

/// `cloudformation, terraform`.
pub fn names(targets: &[Target]) -> String {
    targets
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(", ")
}
