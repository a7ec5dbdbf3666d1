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
//! Two floors run alternately with those children, from the same documents built with plain `serde_json`
//! (see `child_floor`): the same bytes (pretty, as synth writes; its wall and CPU ratios are judged:
//! wall <= 1.5x, CPU <= 1.3x) and the same resources in minimal bytes (compact; reported only). Before
//! any timing, one synth child and one same-bytes floor child write their trees and the parent asserts
//! that they are the same, file for file and byte for byte (a failure fails the benchmark).
//!
//! Then as many fresh children time `plan` and take its peak RSS: the workload planned against its previous
//! version, in which 1% of the instances (every hundredth) had another instance type, written beforehand by
//! a child of its own (untimed, and not in the plan's peak RSS). The `plan/synth` line gives the ratios of
//! the medians with their targets (time <= 1.3x, peak RSS <= 2x). Under `cargo bench`, the same synth and
//! plan at 200 and 500 environments follow (`STACKWRIGHT_BENCH_SCALE_RUNS`, default 3 runs each), with the
//! target of at most 100 MB peak RSS for synth at 500 environments (96,500 resources).
//!
//! Then one stack of 1,000 (16 times in a row), 16,000 and 64,000 resources (the growth target: t(16k)
//! <= 1.3 x t(16 x 1k)), also into the tree of a previous synthesis; `plan` of the 64k stack against
//! its synth (time and peak RSS <= 1.3x); refusals and `list`; and the edit loop of the flagship
//! (`scripts/measure-build.sh --only flagship`, debug and release, each <= 1.0 s; leave it out with
//! `STACKWRIGHT_BENCH_EDIT_LOOP=0`).
//!
//! `STACKWRIGHT_BENCH_PHASES=1` additionally runs one child that times the phases separately (build app,
//! instantiate, lower each target, serialize, hash, full `synthesize`, `write_tree`). This is a
//! measurement, not a test: the exit status is 0 whether or not the targets are met (it is non-zero only
//! if the benchmark itself cannot run). Without the `--bench` argument that `cargo bench` passes (e.g.
//! under `cargo test --benches`, unoptimized), one unjudged smoke run is made unless
//! `STACKWRIGHT_BENCH_RUNS` is set.

use serde_json::{json, Map, Value as Json};
use stackwright_aws::ec2::{self, Peer, Port};
use stackwright_cli::{
    synthesize, synthesize_into, write_tree, Artifact, Request, WrittenSynthesis,
};
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
    let bytes = bytes_on_disk(artifacts, out)?;
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

/// What every timed synth child does after building its app: synthesize and stream each artifact into
/// the staging tree at `out`, as `synth` does. Problems and write errors are printed and give `None`.
fn synthesize_and_write<C>(
    app: &App<C>,
    request: &Request,
    out: &std::path::Path,
) -> Option<WrittenSynthesis> {
    match synthesize_into(app, request, out, &mut |_| {}) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("synthesize_into: {e:?}");
            None
        }
    }
}

/// One measured run: build + synthesize + write, once, as `synth` does (streaming into the staging tree).
fn child() -> ExitCode {
    child_sized(ENVIRONMENTS)
}

fn child_sized(environments: usize) -> ExitCode {
    let out = child_dir().join("out");

    let start = Instant::now();
    let cpu_start = cpu_s();
    let app = build_app_sized(environments, false);
    let Some(synthesis) = synthesize_and_write(&app, &Request::default(), &out) else {
        return ExitCode::FAILURE;
    };
    let (wall, cpu) = (start.elapsed(), cpu_s() - cpu_start);
    let rss = peak_rss_kb();

    let (files, bytes, tf_blocks) = match check(&synthesis.artifacts, environments, &out) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("unexpected workload: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{LINE_TAG} wall_s={:.6} cpu_s={cpu:.2} rss_kb={rss} files={files} bytes={bytes} resources={} tf_blocks={tf_blocks} \
         out={}",
        wall.as_secs_f64(),
        environments * RESOURCES_PER_ENV,
        out.display()
    );
    ExitCode::SUCCESS
}

/// Where the previous version of the `environments`-environment workload is written for `plan`.
fn previous_dir(environments: usize) -> std::path::PathBuf {
    let root = std::env::var_os(SCRATCH_VAR)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    // A directory of its own around each tree: trees with a common parent share their local Terraform
    // state directory beside them, which synth refuses (`state::check_shared_state`).
    root.join(format!("previous-{environments}")).join("out")
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
    let cpu_start = cpu_s();
    let app = build_app_sized(environments, false);
    let code = stackwright_cli::run_with(&app, args, &mut stdout, &mut stderr, false);
    let (wall, cpu) = (start.elapsed(), cpu_s() - cpu_start);
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
        "{LINE_TAG}_PLAN wall_s={:.6} cpu_s={cpu:.2} rss_kb={rss} changed={expected} of {}",
        wall.as_secs_f64(),
        environments * RESOURCES_PER_ENV
    );
    ExitCode::SUCCESS
}

/// Where the previous version of the single stack of `resources` resources is written for `plan`.
fn previous_single_dir(resources: usize) -> std::path::PathBuf {
    let root = std::env::var_os(SCRATCH_VAR)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    root.join(format!("previous-single-{resources}"))
        .join("out")
}

