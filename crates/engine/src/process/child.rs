//! A running program under supervision: the [`Child`].
//!
//! It is started in a process group of its own and registered for Ctrl-C
//! before anything else can happen; a thread reaps it the moment it exits,
//! so waits are on condition variables with a [`Deadline`], never sleeps.
//! It is killed as a group (SIGTERM, a grace, SIGKILL) and reaped on every
//! path out, `Drop` included. A jailed program gets none of the grader's
//! environment.

use super::exit::{lock, Exit, ExitWatch};
use super::group::{self, Group, Signal};
use super::launch::Launched;
use super::lines::{Lines, Tap};
use super::registry::{live, starting, stopping};
use super::{Confined, Launch, NoLine, Program, Stream, GRACE};
use crate::time::Deadline;
use std::io::{self, Write};
use std::process::{ChildStdin, Command, ExitStatus};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// A running program under the grader's supervision. Dropping it kills the
/// program's whole process group and reaps it.
pub struct Child {
    program: Program,
    group: Group,
    pid: u32,
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
        // Started and registered under the gate, so that Ctrl-C can't fall
        // between the two and leave this child unknown.
        let gate = starting();
        if stopping() {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "the grader is stopping",
            ));
        }
        let (launch, started) = match &program.jail {
            Some(jail) => {
                let confined = jail.command(&program.argv, program.script.as_deref())?;
                (confined.launch, confined.started)
            }
            None => {
                let mut command = Command::new(name);
                command.args(args);
                (Launch::Command(command), None)
            }
        };
        let Launched {
            mut process,
            stdin,
            stdout: out,
            stderr: err,
        } = launch.start(stdin)?;
        if let Some(started) = started {
            if let Err(e) = Confined::wait_started(started) {
                process.kill_now();
                return Err(e);
            }
        }
        let pid = process.id();
        let group = match process.group() {
            Ok(group) => group,
            Err(e) => {
                process.kill_now();
                return Err(e);
            }
        };
        live().push(group);
        drop(gate);

        let stdout = Arc::new(Lines::default());
        let stderr = Arc::new(Lines::default());
        Arc::clone(&stdout).pump(out);
        Arc::clone(&stderr).pump(err);

        // A thread owns the process and reaps it the moment it exits, so
        // waiting for an exit is a wait on a condition variable with a
        // deadline, and a program that exits is never left a zombie.
        let exit = Arc::new(Exit::default());
        let reaper = Arc::clone(&exit);
        thread::spawn(move || {
            if let Ok(status) = process.wait() {
                let own = !reaper.signalled.load(Ordering::SeqCst)
                    && !reaper.stdin_closed.load(Ordering::SeqCst);
                reaper.on_its_own.store(own, Ordering::SeqCst);
                *reaper.lock() = Some(status);
                reaper.changed.notify_all();
            }
        });

        Ok(Child {
            program: program.clone(),
            group,
            pid,
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
        self.pid
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

    /// Bytes of `stream` that were read but not kept, past
    /// [`KEPT_BYTES`](super::KEPT_BYTES).
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

    /// Writes to the program's stdin (if it was piped). A shared borrow is
    /// enough: a check types on a server's stdin while others hold it.
    pub fn write_stdin(&self, data: &[u8]) -> io::Result<()> {
        match self.stdin.as_ref() {
            Some(mut stdin) => stdin.write_all(data),
            None => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "stdin is not piped",
            )),
        }
    }

    /// The program's stdin, if piped: a check may clone it for a thread of
    /// its own that types, however long the program takes to read.
    pub fn stdin(&self) -> Option<&ChildStdin> {
        self.stdin.as_ref()
    }

    /// Closes the program's stdin: it reads end-of-file.
    pub fn close_stdin(&mut self) {
        self.exit.stdin_closed.store(true, Ordering::SeqCst);
        self.stdin = None;
    }

    /// Something to ask later whether the program ended of its own accord.
    pub fn exit_watch(&self) -> ExitWatch {
        ExitWatch(Arc::clone(&self.exit))
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
        // Its last lines may still be in the pipes, read by threads a
        // loaded machine runs late; a grandchild may hold the pipes open,
        // so don't wait on it for long.
        let drain = Deadline::after(Duration::from_secs(1));
        self.wait_for_close(Stream::Stdout, drain);
        self.wait_for_close(Stream::Stderr, drain);
        status
    }

    /// Sends `signal` the way it reaches a program in real life. A plain
    /// program gets it as a terminal's Ctrl-C does: its whole process group
    /// (a wrapper such as `sh -c` and what it runs). A jailed one gets it
    /// as a supervisor sends it, to the one process the grader started,
    /// whose `outer` and `init` pass it on: sent to the group, the program
    /// would get it from each of them again.
    pub fn signal(&self, signal: Signal) -> io::Result<()> {
        self.exit.signalling();
        group::send(self.group, signal, self.program.jail.is_none())
    }

    /// Stops the whole process group (SIGSTOP) until the returned guard is
    /// dropped, which continues it (SIGCONT). A stopped program runs none of
    /// its own code: connections that come and go meanwhile wait in the
    /// OS's queue for it, however fast the program would have been.
    pub fn pause(&self) -> Paused<'_> {
        let stopped = crate::platform::signals() && self.status().is_none();
        if stopped {
            let _ = group::send(self.group, Signal::Stop, true);
        }
        Paused(self, stopped)
    }

    /// Kills the whole process group (SIGTERM, [`GRACE`], SIGKILL) and
    /// reaps the program. Safe to call more than once.
    pub fn kill(&mut self) {
        self.kill_with_grace(GRACE);
    }

    /// [`Child::kill`] with a longer grace, for a child that has children
    /// of its own to stop when it gets SIGTERM (a child grader in a batch).
    pub fn kill_with_grace(&mut self, grace: Duration) {
        // A program that has already ended on its own, not yet reaped,
        // is told apart from one the grader stops: the reaper gets it first.
        if self.status().is_none() && super::exit::ended_unreaped(self.pid) {
            self.wait(Deadline::after(Duration::from_secs(1)));
        }
        // Signalled first: its stdin's end (which ends a chat server) is
        // the grader's doing too.
        self.exit.signalling();
        self.stdin = None;
        if self.status().is_none() {
            let _ = group::send(self.group, Signal::Terminate, true);
            self.wait(Deadline::after(grace));
        }
        // Even when the program itself is gone, anything it forked may still
        // be alive in its group.
        let _ = group::send(self.group, Signal::Kill, true);
        self.wait(Deadline::after(Duration::from_secs(5)));
        live().retain(|&group| group != self.group);
    }
}

