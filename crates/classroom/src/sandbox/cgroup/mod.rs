//! A budget per submission as a whole: one cgroup per grading run, which
//! every jailed program of the submission (and its build, when that runs
//! in the jail) joins, capping the memory, the processes and threads, and
//! the CPU they use together.
//!
//! The per-program limits ([`super::Limits`]) can't bound a submission
//! that spreads over many programs: six children of 700 MiB each stay
//! within each one's 4 GiB of address space. The budget can.
//!
//! ```toml
//! [sandbox]
//! memory = "2 GiB"    # all programs of one submission together (also "512 MiB")
//! processes = 2048    # processes and threads, all programs together
//! cpus = 2            # CPU time per second of wall time (1.5 is fine too)
//! ```
//!
//! Invariants:
//! - the group is made below the grader's own (`/proc/self/cgroup`), once
//!   per grading run ([`Budget::new`]), and removed, everything in it
//!   killed first, when the last [`Jail`](super::Jail) holding it is
//!   dropped;
//! - cgroup v2 where the grader's group can hand the memory, pids and cpu
//!   controllers down; v1 (one hierarchy per controller) otherwise; no
//!   budget at all (per-program limits only, said in `grader doctor` and
//!   in every report's layers) where neither works;
//! - a program's launcher joins first thing, before it makes the program's
//!   namespaces: it writes `0` ("the writing process") to each
//!   `cgroup.procs` of [`Budget::procs`], which were opened here once to
//!   see that they can be;
//! - the kernel's counters (OOM kills, refused forks, time held back for
//!   the CPU cap) only grow: a check whose programs failed while one rose
//!   is told which cap, by name ([`Budget::hit_since`]), and the report
//!   notes each cap hit during the whole grading ([`Budget::notes`]).

pub use crate::report::Usage;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod places;

pub use crate::policy::Caps;
use places::places;

/// Which cgroup interface the budget uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// One hierarchy per controller.
    V1,
    /// The unified hierarchy.
    V2,
}

/// The kernel's counters of a budget at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Programs the kernel killed for the memory cap.
    pub memory_kills: u64,
    /// Forks (processes or threads) refused for the process cap.
    pub processes_refused: u64,
    /// Time its programs were held back for the CPU cap, in microseconds.
    pub cpu_throttled_us: u64,
}

/// How long the CPU cap must hold a submission back before it is named:
/// less is the ordinary jitter of a quota counted in 100 ms periods.
const HELD_BACK_US: u64 = 100_000;

/// The group of one grading run. Dropped, it kills what is left in it and
/// removes it.
#[derive(Debug)]
pub struct Budget {
    pub caps: Caps,
    pub version: Version,
    /// The group's folder for each controller (the same one in v2).
    memory: PathBuf,
    pids: PathBuf,
    cpu: PathBuf,
    /// `cgroup.procs` of each distinct folder.
    procs: Vec<PathBuf>,
}

impl PartialEq for Budget {
    fn eq(&self, other: &Self) -> bool {
        (&self.memory, &self.pids, &self.cpu) == (&other.memory, &other.pids, &other.cpu)
    }
}

impl Eq for Budget {}

impl Budget {
    /// A fresh group for this grading run, below the grader's own, with
    /// `caps` in force; `Err` says why this machine can't give one.
    pub fn new(caps: Caps) -> Result<Budget, String> {
        let places = places()?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut made = |parent: &Path| -> Result<PathBuf, String> {
            if let Some(dir) = dirs.iter().find(|d| d.parent() == Some(parent)) {
                return Ok(dir.clone());
            }
            let dir = fresh_group(parent)?;
            dirs.push(dir.clone());
            Ok(dir)
        };
        let memory = made(&places.memory);
        let pids = made(&places.pids);
        let cpu = made(&places.cpu);
        let procs = dirs
            .iter()
            .map(|dir| {
                let procs = dir.join("cgroup.procs");
                fs::OpenOptions::new()
                    .write(true)
                    .open(&procs)
                    .map(|_| procs)
            })
            .collect::<io::Result<Vec<_>>>();
        let (memory, pids, cpu, procs) = match (memory, pids, cpu, procs) {
            (Ok(memory), Ok(pids), Ok(cpu), Ok(procs)) => (memory, pids, cpu, procs),
            (memory, pids, cpu, procs) => {
                for dir in &dirs {
                    empty_and_remove(dir);
                }
                let why = [memory.err(), pids.err(), cpu.err()]
                    .into_iter()
                    .flatten()
                    .next()
                    .or_else(|| {
                        procs
                            .err()
                            .map(|e| format!("could not open cgroup.procs: {e}"))
                    });
                return Err(why.unwrap_or_default());
            }
        };
        let budget = Budget {
            caps,
            version: places.version,
            memory,
            pids,
            cpu,
            procs,
        };
        // Dropped on failure: the group goes with it.
        budget.set_caps()?;
        Ok(budget)
    }

