//! What the design promises, checked in both targets of both environments.

use crate::common::{artifacts, per_environment};
use serde_json::{json, Value};

fn resource<'a>(template: &'a Value, id: &str) -> &'a Value {
    template["Resources"]
        .get(id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

/// The resources of a CloudFormation type in a template.
fn of_type<'a>(template: &'a Value, type_name: &'a str) -> impl Iterator<Item = &'a Value> {
    let resources = template["Resources"].as_object().expect("resources");
    resources.values().filter(move |r| r["Type"] == type_name)
}

fn block<'a>(module: &'a Value, kind: &str, name: &str) -> &'a Value {
    module["resource"][kind]
        .get(name)
        .unwrap_or_else(|| panic!("no {kind}.{name}"))
}

#[test]
fn the_database_is_private_encrypted_protected_and_snapshotted() {
    for (env, template, module) in per_environment() {
        let db = resource(&template, "Database");
        assert_eq!(db["DeletionPolicy"], "Snapshot", "{env}");
        assert_eq!(db["UpdateReplacePolicy"], "Snapshot", "{env}");
        let p = &db["Properties"];
        assert_eq!(p["PubliclyAccessible"], false, "{env}");
        assert_eq!(p["StorageEncrypted"], true, "{env}");
        assert_eq!(p["DeletionProtection"], true, "{env}");
        assert_eq!(p["ManageMasterUserPassword"], true, "{env}");
        assert!(p.get("MasterUserPassword").is_none(), "{env}");
        assert_eq!(p["KmsKeyId"], json!({"Fn::GetAtt": ["DataKey", "Arn"]}));

        let db = block(&module, "aws_db_instance", "database");
        assert_eq!(db["publicly_accessible"], false, "{env}");
        assert_eq!(db["storage_encrypted"], true, "{env}");
        assert_eq!(db["deletion_protection"], true, "{env}");
        assert_eq!(db["manage_master_user_password"], true, "{env}");
        assert!(db.get("password").is_none(), "{env}");
        assert_eq!(db["skip_final_snapshot"], false, "{env}");
        assert_eq!(db["lifecycle"]["prevent_destroy"], true, "{env}");
    }
}

#[test]
fn only_the_app_tier_reaches_the_database_and_the_database_reaches_nothing() {
    for (env, template, module) in per_environment() {
        let group = &resource(&template, "DatabaseSecurityGroup")["Properties"];
        assert_eq!(
            group["SecurityGroupIngress"],
            json!([{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                    "SourceSecurityGroupId": {"Fn::GetAtt": ["AppSecurityGroup", "GroupId"]},
                    "Description": "PostgreSQL from the app instances"}]),
            "{env}"
        );
        let rules = module["resource"]["aws_vpc_security_group_ingress_rule"]
            .as_object()
            .unwrap();
        let to_database: Vec<&Value> = rules
            .values()
            .filter(|r| {
                r["security_group_id"] == "${aws_security_group.database_security_group.id}"
            })
            .collect();
        assert_eq!(
            to_database,
            [
                &json!({"security_group_id": "${aws_security_group.database_security_group.id}",
                     "ip_protocol": "tcp", "from_port": 5432, "to_port": 5432,
                     "referenced_security_group_id": "${aws_security_group.app_security_group.id}",
                     "description": "PostgreSQL from the app instances"})
            ],
            "{env}"
        );
        // The database's subnets use a route table without routes: only the VPC's local one.
        let data_routes = of_type(&template, "AWS::EC2::Route")
            .filter(|r| r["Properties"]["RouteTableId"] == json!({"Ref": "DataRoutes"}));
        assert_eq!(data_routes.count(), 0, "{env}");
        for n in 1..=2 {
            let association = &resource(&template, &format!("DataSubnet{n}Routes"))["Properties"];
            assert_eq!(association["RouteTableId"], json!({"Ref": "DataRoutes"}));
        }
    }
}

/// Values under keys that name a password or a secret's content, anywhere in a document.
fn secret_values<'a>(doc: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                let key_lower = key.to_lowercase();
                let secret = key_lower.contains("password")
                    || key_lower.contains("secretstring")
                    || key_lower.contains("secret_string");
                if secret && !value.is_boolean() {
                    out.push((key.clone(), value));
                }
                secret_values(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| secret_values(v, out)),
        _ => {}
    }
}

#[test]
fn no_artifact_holds_a_secret_value() {
    for (path, doc) in artifacts() {
        let mut found = Vec::new();
        secret_values(&doc, &mut found);
        assert!(found.is_empty(), "{path}: {found:?}");
    }
    // The app learns where the credentials are, not what they are.
    for (env, template, module) in per_environment() {
        let user_data = resource(&template, "AppLaunchTemplate")["Properties"]
            ["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            user_data.contains("WEBAPP_DB_SECRET_ARN=${Database.MasterUserSecret.SecretArn}\n"),
            "{env}"
        );
        let user_data = block(&module, "aws_launch_template", "app_launch_template")["user_data"]
            .as_str()
            .unwrap();
        assert!(
            user_data.contains(
                "WEBAPP_DB_SECRET_ARN=${aws_db_instance.database.master_user_secret[0].secret_arn}\\n"
            ),
            "{env}"
        );
    }
}

