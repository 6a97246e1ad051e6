//! Python hand-ins graded where Rust ones are: a class of Rust, Python and
//! mixed submissions laid out as the handouts ask (`Task01`..`Task06`
//! folders of `server.py`/`client.py`, zipped), graded by `grader batch`
//! and one by one with `--submission`, the grades the same either way; and
//! the Python start errors reported like build failures.
//!
//! These tests need `python3`, and fail saying so where it is missing.

mod common;

use assert_cmd::Command;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const TASKS: [&str; 6] = [
    "task01_connect",
    "task02_greeting",
    "task03_echo",
    "task04_multithreaded",
    "task05_udp",
    "task06_chat",
];

fn gallery(file: &str) -> std::path::PathBuf {
    common::python_file(file)
}

fn needs_python() {
    if let Err(why) = grader::python::Interpreter::find(None) {
        panic!("this test needs python3, and there is none: {why}");
    }
}

/// Writes `files` (path in the submission, gallery file or reference file)
/// under `at`.
fn lay(at: &Path, files: &[(&str, &Path)]) {
    for (to, from) in files {
        let to = at.join(to);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, &to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

/// The reference's Rust file `file` (`src/bin/client.rs`) of task `n`.
fn reference(n: usize, file: &str) -> std::path::PathBuf {
    common::workspace_root().join(TASKS[n - 1]).join(file)
}

/// Zips the folder `dir` into `zip`.
fn zip_folder(dir: &Path, zip: &Path) {
    let mut writer = zip::ZipWriter::new(fs::File::create(zip).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let name = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
            } else {
                writer.start_file(name, options).unwrap();
                writer.write_all(&fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    writer.finish().unwrap();
}

fn grader() -> Command {
    let mut grader = Command::new(env!("CARGO_BIN_EXE_grader"));
    grader
        .current_dir(common::workspace_root())
        .timeout(Duration::from_secs(900));
    grader
}

/// Each task's score in the JSON report of `submission` graded alone.
fn graded_alone(submission: &Path) -> (Vec<u64>, serde_json::Value) {
    let output = grader()
        .args(["--format", "json", "--submission"])
        .arg(submission)
        .arg("--target-dir")
        .arg(common::shared_target())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let scores = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["score"].as_u64().unwrap())
        .collect();
    (scores, report)
}

#[test]
fn a_class_of_rust_python_and_mixed_hand_ins_grades_as_each_alone() {
    needs_python();
    let dir = common::scratch("python-class");
    let class = dir.join("submissions");
    fs::create_dir_all(&class).unwrap();
    // Rust, as the handouts lay it out: loose files in `TaskNN` folders.
    let ana = dir.join("ana");
    for n in 1..=6 {
        let folder = format!("ana/Task0{n}");
        let files: Vec<(String, std::path::PathBuf)> = [
            ("server.rs", "src/bin/server.rs"),
            ("client.rs", "src/bin/client.rs"),
            ("lib.rs", "src/lib.rs"),
        ]
        .iter()
        .filter(|(_, from)| reference(n, from).is_file())
        .map(|(to, from)| (format!("{folder}/{to}"), reference(n, from)))
        .collect();
        let files: Vec<(&str, &Path)> = files
            .iter()
            .map(|(t, f)| (t.as_str(), f.as_path()))
            .collect();
        lay(&dir, &files);
    }
    zip_folder(&ana, &class.join("ana.zip"));
    // Python: right and wrong programs; the binaries not handed in are
    // missing, and cost their own checks.
    let bo = dir.join("bo");
    lay(
        &bo,
        &[
            ("Task01/server.py", &gallery("task01_server.py")),
            (
                "Task02/client.py",
                &gallery("wrong_t02_client_recv_once.py"),
            ),
            ("Task03/server.py", &gallery("task03_server.py")),
            (
                "Task04/server.py",
                &gallery("wrong_t04_server_iterative.py"),
            ),
            ("Task05/server.py", &gallery("task05_server.py")),
            ("Task05/client.py", &gallery("task05_client.py")),
            ("Task06/server.py", &gallery("wrong_t06_server_turns.py")),
        ],
    );
    zip_folder(&bo, &class.join("bo.zip"));
    // Mixed: Python servers with the reference's Rust clients, in the
    // other spellings of the folder names; a Python file beside a Rust one
    // is not graded.
    let cy = class.join("cy");
    let mut files: Vec<(String, std::path::PathBuf)> = vec![
        (
            "Task 01/server.py".into(),
            gallery("wrong_t01_server_no_reuseaddr.py"),
        ),
        (
            "task3/server.py".into(),
            gallery("wrong_t03_server_recv_once.py"),
        ),
        ("task3/client.py".into(), gallery("task03_server.py")),
    ];
    for (folder, n) in [("Task 01", 1), ("task3", 3)] {
        files.push((
            format!("{folder}/client.rs"),
            reference(n, "src/bin/client.rs"),
        ));
        files.push((format!("{folder}/lib.rs"), reference(n, "src/lib.rs")));
    }
    let files: Vec<(&str, &Path)> = files
        .iter()
        .map(|(t, f)| (t.as_str(), f.as_path()))
        .collect();
    lay(&cy, &files);

    let out = dir.join("results");
    let started = Instant::now();
    let output = grader()
        .args([
            "batch",
            class.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--jobs", "2", "--budget", "400", "--target-dir"])
        .arg(common::shared_target())
        .output()
        .unwrap();
    eprintln!(
        "batch took {:?}\n{}{}",
        started.elapsed(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = fs::read_to_string(out.join("grades.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let first = rows[0].iter().position(|c| *c == TASKS[0]).unwrap();
    for (student, submission) in [
        ("ana", class.join("ana.zip")),
        ("bo", class.join("bo.zip")),
        ("cy", cy.clone()),
    ] {
        let row = rows
            .iter()
            .find(|r| r[0] == student)
            .unwrap_or_else(|| panic!("no row for {student}:\n{csv}"));
        let in_batch: Vec<u64> = row[first..first + 6]
            .iter()
            // An empty cell: no folder for that task, graded 0 alone.
            .map(|c| match *c {
                "" => 0,
                c => c
                    .parse()
                    .unwrap_or_else(|_| panic!("{student}: {c:?} in\n{csv}")),
            })
            .collect();
        let (alone, report) = graded_alone(&submission);
        assert_eq!(in_batch, alone, "{student}: batch and alone differ\n{csv}");
        let notes = report["notes"].to_string();
        let full: Vec<u64> = report["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["max_score"].as_u64().unwrap())
            .collect();
        match student {
            "ana" => {
                assert_eq!(alone, full, "{report:#}");
                assert!(!notes.contains("Python"), "{notes}");
            }
            "bo" => {
                assert!(notes.contains("graded as Python 3."), "{notes}");
                // Both of task 05's binaries are right, and Python.
                assert_eq!(alone[4], full[4], "{report:#}");
                assert!(alone.iter().zip(&full).all(|(a, f)| a < f || f == &full[4]));
                // The turn-taking chat is told how to fix it in Python.
                let chat = report["tasks"][5]["checks"].as_array().unwrap();
                let turns: Vec<&serde_json::Value> = chat
                    .iter()
                    .filter(|c| c["cause"]["kind"] == "takes_turns")
                    .collect();
                assert!(!turns.is_empty(), "{report:#}");
                for check in turns {
                    let hint = check["hint"].as_str().unwrap();
                    assert!(hint.contains("threading.Thread"), "{check:#}");
                }
            }
            _ => {
                assert!(
                    notes.contains("task01_connect: server.py is graded as Python"),
                    "{notes}"
                );
                assert!(
                    notes.contains(
                        "task03_echo: client.py is not graded: the folder has Rust sources for it"
                    ),
                    "{notes}"
                );
                // One mistake each: SO_REUSEADDR, recv(1024).
                assert_eq!(alone[0], full[0] - 1, "{report:#}");
                assert!(alone[2] < full[2] && alone[2] > 0, "{report:#}");
            }
        }
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_python_start_error_costs_that_binary_like_a_build_failure() {
    needs_python();
    let dir = common::scratch("python-start-errors");
    let student = dir.join("dee");
    fs::create_dir_all(student.join("Task05")).unwrap();
    fs::write(
        student.join("Task05/server.py"),
        "import socket\n\ndef main(:\n    pass\n",
    )
    .unwrap();
    lay(
        &student,
        &[("Task05/client.py", &gallery("task05_client.py"))],
    );
    fs::create_dir_all(student.join("Task02")).unwrap();
    fs::write(
        student.join("Task02/client.py"),
        "import socket\nimport numpy\n",
    )
    .unwrap();
    let (_, report) = graded_alone(&student);
    let task = |name: &str| {
        report["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["task"] == name)
            .unwrap()
            .clone()
    };
    let udp = task("task05_udp");
    assert_eq!(udp["build"], "failed", "{udp:#}");
    let checks = udp["checks"].as_array().unwrap();
    for check in checks {
        let id = check["id"].as_str().unwrap();
        let message = check["message"].as_str().unwrap();
        if id.starts_with("task05.client.") {
            assert_eq!(check["status"], "pass", "{check:#}");
        } else {
            assert_eq!(check["status"], "fail", "{check:#}");
            assert_eq!(
                message, "server.py cannot start: server.py:3: SyntaxError: invalid syntax",
                "{check:#}"
            );
            // The hint speaks of Python, not of the Rust compiler.
            let hint = check["hint"].as_str().unwrap();
            assert!(hint.contains("python3 -I server.py"), "{check:#}");
        }
    }
    let greeting = task("task02_greeting");
    let client = greeting["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "task02.client.greeting")
        .unwrap()
        .clone();
    assert_eq!(
        client["message"],
        "client.py cannot start: client.py:2: ImportError: No module named 'numpy' (only the standard library can be imported)"
    );
    let _ = fs::remove_dir_all(&dir);
}
