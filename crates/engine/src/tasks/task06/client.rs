//! Task 06's client checks, where the grader plays the chat server and
//! types on the client's stdin.

use super::talk::expect_said;
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{
    expect_error_exit, expect_success, lines_or_nothing, session, until_idle, Ctx, Finished, Input,
    Listen, Session, EXIT_WAIT, LOOPBACK, REPLY_WAIT,
};
use crate::peer::{self, End, LineReader};
use crate::process::{describe_status, Child, Stream};
use crate::show;
use crate::time::human;
use std::time::Duration;

/// The longest line the grader reads.
const LINE_CAP: usize = 64 * 1024;
/// How long the grader keeps the connection open after the client's `BYE`:
/// the client must still be there, reading.
const HOLD: Duration = Duration::from_millis(300);
/// The longest the grader waits for a client to settle before it speaks.
const SETTLE: Duration = Duration::from_millis(500);

/// The grader as the chat server, with the client under test connected.
pub(super) struct Host {
    pub(super) session: Session,
    reader: LineReader,
}

impl Host {
    pub(super) fn start(ctx: &mut Ctx, at: Listen, input: Input) -> Result<Host, Outcome> {
        let session = session(ctx, at, &[], input)?;
        let reader = session
            .stream
            .try_clone()
            .map(LineReader::new)
            .map_err(|e| Outcome::error(format!("could not clone the grader's socket: {e}")))?;
        Ok(Host { session, reader })
    }

    pub(super) fn client(&self) -> &Child {
        &self.session.client
    }

    /// Sends `text` and a newline, once the client waits on its keyboard
    /// and its socket: what it prints next is then what the line makes it
    /// print, every run alike, however late its threads run.
    pub(super) fn say(&self, ctx: &mut Ctx, text: &str) -> CheckResult {
        until_idle(self.client(), ctx.timing.scaled(SETTLE));
        ctx.note(format!("grader sends {}", show::text(text)));
        peer::write_all(
            &self.session.stream,
            format!("{text}\n").as_bytes(),
            ctx.deadline(REPLY_WAIT),
        )
        .map_err(|e| {
            Outcome::fail(format!(
                "could not send {} to the client: {e}",
                show::text(text)
            ))
        })
    }

    /// Types `text` and a newline on the client's stdin.
    pub(super) fn type_line(&mut self, ctx: &mut Ctx, text: &str) -> CheckResult {
        ctx.note(format!(
            "grader types on the client's stdin: {}",
            show::text(text)
        ));
        self.session
            .client
            .write_stdin(format!("{text}\n").as_bytes())
            .map_err(|e| Outcome::fail(format!("could not type on the client's stdin: {e}")))
    }

    /// Reads the client's next line and expects its text to be `text`.
    pub(super) fn expect_sent(&mut self, ctx: &mut Ctx, text: &str, why: &str) -> CheckResult {
        self.expect_sent_or(ctx, text, why, None)
    }

    /// [`Host::expect_sent`]; when the client sent nothing at all, it
    /// failed for `silence`, if given.
    fn expect_sent_or(
        &mut self,
        ctx: &mut Ctx,
        text: &str,
        why: &str,
        silence: Option<CauseKind>,
    ) -> CheckResult {
        let deadline = ctx.deadline(REPLY_WAIT);
        let expected = show::text(&format!("{text}\n"));
        let line =
            self.reader
                .read_line(LINE_CAP, deadline)
                .map_err(|partial| {
                    let what = match partial.end {
                        End::Timeout => {
                            format!("the client sent nothing for {}", human(deadline.budget()))
                        }
                        ref end => end.describe(),
                    };
                    let outcome =
                        Outcome::fail(format!("{why}, but {what}")).expected(expected.clone());
                    match (silence, &partial.end) {
                        _ if !partial.bytes.is_empty() => outcome
                            .actual(format!("{} (no line ending)", show::bytes(&partial.bytes))),
                        (Some(kind), End::Timeout) => outcome.because(kind, "client", ""),
                        _ => outcome,
                    }
                })?;
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if body != text.as_bytes() {
            return Err(Outcome::fail(format!("{why}, but another line came"))
                .expected(expected)
                .actual(show::bytes(&line)));
        }
        ctx.note(format!("client sent {}", show::text(text)));
        Ok(())
    }

