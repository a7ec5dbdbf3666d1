//! Reproducible bytes, content addressing, located errors and the cache of `stackwright-assets`.

use stackwright_assets::{Asset, AssetPath, BuildCommand, Kind, StackAssets, UsedAssets};
use stackwright_core::{App, Diagnostic, Environment, Expr, Selection};
use std::fs;
use std::io::Read;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Writes `files` (path, contents, executable) under `root` with the modes `umask` leaves and the given
/// mtime: what a checkout under that umask at that time would hold.
fn checkout(root: &Path, files: &[(&str, &str, bool)], umask: u32, mtime: SystemTime) {
    for (path, contents, executable) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
        let mode = if *executable { 0o777 } else { 0o666 } & !umask;
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }
}

const FILES: &[(&str, &str, bool)] = &[
    (
        "index.py",
        "def handler(event, context):\n    return 'ok'\n",
        false,
    ),
    ("lib/util.py", "X = 1\n", false),
    ("lib/b.txt", "bbb", false),
    ("bin/tool", "#!/bin/sh\necho tool\n", true),
    ("Z-upper.txt", "sorted by bytes: uppercase first", false),
];

/// The entry names of a zip, in order.
fn names(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
        .collect()
}

fn resolve(path: &Path) -> stackwright_assets::AssetUse {
    Asset::directory(path).resolve().unwrap()
}

#[test]
fn two_checkouts_give_byte_identical_zips() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = a.path().join("one/functions/orders");
    let second = b.path().join("elsewhere/deeper/orders-copy");
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    checkout(&first, FILES, 0o022, hour_ago);
    // Written in another order, under umask 077, just now.
    let mut reversed = FILES.to_vec();
    reversed.reverse();
    checkout(&second, &reversed, 0o077, SystemTime::now());
    let (x, y) = (resolve(&first), resolve(&second));
    assert_eq!(x.sha256, y.sha256);
    assert_eq!(*x.bytes().unwrap(), *y.bytes().unwrap());
    assert_eq!(
        (x.kind, x.size, x.unzipped_size),
        (Kind::Directory, y.size, y.unzipped_size)
    );

    // What the zip holds: sorted names relative to the root, fixed time, 0644/0755, no extra fields.
    let bytes = x.bytes().unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).unwrap();
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        names.push(name.clone());
        assert_eq!(file.last_modified(), Some(zip::DateTime::default()));
        let executable = name == "bin/tool";
        assert_eq!(
            file.unix_mode().map(|m| m & 0o7777),
            Some(if executable { 0o755 } else { 0o644 }),
            "{name}"
        );
        assert!(file.extra_data().is_none_or(|e| e.is_empty()), "{name}");
        let mut contents = String::new();
        file.read_to_string(&mut contents).unwrap();
        let expected = FILES.iter().find(|f| f.0 == name).unwrap().1;
        assert_eq!(contents, expected);
    }
    assert_eq!(
        names,
        [
            "Z-upper.txt",
            "bin/tool",
            "index.py",
            "lib/b.txt",
            "lib/util.py"
        ]
    );
    // No path of this machine anywhere in the bytes.
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(a.path().to_str().unwrap()));
    assert!(!text.contains("orders"));
}

/// The packer's bytes are pinned: a new compressor, level or layout changes every asset's name, which
/// redeploys every function; this says so before a release does.
#[test]
fn the_packer_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    checkout(dir.path(), FILES, 0o022, SystemTime::now());
    assert_eq!(
        resolve(dir.path()).sha256,
        "a2650631d92342819adaab149bf5ffce28fd4aa69b8ea8287c241c93b48cc821",
        "the zip of the same files changed: if the packer changed on purpose, change `archive::PACKER` too"
    );
}

#[test]
fn a_changed_file_changes_exactly_its_asset() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    checkout(&one, FILES, 0o022, SystemTime::now());
    checkout(&two, &FILES[..2], 0o022, SystemTime::now());
    let (one_before, two_before) = (resolve(&one).sha256, resolve(&two).sha256);
    assert_ne!(one_before, two_before);

    fs::write(one.join("lib/b.txt"), "ccc").unwrap(); // same size, new content
    let one_after = resolve(&one).sha256;
    assert_ne!(one_after, one_before);
    assert_eq!(resolve(&two).sha256, two_before);

    // The executable bit is part of the zip, hence of the name.
    fs::set_permissions(one.join("index.py"), fs::Permissions::from_mode(0o755)).unwrap();
    let executable = resolve(&one).sha256;
    assert_ne!(executable, one_after);
    fs::set_permissions(one.join("index.py"), fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(resolve(&one).sha256, one_after);

    // A single file is zipped under its file name.
    let file = Asset::file(one.join("index.py")).resolve().unwrap();
    assert_eq!(file.kind, Kind::File);
    let bytes = file.bytes().unwrap();
    assert_eq!(names(&bytes), ["index.py"]);
}

/// The problems of a definition declaring `asset` (its line is the `// <- here` one of the caller).
fn problems_of(asset: impl Fn() -> Asset + Send + Sync + 'static) -> Vec<Diagnostic> {
    let app = App::new("assets")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stack("code", move |stack, _| {
            stack.asset(asset());
        });
    app.instantiate(&Selection::default()).problems
}

