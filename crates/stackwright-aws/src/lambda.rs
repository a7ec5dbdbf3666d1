//! Lambda functions with secure defaults: a role made for each function that may write only to the
//! function's own log group, a log group with a retention, X-Ray tracing, a dead-letter queue for failed
//! asynchronous invocations, and environment variables that carry references to secrets, never their
//! values. A function may publish versions ([`Function::publish_versions`]) for aliases ([`Alias`]) that
//! shift a share of invocations to a new version.
//!
//! ```no_run
//! # use stackwright_core::Stack;
//! # fn define(stack: &mut Stack, code: stackwright_aws::lambda::Code,
//! #     table: &stackwright_aws::dynamodb::TableHandle) {
//! use stackwright_aws::lambda::{Function, Runtime};
//! let worker = Function::new("Worker", code, Runtime::Python312, "index.handler")
//!     .memory_mb(256)
//!     .timeout_seconds(30)
//!     .environment("TABLE_NAME", table.name())
//!     .add_to(stack);
//! stack.add(table.grant_read_write(&worker));
//! # }
//! ```

use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::ec2::{SecurityGroupHandle, SubnetHandle};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, PolicyDocument, Role, RoleHandle, RolePolicy, Statement};
use crate::logs::{LogGroup, LogGroupHandle};
use crate::naming::physical_name;
use crate::secretsmanager::SecretHandle;
use crate::sns::TopicHandle;
use crate::sqs::{Queue, QueueHandle, MAX_RETENTION_SECONDS};
use crate::ssm::ParameterHandle;
use crate::{construct, Handle};
use stackwright_core::{Declare, Expr, HasResourceRef, Resource, ResourceRef, Stack, Value};

mod events;
mod url;
mod versions;
pub(crate) use versions::{properties_hash, ALIAS, VERSION};
pub use versions::{Alias, AliasHandle, Version, ALIAS_KIND, VERSION_KIND};
pub(crate) use events::{add_invoke_permission, EVENT_SOURCE_MAPPING, PERMISSION};
pub(crate) use url::URL;
pub use url::{FunctionUrl, FunctionUrlHandle, URL_KIND};
pub use events::{
    BucketEventSource, EventSourceMappingHandle, QueueEventSource, TopicEventSource, TopicEventSourceHandle,
    EVENT_SOURCE_MAPPING_KIND, MAX_BATCHING_WINDOW_SECONDS, MAX_QUEUE_BATCH_SIZE, PERMISSION_KIND,
};

/// The neutral kind of a function.
pub const KIND: &str = "aws.lambda.Function";

/// A function in each target.
pub(crate) static FUNCTION: Spelling = Spelling {
    kind: KIND,
    cloudformation: "AWS::Lambda::Function",
    terraform: "aws_lambda_function",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("name", Read::Ref, "function_name"),
        // The latest published version: read in Terraform forms only (CloudFormation reads its
        // `AWS::Lambda::Version`), through `Version`.
        Attribute::new("version", Read::GetAtt("Version"), "version"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The memory Lambda gives a function by default, in MB, written out so that both targets say the same.
pub const DEFAULT_MEMORY_MB: i64 = 128;
/// The timeout Lambda gives a function by default, in seconds, written out likewise.
pub const DEFAULT_TIMEOUT_SECONDS: i64 = 3;
/// The longest timeout Lambda offers: 15 minutes.
pub const MAX_TIMEOUT_SECONDS: i64 = 900;
/// The most a function's environment variables may hold, names and values together: 4 KB.
pub const MAX_ENVIRONMENT_BYTES: usize = 4096;

/// A runtime of a zip-packaged function: the supported ones that neither target's checkers call
/// deprecated (cfn-lint's runtime lifecycle data, checkov CKV_AWS_363).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    Python311,
    Python312,
    Python313,
    Nodejs22,
    Java17,
    Java21,
    Ruby33,
    Ruby34,
    /// The OS-only runtime: the zip's `bootstrap` executable is the function (Rust, Go, ...).
    ProvidedAl2023,
}

impl Runtime {
    /// Lambda's identifier of the runtime (`python3.12`).
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Python311 => "python3.11",
            Runtime::Python312 => "python3.12",
            Runtime::Python313 => "python3.13",
            Runtime::Nodejs22 => "nodejs22.x",
            Runtime::Java17 => "java17",
            Runtime::Java21 => "java21",
            Runtime::Ruby33 => "ruby3.3",
            Runtime::Ruby34 => "ruby3.4",
            Runtime::ProvidedAl2023 => "provided.al2023",
        }
    }
}

