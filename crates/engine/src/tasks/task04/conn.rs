//! The grader's connection to the server under test, named for the
//! transcript, and a reply gone wrong told as an outcome.

use super::LINE_CAP;
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{connect, read_to_end_unless, Ctx, Never, Server, REPLY_WAIT, STEP};
use crate::peer::{closed_after_bye, ByeError, End, LineConn, LineError, Received};
use crate::show;
use crate::time::{human, Deadline};
use std::time::Duration;

/// The grader's connection to the server, named for the transcript.
pub(super) struct Conn {
    pub(super) name: String,
    pub(super) conn: LineConn,
    /// Opened while another of the check's connections is open: a server
    /// that serves one client at a time never answers it.
    beside: bool,
}

impl Conn {
    pub(super) fn open(ctx: &mut Ctx, server: &Server, name: &str) -> Result<Conn, Outcome> {
        let stream = connect(ctx, server)?;
        Ok(Conn {
            name: name.to_string(),
            conn: LineConn::new(stream, LINE_CAP),
            beside: false,
        })
    }

    /// [`Conn::open`], while another connection of the check is open.
    pub(super) fn open_beside(ctx: &mut Ctx, server: &Server, name: &str) -> Result<Conn, Outcome> {
        Ok(Conn {
            beside: true,
            ..Conn::open(ctx, server, name)?
        })
    }

    /// What an earlier check found that dooms waiting for a reply here.
    fn doomed(&self, ctx: &Ctx) -> Option<Outcome> {
        match self.beside {
            true => ctx.subjects.known.never(Never::ServesTwo),
            false => None,
        }
    }

    /// The next line from the server, within `deadline`, given up early
    /// when [`Conn::doomed`].
    pub(super) fn line(&mut self, ctx: &Ctx, deadline: Deadline) -> Result<Vec<u8>, Received> {
        loop {
            match self.conn.line(deadline.step(STEP)) {
                Err(got) if matches!(got.end, End::Timeout) => {
                    if deadline.expired() || self.doomed(ctx).is_some() {
                        return Err(got);
                    }
                }
                result => return result,
            }
        }
    }

    pub(super) fn send(&self, ctx: &mut Ctx, line: &str) -> CheckResult {
        ctx.note(format!("{} sends {}", self.name, show::text(line)));
        self.conn
            .send(line.as_bytes(), ctx.deadline(REPLY_WAIT))
            .map_err(|e| judge_reply(&self.name, line, LineError::Unsent(e), REPLY_WAIT))
    }

    /// Reads one reply and expects its text to be `text`.
    pub(super) fn expect_reply(
        &mut self,
        ctx: &mut Ctx,
        text: &str,
        within: Duration,
    ) -> CheckResult {
        let deadline = ctx.deadline(within);
        let reply = loop {
            match self.conn.reply_to(text.as_bytes(), deadline.step(STEP)) {
                Err(LineError::Timeout(_)) if !deadline.expired() => {
                    if let Some(outcome) = self.doomed(ctx) {
                        ctx.note(format!("{} given up: {}", self.name, outcome.message));
                        return Err(outcome);
                    }
                }
                reply => break reply,
            }
        };
        match reply {
            Ok(_) => {
                ctx.note(format!("{} got its reply", self.name));
                Ok(())
            }
            Err(error @ LineError::Timeout(_)) if self.beside => {
                // Not answered while another client is connected.
                let outcome = judge_reply(&self.name, text, error, deadline.budget());
                Err(outcome.because(CauseKind::OneAtATime, "server", ""))
            }
            Err(error) => Err(judge_reply(&self.name, text, error, deadline.budget())),
        }
    }

    pub(super) fn exchange(&mut self, ctx: &mut Ctx, line: &str, within: Duration) -> CheckResult {
        self.send(ctx, line)?;
        self.expect_reply(ctx, line, within)
    }

    /// Sends `BYE`, expects `BYE` back and the connection closed.
    pub(super) fn say_bye(&mut self, ctx: &mut Ctx) -> CheckResult {
        self.say_bye_ended(ctx, "\n")
    }

    /// Sends `BYE` ended by `ending` (`\n` or `\r\n`), expects `BYE` back
    /// and the connection closed.
    pub(super) fn say_bye_ended(&mut self, ctx: &mut Ctx, ending: &str) -> CheckResult {
        let line = format!("BYE{ending}");
        // Shown as every line sent is, without its `\n`, unless the ending
        // is the point.
        let shown = match ending {
            "\n" => show::text("BYE"),
            _ => show::text(&line),
        };
        ctx.note(format!("{} sends {shown}", self.name));
        let within = ctx.timing.scaled(REPLY_WAIT);
        let plain = ending == "\n";
        let result = self.conn.send_bye(line.as_bytes(), within).and_then(|()| {
            // A wait an earlier check saw end in vain ends early, unless the
            // ending is the point (a server may close after `BYE\n` and not
            // after `BYE\r\n`).
            let deadline = ctx.deadline(REPLY_WAIT);
            let rest = match plain {
                true => read_to_end_unless(ctx, Never::ClosesAfterBye, deadline, |step| {
                    self.conn.read_to_end(step)
                }),
                false => self.conn.read_to_end(deadline),
            };
            closed_after_bye(rest)
        });
        match result {
            Ok(()) => {
                ctx.note(format!("{} got its reply", self.name));
                Ok(())
            }
            Err(ByeError::Reply(error)) => Err(judge_reply(&self.name, "BYE", error, within)),
            Err(ByeError::StillOpen) => {
                let answered = match ending {
                    "\n" => "answered BYE".to_string(),
                    _ => format!("replied to {shown}"),
                };
                ctx.note("the connection is still open after the reply");
                let outcome = Outcome::fail(format!(
                    "{}: the server {answered} but kept the connection open",
                    self.name
                ));
                if !plain {
                    // Its own check's hint: a `\r` left on the line.
                    return Err(outcome);
                }
                let outcome = outcome.because(CauseKind::KeepsOpenAfterBye, "server", "");
                ctx.subjects
                    .known
                    .saw_never(Never::ClosesAfterBye, &outcome);
                Err(outcome)
            }
            Err(ByeError::More(bytes)) => Err(Outcome::fail(format!(
                "{}: the server sent more after BYE",
                self.name
            ))
            .actual(show::bytes(&bytes))),
        }
    }
}

/// What went wrong with `who`'s reply to `text`, waited for `budget`.
pub(super) fn judge_reply(who: &str, text: &str, error: LineError, budget: Duration) -> Outcome {
    let expected = show::text(&format!("{text}\n"));
    let (what, got) = match error {
        LineError::Unsent(e) => {
            return Outcome::fail(format!("{who} could not send {}: {e}", show::text(text)))
        }
        LineError::Wrong(line) => {
            let reply = String::from_utf8_lossy(&line);
            let reply = reply.strip_suffix('\n').unwrap_or(&reply);
            let why = show::mangled(text, reply).map_or(String::new(), |why| format!(": {why}"));
            return Outcome::fail(format!(
                "{who} sent {} and got a wrong reply, {}{why}",
                show::text(&format!("{text}\n")),
                show::bytes(&line)
            ))
            .expected(expected)
            .actual(show::bytes(&line));
        }
        LineError::Timeout(bytes) => (format!("no reply within {}", human(budget)), bytes),
        LineError::Closed(partial) => (
            format!("no complete reply line: {}", partial.end.describe()),
            partial.bytes,
        ),
    };
    let outcome = Outcome::fail(format!("{who}: {what}")).expected(expected);
    if got.is_empty() {
        outcome
    } else {
        outcome.actual(show::bytes(&got))
    }
}
