//! The grader's command line, as instructors and CI use it.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(300);

fn grader() -> Command {
    let mut grader = Command::new(env!("CARGO_BIN_EXE_grader"));
    grader.current_dir(common::workspace_root()).timeout(LIMIT);
    grader
}

fn json(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(stdout)
        )
    })
}

#[test]
fn list_shows_every_check_with_its_points() {
    grader()
        .arg("--list")
        .assert()
        .success()
        .stdout(predicate::str::contains("task03.server.echo_1mib"))
        .stdout(predicate::str::contains("task04.server.concurrent_100"))
        .stdout(predicate::str::contains(format!(
            "task01_connect ({} points)",
            grader::tasks::by_number(1).unwrap().max_points()
        )));
}

#[test]
fn bad_arguments_exit_2() {
    grader()
        .arg("task09")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no task `task09`"));
    grader().args(["--timeout-scale", "0"]).assert().code(2);
    grader().arg("--format=xml").assert().code(2);
    grader()
        .args(["--server-cmd", "python3 server.py"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("grade one task"));
    grader()
        .args(["--workspace", "/nonexistent/folder", "task01"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("grader: "));
}

/// The JSON report has the contract's shape and gives the reference full marks.
fn assert_full_marks(report: &Value, tasks: &[&str]) {
    assert_eq!(report["version"], 1);
    assert_eq!(
        report["score"], report["max_score"],
        "not full marks: {report:#}"
    );
    let names: Vec<&str> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task"].as_str().unwrap())
        .collect();
    assert_eq!(names, tasks);
    for task in report["tasks"].as_array().unwrap() {
        assert_eq!(task["build"], "ok");
        for check in task["checks"].as_array().unwrap() {
            for field in [
                "id",
                "title",
                "role",
                "status",
                "points",
                "max_points",
                "message",
                "hint",
                "duration_ms",
            ] {
                assert!(!check[field].is_null(), "check without {field}: {check:#}");
            }
            assert!(
                ["pass", "skipped"].contains(&check["status"].as_str().unwrap()),
                "{check:#}"
            );
        }
    }
}

#[test]
fn json_is_the_only_thing_on_stdout() {
    let output = grader()
        .args(["--format", "json", "1", "task02"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_full_marks(
        &json(&output.stdout),
        &["task01_connect", "task02_greeting"],
    );
}

#[test]
fn two_graders_side_by_side_do_not_disturb_each_other() {
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_grader"))
            .args(["--format", "json"])
            .current_dir(common::workspace_root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (first, second) = (start(), start());
    for run in [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ] {
        assert!(run.status.success(), "exit {:?}", run.status);
        assert_full_marks(
            &json(&run.stdout),
            &[
                "task01_connect",
                "task02_greeting",
                "task03_echo",
                "task04_multithreaded",
                "task05_udp",
                "task06_chat",
            ],
        );
    }
}

#[test]
fn a_binary_that_does_not_compile_costs_its_own_checks_and_the_rest_are_graded() {
    let dir = common::scratch("broken");
    let copy = dir.join("workspace");
    common::copy_workspace(&common::workspace_root(), &copy);
    let server = copy.join("task02_greeting/src/bin/server.rs");
    let source = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        source.replace("let listener =", "let listener: u8 ="),
    )
    .unwrap();

    // Its own target folder, through CARGO_TARGET_DIR: the grader must find
    // the executables there, from cargo's messages.
    let output = grader()
        .args([
            "--workspace",
            copy.to_str().unwrap(),
            "--format",
            "json",
            "task01",
            "task02",
        ])
        .env("CARGO_TARGET_DIR", dir.join("elsewhere"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report = json(&output.stdout);
    let tasks = report["tasks"].as_array().unwrap();
    assert_eq!(tasks[0]["build"], "ok");
    assert_eq!(tasks[0]["score"], tasks[0]["max_score"]);
    assert_eq!(tasks[1]["build"], "failed");
    assert_eq!(tasks[1]["unbuilt"], serde_json::json!(["server"]));
    let errors = tasks[1]["build_errors"].to_string();
    assert!(
        errors.contains("error[E0308]") && errors.contains("server.rs"),
        "{errors}"
    );
    assert!(dir.join("elsewhere/debug/task01-server").is_file());
    // The server's checks and the pair's fail, each naming the binary and
    // the compiler's error; the client, which built, is graded as usual.
    let mut client_points = 0;
    for check in tasks[1]["checks"].as_array().unwrap() {
        let message = check["message"].as_str().unwrap();
        if check["role"] == "client" {
            assert_eq!(check["status"], "pass", "{check:#}");
            client_points += check["points"].as_u64().unwrap();
        } else {
            assert_eq!(check["status"], "fail", "{check:#}");
            assert!(
                message.starts_with("task02-server did not build: error[E0308]"),
                "{check:#}"
            );
        }
    }
    assert!(client_points > 0);
    assert_eq!(tasks[1]["score"], client_points);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_human_report_shows_failures_with_expected_actual_and_hint() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let script = dir.join(format!("no-newline-{}.py", std::process::id()));
    std::fs::write(
        &script,
        "import socket, sys\n\
         s = socket.create_server(('127.0.0.1', 0))\n\
         print('Listening on 127.0.0.1:%d' % s.getsockname()[1], flush=True)\n\
         while True:\n\
         \x20   c, a = s.accept()\n\
         \x20   print('Connection from %s:%d' % a, flush=True)\n\
         \x20   c.sendall(b'Thank you for connecting')\n\
         \x20   c.close()\n",
    )
    .unwrap();
    let output = grader()
        .args([
            "task02",
            "--verbose",
            "--server-cmd",
            &format!("python3 {}", script.display()),
        ])
        .env("NO_COLOR", "1")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("✗ task02.server.greeting_default"),
        "{stdout}"
    );
    assert!(
        stdout.contains("the greeting has no line ending"),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"expected: "Thank you for connecting\n""#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"actual:   "Thank you for connecting""#),
        "{stdout}"
    );
    assert!(stdout.contains("hint:"), "{stdout}");
    assert!(
        stdout.contains(" ms"),
        "--verbose shows durations: {stdout}"
    );
    assert!(
        !stdout.contains('\u{1b}'),
        "NO_COLOR and a pipe mean no colour: {stdout}"
    );
    let _ = std::fs::remove_file(script);
}
