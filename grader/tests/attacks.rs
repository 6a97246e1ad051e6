//! The attack gallery: submissions written to raise their own grade or
//! lower someone else's, graded beside honest ones. Each attack is a small
//! task01 program (or a build-time trick) that knows every path of this
//! machine; what it tries is listed in `RUNTIME_ATTACKS`.
//!
//! These tests need the sandbox (namespaces, landlock, root); where the
//! machine lacks it they say why and pass without grading anything. They
//! run one at a time, as each looks for any sandboxed process left alive.

mod common;

use serial_test::serial;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What the batch's environment holds and no student program may read.
const SECRET: &str = "hunter2-grader-test-secret";

fn grader_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_grader"))
}

/// Why the sandbox can't be tested here, if it can't.
fn unsupported() -> Option<String> {
    grader::sandbox::use_launcher(&grader_exe());
    let support = grader::sandbox::support();
    (!support.complete()).then(|| support.missing())
}

macro_rules! needs_sandbox {
    () => {
        if let Some(why) = unsupported() {
            eprintln!("skipped: this machine cannot sandbox ({why})");
            return;
        }
    };
}

/// The reference's task folders, as an honest student hands them in.
fn honest(at: &Path) {
    for task in common::packages() {
        let from = common::workspace_root().join(task);
        common::copy_workspace(&from.join("src"), &at.join(task).join("src"));
        fs::copy(from.join("Cargo.toml"), at.join(task).join("Cargo.toml")).unwrap();
    }
}

/// Paths an attacker would aim at, filled into the attacks' sources.
struct Targets {
    workspace: PathBuf,
    out: PathBuf,
    other_student: PathBuf,
}

impl Targets {
    fn fill(&self, text: &str) -> String {
        text.replace("@WS@", &self.workspace.display().to_string())
            .replace("@GRADER@", &grader_exe().display().to_string())
            .replace("@OUT@", &self.out.display().to_string())
            .replace("@OTHER@", &self.other_student.display().to_string())
            .replace("@STORE@", &store().display().to_string())
    }
}

fn store() -> PathBuf {
    std::env::temp_dir().join("grader-store-0")
}

/// Everything a program can try once it runs. Each attempt prints
/// `attack NAME: blocked (why)` or `attack NAME: SUCCEEDED what` on stderr.
const RUNTIME_ATTACKS: &str = r#"
mod attack {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::Duration;

    fn report(name: &str, result: std::io::Result<String>) {
        match result {
            Ok(what) => eprintln!("attack {name}: SUCCEEDED {what}"),
            Err(e) => eprintln!("attack {name}: blocked ({e})"),
        }
    }

    fn refused(why: &str) -> std::io::Error {
        std::io::Error::other(why.to_string())
    }

    fn write(path: &str) -> std::io::Result<String> {
        std::fs::OpenOptions::new().append(true).create(true).open(path)?.write_all(b"fn main() {}\n")?;
        Ok(format!("wrote {path}"))
    }

    pub fn run(heavy: bool) {
        report("write-workspace", write("@WS@/task01_connect/build.rs"));
        report("write-grader", write("@GRADER@"));
        report("write-results", write("@OUT@/grades.csv"));
        report("write-tmp", write("/tmp/attack-was-here"));
        report("read-reference", std::fs::read_to_string("@WS@/task03_echo/src/bin/server.rs"));
        report("read-other-student", std::fs::read_to_string("@OTHER@"));
        report("read-store", std::fs::read_dir("@STORE@/exe").map(|d| format!("{} files", d.count())));
        report("read-secret", std::env::var("GRADER_TEST_SECRET").map_err(|_| refused("not set")));
        report(
            "run-reference",
            Command::new("@WS@/target/debug/task01-server").arg("--version").output().and_then(|o| {
                if o.status.success() {
                    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
                } else {
                    Err(refused("it did not run"))
                }
            }),
        );
        // Every process of the grading this one can see, and a signal for each.
        let mut seen = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            // The grader and other students' programs are the targets.
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            if pid != std::process::id() && pid > 1 && (cmdline.contains("grader") || cmdline.contains("task0")) {
                seen.push(pid);
            }
        }
        let killed = seen.iter().filter(|pid| {
            Command::new("kill").args(["-STOP", &pid.to_string()]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
        }).count();
        report(
            "stop-others",
            match (killed, seen.len()) {
                (0, 0) => Err(refused("no process of the grading is visible")),
                (0, n) => Err(refused(&format!("stopped none of {n}"))),
                _ => Ok(format!("stopped {killed} of {seen:?}")),
            },
        );
        report(
            "signal-init",
            Command::new("kill").args(["-KILL", "1"]).stderr(Stdio::null()).status().and_then(|s| {
                if s.success() { Ok("sent".into()) } else { Err(refused("not permitted")) }
            }),
        );
        // A user namespace, where it would hold every capability (no uid
        // map: writing one is landlock's to refuse, not what is tried here).
        report(
            "unshare-user",
            Command::new("unshare").args(["--user", "id", "-u"]).output().and_then(|o| {
                if o.status.success() {
                    Ok(format!("uid {} in a namespace of its own", String::from_utf8_lossy(&o.stdout).trim()))
                } else {
                    Err(refused(String::from_utf8_lossy(&o.stderr).trim()))
                }
            }),
        );
        // A writer that outlives this program, in a session of its own.
        let _ = Command::new("sh")
            .args(["-c", "sleep 2; echo hacked > @OUT@/index.html; echo hacked > @WS@/README.md"])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if !heavy {
            return;
        }
        // Fill the disk from the working folder.
        let mut written = 0u64;
        let chunk = vec![7u8; 1 << 20];
        let filled = (|| -> std::io::Result<String> {
            for i in 0..100 {
                let mut file = std::fs::File::create(format!("fill-{i}"))?;
                for _ in 0..4 {
                    file.write_all(&chunk)?;
                    written += chunk.len() as u64;
                }
            }
            Ok(format!("wrote {written} bytes"))
        })();
        report("fill-disk", filled);
        report(
            "memory",
            Vec::<u8>::new().try_reserve_exact(16 << 30).map(|_| "16 GiB".into()).map_err(|e| refused(&e.to_string())),
        );
        let mut children = Vec::new();
        let bomb = loop {
            match Command::new("sleep").arg("30").stdout(Stdio::null()).spawn() {
                Ok(child) if children.len() < 3000 => children.push(child),
                Ok(child) => { children.push(child); break Ok(format!("{} processes", children.len())); }
                Err(e) => break Err(refused(&format!("after {} processes: {e}", children.len()))),
            }
        };
        report("fork-bomb", bomb);
        // Other students' servers: anything listening on loopback but us.
        let mut open = Vec::new();
        for port in 30000..61000u16 {
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(20)) {
                let _ = stream.write_all(&[0xff; 4096]);
                let mut sink = [0u8; 64];
                let _ = stream.set_read_timeout(Some(Duration::from_millis(5)));
                let _ = stream.read(&mut sink);
                open.push(port);
            }
        }
        eprintln!("attack scan: {} ports answered on loopback: {open:?}", open.len());
    }
}
"#;

