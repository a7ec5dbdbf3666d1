//! Fargate task definitions and their containers.

use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::ecr::RepositoryHandle;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, PolicyDocument, Role, RoleHandle, RolePolicy, Statement};
use crate::logs::{LogGroup, LogGroupHandle};
use crate::naming::physical_name;
use crate::secretsmanager::SecretHandle;
use crate::ssm::ParameterHandle;
use crate::{arn, construct, Handle};
use stackwright_core::{Declare, Expr, HasResourceRef, Resource, ResourceRef, Stack, Value};

/// The neutral kind of a task definition.
pub const TASK_DEFINITION_KIND: &str = "aws.ecs.TaskDefinition";

/// A task definition in each target.
pub(crate) static TASK_DEFINITION: Spelling = Spelling {
    kind: TASK_DEFINITION_KIND,
    cloudformation: "AWS::ECS::TaskDefinition",
    terraform: "aws_ecs_task_definition",
    terraform_tags: true,
    attributes: &[Attribute::new("arn", Read::Ref, "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The task sizes Fargate offers on Linux: CPU units and, for each, the memory in MiB it takes (from, to,
/// step). From the Amazon ECS Developer Guide, "Amazon ECS task definition parameters for Fargate", Task
/// size (also the registry schema's description of `AWS::ECS::TaskDefinition` `Memory`); 8 and 16 vCPU
/// need platform version 1.4.0 or later, which `LATEST` is. 256 units take 512, 1,024 or 2,048 MiB
/// only (not 1,536).
pub const FARGATE_TASK_SIZES: [(i64, i64, i64, i64); 7] = [
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// Whether Fargate offers a task of `cpu` units and `memory_mib` ([`FARGATE_TASK_SIZES`]); else the
/// memory sizes it offers with that CPU, or the CPU sizes it offers.
fn fargate_size(cpu: i64, memory_mib: i64) -> Result<(), String> {
    let Some((_, from, to, step)) = FARGATE_TASK_SIZES.iter().find(|size| size.0 == cpu) else {
        let offered: Vec<String> = FARGATE_TASK_SIZES.iter().map(|s| s.0.to_string()).collect();
        return Err(format!(
            "Fargate task CPU of {cpu} units: expected one of {}",
            offered.join(", ")
        ));
    };
    let offered = if cpu == 256 {
        [512, 1024, 2048].contains(&memory_mib)
    } else {
        memory_mib >= *from && memory_mib <= *to && (memory_mib - from) % step == 0
    };
    if !offered {
        let offered = if *step == 512 {
            "512, 1024 or 2048".to_owned()
        } else {
            format!("{from} to {to} in steps of {step}")
        };
        return Err(format!(
            "Fargate task memory of {memory_mib} MiB with {cpu} CPU units: expected {offered} MiB"
        ));
    }
    Ok(())
}

/// The instruction set a task's containers run on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CpuArchitecture {
    /// `X86_64`, ECS's default.
    #[default]
    X86_64,
    /// `ARM64` (Graviton).
    Arm64,
}

impl CpuArchitecture {
    /// ECS's name of the architecture.
    pub fn as_str(self) -> &'static str {
        match self {
            CpuArchitecture::X86_64 => "X86_64",
            CpuArchitecture::Arm64 => "ARM64",
        }
    }
}

/// A container image: where it is, and the ECR repository the task's execution role may pull it from.
/// An image asset's handle converts into it (`&asset`: its URI in the environment's image repository).
#[derive(Clone, Debug)]
pub struct Image {
    uri: Expr,
    repository_arn: Option<Expr>,
    problem: Option<String>,
}

impl Image {
    /// The image tagged `tag` in `repository` (whose tags are immutable: a tag names one image).
    pub fn from_repository(repository: &RepositoryHandle, tag: &str) -> Self {
        let shaped = tag.len() <= 128
            && tag
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        Image {
            uri: repository.uri() + ":" + tag,
            repository_arn: Some(repository.arn()),
            problem: (!shaped).then(|| {
                format!(
                    "image tag `{tag}`: expected 1 to 128 letters, digits, `_`, `.` and `-`, not \
                     starting with `.` or `-`"
                )
            }),
        }
    }

    /// The image of digest `digest` (`sha256:` and 64 lowercase hex digits) in `repository`.
    pub fn from_repository_digest(repository: &RepositoryHandle, digest: &str) -> Self {
        let shaped = digest.strip_prefix("sha256:").is_some_and(|hex| {
            hex.len() == 64 && hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        });
        Image {
            uri: repository.uri() + "@" + digest,
            repository_arn: Some(repository.arn()),
            problem: (!shaped).then(|| {
                format!("image digest `{digest}`: expected `sha256:` and 64 lowercase hex digits")
            }),
        }
    }

    /// The image at `uri` in the environment's ECR repository named `repository_name` (an image asset's
    /// `image_uri()` in `stackwright-assets`), which the execution role may pull from.
    pub fn in_repository(uri: impl Into<Expr>, repository_name: &str) -> Self {
        Image {
            uri: uri.into(),
            repository_arn: Some(arn::regional(
                "ecr",
                format!("repository/{repository_name}"),
            )),
            problem: None,
        }
    }

    /// A public image (`public.ecr.aws/nginx/nginx:1.27`), pulled without credentials; the tasks need a
    /// route to it (a NAT gateway).
    /// A literal reference is checked against the OCI distribution reference grammar
    /// (`[domain[:port]/]path[:tag][@digest]`, lowercase path components); a computed one is not.
    pub fn public(uri: impl Into<Expr>) -> Self {
        let uri = uri.into();
        let problem = uri.as_literal().and_then(|literal| {
            reference_problem(literal).map(|why| {
                format!(
                    "image reference `{literal}`: {why}; expected `[domain[:port]/]path[:tag][@digest]` \
                     (`public.ecr.aws/nginx/nginx:1.27`)"
                )
            })
        });
        Image {
            uri,
            repository_arn: None,
            problem,
        }
    }

    /// The image's URI.
    pub fn uri(&self) -> &Expr {
        &self.uri
    }
}

/// What is wrong with an image reference, by the grammar of the OCI distribution spec's reference
/// (distribution/reference `reference.go`): `name[:tag][@digest]`, the name an optional domain (a host
/// with a `.` or a `:port`, or `localhost`) and path components of lowercase letters and digits joined
/// by `.`, `_`, `__` or dashes, at most 255 characters; a tag of 1 to 128 word characters, `.` and `-`
/// not starting with `.` or `-`; a digest `algorithm:hex` of at least 32 hex digits. No crate was
/// added for it: `oci-spec`'s parser brings serde, regex and builders for one check.
fn reference_problem(reference: &str) -> Option<String> {
    if reference.is_empty() {
        return Some("it is empty".to_owned());
    }
    if let Some(c) = reference.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!("it contains {c:?}"));
    }
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (reference, None),
    };
    if let Some(digest) = digest {
        let shaped = digest.split_once(':').is_some_and(|(algorithm, hex)| {
            !algorithm.is_empty()
                && algorithm
                    .split(['+', '.', '_', '-'])
                    .all(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
                && hex.len() >= 32
                && hex.chars().all(|c| c.is_ascii_hexdigit())
        });
        if !shaped {
            return Some(format!(
                "digest `{digest}` is not `algorithm:hex` with at least 32 hex digits"
            ));
        }
    }
    // A tag follows the last `:` after the last `/` (a `:` before it is the domain's port).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let shaped = tag.len() <= 128
            && tag.chars().next().is_some_and(word)
            && tag.chars().all(|c| word(c) || c == '.' || c == '-');
        if !shaped {
            return Some(format!(
                "tag `{tag}` is not 1 to 128 letters, digits, `_`, `.` and `-` not starting with `.` \
                 or `-`"
            ));
        }
    }
    if name.len() > 255 {
        return Some(format!("the name is {} characters long, over 255", name.len()));
    }
    let mut components: Vec<&str> = name.split('/').collect();
    let first = components[0];
    if components.len() > 1
        && (first.contains('.') || first.contains(':') || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase()))
    {
        let (host, port) = match first.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (first, None),
        };
        let label = |l: &str| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if !host.split('.').all(label) {
            return Some(format!("domain `{first}` is not a host name"));
        }
        if port.is_some_and(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
            return Some(format!("domain `{first}` has a port that is not a number"));
        }
        components.remove(0);
    }
    for component in components {
        let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        // Separators: one `.`, one or two `_`, or any number of `-`, between lowercase letters and digits.
        let shaped = component.chars().next().is_some_and(alnum)
            && component.chars().last().is_some_and(alnum)
            && component.chars().all(|c| alnum(c) || ".-_".contains(c))
            && !component.contains("..")
            && !component.contains("___")
            && !component.contains("._")
            && !component.contains("_.")
            && !component.contains(".-")
            && !component.contains("-.")
            && !component.contains("_-")
            && !component.contains("-_");
        if !shaped {
            return Some(format!(
                "path component `{component}` is not lowercase letters and digits joined by `.`, `_`, \
                 `__` or dashes"
            ));
        }
    }
    None
}

