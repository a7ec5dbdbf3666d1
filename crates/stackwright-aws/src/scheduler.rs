//! EventBridge Scheduler: a function invoked on a schedule, by a role made for the schedule.

use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{PolicyDocument, Principal, Role, RoleHandle, RolePolicy, Statement};
use crate::lambda::FunctionHandle;
use crate::{construct, Handle};
use stackwright_core::{interpolate, Declare, Expr, HasResourceRef, Resource, ResourceRef, Stack};

/// The neutral kind of a schedule.
pub const KIND: &str = "aws.scheduler.Schedule";

/// A schedule in each target.
pub(crate) static SCHEDULE: Spelling = Spelling {
    kind: KIND,
    cloudformation: "AWS::Scheduler::Schedule",
    terraform: "aws_scheduler_schedule",
    terraform_tags: false,
    attributes: &[
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("name", Read::Ref, "name"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// Why a schedule without a customer managed key is not a finding.
const AWS_OWNED_KEY: &str = "EventBridge Scheduler encrypts the schedule with an AWS owned key; it holds \
     the target's ARN and the role's, no data";

/// A schedule that invokes a Lambda function (CloudFormation `AWS::Scheduler::Schedule`, Terraform
/// `aws_scheduler_schedule`), declared by [`add_to`](Self::add_to) with a role that EventBridge
/// Scheduler assumes for this account only (`aws:SourceAccount`) and that may invoke this function only.
/// On time: no flexible window unless [`flexible_window_minutes`](Self::flexible_window_minutes).
pub struct Schedule {
    resource: Resource,
    expression: String,
    function: FunctionHandle,
    timezone: Option<String>,
    window_minutes: Option<i64>,
    description: Option<String>,
    enabled: bool,
}

impl Schedule {
    /// Invokes `function` on `expression`: `rate(5 minutes)`, `cron(0 12 * * ? *)` or
    /// `at(2027-01-01T00:00:00)`.
    #[track_caller]
    pub fn invoke(id: impl Into<String>, expression: impl Into<String>, function: &FunctionHandle) -> Self {
        let mut resource = Resource::new(id, KIND);
        let expression = expression.into();
        if let Some(problem) = expression_problem(&expression) {
            resource.problems.push(format!(
                "schedule expression `{expression}`: {problem}; expected `rate(5 minutes)`, \
                 `cron(0 12 * * ? *)` or `at(2027-01-01T00:00:00)`"
            ));
        }
        Schedule {
            resource,
            expression,
            function: function.clone(),
            timezone: None,
            window_minutes: None,
            description: None,
            enabled: true,
        }
    }

    /// The time zone `cron(..)` and `at(..)` read (`Europe/Berlin`); UTC otherwise.
    pub fn timezone(mut self, zone: impl Into<String>) -> Self {
        let zone = zone.into();
        if zone.is_empty() || zone.len() > 50 || zone.contains(char::is_whitespace) {
            self.resource.problems.push(format!(
                "schedule time zone `{zone}`: expected an IANA name such as `Europe/Berlin`"
            ));
        }
        self.timezone = Some(zone);
        self
    }

    /// Lets Scheduler invoke up to `minutes` (1 to 1,440) after the scheduled time, to spread load.
    pub fn flexible_window_minutes(mut self, minutes: i64) -> Self {
        if !(1..=1440).contains(&minutes) {
            self.resource.problems.push(format!(
                "flexible window of {minutes} minutes: expected 1 to 1440"
            ));
        }
        self.window_minutes = Some(minutes);
        self
    }

    /// What the schedule is for, at most 512 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        crate::check::check_length(&mut self.resource, "schedule description", &text, 512);
        self.description = Some(text);
        self
    }

    /// Declares the schedule turned off (`DISABLED`).
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }

    /// Declares the role (`<id>-Role`), its policy (`<id>-Invoke`) and the schedule in `stack`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> ScheduleHandle {
        let Schedule {
            mut resource,
            expression,
            function,
            timezone,
            window_minutes,
            description,
            enabled,
        } = self;
        let id = resource.id.clone();
        // Its role and policy are named after it: a bad or taken id is one error, not one per part.
        stack.check_composite_id("schedule", &id, resource.location);
        // Only EventBridge Scheduler acting for this account may assume the role (no confused deputy).
        let trust = PolicyDocument::from(
            Statement::allow()
                .principal(Principal::service("scheduler.amazonaws.com"))
                .action("sts:AssumeRole")
                .condition("StringEquals", "aws:SourceAccount", [Expr::account_id()]),
        );
        let role = stack.add(
            Role::new(format!("{id}-Role"), trust)
                .description(format!("Invokes the function of schedule {id}")),
        );
        let invoke = PolicyDocument::from(
            Statement::allow()
                .action("lambda:InvokeFunction")
                .resources([function.arn(), interpolate![function.arn(), ":*"]]),
        );
        let policy = stack.add(RolePolicy::new(format!("{id}-Invoke"), &role, invoke));
        resource.depends_on.push(policy.resource_ref());
        let state = if enabled { "ENABLED" } else { "DISABLED" };
        let mut cfn = Form::new();
        cfn.set_some("Description", description.clone())
            .set("ScheduleExpression", expression.as_str())
            .set_some("ScheduleExpressionTimezone", timezone.clone())
            .set("State", state);
        let mut tf = Form::new();
        tf.set_some("description", description)
            .set("schedule_expression", expression.as_str())
            .set_some("schedule_expression_timezone", timezone)
            .set("state", state);
        match window_minutes {
            Some(minutes) => {
                cfn.set(
                    "FlexibleTimeWindow",
                    object(&[
                        ("Mode", "FLEXIBLE".into()),
                        ("MaximumWindowInMinutes", minutes.into()),
                    ]),
                );
                tf.set(
                    "flexible_time_window",
                    object(&[
                        ("mode", "FLEXIBLE".into()),
                        ("maximum_window_in_minutes", minutes.into()),
                    ]),
                );
            }
            None => {
                cfn.set("FlexibleTimeWindow", object(&[("Mode", "OFF".into())]));
                tf.set("flexible_time_window", object(&[("mode", "OFF".into())]));
            }
        }
        cfn.set(
            "Target",
            object(&[
                ("Arn", function.arn().into()),
                ("RoleArn", role.arn().into()),
            ]),
        );
        tf.set(
            "target",
            object(&[
                ("arn", function.arn().into()),
                ("role_arn", role.arn().into()),
            ]),
        )
        .checkov_skip("CKV_AWS_297", AWS_OWNED_KEY);
        construct::finish(&mut resource, cfn, tf);
        let handle = stack.add(Ready(resource));
        ScheduleHandle {
            handle,
            role,
        }
    }
}
common_setters!(Schedule);
patchable!(Schedule, SCHEDULE);

