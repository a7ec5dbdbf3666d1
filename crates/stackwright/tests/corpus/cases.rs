//! The broken definitions of the corpus, one function per case. The line each error must point at ends
//! with the marker comment `// <- here`; `expected.json` says what the error says, and which outside
//! checker, if any, also catches it. Cases are plain functions in one test binary, so that adding one
//! costs a few lines and no build of its own.

use stackwright::aws::autoscaling::AutoScalingGroup;
use stackwright::aws::cloudwatch::{Alarm, Comparison, Metric};
use stackwright::aws::elbv2::{LoadBalancer, Scheme};
use stackwright::aws::{dynamodb, ec2, iam, logs, s3};
use crate::support::map;
use stackwright::{cfn, App, Environment, Parameter, Stack};

/// A case: its name (the name of its function) and the definition.
pub type Case = (&'static str, fn() -> App<()>);

/// Every case.
pub const CASES: &[Case] = &[
    ("stack_description_substitution", stack_description_substitution),
    ("output_description_substitution", output_description_substitution),
    ("parameter_description_substitution", parameter_description_substitution),
    ("cfn_too_many_resources", cfn_too_many_resources),
    ("cfn_too_many_outputs", cfn_too_many_outputs),
    ("cfn_too_many_parameters", cfn_too_many_parameters),
    ("cfn_template_over_1mb", cfn_template_over_1mb),
    ("instance_user_data_over_16kb", instance_user_data_over_16kb),
    ("launch_template_user_data_over_16kb", launch_template_user_data_over_16kb),
    ("resource_tags_over_50", resource_tags_over_50),
    ("environment_tags_over_50", environment_tags_over_50),
    ("tag_key_too_long", tag_key_too_long),
    ("tag_value_too_long", tag_value_too_long),
    ("resource_tag_reserved_prefix", resource_tag_reserved_prefix),
    ("app_tag_reserved_prefix", app_tag_reserved_prefix),
    ("empty_default_tag_value", empty_default_tag_value),
    ("dynamodb_derived_name_too_long", dynamodb_derived_name_too_long),
    ("alarm_derived_name_too_long", alarm_derived_name_too_long),
    ("instance_type_not_in_region", instance_type_not_in_region),
    ("launch_template_type_not_in_region", launch_template_type_not_in_region),
    ("unknown_instance_type", unknown_instance_type),
    ("override_changes_type", override_changes_type),
    ("update_policy_typo", update_policy_typo),
    ("deletion_policy_invalid", deletion_policy_invalid),
    ("condition_by_override", condition_by_override),
    ("unknown_resource_attribute", unknown_resource_attribute),
    ("creation_policy_wrong_type", creation_policy_wrong_type),
    ("override_property_typo", override_property_typo),
    ("override_terraform_attribute_typo", override_terraform_attribute_typo),
    ("raw_cloudformation_type_typo", raw_cloudformation_type_typo),
    ("raw_terraform_type_typo", raw_terraform_type_typo),
    ("bucket_name_shared_across_accounts", bucket_name_shared_across_accounts),
    ("role_name_shared_across_regions", role_name_shared_across_regions),
    ("table_name_shared_in_one_region", table_name_shared_in_one_region),
    ("name_shared_across_stacks", name_shared_across_stacks),
    ("load_balancer_name_too_long", load_balancer_name_too_long),
    ("overlapping_subnets", overlapping_subnets),
];

const ACCOUNT: &str = "123456789012";

fn dev() -> Environment<()> {
    Environment::new("dev", ACCOUNT, "us-west-2", ())
}

fn one(define: impl Fn(&mut Stack) + Send + Sync + 'static) -> App<()> {
    App::new("demo")
        .environment(dev())
        .stack("main", move |s, _| define(s))
}

/// A VPC with two subnets in different zones and a security group.
fn net(s: &mut Stack) -> (ec2::VpcHandle, [ec2::SubnetHandle; 2], ec2::SecurityGroupHandle) {
    let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    let a = s.add(ec2::Subnet::new("SubnetA", &vpc, "10.0.0.0/24").availability_zone("us-west-2a"));
    let b = s.add(ec2::Subnet::new("SubnetB", &vpc, "10.0.1.0/24").availability_zone("us-west-2b"));
    let group = s.add(ec2::SecurityGroup::new("Group", &vpc, "app"));
    (vpc, [a, b], group)
}

// 1. Escaping: text no intrinsic can escape.

fn stack_description_substitution() -> App<()> {
    App::new("demo").environment(dev()).stack("main", |s, _| { // <- here
        s.set_description("web servers in ${AWS::Region}");
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    })
}

fn output_description_substitution() -> App<()> {
    one(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.output("VpcId", vpc.id()) // <- here
            .description("the VPC of ${AWS::StackName}");
    })
}

