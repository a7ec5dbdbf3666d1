//! The Notebook Service as a StackSet fleet: its stack in 3 organizational units x 4 regions (12
//! environments of one template, service-managed, new accounts enrolled automatically), beside two
//! ordinary environments that deploy as stacks. Writes the StackSet template and its administration
//! stack into DIR:
//! `cargo run -p notebook-service --example stackset -- DIR [UNITS]` (UNITS organizational units, 3 by
//! default; 125 make the 500-instance case of the benchmark figures).
use notebook_service::{app_with, environments, Sizing};
use stackwright::stackset::{
    stack_set, Amount, AutoDeployment, DeploymentTarget, Fleet, Member, OperationPreferences,
    Permissions, RegionConcurrency,
};
use stackwright::Environment;
use std::process::ExitCode;

/// The regions of the fleet.
pub const REGIONS: [&str; 4] = ["us-west-2", "us-east-1", "eu-central-1", "ap-southeast-2"];

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: stackset DIR");
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
    let app = app_with(all);
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
    let set = match stack_set(&app, &fleet) {
        Ok(set) => set,
        Err(problems) => {
            for p in problems {
                let at = p.location.map(|l| format!(" --> {l}")).unwrap_or_default();
                eprintln!("error: {}{at}", p.message);
            }
            return ExitCode::FAILURE;
        }
    };
    let write = |name: String, document: &serde_json::Value| {
        let mut text = serde_json::to_string_pretty(document).expect("JSON serializes");
        text.push('\n');
        std::fs::write(dir.join(name), text)
    };
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| write(format!("{}.template.json", set.name), &set.template))
        .and_then(|()| {
            write(
                format!("{}-administration.template.json", set.name),
                &set.administration,
            )
        });
    if let Err(e) = written {
        eprintln!("error: cannot write into `{}`: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    println!(
        "stack set `{}`: {} stack instance groups written into {}",
        set.name,
        fleet.members.len(),
        dir.display()
    );
    ExitCode::SUCCESS
}