fn single(problems: Vec<Diagnostic>, line: u32, expected: &str) {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert!(p.message.contains(expected), "{}", p.message);
    let at = p.location.expect("located");
    assert_eq!((at.file(), at.line()), (file!(), line), "{}", p.message);
    assert_eq!(p.environment.as_deref(), Some("dev"));
    assert_eq!(p.stack.as_deref(), Some("code"));
}

#[test]
fn each_problem_is_located_at_the_declaration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();

    let missing = root.join("nope");
    let line = line!() + 1;
    let problems = problems_of(move || Asset::directory(missing.clone())); // <- here
    single(problems, line, "does not exist");

    let leaving = root.join("leaving");
    checkout(&leaving, FILES, 0o022, SystemTime::now());
    fs::write(root.join("secret"), "outside").unwrap();
    std::os::unix::fs::symlink("../secret", leaving.join("lib/secret")).unwrap();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::directory(leaving.clone()));
    single(problems, line, "symbolic link `lib/secret` in asset");

    // A link inside the directory is packed as the file it points to.
    let inside = root.join("inside");
    checkout(&inside, FILES, 0o022, SystemTime::now());
    std::os::unix::fs::symlink("../index.py", inside.join("lib/alias.py")).unwrap();
    let linked = Asset::directory(inside.clone()).resolve().unwrap();
    let bytes = linked.bytes().unwrap();
    assert!(names(&bytes).iter().any(|n| n == "lib/alias.py"));
    // A link to a directory that holds it is a loop.
    std::os::unix::fs::symlink("..", inside.join("lib/up")).unwrap();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::directory(inside.clone()));
    single(problems, line, "a loop");

    let special = root.join("special");
    checkout(&special, FILES, 0o022, SystemTime::now());
    rustix::fs::mknodat(
        rustix::fs::CWD,
        special.join("lib/pipe"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::directory(special.clone()));
    single(problems, line, "`lib/pipe` in asset");

    // 251 MB of (sparse) file: over the unzipped limit, found before anything is read.
    let large = root.join("large");
    fs::create_dir_all(&large).unwrap();
    fs::File::create(large.join("blob"))
        .unwrap()
        .set_len(251 * 1024 * 1024)
        .unwrap();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::directory(large.clone()));
    single(
        problems,
        line,
        "over Lambda's limit of 262144000 bytes (250 MB) unzipped",
    );

    let empty = root.join("empty");
    fs::create_dir_all(&empty).unwrap();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::directory(empty.clone()));
    single(problems, line, "holds no files");

    let failing = root.join("failing");
    fs::create_dir_all(&failing).unwrap();
    let line = line!() + 2;
    let problems = problems_of(move || {
        Asset::command(
            BuildCommand::new(failing.clone(), "sh", "dist")
                .args(["-c", "echo broken >&2; exit 3"]),
        )
    });
    single(problems, line, "broken");
}

#[test]
fn the_zipped_limit_is_lambdas_direct_upload_limit() {
    assert_eq!(stackwright_assets::LAMBDA_ZIPPED_LIMIT, 52_428_800);
    assert_eq!(stackwright_assets::LAMBDA_UNZIPPED_LIMIT, 262_144_000);
}

#[test]
fn a_stack_records_its_assets() {
    let dir = tempfile::tempdir().unwrap();
    checkout(dir.path(), FILES, 0o022, SystemTime::now());
    let path = dir.path().to_path_buf();
    let app = App::new("assets")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stack("code", move |stack, _| {
            let code = stack.asset(Asset::directory(path.clone()));
            // The object is a node of the stack, which each target spells (Terraform uploads it); the
            // same zip declared again is the same node.
            let again = stack.asset(Asset::directory(path.clone()));
            assert_eq!(code.s3_key(), again.s3_key());
            let Expr::Attr(key) = code.s3_key() else {
                panic!("the key is a reference to the asset's node")
            };
            let node = stack.resource(key.resource).unwrap();
            assert_eq!(node.kind, stackwright_aws::kinds::ASSET);
            assert_eq!(
                node.get("key").and_then(|v| v.as_expr()),
                Some(&Expr::from(format!("{}.zip", code.sha256())))
            );
            assert_eq!(
                stack
                    .resources()
                    .iter()
                    .filter(|r| r.kind == stackwright_aws::kinds::ASSET)
                    .count(),
                1
            );
        });
    let done = app.instantiate(&Selection::default());
    assert!(done.problems.is_empty(), "{:#?}", done.problems);
    let used = done.instances[0]
        .stack
        .extensions()
        .get::<UsedAssets>()
        .unwrap();
    assert_eq!(used.assets.len(), 2);
    assert!(used.assets[0].read_from_s3());
    assert_eq!(
        used.assets[0].tree_path(),
        format!("assets/{}.zip", used.assets[0].sha256)
    );
    // A path relative to the declaring crate is shown as written.
    let in_crate = stackwright_assets::asset_path!("tests");
    assert_eq!(in_crate.shown(), "tests");
    assert!(in_crate.resolve().ends_with("stackwright-assets/tests"));
    assert_eq!(AssetPath::from("x/y").shown(), "x/y");
}

