//! End-to-end synthesis benchmark: build a 50-environment app, synthesize both targets, write the tree.
//!
//! Run with `cargo bench -p stackwright-cli --bench synth`.
//!
//! Every measured iteration runs in a fresh child process (this same executable, re-executed with
//! `STACKWRIGHT_BENCH_CHILD=1`) so that the peak resident set size (`VmHWM` from `/proc/self/status`) is
//! that of one run, not the high-water mark of all of them. The child builds the app and synthesizes into
//! a temporary directory once as `synth` does (`synthesize_into`: streamed into the staging tree), and
//! prints one line with its wall time and peak RSS; the parent runs one warm-up child and
//! `STACKWRIGHT_BENCH_RUNS` (default 15) measured ones and prints median, min and max.
//!
//! Workload: 50 environments (`env-00`..`env-49`, regions cycling through a few real ones), one stack;
//! per environment a VPC, a subnet, a security group with one ingress rule, and 190 EC2 instances, each
//! with one output (its private IP). The AMI comes from a deploy-time parameter, which is not a resource:
//! 50 x (1 + 1 + 1 + 190) = 9,650 declared resources (CloudFormation `Resources` entries; Terraform has
//! 9,700 resource blocks, as it lowers the ingress rule to a resource of its own).
//!
//! Then as many fresh children time `plan` and take its peak RSS: the workload planned against its previous
//! version, in which 1% of the instances (every hundredth) had another instance type, written beforehand by
//! a child of its own (untimed, and not in the plan's peak RSS). The `plan/synth` line gives the ratios of
//! the medians with their targets (time <= 1.3x, peak RSS <= 2x). Under `cargo bench`, the same synth and
//! plan at 200 and 500 environments follow (`STACKWRIGHT_BENCH_SCALE_RUNS`, default 3 runs each), with the
//! target of at most 100 MB peak RSS for synth at 500 environments (96,500 resources).
//!
//! `STACKWRIGHT_BENCH_PHASES=1` additionally runs one child that times the phases separately (build app,
//! instantiate, lower each target, serialize, hash, full `synthesize`, `write_tree`). This is a
//! measurement, not a test: the exit status is 0 whether or not the targets are met (it is non-zero only
//! if the benchmark itself cannot run). Without the `--bench` argument that `cargo bench` passes (e.g.
//! under `cargo test --benches`, unoptimized), one unjudged smoke run is made unless
//! `STACKWRIGHT_BENCH_RUNS` is set.

use stackwright_aws::ec2::{self, Peer, Port};
use stackwright_cli::{synthesize, synthesize_into, write_tree, Artifact, Request};
use stackwright_core::{App, Environment, Parameter, Selection, Stack};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const ENVIRONMENTS: usize = 50;
const INSTANCES_PER_ENV: usize = 190;
const RESOURCES_PER_ENV: usize = 1 + 1 + 1 + INSTANCES_PER_ENV;
const EXPECTED_RESOURCES: usize = ENVIRONMENTS * RESOURCES_PER_ENV; // 9,650 declared
const REGIONS: [&str; 4] = ["us-west-2", "eu-central-1", "us-east-1", "ap-southeast-2"];

const TARGET_WALL_S: f64 = 0.35;
const TARGET_RSS_MB: f64 = 100.0;
const TARGET_PLAN_S: f64 = 1.0;

const CHILD_VAR: &str = "STACKWRIGHT_BENCH_CHILD";
const SCRATCH_VAR: &str = "STACKWRIGHT_BENCH_SCRATCH";
const RUNS_VAR: &str = "STACKWRIGHT_BENCH_RUNS";
const PHASES_VAR: &str = "STACKWRIGHT_BENCH_PHASES";
const LINE_TAG: &str = "STACKWRIGHT_BENCH";

struct Sizing {
    instances: usize,
    instance_type: &'static str,
    /// Number of the first instance of this environment across the app, for [`changed`].
    first: usize,
    /// Whether this is the plan benchmark's previous version, in which 1% of the instances differ.
    previous: bool,
}

/// In the previous version every hundredth instance had another size: 1% of the resources change.
fn changed(global_instance: usize) -> bool {
    global_instance.is_multiple_of(100)
}

fn build_app() -> App<Sizing> {
    build_app_version(false)
}

