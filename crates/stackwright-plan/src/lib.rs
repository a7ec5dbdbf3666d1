//! Offline change plan: what deploying freshly synthesized artifacts over a previous artifact tree would add,
//! update in place, replace, move or destroy, per environment, stack, target and resource, without
//! credentials or state.
//!
//! [`plan`] compares parsed documents (CloudFormation templates, Terraform JSON modules). Whether a property
//! change replaces its resource comes from the vendored schema data ([`stackwright_schema`]): CloudFormation
//! `createOnlyProperties` (replace) and `conditionalCreateOnlyProperties` (may replace), Terraform force-new
//! paths (replace) and conditional rules (may replace). A change reaches the resources that reference a
//! replaced resource or a changed input (parameter, variable, data source): their references resolve to new
//! values at deploy time, which may replace them in turn. Replacing or destroying a stateful resource is
//! flagged as data loss. [`render`] turns a plan into text for people, pull requests and bots.
//!
//! Architecture invariant: pure; no IO. Documents come in parsed, text goes out as strings.

mod compare;
mod diff;
mod document;
pub mod embrace;
mod in_use;
pub mod previous;
mod refs;
pub mod render;
mod sensitive;
mod stateful;
pub mod steps;
mod strict;

use serde_json::Value as Json;
pub use stackwright_schema::Replacement;

/// A deployment engine we compile for (the core's, which declarations name: one type everywhere).
pub use stackwright_core::Target;

/// One artifact of one side of the comparison.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    pub environment: &'a str,
    pub stack: &'a str,
    pub target: Target,
    pub json: &'a Json,
    /// Declared renames the document cannot express, as (old, new) logical ids: CloudFormation has no
    /// `moved` block. Terraform renames are read from the document's `moved` blocks.
    pub renames: &'a [(String, String)],
    /// For a previous document read with [`previous::parse_against`]: the resources and outputs `json`
    /// leaves out because they are those of the fresh document of the same (environment, stack,
    /// target), which the plan then reads in their place. `None`: `json` is the whole document.
    pub unchanged: Option<&'a previous::Unchanged>,
}

/// What deploying a resource's new definition does to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    NoChange,
    Add,
    /// Update in place (possibly with interruption); see [`ResourceChange::may_replace`].
    Update,
    Replace,
    Destroy,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::NoChange => "no-change",
            Action::Add => "add",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Destroy => "destroy",
        }
    }
}

/// One changed property (or resource setting such as `DeletionPolicy`) of a resource.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyChange {
    /// Property names and list indices from the resource's properties (CloudFormation) or body (Terraform).
    pub path: Vec<String>,
    /// `None` when the property is absent on that side.
    pub before: Option<Json>,
    pub after: Option<Json>,
    /// What this change does to the resource.
    pub replacement: Replacement,
    /// Why it replaces or may replace: the schema rule (`` `ImageId` is create-only ``).
    pub reason: Option<String>,
    /// Set when the value is written the same but what it references changes at deploy time, to the cause
    /// (`` `PublicSubnet` is replaced ``, `` parameter `AmiId` changes ``).
    pub known_after_deploy: Option<String>,
    /// Whether `before`/`after` hold a secret, shown as the string `(sensitive)` in its place (the whole
    /// value, or the secret parts of an object): a provider-`sensitive` Terraform attribute, a write-only
    /// CloudFormation property, or a property named as a secret (`MasterUserPassword`, `password`, ...).
    /// The change itself is listed, so a reviewer sees that the secret changes.
    pub sensitive: bool,
}

