//! Every command line Stackwright prints (the deploy and teardown commands of `list` and `plan`), built
//! in one place as typed words and rendered from them, never by `format!` at a call site.
//!
//! A command is a list of programs (`terraform init`, then `terraform apply`), each an argument vector,
//! with the AWS account whose credentials it needs. It renders three ways:
//! - [`Command::shell`]: for a POSIX shell, the programs joined by `&&`, every value quoted by `shlex`
//!   (so `--out 'a;$(touch X)'` stays one word); our own words (`aws`, `--region`, `-chdir=`) are not
//!   quoted, which keeps the usual command readable;
//! - [`Command::argv`]: the argument vectors, for a runner without a shell (`list --format json`);
//! - [`Command::human`]: the shell form and, as a shell comment, the account, so that the whole line
//!   pastes as it is.
//!
//! Values come from the definition or a manifest, both checked by the same rules (names, account, region,
//! artifact layout), and from `--out`/`--against`, which may hold any printable text (spaces, quotes,
//! `;`, `$(..)`, backticks): NUL, control characters and bytes that are not UTF-8 are refused when the
//! arguments are parsed ([`path_argument`]), so that every command prints on one line, exactly.

use stackwright_synth::artifact::{Artifact, Target};

/// CloudFormation's limit for a template passed inline; larger ones must go through S3.
pub(crate) const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// The environment variable the deploy command of a template over [`INLINE_TEMPLATE_LIMIT`] reads.
const S3_BUCKET: Variable = Variable {
    name: "S3_BUCKET",
    meaning:
        "the S3 bucket aws cloudformation deploy uploads the template to (it is over 51,200 bytes)",
};

/// The environment variable the execution of a stack refactor reads.
const STACK_REFACTOR_ID: Variable = Variable {
    name: "STACK_REFACTOR_ID",
    meaning:
        "the id create-stack-refactor printed, once describe-stack-refactor says CREATE_COMPLETE",
};

/// A value the user provides when running the command, through an environment variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Variable {
    /// Its name: the shell form reads `"$NAME"`; in the argument vectors the element is `$NAME`, to
    /// substitute.
    pub name: &'static str,
    /// What it must hold.
    pub meaning: &'static str,
}

/// A piece of one word of a command.
#[derive(Clone, Debug)]
enum Part {
    /// Our own text (a program, a subcommand, an option): printed as it is.
    Ours(&'static str),
    /// A value: quoted for the shell.
    Value(String),
    /// A value the user provides (see [`Variable`]).
    Variable(Variable),
}

/// One argument: the concatenation of its parts (`-chdir=` then a directory).
#[derive(Clone, Debug)]
struct Word(Vec<Part>);

impl Word {
    fn ours(text: &'static str) -> Word {
        Word(vec![Part::Ours(text)])
    }

    fn value(value: impl Into<String>) -> Word {
        Word(vec![Part::Value(value.into())])
    }

    fn option(option: &'static str, value: impl Into<String>) -> Word {
        Word(vec![Part::Ours(option), Part::Value(value.into())])
    }

    fn shell(&self) -> String {
        self.0
            .iter()
            .map(|part| match part {
                Part::Ours(text) => (*text).to_owned(),
                Part::Value(value) => shlex::try_quote(value)
                    .expect(
                        "no value holds a NUL byte: path arguments with one are refused when parsed \
                         (`path_argument`), and every other value follows the definition's rules",
                    )
                    .into_owned(),
                Part::Variable(v) => format!("\"${}\"", v.name),
            })
            .collect()
    }

    fn argument(&self) -> String {
        self.0
            .iter()
            .map(|part| match part {
                Part::Ours(text) => (*text).to_owned(),
                Part::Value(value) => value.clone(),
                Part::Variable(v) => format!("${}", v.name),
            })
            .collect()
    }
}

/// A command to run with credentials for one AWS account: programs run one after the other, each once
/// the one before succeeded.
#[derive(Clone, Debug)]
pub(crate) struct Command {
    programs: Vec<Vec<Word>>,
    /// The account whose credentials it needs.
    pub account: String,
}

impl Command {
    /// The command that deploys an artifact (`path`: its path, output directory included).
    pub(crate) fn deploy(app: &str, a: &Artifact, path: &str) -> Command {
        let programs = match a.target {
            Target::CloudFormation => {
                let mut words = vec![
                    Word::ours("aws"),
                    Word::ours("cloudformation"),
                    Word::ours("deploy"),
                    Word::ours("--template-file"),
                    Word::value(path),
                    Word::ours("--stack-name"),
                    Word::value(stackwright_cloudformation::stack_name(
                        app,
                        &a.environment,
                        &a.stack,
                    )),
                    Word::ours("--region"),
                    Word::value(&a.region),
                ];
                if !a.capabilities.is_empty() {
                    words.push(Word::ours("--capabilities"));
                    words.extend(a.capabilities.iter().map(|c| Word::value(*c)));
                }
                if a.size() > INLINE_TEMPLATE_LIMIT {
                    words.push(Word::ours("--s3-bucket"));
                    words.push(Word(vec![Part::Variable(S3_BUCKET)]));
                }
                vec![words]
            }
            Target::Terraform => terraform(path, "apply"),
        };
        Command {
            programs,
            account: a.account.clone(),
        }
    }

