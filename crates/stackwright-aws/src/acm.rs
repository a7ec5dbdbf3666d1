//! Certificate Manager: public TLS certificates.

use crate::check;
use crate::construct::{object, terraform_expression, Attribute, Block, Form, Hcl, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::route53::HostedZoneHandle;
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Resource, ResourceRef, Value};

/// The suffix of a certificate's Terraform validation wait, which HTTPS and TLS listeners wait for.
pub(crate) const VALIDATION: &str = "_validation";

/// A certificate in each target: Terraform splits it into the certificate, its validation records (one
/// `for_each` block) and the validation wait, as the provider does.
pub(crate) static CERTIFICATE: Spelling = Spelling {
    kind: kinds::CERTIFICATE,
    cloudformation: "AWS::CertificateManager::Certificate",
    terraform: "aws_acm_certificate",
    terraform_tags: true,
    attributes: &[Attribute::new("arn", Read::Ref, "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[
        Block {
            type_name: "aws_route53_record",
            suffix: "_validation_record",
            named_by: None,
        },
        Block {
            type_name: "aws_acm_certificate_validation",
            suffix: VALIDATION,
            named_by: None,
        },
    ],
};

/// A public certificate for a domain (and further names), validated through DNS records in a hosted
/// zone, so that it is issued, and renewed, without anyone acting.
///
/// CloudFormation writes the validation records and waits for the certificate itself; Terraform gets the
/// certificate, one validation record per name and an `aws_acm_certificate_validation` to wait on, and
/// HTTPS listeners using the certificate wait for that validation. Certificate transparency logging stays
/// on (browsers distrust certificates that are not logged).
pub struct Certificate {
    resource: Resource,
    zone: String,
    alternative_names: Vec<String>,
}

impl Certificate {
    /// A certificate for `domain_name` (e.g. `example.com` or `*.example.com`), validated in `zone`, which
    /// must contain the name.
    #[track_caller]
    pub fn dns_validated(
        id: impl Into<String>,
        domain_name: &str,
        zone: &HostedZoneHandle,
    ) -> Self {
        Self::with_id(id.into(), domain_name, zone)
    }

    #[track_caller]
    fn with_id(id: String, domain_name: &str, zone: &HostedZoneHandle) -> Self {
        let mut resource = Resource::new(id, kinds::CERTIFICATE);
        let zone_name = zone.domain().to_owned();
        check_name(&mut resource, domain_name, &zone_name);
        resource.set("domain_name", domain_name);
        resource.set("validation_zone_id", zone.id());
        resource.set("transparency_logging", true);
        Certificate {
            resource,
            zone: zone_name,
            alternative_names: Vec::new(),
        }
    }

    /// Another name the certificate is valid for (a subject alternative name), in the same zone.
    pub fn subject_alternative_name(mut self, name: &str) -> Self {
        check_name(&mut self.resource, name, &self.zone);
        let domain = self.resource.get("domain_name").and_then(|v| v.as_expr());
        let duplicate = self.alternative_names.iter().any(|n| n == name)
            || domain.and_then(|d| d.as_literal()) == Some(name);
        if duplicate {
            self.resource.problems.push(format!(
                "certificate name `{name}` is listed twice: expected each name once"
            ));
        }
        self.alternative_names.push(name.to_owned());
        self
    }
}
common_setters!(Certificate, taggable);
patchable!(Certificate, CERTIFICATE);

/// A certificate name must be a domain name (wildcards allowed) inside the validating zone. checkov
/// CKV2_AWS_71 fails on a wildcard name: allowed, because a wildcard is the user's explicit choice.
fn check_name(resource: &mut Resource, name: &str, zone: &str) {
    if let Err(e) = check::domain_name(name, true) {
        resource.problems.push(format!("certificate: {e}"));
    } else if !check::is_within_zone(name, zone) {
        resource.problems.push(format!(
            "certificate name `{name}` is outside its validation zone `{zone}`: expected the zone's name \
             or a name inside it"
        ));
    }
}

attr_handle!(
    /// A declared certificate.
    CertificateHandle {
        /// The certificate's ARN; in Terraform, resources using it wait until it is validated.
        arn: "arn",
    }
);

impl Certificate {
    /// A certificate that exists outside the app (e.g. issued by another team), by ARN; only `arn` can
    /// be used.
    #[track_caller]
    pub fn from_arn(
        id: impl Into<String>,
        arn: impl Into<stackwright_core::Expr>,
    ) -> crate::Existing<CertificateHandle> {
        crate::Existing::new(
            id,
            kinds::CERTIFICATE,
            vec![("arn", arn.into())],
            |handle| CertificateHandle { handle },
        )
    }
}

impl Declare for Certificate {
    type Handle = CertificateHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, CertificateHandle) {
        if self.alternative_names.len() > 100 {
            self.resource.problems.push(format!(
                "certificate has {} subject alternative names: expected at most 100",
                self.alternative_names.len()
            ));
        }
        if !self.alternative_names.is_empty() {
            let names = self
                .alternative_names
                .into_iter()
                .map(Value::from)
                .collect();
            self.resource
                .set("subject_alternative_names", Value::List(names));
        }
        let handle = CertificateHandle { handle: Handle(at) };
        spell(&mut self.resource, &handle);
        (self.resource, handle)
    }
}

