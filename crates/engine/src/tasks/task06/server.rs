//! Task 06's server checks: the grader is the client on the socket and the
//! operator on the server's stdin, at once.

use super::talk::{expect_ended, expect_printed, expect_said, type_line, Talk};
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{lines_or_nothing, Ctx, Server, EXIT_WAIT};
use crate::process::{describe_status, Stream};
use crate::show;
use std::time::Duration;

/// How long the grader listens for lines that must not come.
const QUIET: Duration = Duration::from_millis(300);

/// Ends a conversation the right way: the client's `BYE`, printed, and the
/// connection closed.
pub(super) fn say_bye(ctx: &mut Ctx, server: &Server, talk: &mut Talk) -> CheckResult {
    talk.send(ctx, "BYE")?;
    expect_printed(
        ctx,
        server,
        "BYE",
        "the client's BYE is printed like any line",
    )?;
    talk.expect_closed_after_bye(ctx, "the client's BYE")
}

/// One turn each, the way the handout's chat goes: the client's line is
/// printed, then the line the grader types reaches the client. Checks that
/// are not about full duplex talk this way, so that a server taking strict
/// turns fails only the checks that are.
pub(super) fn turn(
    ctx: &mut Ctx,
    server: &Server,
    talk: &mut Talk,
    said: &str,
    answer: &str,
) -> CheckResult {
    talk.send(ctx, said)?;
    expect_printed(
        ctx,
        server,
        said,
        "each client line is printed as it arrives",
    )?;
    type_line(ctx, server, answer)?;
    talk.expect_line(
        ctx,
        answer,
        "waiting for the line typed on the server's stdin",
    )
}

pub(super) fn client_lines(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client")?;
    turn(ctx, &server, &mut talk, "hello there", "hello yourself")?;
    turn(ctx, &server, &mut talk, "  spaced out  ", "noted")?;
    say_bye(ctx, &server, &mut talk)
}

pub(super) fn typed_lines(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client")?;
    // The client speaks first, so a server that takes turns gets its turn.
    talk.send(ctx, "ping")?;
    expect_printed(ctx, &server, "ping", "each client line is printed")?;
    type_line(ctx, &server, "pong, typed")?;
    talk.expect_line(
        ctx,
        "pong, typed",
        "waiting for the line typed on the server's stdin",
    )?;
    say_bye(ctx, &server, &mut talk)
}

pub(super) fn duplex_from_client(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let talk = Talk::open(ctx, &server, "client")?;
    talk.send(ctx, "first of two")?;
    expect_printed(ctx, &server, "first of two", "each client line is printed")?;
    ctx.note("nobody types on the server's stdin");
    talk.send(ctx, "second of two")?;
    expect_said(
        ctx,
        &server.child,
        "server",
        "Client: second of two",
        "a second client line in a row must be printed while nobody types; a server that waits for its keyboard after each line hangs here",
        Some(CauseKind::TakesTurns),
    )
}

pub(super) fn duplex_typed(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client")?;
    ctx.note("the client says nothing");
    for text in ["typed first", "typed second"] {
        type_line(ctx, &server, text)?;
        talk.expect_line_or(
            ctx,
            text,
            "a typed line must reach the client while the client says nothing; a server blocked reading the socket never sends it",
            Some(CauseKind::TakesTurns),
        )?;
    }
    Ok(())
}

pub(super) fn client_bye(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client 1")?;
    turn(ctx, &server, &mut talk, "about to leave", "so long")?;
    say_bye(ctx, &server, &mut talk)?;
    expect_ended(ctx, &server, 1)?;
    next_is_served(ctx, &server, "after a client's BYE")
}

pub(super) fn hangup(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client 1")?;
    turn(
        ctx,
        &server,
        &mut talk,
        "leaving without a word",
        "are you?",
    )?;
    talk.hang_up(ctx);
    expect_ended(ctx, &server, 1)?;
    next_is_served(ctx, &server, "after a client that closed without BYE")
}

/// A new client is accepted, heard, and its `BYE` ends it.
fn next_is_served(ctx: &mut Ctx, server: &Server, after: &str) -> CheckResult {
    serve_next(ctx, server).map_err(|outcome| match server.child.status() {
        Some(status) => Outcome::fail(format!(
            "the server ended ({}) {after}: a conversation's end is not the server's",
            describe_status(status)
        )),
        None => Outcome {
            message: format!("{after}: {}", outcome.message),
            ..outcome
        },
    })
}

fn serve_next(ctx: &mut Ctx, server: &Server) -> CheckResult {
    let mut talk = Talk::open(ctx, server, "client 2")?;
    turn(ctx, server, &mut talk, "next in line", "welcome")?;
    say_bye(ctx, server, &mut talk)
}

