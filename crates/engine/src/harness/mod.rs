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
//! - [`spin`]: a program that keeps a CPU busy where it should be idle.
//!
//! Programs started through the `Ctx` are killed when the check ends,
//! however it ends: each [`Child`] kills its process group when dropped.

mod blame;
mod client;
mod known;
mod panic;
mod server;
mod spin;
mod verdict;

pub use client::{
    finish_pair, send_then_close, session, Input, Listen, Session, IPV6, LOCALHOST, LOOPBACK,
};
pub use server::{connect, connection_line_names, ignored_port, listening_address, Server};
pub use spin::{read_to_close, spins, until_idle, Watch};
pub use verdict::{
    expect_clean_error, expect_error_exit, expect_line, expect_mismatch_error, expect_success,
    lines_or_nothing, panicked, printed, todo_location,
};

use crate::outcome::{Outcome, Role};
use crate::peer::{End, Received};
use crate::process::{
    describe_status, BudgetMark, Child, Confinement, ExitWatch, Program, Stream, Tap,
};
use crate::show;
use crate::time::{human, Deadline, Timing};
pub use blame::panicked as panic_outcome;
pub use known::{Known, Never};
pub use panic::panic_words;
use server::spawn;
use std::time::{Duration, Instant};

// A correct program does each of these within milliseconds on loopback.
// The waits are hundreds of times that, for a loaded machine, and short
// enough that a wrong program is graded in seconds (students spend most of
// their time there). `--timeout-scale` stretches them all.

/// How long a server has to print `Listening on`.
pub const LISTEN_WAIT: Duration = Duration::from_millis(2500);
/// How long any single exchange (a reply, a line, an exit) may take.
pub const REPLY_WAIT: Duration = Duration::from_secs(2);
/// How long a program has to exit once it has done its job.
pub const EXIT_WAIT: Duration = Duration::from_millis(2500);

/// How often a long wait looks up to see whether an earlier check has
/// already found what it waits for will never come.
pub const STEP: Duration = Duration::from_millis(100);

/// Reads with `read` until the peer closes or `deadline` passes, as
/// [`crate::peer::read_to_end`] does, but gives up as soon as an earlier check
/// has seen `never`: what this wait is for.
pub fn read_to_end_unless(
    ctx: &Ctx,
    never: Never,
    deadline: Deadline,
    mut read: impl FnMut(Deadline) -> Received,
) -> Received {
    let mut bytes = Vec::new();
    loop {
        let mut got = read(deadline.step(STEP));
        bytes.append(&mut got.bytes);
        let look_again = matches!(got.end, End::Timeout)
            && !deadline.expired()
            && ctx.subjects.known.never(never).is_none();
        if !look_again {
            return Received {
                bytes,
                end: got.end,
            };
        }
    }
}

/// How long a server that has panicked is given to end, when the panic was
/// in its main thread.
const PANIC_ENDS: Duration = Duration::from_secs(1);

/// `panicked at src/main.rs:20:5: the message` from a Rust panic on
/// stderr, without the thread's id, which changes every run.
fn panic_place(stderr: &[String]) -> Option<String> {
    let at = stderr.iter().position(|l| l.contains("panicked at "))?;
    let (_, place) = stderr[at].split_once("panicked at ")?;
    let message = stderr.get(at + 1).map_or("", String::as_str);
    Some(format!("panicked at {place} {}", show::text(message)))
}

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

