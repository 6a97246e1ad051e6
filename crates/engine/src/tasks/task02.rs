//! Task 02: the server speaks first.

use super::{client_checks, server_checks, Lesson};
use crate::check::{CauseKind, CheckDef, CheckResult, Kind, Outcome};
use crate::harness::{
    connect, expect_line, expect_success, finish_pair, read_to_end_unless, send_then_close,
    session, Ctx, Input, Listen, Never, Server, LOOPBACK, REPLY_WAIT,
};
use crate::peer::{self, End};
use crate::show;
use crate::time::human;

pub struct Greeting;

const DEFAULT: &str = "Thank you for connecting";
/// A custom greeting: non-ASCII text, and spaces at both ends that must survive.
const CUSTOM: &str = " Grüße aus dem Labor — 你好, 🦀  ";
/// Longest greeting the grader reads back from a server.
const READ_CAP: usize = 64 * 1024;

impl Lesson for Greeting {
    const NUMBER: u8 = 2;
    const PACKAGE: &'static str = "task02_greeting";
    /// The client waits for the server's greeting.
    const WAITING_CLIENT: Option<Input<'static>> = Some(Input::Nothing);
    const TOPIC: &'static str = "Sending and receiving: TCP is a byte stream";
    const ECHO: Option<super::Echo> = None;

    fn checks() -> Vec<CheckDef> {
        let mut checks = server_checks::<Greeting>();
        checks.extend([
            CheckDef {
                name: "server.greeting_default",
                title: "sends `Thank you for connecting` and a newline, then closes",
                points: 3,
                kind: Kind::Wire,
                hints: &[
                    "Write the greeting followed by \\n with write_all, then drop the stream: the client reads until you close.",
                    "For each accepted client, build the greeting plus \"\\n\" as one buffer (format! it, then \
                        as_bytes()), send it with write_all and let the stream drop, so the client's read_to_end \
                        ends. Don't read from the client first (the grader sends nothing), and check that the clap \
                        default_value is exactly `Thank you for connecting`.",
                ],
                run: |ctx| {
                    let server = ctx.server(&[])?;
                    expect_greeting(ctx, &server, DEFAULT)
                },
            },
            CheckDef {
                name: "server.greeting_custom",
                title: "sends the `--message` text exactly, UTF-8 and spaces included",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Send the message's bytes as given: no trimming, no re-encoding.",
                    "Take the --message String from the arguments and write its as_bytes() followed by the \
                        newline: a Rust str is already UTF-8. Avoid trim() and writing character by character with \
                        `as u8`, which cuts every non-ASCII character down to one byte.",
                ],
                run: |ctx| {
                    let server = ctx.server(&["--message", CUSTOM])?;
                    expect_greeting(ctx, &server, CUSTOM)
                },
            },
            CheckDef {
                name: "client.greeting",
                title: "prints `Received from server: <greeting>`",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Print exactly `Received from server: ` followed by the greeting without its line ending.",
                    "Read everything into a Vec<u8> with read_to_end, turn it into text once with \
                        String::from_utf8_lossy, remove the line ending with strip_suffix, and println! the rest \
                        right after `Received from server: ` (one space after the colon). Then return normally so \
                        the exit status is 0.",
                ],
                run: |ctx| Greeting::play_server(ctx, LOOPBACK),
            },
            CheckDef {
                name: "client.fragments",
                title: "prints the whole greeting when it arrives in pieces",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "One read returns what has arrived so far. Keep reading until a read returns 0 (the server closed).",
                    "Replace the single read() with read_to_end, or with your own loop that calls read and \
                        extend_from_slice until read returns Ok(0). Print once, after the loop: a \
                        `Received from server:` line per read is just as wrong.",
                ],
                run: |ctx| greet_client(ctx, "Welcome to the socket lab, have fun!\n", 4, "Welcome to the socket lab, have fun!"),
            },
            CheckDef {
                name: "client.long_greeting",
                title: "prints a greeting longer than 1024 bytes in full",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "A fixed 1024-byte buffer read once loses the rest: read until the server closes.",
                    "Collect into a growable Vec<u8>, not a [u8; 1024] array: read_to_end grows it as needed, \
                        or read into a fixed chunk and extend_from_slice each piece onto the Vec. Convert to text \
                        only once the server has closed.",
                ],
                run: long_greeting,
            },
            CheckDef {
                name: "client.keeps_spaces",
                title: "removes only the line ending and keeps the spaces",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "Strip the trailing \\n and nothing else: trim() would eat the spaces the server sent.",
                    "trim() and trim_end() remove every kind of whitespace; use strip_suffix('\\n') (keeping \
                        the text as it is when it returns None) or trim_end_matches with only the line-ending \
                        characters, so the spaces at both ends survive.",
                ],
                run: |ctx| greet_client(ctx, "  spaced out  \n", 1, "  spaced out  "),
            },
            CheckDef {
                name: "client.crlf",
                title: "removes a `\\r\\n` line ending too",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "A server may end its line with \\r\\n: strip a \\r left before the \\n as well.",
                    "Strip the '\\n' first and then a '\\r' from what is left (two strip_suffix calls, in that \
                        order), or use trim_end_matches with just those two characters. Stripping '\\r' first \
                        finds nothing, because the text still ends in '\\n' at that point.",
                ],
                run: |ctx| greet_client(ctx, "Windows says hello\r\n", 1, "Windows says hello"),
            },
        ]);
        checks.extend(client_checks::<Greeting>());
        checks.push(CheckDef {
                name: "pair.greeting",
                title: "your client prints your server's custom greeting",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Start the server with --message, then run the client against its port.",
                    "The grader runs your server with a --message that begins and ends with spaces and holds \
                        non-ASCII text (ü, —, 你好, 🦀), then your client against the port the server announced. \
                        The client must print that text unchanged, so neither side may trim or re-encode it; try \
                        it yourself with a quoted message such as `  héllo  `.",
                ],
                run: pair,
            });
        checks
    }

    fn probe(ctx: &mut Ctx, server: &Server, _round: usize) -> CheckResult {
        expect_greeting(ctx, server, DEFAULT)
    }

    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult {
        let greeting = format!("{DEFAULT}\n");
        let session = session(ctx, at, &[], Input::Nothing)?;
        let done = send_then_close(ctx, session, greeting.as_bytes(), 1)?;
        expect_success(&done)?;
        expect_line(&done, &format!("Received from server: {DEFAULT}"))
    }
}