/// A task01 (the reference's) whose server's source `edit` rewrites.
fn task01_with(at: &Path, edit: impl FnOnce(String) -> String) {
    reference_with(at, "task01_connect", edit);
}

/// A reference task whose server's source `edit` rewrites.
fn reference_with(at: &Path, task: &str, edit: impl FnOnce(String) -> String) {
    let from = common::workspace_root().join(task);
    let to = at.join(task);
    common::copy_workspace(&from.join("src"), &to.join("src"));
    fs::copy(from.join("Cargo.toml"), to.join("Cargo.toml")).unwrap();
    let server = to.join("src/bin/server.rs");
    let text = fs::read_to_string(&server).unwrap();
    assert!(
        text.contains(MAIN_STARTS),
        "the reference server's main changed"
    );
    fs::write(&server, edit(text)).unwrap();
}

/// The line `main` starts with, after which the attacks go.
const MAIN_STARTS: &str = "    let args = Args::parse();";

/// A task01 whose server runs `RUNTIME_ATTACKS` before serving as the
/// reference does.
fn runtime_attacker(at: &Path, targets: &Targets, heavy: bool) {
    task01_with(at, |text| {
        let call = format!("{MAIN_STARTS}\n    attack::run({heavy});");
        text.replacen(MAIN_STARTS, &call, 1) + &targets.fill(RUNTIME_ATTACKS)
    });
}

/// A task01 whose server's source ends with `item`, which defines a
/// constant `STOLEN` that its `main` prints.
fn build_time_attacker(at: &Path, item: &str) {
    task01_with(at, |text| {
        let print = format!("{MAIN_STARTS}\n    eprintln!(\"stolen: {{:?}}\", STOLEN);");
        format!("{}\n{item}\n", text.replacen(MAIN_STARTS, &print, 1))
    });
}

/// Text of the reference solutions that no report may hold: every line
/// inside a solution region, long enough to be distinctive, that the
/// student edition does not ship elsewhere.
fn reference_lines() -> Vec<String> {
    let root = common::workspace_root();
    let mut lines = Vec::new();
    for task in common::packages() {
        for bin in ["server", "client"] {
            let text =
                fs::read_to_string(root.join(task).join(format!("src/bin/{bin}.rs"))).unwrap();
            let mut inside = false;
            for line in text.lines() {
                let line = line.trim();
                if line.starts_with("// BEGIN SOLUTION") {
                    inside = true;
                } else if line.starts_with("// END SOLUTION") {
                    inside = false;
                } else if inside && line.len() > 40 && !line.starts_with("// STARTER") {
                    lines.push(line.to_string());
                }
            }
        }
    }
    assert!(lines.len() > 20, "too few reference lines: {lines:?}");
    lines
}

/// Every file under `dir` (less `skip`ped names) with a hash of its bytes.
fn snapshot(dir: &Path, skip: &[&str]) -> BTreeMap<PathBuf, blake3::Hash> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if skip.contains(&name.as_str()) {
                continue;
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                files.insert(entry.path(), blake3::hash(&fs::read(entry.path()).unwrap()));
            }
        }
    }
    files
}

/// Processes of a sandbox user still alive (user ids from 1 000 000 up).
fn jailed_processes() -> Vec<String> {
    common::processes_of_users(|uid| uid >= 1_000_000)
}

/// Asserts that no file of `dir` changed since `before`, naming any that did.
fn assert_unchanged(before: &BTreeMap<PathBuf, blake3::Hash>, dir: &Path, skip: &[&str]) {
    let after = snapshot(dir, skip);
    let changed: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|f| before.get(*f) != after.get(*f))
        .collect();
    assert!(
        changed.is_empty(),
        "files changed under {}: {changed:#?}",
        dir.display()
    );
}

fn grades(csv: &Path) -> BTreeMap<String, (String, String)> {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (total, status) = (column("total"), column("status"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                (r[total].to_string(), r[status].to_string()),
            )
        })
        .collect()
}

