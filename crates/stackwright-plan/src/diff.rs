//! Where two JSON values differ, as paths with the values on both sides.

use crate::Target;
use serde_json::Value as Json;

/// A difference at `path`; a side is `None` where the value is absent.
#[derive(Debug)]
pub(crate) struct Difference {
    pub path: Vec<String>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

/// How [`differences`] judges values: which leaves are the same, which lists are sets.
pub(crate) struct Rules<'r> {
    pub target: Target,
    /// Whether two differing leaves are the same nonetheless (a reference that only follows a move).
    pub equal: &'r dyn Fn(&Json, &Json) -> bool,
    /// Whether the list at a path is a set, whose order means nothing (CloudFormation
    /// `insertionOrder: false`, Terraform `set` types and set-nested blocks).
    pub unordered: &'r dyn Fn(&[String]) -> bool,
}

/// Appends the differences between `before` and `after` under `path`: objects compare key by key, lists of
/// equal length item by item, sets as sets (one difference for the whole set when their members differ),
/// anything else (including CloudFormation intrinsic functions, which resolve to one value) as a whole.
pub(crate) fn differences(
    rules: &Rules,
    path: &mut Vec<String>,
    before: Option<&Json>,
    after: Option<&Json>,
    out: &mut Vec<Difference>,
) {
    let target = rules.target;
    match (before, after) {
        (None, None) => {}
        (Some(b), Some(a)) if b == a => {}
        (Some(Json::Object(b)), Some(Json::Object(a)))
            if !is_intrinsic(target, before) && !is_intrinsic(target, after) =>
        {
            for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
                path.push(key.clone());
                differences(rules, path, b.get(key), a.get(key), out);
                path.pop();
            }
        }
        (Some(Json::Array(b)), Some(Json::Array(a))) if (rules.unordered)(path) => {
            if !same_members(rules, path, b, a) {
                out.push(Difference {
                    path: path.clone(),
                    before: before.cloned(),
                    after: after.cloned(),
                });
            }
        }
        (Some(Json::Array(b)), Some(Json::Array(a))) if b.len() == a.len() => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                path.push(i.to_string());
                differences(rules, path, Some(x), Some(y), out);
                path.pop();
            }
        }
        (Some(b), Some(a)) if (rules.equal)(b, a) => {}
        _ => out.push(Difference {
            path: path.clone(),
            before: before.cloned(),
            after: after.cloned(),
        }),
    }
}

/// Whether two lists hold the same members, each matched once, in any order.
fn same_members(rules: &Rules, path: &mut Vec<String>, before: &[Json], after: &[Json]) -> bool {
    if before.len() != after.len() {
        return false;
    }
    let mut taken = vec![false; after.len()];
    before.iter().enumerate().all(|(i, x)| {
        path.push(i.to_string());
        let found = after.iter().enumerate().position(|(j, y)| {
            !taken[j] && {
                let mut found = Vec::new();
                differences(rules, path, Some(x), Some(y), &mut found);
                found.is_empty()
            }
        });
        path.pop();
        found.map(|j| taken[j] = true).is_some()
    })
}

/// A CloudFormation intrinsic function or condition (`{"Ref": ..}`, `{"Fn::GetAtt": ..}`): one value.
pub(crate) fn is_intrinsic(target: Target, value: Option<&Json>) -> bool {
    target == Target::CloudFormation
        && value.and_then(Json::as_object).is_some_and(|map| {
            map.len() == 1
                && map
                    .keys()
                    .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
        })
}

/// The values at `rest` (property names; `*` for every list item) below `value`. Lists met where `rest`
/// names a property are stepped through, as Terraform paths do not write list indices.
pub(crate) fn values_at<'a>(value: Option<&'a Json>, rest: &[String], out: &mut Vec<&'a Json>) {
    let Some(value) = value else { return };
    let Some((first, tail)) = rest.split_first() else {
        out.push(value);
        return;
    };
    match value {
        Json::Array(items) if first == "*" => {
            items.iter().for_each(|v| values_at(Some(v), tail, out));
        }
        Json::Array(items) => items.iter().for_each(|v| values_at(Some(v), rest, out)),
        Json::Object(map) => values_at(map.get(first), tail, out),
        _ => {}
    }
}

