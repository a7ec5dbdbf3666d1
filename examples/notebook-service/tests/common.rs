use notebook_service::Sizing;
use serde_json::Value;
use stackwright::Environment;

pub use stackwright_testing::artifacts;

/// The flagship environments with one of them changed.
pub fn environments_with(
    name: &str,
    change: impl FnOnce(Environment<Sizing>) -> Environment<Sizing>,
) -> Vec<Environment<Sizing>> {
    let mut change = Some(change);
    notebook_service::environments()
        .into_iter()
        .map(|e| match change.take_if(|_| e.name() == name) {
            Some(change) => change(e),
            None => e,
        })
        .collect()
}

/// A third production environment, in Ireland, sized like Frankfurt: the "add a region" scenario.
pub fn prod_ireland() -> Environment<Sizing> {
    Environment::new(
        "prod-ireland",
        "111111111111",
        "eu-west-1",
        Sizing::new(3, "m5.xlarge"),
    )
    .tag("stage", "prod")
}

/// JSON paths (`/Resources/Vpc/Properties/CidrBlock`) at which two documents differ.
pub fn diff(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
                let child = format!("{path}/{key}");
                match (b.get(key), a.get(key)) {
                    (Some(x), Some(y)) => walk(&child, x, y, out),
                    (Some(_), None) => out.push(format!("-{child}")),
                    (None, Some(_)) => out.push(format!("+{child}")),
                    (None, None) => unreachable!(),
                }
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                walk(&format!("{path}/{i}"), x, y, out);
            }
        }
        (x, y) if x == y => {}
        _ => out.push(path.to_owned()),
    }
}

pub const CFN_OREGON: &str = "cloudformation/prod-oregon/notebook.template.json";
pub const TF_OREGON: &str = "terraform/prod-oregon/notebook/main.tf.json";