/// The instruction set a function runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Architecture {
    /// `x86_64`, Lambda's default.
    #[default]
    X86_64,
    /// `arm64` (Graviton).
    Arm64,
}

impl Architecture {
    /// Lambda's name of the architecture.
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// Where a function's code is: a zip in S3 or an image in ECR. A code asset's handle converts into it
/// (`&asset`: a zip's bucket and key, an image's URI).
#[derive(Clone, Debug)]
pub enum Code {
    /// A zip: its bucket and key (`asset.s3_bucket()`, `asset.s3_key()`).
    S3 { bucket: Expr, key: Expr },
    /// A container image: its URI in ECR (`asset.image_uri()`).
    Image { uri: Expr },
}

impl Code {
    /// A zip in S3.
    pub fn s3(bucket: impl Into<Expr>, key: impl Into<Expr>) -> Self {
        Code::S3 {
            bucket: bucket.into(),
            key: key.into(),
        }
    }

    /// A container image in ECR.
    pub fn image(uri: impl Into<Expr>) -> Self {
        Code::Image { uri: uri.into() }
    }
}

/// Where failed asynchronous invocations go.
enum DeadLetter {
    /// A queue made for the function (the default).
    Own,
    Queue(QueueHandle),
    Topic(TopicHandle),
    /// Dropped, on purpose.
    Without,
}

/// A value an environment variable takes.
enum Variable {
    Value(Expr),
    /// A secret's ARN; the role may read the secret.
    Secret(SecretHandle),
    /// A parameter's name; the role may read the parameter.
    Parameter(ParameterHandle),
}

/// Names Lambda reserves for its own environment variables, which a function cannot set.
const RESERVED_VARIABLES: [&str; 14] = [
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// A Lambda function (CloudFormation `AWS::Lambda::Function`, Terraform `aws_lambda_function`) with
/// what it needs, declared by [`add_to`](Self::add_to). Secure by default, each with a named opt-out:
/// - a role made for it, trusted by Lambda only, allowed to write to the function's own log group (and
///   to send to its dead-letter queue, read the secrets its variables name, send traces); grants of
///   other resources (`table.grant_read_write(&function)`) add to that role;
/// - a log group the function writes to (its `LoggingConfig`), kept 365 days
///   ([`log_group`](Self::log_group) adjusts it);
/// - X-Ray tracing active ([`disable_tracing`](Self::disable_tracing));
/// - a dead-letter queue made for it, keeping failed asynchronous invocations 14 days
///   ([`dead_letter_queue`](Self::dead_letter_queue), [`dead_letter_topic`](Self::dead_letter_topic),
///   [`without_dead_letter_queue`](Self::without_dead_letter_queue));
/// - environment variables that take values or references to secrets and parameters
///   ([`secret_environment`](Self::secret_environment),
///   [`parameter_environment`](Self::parameter_environment)): the function gets the ARN or name and a
///   grant to read it, never the value.
///
/// Terraform needs a name: without `.name(...)` it is `<app>-<environment>-<stack>-<id>`; CloudFormation
/// generates one.
pub struct Function {
    resource: Resource,
    code: Code,
    runtime: Option<Runtime>,
    handler: Option<String>,
    architecture: Architecture,
    memory_mb: i64,
    timeout_seconds: i64,
    description: Option<String>,
    variables: Vec<(String, Variable)>,
    environment_key: Option<Expr>,
    dead_letter: DeadLetter,
    reserved_concurrency: Option<i64>,
    vpc: Option<(Vec<Expr>, Vec<Expr>)>,
    tracing: bool,
    log_group: LogGroup,
    publish: bool,
}

impl Function {
    /// A function from a zip (`&asset` of a directory, file or Rust asset, or [`Code::s3`]), run by
    /// `runtime`, entered at `handler` (`index.handler`; `bootstrap` for [`Runtime::ProvidedAl2023`]).
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        code: impl Into<Code>,
        runtime: Runtime,
        handler: impl Into<String>,
    ) -> Self {
        let mut function = Self::with_code(id.into(), code.into());
        if let Code::Image { .. } = function.code {
            function.resource.problems.push(
                "function code is an image, which has no runtime or handler: expected \
                 `Function::from_image(id, &image)` for an image, or a zip's code here"
                    .to_owned(),
            );
        }
        let handler = handler.into();
        if handler.is_empty() || handler.len() > 128 || handler.contains(char::is_whitespace) {
            function.resource.problems.push(format!(
                "function handler `{handler}`: expected 1 to 128 characters without spaces \
                 (`index.handler`, `bootstrap`)"
            ));
        }
        function.runtime = Some(runtime);
        function.handler = Some(handler);
        function
    }

    /// A function from a container image (`&asset` of an image asset, or [`Code::image`]), which holds
    /// its runtime and entry point.
    #[track_caller]
    pub fn from_image(id: impl Into<String>, code: impl Into<Code>) -> Self {
        let mut function = Self::with_code(id.into(), code.into());
        if let Code::S3 { .. } = function.code {
            function.resource.problems.push(
                "function code is a zip, which needs a runtime and a handler: expected \
                 `Function::new(id, &zip, runtime, handler)` for a zip, or an image's code here"
                    .to_owned(),
            );
        }
        function
    }

    #[track_caller]
    fn with_code(id: String, code: Code) -> Self {
        let log_group = LogGroup::new(format!("{id}-Logs"));
        Function {
            resource: Resource::new(id, KIND),
            code,
            runtime: None,
            handler: None,
            architecture: Architecture::default(),
            memory_mb: DEFAULT_MEMORY_MB,
            timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
            description: None,
            variables: Vec::new(),
            environment_key: None,
            dead_letter: DeadLetter::Own,
            reserved_concurrency: None,
            vpc: None,
            tracing: true,
            log_group,
            publish: false,
        }
    }

    /// The instruction set: [`Architecture::X86_64`] (the default) or [`Architecture::Arm64`]; the code
    /// must be built for it.
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Memory in MB, 128 to 10,240 (CPU grows with it); [`DEFAULT_MEMORY_MB`] by default.
    pub fn memory_mb(mut self, megabytes: i64) -> Self {
        if !(128..=10240).contains(&megabytes) {
            self.resource.problems.push(format!(
                "function memory of {megabytes} MB: expected 128 to 10240"
            ));
        }
        self.memory_mb = megabytes;
        self
    }

    /// How long an invocation may run, 1 to [`MAX_TIMEOUT_SECONDS`]; [`DEFAULT_TIMEOUT_SECONDS`] by
    /// default.
    pub fn timeout_seconds(mut self, seconds: i64) -> Self {
        if !(1..=MAX_TIMEOUT_SECONDS).contains(&seconds) {
            self.resource.problems.push(format!(
                "function timeout of {seconds} seconds: expected 1 to {MAX_TIMEOUT_SECONDS} (15 minutes)"
            ));
        }
        self.timeout_seconds = seconds;
        self
    }

    /// What the function does, at most 256 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        crate::check::check_length(&mut self.resource, "function description", &text, 256);
        self.description = Some(text);
        self
    }

