//! Task 03: an echo server, and a client that checks its echo.

use super::{check, client_checks, server_checks, Lesson, Task};
use crate::check::{CheckResult, Outcome, Role};
use crate::harness::{
    connect, expect_line, expect_success, finish_pair, lines_or_nothing, send_then_close, session,
    Ctx, Finished, Input, Listen, Server, LOOPBACK, REPLY_WAIT,
};
use crate::peer::{self, End, Received};
use crate::process::describe_status;
use crate::show;
use crate::time::human;
use rand::{RngCore, SeedableRng};
use std::net::Shutdown;
use std::thread;
use std::time::Duration;

struct Echo;

const MIB: usize = 1024 * 1024;

pub fn task() -> Task {
    let mut checks = server_checks::<Echo>();
    checks.extend([
        check::<Echo>(
            "server.echo_text",
            "echoes a line of text, then closes the connection",
            Role::Server,
            2,
            "Read in a loop and write back what each read returned; when a read returns 0 the client is done: close.",
            |ctx| echo_case(ctx, b"Hello, Server!\n", 1),
        ),
        check::<Echo>(
            "server.echo_utf8",
            "echoes UTF-8 text byte for byte",
            Role::Server,
            1,
            "Echo bytes, not characters: a read may end in the middle of a multi-byte character.",
            |ctx| echo_case(ctx, "Grüße, 世界! 🦀 — ünïcödé\n".as_bytes(), 1),
        ),
        check::<Echo>(
            "server.echo_binary",
            "echoes binary data: NUL bytes and invalid UTF-8",
            Role::Server,
            2,
            "Don't turn the bytes into a String (from_utf8 fails, lossy changes them): write back the &[u8] you read.",
            |ctx| {
                let mut data: Vec<u8> = (0..=255u8).collect();
                data.extend_from_slice(b"\0\0\xff\xfe\xc3(\x80 not utf-8 \0");
                echo_case(ctx, &data, 1)
            },
        ),
        check::<Echo>(
            "server.echo_1mib",
            "echoes 1 MiB of random bytes exactly",
            Role::Server,
            3,
            "One read returns at most one buffer's worth: loop until read returns 0, writing back every chunk with write_all.",
            |ctx| echo_case(ctx, &random_bytes(MIB, 3), 1),
        ),
        check::<Echo>(
            "server.echo_pieces",
            "echoes a message that arrives in pieces",
            Role::Server,
            2,
            "A message sent in pieces arrives in several reads. Keep reading until the client's half-close (read returns 0).",
            |ctx| echo_case(ctx, b"this message travels in five separate pieces\n", 5),
        ),
        check::<Echo>(
            "server.survives_reset",
            "keeps serving after a client resets the connection mid-stream",
            Role::Server,
            2,
            "A read or write error with one client (connection reset) must end that client only: report it and go back to accept().",
            survives_reset,
        ),
        check::<Echo>(
            "client.echo",
            "sends MESSAGE, half-closes, and prints the echo",
            Role::Client,
            3,
            "After sending, call shutdown(Shutdown::Write): that is how the server learns the message is complete. Then read until it closes.",
            |ctx| Echo::play_server(ctx, LOOPBACK),
        ),
        check::<Echo>(
            "client.default_message",
            "sends `Hello, Server!` when no MESSAGE is given",
            Role::Client,
            1,
            "MESSAGE is an optional positional argument with the default `Hello, Server!`.",
            |ctx| play_echo(ctx, LOOPBACK, None, 1, false),
        ),
        check::<Echo>(
            "client.echo_pieces",
            "prints the whole echo when it comes back in pieces",
            Role::Client,
            2,
            "One read is not the whole echo: read until the server closes (read_to_end).",
            |ctx| play_echo(ctx, LOOPBACK, Some("pieces of an echo, one after another"), 4, false),
        ),
        check::<Echo>(
            "client.mismatch",
            "exits 1 with `error: echo mismatch` when the echo differs",
            Role::Client,
            2,
            "Compare the echo with what you sent; if they differ print `error: echo mismatch …` to stderr and exit with status 1.",
            |ctx| play_echo(ctx, LOOPBACK, Some("check me"), 1, true),
        ),
    ]);
    checks.extend(client_checks::<Echo>());
    checks.push(check::<Echo>(
        "pair.echo",
        "your client gets its message back from your server",
        Role::Pair,
        2,
        "Run both in two terminals and compare what each prints.",
        pair,
    ));
    Task {
        number: 3,
        package: "task03_echo",
        checks,
    }
}

impl Echo {
    fn message(round: usize) -> Vec<u8> {
        format!("probe {round}: echo me\n").into_bytes()
    }
}

impl Lesson for Echo {
    const NUMBER: u8 = 3;

    fn probe(ctx: &mut Ctx, server: &Server, round: usize) -> CheckResult {
        echo_round(ctx, server, &Echo::message(round), 1)
    }

    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult {
        play_echo(ctx, at, Some("Hello from the grader"), 1, false)
    }
}

/// Deterministic random bytes (the same run to run, so a failure repeats).
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut data = vec![0u8; len];
    rand::rngs::StdRng::seed_from_u64(seed).fill_bytes(&mut data);
    data
}

fn echo_case(ctx: &mut Ctx, data: &[u8], pieces: usize) -> CheckResult {
    let server = ctx.server(&[])?;
    echo_round(ctx, &server, data, pieces)
}

