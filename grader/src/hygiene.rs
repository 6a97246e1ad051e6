//! What the OS says about a program: its open files, threads and TCP
//! connections, read from Linux's `/proc`. Elsewhere these readings are
//! `None`, and the checks that need them are skipped with a note.
//!
//! A program started by the grader leads its own process group, so a
//! wrapper (`sh -c`, `python3 server.py`) and what it starts are counted
//! together.

use crate::time::Deadline;
use std::fs;
use std::thread;
use std::time::Duration;

/// Whether `/proc` is there to read.
pub fn available() -> bool {
    fs::metadata("/proc/self/fd").is_ok()
}

/// The processes in process group `group`.
fn members(group: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // `pid (name) state ppid pgrp …`; the name may hold spaces.
            let fields: Vec<&str> = stat
                .rsplit_once(')')
                .map_or("", |(_, rest)| rest)
                .split_whitespace()
                .collect();
            fields.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(group)
        })
        .collect()
}

/// Open files of every process in the group.
pub fn open_files(group: u32) -> Option<usize> {
    available().then(|| {
        members(group)
            .iter()
            .map(|pid| fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count()))
            .sum()
    })
}

/// Threads of every process in the group.
pub fn threads(group: u32) -> Option<usize> {
    available().then(|| {
        members(group)
            .iter()
            .filter_map(|pid| {
                let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("Threads:")?.trim().parse::<usize>().ok())
            })
            .sum()
    })
}

/// TCP connections on local port `port` in state CLOSE_WAIT: the peer
/// closed, and the program has not closed its side.
pub fn close_waits(port: u16) -> Option<usize> {
    if !available() {
        return None;
    }
    let mut count = 0;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        let suffix = format!(":{port:04X}");
        // Columns: slot, local address, remote address, state (08 = CLOSE_WAIT).
        count += text
            .lines()
            .skip(1)
            .filter(|row| {
                let columns: Vec<&str> = row.split_whitespace().collect();
                columns.get(1).is_some_and(|local| local.ends_with(&suffix))
                    && columns.get(3) == Some(&"08")
            })
            .count();
    }
    Some(count)
}

/// Reads `measure` until `done` holds or the deadline passes; returns the
/// last reading. The OS has no event for "these sockets are released",
/// so this looks again every 10 ms.
pub fn settle(
    deadline: Deadline,
    measure: impl Fn() -> Option<usize>,
    done: impl Fn(usize) -> bool,
) -> Option<usize> {
    loop {
        let reading = measure()?;
        if done(reading) || deadline.expired() {
            return Some(reading);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Reads `measure` until two readings 50 ms apart agree, or the deadline
/// passes; returns the last reading.
pub fn steady(deadline: Deadline, measure: impl Fn() -> Option<usize>) -> Option<usize> {
    let mut last = measure()?;
    loop {
        thread::sleep(Duration::from_millis(50));
        let now = measure()?;
        if now == last || deadline.expired() {
            return Some(now);
        }
        last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{Child, Program};
    use std::net::TcpListener;

    #[test]
    fn a_group_s_files_and_threads_are_counted() {
        if !available() {
            return;
        }
        let child = Child::spawn(&Program::new(vec!["sleep".into(), "30".into()]), false).unwrap();
        assert_eq!(threads(child.pid()), Some(1));
        // stdin, stdout, stderr at least.
        assert!(open_files(child.pid()).unwrap() >= 3);
    }

    #[test]
    fn close_wait_is_seen_on_the_port() {
        if !available() {
            return;
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (_kept, _) = listener.accept().unwrap();
        assert_eq!(close_waits(port), Some(0));
        drop(client);
        let seen = settle(
            Deadline::after(Duration::from_secs(5)),
            || close_waits(port),
            |n| n == 1,
        );
        assert_eq!(seen, Some(1));
    }
}