    fn set_caps(&self) -> Result<(), String> {
        let caps = &self.caps;
        let period: u64 = 100_000;
        let quota = caps.cpu_millis * period / 1000;
        let mut settings: Vec<(PathBuf, String)> = match self.version {
            Version::V1 => vec![
                (
                    self.memory.join("memory.limit_in_bytes"),
                    caps.memory.to_string(),
                ),
                (self.pids.join("pids.max"), caps.processes.to_string()),
                (self.cpu.join("cpu.cfs_period_us"), period.to_string()),
                (self.cpu.join("cpu.cfs_quota_us"), quota.to_string()),
            ],
            Version::V2 => vec![
                (self.memory.join("memory.max"), caps.memory.to_string()),
                (self.pids.join("pids.max"), caps.processes.to_string()),
                (self.cpu.join("cpu.max"), format!("{quota} {period}")),
            ],
        };
        // No swap beyond the cap, where the kernel accounts for it (a
        // v1 memsw limit counts memory and swap together).
        let no_swap = match self.version {
            Version::V1 => (
                self.memory.join("memory.memsw.limit_in_bytes"),
                caps.memory.to_string(),
            ),
            Version::V2 => (self.memory.join("memory.swap.max"), "0".to_string()),
        };
        if no_swap.0.exists() {
            settings.push(no_swap);
        }
        for (file, value) in settings {
            fs::write(&file, &value)
                .map_err(|e| format!("could not write {value} to {}: {e}", file.display()))?;
        }
        Ok(())
    }

    /// The `cgroup.procs` file of each of the group's folders: a process
    /// joins by writing `0` to each.
    pub fn procs(&self) -> &[PathBuf] {
        &self.procs
    }

    /// The kernel's counters now.
    pub fn counters(&self) -> Counters {
        let (memory_events, memory_key) = match self.version {
            Version::V1 => (self.memory.join("memory.oom_control"), "oom_kill"),
            Version::V2 => (self.memory.join("memory.events"), "oom_kill"),
        };
        Counters {
            memory_kills: keyed(&memory_events, memory_key)
                // Kernels before 4.13 count no OOM kills in v1; the times
                // the cap was reached are the next best.
                .or_else(|| number(&self.memory.join("memory.failcnt")))
                .unwrap_or(0),
            processes_refused: keyed(&self.pids.join("pids.events"), "max").unwrap_or(0),
            cpu_throttled_us: match self.version {
                Version::V1 => {
                    keyed(&self.cpu.join("cpu.stat"), "throttled_time").map(|ns| ns / 1000)
                }
                Version::V2 => keyed(&self.cpu.join("cpu.stat"), "throttled_usec"),
            }
            .unwrap_or(0),
        }
    }

    /// The highest memory use of the group so far, in bytes, where the
    /// kernel keeps it.
    pub fn peak_memory(&self) -> Option<u64> {
        number(&self.memory.join(match self.version {
            Version::V1 => "memory.max_usage_in_bytes",
            Version::V2 => "memory.peak",
        }))
    }

    /// The most processes and threads the group held at once, where the
    /// kernel keeps it.
    pub fn peak_processes(&self) -> Option<u64> {
        number(&self.pids.join("pids.peak"))
    }

    /// The caps the counters say were hit since `before`, in words, each
    /// naming its `grading.toml` setting.
    pub fn hit_since(&self, before: &Counters) -> Vec<String> {
        self.caps_hit(before, &self.counters())
            .into_iter()
            .map(|(what, _)| what)
            .collect()
    }