/// Where a container's secret environment variable comes from: a Secrets Manager secret or an SSM
/// parameter, whose ARN the container definition names; ECS reads the value when the task starts.
#[derive(Clone, Debug)]
pub enum SecretSource {
    Secret(SecretHandle),
    Parameter(ParameterHandle),
}

impl From<&SecretHandle> for SecretSource {
    fn from(secret: &SecretHandle) -> Self {
        SecretSource::Secret(secret.clone())
    }
}

impl From<&ParameterHandle> for SecretSource {
    fn from(parameter: &ParameterHandle) -> Self {
        SecretSource::Parameter(parameter.clone())
    }
}

/// The protocol of a container's port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PortProtocol {
    #[default]
    Tcp,
    Udp,
}

impl PortProtocol {
    fn as_str(self) -> &'static str {
        match self {
            PortProtocol::Tcp => "tcp",
            PortProtocol::Udp => "udp",
        }
    }
}

/// A container of a task ([`FargateTaskDefinition::container`]): its image, ports, environment and
/// secrets. Secure by default, with named opt-outs: a read-only root filesystem (checkov CKV_AWS_336;
/// [`writable_root_filesystem`](Self::writable_root_filesystem)), never privileged (Fargate offers no
/// privileged containers), essential (the task stops when it stops), its output sent to the task's log
/// group under the container's name.
pub struct Container {
    name: String,
    image: Image,
    ports: Vec<(u16, PortProtocol)>,
    environment: Vec<(String, Expr)>,
    secrets: Vec<(String, SecretSource)>,
    command: Option<Vec<String>>,
    essential: bool,
    writable_root: bool,
    problems: Vec<String>,
}

