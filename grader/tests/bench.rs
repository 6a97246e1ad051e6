//! `grader bench`: a bounded load against the reference servers, every
//! echoed byte checked, and the chart it draws.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::time::Duration;

#[test]
fn bench_loads_both_echo_servers_and_draws_the_chart() {
    let dir = common::scratch("bench");
    let svg = dir.join("bench.svg");
    Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(common::workspace_root())
        .args([
            "bench",
            "task04",
            "--conns",
            "1,5",
            "--messages",
            "20",
            "--compare",
            "task03",
        ])
        .arg("--plot")
        .arg(&svg)
        .timeout(Duration::from_secs(300))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "task04_multithreaded at 127.0.0.1:",
        ))
        .stdout(predicate::str::contains("task03_echo at 127.0.0.1:"))
        .stdout(predicate::str::is_match(r"\n +5 +64 +\d+ .* 0\n").unwrap());
    let chart = std::fs::read_to_string(&svg).unwrap();
    for label in [
        "Throughput",
        "Latency",
        "clients at once",
        "messages per second",
        "task04_multithreaded",
        "task03_echo",
    ] {
        assert!(chart.contains(label), "the chart has no {label:?}");
    }
    assert!(
        chart.matches("<circle").count() >= 8,
        "two points per line, two lines per chart"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_refuses_a_task_without_an_echo_server() {
    Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(common::workspace_root())
        .args(["bench", "task02"])
        .timeout(Duration::from_secs(300))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no echo server to load"));
}

#[test]
fn bench_loads_the_udp_echo_server_and_counts_no_loss() {
    Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(common::workspace_root())
        .args(["bench", "task05", "--conns", "1,5", "--messages", "20"])
        .timeout(Duration::from_secs(300))
        .assert()
        .success()
        .stdout(predicate::str::contains("task05_udp at 127.0.0.1:"))
        .stdout(predicate::str::is_match(r"\n +5 +64 +\d+ .* 0\n").unwrap());
}
