//! The resource attributes of a template entry (`DeletionPolicy`, `UpdatePolicy`, ...), checked against
//! their specification ("Resource attribute reference" in the CloudFormation user guide), as overrides
//! can set any of them: `UpdatePolicy.AutoScalingRolingUpdate` is a located error with a did-you-mean
//! rather than a cfn-lint finding (E3001/E3002) or a policy CloudFormation silently ignores.

use serde_json::{Map, Value as Json};
use stackwright_validate::cloudformation::closest;

/// The keys a resource entry may have.
const ENTRY_KEYS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Metadata",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
];

/// How a value of the specification is checked.
enum Shape {
    String,
    Integer,
    Boolean,
    Strings,
    Object(&'static [(&'static str, Shape)]),
}

const UPDATE_POLICY: &[(&str, Shape)] = &[
    (
        "AutoScalingReplacingUpdate",
        Shape::Object(&[("WillReplace", Shape::Boolean)]),
    ),
    (
        "AutoScalingRollingUpdate",
        Shape::Object(&[
            ("MaxBatchSize", Shape::Integer),
            ("MinActiveInstancesPercent", Shape::Integer),
            ("MinInstancesInService", Shape::Integer),
            ("MinSuccessfulInstancesPercent", Shape::Integer),
            ("PauseTime", Shape::String),
            ("SuspendProcesses", Shape::Strings),
            ("WaitOnResourceSignals", Shape::Boolean),
        ]),
    ),
    (
        "AutoScalingScheduledAction",
        Shape::Object(&[("IgnoreUnmodifiedGroupSizeProperties", Shape::Boolean)]),
    ),
    (
        "CodeDeployLambdaAliasUpdate",
        Shape::Object(&[
            ("AfterAllowTrafficHook", Shape::String),
            ("ApplicationName", Shape::String),
            ("BeforeAllowTrafficHook", Shape::String),
            ("DeploymentGroupName", Shape::String),
        ]),
    ),
    ("EnableVersionUpgrade", Shape::Boolean),
    ("UseOnlineResharding", Shape::Boolean),
];

const CREATION_POLICY: &[(&str, Shape)] = &[
    (
        "AutoScalingCreationPolicy",
        Shape::Object(&[("MinSuccessfulInstancesPercent", Shape::Integer)]),
    ),
    (
        "ResourceSignal",
        Shape::Object(&[("Count", Shape::Integer), ("Timeout", Shape::String)]),
    ),
    ("StartFleet", Shape::Boolean),
];

const DELETION_POLICIES: &[&str] = &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"];
const UPDATE_REPLACE_POLICIES: &[&str] = &["Delete", "Retain", "Snapshot"];

/// Every problem of the entry's attributes, as (path, message); nothing allocated when there is none.
pub(crate) fn check(entry: &Map<String, Json>, report: &mut dyn FnMut(String, String)) {
    for (key, value) in entry {
        match key.as_str() {
            "Type" | "Properties" => {}
            "DeletionPolicy" => one_of(key, value, DELETION_POLICIES, report),
            "UpdateReplacePolicy" => one_of(key, value, UPDATE_REPLACE_POLICIES, report),
            "UpdatePolicy" => object(key, value, UPDATE_POLICY, report),
            "CreationPolicy" => object(key, value, CREATION_POLICY, report),
            "Metadata" => {
                if !value.is_object() {
                    report(key.clone(), "expected an object".into());
                }
            }
            "DependsOn" => {
                let fits = value.is_string()
                    || value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Json::is_string));
                if !fits {
                    report(
                        key.clone(),
                        "expected a logical id or a list of them".into(),
                    );
                }
            }
            // Stackwright emits no `Conditions`, so no condition name can resolve.
            "Condition" => report(
                key.clone(),
                "the template declares no conditions: a resource that exists only in some \
                 environments is an `if` in the stack definition"
                    .into(),
            ),
            other => report(
                other.to_owned(),
                unknown("resource attribute", other, ENTRY_KEYS),
            ),
        }
    }
}

fn unknown(what: &str, key: &str, known: &[&str]) -> String {
    let hint = closest(key, known)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default();
    format!("unknown {what} `{key}`{hint}")
}

