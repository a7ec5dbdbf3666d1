//! `moved` blocks from the previous module of the same (environment, stack): for blocks whose name
//! changed while their content did not (positional security group rule and policy attachment names,
//! which content names replaced), and the previous module's own `moved` blocks, kept while they still
//! apply (HashiCorp's advice: keep a `moved` block until every state has gone past it).

use crate::document::{FreshModule, ModuleBlocks};
use crate::TERRAFORM_MOVED_CONSTRAINT;
use serde_json::{json, Value as Json};
use std::collections::{HashMap, HashSet, VecDeque};

/// Block types that a resource splits into per item, whose names changed from positions to content.
const PER_ITEM_TYPES: [&str; 3] = [
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_iam_role_policy_attachment",
];

/// Adds to `module` a `moved` block for each block of `previous` of a [`PER_ITEM_TYPES`] type that
/// `module` no longer has under its name and that `module` has, with the same content, under a name
/// `previous` did not have; and keeps the `moved` blocks of `previous` whose target `module` still has and
/// whose origin it does not. A module that gains a `moved` block asks for Terraform
/// [`TERRAFORM_MOVED_CONSTRAINT`] (unless it already asks for more). Returns the number of blocks added.
/// Pure: both modules are documents this crate wrote.
pub fn carry_moves(previous: &dyn ModuleBlocks, module: &mut dyn FreshModule) -> usize {
    carry_moves_beside(previous, &|_| false, module)
}

/// [`carry_moves`] from a `previous` module that leaves out some of its blocks: `left_out(address)`
/// (`type.name`) says whether the previous module had a block that `previous` does not hold (one it
/// has as it is in `module`, for example, which a plan need not parse). Such blocks count as
/// previous ones: a block of `module` at their address is not a new name.
pub fn carry_moves_beside(
    previous: &dyn ModuleBlocks,
    left_out: &dyn Fn(&str) -> bool,
    module: &mut dyn FreshModule,
) -> usize {
    let mut moves: Vec<(String, String)> = Vec::new();
    {
        let (old, new) = (previous.resource_addresses(), module.resource_addresses());
        // Membership by hash: a module of thousands of blocks is not compared block by block.
        let old_set: HashSet<(&str, &str)> = old.iter().copied().collect();
        let new_set: HashSet<(&str, &str)> = new.iter().copied().collect();
        let was_old =
            |a: (&str, &str)| old_set.contains(&a) || left_out(&format!("{}.{}", a.0, a.1));
        // The new per-item blocks that may be a renamed old one (not at an old address), by type and
        // content, each queue in the module's order: an old block takes the first one left of its
        // content, in one lookup (thousands of changed rules are not compared with each other).
        let removed: Vec<(&str, &str)> = old
            .iter()
            .copied()
            .filter(|a| PER_ITEM_TYPES.contains(&a.0) && !new_set.contains(a))
            .collect();
        let mut candidates: HashMap<(&str, String), VecDeque<(&str, &str)>> = HashMap::new();
        if !removed.is_empty() {
            for &a in new
                .iter()
                .filter(|a| PER_ITEM_TYPES.contains(&a.0) && !was_old(**a))
            {
                if let Some(body) = module.resource_body(a.0, a.1) {
                    candidates
                        .entry((a.0, canonical(&body)))
                        .or_default()
                        .push_back(a);
                }
            }
        }
        for from in removed {
            let Some(body) = previous.resource_body(from.0, from.1) else {
                continue;
            };
            let to = candidates
                .get_mut(&(from.0, canonical(&body)))
                .and_then(VecDeque::pop_front);
            if let Some(to) = to {
                moves.push((
                    format!("{}.{}", from.0, from.1),
                    format!("{}.{}", to.0, to.1),
                ));
            }
        }
        let previous_moves = previous.moved();
        if !previous_moves.is_empty() {
            let list = &previous_moves;
            let new_addresses: HashSet<String> =
                new.iter().map(|(t, n)| format!("{t}.{n}")).collect();
            for m in list {
                let (Some(from), Some(to)) = (m["from"].as_str(), m["to"].as_str()) else {
                    continue;
                };
                if new_addresses.contains(to) && !new_addresses.contains(from) {
                    moves.push((from.to_owned(), to.to_owned()));
                }
            }
        }
    }
    let mut all = module.moved();
    // A block moves once: a move from an origin that already has one is left out (by hash: a module
    // keeps every `moved` block, so there may be thousands).
    let mut origins: HashSet<String> = all
        .iter()
        .filter_map(|m| m["from"].as_str().map(str::to_owned))
        .collect();
    let mut added = 0;
    for (from, to) in moves {
        if origins.insert(from.clone()) {
            all.push(json!({ "from": from, "to": to }));
            added += 1;
        }
    }
    if added == 0 {
        return 0;
    }
    module.set_moved(all);
    if let Some(terraform) = module.terraform_mut() {
        if terraform.get("required_version").and_then(Json::as_str)
            == Some(crate::TERRAFORM_CONSTRAINT)
        {
            terraform.insert("required_version".into(), TERRAFORM_MOVED_CONSTRAINT.into());
        }
    }
    added
}

