//! Ctrl-C and SIGTERM: how the grader stops.
//!
//! The protocol, in order:
//! 1. [`install`] sets the handler once, at start. The children live in
//!    process groups of their own, so the terminal's signal does not reach
//!    them: the handler stops every one ([`process::kill_all`]: SIGTERM,
//!    a third of the grace, SIGKILL), which also sets [`stopping`].
//! 2. From then on nothing new starts: [`process`] refuses to spawn, the
//!    pools ([`crate::pool`]) take no more items, and a check whose
//!    programs were stopped under it is reported as an error, not judged.
//! 3. Grading then ends early and writes the report it has; the handler
//!    waits up to [`INTERRUPTED_REPORT`] for [`finished`] to say so.
//! 4. The grader exits with 130 ([`exit_code`]), whoever gets there first.
//!
//! [`process`]: crate::process

use crate::process;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How long an interrupted grader has to write the results it has.
pub const INTERRUPTED_REPORT: Duration = Duration::from_secs(5);

/// The exit code of an interrupted grader (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;

/// Set once the grader has written its report, for the handler.
static FINISHED: Flag = Flag::new();

/// Installs the Ctrl-C and SIGTERM handler; call once, first thing.
pub fn install() {
    // On Unix a thread of its own waits for SIGINT, SIGTERM or SIGHUP.
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    stop();
                }
            });
        }
    }
    // Windows has Ctrl-C and the console closing.
    #[cfg(windows)]
    let _ = ctrlc::set_handler(stop);
}

/// Stops every child, lets the report be written, and exits.
fn stop() {
    process::kill_all();
    FINISHED.wait_for(INTERRUPTED_REPORT);
    std::process::exit(i32::from(INTERRUPTED));
}

/// Says the grader has written everything it will: an interrupted grader
/// may exit now.
pub fn finished() {
    FINISHED.set();
}

/// Whether the grader is being stopped: start nothing more.
pub fn stopping() -> bool {
    process::stopping()
}

/// `code`, or [`INTERRUPTED`] when the grader was stopped.
pub fn exit_code(code: u8) -> u8 {
    if stopping() {
        INTERRUPTED
    } else {
        code
    }
}

/// A flag one thread sets and another waits for, with a time limit.
struct Flag {
    set: Mutex<bool>,
    changed: Condvar,
}

impl Flag {
    const fn new() -> Self {
        Flag {
            set: Mutex::new(false),
            changed: Condvar::new(),
        }
    }

    fn set(&self) {
        *self.set.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.changed.notify_all();
    }

    fn wait_for(&self, limit: Duration) {
        let set = self.set.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.changed.wait_timeout_while(set, limit, |set| !*set);
    }
}