/// Untimed, in a process of its own: writes the previous version of the single stack of `resources`
/// resources (Terraform only, as [`child_single`] synthesizes it), 1% of its instances resized.
fn child_prepare_single(resources: usize) -> ExitCode {
    let request = Request {
        environments: Vec::new(),
        targets: vec![stackwright_cli::Target::Terraform],
    };
    let app = single_app_version(resources, true);
    match synthesize_into(&app, &request, &previous_single_dir(resources), &mut |_| {}) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("previous version of the single stack: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// One measured plan of the single stack of `resources` resources (`plan --target terraform --format
/// json` against [`child_prepare_single`]'s tree), timed as [`child_plan`] times the workload's.
fn child_plan_single(resources: usize) -> ExitCode {
    let against = previous_single_dir(resources)
        .to_str()
        .expect("UTF-8 temp path")
        .to_owned();
    let args = [
        "bench",
        "plan",
        "--against",
        &against,
        "--target",
        "terraform",
        "--format",
        "json",
    ];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let start = Instant::now();
    let cpu_start = cpu_s();
    let app = single_app(resources);
    let code = stackwright_cli::run_with(&app, args, &mut stdout, &mut stderr, false);
    let (wall, cpu) = (start.elapsed(), cpu_s() - cpu_start);
    let rss = peak_rss_kb();
    let plan: serde_json::Value = match serde_json::from_slice(&stdout) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("plan output ({e}): {}", String::from_utf8_lossy(&stderr));
            return ExitCode::FAILURE;
        }
    };
    // Instances are numbered from 1 and every hundredth changed: one update each, Terraform only.
    let expected = (1..=resources - 3).filter(|&n| changed(n)).count();
    let summary = &plan["summary"];
    if code != 2 || summary["update"] != expected || summary["add"] != 0 || summary["replace"] != 0
    {
        eprintln!("unexpected plan of the single stack (exit {code}): {summary}");
        return ExitCode::FAILURE;
    }
    println!(
        "{LINE_TAG}_PLAN wall_s={:.6} cpu_s={cpu:.2} rss_kb={rss} changed={expected} of {resources}",
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
    cpu_s: Option<f64>,
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
        cpu_s: field("cpu_s").and_then(|v| v.parse().ok()),
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
        if let Err(e) =
            run_child("1", scratch.path()).and_then(|_| run_child("floor", scratch.path()))
        {
            eprintln!("warm-up: {e}");
            return ExitCode::FAILURE;
        }
    }
    // The same-bytes floor is only a floor if it writes Stackwright's tree: asserted before timing.
    if let Err(e) = floor_writes_the_same_tree(scratch.path()) {
        eprintln!("same-bytes floor: {e}");
        return ExitCode::FAILURE;
    }
    let mut samples = Vec::with_capacity(runs);
    let mut floors = Vec::with_capacity(runs);
    let mut minimal_floors = Vec::with_capacity(runs);
    for i in 0..runs {
        // Floor and synth runs alternate, so that both meet the same load.
        for (mode, into) in [("floor", &mut floors), ("floor-min", &mut minimal_floors)] {
            match run_child(mode, scratch.path()) {
                Ok(s) => into.push(s),
                Err(e) => {
                    eprintln!("{mode} run {}: {e}", i + 1);
                    return ExitCode::FAILURE;
                }
            }
        }
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
    let mut cpu: Vec<f64> = samples.iter().filter_map(|s| s.cpu_s).collect();
    cpu.sort_by(f64::total_cmp);
    for (floors, minimal) in [(&floors, false), (&minimal_floors, true)] {
        if let Err(e) = print_floor(floors, minimal, wall_med, &cpu, first, smoke) {
            eprintln!("floor: {e}");
            return ExitCode::FAILURE;
        }
    }

    let (plan_wall, plan_rss, plan_cpu) = match plan_runs(ENVIRONMENTS, runs, scratch.path()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let (plan_med, plan_rss_med) = (median(&plan_wall), median(&plan_rss));
    println!(
        "plan        median {:.3} s   min {:.3} s   max {:.3} s   CPU median {:.2} s   peak RSS median {:.1} MB   \
         (`plan --format json` of the workload against its previous version with 1% of the instances resized; \
         synthesize + read + parse + compare + render)",
        plan_med,
        plan_wall[0],
        plan_wall[plan_wall.len() - 1],
        median(&plan_cpu),
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
    let cpus = (!cpu.is_empty()).then(|| (median(&cpu), median(&plan_cpu)));
    plan_ratios(wall_med, rss_med, plan_med, plan_rss_med, cpus, smoke);
    if smoke {
        println!("scale       200 and 500 environments: skipped (smoke run)");
    } else if let Err(e) = scale(scratch.path()) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }

    if let Err(e) = single_stack(runs, smoke, scratch.path()) {
        eprintln!("single stack: {e}");
        return ExitCode::FAILURE;
    }

    if let Err(e) = single_plan(runs, smoke, scratch.path()) {
        eprintln!("plan of one big stack: {e}");
        return ExitCode::FAILURE;
    }

    if let Err(e) = refusals_and_list(runs, smoke, scratch.path()) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }

    if let Err(e) = edit_loop(runs, smoke) {
        eprintln!("edit loop: {e}");
        return ExitCode::FAILURE;
    }

    if std::env::var(PHASES_VAR).is_ok_and(|v| v == "1") {
        println!("phases (one diagnostic child, STACKWRIGHT_BENCH_PHASES=1):");
        let phases = run_child("phases", scratch.path()).and_then(|stdout| {
            let refusal = run_child("refuse-phases-64000", scratch.path())?;
            Ok(stdout + &refusal)
        });
        match phases {
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
        Some(("list", n)) => child_list(n),
        Some(("prepare-single", n)) => child_prepare_single(n),
        Some(("plan-single", n)) => child_plan_single(n),
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

/// Sorted wall times (s), peak RSS (MB) and CPU times (s) of plan runs.
type PlanTimes = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Writes the previous version for `environments` (one untimed child), then times `runs` plan children
/// against it: sorted wall times (s), peak RSS (MB) and CPU times (s).
fn plan_runs(
    environments: usize,
    runs: usize,
    scratch: &std::path::Path,
) -> Result<PlanTimes, String> {
    run_child(&format!("prepare:{environments}"), scratch)
        .map_err(|e| format!("previous version of {environments} environments: {e}"))?;
    let (mut wall, mut rss, mut cpu) = (Vec::new(), Vec::new(), Vec::new());
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
        match (field("wall_s"), field("rss_kb"), field("cpu_s")) {
            (Some(w), Some(r), Some(c)) => {
                wall.push(w);
                rss.push(r / 1024.0);
                cpu.push(c);
            }
            _ => {
                return Err(format!(
                    "plan run {}: unparsable child output:\n{stdout}",
                    i + 1
                ))
            }
        }
    }
    for values in [&mut wall, &mut rss, &mut cpu] {
        values.sort_by(f64::total_cmp);
    }
    Ok((wall, rss, cpu))
}

/// Prints plan/synth ratios of medians measured in the same run, with their targets, and the ratio of
/// the CPU-time medians (synth, plan) when known (not judged: synth also waits for the disk).
fn plan_ratios(
    synth_s: f64,
    synth_mb: f64,
    plan_s: f64,
    plan_mb: f64,
    cpus: Option<(f64, f64)>,
    smoke: bool,
) {
    let (time, rss) = (plan_s / synth_s, plan_mb / synth_mb);
    let judged = |ok: bool| {
        if smoke {
            "not judged (smoke run)"
        } else {
            verdict(ok)
        }
    };
    let cpu = cpus.map_or(String::new(), |(synth, plan)| {
        format!("   CPU time {:.2}x (not judged)", plan / synth.max(0.01))
    });
    println!(
        "plan/synth  time {time:.2}x (target <= {TARGET_PLAN_TIME_RATIO}x: {})   peak RSS {rss:.2}x (target <= \
         {TARGET_PLAN_RSS_RATIO}x: {}){cpu}",
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
        let (plan_wall, plan_rss, plan_cpu) = plan_runs(environments, runs, scratch)?;
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
        let mut cpu: Vec<f64> = synth.iter().filter_map(|s| s.cpu_s).collect();
        cpu.sort_by(f64::total_cmp);
        let cpus = (!cpu.is_empty()).then(|| (median(&cpu), median(&plan_cpu)));
        plan_ratios(wall_med, rss_med, plan_med, plan_rss_med, cpus, false);
    }
    Ok(())
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; every other argument (filters, ...) is accepted and ignored.
    let benching = std::env::args().skip(1).any(|a| a == "--bench");
    match std::env::var(CHILD_VAR).as_deref() {
        Ok("phases") => child_phases(),
        Ok("floor") => child_floor(false),
        Ok("floor-min") => child_floor(true),
        Ok(mode) if mode.starts_with("single-") => child_single(mode),
        Ok(mode) if mode.starts_with("refuse-phases-") => child_refuse_phases(mode),
        Ok(mode) if mode.starts_with("refuse-") => child_refuse(mode),
        Ok(mode) if mode.contains(':') => child_scaled(mode),
        Ok(_) => child(),
        Err(_) => parent(benching),
    }
}

// The serialization floor ---------------------------------------------------------------------------

/// CPU time (user + system, all threads) of this process so far, from `/proc/self/stat` (clock ticks,
/// 100 per second on Linux: a 10 ms resolution).
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is parenthesized and may hold spaces: state is field 3,
    // utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
}

/// The tags CloudFormation lists on each resource of environment `i` (the standard and environment tags,
/// then the resource's own `Name`).
fn floor_cfn_tags(env: &str, stage: &str, name: Option<&str>) -> Json {
    let mut tags = vec![
        json!({"Key": "app", "Value": "bench"}),
        json!({"Key": "environment", "Value": env}),
        json!({"Key": "managed-by", "Value": "stackwright"}),
        json!({"Key": "stage", "Value": stage}),
    ];
    if let Some(name) = name {
        tags.push(json!({"Key": "Name", "Value": name}));
    }
    Json::Array(tags)
}

/// The workload's CloudFormation template and Terraform module for environment `i`, built with plain
/// `serde_json` (`json!` and `Map::insert`), knowing the answer: no model, no references to resolve, no
/// validation, no tags to merge. Same keys, values and order as Stackwright writes: pretty-printed, the
/// bytes are those of its tree, which the parent asserts (`same_tree`) before timing anything.
fn floor_documents(i: usize) -> (Json, Json) {
    let env = format!("env-{i:02}");
    let account = format!("{:012}", 100_000_000_000u64 + i as u64);
    let region = REGIONS[i % REGIONS.len()];
    let stage = if i.is_multiple_of(2) { "prod" } else { "test" };
    let description = format!(
        "Stack `fleet` of app `bench` for environment `{env}` ({account} {region}). Generated by \
         stackwright; do not edit."
    );

    let mut resources = Map::new();
    resources.insert(
        "Vpc".into(),
        json!({"Type": "AWS::EC2::VPC", "Properties": {
            "CidrBlock": "10.0.0.0/16", "EnableDnsSupport": true, "EnableDnsHostnames": true,
            "Tags": floor_cfn_tags(&env, stage, Some(&format!("fleet-{env}")))}}),
    );
    resources.insert(
        "Subnet".into(),
        json!({"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24",
            "Tags": floor_cfn_tags(&env, stage, None)}}),
    );
    resources.insert(
        "FleetSecurityGroup".into(),
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "Fleet: HTTPS in", "VpcId": {"Ref": "Vpc"},
            "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "CidrIp": "0.0.0.0/0", "Description": "HTTPS from anywhere"}],
            "SecurityGroupEgress": [{"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic",
                "FromPort": 252, "IpProtocol": "icmp", "ToPort": 86}],
            "Tags": floor_cfn_tags(&env, stage, None)}}),
    );
    let mut outputs = Map::new();
    for n in 1..=INSTANCES_PER_ENV {
        let (id, logical) = (format!("Worker-{n}"), format!("Worker{n}"));
        resources.insert(
            logical.clone(),
            json!({"Type": "AWS::EC2::Instance", "Properties": {
                "ImageId": {"Ref": "ImageId"}, "InstanceType": "m5.large", "SubnetId": {"Ref": "Subnet"},
                "SecurityGroupIds": [{"Fn::GetAtt": ["FleetSecurityGroup", "GroupId"]}],
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                    "Ebs": {"VolumeType": "gp3", "Encrypted": true}}],
                "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required"},
                "Monitoring": true, "EbsOptimized": true,
                "Tags": floor_cfn_tags(&env, stage, Some(&id))}}),
        );
        outputs.insert(
            format!("Worker{n}PrivateIp"),
            json!({"Description": format!("Private IP address of {id}"),
                "Value": {"Fn::GetAtt": [logical, "PrivateIp"]}}),
        );
    }
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": description,
        "Parameters": {"ImageId": {"Type": "String", "Default": "ami-12345678",
            "Description": "AMI of every instance"}},
        "Resources": resources,
        "Outputs": outputs,
    });

    let mut instances = Map::new();
    let mut tf_outputs = Map::new();
    for n in 1..=INSTANCES_PER_ENV {
        instances.insert(
            format!("worker_{n}"),
            json!({"ami": "${var.image_id}", "instance_type": "m5.large",
                "subnet_id": "${aws_subnet.subnet.id}",
                "vpc_security_group_ids": ["${aws_security_group.fleet_security_group.id}"],
                "monitoring": true, "ebs_optimized": true,
                "root_block_device": {"volume_type": "gp3", "encrypted": true},
                "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required"},
                "tags": {"Name": format!("Worker-{n}")}}),
        );
        tf_outputs.insert(
            format!("worker{n}_private_ip"),
            json!({"description": format!("Private IP address of Worker-{n}"),
                "value": format!("${{aws_instance.worker_{n}.private_ip}}")}),
        );
    }
    let state = format!("../../../../terraform-state/bench/{env}/fleet/terraform.tfstate");
    let module = json!({
        "//": description,
        "terraform": {
            "required_version": ">= 1.0.0",
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.100.0, < 7.0.0"}},
            "backend": {"local": {"path": state, "workspace_dir": format!("{state}.d")}},
        },
        "provider": {"aws": {"region": region, "allowed_account_ids": [account],
            "default_tags": {"tags": {"app": "bench", "environment": env, "managed-by": "stackwright",
                "stage": stage}}}},
        "variable": {"image_id": {"type": "string", "default": "ami-12345678",
            "description": "AMI of every instance"}},
        "resource": {
            "aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16", "enable_dns_support": true,
                "enable_dns_hostnames": true, "tags": {"Name": format!("fleet-{env}")}}},
            "aws_default_security_group": {"vpc_default_security_group": {"vpc_id": "${aws_vpc.vpc.id}"}},
            "aws_subnet": {"subnet": {"vpc_id": "${aws_vpc.vpc.id}", "cidr_block": "10.0.1.0/24"}},
            "aws_security_group": {"fleet_security_group": {"description": "Fleet: HTTPS in",
                "vpc_id": "${aws_vpc.vpc.id}"}},
            "aws_vpc_security_group_ingress_rule": {"fleet_security_group_ingress_tcp_443_from_0_0_0_0_0": {
                "security_group_id": "${aws_security_group.fleet_security_group.id}",
                "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0",
                "description": "HTTPS from anywhere"}},
            "aws_instance": instances,
        },
        "output": tf_outputs,
    });
    (template, module)
}

