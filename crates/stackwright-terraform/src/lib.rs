//! Terraform target: one root module directory (`main.tf.json`) per (environment, stack).
//!
//! [`synthesize`] is a pure function from a [`StackInstance`] to a Terraform JSON document plus
//! diagnostics. The provider is pinned to the environment's region and account (`allowed_account_ids`), so
//! credentials for another account cannot apply this configuration there. Names are the user's ids in
//! snake case; two ids that become one name are an error naming both.
//!
//! Architecture invariant: no IO here, and nothing about CloudFormation.

mod document;
mod exports;
mod expr;
mod moves;
mod names;
mod resources;
mod settings;
mod validation;

pub use document::{FreshModule, ModuleBlocks, ModuleDocument, ModuleOutline, PreviousModule};
pub use moves::{carry_moves, carry_moves_beside};
pub use settings::{
    local_state_path, Backend, TerraformEnvironment, TerraformSettings, LOCAL_STATE_DIR,
};

use document::{Body, Keep};
use names::Names;
use serde_json::{json, Map, Value as Json};
use stackwright_core::{Diagnostic, ParamType, StackInstance};
use stackwright_lowering::secrets::Check;
use stackwright_schema::secrets;

/// Versions of the AWS provider the generated configuration is written for: checked against 5.100.0,
/// and using nothing that 6.x removed.
pub const AWS_PROVIDER_CONSTRAINT: &str = ">= 5.100.0, < 7.0.0";
/// Oldest Terraform that reads everything we generate, except `moved` blocks.
pub const TERRAFORM_CONSTRAINT: &str = ">= 1.0.0";
/// Oldest Terraform whose S3 backend takes `assume_role` (the top-level `role_arn` it replaced is gone
/// in 1.10); only modules that read another account's state with a role ask for it.
pub const TERRAFORM_ASSUME_ROLE_CONSTRAINT: &str = ">= 1.6.0";
/// Oldest Terraform that reads `moved` blocks (declared renames); only modules that contain one ask for it.
pub const TERRAFORM_MOVED_CONSTRAINT: &str = ">= 1.1.0";

/// A lowered root module and what went wrong while lowering it.
#[derive(Debug)]
pub struct Module<D = Json> {
    /// The module's document: a JSON tree, or a [`ModuleDocument`] ([`synthesize_text`]).
    pub document: D,
    /// Number of `resource` blocks: what Terraform creates and `plan` counts (data sources are read, not
    /// counted).
    pub resource_count: usize,
    pub problems: Vec<Diagnostic>,
}

/// The state key of a stack's module in an S3 backend: the environment's key if it set one, else
/// `<app>/<env>/<stack>.tfstate`. Local state has no key.
fn state_key(backend: &Backend, app: &str, env: &str, stack: &str) -> String {
    match backend {
        Backend::S3 { key: Some(key), .. } => key.clone(),
        _ => format!("{app}/{env}/{stack}.tfstate"),
    }
}

/// Two root modules whose state would be the same S3 object (`bucket` and `key`): an environment that
/// sets one explicit `key` for several stacks, or two environments that name the same bucket and key. The
/// second `terraform apply` would find the first module's resources in its state and plan to destroy
/// them. One error per clash, at the environment that declares the second module. Local state is per
/// (app, environment, stack) by construction and never clashes.
pub fn state_location_problems(instances: &[StackInstance]) -> Vec<Diagnostic> {
    StateLocations::default().check(instances)
}

/// [`state_location_problems`] over instances that come a few at a time: remembers each S3 state object
/// (with the environment and stack that keep their state there), so that a later instance is checked
/// against every earlier one.
#[derive(Debug, Default)]
pub struct StateLocations {
    /// (bucket, key), each with its first claimant.
    seen: stackwright_core::claims::Claims<(String, String)>,
}

