//! Task 05's client checks: the grader plays the UDP echo server, and the
//! network too: it drops the client's first datagram, forges a reply from
//! another socket, or never answers.

use crate::check::{CauseKind, CheckResult, Outcome, Role};
use crate::harness::{
    expect_clean_error, expect_error_exit, expect_line, expect_mismatch_error, expect_success,
    finish_pair, lines_or_nothing, panicked, printed, Ctx, Listen, EXIT_WAIT, LOOPBACK, REPLY_WAIT,
};
use crate::peer::udp::{self, Datagram};
use crate::process::{describe_status, Child, Stream};
use crate::show;
use crate::tasks::rules::stops;
use crate::time::{human, Deadline};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// What a client that has done its job is allowed on top of its own
/// timeouts, before the grader calls it late (scaled by --timeout-scale).
const SLACK: Duration = Duration::from_secs(1);
/// How often the grader looks whether a client it listens to has ended.
const LOOK: Duration = Duration::from_millis(20);
/// The `--timeout-ms` of the checks that time the client's waits.
const TIMEOUT_MS: u64 = 300;

/// The grader's socket playing the server, and the client sending to it.
pub(super) struct Played {
    pub(super) socket: UdpSocket,
    pub(super) addr: SocketAddr,
    pub(super) client: Child,
}

/// Opens the grader's socket on `at` and starts the client at it with
/// `extra` arguments.
pub(super) fn start(ctx: &mut Ctx, at: Listen, extra: &[&str]) -> Result<Played, Outcome> {
    let socket = udp::bind(at.ip)
        .map_err(|e| Outcome::error(format!("could not open a UDP socket on {}: {e}", at.ip)))?;
    let addr = socket
        .local_addr()
        .map_err(|e| Outcome::error(format!("could not read the socket's address: {e}")))?;
    ctx.note(format!("grader's UDP socket is {addr}"));
    let client = ctx.client(at.host, addr.port(), extra, false)?;
    Ok(Played {
        socket,
        addr,
        client,
    })
}

impl Played {
    /// The client's next datagram, waiting until `deadline`; a client that
    /// ends or stays silent fails, in words that say which.
    pub(super) fn next(
        &self,
        ctx: &mut Ctx,
        deadline: Deadline,
        what: &str,
    ) -> Result<Datagram, Outcome> {
        loop {
            let look = Deadline::after(LOOK.min(deadline.remaining().unwrap_or_default()));
            let got = udp::receive(&self.socket, look)
                .map_err(|e| Outcome::error(format!("could not receive on {}: {e}", self.addr)))?;
            if let Some(datagram) = got {
                ctx.note(format!(
                    "grader received {} from {}",
                    show::bytes(&datagram.bytes),
                    datagram.from
                ));
                return Ok(datagram);
            }
            if let Some(status) = self.client.status() {
                let outcome = Outcome::fail(format!(
                    "the client ended ({}) with no {what} sent to {}{}",
                    describe_status(status),
                    self.addr,
                    printed(&self.client)
                ));
                return Err(bound_server_port(
                    outcome,
                    &self.client.output(Stream::Stderr),
                ));
            }
            if deadline.expired() {
                return Err(Outcome::fail(format!(
                    "the client sent no {what} to {} within {}{}",
                    self.addr,
                    human(deadline.budget()),
                    printed(&self.client)
                )));
            }
        }
    }

    /// Sends `bytes` to the client from the grader's socket.
    pub(super) fn reply(&self, ctx: &mut Ctx, bytes: &[u8], to: SocketAddr) -> CheckResult {
        ctx.note(format!("grader replies {} to {to}", show::bytes(bytes)));
        self.socket
            .send_to(bytes, to)
            .map(drop)
            .map_err(|e| Outcome::error(format!("could not send to {to}: {e}")))
    }
}

/// The client's first datagram, which must be `expected`.
pub(super) fn message(ctx: &mut Ctx, played: &Played, expected: &str) -> Result<Datagram, Outcome> {
    let datagram = played.next(ctx, ctx.deadline(REPLY_WAIT), "message")?;
    if datagram.bytes == format!("{expected}\n").as_bytes() {
        return Err(
            Outcome::fail("the client's datagram is its message with a newline added")
                .expected(show::text(expected))
                .actual(show::bytes(&datagram.bytes))
                .because(CauseKind::SendsNewline, "client", ""),
        );
    }
    if datagram.bytes != expected.as_bytes() {
        return Err(Outcome::fail(
            "the client sent something other than its message, as one datagram",
        )
        .expected(show::text(expected))
        .actual(show::bytes(&datagram.bytes)));
    }
    Ok(datagram)
}

