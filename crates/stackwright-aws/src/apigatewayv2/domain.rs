//! Custom domains of HTTP APIs: the domain name with a DNS-validated certificate, its mapping to the API's
//! stage, and the Route 53 alias that points the name at it.

use super::{HttpApiHandle, Ready, DEFAULT_STAGE};
use crate::acm::{Certificate, CertificateHandle};
use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, patchable};
use crate::route53::{AliasTarget, HostedZoneHandle, Record, RecordType};
use crate::{check, construct};
use stackwright_core::{HasResourceRef, Resource, Stack, Value};

/// The neutral kind of an API Gateway custom domain name.
pub const DOMAIN_NAME_KIND: &str = "aws.apigatewayv2.DomainName";
/// The neutral kind of an API mapping.
pub const API_MAPPING_KIND: &str = "aws.apigatewayv2.ApiMapping";

/// A custom domain name in each target.
pub(crate) static DOMAIN_NAME: Spelling = Spelling {
    kind: DOMAIN_NAME_KIND,
    cloudformation: "AWS::ApiGatewayV2::DomainName",
    terraform: "aws_apigatewayv2_domain_name",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "id"),
        Attribute::new(
            "regional_domain_name",
            Read::GetAtt("RegionalDomainName"),
            "domain_name_configuration[0].target_domain_name",
        ),
        Attribute::new(
            "regional_hosted_zone_id",
            Read::GetAtt("RegionalHostedZoneId"),
            "domain_name_configuration[0].hosted_zone_id",
        ),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An API mapping in each target.
