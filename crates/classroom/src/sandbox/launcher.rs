//! The launcher: the grader's own binary run again with a hidden first
//! argument ([`super::plan`]), which sets one jailed process up as its
//! [`Plan`] says and runs it. It becomes `outer`, forks `init` and the
//! program (see [`super::jail`] for the chain), all three copies of this
//! small fresh process rather than of the grader. A build's launcher is
//! started for that build alone; programs are started by the zygote
//! ([`super::zygote`]), a launcher that forks a copy of itself for each
//! and sets it up here ([`Setup`]).
//!
//! A step that fails before the program runs is told to the spawner: for
//! a program, its OS error code and the error in words on the `started`
//! pipe (see [`super::zygote`]); for a build, a line on stderr. The
//! process that failed ends with status 127.

use super::chain::{forwarded, init, outer};
use super::exec::Exec;
use super::plan::{launcher_is_self, Plan, View, MARKER};
use super::seccomp::Filter;
use landlock::{AccessFs, PathBeneath, RulesetCreated, RulesetCreatedAttr, RulesetStatus, ABI};
use nix::mount::{mount, MsFlags};
use nix::sched::{unshare, CloneFlags};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::signal::{sigprocmask, SigSet, SigmaskHow, Signal};
use nix::unistd::{chdir, fork, pipe2, setgroups, setresgid, setresuid, ForkResult, Gid, Uid};
use std::convert::Infallible;
use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// Called first thing in `main` by a binary that jails programs: when this
/// process was started as a launcher, it sets its program up and runs it,
/// and never returns; otherwise it marks this binary as the one to start
/// jailed programs with, and returns.
pub fn serve_if_asked() {
    let mut args = std::env::args_os().skip(1);
    let first = args.next();
    if first.as_deref() == Some(OsStr::new(super::zygote::MARKER)) {
        match args
            .next()
            .and_then(|fd| fd.to_str()?.parse::<RawFd>().ok())
        {
            // SAFETY: the grader handed this descriptor on for this use alone.
            Some(fd) => super::zygote::serve(unsafe { OwnedFd::from_raw_fd(fd) }),
            // SAFETY: ends this process.
            None => unsafe { libc::_exit(127) },
        }
    }
    if first.as_deref() != Some(OsStr::new(MARKER)) {
        launcher_is_self();
        return;
    }
    let plan = args.next();
    let Err(error) = start(plan, args.collect());
    eprintln!("grader: the sandbox could not start the build: {error}");
    // SAFETY: ends this process, whichever of the chain it is.
    unsafe { libc::_exit(127) }
}

/// Reads the plan and carries it out; returns only on failure.
fn start(plan: Option<OsString>, args: Vec<OsString>) -> io::Result<Infallible> {
    let fd: RawFd = plan
        .and_then(|fd| fd.to_str()?.parse().ok())
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: the grader handed this descriptor on for this use alone.
    let mut file = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    let mut json = Vec::new();
    file.rewind()?;
    file.read_to_end(&mut json)?;
    drop(file);
    let plan: Plan = serde_json::from_slice(&json).map_err(io::Error::other)?;
    let args = args
        .iter()
        .map(|arg| super::plan::c_string(arg.as_bytes()))
        .collect::<io::Result<_>>()?;
    let env = std::env::vars_os()
        .map(|(key, value)| {
            let mut pair = key.into_vec();
            pair.push(b'=');
            pair.extend(value.as_bytes());
            super::plan::c_string(pair)
        })
        .collect::<io::Result<_>>()?;
    Setup::new(plan, args, env)?.enter()
}

/// A plan made ready: the landlock rules, the seccomp filter and the
/// program's command line, all made before the first fork.
pub(super) struct Setup {
    plan: Plan,
    ruleset: Option<RulesetCreated>,
    seccomp: Filter,
    exec: Exec,
}

impl Setup {
    /// `args`: the program's arguments after its name; `env`: its
    /// environment, `KEY=VALUE` each.
    pub(super) fn new(plan: Plan, args: Vec<CString>, env: Vec<CString>) -> io::Result<Setup> {
        // SAFETY: the grader handed this descriptor on for this use alone.
        let executable = plan.executable.map(|fd| unsafe { File::from_raw_fd(fd) });
        let ruleset = match (&plan.view, &executable) {
            (View::Build(_), _) => Some(super::view::build_ruleset().map_err(io::Error::other)?),
            (View::Scratch { scratch, .. }, Some(file)) if plan.landlock => {
                let scratch = std::path::Path::new(OsStr::from_bytes(scratch.as_bytes()));
                Some(super::jail::ruleset(file, scratch).map_err(io::Error::other)?)
            }
            _ => None,
        };
        let argv = std::iter::once(plan.name.clone()).chain(args).collect();
        let exec = Exec::new(executable, plan.path.clone(), argv, env);
        Ok(Setup {
            plan,
            ruleset,
            seccomp: Filter::new()?,
            exec,
        })
    }

