//! Task 01: a client connects to a server.

use super::{client_checks, server_checks, Lesson};
use crate::check::{CauseKind, CheckDef, CheckResult, Kind, Outcome};
use crate::harness::{
    connect, expect_success, finish_pair, lines_or_nothing, session, Ctx, Input, Listen, Server,
    LOOPBACK, REPLY_WAIT,
};
use crate::peer::{self, End};
use crate::process::Stream;
use crate::show;
use crate::time::human;
use std::net::SocketAddr;

pub struct Connect;

impl Lesson for Connect {
    const NUMBER: u8 = 1;
    const PACKAGE: &'static str = "task01_connect";
    /// The client connects and exits at once: it never waits.
    const WAITING_CLIENT: Option<Input<'static>> = None;
    const TOPIC: &'static str = "The server side: socket, bind, listen, accept";
    const ECHO: Option<super::Echo> = None;

    fn checks() -> Vec<CheckDef> {
        let mut checks = server_checks::<Connect>();
        checks.push(CheckDef {
            name: "server.closes",
            title: "closes each connection after accepting it",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Once the connection line is printed the server is done with that client: drop the stream to close it.",
                "The TcpStream that accept() hands you closes the connection when it is dropped, so let it \
                    go out of scope at the end of the loop body (or drop it) once the line is printed. Don't \
                    keep it alive in a Vec or a variable outside the loop, and don't read from it: the grader \
                    sends nothing and waits for your close.",
            ],
            run: |ctx| {
                let server = ctx.server(&[])?;
                Connect::probe(ctx, &server, 1)
            },
        });
        checks.push(CheckDef {
            name: "client.connects",
            title: "connects and prints `Connected to <addr>`",
            points: 3,
            kind: Kind::Wire,
            hints: &[
                "After connect() succeeds, print `Connected to` and the address you reached (peer_addr()).",
                "Once TcpStream::connect has succeeded, ask the stream for peer_addr(), a SocketAddr, print \
                    it after `Connected to ` and return normally so the exit status is 0. The SocketAddr's \
                    Display already writes an IPv6 address in brackets.",
            ],
            run: |ctx| Connect::play_server(ctx, LOOPBACK),
        });
        checks.extend(client_checks::<Connect>());
        checks.push(CheckDef {
            name: "pair.connect",
            title: "your client connects to your server",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Run both in two terminals: the server's port must be the client's port.",
                "The grader starts your server with --port 0, reads the port from its `Listening on` line \
                    and runs your client with --host 127.0.0.1 --port <that port>, so both programs must use \
                    their arguments, not a fixed 5001. Then your client must print `Connected to …` and exit \
                    0 and your server must print `Connection from 127.0.0.1:<port>`: the missing line tells \
                    you which side to fix.",
            ],
            run: pair,
        });
        checks
    }

    fn probe(ctx: &mut Ctx, server: &Server, _round: usize) -> CheckResult {
        let stream = connect(ctx, server)?;
        let deadline = ctx.deadline(REPLY_WAIT);
        let got = peer::read_to_end(&stream, 1024, deadline);
        match got.end {
            End::Eof | End::Failed(_) => {
                ctx.note("server closed the connection");
                Ok(())
            }
            End::Timeout => Err(Outcome::fail(format!(
                "the server kept the connection open for {} after accepting it",
                human(deadline.budget())
            ))),
            End::Capped => Err(Outcome::fail("the server sent data it should not send")
                .actual(show::bytes(&got.bytes))),
        }
    }

    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult {
        let session = session(ctx, at, &[], Input::Nothing)?;
        let done = ctx.finish(&session.client)?;
        expect_success(&done)?;
        expect_connected_line(&done.stdout, session.server_addr)
    }
}

/// The client printed `Connected to <addr>` with the address it reached,
/// as the socket reports it: `127.0.0.1:5001`, `[::1]:5001`. The host and
/// port it was given (`localhost:5001`, `::1:5001`) are not that address.
fn expect_connected_line(stdout: &[String], server: SocketAddr) -> CheckResult {
    let wanted = format!("Connected to {server}");
    let found = stdout.iter().any(|line| {
        line.strip_prefix(wanted.as_str())
            .is_some_and(|after| !after.starts_with(|c: char| c.is_ascii_digit()))
    });
    if found {
        return Ok(());
    }
    let outcome = match stdout.iter().find(|l| l.starts_with("Connected to ")) {
        Some(_) => Outcome::fail(format!(
            "the client's `Connected to` line does not name the address it reached, {server} (the stream's peer_addr()): the host and port it was given are not that address"
        ))
        .because(CauseKind::NamesWrongAddress, "client", ""),
        None => Outcome::fail("the client did not print `Connected to <addr>`"),
    };
    Err(outcome
        .expected(show::text(&wanted))
        .actual(lines_or_nothing(stdout)))
}

fn pair(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let client = ctx.client("127.0.0.1", server.addr.port(), &[], false)?;
    let done = finish_pair(ctx, &client)?;
    expect_success(&done)?;
    expect_connected_line(&done.stdout, server.addr)?;
    // Your client is its only one: its first `Connection from` line is
    // about it.
    let seen = server
        .child
        .wait_for_line(Stream::Stdout, ctx.deadline(REPLY_WAIT), |line| {
            line.contains("Connection from")
        });
    match seen {
        Ok(line) if line.contains("Connection from 127.0.0.1:") => Ok(()),
        _ => Err(Outcome::fail(
            "the server did not print `Connection from 127.0.0.1:<port>` for your client",
        )
        .actual(lines_or_nothing(&server.child.output(Stream::Stdout)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connected_line_names_the_address_reached() {
        let server: SocketAddr = "127.0.0.1:5001".parse().unwrap();
        let lines = |l: &str| vec![l.to_string()];
        assert!(expect_connected_line(&lines("Connected to 127.0.0.1:5001"), server).is_ok());
        assert!(expect_connected_line(&lines("Connected to 127.0.0.1:5001!"), server).is_ok());
        assert!(expect_connected_line(&lines("Connected to 127.0.0.1:50011"), server).is_err());
        assert!(expect_connected_line(&lines("Connected"), server).is_err());
        assert!(expect_connected_line(&lines("Connected to localhost:5001"), server).is_err());
        let v6: SocketAddr = "[::1]:5001".parse().unwrap();
        assert!(expect_connected_line(&lines("Connected to [::1]:5001"), v6).is_ok());
        assert!(expect_connected_line(&lines("Connected to ::1:5001"), v6).is_err());
    }
}
