//! How busy a program is: the time it has spent on a CPU, or (on Linux)
//! waiting in line for one. A program stuck in a busy loop is one or the
//! other all the time, however loaded the machine, while a program that
//! waits on a socket is neither; so the share of wall time it spends busy
//! tells a spinning program from an idle one, and a loaded machine can
//! only make a program look less busy than it would alone, never more
//! (an idle program is never in line for a CPU).

use std::time::{Duration, Instant};

/// A program and every process started under it (a wrapper's program, a
/// sandbox's inner process), whose busy time is read again and again.
#[derive(Debug)]
pub struct Tree {
    root: u32,
    below: Vec<u32>,
    /// When `below` was last looked up: finding them reads every process
    /// of the system, so it is done now and then rather than every time.
    looked: Option<Instant>,
}

/// How often the processes below a program are looked up again.
const LOOK_AGAIN: Duration = Duration::from_millis(500);

impl Tree {
    pub fn new(pid: u32) -> Tree {
        Tree {
            root: pid,
            below: Vec::new(),
            looked: None,
        }
    }

    /// The time the program and the processes below it have spent busy,
    /// summed over their threads; `None` where this system can't tell, or
    /// the program is gone. Threads that have ended drop out of the sum,
    /// so it can go down but never counts more than was spent.
    pub fn busy(&mut self) -> Option<Duration> {
        if self.looked.is_none_or(|at| at.elapsed() >= LOOK_AGAIN) {
            self.below = os::descendants(self.root);
            self.looked = Some(Instant::now());
        }
        let mut total = os::busy(self.root)?;
        for &pid in &self.below {
            total += os::busy(pid).unwrap_or_default();
        }
        Some(total)
    }
}

#[cfg(target_os = "linux")]
mod os {
    use std::collections::HashMap;
    use std::fs;
    use std::time::Duration;

    /// One process's threads: on a CPU and in line for one (`schedstat`,
    /// nanoseconds), or, where the kernel keeps no `schedstat`, the CPU
    /// time of `stat` alone.
    pub fn busy(pid: u32) -> Option<Duration> {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let threads = fs::read_dir(format!("/proc/{pid}/task")).ok()?;
        let mut ns: u64 = 0;
        for thread in threads.flatten() {
            let path = thread.path().join("schedstat");
            let Ok(line) = fs::read_to_string(path) else {
                // The thread has just ended, or there is no schedstat.
                continue;
            };
            let mut fields = line.split_whitespace().map(|f| f.parse::<u64>().ok());
            match (fields.next().flatten(), fields.next().flatten()) {
                (Some(running), Some(waiting)) => ns += running + waiting,
                _ => return cpu_time(&stat),
            }
        }
        if ns == 0 {
            return cpu_time(&stat);
        }
        Some(Duration::from_nanos(ns))
    }

    /// `utime + stime` of a `/proc/<pid>/stat` line.
    fn cpu_time(stat: &str) -> Option<Duration> {
        let fields = after_name(stat)?;
        // After the name: state is field 3 of the line, utime 14, stime 15.
        let ticks: u64 = [11, 12]
            .iter()
            .map(|&i| fields.get(i)?.parse::<u64>().ok())
            .sum::<Option<u64>>()?;
        // SAFETY: sysconf reads a constant of the system.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        let per_second = u64::try_from(per_second).ok().filter(|&n| n > 0)?;
        Some(Duration::from_nanos(ticks * 1_000_000_000 / per_second))
    }

    /// The fields of a `stat` line after `(name)`, which may hold spaces
    /// and parentheses of its own.
    fn after_name(stat: &str) -> Option<Vec<&str>> {
        let (_, rest) = stat.rsplit_once(')')?;
        Some(rest.split_whitespace().collect())
    }