impl StateLocations {
    /// The problems of `instances`, checked against each other and every instance checked before.
    pub fn check(&mut self, instances: &[StackInstance]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        // Only the stacks compiled for Terraform (their declared targets) keep a state.
        for instance in instances
            .iter()
            .filter(|i| i.targets.contains(&stackwright_core::Target::Terraform))
        {
            let env = instance.environment;
            let settings = env.extensions.get::<TerraformSettings>();
            let Some(backend @ Backend::S3 { bucket, .. }) = settings.map(|s| &s.backend) else {
                continue;
            };
            let stack = instance.stack.name();
            let key = state_key(backend, instance.app, &env.name, stack);
            if let Some(first) = self.seen.claim((bucket.clone(), key.clone()), instance) {
                problems.push(
                    Diagnostic::new(format!(
                        "environment `{}` stack `{stack}` and environment `{}` stack `{}` (declared at {}:{}) \
                         both keep their Terraform state in s3://{bucket}/{key}: each apply would plan to \
                         destroy the other's resources; leave the S3 backend's `key` unset (each stack then \
                         gets `<app>/<env>/<stack>.tfstate`) or give each environment its own key",
                        env.name,
                        first.environment,
                        first.stack,
                        first.location.file(),
                        first.location.line(),
                    ))
                    .in_environment(&env.name)
                    .in_stack(stack)
                    .at(env.location),
                );
            }
        }
        problems
    }
}

/// The name a resource declared with id `user_id` has in its module (`aws_instance.<name>`): the id in
/// snake case.
pub fn resource_name(user_id: &str) -> String {
    names::snake_case(user_id)
}

/// Lowers one stack instance to a Terraform JSON root module.
pub fn synthesize(instance: &StackInstance) -> Module {
    let Module {
        document,
        resource_count,
        problems,
    } = lower_module(instance, Keep::Tree, Check::Run);
    Module {
        document: document.into_json(),
        resource_count,
        problems,
    }
}

/// [`synthesize`], with every block and output serialized as soon as it is lowered: a module held in
/// a fraction of the memory of its JSON tree, for writing (see [`ModuleDocument`]). Writes the same
/// bytes as the tree [`synthesize`] gives.
pub fn synthesize_text(instance: &StackInstance) -> Module<ModuleDocument> {
    lower_module(instance, Keep::Text, Check::Run)
}

/// [`synthesize_text`], with the stack's literal-secret problems as
/// `stackwright_lowering::secrets::check` found them for the caller, which lowers the stack to both
/// targets and checks it once.
pub fn synthesize_text_with_secrets(
    instance: &StackInstance,
    secrets: Check,
) -> Module<ModuleDocument> {
    lower_module(instance, Keep::Text, secrets)
}

/// [`synthesize`] for a caller that needs the module's problems, its resource count and its backend
/// but none of its bytes (`list`): every block and output is lowered and checked, then dropped.
pub fn synthesize_outline(instance: &StackInstance) -> Module<ModuleOutline> {
    let Module {
        document,
        resource_count,
        problems,
    } = lower_module(instance, Keep::Nothing, Check::Run);
    Module {
        document: document.into_outline(),
        resource_count,
        problems,
    }
}