/// Sends `data` (in `pieces`), half-closes, and expects it back exactly,
/// followed by the server's close. Sends from a second thread, as a server
/// may echo while the grader is still sending.
fn echo_round(ctx: &mut Ctx, server: &Server, data: &[u8], pieces: usize) -> CheckResult {
    let stream = connect(ctx, server)?;
    let sender = stream
        .try_clone()
        .map_err(|e| Outcome::error(format!("could not clone the grader's socket: {e}")))?;
    ctx.note(format!(
        "grader sends {} in {pieces} piece(s), then half-closes",
        show::bytes(data)
    ));
    let deadline = ctx.deadline(REPLY_WAIT + Duration::from_secs(2));
    let (sent, got) = thread::scope(|scope| {
        let sending = scope.spawn(move || {
            peer::write_in_pieces(&sender, data, pieces, Duration::from_millis(20), deadline)?;
            sender.shutdown(Shutdown::Write)
        });
        let got = peer::read_to_end(&stream, data.len() + 64 * 1024, deadline);
        let sent = sending
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("sender panicked")));
        (sent, got)
    });
    ctx.note(format!(
        "grader received {} ({})",
        show::bytes(&got.bytes),
        got.end.describe()
    ));
    judge_echo(data, &got, deadline.budget(), sent.err())
}

fn judge_echo(
    sent: &[u8],
    got: &Received,
    waited: Duration,
    send_error: Option<std::io::Error>,
) -> CheckResult {
    if got.bytes == sent {
        return match &got.end {
            End::Eof => Ok(()),
            End::Timeout => Err(Outcome::fail(format!(
                "the echo was complete but the server had not closed the connection {} after the grader's half-close",
                human(waited)
            ))),
            other => Err(Outcome::fail(format!("after the complete echo, {}", other.describe()))),
        };
    }
    let detail = match show::first_difference(sent, &got.bytes) {
        Some(at) if at == got.bytes.len() => {
            format!("only {} of {} bytes came back", got.bytes.len(), sent.len())
        }
        Some(at) => format!(
            "byte {at} differs ({} bytes sent, {} received)",
            sent.len(),
            got.bytes.len()
        ),
        None => String::new(),
    };
    let mut message = format!(
        "the echo differs from what was sent: {detail}; then {}",
        got.end.describe()
    );
    if let Some(e) = send_error {
        message.push_str(&format!(" (sending failed: {e})"));
    }
    Err(Outcome::fail(message)
        .expected(show::bytes(sent))
        .actual(show::bytes(&got.bytes)))
}

fn survives_reset(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let rude = connect(ctx, &server)?;
    // Enough that the server is still busy with it when the reset lands.
    let _ = peer::write_all(
        &rude,
        &random_bytes(256 * 1024, 7),
        ctx.deadline(REPLY_WAIT),
    );
    peer::reset(rude);
    ctx.note("grader reset its first connection mid-stream");
    echo_round(ctx, &server, b"still there after a reset?\n", 1).map_err(|outcome| Outcome {
        message: format!("after a client reset its connection: {}", outcome.message),
        ..outcome
    })
}

/// Plays the echo server for the client: waits for the client's half-close,
/// then sends the echo back in `pieces` (altered when `corrupt`), and closes.
fn play_echo(
    ctx: &mut Ctx,
    at: Listen,
    message: Option<&str>,
    pieces: usize,
    corrupt: bool,
) -> CheckResult {
    let extra: Vec<&str> = message.into_iter().collect();
    let expected = message.unwrap_or("Hello, Server!");
    let session = session(ctx, at, &extra, Input::Nothing)?;
    let deadline = ctx.deadline(REPLY_WAIT);
    let got = peer::read_to_end(&session.stream, 256 * 1024, deadline);
    ctx.note(format!(
        "grader received {} ({})",
        show::bytes(&got.bytes),
        got.end.describe()
    ));
    match got.end {
        End::Eof => {}
        End::Timeout => {
            return Err(Outcome::fail(format!(
            "the client never shut down its sending side: no end-of-stream within {} (received {})",
            human(deadline.budget()),
            show::bytes(&got.bytes)
        )))
        }
        other => {
            return Err(Outcome::fail(format!(
                "while reading the message, {}",
                other.describe()
            )))
        }
    }
    if got.bytes != expected.as_bytes() {
        return Err(
            Outcome::fail("the client sent something other than its message")
                .expected(show::text(expected))
                .actual(show::bytes(&got.bytes)),
        );
    }
    let mut echo = got.bytes.clone();
    if corrupt {
        if let Some(last) = echo.last_mut() {
            *last = b'?';
        }
    }
    let done = send_then_close(ctx, session, &echo, pieces)?;
    if corrupt {
        expect_mismatch_error(&done)
    } else {
        expect_success(&done)?;
        expect_line(&done, &format!("Received from server: {expected}"))
    }
}

/// The contract's answer to a wrong echo: `error: echo mismatch …`, exit 1.
fn expect_mismatch_error(done: &Finished) -> CheckResult {
    if let Some(panic) = done.stderr.iter().find(|l| l.contains("panicked")) {
        return Err(Outcome::fail("the client panicked on a wrong echo").actual(show::text(panic)));
    }
    let said = done
        .stderr
        .iter()
        .any(|l| l.trim_start().starts_with("error:") && l.contains("mismatch"));
    if said && done.status.code() == Some(1) {
        return Ok(());
    }
    Err(Outcome::fail(format!(
        "the client accepted a wrong echo (it ended with {})",
        describe_status(done.status)
    ))
    .expected("exit status 1 and `error: echo mismatch …` on stderr")
    .actual(format!("stderr: {}", lines_or_nothing(&done.stderr))))
}

fn pair(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let message = "a round trip through your own server";
    let client = ctx.client("127.0.0.1", server.addr.port(), &[message], false)?;
    let done = finish_pair(ctx, &client)?;
    expect_success(&done)?;
    expect_line(&done, &format!("Received from server: {message}"))
}
