//! One mistake, one verdict, every run: each wrong gallery program of the
//! chat and UDP tasks is graded five times at once, the way `grader` grades
//! (its checks side by side, sharing what they learn), and the verdict a
//! student reads (which checks fail, every failure's message, the lead and
//! its hint) must be the same text each time, once ports, pids and
//! measured times are masked. The runs are [`super::runs::steady_runs`]:
//! the gallery's and the causes' tests of these programs read the first.

use super::runs::{graded_as_the_cli, steady_runs, RUNS};
use grader::check::Status;
use grader::report::CheckReport;
use serial_test::serial;
use std::time::Instant;

/// The verdict a student reads, masked: every failed check with its
/// message and hint, then the lead.
pub fn verdict(reports: &[CheckReport]) -> String {
    let mut text = String::new();
    for r in reports.iter().filter(|r| r.status != Status::Pass) {
        text += &format!(
            "{} [{}] {}\n    hint: {}\n",
            r.id,
            r.status.as_str(),
            r.message,
            r.hint
        );
    }
    if let Some(lead) = grader::report::lead(reports) {
        text += &format!("lead: {}\n    hint: {}\n", lead.text, lead.hint);
    }
    mask(&text)
}

/// `text` with what changes from run to run made `#`: a number of 4
/// digits or more after `:` (a port), after `port ` or `pid `, a number of
/// milliseconds, and the OS error a panic quotes (`Os { code: 32, … }`:
/// a write to a client that has just gone fails as "Broken pipe" or as
/// "Connection reset" as the kernel's timing has it).
fn mask(text: &str) -> String {
    let mut text = text.to_string();
    while let Some(at) = text.find("Os { code: ") {
        let end = text[at..].find(" }").map_or(text.len(), |e| at + e + 2);
        text.replace_range(at..end, "Os {#}");
    }
    mask_numbers(&text)
}

fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let len = from
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(from.len());
        let (digits, after) = from.split_at(len);
        let port = out.ends_with(':') && len >= 4;
        let named = ["port ", "pid ", "ports "].iter().any(|w| out.ends_with(w));
        let ms = after.starts_with(" ms") || after.starts_with("ms");
        out.push_str(if port || named || ms { "#" } else { digits });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[test]
#[serial]
fn every_wrong_udp_and_chat_program_gets_the_same_verdict_every_run() {
    let steady = steady_runs();
    let mut unstable = Vec::new();
    for (runs, (_, _, name)) in steady.runs.iter().zip(&steady.programs) {
        let verdicts: Vec<String> = runs
            .iter()
            .map(|run| match run {
                Ok(reports) => verdict(reports),
                Err(panic) => format!("(grading panicked: {panic})"),
            })
            .collect();
        let first = &verdicts[0];
        assert!(first.contains("lead: "), "{name} failed nothing:\n{first}");
        for (n, other) in verdicts.iter().enumerate().skip(1) {
            if other != first {
                unstable.push(format!(
                    "{name}, run 1:\n{first}\n{name}, run {}:\n{other}",
                    n + 1
                ));
            }
        }
    }
    eprintln!(
        "{} programs graded {RUNS} times each in {:?}",
        steady.programs.len(),
        steady.took
    );
    assert!(
        unstable.is_empty(),
        "verdicts that changed:\n{}",
        unstable.join("\n")
    );
}

#[test]
#[serial]
fn a_replayed_check_says_what_it_said_in_the_graded_run() {
    // The chat's strict turns, both sides: each failed check run alone, as
    // `grader replay` runs it, fails with the same words.
    // The whole grading is the verdicts' first run of each.
    for (side, name) in [
        ("server", "wrong_t06_server_turns"),
        ("client", "wrong_t06_client_turns"),
    ] {
        let whole = super::runs::graded(6, side, name);
        let failed: Vec<&CheckReport> = whole.iter().filter(|r| r.status != Status::Pass).collect();
        assert!(!failed.is_empty(), "{name} failed nothing");
        let alone: Vec<String> = grader::pool::parallel_map(&failed, 4, |report| {
            verdict(&graded_as_the_cli(6, side, name, Some(&report.id)))
        })
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
        for (report, alone) in failed.iter().zip(alone) {
            let graded = verdict(std::slice::from_ref(*report));
            let line = |text: &str| text.lines().take(2).collect::<Vec<_>>().join("\n");
            assert_eq!(line(&alone), line(&graded), "{name}: {}", report.id);
        }
    }
}

#[test]
#[ignore = "a tool: VERDICT=task:side:name cargo test --test gallery verdicts::show -- --ignored"]
fn show() {
    let wanted = std::env::var("VERDICT").unwrap_or_default();
    for one in wanted.split(',').filter(|w| !w.is_empty()) {
        let mut parts = one.split(':');
        let number: u8 = parts.next().unwrap().parse().unwrap();
        let side = parts.next().unwrap();
        let name = parts.next().unwrap();
        let started = Instant::now();
        let reports = graded_as_the_cli(number, side, name, None);
        eprintln!(
            "{side} {name} graded in {:?}\n{}",
            started.elapsed(),
            verdict(&reports)
        );
    }
}

#[test]
fn masking_keeps_words_and_hides_ports_and_times() {
    assert_eq!(
        mask("connect to 127.0.0.1:40211 (port 40211), pid 77, took 312 ms, exit status 101, a.rs:51:37"),
        "connect to 127.0.0.1:# (port #), pid #, took # ms, exit status 101, a.rs:51:37"
    );
}
