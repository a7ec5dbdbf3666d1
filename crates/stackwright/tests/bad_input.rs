//! Each kind of bad input: a located message naming environment, stack and resource, exit code 1, and
//! nothing written.

use crate::support::{fails, line_below, one_stack};
use stackwright::aws::{ec2, s3};
use stackwright::{App, Environment};
use std::sync::Mutex;

#[test]
fn invalid_logical_id() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("1st.Vpc", "10.0.0.0/16"));
    });
    fails(
        &app,
        &[
            "invalid resource id `1st.Vpc`",
            "start with an ASCII letter",
            "environment `dev`",
            "stack `main`",
            &at,
        ],
    );
}

#[test]
fn duplicate_logical_id() {
    let at = line_below(3);
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(ec2::Vpc::new("Vpc", "10.1.0.0/16"));
    });
    fails(
        &app,
        &[
            "duplicate resource id `Vpc`: already declared at",
            &at,
            "resource `Vpc`",
        ],
    );
}

#[test]
fn ids_that_collide_after_derivation() {
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Net-1", "10.0.0.0/16"));
        s.add(ec2::Vpc::new("Net1", "10.1.0.0/16"));
        s.add(ec2::Vpc::new("BigNet", "10.2.0.0/16"));
        s.add(ec2::Vpc::new("big_net", "10.3.0.0/16"));
    });
    fails(
        &app,
        &[
            "`Net1` and `Net-1` (declared at",
            "both become CloudFormation logical id `Net1`",
            "`big_net` and `BigNet` (declared at",
            "both become Terraform name `big_net`",
        ],
    );
}

#[test]
fn account_id_not_12_digits() {
    let at = line_below(1);
    let env = Environment::new("dev", "12345", "us-west-2", ());
    let app = App::new("demo").environment(env).stack("main", |s, _| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    fails(
        &app,
        &[
            "invalid account id `12345`: expected exactly 12 digits",
            "environment `dev`",
            &at,
        ],
    );
}

#[test]
fn unknown_region() {
    let at = line_below(1);
    let env = Environment::new("dev", "123456789012", "us-west-9", ());
    let app = App::new("demo").environment(env).stack("main", |s, _| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    fails(
        &app,
        &[
            "unknown region `us-west-9`: expected one of",
            "us-west-2",
            &at,
        ],
    );
}

#[test]
fn invalid_cidr() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/33"));
    });
    fails(
        &app,
        &[
            "VPC CIDR block: invalid CIDR block `10.0.0.0/33`",
            "resource `Vpc`",
            &at,
        ],
    );
}

#[test]
fn subnet_outside_its_vpc() {
    let at = line_below(3);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(ec2::Subnet::new("Public", &vpc, "10.1.0.0/24"));
    });
    fails(
        &app,
        &[
            "subnet CIDR block `10.1.0.0/24` is outside its VPC's CIDR block `10.0.0.0/16`",
            "resource `Public`",
            &at,
        ],
    );
}

/// AWS refuses a subnet whose block overlaps another subnet of its VPC (`InvalidSubnet.Conflict`), at
/// deploy time; synth says so at the second subnet's line, once. Subnets of another VPC may reuse it.
#[test]
fn overlapping_subnets_of_one_vpc() {
    let at = line_below(4);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(ec2::Subnet::new("A", &vpc, "10.0.0.0/24"));
        s.add(ec2::Subnet::new("B", &vpc, "10.0.0.128/25"));
        s.add(ec2::Subnet::new("C", &vpc, "10.0.1.0/24"));
        let other = s.add(ec2::Vpc::new("Other", "10.0.0.0/16"));
        s.add(ec2::Subnet::new("D", &other, "10.0.0.0/24"));
    });
    let stderr = fails(
        &app,
        &[
            "subnet CIDR block `10.0.0.128/25` overlaps `10.0.0.0/24` of subnet `A` in the same VPC",
            "InvalidSubnet.Conflict",
            "resource `B`",
            &at,
        ],
    );
    assert_eq!(
        stderr.matches("error: subnet CIDR block").count(),
        1,
        "{stderr}"
    );
}

