//! The Notebook Service as a StackSet fleet: its stack in 3 organizational units x 4 regions (12
//! environments of one template, service-managed, new accounts enrolled automatically), beside two
//! ordinary environments that deploy as stacks. The fleet is declared on the app
//! (`App::stack_set`), so synthesis writes its administration stack as stack `edge-stackset` of the
//! administrator environment `prod-oregon`, beside every other artifact. Synthesizes the app's
//! CloudFormation into `DIR/out` (as `synth` does), and writes the StackSet template the administration
//! stack holds (its `TemplateBody`) into `DIR/notebook-edge.template.json`, for the outside checkers:
//! `cargo run -p notebook-service --example stackset -- DIR [UNITS]` (UNITS organizational units, 3 by
//! default; 125 make the 500-instance case of the benchmark figures).
use notebook_service::{app_with, environments, Sizing};
use stackwright::stackset::{
    Amount, AutoDeployment, DeploymentTarget, Fleet, Member, OperationPreferences, Permissions,
    RegionConcurrency, StackSets,
};
use stackwright::synth::{synthesize_into, Request, SynthError, Target};
use stackwright::Environment;
use std::process::ExitCode;

/// The regions of the fleet.
pub const REGIONS: [&str; 4] = ["us-west-2", "us-east-1", "eu-central-1", "ap-southeast-2"];

fn main() -> ExitCode {
    // An option (`--help`, `-h`) is not a directory to write into.
    let first = std::env::args_os().nth(1);
    let Some(dir) = first
        .filter(|a| !a.to_string_lossy().starts_with('-'))
        .map(std::path::PathBuf::from)
    else {
        eprintln!("usage: stackset DIR [UNITS] (DIR: where the tree and the StackSet template go; a path starting with `-` needs `./`)");
        return ExitCode::from(2);
    };
    let units = match std::env::args().nth(2).map(|n| n.parse::<usize>()) {
        None => 3,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: stackset DIR [UNITS]: UNITS is a number of organizational units, at least 1");
            return ExitCode::from(2);
        }
    };
    // Each member is an environment; its account stands for "the instance's account" (it becomes
    // `AWS::AccountId`), so one placeholder account serves them all.
    let mut members = Vec::new();
    let mut all = environments().into_iter().take(2).collect::<Vec<_>>();
    for u in 0..units {
        let unit = format!("ou-nb12-{u:08}");
        for region in REGIONS {
            let name = format!("edge-{}-{region}", u + 1);
            all.push(Environment::new(
                name.clone(),
                "333333333333",
                region,
                Sizing::new(2, "m5.large"),
            ));
            members.push(Member {
                environment: name,
                target: DeploymentTarget::OrganizationalUnit(unit.clone()),
            });
        }
    }
    let fleet = Fleet {
        name: "edge".into(),
        stack: "notebook".into(),
        administrator: "prod-oregon".into(),
        members,
        permissions: Permissions::ServiceManaged {
            auto_deployment: Some(AutoDeployment {
                retain_stacks_on_account_removal: false,
            }),
            delegated_admin: true,
        },
        preferences: OperationPreferences {
            max_concurrent: Amount::Percentage(25),
            failure_tolerance: Amount::Percentage(10),
            region_concurrency: RegionConcurrency::Sequential,
            region_order: Vec::new(),
            soft_failure_tolerance: false,
        },
    };
    let instances = fleet.members.len();
    let app = app_with(all).stack_set(fleet);
    let request = Request {
        environments: Vec::new(),
        targets: vec![Target::CloudFormation],
    };
    let out = dir.join("out");
    let written = match synthesize_into(&app, &request, &out, &mut |_| {}) {
        Ok(written) => written,
        Err(SynthError::Problems(problems)) => {
            for p in problems {
                let at = p.location.map(|l| format!(" --> {l}")).unwrap_or_default();
                eprintln!("error: {}{at}", p.message);
            }
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e:?}", out.display());
            return ExitCode::FAILURE;
        }
    };
    let Some(administration) = written
        .artifacts
        .iter()
        .find(|a| a.stack == "edge-stackset")
    else {
        eprintln!("error: synthesis wrote no administration stack of fleet `edge`");
        return ExitCode::FAILURE;
    };
    // The template every stack instance deploys, as the administration stack holds it.
    let template = std::fs::read(out.join(&administration.path))
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|e| e.to_string())
        })
        .and_then(|document| {
            let body = document["Resources"]["StackSet"]["Properties"]["TemplateBody"]
                .as_str()
                .ok_or("its StackSet has no TemplateBody")?
                .to_owned();
            serde_json::from_str::<serde_json::Value>(&body).map_err(|e| e.to_string())
        });
    let written_template = template.and_then(|template| {
        let mut text = serde_json::to_string_pretty(&template).expect("JSON serializes");
        text.push('\n');
        std::fs::write(dir.join("notebook-edge.template.json"), text).map_err(|e| e.to_string())
    });
    if let Err(e) = written_template {
        eprintln!(
            "error: cannot write the StackSet template of `{}` into `{}`: {e}",
            administration.path,
            dir.display()
        );
        return ExitCode::FAILURE;
    }
    println!(
        "stack set `notebook-edge`: {instances} stack instance groups; administration stack {}; written \
         into {}",
        administration.path,
        dir.display()
    );
    ExitCode::SUCCESS
}
