//! The plan of one (environment, stack, target): resources matched by address (or declared rename),
//! compared property by property, then changes carried through references until nothing more changes.

use crate::diff::{self, Difference};
use crate::document::{Entry, View};
use crate::{
    refs, sensitive, stateful, Action, Document, NamedChange, PropertyChange, Replacement,
    ResourceChange, StackPlan, StackStatus, Summary, Target,
};
use serde_json::Value as Json;
use stackwright_schema::{
    aws_provider, cloudformation, registry, terraform, PathMatch, PropertyPath,
};
use std::collections::{HashMap, HashSet};

/// The plan of one (environment, stack, target) from `before` to `after`. `fresh` is the fresh document
/// `before`'s unchanged entries are those of ([`Document::unchanged`]): `after` itself, or, when `before`
/// is planned alone (the old placement of a relocated stack), the document that would have been `after`.
pub(crate) fn stack<'a>(
    before: Option<&Document<'a>>,
    after: Option<&Document<'a>>,
    fresh: Option<&Document<'a>>,
) -> StackPlan {
    let doc = after.or(before).expect("one side exists");
    let unchanged = before.and_then(|b| b.unchanged).filter(|u| !u.is_empty());
    let mut before = before.map(View::of);
    let after = after.map(View::of);
    if let (Some(b), Some(unchanged)) = (&mut before, unchanged) {
        let fresh = fresh.expect("a previous document with unchanged entries has a fresh one");
        match &after {
            Some(a) => b.add_unchanged(unchanged, a),
            None => b.add_unchanged(unchanged, &View::of(fresh)),
        }
    }
    let (status, resources, outputs, settings) = match (&before, &after) {
        (None, Some(a)) => (
            StackStatus::Added,
            a.resources.iter().map(|e| added(a.target, e)).collect(),
            a.outputs
                .iter()
                .map(|(name, _)| named(name, Action::Add))
                .collect(),
            Vec::new(),
        ),
        (Some(b), None) => (
            StackStatus::Removed,
            b.resources
                .iter()
                .map(|e| destroyed(b, e, None, true))
                .collect(),
            b.outputs
                .iter()
                .map(|(name, _)| named(name, Action::Destroy))
                .collect(),
            Vec::new(),
        ),
        (Some(b), Some(a)) => {
            let (mut resources, outputs, settings) = Comparison::new(b, a).run();
            crate::in_use::warn(b, a, &mut resources);
            let changed = !resources.is_empty() || !outputs.is_empty() || !settings.is_empty();
            let status = if changed {
                StackStatus::Changed
            } else {
                StackStatus::Unchanged
            };
            (status, resources, outputs, settings)
        }
        (None, None) => unreachable!("one side exists"),
    };
    let mut resources = resources;
    let (before_index, after_index) = (
        before.as_ref().map(View::by_address),
        after.as_ref().map(View::by_address),
    );
    fn properties<'j>(
        target: Target,
        index: &Option<HashMap<&str, &Entry<'j>>>,
        address: &str,
    ) -> Option<&'j Json> {
        let body = index.as_ref()?.get(address)?.body;
        match target {
            Target::CloudFormation => body.get("Properties"),
            Target::Terraform => Some(body),
        }
    }
    for r in &mut resources {
        let old = r.moved_from.clone().unwrap_or_else(|| r.address.clone());
        let b = properties(doc.target, &before_index, &old);
        let a = properties(doc.target, &after_index, &r.address);
        sensitive::redact(doc.target, r, b, a);
    }
    let mut summary = Summary::default();
    resources.iter().for_each(|r| summary.count(r));
    StackPlan {
        environment: doc.environment.to_owned(),
        stack: doc.stack.to_owned(),
        target: doc.target,
        status,
        resources,
        outputs,
        settings,
        summary,
        placement: None,
        relocated: false,
        notes: Vec::new(),
        commands: Vec::new(),
    }
}

fn named(name: &str, action: Action) -> NamedChange {
    NamedChange {
        name: name.to_owned(),
        action,
    }
}

fn resource_change(entry: &Entry, action: Action) -> ResourceChange {
    ResourceChange {
        address: entry.address.clone(),
        type_name: entry.type_name.to_owned(),
        action,
        moved_from: None,
        may_replace: false,
        data_loss: None,
        refused: false,
        notes: Vec::new(),
        warnings: Vec::new(),
        changes: Vec::new(),
    }
}

fn added(target: Target, entry: &Entry) -> ResourceChange {
    let mut change = resource_change(entry, Action::Add);
    // Every property is new; list them as such (settings too), so that a reviewer sees what is created.
    for (prefix, value, _) in entry.parts(target) {
        let mut out = Vec::new();
        let mut path: Vec<String> = prefix.map(str::to_owned).into_iter().collect();
        let rules = diff::Rules {
            target,
            equal: &|_, _| false,
            unordered: &|_| false,
        };
        diff::differences(&rules, &mut path, None, Some(value), &mut out);
        change
            .changes
            .extend(out.into_iter().map(|d| PropertyChange {
                path: d.path,
                before: None,
                after: d.after,
                replacement: Replacement::Never,
                reason: None,
                known_after_deploy: None,
                sensitive: false,
            }));
    }
    change
}