/// Lowers `instance`, each body as text, as a tree or dropped.
fn lower_module(
    instance: &StackInstance,
    keep: Keep,
    secret_check: Check,
) -> Module<ModuleDocument> {
    let stack = &instance.stack;
    let env = instance.environment;
    let mut problems = Vec::new();
    let (names, taken) = Names::assign(stack, &mut problems);
    // The CloudFormation target reports the very same problems, which a synthesis of both shows once.
    secret_check.apply(stack, &mut problems);
    let settings = env
        .extensions
        .get::<TerraformSettings>()
        .cloned()
        .unwrap_or_default();

    let gateways = stackwright_lowering::ordering::GatewayOrdering::new(stack);
    let lowering = resources::Lowering {
        app: instance.app,
        env,
        stack,
        links: &instance.links,
        default_tags: &instance.default_tags,
        names: &names,
        gateways: &gateways,
        partition_used: std::cell::Cell::new(false),
        uploaded: Default::default(),
    };
    let mut lookup_variables = Map::new();
    let mut blocks = resources::Blocks::new(taken, keep);
    for (index, resource) in stack.resources().iter().enumerate() {
        lowering.resource(
            index,
            resource,
            &mut blocks,
            &mut lookup_variables,
            &mut problems,
        );
    }
    let needs_assume_role = remote_states(instance, &settings, &mut blocks);

    let terraform = terraform_block(instance, &settings, &blocks, needs_assume_role);

    let provider = aws_provider(instance, &settings, &mut problems);

    let variables = variables(stack, &names, lookup_variables);

    let outputs = outputs(instance, &names, &lowering, keep, &mut problems);

    // Last: what every block and output above read of the code assets.
    let untagged_uploads = lowering.uploads(&mut blocks, &mut problems);

    let mut module = Map::new();
    module.insert(
        "//".into(),
        format!(
            "Stack `{}` of app `{}` for environment `{}` ({} {}). Generated by stackwright; do not edit.",
            stack.name(),
            instance.app,
            env.name,
            env.account,
            env.region
        )
        .into(),
    );
    module.insert("terraform".into(), Json::Object(terraform));
    let providers = providers(instance, &settings, provider, untagged_uploads, &mut blocks);
    module.insert("provider".into(), providers);
    if lowering.partition_used.get() {
        // `Expr::url_suffix()`: the partition's DNS suffix, read once per module.
        blocks.add(
            true,
            "aws_partition",
            resources::PARTITION_DATA_SOURCE,
            Map::new(),
        );
    }
    if !variables.is_empty() {
        module.insert("variable".into(), Json::Object(variables));
    }
    let resource_count = blocks.count;
    let problems = problems
        .into_iter()
        .map(|d| d.in_environment(&env.name).in_stack(stack.name()))
        .collect();
    Module {
        document: ModuleDocument {
            head: module,
            data: blocks.data,
            resource: blocks.resources,
            output: outputs,
            moved: blocks.moved,
        },
        resource_count,
        problems,
    }
}

/// The module's `provider` block: the aws provider (and beside it, for code assets of an environment
/// with more default tags than an S3 object allows, one without them), and awscc with the same region
/// and role when registry types need it.
fn providers(
    instance: &StackInstance,
    settings: &TerraformSettings,
    provider: Map<String, Json>,
    untagged_uploads: bool,
    blocks: &mut resources::Blocks,
) -> Json {
    let env = instance.environment;
    // Code assets of an environment with more default tags than an S3 object allows are uploaded
    // through a configuration of the provider without them (`resources::ASSET_PROVIDER_ALIAS`).
    let provider = if untagged_uploads {
        let mut plain = provider.clone();
        plain.remove("default_tags");
        plain.insert("alias".into(), resources::ASSET_PROVIDER_ALIAS.into());
        json!([provider, plain])
    } else {
        Json::Object(provider)
    };
    if blocks.awscc {
        // The same region and role as the aws provider; the account is checked through the aws provider
        // (see `resources::registry`).
        let mut awscc = Map::new();
        awscc.insert("region".into(), env.region.as_str().into());
        if let Some(role_arn) = &settings.assume_role_arn {
            awscc.insert("assume_role".into(), json!({ "role_arn": role_arn }));
        }
        blocks.add(
            true,
            "aws_caller_identity",
            resources::ACCOUNT_DATA_SOURCE,
            Map::new(),
        );
        json!({ "aws": provider, "awscc": awscc })
    } else {
        json!({ "aws": provider })
    }
}

/// One remote state per stack this one imports from and per stack of another environment it reads
/// outputs of; whether reading one assumes a role (which needs a newer Terraform).
fn remote_states(
    instance: &StackInstance,
    settings: &TerraformSettings,
    blocks: &mut resources::Blocks,
) -> bool {
    let env = instance.environment;
    // One remote state per stack this one imports from, in declaration order.
    let producers = instance
        .links
        .depends_on
        .iter()
        .filter(|p| instance.links.imports.iter().any(|i| &i.stack == *p));
    for producer in producers {
        if let Backend::S3 { key: Some(_), .. } = &settings.backend {
            // Both stacks keep their state under the one key: `state_location_problems` reports that
            // once for the app, so a remote read of it would only add a follow-on error.
            continue;
        }
        let key = state_key(&settings.backend, instance.app, &env.name, producer);
        blocks.add_remote_state(
            &exports::remote_state_name(producer),
            exports::remote_state(&settings.backend, &key, instance.app, &env.name, producer),
        );
    }

    // One remote state per stack of another environment this one reads outputs of.
    let mut read_states: Vec<String> = Vec::new();
    let mut needs_assume_role = false;
    for read in &instance.links.remote {
        let name = exports::remote_environment_name(&read.environment.name, &read.stack);
        if read_states.contains(&name) {
            continue;
        }
        let theirs = read
            .environment
            .extensions
            .get::<TerraformSettings>()
            .cloned()
            .unwrap_or_default();
        let key = state_key(
            &theirs.backend,
            instance.app,
            &read.environment.name,
            &read.stack,
        );
        let role = read.role_arn.as_deref();
        needs_assume_role |= role.is_some() && matches!(theirs.backend, Backend::S3 { .. });
        blocks.add_remote_state(
            &name,
            exports::remote_environment_state(
                &theirs.backend,
                &key,
                instance.app,
                &read.environment.name,
                &read.stack,
                role,
            ),
        );
        read_states.push(name);
    }
    needs_assume_role
}

