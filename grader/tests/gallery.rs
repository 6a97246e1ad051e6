//! The grader judged by the gallery: student solutions in
//! `grader/tests/gallery`, each wrong one with one realistic mistake that
//! must fail exactly the checks the contract says it breaks, each right one
//! (written differently from the reference) passing every check.
//!
//! A server under test is paired with the reference client and the other
//! way round, so a mistake shows in its own checks and in the `pair` check
//! only.
//!
//! Each program is graded once for this whole test binary
//! ([`runs`]): the causes' tests ([`causes`]) and the verdicts' ([`verdicts`],
//! which grade the UDP and chat programs five times each) read the same
//! reports as the gallery's own assertions.

#[path = "gallery_shared/causes.rs"]
mod causes;
mod common;
#[path = "gallery_shared/runs.rs"]
mod runs;
#[path = "gallery_shared/verdicts.rs"]
mod verdicts;

use common::{assert_fails_exactly, binary, grade};
use grader::check::{CauseKind, Status};
use grader::process::Program;
use grader::report::{Build, CheckReport, TaskReport};
use runs::graded;
use std::time::{Duration, Instant};

fn server(number: u8, name: &str, failing: &[&str]) {
    assert_fails_exactly(&graded(number, "server", name), failing);
}

/// Like [`server`], and every failure's message holds each of `wording`:
/// one mistake told one way, whichever check met it.
fn server_saying(number: u8, name: &str, failing: &[&str], wording: &[&str]) -> runs::Reports {
    let reports = graded(number, "server", name);
    assert_fails_exactly(&reports, failing);
    for report in reports.iter().filter(|r| r.status == Status::Fail) {
        for words in wording {
            assert!(
                report.message.contains(words),
                "{}: {:?} is not in its message: {}",
                report.id,
                words,
                report.message
            );
        }
    }
    reports
}

/// [`server_saying`], and the lead holds each of `lead`.
fn server_saying_led(number: u8, name: &str, failing: &[&str], wording: &[&str], lead: &[&str]) {
    lead_says(&server_saying(number, name, failing, wording), lead);
}

fn client(number: u8, name: &str, failing: &[&str]) {
    assert_fails_exactly(&graded(number, "client", name), failing);
}

/// Grades `name` as the `side` (`server` or `client`) of task `number`,
/// asserts that exactly `failing` fail, and that what the student reads
/// first (the lead) is `kind`'s cause, in its words, with its hint.
fn caused(number: u8, side: &'static str, name: &str, failing: &[&str], kind: CauseKind) {
    let reports = graded(number, side, name);
    assert_fails_exactly(&reports, failing);
    assert_cause_leads(&reports, side, kind);
    // `grader hint` starts from the same place.
    let package = grader::tasks::by_number(number).unwrap().package;
    let task = TaskReport::new(package, Build::Ok, Vec::new(), reports.to_vec());
    let hint = grader::hint::text(&task, package, 0);
    assert!(
        hint.contains(&format!("Hint 1 of 3: {}\n", kind.hint())),
        "{hint}"
    );
}

/// The lead of `reports` is `kind`'s cause found in `program`, with its
/// hint, and explains every failure that has a cause.
fn assert_cause_leads(reports: &[CheckReport], program: &str, kind: CauseKind) {
    let lead = grader::report::lead(reports).expect("a check failed");
    assert_eq!(
        lead.text,
        format!("the {program} {}", kind.words()),
        "{reports:#?}"
    );
    assert_eq!(lead.hint, kind.hint());
    let caused: Vec<&str> = reports
        .iter()
        .filter(|r| r.status == Status::Fail && r.cause.is_some())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(lead.checks, caused, "{reports:#?}");
}

/// `python3 grader/tests/gallery/python/<file>`; panics when this machine
/// has no python3 (CI has it): a test that needs it never passes having
/// tested nothing.
fn python(file: &str) -> Program {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(found, "this test needs python3, and it is not on PATH");
    let path = common::python_file(file).display().to_string();
    Program::new(vec!["python3".into(), path])
}

// ---- task 01 ----
//
// Tasks 01 to 04: each wrong program's lead, what a student reads first
// (`grader::report::lead`), names its mistake: each of `words` is in the
// lead's text or its hint.

/// Asserts that the lead of `reports` (what a student reads first) names
/// the mistake: each of `words` is in its text or its hint.
fn lead_says(reports: &[CheckReport], words: &[&str]) {
    let lead = grader::report::lead(reports).expect("a failing program has a lead");
    for word in words {
        assert!(
            lead.text.contains(word) || lead.hint.contains(word),
            "{word:?} is in neither the lead's text nor its hint:\n  text: {}\n  hint: {}",
            lead.text,
            lead.hint
        );
    }
}

/// Asserts that exactly `failing` fail, and that the lead holds `words`.
fn assert_lead(reports: &[CheckReport], failing: &[&str], words: &[&str]) {
    assert_fails_exactly(reports, failing);
    lead_says(reports, words);
}

fn server_lead(number: u8, name: &str, failing: &[&str], words: &[&str]) {
    assert_lead(&graded(number, "server", name), failing, words);
}

