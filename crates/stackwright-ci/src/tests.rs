use super::*;
use serde_json::{json, Value};

/// An artifact as `list --format json` prints it.
fn listed(env: &str, account: &str, stack: &str, wave: usize, target: &str) -> Value {
    let path = match target {
        "terraform" => format!("out/terraform/{env}/{stack}/main.tf.json"),
        _ => format!("out/cloudformation/{env}/{stack}.template.json"),
    };
    let deploy = match target {
        "terraform" => format!(
            "terraform -chdir=out/terraform/{env}/{stack} init && terraform -chdir=out/terraform/{env}/{stack} apply"
        ),
        _ => format!(
            "aws cloudformation deploy --template-file {path} --stack-name shop-{env}-{stack} --region us-west-2"
        ),
    };
    json!({
        "env": env, "account": account, "region": "us-west-2", "stack": stack, "target": target,
        "path": path, "resources": 3, "wave": wave, "depends_on": [], "deploy": deploy,
        "state": if target == "terraform" {
            json!({ "backend": "s3", "bucket": "state", "key": format!("shop/{env}/{stack}.tfstate"),
                    "url": "s3://state/x" })
        } else { Value::Null },
        "deploy_argv": [],
    })
}

fn removed(env: &str, stack: &str, teardown_wave: usize) -> Value {
    json!({
        "env": env, "account": "999999999999", "region": "us-west-2", "stack": stack,
        "target": "cloudformation", "path": format!("out/cloudformation/{env}/{stack}.template.json"),
        "resources": 1, "wave": null, "depends_on": [], "deploy": null, "state": null,
        "deploy_argv": null, "removed": true, "teardown_wave": teardown_wave,
        "destroy": format!("aws cloudformation delete-stack --stack-name shop-{env}-{stack} --region us-west-2"),
        "destroy_argv": [["aws", "cloudformation", "delete-stack", "--stack-name",
                          format!("shop-{env}-{stack}"), "--region", "us-west-2"]],
    })
}

fn listing(artifacts: Vec<Value>) -> Listing {
    serde_json::from_value(json!({ "app": "shop", "artifacts": artifacts })).unwrap()
}

fn options(target: Target) -> Options {
    Options {
        target,
        out: "out".into(),
        role_arn: DEFAULT_ROLE_ARN.into(),
        max_parallel: 2,
        branch: "main".into(),
        run: ["cargo", "run", "--locked", "-q", "--"]
            .map(String::from)
            .to_vec(),
        build: ["cargo", "build", "--locked"].map(String::from).to_vec(),
        ci_arguments: vec!["--target".into(), target.name().into()],
        environments: vec![(
            "production".into(),
            CiSettings {
                approval: Some("production".into()),
                deploy_role: Some("arn:aws:iam::{account}:role/deployer-{env}".into()),
            },
        )],
    }
}

/// The multi-stack shape: network, then data and edge, then service; staging and production.
fn shop() -> Listing {
    let mut artifacts = Vec::new();
    for (env, account) in [("staging", "333333333333"), ("production", "444444444444")] {
        artifacts.push(listed(env, account, "network", 1, "terraform"));
        artifacts.push(listed(env, account, "data", 2, "terraform"));
        artifacts.push(listed(env, account, "edge", 2, "terraform"));
        artifacts.push(listed(env, account, "service", 3, "terraform"));
        artifacts.push(listed(env, account, "network", 1, "cloudformation"));
    }
    listing(artifacts)
}

fn workflow(listing: &Listing, options: &Options) -> Value {
    let files = generate(listing, options).unwrap();
    assert_eq!(files[0].path, GITHUB_WORKFLOW_PATH);
    serde_yaml_ng::from_str(&files[0].text).unwrap()
}

fn gitlab(listing: &Listing, options: &Options) -> Value {
    let files = generate(listing, options).unwrap();
    assert_eq!(files[1].path, GITLAB_PIPELINE_PATH);
    serde_yaml_ng::from_str(&files[1].text).unwrap()
}

