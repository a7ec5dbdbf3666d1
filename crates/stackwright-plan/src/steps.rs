//! Changes that cannot be deployed in one step, compiled into an ordered sequence of intermediate trees.
//!
//! One mechanism serves every kind: a [`Sequence`] is a list of [`Step`]s, the last of which deploys the
//! desired tree, and a list of [`Hold`]s. A hold is one edit of the desired tree ([`Edit`]: keep an old
//! export, keep a removed stack deployed, deploy the previous template with only its renames, set a value
//! on the way such as a listener's weights) that stays in every step's tree until the step that lets it go
//! ([`Hold::until`]). The tree of step `n` is therefore the desired tree with every hold whose `until` is
//! greater than `n` applied ([`build`]), and two consecutive trees differ by the holds that step lets go:
//! `plan` between them shows only that step's change. Finding the kinds ([`Sequence::of`]) reads only
//! the plan; building a tree ([`build`]) reads both trees' documents.

use crate::{stateful, Action, Document, StackPlan, Target};
use serde_json::Value as Json;

/// How long a step that moves traffic is watched (alarms, error rates) before the next one, in minutes.
pub const BAKE_MINUTES: u32 = 10;

/// The traffic shares, in percent, a shift to a new target group goes through on its way (canary, then
/// half), when they lie strictly between the share before and the share after.
pub const TRAFFIC_STAGES: [u32; 2] = [10, 50];

/// Why a change needs more than one deploy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A CloudFormation export removed or changed while a deployed stack imports it.
    ExportInUse,
    /// A CloudFormation stack removed while a stack that stays imports its exports.
    StackInUse,
    /// A CloudFormation resource renamed (a new logical id): a replacement, unless the rename alone is
    /// deployed first with a stack refactor.
    Rename,
    /// A CloudFormation replacement of a resource that keeps its custom name: the new resource cannot take
    /// the name the old one holds.
    NamedReplacement,
    /// A listener's traffic moved to another target group in one jump (a blue/green switch or a canary
    /// promotion).
    TrafficShift,
    /// An environment that moves to another account or region: the old deployment goes first.
    Relocation,
    /// A resource moved to another stack of its environment (`moved_from`): CloudFormation moves it with
    /// a stack refactor across the two stacks, Terraform forgets it in the old module and imports it
    /// into the new one; deployed in one go, it would be deleted from one and created anew in the other.
    Move,
}

impl Kind {
    /// In words, for people: `export in use`, ...
    pub fn title(self) -> &'static str {
        match self {
            Kind::ExportInUse => "export in use",
            Kind::StackInUse => "stack in use",
            Kind::Rename => "rename",
            Kind::NamedReplacement => "replacement under a custom name",
            Kind::TrafficShift => "traffic shift",
            Kind::Relocation => "relocation",
            Kind::Move => "move between stacks",
        }
    }

    /// In one word for machines and step names: `export-in-use`, ...
    pub fn name(self) -> &'static str {
        match self {
            Kind::ExportInUse => "export-in-use",
            Kind::StackInUse => "stack-in-use",
            Kind::Rename => "rename",
            Kind::NamedReplacement => "named-replacement",
            Kind::TrafficShift => "traffic-shift",
            Kind::Relocation => "relocation",
            Kind::Move => "move",
        }
    }
}

/// One edit of the desired tree that a step keeps.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// The producer's template keeps the previous tree's output that exports `export`, with its previous
    /// value.
    KeepExport {
        environment: String,
        stack: String,
        export: String,
    },
    /// The producer's template also exports the desired value of `export` under the name `alias`.
    AddExport {
        environment: String,
        stack: String,
        export: String,
        alias: String,
    },
    /// The consumer's template imports `to` where the desired one imports `from`.
    RenameImport {
        environment: String,
        stack: String,
        from: String,
        to: String,
    },
    /// The previous artifacts of a stack the desired tree no longer has stay deployed (not removed).
    KeepStack { environment: String, stack: String },
    /// The stack's CloudFormation template is the previous one with only these (old, new) logical ids
    /// renamed: a stack refactor, which moves resources without replacing them.
    RenameOnly {
        environment: String,
        stack: String,
        renames: Vec<(String, String)>,
    },
    /// A value inside a resource: `pointer` is a JSON pointer into the resource's body (CloudFormation:
    /// the resource object; Terraform: the block), `value` `None` removes it.
    Set {
        environment: String,
        stack: String,
        target: Target,
        address: String,
        pointer: String,
        value: Option<Json>,
    },
    /// The environment's previous artifacts, marked removed: its old deployment is torn down before the
    /// new one is created.
    KeepPlacement { environment: String },
    /// The CloudFormation templates of `from_stack` and `to_stack` are the previous ones with only these
    /// (old, new) logical ids moved from the first to the second: a stack refactor across the two stacks,
    /// which moves the resources without replacing them.
    MoveOnly {
        environment: String,
        from_stack: String,
        to_stack: String,
        moves: Vec<(String, String)>,
    },
    /// The step's Terraform modules are the desired ones; before they are applied, the blocks move from
    /// `from_stack`'s state to `to_stack`'s ([`TerraformMove`]). No document changes.
    ForgetImport(TerraformMove),
}

/// A resource declared moved from another stack (`moved_from`), in one target's words, as the caller
/// read it from the definition: [`Planner::moves`](crate::Planner::moves) pairs it with the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub environment: String,
    pub target: Target,
    pub from_stack: String,
    /// The old CloudFormation logical id, or Terraform resource name (the blocks a resource splits into
    /// extend it: `data` -> `data_versioning`).
    pub from: String,
    pub to_stack: String,
    /// The new logical id or resource name.
    pub to: String,
    /// Where the move is declared (`file:line`), for what the plan says about it.
    pub declared_at: String,
}

/// The Terraform blocks a move takes from one module's state to another's: (type, old name, new name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerraformMove {
    pub environment: String,
    pub from_stack: String,
    pub to_stack: String,
    pub blocks: Vec<(String, String, String)>,
}

/// An edit and the step that lets it go.
#[derive(Clone, Debug, PartialEq)]
pub struct Hold {
    /// The first step (1-based) whose tree has the edit.
    pub from: usize,
    /// The first step (1-based) whose tree no longer has the edit.
    pub until: usize,
    pub edit: Edit,
}

/// One change that needs more than one deploy, and what each of its steps does.
#[derive(Clone, Debug, PartialEq)]
pub struct Staged {
    pub kind: Kind,
    pub environment: String,
    /// The stack it is about (for a relocation, every stack of the environment: empty).
    pub stack: String,
    /// What changes: the export, the resource, the listener.
    pub subject: String,
    /// The step it starts at (0: the first), after the changes it must follow.
    pub offset: usize,
    /// One (slug, line) per step of its own, in order; the last deploys the desired definition.
    pub phases: Vec<(String, String)>,
    /// Set when the steps cannot be built as trees: what the user does instead.
    pub manual: Option<String>,
}

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// 1-based.
    pub number: usize,
    /// For the step's directory, `steps/<number>-<slug>/`: lowercase words joined by `-`.
    pub slug: String,
    /// One line per change this step advances.
    pub lines: Vec<String>,
    /// Minutes to watch the deployment before the next step (traffic shifts), if any.
    pub bake_minutes: Option<u32>,
}

/// Every change of a plan that needs more than one deploy, and the steps they compile to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sequence {
    pub staged: Vec<Staged>,
    pub holds: Vec<Hold>,
    /// Empty when everything deploys in one step; otherwise at least two, the last the desired tree, or
    /// one when that tree needs commands before it is deployed (a move between Terraform modules).
    pub steps: Vec<Step>,
    /// The declared moves no step can make, each with why, located at its `moved_from`
    /// ([`pair_moves`]); `synth --steps` refuses to write steps while there are any.
    pub refused: Vec<String>,
}

/// A listener action whose weights move traffic between target groups, found by comparing the two
/// documents of a stack ([`shifts`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    pub environment: String,
    pub stack: String,
    pub target: Target,
    pub address: String,
    /// JSON pointers (into the resource body) of each target group's weight, in the document's order.
    pub weights: Vec<String>,
    /// Each group's weight before and after.
    pub before: Vec<u64>,
    pub after: Vec<u64>,
}

