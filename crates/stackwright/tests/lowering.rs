//! How references, parameters, dependencies and settings lower to each target, checked on the JSON.

use crate::support::{artifacts, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::ec2::{self, Peer, Port};
use stackwright::prelude::*;
use stackwright::tags;
use stackwright::terraform::Backend;

#[test]
fn interpolation_keeps_literal_dollar_braces_literal_in_both_targets() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let script = interpolate![
            "#!/bin/bash\necho \"${HOME} %{x}\" > /etc/vpc-",
            vpc.id(),
            "\n"
        ];
        s.add(ec2::Instance::new("Web", "ami-12345678", "t3.micro").user_data(script));
        s.output(
            "VpcUrl",
            interpolate!["vpc://", vpc.id(), "/", vpc.cidr_block()],
        );
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["Web"]["Properties"]["UserData"],
        json!({"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho \"${!HOME} %{x}\" > /etc/vpc-${Vpc}\n"}})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_instance"]["web"]["user_data"],
        "#!/bin/bash\necho \"$${HOME} %%{x}\" > /etc/vpc-${aws_vpc.vpc.id}\n"
    );
    assert_eq!(
        docs[CFN]["Outputs"]["VpcUrl"]["Value"],
        json!({"Fn::Sub": "vpc://${Vpc}/${Vpc.CidrBlock}"})
    );
    assert_eq!(
        docs[TF]["output"]["vpc_url"]["value"],
        "vpc://${aws_vpc.vpc.id}/${aws_vpc.vpc.cidr_block}"
    );
}

#[test]
fn literal_text_alone_is_escaped_in_both_targets() {
    let app = one_stack(|s| {
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro")
                .user_data("echo ${AWS::Region} ${HOME}"),
        );
    });
    let docs = artifacts(&app);
    // A plain string would deploy literally too, but cfn-lint and cloudformation-validate report E1029
    // on `${AWS::Region}` in one; `Fn::Sub` with `${!` says it is literal.
    assert_eq!(
        docs[CFN]["Resources"]["Web"]["Properties"]["UserData"],
        json!({"Fn::Base64": {"Fn::Sub": "echo ${!AWS::Region} ${!HOME}"}})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_instance"]["web"]["user_data"],
        "echo $${AWS::Region} $${HOME}"
    );
}

#[test]
fn parameters_become_template_parameters_and_variables() {
    let app = one_stack(|s| {
        let size = s.add_parameter(
            Parameter::string("InstanceSize")
                .default_value("t3.micro")
                .allowed_values(["t3.micro", "t3.small"])
                .description("Instance type of the web server"),
        );
        let count = s.add_parameter(Parameter::number("DiskGib").default_value("20"));
        s.add(
            ec2::Instance::new("Web", "ami-12345678", size)
                .tag("Disk", interpolate![count.value(), " GiB"]),
        );
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Parameters"]["InstanceSize"],
        json!({"Type": "String", "Default": "t3.micro", "AllowedValues": ["t3.micro", "t3.small"], "Description": "Instance type of the web server"})
    );
    assert_eq!(
        docs[CFN]["Parameters"]["DiskGib"],
        json!({"Type": "Number", "Default": "20"})
    );
    assert_eq!(
        docs[CFN]["Resources"]["Web"]["Properties"]["InstanceType"],
        json!({"Ref": "InstanceSize"})
    );
    let variable = &docs[TF]["variable"]["instance_size"];
    assert_eq!(variable["type"], "string");
    assert_eq!(variable["default"], "t3.micro");
    assert_eq!(
        variable["validation"][0]["condition"],
        "${contains([\"t3.micro\", \"t3.small\"], var.instance_size)}"
    );
    assert_eq!(
        docs[TF]["variable"]["disk_gib"],
        json!({"type": "number", "default": 20})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_instance"]["web"]["instance_type"],
        "${var.instance_size}"
    );
    assert_eq!(
        docs[TF]["resource"]["aws_instance"]["web"]["tags"]["Disk"],
        "${var.disk_gib} GiB"
    );
}

#[test]
fn explicit_and_implied_dependencies() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let gateway = s.add(ec2::InternetGateway::new("Gateway", &vpc));
        let table = s.add(ec2::RouteTable::new("Routes", &vpc));
        let route = s.add(ec2::Route::to_internet_gateway(
            "Default",
            &table,
            "0.0.0.0/0",
            &gateway,
        ));
        s.add(ec2::Instance::new("Web", "ami-12345678", "t3.micro").depends_on(&route));
    });
    let docs = artifacts(&app);
    // CloudFormation cannot see that a route needs the gateway attached first: we add it.
    assert_eq!(
        docs[CFN]["Resources"]["Default"]["DependsOn"],
        json!(["GatewayAttachment"])
    );
    assert_eq!(
        docs[CFN]["Resources"]["GatewayAttachment"]["Type"],
        "AWS::EC2::VPCGatewayAttachment"
    );
    assert_eq!(
        docs[CFN]["Resources"]["Web"]["DependsOn"],
        json!(["Default"])
    );
    assert_eq!(
        docs[TF]["resource"]["aws_instance"]["web"]["depends_on"],
        json!(["aws_route.default"])
    );
    assert_eq!(
        docs[TF]["resource"]["aws_internet_gateway"]["gateway"]["vpc_id"],
        "${aws_vpc.vpc.id}"
    );
}