fn build_app_version(previous: bool) -> App<Sizing> {
    build_app_sized(ENVIRONMENTS, previous)
}

/// The workload with `environments` environments (each the same 193 resources).
fn build_app_sized(environments: usize, previous: bool) -> App<Sizing> {
    (0..environments)
        .map(|i| {
            Environment::new(
                format!("env-{i:02}"),
                format!("{:012}", 100_000_000_000u64 + i as u64),
                REGIONS[i % REGIONS.len()],
                Sizing {
                    instances: INSTANCES_PER_ENV,
                    instance_type: "m5.large",
                    first: i * INSTANCES_PER_ENV,
                    previous,
                },
            )
            .tag("stage", if i % 2 == 0 { "prod" } else { "test" })
        })
        .fold(App::new("bench"), App::environment)
        .stack("fleet", fleet)
}

fn fleet(stack: &mut Stack, env: &Environment<Sizing>) {
    let image = stack.add_parameter(
        Parameter::string("ImageId")
            .default_value("ami-12345678")
            .description("AMI of every instance"),
    );
    let vpc =
        stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("Name", format!("fleet-{}", env.name())));
    let subnet = stack.add(ec2::Subnet::new("Subnet", &vpc, "10.0.1.0/24"));
    let security_group = stack.add(
        ec2::SecurityGroup::new("FleetSecurityGroup", &vpc, "Fleet: HTTPS in").allow_ingress(
            Peer::any_ipv4(),
            Port::tcp(443),
            "HTTPS from anywhere",
        ),
    );
    for i in 1..=env.config().instances {
        let id = format!("Worker-{i}");
        let instance_type = if env.config().previous && changed(env.config().first + i) {
            "m5.xlarge"
        } else {
            env.config().instance_type
        };
        let instance = stack.add(
            ec2::Instance::new(&id, image.value(), instance_type)
                .subnet(&subnet)
                .security_group(&security_group)
                .tag("Name", &id),
        );
        stack
            .output(format!("Worker{i}PrivateIp"), instance.private_ip())
            .description(format!("Private IP address of {id}"));
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

/// Checks the workload of `environments` environments written to `out` and returns (files, bytes,
/// Terraform blocks). CloudFormation's `Resources` has one entry per declared resource (193 per
/// environment); Terraform lowers each security-group rule to its own `aws_vpc_security_group_*_rule`
/// resource, so it has one more block per environment.
fn check(
    artifacts: &[Artifact],
    environments: usize,
    out: &std::path::Path,
) -> Result<(usize, usize, usize), String> {
    use stackwright_cli::Target;
    let count = |target: Target| -> usize {
        artifacts
            .iter()
            .filter(|a| a.target == target)
            .map(|a| a.resource_count)
            .sum()
    };
    if artifacts.len() != 2 * environments {
        return Err(format!(
            "{} artifacts, expected {}",
            artifacts.len(),
            2 * environments
        ));
    }
    for a in artifacts {
        if a.target == Target::CloudFormation && a.resource_count != RESOURCES_PER_ENV {
            return Err(format!(
                "{}: {} resources, expected {RESOURCES_PER_ENV}",
                a.path, a.resource_count
            ));
        }
    }
    let declared = count(Target::CloudFormation);
    if declared != environments * RESOURCES_PER_ENV {
        return Err(format!(
            "{declared} resources, expected {}",
            environments * RESOURCES_PER_ENV
        ));
    }
    let paths = artifacts
        .iter()
        .map(|a| a.path.as_str())
        .chain(["manifest.json"]);
    let mut bytes = 0;
    for path in paths {
        let meta = std::fs::metadata(out.join(path)).map_err(|e| format!("{path}: {e}"))?;
        bytes += meta.len() as usize;
    }
    Ok((artifacts.len() + 1, bytes, count(Target::Terraform)))
}

/// Where a child writes: a fresh directory under the parent's scratch root, removed only when the parent
/// ends. Deleting each run's tree right before the next run starts would measure ext4 stepping around
/// hundreds of just-deleted inodes (`recently_deleted` in its allocator, seen with `perf`), which a
/// synth run by a user does not meet.
fn child_dir() -> std::path::PathBuf {
    let root = std::env::var_os(SCRATCH_VAR)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    tempfile::Builder::new()
        .prefix("run-")
        .tempdir_in(root)
        .expect("scratch directory")
        .keep()
}

/// One measured run: build + synthesize + write, once, as `synth` does (streaming into the staging tree).
fn child() -> ExitCode {
    child_sized(ENVIRONMENTS)
}

fn child_sized(environments: usize) -> ExitCode {
    let out = child_dir().join("out");

    let start = Instant::now();
    let app = build_app_sized(environments, false);
    let synthesis = match synthesize_into(&app, &Request::default(), &out, &mut |_| {}) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("synthesize_into: {e:?}");
            return ExitCode::FAILURE;
        }
    };
    let wall = start.elapsed();
    let rss = peak_rss_kb();

    let (files, bytes, tf_blocks) = match check(&synthesis.artifacts, environments, &out) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("unexpected workload: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{LINE_TAG} wall_s={:.6} rss_kb={rss} files={files} bytes={bytes} resources={} tf_blocks={tf_blocks}",
        wall.as_secs_f64(),
        environments * RESOURCES_PER_ENV
    );
    ExitCode::SUCCESS
}