/// The only test that forgets what the process remembered: the others run beside it and stay right
/// (forgetting costs them a packing, never a wrong byte).
#[test]
fn unchanged_sources_are_not_packed_or_built_again() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    // Old enough to be remembered (a file younger than 2 s is read again every time).
    let old = SystemTime::now() - Duration::from_secs(60);
    checkout(&code, FILES, 0o022, old);
    let first = resolve(&code);
    assert!(first.was_packed());
    let second = resolve(&code);
    assert!(!second.was_packed());
    assert_eq!(first.sha256, second.sha256);

    // A build command runs once for the same inputs; the log counts its runs.
    let project = dir.path().join("project");
    checkout(
        &project,
        &[("src/main.js", "console.log(1)\n", false)],
        0o022,
        old,
    );
    let build = || {
        Asset::command(
            BuildCommand::new(project.clone(), "sh", "dist")
                .args([
                    "-c",
                    "echo run >> ../runs.log && mkdir -p dist && cp src/main.js dist/index.js",
                ])
                .input("src"),
        )
        .resolve()
        .unwrap()
    };
    let runs = || {
        fs::read_to_string(dir.path().join("runs.log"))
            .unwrap()
            .lines()
            .count()
    };
    let built = build();
    assert!(built.was_packed());
    assert_eq!(runs(), 1);
    assert_eq!(built.kind, Kind::Command);
    assert!(!build().was_packed());
    assert_eq!(runs(), 1);

    // What the tree's cache file carries into a new process (forgotten here) is enough to skip both.
    let cache = stackwright_assets::save([&second, &built]);
    stackwright_assets::forget();
    assert!(stackwright_assets::load(&cache).unwrap() > 0);
    let again = resolve(&code);
    assert!(!again.was_packed());
    assert_eq!(again.sha256, first.sha256);
    let rebuilt = build();
    assert!(!rebuilt.was_packed());
    assert_eq!(runs(), 1);
    // Its bytes were never packed in this process: asking for them packs (or builds) again, checked
    // against the name.
    assert_eq!(*again.bytes().unwrap(), *first.bytes().unwrap());
    assert_eq!(rebuilt.bytes().unwrap().len() as u64, built.size);
    assert_eq!(runs(), 2);

    // A changed input builds again.
    fs::write(project.join("src/main.js"), "console.log(2)\n").unwrap();
    let changed = build();
    assert!(changed.was_packed());
    assert_ne!(changed.sha256, built.sha256);
    assert_eq!(runs(), 3);

    // A cache that is not one is refused whole.
    assert!(stackwright_assets::load(b"{\"format\": 1}").is_err());
    assert!(stackwright_assets::load(b"[]").is_err());
}

/// A same-size edit whose mtime is set back (`cp -p`, `rsync -t`, `touch -d`, tools that date files by
/// `SOURCE_DATE_EPOCH`) changes the file's ctime, which the cache's stamp holds: the new content is packed.
#[test]
fn a_same_size_edit_with_the_old_mtime_is_packed() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    let old = SystemTime::now() - Duration::from_secs(60);
    checkout(&code, &[("index.py", "X = 1\n", false)], 0o022, old);
    let before = resolve(&code);
    // Remembered under its stamp (old enough to be trusted).
    assert_eq!(resolve(&code).sha256, before.sha256);
    checkout(&code, &[("index.py", "X = 2\n", false)], 0o022, old);
    let meta = fs::metadata(code.join("index.py")).unwrap();
    assert_eq!(meta.modified().unwrap(), old);
    let after = resolve(&code);
    assert_ne!(after.sha256, before.sha256);
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(after.bytes().unwrap().to_vec())).unwrap();
    let mut text = String::new();
    zip.by_name("index.py")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "X = 2\n");
}

