//! The edge: the site's hosted zone and certificate, the internet-facing load balancer (HTTPS, and HTTP
//! redirected to it), the app's target group, the site's alias record and an alarm on the app's errors.

use crate::config::WebConfig;
use crate::network::{Network, SecurityGroups};
use crate::{APP_PORT, HEALTH_CHECK_PATH};
use stackwright::aws::acm;
use stackwright::aws::cloudwatch::{Alarm, Comparison, Metric, Statistic, TreatMissingData};
use stackwright::aws::elbv2::{self, Action, HealthCheck, Protocol, Scheme};
use stackwright::aws::route53::{self, AliasTarget, RecordType};
use stackwright::{Environment, Stack};

/// What the app tier registers with, and what the outputs name.
pub struct Edge {
    pub zone: route53::HostedZoneHandle,
    pub load_balancer: elbv2::LoadBalancerHandle,
    pub targets: elbv2::TargetGroupHandle,
    /// Instances join the target group once this listener forwards to it.
    pub https: elbv2::ListenerHandle,
}

pub fn declare(
    stack: &mut Stack,
    env: &Environment<WebConfig>,
    net: &Network,
    groups: &SecurityGroups,
) -> Edge {
    let config = env.config();
    let zone = stack.add(
        route53::HostedZone::new("Zone", &config.domain)
            .comment(&format!("webapp {}", env.name()))
            .accept_finding(
                "CKV2_AWS_38",
                "DNSSEC signing needs an asymmetric KMS key in us-east-1 and a key-signing key, \
                 which the catalog does not offer yet",
            )
            .accept_finding(
                "CKV2_AWS_39",
                "query logging needs a log group in us-east-1 with a resource policy for Route 53, \
                 which the catalog does not offer yet",
            ),
    );
    let certificate = stack.add(acm::Certificate::dns_validated(
        "Certificate",
        &config.domain,
        &zone,
    ));
    let load_balancer = stack.add(
        elbv2::LoadBalancer::application(
            "LoadBalancer",
            Scheme::InternetFacing,
            &net.public,
            [&groups.load_balancer],
        )
        .accept_finding(
            "CKV2_AWS_28",
            "a WAF web ACL is outside the catalog; the load balancer drops invalid headers and \
             forwards only to the app port",
        )
        .accept_finding(
            "CKV_AWS_91",
            "no access log bucket yet: it needs a policy admitting the region's load balancer log \
             delivery account; requests are visible in the app's log group",
        ),
    );
    let targets = stack.add(
        elbv2::TargetGroup::new("AppTargets", Protocol::Http, APP_PORT, &net.vpc)
            .health_check(HealthCheck::http(HEALTH_CHECK_PATH))
            .deregistration_delay_seconds(30),
    );
    let https = stack.add(elbv2::Listener::https(
        "HttpsListener",
        &load_balancer,
        443,
        certificate.arn(),
        Action::forward(&targets),
    ));
    stack.add(elbv2::Listener::redirect_http_to_https(
        "HttpListener",
        &load_balancer,
    ));
    stack.add(route53::Record::alias(
        "SiteRecord",
        &zone,
        &config.domain,
        RecordType::A,
        AliasTarget::load_balancer(&load_balancer),
    ));
    // On the console; `.alarm_action(topic_arn)` would page someone.
    stack.add(
        Alarm::new(
            "App5xxAlarm",
            Metric::new("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count")
                .dimension("LoadBalancer", load_balancer.full_name())
                .dimension("TargetGroup", targets.full_name())
                .statistic(Statistic::Sum)
                .period_seconds(60),
            Comparison::GreaterThanThreshold,
            config.max_5xx_per_minute,
            5,
        )
        .description("the app answers more requests with 5xx than usual")
        .treat_missing_data(TreatMissingData::NotBreaching),
    );
    Edge {
        zone,
        load_balancer,
        targets,
        https,
    }
}
