//! What the grader hands the launcher of a jailed process (see
//! [`super::jail`] for the chain, [`super::launcher`] for what the launcher
//! does with it), and the two ways a launcher is started.
//!
//! A program is started by the zygote ([`super::zygote`]): one launcher
//! kept for the grader's whole run, which forks a copy of itself for each
//! start, and gets the plan, the arguments, the environment and the
//! descriptors over a socket ([`Plan::spawner`]).
//!
//! A build (cargo, which runs once per submission) is started by its own
//! launcher: the grader forks only to exec its own binary again
//! (`/proc/self/exe`) with a hidden first argument ([`Plan::command`]).
//! That command line is `MARKER PLAN ARGS…`: `PLAN` a descriptor of the
//! [`Plan`] (JSON, in a memfd), and `ARGS` cargo's arguments. Its
//! environment is cargo's. Every descriptor it is handed was opened by
//! the grader with close-on-exec and loses that flag only in the forked
//! child, so no other program the grader starts meanwhile inherits it.
//!
//! Either way `outer` and `init`, which stay beside the program for its
//! whole life, are copies of a small fresh process, not of the grader,
//! whose every page they would otherwise share (forking a copy of the
//! grader costs more the larger it is, and every page the grader writes
//! afterwards is copied once).

use super::view::Mounts;
use super::Limits;
use crate::process::{Confined, Launch};
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::memfd::{memfd_create, MFdFlags};
use serde::{Deserialize, Serialize};
use std::ffi::CString;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The first argument that makes the grader's binary a launcher.
pub(super) const MARKER: &str = "--grader-jail-launcher";

/// How to set one jailed process up, and what it runs.
#[derive(Serialize, Deserialize)]
pub(super) struct Plan {
    pub uid: u32,
    pub gid: u32,
    pub limits: Limits,
    /// Whether the landlock rules must hold (see `Jail::landlock`).
    pub landlock: bool,
    /// The `cgroup.procs` files of the submission's budget, joined first.
    pub budget: Vec<CString>,
    pub view: View,
    /// The program's name as given (its `argv[0]`).
    pub name: CString,
    /// The file it runs.
    pub path: CString,
    /// A descriptor of `path` the grader opened, which the landlock rule
    /// names and a native program is run from; none for a build, whose
    /// cargo is run by its path in the build's view.
    pub executable: Option<RawFd>,
}

/// What the jailed process sees of the file system.
#[derive(Serialize, Deserialize)]
pub(super) enum View {
    /// A program: a fresh tmpfs over `scratch`, its working folder, and in
    /// it, when there is one, a file given as its name and a descriptor to
    /// read it from (a Python hand-in's script).
    Scratch {
        scratch: CString,
        plant: Option<(CString, RawFd)>,
    },
    /// A build: see [`super::view`].
    Build(Mounts),
}

/// The descriptors a launcher is handed, kept open until it is spawned.
#[derive(Default)]
pub(super) struct Handed {
    fds: Vec<OwnedFd>,
}

impl Handed {
    /// Hands `fd` on; its number, as the launcher will have it.
    pub fn hand(&mut self, fd: impl Into<OwnedFd>) -> io::Result<RawFd> {
        let mut fd = fd.into();
        // 0 to 2 are the program's stdio, set up over whatever is there.
        if fd.as_raw_fd() < 3 {
            let above = fcntl(&fd, FcntlArg::F_DUPFD_CLOEXEC(3))?;
            // SAFETY: a descriptor fcntl(2) just made, owned by no one else.
            fd = unsafe { OwnedFd::from_raw_fd(above) };
        }
        let raw = fd.as_raw_fd();
        self.fds.push(fd);
        Ok(raw)
    }

    pub(super) fn fds(&self) -> &[OwnedFd] {
        &self.fds
    }
}

impl Plan {
    /// How the zygote ([`super::zygote`]) starts this plan with `handed`
    /// (the descriptors the plan names), `args` (after the program's
    /// name) and `env`; the spawner waits on [`Confined::started`].
    pub fn spawner(
        self,
        handed: Handed,
        args: Vec<CString>,
        env: Vec<CString>,
    ) -> io::Result<Confined> {
        let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        let spawner = move |stdio| super::zygote::spawn(self, handed, args, env, stdio, write);
        Ok(Confined {
            launch: Launch::Spawner(Box::new(spawner)),
            started: Some(std::fs::File::from(read)),
        })
    }

    /// The command that starts a launcher with this plan and `handed`
    /// (the descriptors the plan names): a launcher that fails says why
    /// on its stderr and ends with status 127.
    pub fn command(&self, mut handed: Handed) -> io::Result<Command> {
        let json = serde_json::to_vec(self)?;
        let plan = memfd_create(c"grader-jail-plan", MFdFlags::MFD_CLOEXEC)?;
        std::fs::File::from(plan.try_clone()?).write_all(&json)?;
        let plan = handed.hand(plan)?;
        let mut command = Command::new(launcher()?);
        command.arg(MARKER).arg(plan.to_string());
        let raw: Vec<RawFd> = handed.fds.iter().map(AsRawFd::as_raw_fd).collect();
        // SAFETY: fcntl(2) is async-signal-safe and allocates nothing; it
        // changes the forked child's descriptors only. `handed` keeps them
        // open until the command is dropped.
        unsafe {
            command.pre_exec(move || {
                let _open = &handed;
                for &fd in &raw {
                    if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                        return Err(io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        Ok(command)
    }
}

/// The binary that starts jailed programs.
static LAUNCHER: OnceLock<PathBuf> = OnceLock::new();

/// Has jailed programs started by `binary`, whose `main` calls
/// [`super::launcher::serve_if_asked`] first: for a process that is not
/// such a binary itself, as a test that jails programs in-process (its
/// `CARGO_BIN_EXE_grader`). A binary that called `serve_if_asked` is its
/// own launcher; a process that did neither can start no jailed program
/// (the start fails, saying so).
pub fn use_launcher(binary: &Path) {
    let _ = LAUNCHER.set(binary.to_path_buf());
}

/// Marks this process's own binary as the launcher.
pub(super) fn launcher_is_self() {
    let _ = LAUNCHER.set(PathBuf::from("/proc/self/exe"));
}

pub(super) fn launcher() -> io::Result<&'static Path> {
    LAUNCHER.get().map(PathBuf::as_path).ok_or_else(|| {
        io::Error::other(
            "no launcher for jailed programs (a binary that jails programs calls \
             sandbox::launcher::serve_if_asked first in main)",
        )
    })
}

/// `text` as a C string, for a plan.
pub(super) fn c_string(text: impl Into<Vec<u8>>) -> io::Result<CString> {
    CString::new(text).map_err(|_| io::Error::other("a NUL byte in a path or argument"))
}
