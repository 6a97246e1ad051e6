//! The grader's datagrams to the server under test: sent back to back,
//! their replies collected sender by sender, and judged. UDP may lose a
//! datagram even on loopback (a queue full on a loaded machine), so a
//! datagram with no reply yet is sent again, a bounded number of times,
//! as any UDP program would; a reply to a resend that already came back
//! is not counted twice.

use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{Ctx, Never, STEP};
use crate::peer::udp::{self, Datagram};
use crate::show;
use crate::time::human;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

/// How long the grader waits for a reply before sending again.
pub const RESEND: Duration = Duration::from_millis(500);
/// How many times one datagram is sent at most.
pub const SENDS: usize = 4;
/// How long a whole round may take, however many senders it has.
const ROUND_WAIT: Duration = Duration::from_secs(6);

/// One of the grader's sockets in a round, and what it sends.
pub struct Sender {
    pub socket: UdpSocket,
    /// How a message names it: `sender 3 of 50`.
    pub name: String,
    pub datagrams: Vec<Vec<u8>>,
}

impl Sender {
    /// A new socket of the grader's on `ip`, to send `datagrams`.
    pub fn on(
        ip: IpAddr,
        name: impl Into<String>,
        datagrams: Vec<Vec<u8>>,
    ) -> Result<Self, Outcome> {
        let socket = udp::bind(ip)
            .map_err(|e| Outcome::error(format!("could not open a UDP socket on {ip}: {e}")))?;
        Ok(Sender {
            socket,
            name: name.into(),
            datagrams,
        })
    }

    /// A sender on IPv4 loopback with one datagram.
    pub fn one(name: impl Into<String>, datagram: &[u8]) -> Result<Self, Outcome> {
        Sender::on(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            name,
            vec![datagram.to_vec()],
        )
    }

    fn send(&self, datagram: &[u8], to: SocketAddr) -> CheckResult {
        self.socket
            .send_to(datagram, to)
            .map(drop)
            .map_err(|e| Outcome::error(format!("could not send to {to}: {e}")))
    }
}

/// Every sender sends every one of its datagrams to `to`, back to back;
/// then each must get back exactly its own datagrams, whole, from `to`, in
/// any order (a server may reply from several threads).
pub fn round(ctx: &mut Ctx, to: SocketAddr, senders: &[Sender]) -> CheckResult {
    send_all(ctx, to, senders)?;
    collect(ctx, to, senders)
}

/// The first half of a [`round`]: every datagram sent, back to back.
pub fn send_all(ctx: &mut Ctx, to: SocketAddr, senders: &[Sender]) -> CheckResult {
    let to = reachable(to);
    let count: usize = senders.iter().map(|s| s.datagrams.len()).sum();
    ctx.note(format!(
        "grader sends {} from {} to {to}: {}",
        show::count(count, "datagram"),
        show::count(senders.len(), "socket"),
        summary(senders)
    ));
    for sender in senders {
        for datagram in &sender.datagrams {
            sender.send(datagram, to)?;
        }
    }
    Ok(())
}

/// The second half of a [`round`]: every sender's replies collected and
/// judged, the missing ones sent again.
pub fn collect(ctx: &mut Ctx, to: SocketAddr, senders: &[Sender]) -> CheckResult {
    let to = reachable(to);
    let round = ctx.deadline(ROUND_WAIT);
    for sender in senders {
        let mut awaited: Vec<&Vec<u8>> = sender.datagrams.iter().collect();
        let mut back: Vec<&Vec<u8>> = Vec::new();
        let mut sends = 1;
        while !awaited.is_empty() {
            let got = receive(ctx, sender)?;
            let Some(reply) = got else {
                // An earlier check sent a datagram again and again in vain:
                // this one is not sent again too.
                let seen = ctx.subjects.known.never(Never::RepliesToDatagram);
                if sends == SENDS || round.expired() || seen.is_some() {
                    let outcome = no_reply(ctx, sender, &awaited, sends);
                    // A server may skip the empty datagram or a long one
                    // alone: only a short one unanswered dooms the rest.
                    let short = awaited.iter().all(|d| (1..=1024).contains(&d.len()));
                    if sends == SENDS && short {
                        ctx.subjects
                            .known
                            .saw_never(Never::RepliesToDatagram, &outcome);
                    }
                    return Err(outcome);
                }
                sends += 1;
                ctx.note(format!(
                    "no reply to {} of {}'s datagrams within {}: sent again",
                    awaited.len(),
                    sender.name,
                    human(ctx.timing.scaled(RESEND))
                ));
                for datagram in &awaited {
                    sender.send(datagram, to)?;
                }
                continue;
            };
            let ours = senders.iter().any(|s| s.datagrams.contains(&reply.bytes));
            if reply.from != to && !ours {
                // Another program's datagram to a port the kernel had just
                // given to this sender: a server elsewhere answering a
                // socket that has since closed. Not this server's reply.
                ctx.note(format!(
                    "{} got {} bytes from {}, none of them a datagram of this round: ignored",
                    sender.name,
                    reply.bytes.len(),
                    reply.from
                ));
                if round.expired() {
                    return Err(no_reply(ctx, sender, &awaited, sends));
                }
                continue;
            }
            if reply.from != to {
                return Err(Outcome::fail(format!(
                    "{} got a reply from {}, not from the server's address {to}: reply from the socket the datagram came to",
                    sender.name, reply.from
                )));
            }
            if let Some(at) = awaited.iter().position(|d| **d == reply.bytes) {
                back.push(awaited.remove(at));
            } else if !back.contains(&&reply.bytes) {
                return Err(stranger(sender, senders, &awaited, &reply));
            }
        }
    }
    ctx.note("every datagram came back whole to its own sender");
    Ok(())
}

