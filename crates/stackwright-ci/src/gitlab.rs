//! The GitLab CI pipeline.

use crate::{
    shell, yaml, Options, Rollout, Target, Unit, ALLOW_DATA_LOSS_LABEL, BASE_CHECKOUT,
    PLAN_COMMENT_MARKER,
};
use serde_json::{json, Map, Value};

const RUST_IMAGE: &str = "rust:1";
const TERRAFORM_IMAGE: &str = "hashicorp/terraform:1.9";
const AWS_CLI_IMAGE: &str = "amazon/aws-cli:2.22.0";
const TOOLS_IMAGE: &str = "alpine:3.20";
const MERGE_REQUEST: &str = "$CI_PIPELINE_SOURCE == \"merge_request_event\"";

/// The pipeline's text (without the marker line).
pub(crate) fn pipeline(rollout: &Rollout, options: &Options) -> String {
    let on_branch = format!("$CI_COMMIT_BRANCH == \"{}\"", options.branch);
    let mut stages = vec![json!("check"), json!("plan"), json!("plan-report")];
    let mut document = Map::new();
    document.insert(
        "workflow".into(),
        json!({ "rules": [ { "if": MERGE_REQUEST }, { "if": on_branch } ] }),
    );
    if options.target == Target::Terraform {
        document.insert(
            "variables".into(),
            json!({
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "TF_CLI_ARGS_apply": "-auto-approve",
                "TF_CLI_ARGS_destroy": "-auto-approve",
            }),
        );
    }
    let image = match options.target {
        Target::Terraform => TERRAFORM_IMAGE,
        Target::CloudFormation => AWS_CLI_IMAGE,
    };
    // Each deploy job exchanges its OIDC token for the role's credentials: the AWS CLI and Terraform's
    // AWS provider read AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE.
    document.insert(
        ".stackwright-aws".into(),
        json!({
            "image": { "name": image, "entrypoint": [""] },
            "interruptible": false,
            "dependencies": [],
            "id_tokens": { "STACKWRIGHT_ID_TOKEN": { "aud": "sts.amazonaws.com" } },
            "before_script": [
                "printf '%s' \"$STACKWRIGHT_ID_TOKEN\" > \"$CI_PROJECT_DIR/.stackwright-web-identity\"",
                "export AWS_WEB_IDENTITY_TOKEN_FILE=\"$CI_PROJECT_DIR/.stackwright-web-identity\" AWS_ROLE_SESSION_NAME=\"stackwright-$CI_JOB_ID\"",
            ],
        }),
    );
    let mut jobs = Map::new();
    check_jobs(&mut jobs, rollout, options);
    // Deploy: a stage per batch of at most `max_parallel` jobs, in wave order; a failed job stops every
    // later stage.
    let mut wave_units: Vec<(usize, &Unit)> = Vec::new();
    for batch in &rollout.deploy {
        wave_units.extend(batch.units.iter().map(|u| (batch.wave, u)));
    }
    let mut stage_of_wave: Vec<(usize, usize, Vec<&Unit>)> = Vec::new();
    for (wave, unit) in wave_units {
        match stage_of_wave.last_mut() {
            Some((w, _, units)) if *w == wave && units.len() < options.max_parallel => {
                units.push(unit)
            }
            Some((w, k, _)) if *w == wave => {
                let k = *k + 1;
                stage_of_wave.push((wave, k, vec![unit]));
            }
            _ => stage_of_wave.push((wave, 1, vec![unit])),
        }
    }
    for (wave, k, units) in &stage_of_wave {
        let stage = format!("deploy-w{wave}-{k}");
        stages.push(stage.clone().into());
        for unit in units {
            let mut job = aws_job(rollout, unit, &stage);
            job["rules"] =
                json!([ { "if": format!("$CI_COMMIT_BRANCH == \"{}\"", options.branch) } ]);
            if let Some(gate) = &unit.gate {
                job["environment"] = json!({ "name": gate, "action": "start" });
            }
            // The AWS CLI's image (Amazon Linux 2) has no skopeo package: a job that pushes images runs
            // in Alpine's, whose packages have both (the script installs them: `apk add`).
            if unit.pushes_images && options.target == Target::CloudFormation {
                job["image"] = json!({ "name": TOOLS_IMAGE, "entrypoint": [""] });
            }
            if rollout.s3_bucket {
                job["variables"]["S3_BUCKET"] = "$STACKWRIGHT_S3_BUCKET".into();
            }
            jobs.insert(format!("deploy w{wave} {}", unit.env), job);
        }
    }
    // Teardown: one manual job per environment with removed stacks, its stacks consumers first.
    if !rollout.teardown.is_empty() {
        stages.push("teardown".into());
    }
    for unit in rollout.teardown.iter().flat_map(|b| &b.units) {
        let mut job = aws_job(rollout, unit, "teardown");
        job["rules"] = json!([ {
            "if": format!("$CI_COMMIT_BRANCH == \"{}\"", options.branch),
            "when": "manual",
            "allow_failure": true,
        } ]);
        jobs.insert(format!("teardown {}", unit.env), job);
    }
    jobs.insert(
        "resource-groups".into(),
        resource_groups(rollout, &options.branch),
    );
    document.insert("stages".into(), stages.into());
    document.extend(jobs);
    yaml(&Value::Object(document))
}

