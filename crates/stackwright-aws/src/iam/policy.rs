//! IAM policy documents as typed values.
//!
//! A [`PolicyDocument`] is a list of [`Statement`]s whose resources, principals and condition values are
//! [`Expr`]s, so they can hold references (`bucket.arn()`). It becomes a neutral [`Value`] in the shape of
//! IAM's JSON policy language, which both targets share: CloudFormation embeds it as an object with
//! intrinsics, Terraform encodes it with `jsonencode(...)`. Literal IAM policy variables such as
//! `${aws:username}` stay literal in both.

use crate::arn;
use stackwright_core::{Expr, Location, Value};

/// The policy language version every document declares.
pub const POLICY_VERSION: &str = "2012-10-17";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// Who a resource-based or trust policy statement applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// An account (id or root ARN), role or user ARN.
    Aws(Expr),
    /// An AWS service, e.g. `ec2.amazonaws.com`.
    Service(Expr),
    /// A web identity or SAML provider.
    Federated(Expr),
    /// Everyone (`"*"`): only sensible in a deny statement or with conditions.
    Any,
}

impl Principal {
    pub fn aws(arn: impl Into<Expr>) -> Self {
        Principal::Aws(arn.into())
    }

    pub fn service(name: impl Into<Expr>) -> Self {
        Principal::Service(name.into())
    }

    pub fn federated(provider: impl Into<Expr>) -> Self {
        Principal::Federated(provider.into())
    }

    pub fn any() -> Self {
        Principal::Any
    }

    /// The environment's own account: a key or resource policy statement with this principal hands the
    /// decision to the account's IAM policies.
    pub fn account_root() -> Self {
        Principal::Aws(arn::global("iam", "root"))
    }
}

#[derive(Clone, Debug)]
struct Condition {
    operator: String,
    key: String,
    values: Vec<Expr>,
}

/// One statement: effect, actions, resources and, for resource-based and trust policies, principals.
#[derive(Clone, Debug)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    actions: Vec<String>,
    resources: Vec<Expr>,
    principals: Vec<Principal>,
    conditions: Vec<Condition>,
    location: Location,
}

impl Statement {
    #[track_caller]
    pub fn allow() -> Self {
        Self::new(Effect::Allow)
    }

    #[track_caller]
    pub fn deny() -> Self {
        Self::new(Effect::Deny)
    }

    #[track_caller]
    fn new(effect: Effect) -> Self {
        Statement {
            sid: None,
            effect,
            actions: Vec::new(),
            resources: Vec::new(),
            principals: Vec::new(),
            conditions: Vec::new(),
            location: std::panic::Location::caller(),
        }
    }

    /// An identifier for the statement, unique in its document (letters and digits).
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// An action such as `s3:GetObject`; wildcards (`s3:Get*`) are allowed.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.actions.push(action.into());
        self
    }

    pub fn actions<S: Into<String>>(mut self, actions: impl IntoIterator<Item = S>) -> Self {
        self.actions.extend(actions.into_iter().map(Into::into));
        self
    }

    /// A resource ARN (or `"*"` for actions without resource-level permissions).
    pub fn resource(mut self, arn: impl Into<Expr>) -> Self {
        self.resources.push(arn.into());
        self
    }

    pub fn resources<E: Into<Expr>>(mut self, arns: impl IntoIterator<Item = E>) -> Self {
        self.resources.extend(arns.into_iter().map(Into::into));
        self
    }

    pub fn principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    /// A condition such as `condition("StringEquals", "aws:SourceAccount", [Expr::account_id()])`.
    pub fn condition<E: Into<Expr>>(
        mut self,
        operator: impl Into<String>,
        key: impl Into<String>,
        values: impl IntoIterator<Item = E>,
    ) -> Self {
        self.conditions.push(Condition {
            operator: operator.into(),
            key: key.into(),
            values: values.into_iter().map(Into::into).collect(),
        });
        self
    }

    pub fn effect(&self) -> Effect {
        self.effect
    }

    pub fn action_names(&self) -> &[String] {
        &self.actions
    }

    fn to_value(&self) -> Value {
        let mut out = Vec::new();
        if let Some(sid) = &self.sid {
            out.push(("Sid".to_owned(), Value::from(sid.as_str())));
        }
        let effect = match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        out.push(("Effect".to_owned(), Value::from(effect)));
        if !self.principals.is_empty() {
            out.push(("Principal".to_owned(), principal_value(&self.principals)));
        }
        let actions = self.actions.iter().map(|a| Value::from(a.as_str()));
        out.push(("Action".to_owned(), Value::List(actions.collect())));
        if !self.resources.is_empty() {
            let resources = self.resources.iter().map(|r| Value::Str(r.clone()));
            out.push(("Resource".to_owned(), Value::List(resources.collect())));
        }
        if !self.conditions.is_empty() {
            // IAM groups conditions by operator, then by key.
            let mut by_operator: Vec<(String, Value)> = Vec::new();
            for c in &self.conditions {
                let values = Value::List(c.values.iter().cloned().map(Value::Str).collect());
                match by_operator.iter_mut().find(|(op, _)| *op == c.operator) {
                    Some((_, Value::Map(keys))) => keys.push((c.key.clone(), values)),
                    _ => by_operator.push((
                        c.operator.clone(),
                        Value::Map(vec![(c.key.clone(), values)]),
                    )),
                }
            }
            out.push(("Condition".to_owned(), Value::Map(by_operator)));
        }
        Value::Map(out)
    }
}

