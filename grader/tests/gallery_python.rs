//! The gallery's Python programs (`grader/tests/gallery/python`, the right
//! ones being the Python reference solutions, `taskNN_*/python/`), graded as
//! a Python hand-in is: `python3 -I -S -B <file>` with the Rust binary's
//! arguments, the other side the reference. The right ones pass every
//! check; each wrong one, with one of the handouts' classic mistakes, fails
//! exactly the checks that mistake breaks, and what the student reads first
//! (the lead) names the mistake.
//!
//! These tests need `python3`: without it they fail, saying so, rather than
//! pass having tested nothing.

mod common;

use common::{assert_fails_exactly, grade};
use grader::process::Program;
use grader::python::Interpreter;
use grader::report::CheckReport;

/// The program that runs `grader/tests/gallery/python/<file>` as a Python
/// hand-in is run; panics when this machine has no python3.
pub fn python(file: &str) -> Program {
    let interpreter = Interpreter::find(None)
        .unwrap_or_else(|why| panic!("this test needs python3, and there is none: {why}"));
    let path = common::python_file(file);
    assert!(path.is_file(), "no gallery program {}", path.display());
    interpreter.program(&path)
}

fn as_side(number: u8, side: &str, file: &str) -> Vec<CheckReport> {
    match side {
        "server" => grade(number, Some(python(file)), None),
        _ => grade(number, None, Some(python(file))),
    }
}

/// Grades `file` as task `number`'s `side`; exactly `failing` fail, and the
/// lead's text or hint holds each of `words`.
fn wrong(number: u8, side: &str, file: &str, failing: &[&str], words: &[&str]) {
    let reports = as_side(number, side, file);
    let lead = grader::report::lead(&reports);
    eprintln!(
        "{file}: lead {:?} / {:?}",
        lead.as_ref().map(|l| &l.text),
        lead.as_ref().map(|l| &l.hint)
    );
    assert_fails_exactly(&reports, failing);
    let lead = lead.expect("a failing program has a lead");
    for word in words {
        assert!(
            lead.text.contains(word) || lead.hint.contains(word),
            "{file}: {word:?} is in neither the lead's text nor its hint:\n  text: {}\n  hint: {}",
            lead.text,
            lead.hint
        );
    }
}

fn right(number: u8, side: &str, file: &str) {
    assert_fails_exactly(&as_side(number, side, file), &[]);
}

#[test]
fn py_t01_server() {
    right(1, "server", "task01_server.py");
}

#[test]
fn py_wrong_t01_server_no_reuseaddr() {
    wrong(
        1,
        "server",
        "wrong_t01_server_no_reuseaddr.py",
        &["task01.server.restarts"],
        &["Address already in use"],
    );
}

#[test]
fn py_wrong_t01_server_no_flush() {
    wrong(
        1,
        "server",
        "wrong_t01_server_no_flush.py",
        &[
            "task01.pair.connect",
            "task01.server.closes",
            "task01.server.connection_line",
            "task01.server.hangups",
            "task01.server.keeps_accepting",
            "task01.server.listening",
            "task01.server.loopback_default",
            "task01.server.no_close_wait",
            "task01.server.releases_sockets",
            "task01.server.restarts",
            "task01.server.stops",
        ],
        &["never printed `Listening on", "flush stdout"],
    );
}

#[test]
fn py_wrong_t02_client_recv_once() {
    wrong(
        2,
        "client",
        "wrong_t02_client_recv_once.py",
        &["task02.client.fragments", "task02.client.long_greeting"],
        &["stopped reading too early", "Keep reading until"],
    );
}

#[test]
fn py_wrong_t02_client_strips() {
    wrong(
        2,
        "client",
        "wrong_t02_client_strips.py",
        &["task02.client.keeps_spaces", "task02.pair.greeting"],
        &["the spaces at its ends are gone"],
    );
}

#[test]
fn py_wrong_t03_server_recv_once() {
    wrong(
        3,
        "server",
        "wrong_t03_server_recv_once.py",
        &["task03.server.echo_1mib", "task03.server.echo_pieces"],
        &[
            "only 1024 of 1048576 bytes came back",
            "loop until read returns 0",
        ],
    );
}

#[test]
fn py_wrong_t03_server_binds_all() {
    wrong(
        3,
        "server",
        "wrong_t03_server_binds_all.py",
        &["task03.server.loopback_default"],
        &[
            "non-loopback address",
            "The default for --host is 127.0.0.1",
        ],
    );
}

#[test]
fn py_wrong_t04_server_iterative() {
    wrong(
        4,
        "server",
        "wrong_t04_server_iterative.py",
        &[
            "task04.server.broken_client",
            "task04.server.bye_only_own",
            "task04.server.concurrent_100",
            "task04.server.idle_client",
            "task04.server.invalid_utf8",
            "task04.server.reverse_order",
            "task04.server.thread_per_client",
        ],
        &["does not serve its clients at the same time"],
    );
}

#[test]
fn py_wrong_t04_server_recv_line() {
    wrong(
        4,
        "server",
        "wrong_t04_server_recv_line.py",
        &["task04.server.long_line"],
        &["A line can be longer than one read"],
    );
}

