use super::*;
use serde_json::{json, Value};

/// A template as the CloudFormation target lowers it for environment `env` in `account`/`region`.
fn template(env: &str, account: &str, region: &str, instance_type: &str) -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("Stack `edge` of app `notebook` for environment `{env}` ({account} {region})."),
        "Parameters": {
            "AmiId": { "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": format!("/ami/{region}") }
        },
        "Resources": {
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "AvailabilityZone": format!("{region}a"),
                    "Tags": [ { "Key": "stackwright:environment", "Value": env } ]
                }
            },
            "Instance": {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "InstanceType": instance_type,
                    "ImageId": { "Ref": "AmiId" },
                    "UserData": { "Fn::Sub": format!("echo ${{AWS::StackName}} {env} ${{!literal}}") },
                    "IamInstanceProfile": format!("arn:aws:iam::{account}:instance-profile/x-${{y}}")
                }
            }
        },
        "Outputs": { "Name": { "Value": env, "Export": { "Name": format!("notebook-{env}-name") } } }
    })
}

fn fleet(members: &[(&str, DeploymentTarget)]) -> Fleet {
    Fleet {
        name: "edge".into(),
        stack: "edge".into(),
        administrator: "a".into(),
        members: members
            .iter()
            .map(|(env, target)| Member {
                environment: (*env).into(),
                target: target.clone(),
            })
            .collect(),
        permissions: Permissions::ServiceManaged {
            auto_deployment: Some(AutoDeployment {
                retain_stacks_on_account_removal: false,
            }),
            delegated_admin: false,
        },
        preferences: OperationPreferences {
            max_concurrent: Amount::Percentage(25),
            failure_tolerance: Amount::Count(1),
            region_concurrency: RegionConcurrency::Sequential,
            region_order: Vec::new(),
            soft_failure_tolerance: false,
        },
    }
}

fn ou(id: &str) -> DeploymentTarget {
    DeploymentTarget::OrganizationalUnit(id.into())
}

const OU_A: &str = "ou-ab12-11111111";
const OU_B: &str = "ou-ab12-22222222";

fn nowhere(_: &str, _: &str) -> Option<Location> {
    None
}

#[test]
fn identity_becomes_parameters_and_the_rest_is_one_template() {
    let templates = [
        template("edge-a-us", "111111111111", "us-west-2", "t3.small"),
        template("edge-b-eu", "222222222222", "eu-west-1", "t3.small"),
    ];
    let members = [
        MemberTemplate {
            environment: "edge-a-us",
            account: "111111111111",
            region: "us-west-2",
            template: &templates[0],
            capabilities: &["CAPABILITY_IAM"],
        },
        MemberTemplate {
            environment: "edge-b-eu",
            account: "222222222222",
            region: "eu-west-1",
            template: &templates[1],
            capabilities: &[],
        },
    ];
    let f = fleet(&[("edge-a-us", ou(OU_A)), ("edge-b-eu", ou(OU_B))]);
    let set = compile("notebook", &f, &members, &nowhere).unwrap();
    let t = &set.template;
    let subnet = &t["Resources"]["Subnet"]["Properties"];
    assert_eq!(
        subnet["AvailabilityZone"],
        json!({ "Fn::Sub": "${AWS::Region}a" })
    );
    assert_eq!(
        subnet["Tags"][0]["Value"],
        json!({ "Fn::Sub": "${StackwrightEnvironment}" })
    );
    let instance = &t["Resources"]["Instance"]["Properties"];
    assert_eq!(instance["InstanceType"], "t3.small");
    // Inside an `Fn::Sub`, only the literal parts change; its own references stay.
    assert_eq!(
        instance["UserData"],
        json!({ "Fn::Sub": "echo ${AWS::StackName} ${StackwrightEnvironment} ${!literal}" })
    );
    // A literal `${` outside `Fn::Sub` is escaped.
    assert_eq!(
        instance["IamInstanceProfile"],
        json!({ "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:instance-profile/x-${!y}" })
    );
    assert_eq!(
        t["Outputs"]["Name"]["Export"]["Name"],
        json!({ "Fn::Sub": "notebook-${StackwrightEnvironment}-name" })
    );
    assert_eq!(t["Parameters"]["StackwrightEnvironment"]["Type"], "String");
    let p = &set.administration["Resources"]["StackSet"]["Properties"];
    assert_eq!(p["StackSetName"], "notebook-edge");
    assert_eq!(p["PermissionModel"], "SERVICE_MANAGED");
    assert_eq!(
        p["AutoDeployment"],
        json!({ "Enabled": true, "RetainStacksOnAccountRemoval": false })
    );
    assert_eq!(p["Capabilities"], json!(["CAPABILITY_IAM"]));
    assert_eq!(
        p["OperationPreferences"],
        json!({ "MaxConcurrentPercentage": 25, "FailureToleranceCount": 1, "RegionConcurrencyType": "SEQUENTIAL",
                "ConcurrencyMode": "STRICT_FAILURE_TOLERANCE", "RegionOrder": ["us-west-2", "eu-west-1"] })
    );
    assert_eq!(
        p["Parameters"],
        json!([ { "ParameterKey": "StackwrightEnvironment", "ParameterValue": "edge-a-us" },
                { "ParameterKey": "AmiId", "ParameterValue": "/ami/us-west-2" } ])
    );
    assert_eq!(
        p["StackInstancesGroup"][1],
        json!({ "DeploymentTargets": { "OrganizationalUnitIds": [OU_B] }, "Regions": ["eu-west-1"],
                "ParameterOverrides": [ { "ParameterKey": "StackwrightEnvironment", "ParameterValue": "edge-b-eu" },
                                        { "ParameterKey": "AmiId", "ParameterValue": "/ami/eu-west-1" } ] })
    );
    let body: Value = serde_json::from_str(p["TemplateBody"].as_str().unwrap()).unwrap();
    assert_eq!(&body, t);
}

