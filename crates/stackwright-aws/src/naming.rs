//! The naming rules of AWS resource types, keyed by neutral kind, and the `.name(...)` setter of the
//! builders whose type has a physical name.
//!
//! A physical name is the app's naming pattern applied to the name the user gives (see
//! [`stackwright_core::naming`]); the stack checks the result against the rule of the resource's kind and
//! reports a located error when it breaks it. Nothing is shortened or rewritten silently: a name that is
//! too long is an error that says by how much, so the user picks a shorter name or pattern.
//!
//! To give a new kind a physical name: add its rule (below, or a new constant) to [`RULES`], call
//! `physical_name!(Builder)` beside its other setters, and lower `Resource::physical_name()` to the
//! type's name property in each target.

use crate::kinds;
use stackwright_core::naming::{NameRule, Uniqueness};

/// A class of characters and how messages describe it: `(char::is_ascii_digit, "digits")`.
pub type CharClass = (fn(char) -> bool, &'static str);

/// The constraints of one resource type's names.
#[derive(Debug)]
pub struct Rule {
    /// What the name is, for messages: `S3 bucket name`.
    pub what: &'static str,
    pub min_len: usize,
    pub max_len: usize,
    /// Which characters are allowed, and how to say so.
    pub allowed: CharClass,
    /// What the first and the last character must be, if constrained.
    pub ends: Option<CharClass>,
    /// What the first character must be, if constrained beyond `ends`.
    pub first: Option<CharClass>,
    pub forbidden_prefixes: &'static [&'static str],
    pub forbidden_suffixes: &'static [&'static str],
    pub forbidden_substrings: &'static [&'static str],
    /// A check no field above expresses (an S3 bucket name may not look like an IP address).
    pub extra: Option<fn(&str) -> Option<String>>,
}

impl Rule {
    /// Every way `name` breaks the rule, or nothing.
    pub fn problems(&self, name: &str) -> Vec<String> {
        self.problems_said(name, true)
    }

    /// [`Rule::problems`] of a name derived in each environment (`<app>-<env>-<stack>-<id>`), said the
    /// same way in every environment (a length as the bound it breaks, not its count), so that the
    /// problem is reported once with every environment it occurs in.
    pub fn derived_name_problems(&self, name: &str) -> Vec<String> {
        self.problems_said(name, false)
    }

    fn problems_said(&self, name: &str, with_length: bool) -> Vec<String> {
        let mut problems = Vec::new();
        let length = name.chars().count();
        if length < self.min_len || length > self.max_len {
            problems.push(match with_length {
                true => format!(
                    "it is {length} characters long, expected {} to {}",
                    self.min_len, self.max_len
                ),
                false => format!(
                    "it is too {}: expected {} to {} characters",
                    if length > self.max_len {
                        "long"
                    } else {
                        "short"
                    },
                    self.min_len,
                    self.max_len
                ),
            });
        }
        let (allowed, allowed_text) = self.allowed;
        let mut bad: Vec<char> = Vec::new();
        for c in name.chars().filter(|c| !allowed(*c)) {
            if !bad.contains(&c) {
                bad.push(c);
            }
        }
        if !bad.is_empty() {
            let bad: String = bad
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(format!("it contains {bad}, expected only {allowed_text}"));
        }
        if let Some((ok, text)) = self.ends {
            let first = name.chars().next();
            let last = name.chars().last();
            if first.is_some_and(|c| !ok(c)) || last.is_some_and(|c| !ok(c)) {
                problems.push(format!("expected it to start and end with {text}"));
            }
        }
        if let Some((ok, text)) = self.first {
            if name.chars().next().is_some_and(|c| !ok(c)) {
                problems.push(format!("expected it to start with {text}"));
            }
        }
        for prefix in self.forbidden_prefixes {
            if name.starts_with(prefix) {
                problems.push(format!("it starts with `{prefix}`, which is reserved"));
            }
        }
        for suffix in self.forbidden_suffixes {
            if name.ends_with(suffix) {
                problems.push(format!("it ends with `{suffix}`, which is reserved"));
            }
        }
        for part in self.forbidden_substrings {
            if name.contains(part) {
                problems.push(format!("it contains `{part}`, which is not allowed"));
            }
        }
        problems.extend(self.extra.and_then(|check| check(name)));
        problems
    }
}

