//! Certificate Manager: a DNS-validated certificate becomes the certificate, its validation records and
//! the validation wait, as the provider splits them.

use super::{Attrs, Lowering, Secondary, Service};
use crate::names::certificate_validation_names;
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Expr;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::CERTIFICATE).then_some(("aws_acm_certificate", false))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    (kind == kinds::CERTIFICATE && attr == "arn").then_some("arn")
}

/// The validation a resource using `arn` must wait for, when `arn` is a certificate of this stack.
pub(super) fn validation_address(l: &Lowering, arn: &Expr) -> Option<String> {
    let Expr::Attr(attr) = arn else { return None };
    let certificate = l.stack.resource(attr.resource)?;
    (certificate.kind == kinds::CERTIFICATE).then(|| {
        let [_, validation] =
            certificate_validation_names(&l.names.resources[attr.resource.index as usize]);
        format!("aws_acm_certificate_validation.{validation}")
    })
}

fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    let resource = a.resource;
    if resource.kind != kinds::CERTIFICATE {
        return false;
    }
    a.copy("domain_name", "domain_name");
    a.copy("subject_alternative_names", "subject_alternative_names");
    a.insert("validation_method", Json::from("DNS"));
    if resource
        .get("transparency_logging")
        .and_then(|v| v.as_bool())
        == Some(true)
    {
        a.insert(
            "options",
            json!({ "certificate_transparency_logging_preference": "ENABLED" }),
        );
    }
    // A replacement certificate must exist before listeners can switch to it and the old one goes.
    a.insert("lifecycle", json!({ "create_before_destroy": true }));
    a.tags();

    let zone_id = resource
        .get("validation_zone_id")
        .map(|v| a.value(v))
        .unwrap_or(Json::Null);
    let [records, validation] = certificate_validation_names(name);
    // One record per name ACM asks to validate, keyed by the name (known at plan time, unlike the
    // records' contents). A wildcard and its apex share a record, hence `allow_overwrite`.
    let mut record = Map::new();
    record.insert(
        "for_each".into(),
        Json::String(format!(
            "${{{{for option in aws_acm_certificate.{name}.domain_validation_options : option.domain_name => option}}}}"
        )),
    );
    record.insert("allow_overwrite".into(), Json::Bool(true));
    record.insert("name".into(), json!("${each.value.resource_record_name}"));
    record.insert(
        "records".into(),
        json!(["${each.value.resource_record_value}"]),
    );
    record.insert("ttl".into(), json!(60));
    record.insert("type".into(), json!("${each.value.resource_record_type}"));
    record.insert("zone_id".into(), zone_id);
    out.blocks
        .push(("aws_route53_record", records.clone(), record));

    let mut wait = Map::new();
    wait.insert(
        "certificate_arn".into(),
        Json::String(format!("${{aws_acm_certificate.{name}.arn}}")),
    );
    wait.insert(
        "validation_record_fqdns".into(),
        Json::String(format!(
            "${{[for record in aws_route53_record.{records} : record.fqdn]}}"
        )),
    );
    out.blocks
        .push(("aws_acm_certificate_validation", validation, wait));
    true
}
