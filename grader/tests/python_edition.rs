//! The student edition of a Python course (`grader starter --python`):
//! written, graded as a student would grade it (every check 0, "not
//! implemented yet" at a stub's line), then filled in with the Python
//! reference solutions (full marks); and no reference text in it.
//!
//! These tests need `python3`: without it they fail, saying so, rather than
//! pass having tested nothing.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn needs_python() {
    if let Err(why) = grader::python::Interpreter::find(None) {
        panic!("this test needs python3, and there is none: {why}");
    }
}

/// A fresh Python student edition of this workspace.
fn edition(name: &str) -> PathBuf {
    let dir = common::scratch(name).join("edition");
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .args(["starter", "--python", "--out", dir.to_str().unwrap()])
        .arg("--workspace")
        .arg(common::workspace_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

/// Grades every task of the workspace at `dir`: the exit status and the
/// JSON report.
fn grade(dir: &Path) -> (Option<i32>, serde_json::Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .args(["--format", "json", "--workspace"])
        .arg(dir)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}

/// The Python reference solutions: (task folder, file in the workspace).
fn references() -> Vec<(String, PathBuf)> {
    let found = grader::starter::python_references(&common::workspace_root()).unwrap();
    let tasks = grader::tasks::all().len();
    assert_eq!(
        found.len(),
        2 * tasks,
        "a server.py and a client.py per task"
    );
    found
}

#[test]
fn the_stubs_grade_to_zero_and_the_references_to_full_marks() {
    needs_python();
    let edition = edition("python-round-trip");
    // A task folder holds its sheet and its two stubs, no Rust.
    for package in common::packages() {
        let mut names: Vec<String> = fs::read_dir(edition.join(package))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["README.md", "client.py", "server.py"], "{package}");
    }

    let (status, report) = grade(&edition);
    assert_eq!(status, Some(1), "{report:#}");
    assert_eq!(report["score"], 0, "{report:#}");
    let mut unwritten = 0;
    for task in report["tasks"].as_array().unwrap() {
        assert_eq!(task["build"], "ok", "{task:#}");
        assert_eq!(task["score"], 0, "{task:#}");
        for check in task["checks"].as_array().unwrap() {
            let message = check["message"].as_str().unwrap();
            // argparse answers --version and --help before any stub runs:
            // passes that count nothing while the binary does no work.
            if check["status"] == "pass" {
                assert_eq!(check["points"], 0, "{check:#}");
                assert_eq!(check["cause"]["kind"], "no_work_on_the_wire", "{check:#}");
                continue;
            }
            // `task01_connect/server.py:15`: the stub's raise, found in the
            // traceback, not a crash.
            let place = message
                .strip_prefix("not implemented yet: ")
                .unwrap_or_else(|| panic!("not a stub's failure: {check:#}"));
            let (file, line) = place.rsplit_once(':').unwrap();
            assert!(
                file.starts_with("task0") && file.ends_with(".py"),
                "{place}"
            );
            assert!(line.parse::<u32>().is_ok(), "{place}");
            assert_eq!(check["cause"]["kind"], "not_implemented", "{check:#}");
            assert!(
                check["hint"]
                    .as_str()
                    .unwrap()
                    .contains("raise NotImplementedError"),
                "{check:#}"
            );
            unwritten += 1;
        }
    }
    assert!(unwritten > 100, "only {unwritten} checks failed as stubs");

    // Filled back in from the references, the edition gets full marks.
    for (task, reference) in references() {
        let name = reference.file_name().unwrap();
        let stub_path = edition.join(&task).join(name);
        let stub = fs::read_to_string(&stub_path).unwrap();
        let original = fs::read_to_string(&reference).unwrap();
        let shown = reference.display().to_string();
        let full =
            grader::starter::reinsert(&original, &stub, &shown).unwrap_or_else(|e| panic!("{e}"));
        fs::write(&stub_path, full).unwrap();
    }
    let (status, report) = grade(&edition);
    assert_eq!(report["score"], report["max_score"], "{report:#}");
    assert_eq!(status, Some(0));
}

#[test]
fn no_reference_text_is_left_in_the_python_edition() {
    let edition = edition("python-no-references");
    let mut solution_lines = Vec::new();
    // What the stubs hold on purpose (argument parsing, a `main` that
    // prints a reply the way a solution does) is not a leak.
    let mut given = String::new();
    for (_, reference) in references() {
        let text = fs::read_to_string(&reference).unwrap();
        let shown = reference.display().to_string();
        given.push_str(&grader::starter::cut(&text, &shown).unwrap());
        for region in grader::starter::regions(&text, &shown).unwrap() {
            solution_lines.extend(
                region
                    .solution
                    .iter()
                    .map(|l| l.trim().to_string())
                    // Statements, not a comment or a line as plain as
                    // `continue`, which a sheet may share.
                    .filter(|l| l.len() >= 24 && l.contains(' ') && !l.starts_with('#')),
            );
        }
    }
    solution_lines.retain(|line| !given.contains(line.as_str()));
    assert!(
        solution_lines.len() > 50,
        "too few solution lines found: {}",
        solution_lines.len()
    );
    let mut files = Vec::new();
    grader::cargo::list_files(&edition, &mut files);
    // The grader's own code is not a solution, whatever it shares.
    let grader_src = [edition.join("grader/src"), edition.join("crates")];
    let mut read = 0;
    for file in files
        .iter()
        .filter(|f| !grader_src.iter().any(|src| f.starts_with(src)))
    {
        let Ok(text) = fs::read_to_string(file) else {
            continue;
        };
        read += 1;
        for line in &solution_lines {
            assert!(
                !text.contains(line.as_str()),
                "{} holds reference text: {line}",
                file.display()
            );
        }
    }
    assert!(read > 20, "only {read} files read");
    for package in common::packages() {
        assert!(!edition.join(package).join("python").exists());
        assert!(!edition.join(package).join("src").exists());
    }
    assert!(!edition.join("grader/tests").exists());
}
