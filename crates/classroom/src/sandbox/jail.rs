//! One student program, confined.
//!
//! A [`Jail`] is attached to a [`Program`](crate::process::Program); every
//! time that program is started, the forked child sets itself up before it
//! runs the student's executable, in this order:
//!
//! ```text
//! grader ── fork ──► outer (in the grader's process group; what the grader waits for)
//!                     │ unshare(PID, mount); a tmpfs over the scratch folder
//!                     └─ fork ──► init (PID 1 of the new PID namespace)
//!                                  └─ fork ──► the program (PID 2): rlimits, landlock,
//!                                              an unprivileged uid, seccomp, then exec
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
//! Between fork and exec only async-signal-safe calls are allowed (the
//! grader has threads), so everything that allocates — paths, the landlock
//! ruleset, the seccomp filter — is prepared by [`Jail::prepare`] before
//! the fork.
//!
//! The program is started from a file descriptor opened before the fork
//! (`execveat`, [`Prepared::exec`]), and the landlock rule that lets it run
//! names that same file: whatever happens to the path meanwhile (an entry
//! of the store replaced, a private `TMPDIR` the program's user cannot
//! cross), what runs is the file that was checked.
//!
//! A build runs in the same jail with another view of the file system
//! ([`View::Build`], see [`super::view`]): its own `/tmp` holding the laid
//! workspace, the target folder, the toolchain and the registry, each bound
//! there, so no path of the host has to be open to its user.

use super::cgroup::Budget;
use super::chain::{forwarded, init, outer};
use super::exec::Exec;
use super::seccomp::Filter;
use super::Limits;
use landlock::{
    Access, AccessFs, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, RulesetStatus, Scope, ABI,
};
use nix::mount::{mount, MsFlags};
use nix::sched::{unshare, CloneFlags};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::signal::sigprocmask;
use nix::sys::signal::{SigmaskHow, Signal};
use nix::unistd::{chdir, fork, pipe2, setgroups, setresgid, setresuid, ForkResult};
use nix::unistd::{Gid, Uid};
use std::ffi::CString;
use std::io;
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

/// A [`Jail`] made ready for one start: nothing left that allocates.
pub struct Prepared {
    jail: Jail,
    view: View,
    ruleset: Option<RulesetCreated>,
    seccomp: Filter,
    /// The executable, opened before the fork; run from this descriptor
    /// when it is a native program and [`Prepared::exec_from_file`] was called.
    executable: Option<std::fs::File>,
    exec: Option<Exec>,
    /// A file written into the scratch folder before the program starts:
    /// its name there and its bytes (a Python hand-in's script).
    plant: Option<(CString, Vec<u8>)>,
}

/// What a jailed process sees of the file system.
pub enum View {
    /// A program: a fresh tmpfs over the scratch folder, its working folder.
    Scratch(CString),
    /// A build: see [`super::view`].
    Build(super::view::Mounts),
}

impl Jail {
    /// Makes everything the child will need, for running `executable`.
    pub fn prepare(&self, executable: &Path) -> io::Result<Prepared> {
        let scratch = CString::new(self.scratch.as_os_str().as_bytes())
            .map_err(|_| io::Error::other("the scratch path has a NUL byte"))?;
        let file = std::fs::File::open(executable)?;
        let ruleset = if self.landlock {
            Some(ruleset(&file, &self.scratch).map_err(io::Error::other)?)
        } else {
            None
        };
        Ok(Prepared {
            jail: self.clone(),
            view: View::Scratch(scratch),
            ruleset,
            seccomp: Filter::new()?,
            executable: Some(file),
            exec: None,
            plant: None,
        })
    }

    /// Makes everything a confined build needs: `mounts` is its view of
    /// the files, `ruleset` its landlock rules (both from [`super::view`]).
    pub fn prepare_build(
        &self,
        mounts: super::view::Mounts,
        ruleset: RulesetCreated,
    ) -> io::Result<Prepared> {
        Ok(Prepared {
            jail: self.clone(),
            view: View::Build(mounts),
            ruleset: Some(ruleset),
            seccomp: Filter::new()?,
            executable: None,
            exec: None,
            plant: None,
        })
    }
}