fn client_lead(number: u8, name: &str, failing: &[&str], words: &[&str]) {
    assert_lead(&graded(number, "client", name), failing, words);
}

/// Task `number` graded as `grader` grades it, its checks side by side,
/// with `server` and `client`; and how long that took.
fn graded_as_the_cli(number: u8, server: Program, client: Program) -> (Vec<CheckReport>, Duration) {
    let task = grader::tasks::by_number(number).expect("the task exists");
    let options = grader::run::Options {
        workspace: common::workspace_root(),
        server_cmd: Some(server),
        client_cmd: Some(client),
        timing: Default::default(),
        transcripts: false,
        shared_target: None,
        repeat: 1,
        sandbox: None,
    };
    let started = Instant::now();
    let report = grader::run::grade(&[task], &options, &|_| {}).expect("the grader runs");
    let took = started.elapsed();
    let checks = report.tasks.into_iter().flat_map(|t| t.checks).collect();
    (checks, took)
}

#[test]
fn wrong_t01_client_unwrap() {
    client_lead(
        1,
        "wrong_t01_client_unwrap",
        &["task01.client.refused"],
        &["the client panicked", "no unwrap()"],
    );
}

#[test]
fn wrong_t01_client_parses_socketaddr() {
    client_lead(
        1,
        "wrong_t01_client_parses_socketaddr",
        &["task01.client.ipv6", "task01.client.localhost"],
        &[
            "without connecting to [::1]",
            "don't parse the host as IPv4",
        ],
    );
}

#[test]
fn wrong_t01_client_prints_host() {
    // With --host 127.0.0.1 the host it was given is the address it reached.
    client_lead(
        1,
        "wrong_t01_client_prints_host",
        &["task01.client.ipv6", "task01.client.localhost"],
        &[
            "names another address than the one it reached",
            "peer_addr()",
        ],
    );
}

#[test]
fn wrong_t01_server_accepts_once() {
    server_lead(
        1,
        "wrong_t01_server_accepts_once",
        &[
            "task01.server.keeps_accepting",
            "task01.server.hangups",
            "task01.server.releases_sockets",
        ],
        &["stopped serving and exited", "put accept() in a loop"],
    );
}

#[test]
fn wrong_t01_server_binds_all() {
    server_lead(
        1,
        "wrong_t01_server_binds_all",
        &["task01.server.loopback_default"],
        &["non-loopback address", "127.0.0.1"],
    );
}

#[test]
fn wrong_t01_server_prints_requested_port() {
    // Every check that starts the server learns no port from it.
    server_lead(
        1,
        "wrong_t01_server_prints_requested_port",
        &[
            "task01.server.listening",
            "task01.server.loopback_default",
            "task01.server.connection_line",
            "task01.server.keeps_accepting",
            "task01.server.hangups",
            "task01.server.closes",
            "task01.pair.connect",
            "task01.server.no_close_wait",
            "task01.server.releases_sockets",
            "task01.server.restarts",
            "task01.server.stops",
        ],
        &["announced port 0", "local_addr()"],
    );
}

#[test]
fn wrong_t01_server_prints_ip_only() {
    server_lead(
        1,
        "wrong_t01_server_prints_ip_only",
        &["task01.server.connection_line", "task01.pair.connect"],
        &[
            "the server printed \"Connection from 127.0.0.1\" where `Connection from 127.0.0.1:",
            "ip:port",
        ],
    );
}

#[test]
fn wrong_t01_server_unwraps_peer_addr() {
    server_lead(
        1,
        "wrong_t01_server_unwraps_peer_addr",
        &["task01.server.hangups"],
        &["the server panicked", "no unwrap"],
    );
}

#[test]
fn wrong_t01_server_unwraps_bind() {
    server_lead(
        1,
        "wrong_t01_server_unwraps_bind",
        &["task01.server.port_in_use"],
        &["the server panicked", "no unwrap()"],
    );
}

#[test]
fn ok_t01_server_chatty() {
    server(1, "ok_t01_server_chatty", &[]);
}

#[test]
fn ok_t01_client_each_address() {
    client(1, "ok_t01_client_each_address", &[]);
}

// ---- task 02 ----

#[test]
fn wrong_t02_server_no_newline_never_closes() {
    server_lead(
        2,
        "wrong_t02_server_no_newline_never_closes",
        &[
            "task02.server.keeps_accepting",
            "task02.server.hangups",
            "task02.server.greeting_default",
            "task02.server.greeting_custom",
            "task02.pair.greeting",
            "task02.server.releases_sockets",
            "task02.server.restarts",
        ],
        &[
            "sends its greeting with no line ending",
            "followed by \"\\n\"",
        ],
    );
}

#[test]
fn wrong_t02_server_ignores_message() {
    server_lead(
        2,
        "wrong_t02_server_ignores_message",
        &["task02.server.greeting_custom", "task02.pair.greeting"],
        &["ignores --message", "args.message"],
    );
}

