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
//! - a program joins between fork and exec ([`Budget::join`]): the
//!   `cgroup.procs` files are opened here, before any fork, and the child
//!   only writes `0` ("the writing process") to each, which is
//!   async-signal-safe;
//! - the kernel's counters (OOM kills, refused forks, time held back for
//!   the CPU cap) only grow: a check whose programs failed while one rose
//!   is told which cap, by name ([`Budget::hit_since`]), and the report
//!   notes each cap hit during the whole grading ([`Budget::notes`]).

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The budget's caps, as `grading.toml`'s `[sandbox]` table sets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Bytes of memory, all programs together (no swap).
    pub memory: u64,
    /// Processes and threads, all programs together.
    pub processes: u64,
    /// CPU time per second of wall time, in thousandths of a CPU.
    pub cpu_millis: u64,
}

impl Default for Caps {
    /// Room to spare for the reference: eight checks at once, a task04
    /// server with a pool of 128 threads in each, and its build.
    fn default() -> Self {
        Caps {
            memory: 2 << 30,
            processes: 2048,
            cpu_millis: 2000,
        }
    }
}

/// The least memory a submission can be given: below it, not even the
/// reference starts.
const LEAST_MEMORY: u64 = 64 << 20;
/// The fewest processes and threads a submission can be given.
const FEWEST_PROCESSES: u64 = 16;

impl Caps {
    /// The caps in words, for reports.
    pub fn describe(&self) -> String {
        format!(
            "{} of memory, {} processes and threads, {}",
            super::bytes(self.memory),
            self.processes,
            self.cpus()
        )
    }

    fn cpus(&self) -> String {
        let whole = self.cpu_millis / 1000;
        let part = self.cpu_millis % 1000;
        let number = if part == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{}", format!("{part:03}").trim_end_matches('0'))
        };
        format!(
            "{number} CPU{}",
            if self.cpu_millis == 1000 { "" } else { "s" }
        )
    }

    /// Sets the cap `key` (`memory`, `processes` or `cpus`) from its
    /// `grading.toml` value; the error says what the value should be.
    pub fn set(&mut self, key: &str, value: &toml_edit::Item) -> Result<(), String> {
        match key {
            "memory" => {
                let bytes = value
                    .as_str()
                    .and_then(parse_size)
                    .or_else(|| value.as_integer().and_then(|n| u64::try_from(n).ok()))
                    .ok_or("`sandbox.memory` is a size such as \"2 GiB\" or \"512 MiB\"")?;
                if bytes < LEAST_MEMORY {
                    return Err(format!(
                        "`sandbox.memory` is {}: at least {} are needed",
                        super::bytes(bytes),
                        super::bytes(LEAST_MEMORY)
                    ));
                }
                self.memory = bytes;
            }
            "processes" => {
                let n = value
                    .as_integer()
                    .and_then(|n| u64::try_from(n).ok())
                    .filter(|&n| n >= FEWEST_PROCESSES)
                    .ok_or(format!(
                        "`sandbox.processes` is a whole number, {FEWEST_PROCESSES} or more"
                    ))?;
                self.processes = n;
            }
            "cpus" => {
                let cpus = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|n| n as f64))
                    .filter(|&c| (0.01..=1024.0).contains(&c))
                    .ok_or("`sandbox.cpus` is a number of CPUs, from 0.01 to 1024, such as 2 or 1.5")?;
                self.cpu_millis = (cpus * 1000.0).round() as u64;
            }
            other => {
                return Err(format!(
                    "`sandbox.{other}` is not a setting; `[sandbox]` has `memory`, `processes` and `cpus`"
                ))
            }
        }
        Ok(())
    }
}

/// `2 GiB`, `512 MiB`, `1.5GiB`, `100 KiB` or a plain number of bytes.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = match unit.trim() {
        "" | "B" => 1u64,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        _ => return None,
    };
    let bytes = number * unit as f64;
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

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

/// What a submission used of its budget, for the report's `sandbox`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// The most memory its programs held at once, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_memory: Option<u64>,
    /// The most processes and threads at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_processes: Option<u64>,
    /// Programs the kernel killed for the memory cap.
    pub memory_kills: u64,
    /// Processes and threads refused for the process cap.
    pub processes_refused: u64,
    /// Time its programs were held back for the CPU cap, in milliseconds.
    #[serde(default)]
    pub cpu_throttled_ms: u64,
    /// Each cap that was hit, in words naming its setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hit: Vec<String>,
}

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
    /// `cgroup.procs` of each distinct folder, open for writing.
    procs: Vec<fs::File>,
}

impl PartialEq for Budget {
    fn eq(&self, other: &Self) -> bool {
        (&self.memory, &self.pids, &self.cpu) == (&other.memory, &other.pids, &other.cpu)
    }
}