#[test]
fn github_jobs_follow_the_waves_one_after_the_other() {
    let w = workflow(&shop(), &options(Target::Terraform));
    let jobs = w["jobs"].as_object().unwrap();
    let ids: Vec<&str> = jobs.keys().map(String::as_str).collect();
    // Production is gated, so each wave has an ungated job (staging) and a gated one (production).
    assert_eq!(
        ids,
        [
            "check",
            "deploy-w1-1",
            "deploy-w1-2",
            "deploy-w2-1",
            "deploy-w2-2",
            "deploy-w3-1",
            "deploy-w3-2"
        ]
    );
    let needs: Vec<&str> = ids[1..]
        .iter()
        .map(|id| jobs[*id]["needs"].as_str().unwrap())
        .collect();
    assert_eq!(needs, &ids[..ids.len() - 1]);
    // Wave 2 of staging deploys data, then edge (the listing's order), each stopping the script on failure.
    let entry = &jobs["deploy-w2-1"]["strategy"]["matrix"]["include"][0];
    assert_eq!(entry["env"], "staging");
    assert_eq!(
        entry["script"],
        "terraform -chdir=out/terraform/staging/data init && terraform -chdir=out/terraform/staging/data apply || exit 1\n\
         terraform -chdir=out/terraform/staging/edge init && terraform -chdir=out/terraform/staging/edge apply || exit 1\n"
    );
    assert_eq!(
        entry["role"],
        "arn:aws:iam::333333333333:role/stackwright-deploy"
    );
    assert!(jobs["deploy-w2-1"].get("environment").is_none());
    let gated = &jobs["deploy-w2-2"];
    assert_eq!(gated["environment"], "production");
    assert_eq!(
        gated["strategy"]["matrix"]["include"][0]["role"],
        "arn:aws:iam::444444444444:role/deployer-production"
    );
    // The pull-request plan compares the deployed target with the base branch's committed tree, or
    // says that there is none.
    let plan = jobs["check"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "plan against the base branch")
        .unwrap()["run"]
        .as_str()
        .unwrap();
    assert!(
        plan.starts_with("if [ -e .stackwright-base/out/manifest.json ]; then\n"),
        "{plan}"
    );
    assert!(
        plan.contains("cargo run --locked -q -- plan --target terraform --against .stackwright-base/out --format json > plan.json\n"),
        "{plan}"
    );
    assert!(
        plan.contains("The base branch has no committed artifact tree"),
        "{plan}"
    );
    for id in &ids[1..] {
        let job = &jobs[*id];
        assert_eq!(
            job["concurrency"]["group"],
            "stackwright-shop-${{ matrix.env }}"
        );
        assert_eq!(job["concurrency"]["cancel-in-progress"], false);
        assert_eq!(job["strategy"]["max-parallel"], 2);
        assert_eq!(job["strategy"]["fail-fast"], false);
        assert_eq!(job["permissions"]["id-token"], "write");
        assert_eq!(job["env"]["TF_CLI_ARGS_apply"], "-auto-approve");
    }
}

#[test]
fn a_wave_over_the_matrix_limit_is_batched_in_order() {
    let artifacts: Vec<Value> = (0..600)
        .map(|i| {
            listed(
                &format!("e{i}"),
                "111111111111",
                "edge",
                1,
                "cloudformation",
            )
        })
        .collect();
    let w = workflow(&listing(artifacts), &options(Target::CloudFormation));
    let jobs = w["jobs"].as_object().unwrap();
    let sizes: Vec<(&str, usize)> = jobs
        .iter()
        .skip(1)
        .map(|(id, job)| {
            let include = job["strategy"]["matrix"]["include"].as_array().unwrap();
            (id.as_str(), include.len())
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ("deploy-w1-1", 256),
            ("deploy-w1-2", 256),
            ("deploy-w1-3", 88)
        ]
    );
    assert_eq!(jobs["deploy-w1-3"]["needs"], "deploy-w1-2");
    assert_eq!(
        jobs["deploy-w1-2"]["strategy"]["matrix"]["include"][0]["env"],
        "e256"
    );
    // CloudFormation deploys again what did not change.
    let script = jobs["deploy-w1-1"]["strategy"]["matrix"]["include"][0]["script"]
        .as_str()
        .unwrap();
    assert!(
        script.ends_with(" --no-fail-on-empty-changeset || exit 1\n"),
        "{script}"
    );
}