/// Writes `document` to `dir/relative`: pretty JSON plus a final newline, as Stackwright writes, or
/// with `minimal`, compact JSON (the same resources in the fewest bytes). Returns the number of bytes
/// and their sha256 in hex, which the manifest lists.
fn floor_write(
    dir: &std::path::Path,
    relative: &str,
    document: &Json,
    minimal: bool,
) -> std::io::Result<(usize, String)> {
    use sha2::{Digest, Sha256};
    use std::fmt::Write as _;
    let mut bytes = if minimal {
        serde_json::to_vec(document)
    } else {
        serde_json::to_vec_pretty(document)
    }
    .expect("a JSON value always serializes");
    bytes.push(b'\n');
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("relative path has a parent"))?;
    std::fs::write(&path, &bytes)?;
    let mut sha256 = String::with_capacity(64);
    for byte in Sha256::digest(&bytes) {
        let _ = write!(sha256, "{byte:02x}");
    }
    Ok((bytes.len(), sha256))
}

/// One floor run: what a plain `serde_json` program does to produce the same tree, timed like `child`.
///
/// Included: building each document (`json!`, `Map::insert`), `to_vec_pretty` plus a newline, dropping
/// it, `create_dir_all` + `std::fs::write` of each file into a fresh staging directory, the sha256 of
/// each file, a `manifest.json` of the same entries, one `syncfs` (as Stackwright's writer makes the
/// tree durable with one `syncfs`, not an `fsync` per file) and one `rename` of the staging directory to
/// `out`: the same bytes as Stackwright's tree, file for file (asserted by the parent, `same_tree`).
/// Not included, because plain serde_json would not do them: running definitions, resolving references,
/// merging tags, schema validation and the synth-time checks, holding every document until the end,
/// the manifest and lock of an existing tree, and `RENAME_EXCHANGE`. One thread: Stackwright spreads
/// lowering and writing over the cores, so the parent prints the CPU-time ratio beside the wall-time
/// ratio.
///
/// With `minimal` (the `floor-min` child), the same documents are written compact: the floor of the
/// same resources with minimal bytes, beside the same-bytes floor.
fn child_floor(minimal: bool) -> ExitCode {
    let dir = child_dir();
    let (staging, out) = (dir.join(".staging"), dir.join("out"));
    let start = Instant::now();
    let cpu_start = cpu_s();
    let mut bytes = 0;
    let mut entries = Vec::with_capacity(2 * ENVIRONMENTS);
    for i in 0..ENVIRONMENTS {
        let (template, module) = floor_documents(i);
        let env = format!("env-{i:02}");
        let account = format!("{:012}", 100_000_000_000u64 + i as u64);
        let region = REGIONS[i % REGIONS.len()];
        for (target, document) in [
            (stackwright_core::Target::CloudFormation, template),
            (stackwright_core::Target::Terraform, module),
        ] {
            let path = stackwright_tree::fields::ArtifactPath::new(target, &env, "fleet").path();
            let resources = if target == stackwright_core::Target::Terraform {
                RESOURCES_PER_ENV + 2
            } else {
                RESOURCES_PER_ENV
            };
            let sha256 = match floor_write(&staging, &path, &document, minimal) {
                Ok((n, sha256)) => {
                    bytes += n;
                    sha256
                }
                Err(e) => {
                    eprintln!("floor write {path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let mut entry = json!({"app": "bench", "env": env, "account": account, "region": region,
                "stack": "fleet", "target": target.name(), "path": path, "resources": resources,
                "sha256": sha256, "depends_on": []});
            if target == stackwright_core::Target::CloudFormation {
                entry["stack_name"] = format!("bench-{env}-fleet").into();
                entry["capabilities"] = json!([]);
            }
            entries.push(entry);
        }
    }
    let manifest =
        json!({"format": 1, "generator": "stackwright", "app": "bench", "artifacts": entries});
    let written = floor_write(&staging, "manifest.json", &manifest, minimal).and_then(|(n, _)| {
        let root = std::fs::File::open(&staging)?;
        rustix::fs::syncfs(&root)?;
        std::fs::rename(&staging, &out)?;
        Ok(n)
    });
    match written {
        Ok(n) => bytes += n,
        Err(e) => {
            eprintln!("floor manifest, syncfs or rename: {e}");
            return ExitCode::FAILURE;
        }
    }
    let (wall, cpu) = (start.elapsed(), cpu_s() - cpu_start);
    println!(
        "{LINE_TAG}_FLOOR wall_s={:.6} cpu_s={cpu:.2} rss_kb={} files={} bytes={bytes} out={}",
        wall.as_secs_f64(),
        peak_rss_kb(),
        entries.len() + 1,
        out.display()
    );
    ExitCode::SUCCESS
}

/// Runs one synth child and one same-bytes floor child and checks that they wrote the same tree, byte
/// for byte, so that the floor cannot drift from what Stackwright writes (a field added to the manifest,
/// a renamed block). Prints one line saying so.
fn floor_writes_the_same_tree(scratch: &std::path::Path) -> Result<(), String> {
    let synth = run_child("1", scratch)?;
    let floor = run_child("floor", scratch)?;
    let synth_out: String = field(&synth, LINE_TAG, "out").ok_or("synth child: no out=")?;
    let floor_out: String =
        field(&floor, &format!("{LINE_TAG}_FLOOR"), "out").ok_or("floor child: no out=")?;
    let (files, bytes) = same_tree(
        std::path::Path::new(&synth_out),
        std::path::Path::new(&floor_out),
    )?;
    println!(
        "floor check the same-bytes floor wrote Stackwright's tree byte for byte ({files} files, {bytes} bytes)"
    );
    Ok(())
}

/// Compares two trees file by file (relative paths and contents): `Ok((files, bytes))` when they are
/// the same, else an error naming the first difference (a file only one has, or the first differing
/// byte of a file, with a few bytes of each side).
fn same_tree(a: &std::path::Path, b: &std::path::Path) -> Result<(usize, usize), String> {
    fn files(
        root: &std::path::Path,
        dir: &std::path::Path,
        into: &mut Vec<std::path::PathBuf>,
    ) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = entry.path();
            if path.is_dir() {
                files(root, &path, into)?;
            } else {
                into.push(path.strip_prefix(root).expect("under root").to_owned());
            }
        }
        Ok(())
    }
    let (mut left, mut right) = (Vec::new(), Vec::new());
    files(a, a, &mut left)?;
    files(b, b, &mut right)?;
    left.sort();
    right.sort();
    if left != right {
        let only = |x: &[std::path::PathBuf], y: &[std::path::PathBuf]| {
            x.iter()
                .find(|p| !y.contains(p))
                .map(|p| p.display().to_string())
        };
        return Err(format!(
            "different files: only in synth's tree {:?}, only in the floor's {:?}",
            only(&left, &right),
            only(&right, &left)
        ));
    }
    let mut bytes = 0;
    for relative in &left {
        let read = |root: &std::path::Path| {
            std::fs::read(root.join(relative))
                .map_err(|e| format!("{}: {e}", root.join(relative).display()))
        };
        let (x, y) = (read(a)?, read(b)?);
        if x != y {
            let at = x
                .iter()
                .zip(&y)
                .position(|(p, q)| p != q)
                .unwrap_or(x.len().min(y.len()));
            let around = |v: &[u8]| {
                let start = at.saturating_sub(40);
                String::from_utf8_lossy(&v[start..(at + 40).min(v.len())]).into_owned()
            };
            return Err(format!(
                "{} differs at byte {at} ({} bytes in synth's tree, {} in the floor's): synth {:?}, floor {:?}",
                relative.display(),
                x.len(),
                y.len(),
                around(&x),
                around(&y)
            ));
        }
        bytes += x.len();
    }
    Ok((left.len(), bytes))
}

