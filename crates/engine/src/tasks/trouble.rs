//! The server checks about trouble, written once against the task's
//! [`Lesson`]: clients that hang up the moment they connect, a port that is
//! already taken, and an error with one client reported and survived.

use super::Lesson;
use crate::check::{CheckResult, Outcome};
use crate::harness::{
    connect, expect_error_exit, ignored_port, lines_or_nothing, listening_address, panicked,
    printed, Ctx, Finished, Server, EXIT_WAIT, REPLY_WAIT,
};
use crate::hygiene;
use crate::peer;
use crate::process::{describe_status, NoLine, Paused, Stream};
use crate::show;
use crate::time::human;
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

/// How many clients of each kind hang up at once.
const HANGUPS: usize = 20;
/// How long a SIGSTOP has to take hold of every thread of the server.
const STOPS: Duration = Duration::from_millis(500);
/// How much a client that resets mid-exchange sends at most: 1 MiB.
const UNREAD: usize = 1 << 20;
/// How long a server has to show it has ended, once a connection fails.
const ENDS: Duration = Duration::from_secs(1);

/// 20 clients connect and reset at once, 20 connect and close at once; then
/// one ordinary client must be served, by a server still running that
/// never panicked.
pub(super) fn hangups<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    {
        // The first one resets while the server is stopped, so the server
        // accepts a connection that is already dead, whatever its speed.
        let _paused = pause(ctx, &server);
        hang_up(ctx, &server, 1, true)?;
        // Until the OS shows it queued, its reset taken (at once where the
        // OS can't tell).
        let port = server.addr.port();
        hygiene::settle(
            ctx.deadline(STOPS),
            || hygiene::queued_dead(port),
            |n| n > 0,
        );
    }
    for n in 2..=HANGUPS {
        hang_up(ctx, &server, n, true)?;
    }
    ctx.note(format!(
        "{HANGUPS} clients connected and reset at once, the first while the server was stopped"
    ));
    for n in 1..=HANGUPS {
        hang_up(ctx, &server, n, false)?;
    }
    ctx.note(format!("{HANGUPS} clients connected and closed at once"));
    let what = "clients hung up at once";
    let served = L::probe(ctx, &server, 1);
    survived(ctx, &server, what, served)?;
    let stderr = server.child.output(Stream::Stderr);
    let Some(panic) = panicked(&stderr) else {
        return still_listening(ctx, &server, what);
    };
    // A panic in the main thread ends the server once its message is out.
    if let Some(status) = server.child.wait(ctx.deadline(ENDS)) {
        return Err(ended(&server, status, what));
    }
    Err(Outcome::fail(format!(
        "the server panicked when {what}: an error with one client must be reported and survived"
    ))
    .actual(panic))
}

/// The server still takes connections after `what`. A server that has
/// ended closed its port before the OS shows it ended: a probe of a server
/// that only accepts may see its queued connection reset and pass, so a
/// refused connection is what tells, with the exit status once it shows.
fn still_listening(ctx: &mut Ctx, server: &Server, what: &str) -> CheckResult {
    if let Some(status) = server.child.status() {
        return Err(ended(server, status, what));
    }
    let Err(e) = peer::connect(server.addr, ctx.deadline(REPLY_WAIT)) else {
        return Ok(());
    };
    match server.child.wait(ctx.deadline(ENDS)) {
        Some(status) => Err(ended(server, status, what)),
        None => Err(Outcome::fail(format!(
            "after {what}, the server still runs but no longer takes connections: {e}"
        ))),
    }
}

/// Stops the server until the guard drops, once `/proc` shows every one of
/// its threads stopped (at once where there is no `/proc`).
pub(super) fn pause<'a>(ctx: &mut Ctx, server: &'a Server) -> Paused<'a> {
    let paused = server.child.pause();
    let group = server.child.pid();
    let left = hygiene::settle(
        ctx.deadline(STOPS),
        || hygiene::unstopped_threads(group),
        |n| n == 0,
    );
    ctx.note(match left {
        Some(n) if n > 0 => format!("server paused (SIGSTOP), {n} threads still running"),
        _ => "server paused (SIGSTOP)".to_string(),
    });
    paused
}

/// Client `n` connects, then resets (`reset`) or closes at once.
fn hang_up(ctx: &mut Ctx, server: &Server, n: usize, reset: bool) -> CheckResult {
    let how = if reset { "reset" } else { "closed" };
    match peer::connect(server.addr, ctx.deadline(REPLY_WAIT)) {
        Ok(stream) if reset => peer::reset(stream),
        Ok(stream) => drop(stream),
        Err(e) => {
            let failed = Outcome::fail(format!(
                "client {n} of {HANGUPS} that connected and {how} at once could not connect: {e}"
            ));
            return survived(ctx, server, "clients hung up at once", Err(failed));
        }
    }
    Ok(())
}

/// `result` of serving a client after `what`: a failure says first that
/// the server has ended, if it has.
fn survived(ctx: &Ctx, server: &Server, what: &str, result: CheckResult) -> CheckResult {
    // A failure whose cause is known (it answered and kept the connection
    // open, say) came from a server that is still there.
    let ends = |outcome: &Outcome| match outcome.cause {
        Some(_) => server.child.status(),
        None => server.child.wait(ctx.deadline(ENDS)),
    };
    result.map_err(|outcome| match ends(&outcome) {
        Some(status) => ended(server, status, what),
        None => Outcome {
            message: format!("after {what}: {}", outcome.message),
            ..outcome
        },
    })
}

