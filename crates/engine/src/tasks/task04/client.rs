//! Task 04's client checks: the grader plays the line server.

use super::LINE_CAP;
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{
    expect_success, finish_pair, lines_or_nothing, session, Ctx, Finished, Input, Listen, LOOPBACK,
    REPLY_WAIT,
};
use crate::peer::{self, End, LineConn};
use crate::process::describe_status;
use crate::show;
use crate::time::human;
use std::thread;
use std::time::Duration;

/// The grader's part as the line server, for one client check: it
/// replies to each line the client sends, answers `BYE` and closes, then
/// judges what the client sent and printed.
pub(super) struct Chat<'a> {
    at: Listen,
    input: Input<'a>,
    /// The lines the client must send, `BYE` last.
    expected: &'a [&'a str],
    /// How long the grader waits before each reply.
    delay: Duration,
    /// Whether the first line is answered with [`long_reply_text`], sent
    /// in pieces, instead of its own text.
    long_first: bool,
    /// How long the grader keeps the connection open after answering
    /// `BYE`; a client must not exit before it closes.
    hold: Duration,
    /// How long the grader listens after answering `BYE` for a line the
    /// client should never send: one read from its input after `BYE`.
    listen: Duration,
}

/// How many pieces the long reply is sent in, and the pause between them.
const LONG_PIECES: usize = 8;
const LONG_PAUSE: Duration = Duration::from_millis(20);

