//! One mistake, one verdict, every run: each wrong gallery program of the
//! chat and UDP tasks is graded five times at once, the way `grader` grades
//! (its checks side by side, sharing what they learn), and the verdict a
//! student reads (which checks fail, every failure's message, the lead and
//! its hint) must be the same text each time, once ports, pids and
//! measured times are masked.

mod common;

use common::{binary, workspace_root};
use grader::check::Status;
use grader::report::CheckReport;
use grader::run::{grade, Options};
use grader::time::Timing;
use serial_test::serial;
use std::time::Instant;

/// How many times each program is graded.
const RUNS: usize = 5;

/// Task `number` graded as `grader` does, with `server` and `client` (the
/// reference binary where `None`).
fn graded(number: u8, server: Option<&str>, client: Option<&str>) -> Vec<CheckReport> {
    graded_only(number, server, client, None)
}

/// [`graded`], only the check `only` when given, as `grader replay` runs it.
fn graded_only(
    number: u8,
    server: Option<&str>,
    client: Option<&str>,
    only: Option<&str>,
) -> Vec<CheckReport> {
    let mut task = grader::tasks::by_number(number).expect("the task exists");
    if let Some(only) = only {
        task.checks.retain(|c| c.id == only);
    }
    let options = Options {
        workspace: workspace_root(),
        server_cmd: Some(binary(server.unwrap_or(&task.server_bin()))),
        client_cmd: Some(binary(client.unwrap_or(&task.client_bin()))),
        timing: Timing::default(),
        transcripts: false,
        shared_target: None,
        repeat: 1,
        sandbox: None,
    };
    let report = grade(&[task], &options, &|_| {}).expect("grading runs");
    report.tasks.into_iter().next().expect("one task").checks
}

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

/// Wrong programs of other tasks whose verdict depends on timing: one
/// that never sends `BYE` (the grader waits for it), two that spin at
/// end of stream (the grader watches the CPU).
const ALSO: &[&str] = &[
    "wrong_t04_client_no_bye_at_eof",
    "wrong_t03_server_spins_at_eof",
    "wrong_t04_server_ignores_eof",
];

/// The wrong programs of the UDP and chat tasks in the gallery, as (task,
/// side, name): every one there, so a new one can't be left out.
fn wrong() -> Vec<(u8, &'static str, String)> {
    let examples = format!("{}/tests/gallery/examples", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<(u8, &'static str, String)> = std::fs::read_dir(examples)
        .expect("the gallery is there")
        .filter_map(|entry| {
            let name = entry
                .ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".rs")?
                .to_string();
            let number = match &name {
                n if n.starts_with("wrong_t05_") => 5,
                n if n.starts_with("wrong_t06_") => 6,
                n if ALSO.contains(&n.as_str()) => n[7..9].parse().ok()?,
                _ => return None,
            };
            let side = match name.contains("_server_") {
                true => "server",
                false => "client",
            };
            Some((number, side, name))
        })
        .collect();
    found.sort();
    assert!(found.len() >= 30, "too few wrong programs found: {found:?}");
    found
}

/// How many gradings run at once: one program's five runs. More, and a
/// loaded CI machine starts a server later than the grader waits for.
const AT_ONCE: usize = RUNS;

#[test]
#[serial]
fn every_wrong_udp_and_chat_program_gets_the_same_verdict_every_run() {
    let started = Instant::now();
    let wrong = wrong();
    let jobs: Vec<(u8, &str, &str)> = wrong
        .iter()
        .flat_map(|(number, side, name)| std::iter::repeat_n((*number, *side, name.as_str()), RUNS))
        .collect();
    let verdicts = grader::pool::parallel_map(&jobs, AT_ONCE, |&(number, side, name)| {
        let reports = match side {
            "server" => graded(number, Some(name), None),
            _ => graded(number, None, Some(name)),
        };
        verdict(&reports)
    });
    let mut unstable = Vec::new();
    for (runs, (_, _, name)) in verdicts.chunks(RUNS).zip(&wrong) {
        let first = runs[0].as_deref().unwrap_or("(not run)");
        assert!(first.contains("lead: "), "{name} failed nothing:\n{first}");
        for (n, other) in runs.iter().enumerate().skip(1) {
            let other = other.as_deref().unwrap_or("(not run)");
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
        wrong.len(),
        started.elapsed()
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
    for (side, name) in [
        ("server", "wrong_t06_server_turns"),
        ("client", "wrong_t06_client_turns"),
    ] {
        let (server, client) = match side {
            "server" => (Some(name), None),
            _ => (None, Some(name)),
        };
        let whole = graded(6, server, client);
        let failed: Vec<&CheckReport> = whole.iter().filter(|r| r.status != Status::Pass).collect();
        assert!(!failed.is_empty(), "{name} failed nothing");
        let alone: Vec<String> = grader::pool::parallel_map(&failed, 4, |report| {
            verdict(&graded_only(6, server, client, Some(&report.id)))
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

fn dump(number: u8, server: Option<&str>, client: Option<&str>) {
    let started = Instant::now();
    let reports = graded(number, server, client);
    eprintln!(
        "{:?} {:?} graded in {:?}\n{}",
        server,
        client,
        started.elapsed(),
        verdict(&reports)
    );
}

#[test]
#[ignore = "a tool: VERDICT=task:side:name cargo test --test verdicts show -- --ignored"]
fn show() {
    let wanted = std::env::var("VERDICT").unwrap_or_default();
    for one in wanted.split(',').filter(|w| !w.is_empty()) {
        let mut parts = one.split(':');
        let number: u8 = parts.next().unwrap().parse().unwrap();
        let side = parts.next().unwrap();
        let name = parts.next().unwrap();
        match side {
            "server" => dump(number, Some(name), None),
            _ => dump(number, None, Some(name)),
        }
    }
}

#[test]
fn masking_keeps_words_and_hides_ports_and_times() {
    assert_eq!(
        mask("connect to 127.0.0.1:40211 (port 40211), pid 77, took 312 ms, exit status 101, a.rs:51:37"),
        "connect to 127.0.0.1:# (port #), pid #, took # ms, exit status 101, a.rs:51:37"
    );
}
