//! API Gateway REST APIs (version 1): an API whose methods invoke Lambda functions, with its resource
//! tree, integrations, permissions, CORS preflight methods, a stage with access logs and tracing, and a
//! deployment that follows the methods.
//!
//! ```no_run
//! # use stackwright_core::Stack;
//! # fn define(stack: &mut Stack, list: &stackwright_aws::lambda::FunctionHandle,
//! #     health: &stackwright_aws::lambda::FunctionHandle) {
//! use stackwright_aws::apigateway::{Cors, RestApi};
//! let api = RestApi::new("Api")
//!     .method("GET", "/items/{id}", list)
//!     .public_method("GET", "/health", health, "load balancer health checks carry no credentials")
//!     .cors(Cors::allow_origins(["https://app.example.com"]).allow_methods(["GET"]))
//!     .throttling(100, 50)
//!     .add_to(stack);
//! stack.output("ApiUrl", api.url());
//! # }
//! ```
//!
//! A stage serves a deployment: a snapshot of the methods taken when the deployment is created. So
//! that the stage serves what the definition says, the deployment's id carries a hash of every
//! resource, method, integration and CORS setting (as CDK's `RestApi` does): a change to any of them
//! declares a new deployment, the stage moves to it and the old one is deleted, in both targets. One
//! node, so the same id in both and `plan` shows the same pair (one added, one destroyed) in each, rather
//! than a stable Terraform address with `triggers`, which CloudFormation has no form of. API Gateway
//! refuses to delete a deployment a stage still serves, and Terraform destroys a removed resource before
//! it updates what referenced it unless that resource was created `create_before_destroy`
//! (hashicorp/terraform#27302, #30693): so the Terraform deployment is, and the stage moves first.