/// The value of `key=` in the first line of `stdout` that starts with `tag` and a space.
fn field<T: std::str::FromStr>(stdout: &str, tag: &str, key: &str) -> Option<T> {
    let line = stdout
        .lines()
        .find(|l| l.strip_prefix(tag).is_some_and(|r| r.starts_with(' ')))?;
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))?
        .parse()
        .ok()
}

// One big stack -------------------------------------------------------------------------------------

/// The single-stack sizes: 1,000 and 16,000 are judged (16k within 1.3x of 16 times 1k), 64,000 is
/// measured for the README's scale table.
const SINGLE_SIZES: [usize; 3] = [1_000, 16_000, 64_000];
const TARGET_GROWTH: f64 = 1.3;
const TARGET_FLOOR: f64 = 1.5;
/// Issue 27: synth's CPU time at most 1.3x the same-bytes floor's (Stackwright spreads work over the
/// cores, so its wall ratio alone would hide CPU spent).
const TARGET_FLOOR_CPU: f64 = 1.3;

/// One environment whose one stack declares `resources` resources: the workload's VPC, subnet and
/// security group, and `resources - 3` instances with one output each. Terraform only
/// (CloudFormation's limit is 500 resources per template).
fn single_app(resources: usize) -> App<Sizing> {
    single_app_version(resources, false)
}

