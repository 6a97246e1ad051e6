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
//! variables with a [`Deadline`].

use crate::sandbox::Jail;
use crate::time::Deadline;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::io::{self, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How much of each output stream is kept; the rest is read and counted.
pub const KEPT_BYTES: usize = 256 * 1024;
/// A line longer than this is split, so one endless line stays bounded.
pub const LONGEST_LINE: usize = 16 * 1024;
/// How long a program has to exit after SIGTERM before it gets SIGKILL.
pub const GRACE: Duration = Duration::from_millis(300);

/// The `PATH` of a jailed program: the system's folders, nothing else.
const JAILED_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Process groups of the children alive now, for [`kill_all`].
static LIVE: Mutex<Vec<i32>> = Mutex::new(Vec::new());
/// Set by [`kill_all`]: the grader is stopping and starts nothing more.
static STOPPING: AtomicBool = AtomicBool::new(false);

fn live() -> MutexGuard<'static, Vec<i32>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stops every child process group still alive, for the Ctrl-C handler:
/// SIGTERM first, so that a child grader (in a batch) can stop its own
/// children, then SIGKILL. The pause is a third of [`GRACE`], so that a
/// child grader finishes its own cleanup before its parent's grace ends.
pub fn kill_all() {
    let groups = {
        let live = live();
        // No child is started after this; one being started now is in
        // `live` once we hold its lock.
        STOPPING.store(true, Ordering::SeqCst);
        live.clone()
    };
    for &group in &groups {
        let _ = killpg(Pid::from_raw(group), Signal::SIGTERM);
    }
    thread::sleep(GRACE / 3);
    for &group in &groups {
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
    }
}

/// Whether [`kill_all`] has run: the grader is being stopped.
pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

/// A command line to run: the program and its arguments, and the jail it
/// runs in when it is untrusted code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub argv: Vec<String>,
    pub jail: Option<Jail>,
}

impl Program {
    pub fn new(argv: Vec<String>) -> Self {
        Program { argv, jail: None }
    }

    /// This program, confined by `jail` every time it is started.
    pub fn jailed(mut self, jail: Jail) -> Self {
        self.jail = Some(jail);
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

#[derive(Default)]
struct Captured {
    lines: Vec<String>,
    /// When each line arrived, for transcripts.
    arrived: Vec<Instant>,
    partial: Vec<u8>,
    kept: usize,
    dropped: u64,
    closed: bool,
}

impl Captured {
    /// Keeps one line; `size` is the bytes it took in the stream.
    fn push_line(&mut self, raw: &[u8], size: usize) {
        if self.kept + size > KEPT_BYTES {
            self.dropped += size as u64;
            return;
        }
        self.kept += size;
        // A `\r` before the newline stays: a client that prints one has
        // printed something other than the text.
        self.lines.push(String::from_utf8_lossy(raw).into_owned());
        self.arrived.push(Instant::now());
    }

    fn take(&mut self, data: &[u8]) {
        for piece in data.split_inclusive(|&b| b == b'\n') {
            self.partial.extend_from_slice(piece);
            if piece.ends_with(b"\n") {
                let line = std::mem::take(&mut self.partial);
                self.push_line(&line[..line.len() - 1], line.len());
            } else if self.partial.len() >= LONGEST_LINE {
                let line = std::mem::take(&mut self.partial);
                self.push_line(&line, line.len());
            }
        }
    }

    fn close(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.push_line(&line, line.len());
        }
        self.closed = true;
    }
}

/// One output stream's lines, shared with the thread that pumps it.
#[derive(Default)]
struct Lines {
    captured: Mutex<Captured>,
    changed: Condvar,
}

impl Lines {
    fn lock(&self) -> MutexGuard<'_, Captured> {
        self.captured
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn pump(self: Arc<Self>, mut pipe: impl Read + Send + 'static) {
        thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            loop {
                match pipe.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        self.lock().take(&buffer[..n]);
                        self.changed.notify_all();
                    }
                }
            }
            self.lock().close();
            self.changed.notify_all();
        });
    }
}

#[derive(Default)]
struct Exit {
    status: Mutex<Option<ExitStatus>>,
    changed: Condvar,
}

impl Exit {
    fn lock(&self) -> MutexGuard<'_, Option<ExitStatus>> {
        self.status
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A handle on a child's stderr that outlives the child, to look at what
/// it said after it is gone.
#[derive(Clone)]
pub struct Tap(Arc<Lines>);

impl Tap {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().lines.clone()
    }

    /// Every line with the moment it arrived.
    pub fn stamped(&self) -> Vec<(Instant, String)> {
        let captured = self.0.lock();
        captured
            .arrived
            .iter()
            .copied()
            .zip(captured.lines.iter().cloned())
            .collect()
    }
}

/// A running program under the grader's supervision. Dropping it kills the
/// program's whole process group and reaps it.
pub struct Child {
    program: Program,
    group: Pid,
    stdin: Option<ChildStdin>,
    stdout: Arc<Lines>,
    stderr: Arc<Lines>,
    exit: Arc<Exit>,
}