    /// The commands that deploy a step's template as a stack refactor (CloudFormation moves resources to
    /// their new logical ids without replacing them): `create-stack-refactor` of the stack definitions
    /// and resource mappings files (`definitions`, `mappings`: their paths, output directory included),
    /// which prints the refactor's id; then `execute-stack-refactor` of that id. A refactor `across`
    /// stacks may create its destination stack (`--enable-stack-creation`).
    pub(crate) fn refactor(
        a: &Artifact,
        definitions: &str,
        mappings: &str,
        across: bool,
    ) -> (Command, Command) {
        let mut create = vec![
            Word::ours("aws"),
            Word::ours("cloudformation"),
            Word::ours("create-stack-refactor"),
            Word::ours("--stack-definitions"),
            Word::option("file://", definitions),
            Word::ours("--resource-mappings"),
            Word::option("file://", mappings),
            Word::ours("--region"),
            Word::value(&a.region),
            Word::ours("--query"),
            Word::ours("StackRefactorId"),
            Word::ours("--output"),
            Word::ours("text"),
        ];
        if across {
            create.insert(7, Word::ours("--enable-stack-creation"));
        }
        let execute = vec![
            Word::ours("aws"),
            Word::ours("cloudformation"),
            Word::ours("execute-stack-refactor"),
            Word::ours("--stack-refactor-id"),
            Word(vec![Part::Variable(STACK_REFACTOR_ID)]),
            Word::ours("--region"),
            Word::value(&a.region),
        ];
        (
            Command {
                programs: vec![create],
                account: a.account.clone(),
            },
            Command {
                programs: vec![execute],
                account: a.account.clone(),
            },
        )
    }

    /// The command that tears down one deployed artifact (`path`: its path, output directory included).
    pub(crate) fn teardown(
        app: &str,
        target: Target,
        environment: &str,
        stack: &str,
        account: &str,
        region: &str,
        path: &str,
    ) -> Command {
        let programs = match target {
            Target::CloudFormation => vec![vec![
                Word::ours("aws"),
                Word::ours("cloudformation"),
                Word::ours("delete-stack"),
                Word::ours("--stack-name"),
                Word::value(stackwright_cloudformation::stack_name(
                    app,
                    environment,
                    stack,
                )),
                Word::ours("--region"),
                Word::value(region),
            ]],
            Target::Terraform => terraform(path, "destroy"),
        };
        Command {
            programs,
            account: account.to_owned(),
        }
    }

    /// The command that publishes a code asset to one environment's asset bucket (an image: its image
    /// repository, `image`), before that environment's first deploy wave: `aws s3 cp <zip>
    /// s3://<bucket>/<key> --sse AES256 --region <region>`
    /// (`path`: the zip's path, output directory included). Server-side encryption is asked for
    /// explicitly, so that a bucket policy that requires it accepts the upload; the key is the zip's
    /// sha256, so publishing again is harmless.
    pub(crate) fn publish_asset(
        path: &str,
        destination: &stackwright_tree::manifest::AssetDestination,
        image: bool,
    ) -> Command {
        if image {
            return Command::publish_image(path, destination);
        }
        Command {
            programs: vec![vec![
                Word::ours("aws"),
                Word::ours("s3"),
                Word::ours("cp"),
                Word::value(path),
                Word(vec![
                    Part::Ours("s3://"),
                    Part::Value(destination.bucket.clone()),
                    Part::Ours("/"),
                    Part::Value(destination.key.clone()),
                ]),
                Word::ours("--sse"),
                Word::ours("AES256"),
                Word::ours("--region"),
                Word::value(&destination.region),
            ]],
            account: destination.account.clone(),
        }
    }

    /// The command that publishes an image asset (an OCI archive in the tree) to one environment's image
    /// repository, tagged with its manifest's digest: `skopeo copy --preserve-digests oci-archive:<tar>
    /// docker://<repository>:<tag>`, once skopeo is logged in to the registry (`aws ecr
    /// get-login-password --region <region> | skopeo login --username AWS --password-stdin <registry>`,
    /// kept out of the command so that no password is in a command line). Tags are immutable and name
    /// the content, so publishing again is harmless.
    fn publish_image(
        path: &str,
        destination: &stackwright_tree::manifest::AssetDestination,
    ) -> Command {
        Command {
            programs: vec![vec![
                Word::ours("skopeo"),
                Word::ours("copy"),
                Word::ours("--preserve-digests"),
                Word(vec![
                    Part::Ours("oci-archive:"),
                    Part::Value(path.to_owned()),
                ]),
                Word(vec![
                    Part::Ours("docker://"),
                    Part::Value(destination.bucket.clone()),
                    Part::Ours(":"),
                    Part::Value(destination.key.clone()),
                ]),
            ]],
            account: destination.account.clone(),
        }
    }