/// [`single_app`], or with `previous` its previous version, in which every hundredth instance had
/// another instance type (the plan benchmark's 1%).
fn single_app_version(resources: usize, previous: bool) -> App<Sizing> {
    App::new("bench")
        .environment(Environment::new(
            "big",
            "100000000000",
            REGIONS[0],
            Sizing {
                instances: resources - 3,
                instance_type: "m5.large",
                first: 0,
                previous,
            },
        ))
        .stack("fleet", fleet)
}

/// One measured single-stack run (`single-<resources>` or `single-<resources>x<repeats>`): build +
/// synthesize (Terraform) + write, `repeats` times in a row (default once), each into a fresh directory.
/// Prints the wall time of all repetitions together (`wall_s`) and of the first alone (`first_s`), so
/// that a small case repeated to the size of a big one is timed over as much work as the big one, not
/// over a few tens of milliseconds that scheduling and page faults on a shared machine dominate.
fn child_single(mode: &str) -> ExitCode {
    // `-again`: each repetition replaces the tree of a first, untimed synthesis, as a user's next
    // `synth` into `out/` does (it reads the previous modules, for their `moved` blocks).
    let (mode, again) = match mode.strip_suffix("-again") {
        Some(mode) => (mode, true),
        None => (mode, false),
    };
    let parsed = mode.strip_prefix("single-").and_then(|rest| {
        let (resources, repeats) = rest.split_once('x').unwrap_or((rest, "1"));
        Some((
            resources.parse::<usize>().ok()?,
            repeats.parse::<usize>().ok()?,
        ))
    });
    let Some((resources, repeats)) = parsed.filter(|&(_, r)| r > 0) else {
        eprintln!("bad child mode {mode}");
        return ExitCode::FAILURE;
    };
    let request = Request {
        environments: Vec::new(),
        targets: vec![stackwright_cli::Target::Terraform],
    };
    let (mut first, mut checked, mut bytes) = (Duration::ZERO, Duration::ZERO, 0);
    let previous = again.then(|| {
        let out = child_dir().join("out");
        synthesize_and_write(&single_app(resources), &request, &out).map(|_| out)
    });
    if let Some(None) = previous {
        return ExitCode::FAILURE;
    }
    let start = Instant::now();
    for repetition in 0..repeats {
        let out = match &previous {
            Some(Some(out)) => out.clone(),
            _ => child_dir().join("out"),
        };
        let lap = Instant::now();
        let app = single_app(resources);
        let Some(synthesis) = synthesize_and_write(&app, &request, &out) else {
            return ExitCode::FAILURE;
        };
        if repetition == 0 {
            first = lap.elapsed();
        }
        // Terraform adds the VPC's default security group and the ingress rule.
        let blocks: usize = synthesis.artifacts.iter().map(|a| a.resource_count).sum();
        if synthesis.artifacts.len() != 1 || blocks != resources + 2 {
            eprintln!(
                "unexpected single-stack workload: {} artifacts, {blocks} blocks",
                synthesis.artifacts.len()
            );
            return ExitCode::FAILURE;
        }
        // The tree of the first repetition is checked, and the check left out of the total.
        if repetition == 0 {
            let checking = Instant::now();
            bytes = match bytes_on_disk(&synthesis.artifacts, &out) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("unexpected single-stack tree: {e}");
                    return ExitCode::FAILURE;
                }
            };
            checked = checking.elapsed();
        }
    }
    let wall = start.elapsed() - checked;
    println!(
        "{LINE_TAG}_SINGLE wall_s={:.6} first_s={:.6} repeats={repeats} rss_kb={} bytes={bytes}",
        wall.as_secs_f64(),
        first.as_secs_f64(),
        peak_rss_kb(),
    );
    ExitCode::SUCCESS
}

/// Bytes of the artifacts and the manifest as written under `out` (streamed artifacts keep no bytes).
/// A file the manifest lists but the tree lacks is an error, not zero bytes.
fn bytes_on_disk(artifacts: &[Artifact], out: &std::path::Path) -> Result<usize, String> {
    let mut bytes = 0;
    for path in artifacts
        .iter()
        .map(|a| a.path.as_str())
        .chain(["manifest.json"])
    {
        let meta = std::fs::metadata(out.join(path)).map_err(|e| format!("{path}: {e}"))?;
        bytes += meta.len() as usize;
    }
    Ok(bytes)
}

/// Runs `runs` children of `mode` and returns their outputs.
fn outputs(mode: &str, runs: usize, scratch: &std::path::Path) -> Result<Vec<String>, String> {
    (0..runs)
        .map(|i| run_child(mode, scratch).map_err(|e| format!("{mode} run {}: {e}", i + 1)))
        .collect()
}

/// The values of `key` on the `tag` lines of `outputs`, sorted.
fn values(outputs: &[String], tag: &str, key: &str) -> Result<Vec<f64>, String> {
    let mut values = outputs
        .iter()
        .map(|o| field(o, tag, key).ok_or_else(|| format!("unparsable child output:\n{o}")))
        .collect::<Result<Vec<f64>, _>>()?;
    values.sort_by(f64::total_cmp);
    Ok(values)
}