/// What is wrong with a schedule expression, if anything: its shape, and for `cron(..)` and `at(..)` the
/// ranges EventBridge Scheduler accepts (minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or
/// JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199; `?` in exactly one day field).
pub(crate) fn expression_problem(expression: &str) -> Option<String> {
    let Some((kind, rest)) = expression.split_once('(') else {
        return Some("no `(`".into());
    };
    let Some(body) = rest.strip_suffix(')') else {
        return Some("it does not end with `)`".into());
    };
    match kind {
        "rate" => {
            let mut words = body.split(' ');
            let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
                return Some("a rate is a number and a unit".into());
            };
            let units = ["minute", "minutes", "hour", "hours", "day", "days"];
            match value.parse::<u32>() {
                Ok(n) if n >= 1 && units.contains(&unit) && (n == 1) != unit.ends_with('s') => None,
                _ => Some("a rate is a positive number and its unit (`1 hour`, `5 minutes`)".into()),
            }
        }
        "cron" => {
            let fields: Vec<&str> = body.split(' ').collect();
            let [minutes, hours, day, month, weekday, year] = fields[..] else {
                return Some("a cron expression has six fields".into());
            };
            let checks = [
                ("minutes", minutes, 0, 59),
                ("hours", hours, 0, 23),
                ("day-of-month", day, 1, 31),
                ("month", month, 1, 12),
                ("day-of-week", weekday, 1, 7),
                ("year", year, 1970, 2199),
            ];
            for (field, text, low, high) in checks {
                if let Some(problem) = cron_field_problem(field, text, low, high) {
                    return Some(problem);
                }
            }
            // EventBridge Scheduler: a value or `*` in one of the two day fields, `?` in the other.
            if (day == "?") == (weekday == "?") {
                return Some(format!(
                    "day-of-month `{day}` and day-of-week `{weekday}`: exactly one of them is `?`"
                ));
            }
            None
        }
        "at" => at_problem(body),
        _ => Some("it is not `rate`, `cron` or `at`".into()),
    }
}