/// `outcome` of a client that ended early, with its cause when its stderr
/// says it could not bind a port already in use. A client binds port 0,
/// which is never in use: this one bound a port of its own, the server's
/// (the one the grader's socket holds).
fn bound_server_port(outcome: Outcome, stderr: &[String]) -> Outcome {
    let in_use = stderr.iter().any(|l| {
        l.contains("already in use")
            || l.contains("(os error 10048)")
            || l.contains("Only one usage of each socket address")
    });
    match in_use {
        true => outcome.because(CauseKind::BindsServerPort, "client", ""),
        false => outcome,
    }
}

/// The grader echoes the client's message, `expected` (MESSAGE when
/// `given`, else the default), and the client must print it and exit 0.
pub fn play_echo(ctx: &mut Ctx, at: Listen, given: Option<&str>) -> CheckResult {
    let expected = given.unwrap_or("Hello, Server!");
    let extra: Vec<&str> = given.into_iter().collect();
    let played = start(ctx, at, &extra)?;
    let datagram = message(ctx, &played, expected)?;
    played.reply(ctx, &datagram.bytes, datagram.from)?;
    let done = ctx.finish(&played.client)?;
    expect_success(&done)?;
    expect_line(&done, &format!("Received from server: {expected}"))
}

/// The grader drops the first datagram and answers the second, which must
/// come after the client's timeout and before it has long passed.
pub fn retransmits(ctx: &mut Ctx) -> CheckResult {
    let text = "lost once, sent again";
    let timeout = TIMEOUT_MS.to_string();
    // Lower bounds are timed from the start: the client can't have sent
    // before it, however late the grader reads what it sent.
    let started = Instant::now();
    let played = start(ctx, LOOPBACK, &["--timeout-ms", &timeout, text])?;
    message(ctx, &played, text)?;
    ctx.note("grader drops that datagram, as a network may");
    let wait = Duration::from_millis(TIMEOUT_MS) + ctx.timing.scaled(SLACK);
    let again = played
        .next(ctx, Deadline::after(wait), "second datagram")
        .map_err(|outcome| Outcome {
            message: format!(
                "its first datagram was lost and no reply came within --timeout-ms {TIMEOUT_MS}: {}",
                outcome.message
            ),
            ..outcome
        })?;
    let gap = started.elapsed();
    if gap < Duration::from_millis(TIMEOUT_MS / 2) {
        return Err(Outcome::fail(format!(
            "the client sent again {} after it started, long before its --timeout-ms of {TIMEOUT_MS} ms had passed",
            human(gap)
        )));
    }
    if again.bytes != text.as_bytes() {
        return Err(
            Outcome::fail("the second datagram is not the message again")
                .expected(show::text(text))
                .actual(show::bytes(&again.bytes)),
        );
    }
    played.reply(ctx, &again.bytes, again.from)?;
    let done = ctx.finish(&played.client)?;
    expect_success(&done)?;
    expect_line(&done, &format!("Received from server: {text}"))
}

/// Before the real reply, a stranger's socket sends the client a forged
/// one; the client must ignore it and print the real one.
pub fn ignores_forged(ctx: &mut Ctx) -> CheckResult {
    let text = "only the server may answer";
    let forged = "a forged reply from a stranger";
    let played = start(ctx, LOOPBACK, &[text])?;
    let datagram = message(ctx, &played, text)?;
    let stranger = udp::bind(played.addr.ip())
        .map_err(|e| Outcome::error(format!("could not open a second UDP socket: {e}")))?;
    let from = stranger
        .local_addr()
        .map_err(|e| Outcome::error(format!("could not read the socket's address: {e}")))?;
    ctx.note(format!(
        "a stranger at {from} sends {} to the client first",
        show::text(forged)
    ));
    stranger
        .send_to(forged.as_bytes(), datagram.from)
        .map_err(|e| Outcome::error(format!("could not send to {}: {e}", datagram.from)))?;
    played.reply(ctx, &datagram.bytes, datagram.from)?;
    let done = ctx.finish(&played.client)?;
    if done.stdout.iter().any(|l| l.contains(forged)) {
        return Err(Outcome::fail(format!(
            "the client took the datagram from {from} for the server's reply, though it sent to {}: accept a reply only from the address the message went to",
            played.addr
        ))
        .actual(lines_or_nothing(&done.stdout)));
    }
    expect_success(&done)?;
    expect_line(&done, &format!("Received from server: {text}"))
}