    /// Sets environment variable `name` to `value` (a literal or a reference: `queue.url()`). A value
    /// that looks like a secret is an error: pass the secret with
    /// [`secret_environment`](Self::secret_environment) instead.
    pub fn environment(mut self, name: impl Into<String>, value: impl Into<Expr>) -> Self {
        self.variable(name.into(), Variable::Value(value.into()));
        self
    }

    /// Sets environment variable `name` to the ARN of `secret`, and lets the function read the secret's
    /// value at run time (`secretsmanager:GetSecretValue` on it, and its key's decrypt): the value never
    /// reaches an artifact or the function's configuration.
    pub fn secret_environment(mut self, name: impl Into<String>, secret: &SecretHandle) -> Self {
        self.variable(name.into(), Variable::Secret(secret.clone()));
        self
    }

    /// Sets environment variable `name` to the name of SSM parameter `parameter`, and lets the function
    /// read it at run time (`ssm:GetParameter` on it).
    pub fn parameter_environment(
        mut self,
        name: impl Into<String>,
        parameter: &ParameterHandle,
    ) -> Self {
        self.variable(name.into(), Variable::Parameter(parameter.clone()));
        self
    }

    fn variable(&mut self, name: String, value: Variable) {
        let shaped = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !shaped {
            self.resource.problems.push(format!(
                "environment variable name `{name}`: expected a letter followed by letters, digits and `_`"
            ));
        } else if RESERVED_VARIABLES.contains(&name.as_str()) {
            self.resource.problems.push(format!(
                "environment variable `{name}` is reserved by Lambda: expected another name"
            ));
        }
        if self.variables.iter().any(|(n, _)| *n == name) {
            self.resource.problems.push(format!(
                "environment variable `{name}` is set twice: expected each name once"
            ));
        }
        self.variables.push((name, value));
    }