/// `"*"` for everyone, otherwise principals grouped by type in IAM's order.
fn principal_value(principals: &[Principal]) -> Value {
    if principals.contains(&Principal::Any) {
        return Value::from("*");
    }
    let mut groups: Vec<(String, Value)> = Vec::new();
    for (key, pick) in [
        (
            "AWS",
            (|p| match p {
                Principal::Aws(e) => Some(e),
                _ => None,
            }) as fn(&Principal) -> Option<&Expr>,
        ),
        ("Service", |p| match p {
            Principal::Service(e) => Some(e),
            _ => None,
        }),
        ("Federated", |p| match p {
            Principal::Federated(e) => Some(e),
            _ => None,
        }),
    ] {
        let members: Vec<Value> = principals
            .iter()
            .filter_map(pick)
            .map(|e| Value::Str(e.clone()))
            .collect();
        if !members.is_empty() {
            groups.push((key.to_owned(), Value::List(members)));
        }
    }
    Value::Map(groups)
}

/// Where a document is used decides what its statements must and must not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PolicyKind {
    /// Attached to a role: no principals (the role is the principal), resources required.
    Identity,
    /// On a resource (bucket, key): principals and resources required.
    Resource,
    /// Who may assume a role: principals required, no resources.
    Trust,
}

/// A policy document: an ordered list of statements.
#[derive(Clone, Debug, Default)]
pub struct PolicyDocument {
    statements: Vec<Statement>,
}

impl PolicyDocument {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The trust policy of a role that an AWS service (e.g. `ec2.amazonaws.com`) assumes.
    #[track_caller]
    pub fn assumed_by_service(service: impl Into<Expr>) -> Self {
        Self::assumed_by(Principal::Service(service.into()))
    }

    #[track_caller]
    fn assumed_by(principal: Principal) -> Self {
        PolicyDocument::new().statement(
            Statement::allow()
                .principal(principal)
                .action("sts:AssumeRole"),
        )
    }