use crate::apigatewayv2::check_route_key;
use crate::construct::{object, Attribute, Block, Form, Hcl, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::lambda::{add_invoke_permission, properties_hash, FunctionHandle};
use crate::logs::{LogGroup, LogGroupHandle};
use crate::{arn, construct, Handle};
use stackwright_core::{interpolate, Declare, Expr, Resource, ResourceRef, Stack, Value};

/// The neutral kind of a REST API.
pub const REST_API_KIND: &str = "aws.apigateway.RestApi";
/// The neutral kind of a resource (a path segment) of a REST API.
pub const RESOURCE_KIND: &str = "aws.apigateway.Resource";
/// The neutral kind of a method with its integration.
pub const METHOD_KIND: &str = "aws.apigateway.Method";
/// The neutral kind of a deployment.
pub const DEPLOYMENT_KIND: &str = "aws.apigateway.Deployment";
/// The neutral kind of a stage.
pub const STAGE_KIND: &str = "aws.apigateway.Stage";

/// The Terraform block of a method's integration.
const INTEGRATION: &str = "_integration";
/// The Terraform block of a preflight method's response.
const METHOD_RESPONSE: &str = "_method_response";
/// The Terraform block of a preflight method's integration response.
const INTEGRATION_RESPONSE: &str = "_integration_response";
/// The Terraform block of a stage's method settings.
const SETTINGS: &str = "_settings";

/// A REST API in each target.
pub(crate) static REST_API: Spelling = Spelling {
    kind: REST_API_KIND,
    cloudformation: "AWS::ApiGateway::RestApi",
    terraform: "aws_api_gateway_rest_api",
    terraform_tags: true,
    attributes: &[
        Attribute::new("id", Read::Ref, "id"),
        Attribute::new("root_resource_id", Read::GetAtt("RootResourceId"), "root_resource_id"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A resource (one path segment) in each target.
pub(crate) static RESOURCE: Spelling = Spelling {
    kind: RESOURCE_KIND,
    cloudformation: "AWS::ApiGateway::Resource",
    terraform: "aws_api_gateway_resource",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A method in each target: CloudFormation holds the integration and its responses in the method,
/// Terraform splits them into blocks beside it.
pub(crate) static METHOD: Spelling = Spelling {
    kind: METHOD_KIND,
    cloudformation: "AWS::ApiGateway::Method",
    terraform: "aws_api_gateway_method",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[
        Block {
            type_name: "aws_api_gateway_integration",
            suffix: INTEGRATION,
            named_by: None,
        },
        Block {
            type_name: "aws_api_gateway_method_response",
            suffix: METHOD_RESPONSE,
            named_by: None,
        },
        Block {
            type_name: "aws_api_gateway_integration_response",
            suffix: INTEGRATION_RESPONSE,
            named_by: None,
        },
    ],
};

/// A deployment in each target.
pub(crate) static DEPLOYMENT: Spelling = Spelling {
    kind: DEPLOYMENT_KIND,
    cloudformation: "AWS::ApiGateway::Deployment",
    terraform: "aws_api_gateway_deployment",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A stage in each target; Terraform's method settings are a block beside it.
pub(crate) static STAGE: Spelling = Spelling {
    kind: STAGE_KIND,
    cloudformation: "AWS::ApiGateway::Stage",
    terraform: "aws_api_gateway_stage",
    terraform_tags: true,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_api_gateway_method_settings",
        suffix: SETTINGS,
        named_by: None,
    }],
};

/// The stage an API serves unless [`RestApi::stage_name`] names another.
pub const DEFAULT_STAGE_NAME: &str = "prod";

/// The HTTP methods a method takes (`ANY` matches each).
pub const METHODS: [&str; 8] = ["ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/// What the access log records per request, as JSON (API Gateway's `$context` variables).
pub const ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","#,
    r#""caller":"$context.identity.caller","user":"$context.identity.user","#,
    r#""requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","#,
    r#""resourcePath":"$context.resourcePath","status":"$context.status","#,
    r#""protocol":"$context.protocol","responseLength":"$context.responseLength","#,
    r#""integrationError":"$context.integrationErrorMessage"}"#
);

/// The longest a browser may cache a preflight response, in seconds (what browsers honour at most).
pub const MAX_CORS_AGE_SECONDS: i64 = 86_400;

/// The highest steady rate, in requests per second, a stage's throttling takes (API Gateway's account
/// quota per region, which a stage cannot exceed).
pub const MAX_THROTTLING_RATE: i64 = 10_000;
/// The highest burst a stage's throttling takes (the account's burst quota per region).
pub const MAX_THROTTLING_BURST: i64 = 5_000;

/// Who may call a method.
#[derive(Clone, Debug)]
enum Authorization {
    /// Callers sign with SigV4 and need `execute-api:Invoke` on the method (`AWS_IAM`).
    Iam,
    /// Anyone (`NONE`), for the reason given.
    Public(String),
}

/// One method of the API, kept until the API is declared.
struct MethodSpec {
    resource: Resource,
    method: String,
    path: String,
    function: FunctionHandle,
    authorization: Authorization,
}

/// Cross-origin resource sharing: which web origins may call the API from a browser. Each resource with
/// methods gets an `OPTIONS` method answering preflight requests itself (a mock integration, no
/// function). The functions answer the actual requests, so they add `Access-Control-Allow-Origin` to
/// their responses (Lambda proxy integrations pass responses through).
#[derive(Clone, Debug)]
pub struct Cors {
    origins: Vec<String>,
    methods: Vec<String>,
    headers: Vec<String>,
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
            max_age_seconds: None,
            credentials: false,
        }
    }

    /// The methods they may use (one of [`METHODS`] but `ANY`); without it, the methods of the resource.
    pub fn allow_methods<S: Into<String>>(mut self, methods: impl IntoIterator<Item = S>) -> Self {
        self.methods = methods.into_iter().map(Into::into).collect();
        self
    }

    /// The request headers they may send; without it `Content-Type`, `Authorization`, `X-Amz-Date`,
    /// `X-Amz-Security-Token` (what a SigV4-signed request carries).
    pub fn allow_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.headers = headers.into_iter().map(Into::into).collect();
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
                    && !origin.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"')
                    && origin
                        .split_once("://")
                        .is_some_and(|(_, host)| !host.is_empty() && !host.contains('/')));
            if !shaped {
                problems.push(format!(
                    "CORS origin `{origin}`: expected `*` or a scheme and host without a path \
                     (`https://app.example.com`)"
                ));
            }
        }
        if self.origins.len() > 1 && self.origins.iter().any(|o| o == "*") {
            problems.push(
                "CORS origins list `*` beside other origins: expected `*` alone or the origins".to_owned(),
            );
        }
        for method in &self.methods {
            if method == "ANY" || !METHODS.contains(&method.as_str()) {
                problems.push(format!(
                    "CORS method `{method}`: expected one of {}",
                    METHODS[1..].join(", ")
                ));
            }
        }
        for header in &self.headers {
            if header.is_empty() || !header.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                problems.push(format!(
                    "CORS header `{header}`: expected a header name (letters, digits, `-`)"
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
                "CORS allows credentials from any origin (`*`), which browsers refuse: expected the \
                 origins listed, or no `.allow_credentials()`"
                    .to_owned(),
            );
        }
        problems
    }

    /// The preflight response's headers for a resource whose methods are `methods`: header name to the
    /// value as API Gateway's mapping takes it (a literal in single quotes).
    fn headers(&self, methods: &[&str]) -> Vec<(String, String)> {
        let quoted = |text: String| format!("'{text}'");
        let headers = if self.headers.is_empty() {
            "Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token".to_owned()
        } else {
            self.headers.join(",")
        };
        let methods = if self.methods.is_empty() {
            let mut all: Vec<&str> = if methods.contains(&"ANY") {
                METHODS[1..].to_vec()
            } else {
                methods.to_vec()
            };
            if !all.contains(&"OPTIONS") {
                all.push("OPTIONS");
            }
            all.join(",")
        } else {
            self.methods.join(",")
        };
        let header = |name: &str| format!("method.response.header.Access-Control-{name}");
        let mut out = vec![
            (header("Allow-Headers"), quoted(headers)),
            (header("Allow-Methods"), quoted(methods)),
            // The first origin; the response template answers another listed origin with its own.
            (header("Allow-Origin"), quoted(self.origins.first().cloned().unwrap_or_default())),
        ];
        if self.origins.len() > 1 {
            out.push(("method.response.header.Vary".to_owned(), quoted("Origin".to_owned())));
        }
        if self.credentials {
            out.push((header("Allow-Credentials"), quoted("true".to_owned())));
        }
        if let Some(age) = self.max_age_seconds {
            out.push((header("Max-Age"), quoted(age.to_string())));
        }
        out
    }

    /// The integration response's template: with several origins, the request's `Origin` when it is
    /// one of them (a response has one `Access-Control-Allow-Origin`); empty otherwise.
    fn response_template(&self) -> String {
        if self.origins.len() < 2 {
            return String::new();
        }
        let condition = self
            .origins
            .iter()
            .map(|o| format!("$origin == \"{o}\""))
            .collect::<Vec<_>>()
            .join(" || ");
        format!(
            "#set($origin = $input.params().header.get(\"Origin\"))\n\
             #if($origin == \"\")\n#set($origin = $input.params().header.get(\"origin\"))\n#end\n\
             #if({condition})\n\
             #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n#end\n"
        )
    }
}

