//! Task 03 end to end: byte-exact echo, in pieces and under resets.

use assert_cmd::cargo::{cargo_bin, cargo_bin_cmd};
use grader::check::Server;
use grader::peer::{self, End, Received};
use grader::process::Program;
use grader::time::Deadline;
use predicates::prelude::*;
use rand::RngCore;
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr};
use std::thread;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);

fn server() -> Server {
    let program = Program::from_path(cargo_bin!("task03-server")).with_args(&["--port", "0"]);
    Server::start(&program, Deadline::after(LIMIT))
        .unwrap_or_else(|o| panic!("server did not start: {}", o.message))
}

/// Sends `data` in `pieces` from a second thread, half-closes, reads the echo.
fn round_trip(addr: SocketAddr, data: &[u8], pieces: usize) -> Received {
    let deadline = Deadline::after(LIMIT);
    let stream = peer::connect(addr, deadline).unwrap();
    let sender = stream.try_clone().unwrap();
    thread::scope(|scope| {
        scope.spawn(move || {
            peer::write_in_pieces(&sender, data, pieces, Duration::from_millis(10), deadline)
                .unwrap();
            sender.shutdown(Shutdown::Write).unwrap();
        });
        peer::read_to_end(&stream, data.len() + 1, deadline)
    })
}

fn assert_echoed(got: &Received, data: &[u8]) {
    assert!(
        matches!(got.end, End::Eof),
        "the echo ended with {:?}",
        got.end
    );
    assert_eq!(got.bytes.len(), data.len());
    assert!(got.bytes == data, "the echo differs from what was sent");
}

#[test]
fn one_mebibyte_of_random_bytes_comes_back_identical() {
    let mut data = vec![0u8; 1024 * 1024];
    rand::rng().fill_bytes(&mut data);
    // Whatever the random draw, NUL bytes and invalid UTF-8 are in there.
    data[..6].copy_from_slice(b"\0\0\xff\xfe\xc3(");
    let server = server();
    assert_echoed(&round_trip(server.addr, &data, 1), &data);
}

#[test]
fn a_payload_sent_in_pieces_comes_back_whole() {
    let data = b"sent in seven pieces, returned in one piece of text\n";
    let server = server();
    assert_echoed(&round_trip(server.addr, data, 7), data);
}

#[test]
fn a_reset_mid_stream_does_not_stop_the_server() {
    let server = server();
    let rude = peer::connect(server.addr, Deadline::after(LIMIT)).unwrap();
    let _ = peer::write_all(&rude, &[b'x'; 200_000], Deadline::after(LIMIT));
    peer::reset(rude);
    assert_echoed(&round_trip(server.addr, b"next!", 1), b"next!");
}

#[test]
fn the_client_prints_the_echo_of_its_message() {
    let server = server();
    cargo_bin_cmd!("task03-client")
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

#[test]
fn the_client_reports_a_wrong_echo() {
    let listener = peer::listen(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let liar = thread::spawn(move || {
        let (stream, _) = peer::accept(&listener, Deadline::after(LIMIT))
            .unwrap()
            .unwrap();
        let got = peer::read_to_end(&stream, 1024, Deadline::after(LIMIT));
        assert_eq!(got.bytes, b"Hello, Server!");
        peer::write_all(&stream, b"Hello, World!", Deadline::after(LIMIT)).unwrap();
    });
    cargo_bin_cmd!("task03-client")
        .args(["--port", &port.to_string()])
        .timeout(LIMIT)
        .assert()
        .code(1)
        .stdout("Received from server: Hello, World!\n")
        .stderr(predicate::str::starts_with("error: echo mismatch"));
    liar.join().unwrap();
}

#[test]
fn a_refused_connection_is_an_error_line_not_a_panic() {
    let closed = peer::free_port().unwrap();
    let port = closed.port;
    cargo_bin_cmd!("task03-client")
        .args(["--port", &port.to_string()])
        .timeout(LIMIT)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "error: could not connect to 127.0.0.1:{port}: "
        )))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_bad_port_is_refused_by_clap() {
    for bin in [cargo_bin!("task03-server"), cargo_bin!("task03-client")] {
        assert_cmd::Command::new(bin)
            .args(["--port", "five"])
            .timeout(LIMIT)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "invalid value 'five' for '--port <PORT>'",
            ));
    }
}

#[test]
fn the_grader_gives_the_reference_full_marks() {
    let failed = grader::run::failures(3, cargo_bin!("task03-server"), cargo_bin!("task03-client"));
    assert!(failed.is_empty(), "{failed:#?}");
}