/// Builds in one directory take turns (an advisory lock on it, across threads and processes alike), from
/// before the command runs until its output is packed: each packs its own whole output.
#[test]
fn builds_in_one_directory_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let old = SystemTime::now() - Duration::from_secs(60);
    checkout(&project, &[("src/a.js", "a\n", false)], 0o022, old);
    // Each build logs its start and end, and writes its output in two steps with a pause between.
    let script =
        "echo start >> ../builds.log && rm -rf dist && mkdir dist && echo \"$1\" > dist/one.js && \
                  sleep 0.3 && echo \"$1\" > dist/two.js && echo end >> ../builds.log";
    let barrier = std::sync::Barrier::new(2);
    let names_of: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = ["first", "second"]
            .into_iter()
            .map(|word| {
                let (project, barrier) = (&project, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    // Different arguments: different command keys, so both build.
                    let asset = Asset::command(
                        BuildCommand::new(project.clone(), "sh", "dist")
                            .args(["-c", script, "build", word])
                            .input("src"),
                    )
                    .resolve()
                    .unwrap();
                    names(&asset.bytes().unwrap())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for names in names_of {
        assert_eq!(names, ["one.js", "two.js"]);
    }
    let log = fs::read_to_string(dir.path().join("builds.log")).unwrap();
    assert_eq!(log, "start\nend\nstart\nend\n");
}

/// An output that changes while it is packed (here a process the build left behind keeps appending to
/// it) is refused, not packed or remembered.
///
/// Whether the writer gets the CPU while the output is packed is up to the scheduler: on a loaded
/// machine a whole pack can fall between two of its writes, and then the pack is consistent and rightly
/// accepted. So the scenario runs up to five times, each in a fresh directory, and must be refused at
/// least once; an error other than the refusal fails at once.
#[test]
fn an_output_written_while_it_is_packed_is_refused() {
    // The writer must get the CPU while the output is packed: not while a Rust function builds.
    let _cpu = CPU.lock().unwrap_or_else(|e| e.into_inner());
    // The output holds 4 MB of random bytes, so that packing it takes a while, and a writer that appends
    // to it without pause: the build exits once the writer has begun. The writer stops as soon as its
    // directory is gone, or after 20 s.
    let script = "mkdir -p dist && echo x > dist/index.js && \
                  head -c 4000000 /dev/urandom > dist/big.bin && \
                  ( timeout 20 sh -c 'while echo x >> dist/log.txt; do :; done' ) \
                  >/dev/null 2>&1 </dev/null & \
                  while [ ! -s dist/log.txt ]; do sleep 0.01; done";
    let mut accepted = Vec::new();
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let old = SystemTime::now() - Duration::from_secs(60);
        checkout(&project, &[("src/a.js", "a\n", false)], 0o022, old);
        match Asset::command(
            BuildCommand::new(project.clone(), "sh", "dist")
                .args(["-c", script])
                .input("src"),
        )
        .resolve()
        {
            Err(error) => {
                assert!(
                    error.contains("changed while it was packed"),
                    "unexpected error: {error}"
                );
                return;
            }
            Ok(asset) => accepted.push(asset.unzipped_size),
        }
    }
    panic!(
        "an output written while it was packed was accepted 5 times out of 5 (unzipped sizes {accepted:?})"
    );
}

/// Held by the tests that need the machine's CPU (a Rust build) or its timing (a racing writer), so
/// that they never run at once.
static CPU: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A Rust binary crate of its own (a workspace of one, no dependencies), with its lock file.
const RUST_CRATE: &[(&str, &str, bool)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"hello-lambda\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        false,
    ),
    (
        "Cargo.lock",
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n\
         [[package]]\nname = \"hello-lambda\"\nversion = \"0.1.0\"\n",
        false,
    ),
    (
        "src/main.rs",
        "fn main() {\n    // A panic's location is a path the build must not leave absolute.\n    \
         let name = std::env::args().nth(1);\n    println!(\"hello {}\", name.as_deref().unwrap_or(\"lambda\"));\n    \
         if std::env::var_os(\"PANIC\").is_some() {\n        None::<u8>.unwrap();\n    }\n}\n",
        false,
    ),
];

/// The machine type of an ELF executable (62: x86-64, 183: AArch64).
fn elf_machine(bytes: &[u8]) -> u16 {
    assert_eq!(&bytes[..4], b"\x7fELF", "an ELF executable");
    u16::from_le_bytes([bytes[18], bytes[19]])
}

/// The same sources and toolchain give the same zip from two checkouts in different directories, with
/// different umasks and mtimes: the binary alone, as an executable `bootstrap`, for the architecture
/// asked. Needs cargo-zigbuild (`scripts/install-lambda-build.sh`).
#[test]
fn a_rust_function_builds_to_the_same_bytes_from_two_checkouts() {
    let _cpu = CPU.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(why) = stackwright_assets::untestable_here() {
        // Straight to stderr, past the test harness's capture: a skip is said even when the test passes.
        let _ = writeln!(
            std::io::stderr(),
            "NOT TESTED: Rust functions cannot be built on this machine: {why}"
        );
        return;
    }
    for architecture in stackwright_assets::Architecture::ALL {
        if let Some(why) = architecture.unavailable() {
            eprintln!(
                "NOT TESTED: {} functions cannot be built on this machine: {why}",
                architecture.lambda_name()
            );
            continue;
        }
        let mut built = Vec::new();
        for (umask, age) in [(0o022, 60), (0o077, 3600)] {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join(format!("checkout-{umask:o}"));
            checkout(
                &root,
                RUST_CRATE,
                umask,
                SystemTime::now() - Duration::from_secs(age),
            );
            // Each checkout is built, not found in what an earlier one remembered.
            stackwright_assets::forget();
            let asset = Asset::rust(
                stackwright_assets::RustFunction::new(root.clone(), "hello-lambda")
                    .architecture(architecture),
            )
            .resolve()
            .unwrap_or_else(|why| panic!("{why}"));
            assert!(asset.was_packed());
            assert_eq!(asset.kind, Kind::Rust);
            let bytes = asset.bytes().unwrap();
            assert_eq!(names(&bytes), ["bootstrap"]);
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
            let mut entry = zip.by_name("bootstrap").unwrap();
            assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
            let mut binary = Vec::new();
            entry.read_to_end(&mut binary).unwrap();
            let machine = match architecture {
                stackwright_assets::Architecture::X86_64 => 62,
                stackwright_assets::Architecture::Arm64 => 183,
            };
            assert_eq!(elf_machine(&binary), machine);
            let root_text = root.to_str().unwrap().as_bytes();
            assert!(
                !binary.windows(root_text.len()).any(|w| w == root_text),
                "the checkout's path is in the binary"
            );
            // Unchanged: found, not built again.
            let again = Asset::rust(
                stackwright_assets::RustFunction::new(root.clone(), "hello-lambda")
                    .architecture(architecture),
            )
            .resolve()
            .unwrap();
            assert!(!again.was_packed());
            built.push(asset.sha256.clone());
        }
        assert_eq!(
            built[0],
            built[1],
            "{}: two checkouts, two zips",
            architecture.lambda_name()
        );
        eprintln!(
            "{}: the same zip from both checkouts, {}",
            architecture.lambda_name(),
            built[0]
        );
    }
}

