//! A fleet of 500 environments, both ways: 500 CloudFormation stacks (one per environment, as `synth`
//! writes them), and one StackSet with 500 stack instances (`stack_set`: the same 500 templates lowered,
//! then proved equal up to each environment's identity and merged), and the CI pipelines of the 500
//! stacks (`ci`: GitHub Actions and GitLab CI).
//!
//! Run with `cargo bench -p stackwright-cli --bench fleet`.
//!
//! Workload: environments `edge-000`..`edge-499`, each its own account, regions cycling through four;
//! one stack `edge` of a VPC, two subnets, a security group and 8 instances (12
//! resources; the StackSet template stays under `TemplateBody`'s 51,200 bytes). The StackSet is
//! self-managed, one stack instance group per environment. Every measured run is a fresh child process
//! (this executable, re-executed with `STACKWRIGHT_FLEET_BENCH_CHILD`), so the peak RSS (`VmHWM`) is that
//! of one run; `STACKWRIGHT_BENCH_RUNS` (default 3) runs of each, medians printed with min and max.
//!
//! A measurement, not a test: the exit status is 0 whether or not it is fast (it is non-zero only if the
//! benchmark cannot run). Without the `--bench` argument that `cargo bench` passes (`cargo test
//! --benches`, unoptimized), one unjudged smoke run of 20 environments is made.

use stackwright_aws::ec2::{self, Peer, Port};
use stackwright_cli::{stack_set, synthesize_into, Request, Target};
use stackwright_core::{App, Environment, Stack};
use stackwright_stackset::{DeploymentTarget, Fleet, Member, OperationPreferences, Permissions};
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

const CHILD_VAR: &str = "STACKWRIGHT_FLEET_BENCH_CHILD";
const SIZE_VAR: &str = "STACKWRIGHT_FLEET_BENCH_ENVIRONMENTS";
const RUNS_VAR: &str = "STACKWRIGHT_BENCH_RUNS";
const LINE_TAG: &str = "STACKWRIGHT_FLEET_BENCH";
const ENVIRONMENTS: usize = 500;
const INSTANCES: usize = 8;
const REGIONS: [&str; 4] = ["us-west-2", "eu-central-1", "us-east-1", "ap-southeast-2"];

fn app(environments: usize) -> App<()> {
    (0..environments)
        .map(|i| {
            Environment::new(
                format!("edge-{i:03}"),
                format!("{:012}", 200_000_000_000u64 + i as u64),
                REGIONS[i % REGIONS.len()],
                (),
            )
        })
        .fold(App::new("fleet"), App::environment)
        .stack("edge", edge)
}

fn edge(stack: &mut Stack, _: &Environment<()>) {
    let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    let a = stack.add(ec2::Subnet::new("SubnetA", &vpc, "10.0.1.0/24"));
    stack.add(ec2::Subnet::new("SubnetB", &vpc, "10.0.2.0/24"));
    let sg = stack.add(
        ec2::SecurityGroup::new("Edge", &vpc, "Edge: HTTPS in").allow_ingress(
            Peer::any_ipv4(),
            Port::tcp(443),
            "HTTPS from anywhere",
        ),
    );
    for i in 1..=INSTANCES {
        stack.add(
            ec2::Instance::new(format!("Node{i}"), "ami-12345678", "t3.small")
                .subnet(&a)
                .security_group(&sg),
        );
    }
}

