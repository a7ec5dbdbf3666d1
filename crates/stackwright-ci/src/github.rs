//! The GitHub Actions workflow.

use crate::{
    shell, yaml, Batch, Options, Rollout, Target, ALLOW_DATA_LOSS_LABEL, BASE_CHECKOUT,
    PLAN_COMMENT_MARKER,
};
use serde_json::{json, Map, Value};

const RUNNER: &str = "ubuntu-latest";
const CHECKOUT: &str = "actions/checkout@v4";
const AWS_CREDENTIALS: &str = "aws-actions/configure-aws-credentials@v4";
const SETUP_TERRAFORM: &str = "hashicorp/setup-terraform@v3";
/// The user whose comments the job's token (`GITHUB_TOKEN`) writes: the plan comment is looked for among
/// its comments only, so that a comment someone else starts with the marker is never overwritten.
const GITHUB_TOKEN_USER: &str = "github-actions[bot]";
/// GitHub: characters in a comment.
const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// The workflow's text (without the marker line).
pub(crate) fn workflow(rollout: &Rollout, options: &Options) -> String {
    let mut jobs = Map::new();
    jobs.insert("check".into(), check(rollout, options));
    // Only the deploy branch deploys or tears down: a dispatch on any other branch (anyone with write
    // access can run one on an unmerged branch) runs the check alone. The branch is checked to be
    // letters, digits and `-_./`, so it is safe in quotes.
    let on_branch = format!("github.ref == 'refs/heads/{}'", options.branch);
    let deploy_if = format!(
        "{on_branch} && (github.event_name == 'push' || (github.event_name == 'workflow_dispatch' && !inputs.teardown))"
    );
    chain(
        &mut jobs,
        rollout,
        &rollout.deploy,
        "deploy",
        &deploy_if,
        options,
    );
    let teardown_if =
        format!("{on_branch} && github.event_name == 'workflow_dispatch' && inputs.teardown");
    chain(
        &mut jobs,
        rollout,
        &rollout.teardown,
        "teardown",
        &teardown_if,
        options,
    );
    let document = json!({
        "name": format!("stackwright {}", rollout.app),
        "on": {
            "pull_request": {},
            "push": { "branches": [options.branch] },
            "workflow_dispatch": {
                "inputs": {
                    "teardown": {
                        "description": "Tear down the stacks removed from the definition (consumers first), \
                                        instead of deploying; then run `synth --destroyed ENV` and commit",
                        "type": "boolean",
                        "default": false,
                    }
                }
            },
        },
        "permissions": { "contents": "read" },
        "jobs": jobs,
    });
    yaml(&document)
}

/// Build, the committed artifacts and this workflow up to date; on a pull request, the plan against the
/// base branch's committed tree, posted as one comment, failing on data loss or a refused change unless
/// the label allows it.
fn check(rollout: &Rollout, options: &Options) -> Value {
    let run = |args: &[&str]| {
        let mut words = options.run.clone();
        words.extend(args.iter().map(|a| (*a).to_owned()));
        shell(&words)
    };
    let against = format!("{BASE_CHECKOUT}/{}", options.out);
    let mut ci = vec!["ci".to_owned(), "--check".to_owned()];
    ci.extend(options.ci_arguments.iter().cloned());
    let ci: Vec<&str> = ci.iter().map(String::as_str).collect();
    let (present, fallback) = crate::without_base_tree(&against);
    let plan = format!(
        "if {present}; then\n\
         \x20 set +e\n  {json} > plan.json\n  code=$?\n  {markdown} > plan.md\n  set -e\n\
         \x20 # plan: 0 no change, 2 changes, 3 data loss, 1 error\n\
         \x20 if [ \"$code\" = 1 ]; then echo '::error::plan failed'; exit 1; fi\n\
         else\n{fallback}\nfi\n\
         {{ printf '%s\\n' '{PLAN_COMMENT_MARKER}'; cat plan.md; }} > comment.md\n",
        json = run(&[
            "plan",
            "--target",
            options.target.name(),
            "--against",
            &against,
            "--format",
            "json"
        ]),
        markdown = run(&[
            "plan",
            "--target",
            options.target.name(),
            "--against",
            &against,
            "--format",
            "markdown"
        ]),
    );
    // The plan is cut to GitHub's limit already; the marker line may take it over, so the body is cut
    // at the limit, in characters (jq slices strings by code point).
    let comment = format!(
        "jq -n --rawfile body comment.md '{{body: $body[:{GITHUB_COMMENT_LIMIT}]}}' > comment.json\n\
         id=$(gh api \"repos/$GITHUB_REPOSITORY/issues/$PR/comments\" --paginate \
         --jq '.[] | select(.user.login == \"{GITHUB_TOKEN_USER}\" and (.body | startswith(\"{PLAN_COMMENT_MARKER}\"))) | .id' | head -n 1)\n\
         if [ -n \"$id\" ]; then\n  gh api -X PATCH \"repos/$GITHUB_REPOSITORY/issues/comments/$id\" --input comment.json >/dev/null\n\
         else\n  gh api \"repos/$GITHUB_REPOSITORY/issues/$PR/comments\" --input comment.json >/dev/null\nfi\n"
    );
    let gate = format!(
        "loss=$(jq -r '.data_loss' plan.json)\nrefused=$(jq -r '.summary.refused' plan.json)\n\
         if [ \"$loss\" = true ] || [ \"$refused\" != 0 ]; then\n\
         \x20 if [ \"$ALLOWED\" = true ]; then\n\
         \x20   echo '::warning::the plan loses data or has changes Terraform will refuse; allowed by the label {ALLOW_DATA_LOSS_LABEL}'\n\
         \x20 else\n\
         \x20   echo '::error::the plan loses data or has changes Terraform will refuse (see the comment); after review, add the label {ALLOW_DATA_LOSS_LABEL} to allow it'\n\
         \x20   exit 1\n\
         \x20 fi\nfi\n"
    );
    let pull_request = "github.event_name == 'pull_request'";
    let mut check = json!({
        "name": "build and check the committed artifacts",
        "runs-on": RUNNER,
        "permissions": { "contents": "read", "pull-requests": "write" },
        "steps": [
            { "uses": CHECKOUT },
            { "name": "build", "run": shell(&options.build) },
            {
                "name": "the committed artifacts are what the definition produces",
                "run": run(&["synth", "--check", "--out", &options.out]),
            },
            { "name": "this workflow is what `ci` generates", "run": run(&ci) },
            {
                "name": "check out the base branch's committed tree",
                "if": pull_request,
                "uses": CHECKOUT,
                "with": { "ref": "${{ github.event.pull_request.base.sha }}", "path": BASE_CHECKOUT },
            },
            { "name": "plan against the base branch", "if": pull_request, "run": plan },
            {
                "name": "post the plan as one comment",
                // A fork's token cannot comment.
                "if": "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository",
                "env": {
                    "GH_TOKEN": "${{ github.token }}",
                    "PR": "${{ github.event.pull_request.number }}",
                },
                "run": comment,
            },
            {
                "name": "fail on data loss or a refused change, unless allowed",
                "if": pull_request,
                "env": {
                    "ALLOWED": format!(
                        "${{{{ contains(github.event.pull_request.labels.*.name, '{ALLOW_DATA_LOSS_LABEL}') }}}}"
                    ),
                },
                "run": gate,
            },
        ],
    });
    // `synth --check` builds the Rust function assets: it needs the Lambda build tools.
    if let Some(install) = crate::lambda_build_tools(
        &rollout.rust_targets,
        "$RUNNER_TEMP/lambda-build",
        "echo \"$RUNNER_TEMP/lambda-build/bin\" >> \"$GITHUB_PATH\"",
    ) {
        if let Some(steps) = check["steps"].as_array_mut() {
            steps.insert(
                1,
                json!({ "name": "install the Lambda build tools (Rust function assets)", "run": install }),
            );
        }
    }
    check
}