#[test]
fn a_property_that_differs_is_a_located_error_naming_it() {
    let templates = [
        template("edge-a", "111111111111", "us-west-2", "t3.small"),
        template("edge-b", "111111111111", "us-east-1", "m5.large"),
    ];
    let members = [
        MemberTemplate {
            environment: "edge-a",
            account: "111111111111",
            region: "us-west-2",
            template: &templates[0],
            capabilities: &[],
        },
        MemberTemplate {
            environment: "edge-b",
            account: "111111111111",
            region: "us-east-1",
            template: &templates[1],
            capabilities: &[],
        },
    ];
    let f = fleet(&[("edge-a", ou(OU_A)), ("edge-b", ou(OU_A))]);
    let here: Location = std::panic::Location::caller();
    let locate = |env: &str, id: &str| (env == "edge-a" && id == "Instance").then_some(here);
    let problems = compile("notebook", &f, &members, &locate).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let d = &problems[0];
    assert_eq!(
        d.message,
        "fleet `edge`: environments `edge-a` and `edge-b` get different templates of stack `edge` at resource \
         `Instance` (AWS::EC2::Instance), property `InstanceType`: \"t3.small\" in `edge-a`, \"m5.large\" in \
         `edge-b`; a stack set deploys one template to every instance: make the value a parameter of the \
         stack (`Parameter`, its default set from each environment's config), which the stack set overrides \
         per instance"
    );
    assert_eq!(d.location, Some(here));
    assert_eq!(d.resource.as_deref(), Some("Instance"));
    assert_eq!(d.also_in, ["edge-b"]);
}

#[test]
fn the_apis_limits_are_checked_together() {
    let t = template("a", "111111111111", "us-west-2", "t3.small");
    let members = [
        MemberTemplate {
            environment: "a",
            account: "111111111111",
            region: "us-west-2",
            template: &t,
            capabilities: &[],
        },
        MemberTemplate {
            environment: "b",
            account: "111111111111",
            region: "us-west-2",
            template: &t,
            capabilities: &[],
        },
    ];
    let mut f = fleet(&[("a", ou("ou-x")), ("b", DeploymentTarget::Account)]);
    f.name = "edge_1".into();
    f.permissions = Permissions::SelfManaged {
        administration_role_arn: None,
        execution_role_name: Some("bad role".into()),
    };
    f.preferences.max_concurrent = Amount::Count(5);
    f.preferences.failure_tolerance = Amount::Count(1);
    f.preferences.region_order = vec!["eu-west-1".into()];
    let problems: Vec<String> = compile("notebook", &f, &members, &nowhere)
        .unwrap_err()
        .into_iter()
        .map(|d| d.message)
        .collect();
    let expected = [
        "fleet `edge_1`: its stack set name `notebook-edge_1` is not a StackSetName",
        "fleet `edge_1`: member `a` targets `ou-x`: expected an organizational unit id",
        "fleet `edge_1`: member `a` targets organizational unit `ou-x`, which needs service-managed permissions",
        "fleet `edge_1`: its maximum concurrency is 5 accounts with a failure tolerance of 1: under strict failure tolerance",
        "fleet `edge_1`: its region order names `eu-west-1`, where no member deploys",
        "fleet `edge_1`: its region order lacks `us-west-2`, where a member deploys",
        "fleet `edge_1`: its execution role name `bad role` is not valid",
    ];
    for e in expected {
        assert!(
            problems.iter().any(|p| p.starts_with(e)),
            "missing `{e}` in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    // Service-managed stack sets target organizational units.
    let f = fleet(&[("a", ou(OU_A)), ("b", DeploymentTarget::Account)]);
    let problems = compile("notebook", &f, &members, &nowhere).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].message.starts_with("fleet `edge`: member `b` targets its account 111111111111, but service-managed stack sets deploy to organizational units"),
        "{problems:#?}"
    );
    // Two instances in one account and region.
    let f = fleet(&[
        ("a", DeploymentTarget::Account),
        ("b", DeploymentTarget::Account),
    ]);
    let f = Fleet {
        permissions: Permissions::SelfManaged {
            administration_role_arn: None,
            execution_role_name: None,
        },
        ..f
    };
    let problems = compile("notebook", &f, &members, &nowhere).unwrap_err();
    assert!(
        problems[0].message.contains(
            "members `a` and `b` deploy to the same target and region (111111111111, us-west-2)"
        ),
        "{problems:#?}"
    );
}