    /// Encrypts the environment variables at rest with a customer managed key instead of Lambda's AWS
    /// managed key.
    pub fn environment_key(mut self, key: &crate::kms::KeyHandle) -> Self {
        self.environment_key = Some(key.arn());
        self
    }

    /// Sends failed asynchronous invocations to `queue` instead of a queue made for the function; the
    /// role may send to it.
    pub fn dead_letter_queue(mut self, queue: &QueueHandle) -> Self {
        self.dead_letter = DeadLetter::Queue(queue.clone());
        self
    }

    /// Sends failed asynchronous invocations to `topic` instead of a queue; the role may publish to it.
    pub fn dead_letter_topic(mut self, topic: &TopicHandle) -> Self {
        self.dead_letter = DeadLetter::Topic(topic.clone());
        self
    }

    /// Opt-out of the dead-letter queue: a failed asynchronous invocation is dropped once Lambda's
    /// retries are spent (a function that is only invoked synchronously, or by an event source mapping,
    /// which has its own failure handling).
    pub fn without_dead_letter_queue(mut self) -> Self {
        self.dead_letter = DeadLetter::Without;
        self
    }

    /// Reserves `executions` concurrent executions (0 to 3,000; 0 throttles every invocation) for the
    /// function, which also caps it. Without it the function draws on the account's unreserved pool.
    pub fn reserved_concurrency(mut self, executions: i64) -> Self {
        if !(0..=3000).contains(&executions) {
            self.resource.problems.push(format!(
                "reserved concurrency of {executions}: expected 0 to 3000 (the account's quota limits it \
                 further)"
            ));
        }
        self.reserved_concurrency = Some(executions);
        self
    }

