//! The "deadly embrace" of CloudFormation exports: a producer's update that removes or changes an export
//! fails while a deployed stack still imports it ("Export ... cannot be deleted as it is in use by ..."),
//! even when the consumer's new template no longer imports it, because the producer deploys first.
//!
//! Terraform has no such lock: a consumer reads the producer's outputs when it plans, so only
//! CloudFormation templates are read here.

use crate::{Document, Target};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// An export the new tree removes or changes while a stack of the previous tree imports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embrace {
    pub environment: String,
    /// The stack that exports the value.
    pub producer: String,
    pub export: String,
    /// `true` when the export is gone, `false` when its value changes.
    pub removed: bool,
    /// The deployed (previous) stacks that import it.
    pub consumers: Vec<String>,
    /// Of those, the ones whose new template still imports it.
    pub still_imported_by: Vec<String>,
    /// The producer's stack itself goes (its environment or stack left the definition): deleting it fails
    /// while a consumer that stays is deployed with the import.
    pub producer_removed: bool,
}

impl Embrace {
    /// What fails and the two-step fix, in one paragraph.
    pub fn message(&self) -> String {
        let consumers = quoted(&self.consumers);
        let what = if self.removed { "removes" } else { "changes" };
        let mut text =
            format!(
            "{}/{} (cloudformation) {what} export `{}`, which deployed stack{} {consumers} still \
             import{}: CloudFormation will refuse to {} `{}` while the export is in use",
            self.environment,
            self.producer,
            self.export,
            plural(&self.consumers),
            if self.consumers.len() == 1 { "s" } else { "" },
            if self.producer_removed { "delete" } else { "update" },
            self.producer,
        );
        if self.producer_removed {
            text.push_str(&format!(
                ". Deploy {consumers} first, so that {} no longer import{} it; then delete `{}`",
                if self.consumers.len() == 1 {
                    "it"
                } else {
                    "they"
                },
                if self.consumers.len() == 1 { "s" } else { "" },
                self.producer,
            ));
        } else if self.removed && self.still_imported_by.is_empty() {
            text.push_str(&format!(
                ". Deploy in two steps: first keep the export one more deploy \
                 (`stack.keep_export(...)` in `{}`) and deploy everything, so that {consumers} stop{} \
                 importing it; then remove `keep_export` and deploy again",
                self.producer,
                if self.consumers.len() == 1 { "s" } else { "" },
            ));
        } else {
            text.push_str(&format!(
                ". Deploy in two steps: first make {} use another value (a new resource, so a new \
                 export) while the old export stays; then remove the old one",
                quoted(if self.still_imported_by.is_empty() {
                    &self.consumers
                } else {
                    &self.still_imported_by
                }),
            ));
        }
        text
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(names: &[String]) -> &'static str {
    if names.len() == 1 {
        ""
    } else {
        "s"
    }
}

/// Every export of `before` that `after` removes or changes while a stack of `before` imports it.
pub fn find(before: &[Document], after: &[Document]) -> Vec<Embrace> {
    let summaries = |documents: &[Document]| -> Vec<Exchange> {
        documents.iter().filter_map(Exchange::of).collect()
    };
    find_in(&summaries(before), &summaries(after))
}

/// What one CloudFormation template exports and imports: all [`find`] needs of it, so that a caller can
/// drop the document itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    environment: String,
    stack: String,
    /// (export name, value), in document order.
    exports: Vec<(String, Json)>,
    /// The export names it imports, in document order.
    imports: Vec<String>,
}

impl Exchange {
    /// The exchange of a CloudFormation template; `None` for a Terraform module (no export lock).
    pub fn of(d: &Document) -> Option<Exchange> {
        Exchange::beside(d, None)
    }