impl Subjects {
    /// What confines the submission's programs, when something does.
    pub fn confinement(&self) -> Option<&dyn Confinement> {
        [&self.server, &self.client]
            .into_iter()
            .flatten()
            .find_map(|p| p.jail.as_deref())
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
    /// How each of them ended, in the same order.
    watches: Vec<ExitWatch>,
    /// The stderr of every program this check started.
    taps: Vec<Tap>,
    /// The task's default port, when the check belongs to a task.
    default_port: Option<u16>,
    /// Every server this check started that announced itself, with its
    /// stderr: whether it ended of its own accord, and its last words.
    servers: Vec<(ExitWatch, Tap)>,
    /// The submission's budget counters when the check began.
    budget_before: Option<Box<dyn BudgetMark>>,
}

impl<'a> Ctx<'a> {
    pub fn new(subjects: &'a Subjects, timing: Timing) -> Self {
        let budget_before = subjects.confinement().and_then(|jail| jail.mark());
        Ctx {
            subjects,
            timing,
            transcript: Vec::new(),
            started: Instant::now(),
            printed: Vec::new(),
            watches: Vec::new(),
            taps: Vec::new(),
            default_port: None,
            servers: Vec::new(),
            budget_before,
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
    /// `outcome` or what the programs printed points at one. A cap of the
    /// submission's budget comes first: the kernel's counters say so for
    /// certain (though another check running at the same time may have
    /// been the one to reach it).
    pub fn limit_hit(&self, outcome: &Outcome) -> Option<String> {
        if let Some(mark) = &self.budget_before {
            if let Some(hit) = mark.hit_since().into_iter().next() {
                return Some(hit);
            }
        }
        let jail = self.subjects.confinement()?;
        let stderr: Vec<String> = self.taps.iter().flat_map(Tap::lines).collect();
        jail.explain(&outcome.message, &stderr)
    }

    /// What the programs this check started as `name` ("server",
    /// "client") printed on stdout so far, in order.
    pub fn stdout_of(&self, name: &str) -> Vec<String> {
        self.printed
            .iter()
            .filter(|(started, _, _)| started == name)
            .flat_map(|(_, stdout, _)| stdout.lines())
            .collect()
    }

    /// Where a program this check started stopped at a `todo!()` (or
    /// `unimplemented!()`), as `file:line`: the student edition's starter
    /// code, not yet filled in.
    /// With it, the name of that program ("server" or "client").
    /// A program that has exited is read to the end of its stderr first:
    /// a Python stub prints its traceback as it exits, after the sockets
    /// its `with` blocks closed.
    pub fn not_implemented(&self) -> Option<(String, String)> {
        let drain = Deadline::after(panic::DRAIN);
        self.printed
            .iter()
            .zip(&self.watches)
            .find_map(|((name, _, stderr), watch)| {
                if watch.exited() {
                    stderr.wait_closed(drain);
                }
                Some((name.clone(), todo_location(&stderr.lines())?))
            })
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
        self.servers.push((server.child.exit_watch(), stderr));
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
        self.watches.push(child.exit_watch());
        Ok(child)
    }

    /// How a server of this check ended of its own accord, if one did: its
    /// status, and its panic or, for a failure status, its last stderr line
    /// (usually why), in the same words every time.
    pub fn server_exit(&self) -> Option<String> {
        self.servers.iter().find_map(|(watch, stderr)| {
            let stderr = stderr.lines();
            // A panic in its main thread ends a server once the message
            // (and a backtrace, which can take a while) is out.
            let status = match panic_place(&stderr) {
                Some(_) => watch.wait_on_its_own(self.deadline(PANIC_ENDS)),
                None => watch.on_its_own(),
            };
            let status = status?;
            // Status 0 is a main that returned: what it last printed is
            // not why, and can change with the timing (a note, say).
            let last = stderr.last().filter(|_| !status.success());
            let status = describe_status(status);
            Some(match (panic_place(&stderr), last) {
                (Some(panic), _) => format!("{status}; it {panic}"),
                (None, Some(line)) => {
                    format!("{status}; its last stderr line: {}", show::text(line))
                }
                (None, None) => status,
            })
        })
    }

    /// Waits for a client to exit and collects what it printed.
    pub fn finish(&mut self, client: &Child) -> Result<Finished, Outcome> {
        let deadline = self.deadline(EXIT_WAIT);
        self.finish_by(client, deadline)
    }

    /// [`Ctx::finish`], the wait ending at `deadline`.
    pub fn finish_by(&mut self, client: &Child, deadline: Deadline) -> Result<Finished, Outcome> {
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