#[test]
fn wrong_t02_server_question_mark_write() {
    server_lead(
        2,
        "wrong_t02_server_question_mark_write",
        &["task02.server.hangups"],
        &[
            "exited while a client was talking to it",
            "Connection reset by peer",
            "no `?` out of the accept loop",
        ],
    );
}

#[test]
fn wrong_t02_server_ignores_port() {
    // It really binds port 5002, once per check that starts it: the first
    // of the checks running at once gets it, the others find it taken, and
    // every one of them says the same.
    server_saying(
        2,
        "wrong_t02_server_ignores_port",
        &[
            "task02.server.listening",
            "task02.server.loopback_default",
            "task02.server.connection_line",
            "task02.server.keeps_accepting",
            "task02.server.hangups",
            "task02.server.releases_sockets",
            "task02.server.no_close_wait",
            "task02.server.restarts",
            "task02.server.port_in_use",
            "task02.server.stops",
            "task02.server.greeting_default",
            "task02.server.greeting_custom",
            "task02.pair.greeting",
        ],
        &[
            "the server ignores --port: asked for port ",
            ", it binds its default port, 5002; bind the port that the --port argument gives",
        ],
    );
    let lead = grader::report::lead(&graded(2, "server", "wrong_t02_server_ignores_port"))
        .expect("a lead");
    assert_eq!(
        lead.text,
        "the server ignores --port (it binds its default port, 5002)"
    );
    assert!(lead
        .hint
        .contains("Bind the address built from the --host and --port arguments"));
}

#[test]
fn wrong_t02_client_reads_once() {
    client_lead(
        2,
        "wrong_t02_client_reads_once",
        &["task02.client.fragments", "task02.client.long_greeting"],
        &[
            "stopped reading too early",
            "Keep reading until a read returns 0",
        ],
    );
}

#[test]
fn wrong_t02_client_trims() {
    client_lead(
        2,
        "wrong_t02_client_trims",
        &["task02.client.keeps_spaces", "task02.pair.greeting"],
        &[
            "the spaces at its ends are gone",
            "trim() would eat the spaces",
        ],
    );
}

#[test]
fn wrong_t02_client_strips_lf_only() {
    client_lead(
        2,
        "wrong_t02_client_strips_lf_only",
        &["task02.client.crlf"],
        &["a \\r is left at its end", "strip a \\r"],
    );
}

#[test]
fn ok_t02_server_crlf_threads() {
    server(2, "ok_t02_server_crlf_threads", &[]);
}

#[test]
fn ok_t02_client_bufreader() {
    client(2, "ok_t02_client_bufreader", &[]);
}

#[test]
fn python_task02_client() {
    let program = python("task02_client.py");
    assert_fails_exactly(&grade(2, None, Some(program)), &[]);
}

// ---- task 03 ----

#[test]
fn wrong_t03_server_reads_once() {
    server_lead(
        3,
        "wrong_t03_server_reads_once",
        &["task03.server.echo_1mib", "task03.server.echo_pieces"],
        &[
            "only 1024 of 1048576 bytes came back",
            "loop until read returns 0",
        ],
    );
}

#[test]
fn wrong_t03_server_lossy() {
    server_lead(
        3,
        "wrong_t03_server_lossy",
        &["task03.server.echo_binary", "task03.server.echo_1mib"],
        &[
            "the echo differs from what was sent",
            "Don't turn the bytes into a String",
        ],
    );
}

#[test]
fn wrong_t03_server_question_mark() {
    // Any client's error ends it: one that resets at once, and one that
    // resets in the middle of an echo (it does print that error, as it
    // exits).
    server_lead(
        3,
        "wrong_t03_server_question_mark",
        &[
            "task03.server.survives_reset",
            "task03.server.hangups",
            "task03.server.reports_client_error",
        ],
        &[
            "exited while a client was talking to it",
            "Connection reset by peer",
            "no `?` out of the accept loop",
        ],
    );
}

#[test]
fn wrong_t03_server_spins_at_eof() {
    // It keeps a CPU busy after every client's end of stream, where it
    // should close: each check waiting for that close names the spin
    // within a moment rather than waiting out its deadline. After clients
    // that close at once (hangups, no_close_wait) it spins on the first.
    let (reports, took) = graded_as_the_cli(
        3,
        binary("wrong_t03_server_spins_at_eof"),
        binary("task03-client"),
    );
    assert_lead(
        &reports,
        &[
            "task03.server.keeps_accepting",
            "task03.server.hangups",
            "task03.server.releases_sockets",
            "task03.server.no_close_wait",
            "task03.server.restarts",
            "task03.server.echo_text",
            "task03.server.echo_utf8",
            "task03.server.echo_binary",
            "task03.server.echo_1mib",
            "task03.server.echo_pieces",
            "task03.server.survives_reset",
            "task03.server.reports_client_error",
            "task03.pair.echo",
        ],
        &[
            "the server spins at 100 % CPU after the client's end of stream",
            "When `read` returns 0 the connection is over: leave the loop",
        ],
    );
    let lead = grader::report::lead(&reports).unwrap();
    assert_eq!(
        lead.checks.len(),
        13,
        "one cause for all: {:?}",
        lead.checks
    );
    assert!(
        took < Duration::from_secs(3),
        "graded in {took:?}: the spin should be named, not waited out"
    );
}