    /// [`Exchange::of`] a template whose unchanged entries ([`Document::unchanged`]) are those of
    /// `fresh` (ignored for a whole document). Exports are in document order, those of unchanged
    /// outputs after the others.
    pub fn beside(d: &Document, fresh: Option<&Document>) -> Option<Exchange> {
        if d.target != Target::CloudFormation {
            return None;
        }
        let unchanged = d.unchanged.zip(fresh.map(|f| f.json));
        let mut exports = Vec::new();
        let mut export = |output: &Json| {
            if let Some(name) = output.pointer("/Export/Name").and_then(Json::as_str) {
                let value = output.get("Value").unwrap_or(&Json::Null);
                exports.push((name.to_owned(), value.clone()));
            }
        };
        if let Some(outputs) = d.json.get("Outputs").and_then(Json::as_object) {
            outputs.values().for_each(&mut export);
        }
        let mut names = Vec::new();
        collect(d.json, &mut names);
        if let Some((unchanged, fresh)) = unchanged {
            let entries = |section: &str, left_out: &'_ std::collections::HashSet<String>| {
                fresh
                    .get(section)
                    .and_then(Json::as_object)
                    .into_iter()
                    .flatten()
                    .filter(|(name, _)| left_out.contains(*name))
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
            };
            for output in entries("Outputs", &unchanged.outputs) {
                export(output);
                collect(output, &mut names);
            }
            for resource in entries("Resources", &unchanged.resources) {
                collect(resource, &mut names);
            }
        }
        Some(Exchange {
            environment: d.environment.to_owned(),
            stack: d.stack.to_owned(),
            exports,
            imports: names.into_iter().map(str::to_owned).collect(),
        })
    }
}

/// [`find`] over the exchanges of each side's templates, in each side's document order.
///
/// A consumer whose stack goes too is left out: a teardown deletes it before its producer (`list` gives
/// the teardown order), so nothing is locked.
pub fn find_in(before: &[Exchange], after: &[Exchange]) -> Vec<Embrace> {
    let old_imports = imports(before);
    let new_imports = imports(after);
    let new_exports = exports(after);
    let staying: std::collections::HashSet<(&str, &str)> = after
        .iter()
        .map(|d| (d.environment.as_str(), d.stack.as_str()))
        .collect();
    let mut found = Vec::new();
    for ((env, name), (producer, value)) in exports(before) {
        let removed = match new_exports.get(&(env, name)) {
            None => true,
            Some((_, new_value)) if *new_value != value => false,
            Some(_) => continue,
        };
        let importers = |imports: &BTreeMap<(&str, &str), Vec<String>>| -> Vec<String> {
            imports
                .get(&(env, name))
                .into_iter()
                .flatten()
                .filter(|s| *s != producer && staying.contains(&(env, s.as_str())))
                .cloned()
                .collect()
        };
        let consumers = importers(&old_imports);
        if consumers.is_empty() {
            continue;
        }
        found.push(Embrace {
            environment: env.to_owned(),
            producer: producer.to_owned(),
            export: name.to_owned(),
            removed,
            consumers,
            still_imported_by: importers(&new_imports),
            producer_removed: !staying.contains(&(env, producer)),
        });
    }
    found
}

type Exports<'a> = BTreeMap<(&'a str, &'a str), (&'a str, &'a Json)>;

/// (environment, export name) -> (stack, value) of every CloudFormation export.
fn exports(exchanges: &[Exchange]) -> Exports<'_> {
    let mut out = BTreeMap::new();
    for d in exchanges {
        for (name, value) in &d.exports {
            out.insert(
                (d.environment.as_str(), name.as_str()),
                (d.stack.as_str(), value),
            );
        }
    }
    out
}

/// (environment, export name) -> the stacks that import it, in document order.
fn imports(exchanges: &[Exchange]) -> BTreeMap<(&str, &str), Vec<String>> {
    let mut out: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for d in exchanges {
        for name in &d.imports {
            let stacks = out
                .entry((d.environment.as_str(), name.as_str()))
                .or_default();
            if !stacks.contains(&d.stack) {
                stacks.push(d.stack.clone());
            }
        }
    }
    out
}