impl Sequence {
    /// The changes of a plan that need more than one deploy, and their steps. `shifts` are the traffic
    /// shifts [`shifts`] found in its stacks.
    pub fn of(
        stacks: &[StackPlan],
        embraces: &[crate::embrace::Embrace],
        shifts: &[Shift],
        moves: &[Paired],
    ) -> Self {
        let mut staged = Vec::new();
        // (staged index, first local step, first local step without it, edit).
        let mut holds: Vec<(usize, usize, usize, Edit)> = Vec::new();
        // Renames come first: the refactor deploys the previous template with only its renames, which
        // any other edit of that stack would be lost in.
        for s in stacks {
            if s.target != Target::CloudFormation || s.relocated {
                continue;
            }
            let renames: Vec<(String, String)> = s
                .resources
                .iter()
                .filter(|r| r.action == Action::Replace)
                .filter_map(|r| Some((r.moved_from.clone()?, r.address.clone())))
                .collect();
            if renames.is_empty() {
                continue;
            }
            let list = renames
                .iter()
                .map(|(old, new)| format!("`{old}` -> `{new}`"))
                .collect::<Vec<_>>()
                .join(", ");
            holds.push((
                staged.len(),
                1,
                2,
                Edit::RenameOnly {
                    environment: s.environment.clone(),
                    stack: s.stack.clone(),
                    renames: renames.clone(),
                },
            ));
            staged.push(Staged {
                kind: Kind::Rename,
                environment: s.environment.clone(),
                stack: s.stack.clone(),
                subject: list.clone(),
                offset: 0,
                phases: vec![
                    (
                        "refactor".into(),
                        format!(
                            "{}/{}: move {list} with a stack refactor (`aws cloudformation create-stack-refactor`), \
                             the previous template with nothing else changed, so nothing is replaced",
                            s.environment, s.stack
                        ),
                    ),
                    (
                        "deploy".into(),
                        format!("{}/{}: deploy the rest of the change", s.environment, s.stack),
                    ),
                ],
                manual: None,
            });
        }
        // Moves between CloudFormation stacks: one refactor per (source, destination), first too.
        // (move, its (old, new) ids, its blocks) per (target, environment, source, destination).
        type Group<'m> = (
            &'m Move,
            Vec<(String, String)>,
            Vec<(String, String, String)>,
        );
        let mut groups: Vec<Group> = Vec::new();
        for p in moves {
            let m = &p.declared;
            match groups.iter_mut().find(|(g, _, _)| {
                g.target == m.target
                    && g.environment == m.environment
                    && g.from_stack == m.from_stack
                    && g.to_stack == m.to_stack
            }) {
                Some((_, pairs, blocks)) => {
                    pairs.extend(p.blocks.iter().map(|(_, o, n)| (o.clone(), n.clone())));
                    blocks.extend(p.blocks.iter().cloned());
                }
                None => groups.push((
                    m,
                    p.blocks
                        .iter()
                        .map(|(_, o, n)| (o.clone(), n.clone()))
                        .collect(),
                    p.blocks.clone(),
                )),
            }
        }
        let list_of = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(old, new)| format!("`{old}` -> `{new}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (m, pairs, _) in groups
            .iter()
            .filter(|(m, _, _)| m.target == Target::CloudFormation)
        {
            let (env, from, to) = (&m.environment, &m.from_stack, &m.to_stack);
            let list = list_of(pairs);
            holds.push((
                staged.len(),
                1,
                2,
                Edit::MoveOnly {
                    environment: env.clone(),
                    from_stack: from.clone(),
                    to_stack: to.clone(),
                    moves: pairs.clone(),
                },
            ));
            staged.push(Staged {
                kind: Kind::Move,
                environment: env.clone(),
                stack: to.clone(),
                subject: list.clone(),
                offset: 0,
                phases: vec![
                    (
                        "refactor".into(),
                        format!(
                            "{env}: move {list} from `{from}` to `{to}` with a stack refactor \
                             (`aws cloudformation create-stack-refactor`), both previous templates with nothing \
                             else changed, so nothing is deleted or replaced"
                        ),
                    ),
                    (
                        "deploy".into(),
                        format!("{env}: deploy `{from}` and `{to}` as defined"),
                    ),
                ],
                manual: None,
            });
        }
        let after_renames = usize::from(!staged.is_empty());
        // Moves between Terraform modules: one step, whose commands move the state before the applies.
        for (m, pairs, blocks) in groups
            .iter()
            .filter(|(m, _, _)| m.target == Target::Terraform)
        {
            let (env, from, to) = (&m.environment, &m.from_stack, &m.to_stack);
            let list = list_of(pairs);
            holds.push((
                staged.len(),
                1,
                2,
                Edit::ForgetImport(TerraformMove {
                    environment: env.clone(),
                    from_stack: from.clone(),
                    to_stack: to.clone(),
                    blocks: blocks.clone(),
                }),
            ));
            staged.push(Staged {
                kind: Kind::Move,
                environment: env.clone(),
                stack: to.clone(),
                subject: list.clone(),
                offset: 0,
                phases: vec![(
                    "forget-import".into(),
                    format!(
                        "{env} (terraform): move {list} from `{from}`'s state to `{to}`'s (`terraform state rm`, \
                         then `terraform import`, the step's move script) before applying, so that neither \
                         apply deletes or creates it"
                    ),
                )],
                manual: None,
            });
        }
        // Exports: a removed producer first waits for its consumers; a kept export for its importers.
        let mut producers: Vec<(&str, &str, Vec<&crate::embrace::Embrace>)> = Vec::new();
        for e in embraces.iter().filter(|e| e.producer_removed) {
            match producers
                .iter_mut()
                .find(|(env, p, _)| *env == e.environment && *p == e.producer)
            {
                Some((_, _, list)) => list.push(e),
                None => producers.push((&e.environment, &e.producer, vec![e])),
            }
        }
        for (env, producer, list) in producers {
            let mut consumers: Vec<&str> = list
                .iter()
                .flat_map(|e| e.consumers.iter().map(String::as_str))
                .collect();
            consumers.dedup();
            let exports = list
                .iter()
                .map(|e| format!("`{}`", e.export))
                .collect::<Vec<_>>()
                .join(", ");
            let consumers = consumers
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            holds.push((
                staged.len(),
                1,
                2,
                Edit::KeepStack {
                    environment: env.to_owned(),
                    stack: producer.to_owned(),
                },
            ));
            staged.push(Staged {
                kind: Kind::StackInUse,
                environment: env.to_owned(),
                stack: producer.to_owned(),
                subject: exports.clone(),
                offset: after_renames,
                phases: vec![
                    (
                        "stop-imports".into(),
                        format!(
                            "{env}: deploy {consumers} without the imports of {exports} while `{producer}` stays deployed"
                        ),
                    ),
                    (
                        "tear-down".into(),
                        format!("{env}: tear down `{producer}`, which nothing imports any more"),
                    ),
                ],
                manual: None,
            });
        }
        for e in embraces.iter().filter(|e| !e.producer_removed) {
            let (env, producer, export) = (&e.environment, &e.producer, &e.export);
            let consumers = e
                .consumers
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let at = staged.len();
            let keep = Edit::KeepExport {
                environment: env.clone(),
                stack: producer.clone(),
                export: export.clone(),
            };
            if e.still_imported_by.is_empty() {
                holds.push((at, 1, 2, keep));
                let what = if e.removed { "remove" } else { "change" };
                staged.push(Staged {
                    kind: Kind::ExportInUse,
                    environment: env.clone(),
                    stack: producer.clone(),
                    subject: export.clone(),
                    offset: after_renames,
                    phases: vec![
                        (
                            "keep-export".into(),
                            format!(
                                "{env}/{producer}: keep export `{export}` as deployed while {consumers} {} importing it",
                                if e.consumers.len() == 1 { "stops" } else { "stop" }
                            ),
                        ),
                        (
                            format!("{what}-export"),
                            format!("{env}/{producer}: {what} export `{export}`, which nothing imports any more"),
                        ),
                    ],
                    manual: None,
                });
            } else {
                // The value changes under consumers that keep importing it: they move to a second export
                // of the new value, the first changes, they move back, the second goes.
                let alias = format!("{export}-next");
                let importers = e
                    .still_imported_by
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                holds.push((at, 1, 2, keep));
                holds.push((
                    at,
                    1,
                    4,
                    Edit::AddExport {
                        environment: env.clone(),
                        stack: producer.clone(),
                        export: export.clone(),
                        alias: alias.clone(),
                    },
                ));
                for consumer in &e.still_imported_by {
                    holds.push((
                        at,
                        1,
                        3,
                        Edit::RenameImport {
                            environment: env.clone(),
                            stack: consumer.clone(),
                            from: export.clone(),
                            to: alias.clone(),
                        },
                    ));
                }
                staged.push(Staged {
                    kind: Kind::ExportInUse,
                    environment: env.clone(),
                    stack: producer.clone(),
                    subject: export.clone(),
                    offset: after_renames,
                    phases: vec![
                        (
                            "export-next".into(),
                            format!(
                                "{env}/{producer}: keep export `{export}` as deployed and export its new value as \
                                 `{alias}`; {importers} import `{alias}`"
                            ),
                        ),
                        (
                            "change-export".into(),
                            format!("{env}/{producer}: change export `{export}`, which nothing imports now"),
                        ),
                        (
                            "import-back".into(),
                            format!("{env}: {importers} import `{export}` again"),
                        ),
                        (
                            "remove-next".into(),
                            format!("{env}/{producer}: remove export `{alias}`"),
                        ),
                    ],
                    manual: None,
                });
            }
        }
        for s in stacks {
            if s.target != Target::CloudFormation || s.relocated {
                continue;
            }
            for r in &s.resources {
                if r.action != Action::Replace || r.moved_from.is_some() {
                    continue;
                }
                let Some(name) = stackwright_schema::cloudformation::resource_type(&r.type_name)
                    .and_then(|t| t.custom_name())
                else {
                    continue;
                };
                // The warning's case: the name is the same on both sides (a changed name replaces fine).
                if r.changes
                    .iter()
                    .any(|c| c.path.first().map(String::as_str) == Some(name))
                {
                    continue;
                }
                if !r
                    .warnings
                    .iter()
                    .any(|w| w.contains(&format!("custom name (`{name}`)")))
                {
                    continue;
                }
                holds.push((
                    staged.len(),
                    1,
                    2,
                    Edit::Set {
                        environment: s.environment.clone(),
                        stack: s.stack.clone(),
                        target: s.target,
                        address: r.address.clone(),
                        pointer: format!("/Properties/{}", pointer_token(name)),
                        value: None,
                    },
                ));
                staged.push(Staged {
                    kind: Kind::NamedReplacement,
                    environment: s.environment.clone(),
                    stack: s.stack.clone(),
                    subject: r.address.clone(),
                    offset: after_renames,
                    phases: vec![
                        (
                            "generated-name".into(),
                            format!(
                                "{}/{}: replace `{}` without `{name}`, so that CloudFormation names the new one \
                                 while the old one holds the custom name",
                                s.environment, s.stack, r.address
                            ),
                        ),
                        (
                            "custom-name".into(),
                            format!(
                                "{}/{}: replace `{}` again, under its custom `{name}`, which the old one no longer holds",
                                s.environment, s.stack, r.address
                            ),
                        ),
                    ],
                    manual: None,
                });
            }
        }
        for shift in shifts {
            let stages = stages_of(shift);
            if stages.is_empty() {
                continue;
            }
            let at = staged.len();
            let mut phases = Vec::new();
            for (k, weights) in stages.iter().enumerate() {
                for (pointer, weight) in shift.weights.iter().zip(weights) {
                    holds.push((
                        at,
                        k + 1,
                        k + 2,
                        Edit::Set {
                            environment: shift.environment.clone(),
                            stack: shift.stack.clone(),
                            target: shift.target,
                            address: shift.address.clone(),
                            pointer: pointer.clone(),
                            value: Some(Json::from(*weight)),
                        },
                    ));
                }
                let share = share_of_gainer(shift, weights);
                phases.push((
                    format!("traffic-{share}"),
                    format!(
                        "{}/{} ({}): `{}` sends {share}% to the new target group (weights {}), then bake {BAKE_MINUTES} min",
                        shift.environment,
                        shift.stack,
                        shift.target.name(),
                        shift.address,
                        weights.iter().map(u64::to_string).collect::<Vec<_>>().join("/"),
                    ),
                ));
            }
            let share = share_of_gainer(shift, &shift.after);
            // The stages' weights are percents; the definition's may be any (0/1): say both.
            let after = shift
                .after
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join("/");
            let percents = (0..shift.after.len())
                .map(|i| self::share(&shift.after, i).to_string())
                .collect::<Vec<_>>()
                .join("/");
            let weights = if after == percents {
                format!("weights {after}")
            } else {
                format!("weights {after}, that is {percents} in percent")
            };
            phases.push((
                format!("traffic-{share}"),
                format!(
                    "{}/{} ({}): `{}` sends {share}% to the new target group ({weights}), as defined",
                    shift.environment,
                    shift.stack,
                    shift.target.name(),
                    shift.address,
                ),
            ));
            staged.push(Staged {
                kind: Kind::TrafficShift,
                environment: shift.environment.clone(),
                stack: shift.stack.clone(),
                subject: shift.address.clone(),
                offset: after_renames,
                phases,
                manual: None,
            });
        }
        let mut relocated: Vec<(&str, &StackPlan, Option<&StackPlan>)> = Vec::new();
        for (i, s) in stacks.iter().enumerate() {
            if !s.relocated || s.status != crate::StackStatus::Removed {
                continue;
            }
            if relocated.iter().any(|(env, _, _)| *env == s.environment) {
                continue;
            }
            let new = stacks[i + 1..].iter().find(|n| {
                n.relocated
                    && n.environment == s.environment
                    && n.status == crate::StackStatus::Added
            });
            relocated.push((&s.environment, s, new));
        }
        for (env, old, new) in relocated {
            let place = |p: Option<&crate::Placement>| {
                p.map_or("its old placement".to_owned(), |p| {
                    format!("account {} region {}", p.account, p.region)
                })
            };
            holds.push((
                staged.len(),
                1,
                2,
                Edit::KeepPlacement {
                    environment: env.to_owned(),
                },
            ));
            staged.push(Staged {
                kind: Kind::Relocation,
                environment: env.to_owned(),
                stack: String::new(),
                subject: env.to_owned(),
                offset: 0,
                phases: vec![
                    (
                        "tear-down-old".into(),
                        format!(
                            "{env}: tear down the old deployment in {} (the teardown commands `list --out` of \
                             this step prints)",
                            place(old.placement.as_ref())
                        ),
                    ),
                    (
                        "deploy-new".into(),
                        format!(
                            "{env}: deploy in {}",
                            place(new.and_then(|n| n.placement.as_ref()))
                        ),
                    ),
                ],
                manual: None,
            });
        }
        let total = staged
            .iter()
            .map(|s| s.offset + s.phases.len())
            .max()
            .unwrap_or(0);
        let mut steps = Vec::new();
        for number in 1..=total {
            let mut slugs: Vec<&str> = Vec::new();
            let mut lines = Vec::new();
            let mut bake = None;
            for s in &staged {
                let Some(local) = number.checked_sub(s.offset + 1) else {
                    continue;
                };
                if let Some((slug, line)) = s.phases.get(local) {
                    if !slugs.contains(&slug.as_str()) {
                        slugs.push(slug);
                    }
                    lines.push(line.clone());
                    if s.kind == Kind::TrafficShift && local + 1 < s.phases.len() {
                        bake = Some(BAKE_MINUTES);
                    }
                }
            }
            if lines.is_empty() {
                slugs.push("deploy");
                lines.push("deploy the rest of the change".to_owned());
            }
            let mut slug = slugs.join("-");
            slug.truncate(60);
            steps.push(Step {
                number,
                slug: slug.trim_end_matches('-').to_owned(),
                lines,
                bake_minutes: bake,
            });
        }
        let holds = holds
            .into_iter()
            .map(|(at, from, until, edit)| Hold {
                from: staged[at].offset + from,
                until: staged[at].offset + until,
                edit,
            })
            .collect();
        // One step is a sequence only when it carries commands to run (Terraform's state moves).
        let commands = staged
            .iter()
            .any(|s| s.kind == Kind::Move && s.phases.len() == 1);
        if total == 0 || (total < 2 && !commands) {
            return Sequence::default();
        }
        Sequence {
            staged,
            holds,
            steps,
            // Set by the planner, from the pairing of the moves.
            refused: Vec::new(),
        }
    }