    /// Becomes `outer`, forks `init`, which forks the program; returns
    /// only on failure, in whichever of the three it happened.
    pub(super) fn enter(mut self) -> io::Result<Infallible> {
        // First of all, so that outer, init and the program all count
        // against the submission's budget, and whatever they start too.
        for procs in &self.plan.budget {
            std::fs::OpenOptions::new()
                .write(true)
                .open(OsStr::from_bytes(procs.as_bytes()))?
                .write_all(b"0")?;
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
        match &self.plan.view {
            View::Scratch { scratch, plant } => {
                mount_scratch(scratch, &self.plan)?;
                chdir(scratch.as_c_str())?;
                if let Some((name, fd)) = plant {
                    // SAFETY: the grader handed this descriptor on for this use alone.
                    self::plant(name, unsafe { File::from_raw_fd(*fd) })?;
                }
            }
            View::Build(mounts) => {
                mounts.enter(self.plan.uid)?;
                self.ruleset = mounts.allow(self.ruleset.take())?;
            }
        }

        let (status_read, status_write) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        // SAFETY: this process has one thread.
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
        // As a program the grader starts itself begins: no signal blocked,
        // SIGPIPE not ignored (Rust's runtime ignores it in this process).
        // SAFETY: resets a disposition; no handler is involved.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)?;
        // The program gets its stdio and nothing else: what the grader
        // handed on (the executable's descriptor, `started`, whose closing
        // tells the spawner the exec succeeded) and whatever the grader
        // itself inherited without the flag all close on the exec.
        // SAFETY: only sets flags on this process's descriptors.
        if unsafe { libc::close_range(3, u32::MAX, libc::CLOSE_RANGE_CLOEXEC as i32) } == -1 {
            return Err(io::Error::last_os_error());
        }
        Err(self.exec.run())
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

    /// The program's own process: its limits, the landlock rules, its
    /// user, and last the seccomp filter.
    fn confine(&mut self) -> io::Result<()> {
        let limits = &self.plan.limits;
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
        let gid = Gid::from_raw(self.plan.gid);
        let uid = Uid::from_raw(self.plan.uid);
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

/// The largest file planted in a program's folder: a hand-written script
/// is a few KiB.
pub(super) const LARGEST_PLANT: u64 = 1 << 20;

/// Copies `from` as `name` into the working folder, owned by root and read
/// only: the program can read it, not change it.
fn plant(name: &CString, from: File) -> io::Result<()> {
    let mut text = Vec::new();
    from.take(LARGEST_PLANT + 1).read_to_end(&mut text)?;
    if text.len() as u64 > LARGEST_PLANT {
        return Err(io::Error::from_raw_os_error(libc::EFBIG));
    }
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o444)
        .open(OsStr::from_bytes(name.as_bytes()))?
        .write_all(&text)
}

/// A fresh tmpfs over the scratch folder, owned by the program's user:
/// its files vanish with it, and it can't fill the disk.
fn mount_scratch(scratch: &CString, plan: &Plan) -> nix::Result<()> {
    mount(
        Some("grader-scratch"),
        scratch.as_c_str(),
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(tmpfs_options(plan).as_str()),
    )
}

fn tmpfs_options(plan: &Plan) -> String {
    format!(
        "size={},mode=0700,uid={},gid={}",
        plan.limits.scratch_bytes, plan.uid, plan.gid
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_tmpfs_is_the_programs_own_and_bounded() {
        let plan = Plan {
            uid: 1_000_123,
            gid: 65534,
            limits: super::super::Limits::default(),
            landlock: true,
            budget: Vec::new(),
            view: View::Scratch {
                scratch: c"/tmp/x".into(),
                plant: None,
            },
            name: c"true".into(),
            path: c"/bin/true".into(),
            executable: None,
        };
        assert_eq!(
            tmpfs_options(&plan),
            "size=67108864,mode=0700,uid=1000123,gid=65534"
        );
    }
}