    /// For a POSIX shell: every value quoted, the programs joined by ` && `; no comment (see
    /// [`Command::human`]).
    pub(crate) fn shell(&self) -> String {
        self.programs
            .iter()
            .map(|words| words.iter().map(Word::shell).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" && ")
    }

    /// The argument vectors (program first), to run in order, each once the one before succeeded.
    pub(crate) fn argv(&self) -> Vec<Vec<String>> {
        self.programs
            .iter()
            .map(|words| words.iter().map(Word::argument).collect())
            .collect()
    }

    /// The values the user provides through environment variables (for a template over 51,200 bytes, its
    /// S3 bucket).
    pub(crate) fn variables(&self) -> Vec<Variable> {
        let mut found = Vec::new();
        for part in self.programs.iter().flatten().flat_map(|w| &w.0) {
            if let Part::Variable(v) = part {
                if !found.contains(v) {
                    found.push(*v);
                }
            }
        }
        found
    }

    /// As `list` and `plan` print it: [`Command::shell`], then a shell comment with the account it needs
    /// credentials for (and the variables it reads), so that the whole text pastes into a shell.
    pub(crate) fn human(&self) -> String {
        let mut text = format!(
            "{}  # with credentials for account {}",
            self.shell(),
            self.account.escape_debug()
        );
        for v in self.variables() {
            text.push_str(&format!("; {}: {}", v.name, v.meaning));
        }
        text
    }

    /// For `plan`, which carries commands without building them.
    pub(crate) fn to_plan(&self) -> stackwright_plan::CommandLine {
        stackwright_plan::CommandLine {
            shell: self.shell(),
            argv: self.argv(),
            account: self.account.clone(),
        }
    }

