//! A program's panic (Rust) or uncaught exception (Python) found on its
//! stderr, in the same words every run: where, and what it said, without
//! the thread's name or id, which change from run to run.

use super::Ctx;
use crate::process::ExitWatch;
use crate::show;
use crate::time::Deadline;
use std::time::{Duration, Instant};

/// How long a program's stderr is waited for to end, for all the programs
/// of a check together: a panic printed just before it exited is seen.
pub(super) const DRAIN: Duration = Duration::from_millis(500);

/// The longest panic message kept, in characters.
const MESSAGE_CHARS: usize = 200;

/// The first panic in `stderr` printed before `cutoff`, with when it came
/// and its words (`src/main.rs:51:37: the message`). A `todo!()` is not
/// one here: the starter code not filled in yet has a cause of its own.
pub(super) fn first(
    stderr: &[(Instant, String)],
    cutoff: Option<Instant>,
) -> Option<(Instant, String)> {
    let before = |at: &Instant| cutoff.is_none_or(|cut| *at < cut);
    let lines: Vec<&str> = stderr.iter().map(|(_, l)| l.as_str()).collect();
    stderr.iter().enumerate().find_map(|(i, (at, line))| {
        if !before(at) {
            return None;
        }
        let detail =
            rust(line, lines.get(i + 1).copied()).or_else(|| python(line, &lines[i + 1..]))?;
        Some((*at, detail))
    })
}

/// The words of the first panic in `stderr` (`file:line:col: message`).
pub fn panic_words(stderr: &[String]) -> Option<String> {
    let now = Instant::now();
    let stamped: Vec<(Instant, String)> = stderr.iter().map(|l| (now, l.clone())).collect();
    first(&stamped, None).map(|(_, words)| words)
}

/// `file:line:col: message` from `thread 'main' (12) panicked at
/// file:line:col:` and the message line under it; `None` for a `todo!()`.
fn rust(line: &str, next: Option<&str>) -> Option<String> {
    let (_, place) = line.split_once("panicked at ")?;
    let place = place.trim();
    // Before Rust 1.73: `panicked at 'message', src/main.rs:3:5`.
    if let Some(old) = place.strip_prefix('\'') {
        let (message, place) = old.rsplit_once("', ")?;
        return Some(words(place, message));
    }
    let place = place.strip_suffix(':').unwrap_or(place);
    let message = next.unwrap_or("");
    if message.starts_with("not yet implemented") || message.starts_with("not implemented") {
        return None;
    }
    Some(words(place, message))
}

/// A Python traceback: the file and line of its last frame (where the
/// exception was raised), and the exception's line.
pub(super) struct Traceback<'a> {
    /// The file's path as Python printed it, and the line number.
    pub(super) frame: Option<(&'a str, &'a str)>,
    pub(super) exception: &'a str,
}

impl Traceback<'_> {
    /// Whether it is starter code not filled in yet: a stub's
    /// `raise NotImplementedError(…)`, Python's `todo!()`.
    pub(super) fn not_implemented(&self) -> bool {
        let name = self.exception.split(':').next().unwrap_or_default();
        name.trim() == "NotImplementedError"
    }
}

/// The traceback that `line` opens, `rest` the lines after it.
pub(super) fn traceback<'a>(line: &str, rest: &[&'a str]) -> Option<Traceback<'a>> {
    if !line.starts_with("Traceback (most recent call last)") {
        return None;
    }
    let end = rest
        .iter()
        .position(|l| !l.starts_with(' ') && !l.is_empty())?;
    let frame = rest[..end].iter().rev().find_map(|l| {
        let (path, rest) = l.trim_start().strip_prefix("File \"")?.split_once('"')?;
        let number = rest.split("line ").nth(1)?.split(',').next()?;
        Some((path, number))
    });
    Some(Traceback {
        frame,
        exception: rest[end],
    })
}

/// `file.py:line: Error: message` from a Python traceback: its last
/// `File` line and the exception's line after it; `None` for a
/// `NotImplementedError`, which has a cause of its own.
fn python(line: &str, rest: &[&str]) -> Option<String> {
    let found = traceback(line, rest)?;
    if found.not_implemented() {
        return None;
    }
    let place = match found.frame {
        Some((path, number)) => {
            let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
            format!("{name}:{number}")
        }
        None => "a traceback".to_string(),
    };
    Some(words(&place, found.exception))
}

