//! What differs between the environments, as types (templates see it as `config.*`).

use serde::Serialize;

/// One environment's settings.
#[derive(Clone, Debug, Serialize)]
pub struct WebConfig {
    /// The public domain the site answers on (at the apex). Its hosted zone is declared in the stack;
    /// the parent domain delegates to the zone's name servers.
    pub domain: String,
    /// The two availability zones the tiers span, one subnet of each tier in each.
    pub zones: [String; 2],
    /// One NAT gateway per zone (an outage of one zone leaves the other's egress up), or a single one
    /// for both (cheaper).
    pub nat_gateway_per_zone: bool,
    pub app: AppTier,
    pub database: Database,
    /// How long the app's log events are kept, one of `stackwright::aws::logs::RETENTION_DAYS`.
    pub log_retention_days: i64,
    /// Requests answered with a 5xx by the app per minute that raise the alarm (for 5 minutes running).
    pub max_5xx_per_minute: f64,
}

/// The autoscaled instances behind the load balancer.
#[derive(Clone, Debug, Serialize)]
pub struct AppTier {
    pub instance_type: String,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_capacity: u32,
    /// The fleet's average CPU utilization that scaling aims at, in percent.
    pub target_cpu_percent: u8,
    /// The release the instances install from the assets bucket (`releases/webapp-<version>.tar.gz`).
    pub release: String,
}

/// The PostgreSQL instance.
#[derive(Clone, Debug, Serialize)]
pub struct Database {
    /// e.g. `db.t4g.micro`.
    pub instance_class: String,
    pub storage_gib: i64,
    /// Storage grows automatically up to this size.
    pub max_storage_gib: i64,
    /// A standby in the other zone that takes over on failure.
    pub multi_az: bool,
    /// Days of automated backups (point-in-time restore), 7 to 35.
    pub backup_retention_days: i64,
}