/// A package or binary the crate does not have, or no lock file, is an error at the declaring line.
#[test]
fn a_rust_function_s_bad_package_or_missing_lock_is_a_located_error() {
    use stackwright_assets::RustFunction;
    if let Some(why) = stackwright_assets::untestable_here() {
        // Straight to stderr, past the test harness's capture: a skip is said even when the test passes.
        let _ = writeln!(
            std::io::stderr(),
            "NOT TESTED: Rust functions cannot be built on this machine: {why}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    checkout(dir.path(), RUST_CRATE, 0o022, SystemTime::now());
    let path = dir.path().to_path_buf();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::rust(RustFunction::new(path.clone(), "nope"))); // <- here
    single(
        problems,
        line,
        "has no package `nope` (it has `hello-lambda`)",
    );

    let path = dir.path().to_path_buf();
    let x = RustFunction::new(path.clone(), "hello-lambda").bin("x");
    let line = line!() + 1;
    let problems = problems_of(move || Asset::rust(x.clone())); // <- here
    single(
        problems,
        line,
        "package `hello-lambda` has no binary `x` (binaries: hello-lambda)",
    );

    let bare = tempfile::tempdir().unwrap();
    checkout(bare.path(), &RUST_CRATE[..1], 0o022, SystemTime::now());
    fs::create_dir_all(bare.path().join("src")).unwrap();
    let unlocked = RustFunction::new(bare.path().to_path_buf(), "hello-lambda");
    let line = line!() + 1;
    let problems = problems_of(move || Asset::rust(unlocked.clone())); // <- here
    single(problems, line, "no Cargo.lock in its directory or above it");
}

/// Writes an OCI image layout of one image (a config, one layer, the manifest) under `root`, its files
/// made with `umask` and dated `mtime`; returns the manifest's sha256 (hex).
fn oci_layout(root: &Path, layer: &[u8], umask: u32, mtime: SystemTime) -> String {
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let config = br#"{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/app"]},"rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{}","size":{}}}]}}"#,
        hex(&config),
        config.len(),
        hex(layer),
        layer.len()
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{}","size":{}}}]}}"#,
        hex(manifest.as_bytes()),
        manifest.len()
    );
    let blobs: Vec<(String, Vec<u8>)> = [config, layer.to_vec(), manifest.clone().into_bytes()]
        .into_iter()
        .map(|b| (format!("blobs/sha256/{}", hex(&b)), b))
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".into(), index.into_bytes()),
    ];
    files.extend(blobs);
    for (path, bytes) in &files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o666 & !umask)).unwrap();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }
    hex(manifest.as_bytes())
}

/// An image from an OCI layout: tagged with its manifest's digest, kept as an OCI archive whose bytes
/// are the same from two checkouts (other umask, other mtimes), holding the layout's files sorted, owned
/// by root, dated 0.
#[test]
fn an_image_layout_is_an_archive_tagged_by_its_manifest_digest() {
    let mut archives = Vec::new();
    for (umask, age) in [(0o022, 60), (0o077, 7200)] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("image");
        let digest = oci_layout(
            &root,
            b"layer bytes",
            umask,
            SystemTime::now() - Duration::from_secs(age),
        );
        let asset = Asset::oci_layout(root.clone()).resolve().unwrap();
        assert_eq!(asset.kind, Kind::Image);
        assert_eq!(asset.image_tag(), Some(digest.as_str()));
        assert_eq!(asset.tree_path(), format!("assets/{}.tar", asset.sha256));
        let bytes = asset.bytes().unwrap();
        let mut archive = tar::Archive::new(&bytes[..]);
        let mut names = Vec::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let header = entry.header();
            assert_eq!(header.mtime().unwrap(), 0);
            assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
            assert_eq!(header.mode().unwrap(), 0o644);
            names.push(entry.path().unwrap().to_string_lossy().into_owned());
        }
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), 5, "{names:?}");
        archives.push((asset.sha256.clone(), bytes));
    }
    assert_eq!(archives[0], archives[1]);
}

