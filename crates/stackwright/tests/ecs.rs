//! Containers on ECS Fargate (`aws::ecs`): the cluster, task definitions declared with their roles and
//! log group, services behind target groups with their scaling, and the grants that take a task.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::ecs::{
    CapacityProvider, Cluster, Container, CpuArchitecture, FargateTaskDefinition, Image, Strategy,
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