    /// For `list --format json`: `{"<name>": shell, "<name>_argv": argv}`, and `"<name>_variables":
    /// {NAME: meaning}` when it reads any, added to `entry`.
    pub(crate) fn add_to(&self, entry: &mut serde_json::Value, name: &str) {
        entry[name] = self.shell().into();
        entry[format!("{name}_argv")] = serde_json::json!(self.argv());
        let variables = self.variables();
        if !variables.is_empty() {
            let map: serde_json::Map<String, serde_json::Value> = variables
                .iter()
                .map(|v| (v.name.to_owned(), v.meaning.into()))
                .collect();
            entry[format!("{name}_variables")] = map.into();
        }
    }
}

/// `terraform -chdir=DIR init && terraform -chdir=DIR {action}`, for the module at `path`.
fn terraform(path: &str, action: &'static str) -> Vec<Vec<Word>> {
    let dir = stackwright_tree::fields::module_directory(path);
    ["init", action]
        .into_iter()
        .map(|step| {
            vec![
                Word::ours("terraform"),
                Word::option("-chdir=", dir),
                Word::ours(step),
            ]
        })
        .collect()
}

/// Checks a path argument (`--out`, `--against`): the commands, listings and JSON that name it must name
/// it exactly and on one line. So it is refused when it holds a NUL byte (no path can), when it is not
/// UTF-8 (it could not be printed as it is), or when it holds a control character: quoted, a newline
/// stays a newline, and a value spanning lines can show a line that looks like a command of its own (a
/// forged `deploy:` line), or move the terminal's cursor.
pub(crate) fn path_argument(value: std::ffi::OsString) -> Result<std::path::PathBuf, String> {
    use std::os::unix::ffi::OsStrExt;
    let shown = value.to_string_lossy().escape_debug().to_string();
    if value.as_bytes().contains(&0) {
        return Err(format!(
            "`{shown}` holds a NUL byte, which no path can hold"
        ));
    }
    let Some(text) = value.to_str() else {
        return Err(format!(
            "`{shown}` is not UTF-8 (shown with U+FFFD where it is not): the commands and JSON that name \
             this directory could not name it as it is; choose a UTF-8 name"
        ));
    };
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(format!(
            "`{shown}` holds the control character `{}`: the commands and listings that name this \
             directory must name it on one line, where a newline or an escape sequence could forge or hide \
             output; choose a name without one",
            c.escape_debug()
        ));
    }
    // `-dir/...` in a printed command would be read as an option by the engine's argument parser
    // (`--template-file -dir/...`): the same directory, spelled so that it cannot be one.
    if text.starts_with('-') {
        return Ok(std::path::Path::new(".").join(text));
    }
    Ok(value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_starts_with_a_dash_is_spelled_so_that_it_cannot_be_an_option() {
        assert_eq!(
            path_argument("-dash".into()).unwrap(),
            std::path::Path::new("./-dash")
        );
        assert_eq!(
            path_argument("out".into()).unwrap(),
            std::path::Path::new("out")
        );
    }

    fn module(path: &str) -> Command {
        Command::teardown(
            "app",
            Target::Terraform,
            "dev",
            "web",
            "123456789012",
            "us-west-2",
            path,
        )
    }

    #[test]
    fn plain_values_stay_readable() {
        let c = module("out/terraform/dev/web/main.tf.json");
        assert_eq!(
            c.shell(),
            "terraform -chdir=out/terraform/dev/web init && terraform -chdir=out/terraform/dev/web destroy"
        );
        assert_eq!(
            c.human(),
            format!("{}  # with credentials for account 123456789012", c.shell())
        );
        assert_eq!(
            c.argv(),
            [
                ["terraform", "-chdir=out/terraform/dev/web", "init"],
                ["terraform", "-chdir=out/terraform/dev/web", "destroy"]
            ]
        );
    }

    #[test]
    fn hostile_values_are_one_quoted_word() {
        let c = module("my out;$(touch X)`id`'\"\n/terraform/dev/web/main.tf.json");
        let shell = c.shell();
        let words = shlex::split(&shell).unwrap();
        let dir = "-chdir=my out;$(touch X)`id`'\"\n/terraform/dev/web";
        assert_eq!(
            words,
            ["terraform", dir, "init", "&&", "terraform", dir, "destroy"]
        );
        assert_eq!(c.argv()[1], ["terraform", dir, "destroy"]);
    }

    #[test]
    fn a_large_template_reads_its_bucket_from_a_variable() {
        let artifact = Artifact {
            environment: "dev".into(),
            account: "123456789012".into(),
            region: "us-west-2".into(),
            stack: "web".into(),
            target: Target::CloudFormation,
            path: "cloudformation/dev/web.template.json".into(),
            resource_count: 1,
            bytes: vec![b' '; INLINE_TEMPLATE_LIMIT + 1],
            depends_on: Vec::new(),
            renames: Vec::new(),
            capabilities: vec!["CAPABILITY_IAM"],
            removed: false,
            targets: None,
            listed: None,
            deployed_by: None,
        };
        // As `list` has it: no bytes, the size counted.
        let listed = Artifact {
            bytes: Vec::new(),
            listed: Some(stackwright_synth::artifact::Listed {
                size: INLINE_TEMPLATE_LIMIT + 1,
                backend: None,
            }),
            ..artifact.clone()
        };
        let path = "o u t/cloudformation/dev/web.template.json";
        assert_eq!(
            Command::deploy("app", &listed, path).shell(),
            Command::deploy("app", &artifact, path).shell()
        );
        let c = Command::deploy(
            "app",
            &artifact,
            "o u t/cloudformation/dev/web.template.json",
        );
        assert_eq!(
            c.shell(),
            "aws cloudformation deploy --template-file 'o u t/cloudformation/dev/web.template.json' \
             --stack-name app-dev-web --region us-west-2 --capabilities CAPABILITY_IAM --s3-bucket \"$S3_BUCKET\""
        );
        assert_eq!(c.argv()[0].last().unwrap(), "$S3_BUCKET");
        assert_eq!(c.variables(), [S3_BUCKET]);
        assert!(c.human().ends_with(
            "  # with credentials for account 123456789012; S3_BUCKET: the S3 bucket aws cloudformation \
             deploy uploads the template to (it is over 51,200 bytes)"
        ));
    }

    #[test]
    fn a_path_argument_that_cannot_be_printed_on_one_line_is_refused() {
        use std::os::unix::ffi::OsStrExt;
        let refused =
            |bytes: &[u8]| path_argument(std::ffi::OsStr::from_bytes(bytes).into()).unwrap_err();
        assert_eq!(
            refused(b"a\0b"),
            "`a\\0b` holds a NUL byte, which no path can hold"
        );
        assert!(refused(b"a\xffb").starts_with("`a\u{fffd}b` is not UTF-8"));
        assert!(refused(b"new\ndeploy: rm -rf ~")
            .starts_with("`new\\ndeploy: rm -rf ~` holds the control character `\\n`"));
        assert!(refused(b"a\x1b[2Jb").contains("control character `\\u{1b}`"));
        let fine = "my out;$(touch X) `id` 'q' \"dq\" é";
        assert_eq!(path_argument(fine.into()), Ok(fine.into()));
    }
}