/// The plan for one resource (for Terraform, one `resource` block).
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceChange {
    /// CloudFormation logical id, or Terraform address (`aws_instance.web`).
    pub address: String,
    /// CloudFormation or Terraform resource type.
    pub type_name: String,
    pub action: Action,
    /// The previous address of a renamed resource: a Terraform `moved` block, or a CloudFormation rename
    /// (which replaces).
    pub moved_from: Option<String>,
    /// An update whose changes replace the resource under some condition.
    pub may_replace: bool,
    /// What is lost when this change deletes a stateful resource (`the database and its data`); `None`
    /// when nothing is, or a deletion or retention policy keeps it.
    pub data_loss: Option<String>,
    /// Terraform refuses the whole apply because of this change: the resource has
    /// `lifecycle.prevent_destroy` and the change destroys or replaces it (Terraform stops with an error
    /// before changing anything). The warning says so, with the fix; nothing is lost, so `data_loss` is
    /// `None`.
    pub refused: bool,
    /// Further facts a reviewer needs (retention policies, rename hints, what happens to a fleet).
    pub notes: Vec<String>,
    /// What will go wrong if this is deployed as it stands, with the fix (CloudFormation cannot replace
    /// a resource that keeps its custom name).
    pub warnings: Vec<String>,
    pub changes: Vec<PropertyChange>,
}

/// How a stack's artifact itself changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackStatus {
    Unchanged,
    Changed,
    /// The (environment, stack, target) is new: every resource is added.
    Added,
    /// The (environment, stack, target) is gone: every resource is destroyed.
    Removed,
}

impl StackStatus {
    pub fn name(self) -> &'static str {
        match self {
            StackStatus::Unchanged => "unchanged",
            StackStatus::Changed => "changed",
            StackStatus::Added => "added",
            StackStatus::Removed => "removed",
        }
    }
}

/// A named entry outside the resources (an output), and whether it was added, changed or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedChange {
    pub name: String,
    /// `Add`, `Update` or `Destroy`.
    pub action: Action,
}

/// Counts of resource actions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub add: usize,
    pub update: usize,
    pub replace: usize,
    pub destroy: usize,
    /// Resources whose address changes (moves), whatever their action.
    pub moved: usize,
    /// Updates that may replace.
    pub may_replace: usize,
    /// Changes that lose data.
    pub data_loss: usize,
    /// Resources with warnings.
    pub warnings: usize,
    /// Changes Terraform refuses (see [`ResourceChange::refused`]).
    pub refused: usize,
}

impl Summary {
    fn count(&mut self, r: &ResourceChange) {
        match r.action {
            Action::NoChange => {}
            Action::Add => self.add += 1,
            Action::Update => self.update += 1,
            Action::Replace => self.replace += 1,
            Action::Destroy => self.destroy += 1,
        }
        self.moved += usize::from(r.moved_from.is_some() && r.action != Action::Replace);
        self.may_replace += usize::from(r.may_replace);
        self.data_loss += usize::from(r.data_loss.is_some());
        self.warnings += usize::from(!r.warnings.is_empty());
        self.refused += usize::from(r.refused);
    }

    fn add_all(&mut self, other: &Summary) {
        self.add += other.add;
        self.update += other.update;
        self.replace += other.replace;
        self.destroy += other.destroy;
        self.moved += other.moved;
        self.may_replace += other.may_replace;
        self.data_loss += other.data_loss;
        self.warnings += other.warnings;
        self.refused += other.refused;
    }
}

/// The plan of one (environment, stack, target).
#[derive(Clone, Debug, PartialEq)]
pub struct StackPlan {
    pub environment: String,
    pub stack: String,
    pub target: Target,
    pub status: StackStatus,
    /// Resources that change, in document order (destroyed ones after the others, in their old order).
    pub resources: Vec<ResourceChange>,
    pub outputs: Vec<NamedChange>,
    /// Other parts of the artifact that changed: parameters and variables, data sources, provider,
    /// description, ... (`parameter AmiId`, `provider`).
    pub settings: Vec<String>,
    pub summary: Summary,
    /// Where the stack deploys, when known (see [`Placement`]); for a removed stack, where it was.
    pub placement: Option<Placement>,
    /// Part of an environment that moves to another account or region: this stack is either the old
    /// deployment, destroyed in its old placement, or the new one, created in the new placement.
    pub relocated: bool,
    /// Facts about the stack as a whole, which the caller adds: for a stack that goes (removed, or the old
    /// deployment of a move), where its previous artifact is and what to do about it.
    pub notes: Vec<String>,
    /// The commands the notes speak of, which the caller adds: for a stack that goes, the one that tears it
    /// down. Renderers show them as code, never inside prose.
    pub commands: Vec<CommandLine>,
}

