//! The names a value references: what it resolves to at deploy time depends on them.

use crate::Target;
use serde_json::Value as Json;

/// Calls `found` with every name `value` references, in the spelling of [`crate::document`]'s keys:
/// CloudFormation `Ref`/`Fn::GetAtt`/`Fn::Sub` targets (logical ids, parameter names); Terraform template
/// references (`var.x`, `data.type.name`, `type.name`).
pub(crate) fn for_each(target: Target, value: &Json, found: &mut dyn FnMut(&str)) {
    match target {
        Target::CloudFormation => cloudformation(value, found),
        Target::Terraform => terraform(value, found),
    }
}

/// Calls `found` with every (name, attribute) that `value` reads: CloudFormation `Fn::GetAtt` and
/// `${Name.Attribute}` in `Fn::Sub`; Terraform `type.name.attribute` in template references.
pub(crate) fn for_each_attribute(target: Target, value: &Json, found: &mut dyn FnMut(&str, &str)) {
    match (target, value) {
        (Target::CloudFormation, Json::Object(map)) if map.len() == 1 => {
            let (key, arg) = map.iter().next().expect("one entry");
            match (key.as_str(), arg) {
                ("Fn::GetAtt", Json::Array(parts)) => {
                    if let (Some(n), Some(a)) = (
                        parts.first().and_then(Json::as_str),
                        parts.get(1).and_then(Json::as_str),
                    ) {
                        found(n, a);
                    }
                }
                ("Fn::GetAtt", Json::String(dotted)) => {
                    if let Some((n, a)) = dotted.split_once('.') {
                        found(n, a);
                    }
                }
                ("Fn::Sub", _) => {
                    let text = arg.as_str().or_else(|| arg.get(0).and_then(Json::as_str));
                    for inner in text.map(sub_inner).unwrap_or_default() {
                        if let Some((n, a)) = inner.split_once('.') {
                            if !n.starts_with("AWS::") {
                                found(n, a);
                            }
                        }
                    }
                    if let Some(vars) = arg.get(1) {
                        for_each_attribute(target, vars, found);
                    }
                }
                _ => for_each_attribute(target, arg, found),
            }
        }
        (Target::Terraform, Json::String(text)) => {
            let mut names = Vec::new();
            template_names(text, &mut |n| names.push(n.to_owned()));
            for name in names
                .iter()
                .filter(|n| !n.starts_with("var.") && !n.starts_with("data."))
            {
                // The reference with its attribute: `type.name.attribute` right after the name.
                let mut rest = text.as_str();
                while let Some(at) = rest.find(name.as_str()) {
                    let after = &rest[at + name.len()..];
                    if let Some(attr) = after.strip_prefix('.') {
                        let end = attr
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(attr.len());
                        if end > 0 {
                            found(name, &attr[..end]);
                        }
                    }
                    rest = after;
                }
            }
        }
        (_, Json::Object(map)) => map
            .values()
            .for_each(|v| for_each_attribute(target, v, found)),
        (_, Json::Array(items)) => items
            .iter()
            .for_each(|v| for_each_attribute(target, v, found)),
        _ => {}
    }
}

/// The `${...}` contents of an `Fn::Sub` string, without `${!Literal}`s.
fn sub_inner(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        if !rest.starts_with('!') {
            out.push(rest[..end].trim());
        }
        rest = &rest[end + 1..];
    }
    out
}

fn cloudformation(value: &Json, found: &mut dyn FnMut(&str)) {
    match value {
        Json::Object(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next().expect("one entry");
            match (key.as_str(), arg) {
                ("Ref", Json::String(name)) => found(name),
                ("Fn::GetAtt", Json::Array(parts)) => {
                    if let Some(name) = parts.first().and_then(Json::as_str) {
                        found(name);
                    }
                }
                ("Fn::GetAtt", Json::String(dotted)) => {
                    found(dotted.split('.').next().unwrap_or_default())
                }
                ("Fn::Sub", Json::String(text)) => sub_names(text, &[], found),
                ("Fn::Sub", Json::Array(parts)) => {
                    let variables = parts.get(1).and_then(Json::as_object);
                    let local: Vec<&str> = variables
                        .map(|v| v.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    if let Some(text) = parts.first().and_then(Json::as_str) {
                        sub_names(text, &local, found);
                    }
                    for v in variables.into_iter().flat_map(|v| v.values()) {
                        cloudformation(v, found);
                    }
                }
                _ => cloudformation(arg, found),
            }
        }
        Json::Object(map) => map.values().for_each(|v| cloudformation(v, found)),
        Json::Array(items) => items.iter().for_each(|v| cloudformation(v, found)),
        _ => {}
    }
}

/// `${Name}` and `${Name.Attribute}` in an `Fn::Sub` string; `${!Literal}` is text, and names bound by the
/// `Fn::Sub` variable map are local.
fn sub_names(text: &str, local: &[&str], found: &mut dyn FnMut(&str)) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') {
            continue;
        }
        let name = inner.split('.').next().unwrap_or_default().trim();
        if !name.is_empty() && !name.starts_with("AWS::") && !local.contains(&name) {
            found(name);
        }
    }
}

