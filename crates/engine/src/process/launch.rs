//! Starting a program, however it is started: from a
//! `std::process::Command`, or by a confinement that starts it itself
//! ([`Launch::Spawner`]); either way a child of the grader's, leading a
//! process group of its own, with its stdio piped.

use super::group;
use super::Launch;
use std::io;
use std::process::{ChildStderr, ChildStdin, ChildStdout, ExitStatus, Stdio};

/// A program just started, with the grader's ends of its stdio.
pub(super) struct Launched {
    pub process: Process,
    pub stdin: Option<ChildStdin>,
    pub stdout: ChildStdout,
    pub stderr: ChildStderr,
}

/// A started program, however it was started.
pub(super) enum Process {
    Spawned(std::process::Child),
    /// Started by a confinement ([`Launch::Spawner`]): a child of the
    /// grader's own all the same, leading a process group of its own.
    #[cfg(unix)]
    Adopted(u32),
}

impl Launch {
    /// Starts the program, its stdin piped when `stdin`, its stdout and
    /// stderr piped.
    pub(super) fn start(self, stdin: bool) -> io::Result<Launched> {
        match self {
            Launch::Command(mut command) => {
                command
                    .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                group::prepare(&mut command);
                // A panic's backtrace, symbolized from debug info, can take
                // seconds on a loaded machine, holding up the exit it comes
                // before; the panic's line already says where.
                command
                    .env_remove("RUST_BACKTRACE")
                    .env_remove("RUST_LIB_BACKTRACE");
                let mut child = command.spawn()?;
                let pipes = (child.stdout.take(), child.stderr.take());
                let (Some(stdout), Some(stderr)) = pipes else {
                    return Err(io::Error::other("a child without its pipes"));
                };
                Ok(Launched {
                    stdin: child.stdin.take(),
                    process: Process::Spawned(child),
                    stdout,
                    stderr,
                })
            }
            #[cfg(unix)]
            Launch::Spawner(spawner) => {
                use std::os::fd::OwnedFd;
                let (stdin_read, stdin_write) = match stdin {
                    true => {
                        let (read, write) = io::pipe()?;
                        (
                            OwnedFd::from(read),
                            Some(ChildStdin::from(OwnedFd::from(write))),
                        )
                    }
                    false => (OwnedFd::from(std::fs::File::open("/dev/null")?), None),
                };
                let (stdout, stdout_write) = io::pipe()?;
                let (stderr, stderr_write) = io::pipe()?;
                // The program's ends are closed here once it holds them.
                let pid = spawner(super::ChildStdio {
                    stdin: stdin_read,
                    stdout: stdout_write.into(),
                    stderr: stderr_write.into(),
                })?;
                Ok(Launched {
                    process: Process::Adopted(pid),
                    stdin: stdin_write,
                    stdout: ChildStdout::from(OwnedFd::from(stdout)),
                    stderr: ChildStderr::from(OwnedFd::from(stderr)),
                })
            }
        }
    }
}

impl Process {
    pub(super) fn id(&self) -> u32 {
        match self {
            Process::Spawned(child) => child.id(),
            #[cfg(unix)]
            Process::Adopted(pid) => *pid,
        }
    }

    pub(super) fn group(&self) -> io::Result<group::Group> {
        match self {
            Process::Spawned(child) => group::adopt(child),
            #[cfg(unix)]
            Process::Adopted(pid) => Ok(*pid as group::Group),
        }
    }

    /// Waits for the exit and reaps it.
    pub(super) fn wait(&mut self) -> io::Result<ExitStatus> {
        match self {
            Process::Spawned(child) => child.wait(),
            #[cfg(unix)]
            Process::Adopted(pid) => loop {
                let mut status = 0;
                // SAFETY: waits for a child of this process; `status` is a
                // local the call writes.
                match unsafe { libc::waitpid(*pid as i32, &mut status, 0) } {
                    -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                    -1 => return Err(io::Error::last_os_error()),
                    _ => {
                        use std::os::unix::process::ExitStatusExt;
                        return Ok(ExitStatus::from_raw(status));
                    }
                }
            },
        }
    }

    /// Kills a program that could not be made ready, and reaps it.
    pub(super) fn kill_now(&mut self) {
        match self {
            Process::Spawned(child) => {
                let _ = child.kill();
            }
            #[cfg(unix)]
            Process::Adopted(pid) => {
                // SAFETY: signals a child of this process, not yet reaped.
                unsafe { libc::kill(*pid as i32, libc::SIGKILL) };
            }
        }
        let _ = self.wait();
    }
}
