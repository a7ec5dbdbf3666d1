//! Containers on ECS Fargate (`aws::ecs`): the cluster, task definitions declared with their roles and
//! log group, services behind target groups with their scaling, and the grants that take a task.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::ecs::{
    AutoScale, CapacityProvider, Cluster, Container, CpuArchitecture, FargateService,
    FargateTaskDefinition, Image, Strategy,
};
use stackwright::aws::{ecr, secretsmanager, ssm};

#[test]
fn a_cluster_has_container_insights_and_both_fargate_providers_by_default() {
    let app = one_stack(|s| {
        let cluster = s.add(Cluster::new("Apps"));
        s.add(
            Cluster::new("Batch")
                .default_strategy([
                    Strategy::new(CapacityProvider::Fargate, 1).base(1),
                    Strategy::new(CapacityProvider::FargateSpot, 3),
                ])
                .without_container_insights()
                .name("batch"),
        );
        s.output("Cluster", cluster.name());
        s.output("ClusterArn", cluster.arn());
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["Apps"],
        json!({"Type": "AWS::ECS::Cluster", "Properties": {
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}],
            "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "DefaultCapacityProviderStrategy": [
                {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 0}
            ],
            "Tags": [
                {"Key": "app", "Value": "demo"},
                {"Key": "environment", "Value": "dev"},
                {"Key": "managed-by", "Value": "stackwright"}
            ]
        }})
    );
    let batch = &resources["Batch"];
    assert_eq!(batch["Properties"]["ClusterName"], "demo-dev-batch");
    assert_eq!(
        batch["Properties"]["ClusterSettings"],
        json!([{"Name": "containerInsights", "Value": "disabled"}])
    );
    assert_eq!(
        batch["Properties"]["DefaultCapacityProviderStrategy"],
        json!([
            {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 3, "Base": 0}
        ])
    );
    assert_eq!(batch["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_65");
    assert_eq!(
        docs[CFN]["Outputs"]["Cluster"]["Value"],
        json!({"Ref": "Apps"})
    );
    assert_eq!(
        docs[CFN]["Outputs"]["ClusterArn"]["Value"],
        json!({"Fn::GetAtt": ["Apps", "Arn"]})
    );

    let tf = &docs[TF]["resource"];
    assert_eq!(
        tf["aws_ecs_cluster"]["apps"],
        json!({"name": "demo-dev-main-Apps",
            "setting": [{"name": "containerInsights", "value": "enabled"}]})
    );
    assert_eq!(
        tf["aws_ecs_cluster_capacity_providers"]["apps_capacity_providers"],
        json!({"cluster_name": "${aws_ecs_cluster.apps.name}",
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [
            {"capacity_provider": "FARGATE", "weight": 1, "base": 0}
        ]})
    );
    assert_eq!(tf["aws_ecs_cluster"]["batch"]["name"], "demo-dev-batch");
    assert!(tf["aws_ecs_cluster"]["batch"]["//"]
        .to_string()
        .contains("CKV_AWS_65"));
    assert_eq!(
        docs[TF]["output"]["cluster_arn"]["value"],
        "${aws_ecs_cluster.apps.arn}"
    );
}