/// Every file the grader wrote under `dir`, but the sources a batch keeps
/// of each student for the similarity page (`sources.json`): what the
/// student handed in, attack code and copies of the reference included,
/// not anything a program wrote.
fn all_text(dir: &Path) -> String {
    snapshot(dir, &[])
        .keys()
        .filter(|f| !f.ends_with("sources.json"))
        .map(|f| String::from_utf8_lossy(&fs::read(f).unwrap()).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[serial]
fn every_runtime_attack_is_blocked_and_said_so() {
    needs_sandbox!();
    let dir = common::scratch("attack-one");
    let targets = Targets {
        workspace: common::workspace_root(),
        out: dir.join("out"),
        other_student: dir.join("honest/task03_echo/src/bin/server.rs"),
    };
    honest(&dir.join("honest"));
    fs::create_dir_all(&targets.out).unwrap();
    fs::write(targets.out.join("grades.csv"), "student\n").unwrap();
    runtime_attacker(&dir.join("attacker"), &targets, true);
    let before = snapshot(&common::workspace_root(), &["target", ".git"]);
    let started = Instant::now();
    let output = Command::new(grader_exe())
        .current_dir(common::workspace_root())
        .env("GRADER_TEST_SECRET", SECRET)
        // Stretched waits: the fork bomb runs until the submission's
        // budget of processes refuses one, which takes a busy machine
        // longer than a server's usual time to start.
        .args(["task01", "--timeout-scale", "4"])
        .args(["--format", "json", "--verbose", "--submission"])
        .arg(dir.join("attacker"))
        .args(["--target-dir"])
        .arg(common::shared_target())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        started.elapsed() < Duration::from_secs(300),
        "took {:?}",
        started.elapsed()
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(report["sandbox"]["mode"], "sandboxed", "{report:#}");
    let said = stdout.to_string();
    for attack in [
        "write-workspace",
        "write-grader",
        "write-results",
        "write-tmp",
        "read-reference",
        "read-other-student",
        "read-store",
        "read-secret",
        "run-reference",
        "stop-others",
        "signal-init",
        "unshare-user",
        "fill-disk",
        "memory",
        "fork-bomb",
    ] {
        assert!(
            said.contains(&format!("attack {attack}: blocked")),
            "attack {attack} did not report being blocked:\n{said}"
        );
    }
    assert!(!said.contains("SUCCEEDED"), "an attack succeeded:\n{said}");
    assert!(!said.contains(SECRET), "the secret leaked:\n{said}");
    // The scan finds nothing but what this submission's own check opened.
    assert!(said.contains("attack scan:"), "{said}");
    assert_unchanged(&before, &common::workspace_root(), &["target", ".git"]);
    assert_eq!(
        fs::read_to_string(targets.out.join("grades.csv")).unwrap(),
        "student\n"
    );
    assert!(!Path::new("/tmp/attack-was-here").exists());
    let alive = jailed_processes();
    assert!(alive.is_empty(), "still alive after grading: {alive:#?}");
}

#[test]
#[serial]
fn a_class_with_attackers_grades_every_honest_student_as_alone() {
    needs_sandbox!();
    let dir = common::scratch("attack-class");
    let class = dir.join("class");
    let out = dir.join("out");
    let targets = Targets {
        workspace: common::workspace_root(),
        out: out.clone(),
        other_student: class.join("honest-1/task03_echo/src/bin/server.rs"),
    };
    // Eight honest students: seven right, one with a greeting that lacks
    // its newline (graded alone first, for its solo grade).
    for i in 1..=7 {
        honest(&class.join(format!("honest-{i}")));
    }
    let partly = class.join("honest-8");
    honest(&partly);
    let greeting = partly.join("task02_greeting/src/bin/server.rs");
    let text = fs::read_to_string(&greeting).unwrap();
    let newline = "format!(\"{greeting}\\n\")";
    assert!(text.contains(newline), "the greeting's write changed");
    fs::write(&greeting, text.replace(newline, "greeting.to_string()")).unwrap();

    // Eight attackers.
    runtime_attacker(&class.join("attack-runtime"), &targets, false);
    runtime_attacker(&class.join("attack-heavy"), &targets, true);
    let reference = common::workspace_root().join("task03_echo/src/bin/server.rs");
    build_time_attacker(
        &class.join("attack-include"),
        &format!(
            "const STOLEN: &str = include_str!(\"{}\");",
            reference.display()
        ),
    );
    build_time_attacker(
        &class.join("attack-path-mod"),
        &format!(
            "#[path = \"{}\"]\n#[allow(dead_code)]\nmod stolen;\nconst STOLEN: &str = \"\";",
            reference.display()
        ),
    );
    build_time_attacker(
        &class.join("attack-env"),
        "const STOLEN: Option<&str> = option_env!(\"GRADER_TEST_SECRET\");",
    );
    let build_rs = class.join("attack-build-script");
    honest(&build_rs);
    fs::write(
        build_rs.join("task01_connect/build.rs"),
        targets.fill("fn main() { std::fs::write(\"@WS@/README.md\", \"hacked\").unwrap(); }"),
    )
    .unwrap();
    let link = class.join("attack-symlink/task03_echo");
    fs::create_dir_all(&link).unwrap();
    std::os::unix::fs::symlink(
        common::workspace_root().join("task03_echo/src"),
        link.join("src"),
    )
    .unwrap();
    fs::create_dir_all(class.join("attack-empty/notes")).unwrap();
    fs::write(
        class.join("attack-empty/notes/readme.txt"),
        "nothing to see",
    )
    .unwrap();

    // Alone and without the sandbox: what the sandbox and the class
    // around it must not change.
    let solo = Command::new(grader_exe())
        .current_dir(common::workspace_root())
        .args(["--format", "json", "--unsandboxed", "--submission"])
        .arg(&partly)
        .arg("--target-dir")
        .arg(common::shared_target())
        .output()
        .unwrap();
    let solo: serde_json::Value = serde_json::from_slice(&solo.stdout).unwrap();
    let solo_score = solo["score"].as_u64().unwrap().to_string();
    let full: u32 = grader::tasks::all().iter().map(|t| t.max_points()).sum();
    assert_ne!(
        solo_score,
        full.to_string(),
        "the partly wrong submission must lose points"
    );

    let before = snapshot(&common::workspace_root(), &["target", ".git"]);
    let honest_before = snapshot(&class, &[]);
    let started = Instant::now();
    let batch = Command::new(grader_exe())
        .current_dir(common::workspace_root())
        .env("GRADER_TEST_SECRET", SECRET)
        .args([
            "batch", "--jobs", "2", "--budget", "240", "--format", "human", "--out",
        ])
        .arg(&out)
        .arg(&class)
        .arg("--target-dir")
        .arg(common::shared_target())
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&batch.stdout),
        String::from_utf8_lossy(&batch.stderr)
    );
    eprintln!("batch of 16 in {elapsed:?}:\n{said}");
    assert!(batch.status.success(), "{said}");
    // Anything a detached writer would do happens within its two seconds;
    // nothing of a sandbox user is left to do it.
    let alive = jailed_processes();
    assert!(alive.is_empty(), "still alive after the batch: {alive:#?}");

    let grades = grades(&out.join("grades.csv"));
    assert_eq!(grades.len(), 16, "{grades:#?}");
    for i in 1..=7 {
        assert_eq!(
            grades[&format!("honest-{i}")],
            (full.to_string(), "graded".into())
        );
    }
    assert_eq!(
        grades["honest-8"].0, solo_score,
        "honest-8 in the sandboxed batch vs alone unsandboxed"
    );
    // Attackers hand in task01 at most: its points, earned by serving as
    // the reference does, whatever else they tried.
    let task01 = grader::tasks::by_number(1).unwrap().max_points();
    for (student, (total, status)) in &grades {
        if student.starts_with("attack") {
            let total: u32 = total.parse().unwrap_or(0);
            assert!(
                total <= task01 || student == "attack-build-script",
                "{student}: {total} ({status})"
            );
        }
    }
    assert_eq!(grades["attack-symlink"].1, "rejected", "{grades:#?}");
    assert_eq!(
        grades["attack-empty"].1, "no task folders found",
        "{grades:#?}"
    );
    // Reading the reference while compiling fails, and says why: denied,
    // or not there at all when the workspace is under /tmp, which the
    // build's own /tmp hides.
    for student in ["attack-include", "attack-path-mod"] {
        assert_eq!(grades[student].1, "did not build", "{student}: {grades:#?}");
        let report = out.join("students").join(student).join("report.json");
        let report = fs::read_to_string(report).unwrap();
        assert!(
            report.contains("Permission denied") || report.contains("No such file or directory"),
            "{student}: {report}"
        );
    }
    // A build script is refused, with a note saying so.
    let report = fs::read_to_string(out.join("students/attack-build-script/report.json")).unwrap();
    assert!(report.contains("build.rs"), "{report}");

    assert_unchanged(&before, &common::workspace_root(), &["target", ".git"]);
    assert_unchanged(&honest_before, &class, &[]);
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("Every graded submission ran in the sandbox"),
        "{index}"
    );
    assert!(
        grades["attack-runtime"].1 == "graded",
        "a task not handed in is no build failure: {grades:#?}"
    );
    let text = all_text(&out);
    assert!(!text.contains(SECRET), "the secret reached a report");
    assert!(!text.contains("hacked"), "a report was overwritten");
    for i in 1..=8 {
        let kept = out.join(format!("students/honest-{i}/sources.json"));
        let kept = fs::read_to_string(&kept).unwrap_or_default();
        assert!(
            !kept.contains("hacked"),
            "honest-{i}'s kept sources were written to"
        );
    }
    for line in reference_lines() {
        assert!(
            !text.contains(&line),
            "a report holds reference text: {line}"
        );
    }
    assert!(elapsed < Duration::from_secs(600), "{elapsed:?}");
}