#[test]
fn py_wrong_t05_server_1024_buffer() {
    wrong(
        5,
        "server",
        "wrong_t05_server_1024_buffer.py",
        &["task05.server.echo_max"],
        &["cuts long datagrams short"],
    );
}

#[test]
fn py_wrong_t05_client_no_timeout() {
    wrong(
        5,
        "client",
        "wrong_t05_client_no_timeout.py",
        &[
            "task05.client.gives_up",
            "task05.client.retransmits",
            "task05.client.timeout_option",
        ],
        &[
            "sent no second datagram",
            "wait for the reply at most --timeout-ms",
        ],
    );
}

#[test]
fn py_wrong_t06_server_turns() {
    wrong(
        6,
        "server",
        "wrong_t06_server_turns.py",
        &[
            "task06.pair.server_ends",
            "task06.server.conversation_start",
            "task06.server.drops_typed",
            "task06.server.duplex_from_client",
            "task06.server.duplex_typed",
            "task06.server.stdin_end",
            "task06.server.typed_bye",
            "task06.server.write_to_gone",
        ],
        &["takes turns"],
    );
}

#[test]
fn py_wrong_t03_server_no_reuseaddr() {
    // An echo server closes after its client: stopped with a client still
    // connected, its side of that connection is what holds the port.
    wrong(
        3,
        "server",
        "wrong_t03_server_no_reuseaddr.py",
        &["task03.server.restarts"],
        &["Address already in use"],
    );
}

#[test]
fn py_wrong_t06_server_no_reuseaddr() {
    wrong(
        6,
        "server",
        "wrong_t06_server_no_reuseaddr.py",
        &["task06.server.restarts"],
        &["Address already in use"],
    );
}

#[test]
fn py_right_ones() {
    right(2, "client", "task02_client.py");
    right(3, "server", "task03_server.py");
    right(4, "server", "task04_server.py");
    right(5, "server", "task05_server.py");
    right(5, "client", "task05_client.py");
    right(6, "server", "task06_server.py");
}

/// Right programs written another way (socketserver, a class), which the
/// similarity tests compare with the right ones above as independent work.
#[test]
fn py_right_in_another_style() {
    right(3, "server", "ok_t03_server_socketserver.py");
    right(5, "server", "ok_t05_server_class.py");
}

/// Task 02 graded as `grader` grades it, with `client` and the reference
/// server: the task's report.
fn graded_as_the_cli(client: Program) -> grader::report::TaskReport {
    let task = grader::tasks::by_number(2).expect("the task exists");
    let options = grader::run::Options {
        workspace: common::workspace_root(),
        server_cmd: Some(common::binary(&task.server_bin())),
        client_cmd: Some(client),
        timing: Default::default(),
        transcripts: false,
        shared_target: None,
        repeat: 1,
        sandbox: None,
    };
    let report = grader::run::grade(&[task], &options, &|_| {}).expect("the grader runs");
    report.tasks.into_iter().next().expect("one task")
}

/// The same mistake (one `recv` taken for the whole greeting) made in
/// Python and in Rust: each student reads the hints in their language's
/// calls, the one shown with the failure and the deeper ones of `grader
/// hint` alike.
#[test]
fn hints_speak_the_language_of_the_binary_they_are_about() {
    use grader::check::Language;
    let task = grader::tasks::by_number(2).expect("the task exists");
    let fragments = task
        .checks
        .iter()
        .find(|c| c.id == "task02.client.fragments")
        .expect("the check exists");
    let graded = [
        (
            Language::Python,
            graded_as_the_cli(python("wrong_t02_client_recv_once.py")),
        ),
        (
            Language::Rust,
            graded_as_the_cli(common::binary("wrong_t02_client_reads_once")),
        ),
    ];
    let (python_first, _) = fragments.hints_in(Language::Python);
    assert_ne!(
        python_first, fragments.hint,
        "the check has a Python wording"
    );
    for (language, report) in &graded {
        let expected_sides: &[grader::check::Role] = match language {
            Language::Python => &[grader::check::Role::Client],
            Language::Rust => &[],
        };
        assert_eq!(report.python, expected_sides, "{language:?}");
        let failed = report
            .checks
            .iter()
            .find(|c| c.id == fragments.id)
            .expect("the check ran");
        assert_eq!(
            failed.status,
            grader::outcome::Status::Fail,
            "{language:?}: {failed:?}"
        );
        let (first, deeper) = fragments.hints_in(*language);
        assert_eq!(failed.hint, first, "{language:?}");
        let asked = grader::hint::text(report, "task02", 1);
        assert!(
            asked.contains(first) && asked.contains(deeper[0]),
            "{language:?}: `grader hint --more` reads\n{asked}"
        );
    }
    let python_report = &graded[0].1;
    let said = python_report
        .checks
        .iter()
        .find(|c| c.id == fragments.id)
        .unwrap();
    assert!(said.hint.contains("recv()"), "{}", said.hint);
    let rust_report = &graded[1].1;
    let said = rust_report
        .checks
        .iter()
        .find(|c| c.id == fragments.id)
        .unwrap();
    assert!(!said.hint.contains("recv()"), "{}", said.hint);
}