#[test]
fn gitlab_stages_follow_the_waves_with_at_most_max_parallel_jobs() {
    let mut artifacts = Vec::new();
    for env in ["a", "b", "c"] {
        artifacts.push(listed(env, "111111111111", "network", 1, "terraform"));
        artifacts.push(listed(env, "111111111111", "service", 2, "terraform"));
    }
    let p = gitlab(&listing(artifacts), &options(Target::Terraform));
    let stages: Vec<&str> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "check",
            "plan",
            "plan-report",
            "deploy-w1-1",
            "deploy-w1-2",
            "deploy-w2-1",
            "deploy-w2-2"
        ]
    );
    let stage_of = |job: &str| p[job]["stage"].as_str().unwrap().to_owned();
    assert_eq!(stage_of("deploy w1 a"), "deploy-w1-1");
    assert_eq!(stage_of("deploy w1 b"), "deploy-w1-1");
    assert_eq!(stage_of("deploy w1 c"), "deploy-w1-2");
    assert_eq!(stage_of("deploy w2 a"), "deploy-w2-1");
    assert_eq!(p["deploy w2 c"]["resource_group"], "stackwright-shop-c");
    assert_eq!(
        p["deploy w1 a"]["variables"]["AWS_ROLE_ARN"],
        "arn:aws:iam::111111111111:role/stackwright-deploy"
    );
    assert_eq!(
        p["deploy w2 b"]["script"],
        json!([
            "terraform -chdir=out/terraform/b/service init && terraform -chdir=out/terraform/b/service apply || exit 1"
        ])
    );
}

#[test]
fn teardown_is_one_manual_job_per_environment_consumers_first() {
    let mut artifacts = vec![listed("live", "111111111111", "web", 1, "cloudformation")];
    // The listing gives removed stacks in teardown order: the consumer (wave 1) first.
    artifacts.push(removed("old", "service", 1));
    artifacts.push(removed("old", "network", 2));
    let l = listing(artifacts);
    let p = gitlab(&l, &options(Target::CloudFormation));
    let job = &p["teardown old"];
    assert_eq!(job["rules"][0]["when"], "manual");
    assert_eq!(
        job["script"],
        json!([
            "aws cloudformation delete-stack --stack-name shop-old-service --region us-west-2 || exit 1",
            "aws cloudformation wait stack-delete-complete --stack-name shop-old-service --region us-west-2 || exit 1",
            "aws cloudformation delete-stack --stack-name shop-old-network --region us-west-2 || exit 1",
            "aws cloudformation wait stack-delete-complete --stack-name shop-old-network --region us-west-2 || exit 1",
        ])
    );
    let w = workflow(&l, &options(Target::CloudFormation));
    let teardown = &w["jobs"]["teardown-1"];
    assert_eq!(
        teardown["if"],
        "github.ref == 'refs/heads/main' && github.event_name == 'workflow_dispatch' && inputs.teardown"
    );
    assert_eq!(
        teardown["strategy"]["matrix"]["include"][0]["role"],
        "arn:aws:iam::999999999999:role/stackwright-deploy"
    );
}

#[test]
fn generation_is_deterministic_and_marked() {
    let first = generate(&shop(), &options(Target::Terraform)).unwrap();
    let second = generate(&shop(), &options(Target::Terraform)).unwrap();
    assert_eq!(first, second);
    for file in &first {
        assert!(
            file.text
                .starts_with("# @generated by stackwright ci (sha256 "),
            "{}",
            file.text
        );
        assert_eq!(ownership(&file.text), Ownership::Ours);
        let edited = file.text.replacen("check", "chekc", 1);
        assert_eq!(ownership(&edited), Ownership::Edited);
    }
    assert_eq!(ownership("name: mine\non: push\n"), Ownership::Foreign);
    assert_eq!(ownership(""), Ownership::Foreign);
}

