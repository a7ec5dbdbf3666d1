use crate::stack::{ResourceRef, ScopeId};
use std::ops::Add;

/// A string-valued expression: a literal, a reference resolved at deploy time, or their concatenation.
///
/// Targets lower references to their own syntax (`Ref`/`Fn::GetAtt`/`Fn::Sub` in CloudFormation,
/// `"${aws_instance.web.private_ip}"` in Terraform) and escape literal text so that it stays literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Literal(String),
    /// An attribute of a resource, known only once the resource exists.
    Attr(AttrRef),
    /// A deploy-time parameter of the stack.
    Param(ParamRef),
    /// A fact of the environment or the stack the expression is deployed in (account, region, partition,
    /// URL suffix, stack name and id), or the absence of a property ([`Expr::no_value`]).
    Pseudo(Pseudo),
    /// Parts joined without separator; never nested and never two adjacent literals (see [`Expr::concat`]).
    Concat(Vec<Expr>),
}

/// Facts of the environment and stack a definition is deployed to, CloudFormation's pseudo parameters.
/// Builders use them to spell ARNs, service principals and endpoints without knowing the environment;
/// CloudFormation reads them from its pseudo parameters (`AWS::AccountId`, ...), Terraform gets the
/// environment's values (its provider is pinned to that account and region), the `aws_partition` data
/// source's `dns_suffix` for the URL suffix, and has no stack id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pseudo {
    AccountId,
    Region,
    /// `aws`, `aws-cn`, `aws-us-gov`, ...: the first field of every ARN.
    Partition,
    /// The domain suffix of the partition's endpoints: `amazonaws.com`, `amazonaws.com.cn`, ...
    UrlSuffix,
    /// The name the stack is deployed as: `<app>-<environment>-<stack>` (CloudFormation's stack name;
    /// in Terraform the same name, literal).
    StackName,
    /// The stack's id (`arn:aws:cloudformation:...:stack/<name>/<uuid>`): CloudFormation only.
    StackId,
    /// No value: the property it is given to is left out (CloudFormation `AWS::NoValue`; Terraform omits
    /// the attribute). Allowed only as the whole value of a property or nested property.
    NoValue,
}

impl Pseudo {
    /// How the user spells it, for messages: `Expr::stack_id()`.
    pub fn constructor(self) -> &'static str {
        match self {
            Pseudo::AccountId => "Expr::account_id()",
            Pseudo::Region => "Expr::region()",
            Pseudo::Partition => "Expr::partition()",
            Pseudo::UrlSuffix => "Expr::url_suffix()",
            Pseudo::StackName => "Expr::stack_name()",
            Pseudo::StackId => "Expr::stack_id()",
            Pseudo::NoValue => "Expr::no_value()",
        }
    }
}

/// Why [`Expr::no_value`] was refused where it stands; both targets report this text.
pub const NO_VALUE_MISPLACED: &str = "`Expr::no_value()` stands for an absent property and is allowed only as \
     the whole value of a property or nested property (the property is then left out); here it is part of \
     a text, a list, a tag, a name or an output: use it alone as a property's value, or leave the property unset";

/// An attribute of a resource. `attr` is the neutral attribute name (`id`, `private_ip`, ...) that each
/// target maps to its own spelling for the resource's kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttrRef {
    pub resource: ResourceRef,
    pub attr: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamRef {
    pub scope: ScopeId,
    pub index: u32,
}

impl Expr {
    /// The account id of the environment.
    pub fn account_id() -> Expr {
        Expr::Pseudo(Pseudo::AccountId)
    }

    /// The region of the environment.
    pub fn region() -> Expr {
        Expr::Pseudo(Pseudo::Region)
    }

    /// The partition of the environment's region (`aws`, `aws-cn`, ...).
    pub fn partition() -> Expr {
        Expr::Pseudo(Pseudo::Partition)
    }

    /// The domain suffix of the partition's endpoints (`amazonaws.com`, `amazonaws.com.cn` in China):
    /// spell endpoint host names with it, never with a literal `amazonaws.com`.
    pub fn url_suffix() -> Expr {
        Expr::Pseudo(Pseudo::UrlSuffix)
    }

