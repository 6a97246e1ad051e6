//! Feedback that follows the cause: a server with one mistake that fails
//! many checks is told so once, with the hint for that mistake, and no
//! check of it shows a hint written for another one. A gallery program
//! here is graded once with the gallery's tests ([`super::runs`]).

use super::runs::{graded as shared, one_by_one};
use crate::common::binary;
use grader::check::{CauseKind, Status, Subjects};
use grader::process::Program;
use grader::report::{Build, CheckReport, Format, Report, TaskReport};
use grader::time::Timing;

/// Task `number` graded with `server` and the reference client, `scale`
/// stretching (or shrinking) every wait.
fn graded(number: u8, server: Program, scale: f64) -> Vec<CheckReport> {
    graded_pair(number, Some(server), None, scale)
}

/// Task `number` graded with `server` and `client`, the reference standing
/// in for a side not given.
fn graded_pair(
    number: u8,
    server: Option<Program>,
    client: Option<Program>,
    scale: f64,
) -> Vec<CheckReport> {
    let task = grader::tasks::by_number(number).expect("the task exists");
    let subjects = Subjects {
        server: server.or_else(|| Some(binary(&task.server_bin()))),
        client: client.or_else(|| Some(binary(&task.client_bin()))),
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
    let reports = graded(number, server, scale);
    grouped(number, reports, "server", kind, least);
}

/// [`grouped`] for the gallery's `name` as the `side` of task `number`,
/// as the gallery grades it.
fn gallery_grouped(number: u8, side: &'static str, name: &str, kind: CauseKind, least: usize) {
    grouped(
        number,
        shared(number, side, name).to_vec(),
        side,
        kind,
        least,
    );
}

/// Asserts that the failures of `reports` with a cause all have `kind` (at
/// least `least` of them), found in `program`, carry its hint, and are
/// shown once, as one group, without any check's own hint.
fn grouped(number: u8, reports: Vec<CheckReport>, program: &str, kind: CauseKind, least: usize) {
    let task = grader::tasks::by_number(number).unwrap();
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
        "{} checks failed for one reason: the {program} {}",
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
    let reports = graded(
        1,
        shell("echo 'error: no such file: config.toml' >&2; exit 3"),
        1.0,
    );
    let detail = reports[0].cause.as_ref().unwrap().detail.clone();
    grouped(1, reports, "server", CauseKind::ExitedEarly, 9);
    assert_eq!(
        detail,
        "exit status 3; its last stderr line: \"error: no such file: config.toml\""
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
    gallery_grouped(
        1,
        "server",
        "wrong_t01_server_prints_requested_port",
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
    gallery_grouped(
        2,
        "server",
        "wrong_t02_server_ignores_port",
        CauseKind::IgnoresPort,
        9,
    );
}

#[test]
fn a_lone_failure_is_shown_as_before() {
    // One mistake, one check: nothing to group, the check's own hint.
    let reports = shared(1, "server", "wrong_t01_server_binds_all");
    let failed: Vec<&CheckReport> = reports
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    assert_eq!(failed.len(), 1, "{reports:#?}");
    assert!(failed[0].cause.is_none());
    let text = human("task01_connect", reports.to_vec());
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

#[test]
fn a_server_that_keeps_the_connection_open_after_bye_is_named_once() {
    gallery_grouped(
        4,
        "server",
        "wrong_t04_server_no_bye",
        CauseKind::KeepsOpenAfterBye,
        10,
    );
}

#[test]
fn a_greeting_without_a_line_ending_is_named_once() {
    gallery_grouped(
        2,
        "server",
        "wrong_t02_server_no_newline_never_closes",
        CauseKind::GreetingUnended,
        6,
    );
}

#[test]
fn a_server_that_serves_one_client_at_a_time_is_named_once() {
    gallery_grouped(
        4,
        "server",
        "wrong_t04_server_iterative",
        CauseKind::OneAtATime,
        5,
    );
}

#[test]
fn a_client_that_never_half_closes_is_named_once() {
    gallery_grouped(
        3,
        "client",
        "wrong_t03_client_no_shutdown",
        CauseKind::NoHalfClose,
        6,
    );
}

#[test]
fn what_one_check_waited_for_in_vain_is_not_waited_out_again() {
    // The checks run one after another here: once a check has waited its
    // whole deadline for the close after `BYE`, the others stop waiting
    // for it at once, the pair check included.
    let reports = one_by_one(4, "server", "wrong_t04_server_no_bye");
    let wait = grader::harness::REPLY_WAIT.as_millis() as u64;
    let (waited, quick): (Vec<&CheckReport>, Vec<&CheckReport>) = reports
        .iter()
        .filter(|r| {
            r.cause
                .as_ref()
                .is_some_and(|c| c.kind == CauseKind::KeepsOpenAfterBye)
        })
        .partition(|r| r.duration_ms >= wait);
    assert_eq!(waited.len(), 1, "{reports:#?}");
    assert!(quick.len() >= 10, "{reports:#?}");
    assert!(
        quick.iter().any(|r| r.id == "task04.pair.chat"),
        "{quick:#?}"
    );
}

#[test]
fn a_server_that_panics_during_a_check_is_told_the_same_way_every_time() {
    // It ends of the panic: the panic is the cause (not the exit it led
    // to), without the thread's id, which changes every run.
    // The first grading is the gallery's, then two more.
    let name = "wrong_t01_server_unwraps_peer_addr";
    let messages: Vec<String> = (0..3)
        .map(|run| {
            let reports = match run {
                0 => shared(1, "server", name),
                _ => std::sync::Arc::new(graded(1, binary(name), 1.0)),
            };
            let failed: Vec<&CheckReport> = reports
                .iter()
                .filter(|r| r.status == Status::Fail)
                .collect();
            assert_eq!(failed.len(), 1, "{reports:#?}");
            let cause = failed[0].cause.as_ref().expect("a cause");
            assert_eq!(cause.kind, CauseKind::Panicked, "{cause:?}");
            assert_eq!(cause.program, "server");
            assert_eq!(failed[0].hint, CauseKind::Panicked.hint());
            failed[0].message.clone()
        })
        .collect();
    assert!(
        messages[0].starts_with(
            "the server panicked at grader/tests/gallery/examples/wrong_t01_server_unwraps_peer_addr.rs:"
        ),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("unwrap()"), "{}", messages[0]);
    assert!(!messages[0].contains("thread"), "{}", messages[0]);
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:#?}");
}

#[test]
fn a_panic_on_an_error_path_is_told_as_any_panic() {
    // The task01 client unwraps a refused connect: the check of that error
    // path says so with the words and the cause of every other panic.
    let reports = shared(1, "client", "wrong_t01_client_unwrap");
    let refused = reports
        .iter()
        .find(|r| r.id == "task01.client.refused")
        .expect("the check exists");
    assert_eq!(refused.status, Status::Fail, "{refused:#?}");
    let cause = refused.cause.as_ref().expect("a cause");
    assert_eq!(cause.kind, CauseKind::Panicked, "{cause:?}");
    // The message quotes the panic whole; the cause names its place.
    assert!(
        refused.message.starts_with(&format!(
            "the client panicked at {}: called `Result::unwrap()`",
            cause.detail
        )),
        "{}",
        refused.message
    );
    assert!(
        cause.detail.contains("wrong_t01_client_unwrap.rs:"),
        "{cause:?}"
    );
    assert_eq!(refused.hint, CauseKind::Panicked.hint());
}

#[test]
fn a_udp_server_that_adds_a_newline_is_named_once() {
    gallery_grouped(
        5,
        "server",
        "wrong_t05_server_adds_newline",
        CauseKind::AddsBytes,
        8,
    );
}

#[test]
fn a_udp_server_that_replies_to_a_fixed_address_is_named_once() {
    gallery_grouped(
        5,
        "server",
        "wrong_t05_server_fixed_address",
        CauseKind::NoDatagramReply,
        3,
    );
}

#[test]
fn a_chat_server_that_takes_turns_is_named_once() {
    gallery_grouped(
        6,
        "server",
        "wrong_t06_server_turns",
        CauseKind::TakesTurns,
        3,
    );
}

#[test]
fn a_chat_client_that_takes_turns_is_named_once_per_cause() {
    // Turn-taking keeps it from sending and printing (one cause), and from
    // ending when the server does (another): two groups, each with its hint.
    let reports = shared(6, "client", "wrong_t06_client_turns");
    let text = human("task06_chat", reports.to_vec());
    for (kind, least) in [
        (CauseKind::TakesTurns, 4),
        (CauseKind::KeyboardHoldsExit, 2),
    ] {
        let members: Vec<&CheckReport> = reports
            .iter()
            .filter(|r| r.cause.as_ref().is_some_and(|c| c.kind == kind))
            .collect();
        assert!(members.len() >= least, "{kind:?}: {reports:#?}");
        let headline = format!(
            "{} checks failed for one reason: the client {}",
            members.len(),
            kind.words()
        );
        assert_eq!(text.matches(&headline).count(), 1, "{text}");
        assert_eq!(text.matches(kind.hint()).count(), 1, "{text}");
    }
}

#[test]
fn a_chat_client_that_ends_only_at_a_keystroke_is_named_once() {
    gallery_grouped(
        6,
        "client",
        "wrong_t06_client_bye_at_keystroke",
        CauseKind::KeyboardHoldsExit,
        2,
    );
}

#[test]
fn a_udp_client_that_adds_a_newline_is_named_once() {
    gallery_grouped(
        5,
        "client",
        "wrong_t05_client_sends_newline",
        CauseKind::SendsNewline,
        7,
    );
}

#[test]
fn a_udp_client_bound_to_the_servers_port_is_named_once() {
    gallery_grouped(
        5,
        "client",
        "wrong_t05_client_binds_server_port",
        CauseKind::BindsServerPort,
        12,
    );
}

#[test]
fn a_chat_server_that_answers_the_clients_bye_is_named_once() {
    gallery_grouped(
        6,
        "server",
        "wrong_t06_server_answers_bye",
        CauseKind::AnswersClientBye,
        12,
    );
}

#[test]
fn a_chat_client_that_calls_the_close_after_its_bye_an_error_is_named_once() {
    gallery_grouped(
        6,
        "client",
        "wrong_t06_client_close_is_error",
        CauseKind::CloseAfterByeIsError,
        6,
    );
}

#[test]
fn a_line_client_that_sends_no_bye_at_the_end_of_input_is_named_once() {
    gallery_grouped(
        4,
        "client",
        "wrong_t04_client_no_bye_at_eof",
        CauseKind::NoByeAtEof,
        6,
    );
}

/// A failed check of the server, with `cause` if given.
fn failed(id: &str, cause: Option<CauseKind>) -> CheckReport {
    let task = grader::tasks::by_number(6).unwrap();
    let check = task.checks.iter().find(|c| c.id == id).unwrap();
    CheckReport {
        id: id.into(),
        title: check.title.into(),
        role: grader::check::Role::Server,
        status: Status::Fail,
        points: 0,
        max_points: check.points,
        message: format!("{id} saw it go wrong"),
        hint: cause.map_or(check.hint, |kind| kind.hint()).into(),
        duration_ms: 1,
        expected: None,
        actual: None,
        transcript: Vec::new(),
        cause: cause.map(|kind| grader::check::Cause {
            kind,
            program: "server".into(),
            detail: String::new(),
        }),
        flaky: false,
        visibility: Default::default(),
    }
}

#[test]
fn the_cause_of_most_failures_is_shown_first_wherever_its_checks_are() {
    // Two checks early in the list fail for one cause, three later ones
    // for another: the three come first, and `grader hint` starts there.
    let checks = vec![
        failed("task06.server.client_lines", Some(CauseKind::TakesTurns)),
        failed("task06.server.typed_lines", Some(CauseKind::TakesTurns)),
        failed("task06.server.stdin_end", None),
        failed(
            "task06.server.client_bye",
            Some(CauseKind::AnswersClientBye),
        ),
        failed("task06.server.hangup", Some(CauseKind::AnswersClientBye)),
        failed("task06.server.backlog", Some(CauseKind::AnswersClientBye)),
    ];
    let text = human("task06_chat", checks.clone());
    let answers = text
        .find(CauseKind::AnswersClientBye.hint())
        .expect("the larger group is shown");
    let turns = text
        .find(CauseKind::TakesTurns.hint())
        .expect("the smaller group is shown");
    let alone = text
        .find("✗ task06.server.stdin_end")
        .expect("the lone failure is shown");
    assert!(answers < turns && turns < alone, "{text}");
    assert_eq!(text.matches("for one reason").count(), 2, "{text}");

    let task = TaskReport::new("task06_chat", Build::Ok, Vec::new(), checks);
    let hint = grader::hint::text(&task, "task06", 0);
    assert!(
        hint.starts_with("3 checks failed for one reason: the server answers the client's `BYE`"),
        "{hint}"
    );
    assert!(
        hint.contains("Hint 1 of ") && hint.contains(CauseKind::AnswersClientBye.hint()),
        "{hint}"
    );
    assert!(!hint.contains(CauseKind::TakesTurns.hint()), "{hint}");
    // The deeper levels are the lead's first check's: client_bye's own
    // second hint, then what it saw.
    let client_bye = grader::tasks::deeper("task06.server.client_bye");
    let deepest = grader::hint::text(&task, "task06", 9);
    assert!(!client_bye.is_empty());
    for level in client_bye {
        assert!(deepest.contains(level), "{deepest}");
    }
    assert!(
        deepest.contains("task06.server.client_bye: task06.server.client_bye saw it go wrong"),
        "{deepest}"
    );
}