    /// Places the function in a VPC: network interfaces in `subnets` (1 to 16:
    /// `network.private_subnets()`, `[&subnet]`), behind `security_groups` (1 to 5: `[&group]`); the role
    /// may manage the interfaces. Reaching AWS APIs from there needs a NAT gateway or VPC endpoints.
    /// Subnets and groups that exist outside the app are handles too (`Subnet::from_id`,
    /// `SecurityGroup::from_id`).
    pub fn vpc<'a>(
        mut self,
        subnets: impl IntoIterator<Item = &'a SubnetHandle>,
        security_groups: impl IntoIterator<Item = &'a SecurityGroupHandle>,
    ) -> Self {
        let subnets: Vec<Expr> = subnets.into_iter().map(SubnetHandle::id).collect();
        let groups: Vec<Expr> = security_groups
            .into_iter()
            .map(SecurityGroupHandle::id)
            .collect();
        if !(1..=16).contains(&subnets.len()) || !(1..=5).contains(&groups.len()) {
            self.resource.problems.push(format!(
                "function VPC placement with {} subnets and {} security groups: expected 1 to 16 subnets \
                 and 1 to 5 security groups",
                subnets.len(),
                groups.len()
            ));
        }
        self.vpc = Some((subnets, groups));
        self
    }

    /// Opt-out of X-Ray tracing (checkov CKV_AWS_50): invocations are then not traced.
    pub fn disable_tracing(mut self) -> Self {
        self.tracing = false;
        self
    }

    /// Publishes a version whenever the function's code or configuration changes, for aliases
    /// ([`Alias`]) to point at: [`FunctionHandle::current_version`]. CloudFormation gets an
    /// `AWS::Lambda::Version` `<id>-Version<hash>` whose id carries a hash of the function's properties
    /// and code (a change makes a new one, and the old one is retained); Terraform sets `publish`.
    pub fn publish_versions(mut self) -> Self {
        self.publish = true;
        self
    }

    /// Adjusts the function's log group (retention, encryption key, removal policy).
    pub fn log_group(mut self, adjust: impl FnOnce(LogGroup) -> LogGroup) -> Self {
        self.log_group = adjust(self.log_group);
        self
    }

    /// Declares the function in `stack` with its role, the role's policy, its log group and (by
    /// default) its dead-letter queue: `<id>-Role`, `<id>-Execution`, `<id>-Logs`, `<id>-DeadLetters`,
    /// and one `<id>-Role-<secret>-Read` per secret or parameter its variables name.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> FunctionHandle {
        let Function {
            resource,
            code,
            runtime,
            handler,
            architecture,
            memory_mb,
            timeout_seconds,
            description,
            variables,
            environment_key,
            dead_letter,
            reserved_concurrency,
            vpc,
            tracing,
            log_group,
            publish,
        } = self;
        let mut resource = resource;
        if environment_key.is_some() && variables.is_empty() {
            resource.problems.push(
                "an environment key without environment variables: Lambda encrypts only variables, and \
                 expected `.environment(..)` or no key"
                    .to_owned(),
            );
        }
        let id = resource.id.clone();
        // Its parts are named after it: a bad or taken id is one error, not one per part.
        stack.check_composite_id("function", &id, resource.location);
        let log_group = stack.add(log_group);
        let role = stack.add(
            Role::new(
                format!("{id}-Role"),
                PolicyDocument::assumed_by_service("lambda.amazonaws.com"),
            )
            .description(format!("Runs the Lambda function {id}")),
        );
        let dead_letter_arn = match dead_letter {
            DeadLetter::Own => {
                let queue = stack.add(
                    Queue::new(format!("{id}-DeadLetters")).retention_seconds(MAX_RETENTION_SECONDS),
                );
                Some((queue.arn(), "sqs:SendMessage"))
            }
            DeadLetter::Queue(queue) => Some((queue.arn(), "sqs:SendMessage")),
            DeadLetter::Topic(topic) => Some((topic.arn(), "sns:Publish")),
            DeadLetter::Without => None,
        };
        let mut statements = vec![Statement::allow()
            .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
            .resources([log_group.arn(), log_group.streams_arn()])];
        if let Some((arn, action)) = &dead_letter_arn {
            statements.push(Statement::allow().action(*action).resource(arn.clone()));
        }
        if tracing {
            // X-Ray's write actions have no resource-level permissions.
            statements.push(
                Statement::allow()
                    .actions(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
                    .resource("*"),
            );
        }
        if vpc.is_some() {
            // What AWS's AWSLambdaVPCAccessExecutionRole grants: Lambda manages the function's network
            // interfaces in the subnets with the role, and checks that it may when the function is made.
            statements.push(
                Statement::allow()
                    .actions([
                        "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DescribeSubnets",
                        "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:UnassignPrivateIpAddresses",
                    ])
                    .resource("*"),
            );
        }
        let mut execution = RolePolicy::new(
            format!("{id}-Execution"),
            &role,
            statements.into_iter().collect(),
        );
        // checkov's IAM checks read `*` as unconstrained (CloudFormation CKV_AWS_111; Terraform's policy
        // document CKV_AWS_111 and CKV_AWS_356).
        let star = match (tracing, vpc.is_some()) {
            (true, true) => Some(TRACES_AND_INTERFACES),
            (true, false) => Some(TRACES),
            (false, true) => Some(INTERFACES),
            (false, false) => None,
        };
        if let Some(reason) = star {
            execution = execution
                .accept_finding("CKV_AWS_111", reason)
                .accept_finding("CKV_AWS_356", reason);
        }
        let mut policies = vec![stack.add(execution).resource_ref()];
        let mut environment = Vec::new();
        for (name, variable) in variables {
            let value = match variable {
                Variable::Value(value) => value,
                Variable::Secret(secret) => {
                    policies.push(stack.add(secret.grant_read(&role)).resource_ref());
                    secret.arn()
                }
                Variable::Parameter(parameter) => {
                    policies.push(stack.add(parameter.grant_read(&role)).resource_ref());
                    parameter.name()
                }
            };
            environment.push((name, Value::Str(value)));
        }
        // Lambda's limit counts names and values; a reference's value is unknown until deployment.
        let size: usize = environment
            .iter()
            .map(|(name, value)| match value {
                Value::Str(value) => name.len() + value.as_literal().map_or(0, str::len),
                _ => name.len(),
            })
            .sum();
        if size > MAX_ENVIRONMENT_BYTES {
            resource.problems.push(format!(
                "environment variables of {size} bytes (names and literal values): expected at most \
                 {MAX_ENVIRONMENT_BYTES} in total, Lambda's limit; keep large values in a parameter or \
                 an object and pass its name"
            ));
        }
        let node = Node {
            resource,
            code,
            runtime,
            handler,
            architecture,
            memory_mb,
            timeout_seconds,
            description,
            environment,
            environment_key,
            dead_letter_arn: dead_letter_arn.map(|(arn, _)| arn),
            reserved_concurrency,
            vpc,
            tracing,
            role_arn: role.arn(),
            log_group_name: log_group.name(),
            // Lambda checks the role's permissions (dead-letter target, network interfaces) when it
            // makes the function.
            policies,
            publish,
        };
        let handle = stack.add(node);
        let mut function = FunctionHandle {
            handle: handle.handle,
            id,
            role,
            log_group,
            timeout_seconds,
            current_version: None,
            url: Default::default(),
        };
        if publish {
            let current = versions::declare_current(stack, &function, handle.handle.0);
            function.current_version = Some(current);
        }
        function
    }
}
common_setters!(Function, taggable);
patchable!(Function, FUNCTION);
physical_name!(Function);

