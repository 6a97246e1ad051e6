//! Sandboxing untrusted submissions (Linux).
//!
//! A submission's code is graded as if its author were trying to raise
//! their grade or lower someone else's. The layers, each reported by name
//! in every report ([`Protection`]):
//! - **its own network**: the grader that grades one submission moves into
//!   a new network namespace before it starts anything ([`net`]); the
//!   submission's programs and the grader's own sockets share that
//!   loopback, and no other submission's;
//! - **its own processes**: every program runs as PID 2 of a PID namespace
//!   of its own, so everything it starts dies with it ([`jail`]);
//! - **its own files**: landlock lets it read the system's libraries and
//!   its own executable and write only a fresh tmpfs, its working folder;
//! - **no signals out**: landlock scopes signals and abstract unix sockets
//!   to the program's own domain, and it runs as an unprivileged user of
//!   its own submission;
//! - **a seccomp filter**: no new namespaces or mounts, no `io_uring`,
//!   `bpf`, keyrings, `ptrace` or kernel modules, each refused with an
//!   error the program can report ([`seccomp`]);
//! - **limits**: processes, memory, open files, file size and CPU time
//!   ([`Limits`]), named in the failure message when hit ([`explain`]);
//! - **a budget for the submission as a whole**: one cgroup that all its
//!   programs share, capping their memory, processes and threads, and CPU
//!   together ([`cgroup`], set in `grading.toml`'s `[sandbox]`), also
//!   named when hit. Where the machine has no cgroups it says so, and
//!   grading goes on with the per-program limits alone;
//! - **a confined build**: cargo and rustc run in the same jail, as the
//!   same user, seeing only the laid workspace, the toolchain and the
//!   registry's crates ([`build`]); executables are kept in a store only
//!   the grader writes, and started from a descriptor of the file checked.
//!
//! [`support`] says which of these this machine has; `grader doctor`
//! prints it ([`doctor`]).

pub mod build;
pub mod cgroup;
mod chain;
mod confine;
pub use confine::{ConfinedBuild, Sandboxed};
pub mod doctor;
mod exec;
pub mod jail;
pub mod launcher;
pub mod net;
mod plan;
#[cfg(target_os = "linux")]
pub mod seccomp;
pub mod store;
pub mod view;
mod zygote;

pub use jail::Jail;
pub use plan::use_launcher;

use crate::policy::caps::bytes;
pub use crate::report::{Mode, Protection};
use std::path::Path;

/// The limits one program runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Processes and threads of the submission's user, all programs
    /// together: the budget's cap where there is no cgroup, and as high
    /// as it where there is one.
    pub processes: u64,
    /// Address space, in bytes.
    pub memory: u64,
    pub open_files: u64,
    /// The largest file it may write, in bytes.
    pub file_size: u64,
    pub cpu_seconds: u64,
    /// The size of its scratch tmpfs.
    pub scratch_bytes: u64,
}

impl Default for Limits {
    /// Far above what a correct solution needs (a task04 server with 100
    /// clients has about 100 threads and 1 GiB of address space, most of it
    /// reserved and never touched), far below what hurts the machine. The
    /// processes are the budget's: eight checks at once may each run a
    /// server with a pool of 128 threads.
    fn default() -> Self {
        Limits {
            processes: cgroup::Caps::default().processes,
            memory: 4 << 30,
            open_files: 1024,
            file_size: 16 << 20,
            cpu_seconds: 60,
            scratch_bytes: 64 << 20,
        }
    }
}

impl Limits {
    /// The limits in words, for reports.
    pub fn describe(&self) -> String {
        format!(
            "limits: {} processes and threads, {} of memory, {} open files, files up to {}, {} s of CPU",
            self.processes,
            bytes(self.memory),
            self.open_files,
            bytes(self.file_size),
            self.cpu_seconds
        )
    }
}

/// The seccomp layer in words: in the reports and in `grader doctor`.
pub const SECCOMP_LAYER: &str = "seccomp: no new namespaces, mounts, io_uring, bpf, keyrings, ptrace or kernel modules (refused with EPERM)";

/// What protects the programs `jail` confines, for the report.
pub fn protection(jail: &Jail) -> Protection {
    Protection {
        mode: Mode::Sandboxed,
        layers: vec![
            "own network namespace: a loopback of its own".into(),
            "own PID namespace: everything a program starts dies with it".into(),
            "landlock: reads only system files and its executable, writes only a fresh tmpfs"
                .into(),
            format!(
                "unprivileged user {}; {}",
                jail.uid,
                if scoped_signals() {
                    "signals and abstract sockets scoped to each program"
                } else {
                    "signals kept in by user ids (no landlock scoping before Linux 6.12)"
                }
            ),
            SECCOMP_LAYER.into(),
            jail.limits.describe(),
            match &jail.budget {
                Ok(budget) => budget.describe(),
                Err(why) => format!(
                    "no budget for the submission as a whole ({why}): per-program limits only"
                ),
            },
            "built from the student edition, without build scripts or proc-macros of its own, \
             in the same jail: its own user, a view of only the workspace, the toolchain and \
             the registry's crates"
                .into(),
        ],
        budget: jail.budget.as_ref().ok().map(|budget| budget.usage()),
    }
}