fn one_of(path: &str, value: &Json, allowed: &[&str], report: &mut dyn FnMut(String, String)) {
    if !value.as_str().is_some_and(|v| allowed.contains(&v)) {
        report(
            path.to_owned(),
            format!("{value} is not one of {}", allowed.join(", ")),
        );
    }
}

fn object(
    path: &str,
    value: &Json,
    spec: &[(&str, Shape)],
    report: &mut dyn FnMut(String, String),
) {
    let Some(given) = value.as_object() else {
        return report(
            path.to_owned(),
            format!("expected an object, found {value}"),
        );
    };
    for (key, value) in given {
        let at = || format!("{path}.{key}");
        match spec.iter().find(|(k, _)| k == key) {
            None => {
                let known: Vec<&str> = spec.iter().map(|(k, _)| *k).collect();
                report(at(), unknown("key", key, &known));
            }
            Some((_, shape)) => {
                if let Some(expected) = mismatch(shape, value) {
                    report(at(), format!("expected {expected}, found {value}"));
                } else if let Shape::Object(inner) = shape {
                    object(&at(), value, inner, report);
                }
            }
        }
    }
}

/// What `value` should have been, when it does not fit `shape`. Intrinsics fit anything; numbers and
/// booleans may be strings, as CloudFormation converts them.
fn mismatch(shape: &Shape, value: &Json) -> Option<&'static str> {
    let intrinsic = value
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.keys().all(|k| k == "Ref" || k.starts_with("Fn::")));
    if intrinsic {
        return None;
    }
    let fits = match shape {
        Shape::String => value.is_string(),
        Shape::Integer => {
            value.is_i64() || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
        }
        Shape::Boolean => value.is_boolean() || matches!(value.as_str(), Some("true" | "false")),
        Shape::Strings => value
            .as_array()
            .is_some_and(|items| items.iter().all(Json::is_string)),
        Shape::Object(_) => value.is_object(),
    };
    (!fits).then_some(match shape {
        Shape::String => "a string",
        Shape::Integer => "an integer",
        Shape::Boolean => "a boolean",
        Shape::Strings => "a list of strings",
        Shape::Object(_) => "an object",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(entry: Json) -> Vec<(String, String)> {
        let mut found = Vec::new();
        check(entry.as_object().unwrap(), &mut |p, m| found.push((p, m)));
        found
    }

    #[test]
    fn valid_attributes_pass() {
        assert!(problems(json!({
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Snapshot",
            "DependsOn": ["A"],
            "Metadata": {},
            "UpdatePolicy": {"AutoScalingRollingUpdate": {"MaxBatchSize": 2, "PauseTime": "PT5M",
                             "WaitOnResourceSignals": "true", "SuspendProcesses": ["AlarmNotification"]}},
            "CreationPolicy": {"ResourceSignal": {"Count": {"Ref": "Size"}, "Timeout": "PT15M"}},
            "Properties": {}
        }))
        .is_empty());
    }

    #[test]
    fn typos_and_wrong_values_are_named() {
        assert_eq!(
            problems(json!({
                "UpdatePolicy": {"AutoScalingRolingUpdate": {}},
                "DeletionPolicy": "Keep",
                "CreationPolicy": {"ResourceSignal": {"Count": "two"}},
                "Condition": "IsProd",
                "DependOn": "A"
            })),
            [
                (
                    "UpdatePolicy.AutoScalingRolingUpdate".into(),
                    "unknown key `AutoScalingRolingUpdate`; did you mean `AutoScalingRollingUpdate`?"
                        .into()
                ),
                (
                    "DeletionPolicy".into(),
                    "\"Keep\" is not one of Delete, Retain, RetainExceptOnCreate, Snapshot".into()
                ),
                (
                    "CreationPolicy.ResourceSignal.Count".into(),
                    "expected an integer, found \"two\"".into()
                ),
                (
                    "Condition".into(),
                    "the template declares no conditions: a resource that exists only in some \
                     environments is an `if` in the stack definition"
                        .into()
                ),
                (
                    "DependOn".into(),
                    "unknown resource attribute `DependOn`; did you mean `DependsOn`?".into()
                ),
            ]
        );
    }
}
