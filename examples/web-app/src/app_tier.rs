//! The app tier: instances of Amazon Linux 2023 in the app subnets, started by an auto scaling group
//! from a launch template, acting as a role that may read the assets and the database secret and write
//! the app's logs, and nothing else.

use crate::config::WebConfig;
use crate::data::Data;
use crate::edge::Edge;
use crate::network::{Network, SecurityGroups};
use crate::{APP_PORT, DATABASE_NAME, HEALTH_CHECK_PATH};
use stackwright::aws::autoscaling::{
    AutoScalingGroup, AutoScalingGroupHandle, ScalingPolicy, TrackedMetric,
};
use stackwright::aws::{ec2, iam, ssm};
use stackwright::prelude::*;

pub fn declare(
    stack: &mut Stack,
    env: &Environment<WebConfig>,
    net: &Network,
    groups: &SecurityGroups,
    data: &Data,
    edge: &Edge,
) -> AutoScalingGroupHandle {
    let app = &env.config().app;
    let role = stack.add(
        iam::Role::for_service("AppRole", "ec2.amazonaws.com")
            .description("webapp instances: read assets and the database secret, write logs")
            // Operators reach the instances through Session Manager, not SSH.
            .managed_policy(format!(
                "arn:{}:iam::aws:policy/AmazonSSMManagedInstanceCore",
                env.partition()
            )),
    );
    // Each grant is scoped to its resource (and the key it is encrypted with).
    let grants = [
        stack.add(data.assets.grant_read(&role)),
        stack.add(data.database.grant_read_master_user_secret(&role)),
        stack.add(data.app_logs.grant_write(&role)),
    ];
    let profile = stack.add(iam::InstanceProfile::new("AppProfile", &role));
    let ami = stack.add(ssm::ParameterLookup::image_id(
        "AmiId",
        ec2::AMAZON_LINUX_2023_AMI_PARAMETER,
    ));
    // Rendered once per environment; the references become the deployed names and addresses.
    let user_data = include_template!("../../../templates/web-app/user-data.sh.tera")
        .with_env(env)
        .value("port", APP_PORT)
        .value("health_check_path", HEALTH_CHECK_PATH)
        .value("database_name", DATABASE_NAME)
        .reference("assets_bucket", data.assets.name())
        .reference("db_host", data.database.address())
        .reference("db_port", data.database.port())
        .reference("db_secret_arn", data.database.master_user_secret_arn())
        .reference("log_group", data.app_logs.name())
        .render(stack);
    let launch_template = stack.add(
        ec2::LaunchTemplate::new("AppLaunchTemplate", ami.value(), &app.instance_type)
            .security_group(&groups.app)
            .instance_profile_arn(profile.arn())
            .user_data(user_data),
    );

    let mut fleet = AutoScalingGroup::new(
        "AppFleet",
        &launch_template,
        &net.app,
        app.min_size,
        app.max_size,
    )
    .desired_capacity(app.desired_capacity)
    .target_group(&edge.targets)
    // A target group takes instances only once a listener forwards to it.
    .depends_on(&edge.https);
    // First boot downloads the release and reads the secret: the routes out and the grants come first.
    for route in &net.egress {
        fleet = fleet.depends_on(route);
    }
    for grant in &grants {
        fleet = fleet.depends_on(grant);
    }
    let fleet = stack.add(fleet);
    // Keeps the fleet's average CPU near the environment's target, between its minimum and maximum.
    stack.add(ScalingPolicy::target_tracking(
        "AppScalingPolicy",
        &fleet,
        TrackedMetric::AverageCpuUtilization,
        f64::from(app.target_cpu_percent),
    ));
    fleet
}
