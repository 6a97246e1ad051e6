//! The process groups of the children alive now, so that Ctrl-C can stop
//! them all.
//!
//! A child is registered under the registry's lock as it is started, and
//! leaves it once killed and reaped. After [`kill_all`] nothing more is
//! started: [`stopping`] says so, and [`super::Child::spawn`] refuses.

use super::GRACE;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::thread;

/// Process groups of the children alive now, for [`kill_all`].
static LIVE: Mutex<Vec<i32>> = Mutex::new(Vec::new());
/// Set by [`kill_all`]: the grader is stopping and starts nothing more.
static STOPPING: AtomicBool = AtomicBool::new(false);

pub(super) fn live() -> MutexGuard<'static, Vec<i32>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stops every child process group still alive, for the Ctrl-C handler:
/// SIGTERM first, so that a child grader (in a batch) can stop its own
/// children, then SIGKILL. The pause is a third of [`GRACE`], so that a
/// child grader finishes its own cleanup before its parent's grace ends.
pub fn kill_all() {
    let groups = {
        let live = live();
        // No child is started after this; one being started now is in
        // `live` once we hold its lock.
        STOPPING.store(true, Ordering::SeqCst);
        live.clone()
    };
    for &group in &groups {
        let _ = killpg(Pid::from_raw(group), Signal::SIGTERM);
    }
    thread::sleep(GRACE / 3);
    for &group in &groups {
        let _ = killpg(Pid::from_raw(group), Signal::SIGKILL);
    }
}

/// Whether [`kill_all`] has run: the grader is being stopped.
pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}
