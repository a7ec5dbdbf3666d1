//! End-to-end synthesis benchmark: build a 50-environment app, synthesize both targets, write the tree.
//!
//! Run with `cargo bench -p stackwright-cli --bench synth`.
//!
//! Every measured iteration runs in a fresh child process (this same executable, re-executed with
//! `STACKWRIGHT_BENCH_CHILD=1`) so that the peak resident set size (`VmHWM` from `/proc/self/status`) is
//! that of one run, not the high-water mark of all of them. The child builds the app, synthesizes, writes
//! to a temporary directory once, and prints one line with its wall time and peak RSS; the parent runs one
//! warm-up child and `STACKWRIGHT_BENCH_RUNS` (default 15) measured ones and prints median, min and max.
//!
//! Workload: 50 environments (`env-00`..`env-49`, regions cycling through a few real ones), one stack;
//! per environment a VPC, a subnet, a security group with one ingress rule, and 190 EC2 instances, each
//! with one output (its private IP). The AMI comes from a deploy-time parameter, which is not a resource:
//! 50 x (1 + 1 + 1 + 190) = 9,650 declared resources (CloudFormation `Resources` entries; Terraform has
//! 9,700 resource blocks, as it lowers the ingress rule to a resource of its own).
//!
//! Then as many fresh children time `plan`: the workload planned against its previous version, in which 1%
//! of the instances (every hundredth) had another instance type, written beforehand (untimed).
//!
//! `STACKWRIGHT_BENCH_PHASES=1` additionally runs one child that times the phases separately (build app,
//! instantiate, lower each target, serialize, hash, full `synthesize`, `write_tree`). This is a
//! measurement, not a test: the exit status is 0 whether or not the targets are met (it is non-zero only
//! if the benchmark itself cannot run). Without the `--bench` argument that `cargo bench` passes (e.g.
//! under `cargo test --benches`, unoptimized), one unjudged smoke run is made unless
//! `STACKWRIGHT_BENCH_RUNS` is set.

use stackwright_aws::ec2::{self, Peer, Port};
use stackwright_cli::{synthesize, write_tree, Request, Synthesis};
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
    (0..ENVIRONMENTS)
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

/// Checks the workload and returns (files, bytes, Terraform blocks). CloudFormation's `Resources` has one
/// entry per declared resource (193 per environment); Terraform lowers each security-group rule to its
/// own `aws_vpc_security_group_*_rule` resource, so it has one more block per environment.
fn check(synthesis: &Synthesis) -> Result<(usize, usize, usize), String> {
    use stackwright_cli::Target;
    let count = |target: Target| -> usize {
        synthesis
            .artifacts
            .iter()
            .filter(|a| a.target == target)
            .map(|a| a.resource_count)
            .sum()
    };
    if synthesis.artifacts.len() != 2 * ENVIRONMENTS {
        return Err(format!(
            "{} artifacts, expected {}",
            synthesis.artifacts.len(),
            2 * ENVIRONMENTS
        ));
    }
    for a in &synthesis.artifacts {
        if a.target == Target::CloudFormation && a.resource_count != RESOURCES_PER_ENV {
            return Err(format!(
                "{}: {} resources, expected {RESOURCES_PER_ENV}",
                a.path, a.resource_count
            ));
        }
    }
    let declared = count(Target::CloudFormation);
    if declared != EXPECTED_RESOURCES {
        return Err(format!(
            "{declared} resources, expected {EXPECTED_RESOURCES}"
        ));
    }
    let files = synthesis.files().count();
    let bytes = synthesis.files().map(|(_, b)| b.len()).sum();
    Ok((files, bytes, count(Target::Terraform)))
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

/// One measured run: build + synthesize + write, once.
fn child() -> ExitCode {
    let out = child_dir().join("out");

    let start = Instant::now();
    let app = build_app();
    let synthesis = match synthesize(&app, &Request::default()) {
        Ok(s) => s,
        Err(problems) => {
            for p in problems {
                eprintln!("{p:?}");
            }
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = write_tree(&out, synthesis.files(), &mut |_| {}) {
        eprintln!("write_tree: {e}");
        return ExitCode::FAILURE;
    }
    let wall = start.elapsed();
    let rss = peak_rss_kb();

    let (files, bytes, tf_blocks) = match check(&synthesis) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("unexpected workload: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{LINE_TAG} wall_s={:.6} rss_kb={rss} files={files} bytes={bytes} resources={EXPECTED_RESOURCES} tf_blocks={tf_blocks}",
        wall.as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// One measured plan: the previous version (1% of the instances sized differently) is written first,
/// untimed; then the `plan --format json` command of the current version against it is timed as a user
/// runs it, minus process start: synthesize, read and parse the previous tree, compare, render.
fn child_plan() -> ExitCode {
    let dir = child_dir();
    let previous = dir.join("previous");
    let old = synthesize(&build_app_version(true), &Request::default()).expect("synthesizes");
    if let Err(e) = write_tree(&previous, old.files(), &mut |_| {}) {
        eprintln!("write_tree: {e}");
        return ExitCode::FAILURE;
    }
    drop(old);
    let against = previous.to_str().expect("UTF-8 temp path").to_owned();
    let args = ["bench", "plan", "--against", &against, "--format", "json"];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());

    let start = Instant::now();
    let app = build_app();
    let code = stackwright_cli::run_with(&app, args, &mut stdout, &mut stderr, false);
    let wall = start.elapsed();

    let plan: serde_json::Value = match serde_json::from_slice(&stdout) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("plan output ({e}): {}", String::from_utf8_lossy(&stderr));
            return ExitCode::FAILURE;
        }
    };
    // Each changed instance is one update per target; nothing else changes.
    let expected = (0..ENVIRONMENTS * INSTANCES_PER_ENV)
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
        "{LINE_TAG}_PLAN wall_s={:.6} changed={expected} of {EXPECTED_RESOURCES}",
        wall.as_secs_f64()
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

    let mut plan_wall = Vec::with_capacity(runs);
    for i in 0..runs {
        let stdout = match run_child("plan", scratch.path()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("plan run {}: {e}", i + 1);
                return ExitCode::FAILURE;
            }
        };
        let wall = stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{LINE_TAG}_PLAN wall_s=")))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok());
        match wall {
            Some(w) => plan_wall.push(w),
            None => {
                eprintln!("plan run {}: unparsable child output:\n{stdout}", i + 1);
                return ExitCode::FAILURE;
            }
        }
    }
    plan_wall.sort_by(f64::total_cmp);
    let plan_med = median(&plan_wall);
    println!(
        "plan        median {:.3} s   min {:.3} s   max {:.3} s   (`plan --format json` of the workload against \
         its previous version with 1% of the instances resized; synthesize + read + parse + compare + render)",
        plan_med,
        plan_wall[0],
        plan_wall[plan_wall.len() - 1]
    );
    if smoke {
        println!("target      plan median <= {TARGET_PLAN_S} s: not judged (smoke run)");
    } else {
        println!(
            "target      plan median <= {TARGET_PLAN_S} s: {}",
            verdict(plan_med <= TARGET_PLAN_S)
        );
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

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; every other argument (filters, ...) is accepted and ignored.
    let benching = std::env::args().skip(1).any(|a| a == "--bench");
    match std::env::var(CHILD_VAR).as_deref() {
        Ok("phases") => child_phases(),
        Ok("plan") => child_plan(),
        Ok(_) => child(),
        Err(_) => parent(benching),
    }
}