    /// Problems with the document for its use; `what` names the document in messages (`trust policy`).
    pub(crate) fn check(&self, kind: PolicyKind, what: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if self.statements.is_empty() {
            problems.push(format!(
                "{what} has no statements: expected at least one `.statement(...)`"
            ));
        }
        for (i, s) in self.statements.iter().enumerate() {
            let at = format!(
                "{what} statement {} (declared at {}:{})",
                i + 1,
                s.location.file(),
                s.location.line()
            );
            let mut report = |m: String| problems.push(format!("{at} {m}"));
            if s.actions.is_empty() {
                report("has no actions: expected at least one `.action(...)`".into());
            }
            for action in &s.actions {
                if let Err(why) = check_action(action) {
                    report(why);
                }
            }
            match kind {
                PolicyKind::Identity if !s.principals.is_empty() => report(
                    "names a principal: a policy attached to a role applies to that role; \
                     expected no `.principal(...)`"
                        .into(),
                ),
                PolicyKind::Resource | PolicyKind::Trust if s.principals.is_empty() => report(
                    "has no principal: expected `.principal(...)` naming who the statement applies to"
                        .into(),
                ),
                _ => {}
            }
            match kind {
                PolicyKind::Trust if !s.resources.is_empty() => report(
                    "names resources: a trust policy applies to its role; expected no `.resource(...)`"
                        .into(),
                ),
                PolicyKind::Identity | PolicyKind::Resource if s.resources.is_empty() => report(
                    "has no resources: expected `.resource(...)` (\"*\" for actions without \
                     resource-level permissions)"
                        .into(),
                ),
                _ => {}
            }
            if s.principals.contains(&Principal::Any) && s.principals.len() > 1 {
                report(
                    "names `Principal::any()` beside other principals: expected one or the other"
                        .into(),
                );
            }
            if let Some(sid) = &s.sid {
                if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                    report(format!(
                        "has sid `{sid}`: expected only ASCII letters and digits"
                    ));
                }
                if self.statements[..i]
                    .iter()
                    .any(|o| o.sid.as_ref() == Some(sid))
                {
                    report(format!(
                        "repeats sid `{sid}`: expected sids unique in the document"
                    ));
                }
            }
            for (j, c) in s.conditions.iter().enumerate() {
                if let Err(why) = check_condition_operator(&c.operator) {
                    report(why);
                }
                if c.key.is_empty() {
                    report(format!(
                        "has a `{}` condition with an empty key",
                        c.operator
                    ));
                }
                if c.values.is_empty() {
                    report(format!(
                        "has a `{}` condition on `{}` without values: expected at least one",
                        c.operator, c.key
                    ));
                }
                if s.conditions[..j]
                    .iter()
                    .any(|o| o.operator == c.operator && o.key == c.key)
                {
                    report(format!(
                        "repeats the `{}` condition on `{}`: give all its values in one `.condition(...)`",
                        c.operator, c.key
                    ));
                }
            }
        }
        problems
    }

    /// The document as JSON text, wherever a policy goes as a string (hashicorp/aws `policy` and
    /// `assume_role_policy` arguments): compact JSON as Terraform's `jsonencode` writes it, with each
    /// reference kept live inside its string (Terraform lowers it to `${...}`).
    pub fn to_json_text(&self) -> Expr {
        let mut parts = Vec::new();
        json_text(&self.to_value(), &mut parts);
        Expr::concat(parts)
    }

    /// The document in IAM's JSON shape, as a neutral value.
    pub(crate) fn to_value(&self) -> Value {
        let statements = self.statements.iter().map(Statement::to_value).collect();
        Value::Map(vec![
            ("Version".to_owned(), Value::from(POLICY_VERSION)),
            ("Statement".to_owned(), Value::List(statements)),
        ])
    }
}

/// The document as a value, wherever a schema-free policy document goes (generated builders' properties
/// such as `AWS::IAM::Role` `AssumeRolePolicyDocument` or `AWS::SQS::QueuePolicy` `PolicyDocument`): IAM's
/// JSON shape, references kept.
impl From<PolicyDocument> for Value {
    fn from(document: PolicyDocument) -> Self {
        document.to_value()
    }
}

/// `s` as the inside of a JSON string (RFC 8259: quote, backslash and control characters escaped).
fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Appends `value` as compact JSON text to `out`: literal text JSON-escaped, references as themselves
/// (their values, ARNs and names, need no escaping).
/// `value` as compact JSON text, references kept live inside their strings (an EventBridge event pattern
/// for Terraform's `event_pattern`).
pub(crate) fn value_json_text(value: &Value) -> Expr {
    let mut parts = Vec::new();
    json_text(value, &mut parts);
    Expr::concat(parts)
}