/// What is wrong with one field of a cron expression: each of its comma-separated items is `*`, `?`
/// (day fields only), a value, a range `a-b`, an increment `a/n` or `*/n`, or a day field's `L`, `W`
/// and `#` forms, with values from `low` to `high` (month and day-of-week names too).
fn cron_field_problem(field: &str, text: &str, low: u32, high: u32) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let days = field.starts_with("day");
    let value = |part: &str| -> bool {
        let part = match field {
            "day-of-month" => part.strip_suffix('W').unwrap_or(part),
            "day-of-week" => part.strip_suffix('L').unwrap_or(part),
            _ => part,
        };
        let named = match field {
            "month" => MONTHS.contains(&part),
            "day-of-week" => DAYS.contains(&part),
            _ => false,
        };
        named || part.parse::<u32>().is_ok_and(|n| (low..=high).contains(&n))
    };
    let fits = |item: &str| -> bool {
        if item == "*" || (days && (item == "?" || item == "L")) || (field == "day-of-month" && item == "LW")
        {
            return true;
        }
        if let Some((start, step)) = item.split_once('/') {
            let positive = step.parse::<u32>().is_ok_and(|n| n >= 1);
            return positive && (start == "*" || value(start));
        }
        if let Some((weekday, nth)) = item.split_once('#') {
            return field == "day-of-week"
                && value(weekday)
                && nth.parse::<u32>().is_ok_and(|n| (1..=5).contains(&n));
        }
        match item.split_once('-') {
            Some((from, to)) => value(from) && value(to),
            None => value(item),
        }
    };
    let list = text == "?" || !text.contains('?');
    if list && !text.is_empty() && text.split(',').all(fits) {
        return None;
    }
    let names = match field {
        "month" => " or JAN-DEC",
        "day-of-week" => " or SUN-SAT",
        _ => "",
    };
    Some(format!(
        "cron {field} `{text}`: expected values {low}-{high}{names}, `*`, ranges `a-b`, lists `a,b` \
         and increments `a/n`"
    ))
}

/// What is wrong with a one-time schedule's `yyyy-mm-ddThh:mm:ss`, if anything: its shape and that it is
/// a date and time of the calendar.
fn at_problem(body: &str) -> Option<String> {
    let shape = "a one-time schedule is `yyyy-mm-ddThh:mm:ss`";
    let bytes = body.as_bytes();
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if body.len() != 19 || separators.iter().any(|&(i, c)| bytes[i] != c) {
        return Some(shape.into());
    }
    let number = |range: std::ops::Range<usize>| body[range].parse::<u32>().ok();
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(0..4),
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    ) else {
        return Some(shape.into());
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Some(format!("{shape}, and month {month} is not 1 to 12")),
    };
    if !(1..=days).contains(&day) {
        return Some(format!("{shape}, and day {day} is not 1 to {days} of month {month}"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Some(format!("{shape}, and `{}` is no time of day", &body[11..]));
    }
    None
}

attr_handle!(
    /// A declared schedule, with the role it invokes its target as.
    ScheduleHandle {
        arn: "arn",
        /// The schedule's name.
        name: "name",
    } role: RoleHandle
);

impl ScheduleHandle {
    /// The role EventBridge Scheduler assumes to invoke the target.
    pub fn role(&self) -> &RoleHandle {
        &self.role
    }
}

/// A node whose forms are written: declared as is.
struct Ready(Resource);

impl Declare for Ready {
    type Handle = Handle;
    fn declare(self, at: ResourceRef) -> (Resource, Handle) {
        (self.0, Handle(at))
    }
}