impl NameRule for Rule {
    fn uniqueness(&self) -> Uniqueness {
        // By identity: the rules are consts, and only these differ from "per account and region".
        match self.what {
            w if w == S3_BUCKET.what => Uniqueness::Global,
            w if [
                IAM_ROLE.what,
                IAM_MANAGED_POLICY.what,
                IAM_INSTANCE_PROFILE.what,
            ]
            .contains(&w) =>
            {
                Uniqueness::Account
            }
            w if w == SECURITY_GROUP.what || w == ECS_SERVICE.what => Uniqueness::Parent,
            _ => Uniqueness::Region,
        }
    }

    fn check(&self, name: &str) -> Result<(), String> {
        let problems = self.problems(name);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{}: {}", self.what, problems.join("; ")))
        }
    }
}

/// The rule of every kind that has a physical name.
pub const RULES: &[(&str, &Rule)] = &[
    (kinds::SECURITY_GROUP, &SECURITY_GROUP),
    (kinds::S3_BUCKET, &S3_BUCKET),
    (kinds::IAM_ROLE, &IAM_ROLE),
    (kinds::IAM_MANAGED_POLICY, &IAM_MANAGED_POLICY),
    (kinds::IAM_INSTANCE_PROFILE, &IAM_INSTANCE_PROFILE),
    (kinds::DYNAMODB_TABLE, &DYNAMODB_TABLE),
    (kinds::RDS_DB_INSTANCE, &RDS_DB_INSTANCE),
    (kinds::RDS_DB_SUBNET_GROUP, &RDS_DB_SUBNET_GROUP),
    (kinds::LOGS_LOG_GROUP, &LOG_GROUP),
    (kinds::SECRETSMANAGER_SECRET, &SECRETSMANAGER_SECRET),
    (kinds::CLOUDWATCH_ALARM, &CLOUDWATCH_ALARM),
    (kinds::LOAD_BALANCER, &LOAD_BALANCER),
    (kinds::TARGET_GROUP, &TARGET_GROUP),
    (crate::lambda::KIND, &LAMBDA_FUNCTION),
    (crate::ecs::CLUSTER_KIND, &ECS_CLUSTER),
    (crate::ecs::TASK_DEFINITION_KIND, &ECS_TASK_FAMILY),
    (crate::ecs::SERVICE_KIND, &ECS_SERVICE),
    (crate::sqs::KIND, &SQS_QUEUE),
    (crate::events::BUS_KIND, &EVENT_BUS),
    (crate::events::RULE_KIND, &EVENT_RULE),
];

pub fn rule_for(kind: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, rule)| *rule)
}

fn alphanumeric(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn lowercase_or_digit(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn letter(c: char) -> bool {
    c.is_ascii_alphabetic()
}

const NONE: &[&str] = &[];

/// `AWS::EC2::SecurityGroup` `GroupName` / `aws_security_group.name` (in a VPC).
pub const SECURITY_GROUP: Rule = Rule {
    what: "security group name",
    min_len: 1,
    max_len: 255,
    allowed: (
        |c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c),
        "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
    ),
    ends: None,
    first: None,
    forbidden_prefixes: &["sg-"],
    forbidden_suffixes: NONE,
    forbidden_substrings: NONE,
    extra: None,
};

/// `AWS::S3::Bucket` `BucketName` / `aws_s3_bucket.bucket` (general purpose buckets).
pub const S3_BUCKET: Rule = Rule {
    what: "S3 bucket name",
    min_len: 3,
    max_len: 63,
    allowed: (
        |c| lowercase_or_digit(c) || c == '.' || c == '-',
        "lowercase letters, digits, `.` and `-`",
    ),
    ends: Some((lowercase_or_digit, "a lowercase letter or digit")),
    first: None,
    forbidden_prefixes: &["xn--", "sthree-", "amzn-s3-demo-"],
    forbidden_suffixes: &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"],
    forbidden_substrings: &[".."],
    extra: Some(|name| {
        let parts: Vec<&str> = name.split('.').collect();
        let ip_like = parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok());
        ip_like.then(|| "it looks like an IP address, which is not allowed".to_owned())
    }),
};