fn fleet(environments: usize) -> Fleet {
    Fleet {
        name: "edge".into(),
        stack: "edge".into(),
        administrator: "edge-000".into(),
        members: (0..environments)
            .map(|i| Member {
                environment: format!("edge-{i:03}"),
                target: DeploymentTarget::Account,
            })
            .collect(),
        permissions: Permissions::SelfManaged {
            administration_role_arn: None,
            execution_role_name: None,
        },
        preferences: OperationPreferences::default(),
    }
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One measured run of `mode` into `dir`: prints `wall_s`, `rss_kb` and the bytes written.
fn child(mode: &str, environments: usize, dir: &Path) -> Result<(), String> {
    let start = Instant::now();
    let app = app(environments);
    let bytes = match mode {
        "stacks" => {
            let request = Request {
                environments: Vec::new(),
                targets: vec![Target::CloudFormation],
            };
            let out = dir.join("out");
            let written = synthesize_into(&app, &request, &out, &mut |_| {})
                .map_err(|e| format!("synth: {e:?}"))?;
            if written.artifacts.len() != environments {
                return Err(format!(
                    "expected {environments} templates, got {}",
                    written.artifacts.len()
                ));
            }
            tree_bytes(&out)
        }
        "stackset" => {
            let set = stack_set(&app, &fleet(environments)).map_err(|p| format!("{p:#?}"))?;
            let template = serde_json::to_vec_pretty(&set.template).map_err(|e| e.to_string())?;
            let administration =
                serde_json::to_vec_pretty(&set.administration).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("stackset.template.json"), &template)
                .map_err(|e| e.to_string())?;
            std::fs::write(dir.join("administration.template.json"), &administration)
                .map_err(|e| e.to_string())?;
            let groups = set.administration["Resources"]["StackSet"]["Properties"]
                ["StackInstancesGroup"]
                .as_array()
                .map_or(0, Vec::len);
            if groups != environments {
                return Err(format!(
                    "expected {environments} instance groups, got {groups}"
                ));
            }
            (template.len() + administration.len()) as u64
        }
        "ci" => {
            let root = dir.to_str().ok_or("scratch path is not UTF-8")?;
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            let args = ["fleet", "ci", "--target", "cloudformation", "--root", root];
            let code = stackwright_cli::run_with(&app, args, &mut stdout, &mut stderr, false);
            if code != 0 {
                return Err(format!(
                    "ci exited {code}: {}",
                    String::from_utf8_lossy(&stderr)
                ));
            }
            tree_bytes(dir)
        }
        other => return Err(format!("unknown child mode `{other}`")),
    };
    println!(
        "{LINE_TAG} wall_s={:.6} rss_kb={} bytes={bytes}",
        start.elapsed().as_secs_f64(),
        peak_rss_kb()
    );
    Ok(())
}

/// The bytes of every file under `dir`.
fn tree_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(entry.path()),
                Ok(t) if t.is_file() => total += entry.metadata().map_or(0, |m| m.len()),
                _ => {}
            }
        }
    }
    total
}

/// One sample of a child: wall time (s), peak RSS (MB), bytes written.
fn run_child(mode: &str, environments: usize, scratch: &Path) -> Result<(f64, f64, u64), String> {
    let dir = tempfile::tempdir_in(scratch).map_err(|e| e.to_string())?;
    let output = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .env(CHILD_VAR, mode)
        .env(SIZE_VAR, environments.to_string())
        .env("STACKWRIGHT_FLEET_BENCH_DIR", dir.path())
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{mode} child failed: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{LINE_TAG} ")))
        .ok_or_else(|| format!("{mode}: unparsable child output: {stdout}"))?;
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| format!("{mode}: no {key} in `{line}`"))
    };
    Ok((
        field("wall_s")?,
        field("rss_kb")? / 1024.0,
        field("bytes")? as u64,
    ))
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn parent(benching: bool) -> Result<(), String> {
    let configured: Option<usize> = std::env::var(RUNS_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0);
    let smoke = !benching && configured.is_none();
    let (environments, runs) = if smoke {
        (20, 1)
    } else {
        (ENVIRONMENTS, configured.unwrap_or(3))
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "stackwright fleet benchmark: {environments} environments x 1 stack x {} resources, {runs} runs each{}; \
         load average at start: {}",
        4 + INSTANCES,
        if smoke { " (smoke run, not judged)" } else { "" },
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (mode, what) in [
        ("stacks", "500 stacks: synth, CloudFormation"),
        ("stackset", "one StackSet: stack_set"),
        ("ci", "pipelines of the stacks: ci"),
    ] {
        let mut samples = Vec::new();
        for _ in 0..runs {
            samples.push(run_child(mode, environments, scratch.path())?);
        }
        let mut wall: Vec<f64> = samples.iter().map(|s| s.0).collect();
        let mut rss: Vec<f64> = samples.iter().map(|s| s.1).collect();
        wall.sort_by(f64::total_cmp);
        rss.sort_by(f64::total_cmp);
        println!(
            "{mode:<9} {:.3} s median (min {:.3}, max {:.3}), peak RSS {:.1} MB median, {:.0} KB written   ({})",
            median(&wall),
            wall[0],
            wall[wall.len() - 1],
            median(&rss),
            samples[0].2 as f64 / 1e3,
            what.replace("500", &environments.to_string())
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    if let Ok(mode) = std::env::var(CHILD_VAR) {
        let environments = std::env::var(SIZE_VAR)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(ENVIRONMENTS);
        let dir = std::env::var_os("STACKWRIGHT_FLEET_BENCH_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        return match child(&mode, environments, &dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    let benching = std::env::args().skip(1).any(|a| a == "--bench");
    match parent(benching) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
