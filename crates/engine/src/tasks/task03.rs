//! Task 03: an echo server, and a client that checks its echo.

use super::trouble::reports_client_error;
use super::{client_checks, server_checks, Lesson};
use crate::check::{CauseKind, CheckDef, CheckResult, Kind, Outcome};
use crate::harness::{
    connect, expect_line, expect_mismatch_error, expect_success, finish_pair, read_to_close,
    read_to_end_unless, send_then_close, session, Ctx, Input, Listen, Never, Server, LOOPBACK,
    REPLY_WAIT,
};
use crate::peer::{self, End, Received};
use crate::show;
use crate::time::human;
use std::net::Shutdown;
use std::thread;
use std::time::Duration;

pub struct Echo;

const MIB: usize = 1024 * 1024;

impl Echo {
    fn message(round: usize) -> Vec<u8> {
        format!("probe {round}: echo me\n").into_bytes()
    }
}

impl Lesson for Echo {
    const NUMBER: u8 = 3;
    const PACKAGE: &'static str = "task03_echo";
    /// The client waits for the server's echo.
    const WAITING_CLIENT: Option<Input<'static>> = Some(Input::Nothing);
    const TOPIC: &'static str = "Closing: close and shutdown";
    const ECHO: Option<super::Echo> = Some(super::Echo::Bytes);
    const SERVER_CLOSES_FIRST: bool = false;

