//! Task 05: a UDP echo server, and a client that survives a lossy network.
//!
//! UDP has no connection, so the checks every TCP task shares are taken
//! one by one where they fit (the announce line, loopback by default, open
//! files, a restart, a port in use, the command line and signals) and
//! written again here where they do not: the grader sends datagrams
//! ([`wire`]) to test the server ([`server`]), and plays the server and
//! the network to test the client ([`client`]).
//!
//! # Layout
//! - this file: [`Udp`], its checks and their hints.
//! - [`wire`]: the grader's datagrams to a server, resent when lost.
//! - [`server`]: the server checks.
//! - [`client`]: the client checks, and the pair.
//! - [`reply`]: the client checks of the reply itself: long, empty, prompt.

mod client;
mod reply;
mod server;
mod wire;

use super::rules::{client_rules, server_rules_without_stops, STOPS_HINTS};
use super::shared::{listening, releases_sockets, restarts};
use super::Lesson;
use crate::check::{CheckDef, CheckResult, Kind};
use crate::harness::{Ctx, Input, Listen, Server, IPV6, LOCALHOST, LOOPBACK};

pub struct Udp;

impl Lesson for Udp {
    const DATAGRAMS: bool = true;
    const NUMBER: u8 = 5;
    const PACKAGE: &'static str = "task05_udp";
    /// The client waits for a datagram, not a connection: its own
    /// `client.stops` check is written here.
    const WAITING_CLIENT: Option<Input<'static>> = None;
    const TOPIC: &'static str = "UDP: datagrams";
    const ECHO: Option<super::Echo> = Some(super::Echo::Datagrams);

    fn checks() -> Vec<CheckDef> {
        let mut checks = server_checks();
        checks.extend(client_checks());
        checks.push(CheckDef {
            name: "pair.echo",
            title: "your client gets its message back from your server",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Run both in two terminals and compare what each prints.",
                "Your server must reply to the address recv_from returned, from the same socket it \
                    received on: your client (connected to the server's address) drops a reply from any \
                    other address or port, and then waits, resends and gives up. The grader's message has \
                    spaces in it and must come back in `Received from server: …`, with exit status 0.",
            ],
            run: client::pair,
        });
        checks
    }

    fn probe(ctx: &mut Ctx, server: &Server, round: usize) -> CheckResult {
        server::probe(ctx, server, round)
    }

    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult {
        client::play_echo(ctx, at, Some("Hello from the grader"))
    }
}