fn json_text(value: &Value, out: &mut Vec<Expr>) {
    let text = |s: &str| Expr::Literal(s.to_owned());
    let escaped = |s: &str| Expr::Literal(json_escape(s));
    match value {
        Value::Bool(b) => out.push(text(&b.to_string())),
        Value::Int(n) => out.push(text(&n.to_string())),
        Value::Str(expr) => {
            out.push(text("\""));
            match expr {
                Expr::Literal(s) => out.push(escaped(s)),
                Expr::Concat(items) => out.extend(items.iter().map(|i| match i {
                    Expr::Literal(s) => escaped(s),
                    other => other.clone(),
                })),
                other => out.push(other.clone()),
            }
            out.push(text("\""));
        }
        Value::List(items) => {
            out.push(text("["));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(text(","));
                }
                json_text(item, out);
            }
            out.push(text("]"));
        }
        Value::Map(entries) => {
            out.push(text("{"));
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(text(","));
                }
                out.push(text(&format!("\"{}\"", json_escape(key))));
                out.push(text(":"));
                json_text(item, out);
            }
            out.push(text("}"));
        }
    }
}

impl From<Statement> for PolicyDocument {
    fn from(statement: Statement) -> Self {
        PolicyDocument::new().statement(statement)
    }
}

impl FromIterator<Statement> for PolicyDocument {
    fn from_iter<I: IntoIterator<Item = Statement>>(statements: I) -> Self {
        PolicyDocument {
            statements: statements.into_iter().collect(),
        }
    }
}

/// `*`, or `service:Action` where the action may hold `*` and `?` wildcards.
fn check_action(action: &str) -> Result<(), String> {
    if action == "*" {
        return Ok(());
    }
    let valid = action.split_once(':').is_some_and(|(service, name)| {
        !service.is_empty()
            && service
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '?')
    });
    if valid {
        Ok(())
    } else {
        Err(format!(
            "has invalid action `{action}`: expected `service:Action` such as `s3:GetObject`"
        ))
    }
}

/// IAM's condition operators, without the `ForAllValues:`/`ForAnyValue:` prefixes and `IfExists` suffix.
const CONDITION_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