#[test]
fn bad_cluster_input_is_a_located_error() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(Cluster::new("Apps").default_strategy([
            Strategy::new(CapacityProvider::Fargate, 1001).base(1),
            Strategy::new(CapacityProvider::FargateSpot, 0).base(-1),
            Strategy::new(CapacityProvider::Fargate, 0).base(2),
        ]));
        s.add(
            Cluster::new("Idle")
                .default_strategy([Strategy::new(CapacityProvider::FargateSpot, 0)]),
        );
        s.add(Cluster::new("Empty").default_strategy([]));
        s.add(Cluster::new("Named").name("has space"));
    });
    let errors = fails(
        &app,
        &[
            "cluster default capacity provider strategy: weight 1001 for FARGATE: expected 0 to 1000",
            "cluster default capacity provider strategy: base -1 for FARGATE_SPOT: expected 0 to 100000",
            "cluster default capacity provider strategy names FARGATE twice",
            "cluster default capacity provider strategy gives a base to more than one provider",
            "cluster default capacity provider strategy gives every provider weight 0",
            "cluster default capacity provider strategy without items",
            "ECS cluster name: it contains ` `",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

/// A web container from a repository, listening on 8080.
fn web(repository: &ecr::RepositoryHandle) -> Container {
    Container::new("web", Image::from_repository(repository, "v1")).port(8080)
}

#[test]
fn a_task_definition_gets_roles_a_log_group_and_read_only_containers_by_default() {
    let app = one_stack(|s| {
        let repository = s.add(ecr::Repository::new("Images"));
        let task = FargateTaskDefinition::new("Web", 512, 1024)
            .container(web(&repository).environment("MODE", "live"))
            .add_to(s);
        s.output("Task", task.arn());
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let types: Vec<(&str, &str)> = resources
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, r)| (id.as_str(), r["Type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("Images", "AWS::ECR::Repository"),
            ("WebLogs", "AWS::Logs::LogGroup"),
            ("WebTaskRole", "AWS::IAM::Role"),
            ("WebExecutionRole", "AWS::IAM::Role"),
            ("WebExecution", "AWS::IAM::Policy"),
            ("Web", "AWS::ECS::TaskDefinition"),
        ]
    );
    let task = &resources["Web"];
    assert_eq!(task["DependsOn"], json!(["WebExecution"]));
    let properties = &task["Properties"];
    assert_eq!(properties["RequiresCompatibilities"], json!(["FARGATE"]));
    assert_eq!(properties["NetworkMode"], "awsvpc");
    assert_eq!(properties["Cpu"], "512");
    assert_eq!(properties["Memory"], "1024");
    assert_eq!(
        properties["RuntimePlatform"],
        json!({"OperatingSystemFamily": "LINUX", "CpuArchitecture": "X86_64"})
    );
    assert_eq!(
        properties["ExecutionRoleArn"],
        json!({"Fn::GetAtt": ["WebExecutionRole", "Arn"]})
    );
    assert_eq!(
        properties["TaskRoleArn"],
        json!({"Fn::GetAtt": ["WebTaskRole", "Arn"]})
    );
    assert!(properties.get("Family").is_none());
    assert_eq!(
        properties["ContainerDefinitions"],
        json!([{
            "Name": "web",
            "Image": {"Fn::Sub": "${Images.RepositoryUri}:v1"},
            "Essential": true,
            "PortMappings": [{"ContainerPort": 8080, "Protocol": "tcp"}],
            "Environment": [{"Name": "MODE", "Value": "live"}],
            "LogConfiguration": {"LogDriver": "awslogs", "Options": {
                "awslogs-group": {"Ref": "WebLogs"},
                "awslogs-region": {"Ref": "AWS::Region"},
                "awslogs-stream-prefix": "web"
            }},
            "ReadonlyRootFilesystem": true,
            "Privileged": false
        }])
    );
    assert_eq!(resources["WebLogs"]["Properties"]["RetentionInDays"], 365);
    // The task role is trusted by this account's tasks only and granted nothing.
    assert_eq!(
        resources["WebTaskRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
            "Action": ["sts:AssumeRole"],
            "Condition": {"StringEquals": {"aws:SourceAccount": [{"Ref": "AWS::AccountId"}]}}}])
    );
    let group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${WebLogs}";
    assert_eq!(
        resources["WebExecution"]["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [{"Fn::Sub": group}, {"Fn::Sub": format!("{group}:*")}]},
            {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                "Resource": [{"Fn::GetAtt": ["Images", "Arn"]}]},
            {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]}
        ])
    );
    assert_eq!(
        resources["WebExecution"]["Properties"]["Roles"],
        json!([{"Ref": "WebExecutionRole"}])
    );
    assert_eq!(docs[CFN]["Outputs"]["Task"]["Value"], json!({"Ref": "Web"}));

    let tf = &docs[TF]["resource"]["aws_ecs_task_definition"]["web"];
    assert_eq!(tf["family"], "demo-dev-main-Web");
    assert_eq!(tf["cpu"], "512");
    assert_eq!(tf["memory"], "1024");
    assert_eq!(tf["network_mode"], "awsvpc");
    assert_eq!(
        tf["runtime_platform"],
        json!({"operating_system_family": "LINUX", "cpu_architecture": "X86_64"})
    );
    assert_eq!(tf["task_role_arn"], "${aws_iam_role.web_task_role.arn}");
    assert_eq!(
        tf["execution_role_arn"],
        "${aws_iam_role.web_execution_role.arn}"
    );
    // The ECS API's JSON, references live inside its strings.
    assert_eq!(
        tf["container_definitions"],
        "[{\"name\":\"web\",\"image\":\"${aws_ecr_repository.images.repository_url}:v1\",\
         \"essential\":true,\"portMappings\":[{\"containerPort\":8080,\"protocol\":\"tcp\"}],\
         \"environment\":[{\"name\":\"MODE\",\"value\":\"live\"}],\"logConfiguration\":\
         {\"logDriver\":\"awslogs\",\"options\":{\"awslogs-group\":\
         \"${aws_cloudwatch_log_group.web_logs.name}\",\"awslogs-region\":\"us-west-2\",\
         \"awslogs-stream-prefix\":\"web\"}},\"readonlyRootFilesystem\":true,\"privileged\":false}]"
    );
    assert_eq!(
        tf["depends_on"],
        json!(["aws_iam_role_policy.web_execution"])
    );
    assert_eq!(
        docs[TF]["output"]["task"]["value"],
        "${aws_ecs_task_definition.web.arn}"
    );
}

