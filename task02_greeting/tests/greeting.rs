//! Task 02 end to end: the greeting, however it travels, and bad input.

use assert_cmd::cargo::{cargo_bin, cargo_bin_cmd};
use grader::check::Server;
use grader::peer::{self, End};
use grader::process::Program;
use grader::time::Deadline;
use predicates::prelude::*;
use std::net::{IpAddr, Ipv4Addr};
use std::thread;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(10);

fn server(args: &[&str]) -> Server {
    let program = Program::from_path(cargo_bin!("task02-server")).with_args(args);
    Server::start(&program, Deadline::after(LIMIT))
        .unwrap_or_else(|o| panic!("server did not start: {}", o.message))
}

fn client(port: u16) -> assert_cmd::Command {
    let mut client = cargo_bin_cmd!("task02-client");
    client.args(["--port", &port.to_string()]).timeout(LIMIT);
    client
}

#[test]
fn the_client_prints_the_default_greeting() {
    let server = server(&["--port", "0"]);
    client(server.addr.port())
        .assert()
        .success()
        .stdout("Received from server: Thank you for connecting\n");
}

#[test]
fn a_custom_greeting_keeps_its_spaces_and_unicode() {
    let server = server(&["--port", "0", "--message", "  Grüße, 世界  "]);
    client(server.addr.port())
        .assert()
        .success()
        .stdout("Received from server:   Grüße, 世界  \n");
}

#[test]
fn the_server_sends_a_line_then_closes() {
    let server = server(&["--port", "0", "--message", "hi"]);
    let stream = peer::connect(server.addr, Deadline::after(LIMIT)).unwrap();
    let got = peer::read_to_end(&stream, 1024, Deadline::after(LIMIT));
    assert_eq!(got.bytes, b"hi\n");
    assert!(matches!(got.end, End::Eof), "{:?}", got.end);
}

#[test]
fn the_client_reassembles_a_greeting_sent_in_pieces() {
    let listener = peer::listen(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let greeting = format!("{}\r\n", "a long greeting in pieces ".repeat(100));
    let speaker = thread::spawn({
        let greeting = greeting.clone();
        move || {
            let (stream, _) = peer::accept(&listener, Deadline::after(LIMIT))
                .unwrap()
                .unwrap();
            peer::write_in_pieces(
                &stream,
                greeting.as_bytes(),
                5,
                Duration::from_millis(20),
                Deadline::after(LIMIT),
            )
            .unwrap();
        }
    });
    client(port).assert().success().stdout(format!(
        "Received from server: {}\n",
        greeting.trim_end_matches("\r\n")
    ));
    speaker.join().unwrap();
}

#[test]
fn a_refused_connection_is_an_error_line_not_a_panic() {
    let closed = peer::free_port().unwrap();
    let port = closed.port;
    client(port)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "error: could not connect to 127.0.0.1:{port}: "
        )))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_bad_port_is_refused_by_clap() {
    for bin in [cargo_bin!("task02-server"), cargo_bin!("task02-client")] {
        assert_cmd::Command::new(bin)
            .arg("--port=-1")
            .timeout(LIMIT)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "invalid value '-1' for '--port <PORT>'",
            ));
    }
}

#[test]
fn the_server_survives_clients_that_vanish_or_send_junk() {
    let server = server(&["--port", "0"]);
    let deadline = Deadline::after(LIMIT);
    for _ in 0..3 {
        peer::reset(peer::connect(server.addr, deadline).unwrap());
    }
    let junk = peer::connect(server.addr, deadline).unwrap();
    let _ = peer::write_all(&junk, &[0xff; 4096], deadline);
    drop(junk);
    client(server.addr.port())
        .assert()
        .success()
        .stdout("Received from server: Thank you for connecting\n");
    assert!(server.child.status().is_none(), "the server exited");
}

#[test]
fn the_grader_gives_the_reference_full_marks() {
    let failed = grader::run::failures(2, cargo_bin!("task02-server"), cargo_bin!("task02-client"));
    assert!(failed.is_empty(), "{failed:#?}");
}