/// The function's node, once its role, log group and dead-letter target are declared.
struct Node {
    resource: Resource,
    code: Code,
    runtime: Option<Runtime>,
    handler: Option<String>,
    architecture: Architecture,
    memory_mb: i64,
    timeout_seconds: i64,
    description: Option<String>,
    environment: Vec<(String, Value)>,
    environment_key: Option<Expr>,
    dead_letter_arn: Option<Expr>,
    reserved_concurrency: Option<i64>,
    vpc: Option<(Vec<Expr>, Vec<Expr>)>,
    tracing: bool,
    role_arn: Expr,
    log_group_name: Expr,
    policies: Vec<ResourceRef>,
    publish: bool,
}

/// What [`Node`] declares: the function's attributes.
struct NodeHandle {
    handle: Handle,
}

attr_handle!(
    /// A declared function, with the role it runs as (which grants add to: `queue.grant_send(&function)`)
    /// and its log group.
    FunctionHandle {
        /// The function's ARN: what invokers, permissions and event sources name.
        arn: "arn",
        /// The function's name.
        name: "name",
    } id: String, role: RoleHandle, log_group: LogGroupHandle, timeout_seconds: i64,
    current_version: Option<Version>,
    url: std::sync::Arc<std::sync::OnceLock<(String, stackwright_core::Location)>>
);

impl FunctionHandle {
    /// The role the function runs as.
    pub fn role(&self) -> &RoleHandle {
        &self.role
    }

    /// The log group the function writes to.
    pub fn log_group(&self) -> &LogGroupHandle {
        &self.log_group
    }

    /// The id the function was declared with.
    pub fn declared_id(&self) -> &str {
        &self.id
    }