impl Prepared {
    /// Has `text` written as `name` into the program's scratch folder, read
    /// only, before the program starts.
    pub fn plant(&mut self, name: &str, text: Vec<u8>) -> io::Result<()> {
        let name = CString::new(name).map_err(|_| io::Error::other("a NUL byte in a file name"))?;
        self.plant = Some((name, text));
        Ok(())
    }

    /// Has the program started from the descriptor opened by
    /// [`Jail::prepare`], with `argv` and the environment `env`
    /// (`NAME=value`), when it is a native executable ([`Exec`]).
    pub fn exec_from_file(&mut self, argv: &[String], env: &[String]) -> io::Result<()> {
        if let Some(file) = &self.executable {
            self.exec = Exec::native(file, argv, env)?;
        }
        Ok(())
    }

    /// Runs the program from its descriptor, if [`Prepared::exec_from_file`]
    /// made that ready; returns only on failure, or at once when it did not
    /// (then the caller's exec runs it by its path).
    pub fn exec(&self) -> io::Result<()> {
        match (&self.exec, &self.executable) {
            (Some(exec), Some(file)) => Err(exec.run(file)),
            _ => Ok(()),
        }
    }
}

/// The landlock rules: read the system and `executable`, write only
/// `scratch`; no signals and no abstract unix sockets beyond the program's
/// own domain.
fn ruleset(
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

impl Prepared {
    /// Runs in the forked child, before exec: returns only in the process
    /// that is to become the program; `outer` and `init` never return.
    ///
    /// # Safety
    /// Call only between fork and exec (as `Command::pre_exec` does).
    pub unsafe fn enter(&mut self) -> io::Result<()> {
        // First of all, so that outer, init and the program all count
        // against the submission's budget, and whatever they start too.
        if let Ok(budget) = &self.jail.budget {
            budget.join()?;
        }
        let blocked = forwarded();
        sigprocmask(SigmaskHow::SIG_BLOCK, Some(&blocked), None)?;
        unshare(CloneFlags::CLONE_NEWPID | CloneFlags::CLONE_NEWNS)?;
        // Mounts made here stay in this namespace.
        mount(
            None::<&str>,
            "/",
            None::<&str>,
            MsFlags::MS_REC | MsFlags::MS_PRIVATE,
            None::<&str>,
        )?;
        match &self.view {
            View::Scratch(scratch) => {
                mount_scratch(scratch, &self.jail)?;
                chdir(scratch.as_c_str())?;
                if let Some((name, text)) = &self.plant {
                    plant(name, text)?;
                }
            }
            View::Build(mounts) => {
                mounts.enter(self.jail.uid)?;
                self.ruleset = mounts.allow(self.ruleset.take())?;
            }
        }

        let (status_read, status_write) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        // SAFETY: the child runs only async-signal-safe code until exec.
        match unsafe { fork() }? {
            ForkResult::Parent { child } => outer(child, status_read, status_write),
            ForkResult::Child => {}
        }
        drop(status_read);
        // init: PID 1 of the new namespace.
        nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
        self.own_proc()?;
        // SAFETY: as above.
        match unsafe { fork() }? {
            ForkResult::Parent { child } => init(child, status_write),
            ForkResult::Child => {}
        }
        drop(status_write);
        // The program.
        self.confine()?;
        sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&blocked), None)?;
        Ok(())
    }

    /// A `/proc` of the new PID namespace's own, so the program sees no
    /// process but its own, and a landlock rule to read it (the rule made
    /// before the fork is on the `/proc` this one now hides).
    fn own_proc(&mut self) -> io::Result<()> {
        mount(
            Some("proc"),
            "/proc",
            Some("proc"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            None::<&str>,
        )?;
        if let Some(ruleset) = self.ruleset.take() {
            let proc = nix::fcntl::open(
                c"/proc",
                nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )?;
            let rule = PathBeneath::new(proc, AccessFs::from_read(ABI::V6));
            let ruleset = ruleset
                .add_rule(rule)
                .map_err(|_| io::Error::from_raw_os_error(libc::EPERM))?;
            self.ruleset = Some(ruleset);
        }
        Ok(())
    }

    fn confine(&mut self) -> io::Result<()> {
        let limits = &self.jail.limits;
        setrlimit(Resource::RLIMIT_NPROC, limits.processes, limits.processes)?;
        setrlimit(Resource::RLIMIT_AS, limits.memory, limits.memory)?;
        setrlimit(
            Resource::RLIMIT_NOFILE,
            limits.open_files,
            limits.open_files,
        )?;
        setrlimit(Resource::RLIMIT_FSIZE, limits.file_size, limits.file_size)?;
        setrlimit(
            Resource::RLIMIT_CPU,
            limits.cpu_seconds,
            limits.cpu_seconds + 1,
        )?;
        setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
        if let Some(ruleset) = self.ruleset.take() {
            match ruleset.restrict_self() {
                Ok(status) if status.ruleset != RulesetStatus::NotEnforced => {}
                _ => return Err(io::Error::from_raw_os_error(libc::EPERM)),
            }
        }
        let gid = Gid::from_raw(self.jail.gid);
        let uid = Uid::from_raw(self.jail.uid);
        setgroups(&[gid])?;
        setresgid(gid, gid, gid)?;
        setresuid(uid, uid, uid)?;
        // Changing the uid cleared the parent-death signal: set it again.
        nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
        // Last, so that the setup above never meets it: the filter is for
        // the program, and from here on only exec is left.
        self.seccomp.apply()
    }
}

