//! CloudWatch metric alarms.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::{Expr, Value};

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    if kind != kinds::CLOUDWATCH_ALARM {
        return None;
    }
    Some(match attr {
        "name" => Attribute::Ref,
        "arn" => Attribute::GetAtt("Arn"),
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    if resource.kind != kinds::CLOUDWATCH_ALARM {
        return None;
    }
    p.physical_name("AlarmName");
    p.copy("description", "AlarmDescription");
    p.copy("namespace", "Namespace");
    p.copy("metric_name", "MetricName");
    if let Some(Value::Map(dimensions)) = resource.get("dimensions") {
        let dimensions: Vec<Json> = dimensions
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": p.value(value) }))
            .collect();
        if !dimensions.is_empty() {
            p.insert("Dimensions", Json::Array(dimensions));
        }
    }
    p.copy("statistic", "Statistic");
    p.copy("period", "Period");
    p.copy("evaluation_periods", "EvaluationPeriods");
    p.copy("datapoints_to_alarm", "DatapointsToAlarm");
    let threshold = resource
        .get("threshold")
        .and_then(Value::as_expr)
        .and_then(Expr::as_literal);
    p.insert("Threshold", super::number(threshold.unwrap_or_default()));
    p.copy("comparison", "ComparisonOperator");
    p.copy("treat_missing_data", "TreatMissingData");
    p.copy("alarm_actions", "AlarmActions");
    p.copy("ok_actions", "OKActions");
    p.copy("insufficient_data_actions", "InsufficientDataActions");
    Some("AWS::CloudWatch::Alarm")
}