fn terraform(value: &Json, found: &mut dyn FnMut(&str)) {
    match value {
        Json::String(text) => template_names(text, found),
        Json::Object(map) => map.values().for_each(|v| terraform(v, found)),
        Json::Array(items) => items.iter().for_each(|v| terraform(v, found)),
        _ => {}
    }
}

/// References inside `${...}` of a Terraform template string (`$${` is an escaped literal): `var.x`,
/// `data.type.name` and `type.name`, without the attribute.
fn template_names(text: &str, found: &mut dyn FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(offset) = text[i..].find("${") {
        let start = i + offset;
        if start > 0 && bytes[start - 1] == b'$' {
            i = start + 2;
            continue;
        }
        let end = text[start..].find('}').map_or(text.len(), |e| start + e);
        expression_names(&text[start + 2..end], found);
        i = end.min(text.len());
        if i == start {
            break;
        }
    }
}

fn expression_names(expression: &str, found: &mut dyn FnMut(&str)) {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    // Split into dotted words, e.g. `aws_subnet.public.id`, `var.ami_id`, `data.aws_ssm_parameter.ami.value`.
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in expression.char_indices() {
        if is_word(c) || (c == '.' && start.is_some()) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            words.push(&expression[s..i]);
        }
    }
    if let Some(s) = start {
        words.push(&expression[s..]);
    }
    for word in words {
        let parts: Vec<&str> = word.split('.').collect();
        let take = match parts[0] {
            "var" | "local" => 2,
            "data" => 3,
            first if first.starts_with(|c: char| c.is_ascii_lowercase()) => 2,
            _ => continue,
        };
        if parts.len() >= take && parts[..take].iter().all(|p| !p.is_empty()) {
            let len = parts[..take].iter().map(|p| p.len()).sum::<usize>() + take - 1;
            found(&word[..len]);
        }
    }
}

/// `text` with every reference to a moved Terraform address rewritten to its new address, so that a
/// reference that only follows a `moved` block does not count as a change.
pub(crate) fn follow_moves(text: &str, moves: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in moves {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(from.as_str()) {
            let before_ok = at == 0
                || !rest[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            let after = &rest[at + from.len()..];
            let after_ok = !after
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            result.push_str(&rest[..at]);
            result.push_str(if before_ok && after_ok { to } else { from });
            rest = after;
        }
        result.push_str(rest);
        out = result;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(target: Target, value: Json) -> Vec<String> {
        let mut out = Vec::new();
        for_each(target, &value, &mut |n| out.push(n.to_owned()));
        out
    }

    #[test]
    fn cloudformation_references() {
        let value = json!({
            "A": {"Ref": "Subnet"},
            "B": [{"Fn::GetAtt": ["Group", "GroupId"]}, {"Fn::GetAtt": "Vm.PrivateIp"}],
            "C": {"Fn::Sub": "http://${Vm.PrivateIp}:${Port}/${!Literal}/${AWS::Region}"},
            "D": {"Fn::Sub": ["${X}-${Local}", {"Local": {"Ref": "Param"}}]},
            "E": {"Fn::Join": ["", [{"Ref": "Joined"}]]}
        });
        assert_eq!(
            names(Target::CloudFormation, value),
            ["Subnet", "Group", "Vm", "Vm", "Port", "X", "Param", "Joined"]
        );
    }

    #[test]
    fn terraform_references() {
        let value = json!({
            "subnet_id": "${aws_subnet.public_subnet.id}",
            "ami": "${data.aws_ssm_parameter.ami_id.value}",
            "name": "${var.prefix}-web",
            "literal": "$${aws_vpc.not_a_reference.id}",
            "list": ["${join(\",\", aws_instance.web[*].id)}"]
        });
        assert_eq!(
            names(Target::Terraform, value),
            [
                "aws_subnet.public_subnet",
                "data.aws_ssm_parameter.ami_id",
                "var.prefix",
                "aws_instance.web"
            ]
        );
    }

    #[test]
    fn attribute_references() {
        let mut out = Vec::new();
        let cfn = json!({"V": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}, "S": {"Fn::Sub": "${Vm.PrivateIp}:${AWS::Region}"}});
        for_each_attribute(Target::CloudFormation, &cfn, &mut |n, a| {
            out.push(format!("{n}#{a}"))
        });
        let tf = json!({"v": "${aws_launch_template.app.latest_version}", "w": "${var.x}"});
        for_each_attribute(Target::Terraform, &tf, &mut |n, a| {
            out.push(format!("{n}#{a}"))
        });
        assert_eq!(
            out,
            [
                "Lt#LatestVersionNumber",
                "Vm#PrivateIp",
                "aws_launch_template.app#latest_version"
            ]
        );
    }

    #[test]
    fn moves_rewrite_whole_addresses_only() {
        let moves = [("aws_subnet.old".to_owned(), "aws_subnet.new".to_owned())];
        assert_eq!(
            follow_moves("${aws_subnet.old.id} ${aws_subnet.older.id}", &moves),
            "${aws_subnet.new.id} ${aws_subnet.older.id}"
        );
    }
}