/// A layout that is not one (no `oci-layout`), whose blob is not its name's content, or that holds two
/// images, is an error at the declaring line.
#[test]
fn a_broken_image_layout_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("image");
    oci_layout(&root, b"layer", 0o022, SystemTime::now());
    fs::remove_file(root.join("oci-layout")).unwrap();
    let at = root.clone();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::oci_layout(at.clone())); // <- here
    single(
        problems,
        line,
        "is not an OCI image layout: it has no `oci-layout`",
    );

    let damaged = dir.path().join("damaged");
    oci_layout(&damaged, b"layer", 0o022, SystemTime::now());
    let blob = fs::read_dir(damaged.join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| fs::read(p).unwrap() == b"layer")
        .unwrap();
    fs::write(&blob, b"tampered").unwrap();
    let at = damaged.clone();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::oci_layout(at.clone())); // <- here
    single(problems, line, "the layout is damaged");

    let two = dir.path().join("two");
    oci_layout(&two, b"layer", 0o022, SystemTime::now());
    let index = fs::read_to_string(two.join("index.json")).unwrap();
    let entry = &index[index.find('{').unwrap() + 1..];
    let entry = &entry[entry.find('{').unwrap()..entry.rfind(']').unwrap()];
    let doubled = index.replace(entry, &format!("{entry},{entry}"));
    fs::write(two.join("index.json"), doubled).unwrap();
    let at = two.clone();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::oci_layout(at.clone())); // <- here
    single(problems, line, "holds 2 images: expected exactly one");
}

/// A build context: a `FROM scratch` Dockerfile copying a directory and a file.
const IMAGE_CONTEXT: &[(&str, &str, bool)] = &[
    (
        "Dockerfile",
        "# a static site\nFROM scratch\nCOPY site /srv/site\nCOPY bin/serve /usr/local/bin/\n\
         ENV PORT=8080 MODE=static\nWORKDIR /srv\nUSER 1000\nEXPOSE 8080\nLABEL team=web\n\
         ENTRYPOINT [\"/usr/local/bin/serve\"]\nCMD [\"--root\", \\\n  \"/srv/site\"]\n",
        false,
    ),
    ("site/index.html", "<h1>hello</h1>\n", false),
    ("site/css/a.css", "h1 { color: red }\n", false),
    ("bin/serve", "#!/bin/serve\n", true),
];

/// The image's layout (files by name) from its archive.
fn layout_of(archive: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    for entry in tar::Archive::new(archive).entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(name, bytes);
    }
    out
}

/// A `FROM scratch` build context gives the same image (digest and archive) from two checkouts, with
/// the copied files at their destinations and the configuration the Dockerfile sets.
#[test]
fn a_scratch_build_context_gives_the_same_image_from_two_checkouts() {
    let mut built = Vec::new();
    for (umask, age) in [(0o022, 60), (0o077, 7200)] {
        let dir = tempfile::tempdir().unwrap();
        let context = dir.path().join(format!("context-{umask:o}"));
        checkout(
            &context,
            IMAGE_CONTEXT,
            umask,
            SystemTime::now() - Duration::from_secs(age),
        );
        let asset = Asset::image(stackwright_assets::ImageBuild::new(context))
            .resolve()
            .unwrap_or_else(|why| panic!("{why}"));
        assert_eq!(asset.kind, Kind::Image);
        built.push((
            asset.sha256.clone(),
            asset.image_tag().unwrap().to_owned(),
            asset.bytes().unwrap(),
        ));
    }
    assert_eq!(built[0], built[1]);
    let files = layout_of(&built[0].2);
    let blob = |digest: &str| &files[&format!("blobs/sha256/{}", &digest["sha256:".len()..])];
    let manifest: serde_json::Value =
        serde_json::from_slice(&files[&format!("blobs/sha256/{}", built[0].1)]).unwrap();
    let config: serde_json::Value =
        serde_json::from_slice(blob(manifest["config"]["digest"].as_str().unwrap())).unwrap();
    assert_eq!(config["architecture"], "amd64");
    assert_eq!(
        config["config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/serve"])
    );
    assert_eq!(
        config["config"]["Cmd"],
        serde_json::json!(["--root", "/srv/site"])
    );
    assert_eq!(
        config["config"]["Env"],
        serde_json::json!(["PORT=8080", "MODE=static"])
    );
    assert_eq!(config["config"]["User"], "1000");
    assert!(config.get("created").is_none());
    let gz = blob(manifest["layers"][0]["digest"].as_str().unwrap());
    let mut tar = Vec::new();
    flate2_read(gz, &mut tar);
    let mut names = Vec::new();
    for entry in tar::Archive::new(&tar[..]).entries().unwrap() {
        let entry = entry.unwrap();
        let mode = entry.header().mode().unwrap();
        names.push((entry.path().unwrap().to_string_lossy().into_owned(), mode));
    }
    assert_eq!(
        names,
        [
            ("srv/".to_owned(), 0o755),
            ("srv/site/".to_owned(), 0o755),
            ("srv/site/css/".to_owned(), 0o755),
            ("srv/site/css/a.css".to_owned(), 0o644),
            ("srv/site/index.html".to_owned(), 0o644),
            ("usr/".to_owned(), 0o755),
            ("usr/local/".to_owned(), 0o755),
            ("usr/local/bin/".to_owned(), 0o755),
            ("usr/local/bin/serve".to_owned(), 0o755),
        ]
    );
}

