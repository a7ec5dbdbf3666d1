//! CloudWatch metric alarms.

use super::{Attrs, Secondary, Service};
use crate::expr;
use serde_json::Value as Json;
use stackwright_aws::kinds;
use stackwright_core::{Expr, Value};

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::CLOUDWATCH_ALARM).then_some(("aws_cloudwatch_metric_alarm", false))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    if kind != kinds::CLOUDWATCH_ALARM {
        return None;
    }
    Some(match attr {
        "name" => "alarm_name",
        "arn" => "arn",
        _ => return None,
    })
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    let resource = a.resource;
    if resource.kind != kinds::CLOUDWATCH_ALARM {
        return false;
    }
    // The provider requires a name, which CloudFormation would generate.
    let name = a.lowering.checked_required_name(resource, a.problems);
    a.insert("alarm_name", Json::String(expr::escape(&name)));
    a.copy("description", "alarm_description");
    a.copy("namespace", "namespace");
    a.copy("metric_name", "metric_name");
    if resource
        .get("dimensions")
        .and_then(Value::as_map)
        .is_some_and(|d| !d.is_empty())
    {
        a.copy("dimensions", "dimensions");
    }
    a.copy("statistic", "statistic");
    a.copy("period", "period");
    a.copy("evaluation_periods", "evaluation_periods");
    a.copy("datapoints_to_alarm", "datapoints_to_alarm");
    let threshold = resource
        .get("threshold")
        .and_then(Value::as_expr)
        .and_then(Expr::as_literal);
    a.insert("threshold", super::number(threshold.unwrap_or_default()));
    a.copy("comparison", "comparison_operator");
    a.copy("treat_missing_data", "treat_missing_data");
    a.copy("alarm_actions", "alarm_actions");
    a.copy("ok_actions", "ok_actions");
    a.copy("insufficient_data_actions", "insufficient_data_actions");
    a.tags();
    true
}