/// The module's `terraform` block: the Terraform and provider versions it needs, and the backend.
fn terraform_block(
    instance: &StackInstance,
    settings: &TerraformSettings,
    blocks: &resources::Blocks,
    needs_assume_role: bool,
) -> Map<String, Json> {
    let (env, stack) = (instance.environment, &instance.stack);
    let mut terraform = Map::new();
    let required_version = if needs_assume_role {
        TERRAFORM_ASSUME_ROLE_CONSTRAINT
    } else if blocks.awscc {
        resources::TERRAFORM_PRECONDITION_CONSTRAINT
    } else if blocks.moved.is_empty() {
        TERRAFORM_CONSTRAINT
    } else {
        TERRAFORM_MOVED_CONSTRAINT
    };
    terraform.insert("required_version".into(), required_version.into());
    let mut required_providers =
        json!({ "aws": { "source": "hashicorp/aws", "version": AWS_PROVIDER_CONSTRAINT } });
    if blocks.awscc {
        // Registry types (generated builders) lower to the Cloud Control provider.
        required_providers["awscc"] =
            json!({ "source": "hashicorp/awscc", "version": resources::AWSCC_PROVIDER_CONSTRAINT });
    }
    terraform.insert("required_providers".into(), required_providers);
    if let Backend::Local = &settings.backend {
        terraform.insert(
            "backend".into(),
            json!({ "local": {
                "path": settings::local_state_path(instance.app, &env.name, stack.name()),
                "workspace_dir": settings::local_workspace_dir(instance.app, &env.name, stack.name()),
            } }),
        );
    }
    if let Backend::S3 {
        bucket,
        region,
        dynamodb_table,
        ..
    } = &settings.backend
    {
        let key = state_key(&settings.backend, instance.app, &env.name, stack.name());
        let mut s3 = Map::new();
        s3.insert("bucket".into(), bucket.as_str().into());
        s3.insert("key".into(), key.into());
        s3.insert("region".into(), region.as_str().into());
        s3.insert("encrypt".into(), true.into());
        if let Some(table) = dynamodb_table {
            s3.insert("dynamodb_table".into(), table.as_str().into());
        }
        terraform.insert("backend".into(), json!({ "s3": s3 }));
    }
    terraform
}

/// The aws provider's configuration: the region, the allowed account, the role and the default tags
/// (an empty tag value is a problem).
fn aws_provider(
    instance: &StackInstance,
    settings: &TerraformSettings,
    problems: &mut Vec<Diagnostic>,
) -> Map<String, Json> {
    let env = instance.environment;
    let mut provider = Map::new();
    provider.insert("region".into(), env.region.as_str().into());
    provider.insert("allowed_account_ids".into(), json!([env.account]));
    if let Some(role_arn) = &settings.assume_role_arn {
        provider.insert("assume_role".into(), json!({ "role_arn": role_arn }));
    }
    // The `environment` tag is the environment's name: an empty one is that name's error already.
    let named_after_an_empty_name =
        |key: &str| key == stackwright_core::tags::ENVIRONMENT && env.name.is_empty();
    for (key, _) in instance
        .default_tags
        .iter()
        .filter(|(k, v)| v.is_empty() && !named_after_an_empty_name(k))
    {
        // hashicorp/terraform-provider-aws#42247 and #37297: an empty value in `default_tags` plans
        // wrong changes (removing resource tags) or none at all, so the module never converges.
        problems.push(
            Diagnostic::new(format!(
                "tag `{key}` has an empty value: the AWS provider mishandles empty values in `default_tags` \
                 (wrong or perpetual plans); give it a value, or set it on the resources that need it with `.tag(..)`"
            ))
            .at(env.location),
        );
    }
    if !instance.default_tags.is_empty() {
        let tags: Map<String, Json> = instance
            .default_tags
            .iter()
            .map(|(k, v)| (expr::escape(k), Json::String(expr::escape(v))))
            .collect();
        provider.insert("default_tags".into(), json!({ "tags": tags }));
    }
    provider
}