#[test]
fn secret_variables_name_arns_and_let_the_execution_role_read_them() {
    let app = one_stack(|s| {
        let secret = s.add(secretsmanager::Secret::generated("Db"));
        let flag = s.add(ssm::Parameter::string("Flag", "/demo/flag", "on"));
        let worker = Container::new(
            "worker",
            Image::public("public.ecr.aws/docker/library/busybox:1.37"),
        )
        .secret_environment("DB_SECRET", &secret)
        .command(["sh", "-c", "sleep 3600"])
        .not_essential()
        .writable_root_filesystem();
        FargateTaskDefinition::new("Jobs", 1024, 2048)
            .container(
                Container::new("app", Image::public("public.ecr.aws/nginx/nginx:1.27"))
                    .secret_environment("DB_SECRET", &secret)
                    .secret_environment("FLAG", &flag),
            )
            .container(worker)
            .architecture(CpuArchitecture::Arm64)
            .log_group(|g| g.retention_days(30))
            .name("jobs")
            .add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let task = &resources["Jobs"];
    assert_eq!(task["Properties"]["Family"], "demo-dev-jobs");
    assert_eq!(
        task["DependsOn"],
        json!([
            "JobsExecution",
            "JobsExecutionRoleDbRead",
            "JobsExecutionRoleFlagRead"
        ])
    );
    let containers = &task["Properties"]["ContainerDefinitions"];
    assert_eq!(
        containers[0]["Secrets"],
        json!([{"Name": "DB_SECRET", "ValueFrom": {"Ref": "Db"}},
            {"Name": "FLAG", "ValueFrom": {"Fn::GetAtt": ["Flag", "Arn"]}}])
    );
    assert_eq!(containers[1]["Essential"], false);
    assert_eq!(containers[1]["ReadonlyRootFilesystem"], false);
    assert_eq!(containers[1]["Command"], json!(["sh", "-c", "sleep 3600"]));
    assert_eq!(
        task["Properties"]["RuntimePlatform"]["CpuArchitecture"],
        "ARM64"
    );
    assert_eq!(task["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_336");
    assert_eq!(resources["JobsLogs"]["Properties"]["RetentionInDays"], 30);
    assert_eq!(
        resources["JobsExecutionRoleDbRead"]["Properties"]["Roles"],
        json!([{"Ref": "JobsExecutionRole"}])
    );
    // Public images need no pull grant.
    let statements = &resources["JobsExecution"]["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(statements.as_array().unwrap().len(), 1, "{statements}");
    let tf = &docs[TF]["resource"]["aws_ecs_task_definition"]["jobs"];
    let text = tf["container_definitions"].as_str().unwrap();
    assert!(
        text.contains("\"secrets\":[{\"name\":\"DB_SECRET\",\"valueFrom\":\"${aws_secretsmanager_secret.db.arn}\"}"),
        "{text}"
    );
    assert!(tf["//"].to_string().contains("CKV_AWS_336"));
}

#[test]
fn grants_take_a_task_and_attach_to_its_task_role() {
    use stackwright::aws::{dynamodb, s3, sqs};
    let app = one_stack(|s| {
        let jobs = s.add(sqs::Queue::new("Jobs"));
        let table = s.add(dynamodb::Table::new("Orders", dynamodb::Key::string("pk")));
        let bucket = s.add(s3::Bucket::new("Files"));
        let secret = s.add(secretsmanager::Secret::generated("Api"));
        let task = FargateTaskDefinition::new("Web", 256, 512)
            .container(Container::new(
                "web",
                Image::public("public.ecr.aws/nginx/nginx:1.27"),
            ))
            .add_to(s);
        s.add(jobs.grant_send(&task));
        s.add(table.grant_read_write(&task));
        s.add(bucket.grant_read(&task));
        s.add(secret.grant_read(&task));
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    for id in [
        "WebTaskRoleJobsSend",
        "WebTaskRoleOrdersReadWrite",
        "WebTaskRoleFilesRead",
        "WebTaskRoleApiRead",
    ] {
        assert_eq!(
            resources[id]["Properties"]["Roles"],
            json!([{"Ref": "WebTaskRole"}]),
            "{id}"
        );
    }
    assert_eq!(
        docs[TF]["resource"]["aws_iam_role_policy"]["web_task_role_jobs_send"]["role"],
        "${aws_iam_role.web_task_role.name}"
    );
}

#[test]
fn an_image_asset_runs_from_the_environments_image_repository() {
    use stackwright::assets::{Asset, StackAssets};
    let scratch = tempfile::tempdir().unwrap();
    let layout = scratch.path().join("image");
    let digest = crate::assets::image_layout(&layout);
    let app = one_stack(move |s| {
        let image = s.asset(Asset::oci_layout(layout.clone()));
        FargateTaskDefinition::new("Web", 256, 512)
            .container(Container::new("web", &image))
            .add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["Web"]["Properties"]["ContainerDefinitions"][0]["Image"],
        json!({"Fn::Sub": format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/stackwright-assets:{digest}")})
    );
    assert_eq!(
        resources["WebExecution"]["Properties"]["PolicyDocument"]["Statement"][1]["Resource"],
        json!([{"Fn::Sub":
            "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/stackwright-assets"}])
    );
}

#[test]
fn bad_task_definition_input_is_a_located_error() {
    let at = line_below(3);
    let app = one_stack(|s| {
        let repository = s.add(ecr::Repository::new("Images"));
        FargateTaskDefinition::new("Web", 256, 1536)
            .container(
                Container::new("web app", Image::from_repository(&repository, "-v1"))
                    .port(0)
                    .port(80)
                    .port(80)
                    .environment("1BAD", "x")
                    .environment("MODE", "a")
                    .environment("MODE", "b"),
            )
            .container(Container::new(
                "digest",
                Image::from_repository_digest(&repository, "sha256:abc"),
            ))
            .container(Container::new("digest", Image::public("busybox")))
            .add_to(s);
        FargateTaskDefinition::new("Big", 3000, 4096).add_to(s);
        FargateTaskDefinition::new("Sidecars", 4096, 32768)
            .container(Container::new("a", Image::public("busybox")).not_essential())
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "Fargate task memory of 1536 MiB with 256 CPU units: expected 512, 1024 or 2048 MiB",
            "image tag `-v1`: expected 1 to 128 letters, digits, `_`, `.` and `-`",
            "container name `web app`: expected 1 to 255 letters, digits, `-` and `_`",
            "container port 0: expected 1 to 65535",
            "container port 80/tcp is mapped twice",
            "environment variable name `1BAD`",
            "environment variable `MODE` of container `web app` is set twice",
            "image digest `sha256:abc`: expected `sha256:` and 64 lowercase hex digits",
            "container `digest` is declared twice",
            "Fargate task CPU of 3000 units: expected one of 256, 512, 1024, 2048, 4096, 8192, 16384",
            "a task definition without containers",
            "Fargate task memory of 32768 MiB with 4096 CPU units: expected 8192 to 30720 in steps of 1024 MiB",
            "a task definition without an essential container",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn a_literal_secret_in_a_container_variable_is_an_error() {
    let app = one_stack(|s| {
        FargateTaskDefinition::new("Web", 256, 512)
            .container(
                Container::new("web", Image::public("busybox"))
                    .environment("DB_PASSWORD", "hunter2-hunter2"),
            )
            .add_to(s);
    });
    fails(&app, &["DB_PASSWORD"]);
}

/// A network, a balancer forwarding HTTP to an `ip` target group, a cluster and a web task: what a
/// service runs behind.
struct Setup {
    network: stackwright::aws::ec2::VpcNetworkHandle,
    group: stackwright::aws::ec2::SecurityGroupHandle,
    lb: stackwright::aws::elbv2::LoadBalancerHandle,
    targets: stackwright::aws::elbv2::TargetGroupHandle,
    listener: stackwright::aws::elbv2::ListenerHandle,
    cluster: stackwright::aws::ecs::ClusterHandle,
    task: stackwright::aws::ecs::TaskDefinitionHandle,
}

fn setup(s: &mut stackwright::Stack, target_type: stackwright::aws::elbv2::TargetType) -> Setup {
    use stackwright::aws::ec2::{SecurityGroup, VpcNetwork};
    use stackwright::aws::elbv2::{Action, Listener, LoadBalancer, Protocol, Scheme, TargetGroup};
    let network = VpcNetwork::new("Net", "10.0.0.0/16").add_to(s);
    let group = s.add(SecurityGroup::new("Tasks", network.vpc(), "the tasks"));
    let lb_group = s.add(SecurityGroup::new("LbGroup", network.vpc(), "the balancer"));
    let lb = s.add(LoadBalancer::application(
        "Lb",
        Scheme::Internal,
        network.private_subnets(),
        [&lb_group],
    ));
    let targets = s.add(
        TargetGroup::new("Targets", Protocol::Http, 8080, network.vpc()).target_type(target_type),
    );
    let listener = s.add(Listener::http("Http", &lb, 80, Action::forward(&targets)));
    let cluster = s.add(Cluster::new("Apps"));
    let repository = s.add(ecr::Repository::new("Images"));
    let task = FargateTaskDefinition::new("Web", 512, 1024)
        .container(web(&repository))
        .add_to(s);
    Setup {
        network,
        group,
        lb,
        targets,
        listener,
        cluster,
        task,
    }
}

#[test]
fn a_service_runs_privately_rolls_back_failed_deployments_and_waits_by_default() {
    use stackwright::aws::elbv2::TargetType;
    let app = one_stack(|s| {
        let x = setup(s, TargetType::Ip);
        let service = FargateService::new(
            "Api",
            &x.cluster,
            &x.task,
            x.network.private_subnets(),
            [&x.group],
        )
        .desired_count(2)
        .target_group(&x.targets, "web", 8080, &x.listener)
        .health_check_grace_period_seconds(60)
        .add_to(s);
        s.output("Service", service.name());
        s.output("ServiceArn", service.arn());
        // A service is a grantee: its task role.
        let jobs = s.add(stackwright::aws::sqs::Queue::new("Jobs"));
        s.add(jobs.grant_send(&service));
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let service = &resources["Api"];
    assert_eq!(service["Type"], "AWS::ECS::Service");
    assert_eq!(service["DependsOn"], json!(["Http"]));
    let p = &service["Properties"];
    assert_eq!(p["Cluster"], json!({"Fn::GetAtt": ["Apps", "Arn"]}));
    assert_eq!(p["TaskDefinition"], json!({"Ref": "Web"}));
    assert_eq!(p["DesiredCount"], 2);
    assert_eq!(p["LaunchType"], "FARGATE");
    assert_eq!(p["PlatformVersion"], "LATEST");
    let placement = &p["NetworkConfiguration"]["AwsvpcConfiguration"];
    assert_eq!(placement["AssignPublicIp"], "DISABLED");
    assert_eq!(placement["Subnets"].as_array().unwrap().len(), 2);
    assert_eq!(
        placement["SecurityGroups"],
        json!([{"Fn::GetAtt": ["Tasks", "GroupId"]}])
    );
    assert_eq!(
        p["DeploymentConfiguration"],
        json!({"MinimumHealthyPercent": 100, "MaximumPercent": 200,
            "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}})
    );
    assert_eq!(p["DeploymentController"], json!({"Type": "ECS"}));
    assert_eq!(
        p["LoadBalancers"],
        json!([{"TargetGroupArn": {"Ref": "Targets"}, "ContainerName": "web", "ContainerPort": 8080}])
    );
    assert_eq!(p["HealthCheckGracePeriodSeconds"], 60);
    assert_eq!(p["PropagateTags"], "SERVICE");
    assert_eq!(p["EnableECSManagedTags"], true);
    assert!(p.get("ServiceName").is_none());
    assert!(service.get("Metadata").is_none(), "{service}");
    assert_eq!(
        docs[CFN]["Outputs"]["Service"]["Value"],
        json!({"Fn::GetAtt": ["Api", "Name"]})
    );
    assert_eq!(
        docs[CFN]["Outputs"]["ServiceArn"]["Value"],
        json!({"Ref": "Api"})
    );
    assert_eq!(
        resources["WebTaskRoleJobsSend"]["Properties"]["Roles"],
        json!([{"Ref": "WebTaskRole"}])
    );

    let tf = &docs[TF]["resource"]["aws_ecs_service"]["api"];
    assert_eq!(tf["name"], "demo-dev-main-Api");
    assert_eq!(tf["cluster"], "${aws_ecs_cluster.apps.arn}");
    assert_eq!(tf["task_definition"], "${aws_ecs_task_definition.web.arn}");
    assert_eq!(tf["desired_count"], 2);
    assert_eq!(tf["launch_type"], "FARGATE");
    assert_eq!(tf["platform_version"], "LATEST");
    assert_eq!(tf["network_configuration"]["assign_public_ip"], false);
    assert_eq!(tf["deployment_minimum_healthy_percent"], 100);
    assert_eq!(tf["deployment_maximum_percent"], 200);
    assert_eq!(
        tf["deployment_circuit_breaker"],
        json!({"enable": true, "rollback": true})
    );
    assert_eq!(
        tf["load_balancer"],
        json!([{"target_group_arn": "${aws_lb_target_group.targets.arn}",
            "container_name": "web", "container_port": 8080}])
    );
    assert_eq!(tf["wait_for_steady_state"], true);
    assert_eq!(tf["depends_on"], json!(["aws_lb_listener.http"]));
    assert!(tf.get("lifecycle").is_none());
    assert_eq!(
        docs[TF]["output"]["service_arn"]["value"],
        "${aws_ecs_service.api.id}"
    );
}

/// The security group rules of a service's resources, by logical id, in each target.
fn rules(
    docs: &std::collections::BTreeMap<String, serde_json::Value>,
) -> (Vec<String>, Vec<String>) {
    let cfn = docs[CFN]["Resources"].as_object().unwrap();
    let cfn = cfn
        .iter()
        .filter(|(_, r)| {
            r["Type"]
                .as_str()
                .unwrap()
                .starts_with("AWS::EC2::SecurityGroupE")
                || r["Type"]
                    .as_str()
                    .unwrap()
                    .starts_with("AWS::EC2::SecurityGroupI")
        })
        .map(|(id, _)| id.clone())
        .collect();
    let tf = &docs[TF]["resource"];
    let mut names = Vec::new();
    for kind in [
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
    ] {
        if let Some(rules) = tf.get(kind).and_then(|r| r.as_object()) {
            names.extend(rules.keys().map(|k| format!("{kind}.{k}")));
        }
    }
    (cfn, names)
}

#[test]
fn a_service_opens_its_balancer_to_its_tasks_on_the_target_port_and_its_tasks_to_https() {
    use stackwright::aws::elbv2::TargetType;
    let app = one_stack(|s| {
        let x = setup(s, TargetType::Ip);
        FargateService::new(
            "Api",
            &x.cluster,
            &x.task,
            x.network.private_subnets(),
            [&x.group],
        )
        .target_group(&x.targets, "web", 8080, &x.listener)
        .add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let description = "service Api: from its load balancer to its tasks";
    assert_eq!(
        resources["ApiBalancerIngress8080"],
        json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["Tasks", "GroupId"]},
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "SourceSecurityGroupId": {"Fn::GetAtt": ["LbGroup", "GroupId"]},
            "Description": description
        }})
    );
    assert_eq!(
        resources["ApiBalancerEgress8080"],
        json!({"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["LbGroup", "GroupId"]},
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "DestinationSecurityGroupId": {"Fn::GetAtt": ["Tasks", "GroupId"]},
            "Description": description
        }})
    );
    let https = &resources["ApiOutboundHttps"];
    assert_eq!(https["Type"], "AWS::EC2::SecurityGroupEgress");
    assert_eq!(
        https["Properties"]["GroupId"],
        json!({"Fn::GetAtt": ["Tasks", "GroupId"]})
    );
    assert_eq!(https["Properties"]["CidrIp"], "0.0.0.0/0");
    assert_eq!(https["Properties"]["FromPort"], 443);
    assert!(https["Properties"]["Description"]
        .as_str()
        .unwrap()
        .contains("pull images"));
    let (cfn, tf) = rules(&docs);
    assert_eq!(
        cfn,
        [
            "ApiBalancerIngress8080",
            "ApiBalancerEgress8080",
            "ApiOutboundHttps"
        ]
    );
    assert_eq!(
        tf,
        [
            "aws_vpc_security_group_ingress_rule.api_balancer_ingress8080",
            "aws_vpc_security_group_egress_rule.api_balancer_egress8080",
            "aws_vpc_security_group_egress_rule.api_outbound_https",
        ]
    );
    let ingress =
        &docs[TF]["resource"]["aws_vpc_security_group_ingress_rule"]["api_balancer_ingress8080"];
    assert_eq!(
        ingress["security_group_id"],
        "${aws_security_group.tasks.id}"
    );
    assert_eq!(
        ingress["referenced_security_group_id"],
        "${aws_security_group.lb_group.id}"
    );
}

#[test]
fn a_service_without_a_target_group_or_outbound_https_declares_no_rule() {
    use stackwright::aws::elbv2::TargetType;
    let app = one_stack(|s| {
        let x = setup(s, TargetType::Ip);
        FargateService::new(
            "Worker",
            &x.cluster,
            &x.task,
            x.network.private_subnets(),
            [&x.group],
        )
        .without_outbound_https()
        .add_to(s);
        FargateService::new(
            "Other",
            &x.cluster,
            &x.task,
            x.network.private_subnets(),
            [&x.group],
        )
        .add_to(s);
    });
    let (cfn, tf) = rules(&artifacts(&app));
    assert_eq!(cfn, ["OtherOutboundHttps"]);
    assert_eq!(
        tf,
        ["aws_vpc_security_group_egress_rule.other_outbound_https"]
    );
}

#[test]
fn an_auto_scaled_service_leaves_its_count_to_application_auto_scaling() {
    use stackwright::aws::elbv2::TargetType;
    let app = one_stack(|s| {
        let x = setup(s, TargetType::Ip);
        FargateService::new(
            "Api",
            &x.cluster,
            &x.task,
            x.network.private_subnets(),
            [&x.group],
        )
        .target_group(&x.targets, "web", 8080, &x.listener)
        .deployment(50, 150)
        .capacity_provider_strategy([
            Strategy::new(CapacityProvider::Fargate, 1).base(1),
            Strategy::new(CapacityProvider::FargateSpot, 2),
        ])
        .auto_scale(
            AutoScale::new(2, 10)
                .on_cpu(60.0)
                .on_request_count(&x.lb, &x.targets, 1000.0),
        )
        .without_waiting()
        .add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let p = &resources["Api"]["Properties"];
    assert!(p.get("DesiredCount").is_none(), "{p}");
    assert!(p.get("LaunchType").is_none(), "{p}");
    assert_eq!(
        p["CapacityProviderStrategy"],
        json!([{"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 2, "Base": 0}])
    );
    assert_eq!(p["DeploymentConfiguration"]["MinimumHealthyPercent"], 50);
    assert_eq!(p["DeploymentConfiguration"]["MaximumPercent"], 150);
    assert_eq!(
        resources["ApiScaling"],
        json!({"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
            "ServiceNamespace": "ecs",
            "ScalableDimension": "ecs:service:DesiredCount",
            "ResourceId": {"Fn::Sub": "service/${Apps}/${Api.Name}"},
            "MinCapacity": 2,
            "MaxCapacity": 10,
            "Tags": [
                {"Key": "app", "Value": "demo"},
                {"Key": "environment", "Value": "dev"},
                {"Key": "managed-by", "Value": "stackwright"}
            ]
        }})
    );
    assert_eq!(
        resources["ApiCpu"],
        json!({"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
            "PolicyName": "Api-Cpu",
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": {"Ref": "ApiScaling"},
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "TargetValue": 60
            }
        }})
    );
    assert_eq!(
        resources["ApiRequests"]["Properties"]["TargetTrackingScalingPolicyConfiguration"],
        json!({"PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": {"Fn::Sub": "${Lb.LoadBalancerFullName}/${Targets.TargetGroupFullName}"}
            },
            "TargetValue": 1000})
    );

    let tf = &docs[TF]["resource"];
    let service = &tf["aws_ecs_service"]["api"];
    assert_eq!(service["desired_count"], 2);
    assert_eq!(
        service["lifecycle"],
        json!({"ignore_changes": ["desired_count"]})
    );
    assert_eq!(service["wait_for_steady_state"], false);
    assert!(service.get("launch_type").is_none());
    assert_eq!(
        service["depends_on"],
        json!([
            "aws_lb_listener.http",
            "aws_ecs_cluster_capacity_providers.apps_capacity_providers"
        ])
    );
    assert_eq!(
        tf["aws_appautoscaling_target"]["api_scaling"]["resource_id"],
        "service/${aws_ecs_cluster.apps.name}/${aws_ecs_service.api.name}"
    );
    assert_eq!(
        tf["aws_appautoscaling_policy"]["api_cpu"],
        json!({"name": "Api-Cpu", "policy_type": "TargetTrackingScaling",
        "resource_id": "${aws_appautoscaling_target.api_scaling.resource_id}",
        "scalable_dimension": "${aws_appautoscaling_target.api_scaling.scalable_dimension}",
        "service_namespace": "${aws_appautoscaling_target.api_scaling.service_namespace}",
        "target_tracking_scaling_policy_configuration": {
            "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
            "target_value": 60
        }})
    );
}

#[test]
fn bad_service_input_is_a_located_error() {
    use stackwright::aws::elbv2::TargetType;
    let at = line_below(3);
    let app = one_stack(|s| {
        let x = setup(s, TargetType::Instance);
        FargateService::new("Api", &x.cluster, &x.task, [], [&x.group])
            .desired_count(-1)
            .target_group(&x.targets, "web", 8080, &x.listener)
            .target_group(&x.targets, "api", 8080, &x.listener)
            .target_group(&x.targets, "web", 9090, &x.listener)
            .deployment(100, 100)
            .capacity_provider_strategy([])
            .auto_scale(AutoScale::new(3, 2).on_cpu(0.0).on_cpu(120.0))
            .add_to(s);
        FargateService::new(
            "Idle",
            &x.cluster,
            &x.task,
            x.network.private_subnets(),
            [&x.group],
        )
        .health_check_grace_period_seconds(30)
        .auto_scale(AutoScale::new(1, 2))
        .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "service network placement with 0 subnets and 1 security groups",
            "service desired count of -1: expected 0 or more",
            "a service behind a target group of target type `instance`",
            "target group container `api` is not a container of task definition `Web`: expected one of web",
            "target group port 9090 is not a port of container `web`: expected one of its `.port(..)`s (8080)",
            "rolling deployment of minimum 100 % healthy and maximum 100 %",
            "service capacity provider strategy without items",
            "auto scaling between 3 and 2 tasks: expected 0 <= minimum <= maximum",
            "auto scaling on CPU utilization of 0 %: expected above 0 and at most 100",
            "auto scaling on CPU utilization of 120 %",
            "auto scaling tracks ECSServiceAverageCPUUtilization twice",
            "a health check grace period without a target group",
            "auto scaling without a target",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn scaling_on_the_requests_of_a_target_group_the_service_is_not_behind_is_a_located_error() {
    use stackwright::aws::elbv2::{Protocol, TargetGroup, TargetType};
    let at = line_below(5);
    let app = one_stack(|s| {
        let x = setup(s, TargetType::Ip);
        let subnets = x.network.private_subnets();
        // Not behind any group.
        FargateService::new("Lone", &x.cluster, &x.task, subnets, [&x.group])
            .auto_scale(AutoScale::new(1, 2).on_request_count(&x.lb, &x.targets, 100.0))
            .add_to(s);
        let other = s.add(
            TargetGroup::new("Other", Protocol::Http, 8080, x.network.vpc())
                .target_type(TargetType::Ip),
        );
        // Behind `Targets`, scaled on `Other`.
        FargateService::new("Api", &x.cluster, &x.task, subnets, [&x.group])
            .target_group(&x.targets, "web", 8080, &x.listener)
            .auto_scale(AutoScale::new(1, 2).on_request_count(&x.lb, &other, 100.0))
            .add_to(s);
        // Behind the group it scales on: no error.
        FargateService::new("Ok", &x.cluster, &x.task, subnets, [&x.group])
            .target_group(&x.targets, "web", 8080, &x.listener)
            .auto_scale(AutoScale::new(1, 2).on_request_count(&x.lb, &x.targets, 100.0))
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "auto scaling on request count per task through a target group the service is not \
             behind (0 target groups given)",
            "auto scaling on request count per task through a target group the service is not \
             behind (1 target groups given)",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    assert_eq!(errors.matches("is not behind").count(), 2, "{errors}");
    assert!(!errors.contains("resource `Ok`"), "{errors}");
}

#[test]
fn a_public_image_reference_is_checked_against_the_reference_grammar() {
    let digest = format!("sha256:{}", "a".repeat(64));
    let good = [
        "nginx".to_owned(),
        "nginx:1.27".to_owned(),
        "library/nginx".to_owned(),
        "public.ecr.aws/nginx/nginx:1.27-alpine".to_owned(),
        "localhost:5000/my_app__x/web-1:latest".to_owned(),
        format!("ghcr.io/org/app@{digest}"),
        format!("ghcr.io/org/app:v1@{digest}"),
    ];
    for reference in good {
        let app = one_stack(move |s| {
            FargateTaskDefinition::new("Web", 256, 512)
                .container(Container::new("web", Image::public(reference.as_str())))
                .add_to(s);
        });
        artifacts(&app);
    }
    let bad = [
        ("", "it is empty"),
        ("nginx latest", "it contains ' '"),
        ("Nginx", "path component `Nginx`"),
        ("nginx:", "tag ``"),
        ("nginx:-x", "tag `-x`"),
        ("nginx@sha256:abc", "digest `sha256:abc`"),
        ("exa mple.com/x", "it contains ' '"),
        ("bad_host.com/x", "domain `bad_host.com`"),
        ("host.com:port/x", "domain `host.com:port` has a port"),
        ("org//app", "path component ``"),
        ("org/a..b", "path component `a..b`"),
    ];
    for (reference, why) in bad {
        let at = line_below(2);
        let app = one_stack(move |s| {
            FargateTaskDefinition::new("Web", 256, 512)
                .container(Container::new("web", Image::public(reference)))
                .add_to(s);
        });
        let errors = fails(&app, &[&format!("image reference `{reference}`: {why}")]);
        assert!(errors.contains(&at), "not located at {at}:\n{errors}");
        assert_eq!(errors.matches("image reference").count(), 1, "{errors}");
    }
}

#[test]
fn a_service_in_public_subnets_without_a_public_ip_is_a_located_error() {
    use stackwright::aws::elbv2::TargetType;
    let at = line_below(4);
    let app = one_stack(|s| {
        let x = setup(s, TargetType::Ip);
        let public = x.network.public_subnets();
        FargateService::new("Api", &x.cluster, &x.task, public, [&x.group]).add_to(s);
        // With a public address it can pull, and subnets whose tier is unknown are left alone.
        FargateService::new("Open", &x.cluster, &x.task, public, [&x.group])
            .assign_public_ip_insecure()
            .add_to(s);
        let own = s.add(stackwright::aws::ec2::Subnet::new(
            "Own",
            x.network.vpc(),
            "10.0.200.0/24",
        ));
        FargateService::new("InOwn", &x.cluster, &x.task, [&own], [&x.group]).add_to(s);
    });
    let errors = fails(
        &app,
        &["a service in 2 public subnet(s) without a public IP address: its tasks cannot pull"],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    assert_eq!(errors.matches("public subnet(s)").count(), 1, "{errors}");
    assert!(errors.contains("1 problem found"), "{errors}");
}

#[test]
fn a_zip_asset_as_an_image_is_an_error_at_the_containers_line() {
    use stackwright::assets::{Asset, StackAssets};
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("code");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("index.py"), "x = 1\n").unwrap();
    let at = line_below(4);
    let app = one_stack(move |s| {
        let code = s.asset(Asset::directory(dir.clone()));
        FargateTaskDefinition::new("Web", 256, 512)
            .container(Container::new("web", &code))
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "`image_uri()` of directory asset",
            "it is a zip, not a container image",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn an_image_change_replaces_the_task_definition_and_updates_the_service_in_plan() {
    let app = |tag: &'static str| {
        one_stack(move |s| {
            use stackwright::aws::ec2::{SecurityGroup, Subnet, Vpc};
            let vpc = s.add(Vpc::new("Vpc", "10.0.0.0/16"));
            let subnet = s.add(Subnet::new("Private", &vpc, "10.0.1.0/24"));
            let group = s.add(SecurityGroup::new("Tasks", &vpc, "the tasks"));
            let cluster = s.add(Cluster::new("Apps"));
            let repository = s.add(ecr::Repository::new("Images"));
            let task = FargateTaskDefinition::new("Web", 256, 512)
                .container(Container::new(
                    "web",
                    Image::from_repository(&repository, tag),
                ))
                .add_to(s);
            FargateService::new("Api", &cluster, &task, [&subnet], [&group]).add_to(s);
        })
    };
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(crate::support::run(&app("v1"), &["--out", out_arg]).0, 0);
    let (code, stdout, stderr) = crate::support::run(&app("v2"), &["plan", "--against", out_arg]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    // A new revision (task definitions are immutable) and a service update, which rolls the tasks.
    for fragment in [
        "-/+ replace  Web  AWS::ECS::TaskDefinition",
        "(forces replacement: create-only property `ContainerDefinitions`)",
        "~ update     Api  AWS::ECS::Service",
        "TaskDefinition: {\"Ref\":\"Web\"} -> (known after deploy: `Web` is replaced)",
        "-/+ replace  aws_ecs_task_definition.web",
        "(forces replacement: force-new attribute `container_definitions`)",
        ":v2\",\"essential\":true",
        "~ update     aws_ecs_service.api",
        "task_definition: \"${aws_ecs_task_definition.web.arn}\" -> (known after deploy: \
         `aws_ecs_task_definition.web` is replaced)",
    ] {
        assert!(
            stdout.contains(fragment),
            "missing `{fragment}` in:\n{stdout}"
        );
    } // The plan says that the tasks roll, in each target, as it says when a fleet rolls.
    let note =
        "note: tasks roll: ECS starts tasks of the new task definition revision and stops the \
                old ones, as the service's deployment configuration allows";
    assert_eq!(stdout.matches(note).count(), 2, "{stdout}");
}
