//! Task 02: the server speaks first.

use super::{check, client_checks, server_checks, Lesson, Task};
use crate::check::{CheckResult, Outcome, Role};
use crate::harness::{
    connect, expect_line, expect_success, finish_pair, send_then_close, session, Ctx, Input,
    Listen, Server, LOOPBACK, REPLY_WAIT,
};
use crate::peer::{self, End};
use crate::show;
use crate::time::human;

struct Greeting;

const DEFAULT: &str = "Thank you for connecting";
/// A custom greeting: non-ASCII text, and spaces at both ends that must survive.
const CUSTOM: &str = " Grüße aus dem Labor — 你好, 🦀  ";
/// Longest greeting the grader reads back from a server.
const READ_CAP: usize = 64 * 1024;

pub fn task() -> Task {
    let mut checks = server_checks::<Greeting>();
    checks.extend([
        check::<Greeting>(
            "server.greeting_default",
            "sends `Thank you for connecting` and a newline, then closes",
            Role::Server,
            3,
            "Write the greeting followed by \\n with write_all, then drop the stream: the client reads until you close.",
            |ctx| {
                let server = ctx.server(&[])?;
                expect_greeting(ctx, &server, DEFAULT)
            },
        ),
        check::<Greeting>(
            "server.greeting_custom",
            "sends the `--message` text exactly, UTF-8 and spaces included",
            Role::Server,
            2,
            "Send the message's bytes as given: no trimming, no re-encoding.",
            |ctx| {
                let server = ctx.server(&["--message", CUSTOM])?;
                expect_greeting(ctx, &server, CUSTOM)
            },
        ),
        check::<Greeting>(
            "client.greeting",
            "prints `Received from server: <greeting>`",
            Role::Client,
            2,
            "Print exactly `Received from server: ` followed by the greeting without its line ending.",
            |ctx| Greeting::play_server(ctx, LOOPBACK),
        ),
        check::<Greeting>(
            "client.fragments",
            "prints the whole greeting when it arrives in pieces",
            Role::Client,
            2,
            "One read returns what has arrived so far. Keep reading until a read returns 0 (the server closed).",
            |ctx| greet_client(ctx, "Welcome to the socket lab, have fun!\n", 4, "Welcome to the socket lab, have fun!"),
        ),
        check::<Greeting>(
            "client.long_greeting",
            "prints a greeting longer than 1024 bytes in full",
            Role::Client,
            2,
            "A fixed 1024-byte buffer read once loses the rest: read until the server closes.",
            long_greeting,
        ),
        check::<Greeting>(
            "client.keeps_spaces",
            "removes only the line ending and keeps the spaces",
            Role::Client,
            1,
            "Strip the trailing \\n and nothing else: trim() would eat the spaces the server sent.",
            |ctx| greet_client(ctx, "  spaced out  \n", 1, "  spaced out  "),
        ),
        check::<Greeting>(
            "client.crlf",
            "removes a `\\r\\n` line ending too",
            Role::Client,
            1,
            "A server may end its line with \\r\\n: strip a \\r left before the \\n as well.",
            |ctx| greet_client(ctx, "Windows says hello\r\n", 1, "Windows says hello"),
        ),
    ]);
    checks.extend(client_checks::<Greeting>());
    checks.push(check::<Greeting>(
        "pair.greeting",
        "your client prints your server's custom greeting",
        Role::Pair,
        2,
        "Start the server with --message, then run the client against its port.",
        pair,
    ));
    Task {
        number: 2,
        package: "task02_greeting",
        checks,
    }
}

impl Lesson for Greeting {
    const NUMBER: u8 = 2;

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
    let got = peer::read_to_end(&stream, READ_CAP, deadline);
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
            Err(Outcome::fail("the greeting has no line ending")
                .expected(show::text(&with_lf))
                .actual(show::bytes(&got.bytes)))
        }
        (End::Timeout, false) if got.bytes.is_empty() => Err(Outcome::fail(format!(
            "nothing arrived within {}",
            human(deadline.budget())
        ))),
        _ => Err(Outcome::fail(format!(
            "the greeting is not what was asked for ({} then)",
            got.end.describe()
        ))
        .expected(show::text(&with_lf))
        .actual(show::bytes(&got.bytes))),
    }
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
    expect_line(&done, &format!("Received from server: {CUSTOM}"))
}