#[test]
fn problems_are_reported_together_with_their_values() {
    let mut local = listed("staging", "333333333333", "network", 1, "terraform");
    local["state"] = json!({ "backend": "local", "path": "terraform-state/x" });
    let mut moving = listed("staging", "333333333333", "data", 2, "terraform");
    moving["moving_from"] = json!({ "account": "222222222222", "region": "us-east-1" });
    let mut o = options(Target::Terraform);
    o.role_arn = "arn:aws:iam::{acount}:role/x".into();
    o.out = "/abs/${{ x }}".into();
    o.branch = "main\" || true".into();
    let problems = generate(&listing(vec![local, moving]), &o).unwrap_err();
    let text = problems.join("\n");
    assert!(
        text.contains("environment `staging`, stack `network` (out/terraform/staging/network/main.tf.json) keeps its Terraform state in a local file"),
        "{text}"
    );
    assert!(
        text.contains("stack `data` (out/terraform/staging/data/main.tf.json) moves from 222222222222/us-east-1"),
        "{text}"
    );
    assert!(
        text.contains(
            "`--role-arn` is `arn:aws:iam::{acount}:role/x`: unknown placeholder `{acount}`"
        ),
        "{text}"
    );
    assert!(
        text.contains("`--out` is `/abs/${{ x }}`, an absolute path"),
        "{text}"
    );
    assert!(text.contains("holds `${{`"), "{text}");
    assert!(
        text.contains("`--branch` is `main\" || true`: expected a branch name of letters, digits"),
        "{text}"
    );

    let mut o = options(Target::CloudFormation);
    o.environments[0].1.approval = Some("prod\"; x".into());
    o.environments[0].1.deploy_role = Some("arn:aws:iam::111111111111:role/x".into());
    let problems = generate(&shop(), &o).unwrap_err().join("\n");
    assert!(
        problems.contains("environment `production` has approval environment `prod\"; x`: expected 1 to 255 letters"),
        "{problems}"
    );
    assert!(
        problems.contains("the deploy role of environment `production` gives `arn:aws:iam::111111111111:role/x` for environment `production`: expected an IAM role ARN in its account 444444444444"),
        "{problems}"
    );
    let mut odd = removed("old", "web", 1);
    odd["destroy_argv"] = json!([["aws", "cloudformation", "delete-stack"]]);
    let problems = generate(&listing(vec![odd]), &options(Target::CloudFormation))
        .unwrap_err()
        .join("\n");
    assert!(
        problems.contains("environment `old`, stack `web` (out/cloudformation/old/web.template.json): its `destroy_argv` is not one `aws cloudformation delete-stack"),
        "{problems}"
    );
    let nothing = generate(&listing(vec![]), &options(Target::Terraform)).unwrap_err();
    assert_eq!(
        nothing,
        ["app `shop` has no terraform artifact to deploy: synthesize it first (`synth --target terraform`)"]
    );
}

#[test]
fn only_the_deploy_branch_deploys_or_tears_down() {
    let mut artifacts = vec![listed("live", "111111111111", "web", 1, "cloudformation")];
    artifacts.push(removed("old", "web", 1));
    let l = listing(artifacts);
    let mut o = options(Target::CloudFormation);
    o.branch = "release/v2".into();
    let w = workflow(&l, &o);
    // A dispatch on an unmerged branch runs the check alone: every deploy and teardown job asks for
    // the deploy branch's ref.
    let deploy = w["jobs"]["deploy-w1-1"]["if"].as_str().unwrap();
    assert_eq!(
        deploy,
        "github.ref == 'refs/heads/release/v2' && (github.event_name == 'push' || \
         (github.event_name == 'workflow_dispatch' && !inputs.teardown))"
    );
    let teardown = w["jobs"]["teardown-1"]["if"].as_str().unwrap();
    assert!(
        teardown.starts_with("github.ref == 'refs/heads/release/v2' && "),
        "{teardown}"
    );
    assert!(w["jobs"]["check"].get("if").is_none());
}

#[test]
fn the_plan_comment_is_only_ever_one_the_pipeline_wrote() {
    let w = workflow(&shop(), &options(Target::Terraform));
    let step = w["jobs"]["check"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "post the plan as one comment")
        .unwrap();
    let run = step["run"].as_str().unwrap();
    assert!(
        run.contains(
            "--jq '.[] | select(.user.login == \"github-actions[bot]\" and (.body | startswith(\"<!-- stackwright-plan -->\"))) | .id'"
        ),
        "{run}"
    );
    let p = gitlab(&shop(), &options(Target::Terraform));
    let note = p["plan-report"]["script"][1].as_str().unwrap();
    assert!(note.contains("\"$CI_API_V4_URL/user\""), "{note}");
    assert!(
        note.contains(
            "select(.author.id == $me and (.body | startswith(\"<!-- stackwright-plan -->\")))"
        ),
        "{note}"
    );
}