/// The next datagram to `sender` within [`RESEND`], looking up now and then
/// whether an earlier check found the server answers none.
fn receive(ctx: &Ctx, sender: &Sender) -> Result<Option<Datagram>, Outcome> {
    let resend = ctx.deadline(RESEND);
    loop {
        let got = udp::receive(&sender.socket, resend.step(STEP))
            .map_err(|e| Outcome::fail(format!("{} could not receive: {e}", sender.name)))?;
        let seen = ctx.subjects.known.never(Never::RepliesToDatagram).is_some();
        if got.is_some() || resend.expired() || seen {
            return Ok(got);
        }
    }
}

/// Where a server that announced `addr` is reached: a server bound to
/// every interface (`0.0.0.0`, `[::]`) is reached on loopback, and replies
/// from there.
pub fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// The datagrams of a round, shown short: `3 × 1 bytes, 100 bytes`.
fn summary(senders: &[Sender]) -> String {
    let sizes: Vec<String> = senders
        .iter()
        .flat_map(|s| &s.datagrams)
        .take(6)
        .map(|d| format!("{} bytes", d.len()))
        .collect();
    let all: usize = senders.iter().map(|s| s.datagrams.len()).sum();
    if all > sizes.len() {
        format!("{}, …", sizes.join(", "))
    } else {
        sizes.join(", ")
    }
}

/// The failure of `sender`'s datagrams left unanswered. How often they
/// were sent is not told: a wait cut short by what another check saw
/// would change it from run to run.
fn no_reply(ctx: &Ctx, sender: &Sender, awaited: &[&Vec<u8>], _sends: usize) -> Outcome {
    let first = awaited.first().map(|d| d.as_slice()).unwrap_or_default();
    let outcome = Outcome::fail(format!(
        "{} got no reply to {} (the first: {} bytes), each sent up to {} and awaited {} each time",
        sender.name,
        show::count(awaited.len(), "datagram"),
        first.len(),
        show::count(SENDS, "time"),
        human(ctx.timing.scaled(RESEND))
    ))
    .expected(show::bytes(first))
    .actual("nothing");
    // The empty datagram and the longest have checks of their own, with
    // their own hints.
    match first.len() {
        1..=1024 => outcome.because(CauseKind::NoDatagramReply, "server", ""),
        _ => outcome,
    }
}

/// A reply that is none of the datagrams `sender` is waiting for: another
/// sender's, or one of its own changed on the way.
fn stranger(
    sender: &Sender,
    senders: &[Sender],
    awaited: &[&Vec<u8>],
    reply: &Datagram,
) -> Outcome {
    let got = &reply.bytes;
    if let Some(other) = senders
        .iter()
        .find(|s| s.name != sender.name && s.datagrams.contains(got))
    {
        return Outcome::fail(format!(
            "{} got the datagram that {} sent: the server replied to the wrong address; reply to the address recv_from returned with that datagram",
            sender.name, other.name
        ))
        .actual(show::bytes(got));
    }
    let nearest = awaited
        .iter()
        .find(|d| d.starts_with(got) || got.starts_with(d))
        .or(awaited.first())
        .map(|d| d.as_slice())
        .unwrap_or_default();
    let (how, cause) = if nearest.starts_with(got) && got.len() < nearest.len() {
        let how = format!(
            "a {}-byte datagram came back as {} bytes: cut short",
            nearest.len(),
            got.len()
        );
        (how, Some(CauseKind::CutsShort))
    } else if got.starts_with(nearest) && got.len() > nearest.len() {
        let how = format!(
            "a {}-byte datagram came back with {} added",
            nearest.len(),
            show::count(got.len() - nearest.len(), "byte")
        );
        (how, Some(CauseKind::AddsBytes))
    } else {
        let how = format!(
            "a reply of {} bytes is none of the datagrams {} sent",
            got.len(),
            sender.name
        );
        (how, None)
    };
    let outcome = Outcome::fail(format!("{how} (sent by {})", sender.name))
        .expected(show::bytes(nearest))
        .actual(show::bytes(got));
    match cause {
        Some(kind) => outcome.because(kind, "server", ""),
        None => outcome,
    }
}
