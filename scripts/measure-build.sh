#!/usr/bin/env bash
# Measure build and edit-loop times: what a user waits for between saving a file and seeing artifacts.
#
# Usage: scripts/measure-build.sh [--runs N] [--clean-runs N] [--only SECTIONS] [--keep]
#
#   clean      `cargo build --workspace` (debug) from an empty target dir, --clean-runs times (default 1)
#   flagship   edit a literal in examples/notebook-service/src/lib.rs, then `cargo run -- synth` (debug)
#              and `cargo run --release -- synth`, timed to the end of synthesis (the process exits after
#              writing every artifact); --runs times each (default 3), after one untimed warm-up build
#   services   two crates made by `stackwright new` in a temp dir (path dependency on this checkout), one
#              using 5 generated services (`lambda sqs sns dynamodb events` of stackwright-aws-generated),
#              one using none: a clean debug build of each and their debug edit loops (edit, `cargo run`);
#              then `cargo check -p stackwright-aws-generated --features full` and the generated source
#              size
#   terraform  the same for the hashicorp/aws builders: a crate using 5 of their services through the facade
#              (`tf-lambda tf-sqs tf-sns tf-dynamodb tf-cloudwatch`) against one using none (synthesized with
#              `--target terraform`); then `cargo check -p stackwright-aws-terraform --features full` and the
#              generated source size
#   profiles   the dev-profile decision (README, "Performance"): `stackwright new` crates at the starter's
#              size and at the benchmark workload's (50 environments x 193 resources), with the scaffold's
#              `[profile.dev.package."*"]` settings and without them (cargo's plain dev profile): a clean
#              debug build (the starter's; the workload crate then reuses its dependencies), the debug
#              edit loop of each, and the synthesis alone
#   --only     a comma-separated subset of: clean,flagship,services,terraform,profiles (default: all but
#              profiles and terraform)
#   --keep     keep the measurement target dirs and temp crates afterwards (removed by default)
#
# Each figure is printed with its target, PASS/FAIL and the load average when it was taken (`uptime`):
# the machine may be shared, so compare figures of one run. The script measures, it does not gate: exit
# 0 whether or not targets are met; non-zero only if a build fails or on bad usage. The edited literal
# is restored on exit (also on failure or Ctrl-C).
#
# Environment: MEASURE_TARGET_DIR (default: <repo>/target/measure) for the workspace builds, removed at
# the end if this run created it; the temp crates build in their own target dirs. With `clean` it must
# not be the workspace's own target dir (it is `cargo clean`ed). Dependencies are fetched (untimed) before any timed build.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "measure-build: $*" >&2; exit 2; }

