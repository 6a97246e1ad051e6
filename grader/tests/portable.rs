//! The student's grader on every student's system: what Windows and macOS
//! would compile holds no Linux-only crate, and on Linux the grader taking
//! Windows' paths (`GRADER_OS=windows`: no OS probes, no signals) grades
//! the reference in full on every check it can judge, and says of every
//! other check that it was skipped and why.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

/// Crates that build only on Linux, or only matter there.
const LINUX_ONLY: &[&str] = &[
    "nix",
    "landlock",
    "seccompiler",
    "inotify",
    "inotify-sys",
    "procfs",
    "linux-raw-sys",
];

/// The crates `cargo tree` lists for the grader's normal dependencies on
/// `target`, with `features` (`None`: the defaults).
fn crates(target: &str, no_default_features: bool) -> BTreeSet<String> {
    let mut args = vec![
        "tree", "-p", "grader", "-e", "normal", "--prefix", "none", "--target", target,
    ];
    if no_default_features {
        args.push("--no-default-features");
    }
    let output = std::process::Command::new(env!("CARGO"))
        .args(&args)
        .current_dir(common::workspace_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Each line: `name vX.Y.Z (path)?`, `(*)` for one already shown.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn windows_and_macos_compile_no_linux_only_crate() {
    for target in ["x86_64-pc-windows-msvc", "aarch64-apple-darwin"] {
        let listed = crates(target, false);
        assert!(
            listed.contains("grader") && listed.contains("clap"),
            "{listed:?}"
        );
        let linux: Vec<&&str> = LINUX_ONLY
            .iter()
            .filter(|name| listed.contains(**name))
            .collect();
        assert!(linux.is_empty(), "{target} would compile {linux:?}");
    }
    // The reader sees them where they are.
    let linux = crates("x86_64-unknown-linux-gnu", false);
    assert!(
        linux.contains("nix") && linux.contains("landlock"),
        "{linux:?}"
    );
}

#[test]
fn the_student_edition_compiles_none_of_the_classroom_crates() {
    let student = crates("x86_64-unknown-linux-gnu", true);
    let instructor = crates("x86_64-unknown-linux-gnu", false);
    for classroom in [
        "zip",
        "blake3",
        "csv",
        "landlock",
        "nix",
        "seccompiler",
        "tree-sitter",
    ] {
        assert!(
            instructor.contains(classroom),
            "{classroom}: {instructor:?}"
        );
        assert!(!student.contains(classroom), "{classroom}: {student:?}");
    }
}

/// The grader run as on Windows, in the reference workspace.
fn as_on_windows(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(common::workspace_root())
        .env("GRADER_OS", "windows")
        .args(args)
        .timeout(Duration::from_secs(600))
        .output()
        .unwrap()
}

/// What needs `/proc`, netlink or signals: the checks Windows can't judge.
const UNJUDGED_ON_WINDOWS: &[&str] = &[
    "open_files",
    "releases_sockets",
    "no_close_wait",
    "stops",
    "thread_per_client",
];

#[test]
fn on_windows_paths_the_reference_passes_every_check_it_can_judge() {
    let output = as_on_windows(&["--format", "json"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let mut skipped = BTreeSet::new();
    let mut judged = 0;
    for task in report["tasks"].as_array().unwrap() {
        for check in task["checks"].as_array().unwrap() {
            let id = check["id"].as_str().unwrap();
            match check["status"].as_str().unwrap() {
                "pass" => judged += 1,
                "skipped" => {
                    let message = check["message"].as_str().unwrap();
                    assert!(
                        message.starts_with("on Windows the grader can't")
                            && message.contains("grading on Linux judges it"),
                        "{id}: {message}"
                    );
                    assert_eq!(check["max_points"], 0, "{id} still counts");
                    skipped.insert(id.rsplit('.').next().unwrap().to_string());
                }
                other => panic!("{id} is {other}: {check:#}"),
            }
        }
    }
    let expected: BTreeSet<String> = UNJUDGED_ON_WINDOWS.iter().map(|s| s.to_string()).collect();
    assert_eq!(skipped, expected);
    assert!(judged > 100, "only {judged} checks judged");
    assert_eq!(report["score"], report["max_score"]);
}

#[test]
fn on_windows_paths_hint_and_replay_work() {
    let hint = as_on_windows(&["hint", "task03"]);
    assert!(hint.status.success());
    assert!(String::from_utf8_lossy(&hint.stdout).contains("no hint needed"));

    let replay = as_on_windows(&["replay", "task01.server.stops"]);
    let text = String::from_utf8_lossy(&replay.stdout);
    assert!(
        text.contains("on Windows the grader can't send a program Ctrl-C"),
        "{text}"
    );
    let replay = as_on_windows(&["replay", "task03.server.echo_text"]);
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stdout)
    );
}