// The build's jail and the store.

/// Grades `submission` (its tasks `tasks`, or all) sandboxed, with `TMPDIR`
/// set to `tmpdir` if given and `extra` arguments, and returns the JSON
/// report and everything printed.
fn grade_submission(
    submission: &Path,
    tasks: &[&str],
    tmpdir: Option<&Path>,
    extra: &[&str],
) -> (serde_json::Value, String) {
    let mut command = Command::new(grader_exe());
    if let Some(tmpdir) = tmpdir {
        command.env("TMPDIR", tmpdir);
    }
    let output = command
        .current_dir(common::workspace_root())
        .args(tasks)
        .args(["--format", "json", "--submission"])
        .arg(submission)
        .arg("--target-dir")
        .arg(common::shared_target())
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let said = format!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let report =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no JSON report ({e}):\n{said}"));
    (report, said)
}

fn task_score(report: &serde_json::Value, task: &str) -> (u64, u64) {
    let task = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"] == task)
        .unwrap_or_else(|| panic!("no {task} in {report:#}"));
    (
        task["score"].as_u64().unwrap(),
        task["max_score"].as_u64().unwrap(),
    )
}

/// A temporary folder of the test's own, for `TMPDIR`: the store in it is
/// this test's alone.
fn own_tmpdir(dir: &Path) -> PathBuf {
    let tmpdir = dir.join("tmp");
    fs::create_dir_all(&tmpdir).unwrap();
    tmpdir
}

/// A temporary folder only root may enter, as `mktemp -d`, a systemd
/// PrivateTmp or `$XDG_RUNTIME_DIR` give.
fn private_tmpdir(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let private = dir.join("private-tmp");
    fs::create_dir_all(&private).unwrap();
    fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
    private
}

#[test]
#[serial]
fn the_build_reads_nothing_but_its_workspace_toolchain_and_crates() {
    needs_sandbox!();
    use std::os::unix::fs::PermissionsExt;
    let dir = common::scratch("attack-build-reads");
    // Root-only files where an attacker would look: the system's, and the
    // instructor's cargo home (where credentials.toml lives).
    let canary = format!("canary-{}-do-not-leak", std::process::id());
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let secrets = [
        PathBuf::from(format!("/etc/grader-canary-{}", std::process::id())),
        cargo_home.join(format!("grader-canary-{}.toml", std::process::id())),
    ];
    for file in &secrets {
        fs::write(file, &canary).unwrap();
        fs::set_permissions(file, fs::Permissions::from_mode(0o600)).unwrap();
    }
    let attacks = [
        (
            "include-str",
            format!("const STOLEN: &str = include_str!({:?});", secrets[0]),
        ),
        (
            "include-bytes",
            format!("const STOLEN: &[u8] = include_bytes!({:?});", secrets[1]),
        ),
        (
            "path-mod",
            format!(
                "#[path = {:?}]\n#[allow(dead_code)]\nmod stolen;\nconst STOLEN: &str = \"\";",
                secrets[0]
            ),
        ),
        (
            "proc",
            "const STOLEN: &str = include_str!(\"/proc/1/environ\");".to_string(),
        ),
    ];
    let tmpdir = own_tmpdir(&dir);
    for (name, item) in &attacks {
        let student = dir.join(name);
        build_time_attacker(&student, item);
        let gradescope = dir.join(format!("{name}-results.json"));
        let (report, said) = grade_submission(
            &student,
            &["task01"],
            Some(&tmpdir),
            &["--output", &format!("gradescope={}", gradescope.display())],
        );
        let task = &report["tasks"][0];
        assert_eq!(task["build"], "failed", "{name}: {report:#}");
        let errors = task["build_errors"].to_string();
        assert!(
            errors.contains("Permission denied") || errors.contains("No such file"),
            "{name}: {errors}"
        );
        let results = fs::read_to_string(&gradescope).unwrap();
        for text in [&said, &results] {
            assert!(
                !text.contains(&canary),
                "{name}: the canary leaked:\n{text}"
            );
        }
    }
    for file in &secrets {
        fs::remove_file(file).unwrap();
    }
}

#[test]
#[serial]
fn a_build_that_reads_dev_zero_ends_at_its_memory_limit() {
    needs_sandbox!();
    let dir = common::scratch("attack-build-zero");
    let student = dir.join("zero");
    build_time_attacker(
        &student,
        "static STOLEN: &[u8] = include_bytes!(\"/dev/zero\");",
    );
    let tmpdir = own_tmpdir(&dir);
    let started = Instant::now();
    let (report, said) = grade_submission(&student, &["task01"], Some(&tmpdir), &[]);
    assert!(started.elapsed() < Duration::from_secs(120), "{said}");
    let task = &report["tasks"][0];
    assert_eq!(task["build"], "failed", "{report:#}");
    let errors = task["build_errors"].to_string();
    assert!(
        errors.contains("memory"),
        "the limit is not named: {errors}"
    );
}

#[test]
#[serial]
fn a_private_tmpdir_grades_the_reference_in_full() {
    needs_sandbox!();
    let dir = common::scratch("attack-private-tmp");
    honest(&dir.join("honest"));
    let tmpdir = private_tmpdir(&dir);
    let tasks = ["task01", "task04"];
    let (report, said) = grade_submission(&dir.join("honest"), &tasks, Some(&tmpdir), &[]);
    assert_eq!(report["sandbox"]["mode"], "sandboxed", "{said}");
    assert_eq!(report["score"], report["max_score"], "{said}");
}