    /// Each cap hit between `before` and `now`: in words, and what the
    /// kernel did about it.
    fn caps_hit(&self, before: &Counters, now: &Counters) -> Vec<(String, String)> {
        let mut hit = Vec::new();
        let kills = now.memory_kills.saturating_sub(before.memory_kills);
        if kills > 0 {
            hit.push((
                format!(
                    "the submission as a whole used more than {} of memory (grading.toml [sandbox] memory)",
                    super::bytes(self.caps.memory)
                ),
                format!("the kernel killed {kills} of its programs for it"),
            ));
        }
        let refused = now
            .processes_refused
            .saturating_sub(before.processes_refused);
        if refused > 0 {
            hit.push((
                format!(
                    "the submission as a whole tried to run more than {} processes and threads at once (grading.toml [sandbox] processes)",
                    self.caps.processes
                ),
                format!("{refused} were refused"),
            ));
        }
        let held = now.cpu_throttled_us.saturating_sub(before.cpu_throttled_us);
        if held >= HELD_BACK_US {
            hit.push((
                format!(
                    "the submission as a whole needed more than its {} (grading.toml [sandbox] cpus)",
                    self.caps.cpus()
                ),
                format!(
                    "the kernel held it back for {:.1} s",
                    held as f64 / 1_000_000.0
                ),
            ));
        }
        hit
    }

    /// What the submission used so far, and which caps it hit.
    pub fn usage(&self) -> Usage {
        let counters = self.counters();
        Usage {
            peak_memory: self.peak_memory(),
            peak_processes: self.peak_processes(),
            memory_kills: counters.memory_kills,
            processes_refused: counters.processes_refused,
            cpu_throttled_ms: counters.cpu_throttled_us / 1000,
            hit: self.hit_since(&Counters::default()),
        }
    }

    /// One note for the report per cap hit during the whole grading, with
    /// what the kernel did about it.
    pub fn notes(&self) -> Vec<String> {
        self.caps_hit(&Counters::default(), &self.counters())
            .into_iter()
            .map(|(what, done)| format!("{what}: {done}"))
            .collect()
    }

    /// The layer in words, for the report: the caps and the interface.
    pub fn describe(&self) -> String {
        format!(
            "a budget for the submission as a whole (cgroup {}): {}",
            match self.version {
                Version::V1 => "v1",
                Version::V2 => "v2",
            },
            self.caps.describe()
        )
    }

    fn dirs(&self) -> Vec<&PathBuf> {
        let mut dirs: Vec<&PathBuf> = Vec::new();
        for dir in [&self.memory, &self.pids, &self.cpu] {
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        dirs
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        for dir in self.dirs() {
            empty_and_remove(dir);
        }
    }
}

/// Makes a group of this grader's own below `parent`: `grader-PID`, or
/// `grader-PID-N` when that name is taken. A group of that name is never
/// touched: it may be a live grader's of another PID namespace, or one
/// that ended without removing its group (empty, then, and harmless).
fn fresh_group(parent: &Path) -> Result<PathBuf, String> {
    let base = format!("grader-{}", std::process::id());
    let mut last = None;
    for n in 0..100 {
        let dir = match n {
            0 => parent.join(&base),
            n => parent.join(format!("{base}-{n}")),
        };
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(dir),
            Err(e) => return Err(format!("could not make the cgroup {}: {e}", dir.display())),
        }
    }
    Err(format!(
        "could not make a cgroup below {}: up to {} taken",
        parent.display(),
        last.unwrap_or_default().display()
    ))
}

/// How long a group's processes get to die before it is left behind.
const EMPTYING: Duration = Duration::from_secs(5);

/// Kills every process of the group at `dir` and removes it (v2's
/// `cgroup.kill` where there is one; SIGKILL to each listed process until
/// none is left, in v1).
fn empty_and_remove(dir: &Path) {
    let _ = fs::write(dir.join("cgroup.kill"), "1");
    let deadline = crate::time::Deadline::after(EMPTYING);
    loop {
        let pids: Vec<i32> = fs::read_to_string(dir.join("cgroup.procs"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        for &pid in &pids {
            // SAFETY: kill(2); the process is in the submission's group.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        if (pids.is_empty() && fs::remove_dir(dir).is_ok()) || !dir.exists() || deadline.expired() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A file holding one number.
fn number(file: &Path) -> Option<u64> {
    fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// The number after `key` in a file of `key value` lines.
fn keyed(file: &Path, key: &str) -> Option<u64> {
    fs::read_to_string(file).ok()?.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}
