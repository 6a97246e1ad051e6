//! `outer` and `init`: the two processes that stand between the grader
//! and a jailed program (see [`super::jail`]). `outer` is what the grader
//! waits for and signals; `init` is PID 1 of the program's PID namespace,
//! reaping orphans and ending the namespace with the program. Both are
//! the launcher ([`super::launcher`]), a small process of one thread, and
//! keep to plain system calls all the same: they live as long as the
//! program, and signals reach them at any point.

use nix::errno::Errno;
use nix::sys::signal::{kill, sigaction, sigprocmask, SaFlags, SigAction, SigHandler, SigSet};
use nix::sys::signal::{SigmaskHow, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{read, write, Pid};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// The child to pass signals on to, in `outer` and in `init`.
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(signal: libc::c_int) {
    let pid = FORWARD_TO.load(Ordering::SeqCst);
    if pid > 0 {
        if let Ok(signal) = Signal::try_from(signal) {
            let _ = kill(Pid::from_raw(pid), signal);
        }
    }
}

const FORWARDED: [Signal; 4] = [
    Signal::SIGTERM,
    Signal::SIGINT,
    Signal::SIGHUP,
    Signal::SIGQUIT,
];

pub(super) fn forwarded() -> SigSet {
    let mut set = SigSet::empty();
    for signal in FORWARDED {
        set.add(signal);
    }
    set
}

fn handle_forwarded(handler: SigHandler) {
    let action = SigAction::new(handler, SaFlags::SA_RESTART, SigSet::empty());
    for signal in FORWARDED {
        // SAFETY: `forward` only reads an atomic and calls kill(2), both
        // async-signal-safe.
        let _ = unsafe { sigaction(signal, &action) };
    }
}

/// Closes every descriptor from 3 up, except `keep`.
pub(super) fn close_from_3_except(keep: Option<i32>) {
    // SAFETY: close_range(2) only closes descriptors; none of them is used
    // by this process afterwards.
    unsafe {
        match keep {
            Some(fd) if fd >= 3 => {
                if fd > 3 {
                    libc::close_range(3, (fd - 1) as u32, 0);
                }
                libc::close_range((fd + 1) as u32, u32::MAX, 0);
            }
            _ => {
                libc::close_range(3, u32::MAX, 0);
            }
        }
    }
}

/// Ends this process the way `status` says the program ended.
fn end_like(status: i32) -> ! {
    // SAFETY: plain system calls; this process does nothing else after.
    unsafe {
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            libc::signal(signal, libc::SIG_DFL);
            let mut set = SigSet::empty();
            if let Ok(s) = Signal::try_from(signal) {
                set.add(s);
            }
            let _ = sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&set), None);
            libc::kill(libc::getpid(), signal);
            libc::_exit(128 + signal);
        }
        libc::_exit(libc::WEXITSTATUS(status))
    }
}

fn raw(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some((code & 0xff) << 8),
        WaitStatus::Signaled(_, signal, _) => Some(signal as i32),
        _ => None,
    }
}

/// What `outer` and `init` do first: pass the signals they get on to
/// `child`, and hold no descriptor but `keep`, so that the program's pipes
/// close when the program does.
fn stand_by(child: Pid, keep: i32) {
    FORWARD_TO.store(child.as_raw(), Ordering::SeqCst);
    handle_forwarded(SigHandler::Handler(forward));
    let _ = sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&forwarded()), None);
    // SAFETY: descriptors 0–2 are not used by this process from here on.
    unsafe {
        libc::close(0);
        libc::close(1);
        libc::close(2);
    }
    close_from_3_except(Some(keep));
}

/// `outer`: passes signals on to `init`, then ends as the program ended.
pub(super) fn outer(init: Pid, status_read: OwnedFd, status_write: OwnedFd) -> ! {
    drop(status_write);
    stand_by(init, status_read.as_raw_fd());
    let mut bytes = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match read(&status_read, &mut bytes[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(Errno::EINTR) => continue,
            Err(_) => break,
        }
    }
    while waitpid(init, None) == Err(Errno::EINTR) {}
    if got == 4 {
        end_like(i32::from_ne_bytes(bytes));
    }
    // init died without a word: it was killed, and the program with it.
    end_like(Signal::SIGKILL as i32)
}

/// `init`: reaps every orphan until the program ends, tells `outer` how,
/// and ends, taking the rest of the namespace with it.
pub(super) fn init(program: Pid, status_write: OwnedFd) -> ! {
    stand_by(program, status_write.as_raw_fd());
    loop {
        match waitpid(Pid::from_raw(-1), None) {
            Ok(status) if status.pid() == Some(program) => {
                if let Some(raw) = raw(status) {
                    let _ = write(&status_write, &raw.to_ne_bytes());
                    // SAFETY: ends this process; the kernel ends the others.
                    unsafe { libc::_exit(0) }
                }
            }
            Err(Errno::EINTR) | Ok(_) => continue,
            Err(_) => unsafe { libc::_exit(1) },
        }
    }
}