fn flate2_read(gz: &[u8], out: &mut Vec<u8>) {
    let mut decoder = flate2::read::GzDecoder::new(gz);
    decoder.read_to_end(out).unwrap();
}

/// A Rust function's binary in a `FROM scratch` image (`ImageBuild::rust_binary`), linked statically
/// (there is no C library in the image): the same image from two checkouts, the binary at its
/// destination, executable, with no program interpreter, and it runs; a context file of the binary's
/// name is an error.
#[test]
fn a_statically_linked_rust_binary_goes_into_a_scratch_image() {
    let _cpu = CPU.lock().unwrap_or_else(|e| e.into_inner());
    let function = |root: &Path| {
        stackwright_assets::RustFunction::new(root.to_path_buf(), "hello-lambda")
            .statically_linked()
    };
    let dockerfile = "FROM scratch\nCOPY bootstrap /bootstrap\nENTRYPOINT [\"/bootstrap\"]\n";
    let probe = tempfile::tempdir().unwrap();
    checkout(
        probe.path(),
        RUST_CRATE,
        0o022,
        SystemTime::now() - Duration::from_secs(60),
    );
    if let Err(why) = Asset::rust(function(probe.path())).resolve() {
        if why.contains("cannot link it statically") && std::env::var_os("CI").is_none() {
            let _ = writeln!(std::io::stderr(), "NOT TESTED: {why}");
            return;
        }
        panic!("{why}");
    }
    let mut built = Vec::new();
    for (umask, age) in [(0o022, 60), (0o077, 3600)] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(format!("checkout-{umask:o}"));
        let when = SystemTime::now() - Duration::from_secs(age);
        checkout(&root, RUST_CRATE, umask, when);
        let context = dir.path().join("image");
        checkout(&context, &[("Dockerfile", dockerfile, false)], umask, when);
        stackwright_assets::forget();
        let asset = Asset::image(
            stackwright_assets::ImageBuild::new(context.clone())
                .rust_binary("bootstrap", function(&root)),
        )
        .resolve()
        .unwrap_or_else(|why| panic!("{why}"));
        built.push((
            asset.image_tag().unwrap().to_owned(),
            asset.bytes().unwrap(),
        ));
        // Unchanged: found, neither built nor packed again.
        let again = Asset::image(
            stackwright_assets::ImageBuild::new(context.clone())
                .rust_binary("bootstrap", function(&root)),
        )
        .resolve()
        .unwrap();
        assert!(!again.was_packed());
        // The binary's name is the context's own: refused.
        fs::write(context.join("bootstrap"), "x").unwrap();
        let clash = Asset::image(
            stackwright_assets::ImageBuild::new(context).rust_binary("bootstrap", function(&root)),
        )
        .resolve()
        .unwrap_err();
        assert!(
            clash.contains("has a file `bootstrap`, where the binary of"),
            "{clash}"
        );
    }
    assert_eq!(built[0], built[1], "two checkouts, two images");
    let files = layout_of(&built[0].1);
    let blob = |digest: &str| &files[&format!("blobs/sha256/{}", &digest["sha256:".len()..])];
    let manifest: serde_json::Value =
        serde_json::from_slice(&files[&format!("blobs/sha256/{}", built[0].0)]).unwrap();
    let gz = blob(manifest["layers"][0]["digest"].as_str().unwrap());
    let mut tar = Vec::new();
    flate2_read(gz, &mut tar);
    let mut found = None;
    for entry in tar::Archive::new(&tar[..]).entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() == "bootstrap" {
            assert_eq!(entry.header().mode().unwrap(), 0o755);
            let mut binary = Vec::new();
            entry.read_to_end(&mut binary).unwrap();
            found = Some(binary);
        }
    }
    let binary = found.expect("the image has /bootstrap");
    assert_eq!(elf_machine(&binary), 62);
    // No program header of type PT_INTERP (3): nothing to load it with in a scratch image.
    let (offset, size, count) = (
        u64::from_le_bytes(binary[0x20..0x28].try_into().unwrap()) as usize,
        u16::from_le_bytes([binary[0x36], binary[0x37]]) as usize,
        u16::from_le_bytes([binary[0x38], binary[0x39]]) as usize,
    );
    assert!((0..count).all(|i| binary[offset + i * size..][..4] != [3, 0, 0, 0]));
    let run = tempfile::tempdir().unwrap();
    let path = run.path().join("bootstrap");
    fs::write(&path, &binary).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(&path)
        .arg("image")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello image\n");
}