/// A physical name its type's rule rejects is one error: CloudFormation's schema check does not repeat it
/// from the type's name pattern (S3 `BucketName` gave a second error), and the name stays in the
/// artifacts (what the outside checkers see with the guard off).
#[test]
fn an_invalid_physical_name_is_one_error() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(s3::Bucket::new("Assets").name("Not_A_Bucket"));
    });
    let stderr = fails(
        &app,
        &[
            "invalid physical name `demo-dev-Not_A_Bucket`",
            "resource `Assets`",
            &at,
        ],
    );
    assert!(stderr.contains("error: 1 problem found"), "{stderr}");
}

#[test]
fn reference_to_another_environment() {
    // A handle smuggled from one environment's run of the definition into another's.
    let first: Mutex<Option<ec2::VpcHandle>> = Mutex::new(None);
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "123456789012", "eu-west-1", ()))
        .stack("main", move |s, _| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            let mut first = first.lock().unwrap();
            let foreign = first.get_or_insert(vpc);
            s.add(ec2::Subnet::new("Public", foreign, "10.0.1.0/24"));
        });
    fails(
        &app,
        &[
            "`Public` references a resource attribute of environment `dev` (stack `main`)",
            "a stack can only reference resources of its own environment",
            "in environment `prod`, stack `main`, resource `Public`",
        ],
    );
}

#[test]
fn app_without_environment() {
    let at = line_below(1);
    let app: App<()> = App::new("demo").stack("main", |s, _| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    fails(&app, &["app `demo` has no environment", &at]);
}

#[test]
fn two_environments_with_one_name() {
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let stderr = fails(
        &app,
        &["duplicate environment name `dev`: already declared at"],
    );
    // One mistake, one error: the second `dev` is not instantiated, so its stacks do not also collide
    // with the first's (same CloudFormation stack name, same Terraform state).
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

#[test]
fn problems_are_collected_and_reported_together() {
    let env = Environment::new("Dev", "1", "mars-1", ());
    let app = App::new("demo").environment(env).stack("main", |s, _| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/8"));
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    let errors = fails(
        &app,
        &[
            "invalid environment name `Dev`",
            "invalid account id `1`",
            "unknown region `mars-1`",
            "has prefix /8; expected a prefix from /16 to /28",
            "duplicate resource id `Vpc`",
            "5 problems found; nothing was written",
        ],
    );
    assert_eq!(errors.matches("\nerror: ").count() + 1, 6, "{errors}");
}

#[test]
fn invalid_app_and_environment_tags() {
    let at_app = line_below(1);
    let app = App::new("demo")
        .tag("aws:owner", "me")
        .tag("note", "x".repeat(300))
        .environment(
            Environment::new("dev", "123456789012", "us-west-2", ())
                .tag("stage", "a")
                .tag("stage", "b"),
        )
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    fails(
        &app,
        &[
            "invalid tag key `aws:owner`: expected 1 to 128 characters, not starting with `aws:`",
            "tag `note` has a value of 300 characters: expected at most 256",
            &at_app,
            "duplicate tag key `stage`",
            "environment `dev`",
        ],
    );
}

#[test]
fn physical_names_that_break_the_type_rule_or_repeat() {
    let at = line_below(3);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(ec2::SecurityGroup::new("Web", &vpc, "web").name("web|1".repeat(60)));
        s.add(ec2::SecurityGroup::new("A", &vpc, "a").name("shared"));
        s.add(ec2::SecurityGroup::new("B", &vpc, "b").name("shared"));
    });
    fails(
        &app,
        &[
            "invalid physical name `demo-dev-web|1web|1",
            "(name `web|1web|1",
            "in naming pattern `{app}-{env}-{name}`): security group name: it is 309 characters long, \
             expected 1 to 255; it contains `|`, expected only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
            &at,
            "resource `Web`",
            "physical name `demo-dev-shared` is already used by `A` (declared at",
            "resource `B`",
        ],
    );
}

#[test]
fn invalid_naming_pattern() {
    let at = line_below(1);
    let app = App::new("demo")
        .naming("{app}-{environment}-{name}")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    fails(
        &app,
        &[
            "invalid naming pattern `{app}-{environment}-{name}`: unknown placeholder `{environment}`: \
             expected one of {app}, {env}, {stack}, {account}, {region}, {name}",
            &at,
        ],
    );
}

/// A value nested thousands of levels deep is one located error, not a stack overflow in a worker thread.
#[test]
fn a_value_nested_thousands_deep_is_a_located_error() {
    use stackwright::{cfn, Value};
    let at = line_below(7);
    let app = one_stack(|s| {
        let mut deep = Value::Int(1);
        for _ in 0..5_000 {
            deep = Value::List(vec![deep]);
        }
        s.add(
            cfn::Raw::new(
                "Deep",
                "AWS::SNS::Topic",
                Value::Map(vec![("Tags".to_owned(), deep)]),
            )
            .terraform("aws_sns_topic", Value::Map(Vec::new())),
        );
    });
    let stderr = fails(
        &app,
        &[
            "nests lists and maps more than 100 levels deep",
            "resource `Deep`",
            &at,
        ],
    );
    assert!(stderr.contains("error: 1 problem found"), "{stderr}");
}

/// `prod-us` + `web` and `prod` + `us-web` would both deploy to CloudFormation stack `demo-prod-us-web` in
/// the same account and region: the second deploy would overwrite the first.
#[test]
fn two_instances_with_one_cloudformation_stack_name_are_an_error_naming_both() {
    let at = line_below(3);
    let app = App::new("demo")
        .environment(Environment::new("prod-us", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "123456789012", "us-west-2", ()))
        .stack("web", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        })
        .stack("us-web", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let stderr = fails(
        &app,
        &[
            "environment `prod` stack `us-web` and environment `prod-us` stack `web` (declared at",
            "both deploy to CloudFormation stack `demo-prod-us-web` in account 123456789012 region us-west-2",
            &at,
        ],
    );
    assert!(stderr.contains("error: 1 problem found"), "{stderr}");
    // In another account, the same name is another stack: no problem.
    let app = App::new("demo")
        .environment(Environment::new("prod-us", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "us-west-2", ()))
        .stack("web", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        })
        .stack("us-web", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    crate::support::artifacts(&app);
}

#[test]
fn a_cloudformation_stack_name_over_128_characters_is_an_error() {
    let long_env = format!("e{}", "n".repeat(63));
    let long_stack = format!("s{}", "t".repeat(63));
    let app = App::new("demo")
        .environment(Environment::new(long_env, "123456789012", "us-west-2", ()))
        .stack(long_stack, |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    fails(
        &app,
        &["is 134 characters long; CloudFormation allows at most 128"],
    );
}

#[test]
fn duplicate_output_and_parameter_ids() {
    let first_output = line_below(4);
    let first_parameter = line_below(5);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.output("VpcId", vpc.id());
        s.output("VpcId", vpc.id());
        s.add_parameter(stackwright::Parameter::string("ImageId"));
        s.add_parameter(stackwright::Parameter::string("ImageId"));
    });
    fails(
        &app,
        &[
            &format!(
                "duplicate output id `VpcId`: already declared at {}",
                first_output.trim_end_matches(':')
            ),
            &format!(
                "duplicate parameter id `ImageId`: already declared at {}",
                first_parameter.trim_end_matches(':')
            ),
        ],
    );
}

