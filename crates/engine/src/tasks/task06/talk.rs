//! The grader's side of a chat with the server under test: a named
//! connection that sends and reads lines, and the server's operator, whose
//! typing the grader does on the server's stdin.

use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{connect, lines_or_nothing, Ctx, Server, REPLY_WAIT};
use crate::peer::{self, End, LineReader};
use crate::process::{Child, NoLine, Stream};
use crate::show;
use crate::time::{human, Deadline};
use std::cell::Cell;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The longest line the grader reads.
const LINE_CAP: usize = 64 * 1024;

/// One of the grader's connections to the server, named for the transcript.
pub(super) struct Talk {
    name: String,
    stream: TcpStream,
    reader: LineReader,
    pub(super) me: SocketAddr,
}

impl Talk {
    /// Connects as `name`, without waiting for the server to accept.
    pub(super) fn connect(ctx: &mut Ctx, server: &Server, name: &str) -> Result<Talk, Outcome> {
        let stream = connect(ctx, server)?;
        let me = stream
            .local_addr()
            .map_err(|e| Outcome::error(format!("could not read the grader's address: {e}")))?;
        let reader = stream
            .try_clone()
            .map(LineReader::new)
            .map_err(|e| Outcome::error(format!("could not clone the grader's socket: {e}")))?;
        Ok(Talk {
            name: name.to_string(),
            stream,
            reader,
            me,
        })
    }

    /// Connects as `name` and waits until the server says it has this
    /// connection: from then on, what its operator types goes here.
    pub(super) fn open(ctx: &mut Ctx, server: &Server, name: &str) -> Result<Talk, Outcome> {
        let talk = Talk::connect(ctx, server, name)?;
        talk.accepted(ctx, server)?;
        Ok(talk)
    }

    /// Waits for the server's `Connection from` line naming this client.
    pub(super) fn accepted(&self, ctx: &mut Ctx, server: &Server) -> CheckResult {
        ctx.expect_connection_line(server, self.me)
            .map_err(|outcome| Outcome {
                message: format!("{}: {}", self.name, outcome.message),
                ..outcome
            })
    }

    /// Sends `raw`, a line with its ending or several lines, in one write.
    pub(super) fn send_raw(&self, ctx: &mut Ctx, raw: &str) -> CheckResult {
        ctx.note(format!("{} sends {}", self.name, show::text(raw)));
        peer::write_all(&self.stream, raw.as_bytes(), ctx.deadline(REPLY_WAIT)).map_err(|e| {
            Outcome::fail(format!(
                "{} could not send {}: {e}",
                self.name,
                show::text(raw)
            ))
        })
    }

    /// Sends `text` and a `\n`.
    pub(super) fn send(&self, ctx: &mut Ctx, text: &str) -> CheckResult {
        self.send_raw(ctx, &format!("{text}\n"))
    }

    /// Reads the next line and expects its text to be `text`.
    pub(super) fn expect_line(&mut self, ctx: &mut Ctx, text: &str, why: &str) -> CheckResult {
        self.expect_line_or(ctx, text, why, None)
    }

    /// [`Talk::expect_line`]; when nothing came at all, the server failed
    /// for `silence`, if given.
    pub(super) fn expect_line_or(
        &mut self,
        ctx: &mut Ctx,
        text: &str,
        why: &str,
        silence: Option<CauseKind>,
    ) -> CheckResult {
        let deadline = ctx.deadline(REPLY_WAIT);
        let expected = show::text(&format!("{text}\n"));
        match self.reader.read_line(LINE_CAP, deadline) {
            Ok(line) => {
                let body = line.strip_suffix(b"\n").unwrap_or(&line);
                let body = body.strip_suffix(b"\r").unwrap_or(body);
                if body == text.as_bytes() {
                    ctx.note(format!("{} got {}", self.name, show::text(text)));
                    return Ok(());
                }
                Err(
                    Outcome::fail(format!("{}: {why}, another line came", self.name))
                        .expected(expected)
                        .actual(show::bytes(&line)),
                )
            }
            Err(partial) => {
                let what = match partial.end {
                    End::Timeout => format!("nothing came within {}", human(deadline.budget())),
                    ref end => end.describe(),
                };
                let outcome =
                    Outcome::fail(format!("{}: {why}: {what}", self.name)).expected(expected);
                Err(match (silence, &partial.end) {
                    _ if !partial.bytes.is_empty() => outcome.actual(show::bytes(&partial.bytes)),
                    (Some(kind), End::Timeout) => outcome.because(kind, "server", ""),
                    _ => outcome,
                })
            }
        }
    }

    /// Expects the server to close the connection with nothing more said.
    pub(super) fn expect_closed(&mut self, ctx: &mut Ctx, after: &str) -> CheckResult {
        self.closed(ctx, after, false)
    }

    /// [`Talk::expect_closed`] after the client's own `BYE` (`after`
    /// names it): a server that sends `BYE` back is told so.
    pub(super) fn expect_closed_after_bye(&mut self, ctx: &mut Ctx, after: &str) -> CheckResult {
        self.closed(ctx, after, true)
    }

