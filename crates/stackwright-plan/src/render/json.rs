use crate::{Plan, PropertyChange, Replacement, ResourceChange, StackPlan, Summary};
use serde_json::{json, Value as Json};

/// Version of the JSON plan's schema; it changes only when a field changes meaning or goes away.
pub const FORMAT_VERSION: u64 = 1;

/// The plan for bots, in a stable schema (documented in the README, "plan --format json"):
///
/// ```text
/// { "format": 1, "summary": Summary, "data_loss": bool, "changes": bool,
///   "stacks": [ { "environment", "stack", "target", "status": "unchanged|changed|added|removed",
///                 "placement": { "account", "region" }|null, "relocated": bool,
///                 "summary": Summary, "notes": [string] (what to do, for a stack that goes),
///                 "commands" (only when any): [ { "shell": string (for a POSIX shell, values quoted),
///                                                 "argv": [[string]] (the same, one argument vector per
///                                                 program, run in order), "account" } ],
///                 "resources": [ { "address", "type", "action": "add|update|replace|destroy|no-change",
///                                  "moved_from": string|null, "may_replace": bool,
///                                  "data_loss": string|null, "refused": bool,
///                                  "notes": [string], "warnings": [string],
///                                  "changes": [ { "path": [string], "before": any|null, "after": any|null,
///                                                 "known_after_deploy": string|null,
///                                                 "sensitive": bool,
///                                                 "replacement": "never|conditional|always",
///                                                 "reason": string|null } ] } ],
///                 "outputs": [ { "name", "action": "add|update|destroy" } ],
///                 "settings": [string] } ],
///   "embraces" (only when any): [ { "environment", "producer", "export", "removed": bool,
///                                   "producer_removed": bool, "consumers": [string],
///                   "still_imported_by": [string], "message" } ],
///   "steps" (only when the change needs more than one deploy): { "message": "this change needs N steps",
///       "changes": [ { "kind": "export-in-use|stack-in-use|rename|named-replacement|traffic-shift|relocation",
///                      "environment", "stack", "subject", "steps": [string] } ],
///       "steps": [ { "number", "name": "01-<slug>", "lines": [string], "bake_minutes": int|null } ] } }
/// Summary = { "add", "update", "replace", "destroy", "moved", "may_replace", "data_loss", "warnings",
///             "refused" } (counts)
/// ```
pub fn json(plan: &Plan) -> Json {
    let mut out = json!({
        "format": FORMAT_VERSION,
        "summary": summary(&plan.summary),
        "data_loss": plan.loses_data(),
        "changes": plan.has_changes(),
        "stacks": plan.stacks.iter().map(stack).collect::<Vec<_>>(),
    });
    // Present only when there is one, so that plans without cross-stack changes keep their shape.
    if !plan.embraces.is_empty() {
        let embraces: Vec<Json> = plan
            .embraces
            .iter()
            .map(|e| {
                json!({
                    "environment": e.environment,
                    "producer": e.producer,
                    "export": e.export,
                    "removed": e.removed,
                    "producer_removed": e.producer_removed,
                    "consumers": e.consumers,
                    "still_imported_by": e.still_imported_by,
                    "message": e.message(),
                })
            })
            .collect();
        out["embraces"] = Json::Array(embraces);
    }
    // Present only when the change needs more than one step.
    if !plan.steps.is_single() {
        out["steps"] = json!({
            "message": plan.steps.headline(),
            "changes": plan.steps.staged.iter().map(|s| json!({
                "kind": s.kind.name(),
                "environment": s.environment,
                "stack": s.stack,
                "subject": s.subject,
                "steps": s.phases.iter().map(|(_, line)| line.as_str()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "steps": plan.steps.steps.iter().map(|s| json!({
                "number": s.number,
                "name": format!("{:02}-{}", s.number, s.slug),
                "lines": s.lines,
                "bake_minutes": s.bake_minutes,
            })).collect::<Vec<_>>(),
        });
    }
    out
}

fn summary(s: &Summary) -> Json {
    json!({
        "add": s.add,
        "update": s.update,
        "replace": s.replace,
        "destroy": s.destroy,
        "moved": s.moved,
        "may_replace": s.may_replace,
        "data_loss": s.data_loss,
        "warnings": s.warnings,
        "refused": s.refused,
    })
}

fn stack(s: &StackPlan) -> Json {
    let mut out = json!({
        "environment": s.environment,
        "stack": s.stack,
        "target": s.target.name(),
        "status": s.status.name(),
        "placement": s.placement.as_ref().map(|p| json!({"account": p.account, "region": p.region})),
        "relocated": s.relocated,
        "summary": summary(&s.summary),
        "notes": s.notes,
        "resources": s.resources.iter().map(resource).collect::<Vec<_>>(),
        "outputs": s.outputs.iter().map(|o| json!({ "name": o.name, "action": o.action.name() })).collect::<Vec<_>>(),
        "settings": s.settings,
    });
    // Present only when there is one (a stack that goes), so that the other stacks keep their shape.
    if !s.commands.is_empty() {
        let commands: Vec<Json> = s
            .commands
            .iter()
            .map(|c| json!({ "shell": c.shell, "argv": c.argv, "account": c.account }))
            .collect();
        out["commands"] = Json::Array(commands);
    }
    out
}

fn resource(r: &ResourceChange) -> Json {
    json!({
        "address": r.address,
        "type": r.type_name,
        "action": r.action.name(),
        "moved_from": r.moved_from,
        "may_replace": r.may_replace,
        "data_loss": r.data_loss,
        "refused": r.refused,
        "notes": r.notes,
        "warnings": r.warnings,
        "changes": r.changes.iter().map(change).collect::<Vec<_>>(),
    })
}

fn change(c: &PropertyChange) -> Json {
    json!({
        "path": c.path,
        "before": c.before,
        "after": c.after,
        "known_after_deploy": c.known_after_deploy,
        "sensitive": c.sensitive,
        "replacement": match c.replacement {
            Replacement::Never => "never",
            Replacement::Conditional => "conditional",
            Replacement::Always => "always",
        },
        "reason": c.reason,
    })
}
