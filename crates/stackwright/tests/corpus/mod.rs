//! The corpus of broken definitions (issue 11): every case in `cases.rs` must fail at synth through the
//! real command line with exit code 1, nothing written, and exactly the errors `expected.json` records,
//! each pointing at the line its case marks with `// <- here`.
//!
//! `expected.json` also records, per case, which outside checker would have caught the fault without
//! Stackwright (`"checkers"`: cfn-lint, cloudformation-validate, terraform validate; `null` when none
//! does and the fault surfaces only at deploy), and what happens at deploy. `scripts/check-corpus.py`
//! checks those claims: it writes each case's artifacts with the guard disabled (the ignored test
//! `write_unguarded_artifacts`) and runs the outside checkers on them.

#[rustfmt::skip]
mod cases;

use crate::support::run;
use serde_json::Value;
use stackwright::synth::{ArtifactPath, Target};
use std::collections::BTreeSet;

const EXPECTED: &str = include_str!("expected.json");
const SOURCE: &str = include_str!("cases.rs");
const MARKER: &str = "// <- here";

fn expected() -> serde_json::Map<String, Value> {
    match serde_json::from_str(EXPECTED) {
        Ok(Value::Object(cases)) => cases,
        other => panic!("expected.json: expected an object of cases, found {other:?}"),
    }
}

/// `cases.rs:LINE:` of the marked line in the body of case `name`.
fn marked_line(name: &str) -> String {
    let start = SOURCE
        .find(&format!("\nfn {name}("))
        .unwrap_or_else(|| panic!("no function `{name}` in cases.rs"));
    let body_end = SOURCE[start + 1..]
        .find("\nfn ")
        .map_or(SOURCE.len(), |end| start + 1 + end);
    let body = &SOURCE[start..body_end];
    let marks: Vec<usize> = body.match_indices(MARKER).map(|(at, _)| at).collect();
    assert_eq!(
        marks.len(),
        1,
        "case `{name}`: expected one `{MARKER}` marker"
    );
    let line = SOURCE[..start + marks[0]].matches('\n').count() + 1;
    format!("corpus/cases.rs:{line}:")
}

#[test]
fn the_corpus_has_at_least_30_cases_each_with_its_expectation() {
    let names: BTreeSet<&str> = cases::CASES.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names.len(),
        cases::CASES.len(),
        "a case name is listed twice"
    );
    assert!(names.len() >= 30, "{} cases", names.len());
    let recorded = expected();
    let recorded: BTreeSet<&str> = recorded.keys().map(String::as_str).collect();
    assert_eq!(
        names, recorded,
        "cases.rs and expected.json list different cases"
    );
}

/// What the outside checkers said is recorded for every case, as `scripts/check-corpus.py --record`
/// writes it: a list of findings per checker (empty: it accepts the artifact) or `null` (not run).
#[test]
fn every_case_records_what_each_outside_checker_says() {
    for (name, case) in expected() {
        assert!(
            case["deploy"].as_str().is_some_and(|d| !d.is_empty()),
            "{name}: what happens at deploy"
        );
        let checkers = case["checkers"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: run scripts/check-corpus.py --record"));
        let keys: Vec<&str> = checkers.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["cfn-lint", "cloudformation-validate", "terraform validate"],
            "{name}"
        );
        for (checker, found) in checkers {
            assert!(
                found.is_null()
                    || found
                        .as_array()
                        .is_some_and(|f| f.iter().all(Value::is_string)),
                "{name}: {checker}"
            );
        }
    }
}