#[test]
fn wrong_t03_server_silent_errors() {
    server_lead(
        3,
        "wrong_t03_server_silent_errors",
        &["task03.server.reports_client_error"],
        &["printed no `error:` line", "print the error to stderr"],
    );
}

#[test]
fn wrong_t03_client_no_shutdown() {
    // Every check where the client talks to an echo server waits for it.
    client_lead(
        3,
        "wrong_t03_client_no_shutdown",
        &[
            "task03.client.echo",
            "task03.client.default_message",
            "task03.client.echo_pieces",
            "task03.client.mismatch",
            "task03.client.ipv6",
            "task03.pair.echo",
            "task03.client.localhost",
        ],
        &[
            "never shuts down its sending side",
            "shutdown(Shutdown::Write)",
        ],
    );
}

#[test]
fn wrong_t03_client_reads_once() {
    client_lead(
        3,
        "wrong_t03_client_reads_once",
        &["task03.client.echo_pieces"],
        &["stopped reading too early", "read_to_end"],
    );
}

#[test]
fn wrong_t03_client_ignores_mismatch() {
    client_lead(
        3,
        "wrong_t03_client_ignores_mismatch",
        &["task03.client.mismatch"],
        &["accepted a wrong echo", "echo mismatch"],
    );
}

#[test]
fn wrong_t03_client_sends_newline() {
    // The grader's echo server sees `MESSAGE\n`; the client's own server
    // echoes that back and the client trims it, so the pair looks right.
    client_lead(
        3,
        "wrong_t03_client_sends_newline",
        &[
            "task03.client.echo",
            "task03.client.default_message",
            "task03.client.echo_pieces",
            "task03.client.mismatch",
            "task03.client.ipv6",
            "task03.client.localhost",
        ],
        &[
            "sends something other than its message (a line ending was added)",
            "nothing added",
        ],
    );
}

#[test]
fn ok_t03_server_copy_threads() {
    server(3, "ok_t03_server_copy_threads", &[]);
}

#[test]
fn ok_t03_client_writer_thread() {
    client(3, "ok_t03_client_writer_thread", &[]);
}

#[test]
fn python_task03_server() {
    let program = python("task03_server.py");
    assert_fails_exactly(&grade(3, Some(program), None), &[]);
}

// ---- task 04 ----

#[test]
fn wrong_t04_server_iterative() {
    server_lead(
        4,
        "wrong_t04_server_iterative",
        &[
            "task04.server.idle_client",
            "task04.server.reverse_order",
            "task04.server.concurrent_100",
            "task04.server.broken_client",
            "task04.server.bye_only_own",
            "task04.server.invalid_utf8",
            "task04.server.thread_per_client",
        ],
        &[
            "does not serve its clients at the same time",
            "its own thread",
        ],
    );
}

#[test]
fn wrong_t04_server_no_bye() {
    // Every check that ends a conversation with BYE waits for the close.
    server_lead(
        4,
        "wrong_t04_server_no_bye",
        &[
            "task04.server.keeps_accepting",
            "task04.server.hangups",
            "task04.server.bye",
            "task04.server.bye_crlf",
            "task04.server.reverse_order",
            "task04.server.broken_client",
            "task04.server.reports_client_error",
            "task04.server.long_line",
            "task04.server.bye_only_own",
            "task04.pair.chat",
            "task04.server.invalid_utf8",
            "task04.server.releases_sockets",
            "task04.server.restarts",
            "task04.server.thread_per_client",
        ],
        &[
            "answers `BYE` but keeps the connection open",
            "leave that client's loop",
        ],
    );
}

#[test]
fn wrong_t04_server_trims() {
    // concurrent_100 too: client 0's first line is `client 0 line 0: `;
    // bye_exact too: `BYE ` trimmed is `BYE`, which ends the connection.
    server_lead(
        4,
        "wrong_t04_server_trims",
        &[
            "task04.server.line_echo",
            "task04.server.bye_exact",
            "task04.server.concurrent_100",
        ],
        &["the spaces at its end are gone", "spaces included"],
    );
}

#[test]
fn wrong_t04_server_bye_any_case() {
    server_lead(
        4,
        "wrong_t04_server_bye_any_case",
        &["task04.server.bye_exact"],
        &[
            "only a line that is exactly `BYE` ends it",
            "no ignoring case",
        ],
    );
}

#[test]
fn wrong_t04_server_keeps_cr() {
    server_lead(
        4,
        "wrong_t04_server_keeps_cr",
        &["task04.server.bye_crlf"],
        &[
            "replied to \"BYE\\r\\n\" but kept the connection open",
            "remove the \\r",
        ],
    );
}

#[test]
fn wrong_t04_server_pool_of_4() {
    server_lead(
        4,
        "wrong_t04_server_pool_of_4",
        &[
            "task04.server.concurrent_100",
            "task04.server.thread_per_client",
        ],
        &[
            "does not serve its clients at the same time",
            "its own thread",
        ],
    );
}

