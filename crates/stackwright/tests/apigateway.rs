//! HTTP APIs (`aws::apigatewayv2::HttpApi`): routes to functions with their integrations and
//! permissions, the `$default` stage with access logs, CORS and throttling.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::apigatewayv2::{Cors, HttpApi, ACCESS_LOG_FORMAT};
use stackwright::aws::lambda::{Code, Function, FunctionHandle, Runtime};
use stackwright::aws::logs::LogGroup;

fn function(s: &mut stackwright::Stack, id: &str) -> FunctionHandle {
    Function::new(
        id,
        Code::s3("code-bucket", "0123.zip"),
        Runtime::Python312,
        "index.handler",
    )
    .add_to(s)
}

/// The ids and types of the resources after the functions' own.
fn api_resources(cfn: &Value) -> Vec<(String, String)> {
    cfn["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| {
            let t = r["Type"].as_str().unwrap();
            t.starts_with("AWS::ApiGatewayV2::")
                || t == "AWS::Lambda::Permission"
                || t == "AWS::Logs::LogGroup"
        })
        .map(|(id, r)| (id.clone(), r["Type"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn an_http_api_routes_to_functions_with_iam_authorization_an_auto_deployed_stage_and_access_logs() {
    let app = one_stack(|s| {
        let items = function(s, "Items");
        let api = HttpApi::new("Api")
            .route("GET /items/{id}", &items)
            .route("POST /items", &items)
            .add_to(s);
        s.output("Url", api.endpoint());
    });
    let docs = artifacts(&app);
    let cfn = &docs[CFN];
    let pairs: Vec<(String, String)> = api_resources(cfn);
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("ItemsLogs", "AWS::Logs::LogGroup"),
            ("ApiAccessLogs", "AWS::Logs::LogGroup"),
            ("Api", "AWS::ApiGatewayV2::Api"),
            ("ApiDefaultStage", "AWS::ApiGatewayV2::Stage"),
            // One integration per function, one route and permission per route.
            ("ApiItemsIntegration", "AWS::ApiGatewayV2::Integration"),
            ("ApiGetItemsIdPermission", "AWS::Lambda::Permission"),
            ("ApiGetItemsId", "AWS::ApiGatewayV2::Route"),
            ("ApiPostItemsPermission", "AWS::Lambda::Permission"),
            ("ApiPostItems", "AWS::ApiGatewayV2::Route"),
        ]
    );
    let r = &cfn["Resources"];
    assert_eq!(
        r["Api"]["Properties"]["Name"],
        json!({"Fn::Sub": "${AWS::StackName}-Api"})
    );
    assert_eq!(r["Api"]["Properties"]["ProtocolType"], "HTTP");
    assert!(r["Api"]["Properties"].get("CorsConfiguration").is_none());
    let stage = &r["ApiDefaultStage"]["Properties"];
    assert_eq!(stage["ApiId"], json!({"Ref": "Api"}));
    assert_eq!(stage["StageName"], "$default");
    assert_eq!(stage["AutoDeploy"], true);
    assert_eq!(
        stage["AccessLogSettings"],
        json!({"DestinationArn": {"Fn::Sub":
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${ApiAccessLogs}"},
            "Format": ACCESS_LOG_FORMAT})
    );
    assert!(stage.get("DefaultRouteSettings").is_none());
    // The access log format is JSON.
    serde_json::from_str::<Value>(ACCESS_LOG_FORMAT).unwrap();
    assert_eq!(r["ApiAccessLogs"]["Properties"]["RetentionInDays"], 365);
    assert_eq!(
        r["ApiItemsIntegration"]["Properties"],
        json!({"ApiId": {"Ref": "Api"}, "IntegrationType": "AWS_PROXY", "IntegrationMethod": "POST",
            "IntegrationUri": {"Fn::GetAtt": ["Items", "Arn"]}, "PayloadFormatVersion": "2.0"})
    );
    assert_eq!(
        r["ApiGetItemsId"]["Properties"],
        json!({"ApiId": {"Ref": "Api"}, "RouteKey": "GET /items/{id}",
            "Target": {"Fn::Sub": "integrations/${ApiItemsIntegration.IntegrationId}"},
            "AuthorizationType": "AWS_IAM"})
    );
    // API Gateway may invoke the function for this route of this API only; a parameter is any segment.
    assert_eq!(
        r["ApiGetItemsIdPermission"]["Properties"],
        json!({"FunctionName": {"Fn::GetAtt": ["Items", "Arn"]}, "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com", "SourceArn": {"Fn::Sub":
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/*/items/*"}})
    );
    assert_eq!(
        cfn["Outputs"]["Url"]["Value"],
        json!({"Fn::GetAtt": ["Api", "ApiEndpoint"]})
    );

    let tf = &docs[TF]["resource"];
    assert_eq!(
        tf["aws_apigatewayv2_api"]["api"],
        json!({"name": "demo-dev-main-Api", "protocol_type": "HTTP"})
    );
    let stage = &tf["aws_apigatewayv2_stage"]["api_default_stage"];
    assert_eq!(stage["api_id"], "${aws_apigatewayv2_api.api.id}");
    assert_eq!(stage["name"], "$default");
    assert_eq!(stage["auto_deploy"], true);
    assert_eq!(
        stage["access_log_settings"],
        json!({"destination_arn":
            "arn:aws:logs:us-west-2:123456789012:log-group:${aws_cloudwatch_log_group.api_access_logs.name}",
            "format": ACCESS_LOG_FORMAT})
    );
    assert_eq!(
        tf["aws_apigatewayv2_integration"]["api_items_integration"],
        json!({"api_id": "${aws_apigatewayv2_api.api.id}", "integration_type": "AWS_PROXY",
            "integration_method": "POST", "integration_uri": "${aws_lambda_function.items.arn}",
            "payload_format_version": "2.0"})
    );
    assert_eq!(
        tf["aws_apigatewayv2_route"]["api_post_items"],
        json!({"api_id": "${aws_apigatewayv2_api.api.id}", "route_key": "POST /items",
            "target": "integrations/${aws_apigatewayv2_integration.api_items_integration.id}",
            "authorization_type": "AWS_IAM"})
    );
    assert_eq!(
        tf["aws_lambda_permission"]["api_post_items_permission"]["source_arn"],
        "arn:aws:execute-api:us-west-2:123456789012:${aws_apigatewayv2_api.api.id}/*/*/items"
    );
    assert_eq!(
        docs[TF]["output"]["url"]["value"],
        "${aws_apigatewayv2_api.api.api_endpoint}"
    );
}

#[test]
fn http_api_options_cors_throttling_public_routes_logs_and_grants() {
    let app = one_stack(|s| {
        let items = function(s, "Items");
        let health = function(s, "Health");
        let caller = function(s, "Caller");
        let api = HttpApi::new("Api")
            .name("items")
            .description("The items service")
            .route("ANY /items/{path+}", &items)
            .public_route("GET /health", &health, "probed without credentials")
            .route("$default", &items)
            .cors(
                Cors::allow_origins(["https://app.example.com"])
                    .allow_methods(["GET", "POST"])
                    .allow_headers(["authorization", "content-type"])
                    .expose_headers(["x-request-id"])
                    .max_age_seconds(600)
                    .allow_credentials(),
            )
            .throttling(100, 50)
            .access_logs(LogGroup::new("ApiLogs").retention_days(731))
            .disable_execute_api_endpoint()
            .add_to(s);
        s.add(api.grant_invoke(&caller));
    });
    let docs = artifacts(&app);
    let r = &docs[CFN]["Resources"];
    let api = &r["Api"]["Properties"];
    assert_eq!(api["Name"], "items");
    assert_eq!(api["Description"], "The items service");
    assert_eq!(api["DisableExecuteApiEndpoint"], true);
    assert_eq!(
        api["CorsConfiguration"],
        json!({"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["authorization", "content-type"], "ExposeHeaders": ["x-request-id"],
            "MaxAge": 600, "AllowCredentials": true})
    );
    let stage = &r["ApiDefaultStage"]["Properties"];
    assert_eq!(
        stage["DefaultRouteSettings"],
        json!({"ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 50})
    );
    assert_eq!(r["ApiLogs"]["Properties"]["RetentionInDays"], 731);
    assert!(r.get("ApiAccessLogs").is_none());
    // Two functions, two integrations: the greedy route and `$default` share one.
    let integrations: Vec<&String> = r
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["Type"] == "AWS::ApiGatewayV2::Integration")
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        integrations,
        ["ApiItemsIntegration", "ApiHealthIntegration"]
    );
    assert_eq!(r["ApiGetHealth"]["Properties"]["AuthorizationType"], "NONE");
    assert_eq!(
        r["ApiAnyItemsPath"]["Properties"]["AuthorizationType"],
        "AWS_IAM"
    );
    assert_eq!(r["ApiDefault"]["Properties"]["RouteKey"], "$default");
    assert_eq!(
        r["ApiDefaultPermission"]["Properties"]["SourceArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/*"})
    );
    assert_eq!(
        r["ApiAnyItemsPathPermission"]["Properties"]["SourceArn"],
        json!({"Fn::Sub":
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/*/items/*"})
    );
    assert_eq!(
        r["CallerRoleApiInvoke"]["Properties"]["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": ["execute-api:Invoke"], "Resource": [{"Fn::Sub":
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/$default/*"}]}])
    );

    let tf = &docs[TF]["resource"];
    let api = &tf["aws_apigatewayv2_api"]["api"];
    assert_eq!(api["name"], "items");
    assert_eq!(api["disable_execute_api_endpoint"], true);
    assert_eq!(
        api["cors_configuration"],
        json!({"allow_origins": ["https://app.example.com"], "allow_methods": ["GET", "POST"],
            "allow_headers": ["authorization", "content-type"], "expose_headers": ["x-request-id"],
            "max_age": 600, "allow_credentials": true})
    );
    assert_eq!(
        tf["aws_apigatewayv2_stage"]["api_default_stage"]["default_route_settings"],
        json!({"throttling_rate_limit": 100, "throttling_burst_limit": 50})
    );
    let public = &tf["aws_apigatewayv2_route"]["api_get_health"];
    assert_eq!(public["authorization_type"], "NONE");
    assert_eq!(
        public["//"],
        json!(["checkov:skip=CKV_AWS_309: probed without credentials"])
    );
    assert!(tf["aws_apigatewayv2_route"]["api_any_items_path"]
        .get("//")
        .is_none());
}

#[test]
fn bad_http_api_input_is_a_located_error() {
    let at = line_below(4);
    let at_route = line_below(5);
    let app = one_stack(|s| {
        let items = function(s, "Items");
        HttpApi::new("Api")
            .route("FETCH /items", &items)
            .route("GET /items/{id", &items)
            .route("GET /a/{p+}/b", &items)
            .route("GET /ok", &items)
            .route("GET /ok", &items)
            .public_route("GET /open", &items, " ")
            .name("")
            .throttling(-1, 10)
            .cors(
                Cors::allow_origins(["*", "app.example.com", "https://x.example.com/"])
                    .allow_methods(["GET", "ANY", "FETCH"])
                    .max_age_seconds(86_401)
                    .allow_credentials(),
            )
            .add_to(s);
        HttpApi::new("Empty").add_to(s);
        HttpApi::new("NoOrigins")
            .route("GET /", &items)
            .cors(Cors::allow_origins(Vec::<String>::new()))
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "route key `FETCH /items`: method `FETCH` is unknown; expected `$default` or `METHOD /path`",
            "route key `GET /items/{id`: path has a `{` without `}`",
            "route key `GET /a/{p+}/b`: path has a greedy parameter (`{name+}`) before the last segment",
            "route `GET /ok` is declared twice on HTTP API `Api`: expected each route key once",
            "public route `GET /open` without a reason",
            "HTTP API name ``: expected 1 to 128 characters",
            "HTTP API throttling of -1 requests per second and a burst of 10",
            "CORS origin `app.example.com`: expected `*` or a scheme and host without a path",
            "CORS origin `https://x.example.com/`",
            "CORS method `ANY`: expected `*` or one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
            "CORS method `FETCH`",
            "CORS max age of 86401 seconds: expected 0 to 86400",
            "CORS allows credentials from any origin (`*`)",
            "HTTP API `Empty` has no routes",
            "CORS without origins",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    assert!(
        errors.contains(&at_route),
        "not located at {at_route}:\n{errors}"
    );
}

#[test]
fn a_custom_domain_gets_a_dns_validated_certificate_a_mapping_and_an_alias_record() {
    use stackwright::aws::apigatewayv2::CustomDomain;
    use stackwright::aws::route53::HostedZone;
    let app = one_stack(|s| {
        let zone = s.add(HostedZone::new("Zone", "example.com"));
        let items = function(s, "Items");
        let api = HttpApi::new("Api").route("GET /items", &items).add_to(s);
        let domain = CustomDomain::new("ApiDomain", "api.example.com", &zone, &api).add_to(s);
        s.output("Domain", domain.name());
    });
    let docs = artifacts(&app);
    let r = &docs[CFN]["Resources"];
    assert_eq!(
        r["ApiDomainCertificate"]["Properties"]["DomainName"],
        "api.example.com"
    );
    assert_eq!(
        r["ApiDomain"],
        json!({"Type": "AWS::ApiGatewayV2::DomainName", "Properties": {
            "DomainName": "api.example.com",
            "DomainNameConfigurations": [{"CertificateArn": {"Ref": "ApiDomainCertificate"},
                "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}],
            "Tags": {"app": "demo", "environment": "dev", "managed-by": "stackwright"}}})
    );
    assert_eq!(
        r["ApiDomainMapping"],
        json!({"Type": "AWS::ApiGatewayV2::ApiMapping", "DependsOn": ["ApiDefaultStage"],
            "Properties": {"ApiId": {"Ref": "Api"}, "DomainName": {"Ref": "ApiDomain"},
                "Stage": "$default"}})
    );
    assert_eq!(
        r["ApiDomainAlias"]["Properties"],
        json!({"HostedZoneId": {"Ref": "Zone"}, "Name": "api.example.com", "Type": "A",
            "AliasTarget": {"DNSName": {"Fn::GetAtt": ["ApiDomain", "RegionalDomainName"]},
                "HostedZoneId": {"Fn::GetAtt": ["ApiDomain", "RegionalHostedZoneId"]},
                "EvaluateTargetHealth": false}})
    );

    let tf = &docs[TF]["resource"];
    let domain = &tf["aws_apigatewayv2_domain_name"]["api_domain"];
    assert_eq!(domain["domain_name"], "api.example.com");
    assert_eq!(
        domain["domain_name_configuration"],
        json!({"certificate_arn": "${aws_acm_certificate.api_domain_certificate.arn}",
            "endpoint_type": "REGIONAL", "security_policy": "TLS_1_2"})
    );
    // API Gateway refuses a certificate that is not issued yet.
    assert_eq!(
        domain["depends_on"],
        json!(["aws_acm_certificate_validation.api_domain_certificate_validation"])
    );
    assert_eq!(
        tf["aws_apigatewayv2_api_mapping"]["api_domain_mapping"],
        json!({"api_id": "${aws_apigatewayv2_api.api.id}",
            "domain_name": "${aws_apigatewayv2_domain_name.api_domain.id}", "stage": "$default",
            "depends_on": ["aws_apigatewayv2_stage.api_default_stage"]})
    );
    assert_eq!(
        tf["aws_route53_record"]["api_domain_alias"]["alias"],
        json!({"name":
            "${aws_apigatewayv2_domain_name.api_domain.domain_name_configuration[0].target_domain_name}",
            "zone_id":
            "${aws_apigatewayv2_domain_name.api_domain.domain_name_configuration[0].hosted_zone_id}",
            "evaluate_target_health": false})
    );
    assert_eq!(
        docs[TF]["output"]["domain"]["value"],
        "${aws_apigatewayv2_domain_name.api_domain.id}"
    );
}

#[test]
fn a_custom_domain_takes_a_certificate_and_a_base_path() {
    use stackwright::aws::acm::Certificate;
    use stackwright::aws::apigatewayv2::CustomDomain;
    use stackwright::aws::route53::HostedZone;
    let app = one_stack(|s| {
        let zone = s.add(HostedZone::new("Zone", "example.com"));
        let wildcard = s.add(Certificate::dns_validated(
            "Wildcard",
            "*.example.com",
            &zone,
        ));
        let items = function(s, "Items");
        let api = HttpApi::new("Api").route("GET /items", &items).add_to(s);
        CustomDomain::new("ApiDomain", "api.example.com", &zone, &api)
            .certificate(&wildcard)
            .base_path("orders/v2")
            .add_to(s);
    });
    let docs = artifacts(&app);
    let r = &docs[CFN]["Resources"];
    assert!(r.get("ApiDomainCertificate").is_none());
    assert_eq!(
        r["ApiDomain"]["Properties"]["DomainNameConfigurations"][0]["CertificateArn"],
        json!({"Ref": "Wildcard"})
    );
    assert_eq!(
        r["ApiDomainMapping"]["Properties"]["ApiMappingKey"],
        "orders/v2"
    );
    let tf = &docs[TF]["resource"];
    assert_eq!(
        tf["aws_apigatewayv2_domain_name"]["api_domain"]["depends_on"],
        json!(["aws_acm_certificate_validation.wildcard_validation"])
    );
    assert_eq!(
        tf["aws_apigatewayv2_api_mapping"]["api_domain_mapping"]["api_mapping_key"],
        "orders/v2"
    );
}

#[test]
fn bad_custom_domain_input_is_a_located_error() {
    use stackwright::aws::apigatewayv2::CustomDomain;
    use stackwright::aws::route53::HostedZone;
    let at = line_below(5);
    let app = one_stack(|s| {
        let zone = s.add(HostedZone::new("Zone", "example.com"));
        let items = function(s, "Items");
        let api = HttpApi::new("Api").route("GET /items", &items).add_to(s);
        CustomDomain::new("Outside", "api.example.org", &zone, &api).add_to(s);
        CustomDomain::new("Bad", "bad_name.example.com", &zone, &api).add_to(s);
        CustomDomain::new("Path", "v.example.com", &zone, &api)
            .base_path("/v1/")
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "API custom domain `api.example.org` is outside hosted zone `example.com`",
            "API custom domain `bad_name.example.com`: API Gateway takes no uppercase letters or `_`",
            "API mapping base path `/v1/`: expected letters, digits and `-._~`",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    // One mistake, one error: the certificate and the record made for the name do not repeat it.
    assert!(errors.contains("3 problems found"), "{errors}");
}