#[test]
#[serial]
fn a_store_entry_replaced_during_a_run_costs_the_honest_student_nothing() {
    needs_sandbox!();
    let dir = common::scratch("attack-store-race");
    honest(&dir.join("honest"));
    let tmpdir = own_tmpdir(&dir);
    let tasks = ["task01", "task02", "task03"];
    // A first run fills the store; during the second, every entry is
    // replaced by a fresh copy of itself again and again, as a grader
    // that kept the same executable at the same moment once did.
    let (first, said) = grade_submission(&dir.join("honest"), &tasks, Some(&tmpdir), &[]);
    assert_eq!(first["score"], first["max_score"], "{said}");
    let exe = tmpdir.join("grader-store-0/exe");
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let racer = std::thread::spawn(move || {
        let mut replaced = 0;
        while stopped.recv_timeout(Duration::from_millis(20)).is_err() {
            for entry in fs::read_dir(&exe).unwrap().flatten() {
                let path = entry.path();
                if path.extension().is_some() {
                    continue;
                }
                let copy = path.with_extension("racer");
                if fs::copy(&path, &copy).is_ok() && fs::rename(&copy, &path).is_ok() {
                    replaced += 1;
                }
            }
        }
        replaced
    });
    let (second, said) = grade_submission(&dir.join("honest"), &tasks, Some(&tmpdir), &[]);
    stop.send(()).unwrap();
    let replaced = racer.join().unwrap();
    assert!(replaced > 10, "the race never ran: {replaced} replacements");
    assert_eq!(second["score"], second["max_score"], "{said}");
}

#[test]
#[serial]
fn a_file_included_from_another_task_is_part_of_the_build_cache_key() {
    needs_sandbox!();
    let dir = common::scratch("attack-include-cache");
    let tmpdir = own_tmpdir(&dir);
    // Both students hand in the same task01 files; their server includes
    // a file of task02's folder, which differs.
    let student = |name: &str, included: &str| {
        let at = dir.join(name);
        honest(&at);
        let server = at.join("task01_connect/src/bin/server.rs");
        let text = fs::read_to_string(&server).unwrap();
        let call = format!("{MAIN_STARTS}\n    tweak();");
        let text = text.replacen(MAIN_STARTS, &call, 1)
            + "include!(\"../../../task02_greeting/src/tweak.rs\");\n";
        fs::write(&server, text).unwrap();
        fs::write(at.join("task02_greeting/src/tweak.rs"), included).unwrap();
        at
    };
    let salt = std::process::id();
    let attacker = student(
        "attacker",
        &format!("fn tweak() {{ let _ = {salt}; std::process::exit(3) }}\n"),
    );
    let victim = student("victim", &format!("fn tweak() {{ let _ = {salt}; }}\n"));
    let tasks = ["task01", "task02"];
    let (attacked, said) = grade_submission(&attacker, &tasks, Some(&tmpdir), &[]);
    let (score, max) = task_score(&attacked, "task01_connect");
    assert!(score < max, "the attacker's server should fail: {said}");
    let (graded, said) = grade_submission(&victim, &tasks, Some(&tmpdir), &[]);
    assert_eq!(
        task_score(&graded, "task01_connect"),
        (max, max),
        "the victim got the attacker's build: {said}"
    );
}

// Issue 21, item 5: points need work.

/// The report of the submission in `dir`, graded sandboxed as JSON.
fn graded_json(dir: &Path) -> serde_json::Value {
    grade_submission(dir, &[], None, &[]).0
}

/// Every check of a JSON report.
fn json_checks(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|task| task["checks"].as_array().unwrap())
        .collect()
}

#[test]
#[serial]
fn the_starter_with_panic_for_todo_earns_nothing() {
    needs_sandbox!();
    let dir = common::scratch("panic-starter");
    let edition = dir.join("edition");
    let written = Command::new(grader_exe())
        .args(["starter", "--out"])
        .arg(&edition)
        .arg("--workspace")
        .arg(common::workspace_root())
        .output()
        .unwrap();
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let submission = dir.join("submission");
    let mut replaced = 0;
    for task in grader::tasks::all() {
        common::copy_workspace(&edition.join(task.package), &submission.join(task.package));
        for bin in ["server", "client"] {
            let file = submission
                .join(task.package)
                .join(format!("src/bin/{bin}.rs"));
            let text = fs::read_to_string(&file).unwrap();
            replaced += text.matches("todo!(").count();
            fs::write(&file, text.replace("todo!(", "panic!(")).unwrap();
        }
    }
    assert!(replaced >= 12, "only {replaced} todo!() in the starter");

    let report = graded_json(&submission);
    let checks = json_checks(&report);
    assert_eq!(report["score"], 0, "{report:#}");
    // clap still answers --version and --help: those checks pass, and say
    // why they count for nothing.
    let passed: Vec<&&serde_json::Value> =
        checks.iter().filter(|c| c["status"] == "pass").collect();
    assert!(passed.len() >= 24, "{report:#}");
    for check in passed {
        assert_eq!(check["points"], 0, "{check:#}");
        assert_ne!(check["max_points"], 0, "{check:#}");
        assert_eq!(check["cause"]["kind"], "no_work_on_the_wire", "{check:#}");
        let binary = format!(
            "task{}-{}",
            &check["id"].as_str().unwrap()[4..6],
            check["role"].as_str().unwrap()
        );
        assert_eq!(
            check["message"],
            format!("not counted: {binary} passes none of its checks on the wire yet"),
            "{check:#}"
        );
    }
}

#[test]
#[serial]
fn work_on_the_wire_keeps_its_points_and_the_reference_all_of_them() {
    needs_sandbox!();
    let dir = common::scratch("wire-without-version");
    honest(&dir);
    // Right on the wire, wrong on --version: clap knows no such option.
    task01_with(&dir, |text| {
        let versioned = "#[command(name = \"task01-server\", version)]";
        assert!(
            text.contains(versioned),
            "the reference server's clap attribute changed"
        );
        text.replacen(versioned, "#[command(name = \"task01-server\")]", 1)
    });

    let report = graded_json(&dir);
    let full: u32 = grader::tasks::all().iter().map(|t| t.max_points()).sum();
    assert_eq!(report["max_score"], full, "{report:#}");
    assert_eq!(report["score"], full - 1, "{report:#}");
    for check in json_checks(&report) {
        if check["id"] == "task01.server.version" {
            assert_eq!(check["status"], "fail", "{check:#}");
        } else {
            assert_eq!(check["status"], "pass", "{check:#}");
            assert_eq!(check["points"], check["max_points"], "{check:#}");
            assert!(check["cause"].is_null(), "{check:#}");
        }
    }
}

// Issue 21 part 6: names and notes neutralised.

/// A student folder name that would retitle the instructor's terminal and
/// clear it (a valid Linux file name), and how reports show it.
const EVIL: &str = "evil\x1b]0;pwned\x07\x1b[2J";
const EVIL_SHOWN: &str = r"evil\u{1b}]0;pwned\u{7}\u{1b}[2J";