    /// Whether the change deploys in one step.
    pub fn is_single(&self) -> bool {
        self.steps.is_empty()
    }

    /// The holds the tree of step `number` applies (1-based; the last step applies none).
    pub fn holds_at(&self, number: usize) -> impl Iterator<Item = &Hold> {
        self.holds
            .iter()
            .filter(move |h| h.from <= number && number < h.until)
    }

    /// "this change needs N steps (kinds)", for a headline: the kinds in words, each once, in order.
    pub fn headline(&self) -> String {
        let mut kinds: Vec<&str> = Vec::new();
        for s in &self.staged {
            if !kinds.contains(&s.kind.title()) {
                kinds.push(s.kind.title());
            }
        }
        format!(
            "this change needs {} step{} ({})",
            self.steps.len(),
            if self.steps.len() == 1 { "" } else { "s" },
            kinds.join(", ")
        )
    }
}

/// A declared move found in the plan: the destination's added resources paired with the source's
/// destroyed ones, (type, old address, new address) each (for Terraform, every block the resource splits
/// into).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paired {
    pub declared: Move,
    pub blocks: Vec<(String, String, String)>,
}

/// Pairs each declared move with the plan: the source stack's previous resource must be destroyed and
/// the destination's added, of the same type. Each paired resource gets a note (which says that a
/// deploy in one go deletes it, and that `synth --steps` moves it); a source whose deletion loses data
/// keeps its data loss (the tree is still deployable in one go, which loses it), told that the steps
/// avoid it, and one a CloudFormation policy keeps gets a warning saying what one go does; a move that does not pair is a
/// warning on the destination's resource, saying why (the source is not deployed, or still declared),
/// and is planned as what it is, an addition.
///
/// A CloudFormation move is also held to what a stack refactor can do (`ties`: what the source
/// template's destroyed resources refer to, and what refers to them): a moved resource that refers to one
/// that stays, or one that stays that refers to a moved one, cannot be moved; the move is refused (a
/// warning on the destination's resource, located at its `moved_from`, and in the returned refusals,
/// which `synth --steps` reports as its error) and planned as what it is.
pub fn pair_moves(
    stacks: &mut [StackPlan],
    moves: &[Move],
    ties: &[Ties],
) -> (Vec<Paired>, Vec<String>) {
    // (declared move, source stack, destination stack, blocks), before the refactor's check.
    let mut found: Vec<Found> = Vec::new();
    for m in moves {
        let place = |s: &StackPlan, stack: &str| {
            s.environment == m.environment
                && s.stack == stack
                && s.target == m.target
                && !s.relocated
        };
        let Some(to) = stacks.iter().position(|s| place(s, &m.to_stack)) else {
            continue;
        };
        // The destination's added resources of this move: the resource itself first.
        let name_of = |address: &str| -> Option<(String, String)> {
            match m.target {
                Target::CloudFormation => Some((String::new(), address.to_owned())),
                Target::Terraform => {
                    let (ty, name) = address.split_once('.')?;
                    (ty != "data").then(|| (ty.to_owned(), name.to_owned()))
                }
            }
        };
        let added: Vec<(String, String, String)> = stacks[to]
            .resources
            .iter()
            .filter(|r| r.action == Action::Add)
            .filter_map(|r| {
                let (_, name) = name_of(&r.address)?;
                let suffix = if name == m.to {
                    String::new()
                } else {
                    // The blocks a resource lowers to extend its name (Terraform: `_` and a word;
                    // CloudFormation: a word, as `DataPolicy` of `Data`), and are paired by type too.
                    let rest = name.strip_prefix(&m.to)?;
                    if m.target == Target::Terraform && !rest.starts_with('_') {
                        return None;
                    }
                    rest.to_owned()
                };
                Some((r.type_name.clone(), r.address.clone(), suffix))
            })
            .collect();
        let old_address = |ty: &str, suffix: &str| match m.target {
            Target::CloudFormation => format!("{}{suffix}", m.from),
            Target::Terraform => format!("{ty}.{}{suffix}", m.from),
        };
        let source = stacks.iter().position(|s| place(s, &m.from_stack));
        let mut blocks = Vec::new();
        let mut why = None;
        match source {
            None => {
                why = Some(format!(
                    "the deployed tree has no stack `{}` in `{}`",
                    m.from_stack, m.environment
                ))
            }
            Some(from) => {
                for (ty, new, suffix) in &added {
                    let old = old_address(ty, suffix);
                    match stacks[from].resources.iter().find(|r| r.address == old) {
                        Some(r) if r.action == Action::Destroy && r.type_name == *ty => {
                            blocks.push((ty.clone(), old, new.clone()))
                        }
                        Some(r) if r.action == Action::Destroy => {
                            why = Some(format!(
                                "`{old}` of `{}` is a `{}`, not a `{ty}`",
                                m.from_stack, r.type_name
                            ))
                        }
                        Some(_) if suffix.is_empty() => {
                            why = Some(format!(
                                "`{}` still declares `{old}`: remove it there",
                                m.from_stack
                            ))
                        }
                        Some(_) => {}
                        None if suffix.is_empty() => {
                            why = Some(format!("the deployed `{}` has no `{old}`", m.from_stack))
                        }
                        None => {}
                    }
                }
            }
        }
        let main = added.iter().find(|(_, _, suffix)| suffix.is_empty());
        let Some((_, main_address, _)) = main else {
            continue;
        };
        if let Some(why) = why
            .filter(|_| !blocks.iter().any(|(_, _, new)| new == main_address) || blocks.is_empty())
        {
            let warning = format!(
                "declared moved from `{}` of stack `{}` (at {}), but {why}: it is created as a new resource",
                m.from, m.from_stack, m.declared_at
            );
            if let Some(r) = stacks[to]
                .resources
                .iter_mut()
                .find(|r| r.address == *main_address)
            {
                if r.warnings.is_empty() {
                    stacks[to].summary.warnings += 1;
                }
                r.warnings.push(warning);
            }
            continue;
        }
        let from = source.expect("paired blocks come from a source");
        found.push((m, from, to, blocks));
    }
    let refusals = refuse_refactors(stacks, &mut found, ties);
    let mut paired = Vec::new();
    for (m, from, to, blocks) in found {
        for (_, old, new) in &blocks {
            if let Some(r) = stacks[to].resources.iter_mut().find(|r| r.address == *new) {
                if r.moved_from.is_none() {
                    stacks[to].summary.moved += 1;
                }
                r.moved_from = Some(format!("{}/{old}", m.from_stack));
                r.notes.push(format!(
                    "moved from `{old}` of stack `{}`: deployed in one go it would be created anew while \
                     `{}` deletes the deployed one (or lets go of it, if its policy retains it); \
                     `synth --steps` moves it instead",
                    m.from_stack, m.from_stack
                ));
            }
            if let Some(r) = stacks[from]
                .resources
                .iter_mut()
                .find(|r| r.address == *old)
            {
                r.notes.push(format!(
                    "moved to `{new}` of stack `{}`: `synth --steps` moves it ({}), never deleting it",
                    m.to_stack,
                    match m.target {
                        Target::CloudFormation => "a stack refactor",
                        Target::Terraform => "terraform state rm, then terraform import",
                    }
                ));
                // The steps lose nothing, but this tree, deployed in one go (plain `synth`, the CI's
                // gate), deletes the deployed resource and creates an empty one: that stays data loss.
                if let Some(lost) = r.data_loss.as_mut() {
                    lost.push_str(
                        " (this tree deployed in one go deletes it and creates a new, empty one; \
                         `synth --steps` moves it instead, never deleting it)",
                    );
                } else if m.target == Target::CloudFormation
                    && stateful::loses(m.target, &r.type_name).is_some()
                {
                    // Kept by its DeletionPolicy: the source stack lets go of it, the destination
                    // creates another.
                    let kept = if r
                        .notes
                        .iter()
                        .any(|n| n.starts_with("snapshot then delete"))
                    {
                        "deletes it after a final snapshot (DeletionPolicy Snapshot)"
                    } else {
                        "leaves it in place but in no stack (DeletionPolicy Retain)"
                    };
                    if r.warnings.is_empty() {
                        stacks[from].summary.warnings += 1;
                    }
                    r.warnings.push(format!(
                        "deployed in one go, `{}` {kept} and `{}` creates `{new}` anew: a new, empty \
                         resource, or, if it has a fixed name, a create that fails because the name is \
                         taken (the stack rolls back); `synth --steps` moves the deployed one instead",
                        m.from_stack, m.to_stack
                    ));
                }
            }
        }
        paired.push(Paired {
            declared: m.clone(),
            blocks,
        });
    }
    (paired, refusals)
}

