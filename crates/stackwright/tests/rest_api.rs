//! REST APIs (`aws::apigateway::RestApi`): methods on a resource tree to functions with their
//! integrations and permissions, a deployment that follows the methods, a stage with access logs,
//! tracing and throttling, CORS preflight methods.

use crate::support::{artifacts, one_stack, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::apigateway::{RestApi, ACCESS_LOG_FORMAT};
use stackwright::aws::lambda::{Code, Function, FunctionHandle, Runtime};

fn function(s: &mut stackwright::Stack, id: &str) -> FunctionHandle {
    Function::new(
        id,
        Code::s3("code-bucket", "0123.zip"),
        Runtime::Python312,
        "index.handler",
    )
    .add_to(s)
}

/// The ids and types of the API's resources and permissions, in template order.
fn api_resources(cfn: &Value) -> Vec<(String, String)> {
    cfn["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| {
            let t = r["Type"].as_str().unwrap();
            t.starts_with("AWS::ApiGateway::") || t == "AWS::Lambda::Permission"
        })
        .map(|(id, r)| (id.clone(), r["Type"].as_str().unwrap().to_owned()))
        .collect()
}

/// The deployment's id (`ApiDeployment<hash>`) in a template.
pub(crate) fn deployment_id(cfn: &Value) -> String {
    let ids: Vec<&String> = cfn["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|id| id.starts_with("ApiDeployment"))
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    ids[0].clone()
}

#[test]
fn a_rest_api_routes_methods_to_functions_with_iam_a_hashed_deployment_and_a_logged_stage() {
    let app = one_stack(|s| {
        let items = function(s, "Items");
        let api = RestApi::new("Api")
            .method("GET", "/items/{id}", &items)
            .method("POST", "/items", &items)
            .add_to(s);
        s.output("Url", api.url());
    });
    let docs = artifacts(&app);
    let cfn = &docs[CFN];
    let deployment = deployment_id(cfn);
    let hash = deployment.strip_prefix("ApiDeployment").unwrap().to_owned();
    assert_eq!(hash.len(), 16);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
    let pairs = api_resources(cfn);
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("Api", "AWS::ApiGateway::RestApi"),
            // One resource per path segment, parents first.
            ("ApiResourceItems", "AWS::ApiGateway::Resource"),
            ("ApiResourceItemsId", "AWS::ApiGateway::Resource"),
            // One permission per method.
            ("ApiGetItemsIdPermission", "AWS::Lambda::Permission"),
            ("ApiPostItemsPermission", "AWS::Lambda::Permission"),
            ("ApiGetItemsId", "AWS::ApiGateway::Method"),
            ("ApiPostItems", "AWS::ApiGateway::Method"),
            (deployment.as_str(), "AWS::ApiGateway::Deployment"),
            ("ApiStage", "AWS::ApiGateway::Stage"),
        ]
    );
    let r = &cfn["Resources"];
    let tags = json!([{"Key": "app", "Value": "demo"}, {"Key": "environment", "Value": "dev"},
        {"Key": "managed-by", "Value": "stackwright"}]);
    assert_eq!(
        r["Api"]["Properties"],
        json!({"Name": {"Fn::Sub": "${AWS::StackName}-Api"},
            "EndpointConfiguration": {"Types": ["REGIONAL"]}, "Tags": tags})
    );
    assert_eq!(
        r["ApiResourceItemsId"]["Properties"],
        json!({"RestApiId": {"Ref": "Api"}, "ParentId": {"Ref": "ApiResourceItems"}, "PathPart": "{id}"})
    );
    assert_eq!(
        r["ApiResourceItems"]["Properties"]["ParentId"],
        json!({"Fn::GetAtt": ["Api", "RootResourceId"]})
    );
    assert_eq!(
        r["ApiGetItemsId"]["Properties"],
        json!({"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "ApiResourceItemsId"},
            "HttpMethod": "GET", "AuthorizationType": "AWS_IAM",
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": {"Fn::Sub":
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Items.Arn}/invocations"}}})
    );
    // API Gateway may invoke the function for this method and path of this API only.
    assert_eq!(
        r["ApiGetItemsIdPermission"]["Properties"],
        json!({"FunctionName": {"Fn::GetAtt": ["Items", "Arn"]}, "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com", "SourceArn": {"Fn::Sub":
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/GET/items/*"}})
    );
    // The deployment waits for every method, and the stage serves it.
    assert_eq!(
        r[&deployment],
        json!({"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["ApiGetItemsId", "ApiPostItems"],
            "Properties": {"RestApiId": {"Ref": "Api"},
                "Description": format!("Api's methods as declared (hash {hash})")}})
    );
    assert_eq!(
        r["ApiStage"]["Properties"],
        json!({"RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": deployment}, "StageName": "prod",
            "TracingEnabled": true,
            "AccessLogSetting": {"DestinationArn": {"Fn::Sub":
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${ApiAccessLogs}"},
                "Format": ACCESS_LOG_FORMAT},
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": true}],
            "Tags": tags})
    );
    let skipped: Vec<&str> = r["ApiStage"]["Metadata"]["checkov"]["skip"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        ["CKV_AWS_120", "CKV2_AWS_29", "CKV2_AWS_51", "CKV2_AWS_4"]
    );
    // The access log format is JSON.
    serde_json::from_str::<Value>(ACCESS_LOG_FORMAT).unwrap();
    assert_eq!(r["ApiAccessLogs"]["Properties"]["RetentionInDays"], 365);
    assert_eq!(
        cfn["Outputs"]["Url"]["Value"],
        json!({"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod/"})
    );

    let tf = &docs[TF]["resource"];
    let address = format!("api_deployment{hash}");
    assert_eq!(
        tf["aws_api_gateway_rest_api"]["api"],
        json!({"name": "demo-dev-main-Api", "endpoint_configuration": {"types": ["REGIONAL"]},
            "lifecycle": {"create_before_destroy": true}})
    );
    assert_eq!(
        tf["aws_api_gateway_resource"],
        json!({
            "api_resource_items": {"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
                "parent_id": "${aws_api_gateway_rest_api.api.root_resource_id}", "path_part": "items"},
            "api_resource_items_id": {"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
                "parent_id": "${aws_api_gateway_resource.api_resource_items.id}", "path_part": "{id}"}})
    );
    assert_eq!(
        tf["aws_api_gateway_method"]["api_get_items_id"],
        json!({"//": ["checkov:skip=CKV2_AWS_53: a Lambda proxy integration passes the whole request to the function, which validates it"],
            "rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "resource_id": "${aws_api_gateway_resource.api_resource_items_id.id}",
            "http_method": "GET", "authorization": "AWS_IAM"})
    );
    assert_eq!(
        tf["aws_api_gateway_integration"]["api_get_items_id_integration"],
        json!({"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "resource_id": "${aws_api_gateway_resource.api_resource_items_id.id}",
            "http_method": "${aws_api_gateway_method.api_get_items_id.http_method}",
            "type": "AWS_PROXY", "integration_http_method": "POST",
            "uri": "arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/${aws_lambda_function.items.arn}/invocations"})
    );
    assert_eq!(
        tf["aws_lambda_permission"]["api_post_items_permission"]["source_arn"],
        "arn:aws:execute-api:us-west-2:123456789012:${aws_api_gateway_rest_api.api.id}/*/POST/items"
    );
    // Terraform's deployment waits for every method and integration, and is replaced before destroyed.
    assert_eq!(
        tf["aws_api_gateway_deployment"][&address],
        json!({"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "description": format!("Api's methods as declared (hash {hash})"),
            "lifecycle": {"create_before_destroy": true},
            "depends_on": ["aws_api_gateway_method.api_get_items_id", "aws_api_gateway_method.api_post_items",
                "aws_api_gateway_integration.api_get_items_id_integration",
                "aws_api_gateway_integration.api_post_items_integration"]})
    );
    let stage = &tf["aws_api_gateway_stage"]["api_stage"];
    assert_eq!(
        stage["deployment_id"],
        format!("${{aws_api_gateway_deployment.{address}.id}}")
    );
    assert_eq!(stage["stage_name"], "prod");
    assert_eq!(stage["xray_tracing_enabled"], true);
    assert_eq!(
        stage["access_log_settings"],
        json!({"destination_arn":
            "arn:aws:logs:us-west-2:123456789012:log-group:${aws_cloudwatch_log_group.api_access_logs.name}",
            "format": ACCESS_LOG_FORMAT})
    );
    assert_eq!(
        tf["aws_api_gateway_method_settings"]["api_stage_settings"],
        json!({"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "stage_name": "${aws_api_gateway_stage.api_stage.stage_name}", "method_path": "*/*",
            "settings": {"metrics_enabled": true}})
    );
    // No CORS: no OPTIONS method.
    assert!(cfn.to_string().find("OPTIONS").is_none());
}

#[test]
fn the_deployment_hash_is_stable_and_follows_the_methods_only() {
    let declare = |path: &'static str, memory: i64| {
        one_stack(move |s| {
            let items = Function::new(
                "Items",
                Code::s3("code-bucket", "0123.zip"),
                Runtime::Python312,
                "index.handler",
            )
            .memory_mb(memory)
            .add_to(s);
            RestApi::new("Api").method("GET", path, &items).add_to(s);
        })
    };
    let id = |app| deployment_id(&artifacts(&app)[CFN]);
    let first = id(declare("/items", 256));
    assert_eq!(
        first,
        id(declare("/items", 256)),
        "the same methods, the same deployment"
    );
    // The function's configuration is not the API's: the integration invokes it by ARN.
    assert_eq!(first, id(declare("/items", 512)));
    assert_ne!(first, id(declare("/things", 256)));
}

#[test]
fn a_grant_lets_a_role_invoke_the_stage() {
    let app = one_stack(|s| {
        let items = function(s, "Items");
        let caller = function(s, "Caller");
        let api = RestApi::new("Api")
            .stage_name("live")
            .method("ANY", "/", &items)
            .add_to(s);
        s.add(api.grant_invoke(&caller));
    });
    let docs = artifacts(&app);
    let r = &docs[CFN]["Resources"];
    assert_eq!(
        r["ApiAnyRootPermission"]["Properties"]["SourceArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/*/"})
    );
    assert_eq!(
        r["ApiAnyRoot"]["Properties"]["ResourceId"],
        json!({"Fn::GetAtt": ["Api", "RootResourceId"]})
    );
    assert_eq!(r["ApiStage"]["Properties"]["StageName"], "live");
    let policy = r
        .as_object()
        .unwrap()
        .iter()
        .find(|(id, _)| id.contains("Invoke"))
        .unwrap()
        .1;
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"][0]["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/live/*"}])
    );
}
