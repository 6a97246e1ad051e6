//! A supervised child process.
//!
//! Every program the grader runs is a [`Child`]: started in a process group
//! of its own, its stdout and stderr pumped into lines on background threads
//! (keeping at most [`KEPT_BYTES`] of each, so a program printing forever
//! can't eat the grader's memory), and killed as a group (SIGTERM, a short
//! grace, SIGKILL) and reaped when the `Child` is dropped, whatever path the
//! grader takes out. Every live group is also in a registry that
//! [`kill_all`] empties, for Ctrl-C.
//!
//! Nothing here sleeps to wait: lines and exits are waited for on condition
//! variables with a [`Deadline`](crate::time::Deadline).
//!
//! # Layout
//! - `child`: the [`Child`]: started, waited on, killed as a group, reaped.
//! - `launch`: how a program is started: a `Command`, or a confinement's
//!   own spawner.
//! - `lines`: the pumps that turn a child's output into bounded lines, and
//!   the [`Tap`] that keeps them after the child is gone.
//! - `registry`: the process groups alive now, for [`kill_all`].
//! - `cpu`: how busy a program is ([`Tree`]), to tell one that spins.
//! - here: what is run ([`Program`]), which stream, and how an exit reads.

mod child;
mod cpu;
mod exit;
mod group;
mod launch;
mod lines;
mod registry;

pub use child::{Child, Paused};
pub use cpu::Tree;
pub use exit::ExitWatch;
pub use group::Signal;
pub use lines::Tap;
pub use registry::{kill_all, stopping};

use std::fmt::Debug;
use std::io;
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::time::Duration;

/// How much of each output stream is kept; the rest is read and counted.
pub const KEPT_BYTES: usize = 256 * 1024;
/// A line longer than this is split, so one endless line stays bounded.
/// Task 04's client prints a 64 KiB reply on one line, and must be seen
/// to have done so.
pub const LONGEST_LINE: usize = 128 * 1024;
/// How long a program has to exit after SIGTERM before it gets SIGKILL.
pub const GRACE: Duration = Duration::from_millis(300);

/// What confines a program every time it starts: the classroom's sandbox
/// (`crate::sandbox::Jail`) for untrusted code. A program without one runs
/// as it is, as a student's own programs do on their own machine.
pub trait Confinement: Send + Sync + Debug {
    /// The command that starts `argv` confined, in its place: a launcher
    /// of the confinement's own that sets the confinement up and then runs
    /// the program. `script`, when there is one, is a file of `argv` the
    /// program reads as its code (a Python hand-in's `server.py`): the
    /// confined program must be able to read it, and nothing else of its
    /// folder.
    fn command(&self, argv: &[String], script: Option<&std::path::Path>) -> io::Result<Confined>;
    /// What the submission's shared budget has counted so far, to tell
    /// later which of its caps a check reached; `None` without a budget.
    fn mark(&self) -> Option<Box<dyn BudgetMark>>;
    /// The limit that `message` (a check's failure) or `stderr` (what the
    /// programs printed) points at, in words.
    fn explain(&self, message: &str, stderr: &[String]) -> Option<String>;
}

/// A confined program, ready to be spawned.
pub struct Confined {
    /// How it is started: stdio, process group and the like are set as on
    /// the program itself.
    pub launch: Launch,
    /// Once it is started (and the launch dropped, which closes the
    /// launcher's copy of the other end): reads end of file once the
    /// program itself runs, or, when a step kept it from starting, that
    /// step's OS error code (4 bytes, native order; 0 for none) and the
    /// error in words. `None`: nothing to wait for.
    pub started: Option<std::fs::File>,
}

/// How a confined program is started.
pub enum Launch {
    /// A command to spawn in the program's place.
    Command(Command),
    /// Started by the confinement itself, given the ends of its stdio:
    /// it returns the pid of a child of the grader's own (waited for like
    /// any other), which leads a process group of its own.
    #[cfg(unix)]
    Spawner(Spawner),
}

/// See [`Launch::Spawner`].
#[cfg(unix)]
pub type Spawner = Box<dyn FnOnce(ChildStdio) -> io::Result<u32> + Send>;

