//! No secret in any output: a validation error about a secret gives its shape; `plan` hides write-only
//! and secret-named values in every format; a literal secret is a located synth error (with the way out)
//! unless accepted with `allow_plaintext_secret`. Each test runs the CLI in-process and looks for the
//! secret's characters in stdout, stderr and every file the run leaves.

use crate::support::{line_below, one_stack, run};
use stackwright::aws::{secretsmanager, ssm};
use stackwright::{cfn, tf, App, Parameter, Value};
use stackwright_aws_generated::{events, lambda};
use std::path::Path;

/// Whether any 8 consecutive characters of `secret` appear in `text`: a secret printed whole, cut short
/// (as validation once printed its first 57 characters) or in part.
fn leaks(secret: &str, text: &str) -> bool {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(8.min(chars.len()))
        .any(|w| text.contains(&w.iter().collect::<String>()))
}

/// Every file under `root`, as text (lossy), with its path.
fn files(root: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                found.push((path.display().to_string(), text));
            }
        }
    }
    found
}

/// Fails when a secret is in `stdout`, `stderr` or a file under `root`.
#[track_caller]
fn nowhere(secrets: &[&str], stdout: &str, stderr: &str, root: &Path) {
    for secret in secrets {
        assert!(!leaks(secret, stdout), "{secret} in stdout:\n{stdout}");
        assert!(!leaks(secret, stderr), "{secret} in stderr:\n{stderr}");
        for (path, text) in files(root) {
            assert!(!leaks(secret, &text), "{secret} in {path}");
        }
    }
}

/// Synthesizes `app` into a fresh directory, expecting failure with every `expected` fragment in stderr,
/// nothing written, and none of `secrets` anywhere. Returns stderr.
#[track_caller]
fn refused<C>(app: &App<C>, expected: &[&str], secrets: &[&str]) -> String {
    let (stdout, stderr, scratch) = crate::support::fails_with_output(app, expected);
    nowhere(secrets, &stdout, &stderr, scratch.path());
    stderr
}