/// Writes `text` as `name` in the working folder, owned by root and read
/// only: the program can read it, not change it. Only async-signal-safe
/// calls (`open`, `write`, `close`).
fn plant(name: &CString, text: &[u8]) -> io::Result<()> {
    // SAFETY: a NUL-terminated name, and a buffer that outlives the calls.
    let fd = unsafe {
        libc::open(
            name.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
            0o444,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut written = 0;
    while written < text.len() {
        // SAFETY: as above; `written` stays within `text`.
        let n = unsafe { libc::write(fd, text[written..].as_ptr().cast(), text.len() - written) };
        if n <= 0 {
            let error = io::Error::last_os_error();
            // SAFETY: `fd` is ours.
            unsafe { libc::close(fd) };
            return Err(error);
        }
        written += n as usize;
    }
    // SAFETY: `fd` is ours.
    unsafe { libc::close(fd) };
    Ok(())
}

/// A fresh tmpfs over the scratch folder, owned by the program's user:
/// its files vanish with it, and it can't fill the disk.
fn mount_scratch(scratch: &CString, jail: &Jail) -> nix::Result<()> {
    let mut options = [0u8; 96];
    let text = format_options(&mut options, jail.limits.scratch_bytes, jail.uid, jail.gid);
    mount(
        Some("grader-scratch"),
        scratch.as_c_str(),
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(text),
    )
}

/// `size=N,mode=0700,uid=U,gid=G` written into `buffer` without allocating.
fn format_options(buffer: &mut [u8; 96], size: u64, uid: u32, gid: u32) -> &std::ffi::CStr {
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        buffer[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    let mut digits = [0u8; 20];
    put(b"size=");
    put(decimal(size, &mut digits));
    put(b",mode=0700,uid=");
    put(decimal(u64::from(uid), &mut digits));
    put(b",gid=");
    put(decimal(u64::from(gid), &mut digits));
    put(b"\0");
    std::ffi::CStr::from_bytes_until_nul(&buffer[..]).unwrap_or_default()
}

fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmpfs_options_are_written_without_allocating() {
        let mut buffer = [0u8; 96];
        let text = format_options(&mut buffer, 64 << 20, 1_000_123, 65534);
        assert_eq!(
            text.to_str().unwrap(),
            "size=67108864,mode=0700,uid=1000123,gid=65534"
        );
        let mut digits = [0u8; 20];
        assert_eq!(decimal(0, &mut digits), b"0");
        assert_eq!(decimal(u64::MAX, &mut digits), b"18446744073709551615");
    }
}
