//! What the OS says about a program: its open files and threads, read
//! from Linux's `/proc`, and its TCP connections. Elsewhere these readings
//! are `None`, and the checks that need them are skipped with a note.
//!
//! A program started by the grader leads its own process group, so a
//! wrapper (`sh -c`, `python3 server.py`) and what it starts are counted
//! together. The sockets on one port come from netlink ([`sockdiag`]),
//! which costs little however many sockets the machine has: reading
//! `/proc/net/tcp` took a quarter of a second with thousands of sockets in
//! TIME_WAIT, and held up every check that asked.

mod sockdiag;

use crate::outcome::Outcome;
use crate::platform;
use crate::time::Deadline;
use std::fs;
use std::thread;
use std::time::Duration;

/// Whether `/proc` is there to read, on a system the probes are made for.
pub fn available() -> bool {
    platform::probes() && fs::metadata("/proc/self/fd").is_ok()
}

/// Why a check that reads `what` ("a program's open files") can't be
/// judged here, if it can't.
pub fn unavailable(what: &str) -> Option<Outcome> {
    if !platform::probes() {
        return Some(platform::unjudged(&format!("read {what}")));
    }
    (!available()).then(|| Outcome::skip(format!("no /proc on this machine to read {what}")))
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

/// Threads of every process in the group that are not stopped: 0 once a
/// SIGSTOP has taken hold of them all.
pub fn unstopped_threads(group: u32) -> Option<usize> {
    available().then(|| {
        members(group)
            .iter()
            .flat_map(|pid| {
                fs::read_dir(format!("/proc/{pid}/task"))
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .filter(|task| {
                let stat = fs::read_to_string(task.path().join("stat")).unwrap_or_default();
                // `tid (name) state …`: T stopped, t traced, Z and X gone.
                let state = stat
                    .rsplit_once(')')
                    .map_or("", |(_, rest)| rest)
                    .trim_start();
                !state.is_empty() && !state.starts_with(['T', 't', 'Z', 'X'])
            })
            .count()
    })
}

/// TCP connections on local port `port` in state CLOSE_WAIT: the peer
/// closed, and the program has not closed its side.
pub fn close_waits(port: u16) -> Option<usize> {
    if !available() {
        return None;
    }
    let entries = sockdiag::on_port(port).ok()?;
    Some(
        entries
            .iter()
            .filter(|e| e.state == sockdiag::CLOSE_WAIT)
            .count(),
    )
}

/// Whether a connection the program on local port `port` closed first
/// still holds the port (FIN_WAIT, CLOSING, TIME_WAIT): what keeps a
/// server that does not set `SO_REUSEADDR` from listening there again.
pub fn closed_first(port: u16) -> Option<bool> {
    if !available() {
        return None;
    }
    let entries = sockdiag::on_port(port).ok()?;
    let lingering = [
        sockdiag::FIN_WAIT1,
        sockdiag::FIN_WAIT2,
        sockdiag::CLOSING,
        sockdiag::TIME_WAIT,
    ];
    Some(entries.iter().any(|e| lingering.contains(&e.state)))
}

/// Whether the connection between local port `port` and remote port `peer`
/// is still open on this side: ESTABLISHED, neither closed nor closing.
pub fn established(port: u16, peer: u16) -> Option<bool> {
    if !available() {
        return None;
    }
    let entries = sockdiag::on_port(port).ok()?;
    Some(
        entries
            .iter()
            .any(|e| e.peer == peer && e.state == sockdiag::ESTABLISHED),
    )
}

/// Connections in the accept queue of the listener on `port` that the OS
/// has already closed (reset, say): the queue's length less the live
/// connections on the port. Exact while the program accepts none.
pub fn queued_dead(port: u16) -> Option<usize> {
    if !available() {
        return None;
    }
    let entries = sockdiag::on_port(port).ok()?;
    let (listeners, live): (Vec<&sockdiag::Entry>, Vec<_>) =
        entries.iter().partition(|e| e.state == sockdiag::LISTEN);
    let queued: u32 = listeners.iter().map(|e| e.queue).sum();
    Some((queued as usize).saturating_sub(live.len()))
}

/// The wildcard address (`0.0.0.0` or `[::]`) a listener on `port` is
/// bound to, if the OS shows one (Linux; elsewhere `None`).
pub fn wildcard_listener(port: u16) -> Option<&'static str> {
    if !available() {
        return None;
    }
    sockdiag::on_port(port)
        .ok()?
        .iter()
        .filter(|e| e.state == sockdiag::LISTEN)
        .find_map(|e| e.wildcard)
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
    fn a_connection_the_server_closed_first_holds_its_port_and_one_it_answered_does_not() {
        use std::io::Read;
        use std::net::TcpStream;
        if !available() {
            return;
        }
        // The server's side closes first: it waits out TIME_WAIT.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        drop(listener.accept().unwrap());
        assert_eq!(client.read(&mut [0u8; 8]).unwrap(), 0);
        drop(client);
        drop(listener);
        assert_eq!(closed_first(port), Some(true));
        // The client's side closes first, then the server's: nothing stays
        // on the server's port once the last ACK is in.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (mut served, _) = listener.accept().unwrap();
        drop(client);
        assert_eq!(served.read(&mut [0u8; 8]).unwrap(), 0);
        drop(served);
        drop(listener);
        let soon = Deadline::after(Duration::from_secs(5));
        let held = || closed_first(port).map(usize::from);
        assert_eq!(settle(soon, held, |n| n == 0), Some(0));
    }

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
    fn a_paused_group_has_no_running_thread() {
        if !available() {
            return;
        }
        let child = Child::spawn(&Program::new(vec!["sleep".into(), "30".into()]), false).unwrap();
        assert_eq!(unstopped_threads(child.pid()), Some(1));
        let paused = child.pause();
        let soon = Deadline::after(Duration::from_secs(5));
        assert_eq!(
            settle(soon, || unstopped_threads(child.pid()), |n| n == 0),
            Some(0)
        );
        drop(paused);
        let soon = Deadline::after(Duration::from_secs(5));
        assert_eq!(
            settle(soon, || unstopped_threads(child.pid()), |n| n == 1),
            Some(1)
        );
    }

    /// A loopback listener, its port, and a client connected to it.
    fn connected() -> (TcpListener, u16, std::net::TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        (listener, port, client)
    }

    #[test]
    fn close_wait_is_seen_on_the_port() {
        if !available() {
            return;
        }
        let (listener, port, client) = connected();
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

    #[test]
    fn a_reset_connection_waits_dead_in_the_queue() {
        if !available() {
            return;
        }
        let (listener, port, client) = connected();
        assert_eq!(queued_dead(port), Some(0));
        let me = client.local_addr().unwrap().port();
        assert_eq!(established(port, me), Some(true));
        crate::peer::reset(client);
        let soon = Deadline::after(Duration::from_secs(5));
        assert_eq!(settle(soon, || queued_dead(port), |n| n == 1), Some(1));
        assert_eq!(established(port, me), Some(false));
        let (accepted, _) = listener.accept().unwrap();
        assert!(accepted.peer_addr().is_err());
    }

    #[test]
    fn a_wildcard_listener_is_seen_and_a_loopback_one_is_not() {
        if !available() {
            return;
        }
        let any = TcpListener::bind("0.0.0.0:0").unwrap();
        assert_eq!(
            wildcard_listener(any.local_addr().unwrap().port()),
            Some("0.0.0.0")
        );
        let lo = TcpListener::bind("127.0.0.1:0").unwrap();
        assert_eq!(wildcard_listener(lo.local_addr().unwrap().port()), None);
    }
}