fn server_checks() -> Vec<CheckDef> {
    let mut checks = vec![
        CheckDef {
            name: "server.listening",
            title: "announces `Listening on <addr>` once its socket is bound",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "After binding the UdpSocket, print `Listening on` and its local_addr() (with --port 0 the OS picks the port).",
                "UDP has no listen(): UdpSocket::bind is the whole setup. Call local_addr() on the socket it \
                    returned and print its Display form right after `Listening on `, before the receive loop: \
                    the grader reads that token as a SocketAddr (`127.0.0.1:40211`) to learn where to send.",
            ],
            run: listening,
        },
        CheckDef {
            name: "server.loopback_default",
            title: "binds loopback only unless --host says otherwise",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "The default for --host is 127.0.0.1; binding 0.0.0.0 would take datagrams from the whole network.",
                "Bind exactly the address built from --host and --port (the kit's address() helper), not \
                    `0.0.0.0:…` or `[::]:…` of your own, and keep 127.0.0.1 as the clap default_value of host. \
                    The grader starts the server without --host and then tries to bind 127.0.0.2 on the same \
                    port, which only a socket bound to every interface prevents.",
            ],
            run: server::loopback_default,
        },
        CheckDef {
            name: "server.datagram_line",
            title: "prints `Datagram from <peer>` with the sender's real address",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "recv_from returns the sender's address next to the byte count: print that, ip:port.",
                "recv_from gives (n, peer): print `Datagram from {peer}` (e.g. `Datagram from \
                    127.0.0.1:40000: 14 bytes`) for every datagram, before or after replying. local_addr() \
                    is the server's own side, not the sender.",
            ],
            run: server::datagram_line,
        },
        CheckDef {
            name: "server.echo_text",
            title: "sends a datagram of text back to its sender, unchanged",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Reply with send_to(&buffer[..n], peer): exactly the n bytes received, to the address they came from.",
                "Loop on recv_from into a byte buffer; send_to the first n bytes back to the peer it \
                    returned. Sending the whole buffer sends zeros after the data; adding a newline or \
                    turning the bytes into a String and back changes the datagram.",
            ],
            run: server::echo_text,
        },
        CheckDef {
            name: "server.boundaries",
            title: "keeps datagram boundaries: five sent back to back come back as five, sizes included",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "One recv_from is one datagram, and one send_to makes one datagram: echo each as it came, never joined or split.",
                "The grader sends five datagrams (1, 700, 5, 120 and 33 bytes) without waiting. Each \
                    recv_from returns exactly one of them, so reply to each with one send_to of \
                    buffer[..n]. Reading in small pieces as with TCP cuts each datagram short: the rest of a \
                    datagram that does not fit the buffer is thrown away, not kept for the next call.",
            ],
            run: server::boundaries,
        },
        CheckDef {
            name: "server.empty",
            title: "echoes the empty datagram",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "A datagram of 0 bytes is a datagram: recv_from returning 0 is not an end-of-stream as with TCP.",
                "With UDP there is no connection to close, so n == 0 means only that an empty datagram \
                    came: reply to it with send_to(&buffer[..0], peer) like any other. Don't `continue` or \
                    `break` on 0.",
            ],
            run: server::empty,
        },
        CheckDef {
            name: "server.echo_max",
            title: "echoes a datagram of 65 507 bytes whole",
            points: 3,
            kind: Kind::Wire,
            hints: &[
                "Is your receive buffer big enough for the largest datagram? recv_from cuts a datagram to the buffer's size and throws the rest away.",
                "65 507 bytes is the most one UDP datagram carries over IPv4 (65 535 less 20 bytes of IP \
                    header and 8 of UDP header). A 1024-byte buffer, common in examples, silently cuts it \
                    to 1024: allocate 65 536 bytes (vec![0u8; 65_536], or the kit's DATAGRAM_BUFFER) once, \
                    outside the loop.",
            ],
            run: server::echo_max,
        },
        CheckDef {
            name: "server.two_senders",
            title: "serves two senders interleaved, each getting only its own replies",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Reply to the address that came with this datagram, not to one you saved earlier.",
                "Use the peer returned by this very recv_from call for its send_to. Keeping the first \
                    sender's address, or connect()ing the server's socket to it, sends every reply to that \
                    sender (or drops the others' datagrams).",
            ],
            run: server::two_senders,
        },
        CheckDef {
            name: "server.many_senders",
            title: "serves 50 senders at once, each getting its own reply",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "One socket serves every sender: keep receiving and replying in one loop, whoever sends.",
                "The 50 datagrams wait in the socket's receive queue until recv_from takes them, one per \
                    call. A server that waits for something from one sender before the next, or that \
                    connects its socket to a sender, leaves the others unanswered.",
            ],
            run: server::many_senders,
        },
        CheckDef {
            name: "server.survives_gone",
            title: "goes on serving after replying to senders that have gone",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "An error from recv_from or send_to concerns one datagram: print it and go on receiving; no `?` or unwrap() in the loop.",
                "The grader's first ten senders close their sockets before your replies reach them. An \
                    unconnected socket hears nothing of it, but a socket connect()ed to a sender gets the \
                    ICMP `port unreachable` back as `Connection refused` at its next call. Don't connect the \
                    server's socket, and match each call's io::Result in the loop: Err(e) => \
                    eprintln!(\"error: …\"), then carry on.",
            ],
            run: server::survives_gone,
        },
        CheckDef {
            name: "server.ipv6",
            title: "works over IPv6 (`--host ::1`)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Bind the address built from --host, `[::1]:PORT`; don't assume an IPv4 host.",
                "UdpSocket::bind(\"[::1]:0\") binds IPv6 loopback: give it the kit's address(host, port) \
                    string, or a (&str, u16) tuple, never a host parsed as Ipv4Addr. A reply goes to the \
                    IPv6 peer recv_from returned, as for IPv4.",
            ],
            run: server::ipv6,
        },
        CheckDef {
            name: "server.open_files",
            title: "its open files stay flat however many senders it serves",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "One socket serves everyone: no new socket (or file) per datagram or per sender.",
                "The grader counts the server's open files before and after 20 senders. Replying from a \
                    new UdpSocket per datagram, or keeping one per sender in a map, adds a file each time; \
                    reply with send_to on the socket you received on.",
            ],
            run: releases_sockets::<Udp>,
        },
        CheckDef {
            name: "server.restarts",
            title: "can be stopped and started again on the same port at once",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "A UDP port is free again as soon as the process holding it has ended: bind exactly --port.",
                "The grader stops the server (SIGTERM) and binds the same port again at once. It fails \
                    only when the old server has not ended (it ignores SIGTERM, or left a child process \
                    holding the socket) or the new one binds another port.",
            ],
            run: restarts::<Udp>,
        },
        CheckDef {
            name: "server.port_in_use",
            title: "reports a port already in use with `error:` and exit status 1",
            points: 1,
            kind: Kind::Edge,
            hints: &[
                "Match on the result of UdpSocket::bind: print `error: could not listen on <addr>: <reason>` to stderr and exit with status 1, without unwrap().",
                "The grader holds the UDP port itself and then starts your server on it. map_err the bind \
                    error into a message naming the address and the io::Error and return it, so that main \
                    prints `error: ` and that message and returns ExitCode::FAILURE; unwrap() panics with \
                    exit status 101.",
            ],
            run: server::port_in_use,
        },
    ];
    checks.extend(server_rules_without_stops::<Udp>());
    checks.push(CheckDef {
        name: "server.stops",
        title: "stops within a second of SIGINT (Ctrl-C) or SIGTERM",
        points: 1,
        kind: Kind::Edge,
        hints: STOPS_HINTS,
        run: server::server_stops,
    });
    checks
}

