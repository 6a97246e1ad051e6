//! One student program, confined.
//!
//! A [`Jail`] is attached to a [`Program`](crate::process::Program); every
//! time that program is started, a chain of three processes sets it up
//! before it runs the student's executable, in this order:
//!
//! ```text
//! grader ── fork, exec ──► outer: the launcher (the grader's binary run again,
//!                          │ in the grader's process group; what the grader waits for)
//!                          │ joins the budget; unshare(PID, mount); a tmpfs over the scratch folder
//!                          └─ fork ──► init (PID 1 of the new PID namespace)
//!                                       └─ fork ──► the program (PID 2): rlimits, landlock,
//!                                                   an unprivileged uid, seccomp, then exec
//! ```
//!
//! - `outer` stands for the program to the grader: signals sent to it are
//!   passed on, and it ends with the program's own exit status (or signal).
//! - `init` is there because the kernel ends every process of a PID
//!   namespace when its first process ends: whatever the program started,
//!   detached or not, dies with it. (The program itself can't be PID 1: a
//!   PID 1 ignores SIGTERM unless it installs a handler.)
//! - If `outer` is killed, `init` gets SIGKILL (parent-death signal), and
//!   with it the whole namespace.
//!
//! The grader's fork execs the launcher at once ([`super::plan`]): `outer`
//! and `init` live as long as the program, and as copies of the grader
//! they would make every start and every page the grader writes while
//! they live cost more. The launcher gets a [`Plan`] from [`Jail::plan`],
//! and sets everything up itself ([`super::launcher`]).
//!
//! The program is started from a file descriptor the grader opened
//! (`execveat`, [`super::exec`]), and the landlock rule that lets it run
//! names that same file: whatever happens to the path meanwhile (an entry
//! of the store replaced, a private `TMPDIR` the program's user cannot
//! cross), what runs is the file that was checked.
//!
//! A build runs in the same jail with another view of the file system
//! ([`View::Build`], see [`super::view`]): its own `/tmp` holding the laid
//! workspace, the target folder, the toolchain and the registry, each bound
//! there, so no path of the host has to be open to its user.

use super::cgroup::Budget;
use super::plan::{c_string, Plan, View};
use super::Limits;
use landlock::{
    Access, AccessFs, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope, ABI,
};
use std::ffi::CString;
use std::io;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Folders every program may read (and execute from): the system's
/// libraries and tools, name resolution (`/etc/hosts` for `localhost`),
/// and `/proc` and `/sys`, which the standard library reads.
const SYSTEM_READ: &[&str] = &[
    "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys",
];
/// Device files every program may read and write.
const DEVICES: &[&str] = &["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"];

/// How one submission's programs are confined. Cheap to clone: the
/// per-start work is in [`Jail::prepare`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jail {
    /// The unprivileged user and group the programs run as.
    pub uid: u32,
    pub gid: u32,
    /// An empty folder; each program gets a fresh tmpfs over it as its
    /// working folder, the only place it may write.
    pub scratch: PathBuf,
    pub limits: Limits,
    /// Whether the landlock rules must hold entirely (false only in tests
    /// that probe one layer at a time).
    pub landlock: bool,
    /// The cgroup every program of the submission joins, shared by every
    /// clone of this jail; `Err` says why there is none (per-program
    /// limits only).
    pub budget: Result<Arc<Budget>, String>,
}

impl Jail {
    /// The plan for one start of a process in this jail: `name` (its
    /// `argv[0]`) running the file at `path`, from the descriptor
    /// `executable` when there is one, seeing `view`.
    pub(super) fn plan(
        &self,
        view: View,
        name: &str,
        path: &Path,
        executable: Option<RawFd>,
    ) -> io::Result<Plan> {
        let budget = match &self.budget {
            Ok(budget) => budget
                .procs()
                .iter()
                .map(|procs| c_string(procs.as_os_str().as_bytes()))
                .collect::<io::Result<_>>()?,
            Err(_) => Vec::new(),
        };
        Ok(Plan {
            uid: self.uid,
            gid: self.gid,
            limits: self.limits,
            landlock: self.landlock,
            budget,
            view,
            name: c_string(name)?,
            path: c_string(path.as_os_str().as_bytes())?,
            executable,
        })
    }

    /// The scratch folder, for a plan.
    pub(super) fn scratch(&self) -> io::Result<CString> {
        c_string(self.scratch.as_os_str().as_bytes())
    }
}

/// The landlock rules: read the system and `executable`, write only
/// `scratch`; no signals and no abstract unix sockets beyond the program's
/// own domain.
pub(super) fn ruleset(
    executable: &std::fs::File,
    scratch: &Path,
) -> Result<RulesetCreated, Box<dyn std::error::Error + Send + Sync>> {
    let abi = ABI::V6;
    let read = AccessFs::from_read(abi);
    // The newest rights this kernel has (scoped signals need Linux 6.12);
    // a kernel with no landlock at all is refused when the rules are
    // enforced.
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))?
        .scope(Scope::Signal | Scope::AbstractUnixSocket)?
        .create()?;
    for dir in SYSTEM_READ {
        if let Ok(fd) = PathFd::new(dir) {
            ruleset = ruleset.add_rule(PathBeneath::new(fd, read))?;
        }
    }
    for device in DEVICES {
        if let Ok(fd) = PathFd::new(device) {
            let rw = AccessFs::ReadFile | AccessFs::WriteFile;
            ruleset = ruleset.add_rule(PathBeneath::new(fd, rw))?;
        }
    }
    let run = AccessFs::ReadFile | AccessFs::Execute;
    ruleset = ruleset.add_rule(PathBeneath::new(executable, run))?;
    // The rule is on the scratch folder's parent: landlock skips a mount
    // point (here, the folder the tmpfs hides) and looks at its parent. The
    // parent is the grader's, with nothing else in it the user may write.
    let parent = scratch.parent().unwrap_or(scratch);
    let scratch = PathBeneath::new(PathFd::new(parent)?, AccessFs::from_all(abi));
    Ok(ruleset.add_rule(scratch)?)
}
