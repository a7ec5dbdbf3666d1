//! Text templates end to end: a template with a reference and shell `${VAR}` lowers to the exact
//! `Fn::Sub` and `${}` forms, and template problems fail the synthesis with the template's line.

use crate::support::{artifacts, fails, line_below, CFN, TF};
use serde_json::json;
use stackwright::aws::ec2;
use stackwright::prelude::*;

#[derive(serde::Serialize)]
struct Config {
    service: &'static str,
}

fn app_rendering(template: Template) -> App<Config> {
    App::new("demo")
        .environment(Environment::new(
            "dev",
            "123456789012",
            "us-west-2",
            Config { service: "web" },
        ))
        .stack("main", move |stack, env| {
            let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            let user_data = template
                .with_env(env)
                .reference("vpc_id", vpc.id())
                .render(stack);
            stack.add(ec2::Instance::new("Web", "ami-12345678", "t3.micro").user_data(user_data));
        })
}

#[test]
fn a_reference_and_shell_variables_lower_to_fn_sub_and_terraform_interpolation() {
    let app = app_rendering(include_template!("templates/user-data.sh.tera"));
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["Web"]["Properties"]["UserData"],
        json!({"Fn::Base64": {"Fn::Sub":
            "#!/bin/bash\n# dev in us-west-2\necho \"vpc=${Vpc} home=${!HOME} %{not-a-directive}\" > /etc/web.env\n"}})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_instance"]["web"]["user_data"],
        "#!/bin/bash\n# dev in us-west-2\necho \"vpc=${aws_vpc.vpc.id} home=$${HOME} %%{not-a-directive}\" > /etc/web.env\n"
    );
}

#[test]
fn an_unknown_reference_names_the_template_line_and_the_rendering_call() {
    let template = include_template!("templates/broken.sh.tera");
    let at = line_below(8);
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("main", move |stack, env| {
            let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            let user_data = template
                .with_spec(env.spec())
                .reference("vpc_id", vpc.id())
                .render(stack);
            stack.add(ec2::Instance::new("Web", "ami-12345678", "t3.micro").user_data(user_data));
        });
    fails(
        &app,
        &[
            "template `crates/stackwright/tests/templates/broken.sh.tera` line 3, column 15: \
             field `vcp_id` is not defined: expected one of vpc_id",
            &at,
            "environment `dev`, stack `main`",
        ],
    );
}

#[test]
fn a_syntax_error_in_a_user_template_fails_every_environment_and_is_reported_once() {
    let template = Template::new("my-templates/motd.txt", "Welcome\n{% if %}\n");
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "123456789012", "eu-west-1", ()))
        .stack("main", move |stack, env| {
            let motd = template.with_spec(env.spec()).render(stack);
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("motd", motd));
        });
    let errors = fails(
        &app,
        &[
            "template `my-templates/motd.txt` line 2, column 7:",
            "in environments `dev`, `prod`, stack `main`",
        ],
    );
    assert!(errors.contains("1 problem found"), "{errors}");
}