/// Where the previous version of the `environments`-environment workload is written for `plan`.
fn previous_dir(environments: usize) -> std::path::PathBuf {
    let root = std::env::var_os(SCRATCH_VAR)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    root.join(format!("previous-{environments}"))
}

/// Untimed, in a process of its own (so that it does not count in a plan's peak RSS): writes the previous
/// version of the workload, in which 1% of the instances (every hundredth) had another instance type.
fn child_prepare(environments: usize) -> ExitCode {
    let app = build_app_sized(environments, true);
    match synthesize_into(
        &app,
        &Request::default(),
        &previous_dir(environments),
        &mut |_| {},
    ) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("previous version: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// One measured plan: `plan --format json` of the current version against the previous one (see
/// [`child_prepare`]), timed as a user runs it, minus process start: synthesize, read and parse the
/// previous tree, compare, render. Prints its wall time and peak RSS.
fn child_plan(environments: usize) -> ExitCode {
    let against = previous_dir(environments)
        .to_str()
        .expect("UTF-8 temp path")
        .to_owned();
    let args = ["bench", "plan", "--against", &against, "--format", "json"];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());

    let start = Instant::now();
    let app = build_app_sized(environments, false);
    let code = stackwright_cli::run_with(&app, args, &mut stdout, &mut stderr, false);
    let wall = start.elapsed();
    let rss = peak_rss_kb();

    let plan: serde_json::Value = match serde_json::from_slice(&stdout) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("plan output ({e}): {}", String::from_utf8_lossy(&stderr));
            return ExitCode::FAILURE;
        }
    };
    // Each changed instance is one update per target; nothing else changes.
    let expected = (0..environments * INSTANCES_PER_ENV)
        .filter(|n| changed(n + 1))
        .count();
    let summary = &plan["summary"];
    if code != 2
        || summary["update"] != 2 * expected
        || summary["add"] != 0
        || summary["replace"] != 0
    {
        eprintln!("unexpected plan (exit {code}): {summary}");
        return ExitCode::FAILURE;
    }
    println!(
        "{LINE_TAG}_PLAN wall_s={:.6} rss_kb={rss} changed={expected} of {}",
        wall.as_secs_f64(),
        environments * RESOURCES_PER_ENV
    );
    ExitCode::SUCCESS
}