fn published(env: &str, account: &str, sha: &str) -> Value {
    let bucket = format!("stackwright-assets-{account}-us-west-2");
    json!({
        "env": env, "account": account, "region": "us-west-2", "path": format!("out/assets/{sha}.zip"),
        "sha256": sha, "kind": "directory", "source": "functions/worker", "size": 12,
        "bucket": bucket, "key": format!("{sha}.zip"),
        "publish": format!(
            "aws s3 cp out/assets/{sha}.zip s3://{bucket}/{sha}.zip --sse AES256 --region us-west-2"
        ),
        "publish_argv": [],
    })
}

#[test]
fn assets_are_published_in_each_environments_first_deploy_job() {
    let mut l = shop();
    l.publish = serde_json::from_value(json!([
        published("staging", "333333333333", "aa"),
        published("staging", "333333333333", "bb"),
        published("production", "444444444444", "aa"),
    ]))
    .unwrap();
    let w = workflow(&l, &options(Target::Terraform));
    let jobs = &w["jobs"];
    let script = |job: &str| {
        jobs[job]["strategy"]["matrix"]["include"][0]["script"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Staging: both uploads, as the listing gives them, then wave 1's deploy line.
    assert_eq!(
        script("deploy-w1-1"),
        "command -v aws >/dev/null || apk add --no-cache aws-cli || exit 1\n\
         aws s3 cp out/assets/aa.zip s3://stackwright-assets-333333333333-us-west-2/aa.zip --sse AES256 --region us-west-2 || exit 1\n\
         aws s3 cp out/assets/bb.zip s3://stackwright-assets-333333333333-us-west-2/bb.zip --sse AES256 --region us-west-2 || exit 1\n\
         terraform -chdir=out/terraform/staging/network init && terraform -chdir=out/terraform/staging/network apply || exit 1\n"
    );
    assert_eq!(
        jobs["deploy-w1-2"]["strategy"]["matrix"]["include"][0]["env"],
        "production"
    );
    let production = script("deploy-w1-2");
    assert!(
        production.contains("\naws s3 cp out/assets/aa.zip s3://stackwright-assets-444444444444-us-west-2/aa.zip --sse AES256 --region us-west-2 || exit 1\nterraform -chdir=out/terraform/production/network init"),
        "{production}"
    );
    assert!(!production.contains("bb.zip"), "{production}");
    // Later waves do not publish again.
    for job in ["deploy-w2-1", "deploy-w2-2", "deploy-w3-1", "deploy-w3-2"] {
        assert!(!script(job).contains("aws s3 cp"), "{job}");
    }
    let p = gitlab(&l, &options(Target::Terraform));
    assert_eq!(
        p["deploy w1 staging"]["script"][0],
        "command -v aws >/dev/null || apk add --no-cache aws-cli || exit 1"
    );
    assert_eq!(
        p["deploy w1 staging"]["script"][1],
        "aws s3 cp out/assets/aa.zip s3://stackwright-assets-333333333333-us-west-2/aa.zip --sse AES256 --region us-west-2 || exit 1"
    );
    assert!(p["deploy w2 staging"]["script"][0]
        .as_str()
        .unwrap()
        .starts_with("terraform "));

    // An upload to another account than the environment's, or one holding an expression, is refused.
    let mut bad = shop();
    let mut elsewhere = published("staging", "999999999999", "aa");
    elsewhere["publish"] = "aws s3 cp out/assets/${{ github.token }}.zip s3://x/y".into();
    bad.publish = serde_json::from_value(json!([elsewhere])).unwrap();
    let problems = generate(&bad, &options(Target::Terraform))
        .unwrap_err()
        .join("\n");
    assert!(
        problems.contains("the asset `out/assets/aa.zip` of environment `staging` is published to account 999999999999, but the environment deploys to account 333333333333"),
        "{problems}"
    );
    assert!(
        problems.contains("the asset `out/assets/aa.zip` of environment `staging`: `aws s3 cp out/assets/${{ github.token }}.zip s3://x/y` holds `${{`"),
        "{problems}"
    );
}

/// A zip's upload is for CloudFormation deploys only (`targets`): a Terraform module uploads the zips it
/// reads from the tree itself, so its pipeline publishes nothing.
#[test]
fn a_terraform_deploy_skips_what_only_cloudformation_needs_published() {
    let mut l = shop();
    let mut zip = published("staging", "333333333333", "aa");
    zip["targets"] = json!(["cloudformation"]);
    l.publish = serde_json::from_value(json!([zip])).unwrap();
    let w = workflow(&l, &options(Target::Terraform)).to_string();
    assert!(!w.contains("aws s3 cp"), "{w}");
    let p = gitlab(&l, &options(Target::Terraform)).to_string();
    assert!(!p.contains("aws s3 cp"), "{p}");
    // A CloudFormation deploy of the same listing publishes it.
    assert!(workflow(&l, &options(Target::CloudFormation))
        .to_string()
        .contains("aws s3 cp out/assets/aa.zip"));
    // A listing without the field (written before it) publishes for every target, as before.
    let mut old = shop();
    old.publish =
        serde_json::from_value(json!([published("staging", "333333333333", "aa")])).unwrap();
    assert!(workflow(&old, &options(Target::Terraform))
        .to_string()
        .contains("aws s3 cp out/assets/aa.zip"));
}

/// An asset is published in the job of the wave its first user deploys in (`waves`), after the
/// bootstrap stack's wave, not in the environment's first job, where the bucket is only being created.
#[test]
fn assets_are_published_before_the_wave_of_their_first_user() {
    let mut l = shop();
    let mut zip = published("staging", "333333333333", "aa");
    zip["targets"] = json!(["cloudformation", "terraform"]);
    zip["waves"] = json!({"terraform": 2});
    l.publish = serde_json::from_value(json!([zip])).unwrap();
    let w = workflow(&l, &options(Target::Terraform));
    let script = |job: &str| {
        w["jobs"][job]["strategy"]["matrix"]["include"][0]["script"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(!script("deploy-w1-1").contains("aws s3 cp"));
    assert!(
        script("deploy-w2-1").starts_with(
            "command -v aws >/dev/null || apk add --no-cache aws-cli || exit 1\n\
             aws s3 cp out/assets/aa.zip s3://stackwright-assets-333333333333-us-west-2/aa.zip --sse AES256 --region us-west-2 || exit 1\n\
             terraform -chdir=out/terraform/staging/data init"
        ),
        "{}",
        script("deploy-w2-1")
    );
    let p = gitlab(&l, &options(Target::Terraform));
    assert!(!p["deploy w1 staging"].to_string().contains("aws s3 cp"));
    assert!(p["deploy w2 staging"].to_string().contains("aws s3 cp"));
    // A target its waves leave out deploys no stack that uses it: nothing published.
    assert!(!workflow(&l, &options(Target::CloudFormation))
        .to_string()
        .contains("aws s3 cp"));
    // A wave where the environment deploys nothing of the target: the listing is stale.
    let mut stale = shop();
    let mut zip = published("staging", "333333333333", "aa");
    zip["waves"] = json!({"terraform": 7});
    stale.publish = serde_json::from_value(json!([zip])).unwrap();
    let problems = generate(&stale, &options(Target::Terraform))
        .unwrap_err()
        .join("\n");
    assert!(
        problems.contains("the asset `out/assets/aa.zip` of environment `staging` is published before deploy wave 7, where no terraform stack of the environment deploys"),
        "{problems}"
    );
}

/// An image is pushed by skopeo, installed when missing and logged in to the environment's registry
/// once per job, the password piped from the AWS CLI, never on a command line.
#[test]
fn images_are_pushed_after_installing_skopeo_and_logging_in() {
    let mut l = shop();
    let repository = "333333333333.dkr.ecr.us-west-2.amazonaws.com/stackwright-assets";
    let image = |tag: &str| {
        json!({
            "env": "staging", "account": "333333333333", "region": "us-west-2",
            "path": format!("out/assets/{tag}.tar"), "kind": "image", "bucket": repository, "key": tag,
            "targets": ["cloudformation", "terraform"], "waves": {"terraform": 3},
            "publish": format!("skopeo copy --preserve-digests oci-archive:out/assets/{tag}.tar docker://{repository}:{tag}"),
            "publish_argv": [],
        })
    };
    l.publish = serde_json::from_value(json!([image("aa"), image("bb")])).unwrap();
    let w = workflow(&l, &options(Target::Terraform));
    let script = w["jobs"]["deploy-w3-1"]["strategy"]["matrix"]["include"][0]["script"]
        .as_str()
        .unwrap()
        .to_owned();
    let expected = format!(
        "command -v aws >/dev/null || apk add --no-cache aws-cli || exit 1\n\
         {SKOPEO_PRESENT} || exit 1\n\
         aws ecr get-login-password --region us-west-2 | skopeo login --username AWS --password-stdin 333333333333.dkr.ecr.us-west-2.amazonaws.com || exit 1\n\
         skopeo copy --preserve-digests oci-archive:out/assets/aa.tar docker://{repository}:aa || exit 1\n\
         skopeo copy --preserve-digests oci-archive:out/assets/bb.tar docker://{repository}:bb || exit 1\n\
         terraform -chdir=out/terraform/staging/service init"
    );
    assert!(script.starts_with(&expected), "{script}\n---\n{expected}");
    // GitLab: the AWS CLI's image has no skopeo package; a CloudFormation job that pushes runs in
    // Alpine's, which installs both; a job that pushes nothing keeps the AWS CLI's.
    let mut both = shop();
    let mut pushed = image("aa");
    pushed["waves"] = json!({"terraform": 3, "cloudformation": 1});
    both.publish = serde_json::from_value(json!([pushed])).unwrap();
    let p = gitlab(&both, &options(Target::CloudFormation));
    assert_eq!(p["deploy w1 staging"]["image"]["name"], "alpine:3.20");
    assert!(p["deploy w1 production"]["script"].is_array());
    assert!(p["deploy w1 production"].get("image").is_none());
    let p = gitlab(&both, &options(Target::Terraform));
    assert!(p["deploy w3 staging"]["script"]
        .to_string()
        .contains("skopeo copy"));
    assert!(p["deploy w3 staging"].get("image").is_none());
    // A repository that is not the region's ECR registry is refused, never logged in to.
    let mut bad = shop();
    let mut elsewhere = image("aa");
    elsewhere["bucket"] = "evil.example/x".into();
    bad.publish = serde_json::from_value(json!([elsewhere])).unwrap();
    let problems = generate(&bad, &options(Target::Terraform))
        .unwrap_err()
        .join("\n");
    assert!(
        problems.contains("is an image whose repository (evil.example/x) is not an ECR repository of its region (us-west-2)"),
        "{problems}"
    );
}

#[test]
fn gitlab_resource_groups_deploy_in_pipeline_order() {
    let mut artifacts = vec![listed("live", "111111111111", "web", 1, "cloudformation")];
    artifacts.push(listed("qa", "111111111111", "web", 1, "cloudformation"));
    artifacts.push(removed("old", "web", 1));
    let p = gitlab(&listing(artifacts), &options(Target::CloudFormation));
    let job = &p["resource-groups"];
    assert_eq!(job["stage"], "check");
    assert_eq!(
        job["rules"],
        json!([{ "if": "$CI_COMMIT_BRANCH == \"main\"" }])
    );
    assert_eq!(job["allow_failure"], json!({ "exit_codes": [3] }));
    let script = job["script"][1].as_str().unwrap();
    // Every resource group the pipeline's deploy and teardown jobs use, each once.
    assert!(
        script.contains(
            "for group in stackwright-shop-live stackwright-shop-qa stackwright-shop-old; do\n"
        ),
        "{script}"
    );
    assert!(
        script.contains("--data process_mode=oldest_first \"$CI_API_V4_URL/projects/$CI_PROJECT_ID/resource_groups/$group\""),
        "{script}"
    );
    assert_eq!(p["deploy w1 qa"]["resource_group"], "stackwright-shop-qa");
    assert_eq!(p["teardown old"]["resource_group"], "stackwright-shop-old");
    assert_eq!(p["deploy w1 qa"]["interruptible"], Value::Null);
    assert_eq!(p[".stackwright-aws"]["interruptible"], false);
}

/// A StackSet's members are deployed by their administration stack's job, never by one of their own; a
/// member whose administration stack the listing does not deploy is refused.
#[test]
fn a_stack_sets_members_deploy_through_its_administration_stack() {
    const ADMINISTRATION: &str = "out/cloudformation/staging/edge-stackset.template.json";
    let member = |env: &str| {
        let mut a = listed(env, "555555555555", "edge", 1, "cloudformation");
        a["wave"] = Value::Null;
        a["deploy"] = Value::Null;
        a["deploy_argv"] = Value::Null;
        a["deployed_by"] = ADMINISTRATION.into();
        a
    };
    let administration = listed(
        "staging",
        "333333333333",
        "edge-stackset",
        1,
        "cloudformation",
    );
    let rollout = Rollout::of(
        &listing(vec![administration, member("edge-1"), member("edge-2")]),
        &options(Target::CloudFormation),
    )
    .unwrap();
    let units: Vec<&Unit> = rollout.deploy.iter().flat_map(|b| &b.units).collect();
    assert_eq!(units.len(), 1, "{units:#?}");
    assert_eq!(units[0].env, "staging");
    assert!(
        units[0]
            .script
            .contains("--stack-name shop-staging-edge-stackset"),
        "{}",
        units[0].script
    );
    let problems = Rollout::of(
        &listing(vec![member("edge-1")]),
        &options(Target::CloudFormation),
    )
    .unwrap_err();
    assert!(
        problems[0].contains(
            "environment `edge-1`, stack `edge` (out/cloudformation/edge-1/edge.template.json) is deployed \
             by the stack set of `out/cloudformation/staging/edge-stackset.template.json`, which the listing \
             does not deploy"
        ),
        "{problems:#?}"
    );
}

/// `synth --check` builds the app's Rust function assets: the check job installs the Lambda build tools
/// (pinned, as `scripts/install-lambda-build.sh` does) and the targets' standard libraries first, and
/// only when there are any.
#[test]
fn the_check_job_installs_the_lambda_build_tools_only_for_rust_assets() {
    let without = workflow(&shop(), &options(Target::Terraform));
    let steps = without["jobs"]["check"]["steps"].as_array().unwrap();
    assert!(
        steps.iter().all(|s| !s.to_string().contains("zigbuild")),
        "{steps:?}"
    );
    let without = gitlab(&shop(), &options(Target::Terraform));
    assert!(!without["check"].to_string().contains("zigbuild"));

    let mut rust = shop();
    rust.rust_targets = vec![
        "aarch64-unknown-linux-gnu".into(),
        "x86_64-unknown-linux-gnu".into(),
    ];
    let w = workflow(&rust, &options(Target::Terraform));
    let steps = w["jobs"]["check"]["steps"].as_array().unwrap();
    assert_eq!(
        steps[1]["name"],
        "install the Lambda build tools (Rust function assets)"
    );
    let install = steps[1]["run"].as_str().unwrap();
    assert!(
        install.contains(&format!(
            "pip\" install --quiet cargo-zigbuild=={ZIGBUILD_VERSION} ziglang=={ZIGLANG_VERSION}"
        )),
        "{install}"
    );
    assert!(
        install.contains("rustup target add aarch64-unknown-linux-gnu x86_64-unknown-linux-gnu"),
        "{install}"
    );
    assert!(install.contains(">> \"$GITHUB_PATH\""), "{install}");
    // Before `synth --check`.
    assert!(steps[3]["run"].as_str().unwrap().contains("synth --check"));
    let g = gitlab(&rust, &options(Target::Terraform));
    let script = g["check"]["script"].as_array().unwrap();
    let install = script[0].as_str().unwrap();
    assert!(install.starts_with("apt-get update"), "{install}");
    assert!(install.contains("rustup target add aarch64"), "{install}");
    assert!(install.contains("export PATH=\"$CI_PROJECT_DIR/.lambda-build/bin:$PATH\""));
    assert!(script[2].as_str().unwrap().contains("synth --check"));

    // A listing's target that is not a triple is refused, not put in a script.
    rust.rust_targets = vec!["x86_64; rm -rf /".into()];
    let problems = generate(&rust, &options(Target::Terraform)).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`rust_targets` holds `x86_64; rm -rf /`")),
        "{problems:?}"
    );
}
