//! Running a check: the [`Ctx`] it runs in, the programs under test
//! started the way the contract says, the grader's side of each
//! conversation, and the verdicts on what came back.
//!
//! # Layout
//! - this file: [`Ctx`], what a check runs with and what it has seen.
//! - [`server`]: the submission's server under test ([`Server`]).
//! - [`client`]: the submission's client under test, with the grader
//!   listening ([`session`]), or against the submission's own server.
//! - [`verdict`]: judging a finished client and showing what it printed.
//!
//! Programs started through the `Ctx` are killed when the check ends,
//! however it ends: each [`Child`] kills its process group when dropped.

mod client;
mod known;
mod server;
mod verdict;

pub use client::{
    finish_pair, send_then_close, session, Input, Listen, Session, IPV6, LOCALHOST, LOOPBACK,
};
pub use server::{connect, connection_line_names, ignored_port, listening_address, Server};
pub use verdict::{
    expect_clean_error, expect_error_exit, expect_line, expect_success, lines_or_nothing, panicked,
    printed, todo_location,
};

use crate::check::{Outcome, Role};
use crate::process::{describe_status, Child, Program, Stream, Tap};
use crate::time::{human, Deadline, Timing};
pub use known::Known;
use server::spawn;
use std::time::{Duration, Instant};

/// How long a server has to print `Listening on`.
pub const LISTEN_WAIT: Duration = Duration::from_secs(5);
/// How long any single exchange (a reply, a line, an exit) may take.
pub const REPLY_WAIT: Duration = Duration::from_secs(3);
/// How long a program has to exit once it has done its job.
pub const EXIT_WAIT: Duration = Duration::from_secs(5);

/// The longest transcript line kept, in characters.
pub const NOTE_CHARS: usize = 300;

/// The programs a check runs: the submission's server and client.
#[derive(Clone, Debug, Default)]
pub struct Subjects {
    pub server: Option<Program>,
    pub client: Option<Program>,
    /// What earlier checks learned about the server, shared by all.
    pub known: Known,
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
    /// The task's default port, when the check belongs to a task.
    default_port: Option<u16>,
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
            default_port: None,
        }
    }

    /// This context for a check of a task whose default port is `port`: a
    /// server that binds it whatever `--port` says fails for that, by name.
    pub fn with_default_port(mut self, port: u16) -> Self {
        self.default_port = Some(port);
        self
    }

    /// The task's default port, when known.
    pub fn default_port(&self) -> Option<u16> {
        self.default_port
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
    /// With it, the name of that program ("server" or "client").
    pub fn not_implemented(&self) -> Option<(String, String)> {
        self.printed
            .iter()
            .find_map(|(name, _, stderr)| Some((name.clone(), todo_location(&stderr.lines())?)))
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
    /// A server that binds another port than `--port` asked for (its
    /// default one, typically) fails with one message saying so, whether
    /// it announced that port or found it taken.
    pub fn server_with(&mut self, args: &[&str]) -> Result<Server, Outcome> {
        if let Some(outcome) = self.subjects.known.start(args) {
            self.note("not started: an earlier check started the server with the same arguments, and it failed for a reason that comes back every time");
            return Err(outcome);
        }
        let started = self.announce(args);
        // Starter code ends at its todo!(), which this check will name:
        // each later check finds that out for itself, quickly.
        if let Err(outcome) = &started {
            if self.not_implemented().is_none() {
                self.subjects.known.remember(args, outcome);
            }
        }
        started
    }

    fn announce(&mut self, args: &[&str]) -> Result<Server, Outcome> {
        let child = self.spawn_server(args)?;
        let stderr = child.stderr_tap();
        let announced = Server::announced(child, self.deadline(LISTEN_WAIT));
        let asked = args
            .windows(2)
            .find(|pair| pair[0] == "--port")
            .and_then(|pair| pair[1].parse::<u16>().ok());
        if let Some(asked) = asked {
            let port = announced.as_ref().ok().map(|server| server.addr.port());
            if let Some(outcome) = ignored_port(asked, self.default_port, port, &stderr.lines()) {
                return Err(outcome);
            }
        }
        let server = announced?;
        self.note(format!("server listens on {}", server.addr));
        Ok(server)
    }

    /// Starts the server with exactly `args`, waiting for nothing. Its
    /// stdin is a pipe left open, as a terminal where nobody types: a
    /// server that reads its operator's lines (task 06) must not see an
    /// end of input it was never given.
    pub fn spawn_server(&mut self, args: &[&str]) -> Result<Child, Outcome> {
        let program = self.server_program()?.with_args(args);
        self.start("server", &program, true)
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
        self.start("client", &program, stdin)
    }

    /// Starts the server (`Role::Server`) or the client (`Role::Client`)
    /// with exactly `args`, stdin `/dev/null`, waiting for nothing: for
    /// the checks of the command line itself.
    pub fn start_bare(&mut self, role: Role, args: &[&str]) -> Result<Child, Outcome> {
        let program = match role {
            Role::Server => self.server_program()?,
            Role::Client => self.client_program()?,
            Role::Pair => return Err(Outcome::error("a pair is two programs, not one")),
        };
        let name = format!("{} `{}`", role.as_str(), args.join(" "));
        self.start(&name, &program.with_args(args), false)
    }

    /// Starts `program` as this check's `name` ("server", "client", or
    /// either with its arguments for a bare run),
    /// keeping what it prints for the transcript.
    fn start(&mut self, name: &str, program: &Program, stdin: bool) -> Result<Child, Outcome> {
        self.note(format!("start {name}: {}", program.display()));
        let child = spawn(program, stdin)?;
        self.taps.push(child.stderr_tap());
        self.printed
            .push((name.into(), child.stdout_tap(), child.stderr_tap()));
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
}