/// The single-stack cases: `runs` runs each of 1k and 16k (a warm-up first), and fewer of 64k. The 1k
/// case is repeated 16 times in each of its children (as many resources as one 16k run, each
/// repetition a whole build + synthesize + write into a fresh directory): one 1k synthesis takes a few
/// tens of milliseconds, whose median on a shared machine swings by half. The growth judged is t(16k)
/// against t(16 x 1k in a row); the single-shot ratio (against 16 x the first repetition) is printed
/// beside it, not judged.
fn single_stack(runs: usize, smoke: bool, scratch: &std::path::Path) -> Result<(), String> {
    println!(
        "single stack: 1 environment, 1 stack of N resources (VPC, subnet, security group, N - 3 instances \
         with an output each), Terraform only, build + synthesize + write"
    );
    let (small, big) = (SINGLE_SIZES[0], SINGLE_SIZES[1]);
    let repeats = big / small;
    let mut medians = Vec::new();
    let mut first_median = 0.0;
    for resources in SINGLE_SIZES {
        // An unoptimized smoke run checks the judged sizes only: 64k would take minutes.
        if smoke && resources > big {
            continue;
        }
        let repeat = if resources == small { repeats } else { 1 };
        let mode = format!("single-{resources}x{repeat}");
        // 64k takes seconds per run: three runs give its median.
        let n = if resources > big { runs.min(3) } else { runs };
        if !smoke {
            run_child(&mode, scratch).map_err(|e| format!("{mode} warm-up: {e}"))?;
        }
        let runs = outputs(&mode, n, scratch)?;
        let tag = format!("{LINE_TAG}_SINGLE");
        let (wall, first, rss) = (
            values(&runs, &tag, "wall_s")?,
            values(&runs, &tag, "first_s")?,
            values(&runs, &tag, "rss_kb")?,
        );
        let med = median(&wall);
        let what = if repeat > 1 {
            first_median = median(&first);
            format!(
                "x {repeat} in a row: median {med:.3} s for all {repeat} ({:.1} ms each; the first alone: \
                 median {:.1} ms)",
                med / repeat as f64 * 1e3,
                first_median * 1e3
            )
        } else {
            format!("median {med:.3} s")
        };
        println!(
            "  {resources:>6} resources  {what}   min {:.3} s   max {:.3} s   ({:.2} us per resource)   peak RSS \
             median {:.1} MB   ({n} runs)",
            wall[0],
            wall[wall.len() - 1],
            med / (resources * repeat) as f64 * 1e6,
            median(&rss) / 1024.0
        );
        medians.push(med);
    }
    let growth = medians[1] / medians[0];
    let single_shot = medians[1] / (repeats as f64 * first_median);
    let judged = if smoke {
        "not judged (smoke run)"
    } else {
        verdict(growth <= TARGET_GROWTH)
    };
    println!(
        "target      single-stack growth t({}k) / t({repeats} x {}k in a row) = {growth:.2}, target <= \
         {TARGET_GROWTH}: {judged}   (against {repeats} x a single 1k run: {single_shot:.2}, not judged)",
        big / 1000,
        small / 1000,
    );
    // A user's next synth replaces the tree of the last one, whose modules it reads (for their `moved`
    // blocks): the same two sizes again, each into a tree of its first, untimed synthesis.
    let mut again = Vec::new();
    for (resources, repeat) in [(small, repeats), (big, 1)] {
        let mode = format!("single-{resources}x{repeat}-again");
        let runs = outputs(&mode, runs, scratch)?;
        let tag = format!("{LINE_TAG}_SINGLE");
        let (wall, rss) = (
            values(&runs, &tag, "wall_s")?,
            values(&runs, &tag, "rss_kb")?,
        );
        again.push((median(&wall), median(&rss) / 1024.0));
    }
    println!(
        "into previous  {small:>6} resources x {repeats} in a row: median {:.3} s, peak RSS {:.1} MB;   {big:>6} \
         resources: median {:.3} s, peak RSS {:.1} MB;   growth {:.2} (not judged)   (each replacing the tree of \
         a first synthesis, as a user's next synth does)",
        again[0].0,
        again[0].1,
        again[1].0,
        again[1].1,
        again[1].0 / again[0].0
    );
    Ok(())
}

/// `plan` of one 64k-resource stack against its synth (issue 27: at most 1.3x synth's time and peak
/// RSS): the stack's previous version written by an untimed child, then `runs.min(3)` synth children
/// (`single-64000x1`, into a fresh directory) and as many plan children (`plan-single:64000`,
/// Terraform only, 1% of the instances resized), alternating. A smoke run does it at 16k, not judged.
fn single_plan(runs: usize, smoke: bool, scratch: &std::path::Path) -> Result<(), String> {
    let resources = if smoke { 16_000 } else { 64_000 };
    let n = runs.min(3);
    run_child(&format!("prepare-single:{resources}"), scratch)
        .map_err(|e| format!("previous version of {resources} resources: {e}"))?;
    let (mut synth, mut plan) = (Vec::new(), Vec::new());
    for i in 0..n {
        synth.push(
            run_child(&format!("single-{resources}x1"), scratch)
                .map_err(|e| format!("synth run {}: {e}", i + 1))?,
        );
        plan.push(
            run_child(&format!("plan-single:{resources}"), scratch)
                .map_err(|e| format!("plan run {}: {e}", i + 1))?,
        );
    }
    let single = format!("{LINE_TAG}_SINGLE");
    let planned = format!("{LINE_TAG}_PLAN");
    let (synth_s, synth_kb) = (
        median(&values(&synth, &single, "wall_s")?),
        median(&values(&synth, &single, "rss_kb")?),
    );
    let (plan_s, plan_kb) = (
        median(&values(&plan, &planned, "wall_s")?),
        median(&values(&plan, &planned, "rss_kb")?),
    );
    let (time, rss) = (plan_s / synth_s, plan_kb / synth_kb);
    let judged = if smoke {
        "not judged (smoke run)".to_owned()
    } else {
        format!(
            "time <= {TARGET_PLAN_SINGLE_RATIO}x: {}, peak RSS <= {TARGET_PLAN_SINGLE_RATIO}x: {}",
            verdict(time <= TARGET_PLAN_SINGLE_RATIO),
            verdict(rss <= TARGET_PLAN_SINGLE_RATIO)
        )
    };
    println!(
        "plan/synth  one stack of {resources} resources, Terraform only: {time:.2}x time, {rss:.2}x peak RSS \
         (`plan --format json` against its previous version with 1% of the instances resized: median {plan_s:.3} s, \
         {:.1} MB; synth + write {synth_s:.3} s, {:.1} MB; {n} runs each, alternating; {judged})",
        plan_kb / 1024.0,
        synth_kb / 1024.0
    );
    Ok(())
}

/// Issue 27: `plan` of a 64k-resource stack at most 1.3x synth's time and peak RSS.
const TARGET_PLAN_SINGLE_RATIO: f64 = 1.3;

// Refusals and `list` ----------------------------------------------------------------------------

/// Issue 27's targets: a stack over CloudFormation's quotas refused in at most 50 ms and 30 MiB at 64k
/// resources; `list` at most 0.5x synth's time and 1.1x its peak RSS.
const TARGET_REFUSAL_S: f64 = 0.05;
const TARGET_REFUSAL_MB: f64 = 30.0;
const TARGET_LIST_TIME_RATIO: f64 = 0.5;
const TARGET_LIST_RSS_RATIO: f64 = 1.1;

