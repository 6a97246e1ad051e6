//! Task 04 end to end: many clients at once, BYE, and bad input.

use assert_cmd::cargo::{cargo_bin, cargo_bin_cmd};
use grader::check::Server;
use grader::peer::{self, End, LineConn, LineError};
use grader::process::Program;
use grader::time::Deadline;
use predicates::prelude::*;
use serial_test::serial;
use std::net::SocketAddr;
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);

fn server() -> Server {
    let program = Program::from_path(cargo_bin!("task04-server")).with_args(&["--port", "0"]);
    Server::start(&program, Deadline::after(LIMIT))
        .unwrap_or_else(|o| panic!("server did not start: {}", o.message))
}

fn open(addr: SocketAddr) -> LineConn {
    LineConn::connect(addr, 1 << 20, Deadline::after(LIMIT)).unwrap()
}

/// Sends `line` and returns the reply, line ending included; `within`
/// bounds the wait for the reply.
fn ask(conn: &mut LineConn, line: &[u8], within: Duration) -> Vec<u8> {
    let text = line.strip_suffix(b"\n").expect("a line ends in \\n");
    match conn.exchange(text, Deadline::after(within)) {
        // A different reply is returned too: the caller's assertion shows it.
        Ok(reply) | Err(LineError::Wrong(reply)) => reply,
        Err(other) => panic!("no reply to {line:?}: {other:?}"),
    }
}

#[test]
#[serial]
fn a_second_client_is_answered_while_the_first_sits_idle() {
    let server = server();
    let _idle = open(server.addr);
    let mut second = open(server.addr);
    assert_eq!(
        ask(&mut second, b"anyone?\n", Duration::from_secs(1)),
        b"anyone?\n"
    );
}

#[test]
#[serial]
fn a_hundred_clients_at_once_each_get_their_own_lines() {
    let server = server();
    let all_connected = Barrier::new(100);
    thread::scope(|scope| {
        for i in 0..100 {
            let all_connected = &all_connected;
            scope.spawn(move || {
                let mut conn = open(server.addr);
                all_connected.wait();
                for j in 0..10 {
                    let line = format!("client {i}, line {j}\n");
                    assert_eq!(ask(&mut conn, line.as_bytes(), LIMIT), line.as_bytes());
                }
                assert_eq!(ask(&mut conn, b"BYE\n", LIMIT), b"BYE\n");
            });
        }
    });
}

#[test]
fn bye_closes_only_its_own_connection() {
    let server = server();
    let mut leaving = open(server.addr);
    let mut staying = open(server.addr);
    assert_eq!(ask(&mut leaving, b"BYE\n", LIMIT), b"BYE\n");
    let rest = leaving.read_to_end(Deadline::after(LIMIT));
    assert!(
        matches!(rest.end, End::Eof) && rest.bytes.is_empty(),
        "{rest:?}"
    );
    assert_eq!(
        ask(&mut staying, b"still here  \r\n", LIMIT),
        b"still here  \n"
    );
}

#[test]
fn junk_and_resets_from_one_client_disturb_no_other() {
    let server = server();
    let mut steady = open(server.addr);
    let mut junk = open(server.addr);
    // Invalid UTF-8 may be answered or may end that connection; either way
    // the other client goes on.
    peer::write_all(
        junk.stream(),
        b"\xff\xfe\x00 not text\n",
        Deadline::after(LIMIT),
    )
    .unwrap();
    let _ = junk.line(Deadline::after(LIMIT));
    let rude = open(server.addr);
    peer::write_all(rude.stream(), b"half a li", Deadline::after(LIMIT)).unwrap();
    drop(rude);
    assert_eq!(ask(&mut steady, b"fine?\n", LIMIT), b"fine?\n");
    assert!(server.child.status().is_none(), "the server exited");
}

#[test]
fn the_client_sends_stdin_lines_and_bye_at_the_end() {
    let server = server();
    cargo_bin_cmd!("task04-client")
        .args(["--port", &server.addr.port().to_string()])
        .write_stdin("first\n  second  \n")
        .timeout(LIMIT)
        .assert()
        .success()
        .stdout("Received from server: first\nReceived from server:   second  \nReceived from server: BYE\n");
}

#[test]
fn the_client_stops_reading_after_bye() {
    let server = server();
    cargo_bin_cmd!("task04-client")
        .args(["--port", &server.addr.port().to_string()])
        .write_stdin("one\nBYE\nnever sent\n")
        .timeout(LIMIT)
        .assert()
        .success()
        .stdout("Received from server: one\nReceived from server: BYE\n");
}

#[test]
fn a_refused_connection_is_an_error_line_not_a_panic() {
    let closed = peer::free_port().unwrap();
    let port = closed.port;
    cargo_bin_cmd!("task04-client")
        .args(["--port", &port.to_string()])
        .write_stdin("")
        .timeout(LIMIT)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "error: could not connect to 127.0.0.1:{port}: "
        )))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn connections_accepted_by_listen_have_nagle_off() {
    // `listen` sets TCP_NODELAY on the listener and counts on each accepted
    // connection inheriting it; this holds it to that.
    let listener = task04_multithreaded::listen("127.0.0.1:0").unwrap();
    let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (accepted, _) = listener.accept().unwrap();
    assert!(
        accepted.nodelay().unwrap(),
        "expected TCP_NODELAY on an accepted connection, it is off"
    );
}

#[test]
fn a_bad_port_is_refused_by_clap() {
    for bin in [cargo_bin!("task04-server"), cargo_bin!("task04-client")] {
        assert_cmd::Command::new(bin)
            .args(["--port", "65536"])
            .timeout(LIMIT)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "invalid value '65536' for '--port <PORT>'",
            ));
    }
}

#[test]
#[serial]
fn the_grader_gives_the_reference_full_marks() {
    let failed = grader::run::failures(4, cargo_bin!("task04-server"), cargo_bin!("task04-client"));
    assert!(failed.is_empty(), "{failed:#?}");
}