impl Eq for Budget {}

/// Where the controllers are for this process: each one's folder of the
/// grader's own group.
struct Places {
    version: Version,
    memory: PathBuf,
    pids: PathBuf,
    cpu: PathBuf,
}

const CONTROLLERS: [&str; 3] = ["memory", "pids", "cpu"];

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
                fs::OpenOptions::new()
                    .write(true)
                    .open(dir.join("cgroup.procs"))
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

    /// Moves the calling process into the group. Async-signal-safe: the
    /// jail calls it between fork and exec.
    pub fn join(&self) -> io::Result<()> {
        for file in &self.procs {
            // SAFETY: write(2) on a descriptor this process holds.
            let written = unsafe { libc::write(file.as_raw_fd(), b"0".as_ptr().cast(), 1) };
            if written != 1 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
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

/// The grader's own group in each controller: v2 where its group hands
/// the controllers down, v1 otherwise.
fn places() -> Result<Places, String> {
    let own = fs::read_to_string("/proc/self/cgroup")
        .map_err(|e| format!("could not read /proc/self/cgroup: {e}"))?;
    let mounts = fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("could not read /proc/self/mountinfo: {e}"))?;
    let mounts: Vec<Mount> = mounts.lines().filter_map(Mount::parse).collect();
    let v2 = unified(&own, &mounts);
    if let Ok(places) = v2 {
        return Ok(places);
    }
    split(&own, &mounts).map_err(|v1| format!("{}; {v1}", v2.err().unwrap_or_default()))
}

/// One line of `/proc/self/mountinfo`, for cgroup file systems.
struct Mount {
    /// The folder of the hierarchy mounted here.
    root: String,
    point: PathBuf,
    /// `cgroup2`, or `cgroup` with its controllers.
    v2: bool,
    options: Vec<String>,
}

impl Mount {
    fn parse(line: &str) -> Option<Mount> {
        let (left, right) = line.split_once(" - ")?;
        let left: Vec<&str> = left.split(' ').collect();
        let right: Vec<&str> = right.split(' ').collect();
        let kind = *right.first()?;
        if kind != "cgroup" && kind != "cgroup2" {
            return None;
        }
        Some(Mount {
            root: unescape(left.get(3)?),
            point: PathBuf::from(unescape(left.get(4)?)),
            v2: kind == "cgroup2",
            options: right.get(2)?.split(',').map(str::to_string).collect(),
        })
    }

    /// The folder of the group at `path` of this hierarchy, when it is
    /// under what is mounted here.
    fn folder(&self, path: &str) -> Option<PathBuf> {
        let rest = Path::new(path).strip_prefix(&self.root).ok()?;
        Some(self.point.join(rest))
    }
}

/// Mount points with spaces and the like are octal-escaped (`\040`).
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(byte) => {
                out.push(byte as char);
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn unified(own: &str, mounts: &[Mount]) -> Result<Places, String> {
    let path = own
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or("cgroup v2: the grader is in no unified group")?;
    let dir = mounts
        .iter()
        .filter(|m| m.v2)
        .find_map(|m| m.folder(path))
        .ok_or("cgroup v2: not mounted")?;
    let listed = |file: &str| fs::read_to_string(dir.join(file)).unwrap_or_default();
    let available = listed("cgroup.controllers");
    let lacking: Vec<&str> = CONTROLLERS
        .into_iter()
        .filter(|c| !available.split_whitespace().any(|a| a == *c))
        .collect();
    if !lacking.is_empty() {
        return Err(format!(
            "cgroup v2: the grader's group {} lacks the {} controller{}",
            dir.display(),
            lacking.join(", "),
            if lacking.len() == 1 { "" } else { "s" }
        ));
    }
    let handed_down = listed("cgroup.subtree_control");
    if !CONTROLLERS
        .iter()
        .all(|c| handed_down.split_whitespace().any(|a| a == *c))
    {
        // Refused (EBUSY) while the group holds processes of its own,
        // unless it is the root.
        let file = dir.join("cgroup.subtree_control");
        fs::OpenOptions::new()
            .write(true)
            .open(&file)
            .and_then(|mut f| f.write_all(b"+memory +pids +cpu"))
            .map_err(|e| {
                format!(
                    "cgroup v2: the grader's group does not hand the memory, pids and cpu controllers down ({}: {e})",
                    file.display()
                )
            })?;
    }
    Ok(Places {
        version: Version::V2,
        memory: dir.clone(),
        pids: dir.clone(),
        cpu: dir,
    })
}

fn split(own: &str, mounts: &[Mount]) -> Result<Places, String> {
    let folder = |controller: &str| -> Result<PathBuf, String> {
        let path = own
            .lines()
            .find_map(|line| {
                let mut fields = line.splitn(3, ':');
                let _id = fields.next()?;
                let controllers = fields.next()?;
                let path = fields.next()?;
                controllers
                    .split(',')
                    .any(|c| c == controller)
                    .then_some(path)
            })
            .ok_or(format!("cgroup v1: no {controller} hierarchy"))?;
        let dir = mounts
            .iter()
            .filter(|m| !m.v2 && m.options.iter().any(|o| o == controller))
            .find_map(|m| m.folder(path))
            .ok_or(format!(
                "cgroup v1: the {controller} hierarchy is not mounted"
            ))?;
        Ok(dir)
    };
    Ok(Places {
        version: Version::V1,
        memory: folder("memory")?,
        pids: folder("pids")?,
        cpu: folder("cpu")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(text: &str) -> Result<Caps, String> {
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        let mut caps = Caps::default();
        for (key, value) in doc.iter() {
            caps.set(key, value)?;
        }
        Ok(caps)
    }

    #[test]
    fn sizes_read_as_an_instructor_writes_them() {
        assert_eq!(parse_size("2 GiB"), Some(2 << 30));
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("1.5 GiB"), Some(3 << 29));
        assert_eq!(parse_size("100 KiB"), Some(100 << 10));
        assert_eq!(parse_size("4096"), Some(4096));
        for wrong in ["", "2 GB", "lots", "-1 GiB", "2 GiB extra", "1e400 GiB"] {
            assert_eq!(parse_size(wrong), None, "{wrong:?}");
        }
    }

    #[test]
    fn caps_are_set_and_described() {
        assert_eq!(
            caps("memory = \"3 GiB\"\nprocesses = 4096\ncpus = 1.5\n").unwrap(),
            Caps {
                memory: 3 << 30,
                processes: 4096,
                cpu_millis: 1500
            }
        );
        assert_eq!(caps("memory = 1073741824").unwrap().memory, 1 << 30);
        assert_eq!(caps("cpus = 1").unwrap().cpu_millis, 1000);
        assert_eq!(
            Caps::default().describe(),
            "2 GiB of memory, 2048 processes and threads, 2 CPUs"
        );
        assert_eq!(caps("cpus = 0.25").unwrap().cpus(), "0.25 CPUs");
        assert_eq!(caps("cpus = 1").unwrap().cpus(), "1 CPU");
    }

    #[test]
    fn wrong_caps_say_what_is_expected() {
        let cases = [
            (
                "memory = \"2 GB\"",
                "`sandbox.memory` is a size such as \"2 GiB\"",
            ),
            (
                "memory = \"1 MiB\"",
                "`sandbox.memory` is 1 MiB: at least 64 MiB",
            ),
            (
                "processes = 4",
                "`sandbox.processes` is a whole number, 16 or more",
            ),
            (
                "processes = \"many\"",
                "`sandbox.processes` is a whole number",
            ),
            ("cpus = 0", "`sandbox.cpus` is a number of CPUs"),
            ("cpus = \"2\"", "`sandbox.cpus` is a number of CPUs"),
            ("threads = 3", "`sandbox.threads` is not a setting"),
        ];
        for (text, expected) in cases {
            let err = caps(text).unwrap_err();
            assert!(err.contains(expected), "{text:?} gave {err:?}");
        }
    }

    #[test]
    fn the_grader_s_own_group_is_found_from_proc() {
        let mounts: Vec<Mount> = [
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "23 1 0:21 / /proc rw - proc proc rw",
        ]
        .iter()
        .filter_map(|l| Mount::parse(l))
        .collect();
        assert_eq!(mounts.len(), 4);
        let own = "9:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/batch\n0::/\n";
        let places = split(own, &mounts).unwrap();
        assert_eq!(
            places.memory,
            Path::new("/sys/fs/cgroup/memory/process_api/abc")
        );
        assert_eq!(places.pids, Path::new("/sys/fs/cgroup/pids"));
        assert_eq!(places.cpu, Path::new("/sys/fs/cgroup/cpu,cpuacct/batch"));
        let err = split("4:memory:/\n", &mounts).err().unwrap();
        assert_eq!(err, "cgroup v1: no pids hierarchy");
        // A container's view: the hierarchy mounted from its own group.
        let inner =
            Mount::parse("50 40 0:40 /docker/x /sys/fs/cgroup rw - cgroup2 cgroup2 rw").unwrap();
        assert_eq!(
            inner.folder("/docker/x/grading"),
            Some(PathBuf::from("/sys/fs/cgroup/grading"))
        );
        assert_eq!(inner.folder("/elsewhere"), None);
        assert_eq!(unescape(r"/mnt/with\040space"), "/mnt/with space");
    }
}
