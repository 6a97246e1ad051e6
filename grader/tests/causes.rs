//! Feedback that follows the cause: a server with one mistake that fails
//! many checks is told so once, with the hint for that mistake, and no
//! check of it shows a hint written for another one.

mod common;

use common::binary;
use grader::check::{CauseKind, Status, Subjects};
use grader::process::Program;
use grader::report::{Build, CheckReport, Format, Report, TaskReport};
use grader::time::Timing;

/// Task `number` graded with `server` and the reference client, `scale`
/// stretching (or shrinking) every wait.
fn graded(number: u8, server: Program, scale: f64) -> Vec<CheckReport> {
    let task = grader::tasks::by_number(number).expect("the task exists");
    let subjects = Subjects {
        server: Some(server),
        client: Some(binary(&task.client_bin())),
        known: Default::default(),
    };
    grader::run::run_task(&task, &subjects, Timing::new(scale))
}

/// The human report of `checks`, without colours.
fn human(package: &str, checks: Vec<CheckReport>) -> String {
    let report = Report::new(vec![TaskReport::new(
        package,
        Build::Ok,
        Vec::new(),
        checks,
    )]);
    let text = Format::Human.render(&report, false, "t");
    anstream::adapter::strip_str(&text).to_string()
}

/// Grades `server` in task `number` and asserts that its failures with a
/// cause all have `kind` (at least `least` of them), carry its hint, and
/// are shown once, as one group, without any check's own hint.
fn shown_once(number: u8, server: Program, scale: f64, kind: CauseKind, least: usize) {
    let task = grader::tasks::by_number(number).unwrap();
    let reports = graded(number, server, scale);
    let caused: Vec<&CheckReport> = reports
        .iter()
        .filter(|r| r.status == Status::Fail && r.cause.is_some())
        .collect();
    assert!(caused.len() >= least, "{reports:#?}");
    for report in &caused {
        let cause = report.cause.as_ref().unwrap();
        assert_eq!(cause.kind, kind, "{}: {cause:?}", report.id);
        assert_eq!(report.hint, kind.hint(), "{}", report.id);
    }
    let text = human(task.package, reports.clone());
    let headline = format!(
        "{} checks failed for one reason: the server {}",
        caused.len(),
        kind.words()
    );
    assert_eq!(text.matches(&headline).count(), 1, "{text}");
    assert_eq!(text.matches(kind.hint()).count(), 1, "{text}");
    for report in &caused {
        let own = task.checks.iter().find(|c| c.id == report.id).unwrap().hint;
        assert!(
            !text.contains(own),
            "{}'s own hint is shown:\n{text}",
            report.id
        );
        assert!(
            !text.contains(&format!("✗ {}", report.id)),
            "{} is listed on its own:\n{text}",
            report.id
        );
    }
    // `--verbose` lists every check as before.
    let report = Report::new(vec![TaskReport::new(
        task.package,
        Build::Ok,
        Vec::new(),
        reports.clone(),
    )]);
    let verbose =
        anstream::adapter::strip_str(&Format::Human.render(&report, true, "t")).to_string();
    for check in &caused {
        assert!(verbose.contains(&format!("✗ {}", check.id)), "{verbose}");
    }
}

fn shell(script: &str) -> Program {
    Program::new(vec!["sh".into(), "-c".into(), script.into()])
}

#[test]
fn a_server_that_exits_at_once_is_named_once_with_its_last_words() {
    shown_once(
        1,
        shell("echo 'error: no such file: config.toml' >&2; exit 3"),
        1.0,
        CauseKind::ExitedEarly,
        9,
    );
    let reports = graded(1, shell("echo 'error: boom' >&2; exit 3"), 1.0);
    let detail = &reports[0].cause.as_ref().unwrap().detail;
    assert_eq!(
        detail,
        "exit status 3; its last stderr line: \"error: boom\""
    );
}

#[test]
fn a_server_that_never_announces_itself_is_named_once() {
    shown_once(1, shell("exec sleep 60"), 0.1, CauseKind::NeverAnnounced, 9);
}

#[test]
fn a_start_that_failed_for_good_is_not_waited_out_again() {
    // The checks run one after another here: only the first that starts
    // the server with the usual arguments waits for its line.
    let reports = graded(1, shell("exec sleep 60"), 0.2);
    let waited: Vec<&str> = reports
        .iter()
        .filter(|r| r.cause.is_some())
        .filter(|r| {
            !r.transcript
                .iter()
                .any(|l| l.contains("not started: an earlier check"))
        })
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        waited,
        ["task01.server.listening", "task01.server.loopback_default"],
        "{reports:#?}"
    );
}

#[test]
fn a_server_that_announces_port_zero_is_named_once() {
    shown_once(
        1,
        binary("wrong_t01_server_prints_requested_port"),
        1.0,
        CauseKind::AnnouncedPortZero,
        9,
    );
}

#[test]
fn a_server_that_announces_no_address_is_named_once() {
    shown_once(
        1,
        shell("echo 'Listening on port 40211'; exec sleep 60"),
        1.0,
        CauseKind::UnreadableAddress,
        9,
    );
}

#[test]
fn a_server_that_ignores_the_port_is_named_once() {
    shown_once(
        2,
        binary("wrong_t02_server_ignores_port"),
        1.0,
        CauseKind::IgnoresPort,
        9,
    );
}

#[test]
fn a_lone_failure_is_shown_as_before() {
    // One mistake, one check: nothing to group, the check's own hint.
    let reports = graded(1, binary("wrong_t01_server_binds_all"), 1.0);
    let failed: Vec<&CheckReport> = reports
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    assert_eq!(failed.len(), 1, "{reports:#?}");
    assert!(failed[0].cause.is_none());
    let text = human("task01_connect", reports.clone());
    assert!(text.contains("✗ task01.server.loopback_default"), "{text}");
    assert!(text.contains("✓ task01.server.listening"), "{text}");
    assert!(!text.contains("for one reason"), "{text}");
}

#[test]
fn bytes_without_a_line_ending_are_shown() {
    // A task 04 client that writes its line without the `\n`.
    let script = r#"exec 3<>"/dev/tcp/$2/$4"; printf hello >&3; exec sleep 30"#;
    let client = Program::new(vec![
        "bash".into(),
        "-c".into(),
        script.into(),
        "client".into(),
    ]);
    let task = grader::tasks::by_number(4).unwrap();
    let check = task
        .checks
        .iter()
        .find(|c| c.id == "task04.client.lines")
        .unwrap();
    let subjects = Subjects {
        server: None,
        client: Some(client),
        known: Default::default(),
    };
    let lines = grader::run::run_check(check, &subjects, Timing::new(0.3), false);
    assert_eq!(lines.status, Status::Fail, "{lines:#?}");
    assert!(
        lines.message.contains("hello") && lines.message.contains("with no line ending"),
        "{}",
        lines.message
    );
}
