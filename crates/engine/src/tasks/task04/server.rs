//! Task 04's server checks: the line protocol, and many clients at once.

use super::conn::judge_reply;
use super::{Conn, CONCURRENT_REPLY};
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{connect, Ctx, Never, REPLY_WAIT};
use crate::hygiene;
use crate::peer::{self, LineError};
use crate::show;
use crate::time::human;
use std::time::{Duration, Instant};

pub(super) fn line_echo(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut conn = Conn::open(ctx, &server, "client")?;
    for line in [
        "hello",
        "  spaced out  ",
        "Grüße, 世界 🦀",
        "bye is not BYE",
        "",
    ] {
        conn.exchange(ctx, line, REPLY_WAIT)?;
    }
    // A line ended by \r\n is answered with its text alone.
    ctx.note("client sends \"crlf line\\r\\n\"");
    peer::write_all(
        conn.conn.stream(),
        b"crlf line\r\n",
        ctx.deadline(REPLY_WAIT),
    )
    .map_err(|e| Outcome::fail(format!("could not send: {e}")))?;
    conn.expect_reply(ctx, "crlf line", REPLY_WAIT)
}

pub(super) fn bye(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut conn = Conn::open(ctx, &server, "client")?;
    conn.exchange(ctx, "one line before leaving", REPLY_WAIT)?;
    conn.say_bye(ctx)
}

/// Lines that look like `BYE` and are not: each is an ordinary line.
const NOT_BYE: [&str; 3] = ["bye", " BYE", "BYE "];

pub(super) fn bye_exact(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut conn = Conn::open(ctx, &server, "client")?;
    // The line after each look-alike shows the connection still open.
    let mut answered: Option<&str> = None;
    for line in NOT_BYE.into_iter().chain(["still here"]) {
        ctx.note(format!("client sends {}", show::text(line)));
        let deadline = ctx.deadline(REPLY_WAIT);
        let reply = match conn.conn.send(line.as_bytes(), deadline) {
            Ok(()) => conn.conn.reply_to(line.as_bytes(), deadline),
            Err(e) => Err(LineError::Unsent(e)),
        };
        let gone = match reply {
            Ok(_) => {
                ctx.note("client got its reply");
                answered = Some(line);
                continue;
            }
            Err(LineError::Wrong(reply)) => {
                return Err(Outcome::fail(format!(
                    "{} was answered with something else: only a line that is exactly `BYE` is special, this one is echoed",
                    show::text(line)
                ))
                .expected(show::text(&format!("{line}\n")))
                .actual(show::bytes(&reply)))
            }
            Err(LineError::Unsent(e)) => e.to_string(),
            Err(LineError::Closed(partial)) if partial.bytes.is_empty() => partial.end.describe(),
            Err(error) => return Err(judge_reply("client", line, error, deadline.budget())),
        };
        let message = match answered {
            Some(before) => format!(
                "after answering {}, the server closed the connection ({} got no reply: {gone}): only a line that is exactly `BYE` ends it",
                show::text(before),
                show::text(line)
            ),
            None => format!(
                "the server closed the connection instead of answering {} ({gone}): only a line that is exactly `BYE` ends it",
                show::text(line)
            ),
        };
        return Err(Outcome::fail(message).expected(format!(
            "{} echoed, the connection still open",
            show::text(answered.unwrap_or(line))
        )));
    }
    Ok(())
}

pub(super) fn bye_crlf(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    // A server that keeps the connection open after a plain `BYE` fails
    // for that, not for the `\r`.
    Conn::open(ctx, &server, "client 1")?.say_bye(ctx)?;
    let mut conn = Conn::open(ctx, &server, "client 2")?;
    conn.say_bye_ended(ctx, "\r\n").map_err(|outcome| Outcome {
        message: format!(
            "{}; with its \\r\\n removed, that line is `BYE`",
            outcome.message
        ),
        ..outcome
    })
}

/// Expects `second`'s reply within [`CONCURRENT_REPLY`] while `first` holds
/// its connection; on a timeout, measures how long the reply takes once
/// `first` leaves, so the message says what happened.
fn expect_served_while_other_waits(
    ctx: &mut Ctx,
    first: Conn,
    second: &mut Conn,
    line: &str,
) -> CheckResult {
    second.send(ctx, line)?;
    let started = Instant::now();
    let deadline = ctx.deadline(CONCURRENT_REPLY);
    match second.conn.reply_to(line.as_bytes(), deadline) {
        Ok(_) => {
            ctx.note(format!("{} got its reply", second.name));
            Ok(())
        }
        Err(error @ LineError::Timeout(_)) => {
            let outcome = judge_reply(&second.name, line, error, deadline.budget());
            drop(first);
            ctx.note("grader closes client 1 to see whether client 2 is answered then");
            let late = second.expect_reply(ctx, line, REPLY_WAIT);
            let waited = human(started.elapsed());
            let Ok(()) = late else {
                let message = format!(
                    "client 2 got no reply in {waited}, even after client 1 closed, while client 1 was connected first"
                );
                return Err(Outcome { message, ..outcome });
            };
            let one_at_a_time = Outcome::fail(
                "a second client got no reply until the first had left: the server serves one client at a time",
            )
            .because(CauseKind::OneAtATime, "server", "");
            ctx.subjects
                .known
                .saw_never(Never::ServesTwo, &one_at_a_time);
            let message = format!(
                "client 2 waited {waited} and was answered only after client 1 closed: the server serves one client at a time"
            );
            Err(Outcome { message, ..outcome }.because(CauseKind::OneAtATime, "server", ""))
        }
        Err(error) => Err(judge_reply(&second.name, line, error, deadline.budget())),
    }
}