/// Connects and reads until the server closes: `text` and a line ending.
fn expect_greeting(ctx: &mut Ctx, server: &Server, text: &str) -> CheckResult {
    let stream = connect(ctx, server)?;
    let deadline = ctx.deadline(REPLY_WAIT);
    let got = read_to_end_unless(ctx, Never::EndsGreeting, deadline, |step| {
        peer::read_to_end(&stream, READ_CAP, step)
    });
    ctx.note(format!("grader received {}", show::bytes(&got.bytes)));
    let with_lf = format!("{text}\n");
    let with_crlf = format!("{text}\r\n");
    let right = got.bytes == with_lf.as_bytes() || got.bytes == with_crlf.as_bytes();
    match (&got.end, right) {
        (End::Eof, true) => Ok(()),
        (End::Timeout, true) => Err(Outcome::fail(format!(
            "the greeting arrived but the connection was still open {} later",
            human(deadline.budget())
        ))),
        (End::Eof | End::Timeout, false) if got.bytes == text.as_bytes() => {
            let outcome = Outcome::fail("the greeting has no line ending")
                .expected(show::text(&with_lf))
                .actual(show::bytes(&got.bytes))
                .because(CauseKind::GreetingUnended, "server", "");
            if matches!(got.end, End::Timeout) {
                ctx.subjects.known.saw_never(Never::EndsGreeting, &outcome);
            }
            Err(outcome)
        }
        (End::Timeout, false) if got.bytes.is_empty() => Err(Outcome::fail(format!(
            "nothing arrived within {}",
            human(deadline.budget())
        ))),
        _ if text != DEFAULT && is_default(&got.bytes) => Err(ignores_message()
            .expected(show::text(&with_lf))
            .actual(show::bytes(&got.bytes))),
        _ => Err(Outcome::fail(format!(
            "the greeting is not what was asked for ({} then)",
            got.end.describe()
        ))
        .expected(show::text(&with_lf))
        .actual(show::bytes(&got.bytes))),
    }
}

/// Whether `bytes` is the default greeting, with its line ending.
fn is_default(bytes: &[u8]) -> bool {
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    text == DEFAULT.as_bytes() && text.len() < bytes.len()
}

/// A server started with `--message` that sent its default greeting.
fn ignores_message() -> Outcome {
    Outcome::fail(format!(
        "started with --message {}, the server sent its default greeting, {}",
        show::text(CUSTOM),
        show::text(DEFAULT)
    ))
    .because(CauseKind::IgnoresMessage, "server", "")
}

/// Sends `greeting` in `pieces`, closes, and expects the client to print `shown`.
fn greet_client(ctx: &mut Ctx, greeting: &str, pieces: usize, shown: &str) -> CheckResult {
    let session = session(ctx, LOOPBACK, &[], Input::Nothing)?;
    let done = send_then_close(ctx, session, greeting.as_bytes(), pieces)?;
    expect_success(&done)?;
    expect_line(&done, &format!("Received from server: {shown}"))
}

fn long_greeting(ctx: &mut Ctx) -> CheckResult {
    let text: String = (1..=400).map(|n| format!("word{n} ")).collect();
    let text = text.trim_end();
    greet_client(ctx, &format!("{text}\n"), 3, text)
}

fn pair(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&["--message", CUSTOM])?;
    let client = ctx.client("127.0.0.1", server.addr.port(), &[], false)?;
    let done = finish_pair(ctx, &client)?;
    expect_success(&done)?;
    expect_line(&done, &format!("Received from server: {CUSTOM}")).map_err(|outcome| {
        let default = format!("Received from server: {DEFAULT}");
        match done.stdout.contains(&default) {
            true => Outcome {
                expected: outcome.expected,
                actual: outcome.actual,
                ..ignores_message()
            },
            false => outcome,
        }
    })
}