fn check_condition_operator(operator: &str) -> Result<(), String> {
    let base = operator
        .strip_prefix("ForAllValues:")
        .or_else(|| operator.strip_prefix("ForAnyValue:"))
        .unwrap_or(operator);
    let base = base.strip_suffix("IfExists").unwrap_or(base);
    if CONDITION_OPERATORS.contains(&base) {
        Ok(())
    } else {
        Err(format!(
            "has unknown condition operator `{operator}`: expected one of {} (optionally with a \
             `ForAllValues:`/`ForAnyValue:` prefix or an `IfExists` suffix)",
            CONDITION_OPERATORS.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::Pseudo;

    fn value_of(doc: &PolicyDocument) -> String {
        format!("{:?}", doc.to_value())
    }

    /// As JSON text (hashicorp/aws `policy` strings), the document is compact JSON with its references live
    /// inside their strings, and literal text escaped; as a value, it is the IAM shape.
    #[test]
    fn a_document_is_json_text_with_live_references_or_a_value() {
        let doc = PolicyDocument::from(
            Statement::allow()
                .sid("Read \"all\"")
                .action("s3:GetObject")
                .resource(Expr::concat([
                    Expr::from("arn:aws:s3:::bucket-"),
                    Expr::account_id(),
                    Expr::from("/*"),
                ])),
        );
        assert_eq!(Value::from(doc.clone()), doc.to_value());
        let Expr::Concat(parts) = doc.to_json_text() else {
            panic!("text with a reference is a concatenation")
        };
        let text: String = parts
            .iter()
            .map(|p| match p {
                Expr::Literal(s) => s.clone(),
                Expr::Pseudo(Pseudo::AccountId) => "${ACCOUNT}".into(),
                other => panic!("unexpected part {other:?}"),
            })
            .collect();
        assert_eq!(
            text,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read \"all\"","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bucket-${ACCOUNT}/*"]}]}"#
        );
    }

    #[test]
    fn statements_lower_to_iam_json_shape() {
        let doc = PolicyDocument::from(
            Statement::deny()
                .sid("TlsOnly")
                .principal(Principal::any())
                .action("s3:*")
                .resource("arn:aws:s3:::b/${aws:username}/*")
                .condition("Bool", "aws:SecureTransport", ["false"])
                .condition("StringEquals", "aws:SourceAccount", [Expr::account_id()]),
        );
        assert!(doc.check(PolicyKind::Resource, "bucket policy").is_empty());
        let expected = Value::Map(vec![
            ("Version".into(), "2012-10-17".into()),
            (
                "Statement".into(),
                Value::List(vec![Value::Map(vec![
                    ("Sid".into(), "TlsOnly".into()),
                    ("Effect".into(), "Deny".into()),
                    ("Principal".into(), "*".into()),
                    ("Action".into(), Value::List(vec!["s3:*".into()])),
                    (
                        "Resource".into(),
                        Value::List(vec!["arn:aws:s3:::b/${aws:username}/*".into()]),
                    ),
                    (
                        "Condition".into(),
                        Value::Map(vec![
                            (
                                "Bool".into(),
                                Value::Map(vec![(
                                    "aws:SecureTransport".into(),
                                    Value::List(vec!["false".into()]),
                                )]),
                            ),
                            (
                                "StringEquals".into(),
                                Value::Map(vec![(
                                    "aws:SourceAccount".into(),
                                    Value::List(vec![Expr::account_id().into()]),
                                )]),
                            ),
                        ]),
                    ),
                ])]),
            ),
        ]);
        assert_eq!(doc.to_value(), expected, "{}", value_of(&doc));
    }

    #[test]
    fn principals_group_by_type() {
        let s = Statement::allow()
            .principal(Principal::service("ec2.amazonaws.com"))
            .principal(Principal::aws("arn:aws:iam::111111111111:root"))
            .principal(Principal::service("ecs-tasks.amazonaws.com"));
        assert_eq!(
            principal_value(&s.principals),
            Value::Map(vec![
                (
                    "AWS".into(),
                    Value::List(vec!["arn:aws:iam::111111111111:root".into()])
                ),
                (
                    "Service".into(),
                    Value::List(vec![
                        "ec2.amazonaws.com".into(),
                        "ecs-tasks.amazonaws.com".into()
                    ])
                ),
            ])
        );
    }

    #[test]
    fn each_kind_of_document_checks_its_own_rules() {
        let check = |doc: PolicyDocument, kind, expected: &[&str]| {
            let problems = doc.check(kind, "policy");
            assert_eq!(problems.len(), expected.len(), "{problems:#?}");
            for (problem, fragment) in problems.iter().zip(expected) {
                assert!(
                    problem.contains(fragment),
                    "`{fragment}` not in `{problem}`"
                );
                let whole_document = problem.contains("has no statements");
                assert!(
                    whole_document || problem.contains("policy.rs:"),
                    "located: {problem}"
                );
            }
        };
        check(
            PolicyDocument::new(),
            PolicyKind::Identity,
            &["has no statements"],
        );
        check(
            Statement::allow().resource("*").into(),
            PolicyKind::Identity,
            &["has no actions"],
        );
        check(
            Statement::allow()
                .actions(["s3GetObject", "s3:Get*", "*", "S3:x"])
                .resource("*")
                .into(),
            PolicyKind::Identity,
            &["invalid action `s3GetObject`", "invalid action `S3:x`"],
        );
        check(
            Statement::allow()
                .action("s3:GetObject")
                .principal(Principal::any())
                .into(),
            PolicyKind::Identity,
            &["names a principal", "has no resources"],
        );
        check(
            Statement::allow()
                .action("sts:AssumeRole")
                .resource("*")
                .into(),
            PolicyKind::Trust,
            &["has no principal", "names resources"],
        );
        check(
            PolicyDocument::from_iter([
                Statement::allow()
                    .sid("A")
                    .action("s3:GetObject")
                    .resource("*")
                    .condition("StringEqualz", "k", ["v"])
                    .condition("ForAnyValue:StringLikeIfExists", "k", ["v"])
                    .condition("ForAnyValue:StringLikeIfExists", "k", ["w"]),
                Statement::allow()
                    .sid("A")
                    .action("s3:GetObject")
                    .resource("*")
                    .condition("Null", "k", Vec::<Expr>::new()),
            ]),
            PolicyKind::Identity,
            &[
                "unknown condition operator `StringEqualz`",
                "repeats the `ForAnyValue:StringLikeIfExists` condition on `k`",
                "repeats sid `A`",
                "`Null` condition on `k` without values",
            ],
        );
        check(
            PolicyDocument::assumed_by_service("ec2.amazonaws.com"),
            PolicyKind::Trust,
            &[],
        );
    }
}