/// A diagnostic run: the same work as `synthesize` split into phases (calling the target crates directly),
/// then the real `synthesize` and `write_tree` timed on their own.
fn child_phases() -> ExitCode {
    use sha2::{Digest, Sha256};
    let out = child_dir().join("out");
    let mut phases: Vec<(&str, Duration)> = Vec::new();
    let mut lap = |name: &'static str, since: &mut Instant| {
        phases.push((name, since.elapsed()));
        *since = Instant::now();
    };

    let mut t = Instant::now();
    let app = build_app();
    lap("build app", &mut t);
    let instantiation = app.instantiate(&Selection::default());
    assert!(
        instantiation.problems.is_empty(),
        "{:?}",
        instantiation.problems
    );
    lap("instantiate (run definitions, validate)", &mut t);
    let cfn: Vec<_> = instantiation
        .instances
        .iter()
        .map(stackwright_cloudformation::synthesize)
        .collect();
    lap("lower CloudFormation", &mut t);
    let tf: Vec<_> = instantiation
        .instances
        .iter()
        .map(stackwright_terraform::synthesize)
        .collect();
    lap("lower Terraform", &mut t);
    let bytes: Vec<Vec<u8>> = cfn
        .iter()
        .map(|t| &t.document)
        .chain(tf.iter().map(|m| &m.document))
        .map(|d| serde_json::to_vec_pretty(d).expect("serializes"))
        .collect();
    lap("serialize (to_vec_pretty, both targets)", &mut t);
    let hashes: Vec<_> = bytes.iter().map(Sha256::digest).collect();
    lap("sha256 for the manifest", &mut t);
    let total: usize = bytes.iter().map(Vec::len).sum();
    drop((hashes, bytes, cfn, tf, instantiation));
    lap("drop", &mut t);
    let synthesis = synthesize(&app, &Request::default()).expect("synthesizes");
    lap("synthesize() as a whole (again)", &mut t);
    write_tree(&out, synthesis.files(), &mut |_| {}).expect("writes");
    lap("write_tree", &mut t);

    for (name, d) in phases {
        println!("{LINE_TAG}_PHASE {:>9.1} ms  {name}", d.as_secs_f64() * 1e3);
    }
    println!(
        "{LINE_TAG}_PHASE total artifact bytes {total}, peak RSS {} kB",
        peak_rss_kb()
    );
    ExitCode::SUCCESS
}

struct Sample {
    wall_s: f64,
    rss_kb: u64,
    files: usize,
    bytes: usize,
    resources: usize,
    tf_blocks: usize,
}

fn run_child(mode: &str, scratch: &std::path::Path) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let output = Command::new(exe)
        .env(CHILD_VAR, mode)
        .env(SCRATCH_VAR, scratch)
        .output()
        .map_err(|e| format!("spawning child: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "child failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn parse(stdout: &str) -> Option<Sample> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("{LINE_TAG} ")))?;
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
    };
    Some(Sample {
        wall_s: field("wall_s")?.parse().ok()?,
        rss_kb: field("rss_kb")?.parse().ok()?,
        files: field("files")?.parse().ok()?,
        bytes: field("bytes")?.parse().ok()?,
        resources: field("resources")?.parse().ok()?,
        tf_blocks: field("tf_blocks")?.parse().ok()?,
    })
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