#[test]
fn wrong_t04_client_no_bye_at_eof() {
    caused(
        4,
        "client",
        "wrong_t04_client_no_bye_at_eof",
        // Every check that closes the client's stdin waits for its BYE. The
        // pair check can't see the wire, so it fails on its own.
        &[
            "task04.client.lines",
            "task04.client.slow_replies",
            "task04.client.long_reply",
            "task04.client.waits_for_close",
            "task04.client.ipv6",
            "task04.pair.chat",
            "task04.client.localhost",
        ],
        CauseKind::NoByeAtEof,
    );
}

#[test]
fn wrong_t04_client_reads_after_bye() {
    client_lead(
        4,
        "wrong_t04_client_reads_after_bye",
        // waits_for_close too: after its own BYE at the end of input it
        // returns at once, never reading on to the server's close.
        &["task04.client.bye_typed", "task04.client.waits_for_close"],
        &[
            "with `one`, `BYE` and `after bye` typed",
            "the client sent \"after bye\" after its own BYE",
            "stop reading stdin",
        ],
    );
}

#[test]
fn wrong_t04_client_exits_on_bye() {
    client_lead(
        4,
        "wrong_t04_client_exits_on_bye",
        &["task04.client.waits_for_close"],
        &[
            "right after the server's BYE, without waiting for the connection to close",
            "keep reading until the server closes",
        ],
    );
}

#[test]
fn wrong_t04_client_fixed_buffer() {
    client_lead(
        4,
        "wrong_t04_client_fixed_buffer",
        &["task04.client.long_reply"],
        &[
            "was not printed whole on one line",
            "collect bytes up to the '\\n'",
        ],
    );
}

#[test]
fn ok_t04_server_pool_128() {
    server(4, "ok_t04_server_pool_128", &[]);
}

#[test]
fn ok_t04_server_raw_bytes() {
    server(4, "ok_t04_server_raw_bytes", &[]);
}

#[test]
fn ok_t04_client_reader_thread() {
    client(4, "ok_t04_client_reader_thread", &[]);
}

#[test]
fn python_task04_server() {
    let program = python("task04_server.py");
    assert_fails_exactly(&grade(4, Some(program), None), &[]);
}

#[test]
fn wrong_t01_server_keeps_streams() {
    server_lead(
        1,
        "wrong_t01_server_keeps_streams",
        &["task01.server.releases_sockets"],
        &[
            "a socket per client is never closed",
            "leaks one socket per client",
        ],
    );
}

#[test]
fn wrong_t04_server_ignores_eof() {
    server_lead(
        4,
        "wrong_t04_server_ignores_eof",
        &["task04.server.no_close_wait"],
        &[
            "spins at 100 % CPU after the client's end of stream",
            "leave the loop",
        ],
    );
}

// ---- the command line and signals, every task ----

#[test]
fn wrong_t01_client_no_version() {
    client_lead(
        1,
        "wrong_t01_client_no_version",
        &["task01.client.version"],
        &["`--version` ended with exit status 2", "#[command(...)]"],
    );
}

#[test]
fn wrong_t02_client_port_as_string() {
    // `--help`, `--version` and an unknown flag are clap's; only a port
    // that is not a number reaches the program's own unwrap().
    client_lead(
        2,
        "wrong_t02_client_port_as_string",
        &["task02.client.arguments"],
        &[
            "given `--port nope`, the program panicked",
            "Leave the command line to clap",
        ],
    );
}

#[test]
fn wrong_t03_server_hand_parsed_args() {
    // `--version` and `--help` start the server; `--port nope` panics.
    server_lead(
        3,
        "wrong_t03_server_hand_parsed_args",
        &["task03.server.version", "task03.server.arguments"],
        &[
            "given `--version`, the server started serving instead of exiting at once",
            "clap",
        ],
    );
}

#[test]
fn wrong_t04_server_graceful_flag() {
    server_lead(
        4,
        "wrong_t04_server_graceful_flag",
        &["task04.server.stops"],
        &[
            "the server was still running 1 s after SIGINT",
            "signal handler",
        ],
    );
}

#[test]
fn wrong_t04_client_bye_on_ctrlc() {
    client_lead(
        4,
        "wrong_t04_client_bye_on_ctrlc",
        &["task04.client.stops"],
        &[
            "the client was still running 1 s after SIGINT",
            "signal handler",
        ],
    );
}

// ---- task 05 ----

#[test]
fn wrong_t05_server_1024_buffer() {
    server_saying_led(
        5,
        "wrong_t05_server_1024_buffer",
        &["task05.server.echo_max"],
        &["came back as 1024 bytes: cut short"],
        &["the server cuts long datagrams short"],
    );
}