impl Container {
    /// A container named `name` (1 to 255 letters, digits, `-` and `_`, unique in its task) running
    /// `image` (`&asset` of an image asset, [`Image::from_repository`], ...).
    #[track_caller]
    pub fn new(name: impl Into<String>, image: impl Into<Image>) -> Self {
        let name = name.into();
        let image = image.into();
        let mut problems: Vec<String> = image.problem.iter().cloned().collect();
        let shaped = (1..=255).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !shaped {
            problems.push(format!(
                "container name `{name}`: expected 1 to 255 letters, digits, `-` and `_`"
            ));
        }
        Container {
            name,
            image,
            ports: Vec::new(),
            environment: Vec::new(),
            secrets: Vec::new(),
            command: None,
            essential: true,
            writable_root: false,
            problems,
        }
    }

    /// The container listens on TCP `port` (1 to 65,535): in a Fargate task, the port of the task's
    /// network interface too.
    pub fn port(self, port: u16) -> Self {
        self.port_with(port, PortProtocol::Tcp)
    }

    /// The container listens on `port` with `protocol`.
    pub fn port_with(mut self, port: u16, protocol: PortProtocol) -> Self {
        if port == 0 {
            self.problems
                .push("container port 0: expected 1 to 65535".to_owned());
        }
        if self.ports.contains(&(port, protocol)) {
            self.problems.push(format!(
                "container port {port}/{} is mapped twice: expected each port once",
                protocol.as_str()
            ));
        }
        self.ports.push((port, protocol));
        self
    }

