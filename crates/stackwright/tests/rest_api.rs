//! REST APIs (`aws::apigateway::RestApi`): methods on a resource tree to functions with their
//! integrations and permissions, a deployment that follows the methods, a stage with access logs,
//! tracing and throttling, CORS preflight methods.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::apigateway::{Cors, RestApi, ACCESS_LOG_FORMAT};
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
        [
            "CKV_AWS_225",
            "CKV_AWS_120",
            "CKV2_AWS_29",
            "CKV2_AWS_51",
            "CKV2_AWS_4"
        ]
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
        json!({"//": ["checkov:skip=CKV_AWS_225: responses come from Lambda functions per request; a cache (an hourly cost) is the API's own choice, through override_* where wanted"],
            "rest_api_id": "${aws_api_gateway_rest_api.api.id}",
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

#[test]
fn cors_answers_preflight_requests_with_a_mock_options_method_per_path() {
    let app = one_stack(|s| {
        let items = function(s, "Items");
        RestApi::new("Api")
            .method("GET", "/items", &items)
            .method("POST", "/items", &items)
            .method("GET", "/items/{id}", &items)
            .cors(Cors::allow_origins(["https://app.example.com"]).max_age_seconds(600))
            .add_to(s);
    });
    let docs = artifacts(&app);
    let cfn = &docs[CFN];
    let r = &cfn["Resources"];
    let header = |name: &str| format!("method.response.header.Access-Control-{name}");
    let headers = json!({
        header("Allow-Headers"): "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token'",
        header("Allow-Methods"): "'GET,POST,OPTIONS'",
        header("Allow-Origin"): "'https://app.example.com'",
        header("Max-Age"): "'600'",
    });
    let declared = json!({header("Allow-Headers"): true, header("Allow-Methods"): true,
        header("Allow-Origin"): true, header("Max-Age"): true});
    assert_eq!(
        r["ApiOptionsItems"]["Properties"],
        json!({"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "ApiResourceItems"},
            "HttpMethod": "OPTIONS", "AuthorizationType": "NONE",
            "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": "{\"statusCode\": 204}"},
                "IntegrationResponses": [{"StatusCode": "204", "ResponseParameters": headers}]},
            "MethodResponses": [{"StatusCode": "204", "ResponseParameters": declared}]})
    );
    // Each path answers with its own methods; the root has none, so no preflight method.
    assert_eq!(
        r["ApiOptionsItemsId"]["Properties"]["Integration"]["IntegrationResponses"][0]
            ["ResponseParameters"][header("Allow-Methods")],
        "'GET,OPTIONS'"
    );
    assert!(r.get("ApiOptionsRoot").is_none());
    // The deployment also waits for the preflight methods.
    let deployment = deployment_id(cfn);
    assert_eq!(
        r[&deployment]["DependsOn"],
        json!([
            "ApiGetItems",
            "ApiPostItems",
            "ApiGetItemsId",
            "ApiOptionsItems",
            "ApiOptionsItemsId"
        ])
    );

    let tf = &docs[TF]["resource"];
    assert_eq!(
        tf["aws_api_gateway_method"]["api_options_items"],
        json!({"//": ["checkov:skip=CKV2_AWS_53: a CORS preflight method has a mock integration and no request to validate"],
            "rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "resource_id": "${aws_api_gateway_resource.api_resource_items.id}",
            "http_method": "OPTIONS", "authorization": "NONE"})
    );
    assert_eq!(
        tf["aws_api_gateway_integration"]["api_options_items_integration"],
        json!({"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "resource_id": "${aws_api_gateway_resource.api_resource_items.id}",
            "http_method": "${aws_api_gateway_method.api_options_items.http_method}",
            "type": "MOCK", "request_templates": {"application/json": "{\"statusCode\": 204}"}})
    );
    assert_eq!(
        tf["aws_api_gateway_method_response"]["api_options_items_method_response"],
        json!({"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "resource_id": "${aws_api_gateway_resource.api_resource_items.id}",
            "http_method": "${aws_api_gateway_method.api_options_items.http_method}",
            "status_code": "204", "response_parameters": declared})
    );
    assert_eq!(
        tf["aws_api_gateway_integration_response"]["api_options_items_integration_response"],
        json!({"rest_api_id": "${aws_api_gateway_rest_api.api.id}",
            "resource_id": "${aws_api_gateway_resource.api_resource_items.id}",
            "http_method": "${aws_api_gateway_integration.api_options_items_integration.http_method}",
            "status_code": "${aws_api_gateway_method_response.api_options_items_method_response.status_code}",
            "response_parameters": headers})
    );
    let address = format!(
        "api_deployment{}",
        deployment.strip_prefix("ApiDeployment").unwrap()
    );
    let waits = tf["aws_api_gateway_deployment"][&address]["depends_on"]
        .as_array()
        .unwrap();
    assert!(waits.contains(&json!(
        "aws_api_gateway_integration_response.api_options_items_integration_response"
    )));
    assert!(waits.contains(&json!(
        "aws_api_gateway_integration.api_get_items_id_integration"
    )));
    // Only a preflight method has an integration response to wait for.
    assert_eq!(
        waits
            .iter()
            .filter(|w| w.as_str().unwrap().ends_with("_integration_response"))
            .count(),
        2
    );
}