RUNS=3
CLEAN_RUNS=1
ONLY=clean,flagship,services
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive integer"; RUNS=$2; shift 2 ;;
    --clean-runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--clean-runs needs a positive integer"; CLEAN_RUNS=$2; shift 2 ;;
    --only) [[ $# -ge 2 && "$2" =~ ^(clean|flagship|services|terraform|profiles)(,(clean|flagship|services|terraform|profiles))*$ ]] \
              || die "--only needs a comma-separated list of clean, flagship, services, terraform, profiles"; ONLY=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
wanted() { [[ ",$ONLY," == *",$1,"* ]]; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${MEASURE_TARGET_DIR:-$ROOT/target/measure}
FLAGSHIP=examples/notebook-service/src/lib.rs
# The literal the flagship loop edits: toggled between two values, restored on exit.
FLAGSHIP_LITERAL='^pub const SESSION_SECONDS: u32 = [0-9_]*;'
[[ -f "$FLAGSHIP" ]] || die "$FLAGSHIP not found"
grep -q "$FLAGSHIP_LITERAL" "$FLAGSHIP" || die "$FLAGSHIP has no line matching $FLAGSHIP_LITERAL"

CLEAN_TARGET_S=60
EDIT_TARGET_S=1.0          # issue 14: flagship, debug and release, to the end of synthesis
SERVICES_RATIO_TARGET=1.25 # issue 10: clean debug build with 5 generated services / with none
SERVICES_EDIT_TARGET_S=2.0 # issue 10: edit-run loop of the 5-services crate (strictly under)

if wanted clean && [[ "$(realpath -m "$CARGO_TARGET_DIR")" == "$(realpath -m "$ROOT/target")" ]]; then
  die "the clean build runs \`cargo clean\` in MEASURE_TARGET_DIR: not the workspace's own target dir"
fi
# Removed at the end only if this run created it.
[[ -e "$CARGO_TARGET_DIR" ]] && CREATED_TARGET=0 || CREATED_TARGET=1
TMP=$(mktemp -d -t measure-build.XXXXXX)
LOG=$TMP/log
cp "$FLAGSHIP" "$TMP/flagship-lib.rs"
cleanup() {
  cp "$TMP/flagship-lib.rs" "$ROOT/$FLAGSHIP"
  if [[ $KEEP -eq 1 ]]; then
    echo "measure-build: kept $TMP and $CARGO_TARGET_DIR"
  else
    rm -rf "$TMP"
    if [[ $CREATED_TARGET -eq 1 ]]; then rm -rf "$CARGO_TARGET_DIR"; fi
  fi
}
trap cleanup EXIT

now() { date +%s.%N; }
load() { uptime | sed 's/.*load average: */load /'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "min %.2f max %.2f", v[1], v[NR] }'; }
# verdict VALUE TARGET [lt]: PASS when VALUE <= TARGET (< with lt)
verdict() { awk -v v="$1" -v t="$2" -v lt="${3:-}" 'BEGIN { ok = lt ? v < t : v <= t; print ok ? "PASS" : "FAIL" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

SUMMARY=()
# report NAME VALUE UNIT TARGET_TEXT VERDICT DETAIL: one line of the final summary, printed now too
report() {
  local line
  line=$(printf '%-58s %8s %-2s  %-16s %-4s  %s' "$1" "$2" "$3" "$4" "$5" "$6")
  echo "$line"
  SUMMARY+=("$line")
}

# timed LABEL CMD...: runs CMD with its output in $LOG, prints the wall seconds and records the CPU
# seconds (user + system, of CMD and its children: cargo, rustc, the linker, the synthesis) for `cpu`;
# shows the log on failure. CPU time is less sensitive than wall time to other processes on the machine.
timed() {
  local label=$1; shift
  local start end
  start=$(now)
  if ! /usr/bin/time -o "$TMP/cpu" -f '%U %S' "$@" >"$LOG" 2>&1; then
    echo "measure-build: $label failed: $*" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
  end=$(now)
  awk '{ printf "%.2f\n", $1 + $2 }' "$TMP/cpu" >"$TMP/last-cpu"
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
# cpu: the CPU seconds of the last `timed` command (also from a subshell).
cpu() { cat "$TMP/last-cpu"; }

# toggle FILE REGEX: flips the number at the end of the matching `const` line between two values.
toggle() {
  local file=$1 regex=$2
  awk -v re="$regex" '
    $0 ~ re && !done { n = $NF; sub(/;$/, "", n); gsub(/_/, "", n); $NF = (n % 2 ? n - 1 : n + 1) ";"; done = 1 }
    { print }' "$file" >"$file.measure" && mv "$file.measure" "$file"
}

# edit_loop LABEL RUNS FILE REGEX CMD...: RUNS times, edit the literal then time CMD; prints the wall
# times (nothing if a run failed: see `got`) and leaves the CPU times for `loop_cpu`.
edit_loop() {
  local label=$1 runs=$2 file=$3 regex=$4; shift 4
  local times=() cpus=() t i
  for ((i = 1; i <= runs; i++)); do
    toggle "$file" "$regex"
    t=$(timed "$label" "$@")
    echo "  $label $i/$runs: $t s wall, $(cpu) s CPU ($(load))" >&2
    times+=("$t")
    cpus+=("$(cpu)")
  done
  echo "${cpus[@]}" >"$TMP/loop-cpu"
  echo "${times[@]}"
}
# loop_cpu: the median CPU seconds of the last edit loop.
loop_cpu() { read -r -a c <"$TMP/loop-cpu"; median "${c[@]}"; }

# got TIMES...: stops when an edit loop (a subshell) failed and so printed no time.
got() { [[ $# -gt 0 ]] || { echo "measure-build: an edit loop failed (see above)" >&2; exit 1; }; }

echo "measure-build: $(cargo --version), $(rustc --version), $(nproc) CPUs, $(load)"
[[ -n "${RUSTC_WRAPPER:-}" ]] && echo "measure-build: note: RUSTC_WRAPPER=$RUSTC_WRAPPER is set and may skew clean-build times"
[[ -n "${CARGO_BUILD_JOBS:-}" ]] && echo "measure-build: note: CARGO_BUILD_JOBS=$CARGO_BUILD_JOBS"
cargo fetch -q || die "cargo fetch failed (dependencies are fetched before timing)"

if wanted clean; then
  echo "== clean debug build of the workspace"
  CLEAN=() CLEAN_CPU=()
  for ((i = 1; i <= CLEAN_RUNS; i++)); do
    cargo clean -q
    before=$(load)
    t=$(timed "clean build" cargo build --workspace)
    echo "  clean build $i/$CLEAN_RUNS: $t s wall, $(cpu) s CPU ($(grep -c '^ *Compiling ' "$LOG" || true) crates; $before before, $(load) after)"
    CLEAN+=("$t")
    CLEAN_CPU+=("$(cpu)")
  done
  report "clean debug build, workspace (cargo build --workspace)" "$(median "${CLEAN[@]}")" s "<= $CLEAN_TARGET_S s" \
    "$(verdict "$(median "${CLEAN[@]}")" "$CLEAN_TARGET_S")" "median of $CLEAN_RUNS, $(spread "${CLEAN[@]}"), CPU $(median "${CLEAN_CPU[@]}") s, $(load)"
fi

if wanted flagship; then
  echo "== flagship edit loop (edit a literal in $FLAGSHIP, cargo run to the end of synthesis)"
  OUT=$TMP/flagship-out
  for profile in dev release; do
    flag=(); [[ $profile == release ]] && flag=(--release)
    t=$(timed "warm-up build" cargo build "${flag[@]}" -p notebook-service)
    echo "  warm-up: cargo build ${flag[*]} -p notebook-service $t s (untimed)"
    read -r -a times <<<"$(edit_loop "cargo run ${flag[*]}" "$RUNS" "$FLAGSHIP" "$FLAGSHIP_LITERAL" \
      cargo run -q "${flag[@]}" -p notebook-service -- synth --out "$OUT")"
    got "${times[@]}"
    report "flagship edit + cargo run ${flag[*]:-(debug)} -- synth" "$(median "${times[@]}")" s "<= $EDIT_TARGET_S s" \
      "$(verdict "$(median "${times[@]}")" "$EDIT_TARGET_S")" "median of $RUNS, $(spread "${times[@]}"), CPU $(loop_cpu) s, $(load)"
  done
  cp "$TMP/flagship-lib.rs" "$FLAGSHIP"
fi

# new_crate DIR: `stackwright new DIR` with a path dependency on this checkout (the real scaffold, so
# its Cargo.toml profile settings are measured too).
new_crate() {
  local dir=$1
  # Always (a no-op when fresh): the tool embeds the templates, which may have changed.
  timed "build the stackwright tool" cargo build -p stackwright-tool >/dev/null
  "$CARGO_TARGET_DIR/debug/stackwright" new "$dir" --stackwright-path "$ROOT/crates/stackwright" >"$LOG" 2>&1 \
    || { cat "$LOG" >&2; die "stackwright new $dir failed"; }
  # The workspace's versions of the dependencies, as scripts/check-scaffold.sh does.
  cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
}

# A definition using one resource of each of 5 generated services (or none of them), with an edited literal.
write_services_lib() {
  local dir=$1 services=$2
  {
    echo '//! The edit-loop crate of scripts/measure-build.sh.'
    echo 'use stackwright::prelude::*;'
    [[ $services == yes ]] && echo 'use stackwright::Value;' && echo 'use stackwright_aws_generated::{dynamodb, events, lambda, sns, sqs};'
    cat <<'EOF'

/// The literal the edit loop changes.
pub const EDITED: u32 = 1;

pub fn app() -> App<()> {
    App::new("edit-loop")
        .environment(Environment::new("dev", "123456789012", "us-east-1", ()))
        .stack("service", |stack, _env| {
            stack.add(stackwright::aws::sns::Topic::new("HandWritten"));
            stack.output("Edited", format!("{EDITED}"));
EOF
    if [[ $services == yes ]]; then
      cat <<'EOF'
            let topic = stack.add(sns::Topic::new("Alerts").kms_master_key_id("alias/aws/sns"));
            let queue = stack.add(sqs::Queue::new("Orders").kms_master_key_id("alias/aws/sqs"));
            let key = Value::List(vec![Value::Map(vec![
                ("AttributeName".into(), "pk".into()),
                ("KeyType".into(), "HASH".into()),
            ])]);
            let table = stack.add(
                dynamodb::Table::new("Table", key)
                    .attribute_definitions([dynamodb::table::AttributeDefinition::new(
                        "pk",
                        dynamodb::table::AttributeType::S,
                    )])
                    .billing_mode(dynamodb::table::BillingMode::PayPerRequest),
            );
            let function = stack.add(lambda::Function::new(
                "Worker",
                lambda::function::Code::new().zip_file("exports.handler = async () => {};"),
                "arn:aws:iam::123456789012:role/worker",
            ));
            stack.add(
                events::Rule::new("Sweep")
                    .schedule_expression("rate(5 minutes)")
                    .targets([events::rule::Target::new(events::rule::TargetRequired {
                        id: "worker".into(),
                        arn: function.arn(),
                    })]),
            );
            stack.output("Queue", queue.arn());
            stack.output("Topic", topic.topic_arn());
            stack.output("TableArn", table.arn());
EOF
    fi
    echo '        })'
    echo '}'
  } >"$dir/src/lib.rs"
  if [[ $services == yes ]]; then
    sed -i "/^stackwright = /a stackwright-aws-generated = { path = \"$ROOT/crates/stackwright-aws-generated\", features = [\"lambda\", \"sqs\", \"sns\", \"dynamodb\", \"events\"] }" \
      "$dir/Cargo.toml"
  fi
}

if wanted services; then
  echo "== generated services: a crate using 5 of them against one using none (temp crates, path dependency)"
  declare -A SERVICE_CLEAN SERVICE_CLEAN_CPU SERVICE_EDIT SERVICE_EDIT_CPU
  for kind in none five; do
    dir=$TMP/services-$kind
    new_crate "$dir"
    write_services_lib "$dir" "$([[ $kind == five ]] && echo yes || echo no)"
    (cd "$dir" && CARGO_TARGET_DIR=$dir/target cargo fetch -q)
    before=$(load)
    t=$(cd "$dir" && CARGO_TARGET_DIR=$dir/target timed "clean build ($kind)" cargo build)
    echo "  clean debug build, $kind: $t s wall, $(cpu) s CPU ($before before, $(load) after)"
    SERVICE_CLEAN[$kind]=$t
    SERVICE_CLEAN_CPU[$kind]=$(cpu)
    read -r -a times <<<"$(cd "$dir" && CARGO_TARGET_DIR=$dir/target edit_loop "cargo run ($kind)" "$RUNS" src/lib.rs \
      '^pub const EDITED: u32 = [0-9_]*;' cargo run -q -- synth --out "$dir/out")"
    got "${times[@]}"
    SERVICE_EDIT[$kind]=$(median "${times[@]}")
    SERVICE_EDIT_CPU[$kind]=$(loop_cpu)
    echo "  edit loop, $kind: median ${SERVICE_EDIT[$kind]} s wall ($(spread "${times[@]}")), ${SERVICE_EDIT_CPU[$kind]} s CPU"
  done
  r=$(ratio "${SERVICE_CLEAN[five]}" "${SERVICE_CLEAN[none]}")
  rc=$(ratio "${SERVICE_CLEAN_CPU[five]}" "${SERVICE_CLEAN_CPU[none]}")
  report "clean debug build, 5 generated services / none" "$r" x "<= $SERVICES_RATIO_TARGET" \
    "$(verdict "$r" "$SERVICES_RATIO_TARGET")" \
    "${SERVICE_CLEAN[five]} s / ${SERVICE_CLEAN[none]} s wall; CPU ${SERVICE_CLEAN_CPU[five]} s / ${SERVICE_CLEAN_CPU[none]} s = $rc; $(load)"
  report "edit + cargo run -- synth, 5 generated services" "${SERVICE_EDIT[five]}" s "< $SERVICES_EDIT_TARGET_S s" \
    "$(verdict "${SERVICE_EDIT[five]}" "$SERVICES_EDIT_TARGET_S" lt)" \
    "median of $RUNS, CPU ${SERVICE_EDIT_CPU[five]} s (none: ${SERVICE_EDIT[none]} s, CPU ${SERVICE_EDIT_CPU[none]} s), $(load)"
  # Its dependencies first (untimed), so the figure is the generated crate's own check.
  timed "cargo check (dependencies)" cargo check -p stackwright-aws >/dev/null
  t=$(timed "cargo check --features full" cargo check -p stackwright-aws-generated --features full)
  report "cargo check -p stackwright-aws-generated --features full" "$t" s "(reported)" "" "CPU $(cpu) s, its dependencies checked before, $(load)"
  gen=crates/stackwright-aws-generated/src/generated
  report "generated source ($gen)" "$(du -sb "$gen" | awk '{ printf "%.1f", $1 / 1e6 }')" MB "(reported)" "" \
    "$(cat "$gen"/*.rs | wc -l) lines in $(find "$gen" -name '*.rs' | wc -l) files"
fi

# A definition using one resource of each of 5 hashicorp/aws services (or none of them), with an edited literal.
write_terraform_lib() {
  local dir=$1 services=$2
  {
    echo '//! The edit-loop crate of scripts/measure-build.sh (hashicorp/aws builders).'
    echo 'use stackwright::prelude::*;'
    [[ $services == yes ]] && echo 'use stackwright::terraform::{cloudwatch, dynamodb, lambda, sns, sqs};'
    cat <<'EOF'

/// The literal the edit loop changes.
pub const EDITED: u32 = 1;

pub fn app() -> App<()> {
    App::new("edit-loop")
        .environment(Environment::new("dev", "123456789012", "us-east-1", ()))
        .stack("service", |stack, _env| {
            stack.add(stackwright::aws::sns::Topic::new("HandWritten"));
            stack.output("Edited", format!("{EDITED}"));
EOF
    if [[ $services == yes ]]; then
      cat <<'EOF'
            let topic = stack.add(sns::Topic::new("Alerts").kms_master_key_id("alias/aws/sns"));
            let queue = stack.add(sqs::Queue::new("Orders").sqs_managed_sse_enabled(true));
            let table = stack.add(
                dynamodb::Table::new("Table", "orders")
                    .hash_key("pk")
                    .billing_mode("PAY_PER_REQUEST")
                    .attribute(dynamodb::table::Attribute::new(dynamodb::table::AttributeRequired {
                        name: "pk".into(),
                        type_: "S".into(),
                    })),
            );
            let function = stack.add(
                lambda::Function::new(
                    "Worker",
                    lambda::FunctionRequired {
                        function_name: "worker".into(),
                        role: "arn:aws:iam::123456789012:role/worker".into(),
                    },
                )
                .runtime("nodejs20.x")
                .handler("index.handler")
                .filename("worker.zip"),
            );
            let rule = stack.add(
                cloudwatch::EventRule::new("Sweep").schedule_expression("rate(5 minutes)"),
            );
            stack.add(cloudwatch::EventTarget::new(
                "SweepWorker",
                cloudwatch::EventTargetRequired { arn: function.arn(), rule: rule.name() },
            ));
            stack.output("Queue", queue.arn());
            stack.output("Topic", topic.arn());
            stack.output("TableArn", table.arn());
EOF
    fi
    echo '        })'
    echo '}'
  } >"$dir/src/lib.rs"
  if [[ $services == yes ]]; then
    sed -i 's|^stackwright = { path = "\([^"]*\)" }|stackwright = { path = "\1", features = ["tf-lambda", "tf-sqs", "tf-sns", "tf-dynamodb", "tf-cloudwatch"] }|' \
      "$dir/Cargo.toml"
    grep -q 'features = \["tf-lambda"' "$dir/Cargo.toml" || die "could not add the tf-* features to $dir/Cargo.toml"
  fi
}

if wanted terraform; then
  echo "== hashicorp/aws builders: a crate using 5 of their services against one using none (temp crates, path dependency)"
  declare -A TF_CLEAN TF_CLEAN_CPU TF_EDIT TF_EDIT_CPU
  for kind in none five; do
    dir=$TMP/terraform-$kind
    new_crate "$dir"
    write_terraform_lib "$dir" "$([[ $kind == five ]] && echo yes || echo no)"
    (cd "$dir" && CARGO_TARGET_DIR=$dir/target cargo fetch -q)
    before=$(load)
    t=$(cd "$dir" && CARGO_TARGET_DIR=$dir/target timed "clean build ($kind)" cargo build)
    echo "  clean debug build, $kind: $t s wall, $(cpu) s CPU ($before before, $(load) after)"
    TF_CLEAN[$kind]=$t
    TF_CLEAN_CPU[$kind]=$(cpu)
    read -r -a times <<<"$(cd "$dir" && CARGO_TARGET_DIR=$dir/target edit_loop "cargo run ($kind)" "$RUNS" src/lib.rs \
      '^pub const EDITED: u32 = [0-9_]*;' cargo run -q -- synth --target terraform --out "$dir/out")"
    got "${times[@]}"
    TF_EDIT[$kind]=$(median "${times[@]}")
    TF_EDIT_CPU[$kind]=$(loop_cpu)
    echo "  edit loop, $kind: median ${TF_EDIT[$kind]} s wall ($(spread "${times[@]}")), ${TF_EDIT_CPU[$kind]} s CPU"
  done
  r=$(ratio "${TF_CLEAN[five]}" "${TF_CLEAN[none]}")
  rc=$(ratio "${TF_CLEAN_CPU[five]}" "${TF_CLEAN_CPU[none]}")
  report "clean debug build, 5 hashicorp/aws services / none" "$r" x "<= $SERVICES_RATIO_TARGET" \
    "$(verdict "$r" "$SERVICES_RATIO_TARGET")" \
    "${TF_CLEAN[five]} s / ${TF_CLEAN[none]} s wall; CPU ${TF_CLEAN_CPU[five]} s / ${TF_CLEAN_CPU[none]} s = $rc; $(load)"
  report "edit + cargo run -- synth, 5 hashicorp/aws services" "${TF_EDIT[five]}" s "< $SERVICES_EDIT_TARGET_S s" \
    "$(verdict "${TF_EDIT[five]}" "$SERVICES_EDIT_TARGET_S" lt)" \
    "median of $RUNS, CPU ${TF_EDIT_CPU[five]} s (none: ${TF_EDIT[none]} s, CPU ${TF_EDIT_CPU[none]} s), $(load)"
  # Its dependencies first (untimed), so the figure is the generated crate's own check.
  timed "cargo check (dependencies)" cargo check -p stackwright-validate -p stackwright-schema -p stackwright-aws >/dev/null
  t=$(timed "cargo check --features full" cargo check -p stackwright-aws-terraform --features full)
  report "cargo check -p stackwright-aws-terraform --features full" "$t" s "(reported)" "" "CPU $(cpu) s, its dependencies checked before, $(load)"
  gen=crates/stackwright-aws-terraform/src/generated
  report "generated source ($gen, .rs)" "$(cat "$gen"/*.rs | wc -c | awk '{ printf "%.1f", $1 / 1e6 }')" MB "(reported)" "" \
    "$(cat "$gen"/*.rs | wc -l) lines in $(find "$gen" -name '*.rs' | wc -l) files; schemas $(cat "$gen"/*.jsonl | wc -c | awk '{ printf "%.1f", $1 / 1e6 }') MB"
fi

# workload_lib DIR: the benchmark's workload (crates/stackwright-cli/benches/synth.rs): 50 environments x
# (VPC, subnet, security group, 190 instances with an output each).
workload_lib() {
  cat >"$1/src/lib.rs" <<'EOF'
//! The benchmark workload, as a user crate (scripts/measure-build.sh).
use stackwright::aws::ec2::{self, Peer, Port};
use stackwright::prelude::*;

/// The literal the edit loop changes.
pub const EDITED: u32 = 190;

pub fn app() -> App<usize> {
    let regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"];
    (0..50)
        .map(|i| {
            Environment::new(format!("env-{i:02}"), format!("{:012}", 100_000_000_000u64 + i as u64),
                regions[i % regions.len()], EDITED as usize)
        })
        .fold(App::new("workload"), App::environment)
        .stack("fleet", |stack, env| {
            let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            let subnet = stack.add(ec2::Subnet::new("Subnet", &vpc, "10.0.1.0/24"));
            let sg = stack.add(ec2::SecurityGroup::new("Fleet", &vpc, "Fleet: HTTPS in")
                .allow_ingress(Peer::any_ipv4(), Port::tcp(443), "HTTPS from anywhere"));
            for i in 1..=*env.config() {
                let id = format!("Worker-{i}");
                let vm = stack.add(ec2::Instance::new(&id, "ami-12345678", "m5.large")
                    .subnet(&subnet).security_group(&sg).tag("Name", &id));
                stack.output(format!("Worker{i}PrivateIp"), vm.private_ip());
            }
        })
}
EOF
}

# plain_profile DIR: drops the scaffold's profile settings (cargo's plain dev profile).
plain_profile() {
  awk '/^# Profile settings of `stackwright new`/ { skip = 1 } /^\[workspace\]/ { skip = 0 } !skip' "$1/Cargo.toml" \
    >"$1/Cargo.toml.plain" && mv "$1/Cargo.toml.plain" "$1/Cargo.toml"
}

if wanted profiles; then
  echo "== dev profile: the scaffold's settings against cargo's plain dev profile"
  for variant in scaffold plain; do
    # One target dir per variant: the first crate's build is clean (every dependency), the second
    # reuses the dependencies, as a user's second crate would not but a second edit does.
    target=$TMP/profile-$variant-target
    for size in starter workload; do
      dir=$TMP/profile-$size-$variant
      new_crate "$dir"
      if [[ $size == workload ]]; then
        workload_lib "$dir"
      else
        # The starter has no literal to edit: add one the definition does not use (an edit all the same).
        echo 'pub const EDITED: u32 = 1;' >>"$dir/src/lib.rs"
      fi
      if [[ $variant == plain ]]; then plain_profile "$dir"; fi
      (cd "$dir" && CARGO_TARGET_DIR=$target cargo fetch -q)
      before=$(load)
      build=$(cd "$dir" && CARGO_TARGET_DIR=$target timed "build ($size, $variant)" cargo build)
      what="clean debug build"; [[ $size == workload ]] && what="debug build of the crate alone (dependencies built)"
      report "dev profile $variant: $what, $size" "$build" s "(reported)" "" "CPU $(cpu) s, $before before, $(load) after"
      read -r -a times <<<"$(cd "$dir" && CARGO_TARGET_DIR=$target edit_loop "cargo run ($size, $variant)" "$RUNS" \
        src/lib.rs '^pub const EDITED: u32 = [0-9_]*;' cargo run -q -- synth --out "$dir/out")"
      got "${times[@]}"
      edit_cpu=$(loop_cpu)
      synth=$(cd "$dir" && timed "synth alone" "$target/debug/$(basename "$dir")" synth --out "$dir/out")
      report "dev profile $variant: edit + cargo run -- synth, $size" "$(median "${times[@]}")" s "(reported)" "" \
        "median of $RUNS, $(spread "${times[@]}"), CPU $edit_cpu s; synthesis alone $synth s (CPU $(cpu) s), $(load)"
    done
  done
fi

echo
echo "== summary ($(load) at the end; targets from issues 10 and 14)"
printf '%s\n' "${SUMMARY[@]}"