/// What needs a real builder (a base image, `RUN`) or a shell (`ENTRYPOINT` in shell form) is an error at
/// the declaring line that says how to build it elsewhere.
#[test]
fn a_build_context_beyond_scratch_is_a_located_error() {
    for (dockerfile, expected) in [
        (
            "FROM alpine:3\n",
            "only `FROM scratch` images are built here",
        ),
        ("FROM scratch\nRUN make\n", "`RUN` is not built here"),
        (
            "FROM scratch\nENTRYPOINT /app --x\n",
            "expected the JSON form",
        ),
        (
            "FROM scratch\nCOPY nope /x\n",
            "no such file or directory in the context",
        ),
        ("COPY a /a\n", "expected `FROM scratch` first"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        checkout(
            dir.path(),
            &[("Dockerfile", dockerfile, false)],
            0o022,
            SystemTime::now(),
        );
        let build = stackwright_assets::ImageBuild::new(dir.path().to_path_buf());
        let line = line!() + 1;
        let problems = problems_of(move || Asset::image(build.clone())); // <- here
        single(problems, line, expected);
    }
}

/// An image built from a context is pushed to a registry as `list` publishes it (`skopeo copy
/// --preserve-digests oci-archive:<tar> docker://<repository>:<tag>`), and the registry holds it under
/// its tag with the digest it was tagged with. Needs skopeo and a registry on 127.0.0.1:
/// `scripts/check-image-push.sh` starts one (Debian's docker-registry) and runs this test.
#[test]
#[ignore = "needs skopeo and a local registry: scripts/check-image-push.sh"]
fn an_image_is_pushed_to_a_local_registry_with_its_digest() {
    let registry = std::env::var("STACKWRIGHT_TEST_REGISTRY")
        .expect("STACKWRIGHT_TEST_REGISTRY=127.0.0.1:<port> (scripts/check-image-push.sh sets it)");
    assert!(
        registry.starts_with("127.0.0.1:"),
        "a registry on loopback only: {registry}"
    );
    let dir = tempfile::tempdir().unwrap();
    let context = dir.path().join("context");
    checkout(&context, IMAGE_CONTEXT, 0o022, SystemTime::now());
    let asset = Asset::image(stackwright_assets::ImageBuild::new(context))
        .resolve()
        .unwrap();
    let tag = asset.image_tag().unwrap().to_owned();
    let archive = dir.path().join(format!("{}.tar", asset.sha256));
    fs::write(&archive, &*asset.bytes().unwrap()).unwrap();
    let reference = format!("{registry}/stackwright-assets:{tag}");
    let copy = std::process::Command::new("skopeo")
        .args(["copy", "--preserve-digests", "--dest-tls-verify=false"])
        .arg(format!("oci-archive:{}", archive.display()))
        .arg(format!("docker://{reference}"))
        .output()
        .expect("skopeo runs");
    assert!(
        copy.status.success(),
        "skopeo copy: {}",
        String::from_utf8_lossy(&copy.stderr)
    );
    let inspect = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{reference}"))
        .output()
        .expect("skopeo runs");
    assert!(
        inspect.status.success(),
        "skopeo inspect: {}",
        String::from_utf8_lossy(&inspect.stderr)
    );
    use sha2::Digest as _;
    let pushed: String = sha2::Sha256::digest(&inspect.stdout)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        pushed, tag,
        "the registry's manifest is the image's, byte for byte"
    );
    eprintln!("pushed {reference} (manifest sha256:{pushed})");
}

/// `Asset::directory` of a file and `Asset::file` of a directory would be listed as what they are not;
/// a Rust function in a directory that does not exist is said to be that, whatever the machine's tools.
#[test]
fn a_source_of_the_wrong_kind_or_a_missing_crate_directory_is_a_located_error() {
    use stackwright_assets::RustFunction;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handler.py");
    fs::write(&file, "pass\n").unwrap();
    let path = file.clone();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::directory(path.clone())); // <- here
    single(
        problems,
        line,
        "is declared with `Asset::directory` but is not a directory: use `Asset::file` for one file",
    );

    let path = dir.path().to_path_buf();
    let line = line!() + 1;
    let problems = problems_of(move || Asset::file(path.clone())); // <- here
    single(
        problems,
        line,
        "is declared with `Asset::file` but is not a file: use `Asset::directory`",
    );

    let missing = dir.path().join("no-such-crate");
    let line = line!() + 1;
    let problems = problems_of(move || Asset::rust(RustFunction::new(missing.clone(), "x"))); // <- here
    single(
        problems,
        line,
        "no-such-crate` does not exist or is not a directory (looked for `",
    );
}

/// A failed build says its command as a shell would read it and its last lines in the order written,
/// standard output and error interleaved.
#[test]
fn a_failed_build_shows_its_quoted_command_and_its_output_in_order() {
    use stackwright_assets::BuildCommand;
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/a.txt"), "a\n").unwrap();
    let root = dir.path().to_path_buf();
    let line = line!() + 2;
    let problems = problems_of(move || {
        Asset::command(
            BuildCommand::new(root.clone(), "sh", "dist")
                .args(["-c", "echo line1; echo oops >&2; echo line3; exit 3"])
                .input("src"),
        )
    });
    single(
        problems.clone(),
        line,
        "build command `sh -c 'echo line1; echo oops >&2; echo line3; exit 3'` in `",
    );
    assert!(
        problems[0].message.ends_with(
            "failed (exit status: 3); its last lines of output:\n  line1\n  oops\n  line3"
        ),
        "{}",
        problems[0].message
    );
}