#[test]
fn wrong_t05_server_adds_newline() {
    // Every reply is one byte too long; 65 508 bytes can't even be sent.
    server_lead(
        5,
        "wrong_t05_server_adds_newline",
        &[
            "task05.server.echo_text",
            "task05.server.boundaries",
            "task05.server.empty",
            "task05.server.echo_max",
            "task05.server.two_senders",
            "task05.server.many_senders",
            "task05.server.survives_gone",
            "task05.server.ipv6",
            "task05.server.open_files",
            "task05.server.restarts",
            "task05.pair.echo",
        ],
        &["the server sends back more bytes than the datagram held"],
    );
}

#[test]
fn wrong_t05_server_fixed_address() {
    // With one sender at a time the first address is always right.
    server_lead(
        5,
        "wrong_t05_server_fixed_address",
        &[
            "task05.server.two_senders",
            "task05.server.many_senders",
            "task05.server.survives_gone",
            "task05.server.open_files",
        ],
        &["the server sends no reply to the address a datagram came from"],
    );
}

#[test]
fn wrong_t05_server_skips_empty() {
    server_lead(
        5,
        "wrong_t05_server_skips_empty",
        &["task05.server.empty"],
        &["no reply to 1 datagram (the first: 0 bytes)"],
    );
}

#[test]
fn wrong_t05_server_no_peer_line() {
    server_lead(
        5,
        "wrong_t05_server_no_peer_line",
        &["task05.server.datagram_line"],
        &["no line `Datagram from"],
    );
}

#[test]
fn wrong_t05_server_binds_all() {
    server_lead(
        5,
        "wrong_t05_server_binds_all",
        &["task05.server.loopback_default", "task05.server.ipv6"],
        &["without --host the server announced a non-loopback address"],
    );
}

#[test]
fn wrong_t05_server_connects() {
    // Connected to one sender, the socket drops the others' datagrams, and
    // a sender that has gone comes back as `Connection refused`. The 50
    // senders of many_senders are all queued before it connects anywhere.
    server_lead(
        5,
        "wrong_t05_server_connects",
        &[
            "task05.server.two_senders",
            "task05.server.survives_gone",
            "task05.server.open_files",
        ],
        &["the server sends no reply to the address a datagram came from"],
    );
}

#[test]
fn wrong_t05_client_no_timeout() {
    client_lead(
        5,
        "wrong_t05_client_no_timeout",
        &[
            "task05.client.retransmits",
            "task05.client.gives_up",
            "task05.client.timeout_option",
        ],
        &[
            "no reply came within --timeout-ms",
            "sent no second datagram",
        ],
    );
}

#[test]
fn wrong_t05_client_any_sender() {
    client_lead(
        5,
        "wrong_t05_client_any_sender",
        &["task05.client.ignores_forged"],
        &[
            "for the server's reply",
            "accept a reply only from the address the message went to",
        ],
    );
}

#[test]
fn wrong_t05_client_off_by_one() {
    // With --retries 0 it sends nothing at all.
    client_lead(
        5,
        "wrong_t05_client_off_by_one",
        &["task05.client.gives_up", "task05.client.timeout_option"],
        &["with --retries 2 it sends it 3 times"],
    );
}

#[test]
fn wrong_t05_client_zero_timeout() {
    client_lead(
        5,
        "wrong_t05_client_zero_timeout",
        &["task05.client.timeout_option"],
        &["`--timeout-ms 0`", "exit status 2"],
    );
}

/// Grades task `number` with the gallery's `server` or `client` (the
/// reference for the other side), asserts that exactly `failing` fail,
/// and that the lead holds each of `wording`.
fn fails_leading(
    number: u8,
    server: Option<&str>,
    client: Option<&str>,
    failing: &[&str],
    wording: &[&str],
) {
    let reports = match (server, client) {
        (Some(server), None) => graded(number, "server", server),
        (None, Some(client)) => graded(number, "client", client),
        _ => panic!("one side of the gallery, the reference on the other"),
    };
    assert_lead(&reports, failing, wording);
}

#[test]
fn wrong_t05_client_1024_buffer() {
    fails_leading(
        5,
        None,
        Some("wrong_t05_client_1024_buffer"),
        &["task05.client.long_echo"],
        &["printed only its first 1024 bytes", "receive buffer"],
    );
}

#[test]
fn wrong_t05_client_empty_is_no_reply() {
    fails_leading(
        5,
        None,
        Some("wrong_t05_client_empty_is_no_reply"),
        &["task05.client.empty_echo"],
        &[
            "0-byte datagram",
            "no `Received from server: ` line",
            "a reply like any other",
        ],
    );
}

#[test]
fn wrong_t05_client_sleeps_timeout() {
    // Every other check passes, only slower: each answer waits out T.
    let started = std::time::Instant::now();
    fails_leading(
        5,
        None,
        Some("wrong_t05_client_sleeps_timeout"),
        &["task05.client.prompt_reply"],
        &[
            "had not printed the reply",
            "not after waiting out its timeout",
        ],
    );
    eprintln!("graded in {:?}", started.elapsed());
}

