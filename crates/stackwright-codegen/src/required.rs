//! The required arguments of a generated builder's `new`, one mechanism for both generated layers (the
//! registry's and hashicorp/aws's): positional, in the schema's order, while every argument has a Rust type
//! of its own; by name, in a `<Builder>Required` struct, as soon as two of them share a type, so that
//! swapping two values of one type does not compile (`HealthCheck::new("3", "30", ...)` was healthy,
//! interval, ...: a swap compiled and synthesized).

use std::collections::BTreeSet;
use std::fmt::Write;

/// Stands for the argument's value in [`Arg::store`].
pub const VALUE: &str = "\u{1}value\u{1}";

/// One required argument.
pub struct Arg {
    /// Its Rust name: the struct field, and the positional argument unless that is taken (see
    /// [`positional_name`]).
    pub name: String,
    /// The positional argument's type (`impl Into<rt::Expr>`).
    pub param: String,
    /// The field's type (`rt::Expr`): concrete, the caller converts.
    pub field: String,
    /// What decides the shape: two arguments of one key make the struct. The field type, except that
    /// every type a string literal converts into (`rt::Expr`, a number or policy held as text) is `text`,
    /// since a swap of two literals between them would compile.
    pub key: String,
    /// The field's documentation (one line).
    pub doc: String,
    /// The statement storing the value in `this`, with [`VALUE`] for the value; it must accept a value of
    /// the positional type and of the field type.
    pub store: String,
    /// Where the statement goes among the others: the order values are stored in is the order of the
    /// emitted properties, which stays the schema's property order whatever the arguments' order, so
    /// that artifacts do not change with the signature.
    pub store_at: usize,
}

/// Whether arguments of these field types are passed by name: two or more share a type.
pub fn named<'a>(field_types: impl IntoIterator<Item = &'a str>) -> bool {
    let mut seen = BTreeSet::new();
    field_types.into_iter().any(|t| !seen.insert(t))
}

/// The positional argument's name: the property's, unless the constructor uses it itself (`id`, `this`).
pub fn positional_name(name: &str) -> String {
    if matches!(name, "id" | "this" | "required") {
        format!("{name}_value")
    } else {
        name.to_owned()
    }
}

/// The name of `builder`'s required-arguments struct.
pub fn struct_name(builder: &str) -> String {
    format!("{builder}Required")
}

/// What `new` needs: the struct to emit before the builder's `impl` (empty when positional), the
/// parameters after `id` (with their leading `, ` when `with_id`), and the statements storing them.
pub struct Emitted {
    pub item: String,
    pub params: String,
    pub stores: String,
}

/// `new`'s required part for `builder` (`with_id`: resources take `id` first).
pub fn emit(builder: &str, with_id: bool, args: &[Arg]) -> Emitted {
    let sep = if with_id { ", " } else { "" };
    let mut item = String::new();
    let mut params = Vec::new();
    let mut stores = Vec::new();
    if named(args.iter().map(|a| a.key.as_str())) {
        let name = struct_name(builder);
        let _ = writeln!(
            item,
            "/// The required values of [`{builder}`], by name: two of them have one type, and a swap must not compile.\npub struct {name} {{"
        );
        for a in args {
            let _ = writeln!(item, "/// {}\npub {}: {},", a.doc, a.name, a.field);
            stores.push((
                a.store_at,
                a.store.replace(VALUE, &format!("required.{}", a.name)),
            ));
        }
        item.push_str("}\n");
        params.push(format!("required: {name}"));
    } else {
        for a in args {
            let name = positional_name(&a.name);
            params.push(format!("{name}: {}", a.param));
            stores.push((a.store_at, a.store.replace(VALUE, &name)));
        }
    }
    stores.sort_by_key(|(at, _)| *at);
    let stores: String = stores.into_iter().map(|(_, s)| s + "\n").collect();
    let params = if params.is_empty() {
        String::new()
    } else {
        format!("{sep}{}", params.join(", "))
    };
    Emitted {
        item,
        params,
        stores,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(name: &str, field: &str) -> Arg {
        Arg {
            store_at: name.len(),
            name: name.into(),
            param: format!("impl Into<{field}>"),
            field: field.into(),
            key: field.into(),
            doc: format!("`{name}`."),
            store: format!("this.set({name:?}, {VALUE});"),
        }
    }

    #[test]
    fn distinct_types_are_positional_in_the_given_order() {
        let e = emit(
            "Thing",
            true,
            &[arg("target", "rt::Expr"), arg("id", "i64")],
        );
        assert_eq!(e.item, "");
        assert_eq!(
            e.params,
            ", target: impl Into<rt::Expr>, id_value: impl Into<i64>"
        );
        // Stored in `store_at` order (here the name's length).
        assert_eq!(
            e.stores,
            "this.set(\"id\", id_value);\nthis.set(\"target\", target);\n"
        );
    }

    #[test]
    fn two_of_one_type_are_named() {
        let e = emit(
            "HealthCheck",
            false,
            &[
                arg("target", "rt::Expr"),
                arg("interval", "rt::Expr"),
                arg("n", "i64"),
            ],
        );
        assert!(e
            .item
            .starts_with("/// The required values of [`HealthCheck`]"));
        assert!(e.item.contains("pub struct HealthCheckRequired {\n"));
        assert!(e
            .item
            .contains("/// `interval`.\npub interval: rt::Expr,\n"));
        assert_eq!(e.params, "required: HealthCheckRequired");
        assert!(e.stores.starts_with("this.set(\"n\", required.n);\n"));
    }

    #[test]
    fn nothing_required_is_nothing() {
        let e = emit("Thing", true, &[]);
        assert_eq!(
            (e.item.as_str(), e.params.as_str(), e.stores.as_str()),
            ("", "", "")
        );
    }
}
