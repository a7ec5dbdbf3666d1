//! Certificate Manager: DNS-validated certificates.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    (kind == kinds::CERTIFICATE && attr == "arn").then_some(Attribute::Ref)
}

/// CloudFormation writes the validation records into the zone named for each domain and completes the
/// resource only once the certificate is issued, so users of its ARN wait for validation by themselves.
fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    if resource.kind != kinds::CERTIFICATE {
        return None;
    }
    p.copy("domain_name", "DomainName");
    p.copy("subject_alternative_names", "SubjectAlternativeNames");
    p.insert("ValidationMethod", Json::from("DNS"));
    let zone = resource
        .get("validation_zone_id")
        .map(|v| p.value(v))
        .unwrap_or(Json::Null);
    let names: Vec<&Value> = resource
        .get("domain_name")
        .into_iter()
        .chain(
            resource
                .get("subject_alternative_names")
                .and_then(Value::as_list)
                .unwrap_or_default(),
        )
        .collect();
    let literal = |name: &Value| {
        name.as_expr()
            .and_then(|e| e.as_literal())
            .map(str::to_owned)
    };
    let literals: Vec<String> = names.iter().filter_map(|n| literal(n)).collect();
    // `*.example.com` is validated by the same record as `example.com`; CloudFormation would try to
    // write that record twice and fail, so a wildcard beside its apex gets no option of its own.
    let options = names
        .into_iter()
        .filter(|name| {
            literal(name)
                .and_then(|n| n.strip_prefix("*.").map(str::to_owned))
                .is_none_or(|apex| !literals.contains(&apex))
        })
        .map(|name| json!({ "DomainName": p.value(name), "HostedZoneId": zone }))
        .collect();
    p.insert("DomainValidationOptions", Json::Array(options));
    if resource
        .get("transparency_logging")
        .and_then(Value::as_bool)
        == Some(true)
    {
        p.insert(
            "CertificateTransparencyLoggingPreference",
            Json::from("ENABLED"),
        );
    }
    Some("AWS::CertificateManager::Certificate")
}
