//! Certificate Manager: public TLS certificates.

use crate::check;
use crate::handle::{attr_handle, common_setters};
use crate::route53::HostedZoneHandle;
use crate::{kinds, Handle};
use stackwright_core::{Declare, Resource, ResourceRef, Value};

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
        (self.resource, CertificateHandle { handle: Handle(at) })
    }
}
