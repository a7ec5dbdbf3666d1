//! `moved` blocks from the previous module of the same (environment, stack): for blocks whose name
//! changed while their content did not (positional security group rule and policy attachment names,
//! which content names replaced), and the previous module's own `moved` blocks, kept while they still
//! apply (HashiCorp's advice: keep a `moved` block until every state has gone past it).

use crate::document::{FreshModule, ModuleBlocks};
use crate::TERRAFORM_MOVED_CONSTRAINT;
use serde_json::{json, Value as Json};
use std::collections::HashSet;

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
        let mut claimed: HashSet<(&str, &str)> = HashSet::new();
        for &from in old.iter().filter(|a| !new_set.contains(*a)) {
            if !PER_ITEM_TYPES.contains(&from.0) {
                continue;
            }
            let body = previous.resource_body(from.0, from.1);
            let to = new.iter().copied().find(|&a| {
                a.0 == from.0
                    && !claimed.contains(&a)
                    && !was_old(a)
                    && module.resource_body(a.0, a.1) == body
            });
            if let Some(to) = to {
                claimed.insert(to);
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
    let mut added = 0;
    for (from, to) in moves {
        let block = json!({ "from": from, "to": to });
        if !all.contains(&block) && !all.iter().any(|m| m["from"] == from.as_str()) {
            all.push(block);
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
}