/// A task folder name that still means task01, holding a clear-screen.
const EVIL_TASK: &str = "task01_connect\x1b[2J\x1b[31m";
const EVIL_TASK_SHOWN: &str = r"task01_connect\u{1b}[2J\u{1b}[31m";

/// A submission whose task01 folder holds a link named with an escape,
/// and how its refusal shows the link.
fn linked_with_escape(at: &Path) {
    let task = at.join("task01_connect");
    fs::create_dir_all(&task).unwrap();
    std::os::unix::fs::symlink("/etc", task.join("link\x1b[2J")).unwrap();
}
const LINK_SHOWN: &str = r"task01_connect/link\u{1b}[2J -> /etc";

/// The files under `dir` (a zip's entries by name and text: compressed
/// bytes may hold any byte) that hold a raw ESC or BEL.
fn raw_escapes(dir: &Path) -> Vec<String> {
    let raw = |bytes: &[u8]| bytes.iter().any(|b| *b == 0x1b || *b == 0x07);
    let mut found = Vec::new();
    for file in snapshot(dir, &[]).keys() {
        let bytes = fs::read(file).unwrap();
        if file.extension().is_some_and(|e| e == "zip") {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..archive.len() {
                let mut entry = archive.by_index(i).unwrap();
                let mut text = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut text).unwrap();
                if raw(entry.name().as_bytes()) || raw(&text) {
                    found.push(format!("{} in {}", entry.name(), file.display()));
                }
            }
        } else if raw(&bytes) {
            found.push(file.display().to_string());
        }
    }
    found
}

/// A CSV file's rows, heading first, as a spreadsheet would read them.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The cells of `column` (named in the heading row) of a CSV file.
fn csv_column(path: &Path, column: &str) -> Vec<String> {
    let rows = csv_rows(path);
    let at = rows[0]
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {}: {:?}", path.display(), rows[0]));
    rows[1..].iter().map(|r| r[at].clone()).collect()
}

#[test]
#[serial]
fn names_with_escapes_and_formulas_reach_every_output_inert() {
    needs_sandbox!();
    let dir = common::scratch("attack-names");
    let class = dir.join("class");
    let out = dir.join("out");
    // One student's folder and task folder hold escape sequences; two
    // students are named as spreadsheet formulas. Each hands in the
    // reference's task01.
    task01_with(&class.join(EVIL), |text| text);
    fs::rename(
        class.join(EVIL).join("task01_connect"),
        class.join(EVIL).join(EVIL_TASK),
    )
    .unwrap();
    for name in ["=2+3", "@SUM(A1)"] {
        task01_with(&class.join(name), |text| text);
    }
    // A fourth hands in a link named with an escape: refused, with a
    // reason that quotes the name.
    linked_with_escape(&class.join("linked"));
    // The roster gives each student the numeric id Canvas and Moodle match
    // rows by: a gradebook leaves out a student the LMS cannot match.
    let roster = dir.join("roster.csv");
    let mut writer = csv::Writer::from_path(&roster).unwrap();
    writer.write_record(["id", "name"]).unwrap();
    for (id, name) in [EVIL, "=2+3", "@SUM(A1)", "linked"].iter().enumerate() {
        writer.write_record([&(id + 1).to_string(), *name]).unwrap();
    }
    writer.flush().unwrap();
    let batch = Command::new(grader_exe())
        .current_dir(common::workspace_root())
        .args(["batch", "--jobs", "2", "--budget", "240", "--out"])
        .arg(&out)
        .arg(&class)
        .args(["--target-dir"])
        .arg(common::shared_target())
        .args([
            "--format",
            "human",
            "--format",
            "github",
            "--format",
            "markdown",
            "--format",
            "junit",
            "--format",
            "gradescope",
            "--format",
            "classroom",
            "--gradebook",
            "canvas",
            "--gradebook",
            "moodle",
            "--gradebook",
            "csv",
            "--assignment",
            "Socket lab (77)",
            "--points-possible",
            "100",
        ])
        .arg("--roster")
        .arg(&roster)
        .output()
        .unwrap();
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&batch.stdout),
        String::from_utf8_lossy(&batch.stderr)
    );
    assert!(batch.status.success(), "{said}");
    for (stream, bytes) in [("stdout", &batch.stdout), ("stderr", &batch.stderr)] {
        assert!(
            !bytes.iter().any(|b| *b == 0x1b || *b == 0x07),
            "a raw escape on the batch's {stream}: {said}"
        );
    }
    let found = raw_escapes(&out);
    assert!(found.is_empty(), "raw escapes in {found:#?}");
    // The summary names the student, escapes visible.
    let summary = String::from_utf8_lossy(&batch.stdout);
    assert!(summary.contains(EVIL_SHOWN), "{summary}");

    let task01 = grader::tasks::by_number(1)
        .unwrap()
        .max_points()
        .to_string();
    let grades = grades(&out.join("grades.csv"));
    let mut expected: BTreeMap<String, (String, String)> = [EVIL_SHOWN, "'=2+3", "'@SUM(A1)"]
        .into_iter()
        .map(|name| (name.to_string(), (task01.clone(), "graded".to_string())))
        .collect();
    expected.insert("linked".into(), (String::new(), "rejected".into()));
    assert_eq!(grades, expected, "grades.csv's student cells");
    let reasons = csv_column(&out.join("grades.csv"), "reason");
    assert!(
        reasons.iter().any(|r| r.contains(LINK_SHOWN)),
        "{reasons:?}"
    );
    assert!(summary.contains(LINK_SHOWN), "{summary}");
    // Each gradebook's name cells are text, never a formula; the grades
    // stay numbers.
    for (book, columns, grade) in [
        ("gradebook-canvas.csv", &["Student"][..], "Socket lab (77)"),
        ("gradebook-moodle.csv", &["Full name"][..], "Grade"),
        ("gradebook.csv", &["student", "name"][..], "grade"),
    ] {
        let path = out.join(book);
        for column in columns {
            let mut cells = csv_column(&path, column);
            // Canvas's first row is its `Points Possible` row.
            cells.retain(|c| c.trim() != "Points Possible");
            cells.sort();
            assert_eq!(
                cells,
                ["'=2+3", "'@SUM(A1)", EVIL_SHOWN, "linked"],
                "{book} {column}"
            );
        }
        let grades: Vec<String> = csv_column(&path, grade)
            .into_iter()
            .filter(|g| !g.is_empty())
            .collect();
        assert!(
            grades.iter().all(|g| g.parse::<f64>().is_ok()),
            "{book}: {grades:?}"
        );
    }
    // The task folder's name is in each report's notes, shown inert.
    // Its folder of reports: the name with every character not fit for a
    // file name made `_`.
    let evil = out.join("students/evil__0_pwned___2J");
    for report in [
        "report.txt",
        "report.github.txt",
        "report.md",
        "report.html",
    ] {
        let text = fs::read_to_string(evil.join(report)).unwrap();
        assert!(text.contains(EVIL_TASK_SHOWN), "{report}: {text}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
#[serial]
fn a_task_folder_named_with_escapes_is_shown_inert_in_human_and_github_output() {
    needs_sandbox!();
    let dir = common::scratch("attack-task-name");
    let submission = dir.join("ana");
    task01_with(&submission, |text| text);
    fs::rename(
        submission.join("task01_connect"),
        submission.join(EVIL_TASK),
    )
    .unwrap();
    let step_summary = dir.join("step-summary.md");
    for format in ["human", "github"] {
        let output = Command::new(grader_exe())
            .current_dir(common::workspace_root())
            .env("GITHUB_STEP_SUMMARY", &step_summary)
            .args(["task01", "--format", format, "--submission"])
            .arg(&submission)
            .arg("--target-dir")
            .arg(common::shared_target())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let said = format!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.status.code(), Some(0), "{format}: {said}");
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(
                !bytes.iter().any(|b| *b == 0x1b || *b == 0x07),
                "{format}: a raw escape on {stream}: {said}"
            );
        }
        // The note says which folder was taken, its escapes visible.
        assert!(
            stdout.contains(&format!("taken from `{EVIL_TASK_SHOWN}`")),
            "{format}: {said}"
        );
    }
    let summary = fs::read_to_string(&step_summary).unwrap();
    assert!(summary.contains(EVIL_TASK_SHOWN), "{summary}");
    assert!(!summary.contains(['\x1b', '\x07']), "{summary}");

    // A refused submission's error quotes the entry's name, inert.
    let linked = dir.join("linked");
    linked_with_escape(&linked);
    let output = Command::new(grader_exe())
        .current_dir(common::workspace_root())
        .args(["task01", "--submission"])
        .arg(&linked)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("grader: rejected: symbolic link at {LINK_SHOWN}")),
        "{stderr}"
    );
    assert!(!stderr.contains(['\x1b', '\x07']), "{stderr}");
    let _ = fs::remove_dir_all(&dir);
}

