//! How `plan` says to tear down what goes: the stacks removed from the definition, and the old
//! deployments of stacks that move to another account or region.

use stackwright_core::Target;
use stackwright_synth::removed::destroyed_name;
use std::path::Path;

/// Adds to each stack of `plan` that goes (removed, or the old deployment of a move) how to tear it down:
/// a note naming the artifact in `against`, and the command (`crate::commands`). `baseline`: the previous
/// manifest's artifacts (their environment, stack, target, path, account, region).
pub fn teardown_notes(
    plan: &mut stackwright_plan::Plan,
    app: &str,
    defined: &[&str],
    against: &Path,
    baseline: &[stackwright_tree::Entry],
) {
    for s in &mut plan.stacks {
        if s.status != stackwright_plan::StackStatus::Removed {
            continue;
        }
        let Some(b) = baseline
            .iter()
            .find(|b| b.environment == s.environment && b.stack == s.stack && b.target == s.target)
        else {
            continue;
        };
        let path = against.join(&b.path).display().to_string();
        let command = crate::commands::Command::teardown(
            app,
            s.target,
            &s.environment,
            &s.stack,
            &b.account,
            &b.region,
            &path,
        );
        if s.relocated {
            let why = match s.target {
                Target::Terraform => format!(
                    "synth writes the new module at the same path and it uses the same state, so tear the old \
                     deployment down first, with the module as it is now (the command below); then run synth \
                     with `--destroyed {}`",
                    s.environment
                ),
                Target::CloudFormation => "the new template deploys to the new account; the old stack stays \
                                           until deleted (the command below)"
                    .to_owned(),
            };
            s.notes.push(format!("the old deployment: {why}"));
        } else {
            let name = destroyed_name(defined, &s.environment, &s.stack);
            s.notes.push(format!(
                "tear it down with the artifact synth keeps for it (`{path}`, listed as removed), by the command \
                 below; then `synth --destroyed {name}` stops keeping it"
            ));
        }
        s.commands.push(command.to_plan());
    }
}