/// What a CloudFormation template of the previous tree ties its destroyed resources to: the ids (of its
/// resources and parameters) each refers to, and what refers to them (resources and outputs). A stack
/// refactor moves resources without changing any reference, so these decide what it can move
/// ([`pair_moves`]). Kept instead of the template, which the plan does not keep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ties {
    pub environment: String,
    pub stack: String,
    /// Each destroyed resource and the other ids of the template it refers to.
    pub refers: Vec<(String, Vec<String>)>,
    /// Each resource or output of the template that refers to a destroyed resource, and those it refers to.
    pub referred_by: Vec<(String, Vec<String>)>,
}

impl Ties {
    /// The ties of `previous` (a CloudFormation template) for the resources its stack's `plan` destroys;
    /// `None` for a Terraform module or a plan that destroys nothing.
    pub fn of(previous: &Document, plan: &StackPlan) -> Option<Ties> {
        if previous.target != Target::CloudFormation {
            return None;
        }
        let destroyed: Vec<&str> = plan
            .resources
            .iter()
            .filter(|r| r.action == Action::Destroy)
            .map(|r| r.address.as_str())
            .collect();
        if destroyed.is_empty() {
            return None;
        }
        let section = |name: &str| {
            previous
                .json
                .get(name)
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
        };
        // A resource left out of `previous` as unchanged is one of it too (and refers to none that
        // goes, since its fresh self could not).
        let known = |id: &str| {
            ["Resources", "Parameters"]
                .iter()
                .any(|s| previous.json.get(s).and_then(|m| m.get(id)).is_some())
                || previous.unchanged.is_some_and(|u| u.has_resource(id))
        };
        let refers = destroyed
            .iter()
            .filter_map(|id| {
                let body = previous.json.get("Resources")?.get(*id)?;
                let mut to: Vec<String> = referenced(body)
                    .into_iter()
                    .filter(|r| r != id && known(r))
                    .collect();
                to.dedup();
                Some(((*id).to_owned(), to))
            })
            .collect();
        let referred_by = section("Resources")
            .chain(section("Outputs"))
            .filter_map(|(id, body)| {
                let mut to: Vec<String> = referenced(body)
                    .into_iter()
                    .filter(|r| r != id && destroyed.contains(&r.as_str()))
                    .collect();
                to.dedup();
                (!to.is_empty()).then(|| (id.clone(), to))
            })
            .collect();
        Some(Ties {
            environment: previous.environment.to_owned(),
            stack: previous.stack.to_owned(),
            refers,
            referred_by,
        })
    }
}

/// A declared move whose blocks pair, before the refactor's check: the move, the source's and the
/// destination's index among the stacks, and the blocks (type, old address, new address).
type Found<'m> = (&'m Move, usize, usize, Vec<(String, String, String)>);