/// The grader never answers: the client must send 1 + R datagrams, each
/// awaited T, then give up with the contract's line.
pub fn gives_up(ctx: &mut Ctx) -> CheckResult {
    const RETRIES: u32 = 2;
    let tries = RETRIES as usize + 1;
    let timeout = TIMEOUT_MS.to_string();
    let retries = RETRIES.to_string();
    let started = Instant::now();
    let played = start(
        ctx,
        LOOPBACK,
        &[
            "--timeout-ms",
            &timeout,
            "--retries",
            &retries,
            "is anyone there?",
        ],
    )?;
    played.next(ctx, ctx.deadline(REPLY_WAIT), "message")?;
    let first = Instant::now();
    ctx.note("grader never answers");
    let whole = Duration::from_millis(TIMEOUT_MS) * tries as u32;
    let limit = Deadline::after(whole + ctx.timing.scaled(SLACK));
    let mut sent = 1;
    while played.client.status().is_none() {
        if limit.expired() {
            return Err(Outcome::fail(format!(
                "the client was still waiting {} after its first datagram; with --timeout-ms {TIMEOUT_MS} --retries {RETRIES} it must give up after {tries} tries of {TIMEOUT_MS} ms each",
                human(first.elapsed())
            )));
        }
        let look = Deadline::after(LOOK);
        if let Ok(Some(datagram)) = udp::receive(&played.socket, look) {
            sent += 1;
            ctx.note(format!(
                "grader received {} again, unanswered",
                show::bytes(&datagram.bytes)
            ));
        }
    }
    let took = first.elapsed();
    let ran = started.elapsed();
    let done = ctx.finish(&played.client)?;
    ctx.note(format!(
        "the client sent {sent} datagrams and ended {} after the first",
        human(took)
    ));
    if sent != tries {
        return Err(Outcome::fail(format!(
            "the client sent its message {}; with --retries {RETRIES} it sends it {tries} times (once, then {RETRIES} more) before giving up",
            show::count(sent, "time")
        )));
    }
    if ran < whole - Duration::from_millis(TIMEOUT_MS / 2) {
        return Err(Outcome::fail(format!(
            "the client gave up {} after it started: it must wait --timeout-ms {TIMEOUT_MS} after each of its {tries} sends, the last one included",
            human(ran)
        )));
    }
    let port = played.addr.port().to_string();
    let example = format!("error: no reply from {} after {tries} tries", played.addr);
    expect_error_exit(&done, "client", &example, &port)?;
    let said = format!("after {tries} tries");
    if !done.stderr.iter().any(|l| l.contains(&said)) {
        return Err(
            Outcome::fail(format!("the `error:` line does not say `{said}`"))
                .expected(example)
                .actual(lines_or_nothing(&done.stderr)),
        );
    }
    Ok(())
}

/// The grader answers with a different text.
pub fn mismatch(ctx: &mut Ctx) -> CheckResult {
    let text = "check me";
    let played = start(ctx, LOOPBACK, &[text])?;
    let datagram = message(ctx, &played, text)?;
    played.reply(ctx, b"check me?", datagram.from)?;
    let done = ctx.finish(&played.client)?;
    expect_mismatch_error(&done)
}