    fn closed(&mut self, ctx: &mut Ctx, after: &str, client_bye: bool) -> CheckResult {
        let deadline = ctx.deadline(REPLY_WAIT);
        let rest = self.reader.read_to_end(LINE_CAP, deadline);
        let answered = rest.bytes.starts_with(b"BYE\n") || rest.bytes.starts_with(b"BYE\r\n");
        if client_bye && answered {
            return Err(Outcome::fail(format!(
                "{}: the server answered {after} with `BYE`: the client's BYE is printed, not answered, and the connection closed",
                self.name
            ))
            .expected("the connection closed, nothing sent")
            .actual(show::bytes(&rest.bytes))
            .because(CauseKind::AnswersClientBye, "server", ""));
        }
        match rest.end {
            End::Eof | End::Failed(_) if rest.bytes.is_empty() => {
                ctx.note(format!("the server closed {}'s connection", self.name));
                Ok(())
            }
            End::Timeout if rest.bytes.is_empty() => Err(Outcome::fail(format!(
                "{}: after {after}, the server kept the connection open for {}",
                self.name,
                human(deadline.budget())
            ))),
            _ => Err(Outcome::fail(format!(
                "{}: after {after}, the server sent more instead of closing the connection",
                self.name
            ))
            .expected("the connection closed")
            .actual(show::bytes(&rest.bytes))),
        }
    }

    /// Whether anything arrives within `window`: for lines that must
    /// not come. Only a wrong server ever waits out the whole window.
    pub(super) fn silent_for(&mut self, ctx: &mut Ctx, window: Duration) -> Result<(), Vec<u8>> {
        match self.reader.read_line(LINE_CAP, ctx.deadline(window)) {
            Err(partial) if partial.bytes.is_empty() => Ok(()),
            Err(partial) => Err(partial.bytes),
            Ok(line) => Err(line),
        }
    }

    /// The next line, its `\n` included, waiting until `deadline`; what
    /// came of a line by then is kept for the next call.
    pub(super) fn next_line(
        &mut self,
        deadline: crate::time::Deadline,
    ) -> Result<Vec<u8>, peer::Received> {
        self.reader.read_line(LINE_CAP, deadline)
    }

    /// Goes at once, with a reset (RST), as a client that crashed.
    pub(super) fn reset(self, ctx: &mut Ctx) {
        ctx.note(format!("{} resets its connection and is gone", self.name));
        let Talk { stream, reader, .. } = self;
        drop(reader);
        peer::reset(stream);
    }

    /// The next whole line, if one comes before `deadline`.
    pub(super) fn line_by(&mut self, deadline: Deadline) -> Option<Vec<u8>> {
        self.reader.read_line(LINE_CAP, deadline).ok()
    }