#[test]
fn cors_with_several_origins_answers_each_with_its_own() {
    let app = one_stack(|s| {
        let items = function(s, "Items");
        RestApi::new("Api")
            .method("ANY", "/", &items)
            .cors(
                Cors::allow_origins(["https://a.example.com", "https://b.example.com"])
                    .allow_methods(["GET", "PUT"])
                    .allow_headers(["Content-Type"])
                    .allow_credentials(),
            )
            .add_to(s);
    });
    let docs = artifacts(&app);
    let response = &docs[CFN]["Resources"]["ApiOptionsRoot"]["Properties"]["Integration"]
        ["IntegrationResponses"][0];
    let parameters = &response["ResponseParameters"];
    assert_eq!(
        parameters["method.response.header.Access-Control-Allow-Methods"],
        "'GET,PUT'"
    );
    assert_eq!(
        parameters["method.response.header.Access-Control-Allow-Headers"],
        "'Content-Type'"
    );
    assert_eq!(
        parameters["method.response.header.Access-Control-Allow-Credentials"],
        "'true'"
    );
    assert_eq!(parameters["method.response.header.Vary"], "'Origin'");
    let template = response["ResponseTemplates"]["application/json"]
        .as_str()
        .unwrap();
    assert!(
        template.contains(
            r#"#if($origin == "https://a.example.com" || $origin == "https://b.example.com")"#
        ),
        "{template}"
    );
    let tf = &docs[TF]["resource"]["aws_api_gateway_integration_response"]
        ["api_options_root_integration_response"];
    assert_eq!(tf["response_templates"]["application/json"], template);
}