#[test]
fn every_case_fails_at_synth_with_its_located_error_and_writes_nothing() {
    let expected = expected();
    let mut failures = Vec::new();
    for (name, define) in cases::CASES {
        let case = &expected[*name];
        let errors: Vec<&str> = case["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: `errors` must be a list"))
            .iter()
            .map(|e| e.as_str().expect("error fragments are strings"))
            .collect();
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("out");
        let (code, _, stderr) = run(&define(), &["synth", "--out", out.to_str().unwrap()]);
        let mut problems = Vec::new();
        if code != 1 {
            problems.push(format!("exit code {code}, expected 1"));
        }
        if out.exists() || std::fs::read_dir(scratch.path()).unwrap().next().is_some() {
            problems.push("something was written".to_owned());
        }
        // Every problem is an `error:` line, then one summary line.
        let rendered = stderr
            .lines()
            .filter(|l| l.starts_with("error: ") && !l.contains(" found; nothing was written"))
            .count();
        if rendered != errors.len() {
            problems.push(format!(
                "{rendered} errors, expected {} (one mistake, one error)",
                errors.len()
            ));
        }
        for fragment in &errors {
            if !stderr.contains(fragment) {
                problems.push(format!("missing `{fragment}`"));
            }
        }
        let at = marked_line(name);
        if !stderr.contains(&at) {
            problems.push(format!("not located at `{at}`"));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}\n{stderr}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes each case's artifacts as the targets lower them, problems ignored, under
/// `$STACKWRIGHT_CORPUS_OUT/<case>/` (a `manifest.json` per case, as `scripts/check-artifacts.sh
/// --out-dir` reads), for `scripts/check-corpus.py`. Ignored: it checks nothing itself.
#[test]
#[ignore = "run by scripts/check-corpus.py"]
fn write_unguarded_artifacts() {
    let root = std::path::PathBuf::from(
        std::env::var("STACKWRIGHT_CORPUS_OUT")
            .expect("STACKWRIGHT_CORPUS_OUT names the directory"),
    );
    for (name, define) in cases::CASES {
        let app = define();
        let instantiation = app.instantiate(&Default::default());
        let dir = root.join(name);
        let mut entries = Vec::new();
        for instance in &instantiation.instances {
            let env = instance.environment;
            let stack = instance.stack.name();
            // Whole: the corpus hands the template to the checkers even where synth refuses it early.
            let cfn = stackwright_cloudformation::synthesize_whole(instance).document;
            let tf = stackwright_terraform::synthesize(instance).document;
            for (target, document) in [(Target::CloudFormation, cfn), (Target::Terraform, tf)] {
                let path = ArtifactPath::new(target, &env.name, stack).path();
                let file = dir.join(&path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                let mut bytes = serde_json::to_vec_pretty(&document).unwrap();
                bytes.push(b'\n');
                std::fs::write(&file, &bytes).unwrap();
                entries.push(serde_json::json!({
                    "app": app.name(), "env": env.name, "account": env.account, "region": env.region,
                    "stack": stack, "target": target.name(), "path": path, "resources": 0,
                    "sha256": sha256_hex(&bytes),
                }));
            }
        }
        let manifest = serde_json::json!({ "format": 1, "app": app.name(), "artifacts": entries });
        std::fs::write(
            dir.join("manifest.json"),
            serde_json::to_vec_pretty(&manifest).unwrap(),
        )
        .unwrap();
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// Definitions that used to be written wrong and are now right: the fix is in the output, not an error.

mod accepted {
    use crate::support::{artifacts, one_stack, CFN, TF};
    use serde_json::json;
    use stackwright::aws::ec2;
    use stackwright::aws::elbv2::{LoadBalancer, Scheme};
    use stackwright::aws::rds;
    use stackwright::{App, Environment};

    #[test]
    fn tag_keys_and_values_are_escaped_in_every_target_position() {
        let app = App::new("demo")
            .tag("team${x}", "a${b}")
            .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
            .stack("main", |s, _| {
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("${file(\"/etc/hostname\")}", "v"));
            });
        let docs = artifacts(&app);
        // Terraform: keys are templates too, in default_tags and in resource tags.
        assert_eq!(
            docs[TF]["provider"]["aws"]["default_tags"]["tags"]["team$${x}"],
            "a$${b}"
        );
        assert_eq!(
            docs[TF]["resource"]["aws_vpc"]["vpc"]["tags"],
            json!({"$${file(\"/etc/hostname\")}": "v"})
        );
        // CloudFormation: `${` in any text is a literal `Fn::Sub`, keys of Key/Value lists included.
        let tags = &docs[CFN]["Resources"]["Vpc"]["Properties"]["Tags"];
        assert!(tags
            .as_array()
            .unwrap()
            .contains(&json!({"Key": {"Fn::Sub": "team${!x}"}, "Value": {"Fn::Sub": "a${!b}"}})));
    }

    #[test]
    fn public_addresses_wait_for_the_attached_gateway_in_both_targets() {
        let app = one_stack(|s| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            s.add(ec2::InternetGateway::new("Igw", &vpc));
            let public = |id: &str, cidr: &str, zone: &str| {
                ec2::Subnet::new(id, &vpc, cidr)
                    .availability_zone(zone)
                    .map_public_ip_on_launch(true)
            };
            let a = s.add(public("PublicA", "10.0.0.0/24", "us-west-2a"));
            let b = s.add(public("PublicB", "10.0.1.0/24", "us-west-2b"));
            let private = s.add(ec2::Subnet::new("Private", &vpc, "10.0.2.0/24"));
            let group = s.add(ec2::SecurityGroup::new("Group", &vpc, "web"));
            let ip = s.add(ec2::ElasticIp::new("Ip"));
            s.add(ec2::NatGateway::public("Nat", &a, &ip));
            s.add(LoadBalancer::application(
                "Web",
                Scheme::InternetFacing,
                [&a, &b],
                [&group],
            ));
            s.add(LoadBalancer::application(
                "Inside",
                Scheme::Internal,
                [&a, &b],
                [&group],
            ));
            s.add(ec2::Instance::new("Bastion", "ami-12345678", "t3.micro").subnet(&a));
            s.add(ec2::Instance::new("Worker", "ami-12345678", "t3.micro").subnet(&private));
            let dbs = s.add(rds::DbSubnetGroup::new("Dbs", "databases", &[&a, &b]));
            s.add(
                rds::DbInstance::new("Open", rds::Engine::Postgres, "db.t4g.micro", &dbs)
                    .allow_public_access_insecure(),
            );
            s.add(rds::DbInstance::new(
                "Closed",
                rds::Engine::Postgres,
                "db.t4g.micro",
                &dbs,
            ));
        });
        let docs = artifacts(&app);
        for id in ["Ip", "Nat", "Web", "Bastion", "Open"] {
            assert_eq!(
                docs[CFN]["Resources"][id]["DependsOn"],
                json!(["IgwAttachment"]),
                "{id}"
            );
        }
        for (ty, name) in [
            ("aws_eip", "ip"),
            ("aws_nat_gateway", "nat"),
            ("aws_lb", "web"),
            ("aws_instance", "bastion"),
            ("aws_db_instance", "open"),
        ] {
            assert_eq!(
                docs[TF]["resource"][ty][name]["depends_on"],
                json!(["aws_internet_gateway.igw"]),
                "{ty}.{name}"
            );
        }
        // Internal, or without a public address: nothing to wait for.
        assert!(docs[CFN]["Resources"]["Inside"].get("DependsOn").is_none());
        assert!(docs[CFN]["Resources"]["Worker"].get("DependsOn").is_none());
        assert!(docs[CFN]["Resources"]["Closed"].get("DependsOn").is_none());
        assert!(docs[TF]["resource"]["aws_instance"]["worker"]
            .get("depends_on")
            .is_none());
        assert!(docs[TF]["resource"]["aws_lb"]["inside"]
            .get("depends_on")
            .is_none());
        assert!(docs[TF]["resource"]["aws_db_instance"]["closed"]
            .get("depends_on")
            .is_none());
    }

    #[test]
    fn launch_templates_tag_the_instances_and_volumes_they_launch() {
        let app = one_stack(|s| {
            s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.micro").tag("team", "web"));
        });
        let docs = artifacts(&app);
        let tags = json!([
            {"Key": "app", "Value": "demo"},
            {"Key": "environment", "Value": "dev"},
            {"Key": "managed-by", "Value": "stackwright"},
            {"Key": "team", "Value": "web"}
        ]);
        assert_eq!(
            docs[CFN]["Resources"]["App"]["Properties"]["LaunchTemplateData"]["TagSpecifications"],
            json!([{"ResourceType": "instance", "Tags": tags}, {"ResourceType": "volume", "Tags": tags}])
        );
        let tags = json!({"app": "demo", "environment": "dev", "managed-by": "stackwright", "team": "web"});
        assert_eq!(
            docs[TF]["resource"]["aws_launch_template"]["app"]["tag_specifications"],
            json!([{"resource_type": "instance", "tags": tags}, {"resource_type": "volume", "tags": tags}])
        );
    }
}

/// A raw resource of another provider is that provider's to check: only `aws_*` types are looked up.
#[test]
fn types_of_other_terraform_providers_are_not_judged_by_the_aws_list() {
    let app = crate::support::one_stack(|s| {
        s.add(
            stackwright::cfn::Raw::new("Queue", "AWS::SQS::Queue", crate::support::map(&[]))
                .terraform("awscc_sqs_queue", crate::support::map(&[])),
        );
    });
    let docs = crate::support::artifacts(&app);
    assert!(docs[crate::support::TF]["resource"]["awscc_sqs_queue"]["queue"].is_object());
}