/// Takes out of `found` the CloudFormation moves a stack refactor cannot make (see [`Ties`]), until the
/// rest can all be made (one refused move can tie another to its source), and warns on each refused
/// move's resource. The refusals, each located at its `moved_from`.
fn refuse_refactors(
    stacks: &mut [StackPlan],
    found: &mut Vec<Found>,
    ties: &[Ties],
) -> Vec<String> {
    let mut refusals = Vec::new();
    loop {
        let refused = found.iter().enumerate().find_map(|(i, (m, _, _, blocks))| {
            if m.target != Target::CloudFormation {
                return None;
            }
            let t = ties
                .iter()
                .find(|t| t.environment == m.environment && t.stack == m.from_stack)?;
            // What moves from this source to this destination in the same refactor.
            let moved = |id: &str| {
                found.iter().any(|(o, _, _, blocks)| {
                    o.target == Target::CloudFormation
                        && o.environment == m.environment
                        && o.from_stack == m.from_stack
                        && o.to_stack == m.to_stack
                        && blocks.iter().any(|(_, old, _)| old == id)
                })
            };
            let (env, from, to, at) = (&m.environment, &m.from_stack, &m.to_stack, &m.declared_at);
            for (_, old, _) in blocks {
                let stays = t
                    .refers
                    .iter()
                    .find(|(id, _)| id == old)
                    .and_then(|(_, refs)| refs.iter().find(|r| !moved(r)));
                if let Some(r) = stays {
                    return Some((
                        i,
                        format!(
                            "{env}: `{old}` moves from `{from}` to `{to}` (moved_from at {at}) but refers to \
                             `{r}`, which stays in `{from}`: a stack refactor cannot change references, so \
                             `synth --steps` cannot move it; move `{r}` too (moved_from on it as well), or \
                             keep `{old}` in `{from}`"
                        ),
                    ));
                }
                let user = t
                    .referred_by
                    .iter()
                    .find(|(id, refs)| !moved(id) && refs.contains(old));
                if let Some((id, _)) = user {
                    return Some((
                        i,
                        format!(
                            "{env}: `{old}` moves from `{from}` to `{to}` (moved_from at {at}), but `{id}`, \
                             which stays in `{from}`, refers to it: a stack refactor cannot change references, \
                             so `synth --steps` cannot move it; move `{id}` too (moved_from on it as well), \
                             or keep `{old}` in `{from}`"
                        ),
                    ));
                }
            }
            None
        });
        let Some((i, why)) = refused else {
            return refusals;
        };
        let (m, _, to, _) = found.remove(i);
        // Only CloudFormation moves are refused, and their main resource's address is the new id.
        if let Some(r) = stacks[to].resources.iter_mut().find(|r| r.address == m.to) {
            if r.warnings.is_empty() {
                stacks[to].summary.warnings += 1;
            }
            r.warnings
                .push(format!("{why}: it is created as a new resource"));
        }
        refusals.push(why);
    }
}

/// The weights of each intermediate stage of a shift: the gaining group's share goes through the
/// [`TRAFFIC_STAGES`] strictly between its share before and after. Only a shift between two groups,
/// one gaining, is staged.
fn stages_of(shift: &Shift) -> Vec<Vec<u64>> {
    let Some(gainer) = gainer(shift) else {
        return Vec::new();
    };
    let (from, to) = (share(&shift.before, gainer), share(&shift.after, gainer));
    TRAFFIC_STAGES
        .iter()
        .map(|&s| u64::from(s))
        .filter(|&s| s > from && s < to)
        .map(|s| {
            let mut w = vec![100 - s, 100 - s];
            w[gainer] = s;
            w
        })
        .collect()
}

/// The group of a two-group shift whose share grows.
fn gainer(shift: &Shift) -> Option<usize> {
    if shift.before.len() != 2 || shift.after.len() != 2 {
        return None;
    }
    if shift.before.iter().sum::<u64>() == 0 || shift.after.iter().sum::<u64>() == 0 {
        return None;
    }
    (0..2).find(|&i| share(&shift.after, i) > share(&shift.before, i))
}

/// Group `i`'s share of `weights`, in whole percent.
fn share(weights: &[u64], i: usize) -> u64 {
    let total: u64 = weights.iter().sum();
    (weights[i] * 100).checked_div(total).unwrap_or(0)
}

fn share_of_gainer(shift: &Shift, weights: &[u64]) -> u64 {
    gainer(shift).map_or(0, |g| share(weights, g))
}

fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The weighted forwards of `after`'s resources whose weights differ from the same action of
/// `before`'s: CloudFormation `ForwardConfig.TargetGroups[].Weight` of a listener's `DefaultActions` or a
/// rule's `Actions`, Terraform `forward.target_group[].weight` of `default_action` or `action` blocks.
/// Groups are matched by their ARN value; a forward whose groups differ is not a shift.
pub fn shifts(before: &Document, after: &Document) -> Vec<Shift> {
    let mut found = Vec::new();
    // Only listeners and listener rules are read (see `listeners`), each looked up by address on the
    // other side.
    let previous_of = |address: &str| -> Option<&Json> {
        match before.target {
            Target::CloudFormation => before.json.get("Resources")?.get(address),
            Target::Terraform => {
                let (ty, name) = address.split_once('.')?;
                before.json.get("resource")?.get(ty)?.get(name)
            }
        }
    };
    for (address, body) in listeners(after) {
        let Some(previous) = previous_of(&address) else {
            continue;
        };
        for (pointer, groups) in forwards(after.target, body) {
            let Some(old_groups) = previous.pointer(&pointer).and_then(Json::as_array) else {
                continue;
            };
            let (arn, weight) = match after.target {
                Target::CloudFormation => ("TargetGroupArn", "Weight"),
                Target::Terraform => ("arn", "weight"),
            };
            let mut before_w = Vec::new();
            let mut after_w = Vec::new();
            let mut pointers = Vec::new();
            let mut matched = old_groups.len() == groups.len();
            for (i, g) in groups.iter().enumerate() {
                let Some(o) = old_groups.iter().find(|o| o.get(arn) == g.get(arn)) else {
                    matched = false;
                    break;
                };
                match (
                    o.get(weight).and_then(Json::as_u64),
                    g.get(weight).and_then(Json::as_u64),
                ) {
                    (Some(b), Some(a)) => {
                        before_w.push(b);
                        after_w.push(a);
                        pointers.push(format!("{pointer}/{i}/{weight}"));
                    }
                    _ => matched = false,
                }
            }
            if matched && before_w != after_w {
                found.push(Shift {
                    environment: after.environment.to_owned(),
                    stack: after.stack.to_owned(),
                    target: after.target,
                    address: address.clone(),
                    weights: pointers,
                    before: before_w,
                    after: after_w,
                });
            }
        }
    }
    found
}

/// The listeners and listener rules of a document, by address: borrowed, one type check per resource.
fn listeners<'a>(d: &Document<'a>) -> Vec<(String, &'a Json)> {
    match d.target {
        Target::CloudFormation => d
            .json
            .get("Resources")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, v)| {
                v.get("Type")
                    .and_then(Json::as_str)
                    .is_some_and(|t| t.starts_with("AWS::ElasticLoadBalancingV2::Listener"))
            })
            .map(|(k, v)| (k.clone(), v))
            .collect(),
        Target::Terraform => d
            .json
            .get("resource")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .filter(|(ty, _)| {
                ty.starts_with("aws_lb_listener") || ty.starts_with("aws_alb_listener")
            })
            .flat_map(|(ty, blocks)| {
                blocks
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(name, body)| (format!("{ty}.{name}"), body))
            })
            .collect(),
    }
}

/// (pointer, target groups) of every weighted forward of a resource body.
fn forwards(target: Target, body: &Json) -> Vec<(String, Vec<Json>)> {
    let mut out = Vec::new();
    match target {
        Target::CloudFormation => {
            for section in ["DefaultActions", "Actions"] {
                let Some(actions) = body
                    .pointer(&format!("/Properties/{section}"))
                    .and_then(Json::as_array)
                else {
                    continue;
                };
                for (i, action) in actions.iter().enumerate() {
                    if let Some(groups) = action
                        .pointer("/ForwardConfig/TargetGroups")
                        .and_then(Json::as_array)
                    {
                        out.push((
                            format!("/Properties/{section}/{i}/ForwardConfig/TargetGroups"),
                            groups.clone(),
                        ));
                    }
                }
            }
        }
        Target::Terraform => {
            for section in ["default_action", "action"] {
                let actions = match body.get(section) {
                    Some(Json::Array(a)) => a.iter().collect::<Vec<_>>(),
                    Some(one @ Json::Object(_)) => vec![one],
                    _ => continue,
                };
                let listed = matches!(body.get(section), Some(Json::Array(_)));
                for (i, action) in actions.iter().enumerate() {
                    let base = if listed {
                        format!("/{section}/{i}")
                    } else {
                        format!("/{section}")
                    };
                    let forward = match action.get("forward") {
                        Some(Json::Array(f)) if f.len() == 1 => {
                            (format!("{base}/forward/0"), &f[0])
                        }
                        Some(f @ Json::Object(_)) => (format!("{base}/forward"), f),
                        _ => continue,
                    };
                    if let Some(groups) = forward.1.get("target_group").and_then(Json::as_array) {
                        out.push((format!("{}/target_group", forward.0), groups.clone()));
                    }
                }
            }
        }
    }
    out
}