/// The module's variables: the stack's parameters, then the variables that lookups add (`lookups`).
fn variables(
    stack: &stackwright_core::Stack,
    names: &Names,
    lookups: Map<String, Json>,
) -> Map<String, Json> {
    let mut parameters = Map::new();
    for (parameter, name) in stack.parameters().iter().zip(&names.variables) {
        let mut v = Map::new();
        let ty = match parameter.ty {
            ParamType::String => "string",
            ParamType::Number => "number",
        };
        v.insert("type".into(), ty.into());
        if let Some(default) = &parameter.default {
            let value = match parameter.ty {
                // A number default stays a JSON number; CloudFormation gets the same text as a string.
                ParamType::Number => default.parse::<serde_json::Number>().ok().map(Json::Number),
                ParamType::String => None,
            };
            v.insert(
                "default".into(),
                value.unwrap_or_else(|| default.as_str().into()),
            );
        }
        if let Some(description) = &parameter.description {
            v.insert("description".into(), description.as_str().into());
        }
        // A variable named as a secret (`db_password`) holds one whether or not it says so: plan and
        // apply output never show it.
        if parameter.no_echo || secrets::names_secret(&parameter.id, secrets::NameKind::Entry) {
            v.insert("sensitive".into(), true.into());
        }
        if !parameter.allowed_values.is_empty() {
            let quoted: Vec<String> = parameter
                .allowed_values
                .iter()
                .map(|a| Json::String(expr::escape(a)).to_string())
                .collect();
            v.insert(
                "validation".into(),
                json!([{
                    "condition": format!("${{contains([{}], var.{name})}}", quoted.join(", ")),
                    "error_message": format!("The value must be one of: {}.", expr::escape(&parameter.allowed_values.join(", "))),
                }]),
            );
        }
        parameters.insert(name.clone(), Json::Object(v));
    }
    // Parameters first, then the variables that lookups add, as before.
    parameters.extend(lookups);
    parameters
}

/// The module's outputs: the stack's own, then one per attribute another stack reads.
fn outputs(
    instance: &StackInstance,
    names: &Names,
    lowering: &resources::Lowering,
    keep: Keep,
    problems: &mut Vec<Diagnostic>,
) -> document::Section {
    let stack = &instance.stack;
    let mut outputs = document::Section::new();
    for (output, name) in stack.outputs().iter().zip(&names.outputs) {
        let mut o = Map::new();
        if let Some(description) = &output.description {
            o.insert("description".into(), description.as_str().into());
        }
        let value = expr::lower(&output.value, lowering, &mut |m| {
            problems.push(
                Diagnostic::new(m)
                    .for_resource(&output.id)
                    .at(output.location),
            )
        });
        o.insert("value".into(), value.into());
        let body = Body::new(Json::Object(o), document::OUTPUT_DEPTH, keep);
        outputs.insert(name.clone(), body);
    }
    for export in &instance.links.exports {
        let resource = &stack.resources()[export.resource.index as usize];
        let name = exports::output_name(&export.resource_id, export.attr);
        if outputs.contains_key(&name) {
            problems.push(export.name_taken("output name", &name, resource));
            continue;
        }
        let value = expr::lower(&export.value(), lowering, &mut |m| {
            problems.push(
                Diagnostic::new(m)
                    .for_resource(&export.resource_id)
                    .at(resource.location),
            )
        });
        let description = export.description("reads", "read");
        let body = json!({ "description": description, "value": value });
        outputs.insert(name, Body::new(body, document::OUTPUT_DEPTH, keep));
    }
    outputs
}