    /// Keeps the connection open for [`HOLD`]: the client must go on
    /// running and send nothing more.
    fn hold(&mut self, ctx: &mut Ctx, after: &str) -> CheckResult {
        let deadline = ctx.deadline(HOLD);
        ctx.note(format!(
            "grader keeps the connection open for {}",
            human(deadline.budget())
        ));
        match self.reader.read_line(LINE_CAP, deadline) {
            Ok(line) => {
                return Err(Outcome::fail(format!(
                    "after {after} the client went on sending what was typed"
                ))
                .actual(show::bytes(&line)))
            }
            Err(partial) if !partial.bytes.is_empty() => {
                return Err(Outcome::fail(format!("after {after} the client sent more"))
                    .actual(show::bytes(&partial.bytes)))
            }
            Err(_) => {}
        }
        if let Some(status) = self.client().status() {
            return Err(Outcome::fail(format!(
                "the client ended ({}) right after {after}, without waiting for the server to close the connection",
                describe_status(status)
            )));
        }
        Ok(())
    }

    /// Closes the connection and waits for the client to end.
    pub(super) fn close(self, ctx: &mut Ctx) -> Result<Finished, Outcome> {
        ctx.note("grader closes the connection");
        let _ = self.session.stream.shutdown(std::net::Shutdown::Both);
        drop(self.reader);
        ctx.finish(&self.session.client)
    }

    /// Closes the connection after the client's own `BYE`, which the
    /// grader has received: that close is the normal end, exit status 0.
    pub(super) fn close_after_bye(self, ctx: &mut Ctx) -> CheckResult {
        let running = self.client().status().is_none();
        let done = self.close(ctx)?;
        expect_success(&done).map_err(|outcome| match running {
            true => close_called_error(outcome, &done),
            false => outcome,
        })
    }
}

/// `outcome` of a client that failed once the server closed after the
/// client's own `BYE`: when it said `error:`, it took that close for a
/// server leaving without `BYE`.
pub(super) fn close_called_error(outcome: Outcome, done: &Finished) -> Outcome {
    let error = done
        .stderr
        .iter()
        .find(|l| l.trim_start().starts_with("error:"));
    match error {
        Some(line) if !done.status.success() => Outcome::fail(format!(
            "the client sent BYE, and when the server then closed the connection it ended with {} and {}: after the client's own BYE that close is the normal end, exit status 0",
            describe_status(done.status),
            show::line(line)
        ))
        .because(CauseKind::CloseAfterByeIsError, "client", ""),
        _ => outcome,
    }
}

/// Waits for the client to print `Server: <text>`.
pub(super) fn expect_shown(ctx: &mut Ctx, client: &Child, text: &str, why: &str) -> CheckResult {
    expect_said(ctx, client, "client", &format!("Server: {text}"), why, None)
}

/// The client, told `BYE` by the server, ends with status 0 by itself.
fn ends_on_server_bye(ctx: &mut Ctx, host: Host) -> CheckResult {
    host.say(ctx, "BYE")?;
    let deadline = ctx.deadline(EXIT_WAIT);
    let Some(status) = host.client().wait(deadline) else {
        return Err(Outcome::fail(format!(
            "the client was still running {} after the server's BYE, its stdin open and nothing typed: the BYE must end it without waiting for a keystroke",
            human(deadline.budget())
        ))
        .actual(lines_or_nothing(&host.client().output(Stream::Stdout)))
        .because(CauseKind::KeyboardHoldsExit, "client", ""));
    };
    ctx.note(format!("client ended: {}", describe_status(status)));
    let done = Finished {
        stdout: host.client().output(Stream::Stdout),
        stderr: host.client().output(Stream::Stderr),
        status,
    };
    expect_success(&done)?;
    expect_shown(
        ctx,
        host.client(),
        "BYE",
        "the server's BYE is printed like any line",
    )
}