/// A command to run, as the caller built it: for a shell, as argument vectors, and with the account it
/// needs credentials for. The plan only carries it; its values are quoted by whoever built it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandLine {
    /// For a POSIX shell: every value quoted, the programs joined by `&&`.
    pub shell: String,
    /// The same programs as argument vectors (program first), to run one after the other, each once the
    /// one before succeeded: for a runner without a shell.
    pub argv: Vec<Vec<String>>,
    /// The AWS account whose credentials it needs.
    pub account: String,
}

impl StackPlan {
    /// Whether deploying would do anything.
    pub fn has_changes(&self) -> bool {
        self.status != StackStatus::Unchanged
    }
}

/// The plan of a whole artifact tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub stacks: Vec<StackPlan>,
    pub summary: Summary,
    /// CloudFormation exports whose removal or change fails while a deployed stack imports them.
    pub embraces: Vec<embrace::Embrace>,
    /// The changes that cannot be deployed in one step, and the steps they compile to (empty when the
    /// change deploys in one).
    pub steps: steps::Sequence,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        self.stacks.iter().any(StackPlan::has_changes)
    }

    pub fn loses_data(&self) -> bool {
        self.summary.data_loss > 0
    }

    /// Terraform's `-detailed-exitcode` convention, plus data loss: 0 no change, 2 changes, 3 changes that
    /// lose data (2 when data loss is allowed).
    pub fn exit_code(&self, allow_data_loss: bool) -> u8 {
        if self.loses_data() && !allow_data_loss {
            3
        } else if self.has_changes() {
            2
        } else {
            0
        }
    }
}

/// Where an artifact deploys: an AWS account and region. An environment that moves to another account or
/// region is a new deployment there, and the old one stays until it is destroyed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Placement {
    /// The 12-digit account id.
    pub account: String,
    /// `us-east-1`, ...
    pub region: String,
}

impl Placement {
    /// What a document says of its placement: a Terraform module's default `aws` provider `region` and its
    /// single `allowed_account_ids` entry, when both are literal. A CloudFormation template does not say.
    pub fn of(document: &Document) -> Option<Placement> {
        if document.target != Target::Terraform {
            return None;
        }
        let aws = document.json.get("provider")?.get("aws")?;
        let config = match aws {
            Json::Array(configs) => configs.iter().find(|c| c.get("alias").is_none())?,
            other => other,
        };
        let literal = |v: &Json| v.as_str().filter(|s| !s.contains("${")).map(str::to_owned);
        let region = literal(config.get("region")?)?;
        let accounts = config.get("allowed_account_ids")?.as_array()?;
        let [account] = accounts.as_slice() else {
            return None;
        };
        Some(Placement {
            account: literal(account)?,
            region,
        })
    }
}

/// A document with where it deploys, when the caller knows it (a manifest records it per artifact).
#[derive(Clone, Debug)]
pub struct Placed<'a> {
    pub document: Document<'a>,
    /// `None`: as [`Placement::of`] reads it, or for a CloudFormation template, as the Terraform module of
    /// the same (environment, stack) on the same side reads it.
    pub placement: Option<Placement>,
}

/// Compares every artifact of `before` with the artifact of the same (environment, stack, target) in
/// `after`, with placements read from the documents (see [`plan_placed`]).
pub fn plan(before: &[Document], after: &[Document]) -> Plan {
    plan_placed(&unplaced(before), &unplaced(after))
}

fn unplaced<'a>(docs: &[Document<'a>]) -> Vec<Placed<'a>> {
    docs.iter()
        .map(|d| Placed {
            document: *d,
            placement: None,
        })
        .collect()
}

/// Compares every artifact of `before` with the artifact of the same (environment, stack, target) in
/// `after`. Stacks come in `after`'s order, then those only in `before`, in its order. When both sides'
/// placements are known and differ (the environment's account or region changed), the stack is two: every
/// resource destroyed in the old placement, every resource created in the new one, both marked
/// [`StackPlan::relocated`].
pub fn plan_placed(before: &[Placed], after: &[Placed]) -> Plan {
    type Sides<'a> = (Vec<(usize, Placed<'a>)>, Vec<(usize, Placed<'a>)>);
    let mut groups: std::collections::BTreeMap<(&str, &str), Sides> = Default::default();
    for (index, p) in before.iter().enumerate() {
        let group = groups
            .entry((p.document.environment, p.document.stack))
            .or_default();
        group.0.push((index, p.clone()));
    }
    for (index, p) in after.iter().enumerate() {
        let group = groups
            .entry((p.document.environment, p.document.stack))
            .or_default();
        group.1.push((index, p.clone()));
    }
    let mut planner = Planner::default();
    for (before, after) in groups.values() {
        planner.add(before, after);
    }
    planner.finish()
}

