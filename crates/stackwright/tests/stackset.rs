//! StackSets through the facade: a fleet's members compile to one template, and a property that differs
//! between them is an error at the line that declared the resource.

use crate::support::line_below;
use serde_json::json;
use stackwright::aws::ec2;
use stackwright::stackset::{
    stack_set, DeploymentTarget, Fleet, Member, OperationPreferences, Permissions,
};
use stackwright::{App, Environment, Stack};

struct Net {
    cidr: &'static str,
}

fn edge(stack: &mut Stack, env: &Environment<Net>) {
    stack.add(ec2::Vpc::new("Vpc", env.config().cidr));
}

/// `ours` and `theirs` in two regions, and `office`, which is not a member.
fn app(theirs: &'static str) -> App<Net> {
    App::new("shop")
        .environment(Environment::new(
            "ours",
            "111111111111",
            "us-west-2",
            Net {
                cidr: "10.0.0.0/16",
            },
        ))
        .environment(Environment::new(
            "theirs",
            "222222222222",
            "eu-west-1",
            Net { cidr: theirs },
        ))
        .environment(Environment::new(
            "office",
            "333333333333",
            "us-east-1",
            Net {
                cidr: "10.9.0.0/16",
            },
        ))
        .stack("edge", edge)
}

fn fleet() -> Fleet {
    Fleet {
        name: "edge".into(),
        stack: "edge".into(),
        administrator: "office".into(),
        members: ["ours", "theirs"]
            .map(|environment| Member {
                environment: environment.into(),
                target: DeploymentTarget::Account,
            })
            .to_vec(),
        permissions: Permissions::SelfManaged {
            administration_role_arn: None,
            execution_role_name: Some("stackwright-execution".into()),
        },
        preferences: OperationPreferences::default(),
    }
}

#[test]
fn members_that_differ_only_by_identity_share_one_template() {
    let set = stack_set(&app("10.0.0.0/16"), &fleet()).unwrap_or_else(|p| panic!("{p:#?}"));
    let vpc = &set.template["Resources"]["Vpc"]["Properties"];
    assert_eq!(vpc["CidrBlock"], "10.0.0.0/16");
    let environment_tag = vpc["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["Value"] == json!({ "Fn::Sub": "${StackwrightEnvironment}" }));
    assert!(environment_tag.is_some(), "{vpc:#}");
    let p = &set.administration["Resources"]["StackSet"]["Properties"];
    assert_eq!(p["PermissionModel"], "SELF_MANAGED");
    assert_eq!(p["ExecutionRoleName"], "stackwright-execution");
    assert_eq!(
        p["StackInstancesGroup"][1]["DeploymentTargets"],
        json!({ "Accounts": ["222222222222"] })
    );
    assert_eq!(
        p["OperationPreferences"]["RegionOrder"],
        json!(["us-west-2", "eu-west-1"])
    );
}

#[test]
fn a_property_that_differs_between_members_is_an_error_where_it_was_declared() {
    let at = line_below(2);
    fn edge_here(stack: &mut Stack, env: &Environment<Net>) {
        stack.add(ec2::Vpc::new("Vpc", env.config().cidr));
    }
    let differing = App::new("shop")
        .environment(Environment::new(
            "ours",
            "111111111111",
            "us-west-2",
            Net {
                cidr: "10.0.0.0/16",
            },
        ))
        .environment(Environment::new(
            "theirs",
            "222222222222",
            "eu-west-1",
            Net {
                cidr: "10.1.0.0/16",
            },
        ))
        .stack("edge", edge_here);
    let problems = stack_set(&differing, &fleet()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let d = &problems[0];
    assert!(
        d.message.starts_with(
            "fleet `edge`: environments `ours` and `theirs` get different templates of stack `edge` at resource \
             `Vpc` (AWS::EC2::VPC), property `CidrBlock`: \"10.0.0.0/16\" in `ours`, \"10.1.0.0/16\" in \
             `theirs`; a stack set deploys one template to every instance: make the value a parameter"
        ),
        "{}",
        d.message
    );
    let location = d.location.expect("located");
    assert!(
        at.starts_with(&format!("{}:{}:", location.file(), location.line())),
        "{at} vs {location}"
    );
    // The same fleet with equal config compiles (the app above differs only there).
    assert!(stack_set(&app("10.0.0.0/16"), &fleet()).is_ok());
}

/// A member that targets an organizational unit deploys the same template and parameters to each of its
/// accounts: a bucket name without the account would be taken by the first account only.
#[test]
fn a_global_name_without_the_account_in_an_organizational_unit_is_an_error() {
    use stackwright::aws::s3;
    fn logs(stack: &mut Stack, _: &Environment<Net>) {
        stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        stack.add(s3::Bucket::new("Logs").name("logs"));
    }
    let unit_fleet = |members: &[&str]| Fleet {
        name: "edge".into(),
        stack: "edge".into(),
        administrator: "office".into(),
        members: members
            .iter()
            .map(|environment| Member {
                environment: (*environment).into(),
                target: DeploymentTarget::OrganizationalUnit("ou-ab12-cdefgh34".into()),
            })
            .collect(),
        permissions: Permissions::ServiceManaged {
            auto_deployment: None,
            delegated_admin: false,
        },
        preferences: OperationPreferences::default(),
    };
    let app = |pattern: &str| {
        App::new("shop")
            .naming(pattern)
            .environment(Environment::new(
                "ours",
                "111111111111",
                "us-west-2",
                Net {
                    cidr: "10.0.0.0/16",
                },
            ))
            .stack("edge", logs)
    };
    let problems = stack_set(&app("{app}-{env}-{name}"), &unit_fleet(&["ours"])).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let d = &problems[0];
    assert!(
        d.message.starts_with(
            "fleet `edge`: member `ours` deploys aws.s3.Bucket named `shop-ours-logs` to every account of \
             organizational unit `ou-ab12-cdefgh34`"
        ),
        "{}",
        d.message
    );
    assert!(d
        .message
        .contains("Put `{account}` in the app's naming pattern"));
    assert_eq!(d.resource.as_deref(), Some("Logs"));
    let location = d.location.expect("located at the bucket's declaration");
    assert!(location.file().ends_with("stackset.rs"), "{location}");
    // With the account in the name, every account gets its own bucket.
    stack_set(&app("{app}-{env}-{account}-{name}"), &unit_fleet(&["ours"]))
        .unwrap_or_else(|p| panic!("{p:#?}"));
}
