//! The checks every task has, written once against the task's [`Lesson`]:
//! a server that announces itself, listens on loopback, names its peers,
//! keeps accepting (whatever its clients do: [`super::trouble`]), releases
//! its sockets and reports a port in use; a client that fails cleanly and
//! works over IPv6 and by host name. Both also keep the rules of the
//! command line and of signals, from [`super::rules`].

use super::rules::{client_rules, server_rules};
use super::trouble::{hangups, port_in_use};
use super::Lesson;
use crate::check::{CauseKind, CheckDef, CheckResult, Kind, Outcome};
use crate::harness::{
    connect, connection_line_names, expect_clean_error, spins, Ctx, Server, Watch, IPV6, LOCALHOST,
    REPLY_WAIT, STEP,
};
use crate::hygiene;
use crate::peer;
use crate::process::{describe_status, Stream};
use crate::time::human;

/// The server checks every task has.
pub fn server_checks<L: Lesson>() -> Vec<CheckDef> {
    let mut checks = vec![
        CheckDef {
            name: "server.listening",
            title: "announces `Listening on <addr>` once it listens",
            points: 1,
            kind: Kind::Edge,
            hints: &[
                "After binding, print `Listening on` and the listener's local_addr() (not the port you asked for: with --port 0 the OS picks one).",
                "Call local_addr() on the listener TcpListener::bind returned, not on the address you \
                    asked for, and print its Display form as the first word after `Listening on`: the grader \
                    parses that one token as a SocketAddr (`127.0.0.1:40211`, `[::1]:40211`), so `port 40211` \
                    or a separate host and port won't do. Print it before the accept loop; Rust's println! \
                    flushes at the newline, a program in another language must flush stdout itself.",
            ],
            run: listening,
        },
        CheckDef {
            name: "server.loopback_default",
            title: "listens on loopback only unless --host says otherwise",
            points: 1,
            kind: Kind::Edge,
            hints: &[
                "The default for --host is 127.0.0.1; 0.0.0.0 would open the server to the whole network.",
                "Bind exactly the address built from --host and --port (the kit's address() helper \
                    builds it) rather than a string of your own such as `0.0.0.0:…` or `[::]:…`, and keep \
                    127.0.0.1 as the clap default_value of host. The grader starts the server with no --host \
                    at all and then asks the OS which address that port is bound to.",
            ],
            run: loopback_default,
        },
        CheckDef {
            name: "server.connection_line",
            title: "prints `Connection from <peer>` with the client's real address",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "accept() returns the client's address next to the new socket: print that, ip:port.",
                "accept() returns a pair, the new TcpStream and the client's SocketAddr: print that \
                    SocketAddr (the stream's peer_addr() is the same) right after `Connection from `, not \
                    local_addr(), which is the server's own side. Print it as soon as accept() returns, \
                    before reading or writing anything, because the grader connects and then only waits for \
                    that line.",
            ],
            run: connection_line,
        },
        CheckDef {
            name: "server.keeps_accepting",
            title: "serves several clients one after another",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Put accept() in a loop, and don't let an error with one client end the loop.",
                "Make accept() the head of an endless loop (or iterate listener.incoming()) and serve each \
                    client in a function returning io::Result, so the loop can match an Err, eprintln! it and \
                    carry on. In the loop itself use neither `?` nor unwrap() on accept() or on a client's \
                    read or write: both leave serve() or panic, and the grader's next client finds nobody.",
            ],
            run: keeps_accepting::<L>,
        },
        CheckDef {
            name: "server.hangups",
            title: "survives clients that connect and reset or close at once",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "A client may be gone by the time you accept it: an error from peer_addr(), a read or a write concerns that one client. Report it and go back to accept().",
                "The grader connects 20 clients that reset at once and 20 that close at once, the first \
                    while your server is stopped, so it accepts a connection that is already dead: on it \
                    peer_addr() fails (`Transport endpoint is not connected`) and a write fails \
                    (`Connection reset by peer`, `Broken pipe`). Take the client's address from what \
                    accept() returns, and serve each client in a function returning io::Result whose Err \
                    the accept loop prints with eprintln! and moves past: no unwrap(), expect() or `?` in \
                    the loop itself.",
            ],
            run: hangups::<L>,
        },
        CheckDef {
            name: "server.releases_sockets",
            title: "closes every client's socket: its open files return to where they were",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Every accepted stream must be dropped (or closed) when its client is done; a Vec or map that keeps them all leaks one socket per client.",
                "The grader counts the server's open files before and after 20 clients. Each accepted \
                    TcpStream (and every try_clone of it) is a file until its last handle is dropped; \
                    shutdown() ends the conversation but does not free the file. Keep no stream past its \
                    client's end: no list of clients, no clone left in another thread.",
            ],
            run: releases_sockets::<L>,
        },
        CheckDef {
            name: "server.no_close_wait",
            title: "closes its side when a client hangs up (nothing left in CLOSE_WAIT)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "A read that returns 0 means the client has gone: stop reading and let the stream drop, so the connection closes.",
                "CLOSE_WAIT is a connection whose peer has closed while this side has not. When read \
                    returns Ok(0), return from the client's function (or break out of its loop) so the \
                    stream is dropped; reading again after a 0 only spins.",
            ],
            run: no_close_wait,
        },
        CheckDef {
            name: "server.restarts",
            title: "can be stopped and started again on the same port at once",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Set SO_REUSEADDR before binding (Rust's TcpListener::bind does; in Python, setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)).",
                "The grader stops the server and binds the same port again at once, while the old \
                    connections still wait out TIME_WAIT. std's TcpListener::bind sets SO_REUSEADDR for \
                    you; a hand-made socket (socket2, or Python's socket.socket) needs it set before bind.",
            ],
            run: restarts::<L>,
        },
        CheckDef {
            name: "server.port_in_use",
            title: "reports a port already in use with `error:` and exit status 1",
            points: 1,
            kind: Kind::Edge,
            hints: &[
                "Match on the result of bind: print `error: could not listen on <addr>: <reason>` to stderr and exit with status 1, without unwrap().",
                "TcpListener::bind returns an io::Result: map_err its Err into a message that names the \
                    address (host and port as given) and includes the io::Error, and return it, so that \
                    main prints `error: ` and that message and returns ExitCode::FAILURE. unwrap() or \
                    expect() panic with exit status 101, and `fn main() -> io::Result<()>` prints `Error:` \
                    with a capital E. The grader holds the port itself and then starts your server on it: \
                    no `Listening on` may appear.",
            ],
            run: port_in_use,
        },
    ];
    checks.extend(server_rules::<L>());
    checks
}

