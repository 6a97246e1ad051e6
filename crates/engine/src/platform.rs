//! Which operating system the grader grades on, and what it can judge there.
//!
//! The checks are the same everywhere; a few need what only some systems
//! give. Linux shows a program's open files, threads and TCP states
//! (`/proc`, netlink), which the hygiene checks read; Linux and macOS can
//! send a program Ctrl-C and SIGTERM, and stop it. A check that can't be
//! judged here is skipped, says where it is graded, and counts neither way.
//!
//! `GRADER_OS=windows` (or `macos`) makes the grader on Linux take the
//! paths of that system, so the kit's tests run them where they can.

use crate::outcome::Outcome;
use std::sync::OnceLock;

/// A system the grader runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
    /// Another Unix (a BSD, say): signals, no probes.
    OtherUnix,
}

impl Os {
    fn name(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::MacOs => "macOS",
            Os::Windows => "Windows",
            Os::OtherUnix => "this system",
        }
    }
}

/// The system the grader runs on, or the one `GRADER_OS` names.
pub fn os() -> Os {
    static OS: OnceLock<Os> = OnceLock::new();
    *OS.get_or_init(|| match std::env::var("GRADER_OS").as_deref() {
        Ok("windows") => Os::Windows,
        Ok("macos") => Os::MacOs,
        Ok("linux") if cfg!(target_os = "linux") => Os::Linux,
        _ if cfg!(target_os = "linux") => Os::Linux,
        _ if cfg!(target_os = "macos") => Os::MacOs,
        _ if cfg!(windows) => Os::Windows,
        _ => Os::OtherUnix,
    })
}

/// Whether the OS shows a program's open files, threads and TCP states.
pub fn probes() -> bool {
    os() == Os::Linux
}

/// Whether a program can be sent Ctrl-C and SIGTERM, and be stopped.
pub fn signals() -> bool {
    os() != Os::Windows
}

/// Whether programs end their printed lines with `\r\n` (Windows' text
/// mode, which Python's `print` uses there): the grader takes the ending
/// off whole.
pub fn crlf() -> bool {
    os() == Os::Windows
}

/// A check that needs what this system lacks (`need`: "read a program's
/// open files"): skipped, and graded where it can be.
pub fn unjudged(need: &str) -> Outcome {
    Outcome::skip(format!(
        "on {} the grader can't {need}; your instructor's grading on Linux judges it",
        os().name()
    ))
}
