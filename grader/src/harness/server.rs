//! The submission's server under test: started, announced, connected to.

use super::{lines_or_nothing, printed, Ctx, REPLY_WAIT};
use crate::check::{CheckResult, Outcome};
use crate::peer;
use crate::process::{describe_status, Child, NoLine, Program, Stream};
use crate::show;
use crate::time::{human, Deadline};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A server that has announced where it listens.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `program` and waits until the deadline for its `Listening on`
    /// line, which says where it listens.
    pub fn start(program: &Program, deadline: Deadline) -> Result<Server, Outcome> {
        Server::announced(spawn(program, false)?, deadline)
    }

    /// Waits until the deadline for `child` to print `Listening on`.
    pub fn announced(child: Child, deadline: Deadline) -> Result<Server, Outcome> {
        let line =
            match child.wait_for_line(Stream::Stdout, deadline, |l| l.contains("Listening on")) {
                Ok(line) => line,
                Err(NoLine::Timeout) => {
                    return Err(Outcome::fail(format!(
                        "no `Listening on` line after {}{}",
                        human(deadline.budget()),
                        printed(&child)
                    )))
                }
                Err(NoLine::Closed) => {
                    let how = match child.wait(Deadline::after(Duration::from_secs(1))) {
                        Some(status) => format!("the server ended ({})", describe_status(status)),
                        None => "the server closed its stdout".to_string(),
                    };
                    return Err(Outcome::fail(format!(
                        "{how} without printing `Listening on`{}",
                        printed(&child)
                    )));
                }
            };
        let addr = listening_address(&line).ok_or_else(|| {
            Outcome::fail(
                "the `Listening on` line does not end in an address such as 127.0.0.1:40211",
            )
            .actual(show::text(&line))
        })?;
        if addr.port() == 0 {
            return Err(Outcome::fail(
                "the server announced port 0: print the listener's local address, not the port you asked for",
            )
            .actual(show::text(&line)));
        }
        Ok(Server { child, addr })
    }
}

/// Starts `program`, its stdin piped when `stdin`; a program that can't
/// be started fails the check.
pub(super) fn spawn(program: &Program, stdin: bool) -> Result<Child, Outcome> {
    Child::spawn(program, stdin)
        .map_err(|e| Outcome::fail(format!("could not start `{}`: {e}", program.display())))
}

impl Ctx<'_> {
    /// Waits for the server to print `Connection from <peer>`.
    pub fn expect_connection_line(&mut self, server: &Server, peer: SocketAddr) -> CheckResult {
        let wanted = format!("Connection from {peer}");
        let deadline = self.deadline(REPLY_WAIT);
        let found = server
            .child
            .wait_for_line(Stream::Stdout, deadline, |l| connection_line_names(l, peer));
        match found {
            Ok(_) => Ok(()),
            Err(_) => Err(Outcome::fail(format!(
                "no line `{wanted}` on stdout after {}",
                human(deadline.budget())
            ))
            .expected(show::text(&wanted))
            .actual(lines_or_nothing(&server.child.output(Stream::Stdout)))),
        }
    }
}

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

/// `line` says `Connection from <peer>`, ending there or at a non-digit.
pub fn connection_line_names(line: &str, peer: SocketAddr) -> bool {
    let wanted = format!("Connection from {peer}");
    line.match_indices(&wanted).any(|(at, _)| {
        !line[at + wanted.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The address in a `Listening on <addr>` line.
pub fn listening_address(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("Listening on")? + "Listening on".len()..];
    let token = rest.split_whitespace().next()?;
    token.trim_end_matches(['.', ',', ';', ')']).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_lines_are_parsed() {
        let v4: SocketAddr = "127.0.0.1:40211".parse().unwrap();
        let v6: SocketAddr = "[::1]:40211".parse().unwrap();
        assert_eq!(listening_address("Listening on 127.0.0.1:40211"), Some(v4));
        assert_eq!(
            listening_address("[info] Listening on [::1]:40211."),
            Some(v6)
        );
        assert_eq!(listening_address("Listening on port 40211"), None);
    }

    #[test]
    fn connection_lines_must_end_the_peer() {
        let peer: SocketAddr = "127.0.0.1:5173".parse().unwrap();
        assert!(connection_line_names(
            "Connection from 127.0.0.1:5173",
            peer
        ));
        assert!(connection_line_names(
            "Connection from 127.0.0.1:5173 has been established",
            peer
        ));
        assert!(connection_line_names(
            "[x] Connection from 127.0.0.1:5173!",
            peer
        ));
        assert!(!connection_line_names(
            "Connection from 127.0.0.1:51730",
            peer
        ));
        assert!(!connection_line_names("Connection from 127.0.0.1", peer));
    }
}