#[test]
fn an_organizational_units_stand_in_account_becomes_the_instances_account() {
    // Both members use the same stand-in account: equal values, still each instance's own account.
    let templates = [
        template("edge-a", "333333333333", "us-west-2", "t3.small"),
        template("edge-b", "333333333333", "us-east-1", "t3.small"),
    ];
    let members = [
        MemberTemplate {
            environment: "edge-a",
            account: "333333333333",
            region: "us-west-2",
            template: &templates[0],
            capabilities: &[],
        },
        MemberTemplate {
            environment: "edge-b",
            account: "333333333333",
            region: "us-east-1",
            template: &templates[1],
            capabilities: &[],
        },
    ];
    let f = fleet(&[("edge-a", ou(OU_A)), ("edge-b", ou(OU_A))]);
    let set = compile("notebook", &f, &members, &nowhere).unwrap();
    assert_eq!(
        set.template["Resources"]["Instance"]["Properties"]["IamInstanceProfile"],
        json!({ "Fn::Sub": "arn:aws:iam::${AWS::AccountId}:instance-profile/x-${!y}" })
    );
    // With account targets the same account is the same account: it stays.
    let f = Fleet {
        permissions: Permissions::SelfManaged {
            administration_role_arn: None,
            execution_role_name: None,
        },
        ..fleet(&[
            ("edge-a", DeploymentTarget::Account),
            ("edge-b", DeploymentTarget::Account),
        ])
    };
    let set = compile("notebook", &f, &members, &nowhere).unwrap();
    assert_eq!(
        set.template["Resources"]["Instance"]["Properties"]["IamInstanceProfile"],
        "arn:aws:iam::333333333333:instance-profile/x-${y}"
    );
    // Where no `Fn::Sub` may stand, the stand-in account is an error.
    let mut odd = templates[0].clone();
    odd["Mappings"] = json!({ "Accounts": { "Main": { "Id": "333333333333" } } });
    let mut odd_b = templates[1].clone();
    odd_b["Mappings"] = odd["Mappings"].clone();
    let members = [
        MemberTemplate {
            environment: "edge-a",
            account: "333333333333",
            region: "us-west-2",
            template: &odd,
            capabilities: &[],
        },
        MemberTemplate {
            environment: "edge-b",
            account: "333333333333",
            region: "us-east-1",
            template: &odd_b,
            capabilities: &[],
        },
    ];
    let f = fleet(&[("edge-a", ou(OU_A)), ("edge-b", ou(OU_A))]);
    let problems = compile("notebook", &f, &members, &nowhere).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].message.starts_with("fleet `edge`: `Mappings/Accounts/Main/Id` holds \"333333333333\", the account of a member that targets an organizational unit"),
        "{}",
        problems[0].message
    );
}

/// Accounts of self-managed members in one region are distinct targets: one instance each, no clash
/// (this was reported as "the same target and region" for every account after the first in a region).
#[test]
fn members_in_one_region_and_different_accounts_do_not_clash() {
    let templates = [
        template("edge-a", "111111111111", "us-west-2", "t3.small"),
        template("edge-b", "222222222222", "us-west-2", "t3.small"),
    ];
    let members = [
        MemberTemplate {
            environment: "edge-a",
            account: "111111111111",
            region: "us-west-2",
            template: &templates[0],
            capabilities: &[],
        },
        MemberTemplate {
            environment: "edge-b",
            account: "222222222222",
            region: "us-west-2",
            template: &templates[1],
            capabilities: &[],
        },
    ];
    let f = Fleet {
        permissions: Permissions::SelfManaged {
            administration_role_arn: None,
            execution_role_name: None,
        },
        ..fleet(&[
            ("edge-a", DeploymentTarget::Account),
            ("edge-b", DeploymentTarget::Account),
        ])
    };
    let set = compile("notebook", &f, &members, &nowhere).unwrap_or_else(|p| panic!("{p:#?}"));
    let groups = &set.administration["Resources"]["StackSet"]["Properties"]["StackInstancesGroup"];
    assert_eq!(groups.as_array().map(Vec::len), Some(2), "{groups:#}");
}
