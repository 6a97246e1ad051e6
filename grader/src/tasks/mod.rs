//! The tasks and their checks.
//!
//! Each task file lists its own checks as data. The checks every task shares
//! (a server that announces itself, listens on loopback, names its peers and
//! keeps accepting; a client that fails cleanly and works over IPv6) are
//! written once here, against the [`Lesson`] each task implements: one
//! correct exchange with its server, and the grader's part against its
//! client.

pub mod hints;
mod task01;
mod task02;
mod task03;
mod task04;

use crate::check::{
    lines_or_nothing, printed, Check, CheckResult, Ctx, Finished, Outcome, Role, Server, REPLY_WAIT,
};
use crate::hygiene;
use crate::peer;
use crate::process::{describe_status, Child};
use crate::show;
use crate::time::{human, Deadline};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// A task of the lab.
pub struct Task {
    pub number: u8,
    /// The cargo package, which is also the task's folder.
    pub package: &'static str,
    pub checks: Vec<Check>,
}

impl Task {
    pub fn server_bin(&self) -> String {
        format!("task{:02}-server", self.number)
    }

    pub fn client_bin(&self) -> String {
        format!("task{:02}-client", self.number)
    }

    pub fn max_points(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }

    /// Whether `name` picks this task: `task03`, `3`, `03` or `task03_echo`.
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        let digits = name.strip_prefix("task").unwrap_or(&name);
        name == self.package || digits.parse::<u8>().is_ok_and(|n| n == self.number)
    }
}

/// Every task, in order.
pub fn all() -> Vec<Task> {
    vec![
        task01::task(),
        task02::task(),
        task03::task(),
        task04::task(),
    ]
}

/// The task numbered `number`.
pub fn by_number(number: u8) -> Option<Task> {
    all().into_iter().find(|task| task.number == number)
}

/// What a task supplies to the checks every task shares.
pub trait Lesson {
    const NUMBER: u8;
    /// One correct exchange with a running server, on a new connection.
    fn probe(ctx: &mut Ctx, server: &Server, round: usize) -> CheckResult;
    /// The grader plays the server on `ip` for the client and judges it.
    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult;
}

/// Builds a check of task `L`; `name` is the id without `taskNN.`.
pub fn check<L: Lesson>(
    name: &str,
    title: &'static str,
    role: Role,
    points: u32,
    hint: &'static str,
    run: fn(&mut Ctx) -> CheckResult,
) -> Check {
    Check {
        id: format!("task{:02}.{name}", L::NUMBER),
        title,
        role,
        points,
        hint,
        run,
    }
}

/// The server checks every task has.
pub fn server_checks<L: Lesson>() -> Vec<Check> {
    vec![
        check::<L>(
            "server.listening",
            "announces `Listening on <addr>` once it listens",
            Role::Server,
            1,
            "After binding, print `Listening on` and the listener's local_addr() (not the port you asked for: with --port 0 the OS picks one).",
            listening,
        ),
        check::<L>(
            "server.loopback_default",
            "listens on loopback only unless --host says otherwise",
            Role::Server,
            1,
            "The default for --host is 127.0.0.1; 0.0.0.0 would open the server to the whole network.",
            loopback_default,
        ),
        check::<L>(
            "server.connection_line",
            "prints `Connection from <peer>` with the client's real address",
            Role::Server,
            1,
            "accept() returns the client's address next to the new socket: print that, ip:port.",
            connection_line,
        ),
        check::<L>(
            "server.keeps_accepting",
            "serves several clients one after another",
            Role::Server,
            2,
            "Put accept() in a loop, and don't let an error with one client end the loop.",
            keeps_accepting::<L>,
        ),
        check::<L>(
            "server.releases_sockets",
            "closes every client's socket: its open files return to where they were",
            Role::Server,
            1,
            "Every accepted stream must be dropped (or closed) when its client is done; a Vec or map that keeps them all leaks one socket per client.",
            releases_sockets::<L>,
        ),
        check::<L>(
            "server.no_close_wait",
            "closes its side when a client hangs up (nothing left in CLOSE_WAIT)",
            Role::Server,
            1,
            "A read that returns 0 means the client has gone: stop reading and let the stream drop, so the connection closes.",
            no_close_wait,
        ),
        check::<L>(
            "server.restarts",
            "can be stopped and started again on the same port at once",
            Role::Server,
            1,
            "Set SO_REUSEADDR before binding (Rust's TcpListener::bind does; in Python, setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)).",
            restarts::<L>,
        ),
    ]
}