#[test]
fn security_groups_are_closed_unless_opened() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let lb = s.add(ec2::SecurityGroup::new("Lb", &vpc, "load balancer"));
        s.add(
            ec2::SecurityGroup::new("App", &vpc, "app servers")
                .allow_ingress(
                    Peer::security_group(&lb),
                    Port::tcp(8080),
                    "from the load balancer",
                )
                .allow_egress(
                    Peer::ipv4("10.0.0.0/16"),
                    Port::all_traffic(),
                    "inside the VPC",
                ),
        );
    });
    let docs = artifacts(&app);
    let lb = &docs[CFN]["Resources"]["Lb"]["Properties"];
    assert!(lb.get("SecurityGroupIngress").is_none());
    assert_eq!(
        lb["SecurityGroupEgress"][0]["CidrIp"], "255.255.255.255/32",
        "no implicit allow-all egress"
    );
    let app_group = &docs[CFN]["Resources"]["App"]["Properties"];
    assert_eq!(
        app_group["SecurityGroupIngress"][0]["SourceSecurityGroupId"],
        json!({"Fn::GetAtt": ["Lb", "GroupId"]})
    );
    assert_eq!(
        app_group["SecurityGroupEgress"],
        json!([{"IpProtocol": "-1", "CidrIp": "10.0.0.0/16", "Description": "inside the VPC"}])
    );

    let rules = &docs[TF]["resource"];
    assert!(rules["aws_vpc_security_group_egress_rule"]
        .get("lb_egress_all_to_10_0_0_0_16")
        .is_none());
    assert_eq!(
        rules["aws_vpc_security_group_ingress_rule"]["app_ingress_tcp_8080_from_lb"],
        json!({
            "security_group_id": "${aws_security_group.app.id}",
            "ip_protocol": "tcp",
            "from_port": 8080,
            "to_port": 8080,
            "referenced_security_group_id": "${aws_security_group.lb.id}",
            "description": "from the load balancer"
        })
    );
    assert_eq!(
        rules["aws_vpc_security_group_egress_rule"]["app_egress_all_to_10_0_0_0_16"],
        json!({"security_group_id": "${aws_security_group.app.id}", "ip_protocol": "-1", "cidr_ipv4": "10.0.0.0/16", "description": "inside the VPC"})
    );
}