// Issue 21, a budget per submission as a whole (sandbox::cgroup).

/// Grades `submission` (only `task`) sandboxed, waits stretched by
/// `scale`, and returns its JSON report.
fn graded_alone(task: &str, submission: &Path, scale: &str) -> serde_json::Value {
    grade_submission(submission, &[task], None, &["--timeout-scale", scale]).0
}

/// Processes still alive of the user a graded submission ran as (named in
/// its report's layers): other graders on this machine have users of
/// their own.
fn left_alive(report: &serde_json::Value) -> Vec<String> {
    let layers = report["sandbox"]["layers"].to_string();
    let uid: u32 = layers
        .split("unprivileged user ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no user in the layers: {layers}"));
    common::processes_of_users(|u| u == uid)
}

/// The default memory budget, as `grading.toml` leaves it.
const BUDGET_MEMORY: u64 = 2 << 30;

#[test]
#[serial]
fn a_server_that_fans_out_to_memory_hungry_children_is_held_to_the_budget() {
    needs_sandbox!();
    if grader::sandbox::support().budget.is_err() {
        eprintln!("skipped: this machine gives no budget per submission");
        return;
    }
    let dir = common::scratch("attack-memory");
    // Six copies of itself holding 700 MiB each: within each program's
    // own 4 GiB, 4.2 GB together. It waits for them before it serves, so
    // each check that starts it fails; the waits are stretched so that
    // the copies have their memory long before, however busy the machine.
    reference_with(&dir, "task01_connect", |text| {
        let hog = format!(
            "    if std::env::args().nth(1).as_deref() == Some(\"hog\") {{\n\
                     let held = vec![1u8; 700 << 20];\n\
                     std::thread::park_timeout(std::time::Duration::from_secs(60));\n\
                     return ExitCode::from(held[held.len() - 1]);\n\
                 }}\n\
             {MAIN_STARTS}\n\
                 let me = std::env::current_exe().unwrap();\n\
                 let hogs: Vec<_> = (0..6).filter_map(|_| std::process::Command::new(&me).arg(\"hog\").spawn().ok()).collect();\n\
                 for mut hog in hogs {{ let _ = hog.wait(); }}\n"
        );
        text.replacen(MAIN_STARTS, &hog, 1)
    });
    let started = Instant::now();
    let report = graded_alone("task01", &dir, "4");
    assert!(
        started.elapsed() < Duration::from_secs(300),
        "took {:?}",
        started.elapsed()
    );
    let named =
        "the submission as a whole used more than 2 GiB of memory (grading.toml [sandbox] memory)";
    let said = report.to_string();
    let notes = report["notes"].to_string();
    assert!(notes.contains(named), "no note names the cap: {report:#}");
    let checks = report["tasks"][0]["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["message"].as_str().is_some_and(|m| m.contains(named))),
        "no failed check names the cap: {said}"
    );
    let budget = &report["sandbox"]["budget"];
    assert!(budget["memory_kills"].as_u64().unwrap() > 0, "{budget}");
    // Measured by the kernel for the group: the hogs were charged to it,
    // and it never held more than the cap, give or take the kernel's
    // per-CPU charge batch (64 pages: a page over was seen in CI).
    let peak = budget["peak_memory"].as_u64().unwrap();
    let batch = 64 * 4096 * std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    assert!(
        (BUDGET_MEMORY / 2..=BUDGET_MEMORY + batch).contains(&peak),
        "peak {peak} bytes against a cap of {BUDGET_MEMORY}"
    );
    let alive = left_alive(&report);
    assert!(alive.is_empty(), "still alive after grading: {alive:#?}");
}

#[test]
#[serial]
fn a_task04_server_with_a_pool_of_128_threads_gets_full_marks_sandboxed() {
    needs_sandbox!();
    let dir = common::scratch("pool-task04");
    // Started at launch, idle all along: an honest thread pool.
    reference_with(&dir, "task04_multithreaded", |text| {
        let pool = format!(
            "{MAIN_STARTS}\n    let _pool: Vec<_> = (0..128).map(|_| std::thread::spawn(|| loop {{ std::thread::park(); }})).collect();"
        );
        text.replacen(MAIN_STARTS, &pool, 1)
    });
    let report = graded_alone("task04", &dir, "1");
    assert_eq!(report["sandbox"]["mode"], "sandboxed", "{report:#}");
    let failed: Vec<&serde_json::Value> = report["tasks"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "pass")
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(report["score"], report["max_score"], "{report:#}");
    let alive = left_alive(&report);
    assert!(alive.is_empty(), "still alive after grading: {alive:#?}");
}