/// How long the OS has to show that sockets or threads were released.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

fn releases_sockets<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    if !hygiene::available() {
        return Err(Outcome::skip(
            "no /proc on this machine to count open files",
        ));
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
    if !hygiene::available() {
        return Err(Outcome::skip("no /proc on this machine to read TCP states"));
    }
    let server = ctx.server(&[])?;
    // Only the hang-ups are judged here: a server that stopped accepting
    // fails `keeps_accepting`, not this.
    let hung_up = (0..5)
        .take_while(|_| peer::connect(server.addr, ctx.deadline(REPLY_WAIT)).is_ok())
        .count();
    ctx.note(format!("{hung_up} clients connected and hung up at once"));
    let port = server.addr.port();
    let waiting = hygiene::settle(
        ctx.deadline(SETTLE),
        || hygiene::close_waits(port),
        |n| n == 0,
    )
    .unwrap_or(0);
    if waiting > 0 {
        return Err(Outcome::fail(format!(
            "{waiting} connections stay in CLOSE_WAIT {} after their clients hung up: the server never closed its side",
            human(ctx.timing.scaled(SETTLE))
        )));
    }
    Ok(())
}

fn restarts<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    let mut server = ctx.server(&[])?;
    let port = server.addr.port().to_string();
    // A conversation the server ends leaves its side in TIME_WAIT: that is
    // what keeps a port busy after a server stops.
    L::probe(ctx, &server, 1)?;
    server.child.kill();
    ctx.note(format!("server stopped; starting it again on port {port}"));
    let again = ctx.server_with(&["--host", "127.0.0.1", "--port", &port]);
    again.map(drop).map_err(|outcome| Outcome {
        message: format!(
            "started again on port {port} right after stopping: {}",
            outcome.message
        ),
        ..outcome
    })
}

/// The client checks every task has.
pub fn client_checks<L: Lesson>() -> Vec<Check> {
    vec![
        check::<L>(
            "client.refused",
            "reports a refused connection with `error:` and exit status 1",
            Role::Client,
            1,
            "Match on the result of connect: print `error: could not connect to <addr>: <reason>` to stderr and exit with status 1, without unwrap().",
            refused,
        ),
        check::<L>(
            "client.ipv6",
            "works over IPv6 (`--host ::1`)",
            Role::Client,
            1,
            "Connect to (host, port) or to a formatted address with the IPv6 host in brackets, `[::1]:5001`; don't parse the host as IPv4.",
            ipv6::<L>,
        ),
        check::<L>(
            "client.localhost",
            "works with a host name (`--host localhost`)",
            Role::Client,
            1,
            "Let connect() resolve the host: pass (host, port) or \"host:port\" rather than parsing the host as an IP address.",
            |ctx| L::play_server(ctx, LOCALHOST),
        ),
    ]
}

/// How long a server that has announced itself must then stay up.
const STAYS_UP: std::time::Duration = std::time::Duration::from_millis(200);