/// One measured refusal (`refuse-<resources>`): the single stack of `resources` resources (see
/// [`single_app`]) synthesized for CloudFormation only, which refuses it (over 500 resources and 200
/// outputs). Prints the wall time (the definition run, instantiation, the refusal) and the peak RSS.
fn child_refuse(mode: &str) -> ExitCode {
    let Some(resources) = mode
        .strip_prefix("refuse-")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > stackwright_cloudformation::MAX_RESOURCES)
    else {
        eprintln!("bad child mode {mode}");
        return ExitCode::FAILURE;
    };
    let request = Request {
        environments: Vec::new(),
        targets: vec![stackwright_cli::Target::CloudFormation],
    };
    let out = child_dir().join("out");
    let start = Instant::now();
    let app = single_app(resources);
    let result = synthesize_into(&app, &request, &out, &mut |_| {});
    let wall = start.elapsed();
    let rss = peak_rss_kb();
    let refused = match &result {
        Err(stackwright_cli::SynthError::Problems(problems)) => problems
            .iter()
            .any(|p| p.message.contains("a template takes at most")),
        _ => false,
    };
    if !refused || out.exists() {
        eprintln!("expected a refusal over CloudFormation's quotas and no tree, got {result:?}");
        return ExitCode::FAILURE;
    }
    println!(
        "{LINE_TAG}_REFUSE wall_s={:.6} rss_kb={rss}",
        wall.as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// Nanoseconds the last timed definition took ([`fleet_timed`], [`fleet_builders_only`]).
static DEFINITION_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// [`fleet`], its run timed into [`DEFINITION_NS`].
fn fleet_timed(stack: &mut Stack, env: &Environment<Sizing>) {
    let start = Instant::now();
    fleet(stack, env);
    DEFINITION_NS.store(
        start.elapsed().as_nanos() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// What [`fleet`]'s user code costs before Stackwright keeps anything: the same builders and output
/// strings made and dropped, not added (only the VPC, subnet and security group are), timed into
/// [`DEFINITION_NS`]. A lower bound of any refusal that runs the definition.
fn fleet_builders_only(stack: &mut Stack, env: &Environment<Sizing>) {
    let image = stack.add_parameter(Parameter::string("ImageId").default_value("ami-12345678"));
    let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    let subnet = stack.add(ec2::Subnet::new("Subnet", &vpc, "10.0.1.0/24"));
    let security_group = stack.add(ec2::SecurityGroup::new(
        "FleetSecurityGroup",
        &vpc,
        "Fleet: HTTPS in",
    ));
    let start = Instant::now();
    for i in 1..=env.config().instances {
        let id = format!("Worker-{i}");
        let builder = ec2::Instance::new(&id, image.value(), env.config().instance_type)
            .subnet(&subnet)
            .security_group(&security_group)
            .tag("Name", &id);
        let output = (
            format!("Worker{i}PrivateIp"),
            format!("Private IP address of {id}"),
        );
        std::hint::black_box((builder, output));
    }
    DEFINITION_NS.store(
        start.elapsed().as_nanos() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// Where a refusal's time goes (`refuse-phases-<resources>`, with `STACKWRIGHT_BENCH_PHASES=1`): the
/// user code alone ([`fleet_builders_only`]), then the real definition run ([`fleet_timed`]), the
/// rest of instantiation, the CloudFormation refusal itself and dropping the model, one after the other
/// in one process (so no peak RSS per phase).
fn child_refuse_phases(mode: &str) -> ExitCode {
    let Some(resources) = mode
        .strip_prefix("refuse-phases-")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > stackwright_cloudformation::MAX_RESOURCES)
    else {
        eprintln!("bad child mode {mode}");
        return ExitCode::FAILURE;
    };
    let sizing = || Sizing {
        instances: resources - 3,
        instance_type: "m5.large",
        first: 0,
        previous: false,
    };
    let ms = |ns: u64| ns as f64 / 1e6;
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    let builders = App::new("bench")
        .environment(Environment::new(
            "big",
            "100000000000",
            REGIONS[0],
            sizing(),
        ))
        .stack("fleet", fleet_builders_only);
    drop(builders.instantiate(&Selection::default()));
    let builders_ms = ms(DEFINITION_NS.load(relaxed));
    let app = App::new("bench")
        .environment(Environment::new(
            "big",
            "100000000000",
            REGIONS[0],
            sizing(),
        ))
        .stack("fleet", fleet_timed);
    let start = Instant::now();
    let instantiation = app.instantiate(&Selection::default());
    let instantiate_ms = start.elapsed().as_secs_f64() * 1e3;
    let definition_ms = ms(DEFINITION_NS.load(relaxed));
    let start = Instant::now();
    let refused = instantiation
        .instances
        .iter()
        .map(stackwright_cloudformation::synthesize)
        .all(|t| t.document.is_null() && !t.problems.is_empty());
    let refusal_ms = start.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    drop(instantiation);
    let drop_ms = start.elapsed().as_secs_f64() * 1e3;
    if !refused {
        eprintln!("expected the stack of {resources} resources to be refused before lowering");
        return ExitCode::FAILURE;
    }
    println!(
        "{LINE_TAG}_PHASE refusal of {resources} resources: user code alone (builders and strings made and \
         dropped) {builders_ms:.1} ms; definition run {definition_ms:.1} ms; instantiation's checks after it \
         {:.1} ms; CloudFormation's refusal {refusal_ms:.1} ms; dropping the model {drop_ms:.1} ms",
        instantiate_ms - definition_ms
    );
    ExitCode::SUCCESS
}

/// One measured `list --format json` of the `environments`-environment workload into a fresh directory, as
/// a user runs it (minus process start): build, synthesize what the listing needs, render. Prints its
/// wall time and peak RSS.
fn child_list(environments: usize) -> ExitCode {
    let out = child_dir().join("out");
    let out = out.to_str().expect("UTF-8 temp path").to_owned();
    let args = ["bench", "list", "--out", &out, "--format", "json"];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let start = Instant::now();
    let cpu_start = cpu_s();
    let app = build_app_sized(environments, false);
    let code = stackwright_cli::run_with(&app, args, &mut stdout, &mut stderr, false);
    let (wall, cpu) = (start.elapsed(), cpu_s() - cpu_start);
    let rss = peak_rss_kb();
    let listing: serde_json::Value = match serde_json::from_slice(&stdout) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("list output ({e}): {}", String::from_utf8_lossy(&stderr));
            return ExitCode::FAILURE;
        }
    };
    let artifacts = listing["artifacts"].as_array().map_or(0, Vec::len);
    if code != 0 || artifacts != 2 * environments {
        eprintln!("unexpected listing (exit {code}): {artifacts} artifacts");
        return ExitCode::FAILURE;
    }
    println!(
        "{LINE_TAG}_LIST wall_s={:.6} cpu_s={cpu:.2} rss_kb={rss}",
        wall.as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// The refusal of the single stack at 16k and 64k resources (CloudFormation only), and `list` against
/// synth on the workload, runs alternating.
fn refusals_and_list(runs: usize, smoke: bool, scratch: &std::path::Path) -> Result<(), String> {
    for resources in [16_000, 64_000] {
        if smoke && resources > 16_000 {
            continue;
        }
        let mode = format!("refuse-{resources}");
        let n = runs.min(5);
        let outputs = outputs(&mode, n, scratch)?;
        let tag = format!("{LINE_TAG}_REFUSE");
        let (wall, rss) = (
            values(&outputs, &tag, "wall_s")?,
            values(&outputs, &tag, "rss_kb")?,
        );
        let (wall, rss) = (median(&wall), median(&rss) / 1024.0);
        let judged = if smoke || resources < 64_000 {
            "not judged".to_owned()
        } else {
            format!(
                "target <= {:.0} ms: {}, <= {TARGET_REFUSAL_MB} MB: {}",
                TARGET_REFUSAL_S * 1e3,
                verdict(wall <= TARGET_REFUSAL_S),
                verdict(rss <= TARGET_REFUSAL_MB)
            )
        };
        println!(
            "refusal     {resources:>6} resources, CloudFormation only (over 500 resources, 200 outputs; the \
             definition run and instantiated, then refused): median {:.1} ms, peak RSS median {rss:.1} MB ({n} runs; \
             {judged})",
            wall * 1e3
        );
    }
    let (mut synth, mut list) = (Vec::new(), Vec::new());
    for i in 0..runs {
        synth.push(
            run_child(&format!("synth:{ENVIRONMENTS}"), scratch)
                .map_err(|e| format!("synth run {}: {e}", i + 1))?,
        );
        list.push(
            run_child(&format!("list:{ENVIRONMENTS}"), scratch)
                .map_err(|e| format!("list run {}: {e}", i + 1))?,
        );
    }
    let synth_wall = median(&values(&synth, LINE_TAG, "wall_s")?);
    let synth_rss = median(&values(&synth, LINE_TAG, "rss_kb")?);
    let tag = format!("{LINE_TAG}_LIST");
    let list_wall = median(&values(&list, &tag, "wall_s")?);
    let list_rss = median(&values(&list, &tag, "rss_kb")?);
    let (time, rss) = (list_wall / synth_wall, list_rss / synth_rss);
    let judged = if smoke {
        "not judged (smoke run)".to_owned()
    } else {
        format!(
            "time <= {TARGET_LIST_TIME_RATIO}x: {}, peak RSS <= {TARGET_LIST_RSS_RATIO}x: {}",
            verdict(time <= TARGET_LIST_TIME_RATIO),
            verdict(rss <= TARGET_LIST_RSS_RATIO)
        )
    };
    println!(
        "list/synth  {time:.2}x time, {rss:.2}x peak RSS (`list --format json` of the workload: median {:.3} s, \
         {:.1} MB; synth {:.3} s, {:.1} MB; {runs} runs each, alternating; {judged})",
        list_wall,
        list_rss / 1024.0,
        synth_wall,
        synth_rss / 1024.0
    );
    Ok(())
}

/// Set to `0` to leave the edit loop out (it builds the flagship, debug and release, and edits its source).
const EDIT_LOOP_VAR: &str = "STACKWRIGHT_BENCH_EDIT_LOOP";

/// The edit loop (issue 14's target: each <= 1.0 s): `scripts/measure-build.sh --only flagship`, which
/// edits a literal in the flagship's definition, then times `cargo run -- synth` and `cargo run --release
/// -- synth` to the end of synthesis, `runs` times each, and restores the literal. It builds in this
/// workspace's target directory, so only the first invocation compiles the flagship's dependencies
/// (untimed warm-up builds). Its report lines are printed here; a failure to run it fails the benchmark,
/// and leaving it out (smoke run, or `STACKWRIGHT_BENCH_EDIT_LOOP=0`) is said on its line.
fn edit_loop(runs: usize, smoke: bool) -> Result<(), String> {
    if smoke {
        println!("edit loop   not measured (smoke run)");
        return Ok(());
    }
    if std::env::var(EDIT_LOOP_VAR).is_ok_and(|v| v == "0") {
        println!("edit loop   NOT MEASURED ({EDIT_LOOP_VAR}=0)");
        return Ok(());
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    println!(
        "edit loop   scripts/measure-build.sh --only flagship --runs {runs} (edit a literal in the flagship, \
         cargo run to the end of synthesis; a first invocation builds the flagship first, untimed)"
    );
    let output = Command::new("bash")
        .arg(root.join("scripts/measure-build.sh"))
        .args(["--only", "flagship", "--runs", &runs.to_string()])
        .env("MEASURE_TARGET_DIR", &target)
        .current_dir(&root)
        .output()
        .map_err(|e| format!("running scripts/measure-build.sh: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "scripts/measure-build.sh failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // Each report line is printed when measured and again in the closing summary: the summary's.
    let reports: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("== summary"))
        .filter(|l| l.starts_with("flagship edit + cargo run"))
        .collect();
    if reports.len() != 2 {
        return Err(format!(
            "expected the debug and the release edit loop in its output:\n{stdout}"
        ));
    }
    for line in reports {
        println!("target      {line}");
    }
    Ok(())
}

/// Prints one floor's runs and the ratios of Stackwright's medians (wall `synth_wall`, CPU `synth_cpu`,
/// sorted) to its own. Two floors: the same bytes (`minimal` false: pretty JSON, byte for byte what
/// synth writes), whose wall and CPU ratios are judged (wall <= [`TARGET_FLOOR`], CPU <=
/// [`TARGET_FLOOR_CPU`]); and the same resources in minimal bytes (compact JSON), reported only: what
/// the tree would cost if it were written compact.
fn print_floor(
    floors: &[String],
    minimal: bool,
    synth_wall: f64,
    synth_cpu: &[f64],
    synth: &Sample,
    smoke: bool,
) -> Result<(), String> {
    let tag = format!("{LINE_TAG}_FLOOR");
    let wall = values(floors, &tag, "wall_s")?;
    let cpu = values(floors, &tag, "cpu_s")?;
    let files: usize = field(&floors[0], &tag, "files").ok_or("floor files")?;
    let bytes: usize = field(&floors[0], &tag, "bytes").ok_or("floor bytes")?;
    let floor_wall = median(&wall);
    let (name, how) = if minimal {
        ("floor min  ", "same resources, minimal bytes: to_vec")
    } else {
        ("floor      ", "same bytes: to_vec_pretty")
    };
    println!(
        "{name} median {floor_wall:.3} s   min {:.3} s   max {:.3} s   CPU median {:.2} s   (plain \
         serde_json, one thread: build, {how}, write, one syncfs, rename; {files} files, {bytes} \
         bytes, against Stackwright's {} files, {} bytes)",
        wall[0],
        wall[wall.len() - 1],
        median(&cpu),
        synth.files,
        synth.bytes
    );
    let ratio = synth_wall / floor_wall;
    let cpu_ratio = (!synth_cpu.is_empty()).then(|| median(synth_cpu) / median(&cpu).max(0.01));
    let judged = |ok: bool| {
        if smoke {
            "not judged (smoke run)".to_owned()
        } else {
            verdict(ok).to_owned()
        }
    };
    let which = if minimal {
        "minimal-bytes floor"
    } else {
        "same-bytes floor"
    };
    if minimal {
        let cpu = cpu_ratio.map_or(String::new(), |r| format!(", CPU {r:.2}x"));
        println!("ratio       median synth + write / {which} = {ratio:.2}x (wall){cpu}: reported, no target");
        return Ok(());
    }
    println!(
        "target      median synth + write / {which} = {ratio:.2}x (wall), target <= {TARGET_FLOOR}x: {}",
        judged(ratio <= TARGET_FLOOR)
    );
    if let Some(cpu_ratio) = cpu_ratio {
        println!(
            "target      median synth CPU / {which} CPU = {cpu_ratio:.2}x, target <= {TARGET_FLOOR_CPU}x: {}",
            judged(cpu_ratio <= TARGET_FLOOR_CPU)
        );
    }
    Ok(())
}