/// Whether landlock can keep a program's signals within its own programs.
pub fn scoped_signals() -> bool {
    use landlock::{CompatLevel, Compatible, Ruleset, RulesetAttr, Scope};
    Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .scope(Scope::Signal)
        .and_then(|r| r.create())
        .is_ok()
}

/// Which limit a sandboxed program hit, in words, going by what a check
/// saw (`message`: a signal such as SIGXCPU is named there) and what the
/// program printed on stderr: `None` when nothing points at a limit.
pub fn explain(message: &str, stderr: &[String], limits: &Limits) -> Option<String> {
    if message.contains("SIGXCPU") {
        return Some(format!(
            "it used more than {} s of CPU time",
            limits.cpu_seconds
        ));
    }
    if message.contains("SIGXFSZ") {
        return Some(format!(
            "it wrote a file larger than {}",
            bytes(limits.file_size)
        ));
    }
    let said = |words: &[&str]| {
        stderr
            .iter()
            .any(|line| words.iter().any(|w| line.contains(w)))
    };
    if said(&[
        "memory allocation of",
        "Cannot allocate memory",
        "MemoryError",
    ]) {
        return Some(format!(
            "it used more than {} of memory",
            bytes(limits.memory)
        ));
    }
    if said(&["Too many open files"]) {
        return Some(format!(
            "it opened more than {} files at once",
            limits.open_files
        ));
    }
    if said(&["failed to spawn thread", "Resource temporarily unavailable"]) {
        return Some(format!(
            "it started more than {} processes and threads",
            limits.processes
        ));
    }
    None
}

impl Jail {
    /// The jail for the submission graded by this process: a user id of
    /// its own (derived from this process's id, so graders running side by
    /// side never share one, nor the process limit that goes with it) and
    /// an empty scratch folder under `dir`.
    pub fn for_this_grader(dir: &Path) -> std::io::Result<Jail> {
        use std::os::unix::fs::PermissionsExt;
        let id = 1_000_000 + std::process::id();
        let scratch = dir.join("scratch");
        std::fs::create_dir_all(&scratch)?;
        // Reachable by the program's user, which gets a tmpfs over it.
        for folder in [dir, scratch.as_path()] {
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o711))?;
        }
        Ok(Jail {
            uid: id,
            gid: id,
            scratch,
            limits: Limits::default(),
            landlock: true,
            budget: Err("none was made for this jail".into()),
        })
    }
}

/// Which layers this machine can give, each `Err` saying why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Support {
    pub network: Result<(), String>,
    pub programs: Result<(), String>,
    pub seccomp: Result<(), String>,
    /// A budget per submission; grading goes on without one.
    pub budget: Result<(), String>,
}

impl Support {
    pub fn complete(&self) -> bool {
        self.network.is_ok() && self.programs.is_ok() && self.seccomp.is_ok()
    }

    /// What is missing, in one line.
    pub fn missing(&self) -> String {
        [&self.network, &self.programs, &self.seccomp]
            .iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Tries every layer: a network namespace on a throwaway thread, a
/// program (`true`) run in a full jail, the seccomp filter on a
/// throwaway thread (a jail can't start without it, but only this says
/// whether it refuses what it should), and a budget's cgroup, made and
/// removed.
pub fn support() -> Support {
    Support {
        network: net::probe(),
        programs: probe_programs(),
        seccomp: seccomp::probe(),
        budget: cgroup::Budget::new(cgroup::Caps::default()).map(drop),
    }
}

fn probe_programs() -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("grader-probe-")
        .tempdir()
        .map_err(|e| format!("no scratch folder ({e})"))?;
    let jail = Jail::for_this_grader(dir.path()).map_err(|e| e.to_string())?;
    let program = crate::process::Program::new(vec!["true".into()]).jailed(jail);
    let child = crate::process::Child::spawn(&program, false).map_err(|e| {
        format!("programs can't be confined (namespaces, landlock or a user id of their own: {e})")
    })?;
    match child.wait(crate::time::Deadline::after(
        std::time::Duration::from_secs(10),
    )) {
        Some(status) if status.success() => Ok(()),
        other => Err(format!("a confined `true` did not succeed ({other:?})")),
    }
}
