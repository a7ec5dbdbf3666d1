//! API Gateway HTTP APIs (version 2): an API whose routes invoke Lambda functions, with the integrations,
//! permissions, stage and access logs made for it.
//!
//! ```no_run
//! # use stackwright_core::Stack;
//! # fn define(stack: &mut Stack, list: &stackwright_aws::lambda::FunctionHandle,
//! #     health: &stackwright_aws::lambda::FunctionHandle) {
//! use stackwright_aws::apigatewayv2::{Cors, HttpApi};
//! let api = HttpApi::new("Api")
//!     .route("GET /items", list)
//!     .public_route("GET /health", health, "load balancer health checks carry no credentials")
//!     .cors(Cors::allow_origins(["https://app.example.com"]).allow_methods(["GET"]))
//!     .throttling(100, 50)
//!     .add_to(stack);
//! stack.output("ApiUrl", api.endpoint());
//! # }
//! ```

mod domain;

use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::lambda::{add_invoke_permission, FunctionHandle};
use crate::logs::{LogGroup, LogGroupHandle};
use crate::{arn, construct, Handle};
use stackwright_core::{
    interpolate, Declare, Diagnostic, Expr, Location, Resource, ResourceRef, Stack, Value,
};

pub use domain::{CustomDomain, CustomDomainHandle, API_MAPPING_KIND, DOMAIN_NAME_KIND, SECURITY_POLICY};
pub(crate) use domain::{API_MAPPING, DOMAIN_NAME};

/// The neutral kind of an HTTP API.
pub const API_KIND: &str = "aws.apigatewayv2.Api";
/// The neutral kind of an API's stage.
pub const STAGE_KIND: &str = "aws.apigatewayv2.Stage";
/// The neutral kind of an API's integration.
pub const INTEGRATION_KIND: &str = "aws.apigatewayv2.Integration";
/// The neutral kind of an API's route.
pub const ROUTE_KIND: &str = "aws.apigatewayv2.Route";

