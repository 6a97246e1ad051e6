//! The student edition: generated, built, tested and graded as a student
//! would, then filled back in to show nothing was lost.

mod common;

use grader::check::CauseKind;
use grader::process::{Child, Program, Stream};
use grader::time::Deadline;
use serial_test::serial;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The target folder the editions build in, kept between runs.
fn edition_target() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("edition-target")
}

/// A fresh student edition.
fn edition(name: &str) -> PathBuf {
    let dir = common::scratch(name).join("edition");
    let status = Command::new(env!("CARGO_BIN_EXE_grader"))
        .args(["starter", "--out", dir.to_str().unwrap(), "--workspace"])
        .arg(common::workspace_root())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// `cargo ARGS` in `dir`, with the editions' own target folder.
fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", edition_target())
        .output()
        .unwrap()
}

/// Every task source of the instructor's workspace, relative to its root.
fn task_sources() -> Vec<PathBuf> {
    let root = common::workspace_root();
    let mut files = Vec::new();
    for task in common::packages() {
        for file in ["src/lib.rs", "src/bin/server.rs", "src/bin/client.rs"] {
            let relative = Path::new(task).join(file);
            if root.join(&relative).is_file() {
                files.push(relative);
            }
        }
    }
    files
}

/// Puts the reference solutions back into the edition's task sources.
fn fill_in(edition: &Path, only: &str) {
    for relative in task_sources()
        .iter()
        .filter(|f| f.to_string_lossy().starts_with(only))
    {
        let original = fs::read_to_string(common::workspace_root().join(relative)).unwrap();
        let student = fs::read_to_string(edition.join(relative)).unwrap();
        let full = grader::starter::reinsert(&original, &student, &relative.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        fs::write(edition.join(relative), full).unwrap();
    }
}

#[test]
#[serial]
fn the_student_edition_builds_tests_and_grades_to_zero() {
    let edition = edition("starter");
    let built = cargo(&edition, &["build", "--workspace"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{stderr}");
    assert!(
        !stderr.contains("warning"),
        "the edition builds with warnings:\n{stderr}"
    );

    let formatted = cargo(&edition, &["fmt", "--all", "--check"]);
    assert!(
        formatted.status.success(),
        "{}",
        String::from_utf8_lossy(&formatted.stdout)
    );

    let tested = cargo(&edition, &["test", "--workspace"]);
    assert!(
        tested.status.success(),
        "{}",
        String::from_utf8_lossy(&tested.stdout)
    );

    let graded = cargo(
        &edition,
        &["run", "-q", "-p", "grader", "--", "--format", "json"],
    );
    assert_eq!(
        graded.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&graded.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&graded.stdout).unwrap();
    assert_eq!(report["score"], 0);
    for task in report["tasks"].as_array().unwrap() {
        assert_eq!(task["build"], "ok", "{task:#}");
        assert_eq!(task["score"], 0);
        for check in task["checks"].as_array().unwrap() {
            let message = check["message"].as_str().unwrap();
            // clap answers --version and --help before the first todo!():
            // passes that count nothing while the binary does no work.
            if check["status"] == "pass" {
                assert_eq!(check["points"], 0, "{check:#}");
                assert!(message.starts_with("not counted: task0"), "{check:#}");
                assert_eq!(check["cause"]["kind"], "no_work_on_the_wire", "{check:#}");
                continue;
            }
            assert!(
                message.starts_with("not implemented yet: task0"),
                "{check:#}"
            );
            assert!(
                message.contains("/src/bin/") && message.ends_with(|c: char| c.is_ascii_digit()),
                "{message}"
            );
            assert_eq!(check["cause"]["kind"], "not_implemented", "{check:#}");
        }
    }

    // As a student first sees it, on one screen: a line per binary still
    // to write, one for the passes not counted yet, the hint once, and the
    // total.
    let shown = cargo(&edition, &["run", "-q", "-p", "grader"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    let tasks = grader::tasks::all().len();
    assert!(text.lines().count() <= 40, "{text}");
    assert_eq!(
        text.matches(CauseKind::NotImplemented.hint()).count(),
        1,
        "{text}"
    );
    for side in ["server", "client"] {
        assert_eq!(
            text.matches(&format!(
                "for one reason: the {side} is not implemented yet"
            ))
            .count(),
            tasks,
            "{text}"
        );
    }
    assert_eq!(
        text.matches("checks passed but are not counted: ").count(),
        tasks,
        "{text}"
    );

    // The student's grader has no classroom part: grading a submission,
    // a class or the sandbox is refused with where to do it instead.
    for asked in [
        &["--submission", "lab.zip"][..],
        &["batch", "class", "--out", "results"],
        &["--sandbox"],
        &["doctor"],
    ] {
        let mut args = vec!["run", "-q", "-p", "grader", "--"];
        args.extend(asked);
        let refused = cargo(&edition, &args);
        let said = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{asked:?}: {said}");
        assert!(
            said.contains("runs on Linux only and is not in the student edition"),
            "{said}"
        );
    }
}

#[test]
fn no_solution_text_is_left_in_the_edition() {
    let edition = edition("no-solutions");
    let mut solution_lines = Vec::new();
    for relative in task_sources() {
        let text = fs::read_to_string(common::workspace_root().join(&relative)).unwrap();
        for region in grader::starter::regions(&text, &relative.display().to_string()).unwrap() {
            solution_lines.extend(
                region
                    .solution
                    .iter()
                    .map(|l| l.trim().to_string())
                    // Statements, not a lone `.shutdown(Shutdown::Write)` or
                    // an import, which the docs and the grader may share.
                    .filter(|l| {
                        l.len() >= 24
                            && l.contains(' ')
                            && !l.starts_with("//")
                            && !l.starts_with("use ")
                    }),
            );
        }
    }
    assert!(
        solution_lines.len() > 50,
        "too few solution lines found: {}",
        solution_lines.len()
    );
    let mut files = Vec::new();
    list(&edition, &mut files);
    // The grader's own code is a socket program too, and shares plain lines
    // such as a read buffer with the solutions; it is not a solution.
    let grader_src = [edition.join("grader/src"), edition.join("crates")];
    for file in files
        .into_iter()
        .filter(|f| !grader_src.iter().any(|src| f.starts_with(src)))
    {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        for line in &solution_lines {
            assert!(
                !text.contains(line.as_str()),
                "{} holds solution text: {line}",
                file.display()
            );
        }
    }
    assert!(!edition.join("grader/tests").exists());
    assert!(!edition.join("task03_echo/tests").exists());
    assert!(!edition.join(".git").exists());
}

fn list(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            list(&entry.path(), into);
        } else {
            into.push(entry.path());
        }
    }
}

#[test]
fn filling_the_solutions_back_in_gets_full_marks() {
    let edition = edition("round-trip");
    fill_in(&edition, "task");
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .args([
            "--format",
            "json",
            "--submission",
            edition.to_str().unwrap(),
            "--target-dir",
        ])
        .arg(common::shared_target())
        .current_dir(common::workspace_root())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["score"], report["max_score"], "{report:#}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_edition_is_not_written_over_a_folder_in_use() {
    let dir = common::scratch("busy");
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .args(["starter", "--out", dir.to_str().unwrap(), "--workspace"])
        .arg(common::workspace_root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not empty: pass --force"));
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
}

#[test]
#[serial]
fn watch_regrades_when_a_task_is_filled_in() {
    let edition = edition("watch");
    // Build first, so the watcher's first grading is quick.
    assert!(cargo(&edition, &["build", "-q", "-p", "task01_connect"])
        .status
        .success());
    let program = Program::new(vec![
        "env".into(),
        format!("CARGO_TARGET_DIR={}", edition_target().display()),
        env!("CARGO_BIN_EXE_grader").into(),
        "watch".into(),
        "task01".into(),
        "--workspace".into(),
        edition.display().to_string(),
    ]);
    let watcher = Child::spawn(&program, false).unwrap();
    let full = grader::tasks::by_number(1).unwrap().max_points();
    let first = watcher.wait_for_line(
        Stream::Stdout,
        Deadline::after(Duration::from_secs(120)),
        |l| l.contains(&format!("score 0/{full}")),
    );
    assert!(
        first.is_ok(),
        "no first grading: {:?}",
        watcher.output(Stream::Stdout)
    );
    fill_in(&edition, "task01_connect");
    let regraded = watcher.wait_for_line(
        Stream::Stdout,
        Deadline::after(Duration::from_secs(120)),
        |l| l.contains(&format!("score {full}/{full}")),
    );
    assert!(
        regraded.is_ok(),
        "no full marks after filling in: {:?}",
        watcher.output(Stream::Stdout)
    );
    // Ctrl-C while it waits for the next save: it stops at once and says so
    // (it used to sit out the interrupted-report wait of 5 s in silence).
    let pid = nix::unistd::Pid::from_raw(watcher.pid() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = watcher.wait(Deadline::after(Duration::from_secs(3)));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(130),
        "still watching 3 s after Ctrl-C: {:?}",
        watcher.output(Stream::Stderr)
    );
    assert!(
        watcher
            .output(Stream::Stderr)
            .iter()
            .any(|l| l == "stopped watching"),
        "{:?}",
        watcher.output(Stream::Stderr)
    );
}
