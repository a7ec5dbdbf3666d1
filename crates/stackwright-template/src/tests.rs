use super::*;
use stackwright_core::{AttrRef, ResourceRef, ScopeId};

#[derive(Serialize)]
struct Config {
    port: u16,
    packages: Vec<&'static str>,
}

fn env() -> Environment<Config> {
    Environment::new(
        "prod-oregon",
        "111111111111",
        "us-west-2",
        Config {
            port: 8443,
            packages: vec!["python3-pip", "nginx"],
        },
    )
}

fn attr(index: u32, attr: &'static str) -> Expr {
    Expr::Attr(AttrRef {
        resource: ResourceRef {
            scope: ScopeId(1),
            index,
        },
        attr,
    })
}

fn render(source: &str, refs: &[(&str, Expr)]) -> Result<Expr, Vec<String>> {
    let template = Template::new("t.sh", source);
    let env = env();
    let render = refs
        .iter()
        .fold(template.with_env(&env), |r, (n, e)| r.reference(*n, e));
    render.try_render()
}

fn error(source: &str, refs: &[(&str, Expr)]) -> String {
    match render(source, refs) {
        Ok(expr) => panic!("expected an error, rendered {expr:?}"),
        Err(problems) => problems.join("\n"),
    }
}

#[test]
fn environment_config_values_and_references() {
    let source =
        "#!/bin/bash\n# {{ env.name }} {{ env.account }} {{ env.region }} {{ env.partition }}\n\
                  dnf install -y {{ config.packages | join(sep=\" \") }}\n\
                  echo \"${HOME} sg={{ refs.sg }} ip={{ refs.ip ~ ':' ~ config.port }}\"\n";
    let rendered = render(
        source,
        &[("sg", attr(0, "id")), ("ip", attr(1, "private_ip"))],
    );
    assert_eq!(
        rendered,
        Ok(Expr::concat([
            "#!/bin/bash\n# prod-oregon 111111111111 us-west-2 aws\ndnf install -y python3-pip nginx\n\
             echo \"${HOME} sg="
                .into(),
            attr(0, "id"),
            " ip=".into(),
            attr(1, "private_ip"),
            ":8443\"\n".into(),
        ]))
    );
}

#[test]
fn values_and_a_reference_used_twice() {
    let template = Template::new("t", "{{ greeting }} {{ refs.a }}/{{ refs.a }}");
    let spec = env().spec().clone();
    let rendered = template
        .with_spec(&spec)
        .value("greeting", "hi")
        .reference("a", attr(3, "id"))
        .try_render();
    assert_eq!(
        rendered,
        Ok(Expr::concat([
            "hi ".into(),
            attr(3, "id"),
            "/".into(),
            attr(3, "id")
        ]))
    );
}

#[test]
fn syntax_errors_name_the_template_and_line() {
    let message = error("line one\nline two {{ env.name \n", &[]);
    assert!(
        message.starts_with("template `t.sh` line 2, column "),
        "{message}"
    );
}

#[test]
fn unknown_variables_and_references_name_the_line() {
    let message = error("ok\n\n  {{ env.nmae }}\n", &[]);
    assert!(
        message.starts_with("template `t.sh` line 3, column "),
        "{message}"
    );
    assert!(message.contains("nmae"), "{message}");
    let message = error("{{ refs.sg }}\n{{ refs.vcp }}", &[("sg", attr(0, "id"))]);
    assert!(
        message.starts_with("template `t.sh` line 2, column "),
        "{message}"
    );
    assert!(
        message.ends_with("field `vcp` is not defined: expected one of sg"),
        "{message}"
    );
    let message = error("\n{{ config.port | frobnicate }}", &[]);
    assert_eq!(
        message,
        "template `t.sh` line 2, column 18: unknown filter `frobnicate`"
    );
}

#[test]
fn references_cannot_be_inspected_by_filters() {
    for source in [
        "{{ refs.ip | upper }}",
        "{{ refs.ip | length }}",
        "{{ refs.ip | truncate(length=3) }}",
        "{{ refs.ip | replace(from='a', to='b') }}",
        "{{ refs.ip | reverse }}",
        "{% if refs.ip | length > 12 %}long{% endif %}",
    ] {
        let message = error(source, &[("ip", attr(1, "private_ip"))]);
        assert!(
            message.contains("a reference (`refs.ip`) went through a filter"),
            "{source}: {message}"
        );
    }
    // Whole references, joined with text, pass.
    assert!(render(
        "{{ 'x' ~ refs.ip ~ 'y' }}",
        &[("ip", attr(1, "private_ip"))]
    )
    .is_ok());
}

#[test]
fn reserved_characters_and_bad_names_are_rejected() {
    let message = error("a \u{E000}0\u{E001}", &[]);
    assert!(
        message.contains("the template text contains U+E000"),
        "{message}"
    );
    let template = Template::new("t", "{{ x }}");
    let spec = env().spec().clone();
    let problems = template
        .with_spec(&spec)
        .value("x", "\u{E005}")
        .value("env", 1)
        .reference("not-an-id", "v")
        .reference("a", "v")
        .reference("a", "w")
        .try_render()
        .unwrap_err();
    let text = problems.join("\n");
    for expected in [
        "`x` contains U+E005",
        "value name `env` is reserved",
        "invalid reference name `not-an-id`",
        "reference `a` is bound twice",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
}

#[test]
fn embedded_templates_are_named_by_their_path() {
    let t = Template::embedded(
        "examples/app/src/lib.rs",
        "../../../templates/app/user-data.sh",
        "",
    );
    assert_eq!(t.name(), "templates/app/user-data.sh");
    assert_eq!(normalize("src/./a/../b.txt"), "src/b.txt");
    assert_eq!(normalize("../x"), "../x");
}

#[test]
fn whitespace_and_trailing_newline_are_kept() {
    assert_eq!(
        render("a\n{% if true %}\nb\n{% endif %}\n", &[]),
        Ok(Expr::from("a\n\nb\n\n"))
    );
}