/// Synthesizes `app` into `out`, expecting success, with none of `secrets` on stdout or stderr (the
/// artifacts hold what the definition accepted). Returns the artifacts' text.
#[track_caller]
fn accepted<C>(app: &App<C>, out: &Path, secrets: &[&str]) -> String {
    let (code, stdout, stderr) = run(app, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    for secret in secrets {
        assert!(!leaks(secret, &stdout), "{secret} in stdout:\n{stdout}");
        assert!(!leaks(secret, &stderr), "{secret} in stderr:\n{stderr}");
    }
    files(out)
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// What every refusal of a literal secret says: where the way out is.
const ADVICE: &[&str] = &[
    "holds a literal secret",
    "manage_master_user_password(true)",
    "secretsmanager::Secret",
    "{{resolve:ssm-secure:NAME}}",
    ".allow_plaintext_secret(\"reason\")",
];

#[track_caller]
fn connection(id: &str, key: impl Into<stackwright::Expr>) -> events::Connection {
    events::Connection::new(id)
        .authorization_type(events::connection::AuthorizationType::ApiKey)
        .auth_parameters(
            events::connection::AuthParameters::new().api_key_auth_parameters(
                events::connection::ApiKeyAuthParameters::new(
                    events::connection::ApiKeyAuthParametersRequired {
                        api_key_name: "x-api-key".into(),
                        api_key_value: key.into(),
                    },
                ),
            ),
        )
}

#[track_caller]
fn function(id: &str, variables: Value) -> lambda::Function {
    lambda::Function::new(
        id,
        lambda::function::Code::new().zip_file("def handler(e, c): pass"),
        "arn:aws:iam::123456789012:role/worker",
    )
    .runtime(lambda::function::Runtime::Python312)
    .handler("index.handler")
    .environment(lambda::function::Environment::new().variables(variables))
}

fn map(entries: &[(&str, Value)]) -> Value {
    crate::support::map(entries)
}

/// An ECS task whose container has `{Name, Value}` environment variables, as a raw resource (in
/// Terraform the container definitions are JSON text).
#[track_caller]
fn task(id: &str, password: &str) -> cfn::Raw {
    let definitions = serde_json::json!([{"name": "app", "image": "public.ecr.aws/nginx/nginx:latest",
        "environment": [{"name": "DB_HOST", "value": "db.internal"}, {"name": "DB_PASSWORD", "value": password}]}]);
    cfn::Raw::new(
        id,
        "AWS::ECS::TaskDefinition",
        map(&[(
            "ContainerDefinitions",
            Value::List(vec![map(&[
                ("Name", "app".into()),
                ("Image", "public.ecr.aws/nginx/nginx:latest".into()),
                (
                    "Environment",
                    Value::List(vec![
                        map(&[("Name", "DB_HOST".into()), ("Value", "db.internal".into())]),
                        map(&[("Name", "DB_PASSWORD".into()), ("Value", password.into())]),
                    ]),
                ),
            ])]),
        )]),
    )
    .terraform(
        "aws_ecs_task_definition",
        map(&[
            ("family", "app".into()),
            ("container_definitions", definitions.to_string().into()),
        ]),
    )
}

/// The validation of a generated builder's write-only property (the example: an
/// `AWS::Events::Connection` API key over its 512 characters) gives the value's length, not its first
/// characters; so does the schema check of a provider-`sensitive` Terraform attribute.
#[test]
fn a_validation_error_about_a_secret_gives_its_shape() {
    let secret: String = format!("sk-live-{}", "Zq8vX1pW".repeat(100));
    let key = secret.clone();
    let at = line_below(2);
    let app = one_stack(move |s| {
        s.add(connection("Hook", key.as_str()).allow_plaintext_secret("a test of the error"));
    });
    refused(
        &app,
        &[
            "`AWS::Events::Connection` `Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyValue`: \
             a string of 808 characters, expected at most 512",
            &at,
        ],
        &[&secret],
    );

    let secret = "tf-sensitive-Rk3m9QxT";
    let app = one_stack(move |s| {
        s.add(tf::Raw::new(
            "Param",
            "aws_ssm_parameter",
            map(&[
                ("name", "/app/plain".into()),
                ("type", "String".into()),
                ("value", Value::List(vec![secret.into()])),
            ]),
        ));
    });
    refused(
        &app,
        &["`aws_ssm_parameter` `value`: expected string, found a list of 1 item"],
        &[secret],
    );
}

/// `plan` hides, in every format, the values of write-only properties of a generated builder, of
/// secret-named environment variables (a generated Lambda function's map, a raw ECS task's
/// `{Name, Value}` pairs) and of a hand-written SSM parameter named as a secret, while showing the plain
/// changes beside them.
#[test]
fn plan_hides_write_only_and_secret_named_values_in_every_format() {
    let app = |n: &'static str| {
        one_stack(move |s| {
            s.add(
                connection("Hook", format!("apikey-{n}-Wq7Ty2Lp"))
                    .allow_plaintext_secret("a test of plan"),
            );
            s.add(
                function(
                    "Api",
                    map(&[
                        ("API_TOKEN", format!("token-{n}-Hs4Kd8Zm").into()),
                        ("apiKey", format!("camelkey-{n}-Bv6Nc1Xr").into()),
                        ("DB_HOST", format!("host-{n}.internal").into()),
                    ]),
                )
                .allow_plaintext_secret("a test of plan"),
            );
            s.add(
                task("Task", &format!("ecspw-{n}-Jf2Gh5Qs"))
                    .allow_plaintext_secret("a test of plan"),
            );
            s.add(
                ssm::Parameter::string("Db", "/app/db/password", format!("ssmpw-{n}-Pm3Lx9Vk"))
                    .allow_plaintext_secret("a test of plan"),
            );
        })
    };
    let secrets = |n: &str| {
        [
            format!("apikey-{n}-Wq7Ty2Lp"),
            format!("token-{n}-Hs4Kd8Zm"),
            format!("camelkey-{n}-Bv6Nc1Xr"),
            format!("ecspw-{n}-Jf2Gh5Qs"),
            format!("ssmpw-{n}-Pm3Lx9Vk"),
        ]
    };
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let old: Vec<String> = secrets("old").into();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let written = accepted(&app("old"), &out, &old);
    // Accepted, the literals are in the artifacts: that is what allow_plaintext_secret accepts.
    assert!(written.contains("token-old-Hs4Kd8Zm"));
    let before = files(&out);
    let new: Vec<String> = secrets("new").into();
    let all: Vec<&str> = old
        .iter()
        .copied()
        .chain(new.iter().map(String::as_str))
        .collect();
    for format in ["human", "markdown", "json"] {
        let (code, stdout, stderr) = run(
            &app("new"),
            &["plan", "--against", out_arg, "--format", format],
        );
        assert_eq!(code, 2, "{format}: {stdout}\n{stderr}");
        for secret in &all {
            assert!(
                !leaks(secret, &stdout),
                "{format}: {secret} in stdout:\n{stdout}"
            );
            assert!(
                !leaks(secret, &stderr),
                "{format}: {secret} in stderr:\n{stderr}"
            );
        }
        // The plain change beside them shows, and so does each secret's change, hidden.
        assert!(stdout.contains("host-new.internal"), "{format}: {stdout}");
        for path in [
            "ApiKeyValue",
            "API_TOKEN",
            "apiKey",
            "Environment",
            "container_definitions",
        ] {
            assert!(
                stdout.contains(path),
                "{format}: {path} missing in {stdout}"
            );
        }
        assert!(stdout.contains("(sensitive)"), "{format}: {stdout}");
    }
    // `plan` writes nothing.
    assert_eq!(files(&out), before);
}

/// A literal in a generated builder's write-only property named as a secret is refused at the line that
/// declared it; `allow_plaintext_secret` accepts it; a reference is fine.
#[test]
fn a_literal_secret_in_a_generated_builder_is_refused_unless_accepted() {
    let secret = "sk-live-Gx5Rt8Wq2Lm";
    let at = line_below(2);
    let app = one_stack(move |s| {
        s.add(connection("Hook", secret));
    });
    let stderr = refused(
        &app,
        &[
            "`AWS::Events::Connection` `AuthParameters.ApiKeyAuthParameters.ApiKeyValue` holds a literal \
             secret (a string of 19 characters)",
            &at,
        ],
        &[secret],
    );
    for advice in ADVICE {
        assert!(stderr.contains(advice), "missing `{advice}` in:\n{stderr}");
    }
    // Reported once, though both targets find it.
    assert_eq!(
        stderr.matches("holds a literal secret").count(),
        1,
        "{stderr}"
    );

    let scratch = tempfile::tempdir().unwrap();
    let app = one_stack(move |s| {
        s.add(connection("Hook", secret).allow_plaintext_secret("a sandbox key, revoked daily"));
    });
    accepted(&app, &scratch.path().join("out"), &[secret]);

    let app = one_stack(|s| {
        s.add(connection(
            "Hook",
            "{{resolve:secretsmanager:hook-key:SecretString:key}}",
        ));
    });
    // A tree of its own: beside the first, it would share its Terraform state.
    accepted(&app, &scratch.path().join("second/out"), &[]);

    let app = one_stack(|s| {
        s.add(connection("Hook", "x").allow_plaintext_secret(" "));
    });
    refused(&app, &["allow_plaintext_secret has no reason"], &[]);
}

/// A secret-named environment variable holding a literal is refused: a generated Lambda function's
/// `Variables` map and a raw ECS task's `{Name, Value}` pairs; plain names and references are fine.
#[test]
fn a_literal_secret_named_environment_variable_is_refused_unless_accepted() {
    let token = "tok-Yh7Vb3Nq9Kd";
    let at = line_below(2);
    let app = one_stack(move |s| {
        s.add(function(
            "Api",
            map(&[("API_TOKEN", token.into()), ("TABLE_NAME", "orders".into())]),
        ));
    });
    refused(
        &app,
        &[
            "`AWS::Lambda::Function` `Environment.Variables.API_TOKEN` holds a literal secret",
            &at,
        ],
        &[token],
    );

    let password = "pw-Cz4Mx8Tr1Fs";
    let app = one_stack(move |s| {
        s.add(task("Task", password));
    });
    refused(
        &app,
        &["`AWS::ECS::TaskDefinition` `ContainerDefinitions.0.Environment.1.Value` holds a literal \
           secret (a string of 14 characters, the value of `DB_PASSWORD`)"],
        &[password],
    );

    let scratch = tempfile::tempdir().unwrap();
    let app = one_stack(move |s| {
        s.add(task("Task", password).allow_plaintext_secret("a throwaway database in CI"));
        s.add(
            function("Api", map(&[("API_TOKEN", token.into())]))
                .allow_plaintext_secret("a public demo token"),
        );
    });
    accepted(&app, &scratch.path().join("out"), &[password, token]);

    // The secret's ARN, read at run time: a reference, and named as one.
    let app = one_stack(|s| {
        let secret = s.add(secretsmanager::Secret::generated("ApiToken"));
        s.add(function(
            "Api",
            map(&[
                ("API_TOKEN_SECRET_ARN", Value::Str(secret.arn())),
                ("API_TOKEN", Value::Str(secret.arn())),
            ]),
        ));
    });
    // A tree of its own: beside the first, it would share its Terraform state.
    accepted(&app, &scratch.path().join("second/out"), &[]);
}

/// A literal default of a `no_echo` parameter, or of one whose id names a secret, is refused at the
/// parameter's line; `no_echo` lowers to `NoEcho` and `sensitive`.
#[test]
fn a_literal_default_of_a_secret_parameter_is_refused_unless_accepted() {
    let secret = "dflt-Qw2Er4Ty6Ui";
    let at = line_below(2);
    let app = one_stack(move |s| {
        s.add_parameter(Parameter::string("Token").no_echo().default_value(secret));
        s.add(ssm::Parameter::string("P", "/app/plain", "x"));
    });
    refused(
        &app,
        &[
            "parameter `Token` is `no_echo` but has a literal default (a string of 16 characters)",
            &at,
            "remove the default and give the value at deploy time",
        ],
        &[secret],
    );
    let app = one_stack(move |s| {
        s.add_parameter(Parameter::string("DbPassword").default_value(secret));
        s.add(ssm::Parameter::string("P", "/app/plain", "x"));
    });
    refused(&app, &["parameter `DbPassword` names a secret"], &[secret]);

    let scratch = tempfile::tempdir().unwrap();
    let app = one_stack(move |s| {
        let token = s.add_parameter(
            Parameter::string("Token")
                .no_echo()
                .default_value(secret)
                .allow_plaintext_secret("a placeholder CI replaces at deploy time"),
        );
        s.add(ssm::Parameter::string("P", "/app/plain", token.value()));
    });
    let written = accepted(&app, &scratch.path().join("out"), &[secret]);
    assert!(written.contains("\"NoEcho\": true"), "{written}");
    assert!(written.contains("\"sensitive\": true"), "{written}");

    let app = one_stack(|s| {
        s.add_parameter(Parameter::string("Token").no_echo());
        s.add_parameter(Parameter::string("Other").allow_plaintext_secret(""));
        s.add(ssm::Parameter::string("P", "/app/plain", "x"));
    });
    refused(&app, &["allow_plaintext_secret has no reason"], &[]);
}

/// An SSM `String` parameter whose name names a secret, or whose value is JSON with a secret-named key,
/// is refused: a hand-written builder, a raw Terraform resource, and an override.
#[test]
fn a_literal_secret_in_an_ssm_parameter_raw_resource_or_override_is_refused_unless_accepted() {
    let secret = "ssm-Lp0Ok9Ij8Uh";
    let at = line_below(2);
    let app = one_stack(move |s| {
        s.add(ssm::Parameter::string("Db", "/app/db/password", secret));
    });
    refused(
        &app,
        &[
            "`aws.ssm.Parameter` `value` holds a literal secret (a string of 15 characters, the value of \
             `/app/db/password`)",
            &at,
        ],
        &[secret],
    );
    let json = format!("{{\"username\": \"app\", \"password\": \"{secret}\"}}");
    let text = json.clone();
    let app = one_stack(move |s| {
        s.add(ssm::Parameter::string(
            "Db",
            "/app/db/config",
            text.as_str(),
        ));
    });
    refused(&app, &["JSON text with `password`"], &[secret]);

    let app = one_stack(move |s| {
        s.add(tf::Raw::new(
            "Db",
            "aws_db_instance",
            map(&[
                ("engine", "postgres".into()),
                ("instance_class", "db.t4g.micro".into()),
                ("password", secret.into()),
            ]),
        ));
    });
    refused(
        &app,
        &["`aws_db_instance` `password` holds a literal secret"],
        &[secret],
    );

    let at = line_below(4);
    let app = one_stack(move |s| {
        s.add(
            secretsmanager::Secret::generated("Api")
                .override_cloudformation("Properties.SecretString", secret),
        );
    });
    refused(
        &app,
        &[
            "cloudformation override `Properties.SecretString` holds a literal secret",
            &at,
        ],
        &[secret],
    );

    let scratch = tempfile::tempdir().unwrap();
    let app = one_stack(move |s| {
        s.add(
            ssm::Parameter::string("Db", "/app/db/password", secret)
                .allow_plaintext_secret("a local test database"),
        );
        s.add(
            ssm::Parameter::string("Config", "/app/db/config", json.as_str())
                .allow_plaintext_secret("a local test database"),
        );
    });
    accepted(&app, &scratch.path().join("out"), &[secret]);
}

/// A parameter named as a secret holds one whether or not it says `no_echo()`: CloudFormation gets
/// `NoEcho`, Terraform `sensitive`, so neither the console nor a plan in a CI log shows its value.
#[test]
fn a_parameter_named_as_a_secret_is_no_echo_and_sensitive() {
    let app = one_stack(|s| {
        s.add_parameter(Parameter::string("DbPassword"));
        s.add_parameter(Parameter::string("ImageId"));
        s.add(ssm::Parameter::string("Marker", "/app/marker", "v1"));
    });
    let artifacts = crate::support::artifacts(&app);
    let template = artifacts
        .iter()
        .find(|(path, _)| path.starts_with("cloudformation/"))
        .unwrap()
        .1;
    assert_eq!(template["Parameters"]["DbPassword"]["NoEcho"], true);
    assert!(template["Parameters"]["ImageId"].get("NoEcho").is_none());
    let module = artifacts
        .iter()
        .find(|(path, _)| path.starts_with("terraform/"))
        .unwrap()
        .1;
    assert_eq!(module["variable"]["db_password"]["sensitive"], true);
    assert!(module["variable"]["image_id"].get("sensitive").is_none());
}

/// Tags are in both artifacts and in every console: a tag keyed as a secret, or a URL with a password,
/// is refused like any other literal secret; an ordinary tag is not.
#[test]
fn a_literal_secret_in_a_tag_is_refused_unless_accepted() {
    let secret = "tag-Qw3Er5Ty7Ui";
    let at = line_below(3);
    let app = one_stack(move |s| {
        s.add(
            ssm::Parameter::string("Db", "/app/db/host", "db.internal")
                .tag("DbPassword", secret)
                .tag("Team", "data"),
        );
    });
    let stderr = refused(
        &app,
        &[
            "`aws.ssm.Parameter` tag `DbPassword` holds a literal secret",
            &at,
        ],
        &[secret],
    );
    assert!(!stderr.contains("Team"), "{stderr}");
    let url = format!("postgres://app:{secret}@db.internal/app");
    let app = one_stack(move |s| {
        s.add(
            ssm::Parameter::string("Db", "/app/db/host", "db.internal").tag("Source", url.as_str()),
        );
    });
    refused(&app, &["a URL with a password"], &[secret]);

    let scratch = tempfile::tempdir().unwrap();
    let app = one_stack(move |s| {
        s.add(
            ssm::Parameter::string("Db", "/app/db/host", "db.internal")
                .tag("DbPassword", secret)
                .allow_plaintext_secret("a local test database"),
        );
    });
    accepted(&app, &scratch.path().join("out"), &[secret]);
}