/// `AWS::IAM::Role` `RoleName` / `aws_iam_role.name`.
pub const IAM_ROLE: Rule = Rule {
    what: "IAM role name",
    min_len: 1,
    max_len: 64,
    allowed: (
        |c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c),
        "letters, digits and +=,.@_-",
    ),
    ends: None,
    first: None,
    forbidden_prefixes: NONE,
    forbidden_suffixes: NONE,
    forbidden_substrings: NONE,
    extra: None,
};

/// `AWS::IAM::ManagedPolicy` `ManagedPolicyName` / `aws_iam_policy.name`.
pub const IAM_MANAGED_POLICY: Rule = Rule {
    what: "IAM policy name",
    max_len: 128,
    ..IAM_ROLE
};

/// `AWS::IAM::InstanceProfile` `InstanceProfileName` / `aws_iam_instance_profile.name`.
pub const IAM_INSTANCE_PROFILE: Rule = Rule {
    what: "IAM instance profile name",
    max_len: 128,
    ..IAM_ROLE
};

/// `AWS::ElasticLoadBalancingV2::LoadBalancer` `Name` / `aws_lb.name`.
pub const LOAD_BALANCER: Rule = Rule {
    what: "load balancer name",
    min_len: 1,
    max_len: 32,
    allowed: (|c| alphanumeric(c) || c == '-', "letters, digits and `-`"),
    ends: Some((alphanumeric, "a letter or digit")),
    first: None,
    forbidden_prefixes: &["internal-"],
    forbidden_suffixes: NONE,
    forbidden_substrings: NONE,
    extra: None,
};

/// `AWS::ElasticLoadBalancingV2::TargetGroup` `Name` / `aws_lb_target_group.name`.
pub const TARGET_GROUP: Rule = Rule {
    what: "target group name",
    ..LOAD_BALANCER_SHAPE
};

/// Load balancers and target groups share length and characters; only the reserved prefix differs.
const LOAD_BALANCER_SHAPE: Rule = Rule {
    forbidden_prefixes: NONE,
    ..LOAD_BALANCER
};

/// `AWS::Lambda::Function` `FunctionName` / `aws_lambda_function.function_name`.
pub const LAMBDA_FUNCTION: Rule = Rule {
    what: "Lambda function name",
    min_len: 1,
    max_len: 64,
    allowed: (
        |c| alphanumeric(c) || c == '-' || c == '_',
        "letters, digits, `-` and `_`",
    ),
    ends: None,
    first: None,
    forbidden_prefixes: NONE,
    forbidden_suffixes: NONE,
    forbidden_substrings: NONE,
    extra: None,
};

/// `AWS::ECS::Cluster` `ClusterName` / `aws_ecs_cluster.name`.
pub const ECS_CLUSTER: Rule = Rule {
    what: "ECS cluster name",
    max_len: 255,
    ..LAMBDA_FUNCTION
};

/// `AWS::ECS::TaskDefinition` `Family` / `aws_ecs_task_definition.family`.
pub const ECS_TASK_FAMILY: Rule = Rule {
    what: "ECS task definition family",
    ..ECS_CLUSTER
};

/// `AWS::ECS::Service` `ServiceName` / `aws_ecs_service.name`: unique in its cluster.
pub const ECS_SERVICE: Rule = Rule {
    what: "ECS service name",
    ..ECS_CLUSTER
};

/// `AWS::DynamoDB::Table` `TableName` / `aws_dynamodb_table.name`.
pub const DYNAMODB_TABLE: Rule = Rule {
    what: "DynamoDB table name",
    min_len: 3,
    max_len: 255,
    allowed: (
        |c| alphanumeric(c) || "_-.".contains(c),
        "letters, digits, `_`, `-` and `.`",
    ),
    ..LAMBDA_FUNCTION
};