#[test]
fn the_app_role_reads_only_its_own_bucket_secret_and_log_group() {
    let statements = |template: &Value, policy: &str| {
        resource(template, policy)["Properties"]["PolicyDocument"]["Statement"].clone()
    };
    let key_use = json!({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
                         "Resource": [{"Fn::GetAtt": ["DataKey", "Arn"]}]});
    for (env, template, module) in per_environment() {
        // Every policy attached to the app role, and nothing but the grants.
        let attached: Vec<&str> = template["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::IAM::Policy")
            .filter(|(_, r)| r["Properties"]["Roles"] == json!([{"Ref": "AppRole"}]))
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(
            attached,
            [
                "AppRoleAssetsRead",
                "AppRoleDatabaseMasterUserSecretRead",
                "AppRoleAppLogsWrite"
            ],
            "{env}"
        );
        assert_eq!(
            statements(&template, "AppRoleAssetsRead"),
            json!([
                {"Effect": "Allow",
                 "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketLocation"],
                 "Resource": [{"Fn::GetAtt": ["Assets", "Arn"]}, {"Fn::Sub": "${Assets.Arn}/*"}]},
                key_use
            ]),
            "{env}"
        );
        assert_eq!(
            statements(&template, "AppRoleDatabaseMasterUserSecretRead"),
            json!([
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "Resource": [{"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}]},
                key_use
            ]),
            "{env}"
        );
        let log_group = json!({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${AppLogs}"});
        let log_streams = json!({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${AppLogs}:*"});
        assert_eq!(
            statements(&template, "AppRoleAppLogsWrite"),
            json!([{"Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "Resource": [log_group, log_streams]}]),
            "{env}"
        );
        // Session Manager is the only managed policy.
        assert_eq!(
            resource(&template, "AppRole")["Properties"]["ManagedPolicyArns"],
            json!(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]),
            "{env}"
        );
        let document =
            &module["data"]["aws_iam_policy_document"]["app_role_assets_read_policy_document"];
        assert_eq!(
            document["statement"][0]["resources"],
            json!([
                "${aws_s3_bucket.assets.arn}",
                "${aws_s3_bucket.assets.arn}/*"
            ]),
            "{env}"
        );
        assert!(
            !document.to_string().contains("s3:Put"),
            "{env}: the app role must not write assets"
        );
    }
}

#[test]
fn http_is_redirected_to_https_which_uses_the_stacks_certificate() {
    for (env, template, module) in per_environment() {
        let http = &resource(&template, "HttpListener")["Properties"];
        assert_eq!(http["Port"], 80, "{env}");
        assert_eq!(
            http["DefaultActions"],
            json!([{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]),
            "{env}"
        );
        let https = &resource(&template, "HttpsListener")["Properties"];
        assert_eq!(https["Protocol"], "HTTPS", "{env}");
        assert_eq!(
            https["Certificates"],
            json!([{"CertificateArn": {"Ref": "Certificate"}}]),
            "{env}"
        );
        assert!(https["SslPolicy"]
            .as_str()
            .unwrap()
            .starts_with("ELBSecurityPolicy-TLS13"));

        let http = block(&module, "aws_lb_listener", "http_listener");
        assert_eq!(
            http["default_action"],
            json!([{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}]),
            "{env}"
        );
        let https = block(&module, "aws_lb_listener", "https_listener");
        assert_eq!(
            https["certificate_arn"], "${aws_acm_certificate.certificate.arn}",
            "{env}"
        );
        // Terraform serves HTTPS only once the certificate is issued.
        assert_eq!(
            https["depends_on"],
            json!(["aws_acm_certificate_validation.certificate_validation"])
        );
    }
}

#[test]
fn environments_differ_where_their_config_does() {
    let envs = per_environment();
    let nat_gateways = |template: &Value| of_type(template, "AWS::EC2::NatGateway").count();
    let [(_, staging, staging_tf), (_, production, production_tf)] = &envs[..] else {
        panic!("two environments")
    };
    assert_eq!(nat_gateways(staging), 1);
    assert_eq!(nat_gateways(production), 2);
    // Staging's second zone leaves through the first zone's gateway.
    assert_eq!(
        resource(staging, "AppDefaultRoute2")["Properties"]["NatGatewayId"],
        json!({"Ref": "NatGateway1"})
    );
    assert_eq!(
        resource(production, "AppDefaultRoute2")["Properties"]["NatGatewayId"],
        json!({"Ref": "NatGateway2"})
    );
    assert_eq!(
        resource(staging, "Database")["Properties"]["MultiAZ"],
        false
    );
    assert_eq!(
        resource(production, "Database")["Properties"]["MultiAZ"],
        true
    );
    assert_eq!(
        resource(production, "AppFleet")["Properties"]["MinSize"],
        "2"
    );
    // The fleet scales on CPU, towards each environment's target, in both targets.
    let tracking = &resource(production, "AppScalingPolicy")["Properties"];
    assert_eq!(tracking["AutoScalingGroupName"], json!({"Ref": "AppFleet"}));
    assert_eq!(tracking["TargetTrackingConfiguration"]["TargetValue"], 50);
    let tracking = block(staging_tf, "aws_autoscaling_policy", "app_scaling_policy");
    assert_eq!(
        tracking["autoscaling_group_name"],
        "${aws_autoscaling_group.app_fleet.name}"
    );
    assert_eq!(
        tracking["target_tracking_configuration"]["target_value"],
        70
    );
    // Each Terraform module is pinned to its environment's account and region.
    for (module, account, region) in [
        (staging_tf, "333333333333", "eu-west-1"),
        (production_tf, "444444444444", "us-east-1"),
    ] {
        assert_eq!(module["provider"]["aws"]["region"], region);
        assert_eq!(
            module["provider"]["aws"]["allowed_account_ids"],
            json!([account])
        );
    }
    // A certificate and a record for each environment's own domain.
    assert_eq!(
        resource(staging, "SiteRecord")["Properties"]["Name"],
        "staging.webapp.example.com"
    );
    assert_eq!(
        block(production_tf, "aws_acm_certificate", "certificate")["domain_name"],
        "webapp.example.com"
    );
}