    /// Every process below `pid`, from the parent each process names.
    pub fn descendants(pid: u32) -> Vec<u32> {
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
        for entry in entries.flatten() {
            let Some(child) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let parent = after_name(&stat).and_then(|f| f.get(1)?.parse::<u32>().ok());
            if let Some(parent) = parent {
                children.entry(parent).or_default().push(child);
            }
        }
        let mut found = Vec::new();
        let mut next = vec![pid];
        while let Some(parent) = next.pop() {
            for &child in children.get(&parent).into_iter().flatten() {
                if !found.contains(&child) && child != pid {
                    found.push(child);
                    next.push(child);
                }
            }
        }
        found
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_stat_line_is_read_after_its_name() {
            let stat = "42 (a (weird) name) S 1 42 42 0 -1 0 0 0 0 0 250 50 0 0 20 0 1 0";
            let fields = after_name(stat).unwrap();
            assert_eq!(fields[0], "S");
            assert_eq!(fields[1], "1");
            let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
            assert_eq!(
                cpu_time(stat),
                Some(Duration::from_nanos(300 * 1_000_000_000 / per_second))
            );
        }
    }
}

#[cfg(windows)]
mod os {
    use std::time::Duration;
    use windows_sys::Win32::Foundation::{CloseHandle, FILETIME};
    use windows_sys::Win32::System::Threading::{
        GetProcessTimes, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };

    /// Processes below another are not looked for: a program's own time
    /// is what is measured here.
    pub fn descendants(_pid: u32) -> Vec<u32> {
        Vec::new()
    }

    /// The process's own CPU time (kernel and user).
    pub fn busy(pid: u32) -> Option<Duration> {
        let zero = || FILETIME {
            dwLowDateTime: 0,
            dwHighDateTime: 0,
        };
        let (mut created, mut exited, mut kernel, mut user) = (zero(), zero(), zero(), zero());
        // SAFETY: every pointer is to a local that outlives the call; the
        // handle is closed before returning.
        let ok = unsafe {
            let process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
            if process.is_null() {
                return None;
            }
            let ok = GetProcessTimes(process, &mut created, &mut exited, &mut kernel, &mut user);
            CloseHandle(process);
            ok
        };
        if ok == 0 {
            return None;
        }
        // FILETIME counts 100 ns.
        let hundreds =
            |t: FILETIME| (u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime);
        Some(Duration::from_nanos(
            (hundreds(kernel) + hundreds(user)) * 100,
        ))
    }
}

/// Elsewhere (macOS, the BSDs): not measured; a program that spins is
/// then waited out like any other that does not answer.
#[cfg(not(any(target_os = "linux", windows)))]
mod os {
    pub fn descendants(_pid: u32) -> Vec<u32> {
        Vec::new()
    }

    pub fn busy(_pid: u32) -> Option<std::time::Duration> {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::process::Child;
    use crate::process::Program;

    /// `script` run by `sh`, once it has printed `started`.
    fn sh(script: &str) -> Child {
        let child = Child::spawn(
            &Program::new(vec!["sh".into(), "-c".into(), script.into()]),
            false,
        )
        .unwrap();
        let soon = crate::time::Deadline::after(Duration::from_secs(10));
        let started = child.wait_for_line(crate::process::Stream::Stdout, soon, |l| l == "started");
        assert!(started.is_ok(), "{script}: {started:?}");
        child
    }

    /// How busy `child` was over `wall`, as a share of it.
    fn share(child: &Child, wall: Duration) -> f64 {
        let mut tree = Tree::new(child.pid());
        let before = tree.busy().unwrap();
        let start = Instant::now();
        std::thread::sleep(wall);
        let after = tree.busy().unwrap();
        after.saturating_sub(before).as_secs_f64() / start.elapsed().as_secs_f64()
    }

    #[test]
    fn a_busy_loop_below_a_shell_is_busy_and_a_sleeper_is_not() {
        // The loop runs in a child of the shell: its time counts for the
        // program the grader started.
        let spinner = sh("while :; do :; done & echo started; wait");
        let sleeper = sh("sleep 30 & echo started; wait");
        let spinning = share(&spinner, Duration::from_millis(400));
        let idle = share(&sleeper, Duration::from_millis(400));
        assert!(
            spinning > 0.8,
            "a busy loop was busy {spinning:.2} of the time"
        );
        assert!(
            idle < 0.05,
            "a sleeping program was busy {idle:.2} of the time"
        );
    }
}