fn client_checks() -> Vec<CheckDef> {
    let mut checks = vec![
        CheckDef {
            name: "client.echo",
            title: "sends MESSAGE as one datagram and prints the reply",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Send the message's bytes with one send (or send_to), then receive one datagram and print it after `Received from server: `.",
                "Bind a UdpSocket to port 0 of any address (\"0.0.0.0:0\", or \"[::]:0\" for IPv6), \
                    connect() it to the server's address, send(message.as_bytes()) with no newline added, \
                    recv into a 65 536-byte buffer, print `Received from server: ` and the n bytes as text, \
                    and exit 0.",
            ],
            run: |ctx| Udp::play_server(ctx, LOOPBACK),
        },
        CheckDef {
            name: "client.default_message",
            title: "sends `Hello, Server!` when no MESSAGE is given",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "MESSAGE is an optional positional argument with the default `Hello, Server!`.",
                "The kit's Args struct declares MESSAGE with a default_value: send args.message \
                    unchanged. If you parse arguments yourself, MESSAGE must be optional and default to \
                    exactly `Hello, Server!`.",
            ],
            run: |ctx| client::play_echo(ctx, LOOPBACK, None),
        },
        CheckDef {
            name: "client.retransmits",
            title: "sends again when its first datagram is lost, after --timeout-ms",
            points: 3,
            kind: Kind::Wire,
            hints: &[
                "UDP may lose a datagram: wait for the reply at most --timeout-ms, and send the message again when none came.",
                "Call set_read_timeout(Some(Duration::from_millis(timeout_ms))) on the socket, then loop \
                    1 + retries times: send, recv; an Err whose kind() is WouldBlock or TimedOut means no \
                    reply in time, so go round again. The grader drops your first datagram and answers the \
                    second, which must come after your timeout, not at once.",
            ],
            run: client::retransmits,
        },
        CheckDef {
            name: "client.ignores_forged",
            title: "ignores a reply from another address and prints the real one",
            points: 3,
            kind: Kind::Wire,
            hints: &[
                "Anyone can send your socket a datagram: accept a reply only from the address you sent the message to.",
                "connect() the UDP socket to the server's address before sending: the OS then drops \
                    datagrams from every other address, and send()/recv() need no address. Or compare the \
                    address recv_from returns with the server's and go on waiting when they differ. The \
                    grader sends a forged reply from another port first.",
            ],
            run: client::ignores_forged,
        },
        CheckDef {
            name: "client.gives_up",
            title: "gives up after 1 + --retries tries with `error: no reply from <addr> after <N> tries`",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Count your sends: after the last one's timeout, print `error: no reply from <addr> after <N> tries` to stderr and exit 1.",
                "With --retries R the message goes out R + 1 times, each followed by a wait of --timeout-ms \
                    (the last one too), so the client ends after about (R + 1) × T. Without a read timeout \
                    recv waits forever; with a loop that never ends it floods the network. Return an error \
                    naming the server's address and the number of tries, so main prints it with `error: ` \
                    and exits 1.",
            ],
            run: client::gives_up,
        },
        CheckDef {
            name: "client.mismatch",
            title: "exits 1 with `error: echo mismatch` when the reply differs",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Compare the reply with what you sent; if they differ print `error: echo mismatch …` to stderr and exit with status 1.",
                "Compare the n bytes received with message.as_bytes() exactly (no trimming) after printing \
                    them, and return an error starting with `echo mismatch` when they differ. A panic \
                    (assert_eq!, unwrap) exits 101 and does not count.",
            ],
            run: client::mismatch,
        },
        CheckDef {
            name: "client.refused",
            title: "reports that nobody is there with `error:` and exit status 1",
            points: 1,
            kind: Kind::Edge,
            hints: &[
                "Every socket call returns an io::Result: turn an Err into `error: <what> <addr>: <reason>` on stderr and exit 1, without unwrap().",
                "Nothing holds the port, so the OS answers your datagram with ICMP `port unreachable`; on a \
                    connect()ed UDP socket the next recv fails with `Connection refused`. Map that error to \
                    a message naming the address, as main expects; a client that does not connect hears \
                    nothing and must end with its `no reply` line instead.",
            ],
            run: client::refused,
        },
        CheckDef {
            name: "client.ipv6",
            title: "works over IPv6 (`--host ::1`)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Bind your socket in the server's family: an IPv4 socket can't send to ::1.",
                "Resolve the address first (to_socket_addrs on the kit's address() string) and bind \
                    \"[::]:0\" for an IPv6 server, \"0.0.0.0:0\" for an IPv4 one, before connect and send: \
                    sending to [::1] from a socket bound to 0.0.0.0 fails with `Address family not \
                    supported` or `Invalid argument`.",
            ],
            run: |ctx| Udp::play_server(ctx, IPV6),
        },
        CheckDef {
            name: "client.localhost",
            title: "works with a host name (`--host localhost`)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Let the OS resolve the host: to_socket_addrs on \"host:port\", not a parse into an IP address.",
                "Resolve with to_socket_addrs and try the addresses in turn: localhost may come back as ::1 \
                    and 127.0.0.1, and the grader listens on 127.0.0.1 only. On a connect()ed socket \
                    nobody at ::1 shows as `Connection refused`: move on to the next address then.",
            ],
            run: |ctx| Udp::play_server(ctx, LOCALHOST),
        },
        CheckDef {
            name: "client.timeout_option",
            title: "takes `--timeout-ms`: 1 ms gives up at once, 0 is a bad argument (exit status 2)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "--timeout-ms is a number of milliseconds, at least 1: let clap refuse 0, and use the value you are given.",
                "Give the timeout_ms field a value_parser with a range starting at 1 \
                    (clap::value_parser!(u64).range(1..)): clap then rejects 0 with its message and exit \
                    status 2. std's set_read_timeout(Some(Duration::ZERO)) would fail anyway.",
            ],
            run: client::timeout_option,
        },
    ];
    checks.extend(reply::checks());
    checks.extend(client_rules::<Udp>());
    checks.push(CheckDef {
        name: "client.stops",
        title: "stops within a second of SIGINT (Ctrl-C) or SIGTERM",
        points: 1,
        kind: Kind::Edge,
        hints: STOPS_HINTS,
        run: client::client_stops,
    });
    checks
}
