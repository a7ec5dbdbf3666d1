//! How long the vendored schema data takes to parse: every type once, in a fresh process each run (the
//! data is parsed once per process, on first use).
//!
//! Run with `cargo bench -p stackwright-schema --bench parse`.

use std::process::{Command, ExitCode};
use std::time::Instant;

const CHILD_VAR: &str = "STACKWRIGHT_SCHEMA_BENCH_CHILD";
const RUNS: usize = 15;

fn child() -> ExitCode {
    use stackwright_schema::{cloudformation, terraform};
    let start = Instant::now();
    let mut parsed = 0;
    parsed += cloudformation::type_names()
        .filter_map(cloudformation::resource_type)
        .count();
    parsed += terraform::resource_type_names()
        .filter_map(terraform::resource_type)
        .count();
    parsed += terraform::data_source_names()
        .filter_map(terraform::data_source)
        .count();
    let all = start.elapsed();
    println!("parsed={parsed} all_ms={:.3}", all.as_secs_f64() * 1e3);
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    if std::env::var_os(CHILD_VAR).is_some() {
        return child();
    }
    let runs = if std::env::args().any(|a| a == "--bench") {
        RUNS
    } else {
        1
    };
    let exe = std::env::current_exe().expect("current_exe");
    let mut times = Vec::new();
    let mut last = String::new();
    for _ in 0..runs {
        let out = Command::new(&exe)
            .env(CHILD_VAR, "1")
            .output()
            .expect("child runs");
        last = String::from_utf8_lossy(&out.stdout).into_owned();
        let ms = last
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix("all_ms="))
            .and_then(|v| v.parse::<f64>().ok());
        match ms {
            Some(ms) => times.push(ms),
            None => {
                eprintln!("unparsable child output: {last}");
                return ExitCode::FAILURE;
            }
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "parse every vendored schema once ({}): median {:.2} ms, min {:.2} ms, max {:.2} ms over {runs} fresh processes",
        last.split_whitespace().next().unwrap_or_default(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    ExitCode::SUCCESS
}