fn listening(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    // A program that announces itself and then exits (leaving a child of
    // its own to serve, or nothing at all) is not the server it claims.
    match server.child.wait(ctx.deadline(STAYS_UP)) {
        None => Ok(()),
        Some(status) => Err(Outcome::fail(format!(
            "the server ended ({}) right after announcing itself: the program the grader starts must keep serving until it is stopped",
            describe_status(status)
        ))),
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
    ctx.expect_connection_line(&server, me)
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
    let port = peer::free_port()
        .map_err(|e| Outcome::error(format!("could not find a free port: {e}")))?;
    ctx.note(format!("nothing listens on 127.0.0.1:{port}"));
    let mut client = ctx.client("127.0.0.1", port, &[], true)?;
    client.close_stdin();
    let done = ctx.finish(&client)?;
    expect_clean_error(&done, &port.to_string())
}

/// The client failed as the contract says: exit 1, an `error:` line on
/// stderr that names `address`, and no panic.
pub fn expect_clean_error(done: &Finished, address: &str) -> CheckResult {
    if let Some(panic) = done.stderr.iter().find(|l| l.contains("panicked")) {
        return Err(
            Outcome::fail("the client panicked instead of reporting the error")
                .expected("a line `error: …` on stderr")
                .actual(show::text(panic)),
        );
    }
    if done.status.code() != Some(1) {
        return Err(Outcome::fail(format!(
            "the client ended with {}, not exit status 1",
            describe_status(done.status)
        )));
    }
    let error = done
        .stderr
        .iter()
        .find(|l| l.trim_start().starts_with("error:"));
    match error {
        None => Err(Outcome::fail("no line starting with `error:` on stderr")
            .expected(format!(
                "error: could not connect to 127.0.0.1:{address}: …"
            ))
            .actual(lines_or_nothing(&done.stderr))),
        Some(line) if !line.contains(address) => Err(Outcome::fail(format!(
            "the `error:` line does not name the address (port {address})"
        ))
        .actual(show::text(line))),
        Some(_) => Ok(()),
    }
}

fn ipv6<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    if !peer::has_ipv6() {
        return Err(Outcome::skip("this machine has no IPv6 loopback"));
    }
    L::play_server(ctx, IPV6)
}

/// Where the grader listens for a client under test, and the `--host`
/// that client is given.
#[derive(Clone, Copy, Debug)]
pub struct Listen {
    pub ip: IpAddr,
    pub host: &'static str,
}

/// The grader's plain IPv4 loopback.
pub const LOOPBACK: Listen = Listen {
    ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
    host: "127.0.0.1",
};

/// IPv6 loopback, `--host ::1`.
pub const IPV6: Listen = Listen {
    ip: IpAddr::V6(Ipv6Addr::LOCALHOST),
    host: "::1",
};

/// IPv4 loopback reached by name, `--host localhost`.
pub const LOCALHOST: Listen = Listen {
    ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
    host: "localhost",
};

/// Connects to the server under test.
pub fn connect(ctx: &mut Ctx, server: &Server) -> Result<TcpStream, Outcome> {
    let stream = peer::connect(server.addr, ctx.deadline(REPLY_WAIT)).map_err(|e| {
        Outcome::fail(format!(
            "could not connect to {} though the server announced it: {e}",
            server.addr
        ))
    })?;
    ctx.note(format!("grader connected to {}", server.addr));
    Ok(stream)
}

/// A client under test, connected to the grader's listener.
pub struct Session {
    pub client: Child,
    pub stream: TcpStream,
    pub server_addr: SocketAddr,
    _listener: TcpListener,
}

