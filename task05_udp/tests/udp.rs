//! Task 05 end to end: datagrams kept whole, replies to their own sender,
//! and a client that survives loss and ignores strangers.

use assert_cmd::cargo::{cargo_bin, cargo_bin_cmd};
use grader::check::Server;
use grader::process::Program;
use grader::time::Deadline;
use predicates::prelude::*;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);
/// How long a test waits for one datagram before it calls it lost.
const DATAGRAM_WAIT: Duration = Duration::from_secs(5);

fn server() -> Server {
    let program = Program::from_path(cargo_bin!("task05-server")).with_args(&["--port", "0"]);
    Server::start(&program, Deadline::after(LIMIT))
        .unwrap_or_else(|o| panic!("server did not start: {}", o.message))
}

/// A socket of the test's own on loopback, every wait bounded.
fn socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DATAGRAM_WAIT)).unwrap();
    socket
}

/// The next datagram `socket` receives, and who sent it.
fn receive(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buffer = vec![0u8; 70_000];
    let (n, from) = socket
        .recv_from(&mut buffer)
        .expect("a datagram within the deadline");
    (buffer[..n].to_vec(), from)
}

#[test]
fn datagrams_of_every_size_come_back_whole() {
    let server = server();
    let me = socket();
    for size in [0, 1, 1024, 1025, 9000, 65_507] {
        let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        me.send_to(&data, server.addr).unwrap();
        let (echo, from) = receive(&me);
        assert_eq!(from, server.addr);
        assert_eq!(echo.len(), size, "a {size}-byte datagram came back cut");
        assert!(echo == data, "the {size}-byte echo differs");
    }
}

#[test]
fn two_senders_interleaved_each_get_only_their_own_replies() {
    let server = server();
    let (alice, bob) = (socket(), socket());
    for round in 0..3 {
        let a = format!("alice {round}");
        let b = format!("bob {round}");
        alice.send_to(a.as_bytes(), server.addr).unwrap();
        bob.send_to(b.as_bytes(), server.addr).unwrap();
        assert_eq!(receive(&alice).0, a.as_bytes());
        assert_eq!(receive(&bob).0, b.as_bytes());
    }
}

#[test]
fn the_server_prints_a_line_for_each_datagram() {
    let server = server();
    let me = socket();
    me.send_to(b"12345", server.addr).unwrap();
    receive(&me);
    let wanted = format!("Datagram from {}", me.local_addr().unwrap());
    let line = server
        .child
        .wait_for_line(
            grader::process::Stream::Stdout,
            Deadline::after(LIMIT),
            |l| l.contains(&wanted),
        )
        .unwrap();
    assert_eq!(line, format!("{wanted}: 5 bytes"));
}

#[test]
fn the_client_prints_the_echo_of_its_message() {
    let server = server();
    cargo_bin_cmd!("task05-client")
        .args([
            "--port",
            &server.addr.port().to_string(),
            "  spaced, ünïcode  ",
        ])
        .timeout(LIMIT)
        .assert()
        .success()
        .stdout("Received from server:   spaced, ünïcode  \n");
}

/// Runs the client against `port` with `args` after it, while `play`
/// answers (or not) on the test's own socket.
fn client_against<T: Send + 'static>(
    args: &[&str],
    play: impl FnOnce(UdpSocket) -> T + Send + 'static,
) -> (assert_cmd::assert::Assert, T) {
    let grader_side = socket();
    let port = grader_side.local_addr().unwrap().port().to_string();
    let playing = thread::spawn(move || play(grader_side));
    let mut command = cargo_bin_cmd!("task05-client");
    command.args(["--port", &port]).args(args).timeout(LIMIT);
    let assert = command.assert();
    (assert, playing.join().unwrap())
}

#[test]
fn the_client_sends_again_when_its_first_datagram_is_lost() {
    let (assert, gap) = client_against(&["--timeout-ms", "300"], |me| {
        let (first, _) = receive(&me);
        let dropped = Instant::now();
        let (second, from) = receive(&me);
        assert_eq!(first, second, "the resend differs from the first datagram");
        me.send_to(&second, from).unwrap();
        dropped.elapsed()
    });
    assert
        .success()
        .stdout("Received from server: Hello, Server!\n");
    assert!(
        gap >= Duration::from_millis(250),
        "the client sent again after {gap:?}, before its 300 ms timeout"
    );
}

#[test]
fn the_client_ignores_a_reply_from_another_address() {
    let (assert, ()) = client_against(&["check me"], |me| {
        let (message, from) = receive(&me);
        // A stranger answers first, from another port.
        socket().send_to(b"forged reply", from).unwrap();
        me.send_to(&message, from).unwrap();
    });
    assert.success().stdout("Received from server: check me\n");
}

#[test]
fn the_client_gives_up_after_its_tries() {
    let started = Instant::now();
    let (assert, sends) = client_against(&["--timeout-ms", "200", "--retries", "2"], |me| {
        me.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buffer = [0u8; 64];
        (0..)
            .take_while(|_| me.recv_from(&mut buffer).is_ok())
            .count()
    });
    assert.code(1).stderr(
        predicate::str::is_match(r"^error: no reply from 127\.0\.0\.1:\d+ after 3 tries\n$")
            .unwrap(),
    );
    assert_eq!(
        sends, 3,
        "the client sent {sends} datagrams for 1 + 2 retries"
    );
    // 3 × 200 ms, and the 2 s the test's socket waits after the last one.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "the client took {took:?}");
}

#[test]
fn the_client_reports_a_wrong_echo() {
    let (assert, ()) = client_against(&[], |me| {
        let (_, from) = receive(&me);
        me.send_to(b"Hello, World!", from).unwrap();
    });
    assert
        .code(1)
        .stdout("Received from server: Hello, World!\n")
        .stderr(predicate::str::starts_with("error: echo mismatch"));
}

#[test]
fn nobody_listening_is_an_error_line_not_a_panic() {
    let port = socket().local_addr().unwrap().port();
    cargo_bin_cmd!("task05-client")
        .args(["--port", &port.to_string()])
        .timeout(LIMIT)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains(format!("127.0.0.1:{port}")))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn bad_arguments_are_refused_by_clap() {
    let runs: [(&std::path::Path, &[&str]); 3] = [
        (cargo_bin!("task05-server"), &["--port", "five"]),
        (cargo_bin!("task05-client"), &["--port", "five"]),
        (cargo_bin!("task05-client"), &["--timeout-ms", "0"]),
    ];
    for (bin, args) in runs {
        assert_cmd::Command::new(bin)
            .args(args)
            .timeout(LIMIT)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("invalid value"));
    }
}

#[test]
fn the_grader_gives_the_reference_full_marks() {
    let failed = grader::run::failures(5, cargo_bin!("task05-server"), cargo_bin!("task05-client"));
    assert!(failed.is_empty(), "{failed:#?}");
}
