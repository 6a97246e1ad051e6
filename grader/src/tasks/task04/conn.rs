//! The grader's connection to the server under test, named for the
//! transcript, and a reply gone wrong told as an outcome.

use super::LINE_CAP;
use crate::check::{CheckResult, Outcome};
use crate::harness::{connect, Ctx, Server, REPLY_WAIT};
use crate::peer::{ByeError, LineConn, LineError};
use crate::show;
use crate::time::human;
use std::time::Duration;

/// The grader's connection to the server, named for the transcript.
pub(super) struct Conn {
    pub(super) name: String,
    pub(super) conn: LineConn,
}

impl Conn {
    pub(super) fn open(ctx: &mut Ctx, server: &Server, name: &str) -> Result<Conn, Outcome> {
        let stream = connect(ctx, server)?;
        Ok(Conn {
            name: name.to_string(),
            conn: LineConn::new(stream, LINE_CAP),
        })
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
        match self.conn.reply_to(text.as_bytes(), deadline) {
            Ok(_) => {
                ctx.note(format!("{} got its reply", self.name));
                Ok(())
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
        match self.conn.say_bye_as(line.as_bytes(), within) {
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
                Err(Outcome::fail(format!(
                    "{}: the server {answered} but kept the connection open for {}",
                    self.name,
                    human(within)
                )))
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
            return Outcome::fail(format!("{who} got a wrong reply"))
                .expected(expected)
                .actual(show::bytes(&line))
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
