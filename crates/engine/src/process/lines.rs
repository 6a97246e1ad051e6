//! A child's output streams turned into lines, on threads that pump them.
//!
//! Each stream is read on a background thread into [`Captured`] lines,
//! keeping at most [`KEPT_BYTES`] (the rest is read and counted as dropped)
//! and splitting any line longer than [`LONGEST_LINE`], so a program that
//! prints forever can't eat the grader's memory. Waiters are woken through
//! the condition variable on every change and when the stream closes.

use super::{KEPT_BYTES, LONGEST_LINE};
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Instant;

#[derive(Default)]
pub(super) struct Captured {
    pub(super) lines: Vec<String>,
    /// When each line arrived, for transcripts.
    arrived: Vec<Instant>,
    partial: Vec<u8>,
    kept: usize,
    pub(super) dropped: u64,
    pub(super) closed: bool,
}

/// The text of a line printed as `raw` (its `\n` taken off). Where lines
/// end with `\n` alone, a `\r` before it stays: a program that prints one
/// has printed something other than the text. Where they end with
/// `\r\n` (`crlf`: Windows' text mode), that ending is taken off whole.
fn line_text(raw: &[u8], crlf: bool) -> String {
    let raw = match raw.strip_suffix(b"\r") {
        Some(text) if crlf => text,
        _ => raw,
    };
    String::from_utf8_lossy(raw).into_owned()
}

impl Captured {
    /// Keeps one line; `size` is the bytes it took in the stream.
    fn push_line(&mut self, raw: &[u8], size: usize) {
        if self.kept + size > KEPT_BYTES {
            self.dropped += size as u64;
            return;
        }
        self.kept += size;
        self.lines.push(line_text(raw, crate::platform::crlf()));
        self.arrived.push(Instant::now());
    }

    fn take(&mut self, data: &[u8]) {
        for piece in data.split_inclusive(|&b| b == b'\n') {
            self.partial.extend_from_slice(piece);
            if piece.ends_with(b"\n") {
                let line = std::mem::take(&mut self.partial);
                self.push_line(&line[..line.len() - 1], line.len());
            } else if self.partial.len() >= LONGEST_LINE {
                let line = std::mem::take(&mut self.partial);
                self.push_line(&line, line.len());
            }
        }
    }

    fn close(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.push_line(&line, line.len());
        }
        self.closed = true;
    }
}

/// One output stream's lines, shared with the thread that pumps it.
#[derive(Default)]
pub(super) struct Lines {
    captured: Mutex<Captured>,
    pub(super) changed: Condvar,
}

impl Lines {
    pub(super) fn lock(&self) -> MutexGuard<'_, Captured> {
        self.captured
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn pump(self: Arc<Self>, mut pipe: impl Read + Send + 'static) {
        thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            loop {
                match pipe.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        self.lock().take(&buffer[..n]);
                        self.changed.notify_all();
                    }
                }
            }
            self.lock().close();
            self.changed.notify_all();
        });
    }
}

/// A handle on one output stream of a child, stdout or stderr, that
/// outlives the child, to look at what it said after it is gone.
#[derive(Clone)]
pub struct Tap(pub(super) Arc<Lines>);

impl Tap {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().lines.clone()
    }

    /// Waits until the stream is closed (the program and anything that
    /// shares its pipe have ended), or `deadline`; whether it is.
    pub fn wait_closed(&self, deadline: crate::time::Deadline) -> bool {
        let mut captured = self.0.lock();
        while !captured.closed {
            let Some(left) = deadline.remaining() else {
                return false;
            };
            captured = self
                .0
                .changed
                .wait_timeout(captured, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        true
    }

    /// Every line with the moment it arrived.
    pub fn stamped(&self) -> Vec<(Instant, String)> {
        let captured = self.0.lock();
        captured
            .arrived
            .iter()
            .copied()
            .zip(captured.lines.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{sh, soon};
    use super::super::{Child, Stream};
    use super::*;

    #[test]
    fn a_carriage_return_is_an_ending_only_where_lines_end_so() {
        assert_eq!(
            line_text(b"Listening on 127.0.0.1:5\r", true),
            "Listening on 127.0.0.1:5"
        );
        assert_eq!(line_text(b"text\r", false), "text\r");
        assert_eq!(line_text(b"text", true), "text");
    }

    #[test]
    fn lines_are_split_and_matched() {
        let child = Child::spawn(&sh("printf 'one\\r\\ntwo\\nListening on x'"), false).unwrap();
        let line = child
            .wait_for_line(Stream::Stdout, soon(), |l| l.starts_with("Listening"))
            .unwrap();
        assert_eq!(line, "Listening on x");
        assert_eq!(
            child.output(Stream::Stdout),
            ["one\r", "two", "Listening on x"]
        );
    }
    #[test]
    fn output_is_capped() {
        let child = Child::spawn(&sh("yes 0123456789 | head -c 1999998"), false).unwrap();
        assert!(child.wait(soon()).is_some());
        let kept: usize = child
            .output(Stream::Stdout)
            .iter()
            .map(|l| l.len() + 1)
            .sum();
        assert!(kept <= KEPT_BYTES, "kept {kept} bytes");
        let dropped = child.dropped(Stream::Stdout);
        assert_eq!(
            kept as u64 + dropped,
            1_999_998,
            "kept {kept}, dropped {dropped}"
        );
    }
}