#[test]
fn parameter_values_no_deploy_accepts() {
    let outside = line_below(4);
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add_parameter(
            stackwright::Parameter::string("Size")
                .default_value("huge")
                .allowed_values(["small", "large"]),
        );
        s.add_parameter(stackwright::Parameter::number("Count").default_value("three"));
        s.add_parameter(
            stackwright::Parameter::string("DbPassword")
                .no_echo()
                .default_value("hunter22")
                .allow_plaintext_secret("test fixture")
                .allowed_values(["a", "b"]),
        );
        s.add_parameter(stackwright::Parameter::number("Fine").default_value("2.5"));
    });
    let stderr = fails(
        &app,
        &[
            "the default of parameter `Size`, \"huge\", is not one of its allowed values (\"small\", \"large\")",
            &outside,
            "parameter `Count` is a Number, but \"three\" is not a number",
            "the default of parameter `DbPassword`, (a secret's value, not shown), is not one of its allowed values (2 values)",
        ],
    );
    assert!(!stderr.contains("hunter22"), "{stderr}");
    assert!(!stderr.contains("`Fine`"), "{stderr}");
    assert!(stderr.contains("3 problems found"), "{stderr}");
    assert_eq!(
        stderr.matches("parameter `Size`").count(),
        1,
        "one mistake, one error: {stderr}"
    );
}