    /// The name the stack is deployed as, `<app>-<environment>-<stack>`: CloudFormation's
    /// `AWS::StackName`; in Terraform the same name as a literal.
    pub fn stack_name() -> Expr {
        Expr::Pseudo(Pseudo::StackName)
    }

    /// The CloudFormation stack's id (`AWS::StackId`). Terraform has no stack id: synthesizing a
    /// Terraform module that uses it is an error at the resource or output that does.
    pub fn stack_id() -> Expr {
        Expr::Pseudo(Pseudo::StackId)
    }

    /// No value: the property given it is left out (CloudFormation `{"Ref": "AWS::NoValue"}`, Terraform
    /// omits the attribute), e.g. to remove a property a builder sets by default. Allowed only as the
    /// whole value of a property or nested property; inside a text, a list, a tag, a name or an output it
    /// is an error at the resource or output that holds it.
    pub fn no_value() -> Expr {
        Expr::Pseudo(Pseudo::NoValue)
    }

    /// Whether this is [`Expr::no_value`].
    pub fn is_no_value(&self) -> bool {
        matches!(self, Expr::Pseudo(Pseudo::NoValue))
    }

    /// Concatenates parts, flattening nested concatenations and merging adjacent literals, so that equal
    /// strings have one representation.
    pub fn concat(parts: impl IntoIterator<Item = Expr>) -> Expr {
        let mut out: Vec<Expr> = Vec::new();
        let push = |part: Expr, out: &mut Vec<Expr>| match (out.last_mut(), part) {
            (_, Expr::Literal(s)) if s.is_empty() => {}
            (Some(Expr::Literal(prev)), Expr::Literal(s)) => prev.push_str(&s),
            (_, part) => out.push(part),
        };
        for part in parts {
            match part {
                Expr::Concat(inner) => inner.into_iter().for_each(|p| push(p, &mut out)),
                other => push(other, &mut out),
            }
        }
        match out.len() {
            0 => Expr::Literal(String::new()),
            1 => out.pop().expect("one element"),
            _ => Expr::Concat(out),
        }
    }

    /// The literal text, when the expression contains no reference.
    pub fn as_literal(&self) -> Option<&str> {
        match self {
            Expr::Literal(s) => Some(s),
            _ => None,
        }
    }

    /// Visits every resource attribute referenced by this expression.
    pub fn for_each_attr(&self, f: &mut dyn FnMut(&AttrRef)) {
        match self {
            Expr::Attr(a) => f(a),
            Expr::Concat(parts) => parts.iter().for_each(|p| p.for_each_attr(f)),
            Expr::Literal(_) | Expr::Param(_) | Expr::Pseudo(_) => {}
        }
    }

    /// Replaces every attribute reference for which `f` gives a value, keeping concatenations in their
    /// normal form (adjacent literals merged).
    pub fn replace_attrs(&mut self, f: &mut dyn FnMut(&AttrRef) -> Option<Expr>) {
        match self {
            Expr::Attr(a) => {
                if let Some(value) = f(a) {
                    *self = value;
                }
            }
            Expr::Concat(parts) => {
                let mut changed = false;
                for part in parts.iter_mut() {
                    if let Expr::Attr(a) = part {
                        if let Some(value) = f(a) {
                            *part = value;
                            changed = true;
                        }
                    }
                }
                if changed {
                    *self = Expr::concat(std::mem::take(parts));
                }
            }
            Expr::Literal(_) | Expr::Param(_) | Expr::Pseudo(_) => {}
        }
    }

    /// Visits every parameter referenced by this expression.
    pub fn for_each_param(&self, f: &mut dyn FnMut(&ParamRef)) {
        match self {
            Expr::Param(p) => f(p),
            Expr::Concat(parts) => parts.iter().for_each(|p| p.for_each_param(f)),
            Expr::Literal(_) | Expr::Attr(_) | Expr::Pseudo(_) => {}
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::Literal(s.to_owned())
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::Literal(s)
    }
}

impl From<&String> for Expr {
    fn from(s: &String) -> Self {
        Expr::Literal(s.clone())
    }
}

impl From<&Expr> for Expr {
    fn from(e: &Expr) -> Self {
        e.clone()
    }
}

impl<T: Into<Expr>> Add<T> for Expr {
    type Output = Expr;
    fn add(self, rhs: T) -> Expr {
        Expr::concat([self, rhs.into()])
    }
}

/// A property value: scalars, strings (which may hold references), lists and ordered maps.
///
/// Maps keep insertion order so that lowering is deterministic without sorting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(Expr),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// Whether this is [`Expr::no_value`], a property to leave out.
    pub fn is_no_value(&self) -> bool {
        matches!(self, Value::Str(e) if e.is_no_value())
    }

