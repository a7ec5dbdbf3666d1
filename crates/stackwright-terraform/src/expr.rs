use stackwright_core::{AttrRef, Expr, ParamRef, Pseudo};

/// Resolves references to Terraform addresses such as `aws_instance.web.private_ip` or `var.size`.
pub(crate) trait Resolve {
    fn attr(&self, attr: &AttrRef) -> Result<String, String>;
    fn param(&self, param: &ParamRef) -> Result<String, String>;
    /// A fact of the environment or stack: a literal where the module knows it (its provider is pinned to
    /// the account and region), else the address of the data source that reads it; an error for one
    /// Terraform has no equivalent of.
    fn pseudo(&self, pseudo: Pseudo) -> Result<PseudoValue, String>;
}

/// How a pseudo parameter is spelled in a module.
pub(crate) enum PseudoValue {
    /// Known when the module is written: the environment's account, region, partition; the stack's name.
    Literal(String),
    /// Read at plan time: the address inside `${...}`.
    Address(String),
}

/// Lowers an expression to a Terraform JSON string template: references become `${address}`, and literal
/// `${` and `%{` (template interpolation and directive openers) are escaped as `$${` and `%%{`.
pub(crate) fn lower(expr: &Expr, resolve: &dyn Resolve, report: &mut dyn FnMut(String)) -> String {
    let mut out = String::new();
    let mut part = |e: &Expr, out: &mut String| {
        let address = match e {
            Expr::Literal(text) => return escape_into(text, out),
            Expr::Attr(attr) => resolve.attr(attr),
            Expr::Param(param) => resolve.param(param),
            Expr::Pseudo(pseudo) => match resolve.pseudo(*pseudo) {
                Ok(PseudoValue::Literal(text)) => return escape_into(&text, out),
                Ok(PseudoValue::Address(address)) => Ok(address),
                Err(message) => Err(message),
            },
            Expr::Concat(_) => Err("internal: nested concatenation".into()),
        };
        match address {
            Ok(address) => {
                out.push_str("${");
                out.push_str(&address);
                out.push('}');
            }
            Err(message) => report(message),
        }
    };
    match expr {
        Expr::Concat(parts) => parts.iter().for_each(|p| part(p, &mut out)),
        single => part(single, &mut out),
    }
    out
}

/// Literal text as an HCL quoted template (`"..."`), for expressions inside `${...}`: string escapes for
/// quotes, backslashes and control characters, plus the template escapes of [`escape_into`].
pub(crate) fn hcl_string(text: &str) -> String {
    let mut out = String::from('"');
    escape_quoted_into(text, &mut out);
    out.push('"');
    out
}

fn escape_quoted_into(text: &str, out: &mut String) {
    let mut quoted = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    escape_into(&quoted, out);
}

/// Appends literal text, escaped so that Terraform's template engine leaves it as is.
pub(crate) fn escape_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find(['$', '%']) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        if from[1..].starts_with('{') {
            // Doubling the opener makes it literal: `$${` renders `${`, `%%{` renders `%{`.
            out.push_str(&from[..1]);
        }
        out.push_str(&from[..1]);
        rest = &from[1..];
    }
    out.push_str(rest);
}

/// Wraps a lowered string template in a function call, `${function("...")}`: the template becomes an HCL
/// quoted string, in which its interpolations and `$${`/`%%{` escapes mean what they mean in JSON.
pub(crate) fn call(function: &str, template: &str) -> String {
    format!("${{{function}({})}}", quoted(template))
}

/// A lowered string template as an HCL quoted string (`"..."` with HCL's escapes): its `${...}` and `$${`
/// keep their meaning.
pub(crate) fn quoted(template: &str) -> String {
    let mut out = String::from('"');
    for c in template.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes literal text as a whole string: the one spelling of user text (values, map keys, tag keys,
/// names) in every position Terraform reads as a template, that is everywhere except the literal-only
/// `description` and `default` of variables and outputs.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::{ResourceRef, ScopeId};

    struct Fixed;
    impl Resolve for Fixed {
        fn attr(&self, attr: &AttrRef) -> Result<String, String> {
            Ok(format!("aws_instance.web.{}", attr.attr))
        }
        fn param(&self, _: &ParamRef) -> Result<String, String> {
            Ok("var.size".into())
        }
        fn pseudo(&self, pseudo: Pseudo) -> Result<PseudoValue, String> {
            match pseudo {
                Pseudo::UrlSuffix => Ok(PseudoValue::Address(
                    "data.aws_partition.p.dns_suffix".into(),
                )),
                Pseudo::StackId => Err("no stack id".into()),
                _ => Ok(PseudoValue::Literal("123456789012".into())),
            }
        }
    }

    #[test]
    fn escapes_and_interpolates() {
        let ip = Expr::Attr(AttrRef {
            resource: ResourceRef {
                scope: ScopeId(1),
                index: 0,
            },
            attr: "private_ip",
        });
        let expr = Expr::concat([
            "echo ${HOME} %{if} $5 %d ".into(),
            ip,
            "$".into(),
            Expr::account_id(),
            ".".into(),
            Expr::url_suffix(),
        ]);
        let mut problems = Vec::new();
        assert_eq!(
            lower(&expr, &Fixed, &mut |m| problems.push(m)),
            "echo $${HOME} %%{if} $5 %d ${aws_instance.web.private_ip}$123456789012.${data.aws_partition.p.dns_suffix}"
        );
        assert!(problems.is_empty());
        assert_eq!(
            lower(&(Expr::from("a") + Expr::stack_id()), &Fixed, &mut |m| {
                problems.push(m)
            }),
            "a"
        );
        assert_eq!(problems, ["no stack id"]);
        assert_eq!(escape("a$${b}"), "a$$${b}");
        assert_eq!(
            call("base64encode", "echo \"$${HOME}\" \\ ${aws_vpc.vpc.id}\n"),
            "${base64encode(\"echo \\\"$${HOME}\\\" \\\\ ${aws_vpc.vpc.id}\\n\")}"
        );
        assert_eq!(escape("100%"), "100%");
    }

    #[test]
    fn hcl_strings_escape_quotes_controls_and_templates() {
        assert_eq!(
            hcl_string("say \"hi\" \\ ${x} %{y}\n\u{1}"),
            "\"say \\\"hi\\\" \\\\ $${x} %%{y}\\n\\u0001\""
        );
    }
}
