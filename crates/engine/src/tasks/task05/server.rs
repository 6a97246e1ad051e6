//! Task 05's server checks: the grader sends datagrams and judges the
//! replies, and what the server prints.

use super::wire::{collect, round, send_all, Sender, RESEND, SENDS};
use crate::check::{CheckResult, Outcome, Role};
use crate::harness::{lines_or_nothing, panicked, printed, Ctx, Server};
use crate::peer::{self, udp};
use crate::process::{describe_status, Stream};
use crate::show;
use crate::tasks::rules::stops;
use crate::tasks::trouble::{pause, refuses_held_port};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

/// The largest payload of one UDP datagram over IPv4.
pub const MAX_DATAGRAM: usize = 65_507;
/// How many senders send at once in `many_senders`.
const MANY: usize = 50;
/// How many senders send and vanish in `survives_gone`.
const GONE: usize = 10;
/// How long a server has to show it has ended.
const ENDS: Duration = Duration::from_secs(1);

/// One datagram from a new socket, and its echo.
pub fn probe(ctx: &mut Ctx, server: &Server, round_no: usize) -> CheckResult {
    let datagram = format!("probe {round_no}: echo me");
    let sender = Sender::one("the grader", datagram.as_bytes())?;
    round(ctx, server.addr, &[sender])
}

/// A new server, and `senders` sending it their datagrams.
fn serve(ctx: &mut Ctx, senders: &[Sender]) -> CheckResult {
    let server = ctx.server(&[])?;
    round(ctx, server.addr, senders)
}

pub fn echo_text(ctx: &mut Ctx) -> CheckResult {
    serve(ctx, &[Sender::one("the grader", b"Hello, Server!")?])
}

/// Five datagrams back to back, of different sizes and contents.
pub fn boundaries(ctx: &mut Ctx) -> CheckResult {
    let datagrams = [1, 700, 5, 120, 33]
        .iter()
        .zip(b'a'..)
        .map(|(&size, letter)| vec![letter; size])
        .collect();
    let sender = Sender::on(IpAddr::V4(Ipv4Addr::LOCALHOST), "the grader", datagrams)?;
    serve(ctx, &[sender])
}

pub fn empty(ctx: &mut Ctx) -> CheckResult {
    serve(ctx, &[Sender::one("the grader", b"")?])
}

pub fn echo_max(ctx: &mut Ctx) -> CheckResult {
    let mut data = vec![0u8; MAX_DATAGRAM];
    fastrand::Rng::with_seed(5).fill(&mut data);
    serve(ctx, &[Sender::one("the grader", &data)?])
}

/// Two senders, three rounds, each round's two datagrams back to back.
pub fn two_senders(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let alice = Sender::on(ip, "sender A", Vec::new())?;
    let bob = Sender::on(ip, "sender B", Vec::new())?;
    let mut pair = [alice, bob];
    for n in 1..=3 {
        for sender in &mut pair {
            sender.datagrams = vec![format!("{}, datagram {n}", sender.name).into_bytes()];
        }
        // Which of the two goes unanswered is down to which datagram the
        // server read first: told the same way, whichever it was.
        round(ctx, server.addr, &pair).map_err(|outcome| {
            let message = ["sender A ", "sender B "]
                .iter()
                .find_map(|name| outcome.message.strip_prefix(name))
                .map(|rest| format!("one of the two senders {rest}"));
            Outcome {
                message: message.unwrap_or(outcome.message.clone()),
                ..outcome
            }
        })?;
    }
    Ok(())
}

/// 50 senders, their datagrams all sent while the server is stopped, so
/// that all 50 wait in its queue at once whatever its speed.
pub fn many_senders(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let senders = (1..=MANY)
        .map(|n| {
            let name = format!("sender {n} of {MANY}");
            let datagram = format!("{name}: only mine, please").into_bytes();
            Sender::on(ip, name, vec![datagram])
        })
        .collect::<Result<Vec<_>, _>>()?;
    let paused = pause(ctx, &server);
    send_all(ctx, server.addr, &senders)?;
    drop(paused);
    collect(ctx, server.addr, &senders)
}

/// `Datagram from <peer>` after one datagram, sent again if it was lost.
pub fn datagram_line(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let sender = Sender::one("the grader", b"who sent this?")?;
    let me = sender
        .socket
        .local_addr()
        .map_err(|e| Outcome::error(format!("could not read the grader's own address: {e}")))?;
    let wanted = format!("Datagram from {me}");
    for _ in 0..SENDS {
        ctx.note(format!("grader sends a datagram from {me}"));
        sender
            .socket
            .send_to(&sender.datagrams[0], server.addr)
            .map_err(|e| Outcome::error(format!("could not send to {}: {e}", server.addr)))?;
        let found = server
            .child
            .wait_for_line(Stream::Stdout, ctx.deadline(RESEND), |l| {
                datagram_line_names(l, me)
            });
        if found.is_ok() {
            return Ok(());
        }
    }
    Err(Outcome::fail(format!(
        "no line `{wanted}` on stdout after {SENDS} datagrams from {me}"
    ))
    .expected(show::text(&wanted))
    .actual(lines_or_nothing(&server.child.output(Stream::Stdout))))
}

