//! Checks as data, their outcomes, and the context a check runs in.
//!
//! A [`Check`] is an id, a title, a role, points, a hint and a function. The
//! function gets a [`Ctx`]: the programs under test, the timing, helpers that
//! start them the way the contract says, and a transcript that records what
//! happened for `--verbose`. It returns `Ok(())` for a pass or an
//! [`Outcome`] saying what went wrong. Programs started through the `Ctx`
//! are killed when the check ends, however it ends.

use crate::process::{describe_status, Child, NoLine, Program, Stream, Tap};
use crate::show;
use crate::time::{human, Deadline, Timing};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long a server has to print `Listening on`.
pub const LISTEN_WAIT: Duration = Duration::from_secs(5);
/// How long any single exchange (a reply, a line, an exit) may take.
pub const REPLY_WAIT: Duration = Duration::from_secs(3);
/// How long a program has to exit once it has done its job.
pub const EXIT_WAIT: Duration = Duration::from_secs(5);

/// The longest transcript line kept, in characters.
pub const NOTE_CHARS: usize = 300;

/// Which side of the socket the check tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The submission's server, with the grader as its client.
    Server,
    /// The submission's client, with the grader as its server.
    Client,
    /// The submission's client against the submission's server.
    Pair,
}

impl Role {
    pub fn needs_server(self) -> bool {
        matches!(self, Role::Server | Role::Pair)
    }

    pub fn needs_client(self) -> bool {
        matches!(self, Role::Client | Role::Pair)
    }

    /// Its name, as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Server => "server",
            Role::Client => "client",
            Role::Pair => "pair",
        }
    }
}

/// What a check found, when it is not a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// The submission did the wrong thing.
    Fail,
    /// The grader could not run the check: never the student's fault.
    Error,
    Skipped,
}

impl Status {
    /// Its name, as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
        }
    }
}

impl Outcome {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Outcome::new(Status::Fail, message)
    }

    pub fn error(message: impl Into<String>) -> Self {
        Outcome::new(Status::Error, message)
    }

    pub fn skip(message: impl Into<String>) -> Self {
        Outcome::new(Status::Skipped, message)
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }
}

pub type CheckResult = Result<(), Outcome>;

/// One graded behaviour.
pub struct Check {
    /// Stable id, `task03.server.echo_1mib`: the same in code, reports and docs.
    pub id: String,
    pub title: &'static str,
    pub role: Role,
    pub points: u32,
    /// Shown with a failure: where to look, not the answer.
    pub hint: &'static str,
    pub run: fn(&mut Ctx) -> CheckResult,
}

/// The programs a check runs: the submission's server and client.
#[derive(Clone, Debug, Default)]
pub struct Subjects {
    pub server: Option<Program>,
    pub client: Option<Program>,
}

/// A server that has announced where it listens.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `program` and waits until the deadline for its `Listening on`
    /// line, which says where it listens.
    pub fn start(program: &Program, deadline: Deadline) -> Result<Server, Outcome> {
        let child = Child::spawn(program, false)
            .map_err(|e| Outcome::fail(format!("could not start `{}`: {e}", program.display())))?;
        Server::announced(child, deadline)
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

/// A client run to its end.
pub struct Finished {
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    pub status: std::process::ExitStatus,
}

/// What a check runs with, and what it has seen.
pub struct Ctx<'a> {
    pub subjects: &'a Subjects,
    pub timing: Timing,
    transcript: Vec<(Instant, String)>,
    started: Instant,
    /// What every program this check started printed, by name.
    printed: Vec<(String, Tap, Tap)>,
    /// The stderr of every program this check started.
    taps: Vec<Tap>,
}

impl<'a> Ctx<'a> {
    pub fn new(subjects: &'a Subjects, timing: Timing) -> Self {
        Ctx {
            subjects,
            timing,
            transcript: Vec::new(),
            started: Instant::now(),
            printed: Vec::new(),
            taps: Vec::new(),
        }
    }

    /// A deadline `nominal` from now, stretched by `--timeout-scale`.
    pub fn deadline(&self, nominal: Duration) -> Deadline {
        self.timing.deadline(nominal)
    }

    /// Adds a line to the transcript, cut at [`NOTE_CHARS`].
    pub fn note(&mut self, line: impl AsRef<str>) {
        self.transcript
            .push((Instant::now(), line.as_ref().to_string()));
    }

    /// The transcript: what the grader did and what every program printed,
    /// in the order it happened, each line with its time since the start.
    pub fn transcript(&self) -> Vec<String> {
        let mut lines = self.transcript.clone();
        for (name, stdout, stderr) in &self.printed {
            for (stream, tap) in [("stdout", stdout), ("stderr", stderr)] {
                lines.extend(
                    tap.stamped()
                        .into_iter()
                        .map(|(at, l)| (at, format!("{name} {stream}: {l}"))),
                );
            }
        }
        lines.sort_by_key(|(at, _)| *at);
        lines
            .into_iter()
            .map(|(at, line)| {
                let ms = at.saturating_duration_since(self.started).as_millis();
                let cut = match line.char_indices().nth(NOTE_CHARS) {
                    Some((end, _)) => format!("{}… ({} bytes in all)", &line[..end], line.len()),
                    None => line,
                };
                format!("{ms:>6} ms  {cut}")
            })
            .collect()
    }

    /// The sandbox limit a program of this check hit, in words, when
    /// `outcome` or what the programs printed points at one.
    pub fn limit_hit(&self, outcome: &Outcome) -> Option<String> {
        let jail = [&self.subjects.server, &self.subjects.client]
            .into_iter()
            .flatten()
            .find_map(|p| p.jail.as_ref())?;
        let stderr: Vec<String> = self.taps.iter().flat_map(Tap::lines).collect();
        crate::sandbox::explain(&outcome.message, &stderr, &jail.limits)
    }

