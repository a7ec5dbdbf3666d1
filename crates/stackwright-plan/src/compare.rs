//! The plan of one (environment, stack, target): resources matched by address (or declared rename),
//! compared property by property, then changes carried through references until nothing more changes.

use crate::diff::{self, Difference};
use crate::document::{Entry, View};
use crate::{
    refs, stateful, Action, Document, NamedChange, PropertyChange, Replacement, ResourceChange,
    StackPlan, StackStatus, Summary, Target,
};
use serde_json::Value as Json;
use stackwright_schema::{cloudformation, registry, terraform, PathMatch, PropertyPath};
use std::collections::{HashMap, HashSet};

pub(crate) fn stack(before: Option<&Document>, after: Option<&Document>) -> StackPlan {
    let doc = after.or(before).expect("one side exists");
    let before = before.map(View::of);
    let after = after.map(View::of);
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
            b.resources.iter().map(|e| destroyed(b, e, None)).collect(),
            b.outputs
                .iter()
                .map(|(name, _)| named(name, Action::Destroy))
                .collect(),
            Vec::new(),
        ),
        (Some(b), Some(a)) => {
            let (resources, outputs, settings) = Comparison::new(b, a).run();
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
        notes: Vec::new(),
        changes: Vec::new(),
    }
}

fn added(target: Target, entry: &Entry) -> ResourceChange {
    let mut change = resource_change(entry, Action::Add);
    // Every property is new; list them as such (settings too), so that a reviewer sees what is created.
    for (prefix, value, _) in entry.parts(target) {
        let mut out = Vec::new();
        let mut path: Vec<String> = prefix.map(str::to_owned).into_iter().collect();
        diff::differences(
            target,
            &mut path,
            None,
            Some(value),
            &|_, _| false,
            &mut out,
        );
        change
            .changes
            .extend(out.into_iter().map(|d| PropertyChange {
                path: d.path,
                before: None,
                after: d.after,
                replacement: Replacement::Never,
                reason: None,
                known_after_deploy: None,
            }));
    }
    change
}