/// A REST API (API Gateway version 1; CloudFormation `AWS::ApiGateway::RestApi`, Terraform
/// `aws_api_gateway_rest_api`, a regional endpoint) whose methods invoke Lambda functions, declared by
/// [`add_to`](Self::add_to) with what it needs:
/// - a resource per path segment, and per method the method with its Lambda proxy integration
///   (`AWS_PROXY`) and a permission that lets API Gateway invoke the function for that method and path
///   of this API only (its execute-api ARN);
/// - a deployment whose id follows the methods (a change to any resource, method, integration or CORS
///   setting is a new deployment, which `plan` shows as one added and one removed in both targets);
/// - a stage ([`DEFAULT_STAGE_NAME`]) serving it, with JSON access logs (checkov CKV_AWS_76) to a log
///   group made for it, kept 365 days ([`access_logs`](Self::access_logs) adjusts it), X-Ray tracing
///   (CKV_AWS_73), metrics and optional throttling for every method.
///
/// Secure by default: methods are authorized with IAM (`AWS_IAM`: callers sign with SigV4 and need
/// `execute-api:Invoke`; checkov CKV_AWS_59). A method open to anyone is
/// [`public_method`](Self::public_method), with the reason a reviewer reads.
///
/// API Gateway writes a REST API's access logs through the account's CloudWatch role (set once per
/// account and region, `AWS::ApiGateway::Account`); a stage with access logs fails to deploy in an
/// account without it.
pub struct RestApi {
    resource: Resource,
    name: Option<String>,
    description: Option<String>,
    methods: Vec<MethodSpec>,
    cors: Option<Cors>,
    throttling: Option<(i64, i64)>,
    stage_name: String,
    log_group: LogGroup,
}