/// An HTTP API in each target.
pub(crate) static API: Spelling = Spelling {
    kind: API_KIND,
    cloudformation: "AWS::ApiGatewayV2::Api",
    terraform: "aws_apigatewayv2_api",
    terraform_tags: true,
    attributes: &[
        Attribute::new("id", Read::Ref, "id"),
        Attribute::new("endpoint", Read::GetAtt("ApiEndpoint"), "api_endpoint"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An API's stage in each target.
pub(crate) static STAGE: Spelling = Spelling {
    kind: STAGE_KIND,
    cloudformation: "AWS::ApiGatewayV2::Stage",
    terraform: "aws_apigatewayv2_stage",
    terraform_tags: true,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An API's integration in each target.
pub(crate) static INTEGRATION: Spelling = Spelling {
    kind: INTEGRATION_KIND,
    cloudformation: "AWS::ApiGatewayV2::Integration",
    terraform: "aws_apigatewayv2_integration",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::GetAtt("IntegrationId"), "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An API's route in each target.
pub(crate) static ROUTE: Spelling = Spelling {
    kind: ROUTE_KIND,
    cloudformation: "AWS::ApiGatewayV2::Route",
    terraform: "aws_apigatewayv2_route",
    terraform_tags: false,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The stage every HTTP API made here serves: `$default`, at the API's endpoint without a path prefix.
pub const DEFAULT_STAGE: &str = "$default";

/// The HTTP methods a route key takes (`ANY` matches each).
pub const METHODS: [&str; 8] = ["ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/// What the access log records per request, as JSON (API Gateway's `$context` variables).
pub const ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","#,
    r#""requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","#,
    r#""route":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","#,
    r#""responseLength":"$context.responseLength","integrationError":"$context.integrationErrorMessage"}"#
);

/// The longest a browser may cache a preflight response, in seconds (API Gateway's limit).
pub const MAX_CORS_AGE_SECONDS: i64 = 86_400;

/// Who may call a route.
#[derive(Clone, Debug)]
enum Authorization {
    /// Callers sign with SigV4 and need `execute-api:Invoke` on the route (`AWS_IAM`).
    Iam,
    /// Anyone (`NONE`), for the reason given.
    Public(String),
}

/// One route of the API, kept until the API is declared.
struct RouteSpec {
    resource: Resource,
    key: String,
    function: FunctionHandle,
    authorization: Authorization,
}

/// Cross-origin resource sharing: which web origins may call the API from a browser. API Gateway answers
/// preflight requests itself.
#[derive(Clone, Debug)]
pub struct Cors {
    origins: Vec<String>,
    methods: Vec<String>,
    headers: Vec<String>,
    expose_headers: Vec<String>,
    max_age_seconds: Option<i64>,
    credentials: bool,
}

impl Cors {
    /// Browsers on `origins` (`https://app.example.com`; `*` for any) may call the API.
    pub fn allow_origins<S: Into<String>>(origins: impl IntoIterator<Item = S>) -> Self {
        Cors {
            origins: origins.into_iter().map(Into::into).collect(),
            methods: Vec::new(),
            headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age_seconds: None,
            credentials: false,
        }
    }

    /// The methods they may use (one of [`METHODS`] but `ANY`, or `*`).
    pub fn allow_methods<S: Into<String>>(mut self, methods: impl IntoIterator<Item = S>) -> Self {
        self.methods = methods.into_iter().map(Into::into).collect();
        self
    }

    /// The request headers they may send (`authorization`, `content-type`; `*` for any).
    pub fn allow_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// The response headers their scripts may read.
    pub fn expose_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }

    /// How long a browser caches a preflight answer, 0 to [`MAX_CORS_AGE_SECONDS`].
    pub fn max_age_seconds(mut self, seconds: i64) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }

    /// Requests may carry credentials (cookies, authorization headers); not with the origin `*`.
    pub fn allow_credentials(mut self) -> Self {
        self.credentials = true;
        self
    }

    /// What is wrong with this configuration, one message each.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.origins.is_empty() {
            problems.push(
                "CORS without origins: expected at least one (`https://app.example.com`, or `*`)"
                    .to_owned(),
            );
        }
        for origin in &self.origins {
            let shaped = origin == "*"
                || ((origin.starts_with("https://") || origin.starts_with("http://"))
                    && !origin.contains(char::is_whitespace)
                    && !origin.ends_with('/'));
            if !shaped {
                problems.push(format!(
                    "CORS origin `{origin}`: expected `*` or a scheme and host without a path \
                     (`https://app.example.com`)"
                ));
            }
        }
        for method in &self.methods {
            if method != "*" && (method == "ANY" || !METHODS.contains(&method.as_str())) {
                problems.push(format!(
                    "CORS method `{method}`: expected `*` or one of {}",
                    METHODS[1..].join(", ")
                ));
            }
        }
        if let Some(age) = self.max_age_seconds {
            if !(0..=MAX_CORS_AGE_SECONDS).contains(&age) {
                problems.push(format!(
                    "CORS max age of {age} seconds: expected 0 to {MAX_CORS_AGE_SECONDS}"
                ));
            }
        }
        if self.credentials && self.origins.iter().any(|o| o == "*") {
            problems.push(
                "CORS allows credentials from any origin (`*`), which browsers refuse and API Gateway \
                 rejects: expected the origins listed, or no `.allow_credentials()`"
                    .to_owned(),
            );
        }
        problems
    }

    /// The configuration in a target's words (`AllowOrigins` or `allow_origins`, ...).
    fn to_value(&self, cloudformation: bool) -> Value {
        let list = |items: &[String]| Value::List(items.iter().map(|i| Value::from(i.as_str())).collect());
        let names: [&str; 6] = if cloudformation {
            ["AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders", "MaxAge", "AllowCredentials"]
        } else {
            [
                "allow_origins",
                "allow_methods",
                "allow_headers",
                "expose_headers",
                "max_age",
                "allow_credentials",
            ]
        };
        let mut entries = vec![(names[0].to_owned(), list(&self.origins))];
        for (name, items) in [
            (names[1], &self.methods),
            (names[2], &self.headers),
            (names[3], &self.expose_headers),
        ] {
            if !items.is_empty() {
                entries.push((name.to_owned(), list(items)));
            }
        }
        if let Some(age) = self.max_age_seconds {
            entries.push((names[4].to_owned(), Value::from(age)));
        }
        if self.credentials {
            entries.push((names[5].to_owned(), Value::Bool(true)));
        }
        Value::Map(entries)
    }
}

/// An HTTP API (API Gateway version 2; CloudFormation `AWS::ApiGatewayV2::Api`, Terraform
/// `aws_apigatewayv2_api`) whose routes invoke Lambda functions, declared by [`add_to`](Self::add_to)
/// with what it needs:
/// - per function, a Lambda proxy integration (`AWS_PROXY`, payload format 2.0), and per route the
///   route and a permission that lets API Gateway invoke the function for that route of this API only
///   (its execute-api ARN, checkov CKV_AWS_364);
/// - the `$default` stage, deploying every change (auto-deploy), with access logs (checkov CKV_AWS_95)
///   to a log group made for it, kept 365 days ([`access_logs`](Self::access_logs) adjusts it).
///
/// Secure by default: routes are authorized with IAM (`AWS_IAM`: callers sign with SigV4 and need
/// `execute-api:Invoke`; checkov CKV_AWS_309). A route open to anyone is
/// [`public_route`](Self::public_route), with the reason a reviewer reads.
pub struct HttpApi {
    resource: Resource,
    name: Option<String>,
    description: Option<String>,
    routes: Vec<RouteSpec>,
    /// Routes refused before declaration (a route key given twice), each problem at its call's line:
    /// nothing is declared for them, so that their parts cannot repeat the mistake.
    refused_routes: Vec<(String, Location)>,
    cors: Option<Cors>,
    throttling: Option<(i64, i64)>,
    log_group: LogGroup,
    execute_api_endpoint: bool,
}

impl HttpApi {
    /// An HTTP API without routes yet; its name is `<stack name>-<id>` unless [`name`](Self::name).
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        HttpApi {
            log_group: LogGroup::new(format!("{id}-AccessLogs")),
            resource: Resource::new(id, API_KIND),
            name: None,
            description: None,
            routes: Vec::new(),
            refused_routes: Vec::new(),
            cors: None,
            throttling: None,
            execute_api_endpoint: true,
        }
    }

    /// The API's name, 1 to 128 characters (names need not be unique).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if name.is_empty() || name.chars().count() > 128 {
            self.resource.problems.push(format!(
                "HTTP API name `{name}`: expected 1 to 128 characters"
            ));
        }
        self.name = Some(name);
        self
    }

    /// What the API is for, at most 1,024 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        crate::check::check_length(&mut self.resource, "HTTP API description", &text, 1024);
        self.description = Some(text);
        self
    }

    /// Requests matching `key` (`GET /items`, `ANY /items/{id}`, `POST /files/{path+}`, `$default`)
    /// invoke `function`, from callers authorized with IAM.
    #[track_caller]
    pub fn route(self, key: &str, function: &FunctionHandle) -> Self {
        self.add_route(key, function, Authorization::Iam)
    }

    /// Requests matching `key` invoke `function` from anyone (authorization `NONE`): for what must be
    /// reachable without credentials (a health check, a public page), with the reason a reviewer reads
    /// (reported with checkov CKV_AWS_309, which this skips).
    #[track_caller]
    pub fn public_route(self, key: &str, function: &FunctionHandle, reason: &str) -> Self {
        let declared = self.routes.len();
        let mut api = self.add_route(key, function, Authorization::Public(reason.to_owned()));
        // A refused route (given twice) is one error already.
        if reason.trim().is_empty() && api.routes.len() > declared {
            if let Some(route) = api.routes.last_mut() {
                route.resource.problems.push(format!(
                    "public route `{key}` without a reason: expected why it must be open to anyone \
                     (it skips checkov CKV_AWS_309 with it)"
                ));
            }
        }
        api
    }

    #[track_caller]
    fn add_route(mut self, key: &str, function: &FunctionHandle, authorization: Authorization) -> Self {
        let api = self.resource.id.clone();
        if self.routes.iter().any(|r| r.key == key) {
            // One error at this call; the route, its permission and integration are declared once.
            self.refused_routes.push((
                format!(
                    "route `{key}` is declared twice on HTTP API `{api}`: expected each route key once"
                ),
                std::panic::Location::caller(),
            ));
            return self;
        }
        let mut resource = Resource::new(format!("{api}-{}", route_id(key)), ROUTE_KIND);
        if let Err(problem) = check_route_key(key) {
            resource.problems.push(problem);
        }
        self.routes.push(RouteSpec {
            resource,
            key: key.to_owned(),
            function: function.clone(),
            authorization,
        });
        self
    }

    /// Lets browsers on other origins call the API ([`Cors`]).
    pub fn cors(mut self, cors: Cors) -> Self {
        self.resource.problems.extend(cors.problems());
        self.cors = Some(cors);
        self
    }

    /// Limits every route to `rate_per_second` requests per second on average, and `burst` at once;
    /// without it, only the account's limits per region apply.
    pub fn throttling(mut self, rate_per_second: i64, burst: i64) -> Self {
        if rate_per_second < 0 || burst < 0 {
            self.resource.problems.push(format!(
                "HTTP API throttling of {rate_per_second} requests per second and a burst of {burst}: \
                 expected numbers of 0 or more"
            ));
        }
        self.throttling = Some((rate_per_second, burst));
        self
    }

    /// The access logs' group: `log_group` (a [`LogGroup`] with its retention, key, name) instead of
    /// one kept 365 days. Its id is the group's own.
    pub fn access_logs(mut self, log_group: LogGroup) -> Self {
        self.log_group = log_group;
        self
    }

    /// Turns off the default `execute-api` endpoint, so that clients reach the API only through its
    /// custom domain ([`CustomDomain`]).
    pub fn disable_execute_api_endpoint(mut self) -> Self {
        self.execute_api_endpoint = false;
        self
    }

    /// Declares the API, its access log group, stage, integrations, routes and permissions in `stack`:
    /// `<id>-AccessLogs`, `<id>-DefaultStage`, `<id>-<function>-Integration` per function, and per route
    /// `<id>-<Method><Path>` (`Api-GetItemsId` for `GET /items/{id}`) and `<route>-Permission`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> HttpApiHandle {
        let HttpApi {
            mut resource,
            name,
            description,
            routes,
            refused_routes,
            cors,
            throttling,
            log_group,
            execute_api_endpoint,
        } = self;
        for (problem, at) in refused_routes {
            stack.report(Diagnostic::new(problem).for_resource(&resource.id).at(at));
        }
        if routes.is_empty() {
            resource.problems.push(format!(
                "HTTP API `{}` has no routes: expected `.route(\"GET /path\", &function)` at least once",
                resource.id
            ));
        }
        let id = resource.id.clone();
        let log_group = stack.add(log_group);
        let name: Expr = match name {
            Some(name) => name.into(),
            None => interpolate![Expr::stack_name(), "-", id.as_str()],
        };
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.set("Name", name.clone()).set("ProtocolType", "HTTP");
        tf.set("name", name).set("protocol_type", "HTTP");
        cfn.set_some("Description", description.clone());
        tf.set_some("description", description);
        if let Some(cors) = &cors {
            cfn.set("CorsConfiguration", cors.to_value(true));
            tf.set("cors_configuration", cors.to_value(false));
        }
        if !execute_api_endpoint {
            cfn.set("DisableExecuteApiEndpoint", true);
            tf.set("disable_execute_api_endpoint", true);
        }
        construct::finish(&mut resource, cfn, tf);
        let handle = stack.add(Ready(resource));
        let api_id = handle.attr("id");
        let execution_arn = arn::regional("execute-api", api_id.clone());

        let mut stage = Resource::new(format!("{id}-DefaultStage"), STAGE_KIND);
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.set("ApiId", api_id.clone())
            .set("StageName", DEFAULT_STAGE)
            .set("AutoDeploy", true)
            .set(
                "AccessLogSettings",
                object(&[
                    ("DestinationArn", log_group.arn().into()),
                    ("Format", ACCESS_LOG_FORMAT.into()),
                ]),
            );
        tf.set("api_id", api_id.clone())
            .set("name", DEFAULT_STAGE)
            .set("auto_deploy", true)
            .set(
                "access_log_settings",
                object(&[
                    ("destination_arn", log_group.arn().into()),
                    ("format", ACCESS_LOG_FORMAT.into()),
                ]),
            );
        if let Some((rate, burst)) = throttling {
            cfn.set(
                "DefaultRouteSettings",
                object(&[
                    ("ThrottlingRateLimit", rate.into()),
                    ("ThrottlingBurstLimit", burst.into()),
                ]),
            );
            tf.set(
                "default_route_settings",
                object(&[
                    ("throttling_rate_limit", rate.into()),
                    ("throttling_burst_limit", burst.into()),
                ]),
            );
        }
        construct::finish(&mut stage, cfn, tf);
        let stage = stack.add(Ready(stage));

        let mut integrations: Vec<(String, Expr)> = Vec::new();
        for route in routes {
            let RouteSpec {
                mut resource,
                key,
                function,
                authorization,
            } = route;
            let function_id = function.declared_id().to_owned();
            let integration = match integrations.iter().find(|(f, _)| *f == function_id) {
                Some((_, integration)) => integration.clone(),
                None => {
                    let integration = add_integration(stack, &id, &api_id, &function);
                    integrations.push((function_id, integration.clone()));
                    integration
                }
            };
            let source_arn = interpolate![execution_arn.clone(), "/*/*", permission_path(&key)];
            add_invoke_permission(
                stack,
                format!("{}-Permission", resource.id),
                &function,
                "apigateway.amazonaws.com",
                source_arn,
            );
            let target = interpolate!["integrations/", integration];
            let mut cfn = Form::new();
            let mut tf = Form::new();
            cfn.set("ApiId", api_id.clone())
                .set("RouteKey", key.as_str())
                .set("Target", target.clone());
            tf.set("api_id", api_id.clone())
                .set("route_key", key.as_str())
                .set("target", target);
            match &authorization {
                Authorization::Iam => {
                    cfn.set("AuthorizationType", "AWS_IAM");
                    tf.set("authorization_type", "AWS_IAM");
                }
                Authorization::Public(reason) => {
                    cfn.set("AuthorizationType", "NONE");
                    tf.set("authorization_type", "NONE")
                        .checkov_skip("CKV_AWS_309", reason);
                }
            }
            construct::finish(&mut resource, cfn, tf);
            stack.add(Ready(resource));
        }
        HttpApiHandle {
            handle,
            id,
            stage,
            log_group,
        }
    }
}
common_setters!(HttpApi, taggable);
patchable!(HttpApi, API);

