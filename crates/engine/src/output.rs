//! Writing to stdout.

use anyhow::Context;
use std::io::Write;

/// Writes `text` to stdout (through anstream when `styled`, which drops the
/// colours when stdout is not a terminal). A reader that has gone away, as
/// in `grader --list | head`, is not an error.
pub fn emit(text: &str, styled: bool) -> anyhow::Result<()> {
    let written = if styled {
        anstream::stdout().write_all(text.as_bytes())
    } else {
        std::io::stdout().lock().write_all(text.as_bytes())
    };
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write to stdout"),
    }
}