    /// Sets environment variable `name` to `value` (a literal or a reference: `queue.url()`). A value
    /// that looks like a secret is an error: pass the secret with
    /// [`secret_environment`](Self::secret_environment) instead.
    pub fn environment(mut self, name: impl Into<String>, value: impl Into<Expr>) -> Self {
        let name = name.into();
        self.check_variable(&name);
        self.environment.push((name, value.into()));
        self
    }

    /// Sets environment variable `name` to the value of a Secrets Manager secret or an SSM parameter
    /// (`&secret`, `&parameter`), which ECS reads when the task starts: the container definition holds
    /// its ARN (`secrets`), never the value, and the task's execution role may read it.
    pub fn secret_environment(
        mut self,
        name: impl Into<String>,
        source: impl Into<SecretSource>,
    ) -> Self {
        let name = name.into();
        self.check_variable(&name);
        self.secrets.push((name, source.into()));
        self
    }

    fn check_variable(&mut self, name: &str) {
        let shaped = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !shaped {
            self.problems.push(format!(
                "environment variable name `{name}`: expected a letter or `_` followed by letters, digits \
                 and `_`"
            ));
        }
        let taken = self.environment.iter().any(|(n, _)| n == name)
            || self.secrets.iter().any(|(n, _)| n == name);
        if taken {
            self.problems.push(format!(
                "environment variable `{name}` of container `{}` is set twice: expected each name once",
                self.name
            ));
        }
    }

    /// The command the container runs, replacing the image's `CMD`.
    pub fn command<S: Into<String>>(mut self, command: impl IntoIterator<Item = S>) -> Self {
        self.command = Some(command.into_iter().map(Into::into).collect());
        self
    }

    /// The task goes on when this container stops (a sidecar whose end is not the task's); at least one
    /// container of a task is essential.
    pub fn not_essential(mut self) -> Self {
        self.essential = false;
        self
    }