#[test]
fn wrong_t05_client_sends_newline() {
    caused(
        5,
        "client",
        "wrong_t05_client_sends_newline",
        // Every check that reads its message; the pair passes, since the
        // reference server echoes the newline too and the client compares
        // the reply with what it sent.
        &[
            "task05.client.echo",
            "task05.client.default_message",
            "task05.client.retransmits",
            "task05.client.ignores_forged",
            "task05.client.mismatch",
            "task05.client.ipv6",
            "task05.client.localhost",
            "task05.client.long_echo",
            "task05.client.empty_echo",
            "task05.client.prompt_reply",
        ],
        CauseKind::SendsNewline,
    );
}

#[test]
fn wrong_t05_client_binds_server_port() {
    caused(
        5,
        "client",
        "wrong_t05_client_binds_server_port",
        // Where the server (the grader, or the reference server) holds the
        // port, its bind fails; where nobody does, it talks to itself.
        &[
            "task05.client.echo",
            "task05.client.default_message",
            "task05.client.retransmits",
            "task05.client.ignores_forged",
            "task05.client.gives_up",
            "task05.client.mismatch",
            "task05.client.refused",
            "task05.client.ipv6",
            "task05.client.localhost",
            "task05.client.timeout_option",
            "task05.client.stops",
            "task05.pair.echo",
            "task05.client.long_echo",
            "task05.client.empty_echo",
            "task05.client.prompt_reply",
        ],
        CauseKind::BindsServerPort,
    );
}

#[test]
fn ok_t05_server_thread_per_datagram() {
    server(5, "ok_t05_server_thread_per_datagram", &[]);
}

#[test]
fn ok_t05_client_recv_from_filter() {
    // Unconnected, it never hears `Connection refused` and gives up after
    // its tries instead, as the contract allows.
    client(5, "ok_t05_client_recv_from_filter", &[]);
}

#[test]
fn python_task05_pair() {
    let (server, client) = (python("task05_server.py"), python("task05_client.py"));
    assert_fails_exactly(&grade(5, Some(server), Some(client)), &[]);
}

// ---- task 06 ----

#[test]
fn wrong_t06_server_turns() {
    // The handout's chat: each side waits for the other's line. Every check
    // that talks in turns passes; those where one side speaks twice, or
    // first, fail.
    server_lead(
        6,
        "wrong_t06_server_turns",
        &[
            "task06.server.duplex_from_client",
            "task06.server.duplex_typed",
            "task06.server.typed_bye",
            "task06.server.drops_typed",
            "task06.server.write_to_gone",
            "task06.server.conversation_start",
            "task06.pair.server_ends",
        ],
        &["the server takes turns"],
    );
}

#[test]
fn wrong_t06_server_bye_loose() {
    server_lead(
        6,
        "wrong_t06_server_bye_loose",
        &["task06.server.bye_exact"],
        &["only a line that is exactly `BYE` ends the conversation"],
    );
}

#[test]
fn wrong_t06_server_one_conversation() {
    server_lead(
        6,
        "wrong_t06_server_one_conversation",
        &[
            "task06.server.keeps_accepting",
            "task06.server.hangups",
            "task06.server.releases_sockets",
            "task06.server.client_bye",
            "task06.server.hangup",
            "task06.server.backlog",
            "task06.server.typed_bye",
            "task06.server.write_to_gone",
            // Its many short conversations end at the second.
            "task06.server.conversation_start",
        ],
        &["the server stopped serving and exited"],
    );
}

#[test]
fn wrong_t06_server_thread_per_client() {
    server_lead(
        6,
        "wrong_t06_server_thread_per_client",
        &["task06.server.backlog"],
        &["a line typed for the first client went to the second client"],
    );
}

#[test]
fn wrong_t06_client_bye_at_keystroke() {
    // Its reading thread cannot end the program: neither the server's BYE
    // nor its close ends it while the keyboard is silent. In the pair, the
    // blame is the client's, every time: the grader closing the server's
    // stdin at the end of the check is not the server exiting.
    let reports = graded(6, "client", "wrong_t06_client_bye_at_keystroke");
    assert_fails_exactly(
        &reports,
        &[
            "task06.client.server_bye",
            "task06.client.no_bye",
            "task06.pair.server_ends",
        ],
    );
    all_caused(
        &reports,
        grader::check::CauseKind::KeyboardHoldsExit,
        "client",
    );
    lead_says(
        &reports,
        &["the client goes on waiting for its keyboard after the server has ended the conversation"],
    );
}

/// Every failed check of `reports` has the cause `kind`, for `program`.
fn all_caused(reports: &[CheckReport], kind: grader::check::CauseKind, program: &str) {
    for report in reports.iter().filter(|r| r.status == Status::Fail) {
        let cause = report.cause.as_ref();
        assert!(
            cause.is_some_and(|c| c.kind == kind && c.program == program),
            "{}: {:?} ({})",
            report.id,
            cause,
            report.message
        );
    }
}

#[test]
fn wrong_t06_client_turns() {
    client_lead(
        6,
        "wrong_t06_client_turns",
        &[
            "task06.client.sends_typed",
            "task06.client.prints_at_once",
            "task06.client.server_bye",
            "task06.client.typed_bye",
            "task06.client.stdin_end",
            "task06.client.no_bye",
            "task06.client.bye_exact",
            "task06.pair.server_ends",
        ],
        &["the client takes turns"],
    );
}