fn parameter_description_substitution() -> App<()> {
    one(|s| {
        s.add_parameter(Parameter::string("Size").description("size in ${AWS::Region}")); // <- here
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    })
}

// 3. Service limits.

fn cfn_too_many_resources() -> App<()> {
    one(|s| {
        for i in 0..501 {
            s.add(ec2::Vpc::new(format!("Vpc{i}"), "10.0.0.0/16")); // <- here
        }
    })
}

fn cfn_too_many_outputs() -> App<()> {
    one(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        for i in 0..201 {
            s.output(format!("Out{i}"), vpc.id()); // <- here
        }
    })
}

fn cfn_too_many_parameters() -> App<()> {
    one(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        for i in 0..201 {
            s.add_parameter(Parameter::string(format!("P{i}")).default_value("x")); // <- here
        }
    })
}

fn cfn_template_over_1mb() -> App<()> {
    App::new("demo").environment(dev()).stack("main", |s, _| { // <- here
        for i in 0..70 {
            let script = format!("#!/bin/sh\n# {}\n", "x".repeat(15_000));
            s.add(ec2::Instance::new(format!("Web{i}"), "ami-12345678", "t3.micro").user_data(script));
        }
    })
}

fn instance_user_data_over_16kb() -> App<()> {
    one(|s| {
        let script = format!("#!/bin/sh\n{}", "echo hello\n".repeat(1_500));
        s.add(ec2::Instance::new("Web", "ami-12345678", "t3.micro").user_data(script)); // <- here
    })
}

fn launch_template_user_data_over_16kb() -> App<()> {
    one(|s| {
        let script = "#cloud-config\n".to_owned() + &"# padding\n".repeat(1_700);
        s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.micro").user_data(script)); // <- here
    })
}

fn resource_tags_over_50() -> App<()> {
    one(|s| {
        let vpc = ec2::Vpc::new("Vpc", "10.0.0.0/16"); // <- here
        s.add((0..48).fold(vpc, |v, i| v.tag(format!("k{i}"), "v")));
    })
}

fn environment_tags_over_50() -> App<()> {
    let env = Environment::new("dev", ACCOUNT, "us-west-2", ()); // <- here
    let env = (0..48).fold(env, |e, i| e.tag(format!("k{i}"), "v"));
    App::new("demo").environment(env).stack("main", |s, _| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    })
}

fn tag_key_too_long() -> App<()> {
    one(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("k".repeat(129), "v")); // <- here
    })
}

fn tag_value_too_long() -> App<()> {
    one(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("team", "v".repeat(257))); // <- here
    })
}

fn resource_tag_reserved_prefix() -> App<()> {
    one(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("aws:owner", "me")); // <- here
    })
}

fn app_tag_reserved_prefix() -> App<()> {
    App::new("demo") // <- here
        .tag("AWS:team", "web")
        .environment(dev())
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        })
}

fn empty_default_tag_value() -> App<()> {
    let env = Environment::new("dev", ACCOUNT, "us-west-2", ()).tag("cost-center", ""); // <- here
    App::new("demo").environment(env).stack("main", |s, _| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    })
}

/// An app name of 60 characters and an id of 196 (both valid) derive a Terraform name of 270.
fn long_names(define: impl Fn(&mut Stack, String) + Send + Sync + 'static) -> App<()> {
    App::new(format!("orders{}", "-x".repeat(27)))
        .environment(dev())
        .stack("main", move |s, _| define(s, format!("Orders{}", "X".repeat(190))))
}

fn dynamodb_derived_name_too_long() -> App<()> {
    long_names(|s, id| {
        s.add(dynamodb::Table::new(id, dynamodb::Key::string("pk"))); // <- here
    })
}

fn alarm_derived_name_too_long() -> App<()> {
    long_names(|s, id| {
        let metric = Metric::new("AWS/EC2", "CPUUtilization");
        s.add(Alarm::new(id, metric, Comparison::GreaterThanThreshold, 90.0, 3)); // <- here
    })
}

// 4. Values valid in the environment's region.

fn instance_type_not_in_region() -> App<()> {
    App::new("demo")
        .environment(Environment::new("stockholm", ACCOUNT, "eu-north-1", ()))
        .stack("main", |s, _| {
            s.add(ec2::Instance::new("Web", "ami-12345678", "m4.xlarge")); // <- here
        })
}

