//! What the grader's integration tests share: the workspace's binaries,
//! built once per test binary with the grader's own build code, and a way
//! to grade any pair of them.

#![allow(dead_code)]

pub mod class;
pub mod gradescope;

use grader::cargo::{Built, Workspace};
use grader::check::{Status, Subjects};
use grader::process::Program;
use grader::report::CheckReport;
use grader::time::Timing;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The workspace this grader belongs to.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every task's package (and folder), from the grader's task table.
pub fn packages() -> Vec<&'static str> {
    grader::tasks::all()
        .iter()
        .map(|task| task.package)
        .collect()
}

/// The file of the gallery's Python program `file`: a right one,
/// `task03_server.py`, is that task's Python reference solution
/// (`task03_echo/python/server.py`, which `grader starter --python` cuts
/// the stubs from); a wrong one is in `grader/tests/gallery/python`.
pub fn python_file(file: &str) -> PathBuf {
    let reference = file
        .strip_prefix("task")
        .and_then(|rest| rest.strip_suffix(".py"))
        .and_then(|rest| rest.split_once('_'))
        .and_then(|(number, side)| {
            let task = grader::tasks::by_number(number.parse().ok()?)?;
            Some(
                workspace_root()
                    .join(task.package)
                    .join("python")
                    .join(format!("{side}.py")),
            )
        });
    reference.unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/gallery/python")
            .join(file)
    })
}

/// The reference tasks and the gallery, built once.
pub fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let workspace = Workspace::open(&workspace_root()).expect("the workspace opens");
        let mut built = workspace.build(&packages()).expect("cargo runs");
        let gallery = workspace.build_examples(&["gallery"]).expect("cargo runs");
        for errors in [&built.errors, &gallery.errors] {
            assert!(
                errors.is_empty(),
                "the workspace does not build: {errors:#?}"
            );
        }
        built.executables.extend(gallery.executables);
        built
    })
}

/// A built binary or example of the workspace, by name (`task03-server`,
/// `wrong_t03_server_reads_once`).
pub fn binary(name: &str) -> Program {
    let path = built()
        .executable(name)
        .unwrap_or_else(|| panic!("no binary {name} was built"));
    Program::from_path(path)
}

/// Grades task `number` with `server` and `client` (reference binaries
/// where `None`) and returns every check's report.
pub fn grade(number: u8, server: Option<Program>, client: Option<Program>) -> Vec<CheckReport> {
    let task = grader::tasks::by_number(number).expect("the task exists");
    let subjects = Subjects {
        server: server.or_else(|| Some(binary(&task.server_bin()))),
        client: client.or_else(|| Some(binary(&task.client_bin()))),
        known: Default::default(),
    };
    grader::run::run_task(&task, &subjects, Timing::default())
}

/// The ids of the checks that did not pass (skipped ones aside).
pub fn not_passed(reports: &[CheckReport]) -> Vec<String> {
    reports
        .iter()
        .filter(|r| r.status == Status::Fail || r.status == Status::Error)
        .map(|r| r.id.clone())
        .collect()
}

/// Asserts that exactly the checks `failing` fail, with status `fail`
/// (never `error`), and every other check passes.
pub fn assert_fails_exactly(reports: &[CheckReport], failing: &[&str]) {
    let mut wanted: Vec<String> = failing.iter().map(|s| s.to_string()).collect();
    wanted.sort();
    let mut got = not_passed(reports);
    got.sort();
    let details: Vec<String> = reports
        .iter()
        .filter(|r| r.status != Status::Pass)
        .map(|r| {
            format!(
                "{} [{:?}] {} | expected {:?} | actual {:?}",
                r.id, r.status, r.message, r.expected, r.actual
            )
        })
        .collect();
    assert_eq!(
        got,
        wanted,
        "checks that did not pass:\n{}",
        details.join("\n")
    );
    let errors: Vec<&CheckReport> = reports
        .iter()
        .filter(|r| r.status == Status::Error)
        .collect();
    assert!(
        errors.is_empty(),
        "checks ended in error, not fail: {errors:#?}"
    );
}

/// Copies a workspace's sources (no `target`, no `.git`) from `from` to `to`.
pub fn copy_workspace(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let dest = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_workspace(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A fresh folder under cargo's temporary folder for tests.
pub fn scratch(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The target folder the tests' submissions share, kept between runs so
/// that their dependencies are compiled once.
pub fn shared_target() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("submissions-target")
}

/// Live (not zombie) processes whose user id `wanted` accepts, from /proc,
/// each as `PID uid UID: Name:\tNAME`: what a sandbox test expects to be gone.
pub fn processes_of_users(wanted: impl Fn(u32) -> bool) -> Vec<String> {
    let mut alive = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let uid: Option<u32> = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next()?.parse().ok());
        if uid.is_some_and(&wanted) && !status.contains("State:\tZ") {
            let name = status.lines().next().unwrap_or_default();
            alive.push(format!(
                "{} uid {}: {name}",
                entry.file_name().to_string_lossy(),
                uid.unwrap_or_default()
            ));
        }
    }
    alive
}
