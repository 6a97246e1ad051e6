//! The submission's server under test: started, announced, connected to.

use super::{lines_or_nothing, printed, Ctx, REPLY_WAIT};
use crate::outcome::{CauseKind, CheckResult, Outcome};
use crate::peer;
use crate::process::{describe_status, Child, NoLine, Program, Stream};
use crate::show;
use crate::time::{human, Deadline};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a server that shows it is ending (its listener or its stdout
/// gone) is given to exit, so that its exit is seen as its own.
const ENDING: Duration = Duration::from_secs(1);

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
        let line = match child
            .wait_for_line(Stream::Stdout, deadline, |l| l.contains("Listening on"))
        {
            Ok(line) => line,
            Err(NoLine::Timeout) => {
                return Err(Outcome::fail(format!(
                    "no `Listening on` line after {}{}",
                    human(deadline.budget()),
                    printed(&child)
                ))
                .because(CauseKind::NeverAnnounced, "server", ""))
            }
            Err(NoLine::Closed) => {
                let (how, status) = match child.wait(Deadline::after(Duration::from_secs(1))) {
                    Some(status) => (
                        format!("the server ended ({})", describe_status(status)),
                        describe_status(status),
                    ),
                    None => (
                        "the server closed its stdout".to_string(),
                        "it closed its stdout".to_string(),
                    ),
                };
                // The same words every time: its status, and the last
                // thing it said on stderr, which is usually why.
                let last = child.output(Stream::Stderr).pop();
                let detail = match last {
                    Some(line) => format!("{status}; its last stderr line: {}", show::text(&line)),
                    None => status,
                };
                return Err(Outcome::fail(format!(
                    "{how} without printing `Listening on`{}",
                    printed(&child)
                ))
                .because(CauseKind::ExitedEarly, "server", detail));
            }
        };
        let addr = listening_address(&line).ok_or_else(|| {
            Outcome::fail(
                "the `Listening on` line does not end in an address such as 127.0.0.1:40211",
            )
            .actual(show::text(&line))
            .because(CauseKind::UnreadableAddress, "server", show::text(&line))
        })?;
        if addr.port() == 0 {
            return Err(Outcome::fail(
                "the server announced port 0: print the listener's local address, not the port you asked for",
            )
            .actual(show::text(&line))
            .because(CauseKind::AnnouncedPortZero, "server", show::text(&line)));
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
        self.connection_line(server, peer, false)
    }

    /// [`Ctx::expect_connection_line`] for the server's only client: its
    /// first `Connection from` line is about `peer`, and is judged at once.
    pub fn expect_first_connection_line(
        &mut self,
        server: &Server,
        peer: SocketAddr,
    ) -> CheckResult {
        self.connection_line(server, peer, true)
    }

    fn connection_line(&mut self, server: &Server, peer: SocketAddr, first: bool) -> CheckResult {
        let wanted = format!("Connection from {peer}");
        let deadline = self.deadline(REPLY_WAIT);
        let found = server.child.wait_for_line(Stream::Stdout, deadline, |l| {
            connection_line_names(l, peer) || (first && l.contains("Connection from"))
        });
        if found == Err(NoLine::Closed) {
            // Its stdout closed: it is ending, on its own.
            server.child.wait(self.deadline(ENDING));
        }
        match found {
            Ok(line) if connection_line_names(&line, peer) => Ok(()),
            Ok(line) => Err(Outcome::fail(format!(
                "the server printed {} where `{wanted}` was due: print the address accept() returned, ip:port",
                show::line(&line)
            ))
            .expected(show::text(&wanted))
            .actual(show::line(&line))),
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
        // A refused connection to a server that announced itself: its
        // listener is closed, so it is ending. Seen ended, the check says
        // how it ended, the same every run.
        if e.kind() == std::io::ErrorKind::ConnectionRefused {
            server.child.wait(ctx.deadline(ENDING));
        }
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

/// The failure of a server that ignores `--port`, when what it did shows
/// it: asked for port `asked`, it announced port `announced`, or, announcing
/// none, it printed `stderr`, where a line says a port is already in use.
/// `default` is the task's default port. One message for both, so that a
/// server binding its default port reads the same whether that port was
/// free or taken by another copy of it.
pub fn ignored_port(
    asked: u16,
    default: Option<u16>,
    announced: Option<u16>,
    stderr: &[String],
) -> Option<Outcome> {
    let (bound, seen) = match announced {
        // Port 0 lets the OS choose, and it never chooses a task's default
        // port, which lies below the range it chooses from.
        Some(port) if asked == 0 && Some(port) != default => return None,
        Some(port) if asked != 0 && port == asked => return None,
        Some(port) => (Some(port), format!("it announced port {port}")),
        None => {
            let taken = stderr.iter().find(|line| says_in_use(line))?;
            let fixed = default.filter(|&port| names_port(taken, port));
            // A port that was asked for and is taken: saying so is right.
            if asked != 0 && (fixed.is_none() || names_port(taken, asked)) {
                return None;
            }
            (fixed, show::text(taken))
        }
    };
    let what = match bound {
        Some(port) if Some(port) == default => format!("its default port, {port}"),
        Some(port) => format!("port {port}"),
        None => "a fixed port".to_string(),
    };
    Some(
        Outcome::fail(format!(
            "the server ignores --port: asked for port {asked}, it binds {what}; bind the port that the --port argument gives"
        ))
        .expected(format!("a listener on port {asked}"))
        .actual(seen)
        .because(CauseKind::IgnoresPort, "server", format!("it binds {what}")),
    )
}

/// Whether `line` is the OS saying a port is taken (Rust's and Python's
/// words).
fn says_in_use(line: &str) -> bool {
    line.contains("Address already in use") || line.contains("os error 98")
}

/// Whether `line` holds `port` as a number of its own, not inside a longer one.
pub fn names_port(line: &str, port: u16) -> bool {
    let digits = port.to_string();
    line.match_indices(&digits).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + digits.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
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

    #[test]
    fn a_server_binding_its_default_port_ignores_port() {
        let lines = |l: &str| vec![l.to_string()];
        let none: Vec<String> = Vec::new();
        let message = |o: Option<Outcome>| o.map(|o| o.message).unwrap_or_default();
        // Port 0: any port the OS picks but the default one.
        assert!(ignored_port(0, Some(5002), Some(40211), &none).is_none());
        let announced = message(ignored_port(0, Some(5002), Some(5002), &none));
        assert!(announced.contains("asked for port 0, it binds its default port, 5002"));
        // Taken by another copy of it: the same message.
        let taken = lines(
            "error: could not listen on 127.0.0.1:5002: Address already in use (os error 98)",
        );
        assert_eq!(
            message(ignored_port(0, Some(5002), None, &taken)),
            announced
        );
        // A port asked for, and another announced.
        assert!(ignored_port(40211, Some(5002), Some(40211), &none).is_none());
        assert!(
            message(ignored_port(40211, Some(5002), Some(5002), &none)).contains("ignores --port")
        );
        assert!(message(ignored_port(40211, None, Some(40212), &none)).contains("binds port 40212"));
        // A port asked for and taken: the right error, or a panic about it.
        let right = lines(
            "error: could not listen on 127.0.0.1:40211: Address already in use (os error 98)",
        );
        assert!(ignored_port(40211, Some(5002), None, &right).is_none());
        let panic = lines("called `Result::unwrap()` on an `Err` value: Os { code: 98, kind: AddrInUse, message: \"Address already in use\" }");
        assert!(ignored_port(40211, Some(5002), None, &panic).is_none());
        assert!(message(ignored_port(0, Some(5002), None, &panic)).contains("binds a fixed port"));
        assert!(ignored_port(40211, Some(5002), None, &taken).is_some());
        assert!(ignored_port(0, Some(5002), None, &lines("error: something else")).is_none());
    }

    #[test]
    fn ports_are_named_as_whole_numbers() {
        assert!(names_port("on 127.0.0.1:5002: taken", 5002));
        assert!(names_port("5002", 5002));
        assert!(!names_port("on 127.0.0.1:50021", 5002));
        assert!(!names_port("port 15002", 5002));
    }
}