impl RestApi {
    /// A REST API without methods yet; its name is `<stack name>-<id>` unless [`name`](Self::name).
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        RestApi {
            log_group: LogGroup::new(format!("{id}-AccessLogs")),
            resource: Resource::new(id, REST_API_KIND),
            name: None,
            description: None,
            methods: Vec::new(),
            cors: None,
            throttling: None,
            stage_name: DEFAULT_STAGE_NAME.to_owned(),
        }
    }

    /// The API's name, 1 to 1,024 characters (names need not be unique).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if name.is_empty() {
            self.resource
                .problems
                .push("REST API name ``: expected 1 to 1024 characters".to_owned());
        }
        crate::check::check_length(&mut self.resource, "REST API name", &name, 1024);
        self.name = Some(name);
        self
    }

    /// What the API is for, at most 1,024 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        crate::check::check_length(&mut self.resource, "REST API description", &text, 1024);
        self.description = Some(text);
        self
    }

    /// The stage's name (`prod` unless given): letters, digits, `-` and `_`, at most 128; the stage's
    /// URL ends with it.
    pub fn stage_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if name.is_empty()
            || name.len() > 128
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.resource.problems.push(format!(
                "REST API stage name `{name}`: expected 1 to 128 letters, digits, `-` or `_`"
            ));
        }
        self.stage_name = name;
        self
    }

    /// Requests with `method` (one of [`METHODS`]) on `path` (`/items/{id}`, `/files/{path+}`, `/`)
    /// invoke `function`, from callers authorized with IAM.
    #[track_caller]
    pub fn method(self, method: &str, path: &str, function: &FunctionHandle) -> Self {
        self.add_method(method, path, function, Authorization::Iam)
    }

    /// Requests with `method` on `path` invoke `function` from anyone (authorization `NONE`): for what
    /// must be reachable without credentials (a health check, a public page), with the reason a reviewer
    /// reads (checkov CKV_AWS_59, which this skips with it).
    #[track_caller]
    pub fn public_method(
        self,
        method: &str,
        path: &str,
        function: &FunctionHandle,
        reason: &str,
    ) -> Self {
        let mut api = self.add_method(method, path, function, Authorization::Public(reason.to_owned()));
        if reason.trim().is_empty() {
            if let Some(spec) = api.methods.last_mut() {
                spec.resource.problems.push(format!(
                    "public method `{method} {path}` without a reason: expected why it must be open to \
                     anyone (it skips checkov CKV_AWS_59 with it)"
                ));
            }
        }
        api
    }

    #[track_caller]
    fn add_method(
        mut self,
        method: &str,
        path: &str,
        function: &FunctionHandle,
        authorization: Authorization,
    ) -> Self {
        let api = self.resource.id.clone();
        let mut resource = Resource::new(format!("{api}-{}", method_id(method, path)), METHOD_KIND);
        let key = format!("{method} {path}");
        let literal = path
            .split('/')
            .filter(|segment| !segment.starts_with('{'))
            .find(|segment| {
                !segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            });
        if let Err(problem) = check_route_key(&key) {
            resource.problems.push(problem.replacen("route key", "REST API method", 1));
        } else if let Some(segment) = literal {
            resource.problems.push(format!(
                "REST API method `{key}`: path segment `{segment}` has characters API Gateway refuses; \
                 expected letters, digits, `.`, `_`, `-`, or a `{{parameter}}`"
            ));
        } else if self.methods.iter().any(|m| m.method == method && m.path == path) {
            resource.problems.push(format!(
                "method `{method} {path}` is declared twice on REST API `{api}`: expected each method \
                 of a path once"
            ));
        } else if let Some(other) = self
            .methods
            .iter()
            .find(|m| m.path != path && normalized(&m.path) == normalized(path))
        {
            resource.problems.push(format!(
                "path `{path}` of REST API `{api}` is path `{}` with other parameter names: expected \
                 one name per parameter position, as API Gateway keeps one resource per segment",
                other.path
            ));
        }
        self.methods.push(MethodSpec {
            resource,
            method: method.to_owned(),
            path: path.to_owned(),
            function: function.clone(),
            authorization,
        });
        self
    }

    /// Lets browsers on other origins call the API ([`Cors`]): an `OPTIONS` method on each path with
    /// methods, answering preflight requests.
    pub fn cors(mut self, cors: Cors) -> Self {
        self.resource.problems.extend(cors.problems());
        self.cors = Some(cors);
        self
    }

    /// Limits every method to `rate_per_second` requests per second on average (0 to
    /// [`MAX_THROTTLING_RATE`]) and `burst` at once (0 to [`MAX_THROTTLING_BURST`]); without it, only
    /// the account's limits per region apply.
    pub fn throttling(mut self, rate_per_second: i64, burst: i64) -> Self {
        if !(0..=MAX_THROTTLING_RATE).contains(&rate_per_second)
            || !(0..=MAX_THROTTLING_BURST).contains(&burst)
        {
            self.resource.problems.push(format!(
                "REST API throttling of {rate_per_second} requests per second and a burst of {burst}: \
                 expected a rate of 0 to {MAX_THROTTLING_RATE} and a burst of 0 to {MAX_THROTTLING_BURST}"
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

    /// Declares the API and its parts in `stack`: `<id>-AccessLogs`; per path segment the resource
    /// `<id>-Resource<Path>` (`Api-ResourceItemsId` for `/items/{id}`); per method `<id>-<Method><Path>`
    /// (`Api-GetItemsId`, `Api-GetRoot` for `/`) and `<method>-Permission`; with CORS `<id>-Options<Path>`
    /// per path; `<id>-Deployment<hash>` and `<id>-Stage`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> RestApiHandle {
        let RestApi {
            mut resource,
            name,
            description,
            mut methods,
            cors,
            throttling,
            stage_name,
            log_group,
        } = self;
        if methods.is_empty() {
            resource.problems.push(format!(
                "REST API `{}` has no methods: expected `.method(\"GET\", \"/path\", &function)` at least \
                 once",
                resource.id
            ));
        }
        if cors.is_some() {
            for spec in methods.iter_mut().filter(|m| m.method == "OPTIONS") {
                spec.resource.problems.push(format!(
                    "method `OPTIONS {}` on REST API `{}` with CORS: the API answers preflight \
                     requests itself with an `OPTIONS` method on each path; expected no `OPTIONS` \
                     method, or no `.cors(..)`",
                    spec.path, resource.id
                ));
            }
        }
        let id = resource.id.clone();
        let log_group = stack.add(log_group);
        let name: Expr = match name {
            Some(name) => name.into(),
            None => interpolate![Expr::stack_name(), "-", id.as_str()],
        };
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.set("Name", name.clone());
        tf.set("name", name);
        cfn.set_some("Description", description.clone());
        tf.set_some("description", description);
        cfn.set(
            "EndpointConfiguration",
            object(&[("Types", Value::List(vec!["REGIONAL".into()]))]),
        );
        tf.set(
            "endpoint_configuration",
            object(&[("types", Value::List(vec!["REGIONAL".into()]))]),
        )
        // A replaced API is a new id and URL: the new one exists before the old one goes (checkov
        // CKV_AWS_237).
        .set("lifecycle", object(&[("create_before_destroy", Value::Bool(true))]));
        construct::finish(&mut resource, cfn, tf);
        let handle = stack.add(Ready(resource));
        let api_id = handle.attr("id");
        let execution_arn = arn::regional("execute-api", api_id.clone());

        // The resource tree: one node per distinct path prefix, parents first.
        let mut paths: Vec<(String, Expr)> = vec![("/".to_owned(), handle.attr("root_resource_id"))];
        let mut tree: Vec<ResourceRef> = Vec::new();
        for spec in &methods {
            if check_route_key(&format!("{} {}", spec.method, spec.path)).is_err() {
                continue;
            }
            resource_of(stack, &id, &api_id, &spec.path, &mut paths, &mut tree);
        }

        let mut nodes: Vec<Resource> = Vec::new();
        let declared: Vec<(String, String)> =
            methods.iter().map(|m| (m.method.clone(), m.path.clone())).collect();
        for spec in methods {
            let MethodSpec {
                mut resource,
                method,
                path,
                function,
                authorization,
            } = spec;
            let resource_id = lookup(&paths, &path);
            let uri = interpolate![
                "arn:",
                Expr::partition(),
                ":apigateway:",
                Expr::region(),
                ":lambda:path/2015-03-31/functions/",
                function.arn(),
                "/invocations"
            ];
            let mut cfn = Form::new();
            let mut tf = Form::new();
            cfn.set("RestApiId", api_id.clone())
                .set("ResourceId", resource_id.clone())
                .set("HttpMethod", method.as_str());
            tf.set("rest_api_id", api_id.clone())
                .set("resource_id", resource_id.clone())
                .set("http_method", method.as_str());
            match &authorization {
                Authorization::Iam => {
                    cfn.set("AuthorizationType", "AWS_IAM");
                    tf.set("authorization", "AWS_IAM");
                }
                Authorization::Public(reason) => {
                    cfn.set("AuthorizationType", "NONE")
                        .checkov_skip("CKV_AWS_59", reason);
                    tf.set("authorization", "NONE")
                        .checkov_skip("CKV_AWS_59", reason);
                }
            }
            cfn.set(
                "Integration",
                object(&[
                    ("Type", "AWS_PROXY".into()),
                    ("IntegrationHttpMethod", "POST".into()),
                    ("Uri", uri.clone().into()),
                ]),
            );
            tf.checkov_skip(
                "CKV2_AWS_53",
                "a Lambda proxy integration passes the whole request to the function, which validates it",
            );
            construct::finish(&mut resource, cfn, tf);
            let mut integration = Form::new();
            integration
                .set("rest_api_id", api_id.clone())
                .set("resource_id", resource_id)
                .terraform_expression(
                    "http_method",
                    vec![Hcl::Block {
                        suffix: "",
                        attribute: "http_method",
                    }],
                )
                .set("type", "AWS_PROXY")
                .set("integration_http_method", "POST")
                .set("uri", uri);
            construct::terraform_block(&mut resource, INTEGRATION, integration);
            let permission_path: String = path
                .split('/')
                .map(|segment| if segment.starts_with('{') { "*" } else { segment })
                .collect::<Vec<_>>()
                .join("/");
            let verb = if method == "ANY" { "*" } else { method.as_str() };
            let source_arn = interpolate![execution_arn.clone(), "/*/", verb, permission_path.as_str()];
            add_invoke_permission(
                stack,
                format!("{}-Permission", resource.id),
                &function,
                "apigateway.amazonaws.com",
                source_arn,
            );
            nodes.push(resource);
        }
        // The preflight methods follow the proxy methods.
        let proxies = nodes.len();
        if let Some(cors) = &cors {
            for (path, resource_id) in &paths {
                let here: Vec<&str> = declared
                    .iter()
                    .filter(|(_, p)| normalized(p) == normalized(path))
                    .map(|(m, _)| m.as_str())
                    .collect();
                // A path with its own `OPTIONS` method is an error reported above.
                if !here.is_empty() && !here.contains(&"OPTIONS") {
                    nodes.push(preflight(&id, &api_id, path, resource_id, cors, &here));
                }
            }
        }

        // The deployment: named by the hash of everything it snapshots.
        let tree_nodes: Vec<&Resource> = tree.iter().filter_map(|r| stack.resource(*r)).collect();
        let hash = properties_hash(stack, tree_nodes.into_iter().chain(nodes.iter()));
        let mut added: Vec<(Handle, bool)> = Vec::new();
        for (at, node) in nodes.into_iter().enumerate() {
            added.push((stack.add(Ready(node)), at >= proxies));
        }
        let mut deployment = Resource::new(format!("{id}-Deployment{hash}"), DEPLOYMENT_KIND);
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.set("RestApiId", api_id.clone()).set(
            "Description",
            format!("{id}'s methods as declared (hash {hash})").as_str(),
        );
        // `create_before_destroy`, kept in the state: when a new deployment replaces this one in the
        // definition, Terraform updates the stage before it destroys this (module documentation).
        tf.set("rest_api_id", api_id.clone())
            .set("description", format!("{id}'s methods as declared (hash {hash})").as_str())
            .set("lifecycle", object(&[("create_before_destroy", Value::Bool(true))]));
        for (method, preflight) in &added {
            deployment.depends_on.push(method.0);
            tf.wait_for_block(method.attr("id"), INTEGRATION);
            if *preflight {
                // A preflight answer is part of the snapshot only once its integration response exists.
                tf.wait_for_block(method.attr("id"), INTEGRATION_RESPONSE);
            }
        }
        construct::finish(&mut deployment, cfn, tf);
        let deployment = stack.add(Ready(deployment));

        let mut stage = Resource::new(format!("{id}-Stage"), STAGE_KIND);
        let mut cfn = Form::new();
        let mut tf = Form::new();
        let mut settings = vec![
            ("ResourcePath", Value::from("/*")),
            ("HttpMethod", Value::from("*")),
            ("MetricsEnabled", Value::Bool(true)),
        ];
        let mut tf_settings = vec![("metrics_enabled", Value::Bool(true))];
        if let Some((rate, burst)) = throttling {
            settings.push(("ThrottlingRateLimit", rate.into()));
            settings.push(("ThrottlingBurstLimit", burst.into()));
            tf_settings.push(("throttling_rate_limit", rate.into()));
            tf_settings.push(("throttling_burst_limit", burst.into()));
        }
        cfn.set("RestApiId", api_id.clone())
            .set("DeploymentId", deployment.attr("id"))
            .set("StageName", stage_name.as_str())
            .set("TracingEnabled", true)
            .set(
                "AccessLogSetting",
                object(&[
                    ("DestinationArn", log_group.arn().into()),
                    ("Format", ACCESS_LOG_FORMAT.into()),
                ]),
            )
            .set("MethodSettings", Value::List(vec![object(&settings)]));
        tf.set("rest_api_id", api_id.clone())
            .set("deployment_id", deployment.attr("id"))
            .set("stage_name", stage_name.as_str())
            .set("xray_tracing_enabled", true)
            .set(
                "access_log_settings",
                object(&[
                    ("destination_arn", log_group.arn().into()),
                    ("format", ACCESS_LOG_FORMAT.into()),
                ]),
            );
        for form in [&mut cfn, &mut tf] {
            form.checkov_skip(
                "CKV_AWS_120",
                "responses come from Lambda functions per request; a cache (an hourly cost) is the \
                 API's own choice, through override_* where wanted",
            )
            .checkov_skip(
                "CKV2_AWS_29",
                "a web ACL (WAF) is an account-wide choice with its own costs and rules; IAM \
                 authorization and throttling guard the methods",
            )
            .checkov_skip(
                "CKV2_AWS_51",
                "client certificates authenticate API Gateway to HTTP back ends; Lambda integrations \
                 are invoked through IAM",
            )
            .checkov_skip(
                "CKV2_AWS_4",
                "execution logging needs the account's CloudWatch role and logs request data; the \
                 stage keeps JSON access logs and metrics instead",
            );
        }
        construct::finish(&mut stage, cfn, tf);
        let mut method_settings = Form::new();
        method_settings
            .set("rest_api_id", api_id)
            .terraform_expression(
                "stage_name",
                vec![Hcl::Block {
                    suffix: "",
                    attribute: "stage_name",
                }],
            )
            .set("method_path", "*/*")
            .set("settings", object(&tf_settings));
        construct::terraform_block(&mut stage, SETTINGS, method_settings);
        // checkov reports caching on the method settings block, which a form's skips do not reach; the
        // stage's findings lead each of its blocks' comments (and CloudFormation's metadata).
        stage.accepted_findings.push((
            "CKV_AWS_225".to_owned(),
            "responses come from Lambda functions per request; a cache (an hourly cost) is the API's own \
             choice, through override_* where wanted"
                .to_owned(),
        ));
        stack.add(Ready(stage));
        RestApiHandle {
            handle,
            id,
            stage_name,
            log_group,
        }
    }
}
common_setters!(RestApi, taggable);
patchable!(RestApi, REST_API);

/// The id of a path's resource node, declared with its parents when it is new.
fn resource_of(
    stack: &mut Stack,
    api: &str,
    api_id: &Expr,
    path: &str,
    paths: &mut Vec<(String, Expr)>,
    tree: &mut Vec<ResourceRef>,
) -> Expr {
    if let Some((_, id)) = paths.iter().find(|(p, _)| normalized(p) == normalized(path)) {
        return id.clone();
    }
    let (parent_path, part) = path.rsplit_once('/').unwrap_or(("", path));
    let parent_path = if parent_path.is_empty() { "/" } else { parent_path };
    let parent = resource_of(stack, api, api_id, parent_path, paths, tree);
    let mut resource = Resource::new(format!("{api}-Resource{}", path_id(path)), RESOURCE_KIND);
    let mut cfn = Form::new();
    let mut tf = Form::new();
    cfn.set("RestApiId", api_id.clone())
        .set("ParentId", parent.clone())
        .set("PathPart", part);
    tf.set("rest_api_id", api_id.clone())
        .set("parent_id", parent)
        .set("path_part", part);
    construct::finish(&mut resource, cfn, tf);
    let handle = stack.add(Ready(resource));
    tree.push(handle.0);
    let id = handle.attr("id");
    paths.push((path.to_owned(), id.clone()));
    id
}

/// The resource id of a path already declared.
fn lookup(paths: &[(String, Expr)], path: &str) -> Expr {
    paths
        .iter()
        .find(|(p, _)| normalized(p) == normalized(path))
        .map(|(_, id)| id.clone())
        .unwrap_or_else(|| paths[0].1.clone())
}

/// A path with each parameter's name dropped (`/items/{}`): API Gateway keeps one resource per segment
/// position, whatever the parameter is called.
fn normalized(path: &str) -> String {
    path.split('/')
        .map(|s| match (s.starts_with('{'), s.ends_with("+}")) {
            (true, true) => "{+}",
            (true, false) => "{}",
            _ => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The `OPTIONS` method of `path` answering preflight requests: a mock integration returning 204 with
/// the CORS headers.
fn preflight(
    api: &str,
    api_id: &Expr,
    path: &str,
    resource_id: &Expr,
    cors: &Cors,
    methods: &[&str],
) -> Resource {
    let mut resource = Resource::new(format!("{api}-{}", method_id("OPTIONS", path)), METHOD_KIND);
    let headers = cors.headers(methods);
    let template = cors.response_template();
    let request_template = Value::Map(vec![(
        "application/json".to_owned(),
        Value::from("{\"statusCode\": 204}"),
    )]);
    let response_parameters =
        Value::Map(headers.iter().map(|(h, v)| (h.clone(), Value::from(v.as_str()))).collect());
    let declared = Value::Map(headers.iter().map(|(h, _)| (h.clone(), Value::Bool(true))).collect());
    let mut cfn = Form::new();
    let mut tf = Form::new();
    cfn.set("RestApiId", api_id.clone())
        .set("ResourceId", resource_id.clone())
        .set("HttpMethod", "OPTIONS")
        .set("AuthorizationType", "NONE");
    let mut integration_response = vec![
        ("StatusCode", Value::from("204")),
        ("ResponseParameters", response_parameters.clone()),
    ];
    if !template.is_empty() {
        integration_response.push((
            "ResponseTemplates",
            Value::Map(vec![("application/json".to_owned(), Value::from(template.as_str()))]),
        ));
    }
    cfn.set(
        "Integration",
        object(&[
            ("Type", "MOCK".into()),
            ("RequestTemplates", request_template.clone()),
            ("IntegrationResponses", Value::List(vec![object(&integration_response)])),
        ]),
    )
    .set(
        "MethodResponses",
        Value::List(vec![object(&[
            ("StatusCode", "204".into()),
            ("ResponseParameters", declared.clone()),
        ])]),
    );
    tf.set("rest_api_id", api_id.clone())
        .set("resource_id", resource_id.clone())
        .set("http_method", "OPTIONS")
        // Browsers send preflight requests without credentials; a mock integration answers them.
        .set("authorization", "NONE")
        .checkov_skip(
            "CKV2_AWS_53",
            "a CORS preflight method has a mock integration and no request to validate",
        );
    construct::finish(&mut resource, cfn, tf);
    let own_method = || {
        vec![Hcl::Block {
            suffix: "",
            attribute: "http_method",
        }]
    };
    let mut integration = Form::new();
    integration
        .set("rest_api_id", api_id.clone())
        .set("resource_id", resource_id.clone())
        .terraform_expression("http_method", own_method())
        .set("type", "MOCK")
        .set("request_templates", request_template);
    construct::terraform_block(&mut resource, INTEGRATION, integration);
    let mut method_response = Form::new();
    method_response
        .set("rest_api_id", api_id.clone())
        .set("resource_id", resource_id.clone())
        .terraform_expression("http_method", own_method())
        .set("status_code", "204")
        .set("response_parameters", declared);
    construct::terraform_block(&mut resource, METHOD_RESPONSE, method_response);
    let mut response = Form::new();
    response
        .set("rest_api_id", api_id.clone())
        .set("resource_id", resource_id.clone())
        .terraform_expression(
            "http_method",
            vec![Hcl::Block {
                suffix: INTEGRATION,
                attribute: "http_method",
            }],
        )
        .terraform_expression(
            "status_code",
            vec![Hcl::Block {
                suffix: METHOD_RESPONSE,
                attribute: "status_code",
            }],
        )
        .set("response_parameters", response_parameters);
    if !template.is_empty() {
        response.set(
            "response_templates",
            Value::Map(vec![("application/json".to_owned(), Value::from(template.as_str()))]),
        );
    }
    construct::terraform_block(&mut resource, INTEGRATION_RESPONSE, response);
    resource
}

/// The id a path's nodes take: each segment's letters and digits capitalized (`/items/{id}` is
/// `ItemsId`, `/` `Root`).
fn path_id(path: &str) -> String {
    fn capitalized(text: &str) -> String {
        let mut chars = text.chars().filter(char::is_ascii_alphanumeric);
        match chars.next() {
            Some(first) => first.to_ascii_uppercase().to_string() + &chars.collect::<String>(),
            None => String::new(),
        }
    }
    let id: String = path.split('/').map(capitalized).collect();
    if id.is_empty() {
        "Root".to_owned()
    } else {
        id
    }
}

/// The id a method's nodes take after the API's: the method capitalized, then the path's
/// (`GET /items/{id}` is `GetItemsId`).
fn method_id(method: &str, path: &str) -> String {
    let lower = method.to_ascii_lowercase();
    let mut chars = lower.chars();
    let method: String = match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    };
    method + &path_id(path)
}

attr_handle!(
    /// A declared REST API, with its stage and access log group.
    RestApiHandle {
        /// The API's id.
        id: "id",
        /// The id of its root resource (`/`).
        root_resource_id: "root_resource_id",
    } id: String, stage_name: String, log_group: LogGroupHandle
);

impl RestApiHandle {
    /// `https://<id>.execute-api.<region>.<url suffix>/<stage>/`: where its stage answers.
    pub fn url(&self) -> Expr {
        interpolate![
            "https://",
            self.id(),
            ".execute-api.",
            Expr::region(),
            ".",
            Expr::url_suffix(),
            "/",
            self.stage_name.as_str(),
            "/"
        ]
    }

    /// `arn:<partition>:execute-api:<region>:<account>:<api id>`, which IAM policies granting
    /// `execute-api:Invoke` and permissions name (followed by `/<stage>/<method>/<path>`).
    pub fn execution_arn(&self) -> Expr {
        arn::regional("execute-api", self.id())
    }

    /// The id the API was declared with.
    pub fn declared_id(&self) -> &str {
        &self.id
    }

    /// The stage's name.
    pub fn stage_name(&self) -> &str {
        &self.stage_name
    }

    /// The group the access logs go to.
    pub fn access_log_group(&self) -> &LogGroupHandle {
        &self.log_group
    }

    /// Lets `role` (or a function) call the API's IAM-authorized methods: `execute-api:Invoke` on every
    /// method of its stage, `<role>-<api>-Invoke`.
    #[track_caller]
    pub fn grant_invoke(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let statements = vec![Statement::allow().action("execute-api:Invoke").resource(interpolate![
            self.execution_arn(),
            "/",
            self.stage_name.as_str(),
            "/*"
        ])];
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
    fn paths_are_named_and_normalized() {
        assert_eq!(path_id("/items/{id}"), "ItemsId");
        assert_eq!(path_id("/"), "Root");
        assert_eq!(method_id("GET", "/items/{id}"), "GetItemsId");
        assert_eq!(method_id("ANY", "/"), "AnyRoot");
        assert_eq!(normalized("/items/{id}"), normalized("/items/{item}"));
        assert_ne!(normalized("/items/{id}"), normalized("/items/{id+}"));
    }
}
