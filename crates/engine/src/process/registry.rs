//! The process groups of the children alive now, so that Ctrl-C can stop
//! them all.
//!
//! A child is started and registered under a shared gate, so that many
//! start at once (a jailed start takes a few milliseconds) while
//! [`kill_all`], which takes the gate alone, waits for every start under
//! way to be registered. A child leaves the registry once killed and
//! reaped. After [`kill_all`] nothing more is started: [`stopping`] says
//! so, and [`super::Child::spawn`] refuses.

use super::group::{self, Group, Signal};
use super::GRACE;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::thread;

/// Process groups of the children alive now, for [`kill_all`].
static LIVE: Mutex<Vec<Group>> = Mutex::new(Vec::new());
/// Set by [`kill_all`]: the grader is stopping and starts nothing more.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// Held shared by every start until its child is registered, and alone by
/// [`kill_all`].
static STARTING: RwLock<()> = RwLock::new(());

pub(super) fn live() -> MutexGuard<'static, Vec<Group>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The gate a start holds until its child is in [`live`].
pub(super) fn starting() -> RwLockReadGuard<'static, ()> {
    STARTING
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stops every child process group still alive, for the Ctrl-C handler:
/// SIGTERM first, so that a child grader (in a batch) can stop its own
/// children, then SIGKILL. The pause is a third of [`GRACE`], so that a
/// child grader finishes its own cleanup before its parent's grace ends.
pub fn kill_all() {
    let groups = {
        // Every start under way has registered its child once we hold the
        // gate; none begins after this.
        let _gate = STARTING
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        STOPPING.store(true, Ordering::SeqCst);
        live().clone()
    };
    for &group in &groups {
        let _ = group::send(group, Signal::Terminate, true);
    }
    thread::sleep(GRACE / 3);
    for &group in &groups {
        let _ = group::send(group, Signal::Kill, true);
    }
}

/// Whether [`kill_all`] has run: the grader is being stopped.
pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}