/// How long the OS has to show that sockets or threads were released.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

pub(super) fn releases_sockets<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    if let Some(skip) = hygiene::unavailable("a program's open files") {
        return Err(skip);
    }
    let server = ctx.server(&[])?;
    let group = server.child.pid();
    let before = hygiene::open_files(group).unwrap_or(0);
    ctx.note(format!("the server has {before} open files"));
    for round in 1..=20 {
        L::probe(ctx, &server, round)?;
    }
    let after = hygiene::settle(
        ctx.deadline(SETTLE),
        || hygiene::open_files(group),
        |n| n <= before + 2,
    )
    .unwrap_or(0);
    ctx.note(format!(
        "after 20 clients the server has {after} open files"
    ));
    if after > before + 2 {
        return Err(Outcome::fail(format!(
            "after 20 clients came and went the server holds {} more open files than before: a socket per client is never closed",
            after - before
        )));
    }
    Ok(())
}

fn no_close_wait(ctx: &mut Ctx) -> CheckResult {
    if let Some(skip) = hygiene::unavailable("the states of TCP connections") {
        return Err(skip);
    }
    let server = ctx.server(&[])?;
    // Only the hang-ups are judged here: a server that stopped accepting
    // fails `keeps_accepting`, not this.
    let hung_up = (0..5)
        .take_while(|_| peer::connect(server.addr, ctx.deadline(REPLY_WAIT)).is_ok())
        .count();
    ctx.note(format!("{hung_up} clients connected and hung up at once"));
    let port = server.addr.port();
    // From now on the server has nothing to do but close: one that keeps
    // a CPU busy meanwhile is named for that at once.
    let mut watch = Watch::new(ctx, &server.child);
    let deadline = ctx.deadline(SETTLE);
    let waiting = loop {
        let waiting = hygiene::settle(
            deadline.step(STEP),
            || hygiene::close_waits(port),
            |n| n == 0,
        )
        .unwrap_or(0);
        if waiting == 0 || deadline.expired() {
            break waiting;
        }
        if watch.spinning() {
            return Err(spins(ctx));
        }
    };
    if waiting > 0 {
        return Err(Outcome::fail(format!(
            "{waiting} connections stay in CLOSE_WAIT {} after their clients hung up: the server never closed its side",
            human(ctx.timing.scaled(SETTLE))
        )));
    }
    Ok(())
}