fn ended(server: &Server, status: std::process::ExitStatus, what: &str) -> Outcome {
    let outcome = Outcome::fail(format!(
        "the server ended ({}) when {what}: whatever one client does, a server goes on serving the others{}",
        describe_status(status),
        printed(&server.child)
    ));
    match panicked(&server.child.output(Stream::Stderr)) {
        Some(panic) => outcome.actual(panic),
        None => outcome,
    }
}

/// The grader holds a port; the server, asked for it, must say it can't
/// listen there and exit 1, without a panic or a `Listening on`.
pub(super) fn port_in_use(ctx: &mut Ctx) -> CheckResult {
    let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| Ok((listener.local_addr()?.port(), listener)));
    let (port, _holder) =
        holder.map_err(|e| Outcome::error(format!("could not listen on 127.0.0.1: {e}")))?;
    ctx.note(format!("the grader itself listens on 127.0.0.1:{port}"));
    refuses_held_port(ctx, port)
}

/// The server, asked for `port`, which another program holds, must say it
/// can't listen there and exit 1, without a panic or a `Listening on`.
pub(super) fn refuses_held_port(ctx: &mut Ctx, port: u16) -> CheckResult {
    let asked = port.to_string();
    let child = ctx.spawn_server(&["--host", "127.0.0.1", "--port", &asked])?;
    let deadline = ctx.deadline(EXIT_WAIT);
    match child.wait_for_line(Stream::Stdout, deadline, |l| l.contains("Listening on")) {
        Ok(line) => {
            let announced = listening_address(&line).map(|addr| addr.port());
            let ignored = ignored_port(port, ctx.default_port(), announced, &[]);
            return Err(ignored.unwrap_or_else(|| {
                Outcome::fail(format!(
                    "the server printed `Listening on` though port {port} was taken by another program"
                ))
                .actual(show::text(&line))
            }));
        }
        Err(NoLine::Timeout) => {
            return Err(Outcome::fail(format!(
                "started on port {port}, which another program holds, the server was still running {} later: it must exit with status 1 when it cannot listen{}",
                human(deadline.budget()),
                printed(&child)
            )))
        }
        Err(NoLine::Closed) => {}
    }
    let status = child.wait(ctx.deadline(EXIT_WAIT)).ok_or_else(|| {
        Outcome::fail("the server closed its stdout but did not exit")
            .actual(lines_or_nothing(&child.output(Stream::Stderr)))
    })?;
    ctx.note(format!("server ended: {}", describe_status(status)));
    let done = Finished {
        stdout: child.output(Stream::Stdout),
        stderr: child.output(Stream::Stderr),
        status,
    };
    if let Some(ignored) = ignored_port(port, ctx.default_port(), None, &done.stderr) {
        return Err(ignored);
    }
    let example = format!(
        "error: could not listen on 127.0.0.1:{port}: Address already in use (os error 98)"
    );
    expect_error_exit(&done, "server", &example, &asked)
}

/// A client sends up to [`UNREAD`] bytes of lines, as much as the
/// connection takes at once, reads no reply and resets while the server
/// still has bytes to read or to send back, so the server's read or write
/// fails for certain (an echo server of either kind: bytes or lines). The
/// server must say so on stderr with an `error:` line, then serve the next
/// client.
pub(super) fn reports_client_error<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let stream = connect(ctx, &server)?;
    let me = stream
        .local_addr()
        .map_err(|e| Outcome::error(format!("could not read the grader's own address: {e}")))?;
    let data = b"a line whose echo nobody reads\n".repeat(UNREAD / 31);
    let sent = peer::write_what_fits(&stream, &data);
    // A server that ends the exchange itself (one read, then close) has no
    // error to report; the echo checks judge it. Such a server closes as
    // soon as its first read returns, long before the grader has sent what
    // fits and asked the OS whether the server's side is still open.
    let open = hygiene::established(server.addr.port(), me.port()).unwrap_or(true);
    if sent.is_err() || !open || peer::closed_by_peer(&stream) {
        ctx.note("the server closed the connection itself: no client error to report");
        return Ok(());
    }
    peer::reset(stream);
    ctx.note(format!(
        "grader sent {} bytes, read no reply and reset the connection",
        sent.unwrap_or_default()
    ));
    let what = "a client reset its connection in the middle of an exchange";
    let deadline = ctx.deadline(REPLY_WAIT);
    let said = server.child.wait_for_line(Stream::Stderr, deadline, |l| {
        l.trim_start().starts_with("error:")
    });
    if said.is_err() {
        if let Some(status) = server.child.status() {
            return Err(ended(&server, status, what));
        }
        return Err(Outcome::fail(format!(
            "the server printed no `error:` line within {} after {what}: an error with one client is reported on stderr",
            human(deadline.budget())
        ))
        .expected("a line such as `error: lost 127.0.0.1:40212: Connection reset by peer (os error 104)` on stderr")
        .actual(format!("stderr: {}", lines_or_nothing(&server.child.output(Stream::Stderr)))));
    }
    let served = L::probe(ctx, &server, 1);
    survived(ctx, &server, what, served)
}