    /// Opt-out of the read-only root filesystem (checkov CKV_AWS_336): the container may then write
    /// anywhere in its filesystem, and an intruder may too.
    pub fn writable_root_filesystem(mut self) -> Self {
        self.writable_root = true;
        self
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A Fargate task definition (CloudFormation `AWS::ECS::TaskDefinition`, Terraform
/// `aws_ecs_task_definition`) with what it needs, declared by [`add_to`](Self::add_to): `awsvpc`
/// networking (each task its own network interface), Linux on Fargate, a size Fargate offers
/// ([`FARGATE_TASK_SIZES`]). Secure by default, each with a named opt-out:
/// - a task role made for it, which the containers' code runs as, trusted by ECS tasks of this account
///   only (`aws:SourceAccount`) and granted nothing; grants of other resources
///   (`table.grant_read_write(&task)`) add to it;
/// - an execution role made for it, which ECS uses to start the task: it may pull the containers'
///   images from their ECR repositories, write to the task's log group, and read the secrets the
///   containers' [`secret_environment`](Container::secret_environment) names;
/// - a log group the containers write to (`awslogs`, each container under its name), kept 365 days
///   ([`log_group`](Self::log_group) adjusts it);
/// - containers with a read-only root filesystem, never privileged ([`Container`]).
///
/// Terraform needs a family: without `.name(...)` it is `<app>-<environment>-<stack>-<id>`;
/// CloudFormation generates one.
pub struct FargateTaskDefinition {
    resource: Resource,
    cpu: i64,
    memory_mib: i64,
    architecture: CpuArchitecture,
    containers: Vec<Container>,
    log_group: LogGroup,
}

impl FargateTaskDefinition {
    /// A task of `cpu` units (1,024 to a vCPU) and `memory_mib`, one of the sizes Fargate offers
    /// ([`FARGATE_TASK_SIZES`]: 256 units with 512 to 2,048 MiB, ..., 16,384 with 32,768 to 122,880).
    #[track_caller]
    pub fn new(id: impl Into<String>, cpu: i64, memory_mib: i64) -> Self {
        let id = id.into();
        let mut resource = Resource::new(id.clone(), TASK_DEFINITION_KIND);
        if let Err(problem) = fargate_size(cpu, memory_mib) {
            resource.problems.push(problem);
        }
        FargateTaskDefinition {
            resource,
            cpu,
            memory_mib,
            architecture: CpuArchitecture::default(),
            containers: Vec::new(),
            log_group: LogGroup::new(format!("{id}-Logs")),
        }
    }

    /// Adds a container (at least one; up to 10).
    pub fn container(mut self, container: Container) -> Self {
        if self.containers.iter().any(|c| c.name == container.name) {
            self.resource.problems.push(format!(
                "container `{}` is declared twice: expected each container name once in a task",
                container.name
            ));
        }
        self.containers.push(container);
        self
    }

    /// The instruction set: [`CpuArchitecture::X86_64`] (the default) or [`CpuArchitecture::Arm64`]; the
    /// images must be built for it.
    pub fn architecture(mut self, architecture: CpuArchitecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Adjusts the task's log group (retention, encryption key, removal policy).
    pub fn log_group(mut self, adjust: impl FnOnce(LogGroup) -> LogGroup) -> Self {
        self.log_group = adjust(self.log_group);
        self
    }

    /// Declares the task definition in `stack` with its roles, the execution role's policy and its log
    /// group: `<id>-TaskRole`, `<id>-ExecutionRole`, `<id>-Execution`, `<id>-Logs`, and one
    /// `<id>-ExecutionRole-<secret>-Read` per secret or parameter its containers name.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> TaskDefinitionHandle {
        let FargateTaskDefinition {
            mut resource,
            cpu,
            memory_mib,
            architecture,
            containers,
            log_group,
        } = self;
        let id = resource.id.clone();
        // Its parts are named after it: a bad or taken id is one error, not one per part.
        stack.check_composite_id("task definition", &id, resource.location);
        if containers.is_empty() {
            resource.problems.push(
                "a task definition without containers: expected at least one `.container(..)`"
                    .to_owned(),
            );
        } else if !containers.iter().any(|c| c.essential) {
            resource.problems.push(
                "a task definition without an essential container: expected at least one container \
                 without `.not_essential()`"
                    .to_owned(),
            );
        }
        if containers.len() > 10 {
            resource.problems.push(format!(
                "a task definition with {} containers: expected at most 10",
                containers.len()
            ));
        }
        for container in &containers {
            resource.problems.extend(container.problems.iter().cloned());
        }
        let log_group = stack.add(log_group);
        let trust = PolicyDocument::new().statement(
            Statement::allow()
                .principal(crate::iam::Principal::service("ecs-tasks.amazonaws.com"))
                .action("sts:AssumeRole")
                .condition("StringEquals", "aws:SourceAccount", [Expr::account_id()]),
        );
        let task_role = stack.add(
            Role::new(format!("{id}-TaskRole"), trust)
                .description(format!("Runs the containers of ECS task definition {id}")),
        );
        // AWS documents the confused deputy condition for task roles; the execution role's trust is
        // the one its guide gives (ECS assumes it to start the task).
        let execution_role = stack.add(
            Role::new(
                format!("{id}-ExecutionRole"),
                PolicyDocument::assumed_by_service("ecs-tasks.amazonaws.com"),
            )
            .description(format!("Starts the tasks of ECS task definition {id}")),
        );
        let mut repositories: Vec<Expr> = Vec::new();
        for container in &containers {
            if let Some(arn) = &container.image.repository_arn {
                if !repositories.contains(arn) {
                    repositories.push(arn.clone());
                }
            }
        }
        let mut statements = vec![Statement::allow()
            .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
            .resources([log_group.arn(), log_group.streams_arn()])];
        if !repositories.is_empty() {
            statements.push(
                Statement::allow()
                    .actions([
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                    ])
                    .resources(repositories),
            );
            // ECR's registry login has no resource-level permissions.
            statements.push(
                Statement::allow()
                    .action("ecr:GetAuthorizationToken")
                    .resource("*"),
            );
        }
        let execution = RolePolicy::new(
            format!("{id}-Execution"),
            &execution_role,
            statements.into_iter().collect(),
        );
        let mut policies = vec![stack.add(execution).resource_ref()];
        let mut read: Vec<String> = Vec::new();
        let mut definitions = Vec::new();
        for container in containers {
            let mut secrets = Vec::new();
            for (name, source) in &container.secrets {
                let (arn, source_id, grant) = match source {
                    SecretSource::Secret(secret) => (
                        secret.arn(),
                        secret.declared_id().to_owned(),
                        secret.grant_read(&execution_role),
                    ),
                    SecretSource::Parameter(parameter) => (
                        parameter.arn(),
                        parameter.declared_id().to_owned(),
                        parameter.grant_read(&execution_role),
                    ),
                };
                // One grant per secret, however many containers or variables read it.
                if !read.contains(&source_id) {
                    read.push(source_id);
                    policies.push(stack.add(grant).resource_ref());
                }
                secrets.push((name.clone(), arn));
            }
            definitions.push(Definition {
                container,
                secrets,
            });
        }
        let handle_containers = definitions
            .iter()
            .map(|d| {
                let ports = d.container.ports.iter().map(|(port, _)| *port).collect();
                (d.container.name.clone(), ports)
            })
            .collect();
        let node = Node {
            resource,
            cpu,
            memory_mib,
            architecture,
            definitions,
            task_role_arn: task_role.arn(),
            execution_role_arn: execution_role.arn(),
            log_group_name: log_group.name(),
            policies,
        };
        let handle = stack.add(node);
        TaskDefinitionHandle {
            handle: handle.handle,
            id,
            task_role,
            execution_role,
            log_group,
            containers: handle_containers,
        }
    }
}
common_setters!(FargateTaskDefinition, taggable);
patchable!(FargateTaskDefinition, TASK_DEFINITION);
physical_name!(FargateTaskDefinition);

/// A container with the ARNs of its secrets.
struct Definition {
    container: Container,
    secrets: Vec<(String, Expr)>,
}

/// The task definition's node, once its roles and log group are declared.
struct Node {
    resource: Resource,
    cpu: i64,
    memory_mib: i64,
    architecture: CpuArchitecture,
    definitions: Vec<Definition>,
    task_role_arn: Expr,
    execution_role_arn: Expr,
    log_group_name: Expr,
    policies: Vec<ResourceRef>,
}

/// What [`Node`] declares.
struct NodeHandle {
    handle: Handle,
}

attr_handle!(
    /// A declared task definition, with the roles it declared (grants add to the task role:
    /// `queue.grant_send(&task)`) and its log group.
    TaskDefinitionHandle {
        /// The ARN of the task definition's revision: what services run.
        arn: "arn",
    } id: String, task_role: RoleHandle, execution_role: RoleHandle, log_group: LogGroupHandle,
    containers: Vec<(String, Vec<u16>)>
);

impl TaskDefinitionHandle {
    /// The role the containers' code runs as.
    pub fn task_role(&self) -> &RoleHandle {
        &self.task_role
    }

    /// The role ECS starts the tasks with (image pulls, logs, secrets).
    pub fn execution_role(&self) -> &RoleHandle {
        &self.execution_role
    }

    /// The log group the containers write to.
    pub fn log_group(&self) -> &LogGroupHandle {
        &self.log_group
    }

    /// The id the task definition was declared with.
    pub fn declared_id(&self) -> &str {
        &self.id
    }

    /// The ports container `name` listens on, if the task has such a container.
    pub(crate) fn container_ports(&self, name: &str) -> Option<&[u16]> {
        self.containers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, ports)| ports.as_slice())
    }

    /// The names of the task's containers.
    pub(crate) fn container_names(&self) -> impl Iterator<Item = &str> {
        self.containers.iter().map(|(n, _)| n.as_str())
    }
}

impl Grantee for TaskDefinitionHandle {
    fn grantee_role(&self) -> &RoleHandle {
        &self.task_role
    }
}

/// Why a writable root filesystem is not a finding.
const WRITABLE_ROOT: &str = "a container of this task writes to its root filesystem on purpose \
     (`Container::writable_root_filesystem()`)";

impl Declare for Node {
    type Handle = NodeHandle;
    fn declare(self, at: ResourceRef) -> (Resource, NodeHandle) {
        let Node {
            mut resource,
            cpu,
            memory_mib,
            architecture,
            definitions,
            task_role_arn,
            execution_role_arn,
            log_group_name,
            policies,
        } = self;
        resource.depends_on.extend(policies);
        let writable = definitions.iter().any(|d| d.container.writable_root);
        // CloudFormation's names; Terraform's JSON takes the ECS API's (the first letter lowercase).
        let cfn_definitions: Vec<Value> = definitions
            .iter()
            .map(|d| container_value(d, &log_group_name, CFN_NAMES))
            .collect();
        let api_definitions: Vec<Value> = definitions
            .iter()
            .map(|d| container_value(d, &log_group_name, API_NAMES))
            .collect();
        let mut cfn = Form::new();
        cfn.physical_name("Family")
            .set("RequiresCompatibilities", Value::List(vec!["FARGATE".into()]))
            .set("NetworkMode", "awsvpc")
            .set("Cpu", cpu.to_string())
            .set("Memory", memory_mib.to_string())
            .set(
                "RuntimePlatform",
                object(&[
                    ("OperatingSystemFamily", "LINUX".into()),
                    ("CpuArchitecture", architecture.as_str().into()),
                ]),
            )
            .set("ExecutionRoleArn", execution_role_arn.clone())
            .set("TaskRoleArn", task_role_arn.clone())
            .set("ContainerDefinitions", Value::List(cfn_definitions));
        let mut tf = Form::new();
        // The provider requires a family, which CloudFormation would generate.
        tf.required_name("family")
            .set("requires_compatibilities", Value::List(vec!["FARGATE".into()]))
            .set("network_mode", "awsvpc")
            .set("cpu", cpu.to_string())
            .set("memory", memory_mib.to_string())
            .set(
                "runtime_platform",
                object(&[
                    ("operating_system_family", "LINUX".into()),
                    ("cpu_architecture", architecture.as_str().into()),
                ]),
            )
            .set("execution_role_arn", execution_role_arn)
            .set("task_role_arn", task_role_arn)
            .terraform_json_text("container_definitions", Value::List(api_definitions));
        if writable {
            cfn.checkov_skip("CKV_AWS_336", WRITABLE_ROOT);
            tf.checkov_skip("CKV_AWS_336", WRITABLE_ROOT);
        }
        construct::finish(&mut resource, cfn, tf);
        (resource, NodeHandle { handle: Handle(at) })
    }
}

/// The names of a container definition's fields in one spelling: CloudFormation's, or the ECS API's
/// (Terraform's `container_definitions` JSON).
struct Names {
    name: &'static str,
    image: &'static str,
    essential: &'static str,
    command: &'static str,
    port_mappings: &'static str,
    container_port: &'static str,
    protocol: &'static str,
    environment: &'static str,
    secrets: &'static str,
    value: &'static str,
    value_from: &'static str,
    log_configuration: &'static str,
    log_driver: &'static str,
    options: &'static str,
    readonly_root_filesystem: &'static str,
    privileged: &'static str,
}

const CFN_NAMES: &Names = &Names {
    name: "Name",
    image: "Image",
    essential: "Essential",
    command: "Command",
    port_mappings: "PortMappings",
    container_port: "ContainerPort",
    protocol: "Protocol",
    environment: "Environment",
    secrets: "Secrets",
    value: "Value",
    value_from: "ValueFrom",
    log_configuration: "LogConfiguration",
    log_driver: "LogDriver",
    options: "Options",
    readonly_root_filesystem: "ReadonlyRootFilesystem",
    privileged: "Privileged",
};

const API_NAMES: &Names = &Names {
    name: "name",
    image: "image",
    essential: "essential",
    command: "command",
    port_mappings: "portMappings",
    container_port: "containerPort",
    protocol: "protocol",
    environment: "environment",
    secrets: "secrets",
    value: "value",
    value_from: "valueFrom",
    log_configuration: "logConfiguration",
    log_driver: "logDriver",
    options: "options",
    readonly_root_filesystem: "readonlyRootFilesystem",
    privileged: "privileged",
};

/// A container definition in one spelling.
fn container_value(definition: &Definition, log_group: &Expr, n: &Names) -> Value {
    let Definition { container, secrets } = definition;
    let mut fields = vec![
        (n.name, Value::from(container.name.as_str())),
        (n.image, Value::Str(container.image.uri.clone())),
        (n.essential, Value::Bool(container.essential)),
    ];
    if let Some(command) = &container.command {
        let command = command.iter().map(|c| Value::from(c.as_str())).collect();
        fields.push((n.command, Value::List(command)));
    }
    if !container.ports.is_empty() {
        let ports = container
            .ports
            .iter()
            .map(|(port, protocol)| {
                object(&[
                    (n.container_port, Value::Int(i64::from(*port))),
                    (n.protocol, Value::from(protocol.as_str())),
                ])
            })
            .collect();
        fields.push((n.port_mappings, Value::List(ports)));
    }
    if !container.environment.is_empty() {
        let pairs = container
            .environment
            .iter()
            .map(|(name, value)| {
                object(&[
                    (n.name, Value::from(name.as_str())),
                    (n.value, Value::Str(value.clone())),
                ])
            })
            .collect();
        fields.push((n.environment, Value::List(pairs)));
    }
    if !secrets.is_empty() {
        let pairs = secrets
            .iter()
            .map(|(name, arn)| {
                object(&[
                    (n.name, Value::from(name.as_str())),
                    (n.value_from, Value::Str(arn.clone())),
                ])
            })
            .collect();
        fields.push((n.secrets, Value::List(pairs)));
    }
    fields.push((
        n.log_configuration,
        object(&[
            (n.log_driver, "awslogs".into()),
            (
                n.options,
                object(&[
                    ("awslogs-group", Value::Str(log_group.clone())),
                    ("awslogs-region", Value::Str(Expr::region())),
                    ("awslogs-stream-prefix", Value::from(container.name.as_str())),
                ]),
            ),
        ]),
    ));
    fields.push((
        n.readonly_root_filesystem,
        Value::Bool(!container.writable_root),
    ));
    fields.push((n.privileged, Value::Bool(false)));
    object(&fields)
}

#[cfg(test)]
mod tests {
    use super::fargate_size;

    #[test]
    fn fargate_sizes_follow_the_developer_guide() {
        for (cpu, memory) in [
            (256, 512),
            (256, 2048),
            (512, 4096),
            (1024, 2048),
            (2048, 16384),
            (4096, 30720),
            (8192, 16384),
            (8192, 61440),
            (16384, 122880),
        ] {
            assert_eq!(fargate_size(cpu, memory), Ok(()), "{cpu}/{memory}");
        }
        for (cpu, memory) in [
            (128, 512),
            (256, 4096),
            (256, 1536),
            (1024, 1024),
            (4096, 32768),
            (8192, 18432),
            (16384, 36864),
        ] {
            assert!(fargate_size(cpu, memory).is_err(), "{cpu}/{memory}");
        }
    }
}