pub(super) fn backlog(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut first = Talk::open(ctx, &server, "client 1")?;
    let mut second = Talk::connect(ctx, &server, "client 2")?;
    second.send(ctx, "queued line")?;
    // A round trip each way on the first conversation: by its end a server
    // that serves both at once has heard the second client too.
    first.send(ctx, "still talking")?;
    expect_printed(ctx, &server, "still talking", "each client line is printed")?;
    type_line(ctx, &server, "for client 1")?;
    let for_first = first.expect_line(
        ctx,
        "for client 1",
        "waiting for the line typed on the server's stdin",
    );
    if let Err(outcome) = for_first {
        // A server that serves both at once sends what is typed to the
        // client that came last.
        return Err(match second.silent_for(ctx, QUIET) {
            Err(got) => Outcome::fail(
                "a line typed for the first client went to the second client, which the server should not have accepted yet: one conversation at a time",
            )
            .actual(show::bytes(&got)),
            Ok(()) => outcome,
        });
    }
    let out = server.child.output(Stream::Stdout);
    let heard = out.iter().any(|l| l == "Client: queued line");
    if heard {
        return Err(Outcome::fail(
            "the server printed the second client's line while it was still talking to the first: one conversation at a time, the next client waits in the backlog",
        )
        .actual(lines_or_nothing(&out)));
    }
    if let Err(got) = second.silent_for(ctx, QUIET) {
        return Err(Outcome::fail(
            "a line typed for the first client reached the second client, which the server had not yet accepted",
        )
        .actual(show::bytes(&got)));
    }
    say_bye(ctx, &server, &mut first)?;
    second.accepted(ctx, &server).map_err(|outcome| Outcome {
        message: format!(
            "the client waiting in the backlog was not served after the first conversation: {}",
            outcome.message
        ),
        ..outcome
    })?;
    expect_printed(
        ctx,
        &server,
        "queued line",
        "what the waiting client sent before it was accepted is printed once it is",
    )?;
    type_line(ctx, &server, "now for client 2")?;
    second.expect_line(
        ctx,
        "now for client 2",
        "waiting for the line typed on the server's stdin",
    )?;
    say_bye(ctx, &server, &mut second)
}

pub(super) fn typed_bye(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client 1")?;
    type_line(ctx, &server, "BYE")?;
    // Typed while the client has said nothing.
    talk.expect_line_or(
        ctx,
        "BYE",
        "the BYE typed on the server's stdin is sent to the client",
        Some(CauseKind::TakesTurns),
    )?;
    talk.expect_closed(ctx, "its typed BYE")?;
    expect_ended(ctx, &server, 1)?;
    next_is_served(ctx, &server, "after a BYE typed on the server")
}

pub(super) fn stdin_end(ctx: &mut Ctx) -> CheckResult {
    let mut server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client")?;
    talk.send(ctx, "are you there?")?;
    expect_printed(
        ctx,
        &server,
        "are you there?",
        "each client line is printed",
    )?;
    ctx.note("grader closes the server's stdin");
    server.child.close_stdin();
    talk.expect_line(
        ctx,
        "BYE",
        "when its stdin ends, the server says BYE to its client",
    )?;
    talk.expect_closed(ctx, "the BYE sent at the end of its stdin")?;
    let deadline = ctx.deadline(EXIT_WAIT);
    match server.child.wait(deadline) {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(Outcome::fail(format!(
            "after the end of its stdin the server ended with {}, not exit status 0",
            describe_status(status)
        ))
        .actual(format!(
            "stderr: {}",
            lines_or_nothing(&server.child.output(Stream::Stderr))
        ))),
        None => Err(Outcome::fail(format!(
            "the server was still running {} after its stdin ended: the end of input ends the server",
            crate::time::human(deadline.budget())
        ))),
    }
}

pub(super) fn utf8_crlf(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client")?;
    talk.send(ctx, "Grüße, 世界 🦀")?;
    expect_printed(
        ctx,
        &server,
        "Grüße, 世界 🦀",
        "UTF-8 text is printed as it came",
    )?;
    type_line(ctx, &server, "Ça va? ✓")?;
    talk.expect_line(
        ctx,
        "Ça va? ✓",
        "a typed UTF-8 line reaches the client whole",
    )?;
    talk.send_raw(ctx, "a line ended by crlf\r\n")?;
    expect_printed(
        ctx,
        &server,
        "a line ended by crlf",
        "a line ended by \\r\\n is printed without the \\r",
    )?;
    type_line(ctx, &server, "crlf seen")?;
    talk.expect_line(
        ctx,
        "crlf seen",
        "waiting for the line typed on the server's stdin",
    )?;
    talk.send_raw(ctx, "BYE\r\n")?;
    expect_printed(ctx, &server, "BYE", "`BYE\\r\\n` is the client's BYE")?;
    talk.expect_closed_after_bye(ctx, "`BYE\\r\\n`")
}

/// Lines that look like `BYE` and are not.
const NOT_BYE: [&str; 3] = ["bye", " BYE", "BYE "];

pub(super) fn bye_exact(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut talk = Talk::open(ctx, &server, "client")?;
    // After each look-alike, a typed line shows the conversation still on.
    for (n, text) in NOT_BYE.into_iter().enumerate() {
        talk.send(ctx, text)?;
        expect_printed(ctx, &server, text, "it is an ordinary line")?;
        let answer = format!("still here {}", n + 1);
        type_line(ctx, &server, &answer)?;
        talk.expect_line(
            ctx,
            &answer,
            "only a line that is exactly `BYE` ends the conversation, yet a look-alike ended it",
        )?;
    }
    let out = server.child.output(Stream::Stdout);
    if out.iter().any(|l| l.contains("Conversation ended")) {
        return Err(Outcome::fail(
            "the server ended the conversation on a line that only looks like BYE",
        )
        .actual(lines_or_nothing(&out)));
    }
    say_bye(ctx, &server, &mut talk)
}