/// Where a document of a step's tree comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The desired tree's document (index into `desired`).
    Desired(usize),
    /// The previous tree's document (index into `previous`).
    Previous(usize),
}

/// One document of a step's tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub source: Source,
    /// The edited document; `None`: the source's bytes, unchanged.
    pub json: Option<Json>,
    /// Kept only to be torn down (an old placement).
    pub removed: bool,
}

/// A stack refactor a step's tree deploys: the (environment, stack) and its (old, new) logical ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refactor {
    pub environment: String,
    /// The stack the resources are in.
    pub stack: String,
    /// The stack they go to: `stack` itself for renames, another for a move.
    pub destination: String,
    pub renames: Vec<(String, String)>,
}

/// The documents of step `number`'s tree: `desired` with every hold of the step applied, the previous
/// documents they keep appended. `previous` must be whole documents. The last step gives `desired`
/// unchanged. An edit that finds nothing to edit is an error naming it (the trees are not those the
/// sequence was planned for).
pub fn build(
    sequence: &Sequence,
    number: usize,
    desired: &[Document],
    previous: &[Document],
) -> Result<(Vec<Built>, Vec<Refactor>), String> {
    let mut out: Vec<Built> = (0..desired.len())
        .map(|i| Built {
            source: Source::Desired(i),
            json: None,
            removed: false,
        })
        .collect();
    let mut refactors = Vec::new();
    let find = |docs: &[Document], env: &str, stack: &str, target: Target| {
        docs.iter()
            .position(|d| d.environment == env && d.stack == stack && d.target == target)
    };
    let mut holds: Vec<&Hold> = sequence.holds_at(number).collect();
    // Whole-document edits first, so that the others edit what they leave.
    holds.sort_by_key(|h| {
        (
            !matches!(h.edit, Edit::RenameOnly { .. } | Edit::KeepPlacement { .. }),
            matches!(h.edit, Edit::MoveOnly { .. }),
        )
    });
    for hold in holds {
        match &hold.edit {
            Edit::RenameOnly {
                environment,
                stack,
                renames,
            } => {
                let (Some(d), Some(p)) = (
                    find(desired, environment, stack, Target::CloudFormation),
                    find(previous, environment, stack, Target::CloudFormation),
                ) else {
                    return Err(format!(
                        "{environment}/{stack}: no template on both sides to refactor"
                    ));
                };
                out[d].json = Some(rename_ids(previous[p].json, renames));
                refactors.push(Refactor {
                    environment: environment.clone(),
                    stack: stack.clone(),
                    destination: stack.clone(),
                    renames: renames.clone(),
                });
            }
            Edit::KeepPlacement { environment } => {
                out.retain(|b| match b.source {
                    Source::Desired(i) => desired[i].environment != environment,
                    Source::Previous(_) => true,
                });
                for (i, p) in previous.iter().enumerate() {
                    if p.environment == environment {
                        out.push(Built {
                            source: Source::Previous(i),
                            json: None,
                            removed: true,
                        });
                    }
                }
            }
            Edit::KeepStack { environment, stack } => {
                for (i, p) in previous.iter().enumerate() {
                    if p.environment == environment
                        && p.stack == stack
                        && !out.iter().any(|b| b.source == Source::Previous(i))
                        && find(desired, environment, stack, p.target).is_none()
                    {
                        out.push(Built {
                            source: Source::Previous(i),
                            json: None,
                            removed: false,
                        });
                    }
                }
            }
            Edit::MoveOnly {
                environment,
                from_stack,
                to_stack,
                moves,
            } => {
                let cf = Target::CloudFormation;
                let p_from = find(previous, environment, from_stack, cf).ok_or_else(|| {
                    format!(
                        "{environment}/{from_stack}: no deployed template to move resources from"
                    )
                })?;
                let d_to = find(desired, environment, to_stack, cf)
                    .ok_or_else(|| format!("{environment}/{to_stack}: not in the desired tree"))?;
                // What each side is before the move: an earlier whole-document edit's result, else the
                // previous template (a new destination: an empty one).
                let current = |out: &[Built], source: Source| {
                    out.iter()
                        .find(|b| b.source == source)
                        .and_then(|b| b.json.clone())
                };
                let d_from = find(desired, environment, from_stack, cf);
                let from_json = d_from
                    .and_then(|d| current(&out, Source::Desired(d)))
                    .filter(|_| refactors.iter().any(|r: &Refactor| r.stack == *from_stack))
                    .unwrap_or_else(|| previous[p_from].json.clone());
                let p_to = find(previous, environment, to_stack, cf);
                let to_json = current(&out, Source::Desired(d_to))
                    .filter(|_| refactors.iter().any(|r: &Refactor| r.stack == *to_stack))
                    .or_else(|| p_to.map(|p| previous[p].json.clone()))
                    .unwrap_or_else(|| {
                        serde_json::json!({
                            "AWSTemplateFormatVersion": desired[d_to].json
                                .get("AWSTemplateFormatVersion")
                                .cloned()
                                .unwrap_or_else(|| Json::from("2010-09-09")),
                            "Resources": {},
                        })
                    });
                let (from_json, to_json) =
                    move_resources(from_json, to_json, moves, environment, from_stack, to_stack)?;
                match d_from {
                    Some(d) => out[d].json = Some(from_json),
                    None => out.push(Built {
                        source: Source::Previous(p_from),
                        json: Some(from_json),
                        removed: false,
                    }),
                }
                out[d_to].json = Some(to_json);
                refactors.push(Refactor {
                    environment: environment.clone(),
                    stack: from_stack.clone(),
                    destination: to_stack.clone(),
                    renames: moves.clone(),
                });
            }
            _ => {}
        }
    }
    // A second export copies the desired value before a kept export puts the old one back.
    let mut edits: Vec<&Edit> = sequence.holds_at(number).map(|h| &h.edit).collect();
    edits.sort_by_key(|e| !matches!(e, Edit::AddExport { .. }));
    for edit in edits {
        match edit {
            Edit::KeepExport {
                environment,
                stack,
                export,
            } => {
                let p = find(previous, environment, stack, Target::CloudFormation)
                    .ok_or_else(|| format!("{environment}/{stack}: no previous template"))?;
                let (key, old) = exporting(previous[p].json, export).ok_or_else(|| {
                    format!(
                        "{environment}/{stack}: the previous template does not export `{export}`"
                    )
                })?;
                let (key, old) = (key.to_owned(), old.clone());
                let json = desired_mut(
                    &mut out,
                    desired,
                    environment,
                    stack,
                    Target::CloudFormation,
                )?;
                let outputs = outputs_of(json);
                let same = outputs
                    .iter()
                    .find(|(_, v)| v.pointer("/Export/Name").and_then(Json::as_str) == Some(export))
                    .map(|(k, _)| k.clone());
                match same {
                    Some(k) => {
                        outputs.insert(k, old);
                    }
                    None => {
                        let mut k = key;
                        while outputs.contains_key(&k) {
                            k.push_str("Kept");
                        }
                        outputs.insert(k, old);
                    }
                }
            }
            Edit::AddExport {
                environment,
                stack,
                export,
                alias,
            } => {
                let json = desired_mut(
                    &mut out,
                    desired,
                    environment,
                    stack,
                    Target::CloudFormation,
                )?;
                let (key, value) = exporting(json, export)
                    .map(|(k, v)| (k.to_owned(), v.clone()))
                    .ok_or_else(|| format!("{environment}/{stack}: the desired template does not export `{export}`"))?;
                let mut value = value;
                value["Export"]["Name"] = Json::from(alias.clone());
                let outputs = outputs_of(json);
                let mut k = format!("{key}Next");
                while outputs.contains_key(&k) {
                    k.push_str("Next");
                }
                outputs.insert(k, value);
            }
            Edit::RenameImport {
                environment,
                stack,
                from,
                to,
            } => {
                let json = desired_mut(
                    &mut out,
                    desired,
                    environment,
                    stack,
                    Target::CloudFormation,
                )?;
                if !rename_imports(json, from, to) {
                    return Err(format!(
                        "{environment}/{stack}: the desired template does not import `{from}`"
                    ));
                }
            }
            Edit::Set {
                environment,
                stack,
                target,
                address,
                pointer,
                value,
            } => {
                let json = desired_mut(&mut out, desired, environment, stack, *target)?;
                let body = resource_mut(json, *target, address)
                    .ok_or_else(|| format!("{environment}/{stack}: no resource `{address}`"))?;
                set(body, pointer, value.clone()).ok_or_else(|| {
                    format!("{environment}/{stack}: `{address}` has nothing at `{pointer}`")
                })?;
            }
            Edit::RenameOnly { .. }
            | Edit::KeepPlacement { .. }
            | Edit::KeepStack { .. }
            | Edit::MoveOnly { .. }
            | Edit::ForgetImport(_) => {}
        }
    }
    Ok((out, refactors))
}

/// The Terraform state moves step `number` runs before its applies.
pub fn terraform_moves_at(sequence: &Sequence, number: usize) -> Vec<&TerraformMove> {
    sequence
        .holds_at(number)
        .filter_map(|h| match &h.edit {
            Edit::ForgetImport(m) => Some(m),
            _ => None,
        })
        .collect()
}