fn launch_template_type_not_in_region() -> App<()> {
    App::new("demo")
        .environment(Environment::new("stockholm", ACCOUNT, "eu-north-1", ()))
        .stack("main", |s, _| {
            s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "c4.large")); // <- here
        })
}

fn unknown_instance_type() -> App<()> {
    one(|s| {
        s.add(ec2::Instance::new("Web", "ami-12345678", "m5.lrage")); // <- here
    })
}

// 5. Escape hatches checked like typed code.

fn override_changes_type() -> App<()> {
    one(|s| {
        s.add(
            ec2::Vpc::new("Vpc", "10.0.0.0/16")
                .override_cloudformation("Type", "AWS::IAM::User"), // <- here
        );
    })
}

fn update_policy_typo() -> App<()> {
    one(|s| {
        let (_, subnets, group) = net(s);
        let template = s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.micro").security_group(&group));
        s.add(
            AutoScalingGroup::new("Fleet", &template, &subnets, 1, 4) // <- here
                .override_cloudformation("UpdatePolicy.AutoScalingRolingUpdate.MaxBatchSize", 1i64),
        );
    })
}

fn deletion_policy_invalid() -> App<()> {
    one(|s| {
        s.add(s3::Bucket::new("Assets").override_cloudformation("DeletionPolicy", "Keep")); // <- here
    })
}

fn condition_by_override() -> App<()> {
    one(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").override_cloudformation("Condition", "IsProd")); // <- here
    })
}

fn unknown_resource_attribute() -> App<()> {
    one(|s| {
        s.add(ec2::Vpc::new("Other", "10.1.0.0/16"));
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").override_cloudformation("DependOn", "Other")); // <- here
    })
}

fn creation_policy_wrong_type() -> App<()> {
    one(|s| {
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro") // <- here
                .override_cloudformation("CreationPolicy.ResourceSignal.Count", "two"),
        );
    })
}

fn override_property_typo() -> App<()> {
    one(|s| {
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro") // <- here
                .override_cloudformation("Properties.MetadataOptions.HttpPutResponseHopLimt", 2i64),
        );
    })
}

fn override_terraform_attribute_typo() -> App<()> {
    one(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").override_terraform("enable_dns_hostname", true)); // <- here
    })
}

fn raw_cloudformation_type_typo() -> App<()> {
    one(|s| {
        s.add(
            cfn::Raw::new("Jobs", "AWS::SQS::Queu", map(&[])) // <- here
                .terraform("aws_sqs_queue", map(&[])),
        );
    })
}

fn raw_terraform_type_typo() -> App<()> {
    one(|s| {
        s.add(
            cfn::Raw::new("Jobs", "AWS::SQS::Queue", map(&[])) // <- here
                .terraform("aws_sqs_queu", map(&[])),
        );
    })
}

// 7. Physical names unique where they must be.

fn bucket_name_shared_across_accounts() -> App<()> {
    App::new("demo")
        .naming("{app}-{name}")
        .environment(dev())
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stack("main", |s, _| {
            s.add(s3::Bucket::new("Assets").name("assets")); // <- here
        })
}

fn role_name_shared_across_regions() -> App<()> {
    App::new("demo")
        .naming("{app}-{name}")
        .environment(dev())
        .environment(Environment::new("dev-eu", ACCOUNT, "eu-west-1", ()))
        .stack("main", |s, _| {
            s.add(iam::Role::for_service("Runner", "ec2.amazonaws.com").name("runner")); // <- here
        })
}

fn table_name_shared_in_one_region() -> App<()> {
    App::new("demo")
        .naming("{app}-{name}")
        .environment(dev())
        .environment(Environment::new("staging", ACCOUNT, "us-west-2", ()))
        .stack("main", |s, _| {
            s.add(dynamodb::Table::new("Orders", dynamodb::Key::string("pk")).name("orders")); // <- here
        })
}

fn name_shared_across_stacks() -> App<()> {
    let audit = |s: &mut Stack, _: &Environment<()>| {
        s.add(logs::LogGroup::new("Audit").name("audit")); // <- here
    };
    App::new("demo")
        .environment(dev())
        .stack("web", audit)
        .stack("jobs", audit)
}

fn load_balancer_name_too_long() -> App<()> {
    one(|s| {
        let (_, subnets, group) = net(s);
        s.add(
            LoadBalancer::application("Web", Scheme::Internal, &subnets, [&group]) // <- here
                .name("public-web-entry-point-1"),
        );
    })
}

fn overlapping_subnets() -> App<()> {
    one(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(ec2::Subnet::new("A", &vpc, "10.0.0.0/24"));
        s.add(ec2::Subnet::new("B", &vpc, "10.0.0.0/25")); // <- here
    })
}