    /// How long an invocation may run, in seconds.
    pub fn timeout_seconds(&self) -> i64 {
        self.timeout_seconds
    }

    /// The version the function's code and configuration publish, for an [`Alias`]; an alias naming it
    /// reports an error unless the function [`publish_versions`](Function::publish_versions).
    pub fn current_version(&self) -> Version {
        match &self.current_version {
            Some(version) => version.clone(),
            None => versions::unpublished(self),
        }
    }

    /// The latest published version as Terraform reads it (`aws_lambda_function.<name>.version`).
    pub(crate) fn version_attribute(&self) -> Expr {
        self.handle.attr("version")
    }

    /// Records URL `id` declared `at` as the function's one URL; the URL it already has otherwise.
    pub(crate) fn claim_url(
        &self,
        id: &str,
        at: stackwright_core::Location,
    ) -> Result<(), &(String, stackwright_core::Location)> {
        self.url.set((id.to_owned(), at)).map_err(|_| {
            self.url
                .get()
                .expect("a URL was recorded, as setting it failed")
        })
    }
}

impl Grantee for FunctionHandle {
    fn grantee_role(&self) -> &RoleHandle {
        &self.role
    }
}

/// Why the execution policy's `*` for traces is not a finding.
const TRACES: &str = "X-Ray's xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level \
     permissions (AWS's AWSXRayDaemonWriteAccess grants them on `*`); every other statement names its \
     resource";
/// Why the execution policy's `*` for network interfaces is not a finding.
const INTERFACES: &str = "Lambda creates and deletes a VPC function's network interfaces with the role at \
     run time, in subnets it picks, so their ids are unknown in advance (AWS's \
     AWSLambdaVPCAccessExecutionRole grants these actions on `*`); every other statement names its resource";
/// Both reasons, for a traced function in a VPC.
const TRACES_AND_INTERFACES: &str = "X-Ray's xray:PutTraceSegments and xray:PutTelemetryRecords have no \
     resource-level permissions, and Lambda creates and deletes a VPC function's network interfaces with \
     the role at run time, so their ids are unknown in advance (AWS's AWSXRayDaemonWriteAccess and \
     AWSLambdaVPCAccessExecutionRole grant these actions on `*`); every other statement names its resource";
/// Why a function outside a VPC is not a finding.
const NO_VPC: &str = "the function reaches AWS APIs and the internet only; `.vpc(subnets, groups)` \
     places it in a VPC";
/// Why a function without reserved concurrency is not a finding.
const UNRESERVED: &str = "draws on the account's unreserved concurrency; `.reserved_concurrency(n)` \
     reserves and caps it";
/// Why variables without a customer managed key are not a finding.
const VARIABLES: &str = "the variables hold names, URLs and ARNs (secrets are passed by reference with \
     `.secret_environment`), encrypted at rest with Lambda's AWS managed key; `.environment_key(&key)` \
     uses a customer managed key";
/// Why a function without a dead-letter target is not a finding.
const NO_DEAD_LETTER: &str = "failed asynchronous invocations are dropped on purpose \
     (`.without_dead_letter_queue()`)";
/// Why a function without tracing is not a finding.
const NO_TRACING: &str = "tracing turned off on purpose (`.disable_tracing()`)";
/// Why a function without code signing is not a finding.
const UNSIGNED: &str = "the code is a content-addressed asset (its key or tag is its sha256, which the \
     artifact pins); no signing profile is configured";