/// The program's ends of its stdin, stdout and stderr.
#[cfg(unix)]
pub struct ChildStdio {
    pub stdin: std::os::fd::OwnedFd,
    pub stdout: std::os::fd::OwnedFd,
    pub stderr: std::os::fd::OwnedFd,
}

impl Confined {
    /// Waits until the program runs, or for the reason it could not start.
    pub fn wait_started(started: std::fs::File) -> io::Result<()> {
        use std::io::Read;
        let mut told = Vec::new();
        started.take(4096).read_to_end(&mut told)?;
        if told.is_empty() {
            return Ok(());
        }
        match told
            .first_chunk::<4>()
            .map(|code| i32::from_ne_bytes(*code))
        {
            Some(0) => Err(io::Error::other(
                String::from_utf8_lossy(&told[4..]).into_owned(),
            )),
            Some(code) => Err(io::Error::from_raw_os_error(code)),
            None => Err(io::Error::other(
                "the confined program's launcher broke off",
            )),
        }
    }
}

/// A reading of a shared budget's counters, taken when a check began.
pub trait BudgetMark: Send + Sync {
    /// Each cap reached since the reading, in words.
    fn hit_since(&self) -> Vec<String>;
}

/// A command line to run: the program and its arguments, and what confines
/// it when it is untrusted code.
#[derive(Clone, Debug)]
pub struct Program {
    pub argv: Vec<String>,
    pub jail: Option<Arc<dyn Confinement>>,
    /// The file of `argv` an interpreter runs (a Python hand-in), which a
    /// confinement must let the program read.
    pub script: Option<std::path::PathBuf>,
}

impl PartialEq for Program {
    fn eq(&self, other: &Program) -> bool {
        let same_jail = match (&self.jail, &other.jail) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.argv == other.argv && self.script == other.script && same_jail
    }
}

impl Eq for Program {}

impl Program {
    pub fn new(argv: Vec<String>) -> Self {
        Program {
            argv,
            jail: None,
            script: None,
        }
    }

    /// This program, confined by `jail` every time it is started.
    pub fn jailed(mut self, jail: impl Confinement + 'static) -> Self {
        self.jail = Some(Arc::new(jail));
        self
    }

    /// The executable at `path`, with no arguments.
    pub fn from_path(path: &std::path::Path) -> Self {
        Program::new(vec![path.display().to_string()])
    }

    /// This program with `more` arguments appended.
    pub fn with_args<S: AsRef<str>>(&self, more: &[S]) -> Program {
        let mut argv = self.argv.clone();
        argv.extend(more.iter().map(|s| s.as_ref().to_string()));
        Program {
            argv,
            jail: self.jail.clone(),
            script: self.script.clone(),
        }
    }

    /// The command line as a shell would take it back.
    pub fn display(&self) -> String {
        shlex::try_join(self.argv.iter().map(String::as_str))
            .unwrap_or_else(|_| self.argv.join(" "))
    }
}

/// Which output stream of a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// Why a wait for a line ended without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoLine {
    /// The deadline passed.
    Timeout,
    /// The stream closed (usually: the program exited) with no such line.
    Closed,
}

/// How an exit status reads in a message: `exit status 1`, `killed by
/// signal 9`.
pub fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal: Option<i32> = None;
    match (status.code(), signal) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => match group::signal_name(signal) {
            Some(name) => format!("killed by signal {signal} ({name})"),
            None => format!("killed by signal {signal}"),
        },
        (None, None) => "an unknown exit".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Deadline;

    pub(super) fn sh(script: &str) -> Program {
        Program::new(vec!["sh".into(), "-c".into(), script.into()])
    }

    pub(super) fn soon() -> Deadline {
        Deadline::after(Duration::from_secs(10))
    }
    #[test]
    fn exit_statuses_read_naturally() {
        let child = Child::spawn(&sh("exit 3"), false).unwrap();
        assert_eq!(
            describe_status(child.wait(soon()).unwrap()),
            "exit status 3"
        );
        let child = Child::spawn(&sh("kill -9 $$"), false).unwrap();
        assert_eq!(
            describe_status(child.wait(soon()).unwrap()),
            "killed by signal 9 (SIGKILL)"
        );
    }
}
