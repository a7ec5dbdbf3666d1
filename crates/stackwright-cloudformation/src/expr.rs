use serde_json::{json, Value as Json};
use stackwright_core::{AttrRef, Expr, ParamRef, Pseudo, NO_VALUE_MISPLACED};

/// How a reference is spelled in a template.
pub(crate) enum Reference {
    Ref(String),
    GetAtt(String, String),
    /// A value another stack of the environment exports under this name.
    Import(String),
    /// Any other intrinsic function (e.g. `Fn::Select` of `Fn::GetAZs`), which `Fn::Sub` cannot embed.
    Intrinsic(Json),
}

/// Resolves references to the template's logical ids.
pub(crate) trait Resolve {
    fn attr(&self, attr: &AttrRef) -> Result<Reference, String>;
    fn param(&self, param: &ParamRef) -> Result<Reference, String>;
}

/// Lowers an expression: a literal to a string, a lone reference to `Ref`/`Fn::GetAtt`, and a mix to
/// `Fn::Sub`, whose literal `${` is escaped as `${!` so that it stays literal. An import is
/// `Fn::ImportValue`; a mix with one, or with another intrinsic, is `Fn::Join` (`Fn::Sub` cannot name
/// them without a variable map whose names could shadow logical ids).
pub(crate) fn lower(expr: &Expr, resolve: &dyn Resolve, report: &mut dyn FnMut(String)) -> Json {
    match expr {
        Expr::Literal(text) => literal(text),
        Expr::Attr(_) | Expr::Param(_) | Expr::Pseudo(_) => match reference(expr, resolve) {
            Ok(reference) => intrinsic(reference),
            Err(message) => {
                report(message);
                Json::Null
            }
        },
        Expr::Concat(parts) if parts.iter().any(|p| needs_join(p, resolve)) => {
            let mut joined = Vec::new();
            for part in parts {
                match part {
                    Expr::Literal(text) => joined.push(Json::String(text.clone())),
                    other => match reference(other, resolve) {
                        Ok(reference) => joined.push(intrinsic(reference)),
                        Err(message) => report(message),
                    },
                }
            }
            json!({ "Fn::Join": ["", joined] })
        }
        Expr::Concat(parts) => {
            let mut template = String::new();
            for part in parts {
                match part {
                    Expr::Literal(text) => template.push_str(&text.replace("${", "${!")),
                    other => match reference(other, resolve) {
                        Ok(Reference::Ref(id)) => template.push_str(&format!("${{{id}}}")),
                        Ok(Reference::GetAtt(id, attr)) => {
                            template.push_str(&format!("${{{id}.{attr}}}"))
                        }
                        Ok(Reference::Import(_) | Reference::Intrinsic(_)) => {
                            unreachable!("imports and intrinsics are joined above")
                        }
                        Err(message) => report(message),
                    },
                }
            }
            json!({ "Fn::Sub": template })
        }
    }
}

fn intrinsic(reference: Reference) -> Json {
    match reference {
        Reference::Ref(id) => json!({ "Ref": id }),
        Reference::GetAtt(id, attr) => json!({ "Fn::GetAtt": [id, attr] }),
        Reference::Import(name) => json!({ "Fn::ImportValue": name }),
        Reference::Intrinsic(value) => value,
    }
}

fn needs_join(part: &Expr, resolve: &dyn Resolve) -> bool {
    matches!(part, Expr::Attr(a)
        if matches!(resolve.attr(a), Ok(Reference::Import(_) | Reference::Intrinsic(_))))
}

/// Literal text in a position that takes intrinsic functions: the one spelling of user text (values,
/// names, tag keys and values) in a template. Text holding `${` becomes `{"Fn::Sub": ".. ${!x} .."}`:
/// it deploys the same, and cfn-lint and cloudformation-validate (E1029) no longer take `${AWS::Region}`
/// in a shell script for a forgotten substitution.
pub(crate) fn literal(text: &str) -> Json {
    if text.contains("${") {
        json!({ "Fn::Sub": text.replace("${", "${!") })
    } else {
        Json::String(text.to_owned())
    }
}