impl Declare for Node {
    type Handle = NodeHandle;
    fn declare(self, at: ResourceRef) -> (Resource, NodeHandle) {
        let Node {
            mut resource,
            code,
            runtime,
            handler,
            architecture,
            memory_mb,
            timeout_seconds,
            description,
            environment,
            environment_key,
            dead_letter_arn,
            reserved_concurrency,
            vpc,
            tracing,
            role_arn,
            log_group_name,
            policies,
            publish,
        } = self;
        resource.depends_on.extend(policies);
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.physical_name("FunctionName");
        // The provider requires a name, which CloudFormation would generate.
        tf.required_name("function_name");
        match code {
            Code::S3 { bucket, key } => {
                cfn.set(
                    "Code",
                    object(&[("S3Bucket", bucket.clone().into()), ("S3Key", key.clone().into())]),
                );
                tf.set("s3_bucket", bucket).set("s3_key", key);
            }
            Code::Image { uri } => {
                cfn.set("Code", object(&[("ImageUri", uri.clone().into())]))
                    .set("PackageType", "Image");
                tf.set("image_uri", uri).set("package_type", "Image");
            }
        }
        cfn.set("Role", role_arn.clone())
            .set_some("Runtime", runtime.map(Runtime::as_str))
            .set_some("Handler", handler.clone())
            .set("Architectures", Value::List(vec![architecture.as_str().into()]))
            .set("MemorySize", memory_mb)
            .set("Timeout", timeout_seconds)
            .set_some("Description", description.clone());
        tf.set("role", role_arn)
            .set_some("runtime", runtime.map(Runtime::as_str))
            .set_some("handler", handler)
            .set("architectures", Value::List(vec![architecture.as_str().into()]))
            .set("memory_size", memory_mb)
            .set("timeout", timeout_seconds)
            .set_some("description", description);
        cfn.set(
            "LoggingConfig",
            object(&[
                ("LogGroup", log_group_name.clone().into()),
                ("LogFormat", "Text".into()),
            ]),
        );
        tf.set(
            "logging_config",
            object(&[
                ("log_group", log_group_name.into()),
                ("log_format", "Text".into()),
            ]),
        );
        if tracing {
            cfn.set("TracingConfig", object(&[("Mode", "Active".into())]));
            tf.set("tracing_config", object(&[("mode", "Active".into())]));
        } else {
            tf.checkov_skip("CKV_AWS_50", NO_TRACING);
        }
        match dead_letter_arn {
            Some(arn) => {
                cfn.set("DeadLetterConfig", object(&[("TargetArn", arn.clone().into())]));
                tf.set("dead_letter_config", object(&[("target_arn", arn.into())]));
            }
            None => {
                cfn.checkov_skip("CKV_AWS_116", NO_DEAD_LETTER);
                tf.checkov_skip("CKV_AWS_116", NO_DEAD_LETTER);
            }
        }
        match reserved_concurrency {
            Some(executions) => {
                cfn.set("ReservedConcurrentExecutions", executions);
                tf.set("reserved_concurrent_executions", executions);
            }
            None => {
                cfn.checkov_skip("CKV_AWS_115", UNRESERVED);
                tf.checkov_skip("CKV_AWS_115", UNRESERVED);
            }
        }
        match vpc {
            Some((subnets, groups)) => {
                let list = |ids: Vec<Expr>| Value::List(ids.into_iter().map(Value::Str).collect());
                let (subnets, groups) = (list(subnets), list(groups));
                cfn.set(
                    "VpcConfig",
                    object(&[
                        ("SubnetIds", subnets.clone()),
                        ("SecurityGroupIds", groups.clone()),
                    ]),
                );
                tf.set(
                    "vpc_config",
                    object(&[("subnet_ids", subnets), ("security_group_ids", groups)]),
                );
            }
            None => {
                cfn.checkov_skip("CKV_AWS_117", NO_VPC);
                tf.checkov_skip("CKV_AWS_117", NO_VPC);
            }
        }
        if !environment.is_empty() {
            let variables = Value::Map(environment);
            cfn.set("Environment", object(&[("Variables", variables.clone())]));
            tf.set("environment", object(&[("variables", variables)]));
            if environment_key.is_none() {
                cfn.checkov_skip("CKV_AWS_173", VARIABLES);
                tf.checkov_skip("CKV_AWS_173", VARIABLES);
            }
        }
        // Lambda rejects a key without variables to encrypt, and checkov flags it (state mismatch).
        if let Some(key) = environment_key {
            cfn.set("KmsKeyArn", key.clone());
            tf.set("kms_key_arn", key);
        }
        if publish {
            tf.set("publish", true);
        }
        tf.checkov_skip("CKV_AWS_272", UNSIGNED);
        construct::finish(&mut resource, cfn, tf);
        (resource, NodeHandle { handle: Handle(at) })
    }
}