    pub fn as_expr(&self) -> Option<&Expr> {
        match self {
            Value::Str(e) => Some(e),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Looks up a key of a map value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// How deeply lists and maps nest in this value (a scalar is 0, `[1]` is 1), counted without recursion,
    /// stopping once past `limit`: a value nested thousands deep must not overflow the stack that checks it.
    pub fn depth_exceeds(&self, limit: usize) -> Option<usize> {
        let mut pending: Vec<(&Value, usize)> = vec![(self, 0)];
        while let Some((value, depth)) = pending.pop() {
            let children: &mut dyn Iterator<Item = &Value> = match value {
                Value::List(items) => &mut items.iter(),
                Value::Map(entries) => &mut entries.iter().map(|(_, v)| v),
                Value::Bool(_) | Value::Int(_) | Value::Str(_) => continue,
            };
            if depth + 1 > limit {
                return Some(depth + 1);
            }
            pending.extend(children.map(|child| (child, depth + 1)));
        }
        None
    }

    /// Drops a value without recursion (the default drop of a value nested thousands deep overflows the
    /// stack).
    pub fn drop_iteratively(self) {
        let mut pending = vec![self];
        while let Some(value) = pending.pop() {
            match value {
                Value::List(items) => pending.extend(items),
                Value::Map(entries) => pending.extend(entries.into_iter().map(|(_, v)| v)),
                Value::Bool(_) | Value::Int(_) | Value::Str(_) => {}
            }
        }
    }

    /// Visits every expression inside this value, depth first, mutably.
    pub fn for_each_expr_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        match self {
            Value::Str(e) => f(e),
            Value::List(items) => items.iter_mut().for_each(|v| v.for_each_expr_mut(f)),
            Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| v.for_each_expr_mut(f)),
            Value::Bool(_) | Value::Int(_) => {}
        }
    }

    /// Visits every expression inside this value, depth first.
    pub fn for_each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        match self {
            Value::Str(e) => f(e),
            Value::List(items) => items.iter().for_each(|v| v.for_each_expr(f)),
            Value::Map(entries) => entries.iter().for_each(|(_, v)| v.for_each_expr(f)),
            Value::Bool(_) | Value::Int(_) => {}
        }
    }
}

impl<T: Into<Expr>> From<T> for Value {
    fn from(e: T) -> Self {
        Value::Str(e.into())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

/// Integer literals (`3`, which Rust types as `i32` when nothing else decides), as in [`crate::json!`].
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i64::from(i))
    }
}

impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Value::Int(i64::from(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_flattens_and_merges_literals() {
        let param = Expr::Param(ParamRef {
            scope: ScopeId(1),
            index: 0,
        });
        let inner = Expr::concat(["a".into(), param.clone()]);
        let joined = Expr::concat([inner, "b".into(), "c".into(), Expr::from("")]);
        assert_eq!(joined, Expr::Concat(vec!["a".into(), param, "bc".into()]));
        assert_eq!(Expr::concat(["x".into(), "y".into()]), Expr::from("xy"));
        assert_eq!(Expr::concat([]), Expr::from(""));
    }

    #[test]
    fn depth_is_measured_and_deep_values_dropped_without_recursion() {
        assert_eq!(Value::Int(1).depth_exceeds(0), None);
        let nested = |levels: usize| {
            let mut v = Value::Int(1);
            for _ in 0..levels {
                v = Value::List(vec![Value::Map(vec![("k".into(), v)])]);
            }
            v
        };
        assert_eq!(nested(3).depth_exceeds(6), None);
        assert_eq!(nested(3).depth_exceeds(5), Some(6));
        // A million levels: neither the check nor the drop may recurse.
        let deep = nested(500_000);
        assert_eq!(deep.depth_exceeds(100), Some(101));
        deep.drop_iteratively();
    }
}
