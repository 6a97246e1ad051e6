//! Task 05's client checks of the reply itself: an echo of any size, the
//! empty one included, taken whole, and printed the moment it arrives.

use super::client::{message, start};
use crate::check::{CheckDef, CheckResult, Kind, Outcome};
use crate::harness::{expect_line, expect_success, lines_or_nothing, printed, Ctx, LOOPBACK};
use crate::process::{describe_status, NoLine, Stream};
use crate::show;
use crate::time::{human, Deadline};
use std::time::{Duration, Instant};

/// The longest MESSAGE the grader gives: the most one datagram carries
/// over IPv4. Windows takes no command line longer than 32 767
/// characters, so there it is shorter, and still far past 1024.
const LONG: usize = if cfg!(windows) { 30_000 } else { 65_507 };
/// The `--timeout-ms` of `empty_echo`, scaled: long enough that a right
/// client never waits it out, short enough that a wrong one ends soon.
const EMPTY_TIMEOUT: Duration = Duration::from_secs(1);
/// The `--timeout-ms` of `prompt_reply`, scaled; the reply must be printed
/// within a third of it.
const PROMPT_TIMEOUT: Duration = Duration::from_secs(3);

/// What the client prints before the reply.
const RECEIVED: &str = "Received from server: ";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef {
            name: "client.long_echo",
            title: "takes a 65 507-byte echo whole",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Is your receive buffer big enough for the longest echo? recv cuts a datagram to the buffer's size and throws the rest away.",
                "MESSAGE may be as long as one datagram carries, 65 507 bytes, and its echo comes back \
                    as one datagram of that size. Receive into a buffer of 65 536 bytes (vec![0u8; 65_536], \
                    or the kit's DATAGRAM_BUFFER): a 1024-byte buffer keeps the echo's first 1024 bytes, \
                    and a right echo then looks like a mismatch.",
            ],
            run: long_echo,
        },
        CheckDef {
            name: "client.empty_echo",
            title: "given MESSAGE `\"\"`, takes the 0-byte echo as the reply",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "A 0-byte datagram is a datagram: recv returning Ok(0) is the (empty) echo of an empty message, not \"nothing yet\".",
                "With MESSAGE \"\" your client sends a datagram of 0 bytes and the server echoes one of \
                    0 bytes. recv returns Ok(0) for it: print `Received from server: ` with nothing after \
                    it and exit 0. Treating 0 as no reply (continue, or sending again) ends in `no reply`.",
            ],
            run: empty_echo,
        },
        CheckDef {
            name: "client.prompt_reply",
            title: "prints the reply as soon as it arrives, not after waiting out --timeout-ms",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Wait for the reply in recv itself, with the timeout set on the socket: recv returns the moment a datagram arrives.",
                "set_read_timeout(Some(timeout)) makes recv block until a datagram arrives or the \
                    timeout passes, whichever comes first. Sleeping for the timeout and then looking \
                    for a reply (a non-blocking recv, or a check now and then) makes every answer take \
                    the whole timeout. The grader answers at once and gives --timeout-ms 3000: the line \
                    must come within a second.",
            ],
            run: prompt_reply,
        },
    ]
}

/// MESSAGE of `len` characters: numbered pieces, so that where a cut
/// falls shows.
fn long_message(len: usize) -> String {
    let mut text = String::with_capacity(len + 8);
    let mut n = 0;
    while text.len() < len {
        text.push_str(&format!("{n:05}-"));
        n += 1;
    }
    text.truncate(len);
    text
}