/// The long reply: 64 KiB of text, without its `\n`.
fn long_reply_text() -> String {
    (0..64 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

impl<'a> Chat<'a> {
    /// The client fed `input` at `at` must send `expected`; every reply at
    /// once, the connection closed right after `BYE`.
    pub(super) fn new(at: Listen, input: Input<'a>, expected: &'a [&'a str]) -> Self {
        Chat {
            at,
            input,
            expected,
            delay: Duration::ZERO,
            long_first: false,
            hold: Duration::ZERO,
            listen: Duration::ZERO,
        }
    }

    pub(super) fn run(self, ctx: &mut Ctx) -> CheckResult {
        let input_ends = matches!(self.input, Input::Closed(_));
        let session = session(ctx, self.at, &[], self.input)?;
        let mut reader = LineConn::new(session.stream, LINE_CAP);
        let mut received = Vec::new();
        let mut replies = Vec::new();
        loop {
            let deadline = ctx.deadline(REPLY_WAIT);
            let line = match reader.line(deadline) {
                Ok(line) => line,
                Err(partial) => {
                    let what = match partial.end {
                        End::Timeout => format!(
                            "the client sent nothing more for {} and no BYE",
                            human(deadline.budget())
                        ),
                        End::Eof => {
                            "the client closed the connection without sending BYE".to_string()
                        }
                        ref other => format!("before the client sent BYE, {}", other.describe()),
                    };
                    // Bytes without their `\n` are the likeliest reason: say so.
                    let what = if partial.bytes.is_empty() {
                        what
                    } else {
                        format!(
                            "{what}; it sent {} with no line ending",
                            show::bytes(&partial.bytes)
                        )
                    };
                    // Every line given sent, stdin at its end, and the
                    // connection closed with no BYE: the end of input was
                    // not turned into one.
                    let unsaid = self.expected.split_last().is_some_and(|(last, given)| {
                        *last == "BYE"
                            && received
                                .iter()
                                .map(String::as_str)
                                .eq(given.iter().copied())
                    });
                    let closed = matches!(partial.end, End::Eof | End::Failed(_));
                    let outcome = Outcome::fail(what)
                        .expected(lines_shown(self.expected))
                        .actual(lines_shown(&received));
                    return Err(
                        match input_ends && unsaid && closed && partial.bytes.is_empty() {
                            true => outcome.because(CauseKind::NoByeAtEof, "client", ""),
                            false => outcome,
                        },
                    );
                }
            };
            let text =
                String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line)).into_owned();
            let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
            ctx.note(format!("client sent {}", show::text(&text)));
            if !self.delay.is_zero() {
                thread::sleep(self.delay);
            }
            let reply = self.reply(ctx, &reader, &text, received.is_empty())?;
            let was_bye = text == "BYE";
            received.push(text);
            replies.push(reply);
            if was_bye || received.len() > self.expected.len() + 5 {
                break;
            }
        }
        let said_bye = received.last().is_some_and(|l| l == "BYE");
        if !self.listen.is_zero() && said_bye {
            // A client that reads on after its BYE sends the next line at
            // once; a right one waits for the close, saying nothing.
            if let Ok(line) = reader.line(ctx.deadline(self.listen)) {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\r', '\n']);
                ctx.note(format!("client sent {} after its BYE", show::text(text)));
                return Err(Outcome::fail(format!(
                    "the client sent {} after its own BYE: once it has sent BYE it reads no more input",
                    show::text(text)
                ))
                .expected(lines_shown(self.expected))
                .actual(format!("{}, then {}", lines_shown(&received), show::text(text))));
            }
        }
        if !self.hold.is_zero() && said_bye {
            let hold = ctx.deadline(self.hold);
            ctx.note(format!(
                "grader keeps the connection open for {} after its BYE",
                human(hold.budget())
            ));
            if let Some(status) = session.client.wait(hold) {
                return Err(Outcome::fail(format!(
                    "the client ended ({}) right after the server's BYE, without waiting for the connection to close, which the grader was keeping open for {}",
                    describe_status(status),
                    human(hold.budget())
                )));
            }
            ctx.note("grader closes the connection");
        }
        drop(reader);
        let done = ctx.finish(&session.client)?;
        if received != self.expected {
            return Err(
                Outcome::fail("the client did not send the lines it was given, then BYE")
                    .expected(lines_shown(self.expected))
                    .actual(lines_shown(&received)),
            );
        }
        expect_success(&done)?;
        expect_printed(&done, &replies, self.long_first)
    }

    /// Answers the client's line `text` and returns the reply's text: its
    /// echo, or the long reply in pieces when this is the first line.
    fn reply(
        &self,
        ctx: &mut Ctx,
        conn: &LineConn,
        text: &str,
        first: bool,
    ) -> Result<String, Outcome> {
        let deadline = ctx.deadline(REPLY_WAIT);
        let (reply, sent) = if first && self.long_first {
            let long = long_reply_text();
            ctx.note(format!(
                "grader replies with {} bytes of text and a newline, in {LONG_PIECES} pieces",
                long.len()
            ));
            let framed = format!("{long}\n");
            let sent = peer::write_in_pieces(
                conn.stream(),
                framed.as_bytes(),
                LONG_PIECES,
                LONG_PAUSE,
                deadline,
            );
            (long, sent)
        } else {
            let sent = conn.send(text.as_bytes(), deadline);
            (text.to_string(), sent)
        };
        sent.map_err(|e| Outcome::fail(format!("could not reply to the client: {e}")))?;
        Ok(reply)
    }
}

/// The client printed `Received from server: <reply>` for every one of
/// `replies`, in order; `long_first` says the first was the long one.
fn expect_printed(done: &Finished, replies: &[String], long_first: bool) -> CheckResult {
    let wanted: Vec<String> = replies
        .iter()
        .map(|r| format!("Received from server: {r}"))
        .collect();
    let printed: Vec<&String> = done
        .stdout
        .iter()
        .filter(|l| l.starts_with("Received from server:"))
        .collect();
    if printed
        .iter()
        .map(|l| l.as_str())
        .eq(wanted.iter().map(String::as_str))
    {
        return Ok(());
    }
    let long_cut =
        long_first && printed.first().map(|l| l.as_str()) != wanted.first().map(String::as_str);
    if long_cut {
        let first = printed.first().map_or(0, |l| {
            l.len().saturating_sub("Received from server: ".len())
        });
        let mut message = format!(
            "the {}-byte reply to the first line, sent in {LONG_PIECES} pieces, was not printed whole on one line: the first `Received from server:` line holds {first} bytes",
            replies[0].len()
        );
        if printed.len() != wanted.len() {
            message += &format!(
                ", and the client printed {} such lines where {} were due",
                printed.len(),
                wanted.len()
            );
        }
        return Err(Outcome::fail(message)
            .expected(lines_shown(&wanted))
            .actual(lines_or_nothing(&done.stdout)));
    }
    Err(
        Outcome::fail("the client did not print every reply, in order")
            .expected(lines_shown(&wanted))
            .actual(lines_or_nothing(&done.stdout)),
    )
}

fn lines_shown<S: AsRef<str>>(lines: &[S]) -> String {
    if lines.is_empty() {
        return "no lines".to_string();
    }
    lines
        .iter()
        .map(|l| show::text(l.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How long the grader listens, after answering a typed `BYE`, for the
/// line typed after it.
const LISTEN_AFTER_BYE: Duration = Duration::from_millis(150);

pub(super) fn bye_typed(ctx: &mut Ctx) -> CheckResult {
    let input = Input::Open(b"one\nBYE\nafter bye\n");
    Chat {
        listen: LISTEN_AFTER_BYE,
        ..Chat::new(LOOPBACK, input, &["one", "BYE"])
    }
    .run(ctx)
    .map_err(|outcome| Outcome {
        message: format!(
            "with `one`, `BYE` and `after bye` typed: {}",
            outcome.message
        ),
        ..outcome
    })
}

pub(super) fn slow_replies(ctx: &mut Ctx) -> CheckResult {
    let input = Input::Closed(b"slow one\nslow two\n");
    Chat {
        delay: Duration::from_millis(100),
        ..Chat::new(LOOPBACK, input, &["slow one", "slow two", "BYE"])
    }
    .run(ctx)
}

pub(super) fn long_reply(ctx: &mut Ctx) -> CheckResult {
    let input = Input::Closed(b"a long reply, please\nand a short one\n");
    let expected = ["a long reply, please", "and a short one", "BYE"];
    Chat {
        long_first: true,
        ..Chat::new(LOOPBACK, input, &expected)
    }
    .run(ctx)
}

/// How long the grader keeps the connection open after its `BYE`.
const HOLD_AFTER_BYE: Duration = Duration::from_millis(300);

pub(super) fn waits_for_close(ctx: &mut Ctx) -> CheckResult {
    let input = Input::Closed(b"one line\n");
    Chat {
        hold: HOLD_AFTER_BYE,
        ..Chat::new(LOOPBACK, input, &["one line", "BYE"])
    }
    .run(ctx)
}

pub(super) fn pair(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut client = ctx.client("127.0.0.1", server.addr.port(), &[], true)?;
    client
        .write_stdin(b"hello, my own server\n")
        .map_err(|e| Outcome::fail(format!("could not write to the client's stdin: {e}")))?;
    client.close_stdin();
    let done = finish_pair(ctx, &client)?;
    expect_success(&done)?;
    let wanted = [
        "Received from server: hello, my own server",
        "Received from server: BYE",
    ];
    let printed: Vec<&str> = done
        .stdout
        .iter()
        .filter(|l| l.starts_with("Received from server:"))
        .map(String::as_str)
        .collect();
    if printed != wanted {
        return Err(
            Outcome::fail("the client did not print both replies of your server")
                .expected(lines_shown(&wanted))
                .actual(lines_or_nothing(&done.stdout)),
        );
    }
    Ok(())
}