/// Whether literal-only text (a description) holds what cfn-lint reads as a substitution
/// (`${Name}`, `${AWS::Region}`, `${Res.Attr}`), which no intrinsic can escape there.
pub(crate) fn looks_substituted(text: &str) -> bool {
    text.match_indices("${").any(|(at, _)| {
        let rest = &text[at + 2..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.')))
            .unwrap_or(rest.len());
        name_len > 0 && rest[name_len..].starts_with('}')
    })
}

fn reference(expr: &Expr, resolve: &dyn Resolve) -> Result<Reference, String> {
    match expr {
        Expr::Attr(attr) => resolve.attr(attr),
        Expr::Param(param) => resolve.param(param),
        // A property whose value is `no_value` is lowered by the caller (`lower_value`); anywhere an
        // expression is lowered it is misplaced.
        Expr::Pseudo(Pseudo::NoValue) => Err(NO_VALUE_MISPLACED.into()),
        Expr::Pseudo(pseudo) => Ok(Reference::Ref(pseudo_parameter(*pseudo).to_owned())),
        // `Expr::concat` never nests concatenations, and literals are handled by the caller.
        Expr::Literal(_) | Expr::Concat(_) => Err("internal: expected a reference".into()),
    }
}

/// The template's pseudo parameter holding an environment fact.
pub(crate) fn pseudo_parameter(pseudo: Pseudo) -> &'static str {
    match pseudo {
        Pseudo::AccountId => "AWS::AccountId",
        Pseudo::Region => "AWS::Region",
        Pseudo::Partition => "AWS::Partition",
        Pseudo::UrlSuffix => "AWS::URLSuffix",
        Pseudo::StackName => "AWS::StackName",
        Pseudo::StackId => "AWS::StackId",
        Pseudo::NoValue => "AWS::NoValue",
    }
}

/// What a property whose value is `Expr::no_value()` becomes: `{"Ref": "AWS::NoValue"}`, which removes it.
pub(crate) fn no_value() -> Json {
    json!({ "Ref": pseudo_parameter(Pseudo::NoValue) })
}

/// [`no_value`], built once: lowering hands it to every value it lowers, as what a left-out entry
/// becomes (building it per value was one map and two strings made and dropped each time).
pub(crate) fn no_value_shared() -> &'static Json {
    static NO_VALUE: std::sync::LazyLock<Json> = std::sync::LazyLock::new(no_value);
    &NO_VALUE
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::{ResourceRef, ScopeId};

    struct Fixed;
    impl Resolve for Fixed {
        fn attr(&self, attr: &AttrRef) -> Result<Reference, String> {
            Ok(match attr.attr {
                "id" => Reference::Ref("Web".into()),
                other => Reference::GetAtt("Web".into(), other.to_uppercase()),
            })
        }
        fn param(&self, _: &ParamRef) -> Result<Reference, String> {
            Ok(Reference::Ref("Size".into()))
        }
    }

    fn attr(name: &'static str) -> Expr {
        let resource = ResourceRef {
            scope: ScopeId(1),
            index: 0,
        };
        Expr::Attr(AttrRef {
            resource,
            attr: name,
        })
    }

    fn check(expr: Expr, expected: Json) {
        let mut problems = Vec::new();
        assert_eq!(lower(&expr, &Fixed, &mut |m| problems.push(m)), expected);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn descriptions_that_read_as_substitutions() {
        assert!(looks_substituted("in ${AWS::Region} now"));
        assert!(looks_substituted("${Vpc.CidrBlock}"));
        assert!(!looks_substituted("costs $5 or ${ x }"));
        assert!(!looks_substituted("open ${"));
        assert!(!looks_substituted("${}"));
    }

    #[test]
    fn literals_refs_and_sub() {
        check("plain".into(), json!("plain"));
        check(
            "echo ${AWS::Region} ${HOME}".into(),
            json!({"Fn::Sub": "echo ${!AWS::Region} ${!HOME}"}),
        );
        check(attr("id"), json!({"Ref": "Web"}));
        check(attr("ip"), json!({"Fn::GetAtt": ["Web", "IP"]}));
        check(
            Expr::concat(["echo ${HOME} ".into(), attr("ip"), ":".into(), attr("id")]),
            json!({"Fn::Sub": "echo ${!HOME} ${Web.IP}:${Web}"}),
        );
        check(Expr::region(), json!({"Ref": "AWS::Region"}));
        check(
            Expr::concat([
                "arn:".into(),
                Expr::partition(),
                ":iam::".into(),
                Expr::account_id(),
                ":root".into(),
            ]),
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}),
        );
    }
}