pub(super) fn restarts<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    // Between the stop and the start another program on this machine may
    // be given the port (it is one the OS hands out, and other gradings
    // run at once): then the grader tries again on a new one. So too when
    // the conversation left nothing on the server's side to wait out.
    let mut tries = 3;
    loop {
        tries -= 1;
        let (port, outcome) = match restart::<L>(ctx, tries > 0) {
            Ok(Restart::Started) => return Ok(()),
            Ok(Restart::Unproven(port)) => {
                ctx.note(format!(
                    "the server's side of the conversation on port {port} was already gone: \
                     a start again there proves nothing; trying again on a new port"
                ));
                continue;
            }
            Err((port, outcome)) => (port, outcome),
        };
        if tries == 0 || !peer::held_by_another(port, L::DATAGRAMS) {
            return Err(outcome);
        }
        ctx.note(format!(
            "another program took port {port} in between: trying again on a new port"
        ));
    }
}

/// How a [`restart`] that did not fail went.
enum Restart {
    Started,
    /// Not tried: nothing of the conversation held the port any more.
    Unproven(u16),
}

/// Starts the server, stops it, and starts it again on the same port; on
/// failure, that port with the outcome. With `proven`, only once the
/// conversation the server ended still holds the port on its side (where
/// the OS can tell: Linux).
fn restart<L: Lesson>(ctx: &mut Ctx, proven: bool) -> Result<Restart, (u16, Outcome)> {
    let mut server = ctx.server(&[]).map_err(|o| (0, o))?;
    let port = server.addr.port();
    // A conversation the server ends leaves its side in TIME_WAIT: that is
    // what keeps a port busy after a server stops. (A connection reset, or
    // the grader's side closed first, leaves nothing.)
    L::probe(ctx, &server, 1).map_err(|o| (0, o))?;
    // An echo server closes only after its client. A connection it has
    // accepted and still holds when it stops is closed by the OS, on the
    // server's side first: what a student's server meets when stopped
    // with a client connected.
    let held = match L::SERVER_CLOSES_FIRST || L::DATAGRAMS {
        true => None,
        false => held_open(ctx, &server),
    };
    server.child.kill();
    drop(held);
    if proven && !L::DATAGRAMS && hygiene::closed_first(port) == Some(false) {
        return Ok(Restart::Unproven(port));
    }
    ctx.note(format!("server stopped; starting it again on port {port}"));
    let again = ctx.server_with(&["--host", "127.0.0.1", "--port", &port.to_string()]);
    again.map(|_| Restart::Started).map_err(|outcome| {
        let outcome = Outcome {
            message: format!(
                "started again on port {port} right after stopping: {}",
                outcome.message
            ),
            ..outcome
        };
        (port, outcome)
    })
}

/// A new connection the server has accepted (its `Connection from` line
/// names it), held open; `None` when no such line came soon.
fn held_open(ctx: &mut Ctx, server: &Server) -> Option<std::net::TcpStream> {
    let stream = connect(ctx, server).ok()?;
    let me = stream.local_addr().ok()?;
    let deadline = ctx.deadline(ACCEPT_WAIT);
    let line = |l: &str| connection_line_names(l, me);
    server
        .child
        .wait_for_line(Stream::Stdout, deadline, line)
        .ok()?;
    ctx.note(format!(
        "grader holds a connection from {me} open while the server stops"
    ));
    Some(stream)
}