/// Declares the Lambda proxy integration of `function` on `api`; its id.
#[track_caller]
fn add_integration(stack: &mut Stack, api: &str, api_id: &Expr, function: &FunctionHandle) -> Expr {
    let mut resource = Resource::new(
        format!("{api}-{}-Integration", function.declared_id()),
        INTEGRATION_KIND,
    );
    let mut cfn = Form::new();
    let mut tf = Form::new();
    cfn.set("ApiId", api_id.clone())
        .set("IntegrationType", "AWS_PROXY")
        .set("IntegrationMethod", "POST")
        .set("IntegrationUri", function.arn())
        .set("PayloadFormatVersion", "2.0");
    tf.set("api_id", api_id.clone())
        .set("integration_type", "AWS_PROXY")
        .set("integration_method", "POST")
        .set("integration_uri", function.arn())
        .set("payload_format_version", "2.0");
    construct::finish(&mut resource, cfn, tf);
    stack.add(Ready(resource)).attr("id")
}

/// Whether `key` is a route key API Gateway takes: `$default`, or a method of [`METHODS`] and a path of
/// segments, each literal text or a `{parameter}`, the last may be greedy (`{proxy+}`).
pub(crate) fn check_route_key(key: &str) -> Result<(), String> {
    if key == "$default" {
        return Ok(());
    }
    let expected = "expected `$default` or `METHOD /path` (`GET /items/{id}`, `ANY /files/{path+}`), the \
                    method one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";
    let Some((method, path)) = key.split_once(' ') else {
        return Err(format!("route key `{key}`: {expected}"));
    };
    if !METHODS.contains(&method) {
        return Err(format!("route key `{key}`: method `{method}` is unknown; {expected}"));
    }
    if !path.starts_with('/') || path.contains(char::is_whitespace) {
        return Err(format!("route key `{key}`: path `{path}` {expected}"));
    }
    if path == "/" {
        return Ok(());
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    for (at, segment) in segments.iter().enumerate() {
        let last = at + 1 == segments.len();
        let problem = if segment.is_empty() {
            Some("an empty segment")
        } else if let Some(inner) = segment.strip_prefix('{') {
            match inner.strip_suffix('}') {
                None => Some("a `{` without `}`"),
                Some(name) => {
                    let (name, greedy) = match name.strip_suffix('+') {
                        Some(name) => (name, true),
                        None => (name, false),
                    };
                    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        Some("a parameter name other than letters, digits and `_`")
                    } else if greedy && !last {
                        Some("a greedy parameter (`{name+}`) before the last segment")
                    } else {
                        None
                    }
                }
            }
        } else if segment.contains(['{', '}']) {
            Some("`{` or `}` inside a segment")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(format!("route key `{key}`: path has {problem}; {expected}"));
        }
    }
    Ok(())
}