/// The process mode each environment's resource group is given: jobs run in the order of their
/// pipelines, so that an older commit never deploys after a newer one (GitLab's default, `unordered`,
/// lets it).
pub(crate) const PROCESS_MODE: &str = "oldest_first";

/// The resource group of an environment's deploy and teardown jobs.
fn resource_group(rollout: &Rollout, env: &str) -> String {
    format!("stackwright-{}-{env}", rollout.app)
}

/// A job of the `check` stage, on the deploy branch, that gives every resource group of the pipeline
/// the process mode [`PROCESS_MODE`]. GitLab takes a resource group's process mode from its API only,
/// not from the YAML; the groups exist once the pipeline is created, before any deploy job waits for
/// one. It needs `STACKWRIGHT_GITLAB_TOKEN`; without it, or when the API refuses, the job ends with a
/// warning (exit code 3, allowed) and the groups keep their mode.
fn resource_groups(rollout: &Rollout, branch: &str) -> Value {
    let mut groups: Vec<String> = Vec::new();
    for unit in rollout
        .deploy
        .iter()
        .chain(&rollout.teardown)
        .flat_map(|b| &b.units)
    {
        let group = resource_group(rollout, &unit.env);
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    let script = format!(
        "if [ -z \"${{STACKWRIGHT_GITLAB_TOKEN:-}}\" ]; then\n\
         \x20 echo 'STACKWRIGHT_GITLAB_TOKEN is not set (a project access token with the api scope): the resource groups keep their process mode, by default unordered, in which an older commit may deploy after a newer one'\n\
         \x20 exit 3\n\
         fi\n\
         for group in {}; do\n\
         \x20 curl -fsS -X PUT --header \"PRIVATE-TOKEN: $STACKWRIGHT_GITLAB_TOKEN\" --data process_mode={PROCESS_MODE} \"$CI_API_V4_URL/projects/$CI_PROJECT_ID/resource_groups/$group\" >/dev/null || {{ echo \"cannot set the process mode of resource group $group to {PROCESS_MODE}: see the error above\"; exit 3; }}\n\
         done",
        shell(&groups)
    );
    json!({
        "stage": "check",
        "image": TOOLS_IMAGE,
        "rules": [ { "if": format!("$CI_COMMIT_BRANCH == \"{branch}\"") } ],
        "allow_failure": { "exit_codes": [3] },
        "script": [ "apk add --no-cache curl", script ],
    })
}

/// A job that runs `unit`'s script with its role, in its environment's resource group (one job per
/// environment at a time, across pipelines; later ones wait).
fn aws_job(rollout: &Rollout, unit: &Unit, stage: &str) -> Value {
    json!({
        "extends": ".stackwright-aws",
        "stage": stage,
        "resource_group": resource_group(rollout, &unit.env),
        "variables": {
            "AWS_ROLE_ARN": unit.role,
            "AWS_REGION": unit.region,
            "AWS_DEFAULT_REGION": unit.region,
        },
        "script": unit.script.lines().collect::<Vec<_>>(),
    })
}

/// `check` (build, committed artifacts and this pipeline up to date), and on a merge request `plan`
/// (against the target branch's committed tree) and `plan-report` (the note, and the data-loss gate).
fn check_jobs(jobs: &mut Map<String, Value>, rollout: &Rollout, options: &Options) {
    let run = |args: &[&str]| {
        let mut words = options.run.clone();
        words.extend(args.iter().map(|a| (*a).to_owned()));
        shell(&words)
    };
    let mut ci = vec!["ci".to_owned(), "--check".to_owned()];
    ci.extend(options.ci_arguments.iter().cloned());
    let ci: Vec<&str> = ci.iter().map(String::as_str).collect();
    jobs.insert(
        "check".into(),
        json!({
            "stage": "check",
            "image": RUST_IMAGE,
            "script": crate::lambda_build_tools(
                &rollout.rust_targets,
                "$CI_PROJECT_DIR/.lambda-build",
                "export PATH=\"$CI_PROJECT_DIR/.lambda-build/bin:$PATH\"",
            )
            // `synth --check` builds the Rust function assets: the Lambda build tools first (the
            // image's Debian needs its venv module).
            .map(|install| format!("apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null\n{install}"))
            .into_iter()
            .chain([
                shell(&options.build),
                run(&["synth", "--check", "--out", &options.out]),
                run(&ci),
            ])
            .collect::<Vec<_>>(),
        }),
    );
    let against = format!("{BASE_CHECKOUT}/{}", options.out);
    let (present, fallback) = crate::without_base_tree(&against);
    jobs.insert(
        "plan".into(),
        json!({
            "stage": "plan",
            "image": RUST_IMAGE,
            "rules": [ { "if": MERGE_REQUEST } ],
            "script": [
                "git fetch --depth=1 origin \"$CI_MERGE_REQUEST_DIFF_BASE_SHA\"",
                format!("git worktree add --detach {BASE_CHECKOUT} FETCH_HEAD"),
                // plan: 0 no change, 2 changes, 3 data loss, 1 error (the only failure here).
                format!(
                    "if {present}; then\n\
                     \x20 {} > plan.json || [ $? -ne 1 ]\n\
                     \x20 {} > plan.md || [ $? -ne 1 ]\n\
                     else\n{fallback}\nfi",
                    run(&["plan", "--target", options.target.name(), "--against", &against, "--format", "json"]),
                    run(&["plan", "--target", options.target.name(), "--against", &against, "--format", "markdown"]),
                ),
            ],
            "artifacts": { "paths": ["plan.json", "plan.md"], "expire_in": "1 week" },
        }),
    );
    let note = format!(
        "if [ -z \"${{STACKWRIGHT_GITLAB_TOKEN:-}}\" ]; then\n\
         \x20 echo 'STACKWRIGHT_GITLAB_TOKEN is not set (a project access token with the api scope): the plan is not posted'\n\
         else\n\
         \x20 api=\"$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes\"\n\
         \x20 {{ printf '%s\\n' '{PLAN_COMMENT_MARKER}'; cat plan.md; }} > comment.md\n\
         \x20 me=$(curl -fsS --header \"PRIVATE-TOKEN: $STACKWRIGHT_GITLAB_TOKEN\" \"$CI_API_V4_URL/user\" | jq -r '.id')\n\
         \x20 id=$(curl -fsS --header \"PRIVATE-TOKEN: $STACKWRIGHT_GITLAB_TOKEN\" \"$api?per_page=100&sort=asc\" | jq -r --argjson me \"$me\" '[.[] | select(.author.id == $me and (.body | startswith(\"{PLAN_COMMENT_MARKER}\")))][0].id // empty')\n\
         \x20 if [ -n \"$id\" ]; then method=PUT; url=\"$api/$id\"; else method=POST; url=\"$api\"; fi\n\
         \x20 jq -n --rawfile body comment.md '{{body: $body}}' | curl -fsS -X \"$method\" --header \"PRIVATE-TOKEN: $STACKWRIGHT_GITLAB_TOKEN\" --header 'Content-Type: application/json' --data @- \"$url\" >/dev/null\n\
         fi"
    );
    let gate = format!(
        "loss=$(jq -r '.data_loss' plan.json); refused=$(jq -r '.summary.refused' plan.json)\n\
         if [ \"$loss\" = true ] || [ \"$refused\" != 0 ]; then\n\
         \x20 case \",$CI_MERGE_REQUEST_LABELS,\" in\n\
         \x20   *,{ALLOW_DATA_LOSS_LABEL},*) echo 'the plan loses data or has changes Terraform will refuse; allowed by the label {ALLOW_DATA_LOSS_LABEL}' ;;\n\
         \x20   *) echo 'the plan loses data or has changes Terraform will refuse (see the note); after review, add the label {ALLOW_DATA_LOSS_LABEL} to allow it'; exit 1 ;;\n\
         \x20 esac\n\
         fi"
    );
    jobs.insert(
        "plan-report".into(),
        json!({
            "stage": "plan-report",
            "image": TOOLS_IMAGE,
            "rules": [ { "if": MERGE_REQUEST } ],
            "needs": [ { "job": "plan", "artifacts": true } ],
            "script": [ "apk add --no-cache curl jq", note, gate ],
        }),
    );
}