/// A resource that leaves the definition; `renamed_to` names the added resource that may be it.
/// `whole_stack`: the whole (environment, stack) goes (removed, or moved to another account or region), so
/// it is torn down with its previous artifact (`terraform destroy`, CloudFormation `delete-stack`), whose
/// settings then apply.
fn destroyed(
    view: &View,
    entry: &Entry,
    renamed_to: Option<&str>,
    whole_stack: bool,
) -> ResourceChange {
    let mut change = resource_change(entry, Action::Destroy);
    if is_asset_upload(view.target, entry) {
        // Named by its content: another content is another object, never a rename.
        change.notes.push(
            "the upload of a code asset's previous content: deleted once what read it reads the new one \
             (the asset bucket keeps the deleted version for a while)"
                .to_owned(),
        );
    } else if let Some(new) = renamed_to {
        change.notes.push(match view.target {
            Target::Terraform => format!(
                "if `{new}` is this resource renamed, declare `.renamed_from(..)` with its old id on it: \
                 Terraform then moves the resource instead of destroying it"
            ),
            Target::CloudFormation => format!(
                "if `{new}` is this resource renamed: CloudFormation cannot rename a logical id and replaces \
                 the resource either way; keep the old id to keep the resource"
            ),
        });
    }
    if whole_stack {
        guard_data(view.target, &mut change, Some(entry), None, Some(entry));
    } else {
        guard_data(view.target, &mut change, Some(entry), None, None);
    }
    change
}

/// Whether a Terraform block is a code asset's upload from the tree (Stackwright's `aws_s3_object` whose
/// `source` is a zip under the tree's `assets/`), which is named by its content.
fn is_asset_upload(target: Target, entry: &Entry) -> bool {
    target == Target::Terraform
        && entry.type_name == "aws_s3_object"
        && entry
            .body
            .get("source")
            .and_then(Json::as_str)
            .is_some_and(|s| s.starts_with("${path.module}/../../../assets/"))
}

/// Whether a Terraform block carries `lifecycle.prevent_destroy = true`.
fn prevents_destroy(entry: &Entry) -> bool {
    entry
        .body
        .pointer("/lifecycle/prevent_destroy")
        .and_then(Json::as_bool)
        .unwrap_or(false)
}

/// Types whose CloudFormation `DeletionPolicy` defaults to `Snapshot` rather than `Delete` (the
/// `DeletionPolicy` attribute's documentation: DB clusters, and DB instances outside a cluster).
fn snapshots_by_default(entry: &Entry) -> bool {
    match entry.type_name {
        "AWS::RDS::DBCluster" => true,
        "AWS::RDS::DBInstance" => entry
            .body
            .pointer("/Properties/DBClusterIdentifier")
            .is_none(),
        _ => false,
    }
}

/// Flags data loss when `change` deletes a stateful resource, unless a policy keeps the data, and
/// predicts Terraform's refusal. `before` is the entry being deleted (its CloudFormation `DeletionPolicy`
/// applies), `after` the replacing one (its `UpdateReplacePolicy` applies). `config` is the Terraform
/// block whose `lifecycle` governs the change: the new one for a replacement, the previous one when the
/// whole stack is destroyed with its previous module, none when the block left a module that stays (its
/// `prevent_destroy` went with it, so Terraform destroys the resource: its documentation of the
/// `lifecycle` meta-argument).
fn guard_data(
    target: Target,
    change: &mut ResourceChange,
    before: Option<&Entry>,
    after: Option<&Entry>,
    config: Option<&Entry>,
) {
    let deletes = match change.action {
        Action::Destroy | Action::Replace => true,
        Action::Update => change.may_replace,
        Action::NoChange | Action::Add => false,
    };
    if target == Target::Terraform && deletes {
        let config = match change.action {
            Action::Destroy => config,
            _ => after,
        };
        if config.is_some_and(prevents_destroy) {
            let address = &change.address;
            if change.action == Action::Update {
                change.notes.push(format!(
                    "Terraform will refuse if it replaces: `{address}` has lifecycle.prevent_destroy"
                ));
            } else {
                let (how, fix) = if change.action == Action::Destroy {
                    (
                        "`terraform destroy` of this module destroys it",
                        format!(
                            "to keep the resource (what its removal policy asks), run `terraform state rm \
                             {address}` first; to delete it, synthesize it once more with \
                             `.removal_policy(RemovalPolicy::Destroy)` and apply that before destroying"
                        ),
                    )
                } else {
                    (
                        "this change replaces it",
                        "undo the change that replaces it, or set `.removal_policy(RemovalPolicy::Destroy)` \
                         on the resource (or its environment) and apply that first, which gives up its data"
                            .to_owned(),
                    )
                };
                change.refused = true;
                change.warnings.push(format!(
                    "Terraform will refuse: `{address}` has lifecycle.prevent_destroy and {how}, so the whole \
                     apply stops with an error before changing anything; {fix}"
                ));
                return;
            }
        } else if change.action == Action::Destroy && before.is_some_and(prevents_destroy) {
            change.notes.push(format!(
                "lifecycle.prevent_destroy leaves with the block, so Terraform destroys `{}`; to keep it, \
                 run `terraform state rm {}` before applying",
                change.address, change.address
            ));
        }
    }
    let Some(what) = stateful::loses(target, &change.type_name).filter(|_| deletes) else {
        // A kind with no data to lose may still be kept on purpose (a function's published version,
        // which an alias may still route to): say so rather than show a plain destroy.
        let retained = (target, change.action) == (Target::CloudFormation, Action::Destroy)
            && before.is_some_and(|e| {
                e.body.get("DeletionPolicy").and_then(Json::as_str) == Some("Retain")
            });
        if retained {
            change.notes.push(
                "retained: DeletionPolicy Retain leaves it in place, no longer managed by the stack".to_owned(),
            );
        }
        return;
    };
    let renamed = change.moved_from.is_some() && change.action == Action::Replace;
    let policy = match (target, change.action) {
        (Target::CloudFormation, Action::Destroy) => before.map(|e| ("DeletionPolicy", e)),
        (Target::CloudFormation, _) if renamed => before.map(|e| ("DeletionPolicy", e)),
        (Target::CloudFormation, _) => after.map(|e| ("UpdateReplacePolicy", e)),
        (Target::Terraform, _) => None,
    };
    let kept = policy.and_then(|(key, e)| {
        let value = match e.body.get(key).and_then(Json::as_str) {
            Some(value) => value,
            None if key == "DeletionPolicy" && snapshots_by_default(e) => "Snapshot (the default)",
            None => return None,
        };
        let old = if key == "DeletionPolicy" {
            "it"
        } else {
            "the old resource"
        };
        match value {
            "Retain" | "RetainExceptOnCreate" => Some(format!(
                "retained: {key} {value} leaves {old} in place, no longer managed by the stack (data kept)"
            )),
            v if v.starts_with("Snapshot") => Some(format!(
                "snapshot then delete: {key} {v} keeps a final snapshot of {old} (data kept)"
            )),
            _ => None,
        }
    });
    if let Some(note) = kept {
        change.notes.push(note);
        return;
    }
    change.data_loss = Some(if change.action == Action::Update {
        format!("{what}, if the resource is replaced")
    } else {
        what.to_owned()
    });
}