/// A [`Plan`] built one (environment, stack) at a time, in any order and from any thread (plan parts
/// apart, then [`merge`](Planner::merge) them), so that a caller can read, compare and drop the documents
/// of each stack in turn: [`plan_placed`] of everything at once is `add` of each (environment, stack),
/// then `finish`. Keeps the stack plans and what the export check needs of each template
/// ([`embrace::Exchange`]), not the documents.
#[derive(Debug, Default)]
pub struct Planner {
    /// Stack plans by their place: `after`'s documents by index (the old placement of a relocated stack
    /// first), then documents only in `before`, by index.
    stacks: Vec<((u8, usize, u8), StackPlan)>,
    before: Vec<(usize, embrace::Exchange)>,
    after: Vec<(usize, embrace::Exchange)>,
    /// Traffic shifts found in the stacks (see [`steps::shifts`]), by their stack's place.
    shifts: Vec<((u8, usize, u8), steps::Shift)>,
    /// Resources the definition declares moved from another stack ([`Planner::moves`]).
    moves: Vec<steps::Move>,
    /// What each previous CloudFormation template ties its destroyed resources to, for the moves.
    ties: Vec<steps::Ties>,
}

impl Planner {
    /// Plans one (environment, stack): `before` and `after` are every document of it on each side (at
    /// most one per target), each with its index on its side, which orders the plan. A placement that is
    /// `None` is read from the document or, for a CloudFormation template, from the Terraform module of
    /// the same side.
    pub fn add(&mut self, before: &[(usize, Placed)], after: &[(usize, Placed)]) {
        let placements = |side: &[(usize, Placed)]| -> Vec<Option<Placement>> {
            let read: Vec<Option<Placement>> = side
                .iter()
                .map(|(_, p)| p.placement.clone().or_else(|| Placement::of(&p.document)))
                .collect();
            side.iter()
                .zip(&read)
                .map(|((_, p), found)| {
                    found.clone().or_else(|| {
                        let d = &p.document;
                        side.iter().zip(&read).find_map(|((_, other), placement)| {
                            let o = &other.document;
                            (o.environment == d.environment
                                && o.stack == d.stack
                                && o.target != d.target)
                                .then(|| placement.clone())
                                .flatten()
                        })
                    })
                })
                .collect()
        };
        fn key<'a>(d: &Document<'a>) -> (&'a str, &'a str, Target) {
            (d.environment, d.stack, d.target)
        }
        let (before_at, after_at) = (placements(before), placements(after));
        for ((index, a), a_at) in after.iter().zip(&after_at) {
            let b = before
                .iter()
                .zip(&before_at)
                .find(|((_, b), _)| key(&b.document) == key(&a.document));
            let at = |part: u8| (0, *index, part);
            match b {
                Some(((_, b), Some(b_at))) if a_at.as_ref().is_some_and(|a_at| a_at != b_at) => {
                    let mut old = compare::stack(Some(&b.document), None, Some(&a.document));
                    old.placement = Some(b_at.clone());
                    old.relocated = true;
                    self.stacks.push((at(0), old));
                    let mut new = compare::stack(None, Some(&a.document), None);
                    new.placement = a_at.clone();
                    new.relocated = true;
                    self.stacks.push((at(1), new));
                }
                _ => {
                    if let Some(((_, b), _)) = b {
                        let found = steps::shifts(&b.document, &a.document);
                        self.shifts.extend(found.into_iter().map(|f| (at(0), f)));
                    }
                    let mut s = compare::stack(
                        b.map(|((_, b), _)| &b.document),
                        Some(&a.document),
                        Some(&a.document),
                    );
                    if let Some(((_, b), _)) = b {
                        self.ties.extend(steps::Ties::of(&b.document, &s));
                    }
                    s.placement = a_at.clone();
                    self.stacks.push((at(0), s));
                }
            }
        }
        for ((index, b), b_at) in before.iter().zip(&before_at) {
            if !after
                .iter()
                .any(|(_, a)| key(&a.document) == key(&b.document))
            {
                // Nothing fresh to be the same as: a caller gives the whole document.
                let mut s = compare::stack(Some(&b.document), None, None);
                self.ties.extend(steps::Ties::of(&b.document, &s));
                s.placement = b_at.clone();
                self.stacks.push(((1, *index, 0), s));
            }
        }
        let exchanges = |side: &[(usize, Placed)]| -> Vec<(usize, embrace::Exchange)> {
            side.iter()
                .filter_map(|(i, p)| {
                    let fresh = after
                        .iter()
                        .find(|(_, a)| key(&a.document) == key(&p.document))
                        .map(|(_, a)| &a.document);
                    Some((*i, embrace::Exchange::beside(&p.document, fresh)?))
                })
                .collect()
        };
        self.before.extend(exchanges(before));
        self.after.extend(exchanges(after));
    }

    /// Adds `warning` to each planned change of a resource of (`environment`, `stack`, `target`) whose
    /// address `is_resource` accepts, unless it has it already: what the caller knows of the definition and
    /// the documents do not say (a behaviour the definition gives the other target only), shown by every
    /// renderer and counted in [`Summary::warnings`].
    pub fn warn(
        &mut self,
        environment: &str,
        stack: &str,
        target: Target,
        is_resource: &dyn Fn(&str) -> bool,
        warning: &str,
    ) {
        for (_, plan) in &mut self.stacks {
            if (plan.environment.as_str(), plan.stack.as_str(), plan.target)
                != (environment, stack, target)
            {
                continue;
            }
            for change in &mut plan.resources {
                if !is_resource(&change.address) || change.warnings.iter().any(|w| w == warning) {
                    continue;
                }
                if change.warnings.is_empty() {
                    plan.summary.warnings += 1;
                }
                change.warnings.push(warning.to_owned());
            }
        }
    }

    /// Adds the resources the definition declares moved from another stack of their environment
    /// (`moved_from`), which [`finish`](Planner::finish) pairs with the stacks' plans
    /// ([`steps::pair_moves`]) once every stack is added.
    pub fn moves(&mut self, moves: impl IntoIterator<Item = steps::Move>) {
        self.moves.extend(moves);
    }

    /// Adds what another planner planned (other stacks of the same two trees).
    pub fn merge(&mut self, other: Planner) {
        self.stacks.extend(other.stacks);
        self.before.extend(other.before);
        self.after.extend(other.after);
        self.shifts.extend(other.shifts);
        self.moves.extend(other.moves);
        self.ties.extend(other.ties);
    }

    /// The plan of every stack added, in order, with the summary and the export check.
    pub fn finish(mut self) -> Plan {
        self.stacks.sort_by_key(|(at, _)| *at);
        let mut stacks: Vec<StackPlan> = self.stacks.into_iter().map(|(_, s)| s).collect();
        let (moves, refused) = steps::pair_moves(&mut stacks, &self.moves, &self.ties);
        let mut summary = Summary::default();
        for s in &stacks {
            summary.add_all(&s.summary);
        }
        let in_order = |mut side: Vec<(usize, embrace::Exchange)>| -> Vec<embrace::Exchange> {
            side.sort_by_key(|(i, _)| *i);
            side.into_iter().map(|(_, e)| e).collect()
        };
        let embraces = embrace::find_in(&in_order(self.before), &in_order(self.after));
        self.shifts.sort_by_key(|(at, _)| *at);
        let shifts: Vec<steps::Shift> = self.shifts.into_iter().map(|(_, s)| s).collect();
        let mut steps = steps::Sequence::of(&stacks, &embraces, &shifts, &moves);
        steps.refused = refused;
        Plan {
            stacks,
            summary,
            embraces,
            steps,
        }
    }
}

#[cfg(test)]
mod tests;