fn words(place: &str, message: &str) -> String {
    let mut message = show::inert(message.trim()).into_owned();
    if let Some((cut, _)) = message.char_indices().nth(MESSAGE_CHARS) {
        message = format!("{}…", &message[..cut]);
    }
    format!("{}: {message}", show::inert(place.trim()))
}

impl Ctx<'_> {
    /// The first panic a program of this check printed while the check
    /// ran, as (`server` or `client`, `file:line:col: message`). What it
    /// printed once the grader had begun to stop it (a signal, the
    /// cleanup at the check's end) is not counted: that is the grader's
    /// doing, and it comes or not by a hair.
    pub fn panic(&self) -> Option<(String, String)> {
        let cleanup = self.watches.iter().filter_map(ExitWatch::cleanup_at).min();
        let drain = Deadline::after(DRAIN);
        let mut found: Vec<(Instant, &str, String)> = Vec::new();
        for ((name, _, stderr), watch) in self.printed.iter().zip(&self.watches) {
            if watch.exited() {
                stderr.wait_closed(drain);
            }
            let cutoff = [cleanup, watch.signalled_at()].into_iter().flatten().min();
            if let Some((at, detail)) = first(&stderr.stamped(), cutoff) {
                found.push((at, name, detail));
            }
        }
        found.sort_by_key(|(at, ..)| *at);
        let (_, name, detail) = found.into_iter().next()?;
        let program = name.split(' ').next().unwrap_or(name);
        Some((program.to_string(), detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(lines: &[&str]) -> Vec<(Instant, String)> {
        let now = Instant::now();
        lines.iter().map(|l| (now, l.to_string())).collect()
    }

    #[test]
    fn panics_read_the_same_whatever_the_thread() {
        for thread in ["thread 'main' (4711)", "thread '<unnamed>'"] {
            let stderr = stamped(&[
                "hello",
                &format!("{thread} panicked at src/bin/client.rs:51:37:"),
                "called `Option::unwrap()` on a `None` value",
                "note: run with `RUST_BACKTRACE=1`",
            ]);
            assert_eq!(
                first(&stderr, None).map(|(_, d)| d).as_deref(),
                Some("src/bin/client.rs:51:37: called `Option::unwrap()` on a `None` value")
            );
        }
        let todo = stamped(&["thread 'main' panicked at s.rs:3:5:", "not yet implemented"]);
        assert_eq!(first(&todo, None), None);
        let old = stamped(&["thread 'main' panicked at 'boom', src/main.rs:3:5"]);
        assert_eq!(first(&old, None).unwrap().1, "src/main.rs:3:5: boom");
    }

    #[test]
    fn a_panic_after_the_cutoff_is_not_counted() {
        let stderr = stamped(&["thread 'main' panicked at a.rs:1:1:", "late"]);
        assert!(first(&stderr, Some(stderr[0].0)).is_none());
        assert!(first(&stderr, Some(Instant::now() + Duration::from_secs(1))).is_some());
    }

    #[test]
    fn tracebacks_name_the_line_and_the_exception() {
        let stderr = stamped(&[
            "Traceback (most recent call last):",
            "  File \"/x/task06_server.py\", line 40, in <module>",
            "    main()",
            "  File \"/x/task06_server.py\", line 31, in main",
            "    conn.sendall(data)",
            "BrokenPipeError: [Errno 32] Broken pipe",
        ]);
        assert_eq!(
            first(&stderr, None).unwrap().1,
            "task06_server.py:31: BrokenPipeError: [Errno 32] Broken pipe"
        );
        // A stub not filled in yet is not a crash: it has a cause of its own.
        let stub = stamped(&[
            "Traceback (most recent call last):",
            "  File \"/x/task01_connect/server.py\", line 15, in listen",
            "    raise NotImplementedError(\"listen\")",
            "NotImplementedError: listen",
        ]);
        assert_eq!(first(&stub, None), None);
    }
}