/// The grader echoes a MESSAGE of [`LONG`] bytes whole; the client must
/// print all of it and exit 0.
pub fn long_echo(ctx: &mut Ctx) -> CheckResult {
    let text = long_message(LONG);
    let played = start(ctx, LOOPBACK, &[&text])?;
    let datagram = message(ctx, &played, &text).map_err(|outcome| {
        let stderr = played.client.output(Stream::Stderr);
        match stderr.iter().any(|l| l.contains("too long")) {
            // The most one datagram carries, and the OS says too long.
            true => Outcome {
                message: format!(
                    "{}: MESSAGE was {} bytes, the most one datagram carries, so the client sent more than MESSAGE",
                    outcome.message,
                    text.len()
                ),
                ..outcome
            },
            false => outcome,
        }
    })?;
    played.reply(ctx, &datagram.bytes, datagram.from)?;
    let done = ctx.finish(&played.client)?;
    let shown = done.stdout.iter().find_map(|l| l.strip_prefix(RECEIVED));
    if let Some(got) = shown.filter(|got| got.len() < text.len() && text.starts_with(*got)) {
        return Err(Outcome::fail(format!(
            "the grader echoed the client's {}-byte MESSAGE whole, as one datagram, but the client printed only its first {}: a receive buffer smaller than the echo cuts it short (recv throws the rest away), and a right echo then looks like a mismatch",
            text.len(),
            show::count(got.len(), "byte")
        ))
        .expected(format!("{RECEIVED}{} ({} bytes)", show::text(&text), text.len()))
        .actual(format!("{RECEIVED}{} ({} bytes)", show::text(got), got.len())));
    }
    expect_success(&done)?;
    expect_line(&done, &format!("{RECEIVED}{text}"))
}

/// MESSAGE `""`: the grader echoes the 0-byte datagram, which the client
/// must take as its reply.
pub fn empty_echo(ctx: &mut Ctx) -> CheckResult {
    let timeout = ctx.timing.scaled(EMPTY_TIMEOUT).as_millis().to_string();
    let played = start(
        ctx,
        LOOPBACK,
        &["--timeout-ms", &timeout, "--retries", "1", ""],
    )?;
    let datagram = message(ctx, &played, "")?;
    played.reply(ctx, b"", datagram.from)?;
    let done = ctx.finish(&played.client)?;
    let line = done.stdout.iter().any(|l| l == RECEIVED);
    if done.status.success() && line {
        return Ok(());
    }
    let did = if line {
        format!("then ended with {}", describe_status(done.status))
    } else {
        format!(
            "printed no `{RECEIVED}` line and ended with {}",
            describe_status(done.status)
        )
    };
    Err(Outcome::fail(format!(
        "given MESSAGE \"\" (with --timeout-ms {timeout} --retries 1), the client sent a 0-byte datagram and the grader echoed it at once, as a 0-byte datagram; the client {did}: an empty datagram is a reply like any other"
    ))
    .expected(format!("{}, exit status 0", show::text(RECEIVED)))
    .actual(format!(
        "stdout: {}; stderr: {}",
        lines_or_nothing(&done.stdout),
        lines_or_nothing(&done.stderr)
    )))
}

/// With a long `--timeout-ms`, the grader answers at once: the reply must
/// be printed well before the timeout, timed from the datagram's arrival.
pub fn prompt_reply(ctx: &mut Ctx) -> CheckResult {
    let text = "answered at once";
    let timeout = ctx.timing.scaled(PROMPT_TIMEOUT);
    let ms = timeout.as_millis().to_string();
    let played = start(ctx, LOOPBACK, &["--timeout-ms", &ms, text])?;
    let datagram = message(ctx, &played, text)?;
    let arrived = Instant::now();
    played.reply(ctx, &datagram.bytes, datagram.from)?;
    let within = timeout / 3;
    let wanted = format!("{RECEIVED}{text}");
    let deadline = Deadline::after(within.saturating_sub(arrived.elapsed()));
    match played
        .client
        .wait_for_line(Stream::Stdout, deadline, |l| l == wanted)
    {
        Ok(_) => {
            ctx.note(format!(
                "the client printed the reply {} after its datagram arrived",
                human(arrived.elapsed())
            ));
            Ok(())
        }
        Err(NoLine::Timeout) => Err(Outcome::fail(format!(
            "the grader answered the client's datagram at once, yet {} later the client (--timeout-ms {ms}) had not printed the reply: it must print it as soon as it arrives, not after waiting out its timeout",
            human(within)
        ))
        .expected(show::text(&wanted))
        .actual(lines_or_nothing(&played.client.output(Stream::Stdout)))),
        Err(NoLine::Closed) => Err(Outcome::fail(format!(
            "the client ended without printing the reply{}",
            printed(&played.client)
        ))
        .expected(show::text(&wanted))),
    }
}