/// The part of the route's execute-api ARN after the stage and method: its path, each parameter a `*`
/// (the ARN holds the request's path); empty for `$default`.
fn permission_path(key: &str) -> String {
    let Some((_, path)) = key.split_once(' ') else {
        return String::new();
    };
    path.split('/')
        .map(|segment| if segment.starts_with('{') { "*" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

/// The id a route's resources take after the API's: the method capitalized, then each path segment's
/// letters and digits capitalized (`GET /items/{id}` is `GetItemsId`, `GET /` `GetRoot`, `$default`
/// `Default`).
fn route_id(key: &str) -> String {
    fn capitalized(text: &str) -> String {
        let mut chars = text.chars().filter(char::is_ascii_alphanumeric);
        match chars.next() {
            Some(first) => first.to_ascii_uppercase().to_string() + &chars.collect::<String>(),
            None => String::new(),
        }
    }
    let Some((method, path)) = key.split_once(' ') else {
        return capitalized(key);
    };
    let mut id = capitalized(&method.to_ascii_lowercase());
    let segments: String = path.split('/').map(capitalized).collect();
    if segments.is_empty() {
        id.push_str("Root");
    }
    id + &segments
}

attr_handle!(
    /// A declared HTTP API, with its `$default` stage and access log group.
    HttpApiHandle {
        /// The API's id.
        id: "id",
        /// `https://<id>.execute-api.<region>.amazonaws.com`: where its `$default` stage answers.
        endpoint: "endpoint",
    } id: String, stage: Handle, log_group: LogGroupHandle
);

impl HttpApiHandle {
    /// `arn:<partition>:execute-api:<region>:<account>:<api id>`, which IAM policies granting
    /// `execute-api:Invoke` and permissions name (followed by `/<stage>/<method>/<path>`).
    pub fn execution_arn(&self) -> Expr {
        arn::regional("execute-api", self.id())
    }

    /// The id the API was declared with.
    pub fn declared_id(&self) -> &str {
        &self.id
    }

    /// The `$default` stage, which custom domains map to.
    pub fn stage(&self) -> &Handle {
        &self.stage
    }

    /// The group the access logs go to.
    pub fn access_log_group(&self) -> &LogGroupHandle {
        &self.log_group
    }

    /// Lets `role` (or a function) call the API's IAM-authorized routes: `execute-api:Invoke` on every
    /// route of its `$default` stage, `<role>-<api>-Invoke`.
    #[track_caller]
    pub fn grant_invoke(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let statements = vec![Statement::allow()
            .action("execute-api:Invoke")
            .resource(interpolate![self.execution_arn(), "/", DEFAULT_STAGE, "/*"])];
        RolePolicy::grant(role, &self.id, "Invoke", statements)
    }
}

/// A node whose forms are written: declared as is.
struct Ready(Resource);

impl Declare for Ready {
    type Handle = Handle;
    fn declare(self, at: ResourceRef) -> (Resource, Handle) {
        (self.0, Handle(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys_are_checked_and_named() {
        for good in ["$default", "GET /", "GET /items", "ANY /items/{id}", "POST /files/{path+}"] {
            assert_eq!(check_route_key(good), Ok(()), "{good}");
        }
        for (bad, says) in [
            ("GET", "expected `$default`"),
            ("FETCH /x", "method `FETCH` is unknown"),
            ("GET items", "path `items`"),
            ("GET /a//b", "an empty segment"),
            ("GET /{a+}/b", "a greedy parameter"),
            ("GET /a{b}", "inside a segment"),
            ("GET /{a-b}", "a parameter name"),
        ] {
            let problem = check_route_key(bad).unwrap_err();
            assert!(problem.contains(says), "{bad}: {problem}");
        }
        assert_eq!(route_id("GET /items/{id}"), "GetItemsId");
        assert_eq!(route_id("GET /"), "GetRoot");
        assert_eq!(route_id("$default"), "Default");
        assert_eq!(route_id("ANY /files/{path+}"), "AnyFilesPath");
        assert_eq!(permission_path("GET /items/{id}"), "/items/*");
        assert_eq!(permission_path("$default"), "");
    }
}