#[test]
fn a_public_method_and_throttling() {
    let app = one_stack(|s| {
        let items = function(s, "Items");
        RestApi::new("Api")
            .method("GET", "/items", &items)
            .public_method(
                "GET",
                "/health",
                &items,
                "load balancer health checks carry no credentials",
            )
            .throttling(100, 50)
            .add_to(s);
    });
    let docs = artifacts(&app);
    let r = &docs[CFN]["Resources"];
    assert_eq!(r["ApiGetHealth"]["Properties"]["AuthorizationType"], "NONE");
    assert_eq!(
        r["ApiGetHealth"]["Metadata"]["checkov"]["skip"],
        json!([{"id": "CKV_AWS_59", "comment": "load balancer health checks carry no credentials"}])
    );
    assert_eq!(
        r["ApiGetItems"]["Properties"]["AuthorizationType"],
        "AWS_IAM"
    );
    assert_eq!(
        r["ApiStage"]["Properties"]["MethodSettings"],
        json!([{"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": true,
            "ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 50}])
    );
    let tf = &docs[TF]["resource"];
    assert_eq!(
        tf["aws_api_gateway_method"]["api_get_health"]["//"],
        json!(["checkov:skip=CKV_AWS_59: load balancer health checks carry no credentials",
            "checkov:skip=CKV2_AWS_53: a Lambda proxy integration passes the whole request to the function, which validates it"])
    );
    assert_eq!(
        tf["aws_api_gateway_method"]["api_get_health"]["authorization"],
        "NONE"
    );
    assert_eq!(
        tf["aws_api_gateway_method_settings"]["api_stage_settings"]["settings"],
        json!({"metrics_enabled": true, "throttling_rate_limit": 100, "throttling_burst_limit": 50})
    );
}

#[test]
fn bad_rest_api_input_is_a_located_error() {
    let at = line_below(4);
    let app = one_stack(|s| {
        let items = function(s, "Items");
        RestApi::new("Api")
            .method("FETCH", "/items", &items)
            .method("GET", "/items/{id", &items)
            .method("GET", "/a/{p+}/b", &items)
            .method("GET", "/a b", &items)
            .method("GET", "/it$ms", &items)
            .method("GET", "/ok", &items)
            .method("GET", "/ok", &items)
            .method("GET", "/things/{id}", &items)
            .method("PUT", "/things/{name}", &items)
            .method("OPTIONS", "/ok", &items)
            .public_method("GET", "/open", &items, " ")
            .stage_name("no stage")
            .throttling(20_000, -1)
            .cors(
                Cors::allow_origins(["*", "app.example.com", "https://x.example.com/", "http://"])
                    .allow_methods(["ANY"])
                    .allow_headers(["X Bad"])
                    .max_age_seconds(86_401)
                    .allow_credentials(),
            )
            .add_to(s);
        RestApi::new("Empty").add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "REST API method `FETCH /items`: method `FETCH` is unknown",
            "REST API method `GET /items/{id`: path has a `{` without `}`",
            "REST API method `GET /a/{p+}/b`: path has a greedy parameter (`{name+}`) before the last segment",
            "REST API method `GET /a b`: path `/a b`",
            "REST API method `GET /it$ms`: path segment `it$ms` has characters API Gateway refuses",
            "method `GET /ok` is declared twice on REST API `Api`: expected each method of a path once",
            "path `/things/{name}` of REST API `Api` is path `/things/{id}` with other parameter names",
            "method `OPTIONS /ok` on REST API `Api` with CORS",
            "public method `GET /open` without a reason",
            "REST API stage name `no stage`: expected 1 to 128 letters, digits, `-` or `_`",
            "REST API throttling of 20000 requests per second and a burst of -1: expected a rate of 0 to 10000 and a burst of 0 to 5000",
            "CORS origin `app.example.com`: expected `*` or a scheme and host without a path",
            "CORS origin `https://x.example.com/`",
            "CORS origin `http://`",
            "CORS origins list `*` beside other origins",
            "CORS method `ANY`: expected one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
            "CORS header `X Bad`",
            "CORS max age of 86401 seconds: expected 0 to 86400",
            "CORS allows credentials from any origin (`*`)",
            "REST API `Empty` has no methods",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

/// The plan of `after` against what `before` wrote: its exit code and stdout.
fn plan(before: &stackwright::App<()>, after: &stackwright::App<()>) -> (u8, String) {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(crate::support::run(before, &["--out", out_arg]).0, 0);
    let (code, stdout, stderr) = crate::support::run(after, &["plan", "--against", out_arg]);
    (code, format!("{stdout}{stderr}"))
}

/// An API with `GET /items` (public when `public`) and CORS from `origin`.
fn api_app(public: bool, origin: &'static str) -> stackwright::App<()> {
    one_stack(move |s| {
        let items = function(s, "Items");
        let api = RestApi::new("Api");
        let api = if public {
            api.public_method("GET", "/items", &items, "a public catalog")
        } else {
            api.method("GET", "/items", &items)
        };
        api.cors(Cors::allow_origins([origin])).add_to(s);
    })
}

#[test]
fn a_method_or_cors_change_makes_a_new_deployment_in_both_targets_in_plan() {
    let deployment = |app: &stackwright::App<()>| deployment_id(&artifacts(app)[CFN]);
    let before = api_app(false, "https://app.example.com");
    let old = deployment(&before);
    for (after, changed) in [
        (
            api_app(true, "https://app.example.com"),
            "AuthorizationType",
        ),
        (api_app(false, "https://web.example.com"), "Integration"),
    ] {
        let new = deployment(&after);
        assert_ne!(old, new, "{changed}");
        let (code, stdout) = plan(&before, &after);
        assert_eq!(code, 2, "{stdout}");
        let hash = |id: &str| id.strip_prefix("ApiDeployment").unwrap().to_owned();
        let method = if changed == "Integration" {
            "ApiOptionsItems"
        } else {
            "ApiGetItems"
        };
        let tf_method = if changed == "Integration" {
            "aws_api_gateway_integration_response.api_options_items_integration_response"
        } else {
            "aws_api_gateway_method.api_get_items"
        };
        let (old_tf, new_tf) = (
            format!("aws_api_gateway_deployment.api_deployment{}", hash(&old)),
            format!("aws_api_gateway_deployment.api_deployment{}", hash(&new)),
        );
        // The method changes in place, a new deployment snapshots it, the stage moves to it and the old
        // deployment goes, in both targets.
        for line in [
            vec!["~ update", method, "AWS::ApiGateway::Method"],
            vec!["+ add", &new, "AWS::ApiGateway::Deployment"],
            vec!["~ update", "ApiStage", "AWS::ApiGateway::Stage"],
            vec!["- destroy", &old, "AWS::ApiGateway::Deployment"],
            vec!["~ update", tf_method],
            vec!["+ add", &new_tf],
            vec!["~ update", "aws_api_gateway_stage.api_stage"],
            vec!["- destroy", &old_tf],
        ] {
            assert!(
                stdout
                    .lines()
                    .any(|l| line.iter().all(|part| l.contains(part))),
                "{changed}: no line with {line:?} in:\n{stdout}"
            );
        }
        assert!(stdout.contains(&format!(
            "DeploymentId: {{\"Ref\":\"{old}\"}} -> {{\"Ref\":\"{new}\"}}"
        )));
        assert!(stdout.contains(&format!(
            "deployment_id: \"${{{old_tf}.id}}\" -> \"${{{new_tf}.id}}\""
        )));
    }
    // No change, no new deployment.
    let (code, stdout) = plan(&before, &api_app(false, "https://app.example.com"));
    assert_eq!(code, 0, "{stdout}");
}