/// Whether a leaf under `value` (a leaf as [`referencing_leaves`] finds them) references a name for
/// which `wanted(name, None)` holds, or an attribute for which `wanted(name, Some(attribute))` does. One
/// walk without building paths: most resources of a plan reference nothing that changes.
pub(crate) fn references(
    target: Target,
    value: &Json,
    wanted: &mut dyn FnMut(&str, Option<&str>) -> bool,
) -> bool {
    match value {
        Json::Object(map) if !is_intrinsic(target, Some(value)) => {
            map.values().any(|v| references(target, v, wanted))
        }
        Json::Array(items) => items.iter().any(|v| references(target, v, wanted)),
        _ => {
            let mut hit = false;
            crate::refs::for_each(target, value, &mut |n| hit = hit || wanted(n, None));
            crate::refs::for_each_attribute(target, value, &mut |n, a| {
                hit = hit || wanted(n, Some(a))
            });
            hit
        }
    }
}

/// Collects, under `path`, every leaf of `value` that references something, with what it references.
/// Leaves are what [`differences`] compares as a whole: scalars and intrinsic functions.
pub(crate) fn referencing_leaves(
    target: Target,
    path: &mut Vec<String>,
    value: &Json,
    out: &mut Vec<(Vec<String>, Vec<String>)>,
) {
    match value {
        Json::Object(map) if !is_intrinsic(target, Some(value)) => {
            for (key, v) in map {
                path.push(key.clone());
                referencing_leaves(target, path, v, out);
                path.pop();
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                referencing_leaves(target, path, v, out);
                path.pop();
            }
        }
        _ => {
            let mut names = Vec::new();
            crate::refs::for_each(target, value, &mut |n| names.push(n.to_owned()));
            // `name#attribute` too, for attributes that change when their resource is updated.
            crate::refs::for_each_attribute(target, value, &mut |n, a| {
                names.push(format!("{n}#{a}"))
            });
            if !names.is_empty() {
                out.push((path.clone(), names));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(target: Target, before: Json, after: Json) -> Vec<String> {
        let mut out = Vec::new();
        let rules = Rules {
            target,
            equal: &|a, b| a == b,
            unordered: &|path| path.first().is_some_and(|p| p == "S"),
        };
        differences(
            &rules,
            &mut Vec::new(),
            Some(&before),
            Some(&after),
            &mut out,
        );
        out.into_iter().map(|d| d.path.join("/")).collect()
    }

    #[test]
    fn sets_compare_members_in_any_order() {
        let before = json!({"S": [{"K": 1}, {"K": 2}, {"K": 2}], "L": [1, 2]});
        assert!(paths(
            Target::CloudFormation,
            before.clone(),
            json!({"S": [{"K": 2}, {"K": 1}, {"K": 2}], "L": [1, 2]})
        )
        .is_empty());
        assert_eq!(
            paths(
                Target::CloudFormation,
                before.clone(),
                json!({"S": [{"K": 2}, {"K": 1}, {"K": 1}], "L": [2, 1]})
            ),
            ["S", "L/0", "L/1"]
        );
    }

    #[test]
    fn differences_are_leaves_or_whole_intrinsics() {
        let before = json!({"A": 1, "B": {"C": [1, 2]}, "R": {"Ref": "X"}, "L": [1]});
        let after = json!({"A": 1, "B": {"C": [1, 3]}, "R": {"Ref": "Y"}, "L": [1, 2], "N": true});
        assert_eq!(
            paths(Target::CloudFormation, before, after),
            ["B/C/1", "R", "L", "N"]
        );
    }

    #[test]
    fn values_below_a_path() {
        let v = json!({"Mappings": [{"Ebs": {"Size": 1}}, {"Ebs": {"Size": 2}}]});
        let mut out = Vec::new();
        values_at(
            Some(&v),
            &["Mappings".into(), "*".into(), "Ebs".into(), "Size".into()],
            &mut out,
        );
        assert_eq!(out, [&json!(1), &json!(2)]);
        let tf = json!({"root_block_device": [{"encrypted": true}]});
        let mut out = Vec::new();
        values_at(
            Some(&tf),
            &["root_block_device".into(), "encrypted".into()],
            &mut out,
        );
        assert_eq!(out, [&json!(true)]);
    }
}