/// Every `Fn::ImportValue` name under `value`, in no particular order (each (environment, name) entry
/// of [`imports`] is keyed). One walk over the entries, without hashing a key per object.
fn collect<'a>(value: &'a Json, out: &mut Vec<&'a str>) {
    match value {
        Json::Object(map) => {
            for (key, v) in map {
                if let (true, Json::String(name)) = (key == "Fn::ImportValue", v) {
                    out.push(name);
                }
                collect(v, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc<'a>(stack: &'a str, json: &'a Json) -> Document<'a> {
        Document {
            environment: "dev",
            stack,
            target: Target::CloudFormation,
            json,
            renames: &[],
            unchanged: None,
        }
    }

    fn network(exports: &[(&str, Json)]) -> Json {
        let outputs: serde_json::Map<String, Json> = exports
            .iter()
            .map(|(name, value)| {
                (
                    format!("Export{}", name.len()),
                    json!({"Value": value, "Export": {"Name": name}}),
                )
            })
            .collect();
        json!({"Resources": {}, "Outputs": outputs})
    }

    fn service(imports: &[&str]) -> Json {
        let props: serde_json::Map<String, Json> = imports
            .iter()
            .enumerate()
            .map(|(i, name)| (format!("P{i}"), json!({"Fn::ImportValue": name})))
            .collect();
        json!({"Resources": {"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": props}}})
    }

    #[test]
    fn an_export_removed_with_its_last_import_is_an_embrace_with_the_two_step_fix() {
        let before = [
            network(&[("n:Vpc:id", json!({"Ref": "Vpc"}))]),
            service(&["n:Vpc:id"]),
        ];
        let after = [network(&[]), service(&[])];
        let found = find(
            &[doc("network", &before[0]), doc("service", &before[1])],
            &[doc("network", &after[0]), doc("service", &after[1])],
        );
        assert_eq!(
            found,
            [Embrace {
                environment: "dev".into(),
                producer: "network".into(),
                export: "n:Vpc:id".into(),
                removed: true,
                consumers: vec!["service".into()],
                still_imported_by: vec![],
                producer_removed: false,
            }]
        );
        let message = found[0].message();
        assert!(
            message.starts_with(
                "dev/network (cloudformation) removes export `n:Vpc:id`, which deployed stack \
                 `service` still imports: CloudFormation will refuse to update `network`"
            ),
            "{message}"
        );
        assert!(
            message.contains("`stack.keep_export(...)` in `network`"),
            "{message}"
        );
    }

    /// An environment or its stacks leaving the definition: the consumers go too, so a teardown in reverse
    /// order (`list`) deletes them first and nothing is locked; a consumer that stays must deploy first.
    #[test]
    fn a_producer_removed_with_its_consumers_is_no_embrace_and_one_that_stays_deploys_first() {
        let before = [
            network(&[("n:Vpc:id", json!({"Ref": "Vpc"}))]),
            service(&["n:Vpc:id"]),
        ];
        let gone = find(
            &[doc("network", &before[0]), doc("service", &before[1])],
            &[],
        );
        assert!(gone.is_empty(), "{gone:?}");
        let stays = service(&[]);
        let found = find(
            &[doc("network", &before[0]), doc("service", &before[1])],
            &[doc("service", &stays)],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].producer_removed);
        let message = found[0].message();
        assert!(
            message.contains("CloudFormation will refuse to delete `network`")
                && message.contains("Deploy `service` first, so that it no longer imports it; then delete `network`")
                && !message.contains("keep_export"),
            "{message}"
        );
    }

    #[test]
    fn a_changed_value_still_imported_is_an_embrace_and_kept_exports_are_not() {
        let before = [
            network(&[
                ("n:Vpc:id", json!({"Ref": "Vpc"})),
                ("n:Keep:id", json!({"Ref": "Keep"})),
            ]),
            service(&["n:Vpc:id", "n:Keep:id"]),
        ];
        let after = [
            network(&[
                ("n:Vpc:id", json!({"Ref": "Vpc2"})),
                ("n:Keep:id", json!({"Ref": "Keep"})),
            ]),
            service(&["n:Vpc:id"]),
        ];
        let found = find(
            &[doc("network", &before[0]), doc("service", &before[1])],
            &[doc("network", &after[0]), doc("service", &after[1])],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(!found[0].removed);
        assert_eq!(found[0].still_imported_by, ["service"]);
        assert!(found[0]
            .message()
            .contains("first make `service` use another value"));
    }

    #[test]
    fn an_export_nobody_imported_goes_quietly() {
        let before = [network(&[("n:Vpc:id", json!({"Ref": "Vpc"}))])];
        let after = [network(&[])];
        assert!(find(&[doc("network", &before[0])], &[doc("network", &after[0])]).is_empty());
    }
}
