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

use crate::check::{Check, CheckResult, Outcome, Role};
use crate::harness::{
    connect, expect_clean_error, Ctx, Listen, Server, IPV6, LOCALHOST, REPLY_WAIT,
};
use crate::hygiene;
use crate::peer;
use crate::process::describe_status;
use crate::time::human;

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

fn ipv6<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    if !peer::has_ipv6() {
        return Err(Outcome::skip("this machine has no IPv6 loopback"));
    }
    L::play_server(ctx, IPV6)
}