/// A [`Child`] stopped by [`Child::pause`]; dropped, it continues.
pub struct Paused<'a>(&'a Child, bool);

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        if self.1 && self.0.status().is_none() {
            let _ = group::send(self.0.group, Signal::Continue, true);
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        lock(&self.exit.cleanup_at).get_or_insert_with(Instant::now);
        self.kill();
        group::release(self.group);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{sh, soon};
    use super::*;

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
    fn stdin_is_piped_and_closed() {
        let mut child = Child::spawn(&Program::new(vec!["cat".into()]), true).unwrap();
        child.write_stdin(b"echoed\n").unwrap();
        child.close_stdin();
        let status = child.wait(soon()).unwrap();
        assert!(status.success());
        assert_eq!(child.output(Stream::Stdout), ["echoed"]);
    }

    #[test]
    fn an_exit_after_the_grader_closed_stdin_or_signalled_is_not_its_own() {
        let own = Child::spawn(&sh("exit 3"), false).unwrap();
        own.wait(soon()).unwrap();
        assert!(own.exit_watch().on_its_own().is_some());
        let mut fed = Child::spawn(&Program::new(vec!["cat".into()]), true).unwrap();
        fed.close_stdin();
        fed.wait(soon()).unwrap();
        assert_eq!(fed.exit_watch().on_its_own(), None);
        // Dropped: stopped by the grader's cleanup, and when is known.
        let watch = Child::spawn(&sh("exec sleep 30"), false)
            .unwrap()
            .exit_watch();
        assert_eq!(watch.on_its_own(), None);
        assert!(watch.cleanup_at().is_some() && watch.signalled_at().is_some());
    }

    #[test]
    fn sigint_stops_a_program_though_the_grader_ignores_it() {
        // As under a shell script's `grader &`; put back at once, since
        // the other tests share this process.
        let ignored = unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
        let child = Child::spawn(&sh("echo ready; exec sleep 30"), false);
        unsafe { libc::signal(libc::SIGINT, ignored) };
        let child = child.unwrap();
        child
            .wait_for_line(Stream::Stdout, soon(), |l| l == "ready")
            .unwrap();
        child.signal(Signal::Interrupt).unwrap();
        let status = child.wait(soon()).unwrap();
        assert_eq!(
            super::super::describe_status(status),
            "killed by signal 2 (SIGINT)"
        );
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
}
