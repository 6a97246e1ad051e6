//! Task 01 end to end: the reference server and client, and bad input.

use assert_cmd::cargo::{cargo_bin, cargo_bin_cmd};
use grader::check::Server;
use grader::peer;
use grader::process::{Program, Stream};
use grader::time::Deadline;
use predicates::prelude::*;
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(10);

fn server(args: &[&str]) -> Server {
    let program = Program::from_path(cargo_bin!("task01-server")).with_args(args);
    Server::start(&program, Deadline::after(LIMIT))
        .unwrap_or_else(|o| panic!("server did not start: {}", o.message))
}

fn server_line(server: &Server, wanted: &str) -> String {
    server
        .child
        .wait_for_line(Stream::Stdout, Deadline::after(LIMIT), |l| {
            l.contains(wanted)
        })
        .unwrap_or_else(|why| {
            panic!(
                "no {wanted:?} from the server ({why:?}): {:?}",
                server.child.output(Stream::Stdout)
            )
        })
}

#[test]
fn client_and_server_both_report_the_connection() {
    let server = server(&["--port", "0"]);
    cargo_bin_cmd!("task01-client")
        .args(["--port", &server.addr.port().to_string()])
        .timeout(LIMIT)
        .assert()
        .success()
        .stdout(format!("Connected to {}\n", server.addr));
    let line = server_line(&server, "Connection from");
    assert!(line.starts_with("Connection from 127.0.0.1:"), "{line}");
}

#[test]
fn the_pair_works_over_ipv6() {
    if !peer::has_ipv6() {
        return;
    }
    let server = server(&["--host", "::1", "--port", "0"]);
    assert_eq!(server.addr.ip().to_string(), "::1");
    cargo_bin_cmd!("task01-client")
        .args(["--host", "::1", "--port", &server.addr.port().to_string()])
        .timeout(LIMIT)
        .assert()
        .success()
        .stdout(format!("Connected to [::1]:{}\n", server.addr.port()));
    server_line(&server, "Connection from [::1]:");
}

#[test]
fn a_refused_connection_is_an_error_line_not_a_panic() {
    let closed = peer::free_port().unwrap();
    let port = closed.port;
    cargo_bin_cmd!("task01-client")
        .args(["--port", &port.to_string()])
        .timeout(LIMIT)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(format!(
            "error: could not connect to 127.0.0.1:{port}: "
        )))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_bad_port_is_refused_by_clap() {
    for bin in [cargo_bin!("task01-server"), cargo_bin!("task01-client")] {
        assert_cmd::Command::new(bin)
            .args(["--port", "70000"])
            .timeout(LIMIT)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "invalid value '70000' for '--port <PORT>'",
            ));
    }
}

#[test]
fn a_port_in_use_is_an_error_line() {
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    cargo_bin_cmd!("task01-server")
        .args(["--port", &port])
        .timeout(LIMIT)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "error: could not listen on 127.0.0.1:{port}: "
        )));
}

#[test]
fn the_server_survives_junk_and_resets() {
    let server = server(&["--port", "0"]);
    let deadline = Deadline::after(LIMIT);
    let junk = peer::connect(server.addr, deadline).unwrap();
    let _ = peer::write_all(&junk, b"\xff\x00junk that nobody asked for", deadline);
    drop(junk);
    let rude = peer::connect(server.addr, deadline).unwrap();
    peer::reset(rude);
    cargo_bin_cmd!("task01-client")
        .args(["--port", &server.addr.port().to_string()])
        .timeout(LIMIT)
        .assert()
        .success();
    assert!(server.child.status().is_none(), "the server exited");
}

#[test]
fn the_grader_gives_the_reference_full_marks() {
    let failed = grader::run::failures(1, cargo_bin!("task01-server"), cargo_bin!("task01-client"));
    assert!(failed.is_empty(), "{failed:#?}");
}