pub(super) fn connected(ctx: &mut Ctx) -> CheckResult {
    let host = Host::start(ctx, LOOPBACK, Input::Open(b""))?;
    let wanted = format!("Connected to {}", host.session.server_addr);
    let deadline = ctx.deadline(REPLY_WAIT);
    let found = host.client().wait_for_line(Stream::Stdout, deadline, |l| {
        l.match_indices(&wanted).any(|(at, _)| {
            !l[at + wanted.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
    });
    found.map(drop).map_err(|_| {
        Outcome::fail(format!(
            "no line `{wanted}` on stdout within {}",
            human(deadline.budget())
        ))
        .expected(show::text(&wanted))
        .actual(lines_or_nothing(&host.client().output(Stream::Stdout)))
    })
}

pub(super) fn sends_typed(ctx: &mut Ctx) -> CheckResult {
    let mut host = Host::start(ctx, LOOPBACK, Input::Open(b"first typed\nsecond typed\n"))?;
    host.expect_sent(ctx, "first typed", "each typed line is sent")?;
    host.expect_sent_or(
        ctx,
        "second typed",
        "a second typed line must be sent while the server says nothing; a client that waits for a reply after each line hangs here",
        Some(CauseKind::TakesTurns),
    )?;
    host.type_line(ctx, "BYE")?;
    host.expect_sent(ctx, "BYE", "the typed BYE is sent")?;
    host.close_after_bye(ctx)
}

pub(super) fn prints_at_once(ctx: &mut Ctx) -> CheckResult {
    let host = Host::start(ctx, LOOPBACK, Input::Open(b""))?;
    ctx.note("nobody types on the client's stdin");
    for text in ["news from the server", "and more news"] {
        host.say(ctx, text)?;
        expect_said(
            ctx,
            host.client(),
            "client",
            &format!("Server: {text}"),
            "a line from the server must be printed while nobody types; a client blocked reading its keyboard never prints it",
            Some(CauseKind::TakesTurns),
        )?;
    }
    Ok(())
}

pub(super) fn server_bye(ctx: &mut Ctx) -> CheckResult {
    let host = Host::start(ctx, LOOPBACK, Input::Open(b""))?;
    ctx.note("nobody types on the client's stdin, which stays open");
    host.say(ctx, "time to go")?;
    ends_on_server_bye(ctx, host)
}

pub(super) fn typed_bye(ctx: &mut Ctx) -> CheckResult {
    let input = Input::Open(b"see you\nBYE\nnot to be sent\n");
    let mut host = Host::start(ctx, LOOPBACK, input)?;
    host.expect_sent(ctx, "see you", "each typed line is sent")?;
    // Typed right after a line the server has not answered.
    let turns = Some(CauseKind::TakesTurns);
    host.expect_sent_or(ctx, "BYE", "the typed BYE is sent", turns)?;
    host.say(ctx, "a last word")?;
    expect_shown(
        ctx,
        host.client(),
        "a last word",
        "after its BYE the client still prints the server's lines",
    )?;
    host.hold(ctx, "its typed BYE")?;
    host.close_after_bye(ctx)
}

pub(super) fn stdin_end(ctx: &mut Ctx) -> CheckResult {
    let mut host = Host::start(ctx, LOOPBACK, Input::Closed(b"the only line\n"))?;
    host.expect_sent(ctx, "the only line", "each typed line is sent")?;
    let why = "at the end of its input the client sends BYE";
    host.expect_sent_or(ctx, "BYE", why, Some(CauseKind::TakesTurns))?;
    host.say(ctx, "fine, goodbye")?;
    expect_shown(
        ctx,
        host.client(),
        "fine, goodbye",
        "after its BYE the client still prints the server's lines",
    )?;
    host.hold(ctx, "the BYE it sent at the end of its input")?;
    host.close_after_bye(ctx)
}

pub(super) fn no_bye(ctx: &mut Ctx) -> CheckResult {
    let host = Host::start(ctx, LOOPBACK, Input::Open(b""))?;
    host.say(ctx, "I am leaving")?;
    let port = host.session.server_addr.port().to_string();
    let example = format!(
        "error: the server {} closed the connection without BYE",
        host.session.server_addr
    );
    let done = host.close(ctx).map_err(|outcome| {
        Outcome {
            message: format!(
                "the server closed the connection without BYE, and the client went on waiting for its keyboard: {}",
                outcome.message
            ),
            ..outcome
        }
        .because(CauseKind::KeyboardHoldsExit, "client", "")
    })?;
    expect_error_exit(&done, "client", &example, &port)
}

/// The grader's part against the client at `at`: one line each way, then
/// the client's `BYE` at the end of its input, and the grader's close.
pub(super) fn play(ctx: &mut Ctx, at: Listen) -> CheckResult {
    let mut host = Host::start(ctx, at, Input::Open(b"hello from the client\n"))?;
    host.expect_sent(ctx, "hello from the client", "each typed line is sent")?;
    host.say(ctx, "hello from the server")?;
    expect_shown(
        ctx,
        host.client(),
        "hello from the server",
        "each server line is printed",
    )?;
    ctx.note("grader closes the client's stdin");
    host.session.client.close_stdin();
    host.expect_sent(ctx, "BYE", "at the end of its input the client sends BYE")?;
    host.close_after_bye(ctx)
}