    /// Where a program this check started stopped at a `todo!()` (or
    /// `unimplemented!()`), as `file:line`: the student edition's starter
    /// code, not yet filled in.
    pub fn not_implemented(&self) -> Option<String> {
        self.taps.iter().find_map(|tap| todo_location(&tap.lines()))
    }

    fn server_program(&self) -> Result<&'a Program, Outcome> {
        self.subjects
            .server
            .as_ref()
            .ok_or_else(|| Outcome::error("no server program to run"))
    }

    fn client_program(&self) -> Result<&'a Program, Outcome> {
        self.subjects
            .client
            .as_ref()
            .ok_or_else(|| Outcome::error("no client program to run"))
    }

    /// Starts the server on `127.0.0.1` port 0 with `extra` arguments and
    /// waits for its `Listening on` line.
    pub fn server(&mut self, extra: &[&str]) -> Result<Server, Outcome> {
        let mut args = vec!["--host", "127.0.0.1", "--port", "0"];
        args.extend_from_slice(extra);
        self.server_with(&args)
    }

    /// Starts the server with exactly `args` and waits for `Listening on`.
    pub fn server_with(&mut self, args: &[&str]) -> Result<Server, Outcome> {
        let program = self.server_program()?.with_args(args);
        self.note(format!("start server: {}", program.display()));
        let child = Child::spawn(&program, false)
            .map_err(|e| Outcome::fail(format!("could not start `{}`: {e}", program.display())))?;
        self.taps.push(child.stderr_tap());
        self.printed
            .push(("server".into(), child.stdout_tap(), child.stderr_tap()));
        let server = Server::announced(child, self.deadline(LISTEN_WAIT))?;
        self.note(format!("server listens on {}", server.addr));
        Ok(server)
    }

    /// Starts the client against `host:port`, with `extra` arguments after
    /// the address, stdin piped when `stdin`.
    pub fn client(
        &mut self,
        host: &str,
        port: u16,
        extra: &[&str],
        stdin: bool,
    ) -> Result<Child, Outcome> {
        let port = port.to_string();
        let mut args = vec!["--host", host, "--port", &port];
        args.extend_from_slice(extra);
        let program = self.client_program()?.with_args(&args);
        self.note(format!("start client: {}", program.display()));
        let child = Child::spawn(&program, stdin)
            .map_err(|e| Outcome::fail(format!("could not start `{}`: {e}", program.display())))?;
        self.taps.push(child.stderr_tap());
        self.printed
            .push(("client".into(), child.stdout_tap(), child.stderr_tap()));
        Ok(child)
    }

    /// Waits for a client to exit and collects what it printed.
    pub fn finish(&mut self, client: &Child) -> Result<Finished, Outcome> {
        let deadline = self.deadline(EXIT_WAIT);
        let status = client.wait(deadline).ok_or_else(|| {
            Outcome::fail(format!(
                "the client was still running {} after its work was done{}",
                human(deadline.budget()),
                printed(client)
            ))
        })?;
        let finished = Finished {
            stdout: client.output(Stream::Stdout),
            stderr: client.output(Stream::Stderr),
            status,
        };
        self.note(format!("client ended: {}", describe_status(status)));
        Ok(finished)
    }

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

/// The `file:line` of a `todo!()` panic in a Rust program's stderr.
pub fn todo_location(stderr: &[String]) -> Option<String> {
    stderr.windows(2).find_map(|pair| {
        let place = pair[0]
            .split("panicked at ")
            .nth(1)?
            .trim()
            .strip_suffix(':')?;
        let unfinished =
            pair[1].starts_with("not yet implemented") || pair[1].starts_with("not implemented");
        let (file_line, _column) = place.rsplit_once(':')?;
        unfinished.then(|| file_line.to_string())
    })
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

/// " ; it printed: …" with the program's last lines, or nothing.
pub fn printed(child: &Child) -> String {
    let mut said = Vec::new();
    for stream in [Stream::Stdout, Stream::Stderr] {
        let lines = child.output(stream);
        if !lines.is_empty() {
            let tail = &lines[lines.len().saturating_sub(5)..];
            let shown: Vec<String> = tail.iter().map(|l| show::text(l)).collect();
            said.push(format!("{} {}", stream.name(), shown.join(", ")));
        }
    }
    if said.is_empty() {
        "; it printed nothing".to_string()
    } else {
        format!("; it printed: {}", said.join("; "))
    }
}

/// Lines shown one after another, or "nothing".
pub fn lines_or_nothing(lines: &[String]) -> String {
    if lines.is_empty() {
        "nothing".to_string()
    } else {
        let tail = &lines[lines.len().saturating_sub(6)..];
        tail.iter()
            .map(|l| show::text(l))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todo_panics_are_found() {
        let stderr = [
            "thread 'main' (123) panicked at task01_connect/src/bin/server.rs:33:5:".to_string(),
            "not yet implemented: listen on 127.0.0.1:0".to_string(),
            "note: run with `RUST_BACKTRACE=1`".to_string(),
        ];
        assert_eq!(
            todo_location(&stderr).as_deref(),
            Some("task01_connect/src/bin/server.rs:33")
        );
        let other = [
            "thread 'main' panicked at src/main.rs:3:5:".to_string(),
            "boom".to_string(),
        ];
        assert_eq!(todo_location(&other), None);
    }

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