/// `benching`: run by `cargo bench` (which passes `--bench`). Otherwise (e.g. `cargo test --benches`, an
/// unoptimized build) and unless `STACKWRIGHT_BENCH_RUNS` is set, one smoke run checks that the workload
/// synthesizes and its figures are not judged against the target.
fn parent(benching: bool) -> ExitCode {
    let configured: Option<usize> = std::env::var(RUNS_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0);
    let smoke = !benching && configured.is_none();
    // Every child's output stays until the end (see `child_dir`), then goes with this directory.
    let scratch = tempfile::tempdir().expect("scratch directory");
    let runs = if smoke { 1 } else { configured.unwrap_or(15) };
    println!(
        "stackwright synth benchmark: {ENVIRONMENTS} environments x 1 stack x {RESOURCES_PER_ENV} resources \
         = {EXPECTED_RESOURCES} declared resources, CloudFormation + Terraform, written to a temp dir"
    );
    if smoke {
        println!(
            "smoke run: 1 run, not judged (no `--bench` argument); measure with \
             `cargo bench -p stackwright-cli --bench synth`"
        );
    } else {
        println!(
            "1 warm-up + {runs} measured runs, each in a fresh process ({RUNS_VAR} to change)"
        );
        if let Err(e) = run_child("1", scratch.path()) {
            eprintln!("warm-up: {e}");
            return ExitCode::FAILURE;
        }
    }
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let stdout = match run_child("1", scratch.path()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("run {}: {e}", i + 1);
                return ExitCode::FAILURE;
            }
        };
        match parse(&stdout) {
            Some(s) => samples.push(s),
            None => {
                eprintln!("run {}: unparsable child output:\n{stdout}", i + 1);
                return ExitCode::FAILURE;
            }
        }
    }

    let mut wall: Vec<f64> = samples.iter().map(|s| s.wall_s).collect();
    let mut rss: Vec<f64> = samples.iter().map(|s| s.rss_kb as f64 / 1024.0).collect();
    wall.sort_by(f64::total_cmp);
    rss.sort_by(f64::total_cmp);
    let (wall_med, rss_med) = (median(&wall), median(&rss));
    let first = &samples[0];

    println!(
        "wall time   median {:.3} s   min {:.3} s   max {:.3} s",
        wall_med,
        wall[0],
        wall[wall.len() - 1]
    );
    println!(
        "peak RSS    median {:.1} MB   min {:.1} MB   max {:.1} MB   (VmHWM, MB = 2^20 bytes)",
        rss_med,
        rss[0],
        rss[rss.len() - 1]
    );
    println!(
        "artifacts   {} files ({} artifacts + manifest.json), {} bytes ({:.1} MB)",
        first.files,
        first.files - 1,
        first.bytes,
        first.bytes as f64 / (1024.0 * 1024.0)
    );
    println!(
        "resources   {} declared (CloudFormation Resources entries); Terraform resource blocks {} \
         (each security-group rule is its own Terraform resource)",
        first.resources, first.tf_blocks
    );
    if smoke {
        println!(
            "target      median wall <= {TARGET_WALL_S} s, median peak RSS <= {TARGET_RSS_MB} MB: \
             not judged (smoke run)"
        );
    } else {
        println!(
            "target      median wall <= {TARGET_WALL_S} s: {}   median peak RSS <= {TARGET_RSS_MB} MB: {}",
            verdict(wall_med <= TARGET_WALL_S),
            verdict(rss_med <= TARGET_RSS_MB)
        );
    }

    let (plan_wall, plan_rss) = match plan_runs(ENVIRONMENTS, runs, scratch.path()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let (plan_med, plan_rss_med) = (median(&plan_wall), median(&plan_rss));
    println!(
        "plan        median {:.3} s   min {:.3} s   max {:.3} s   peak RSS median {:.1} MB   (`plan --format json` \
         of the workload against its previous version with 1% of the instances resized; synthesize + read + \
         parse + compare + render)",
        plan_med,
        plan_wall[0],
        plan_wall[plan_wall.len() - 1],
        plan_rss_med
    );
    if smoke {
        println!("target      plan median <= {TARGET_PLAN_S} s: not judged (smoke run)");
    } else {
        println!(
            "target      plan median <= {TARGET_PLAN_S} s: {}",
            verdict(plan_med <= TARGET_PLAN_S)
        );
    }
    plan_ratios(wall_med, rss_med, plan_med, plan_rss_med, smoke);
    if smoke {
        println!("scale       200 and 500 environments: skipped (smoke run)");
    } else if let Err(e) = scale(scratch.path()) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }

    if std::env::var(PHASES_VAR).is_ok_and(|v| v == "1") {
        println!("phases (one diagnostic child, STACKWRIGHT_BENCH_PHASES=1):");
        match run_child("phases", scratch.path()) {
            Ok(stdout) => {
                for line in stdout.lines() {
                    if let Some(rest) = line.strip_prefix(&format!("{LINE_TAG}_PHASE ")) {
                        println!("  {rest}");
                    }
                }
            }
            Err(e) => eprintln!("phases: {e}"),
        }
    }
    ExitCode::SUCCESS
}

/// A child for a number of environments: `synth:N`, `prepare:N` or `plan:N`.
fn child_scaled(mode: &str) -> ExitCode {
    let parsed = mode
        .split_once(':')
        .and_then(|(what, n)| Some((what, n.parse::<usize>().ok()?)));
    match parsed {
        Some(("synth", n)) => child_sized(n),
        Some(("prepare", n)) => child_prepare(n),
        Some(("plan", n)) => child_plan(n),
        _ => {
            eprintln!("unknown child mode `{mode}`");
            ExitCode::FAILURE
        }
    }
}

/// Ratio targets of issue 14: `plan` at most 1.3x synth's time and 2x its peak RSS.
const TARGET_PLAN_TIME_RATIO: f64 = 1.3;
const TARGET_PLAN_RSS_RATIO: f64 = 2.0;
/// Peak RSS target at 500 environments (96,500 resources), synth.
const TARGET_RSS_500_MB: f64 = 100.0;