/// Adds the batches as jobs, each after the one before (the first after `check`), so that at most
/// `max_parallel` jobs run at once and a failure stops every later one.
fn chain(
    jobs: &mut Map<String, Value>,
    rollout: &Rollout,
    batches: &[Batch],
    verb: &str,
    condition: &str,
    options: &Options,
) {
    let mut previous = "check".to_owned();
    for batch in batches {
        let id = if verb == "deploy" {
            format!("deploy-w{}-{}", batch.wave, batch.index)
        } else {
            format!("teardown-{}", batch.index)
        };
        let include: Vec<Value> = batch
            .units
            .iter()
            .map(|u| {
                json!({
                    "env": u.env,
                    "account": u.account,
                    "region": u.region,
                    "role": u.role,
                    "script": u.script,
                })
            })
            .collect();
        let title = if verb == "deploy" {
            format!("deploy wave {}", batch.wave)
        } else {
            "tear down removed stacks".to_owned()
        };
        let mut env = json!({});
        if options.target == Target::Terraform {
            env["TF_IN_AUTOMATION"] = "1".into();
            env["TF_INPUT"] = "0".into();
            let key = if verb == "deploy" {
                "TF_CLI_ARGS_apply"
            } else {
                "TF_CLI_ARGS_destroy"
            };
            env[key] = "-auto-approve".into();
        }
        if rollout.s3_bucket && verb == "deploy" {
            env["S3_BUCKET"] = "${{ vars.STACKWRIGHT_S3_BUCKET }}".into();
        }
        let mut steps = vec![json!({ "uses": CHECKOUT })];
        if options.target == Target::Terraform {
            steps.push(json!({ "uses": SETUP_TERRAFORM, "with": { "terraform_wrapper": false } }));
        }
        steps.push(json!({
            "uses": AWS_CREDENTIALS,
            "with": {
                "role-to-assume": "${{ matrix.role }}",
                "aws-region": "${{ matrix.region }}",
                "role-session-name": format!("stackwright-{verb}-${{{{ github.run_id }}}}"),
            },
        }));
        steps.push(json!({
            "name": verb,
            "env": { "STACKWRIGHT_SCRIPT": "${{ matrix.script }}" },
            "run": "bash -e -c \"$STACKWRIGHT_SCRIPT\"",
        }));
        let mut job = json!({
            "name": format!("{title} (${{{{ matrix.env }}}})"),
            "if": condition,
            "needs": previous,
            "runs-on": RUNNER,
            "permissions": { "contents": "read", "id-token": "write" },
        });
        if let Some(gate) = &batch.gate {
            job["environment"] = gate.clone().into();
        }
        job["concurrency"] = json!({
            "group": format!("stackwright-{}-${{{{ matrix.env }}}}", rollout.app),
            "cancel-in-progress": false,
        });
        job["strategy"] = json!({
            "fail-fast": false,
            "max-parallel": options.max_parallel,
            "matrix": { "include": include },
        });
        if env.as_object().is_some_and(|e| !e.is_empty()) {
            job["env"] = env;
        }
        job["steps"] = steps.into();
        jobs.insert(id.clone(), job);
        previous = id;
    }
}
