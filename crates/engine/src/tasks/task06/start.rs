//! When a conversation starts: the server's `Connection from` line says it
//! has begun, so a line typed the moment that line appears goes to that
//! client. A server that prints it before its keyboard thread can reach
//! the client drops such a line now and then (a race), so the grader holds
//! many short conversations, each typed into at once.

use super::talk::{type_now, Talk};
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{Ctx, Server, REPLY_WAIT};
use crate::show;
use crate::time::human;
use std::time::Duration;

/// How many servers are started, one after another, and how many
/// conversations each holds. The gallery's late server loses the race in
/// 1 % to 40 % of its conversations: how often depends on the machine's
/// load and on where the server's threads happen to run, which a new
/// process draws again, so several short-lived servers catch it more
/// surely than one. It was caught in 40 gradings of 40; a right server
/// holds all 144 conversations in about 40 ms.
const SERVERS: usize = 6;
const STARTS: usize = 24;
/// How long a second typed line is waited for, once the first is lost:
/// by then the server has long had the client.
const SECOND_WAIT: Duration = Duration::from_millis(500);

pub(super) fn conversation_start(ctx: &mut Ctx) -> CheckResult {
    for round in 1..=SERVERS {
        let server = ctx.server(&[])?;
        for n in 1..=STARTS {
            let name = format!("client {n} of server {round}");
            starts(ctx, &server, &name, &format!("typed at once {n}"))?;
        }
    }
    ctx.note(format!(
        "each of {} conversations got the line typed at once",
        SERVERS * STARTS
    ));
    Ok(())
}

/// One conversation: `first` typed the moment the server says it has the
/// client called `name`, and expected there at once.
fn starts(ctx: &mut Ctx, server: &Server, name: &str, first: &str) -> CheckResult {
    let mut talk = Talk::open(ctx, server, name)?;
    type_now(ctx, server, first)?;
    let deadline = ctx.deadline(REPLY_WAIT);
    match talk.line_by(deadline) {
        Some(line) if body(&line) == first.as_bytes() => {
            talk.hang_up(ctx);
            Ok(())
        }
        Some(line) => Err(Outcome::fail(
            "a line typed right after `Connection from` goes to that client, but another line came",
        )
        .expected(show::text(&format!("{first}\n")))
        .actual(show::bytes(&line))),
        None => Err(lost(ctx, server, &mut talk, name, first, deadline.budget())),
    }
}

/// The line `first`, typed right after `Connection from`, did not come
/// within `waited`: a second typed line tells a server that registered the
/// client late (it comes) from one that sends nothing typed while the
/// client is silent (it does not).
fn lost(
    ctx: &mut Ctx,
    server: &Server,
    talk: &mut Talk,
    name: &str,
    first: &str,
    waited: Duration,
) -> Outcome {
    // Which conversation loses the race changes run to run: the
    // transcript names it, the verdict does not.
    ctx.note(format!(
        "{name}: the line typed at once did not come within {}",
        human(waited)
    ));
    let second = "typed a moment later";
    if let Err(outcome) = type_now(ctx, server, second) {
        return outcome;
    }
    let got = talk.line_by(ctx.deadline(SECOND_WAIT));
    let expected = show::text(&format!("{first}\n"));
    match got {
        Some(line) if body(&line) == second.as_bytes() => Outcome::fail(format!(
            "the line typed the moment the server printed `Connection from` never reached the client, while a line typed {} later did: the server printed `Connection from` before its keyboard thread could send to this client",
            human(waited)
        ))
        .expected(expected)
        .actual(format!("only {}", show::bytes(&line)))
        .because(CauseKind::RegistersLate, "server", ""),
        Some(line) => Outcome::fail(format!(
            "in one conversation the line typed right after `Connection from` came only {} later, after the grader typed another",
            human(waited)
        ))
        .expected(expected)
        .actual(show::bytes(&line)),
        None => Outcome::fail(format!(
            "no typed line reached the client while it said nothing, neither the one typed right after `Connection from` nor one typed {} later",
            human(waited)
        ))
        .expected(expected)
        .actual("nothing")
        .because(CauseKind::TakesTurns, "server", ""),
    }
}

/// A line without its `\n` or `\r\n`.
fn body(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