#[test]
fn environment_settings_reach_the_provider_and_tags() {
    let env = Environment::new("prod", "123456789012", "eu-central-1", ())
        .tag("team", "notebooks")
        .tag("stage", "prod")
        .terraform_backend(Backend::S3 {
            bucket: "tf-state-123456789012".into(),
            region: "eu-central-1".into(),
            key: None,
            dynamodb_table: Some("tf-locks".into()),
        })
        .terraform_assume_role("arn:aws:iam::123456789012:role/deployer");
    // App-wide tags: a standard key, one the environment overrides, and one overriding a default.
    let app = App::new("demo")
        .tag(tags::OWNER, "data-platform")
        .tag("team", "everyone")
        .tag(tags::MANAGED_BY, "stackwright (platform repo)")
        .environment(env)
        .stack("main", |s, _| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("stage", "canary"));
            let gateway = s.add(ec2::InternetGateway::new("Gateway", &vpc));
            let table = s.add(ec2::RouteTable::new("Routes", &vpc));
            s.add(ec2::Route::to_internet_gateway(
                "Default",
                &table,
                "0.0.0.0/0",
                &gateway,
            ));
        });
    let docs = artifacts(&app);
    let tf = &docs["terraform/prod/main/main.tf.json"];
    assert_eq!(
        tf["terraform"]["backend"],
        json!({"s3": {"bucket": "tf-state-123456789012", "key": "demo/prod/main.tfstate", "region": "eu-central-1", "encrypt": true, "dynamodb_table": "tf-locks"}})
    );
    assert_eq!(
        tf["provider"]["aws"],
        json!({
            "region": "eu-central-1",
            "allowed_account_ids": ["123456789012"],
            "assume_role": {"role_arn": "arn:aws:iam::123456789012:role/deployer"},
            "default_tags": {"tags": {
                "app": "demo",
                "environment": "prod",
                "managed-by": "stackwright (platform repo)",
                "owner": "data-platform",
                "team": "notebooks",
                "stage": "prod"
            }}
        })
    );
    assert_eq!(
        tf["resource"]["aws_vpc"]["vpc"]["tags"],
        json!({"stage": "canary"})
    );
    // CloudFormation has no provider-level tags: the defaults reach each resource whose type takes
    // tags, overridable per resource, and no resource whose type takes none.
    let cfn = &docs["cloudformation/prod/main.template.json"]["Resources"];
    let defaults = |stage: &str| {
        json!([
            {"Key": "app", "Value": "demo"},
            {"Key": "environment", "Value": "prod"},
            {"Key": "managed-by", "Value": "stackwright (platform repo)"},
            {"Key": "owner", "Value": "data-platform"},
            {"Key": "team", "Value": "notebooks"},
            {"Key": "stage", "Value": stage}
        ])
    };
    assert_eq!(cfn["Vpc"]["Properties"]["Tags"], defaults("canary"));
    assert_eq!(cfn["Gateway"]["Properties"]["Tags"], defaults("prod"));
    assert_eq!(cfn["Routes"]["Properties"]["Tags"], defaults("prod"));
    for untaggable in ["GatewayAttachment", "Default"] {
        assert!(
            cfn[untaggable]["Properties"].get("Tags").is_none(),
            "{untaggable}"
        );
    }
}

#[test]
fn a_named_security_group_gets_the_app_pattern_in_both_targets() {
    let app = |pattern: Option<&str>| {
        let app =
            App::new("demo").environment(Environment::new("dev", "123456789012", "us-west-2", ()));
        let app = match pattern {
            Some(p) => app.naming(p),
            None => app,
        };
        app.stack("main", |s, _| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            s.add(ec2::SecurityGroup::new("Web", &vpc, "web servers").name("web ${x}"));
            s.add(ec2::SecurityGroup::new("Db", &vpc, "databases"));
        })
    };
    let docs = artifacts(&app(None));
    let cfn = &docs[CFN]["Resources"];
    // `${` in user text is spelled as a literal `Fn::Sub` like every other name (`expr::literal`).
    assert_eq!(
        cfn["Web"]["Properties"]["GroupName"],
        json!({"Fn::Sub": "demo-dev-web ${!x}"})
    );
    assert!(cfn["Db"]["Properties"].get("GroupName").is_none());
    let groups = &docs[TF]["resource"]["aws_security_group"];
    assert_eq!(groups["web"]["name"], "demo-dev-web $${x}");
    assert!(groups["db"].get("name").is_none());

    let docs = artifacts(&app(Some("{name}.{stack}.{region}")));
    assert_eq!(
        docs[CFN]["Resources"]["Web"]["Properties"]["GroupName"],
        json!({"Fn::Sub": "web ${!x}.main.us-west-2"})
    );
}