/// What a client under test reads on stdin.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    /// Nothing: stdin is `/dev/null`.
    Nothing,
    /// These bytes, then end-of-file.
    Closed(&'a [u8]),
    /// These bytes, with stdin left open, as a user who stopped typing.
    Open(&'a [u8]),
}

/// Listens on `ip`, starts the client at it with `extra` arguments and
/// `input`, and accepts its connection.
pub fn session(
    ctx: &mut Ctx,
    at: Listen,
    extra: &[&str],
    input: Input,
) -> Result<Session, Outcome> {
    let listener = peer::listen(at.ip)
        .map_err(|e| Outcome::error(format!("could not listen on {}: {e}", at.ip)))?;
    let server_addr = listener
        .local_addr()
        .map_err(|e| Outcome::error(format!("could not read the listener's address: {e}")))?;
    ctx.note(format!("grader listens on {server_addr}"));
    let mut client = ctx.client(
        at.host,
        server_addr.port(),
        extra,
        !matches!(input, Input::Nothing),
    )?;
    // Typed before the connection is accepted: a client may read its input
    // before it connects.
    if let Input::Closed(data) | Input::Open(data) = input {
        ctx.note(format!(
            "grader types on the client's stdin: {}",
            show::bytes(data)
        ));
        client
            .write_stdin(data)
            .map_err(|e| Outcome::fail(format!("could not write to the client's stdin: {e}")))?;
    }
    if let Input::Closed(_) = input {
        client.close_stdin();
    }
    let deadline = ctx.deadline(REPLY_WAIT);
    let accepted = peer::accept_unless(&listener, deadline, &|| client.status().is_some())
        .map_err(|e| Outcome::error(format!("could not accept on {server_addr}: {e}")))?;
    let Some((stream, from)) = accepted else {
        // An exited client: wait just long enough to have all it printed.
        let why = match client
            .status()
            .and(client.wait(Deadline::after(Duration::ZERO)))
        {
            Some(status) => format!(
                "the client ended ({}) without connecting to {server_addr}",
                describe_status(status)
            ),
            None => format!(
                "the client did not connect to {server_addr} within {}",
                human(deadline.budget())
            ),
        };
        return Err(Outcome::fail(format!("{why}{}", printed(&client))));
    };
    ctx.note(format!("client connected from {from}"));
    Ok(Session {
        client,
        stream,
        server_addr,
        _listener: listener,
    })
}

/// Sends `data` to the client under test in `pieces`, closes the
/// connection and waits for the client to finish. A client that hangs up
/// before it has everything (one read, then close) is failed for that,
/// with what it printed.
pub fn send_then_close(
    ctx: &mut Ctx,
    session: Session,
    data: &[u8],
    pieces: usize,
) -> Result<Finished, Outcome> {
    ctx.note(format!(
        "grader sends {} in {pieces} piece(s), then closes",
        show::bytes(data)
    ));
    let sent = peer::write_in_pieces(
        &session.stream,
        data,
        pieces,
        std::time::Duration::from_millis(30),
        ctx.deadline(REPLY_WAIT),
    );
    let _ = session.stream.shutdown(std::net::Shutdown::Both);
    drop(session.stream);
    let done = ctx.finish(&session.client)?;
    match sent {
        Ok(()) => Ok(done),
        Err(e) => Err(Outcome::fail(format!(
            "the client closed the connection before the grader had sent all {} bytes ({e}): it stopped reading too early",
            data.len()
        ))
        .actual(format!("stdout: {}", lines_or_nothing(&done.stdout)))),
    }
}

/// Waits for the student's client in a pair check. When it does not end,
/// the student's server may be the one holding it up, and the message
/// says so rather than blaming the client alone.
pub fn finish_pair(ctx: &mut Ctx, client: &Child) -> Result<Finished, Outcome> {
    ctx.finish(client).map_err(|outcome| Outcome {
        message: format!(
            "{}; with your own server, that can be the server's fault: does it reply, and close the connection when it should?",
            outcome.message
        ),
        ..outcome
    })
}

/// The client exited with status 0.
pub fn expect_success(done: &Finished) -> CheckResult {
    if done.status.success() {
        return Ok(());
    }
    Err(Outcome::fail(format!(
        "the client ended with {} instead of exit status 0",
        describe_status(done.status)
    ))
    .actual(format!("stderr: {}", lines_or_nothing(&done.stderr))))
}

/// The client printed exactly the line `wanted` (among any others).
pub fn expect_line(done: &Finished, wanted: &str) -> CheckResult {
    if done.stdout.iter().any(|l| l == wanted) {
        return Ok(());
    }
    Err(Outcome::fail("the expected line is not on stdout")
        .expected(show::text(wanted))
        .actual(lines_or_nothing(&done.stdout)))
}