pub(crate) static API_MAPPING: Spelling = Spelling {
    kind: API_MAPPING_KIND,
    cloudformation: "AWS::ApiGatewayV2::ApiMapping",
    terraform: "aws_apigatewayv2_api_mapping",
    terraform_tags: false,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The TLS policy of every custom domain made here: TLS 1.2 or later.
pub const SECURITY_POLICY: &str = "TLS_1_2";

/// A custom domain of an HTTP API (CloudFormation `AWS::ApiGatewayV2::DomainName` and `ApiMapping`,
/// Terraform `aws_apigatewayv2_domain_name` and `aws_apigatewayv2_api_mapping`), declared by
/// [`add_to`](Self::add_to) with what it needs: a certificate for the name, validated through DNS in
/// `zone` (`acm::Certificate::dns_validated`, `<id>-Certificate`; Terraform's domain waits for its
/// validation), unless [`certificate`](Self::certificate) gives one; the mapping of the name to the API's
/// `$default` stage (`<id>-Mapping`); and a Route 53 alias `A` record pointing the name at the domain's
/// regional endpoint (`<id>-Alias`). Regional endpoint, TLS 1.2 or later.
pub struct CustomDomain {
    resource: Resource,
    domain_name: String,
    zone: HostedZoneHandle,
    api: HttpApiHandle,
    certificate: Option<CertificateHandle>,
    base_path: Option<String>,
}

patchable!(CustomDomain, DOMAIN_NAME);

impl CustomDomain {
    /// `domain_name` (`api.example.com`, inside `zone`) serves `api`.
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        domain_name: &str,
        zone: &HostedZoneHandle,
        api: &HttpApiHandle,
    ) -> Self {
        let mut resource = Resource::new(id, DOMAIN_NAME_KIND);
        let problem = if let Err(e) = check::domain_name(domain_name, false) {
            Some(format!("API custom domain: {e}"))
        } else if domain_name.contains(|c: char| c == '_' || c.is_ascii_uppercase()) {
            Some(format!(
                "API custom domain `{domain_name}`: API Gateway takes no uppercase letters or `_`; \
                 expected lowercase letters, digits, `-` and `.`"
            ))
        } else if !check::is_within_zone(domain_name, zone.domain()) {
            Some(format!(
                "API custom domain `{domain_name}` is outside hosted zone `{}`: expected the zone's name \
                 or a name inside it",
                zone.domain()
            ))
        } else {
            None
        };
        // One mistake, one error: the certificate and the record are declared for the zone's own name.
        let domain_name = match problem {
            Some(problem) => {
                resource.problems.push(problem);
                zone.domain().to_owned()
            }
            None => domain_name.to_owned(),
        };
        CustomDomain {
            resource,
            domain_name,
            zone: zone.clone(),
            api: api.clone(),
            certificate: None,
            base_path: None,
        }
    }

    /// Serves the name with `certificate` (which must cover it) instead of one made for it.
    pub fn certificate(mut self, certificate: &CertificateHandle) -> Self {
        self.certificate = Some(certificate.clone());
        self
    }

    /// Maps the API under `https://<name>/<path>/` instead of the name's root (`v1`: letters, digits and
    /// `-._~`, segments separated by `/`).
    pub fn base_path(mut self, path: &str) -> Self {
        let shaped = !path.is_empty()
            && !path.starts_with('/')
            && !path.ends_with('/')
            && !path.contains("//")
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~/".contains(c));
        if !shaped {
            self.resource.problems.push(format!(
                "API mapping base path `{path}`: expected letters, digits and `-._~` in segments \
                 separated by `/`, without a leading or trailing `/` (`v1`, `orders/v2`)"
            ));
        }
        self.base_path = Some(path.to_owned());
        self
    }

    /// Declares the certificate (unless given), the domain name, the mapping and the alias record.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> CustomDomainHandle {
        let CustomDomain {
            mut resource,
            domain_name,
            zone,
            api,
            certificate,
            base_path,
        } = self;
        let id = resource.id.clone();
        let certificate = match certificate {
            Some(certificate) => certificate,
            None => stack.add(Certificate::dns_validated(
                format!("{id}-Certificate"),
                &domain_name,
                &zone,
            )),
        };
        let configuration = |cloudformation: bool| {
            let names = if cloudformation {
                ["CertificateArn", "EndpointType", "SecurityPolicy"]
            } else {
                ["certificate_arn", "endpoint_type", "security_policy"]
            };
            object(&[
                (names[0], certificate.arn().into()),
                (names[1], "REGIONAL".into()),
                (names[2], SECURITY_POLICY.into()),
            ])
        };
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.set("DomainName", domain_name.as_str()).set(
            "DomainNameConfigurations",
            Value::List(vec![configuration(true)]),
        );
        tf.set("domain_name", domain_name.as_str())
            .set("domain_name_configuration", configuration(false))
            // API Gateway refuses a certificate that is not issued yet.
            .wait_for_block(certificate.arn(), crate::acm::VALIDATION);
        construct::finish(&mut resource, cfn, tf);
        let handle = stack.add(Ready(resource));
        let domain = CustomDomainHandle { handle };

        let mut mapping = Resource::new(format!("{id}-Mapping"), API_MAPPING_KIND);
        // The stage is named, not referenced: the mapping waits for it.
        mapping.depends_on.push(api.stage().resource_ref());
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.set("ApiId", api.id())
            .set("DomainName", domain.name())
            .set("Stage", DEFAULT_STAGE)
            .set_some("ApiMappingKey", base_path.clone());
        tf.set("api_id", api.id())
            .set("domain_name", domain.name())
            .set("stage", DEFAULT_STAGE)
            .set_some("api_mapping_key", base_path);
        construct::finish(&mut mapping, cfn, tf);
        stack.add(Ready(mapping));

        stack.add(Record::alias(
            format!("{id}-Alias"),
            &zone,
            &domain_name,
            RecordType::A,
            AliasTarget::api_gateway_domain(&domain),
        ));
        domain
    }
}

attr_handle!(
    /// A declared custom domain of an HTTP API.
    CustomDomainHandle {
        /// The domain name.
        name: "name",
        /// The regional endpoint's host name, which the alias record points at.
        regional_domain_name: "regional_domain_name",
        /// The regional endpoint's hosted zone.
        regional_hosted_zone_id: "regional_hosted_zone_id",
    }
);