/// How long [`held_open`] waits for its connection's line: a right server
/// prints it within milliseconds, and a wrong one fails other checks.
const ACCEPT_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// The client checks every task has.
pub fn client_checks<L: Lesson>() -> Vec<CheckDef> {
    let mut checks = vec![
        CheckDef {
            name: "client.refused",
            title: "reports a refused connection with `error:` and exit status 1",
            points: 1,
            kind: Kind::Edge,
            hints: &[
                "Match on the result of connect: print `error: could not connect to <addr>: <reason>` to stderr and exit with status 1, without unwrap().",
                "TcpStream::connect returns an io::Result: map_err its Err into a message that names the \
                    address and includes the io::Error, and return it instead of calling unwrap() or \
                    expect(), which panic with exit status 101. The kit's main prints `error: ` and that \
                    message to stderr and exits 1; `fn main() -> Result` would print `Error:` with a capital \
                    E, which does not count.",
            ],
            run: refused,
        },
        CheckDef {
            name: "client.ipv6",
            title: "works over IPv6 (`--host ::1`)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Connect to (host, port) or to a formatted address with the IPv6 host in brackets, `[::1]:5001`; don't parse the host as IPv4.",
                "The addr your function receives is already written by the kit's address() helper as \
                    `[::1]:5001`: give it to TcpStream::connect unchanged. If you build the address \
                    yourself, gluing host, colon and port makes `::1:5001`, which does not parse; pass a \
                    (&str, u16) tuple instead, and never parse the host as an Ipv4Addr.",
            ],
            run: ipv6::<L>,
        },
        CheckDef {
            name: "client.localhost",
            title: "works with a host name (`--host localhost`)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Let connect() resolve the host: pass (host, port) or \"host:port\" rather than parsing the host as an IP address.",
                "Give connect() the name itself, in the addr string or a (&str, u16) tuple: it resolves \
                    it through ToSocketAddrs and tries each address in turn. Parsing the host into an IpAddr \
                    or SocketAddr fails on a name, and keeping only the first result of to_socket_addrs() \
                    may pick ::1 while the grader listens on 127.0.0.1 only.",
            ],
            run: |ctx| L::play_server(ctx, LOCALHOST),
        },
    ];
    checks.extend(client_rules::<L>());
    checks
}

/// How long a server that has announced itself must then stay up.
const STAYS_UP: std::time::Duration = std::time::Duration::from_millis(200);

pub(super) fn listening(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    // A program that announces itself and then exits (leaving a child of
    // its own to serve, or nothing at all) is not the server it claims.
    match server.child.wait(ctx.deadline(STAYS_UP)) {
        None => Ok(()),
        Some(status) => Err(Outcome::fail(format!(
            "the server ended ({}) right after announcing itself: the program the grader starts must keep serving until it is stopped",
            describe_status(status)
        ))
        .because(CauseKind::EndedAfterAnnouncing, "server", describe_status(status))),
    }
}

fn loopback_default(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server_with(&["--port", "0"])?;
    if !server.addr.ip().is_loopback() {
        return Err(
            Outcome::fail("without --host the server announced a non-loopback address")
                .expected("127.0.0.1 or ::1")
                .actual(server.addr.to_string()),
        );
    }
    if let Some(wildcard) = hygiene::wildcard_listener(server.addr.port()) {
        return Err(Outcome::fail(format!(
            "without --host the server listens on {wildcard}, every interface, though it announced {}",
            server.addr
        )));
    }
    Ok(())
}

fn connection_line(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let stream = connect(ctx, &server)?;
    let me = stream
        .local_addr()
        .map_err(|e| Outcome::error(format!("could not read the grader's own address: {e}")))?;
    ctx.note(format!("grader connected from {me}"));
    ctx.expect_first_connection_line(&server, me)
}

fn keeps_accepting<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    for round in 1..=3 {
        L::probe(ctx, &server, round).map_err(|outcome| {
            let message = format!("client {round} of 3: {}", outcome.message);
            Outcome { message, ..outcome }
        })?;
    }
    Ok(())
}

fn refused(ctx: &mut Ctx) -> CheckResult {
    // Held closed until the check ends: no server of a check running
    // alongside can be given it.
    let closed = peer::free_port()
        .map_err(|e| Outcome::error(format!("could not find a free port: {e}")))?;
    let port = closed.port;
    ctx.note(format!("nothing listens on 127.0.0.1:{port}"));
    let mut client = ctx.client("127.0.0.1", port, &[], true)?;
    client.close_stdin();
    let done = ctx.finish(&client)?;
    expect_clean_error(&done, &port.to_string())
}

fn ipv6<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    if !peer::has_ipv6() {
        return Err(Outcome::skip("this machine has no IPv6 loopback"));
    }
    L::play_server(ctx, IPV6)
}