/// Writes the certificate's forms from the builder's properties.
fn spell(resource: &mut Resource, handle: &CertificateHandle) {
    let certificate = &*resource;
    let zone = certificate
        .get("validation_zone_id")
        .cloned()
        .unwrap_or(Value::from(""));
    let transparency = certificate
        .get("transparency_logging")
        .and_then(Value::as_bool)
        == Some(true);
    let names: Vec<&Value> = certificate
        .get("domain_name")
        .into_iter()
        .chain(
            certificate
                .get("subject_alternative_names")
                .and_then(Value::as_list)
                .unwrap_or_default(),
        )
        .collect();
    fn literal(name: &Value) -> Option<&str> {
        name.as_expr().and_then(|e| e.as_literal())
    }
    let literals: Vec<&str> = names.iter().filter_map(|n| literal(n)).collect();

    // CloudFormation writes the validation records into the zone named for each domain and completes the
    // resource only once the certificate is issued, so users of its ARN wait for validation by
    // themselves. `*.example.com` is validated by the same record as `example.com`; CloudFormation would
    // try to write that record twice and fail, so a wildcard beside its apex gets no option of its own.
    let options = names
        .iter()
        .filter(|name| {
            literal(name)
                .and_then(|n| n.strip_prefix("*."))
                .is_none_or(|apex| !literals.contains(&apex))
        })
        .map(|name| object(&[("DomainName", (*name).clone()), ("HostedZoneId", zone.clone())]))
        .collect();
    let mut cfn = Form::new();
    cfn.copy(certificate, "domain_name", "DomainName")
        .copy(
            certificate,
            "subject_alternative_names",
            "SubjectAlternativeNames",
        )
        .set("ValidationMethod", "DNS")
        .set("DomainValidationOptions", Value::List(options));
    if transparency {
        cfn.set("CertificateTransparencyLoggingPreference", "ENABLED");
    }

    let mut tf = Form::new();
    tf.copy(certificate, "domain_name", "domain_name")
        .copy(
            certificate,
            "subject_alternative_names",
            "subject_alternative_names",
        )
        .set("validation_method", "DNS");
    if transparency {
        tf.set(
            "options",
            object(&[(
                "certificate_transparency_logging_preference",
                "ENABLED".into(),
            )]),
        );
    }
    // A replacement certificate must exist before listeners can switch to it and the old one goes.
    tf.set(
        "lifecycle",
        object(&[("create_before_destroy", Value::Bool(true))]),
    );

    // One record per name ACM asks to validate, keyed by the name (known at plan time, unlike the
    // records' contents). A wildcard and its apex share a record, hence `allow_overwrite`.
    let each = |field: &'static str| terraform_expression(vec![Hcl::Raw(field)]);
    let mut record = Form::new();
    record
        .terraform_expression(
            "for_each",
            vec![
                Hcl::Raw("{for option in "),
                Hcl::Block {
                    suffix: "",
                    attribute: "domain_validation_options",
                },
                Hcl::Raw(" : option.domain_name => option}"),
            ],
        )
        .set("allow_overwrite", true)
        .set("name", each("each.value.resource_record_name"))
        .set(
            "records",
            Value::List(vec![each("each.value.resource_record_value")]),
        )
        .set("ttl", 60)
        .set("type", each("each.value.resource_record_type"))
        .set("zone_id", zone);
    let mut wait = Form::new();
    wait.set("certificate_arn", handle.arn())
        .terraform_expression(
            "validation_record_fqdns",
            vec![
                Hcl::Raw("[for record in "),
                Hcl::Block {
                    suffix: "_validation_record",
                    attribute: "",
                },
                Hcl::Raw(" : record.fqdn]"),
            ],
        );
    construct::finish(resource, cfn, tf);
    construct::terraform_block(resource, "_validation_record", record);
    construct::terraform_block(resource, VALIDATION, wait);
}