/// Which property changes replace resources of one type, from the vendored schema data.
enum Rules {
    CloudFormation(&'static cloudformation::ResourceType),
    Terraform(&'static terraform::ResourceType),
    /// A registry type outside the vendored schemas (generated builders): its create-only paths, as
    /// CloudFormation or awscc spells them.
    Registry(
        &'static [PropertyPath],
        &'static [PropertyPath],
        &'static str,
    ),
    Unknown(String),
}

impl Rules {
    fn of(target: Target, type_name: &str) -> Rules {
        let found = match target {
            Target::CloudFormation => {
                cloudformation::resource_type(type_name).map(Rules::CloudFormation)
            }
            Target::Terraform => terraform::resource_type(type_name).map(Rules::Terraform),
        };
        let registry = || match target {
            Target::CloudFormation => registry::by_cloudformation(type_name).map(|t| {
                Rules::Registry(
                    t.create_only_properties(),
                    t.conditional_create_only_properties(),
                    "create-only property",
                )
            }),
            Target::Terraform => registry::by_awscc(type_name)
                .map(|t| {
                    Rules::Registry(
                        t.awscc_create_only_paths(),
                        t.awscc_conditional_create_only_paths(),
                        "create-only (in the registry schema) attribute",
                    )
                })
                // A hashicorp/aws type outside the vendored schemas (generated builders).
                .or_else(|| {
                    aws_provider::force_new_paths(type_name)
                        .map(|paths| Rules::Registry(paths, &[], "force-new attribute"))
                }),
        };
        found
            .or_else(registry)
            .unwrap_or_else(|| Rules::Unknown(type_name.to_owned()))
    }

    /// Every path whose change replaces (then those whose change may replace), with why.
    fn rules(&self) -> Vec<(Replacement, &PropertyPath, String)> {
        let mut rules = Vec::new();
        match self {
            Rules::CloudFormation(t) => {
                for p in t.create_only_properties() {
                    rules.push((
                        Replacement::Always,
                        p,
                        format!("create-only property `{p}`"),
                    ));
                }
                for p in t.conditional_create_only_properties() {
                    let why = format!("conditionally create-only property `{p}`");
                    rules.push((Replacement::Conditional, p, why));
                }
            }
            Rules::Terraform(t) => {
                for p in t.force_new_paths() {
                    rules.push((Replacement::Always, p, format!("force-new attribute `{p}`")));
                }
                for (p, why) in t.conditional_replacements() {
                    rules.push((Replacement::Conditional, p, format!("`{p}` {why}")));
                }
            }
            Rules::Registry(create_only, conditional, what) => {
                for p in *create_only {
                    rules.push((Replacement::Always, p, format!("{what} `{p}`")));
                }
                for p in *conditional {
                    let why = format!("conditionally {what} `{p}`");
                    rules.push((Replacement::Conditional, p, why));
                }
            }
            Rules::Unknown(_) => {}
        }
        rules
    }

    /// Whether the list at `path` is a set, from the schema: a CloudFormation property with
    /// `insertionOrder: false` (the registry's default is `true`), a Terraform attribute of a `set` type or
    /// a block nested as a set.
    fn is_set(&self, path: &[String]) -> bool {
        match self {
            Rules::CloudFormation(t) => {
                t.property(path)
                    .and_then(|p| p.get("insertionOrder"))
                    .and_then(Json::as_bool)
                    == Some(false)
            }
            Rules::Terraform(t) => {
                let attribute = t.attribute(path).and_then(|a| a.get("type"));
                let set_type =
                    attribute.and_then(|ty| ty.get(0)).and_then(Json::as_str) == Some("set");
                let set_block = t
                    .block_type(path)
                    .and_then(|b| b.get("nesting_mode"))
                    .and_then(Json::as_str)
                    == Some("set");
                set_type || set_block
            }
            // Types without schema data (and registry-only types): no set information.
            _ => false,
        }
    }

    /// What a new value at `path` (written the same, resolving differently at deploy time) does to the
    /// resource whose body is `body`.
    fn verdict_for_new_value(&self, path: &[String], body: &Json) -> (Replacement, Option<String>) {
        if let Rules::Unknown(_) = self {
            return self.verdict(
                &Difference {
                    path: path.to_vec(),
                    before: None,
                    after: None,
                },
                false,
                body,
            );
        }
        let mut decided = None;
        for (verdict, pattern, why) in self.rules() {
            if pattern.matches(path) == PathMatch::Unrelated {
                continue;
            }
            match self.decide(verdict, pattern, why, body) {
                (Replacement::Never, why) => decided = decided.or(Some(why)),
                found => return (found.0, Some(found.1)),
            }
        }
        (Replacement::Never, decided)
    }

    /// A conditional rule's verdict, decided where the artifact decides its condition (overlay `when`:
    /// `aws_instance.user_data` replaces only with `user_data_replace_on_change = true`; an auto scaling
    /// group's `LaunchTemplate` only with `UpdatePolicy/AutoScalingReplacingUpdate/WillReplace` true). A
    /// condition written as an expression (a Terraform template, a CloudFormation intrinsic) stays
    /// undecided.
    fn decide(
        &self,
        verdict: Replacement,
        pattern: &PropertyPath,
        why: String,
        body: &Json,
    ) -> (Replacement, String) {
        let condition = match self {
            Rules::Terraform(t) => t.condition(pattern),
            Rules::CloudFormation(t) => t.condition(pattern),
            _ => None,
        };
        let Some(c) = condition.filter(|_| verdict == Replacement::Conditional) else {
            return (verdict, why);
        };
        let set = c.value_in(body);
        let value = match set.unwrap_or(&c.default) {
            Json::String(s) if s == "true" || s == "false" => Json::Bool(s == "true"),
            Json::String(s) if s.contains("${") => return (verdict, why),
            Json::Object(_) => return (verdict, why),
            other => other.clone(),
        };
        let shown = match set {
            Some(_) => format!("`{}` is {value}", c.attribute),
            None => format!("`{}` is not set ({value})", c.attribute),
        };
        if value == c.equals {
            (
                Replacement::Always,
                format!("`{pattern}` replaces: {shown}"),
            )
        } else {
            (
                Replacement::Never,
                format!("`{pattern}` updates in place: {shown}"),
            )
        }
    }

    /// What a property difference does to the resource whose body is `body`, and why.
    fn verdict(&self, d: &Difference, setting: bool, body: &Json) -> (Replacement, Option<String>) {
        if setting {
            return (Replacement::Never, None);
        }
        if let Rules::Unknown(type_name) = self {
            return (
                Replacement::Conditional,
                Some(format!(
                    "no schema data for `{type_name}`: whether this replaces the resource is unknown"
                )),
            );
        }
        let mut decided = None;
        for (verdict, pattern, why) in self.rules() {
            let hit = match pattern.matches(&d.path) {
                PathMatch::Covers => true,
                PathMatch::Above(rest) => {
                    let (mut b, mut a) = (Vec::new(), Vec::new());
                    diff::values_at(d.before.as_ref(), rest, &mut b);
                    diff::values_at(d.after.as_ref(), rest, &mut a);
                    if self.is_set(&d.path) {
                        // A set's members come in any order: compare what is below them as sets too.
                        let key = |v: &&Json| v.to_string();
                        b.sort_by_cached_key(key);
                        a.sort_by_cached_key(key);
                    }
                    b != a
                }
                PathMatch::Unrelated => false,
            };
            if hit {
                match self.decide(verdict, pattern, why, body) {
                    (Replacement::Never, why) => decided = decided.or(Some(why)),
                    (verdict, why) => return (verdict, Some(why)),
                }
            }
        }
        (Replacement::Never, decided)
    }
}

/// A resource present on both sides (possibly under a new address).
struct Pair<'v, 'a> {
    before: &'v Entry<'a>,
    after: &'v Entry<'a>,
    rules: Rules,
    moved_from: Option<String>,
    /// A CloudFormation rename: the new logical id is a new resource.
    renamed: bool,
    changes: Vec<PropertyChange>,
    /// Whether a property (not a setting, not only tags) changes: the resource is updated, which changes
    /// its `changes_on_update` attributes.
    updated: bool,
}

impl Pair<'_, '_> {
    fn verdict(&self) -> Replacement {
        let worst = self.changes.iter().map(|c| c.replacement).max();
        if self.renamed {
            Replacement::Always
        } else {
            worst.unwrap_or(Replacement::Never)
        }
    }
}

struct Comparison<'v, 'a> {
    target: Target,
    before: &'v View<'a>,
    after: &'v View<'a>,
    /// Renames whose old address exists before and whose new address did not: (old, new).
    moves: Vec<(String, String)>,
}

impl<'v, 'a> Comparison<'v, 'a> {
    fn new(before: &'v View<'a>, after: &'v View<'a>) -> Self {
        let old: HashSet<&str> = before
            .resources
            .iter()
            .map(|e| e.address.as_str())
            .collect();
        let moves = after
            .moves
            .iter()
            .filter(|(from, to)| old.contains(from.as_str()) && !old.contains(to.as_str()))
            .cloned()
            .collect();
        Comparison {
            target: after.target,
            before,
            after,
            moves,
        }
    }

    /// Whether two differing leaves are the same once references that only follow a Terraform `moved`
    /// block are rewritten. (CloudFormation renames are real: the new logical id is a new resource.)
    fn same_leaf(&self, before: &Json, after: &Json) -> bool {
        match (self.target, before, after) {
            (Target::Terraform, Json::String(b), Json::String(a)) if !self.moves.is_empty() => {
                refs::follow_moves(b, &self.moves) == *a
            }
            _ => false,
        }
    }

    fn differences(&self, before: &Entry, after: &Entry) -> Vec<(Difference, bool)> {
        let mut out = Vec::new();
        // An entry the previous document left out as unchanged is the fresh one itself.
        if std::ptr::eq(before.body, after.body) {
            return out;
        }
        if before.type_name != after.type_name {
            out.push((
                Difference {
                    path: vec!["Type".into()],
                    before: Some(before.type_name.into()),
                    after: Some(after.type_name.into()),
                },
                false,
            ));
        }
        let b_parts = before.parts(self.target);
        let a_parts = after.parts(self.target);
        let keys = a_parts.iter().map(|(k, _, s)| (*k, *s)).chain(
            b_parts
                .iter()
                .filter(|(k, _, _)| !a_parts.iter().any(|(ak, _, _)| ak == k))
                .map(|(k, _, s)| (*k, *s)),
        );
        let keys: Vec<(Option<&str>, bool)> = keys.collect();
        // Sets only where both sides are of one type: a type change replaces anyway.
        let sets =
            (before.type_name == after.type_name).then(|| Rules::of(self.target, after.type_name));
        for (key, setting) in keys {
            let mut found = Vec::new();
            let mut path: Vec<String> = key.map(str::to_owned).into_iter().collect();
            let rules = diff::Rules {
                target: self.target,
                equal: &|b, a| self.same_leaf(b, a),
                unordered: &|path| !setting && sets.as_ref().is_some_and(|r| r.is_set(path)),
            };
            diff::differences(
                &rules,
                &mut path,
                part(&b_parts, key),
                part(&a_parts, key),
                &mut found,
            );
            out.extend(found.into_iter().map(|d| (d, setting)));
        }
        out
    }

    fn run(&self) -> (Vec<ResourceChange>, Vec<NamedChange>, Vec<String>) {
        let target = self.target;
        let before_index = self.before.by_address();
        let moved_to: HashMap<&str, &str> = self
            .moves
            .iter()
            .map(|(from, to)| (to.as_str(), from.as_str()))
            .collect();

        // Inputs and data sources that change: what references them changes at deploy time.
        let mut settings = Vec::new();
        let mut why: HashMap<String, String> = HashMap::new();
        let input_word = match target {
            Target::CloudFormation => "parameter",
            Target::Terraform => "variable",
        };
        for (name, action) in changed_named(&self.before.inputs, &self.after.inputs) {
            let shown = name.strip_prefix("var.").unwrap_or(&name).to_owned();
            let secret = [&self.before.inputs, &self.after.inputs]
                .into_iter()
                .flat_map(|inputs| inputs.iter())
                .any(|(n, d)| *n == name && sensitive::input_is_secret(target, n, d));
            let hidden = if secret { ", sensitive" } else { "" };
            let what = if secret || action != Action::Update {
                String::new()
            } else {
                named_value_change(target, &self.before.inputs, &self.after.inputs, &name)
            };
            settings.push(format!(
                "{input_word} {shown} ({}{hidden}{what})",
                verb(action)
            ));
            why.insert(name, format!("{input_word} `{shown}` changes"));
        }
        let data_before: HashMap<&str, &Entry> = self
            .before
            .data_sources
            .iter()
            .map(|e| (e.address.as_str(), e))
            .collect();
        for entry in &self.after.data_sources {
            let differs = match data_before.get(entry.address.as_str()) {
                Some(old) => !self.differences(old, entry).is_empty(),
                None => true,
            };
            if differs {
                why.insert(
                    entry.address.clone(),
                    format!("`{}` reads something else", entry.address),
                );
            }
        }

        let mut pairs: Vec<Pair> = Vec::new();
        let mut added_entries: Vec<&Entry> = Vec::new();
        let mut order: Vec<(bool, usize)> = Vec::new(); // (is pair, index)
        let mut matched: HashSet<&str> = HashSet::new();
        for entry in &self.after.resources {
            let old = moved_to.get(entry.address.as_str()).copied().or_else(|| {
                before_index
                    .contains_key(entry.address.as_str())
                    .then_some(entry.address.as_str())
            });
            let Some(old) = old else {
                order.push((false, added_entries.len()));
                added_entries.push(entry);
                continue;
            };
            let before = before_index[old];
            matched.insert(old);
            let moved_from = (old != entry.address).then(|| old.to_owned());
            let rules = Rules::of(target, entry.type_name);
            let differences = self.differences(before, entry);
            let updated = differences
                .iter()
                .any(|(d, setting)| !setting && !is_tags(&d.path));
            let changes = differences
                .into_iter()
                .map(|(d, setting)| {
                    let (replacement, reason) = if d.path == ["Type"] && !setting {
                        (
                            Replacement::Always,
                            Some("the resource type changes".to_owned()),
                        )
                    } else {
                        rules.verdict(&d, setting, entry.body)
                    };
                    PropertyChange {
                        path: d.path,
                        before: d.before,
                        after: d.after,
                        replacement,
                        reason,
                        known_after_deploy: None,
                        sensitive: false,
                    }
                })
                .collect();
            order.push((true, pairs.len()));
            pairs.push(Pair {
                before,
                after: entry,
                rules,
                renamed: moved_from.is_some() && target == Target::CloudFormation,
                moved_from,
                changes,
                updated,
            });
        }
        for pair in &pairs {
            mark_replaced(&mut why, pair);
            mark_updated(&mut why, pair);
        }
        self.propagate(&mut pairs, &mut why);

        for entry in &self.after.data_sources {
            if why.contains_key(&entry.address) {
                settings.push(format!("{} (changed)", entry.address));
            }
        }
        for (section, action) in changed_named(&self.before.sections, &self.after.sections) {
            let what = if action == Action::Update {
                named_value_change(
                    target,
                    &self.before.sections,
                    &self.after.sections,
                    &section,
                )
            } else {
                String::new()
            };
            settings.push(format!("{section} ({}{what})", verb(action)));
        }

        let mut resources = Vec::new();
        for (is_pair, index) in order {
            if !is_pair {
                resources.push(added(target, added_entries[index]));
                continue;
            }
            let pair = &pairs[index];
            let verdict = pair.verdict();
            let action = if verdict == Replacement::Always {
                Action::Replace
            } else if pair.changes.is_empty() {
                Action::NoChange
            } else {
                Action::Update
            };
            if action == Action::NoChange && pair.moved_from.is_none() {
                continue;
            }
            let mut change = resource_change(pair.after, action);
            change.moved_from = pair.moved_from.clone();
            change.may_replace = action == Action::Update && verdict == Replacement::Conditional;
            change.changes = pair.changes.clone();
            if pair.renamed {
                change.notes.push(format!(
                    "renamed from `{}`: CloudFormation cannot rename a logical id, so it creates `{}` and \
                     deletes `{}`; keep the old id to keep the resource",
                    pair.before.address, pair.after.address, pair.before.address
                ));
            }
            guard_data(
                target,
                &mut change,
                Some(pair.before),
                Some(pair.after),
                Some(pair.after),
            );
            custom_name(&mut change, pair);
            instance_roll(target, &mut change, pair);
            resources.push(change);
        }
        // Added resources by type: (how many, the first address).
        let mut added_types: HashMap<&str, (usize, &str)> = HashMap::new();
        for e in &added_entries {
            added_types
                .entry(e.type_name)
                .or_insert((0, e.address.as_str()))
                .0 += 1;
        }
        for entry in &self.before.resources {
            if matched.contains(entry.address.as_str()) {
                continue;
            }
            let hint = match added_types.get(entry.type_name) {
                Some(&(1, address)) => Some(address),
                _ => None,
            };
            resources.push(destroyed(self.before, entry, hint, false));
        }

        let mut outputs = Vec::new();
        for (name, action) in changed_named(&self.before.outputs, &self.after.outputs) {
            outputs.push(NamedChange { name, action });
        }
        // Outputs whose text is the same but whose value changes with a replaced resource or an input.
        let listed: HashSet<String> = outputs.iter().map(|o| o.name.clone()).collect();
        let before_names: HashSet<&str> = self.before.outputs.iter().map(|(n, _)| *n).collect();
        for (name, value) in &self.after.outputs {
            if listed.contains(*name) || !before_names.contains(name) {
                continue;
            }
            let mut hit = false;
            refs::for_each(target, value, &mut |n| hit |= why.contains_key(n));
            if hit {
                outputs.push(named(name, Action::Update));
            }
        }
        (resources, outputs, settings)
    }

    /// Carries changes through references: a property that references a replaced (or maybe replaced)
    /// resource, a changed input or a data source that reads something else gets a new value at deploy time,
    /// which may replace its resource, whose referrers then change too, and so on.
    fn propagate(&self, pairs: &mut [Pair], why: &mut HashMap<String, String>) {
        if why.is_empty() {
            return;
        }
        let target = self.target;
        let leaves = |entry: &Entry| {
            let mut out = Vec::new();
            for (prefix, value, setting) in entry.parts(target) {
                if !setting {
                    let mut path: Vec<String> = prefix.map(str::to_owned).into_iter().collect();
                    diff::referencing_leaves(target, &mut path, value, &mut out);
                }
            }
            out
        };
        // A pair's leaves are found once it references something that changes: most never do.
        let mut pair_leaves: Vec<Option<Vec<_>>> = vec![None; pairs.len()];
        let mut attribute = String::new();
        let data_leaves: Vec<_> = self.after.data_sources.iter().map(leaves).collect();
        loop {
            let mut grew = false;
            for (entry, leaves) in self.after.data_sources.iter().zip(&data_leaves) {
                if why.contains_key(&entry.address) {
                    continue;
                }
                if let Some(reason) = leaves
                    .iter()
                    .flat_map(|(_, names)| names)
                    .find_map(|n| why.get(n))
                {
                    let reason = format!("`{}` reads a changed value: {reason}", entry.address);
                    why.insert(entry.address.clone(), reason);
                    grew = true;
                }
            }
            for (pair, found) in pairs.iter_mut().zip(&mut pair_leaves) {
                if found.is_none() {
                    let mut wanted = |n: &str, a: Option<&str>| match a {
                        None => why.contains_key(n),
                        Some(a) => {
                            attribute.clear();
                            attribute.extend([n, "#", a]);
                            why.contains_key(attribute.as_str())
                        }
                    };
                    let hit = pair
                        .after
                        .parts(target)
                        .into_iter()
                        .any(|(_, value, setting)| {
                            !setting && diff::references(target, value, &mut wanted)
                        });
                    if !hit {
                        // Nothing it references changes (yet): no leaf would match below.
                        continue;
                    }
                    *found = Some(leaves(pair.after));
                }
                let leaves = found.as_ref().expect("found above");
                let was = pair.verdict();
                let had = pair.changes.len();
                for (path, names) in leaves {
                    let Some(reason) = names.iter().find_map(|n| why.get(n)) else {
                        continue;
                    };
                    let covered = pair.changes.iter().any(|c| path.starts_with(&c.path));
                    if covered {
                        continue;
                    }
                    let value = value_at(pair.after, target, path);
                    let (mut replacement, rule) =
                        pair.rules.verdict_for_new_value(path, pair.after.body);
                    // A value that changes only if its source is replaced, and the source only may be,
                    // may replace its resource; it does not surely replace it.
                    if replacement == Replacement::Always && reason.contains(MAYBE_REPLACED) {
                        replacement = Replacement::Conditional;
                    }
                    let cause = reason.clone();
                    pair.changes.push(PropertyChange {
                        path: path.clone(),
                        before: value.clone(),
                        after: value,
                        replacement,
                        reason: rule,
                        known_after_deploy: Some(cause),
                        sensitive: false,
                    });
                }
                if pair.verdict() > was && mark_replaced(why, pair) {
                    grew = true;
                }
                pair.updated |= pair.changes.len() > had;
                if mark_updated(why, pair) {
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }
}

/// Tags only: changing them does not update what a resource does (nor a launch template's version).
fn is_tags(path: &[String]) -> bool {
    path.first()
        .is_some_and(|p| matches!(p.as_str(), "Tags" | "tags" | "tags_all"))
}

/// Records that references to `pair`'s attributes that change on update (`Lt#LatestVersionNumber`) change
/// when it is updated; true when new.
fn mark_updated(why: &mut HashMap<String, String>, pair: &Pair) -> bool {
    if !pair.updated {
        return false;
    }
    let attributes = match pair.rules {
        Rules::CloudFormation(t) => t.changes_on_update(),
        Rules::Terraform(t) => t.changes_on_update(),
        _ => &[],
    };
    let mut grew = false;
    for attribute in attributes {
        let key = format!("{}#{attribute}", pair.after.address);
        if let std::collections::hash_map::Entry::Vacant(slot) = why.entry(key) {
            slot.insert(format!(
                "`{}` is updated: its `{attribute}` changes",
                pair.after.address
            ));
            grew = true;
        }
    }
    grew
}

/// Warns when CloudFormation would have to replace a resource that keeps its custom physical name: the
/// new resource cannot take the name the old one still holds, so the update fails and rolls back.
fn custom_name(change: &mut ResourceChange, pair: &Pair) {
    let Rules::CloudFormation(t) = pair.rules else {
        return;
    };
    let Some(name) = t.custom_name() else { return };
    let replaces = change.action == Action::Replace || pair.renamed;
    if !(replaces || change.may_replace) {
        return;
    }
    let value = |e: &Entry| e.body.get("Properties").and_then(|p| p.get(name)).cloned();
    let Some(after) = value(pair.after) else {
        return;
    };
    if value(pair.before).as_ref() != Some(&after) {
        return;
    }
    let fix = format!(
        "change `{name}` in the same deploy, or remove it so that CloudFormation names the resource"
    );
    change.warnings.push(if replaces {
        format!(
            "CloudFormation cannot replace `{}`: its custom name (`{name}`) stays the same and the new resource \
             cannot take it while the old one holds it, so the deploy fails and rolls back; {fix}",
            pair.after.address
        )
    } else {
        format!(
            "if this change replaces `{}`, CloudFormation could not replace it: its custom name (`{name}`) stays the \
             same, so the deploy would fail and roll back; {fix}",
            pair.after.address
        )
    });
}

/// Says what an auto scaling group's change does to its running instances: a rolling (or replacing)
/// update policy, or Terraform's `instance_refresh`, replaces them all ("fleet rolls"); without one only
/// instances launched afterwards use the new launch template version. An ECS service's new task
/// definition revision replaces every task ("tasks roll", the overlay's words).
fn instance_roll(target: Target, change: &mut ResourceChange, pair: &Pair) {
    let roll = match pair.rules {
        Rules::CloudFormation(t) => t.instance_roll(),
        Rules::Terraform(t) => t.instance_roll(),
        _ => None,
    };
    let Some(roll) = roll.filter(|_| change.action == Action::Update) else {
        return;
    };
    let touches = change.changes.iter().any(|c| {
        roll.paths
            .iter()
            .any(|p| p.matches(&c.path) != PathMatch::Unrelated)
    });
    if !touches {
        return;
    }
    let by = |segments: &Vec<String>| {
        segments
            .iter()
            .try_fold(pair.after.body, |node, s| node.get(s))
            .is_some()
    };
    let separator = match target {
        Target::CloudFormation => "/",
        Target::Terraform => ".",
    };
    let names: Vec<String> = roll
        .by
        .iter()
        .map(|b| format!("`{}`", b.join(separator)))
        .collect();
    change.notes.push(match roll.by.iter().find(|b| by(b)) {
        Some(_) if roll.says.is_some() => roll.says.clone().unwrap_or_default(),
        Some(b) => format!(
            "fleet rolls: `{}` replaces every running instance with one launched from the new configuration",
            b.join(separator)
        ),
        None => format!(
            "running instances keep their old launch configuration; only instances launched from now on use \
             the new one (no {} to roll the fleet)",
            names.join(" or ")
        ),
    });
}

fn part<'j>(parts: &[(Option<&str>, &'j Json, bool)], key: Option<&str>) -> Option<&'j Json> {
    parts.iter().find(|(k, _, _)| *k == key).map(|(_, v, _)| *v)
}

/// How a cause says that its resource only may be replaced; every reason derived from it carries the
/// words on, so that what follows from it stays "may replace".
const MAYBE_REPLACED: &str = "may be replaced";

/// Records that references to `pair`'s resource change when it is (maybe) replaced; true when new.
fn mark_replaced(why: &mut HashMap<String, String>, pair: &Pair) -> bool {
    let verdict = pair.verdict();
    if verdict == Replacement::Never || why.contains_key(&pair.after.address) {
        return false;
    }
    let how = if verdict == Replacement::Always {
        "is replaced"
    } else {
        MAYBE_REPLACED
    };
    why.insert(
        pair.after.address.clone(),
        format!("`{}` {how}", pair.after.address),
    );
    true
}

/// The value at a path of an entry's parts (a path starts with a setting key, or is under the properties).
fn value_at(entry: &Entry, target: Target, path: &[String]) -> Option<Json> {
    let parts = entry.parts(target);
    let (root, rest) = match parts
        .iter()
        .find(|(k, _, _)| k.is_some_and(|k| path.first().is_some_and(|p| p == k)))
    {
        Some((_, v, _)) => (*v, &path[1..]),
        None => (parts.iter().find(|(k, _, _)| k.is_none())?.1, path),
    };
    let mut node = root;
    for segment in rest {
        node = match node {
            Json::Object(map) => map.get(segment)?,
            Json::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node.clone())
}

/// Names added, changed or removed between two named lists, in `after`'s order then `before`'s.
fn changed_named<'j, N: AsRef<str>>(
    before: &[(N, &'j Json)],
    after: &[(N, &'j Json)],
) -> Vec<(String, Action)> {
    // The first entry of each name, as a lookup: one pass over each list, not one per entry.
    fn index<'l, 'j, N: AsRef<str>>(list: &'l [(N, &'j Json)]) -> HashMap<&'l str, &'j Json> {
        let mut index = HashMap::with_capacity(list.len());
        for (name, value) in list {
            index.entry(name.as_ref()).or_insert(*value);
        }
        index
    }
    let (before_index, after_index) = (index(before), index(after));
    let find = |index: &HashMap<&str, &'j Json>, name: &str| index.get(name).copied();
    let mut out = Vec::new();
    for (name, value) in after {
        match find(&before_index, name.as_ref()) {
            None => out.push((name.as_ref().to_owned(), Action::Add)),
            // The same value (an entry a previous document left out as unchanged) is no change.
            Some(old) if !std::ptr::eq(old, *value) && old != *value => {
                out.push((name.as_ref().to_owned(), Action::Update))
            }
            Some(_) => {}
        }
    }
    for (name, _) in before {
        if find(&after_index, name.as_ref()).is_none() {
            out.push((name.as_ref().to_owned(), Action::Destroy));
        }
    }
    out
}

/// What changed in the entry `name` of two named lists (a parameter's definition, a section such as
/// `terraform`), as `: path before -> after` for at most three leaves (`, ...` when there are more), each
/// side cut to 80 characters; empty when it cannot be said shortly. Never called for secrets.
fn named_value_change<'j, N: AsRef<str>>(
    target: Target,
    before: &[(N, &'j Json)],
    after: &[(N, &'j Json)],
    name: &str,
) -> String {
    fn find<'j, N: AsRef<str>>(list: &[(N, &'j Json)], name: &str) -> Option<&'j Json> {
        list.iter()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, v)| *v)
    }
    let (Some(b), Some(a)) = (find(before, name), find(after, name)) else {
        return String::new();
    };
    let rules = diff::Rules {
        target,
        equal: &|_, _| false,
        unordered: &|_| false,
    };
    let mut found = Vec::new();
    diff::differences(&rules, &mut Vec::new(), Some(b), Some(a), &mut found);
    let shown = |v: &Option<Json>| match v {
        None => "(none)".to_owned(),
        Some(v) => {
            let text = v.to_string();
            match text.char_indices().nth(80) {
                Some((cut, _)) => format!("{}...", &text[..cut]),
                None => text,
            }
        }
    };
    let mut parts: Vec<String> = found
        .iter()
        .take(3)
        .map(|d| {
            let path = if d.path.is_empty() {
                String::new()
            } else {
                format!("{} ", d.path.join("/"))
            };
            format!("{path}{} -> {}", shown(&d.before), shown(&d.after))
        })
        .collect();
    if found.len() > 3 {
        parts.push("...".to_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Add => "added",
        Action::Destroy => "removed",
        _ => "changed",
    }
}
