//! The submission's client under test: against the grader, which
//! listens and plays the server, or against the submission's own server.

use super::{lines_or_nothing, printed, Ctx, Finished, EXIT_WAIT, REPLY_WAIT, STEP};
use crate::outcome::Outcome;
use crate::peer;
use crate::process::{describe_status, Child};
use crate::show;
use crate::time::{human, Deadline};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

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
    if let Input::Open(b"") = input {
        ctx.note("grader types nothing on the client's stdin and leaves it open");
    } else if let Input::Closed(data) | Input::Open(data) = input {
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

/// How long a pair's client is given before what earlier checks saw can
/// end the wait.
const PAIR_GRACE: Duration = Duration::from_millis(250);

/// Waits for the student's client in a pair check. When it does not end,
/// the student's server may be the one holding it up, and the message
/// says so rather than blaming the client alone.
pub fn finish_pair(ctx: &mut Ctx, client: &Child) -> Result<Finished, Outcome> {
    let deadline = ctx.deadline(EXIT_WAIT);
    // An earlier check may have seen one side never do what the other
    // waits for (close after `BYE`, end its greeting, half-close): then
    // the pair can't finish, and waiting it out would teach nothing more.
    // The client gets a moment first, in case it finishes all the same.
    let mut ended = client.wait(ctx.deadline(PAIR_GRACE)).is_some();
    while !ended && !deadline.expired() {
        if let Some(blocked) = ctx.subjects.known.blocks_pair() {
            ctx.note("not waited out: an earlier check saw what keeps this pair from finishing");
            return Err(Outcome {
                message: format!("the pair could not finish: {}", blocked.message),
                ..blocked
            });
        }
        ended = client.wait(deadline.step(STEP)).is_some();
    }
    ctx.finish_by(client, deadline).map_err(|outcome| Outcome {
        message: format!(
            "{}; with your own server, that can be the server's fault: does it reply, and close the connection when it should?",
            outcome.message
        ),
        ..outcome
    })
}