/// `AWS::SQS::Queue` `QueueName` / `aws_sqs_queue.name`; a FIFO queue's name ends in `.fifo`.
pub const SQS_QUEUE: Rule = Rule {
    what: "SQS queue name",
    min_len: 1,
    max_len: 80,
    allowed: (
        |c| alphanumeric(c) || "-_.".contains(c),
        "letters, digits, `-`, `_` and a `.fifo` suffix",
    ),
    extra: Some(fifo_suffix_only),
    ..LAMBDA_FUNCTION
};

/// `AWS::Events::EventBus` `Name` / `aws_cloudwatch_event_bus.name` of a custom bus (only partner buses'
/// names hold `/`; `CreateEventBus` API reference).
pub const EVENT_BUS: Rule = Rule {
    what: "event bus name",
    min_len: 1,
    max_len: 256,
    allowed: (
        |c| alphanumeric(c) || "._-".contains(c),
        "letters, digits and `._-`",
    ),
    ends: None,
    first: None,
    forbidden_prefixes: NONE,
    forbidden_suffixes: NONE,
    forbidden_substrings: NONE,
    extra: Some(|name| {
        (name == "default").then(|| "`default` is the account's own bus".to_owned())
    }),
};

/// `AWS::Events::Rule` `Name` / `aws_cloudwatch_event_rule.name`.
pub const EVENT_RULE: Rule = Rule {
    what: "event rule name",
    max_len: 64,
    extra: None,
    ..EVENT_BUS
};

/// A standard queue's name: no `.` at all (only a FIFO queue's `.fifo` suffix has one).
pub const SQS_STANDARD_QUEUE: Rule = Rule {
    allowed: (
        |c| alphanumeric(c) || "-_".contains(c),
        "letters, digits, `-` and `_`",
    ),
    extra: None,
    ..SQS_QUEUE
};

/// The name given to a FIFO queue (`sqs::Queue::fifo(..).name(..)`), before the `.fifo` suffix the
/// queue adds: at most 75 characters, so that the whole fits SQS's 80.
pub const SQS_FIFO_QUEUE_BASE: Rule = Rule {
    what: "SQS FIFO queue name (before the `.fifo` the queue adds)",
    max_len: 75,
    allowed: (
        |c| alphanumeric(c) || "-_".contains(c),
        "letters, digits, `-` and `_` (the queue adds its `.fifo` suffix itself)",
    ),
    extra: None,
    ..SQS_QUEUE
};

/// `AWS::SNS::Topic` `TopicName` / `aws_sns_topic.name`; a FIFO topic's name ends in `.fifo`.
pub const SNS_TOPIC: Rule = Rule {
    what: "SNS topic name",
    max_len: 256,
    ..SQS_QUEUE
};

fn fifo_suffix_only(name: &str) -> Option<String> {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    base.contains('.')
        .then(|| "it contains `.`, allowed only in a `.fifo` suffix".to_owned())
}

/// `AWS::RDS::DBInstance` `DBInstanceIdentifier` / `aws_db_instance.identifier`. RDS stores it in
/// lowercase, so uppercase letters would make the definition and the cloud disagree.
pub const RDS_DB_INSTANCE: Rule = Rule {
    what: "RDS DB instance identifier",
    min_len: 1,
    max_len: 63,
    allowed: (
        |c| lowercase_or_digit(c) || c == '-',
        "lowercase letters, digits and `-`",
    ),
    ends: Some((lowercase_or_digit, "a lowercase letter or digit")),
    first: Some((letter, "a letter")),
    forbidden_prefixes: NONE,
    forbidden_suffixes: NONE,
    forbidden_substrings: &["--"],
    extra: None,
};

/// `AWS::RDS::DBSubnetGroup` `DBSubnetGroupName` / `aws_db_subnet_group.name`; RDS stores it in
/// lowercase, and `default` names the VPC's default group.
pub const RDS_DB_SUBNET_GROUP: Rule = Rule {
    what: "DB subnet group name",
    min_len: 1,
    max_len: 255,
    allowed: (
        |c| lowercase_or_digit(c) || " ._-".contains(c),
        "lowercase letters, digits, spaces and `._-`",
    ),
    ends: None,
    first: None,
    forbidden_prefixes: NONE,
    forbidden_suffixes: NONE,
    forbidden_substrings: NONE,
    extra: Some(|name| (name == "default").then(|| "`default` is reserved".to_owned())),
};