// Issue 21, item 4 (a bad manifest costs one task) and the build's outputs bounded.

/// Each task's score and maximum, by name.
fn task_scores(report: &serde_json::Value) -> BTreeMap<String, (u64, u64)> {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["task"].as_str().unwrap().to_string(),
                (
                    t["score"].as_u64().unwrap(),
                    t["max_score"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
#[serial]
fn a_dependency_the_registry_cannot_satisfy_costs_no_other_task() {
    needs_sandbox!();
    let dir = common::scratch("attack-manifest");
    let student = dir.join("student");
    honest(&student);
    // Neither resolves offline here: socket2 0.5 needs windows crates of
    // versions not in the registry's cache (so cargo would have to ask the
    // registry), and clap's wrap_help needs terminal_size, not there at all.
    for (task, line) in [
        ("task03_echo", "socket2 = \"0.5\"\n"),
        (
            "task05_udp",
            "clap = { workspace = true, features = [\"wrap_help\"] }\n",
        ),
    ] {
        let manifest = student.join(task).join("Cargo.toml");
        let text = fs::read_to_string(&manifest).unwrap();
        let text = text.replace("clap.workspace = true\n", "");
        assert!(text.contains("[dependencies]\n"), "{text}");
        fs::write(
            &manifest,
            text.replacen("[dependencies]\n", &format!("[dependencies]\n{line}"), 1),
        )
        .unwrap();
    }
    let (report, said) = grade_submission(&student, &[], None, &[]);
    // The handed-out manifests build the honest code: every task is graded
    // and earns its full marks.
    let scores = task_scores(&report);
    assert_eq!(scores.len(), 6, "{said}");
    for (task, (score, max)) in &scores {
        assert_eq!(score, max, "{task} lost points:\n{said}");
    }
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    // Cargo's own reason is quoted: which it is for socket2 depends on what
    // the cache holds (a windows crate missing, or a request to the
    // registry refused), so there only a reason of some words is asked for.
    for (task, quoted) in [("task03_echo", None), ("task05_udp", Some("terminal_size"))] {
        let prefix = format!("{task}: its Cargo.toml does not resolve offline (");
        let note = notes.iter().find(|n| n.starts_with(&prefix));
        let reason = note
            .and_then(|n| n[prefix.len()..].strip_suffix("); the handed-out Cargo.toml is used"));
        assert!(
            reason.is_some_and(
                |r| r.split_whitespace().count() >= 3 && quoted.is_none_or(|q| r.contains(q))
            ),
            "no note for {task} quoting cargo ({quoted:?}) in {notes:#?}"
        );
    }
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("does not resolve"))
            .count(),
        2,
        "{notes:#?}"
    );
}

#[test]
#[serial]
fn a_huge_compile_error_costs_its_task_and_the_batch_gets_the_report() {
    needs_sandbox!();
    let dir = common::scratch("attack-huge-error");
    let class = dir.join("class");
    let out = dir.join("out");
    let student = class.join("huge");
    // Task01 fails to build with a 300 kB message; task02 is the reference.
    let shout = "A".repeat(300_000);
    task01_with(&student, |text| {
        format!("{text}\ncompile_error!(\"{shout}\");\n")
    });
    let from = common::workspace_root().join("task02_greeting");
    common::copy_workspace(&from.join("src"), &student.join("task02_greeting/src"));
    let batch = Command::new(grader_exe())
        .current_dir(common::workspace_root())
        .args(["batch", "--budget", "240", "--format", "human", "--out"])
        .arg(&out)
        .arg(&class)
        .arg("--target-dir")
        .arg(common::shared_target())
        .output()
        .unwrap();
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&batch.stdout),
        String::from_utf8_lossy(&batch.stderr)
    );
    assert!(batch.status.success(), "{said}");
    let text = fs::read_to_string(out.join("students/huge/report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Graded: task02 in full, the client of task01 as it earns.
    let (total, status) = grades(&out.join("grades.csv"))["huge"].clone();
    assert_eq!(status, "did not build", "{said}");
    assert_eq!(total, report["score"].to_string(), "{said}");
    let task02 = grader::tasks::by_number(2).unwrap().max_points() as u64;
    assert_eq!(
        task_scores(&report)["task02_greeting"],
        (task02, task02),
        "{text:.2000}"
    );
    let task01 = &report["tasks"][0];
    assert_eq!(task01["task"], "task01_connect", "{text:.2000}");
    assert_eq!(task01["build"], "failed", "{text:.2000}");
    let errors: Vec<&str> = task01["build_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert!(
        (1..=10).contains(&errors.len()) && errors.iter().all(|e| e.len() <= 4200),
        "build errors not capped: {:?}",
        errors.iter().map(|e| e.len()).collect::<Vec<_>>()
    );
    assert!(
        errors[0].contains("AAAA") && errors[0].contains("more bytes cut"),
        "{:.2000}",
        errors[0]
    );
    // Wherever the error is quoted, it is quoted cut.
    assert!(
        text.len() < shout.len(),
        "report.json is {} bytes",
        text.len()
    );
}

#[test]
#[serial]
fn an_extra_binary_is_never_built() {
    needs_sandbox!();
    let dir = common::scratch("attack-extra-bin");
    let student = dir.join("student");
    // New each run: sources built before are taken from the store, unbuilt.
    let canary = format!(
        "canary-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    task01_with(&student, |text| text);
    // If cargo compiled leak.rs, the canary would be its compiler error.
    let task = student.join("task01_connect");
    fs::write(task.join("src/canary.txt"), &canary).unwrap();
    fs::write(
        task.join("src/bin/leak.rs"),
        "compile_error!(include_str!(\"../canary.txt\"));\nfn main() {}\n",
    )
    .unwrap();
    let outputs = dir.join("outputs");
    fs::create_dir_all(&outputs).unwrap();
    let mut args = vec!["task01".to_string()];
    for format in ["human", "junit", "html", "markdown", "gradescope"] {
        args.push("--output".into());
        args.push(format!("{format}={}", outputs.join(format).display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (report, said) = grade_submission(&student, &args, None, &[]);
    let task01 = grader::tasks::by_number(1).unwrap().max_points() as u64;
    assert_eq!(
        task_scores(&report)["task01_connect"],
        (task01, task01),
        "{said}"
    );
    assert!(!said.contains(&canary), "the canary was printed:\n{said}");
    let written = all_text(&outputs);
    assert!(!written.is_empty());
    assert!(!written.contains(&canary), "the canary reached a report");
}