/// `value` serialized with every object's keys sorted: equal for values that are equal as JSON (object
/// key order does not count, array order does), so that it can be hashed.
fn canonical(value: &Json) -> String {
    fn sorted(value: &Json) -> Json {
        match value {
            Json::Object(map) => {
                let mut entries: Vec<(&String, &Json)> = map.iter().collect();
                entries.sort_by_key(|(k, _)| k.as_str());
                Json::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Json::Array(items) => Json::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn rule(port: u16) -> Json {
        json!({"security_group_id": "${aws_security_group.web.id}", "ip_protocol": "tcp",
               "from_port": port, "to_port": port, "cidr_ipv4": "0.0.0.0/0"})
    }

    fn module(rules: &[(&str, Json)]) -> Json {
        let rules: Map<String, Json> = rules
            .iter()
            .map(|(n, b)| (n.to_string(), b.clone()))
            .collect();
        json!({"terraform": {"required_version": ">= 1.0.0"},
               "resource": {"aws_security_group": {"web": {}},
                            "aws_vpc_security_group_ingress_rule": rules}})
    }

    #[test]
    fn a_block_the_previous_module_left_out_is_not_a_new_name() {
        // The previous module had `web_ingress_1` and, left out of what was read (unchanged),
        // `web_ingress_tcp_443_from_0_0_0_0_0`: the rule by that name is not the positional one renamed.
        let previous = module(&[("web_ingress_1", rule(443))]);
        let next = module(&[("web_ingress_tcp_443_from_0_0_0_0_0", rule(443))]);
        let left_out = |address: &str| {
            address == "aws_vpc_security_group_ingress_rule.web_ingress_tcp_443_from_0_0_0_0_0"
        };
        assert_eq!(
            carry_moves_beside(&previous, &left_out, &mut next.clone()),
            0
        );
        assert_eq!(carry_moves(&previous, &mut next.clone()), 1);
    }

    #[test]
    fn positional_names_move_to_content_names_and_the_moves_stay() {
        let previous = module(&[("web_ingress_1", rule(443)), ("web_ingress_2", rule(80))]);
        // The same rules, content-named, and one inserted before them.
        let mut next = module(&[
            ("web_ingress_tcp_22_from_0_0_0_0_0", rule(22)),
            ("web_ingress_tcp_443_from_0_0_0_0_0", rule(443)),
            ("web_ingress_tcp_80_from_0_0_0_0_0", rule(80)),
        ]);
        assert_eq!(carry_moves(&previous, &mut next), 2);
        assert_eq!(
            next["moved"],
            json!([
                {"from": "aws_vpc_security_group_ingress_rule.web_ingress_1",
                 "to": "aws_vpc_security_group_ingress_rule.web_ingress_tcp_443_from_0_0_0_0_0"},
                {"from": "aws_vpc_security_group_ingress_rule.web_ingress_2",
                 "to": "aws_vpc_security_group_ingress_rule.web_ingress_tcp_80_from_0_0_0_0_0"},
            ])
        );
        assert_eq!(next["terraform"]["required_version"], ">= 1.1.0");
        // The next synth, before anyone applied, keeps them.
        let mut again = module(&[
            ("web_ingress_tcp_22_from_0_0_0_0_0", rule(22)),
            ("web_ingress_tcp_443_from_0_0_0_0_0", rule(443)),
            ("web_ingress_tcp_80_from_0_0_0_0_0", rule(80)),
        ]);
        assert_eq!(carry_moves(&next, &mut again), 2);
        assert_eq!(again["moved"], next["moved"]);
    }

    #[test]
    fn a_changed_rule_or_another_type_does_not_move() {
        let previous = module(&[("web_ingress_1", rule(443))]);
        let mut next = module(&[("web_ingress_tcp_8443_from_0_0_0_0_0", rule(8443))]);
        assert_eq!(carry_moves(&previous, &mut next), 0);
        assert!(next.get("moved").is_none());
        assert_eq!(next["terraform"]["required_version"], ">= 1.0.0");
        let previous = json!({"resource": {"aws_vpc": {"a": {"cidr_block": "10.0.0.0/16"}}}});
        let mut next = json!({"resource": {"aws_vpc": {"b": {"cidr_block": "10.0.0.0/16"}}}});
        assert_eq!(carry_moves(&previous, &mut next), 0);
    }

    #[test]
    fn equal_rules_move_in_order_whatever_their_key_order() {
        // Two old rules of one content take the first two new ones of it, in order; the key order of a
        // body does not count (JSON objects are unordered), the content does.
        let reordered = |port: u16| {
            json!({"cidr_ipv4": "0.0.0.0/0", "to_port": port, "from_port": port, "ip_protocol": "tcp",
                   "security_group_id": "${aws_security_group.web.id}"})
        };
        let previous = module(&[("a", rule(443)), ("b", rule(443)), ("c", rule(80))]);
        let mut next = module(&[
            ("x", rule(22)),
            ("y", reordered(443)),
            ("z", rule(443)),
            ("w", reordered(80)),
        ]);
        assert_eq!(carry_moves(&previous, &mut next), 3);
        let moved: Vec<(&str, &str)> = next["moved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["from"].as_str().unwrap(), m["to"].as_str().unwrap()))
            .collect();
        let t = "aws_vpc_security_group_ingress_rule";
        assert_eq!(
            moved,
            [
                (&*format!("{t}.a"), &*format!("{t}.y")),
                (&*format!("{t}.b"), &*format!("{t}.z")),
                (&*format!("{t}.c"), &*format!("{t}.w")),
            ]
        );
    }

    #[test]
    fn a_previous_move_from_an_origin_that_already_moves_is_not_added_again() {
        let previous = json!({"resource": {"aws_vpc": {"b": {}}},
                              "moved": [{"from": "aws_vpc.a", "to": "aws_vpc.b"}]});
        let mut next = json!({"terraform": {"required_version": ">= 1.1.0"},
                              "resource": {"aws_vpc": {"b": {}}},
                              "moved": [{"from": "aws_vpc.a", "to": "aws_vpc.b"}]});
        assert_eq!(carry_moves(&previous, &mut next), 0);
        assert_eq!(next["moved"].as_array().unwrap().len(), 1);
    }
}