/// The attribute of a hashicorp/aws resource's state that is its `terraform import` id, for the types
/// whose import id is known (provider 5.x, the documentation's Import sections): most import by their `id`;
/// a database instance by its `identifier` (its `id` is the resource id since 5.0). `None`: no derivation is
/// known (a route, an association, a scaling policy import by ids their state spells otherwise), and the
/// script holds a placeholder the user must fill.
pub fn import_id_attribute(type_name: &str) -> Option<&'static str> {
    const BY_ID: &[&str] = &[
        "aws_acm_certificate",
        "aws_autoscaling_group",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
        "aws_db_subnet_group",
        "aws_default_security_group",
        "aws_dynamodb_table",
        "aws_ebs_volume",
        "aws_eip",
        "aws_iam_instance_profile",
        "aws_iam_policy",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_instance",
        "aws_internet_gateway",
        "aws_kms_alias",
        "aws_kms_key",
        "aws_lambda_function",
        "aws_launch_template",
        "aws_lb",
        "aws_lb_listener",
        "aws_lb_listener_rule",
        "aws_lb_target_group",
        "aws_nat_gateway",
        "aws_route53_zone",
        "aws_route_table",
        "aws_s3_bucket",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning",
        "aws_secretsmanager_secret",
        "aws_secretsmanager_secret_version",
        "aws_security_group",
        "aws_sns_topic",
        "aws_sns_topic_subscription",
        "aws_sqs_queue",
        "aws_ssm_parameter",
        "aws_subnet",
        "aws_vpc",
        "aws_vpc_security_group_egress_rule",
        "aws_vpc_security_group_ingress_rule",
    ];
    match type_name {
        "aws_db_instance" => Some("identifier"),
        t if BY_ID.contains(&t) => Some("id"),
        _ => None,
    }
}

/// The script of a step that moves Terraform blocks from one module's state to another's (`from_dir`,
/// `to_dir`: the modules' directories relative to the step's tree; the script, `move/<env>/<name>.sh` of
/// that tree, runs there wherever it is called from). Before it changes
/// anything it runs `terraform init -input=false` in both modules (idempotent: it needs their
/// backends to read and write state, and may run before the deploy's own `init`), reads every import id from the source state (`terraform state pull`, `jq`) and stops on
/// a placeholder left unfilled; then, block by block, `terraform state rm` in the source (the resource
/// stays in AWS) and `terraform import` into the destination. It never applies or destroys.
pub fn terraform_move_script(m: &TerraformMove, from_dir: &str, to_dir: &str) -> String {
    let q = |s: &str| {
        shlex::try_quote(s)
            .map(|q| q.into_owned())
            .unwrap_or_else(|_| format!("'{}'", s.replace('\0', "")))
    };
    let mut out = String::new();
    out.push_str("#!/usr/bin/env bash\n");
    out.push_str(&format!(
        "# Moves the Terraform state of {} block{} from stack `{}` to stack `{}` (environment `{}`), so that\n\
         # neither apply deletes or creates them. Run it once (from anywhere: it works in its step's tree) before\n\
         # applying either module (it runs `terraform init` of both itself); then apply the modules in the\n\
         # deploy order `list` prints.\n\
         # It reads every import id from the source state before it changes anything, then forgets each block\n\
         # there (`terraform state rm`: the resource stays in AWS) and imports it into the destination. If an\n\
         # import fails, the resource is still in AWS and in no state: import it by hand with the id printed.\n",
        m.blocks.len(),
        if m.blocks.len() == 1 { "" } else { "s" },
        m.from_stack,
        m.to_stack,
        m.environment
    ));
    out.push_str("set -euo pipefail\n");
    // The script is `move/<env>/<name>.sh` of its step's tree; the modules' paths are relative to the tree.
    out.push_str("cd \"$(dirname \"${BASH_SOURCE[0]}\")/../..\"\n");
    out.push_str(&format!("from={}\nto={}\n", q(from_dir), q(to_dir)));
    // Both backends must be initialized to read and write their states; `init` is idempotent, and the
    // deploy's own `init` then finds them ready.
    out.push_str(
        "terraform -chdir=\"$from\" init -input=false\nterraform -chdir=\"$to\" init -input=false\n",
    );
    out.push_str("state=$(terraform -chdir=\"$from\" state pull)\n");
    out.push_str(
        "id_of() {\n  printf '%s' \"$state\" | jq -er --arg t \"$1\" --arg n \"$2\" --arg a \"$3\" \\\n    \
         '[.resources[] | select(.mode == \"managed\" and .type == $t and .name == $n)]\n     \
         | if length == 1 and (.[0].instances | length) == 1\n       \
         then .[0].instances[0].attributes[$a] | select(type == \"string\" and . != \"\")\n       \
         else error(\"no single instance of \\($t).\\($n) in the source state\") end'\n}\n",
    );
    let mut placeholders = Vec::new();
    for (i, (ty, old, _)) in m.blocks.iter().enumerate() {
        let (_, old_name) = old.split_once('.').unwrap_or(("", old));
        match import_id_attribute(ty) {
            Some(attribute) => out.push_str(&format!(
                "id_{i}=$(id_of {} {} {})\n",
                q(ty),
                q(old_name),
                q(attribute)
            )),
            None => {
                out.push_str(&format!(
                    "# FILL IN: the import id of {old} (type {ty}: see the Import section of its hashicorp/aws \
                     documentation); stackwright knows no derivation from its state.\n\
                     id_{i}='<FILL IN: import id of {old}>'\n"
                ));
                placeholders.push(i);
            }
        }
    }
    for i in &placeholders {
        out.push_str(&format!(
            "case $id_{i} in '<FILL IN'*) echo \"fill in the import id of {} in $0 first: nothing was changed\" >&2; exit 1 ;; esac\n",
            m.blocks[*i].1
        ));
    }
    for (i, (_, old, new)) in m.blocks.iter().enumerate() {
        out.push_str(&format!(
            "echo \"moving {old} -> {new} (import id $id_{i})\"\n\
             terraform -chdir=\"$from\" state rm {}\n\
             terraform -chdir=\"$to\" import -input=false {} \"$id_{i}\"\n",
            q(old),
            q(new)
        ));
    }
    out
}

/// The two templates of a stack refactor across stacks: `moves` (old, new) taken out of `from` and put
/// into `to` under their new ids, with nothing else changed. A refactor cannot change what references
/// what, so a moved resource that refers to one that stays, or one that stays (or an output) that refers
/// to a moved one, is an error naming both.
fn move_resources(
    mut from: Json,
    mut to: Json,
    moves: &[(String, String)],
    environment: &str,
    from_stack: &str,
    to_stack: &str,
) -> Result<(Json, Json), String> {
    let moved = |id: &str| moves.iter().any(|(old, _)| old == id);
    let stays: Vec<String> = from
        .get("Resources")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .chain(
            from.get("Parameters")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone()),
        )
        .filter(|k| !moved(k))
        .collect();
    let resources = from
        .get_mut("Resources")
        .and_then(Json::as_object_mut)
        .ok_or_else(|| {
            format!("{environment}/{from_stack}: the deployed template has no resources")
        })?;
    let mut bodies = Vec::new();
    for (old, new) in moves {
        let body = resources.shift_remove(old).ok_or_else(|| {
            format!("{environment}/{from_stack}: the deployed template has no `{old}` to move")
        })?;
        if let Some(r) = referenced(&body).into_iter().find(|r| stays.contains(r)) {
            return Err(format!(
                "{environment}: `{old}` moves from `{from_stack}` to `{to_stack}` but refers to `{r}`, which \
                 stays in `{from_stack}`: a stack refactor cannot change references, so `synth --steps` \
                 cannot move it; move `{r}` too (moved_from on it as well), or keep `{old}` in `{from_stack}`"
            ));
        }
        bodies.push((new.clone(), body));
    }
    // What the moved resources say of each other follows their new ids.
    let renamed = rename_ids(
        &serde_json::json!({ "Resources": Json::Object(bodies.into_iter().collect()) }),
        moves,
    );
    let bodies: Vec<(String, Json)> = match renamed {
        Json::Object(mut map) => match map.remove("Resources") {
            Some(Json::Object(resources)) => resources.into_iter().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let users = from
        .get("Resources")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .chain(
            from.get("Outputs")
                .and_then(Json::as_object)
                .into_iter()
                .flatten(),
        );
    for (id, body) in users {
        if let Some(r) = referenced(body).into_iter().find(|r| moved(r)) {
            return Err(format!(
                "{environment}: `{r}` moves from `{from_stack}` to `{to_stack}`, but `{id}`, which stays in \
                 `{from_stack}`, refers to it: a stack refactor cannot change references, so `synth --steps` \
                 cannot move it; move `{id}` too (moved_from on it as well), or keep `{r}` in `{from_stack}`"
            ));
        }
    }
    if !to.get("Resources").is_some_and(Json::is_object) {
        to["Resources"] = Json::Object(Default::default());
    }
    let target = to["Resources"]
        .as_object_mut()
        .expect("made an object above");
    for (new, body) in bodies {
        if target.contains_key(&new) {
            return Err(format!(
                "{environment}/{to_stack}: the deployed template has a `{new}` already"
            ));
        }
        target.insert(new, body);
    }
    Ok((from, to))
}

/// The logical ids a template fragment refers to (`Ref`, `Fn::GetAtt`, `DependsOn`, `Fn::Sub`
/// variables); pseudo parameters (`AWS::...`) are left out.
fn referenced(value: &Json) -> Vec<String> {
    fn walk(value: &Json, found: &mut Vec<String>) {
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("Ref" | "DependsOn", Json::String(id)) => found.push(id.clone()),
                        ("DependsOn", Json::Array(ids)) => {
                            found.extend(ids.iter().filter_map(Json::as_str).map(str::to_owned))
                        }
                        ("Fn::GetAtt", Json::Array(parts)) => {
                            found.extend(parts.first().and_then(Json::as_str).map(str::to_owned))
                        }
                        ("Fn::GetAtt", Json::String(dotted)) => {
                            found.push(dotted.split('.').next().unwrap_or_default().to_owned())
                        }
                        ("Fn::Sub", Json::String(text)) => sub_names(text, found),
                        ("Fn::Sub", Json::Array(parts)) => {
                            if let Some(text) = parts.first().and_then(Json::as_str) {
                                sub_names(text, found);
                            }
                            parts.iter().skip(1).for_each(|p| walk(p, found));
                        }
                        _ => walk(v, found),
                    }
                }
            }
            Json::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    fn sub_names(text: &str, found: &mut Vec<String>) {
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            rest = &rest[start + 2..];
            let Some(end) = rest.find('}') else { break };
            let inner = &rest[..end];
            if !inner.starts_with('!') {
                found.push(inner.split('.').next().unwrap_or_default().to_owned());
            }
            rest = &rest[end..];
        }
    }
    let mut found = Vec::new();
    walk(value, &mut found);
    found.retain(|id| !id.starts_with("AWS::"));
    found
}