impl Child {
    /// Starts `program` in a new process group, stdin piped when `stdin`.
    pub fn spawn(program: &Program, stdin: bool) -> io::Result<Child> {
        let (name, args) = program
            .argv
            .split_first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
        // Started and registered under the registry's lock, so that Ctrl-C
        // can't fall between the two and leave this child unknown.
        let mut live = live();
        if STOPPING.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "the grader is stopping",
            ));
        }
        let mut command = Command::new(name);
        command
            .args(args)
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(jail) = &program.jail {
            // Nothing of the grader's environment (a CI token, say) reaches
            // untrusted code.
            command.env_clear().env("PATH", JAILED_PATH);
            let mut prepared = jail.prepare(&executable(name)?)?;
            // SAFETY: `enter` makes only async-signal-safe calls; whatever
            // allocates was done by `prepare`.
            unsafe {
                command.pre_exec(move || prepared.enter());
            }
        }
        let mut child = command.spawn()?;
        let group = Pid::from_raw(child.id() as i32);
        live.push(group.as_raw());
        drop(live);

        let stdout = Arc::new(Lines::default());
        let stderr = Arc::new(Lines::default());
        if let Some(pipe) = child.stdout.take() {
            Arc::clone(&stdout).pump(pipe);
        }
        if let Some(pipe) = child.stderr.take() {
            Arc::clone(&stderr).pump(pipe);
        }
        let stdin = child.stdin.take();

        // A thread owns the std Child and reaps it the moment it exits, so
        // waiting for an exit is a wait on a condition variable with a
        // deadline, and a program that exits is never left a zombie.
        let exit = Arc::new(Exit::default());
        let reaper = Arc::clone(&exit);
        thread::spawn(move || {
            if let Ok(status) = child.wait() {
                *reaper.lock() = Some(status);
                reaper.changed.notify_all();
            }
        });

        Ok(Child {
            program: program.clone(),
            group,
            stdin,
            stdout,
            stderr,
            exit,
        })
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    pub fn pid(&self) -> u32 {
        self.group.as_raw() as u32
    }

    fn lines(&self, stream: Stream) -> &Lines {
        match stream {
            Stream::Stdout => &self.stdout,
            Stream::Stderr => &self.stderr,
        }
    }

    /// Waits for the first line of `stream` (old or new) that `matches`.
    pub fn wait_for_line(
        &self,
        stream: Stream,
        deadline: Deadline,
        matches: impl Fn(&str) -> bool,
    ) -> Result<String, NoLine> {
        let lines = self.lines(stream);
        let mut captured = lines.lock();
        let mut seen = 0;
        loop {
            if let Some(line) = captured.lines[seen..].iter().find(|l| matches(l)) {
                return Ok(line.clone());
            }
            seen = captured.lines.len();
            if captured.closed {
                return Err(NoLine::Closed);
            }
            let Some(left) = deadline.remaining() else {
                return Err(NoLine::Timeout);
            };
            captured = lines
                .changed
                .wait_timeout(captured, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// A handle on this program's stderr that outlives it.
    pub fn stderr_tap(&self) -> Tap {
        Tap(Arc::clone(&self.stderr))
    }

    /// A handle on this program's stdout that outlives it.
    pub fn stdout_tap(&self) -> Tap {
        Tap(Arc::clone(&self.stdout))
    }

    /// Every line of `stream` so far.
    pub fn output(&self, stream: Stream) -> Vec<String> {
        self.lines(stream).lock().lines.clone()
    }

    /// Bytes of `stream` that were read but not kept, past [`KEPT_BYTES`].
    pub fn dropped(&self, stream: Stream) -> u64 {
        self.lines(stream).lock().dropped
    }

    /// Waits until `stream` is closed, which for a program that exits is
    /// once all its output has been read.
    pub fn wait_for_close(&self, stream: Stream, deadline: Deadline) -> bool {
        let lines = self.lines(stream);
        let mut captured = lines.lock();
        while !captured.closed {
            let Some(left) = deadline.remaining() else {
                return false;
            };
            captured = lines
                .changed
                .wait_timeout(captured, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        true
    }

    /// Writes to the program's stdin (if it was piped).
    pub fn write_stdin(&mut self, data: &[u8]) -> io::Result<()> {
        match self.stdin.as_mut() {
            Some(stdin) => stdin.write_all(data),
            None => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "stdin is not piped",
            )),
        }
    }

    /// Closes the program's stdin: it reads end-of-file.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The exit status, if the program has exited.
    pub fn status(&self) -> Option<ExitStatus> {
        *self.exit.lock()
    }

    /// Waits for the program to exit; `None` if it is still running at the
    /// deadline. Once it has exited, its output is waited for briefly too,
    /// so the caller sees every line it printed.
    pub fn wait(&self, deadline: Deadline) -> Option<ExitStatus> {
        let mut status = self.exit.lock();
        while status.is_none() {
            let left = deadline.remaining()?;
            status = self
                .exit
                .changed
                .wait_timeout(status, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        let status = *status;
        // A grandchild may hold the pipes open; don't wait on it for long.
        let drain = Deadline::after(Duration::from_millis(200));
        self.wait_for_close(Stream::Stdout, drain);
        self.wait_for_close(Stream::Stderr, drain);
        status
    }

    /// Kills the whole process group (SIGTERM, [`GRACE`], SIGKILL) and
    /// reaps the program. Safe to call more than once.
    pub fn kill(&mut self) {
        self.kill_with_grace(GRACE);
    }

    /// [`Child::kill`] with a longer grace, for a child that has children
    /// of its own to stop when it gets SIGTERM (a child grader in a batch).
    pub fn kill_with_grace(&mut self, grace: Duration) {
        self.stdin = None;
        if self.status().is_none() {
            let _ = killpg(self.group, Signal::SIGTERM);
            self.wait(Deadline::after(grace));
        }
        // Even when the program itself is gone, anything it forked may still
        // be alive in its group.
        let _ = killpg(self.group, Signal::SIGKILL);
        self.wait(Deadline::after(Duration::from_secs(5)));
        live().retain(|&group| group != self.group.as_raw());
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The file `name` runs: itself when it has a slash, else the first match
/// on `PATH`.
fn executable(name: &str) -> io::Result<std::path::PathBuf> {
    let found = if name.contains('/') {
        Some(std::path::PathBuf::from(name))
    } else {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|file| file.is_file())
        })
    };
    found
        .and_then(|file| file.canonicalize().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no program `{name}`")))
}

/// How an exit status reads in a message: `exit status 1`, `killed by
/// signal 9`.
pub fn describe_status(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => match Signal::try_from(signal) {
            Ok(name) => format!("killed by signal {signal} ({})", name.as_str()),
            Err(_) => format!("killed by signal {signal}"),
        },
        (None, None) => "an unknown exit".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Program {
        Program::new(vec!["sh".into(), "-c".into(), script.into()])
    }

    fn soon() -> Deadline {
        Deadline::after(Duration::from_secs(10))
    }

    #[test]
    fn lines_are_split_and_matched() {
        let child = Child::spawn(&sh("printf 'one\\r\\ntwo\\nListening on x'"), false).unwrap();
        let line = child
            .wait_for_line(Stream::Stdout, soon(), |l| l.starts_with("Listening"))
            .unwrap();
        assert_eq!(line, "Listening on x");
        assert_eq!(
            child.output(Stream::Stdout),
            ["one\r", "two", "Listening on x"]
        );
    }

    #[test]
    fn a_closed_stream_ends_the_wait_at_once() {
        let child = Child::spawn(&sh("echo nothing useful"), false).unwrap();
        let waited = child.wait_for_line(Stream::Stdout, soon(), |l| l.contains("Listening"));
        assert_eq!(waited, Err(NoLine::Closed));
    }

    #[test]
    fn a_silent_program_times_out() {
        let child = Child::spawn(&sh("exec sleep 30"), false).unwrap();
        let waited = child.wait_for_line(
            Stream::Stdout,
            Deadline::after(Duration::from_millis(50)),
            |_| true,
        );
        assert_eq!(waited, Err(NoLine::Timeout));
    }

    #[test]
    fn output_is_capped() {
        let child = Child::spawn(&sh("yes 0123456789 | head -c 1999998"), false).unwrap();
        assert!(child.wait(soon()).is_some());
        let kept: usize = child
            .output(Stream::Stdout)
            .iter()
            .map(|l| l.len() + 1)
            .sum();
        assert!(kept <= KEPT_BYTES, "kept {kept} bytes");
        let dropped = child.dropped(Stream::Stdout);
        assert_eq!(
            kept as u64 + dropped,
            1_999_998,
            "kept {kept}, dropped {dropped}"
        );
    }

    #[test]
    fn stdin_is_piped_and_closed() {
        let mut child = Child::spawn(&Program::new(vec!["cat".into()]), true).unwrap();
        child.write_stdin(b"echoed\n").unwrap();
        child.close_stdin();
        let status = child.wait(soon()).unwrap();
        assert!(status.success());
        assert_eq!(child.output(Stream::Stdout), ["echoed"]);
    }

    #[test]
    fn kill_reaches_the_whole_group() {
        // The shell starts a grandchild and reports its pid; killing the
        // child must kill the grandchild too.
        let mut child = Child::spawn(&sh("sleep 30 & echo $!; wait"), false).unwrap();
        let grandchild: i32 = child
            .wait_for_line(Stream::Stdout, soon(), |_| true)
            .unwrap()
            .parse()
            .unwrap();
        child.kill();
        assert!(child.status().is_some());
        // The grandchild's parent (the shell) is reaped by us, so it was
        // re-parented to init, which reaps it once killed: poll its /proc
        // entry within a deadline.
        let gone = Deadline::after(Duration::from_secs(5));
        while std::path::Path::new(&format!("/proc/{grandchild}")).exists() {
            let stat =
                std::fs::read_to_string(format!("/proc/{grandchild}/stat")).unwrap_or_default();
            if stat.contains(") Z ") {
                break;
            }
            assert!(!gone.expired(), "grandchild {grandchild} survived the kill");
            thread::yield_now();
        }
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
