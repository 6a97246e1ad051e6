//! How a [`Child`](super::Child) ended, watched from outside it: its
//! status, and whether the grader had a hand in it (a signal, its stdin
//! closed, its cleanup), with when.

use crate::time::Deadline;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

#[derive(Default)]
pub(super) struct Exit {
    pub(super) status: Mutex<Option<ExitStatus>>,
    pub(super) changed: Condvar,
    /// Set before the grader signals the program: an exit after it is the
    /// grader's doing.
    pub(super) signalled: AtomicBool,
    /// Whether it exited before the grader signalled it or closed its
    /// stdin (which ends a chat server by contract).
    pub(super) on_its_own: AtomicBool,
    /// Set when the grader closes its stdin.
    pub(super) stdin_closed: AtomicBool,
    /// When the grader first signalled it, and when its cleanup (a drop)
    /// began: what it prints after is the grader's doing.
    pub(super) signalled_at: Mutex<Option<Instant>>,
    pub(super) cleanup_at: Mutex<Option<Instant>>,
}

/// Watches whether a [`Child`] ended of its own accord, after the `Child`
/// is gone.
#[derive(Clone)]
pub struct ExitWatch(pub(super) Arc<Exit>);

impl ExitWatch {
    /// Its exit status, if it exited before the grader signalled it.
    pub fn on_its_own(&self) -> Option<ExitStatus> {
        let status = *self.0.lock();
        status.filter(|_| self.0.on_its_own.load(Ordering::SeqCst))
    }

    /// When the grader first signalled (stopped, killed) the program.
    pub fn signalled_at(&self) -> Option<Instant> {
        *lock(&self.0.signalled_at)
    }

    /// When the grader began to clean the program up (its `Child` dropped).
    pub fn cleanup_at(&self) -> Option<Instant> {
        *lock(&self.0.cleanup_at)
    }

    /// Whether the program has exited.
    pub fn exited(&self) -> bool {
        self.0.lock().is_some()
    }

    /// [`ExitWatch::on_its_own`], waiting until `deadline` for an exit.
    pub fn wait_on_its_own(&self, deadline: Deadline) -> Option<ExitStatus> {
        let mut status = self.0.lock();
        while status.is_none() {
            let left = deadline.remaining()?;
            status = self
                .0
                .changed
                .wait_timeout(status, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        drop(status);
        self.on_its_own()
    }
}

impl Exit {
    pub(super) fn lock(&self) -> MutexGuard<'_, Option<ExitStatus>> {
        lock(&self.status)
    }

    /// Notes that the grader signals the program now (the first time).
    pub(super) fn signalling(&self) {
        self.signalled.store(true, Ordering::SeqCst);
        lock(&self.signalled_at).get_or_insert_with(Instant::now);
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether process `pid` (a child of the grader) has exited, or is
/// exiting (the kernel's PF_EXITING), and is not reaped yet; it is left
/// as it is, for the reaper thread.
#[cfg(target_os = "linux")]
pub(super) fn ended_unreaped(pid: u32) -> bool {
    const PF_EXITING: u64 = 0x4;
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // After the `(name)`, which may hold anything: state, then 5 numbers,
    // then the flags.
    let Some((_, after)) = stat.rsplit_once(')') else {
        return false;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let zombie = fields.first().is_some_and(|s| *s == "Z" || *s == "X");
    let flags: u64 = fields.get(6).and_then(|f| f.parse().ok()).unwrap_or(0);
    zombie || flags & PF_EXITING != 0
}

/// Elsewhere the reaper's word is the only one.
#[cfg(not(target_os = "linux"))]
pub(super) fn ended_unreaped(_pid: u32) -> bool {
    false
}