/// A resource that leaves the definition; `renamed_to` names the added resource that may be it.
fn destroyed(view: &View, entry: &Entry, renamed_to: Option<&str>) -> ResourceChange {
    let mut change = resource_change(entry, Action::Destroy);
    if let Some(new) = renamed_to {
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
    guard_data(view.target, &mut change, Some(entry), None);
    change
}

/// Flags data loss when `change` deletes a stateful resource, unless a policy keeps the data. `before` is
/// the entry being deleted (its CloudFormation `DeletionPolicy` applies), `after` the replacing one (its
/// `UpdateReplacePolicy` and Terraform `lifecycle` apply).
fn guard_data(
    target: Target,
    change: &mut ResourceChange,
    before: Option<&Entry>,
    after: Option<&Entry>,
) {
    let deletes = match change.action {
        Action::Destroy | Action::Replace => true,
        Action::Update => change.may_replace,
        Action::NoChange | Action::Add => false,
    };
    let Some(what) = stateful::loses(target, &change.type_name).filter(|_| deletes) else {
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
        let value = e.body.get(key).and_then(Json::as_str)?;
        match value {
            "Retain" | "RetainExceptOnCreate" => Some(format!(
                "data kept: {key} {value} leaves the old resource in place, no longer managed by the stack"
            )),
            "Snapshot" => Some(format!("data kept: {key} Snapshot keeps a final snapshot")),
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
    let prevents = after
        .and_then(|e| e.body.pointer("/lifecycle/prevent_destroy"))
        .and_then(Json::as_bool)
        .unwrap_or(false);
    if target == Target::Terraform && prevents && change.action != Action::Destroy {
        change
            .notes
            .push("lifecycle.prevent_destroy: terraform will refuse to apply this change".into());
    }
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
            Target::Terraform => registry::by_awscc(type_name).map(|t| {
                Rules::Registry(
                    t.awscc_create_only_paths(),
                    t.awscc_conditional_create_only_paths(),
                    "create-only (in the registry schema) attribute",
                )
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

    /// What a new value at `path` (written the same, resolving differently at deploy time) does.
    fn verdict_for_new_value(&self, path: &[String]) -> (Replacement, Option<String>) {
        if let Rules::Unknown(_) = self {
            return self.verdict(
                &Difference {
                    path: path.to_vec(),
                    before: None,
                    after: None,
                },
                false,
            );
        }
        self.rules()
            .into_iter()
            .find(|(_, p, _)| p.matches(path) != PathMatch::Unrelated)
            .map_or((Replacement::Never, None), |(verdict, _, why)| {
                (verdict, Some(why))
            })
    }

    /// What a property difference does to the resource, and why.
    fn verdict(&self, d: &Difference, setting: bool) -> (Replacement, Option<String>) {
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
        for (verdict, pattern, why) in self.rules() {
            let hit = match pattern.matches(&d.path) {
                PathMatch::Covers => true,
                PathMatch::Above(rest) => {
                    let (mut b, mut a) = (Vec::new(), Vec::new());
                    diff::values_at(d.before.as_ref(), rest, &mut b);
                    diff::values_at(d.after.as_ref(), rest, &mut a);
                    b != a
                }
                PathMatch::Unrelated => false,
            };
            if hit {
                return (verdict, Some(why));
            }
        }
        (Replacement::Never, None)
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
        for (key, setting) in keys {
            let mut found = Vec::new();
            let mut path: Vec<String> = key.map(str::to_owned).into_iter().collect();
            diff::differences(
                self.target,
                &mut path,
                part(&b_parts, key),
                part(&a_parts, key),
                &|b, a| self.same_leaf(b, a),
                &mut found,
            );
            out.extend(found.into_iter().map(|d| (d, setting)));
        }
        out
    }

    fn run(&self) -> (Vec<ResourceChange>, Vec<NamedChange>, Vec<String>) {
        let target = self.target;
        let before_index: HashMap<&str, &Entry> = self
            .before
            .resources
            .iter()
            .map(|e| (e.address.as_str(), e))
            .collect();
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
            settings.push(format!("{input_word} {shown} ({})", verb(action)));
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
            let changes = self
                .differences(before, entry)
                .into_iter()
                .map(|(d, setting)| {
                    let (replacement, reason) = if d.path == ["Type"] && !setting {
                        (
                            Replacement::Always,
                            Some("the resource type changes".to_owned()),
                        )
                    } else {
                        rules.verdict(&d, setting)
                    };
                    PropertyChange {
                        path: d.path,
                        before: d.before,
                        after: d.after,
                        replacement,
                        reason,
                        known_after_deploy: None,
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
            });
        }
        for pair in &pairs {
            mark_replaced(&mut why, pair);
        }
        self.propagate(&mut pairs, &mut why);

        for entry in &self.after.data_sources {
            if why.contains_key(&entry.address) {
                settings.push(format!("{} (changed)", entry.address));
            }
        }
        for (section, action) in changed_named(&self.before.sections, &self.after.sections) {
            settings.push(format!("{section} ({})", verb(action)));
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
            guard_data(target, &mut change, Some(pair.before), Some(pair.after));
            resources.push(change);
        }
        let added_types: Vec<(&str, &str)> = added_entries
            .iter()
            .map(|e| (e.type_name, e.address.as_str()))
            .collect();
        for entry in &self.before.resources {
            if matched.contains(entry.address.as_str()) {
                continue;
            }
            let candidates: Vec<&str> = added_types
                .iter()
                .filter(|(t, _)| *t == entry.type_name)
                .map(|(_, a)| *a)
                .collect();
            let hint = (candidates.len() == 1).then(|| candidates[0]);
            resources.push(destroyed(self.before, entry, hint));
        }

        let mut outputs = Vec::new();
        for (name, action) in changed_named(&self.before.outputs, &self.after.outputs) {
            outputs.push(NamedChange { name, action });
        }
        // Outputs whose text is the same but whose value changes with a replaced resource or an input.
        for (name, value) in &self.after.outputs {
            if outputs.iter().any(|o| o.name == *name)
                || !self.before.outputs.iter().any(|(n, _)| n == name)
            {
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
        let pair_leaves: Vec<_> = pairs.iter().map(|p| leaves(p.after)).collect();
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
            for (pair, leaves) in pairs.iter_mut().zip(&pair_leaves) {
                let was = pair.verdict();
                for (path, names) in leaves {
                    let Some(reason) = names.iter().find_map(|n| why.get(n)) else {
                        continue;
                    };
                    let covered = pair.changes.iter().any(|c| path.starts_with(&c.path));
                    if covered {
                        continue;
                    }
                    let value = value_at(pair.after, target, path);
                    let (replacement, rule) = pair.rules.verdict_for_new_value(path);
                    let cause = reason.clone();
                    pair.changes.push(PropertyChange {
                        path: path.clone(),
                        before: value.clone(),
                        after: value,
                        replacement,
                        reason: rule,
                        known_after_deploy: Some(cause),
                    });
                }
                if pair.verdict() > was && mark_replaced(why, pair) {
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }
}

fn part<'j>(parts: &[(Option<&str>, &'j Json, bool)], key: Option<&str>) -> Option<&'j Json> {
    parts.iter().find(|(k, _, _)| *k == key).map(|(_, v, _)| *v)
}

/// Records that references to `pair`'s resource change when it is (maybe) replaced; true when new.
fn mark_replaced(why: &mut HashMap<String, String>, pair: &Pair) -> bool {
    let verdict = pair.verdict();
    if verdict == Replacement::Never || why.contains_key(&pair.after.address) {
        return false;
    }
    let how = if verdict == Replacement::Always {
        "is replaced"
    } else {
        "may be replaced"
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
fn changed_named<N: AsRef<str>>(
    before: &[(N, &Json)],
    after: &[(N, &Json)],
) -> Vec<(String, Action)> {
    fn find<'j, N: AsRef<str>>(list: &[(N, &'j Json)], name: &str) -> Option<&'j Json> {
        list.iter()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, v)| *v)
    }
    let mut out = Vec::new();
    for (name, value) in after {
        match find(before, name.as_ref()) {
            None => out.push((name.as_ref().to_owned(), Action::Add)),
            Some(old) if old != *value => out.push((name.as_ref().to_owned(), Action::Update)),
            Some(_) => {}
        }
    }
    for (name, _) in before {
        if find(after, name.as_ref()).is_none() {
            out.push((name.as_ref().to_owned(), Action::Destroy));
        }
    }
    out
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Add => "added",
        Action::Destroy => "removed",
        _ => "changed",
    }
}
