//! Task 04's client checks: the grader plays the line server.

use super::LINE_CAP;
use crate::check::{CheckResult, Outcome};
use crate::harness::{
    expect_success, finish_pair, lines_or_nothing, session, Ctx, Input, Listen, LOOPBACK,
    REPLY_WAIT,
};
use crate::peer::{End, LineConn};
use crate::show;
use crate::time::human;
use std::thread;
use std::time::Duration;

/// Plays the server for the client: replies to each line (after `delay`),
/// answers `BYE` and closes; expects exactly `expected` lines from the
/// client and every reply printed.
pub(super) fn chat_with_client(
    ctx: &mut Ctx,
    at: Listen,
    input: Input,
    expected: &[&str],
    delay: Duration,
) -> CheckResult {
    let session = session(ctx, at, &[], input)?;
    let mut reader = LineConn::new(session.stream, LINE_CAP);
    let mut received = Vec::new();
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
                    End::Eof => "the client closed the connection without sending BYE".to_string(),
                    ref other => format!("before the client sent BYE, {}", other.describe()),
                };
                return Err(Outcome::fail(what)
                    .expected(lines_shown(expected))
                    .actual(lines_shown(&received)));
            }
        };
        let text = String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line)).into_owned();
        let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
        ctx.note(format!("client sent {}", show::text(&text)));
        if !delay.is_zero() {
            thread::sleep(delay);
        }
        reader
            .send(text.as_bytes(), ctx.deadline(REPLY_WAIT))
            .map_err(|e| Outcome::fail(format!("could not reply to the client: {e}")))?;
        let was_bye = text == "BYE";
        received.push(text);
        if was_bye || received.len() > expected.len() + 5 {
            break;
        }
    }
    drop(reader);
    let done = ctx.finish(&session.client)?;
    if received != expected {
        return Err(
            Outcome::fail("the client did not send the lines it was given, then BYE")
                .expected(lines_shown(expected))
                .actual(lines_shown(&received)),
        );
    }
    expect_success(&done)?;
    let wanted: Vec<String> = expected
        .iter()
        .map(|l| format!("Received from server: {l}"))
        .collect();
    let printed: Vec<&String> = done
        .stdout
        .iter()
        .filter(|l| l.starts_with("Received from server:"))
        .collect();
    if printed
        .iter()
        .map(|l| l.as_str())
        .ne(wanted.iter().map(String::as_str))
    {
        return Err(
            Outcome::fail("the client did not print every reply, in order")
                .expected(lines_shown(&wanted))
                .actual(lines_or_nothing(&done.stdout)),
        );
    }
    Ok(())
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

pub(super) fn bye_typed(ctx: &mut Ctx) -> CheckResult {
    chat_with_client(
        ctx,
        LOOPBACK,
        Input::Open(b"one\nBYE\nafter bye\n"),
        &["one", "BYE"],
        Duration::ZERO,
    )
}

pub(super) fn slow_replies(ctx: &mut Ctx) -> CheckResult {
    chat_with_client(
        ctx,
        LOOPBACK,
        Input::Closed(b"slow one\nslow two\n"),
        &["slow one", "slow two", "BYE"],
        Duration::from_millis(100),
    )
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