    /// Closes the connection without `BYE`.
    pub(super) fn hang_up(self, ctx: &mut Ctx) {
        ctx.note(format!("{} closes its connection without BYE", self.name));
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// How soon after the server's `Connection from` the grader types, at the
/// earliest, in every check but `server.conversation_start`.
const SETTLE: Duration = Duration::from_millis(25);

/// The grader, as the server's operator, types `text` and a newline; if
/// the current conversation began less than [`SETTLE`] ago, it waits
/// first, as a person at the keyboard would. A server that prints
/// `Connection from` before its keyboard thread can reach the client
/// loses a line typed at once only now and then: that race is
/// `server.conversation_start`'s to find, every time, so that no other
/// check fails by chance with it.
pub(super) fn type_line(ctx: &mut Ctx, server: &Server, text: &str) -> CheckResult {
    let began = server
        .child
        .stdout_tap()
        .stamped()
        .into_iter()
        .rev()
        .find(|(_, line)| line.contains("Connection from"))
        .map(|(at, _)| at);
    let pause = began.map_or(Duration::ZERO, |at| {
        ctx.timing.scaled(SETTLE).saturating_sub(at.elapsed())
    });
    if !pause.is_zero() {
        ctx.note(format!(
            "grader waits {} after `Connection from` before typing",
            human(pause)
        ));
        std::thread::sleep(pause);
    }
    type_now(ctx, server, text)
}

/// Types `text` and a newline on the server's stdin at once, however
/// recently the conversation began.
pub(super) fn type_now(ctx: &mut Ctx, server: &Server, text: &str) -> CheckResult {
    ctx.note(format!(
        "grader types on the server's stdin: {}",
        show::text(text)
    ));
    server
        .child
        .write_stdin(format!("{text}\n").as_bytes())
        .map_err(|e| {
            Outcome::fail(format!(
                "could not type on the server's stdin ({e}): the server has stopped reading it or has ended"
            ))
        })
}

/// Waits for the server to print `Client: <text>`.
pub(super) fn expect_printed(ctx: &mut Ctx, server: &Server, text: &str, why: &str) -> CheckResult {
    let wanted = format!("Client: {text}");
    expect_said(ctx, &server.child, "server", &wanted, why, None)
}

/// Waits for `program` (`child`) to print the line `wanted`; `why` says
/// what it shows when it does not. A program that printed nothing more in
/// time, still running, failed for `silence`, if given.
pub(super) fn expect_said(
    ctx: &mut Ctx,
    child: &Child,
    program: &str,
    wanted: &str,
    why: &str,
    silence: Option<CauseKind>,
) -> CheckResult {
    let deadline = ctx.deadline(REPLY_WAIT);
    let no = match child.wait_for_line(Stream::Stdout, deadline, |l| l == wanted) {
        Ok(_) => return Ok(()),
        Err(no) => no,
    };
    if let Some(outcome) = prompted(child, program, wanted) {
        return Err(outcome);
    }
    let when = match no {
        NoLine::Timeout => format!("within {}", human(deadline.budget())),
        NoLine::Closed => "before it ended".to_string(),
    };
    let outcome = Outcome::fail(format!(
        "the {program} did not print {} {when}: {why}",
        show::text(wanted)
    ))
    .expected(show::text(wanted))
    .actual(lines_or_nothing(&child.output(Stream::Stdout)));
    Err(match (silence, no) {
        (Some(kind), NoLine::Timeout) => outcome.because(kind, program, ""),
        _ => outcome,
    })
}

/// The failure of `program` (`child`), which printed `wanted` behind a
/// prompt rather than as a line of its own, if it did.
pub(super) fn prompted(child: &Child, program: &str, wanted: &str) -> Option<Outcome> {
    let printed = child.output(Stream::Stdout);
    let prompt = printed.iter().find_map(|l| prompt_before(l, wanted))?;
    Some(prompt_failure(program, &prompt, &printed).expected(show::text(wanted)))
}

/// Runs `check` on the chat client, and fails it for a prompt when the
/// client printed one in front of a `Server: ` line, whichever line the
/// timing of its threads put it on: a prompt fails each check where the
/// client prints what the server sent, every run alike.
pub(super) fn unprompted(
    ctx: &mut Ctx,
    check: impl FnOnce(&mut Ctx) -> CheckResult,
) -> CheckResult {
    let result = check(ctx);
    let printed = ctx.stdout_of("client");
    let prompt = printed.iter().find_map(|l| {
        let at = l.find("Server: ")?;
        prompt_before(l, &l[at..])
    });
    match prompt {
        Some(prompt) => Err(prompt_failure("client", &prompt, &printed)),
        None => result,
    }
}

/// `program` printed `prompt` in front of a line it must print whole.
fn prompt_failure(program: &str, prompt: &str, printed: &[String]) -> Outcome {
    // Which line the prompt lands on is down to timing: the message names
    // the prompt, not the line.
    Outcome::fail(format!(
        "the {program} prints a prompt, {}, that glues itself to the next line it prints: a line it must print is not found whole",
        show::text(prompt)
    ))
    .actual(lines_or_nothing(printed))
    .because(CauseKind::PrintsPrompt, program, show::text(prompt))
}

/// The prompt in front of `wanted` when `line` is `wanted` behind a short
/// prompt (`> `, `you> `).
fn prompt_before(line: &str, wanted: &str) -> Option<String> {
    prompt_unit(line.strip_suffix(wanted)?)
}

/// `prefix` as one prompt when it is short, however many were printed in a
/// row (`> > ` is `> `), so it reads the same whatever the timing.
fn prompt_unit(prefix: &str) -> Option<String> {
    if prefix.is_empty() || prefix.chars().count() > 20 {
        return None;
    }
    let unit = (1..=prefix.len())
        .filter(|&n| prefix.is_char_boundary(n) && prefix.len().is_multiple_of(n))
        .map(|n| &prefix[..n])
        .find(|unit| unit.repeat(prefix.len() / unit.len()) == prefix)?;
    Some(unit.to_string())
}

/// Waits for the server's `count`-th line saying `Conversation ended`.
pub(super) fn expect_ended(ctx: &mut Ctx, server: &Server, count: usize) -> CheckResult {
    let deadline = ctx.deadline(REPLY_WAIT);
    let seen = Cell::new(0);
    let found = server.child.wait_for_line(Stream::Stdout, deadline, |l| {
        if l.contains("Conversation ended") {
            seen.set(seen.get() + 1);
        }
        seen.get() >= count
    });
    found.map(drop).map_err(|_| {
        Outcome::fail(format!(
            "the server printed no line with `Conversation ended` within {} after conversation {count} ended",
            human(deadline.budget())
        ))
        .actual(lines_or_nothing(&server.child.output(Stream::Stdout)))
    })
}

#[cfg(test)]
mod tests {
    use super::prompt_before;

    #[test]
    fn a_prompt_is_told_once_however_often_it_came() {
        let wanted = "Server: hi";
        assert_eq!(prompt_before("> Server: hi", wanted).as_deref(), Some("> "));
        assert_eq!(
            prompt_before("> > Server: hi", wanted).as_deref(),
            Some("> ")
        );
        assert_eq!(prompt_before("Server: hi", wanted), None);
        assert_eq!(prompt_before("Server: hi!", wanted), None);
        let long = format!("{} {wanted}", "x".repeat(40));
        assert_eq!(prompt_before(&long, wanted), None);
    }
}