#[test]
fn wrong_t06_client_panics_at_end() {
    // Its reader thread panics at the normal end of every conversation,
    // the server's close after the client's BYE, and main exits 0 all the
    // same: exactly the checks that reach that end fail, for the panic.
    let reports = graded(6, "client", "wrong_t06_client_panics_at_end");
    assert_fails_exactly(
        &reports,
        &[
            "task06.client.sends_typed",
            "task06.client.typed_bye",
            "task06.client.stdin_end",
            "task06.client.ipv6",
            "task06.client.localhost",
            "task06.client.bye_exact",
            "task06.pair.chat",
        ],
    );
    all_caused(&reports, grader::check::CauseKind::Panicked, "client");
    for report in reports.iter().filter(|r| r.status == Status::Fail) {
        assert!(
            report.message.starts_with("the client panicked at "),
            "{}",
            report.message
        );
    }
    lead_says(
        &reports,
        &["the client panicked", "wrong_t06_client_panics_at_end.rs:"],
    );
    // The message quotes the panic whole.
    assert!(reports
        .iter()
        .any(|r| r.message.contains("a line ends with a newline")));
}

#[test]
fn wrong_t06_client_prompt() {
    // Every check where it prints what the server sent fails for the
    // prompt glued to its lines, whichever line the timing put it on, and
    // not for the server in the pair checks.
    let reports = graded(6, "client", "wrong_t06_client_prompt");
    assert_fails_exactly(
        &reports,
        &[
            "task06.client.prints_at_once",
            "task06.client.typed_bye",
            "task06.client.stdin_end",
            "task06.client.ipv6",
            "task06.client.localhost",
            "task06.pair.chat",
            "task06.pair.server_ends",
            "task06.client.bye_exact",
            "task06.client.server_bye",
            "task06.client.no_bye",
        ],
    );
    all_caused(&reports, grader::check::CauseKind::PrintsPrompt, "client");
    lead_says(
        &reports,
        &["the client prints a prompt in front of its lines (\"> \")"],
    );
}

#[test]
fn wrong_t06_client_bye_loose() {
    fails_leading(
        6,
        None,
        Some("wrong_t06_client_bye_loose"),
        &["task06.client.bye_exact"],
        &[
            "when the server sent \"bye\"",
            "only a line that is exactly `BYE` ends it",
        ],
    );
}

#[test]
fn wrong_t06_server_keeps_early_line() {
    fails_leading(
        6,
        Some("wrong_t06_server_keeps_early_line"),
        None,
        &["task06.server.drops_typed"],
        &[
            "kept the line typed while nobody was connected",
            "not kept for later",
        ],
    );
}

#[test]
fn wrong_t06_server_unwraps_typed_write() {
    fails_leading(
        6,
        Some("wrong_t06_server_unwraps_typed_write"),
        None,
        &["task06.server.write_to_gone"],
        &["the server panicked"],
    );
}

#[test]
fn wrong_t06_server_answers_bye() {
    // Every conversation the grader ends with its BYE, the probes of the
    // shared checks included.
    caused(
        6,
        "server",
        "wrong_t06_server_answers_bye",
        &[
            "task06.server.keeps_accepting",
            "task06.server.hangups",
            "task06.server.releases_sockets",
            "task06.server.restarts",
            "task06.server.client_lines",
            "task06.server.typed_lines",
            "task06.server.client_bye",
            "task06.server.hangup",
            "task06.server.backlog",
            "task06.server.typed_bye",
            "task06.server.utf8_crlf",
            "task06.server.bye_exact",
            "task06.server.drops_typed",
            "task06.server.write_to_gone",
        ],
        CauseKind::AnswersClientBye,
    );
}

#[test]
fn wrong_t06_server_registers_late() {
    // A race: the check holds enough conversations to meet it in all but
    // a few gradings in a thousand, and the others wait a moment before
    // typing, so that they never meet it.
    caused(
        6,
        "server",
        "wrong_t06_server_registers_late",
        &["task06.server.conversation_start"],
        CauseKind::RegistersLate,
    );
}

#[test]
fn wrong_t06_client_close_is_error() {
    caused(
        6,
        "client",
        "wrong_t06_client_close_is_error",
        // Every check that closes after the client's own BYE.
        &[
            "task06.client.sends_typed",
            "task06.client.typed_bye",
            "task06.client.stdin_end",
            "task06.client.ipv6",
            "task06.client.localhost",
            "task06.pair.chat",
            "task06.client.bye_exact",
        ],
        CauseKind::CloseAfterByeIsError,
    );
}

#[test]
fn ok_t06_server_keyboard_main() {
    server(6, "ok_t06_server_keyboard_main", &[]);
}

#[test]
fn ok_t06_client_writer_thread() {
    client(6, "ok_t06_client_writer_thread", &[]);
}

#[test]
fn python_task06_server() {
    let program = python("task06_server.py");
    assert_fails_exactly(&grade(6, Some(program), None), &[]);
}