/// `AWS::SecretsManager::Secret` `Name` / `aws_secretsmanager_secret.name`.
pub const SECRETSMANAGER_SECRET: Rule = Rule {
    what: "secret name",
    min_len: 1,
    max_len: 512,
    allowed: (
        |c| alphanumeric(c) || "/_+=.@-".contains(c),
        "letters, digits and /_+=.@-",
    ),
    ..LAMBDA_FUNCTION
};

/// `AWS::CloudWatch::Alarm` `AlarmName` / `aws_cloudwatch_metric_alarm.alarm_name`.
pub const CLOUDWATCH_ALARM: Rule = Rule {
    what: "alarm name",
    min_len: 1,
    max_len: 255,
    allowed: (|c| (' '..='~').contains(&c), "printable ASCII characters"),
    ..LAMBDA_FUNCTION
};

/// `AWS::Logs::LogGroup` `LogGroupName` / `aws_cloudwatch_log_group.name`.
pub const LOG_GROUP: Rule = Rule {
    what: "log group name",
    min_len: 1,
    max_len: 512,
    allowed: (
        |c| alphanumeric(c) || "_-/.#".contains(c),
        "letters, digits and _-/.#",
    ),
    ..LAMBDA_FUNCTION
};

/// Adds `.name(...)` to a builder whose kind has a rule in [`RULES`] and keeps its node in `resource`.
macro_rules! physical_name {
    ($builder:ident) => {
        impl $builder {
            /// Gives the resource a physical name: the app's naming pattern applied to `name`
            /// (`{app}-{env}-{name}` by default), checked against the type's naming rule. Without it the
            /// engine generates a unique name, so that copies of an environment never collide: name a
            /// resource only when something outside the definition needs to find it by name.
            pub fn name(mut self, name: impl Into<String>) -> Self {
                match $crate::naming::rule_for(self.resource.kind) {
                    Some(rule) => {
                        self.resource.physical_name = Some(stackwright_core::naming::PhysicalName {
                            name: name.into(),
                            rule,
                        })
                    }
                    None => self.resource.problems.push(format!(
                        "internal: resource kind `{}` has a name setter but no naming rule",
                        self.resource.kind
                    )),
                }
                self
            }
        }
    };
}
pub(crate) use physical_name;

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rule: &Rule, name: &str, expected: &[&str]) {
        let problems = rule.problems(name);
        assert_eq!(problems.len(), expected.len(), "{name}: {problems:?}");
        for (problem, fragment) in problems.iter().zip(expected) {
            assert!(
                problem.contains(fragment),
                "{name}: {problem} lacks {fragment}"
            );
        }
    }

    #[test]
    fn a_derived_name_is_judged_in_the_same_words_in_every_environment() {
        let dev = format!("demo-dev-main-{}.fifo", "q".repeat(70));
        let prod = format!("demo-prod-main-{}.fifo", "q".repeat(70));
        let said = SQS_QUEUE.derived_name_problems(&dev);
        assert_eq!(said, ["it is too long: expected 1 to 80 characters"]);
        assert_eq!(SQS_QUEUE.derived_name_problems(&prod), said);
        assert_eq!(
            SQS_QUEUE.derived_name_problems(""),
            ["it is too short: expected 1 to 80 characters"]
        );
        assert_eq!(
            SQS_QUEUE.derived_name_problems("demo-dev-main-a.b"),
            SQS_QUEUE.problems("demo-dev-main-a.b")
        );
        assert!(SQS_QUEUE
            .derived_name_problems("demo-dev-main-Jobs")
            .is_empty());
    }

    #[test]
    fn rules() {
        check(&SECURITY_GROUP, "shop-prod-web (HTTPS)", &[]);
        check(&SECURITY_GROUP, "sg-web", &["starts with `sg-`"]);
        check(&SECURITY_GROUP, "web|db", &["contains `|`"]);
        check(&S3_BUCKET, "shop-prod-assets", &[]);
        check(
            &S3_BUCKET,
            "shop_Assets_x",
            &["contains `_`, `A`, expected only"],
        );
        check(&S3_BUCKET, "ab", &["2 characters long, expected 3 to 63"]);
        check(&S3_BUCKET, &"a".repeat(64), &["64 characters long"]);
        check(
            &S3_BUCKET,
            "-shop",
            &["start and end with a lowercase letter or digit"],
        );
        check(&S3_BUCKET, "192.168.5.4", &["looks like an IP address"]);
        check(&S3_BUCKET, "a..b", &["contains `..`"]);
        check(&S3_BUCKET, "xn--shop", &["starts with `xn--`"]);
        check(&S3_BUCKET, "shop-s3alias", &["ends with `-s3alias`"]);
        check(&IAM_ROLE, "shop-prod-deployer+ci@x", &[]);
        check(&SQS_STANDARD_QUEUE, "jobs.fifo", &["contains `.`"]);
        check(&SQS_FIFO_QUEUE_BASE, &"q".repeat(75), &[]);
        check(
            &SQS_FIFO_QUEUE_BASE,
            &"q".repeat(76),
            &["76 characters long, expected 1 to 75"],
        );
        check(&EVENT_BUS, "shop-orders.v2", &[]);
        check(&EVENT_BUS, "default", &["the account's own bus"]);
        check(&EVENT_BUS, "a/b", &["contains `/`"]);
        check(
            &EVENT_RULE,
            &"r".repeat(65),
            &["65 characters long, expected 1 to 64"],
        );
        check(
            &IAM_ROLE,
            &"r".repeat(65),
            &["65 characters long, expected 1 to 64"],
        );
        check(&LOAD_BALANCER, "notebook-prod-frankfurt-public", &[]);
        check(
            &LOAD_BALANCER,
            "notebook-prod-frankfurt-public-lb",
            &["33 characters long, expected 1 to 32"],
        );
        check(&LOAD_BALANCER, "internal-web", &["starts with `internal-`"]);
        check(&TARGET_GROUP, "internal-web", &[]);
        check(
            &TARGET_GROUP,
            "web-",
            &["start and end with a letter or digit"],
        );
        check(&SQS_QUEUE, "jobs.fifo", &[]);
        check(&SQS_QUEUE, "jobs.v2", &["allowed only in a `.fifo` suffix"]);
        check(&SNS_TOPIC, &"t".repeat(256), &[]);
        check(&RDS_DB_INSTANCE, "shop-prod-db", &[]);
        check(
            &RDS_DB_INSTANCE,
            "1shop--db-",
            &["start and end", "start with a letter", "contains `--`"],
        );
        check(&LOG_GROUP, "/shop/prod/web", &[]);
        check(&DYNAMODB_TABLE, "ab", &["expected 3 to 255"]);
        check(&IAM_MANAGED_POLICY, &"p".repeat(128), &[]);
        check(&RDS_DB_SUBNET_GROUP, "default", &["`default` is reserved"]);
        check(&RDS_DB_SUBNET_GROUP, "Db", &["contains `D`"]);
        check(&SECRETSMANAGER_SECRET, "shop/prod/db", &[]);
        check(&SECRETSMANAGER_SECRET, "a b", &["contains ` `"]);
        check(&CLOUDWATCH_ALARM, "shop-prod: 5xx > 1%", &[]);
        check(&LAMBDA_FUNCTION, "shop-prod-resize_images", &[]);
    }

    #[test]
    fn every_rule_is_keyed_by_a_distinct_kind() {
        let mut kinds: Vec<&str> = RULES.iter().map(|(k, _)| *k).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), RULES.len());
        assert_eq!(
            rule_for(kinds::SECURITY_GROUP).map(|r| r.what),
            Some("security group name")
        );
        assert!(rule_for(kinds::VPC).is_none());
    }
}