/// Writes the previous version for `environments` (one untimed child), then times `runs` plan children
/// against it: sorted wall times (s) and peak RSS (MB).
fn plan_runs(
    environments: usize,
    runs: usize,
    scratch: &std::path::Path,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    run_child(&format!("prepare:{environments}"), scratch)
        .map_err(|e| format!("previous version of {environments} environments: {e}"))?;
    let (mut wall, mut rss) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for i in 0..runs {
        let stdout = run_child(&format!("plan:{environments}"), scratch)
            .map_err(|e| format!("plan run {}: {e}", i + 1))?;
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{LINE_TAG}_PLAN ")))
            .unwrap_or_default();
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse::<f64>().ok())
        };
        match (field("wall_s"), field("rss_kb")) {
            (Some(w), Some(r)) => {
                wall.push(w);
                rss.push(r / 1024.0);
            }
            _ => {
                return Err(format!(
                    "plan run {}: unparsable child output:\n{stdout}",
                    i + 1
                ))
            }
        }
    }
    wall.sort_by(f64::total_cmp);
    rss.sort_by(f64::total_cmp);
    Ok((wall, rss))
}

/// Prints plan/synth ratios of medians measured in the same run, with their targets.
fn plan_ratios(synth_s: f64, synth_mb: f64, plan_s: f64, plan_mb: f64, smoke: bool) {
    let (time, rss) = (plan_s / synth_s, plan_mb / synth_mb);
    let judged = |ok: bool| {
        if smoke {
            "not judged (smoke run)"
        } else {
            verdict(ok)
        }
    };
    println!(
        "plan/synth  time {time:.2}x (target <= {TARGET_PLAN_TIME_RATIO}x: {})   peak RSS {rss:.2}x (target <= \
         {TARGET_PLAN_RSS_RATIO}x: {})",
        judged(time <= TARGET_PLAN_TIME_RATIO),
        judged(rss <= TARGET_PLAN_RSS_RATIO)
    );
}

/// Synth and plan of the workload at 200 and 500 environments (38,600 and 96,500 resources): fewer runs
/// (`STACKWRIGHT_BENCH_SCALE_RUNS`, default 3), each in a fresh process. Peak RSS must not grow with the
/// number of environments: at 500, at most [`TARGET_RSS_500_MB`].
fn scale(scratch: &std::path::Path) -> Result<(), String> {
    let runs: usize = std::env::var("STACKWRIGHT_BENCH_SCALE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    for environments in [200, 500] {
        let mut synth = Vec::with_capacity(runs);
        for i in 0..runs {
            let stdout = run_child(&format!("synth:{environments}"), scratch)
                .map_err(|e| format!("synth of {environments} environments, run {}: {e}", i + 1))?;
            synth
                .push(parse(&stdout).ok_or_else(|| format!("unparsable child output:\n{stdout}"))?);
        }
        let mut wall: Vec<f64> = synth.iter().map(|s| s.wall_s).collect();
        let mut rss: Vec<f64> = synth.iter().map(|s| s.rss_kb as f64 / 1024.0).collect();
        wall.sort_by(f64::total_cmp);
        rss.sort_by(f64::total_cmp);
        let (wall_med, rss_med) = (median(&wall), median(&rss));
        let (plan_wall, plan_rss) = plan_runs(environments, runs, scratch)?;
        let (plan_med, plan_rss_med) = (median(&plan_wall), median(&plan_rss));
        println!(
            "{environments} envs    {} resources, {runs} runs: synth median {wall_med:.3} s, peak RSS {rss_med:.1} MB \
             (max {:.1}); plan median {plan_med:.3} s, peak RSS {plan_rss_med:.1} MB",
            environments * RESOURCES_PER_ENV,
            rss[rss.len() - 1]
        );
        if environments == 500 {
            println!(
                "target      synth peak RSS at 500 environments <= {TARGET_RSS_500_MB} MB: {}",
                verdict(rss_med <= TARGET_RSS_500_MB)
            );
        }
        plan_ratios(wall_med, rss_med, plan_med, plan_rss_med, false);
    }
    Ok(())
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; every other argument (filters, ...) is accepted and ignored.
    let benching = std::env::args().skip(1).any(|a| a == "--bench");
    match std::env::var(CHILD_VAR).as_deref() {
        Ok("phases") => child_phases(),
        Ok(mode) if mode.contains(':') => child_scaled(mode),
        Ok(_) => child(),
        Err(_) => parent(benching),
    }
}