pub(super) fn idle_client(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let idle = Conn::open(ctx, &server, "client 1")?;
    let mut second = Conn::open(ctx, &server, "client 2")?;
    expect_served_while_other_waits(ctx, idle, &mut second, "is anybody there?")
}

pub(super) fn reverse_order(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut first = Conn::open(ctx, &server, "client 1")?;
    let mut second = Conn::open_beside(ctx, &server, "client 2")?;
    second
        .exchange(ctx, "second to connect, first to speak", CONCURRENT_REPLY)
        .map_err(|outcome| Outcome {
            message: format!(
                "{} (client 1, connected earlier, had sent nothing yet)",
                outcome.message
            ),
            ..outcome
        })?;
    first.exchange(ctx, "first to connect, second to speak", REPLY_WAIT)?;
    second.say_bye(ctx)?;
    first.say_bye(ctx)
}

pub(super) fn broken_client(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut steady = Conn::open(ctx, &server, "client 1")?;
    steady.exchange(ctx, "before the trouble", REPLY_WAIT)?;
    let broken = connect(ctx, &server)?;
    peer::write_all(&broken, b"half a li", ctx.deadline(REPLY_WAIT))
        .map_err(|e| Outcome::fail(format!("could not send to the server: {e}")))?;
    peer::reset(broken);
    ctx.note("client 2 sent half a line and reset its connection");
    steady.exchange(ctx, "after the trouble", REPLY_WAIT)?;
    let mut newcomer = Conn::open_beside(ctx, &server, "client 3")?;
    newcomer.exchange(ctx, "a newcomer after the trouble", REPLY_WAIT)?;
    newcomer.say_bye(ctx)?;
    steady.say_bye(ctx)
}

pub(super) fn invalid_utf8(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut steady = Conn::open(ctx, &server, "client 1")?;
    steady.exchange(ctx, "before the junk", REPLY_WAIT)?;
    let mut junk = Conn::open_beside(ctx, &server, "client 2")?;
    ctx.note("client 2 sends \"\\xff\\xfe not text\\n\"");
    peer::write_all(
        junk.conn.stream(),
        b"\xff\xfe not text\n",
        ctx.deadline(REPLY_WAIT),
    )
    .map_err(|e| Outcome::fail(format!("could not send: {e}")))?;
    // Answered or hung up on: either is allowed. What matters is the rest.
    let answer = junk.line(ctx, ctx.deadline(REPLY_WAIT));
    ctx.note(format!(
        "client 2's answer: {}",
        match &answer {
            Ok(line) => show::bytes(line),
            Err(partial) => partial.end.describe(),
        }
    ));
    steady.exchange(ctx, "after the junk", REPLY_WAIT)?;
    let mut newcomer = Conn::open_beside(ctx, &server, "client 3")?;
    newcomer.exchange(ctx, "a newcomer after the junk", REPLY_WAIT)?;
    newcomer.say_bye(ctx)?;
    steady.say_bye(ctx)
}

pub(super) fn thread_per_client(ctx: &mut Ctx) -> CheckResult {
    const HELD: usize = 10;
    if let Some(skip) = hygiene::unavailable("a program's threads") {
        return Err(skip);
    }
    let server = ctx.server(&[])?;
    let group = server.child.pid();
    // A pool may still be starting its threads after `Listening on`: take
    // the count once it holds still.
    let before = hygiene::steady(ctx.deadline(Duration::from_secs(1)), || {
        hygiene::threads(group)
    })
    .unwrap_or(0);
    let mut held = Vec::new();
    for i in 0..HELD {
        let name = format!("client {}", i + 1);
        let mut conn = match i {
            0 => Conn::open(ctx, &server, &name)?,
            _ => Conn::open_beside(ctx, &server, &name)?,
        };
        conn.exchange(ctx, "hold on", REPLY_WAIT)?;
        held.push(conn);
    }
    let during = hygiene::threads(group).unwrap_or(0);
    ctx.note(format!(
        "threads: {before} before, {during} with {HELD} clients connected"
    ));
    // A pool that already had a thread for each of them is fine too.
    let pool = before > HELD;
    if during < before + HELD && !pool {
        return Err(Outcome::fail(format!(
                "with {HELD} clients connected the server ran {during} threads ({before} before): not one per client"
            )));
    }
    for conn in &mut held {
        conn.say_bye(ctx)?;
    }
    drop(held);
    let after = hygiene::settle(
        ctx.deadline(Duration::from_secs(2)),
        || hygiene::threads(group),
        |n| n <= before,
    )
    .unwrap_or(0);
    ctx.note(format!("threads after they left: {after}"));
    if after > before && !pool {
        return Err(Outcome::fail(format!(
                "{} threads were still running after their clients left: a client's thread must end with its client",
                after - before
            )));
    }
    Ok(())
}

pub(super) fn long_line(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut conn = Conn::open(ctx, &server, "client")?;
    let line: String = (0..64 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    conn.exchange(ctx, &line, REPLY_WAIT)?;
    conn.say_bye(ctx)
}

pub(super) fn bye_only_own(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut leaving = Conn::open(ctx, &server, "client 1")?;
    let mut staying = Conn::open_beside(ctx, &server, "client 2")?;
    leaving.exchange(ctx, "I am leaving soon", CONCURRENT_REPLY)?;
    staying.exchange(ctx, "I am staying", CONCURRENT_REPLY)?;
    leaving.say_bye(ctx)?;
    staying.exchange(ctx, "still here after client 1 left", REPLY_WAIT)?;
    staying.say_bye(ctx)
}