/// The edited document of (env, stack, target) among `out`, taken from `desired` on first edit.
fn desired_mut<'a>(
    out: &'a mut [Built],
    desired: &[Document],
    env: &str,
    stack: &str,
    target: Target,
) -> Result<&'a mut Json, String> {
    let found = out.iter_mut().find_map(|b| match b.source {
        Source::Desired(i) => {
            let d = &desired[i];
            (d.environment == env && d.stack == stack && d.target == target).then_some((i, b))
        }
        Source::Previous(_) => None,
    });
    let Some((i, built)) = found else {
        return Err(format!(
            "{env}/{stack} ({}): not in the desired tree",
            target.name()
        ));
    };
    Ok(built.json.get_or_insert_with(|| desired[i].json.clone()))
}

/// (output key, output) of the output of a template that exports `name`.
fn exporting<'a>(template: &'a Json, name: &str) -> Option<(&'a str, &'a Json)> {
    template
        .get("Outputs")?
        .as_object()?
        .iter()
        .find(|(_, v)| v.pointer("/Export/Name").and_then(Json::as_str) == Some(name))
        .map(|(k, v)| (k.as_str(), v))
}

fn outputs_of(template: &mut Json) -> &mut serde_json::Map<String, Json> {
    if !template.get("Outputs").is_some_and(Json::is_object) {
        template["Outputs"] = Json::Object(Default::default());
    }
    template["Outputs"]
        .as_object_mut()
        .expect("made an object above")
}

fn rename_imports(value: &mut Json, from: &str, to: &str) -> bool {
    match value {
        Json::Object(map) => {
            let mut found = false;
            for (k, v) in map.iter_mut() {
                if k == "Fn::ImportValue" && v.as_str() == Some(from) {
                    *v = Json::from(to);
                    found = true;
                } else {
                    found |= rename_imports(v, from, to);
                }
            }
            found
        }
        Json::Array(items) => items
            .iter_mut()
            .fold(false, |f, v| rename_imports(v, from, to) | f),
        _ => false,
    }
}

fn resource_mut<'a>(document: &'a mut Json, target: Target, address: &str) -> Option<&'a mut Json> {
    match target {
        Target::CloudFormation => document.get_mut("Resources")?.get_mut(address),
        Target::Terraform => {
            let (ty, name) = address.split_once('.')?;
            document.get_mut("resource")?.get_mut(ty)?.get_mut(name)
        }
    }
}

/// Sets (or with `None` removes) the value at `pointer` under `body`; `None` when its parent is not
/// there.
fn set(body: &mut Json, pointer: &str, value: Option<Json>) -> Option<()> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let last = last.replace("~1", "/").replace("~0", "~");
    let parent = body.pointer_mut(parent)?;
    match (parent, value) {
        (Json::Object(map), Some(v)) => {
            map.insert(last, v);
        }
        (Json::Object(map), None) => {
            map.shift_remove(&last)?;
        }
        (Json::Array(items), Some(v)) => *items.get_mut(last.parse::<usize>().ok()?)? = v,
        _ => return None,
    }
    Some(())
}

/// A template with logical ids renamed: the resources' keys (in place), and every `Ref`, `Fn::GetAtt`,
/// `DependsOn` and `Fn::Sub` variable naming them.
pub fn rename_ids(template: &Json, renames: &[(String, String)]) -> Json {
    let new_of = |id: &str| {
        renames
            .iter()
            .find(|(old, _)| old == id)
            .map(|(_, new)| new.clone())
    };
    let mut out = template.clone();
    if let Some(resources) = out.get_mut("Resources").and_then(Json::as_object_mut) {
        let taken = std::mem::take(resources);
        for (k, v) in taken {
            resources.insert(new_of(&k).unwrap_or(k), v);
        }
    }
    fn walk(value: &mut Json, new_of: &dyn Fn(&str) -> Option<String>) {
        match value {
            Json::Object(map) => {
                for (k, v) in map.iter_mut() {
                    match (k.as_str(), &mut *v) {
                        ("Ref", Json::String(id)) => {
                            if let Some(n) = new_of(id) {
                                *id = n;
                            }
                        }
                        ("Fn::GetAtt", Json::Array(parts)) => {
                            if let Some(Json::String(id)) = parts.first_mut() {
                                if let Some(n) = new_of(id) {
                                    *id = n;
                                }
                            }
                        }
                        ("Fn::GetAtt", Json::String(dotted)) => {
                            if let Some((id, attr)) = dotted.split_once('.') {
                                if let Some(n) = new_of(id) {
                                    *dotted = format!("{n}.{attr}");
                                }
                            }
                        }
                        ("DependsOn", Json::String(id)) => {
                            if let Some(n) = new_of(id) {
                                *id = n;
                            }
                        }
                        ("DependsOn", Json::Array(ids)) => {
                            for id in ids.iter_mut() {
                                if let Json::String(s) = id {
                                    if let Some(n) = new_of(s) {
                                        *s = n;
                                    }
                                }
                            }
                        }
                        ("Fn::Sub", Json::String(text)) => *text = rename_sub(text, new_of),
                        ("Fn::Sub", Json::Array(parts)) => {
                            if let Some(Json::String(text)) = parts.first_mut() {
                                *text = rename_sub(text, new_of);
                            }
                            for p in parts.iter_mut().skip(1) {
                                walk(p, new_of);
                            }
                        }
                        _ => walk(v, new_of),
                    }
                }
            }
            Json::Array(items) => items.iter_mut().for_each(|v| walk(v, new_of)),
            _ => {}
        }
    }
    walk(&mut out, &new_of);
    out
}

/// `${Id}` and `${Id.Attr}` of an `Fn::Sub` text with the id renamed (`${!Literal}` stays).
fn rename_sub(text: &str, new_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start + 2]);
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let inner = &rest[..end];
        let (id, attr) = inner
            .split_once('.')
            .map_or((inner, None), |(i, a)| (i, Some(a)));
        match new_of(id).filter(|_| !inner.starts_with('!')) {
            Some(n) => {
                out.push_str(&n);
                if let Some(a) = attr {
                    out.push('.');
                    out.push_str(a);
                }
            }
            None => out.push_str(inner),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The resource mappings file of a stack refactor within one stack (`aws cloudformation
/// create-stack-refactor --resource-mappings file://...`): each rename as a `Source` and a `Destination`
/// of the same stack.
pub fn refactor_mappings(stack_name: &str, renames: &[(String, String)]) -> Json {
    refactor_mappings_between(stack_name, stack_name, renames)
}

/// The resource mappings file of a stack refactor that moves resources from stack `source` to stack
/// `destination` (CloudFormation stack names): each (old, new) logical id as a `Source` in the first
/// and a `Destination` in the second.
pub fn refactor_mappings_between(
    source: &str,
    destination: &str,
    moves: &[(String, String)],
) -> Json {
    Json::Array(
        moves
            .iter()
            .map(|(old, new)| {
                serde_json::json!({
                    "Source": { "StackName": source, "LogicalResourceId": old },
                    "Destination": { "StackName": destination, "LogicalResourceId": new },
                })
            })
            .collect(),
    )
}

#[cfg(test)]
#[path = "steps_tests.rs"]
mod tests;