/// `line` says `Datagram from <peer>`, ending there or at a non-digit.
fn datagram_line_names(line: &str, peer: SocketAddr) -> bool {
    let wanted = format!("Datagram from {peer}");
    line.match_indices(&wanted).any(|(at, _)| {
        !line[at + wanted.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

pub fn loopback_default(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server_with(&["--port", "0"])?;
    if !server.addr.ip().is_loopback() {
        return Err(
            Outcome::fail("without --host the server announced a non-loopback address")
                .expected("127.0.0.1 or ::1")
                .actual(server.addr.to_string()),
        );
    }
    if udp::wildcard_on(server.addr.port()) == Some(true) {
        return Err(Outcome::fail(format!(
            "without --host the server's socket is bound to every interface (0.0.0.0 or [::]), though it announced {}",
            server.addr
        )));
    }
    Ok(())
}

pub fn ipv6(ctx: &mut Ctx) -> CheckResult {
    if !peer::has_ipv6() {
        return Err(Outcome::skip("this machine has no IPv6 loopback"));
    }
    let server = ctx.server_with(&["--host", "::1", "--port", "0"])?;
    if !server.addr.is_ipv6() {
        return Err(Outcome::fail(format!(
            "given --host ::1, the server announced {}, not an IPv6 address",
            server.addr
        ))
        .expected("[::1]:PORT"));
    }
    let sender = Sender::on(
        IpAddr::V6(Ipv6Addr::LOCALHOST),
        "the grader",
        vec![b"over IPv6".to_vec()],
    )?;
    round(ctx, server.addr, &[sender])
}

/// Senders that send a datagram and close their socket at once, while the
/// server is stopped, so every reply goes to a port nobody holds any more.
pub fn survives_gone(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    {
        let _paused = pause(ctx, &server);
        // From 127.0.0.2: a port a gone sender freed may be handed to the
        // probe's socket next, which would then get that sender's reply.
        for _ in 0..GONE {
            let gone = udp::bind(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
                .map_err(|e| Outcome::error(format!("could not open a UDP socket: {e}")))?;
            let _ = gone.send_to(b"gone before the reply", server.addr);
        }
    }
    ctx.note(format!(
        "{GONE} senders sent a datagram and closed their sockets while the server was stopped"
    ));
    let served = probe(ctx, &server, 1);
    let what = "senders had gone before their replies";
    // A failure without a known cause may be a server on its way out.
    let ended = match &served {
        Err(outcome) if outcome.cause.is_none() => server.child.wait(ctx.deadline(ENDS)),
        _ => server.child.status(),
    };
    if let Some(status) = ended {
        let outcome = Outcome::fail(format!(
            "the server ended ({}) when {what}: a reply that can't be delivered concerns that sender only{}",
            describe_status(status),
            printed(&server.child)
        ));
        return Err(match panicked(&server.child.output(Stream::Stderr)) {
            Some(panic) => outcome.actual(panic),
            None => outcome,
        });
    }
    served.map_err(|outcome| Outcome {
        message: format!("after {what}: {}", outcome.message),
        ..outcome
    })
}

pub fn port_in_use(ctx: &mut Ctx) -> CheckResult {
    let holder = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|socket| Ok((socket.local_addr()?.port(), socket)));
    let (port, _holder) = holder
        .map_err(|e| Outcome::error(format!("could not open a UDP socket on 127.0.0.1: {e}")))?;
    ctx.note(format!("the grader itself holds UDP port 127.0.0.1:{port}"));
    refuses_held_port(ctx, port)
}

/// One server signalled idle, the other once it has echoed a datagram.
pub fn server_stops(ctx: &mut Ctx) -> CheckResult {
    let mut interrupted = ctx.server(&[])?;
    let mut terminated = ctx.server(&[])?;
    if probe(ctx, &terminated, 1).is_err() {
        ctx.note("no echo: the grader signals the server all the same");
    }
    stops(
        ctx,
        Role::Server,
        &mut interrupted.child,
        &mut terminated.child,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagram_lines_must_end_the_peer() {
        let peer: SocketAddr = "127.0.0.1:5173".parse().unwrap();
        assert!(datagram_line_names(
            "Datagram from 127.0.0.1:5173: 5 bytes",
            peer
        ));
        assert!(datagram_line_names(
            "[x] Datagram from 127.0.0.1:5173",
            peer
        ));
        assert!(!datagram_line_names("Datagram from 127.0.0.1:51730", peer));
        assert!(!datagram_line_names("Connection from 127.0.0.1:5173", peer));
    }
}