/// Nobody holds the port: the OS answers the client's datagram with ICMP
/// "port unreachable", which a connected socket reports as `Connection
/// refused`. A client that does not connect its socket hears nothing and
/// gives up after its tries instead, which the contract allows too: short
/// ones here, so either way it ends well within the wait.
pub fn refused(ctx: &mut Ctx) -> CheckResult {
    let port = udp::bind(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .and_then(|socket| socket.local_addr())
        .map_err(|e| Outcome::error(format!("could not find a free UDP port: {e}")))?
        .port();
    ctx.note(format!("nothing holds UDP port 127.0.0.1:{port}"));
    let timeout = TIMEOUT_MS.to_string();
    let client = ctx.client(
        "127.0.0.1",
        port,
        &["--timeout-ms", &timeout, "--retries", "1"],
        false,
    )?;
    let done = ctx.finish(&client)?;
    // Nobody holds the port: a reply can only be the client's own datagram,
    // sent from that very port back to itself.
    let replied = done
        .stdout
        .iter()
        .any(|l| l.starts_with("Received from server:"));
    if done.status.success() && replied {
        return Err(Outcome::fail(format!(
            "nothing holds UDP port {port}, yet the client printed a reply: its socket is bound to port {port} itself, so its datagram came back to it"
        ))
        .actual(lines_or_nothing(&done.stdout))
        .because(CauseKind::BindsServerPort, "client", ""));
    }
    expect_clean_error(&done, &port.to_string())
}

/// `--timeout-ms 0` is a bad argument (clap's message, exit status 2),
/// and `--timeout-ms 1 --retries 0` is a short wait: one datagram, then
/// the `no reply` line.
pub fn timeout_option(ctx: &mut Ctx) -> CheckResult {
    let args = ["--host", "127.0.0.1", "--port", "9", "--timeout-ms", "0"];
    let child = ctx.start_bare(Role::Client, &args)?;
    let deadline = ctx.deadline(Duration::from_secs(2));
    let Some(status) = child.wait(deadline) else {
        return Err(Outcome::fail(format!(
            "given `--timeout-ms 0`, the client was still running {} later: 0 ms is no timeout at all, reject it as a bad argument",
            human(deadline.budget())
        )));
    };
    let stderr = child.output(Stream::Stderr);
    if let Some(panic) = panicked(&stderr) {
        return Err(Outcome::fail("given `--timeout-ms 0`, the client panicked").actual(panic));
    }
    if status.code() != Some(2) || stderr.iter().all(|l| l.trim().is_empty()) {
        return Err(Outcome::fail(format!(
            "given `--timeout-ms 0`, the client ended with {}, not with a message on stderr and exit status 2",
            describe_status(status)
        ))
        .expected("clap's message on stderr, exit status 2")
        .actual(format!("stderr: {}", lines_or_nothing(&stderr))));
    }
    let played = start(ctx, LOOPBACK, &["--timeout-ms", "1", "--retries", "0"])?;
    played.next(ctx, ctx.deadline(REPLY_WAIT), "message")?;
    ctx.note("grader never answers");
    let deadline = ctx.deadline(EXIT_WAIT);
    let done = ctx.finish_by(&played.client, deadline).map_err(|_| {
        Outcome::fail(format!(
            "given `--timeout-ms 1 --retries 0` and no reply, the client was still waiting {} later: it must give up after one try of 1 ms",
            human(deadline.budget())
        ))
    })?;
    let example = format!("error: no reply from {} after 1 tries", played.addr);
    expect_error_exit(&done, "client", &example, &played.addr.port().to_string()).map_err(
        |outcome| Outcome {
            message: format!(
                "given `--timeout-ms 1 --retries 0` and no reply: {}",
                outcome.message
            ),
            ..outcome
        },
    )
}

/// Two clients wait for a reply that never comes, each with a long
/// timeout: one gets SIGINT, the other SIGTERM.
pub fn client_stops(ctx: &mut Ctx) -> CheckResult {
    let mut interrupted = start(ctx, LOOPBACK, &["--timeout-ms", "60000"])?;
    let mut terminated = start(ctx, LOOPBACK, &["--timeout-ms", "60000"])?;
    for played in [&interrupted, &terminated] {
        played.next(ctx, ctx.deadline(REPLY_WAIT), "message")?;
    }
    ctx.note("grader never answers: each client waits");
    stops(
        ctx,
        Role::Client,
        &mut interrupted.client,
        &mut terminated.client,
    )
}

pub fn pair(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let text = "a round trip through your own server";
    let client = ctx.client("127.0.0.1", server.addr.port(), &[text], false)?;
    let done = finish_pair(ctx, &client)?;
    // What your client said is what happened on the wire with your server:
    // an echo changed, or none at all.
    expect_success(&done)
        .map_err(
            |outcome| match done.stderr.iter().find(|l| l.starts_with("error:")) {
                Some(line) => Outcome {
                    message: format!(
                        "{}; it said {}: if your client passes its own checks, look at your server",
                        outcome.message,
                        show::line(line)
                    ),
                    ..outcome
                },
                None => outcome,
            },
        )
        .map_err(|outcome| bound_server_port(outcome, &done.stderr))?;
    expect_line(&done, &format!("Received from server: {text}"))
}