    fn checks() -> Vec<CheckDef> {
        let mut checks = server_checks::<Echo>();
        checks.extend([
            CheckDef {
                name: "server.echo_text",
                title: "echoes a line of text, then closes the connection",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Read in a loop and write back what each read returned; when a read returns 0 the client is done: close.",
                    "Loop over read on a byte buffer: a return of Ok(0) means the client half-closed, so return \
                        and let the stream drop; any other n means write_all the first n bytes of the buffer. \
                        Writing back the whole buffer sends zeros after the data, and staying in the loop after \
                        Ok(0) leaves the grader waiting for your close.",
                ],
                run: |ctx| echo_case(ctx, b"Hello, Server!\n", 1),
            },
            CheckDef {
                name: "server.echo_utf8",
                title: "echoes UTF-8 text byte for byte",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "Echo bytes, not characters: a read may end in the middle of a multi-byte character.",
                    "Keep the data as bytes from read to write_all: no String::from_utf8, from_utf8_lossy, \
                        chars() or read_to_string on the way. Decoding each read on its own turns a character \
                        split between two reads into U+FFFD replacement characters.",
                ],
                run: |ctx| echo_case(ctx, "Grüße, 世界! 🦀 — ünïcödé\n".as_bytes(), 1),
            },
            CheckDef {
                name: "server.echo_binary",
                title: "echoes binary data: NUL bytes and invalid UTF-8",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Don't turn the bytes into a String (from_utf8 fails, lossy changes them): write back the &[u8] you read.",
                    "Use Read::read into a [u8] buffer (or read_to_end into a Vec<u8>) and write that slice \
                        back; read_line, lines() and read_to_string all insist on UTF-8 and fail on this data. A \
                        NUL byte is ordinary data, not an end marker: stop only when read returns 0.",
                ],
                run: |ctx| {
                    let mut data: Vec<u8> = (0..=255u8).collect();
                    data.extend_from_slice(b"\0\0\xff\xfe\xc3(\x80 not utf-8 \0");
                    echo_case(ctx, &data, 1)
                },
            },
            CheckDef {
                name: "server.echo_1mib",
                title: "echoes 1 MiB of random bytes exactly",
                points: 3,
                kind: Kind::Wire,
                hints: &[
                    "One read returns at most one buffer's worth: loop until read returns 0, writing back every chunk with write_all.",
                    "The grader sends 1 MiB while reading the echo, so echo each chunk as it arrives: read into \
                        a buffer of a few KiB, write_all exactly the bytes read, and repeat until Ok(0); a plain \
                        write() may take only part of a chunk. std::io::copy from the stream to a try_clone of it \
                        runs the same loop for you.",
                ],
                run: |ctx| echo_case(ctx, &random_bytes(MIB, 3), 1),
            },
            CheckDef {
                name: "server.echo_pieces",
                title: "echoes a message that arrives in pieces",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "A message sent in pieces arrives in several reads. Keep reading until the client's half-close (read returns 0).",
                    "Don't stop after the first read or at the first '\\n': the pieces come 20 ms apart and \
                        each read returns only what has arrived so far. The only normal way out of the loop is \
                        read returning Ok(0), which happens after the grader's shutdown(Shutdown::Write).",
                ],
                run: |ctx| echo_case(ctx, b"this message travels in five separate pieces\n", 5),
            },
            CheckDef {
                name: "server.survives_reset",
                title: "keeps serving after a client resets the connection mid-stream",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "A read or write error with one client (connection reset) must end that client only: report it and go back to accept().",
                    "Put the per-client read/write loop in its own function returning io::Result and use `?` \
                        only inside it. In the accept loop, match that result and eprintln! the error \
                        (`Connection reset by peer` or `Broken pipe` are normal here) before going back to \
                        accept(); an unwrap(), expect() or `?` in the accept loop itself ends the server.",
                ],
                run: survives_reset,
            },
            CheckDef {
                name: "server.reports_client_error",
                title: "reports a client's failed read or write as an `error:` line, and goes on",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "When echoing to one client fails, print the error to stderr on a line starting with `error:` before accepting the next client; don't drop it silently.",
                    "The grader sends a lot without reading the echo and resets the connection, so your \
                        read or write_all fails with `Connection reset by peer` or `Broken pipe`. In the accept \
                        loop, match the io::Result of the client's function: Err(e) => eprintln!(\"error: lost \
                        {peer}: {e}\"). `let _ =`, .ok() or an `if let Ok(..)` without an else throw the error \
                        away, and so does a read loop that treats an Err like the end of the stream.",
                ],
                run: reports_client_error::<Echo>,
            },
            CheckDef {
                name: "client.echo",
                title: "sends MESSAGE, half-closes, and prints the echo",
                points: 3,
                kind: Kind::Wire,
                hints: &[
                    "After sending, call shutdown(Shutdown::Write): that is how the server learns the message is complete. Then read until it closes.",
                    "Send exactly the message's bytes with write_all, with no newline added (the grader \
                        compares byte for byte), then call shutdown(Shutdown::Write) on that same stream, which \
                        stays readable. Then read_to_end, print `Received from server: ` and the text, and exit \
                        0; dropping the stream or Shutdown::Both would close the reading side as well.",
                ],
                run: |ctx| Echo::play_server(ctx, LOOPBACK),
            },
            CheckDef {
                name: "client.default_message",
                title: "sends `Hello, Server!` when no MESSAGE is given",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "MESSAGE is an optional positional argument with the default `Hello, Server!`.",
                    "The kit's Args struct already declares MESSAGE as a positional field with a \
                        default_value: pass args.message on and send it unchanged rather than a text of your \
                        own. If you parse arguments yourself, MESSAGE must be optional and default to exactly \
                        `Hello, Server!`, comma and exclamation mark included.",
                ],
                run: |ctx| play_echo(ctx, LOOPBACK, None, 1, false),
            },
            CheckDef {
                name: "client.echo_pieces",
                title: "prints the whole echo when it comes back in pieces",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "One read is not the whole echo: read until the server closes (read_to_end).",
                    "After the half-close, collect the echo with read_to_end into a Vec<u8> (or loop over \
                        read until Ok(0)) and only then print and compare: the echo comes back in four pieces \
                        and the server closes after the last. Printing or comparing after the first read sees \
                        a fragment.",
                ],
                run: |ctx| play_echo(ctx, LOOPBACK, Some("pieces of an echo, one after another"), 4, false),
            },
            CheckDef {
                name: "client.mismatch",
                title: "exits 1 with `error: echo mismatch` when the echo differs",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Compare the echo with what you sent; if they differ print `error: echo mismatch …` to stderr and exit with status 1.",
                    "Compare the received bytes with message.as_bytes() exactly (no trimming) and, when they \
                        differ, return an error whose text starts with `echo mismatch`, so the kit's main prints \
                        `error: echo mismatch …` to stderr and exits 1. A panic (assert_eq!, unwrap) exits 101 \
                        and does not count.",
                ],
                run: |ctx| play_echo(ctx, LOOPBACK, Some("check me"), 1, true),
            },
        ]);
        checks.extend(client_checks::<Echo>());
        checks.push(CheckDef {
                name: "pair.echo",
                title: "your client gets its message back from your server",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Run both in two terminals and compare what each prints.",
                    "Your client's shutdown(Shutdown::Write) is what makes your server's read return 0, and \
                        your server dropping the stream after that is what ends your client's read_to_end: if \
                        the pair hangs, one of those two steps is missing. The grader's message has spaces in it \
                        and must come back in `Received from server: …`, with exit status 0.",
                ],
                run: pair,
            });
        checks
    }

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
    fastrand::Rng::with_seed(seed).fill(&mut data);
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
        // Once all is sent and half-closed, the server has nothing left to
        // do but echo the rest and close: one that spins meanwhile is named.
        let cap = data.len() + 64 * 1024;
        let got = read_to_close(ctx, &server.child, &stream, cap, deadline, || {
            sending.is_finished()
        });
        let sent = sending
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("sender panicked")));
        (sent, got)
    });
    let got = got?;
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
    let got = read_to_end_unless(ctx, Never::HalfCloses, deadline, |step| {
        peer::read_to_end(&session.stream, 256 * 1024, step)
    });
    ctx.note(format!(
        "grader received {} ({})",
        show::bytes(&got.bytes),
        got.end.describe()
    ));
    match got.end {
        End::Eof => {}
        End::Timeout => {
            let outcome = Outcome::fail(format!(
                "the client never shut down its sending side: no end-of-stream after its message (received {})",
                show::bytes(&got.bytes)
            ))
            .because(CauseKind::NoHalfClose, "client", "");
            ctx.subjects.known.saw_never(Never::HalfCloses, &outcome);
            return Err(outcome);
        }
        other => {
            return Err(Outcome::fail(format!(
                "while reading the message, {}",
                other.describe()
            )))
        }
    }
    if got.bytes != expected.as_bytes() {
        let how = show::mangled(expected, &String::from_utf8_lossy(&got.bytes)).unwrap_or("");
        let message = match how {
            "" => "the client sent something other than its message".to_string(),
            how => format!("the client sent something other than its message: {how}"),
        };
        return Err(Outcome::fail(message)
            .expected(show::text(expected))
            .actual(show::bytes(&got.bytes))
            .because(CauseKind::AltersMessage, "client", how));
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

fn pair(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let message = "a round trip through your own server";
    let client = ctx.client("127.0.0.1", server.addr.port(), &[message], false)?;
    let done = finish_pair(ctx, &client)?;
    expect_success(&done)?;
    expect_line(&done, &format!("Received from server: {message}"))
}
