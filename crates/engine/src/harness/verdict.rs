//! Verdicts on what a program did, and what it printed shown to people.

use super::Finished;
use crate::outcome::{CheckResult, Outcome};
use crate::process::{describe_status, Child, Stream};
use crate::show;
use crate::time::Deadline;
use std::time::Duration;

/// The client exited with status 0.
pub fn expect_success(done: &Finished) -> CheckResult {
    if done.status.success() {
        return Ok(());
    }
    // Its panic, or its last stderr line, is usually why.
    let last = match (panicked(&done.stderr), done.stderr.last()) {
        (Some(panic), _) => format!("; it printed {panic}"),
        (None, Some(line)) => format!("; its last stderr line: {}", show::line(line)),
        (None, None) => String::new(),
    };
    Err(Outcome::fail(format!(
        "the client ended with {} instead of exit status 0{last}",
        describe_status(done.status)
    ))
    .actual(format!("stderr: {}", lines_or_nothing(&done.stderr))))
}

/// The client printed exactly the line `wanted` (among any others).
pub fn expect_line(done: &Finished, wanted: &str) -> CheckResult {
    if done.stdout.iter().any(|l| l == wanted) {
        return Ok(());
    }
    // The line that starts the same way (`Received from server:`), if
    // there is one: what the program printed instead.
    let start = wanted.find(": ").map(|at| &wanted[..at + 2]);
    let instead = start.and_then(|start| {
        let line = done.stdout.iter().find(|l| l.starts_with(start))?;
        Some((line, start.len()))
    });
    let message = match instead {
        Some((line, text)) => {
            let why = show::mangled(&wanted[text..], &line[text..])
                .map_or(String::new(), |why| format!(": {why}"));
            format!(
                "it printed {} where {} was due{why}",
                show::line(line),
                show::text(wanted)
            )
        }
        None => format!("no line {} on stdout", show::text(wanted)),
    };
    Err(Outcome::fail(message)
        .expected(show::text(wanted))
        .actual(lines_or_nothing(&done.stdout)))
}

/// The client failed as the contract says: exit 1, an `error:` line on
/// stderr that names `address`, and no panic.
pub fn expect_clean_error(done: &Finished, address: &str) -> CheckResult {
    let example = format!("error: could not connect to 127.0.0.1:{address}: …");
    expect_error_exit(done, "client", &example, address)
}

/// `who` (the client, the server) ended as the contract says a program
/// ends on an error: exit 1, an `error:` line on stderr that names
/// `address` (`example` shows one), and no panic.
pub fn expect_error_exit(done: &Finished, who: &str, example: &str, address: &str) -> CheckResult {
    if let Some(words) = super::panic::panic_words(&done.stderr) {
        // Told as every panic is, whichever check meets it.
        return Err(super::blame::panicked(who, &words).expected("a line `error: …` on stderr"));
    }
    if done.status.code() != Some(1) {
        return Err(Outcome::fail(format!(
            "the {who} ended with {}, not exit status 1",
            describe_status(done.status)
        )));
    }
    let error = done
        .stderr
        .iter()
        .find(|l| l.trim_start().starts_with("error:"));
    match error {
        None => Err(Outcome::fail("no line starting with `error:` on stderr")
            .expected(example.to_string())
            .actual(lines_or_nothing(&done.stderr))),
        Some(line) if !line.contains(address) => Err(Outcome::fail(format!(
            "the `error:` line does not name the address (port {address})"
        ))
        .expected(example.to_string())
        .actual(show::line(line))),
        Some(_) => Ok(()),
    }
}

/// Where `stderr` says the program panicked (Rust: the `panicked at` line
/// and the message under it) or died of an exception it did not catch
/// (Python: the traceback's first line), shown.
pub fn panicked(stderr: &[String]) -> Option<String> {
    let at = stderr.iter().position(|l| {
        l.contains("panicked") || l.starts_with("Traceback (most recent call last)")
    })?;
    let shown: Vec<String> = stderr[at..].iter().take(2).map(|l| show::line(l)).collect();
    Some(shown.join(", "))
}

/// The `file:line` of a `todo!()` panic in a Rust program's stderr, or of
/// the `raise NotImplementedError(…)` that ended a Python stub
/// (`task01_connect/server.py:15`: the file with its folder, as Rust's
/// place names the package).
pub fn todo_location(stderr: &[String]) -> Option<String> {
    let rust = stderr.windows(2).find_map(|pair| {
        let place = pair[0]
            .split("panicked at ")
            .nth(1)?
            .trim()
            .strip_suffix(':')?;
        let unfinished =
            pair[1].starts_with("not yet implemented") || pair[1].starts_with("not implemented");
        let (file_line, _column) = place.rsplit_once(':')?;
        unfinished.then(|| file_line.to_string())
    });
    rust.or_else(|| {
        let lines: Vec<&str> = stderr.iter().map(String::as_str).collect();
        lines.iter().enumerate().find_map(|(i, line)| {
            let found = super::panic::traceback(line, &lines[i + 1..])?;
            let (path, number) = found.frame.filter(|_| found.not_implemented())?;
            let mut parts = path.rsplit(['/', '\\']);
            let file = parts.next()?;
            let place = match parts.next() {
                Some(folder) if !folder.is_empty() => format!("{folder}/{file}"),
                _ => file.to_string(),
            };
            Some(format!("{}:{number}", show::inert(&place)))
        })
    })
}

/// " ; it printed: …" with the program's last lines, or nothing.
pub fn printed(child: &Child) -> String {
    if child.status().is_some() {
        // Gone: its last lines are read to the end first, so the message
        // is the same however late the threads reading its pipes ran.
        child.wait(Deadline::after(Duration::ZERO));
    }
    let mut said = Vec::new();
    for stream in [Stream::Stdout, Stream::Stderr] {
        let lines = child.output(stream);
        if !lines.is_empty() {
            let tail = &lines[lines.len().saturating_sub(5)..];
            let shown: Vec<String> = tail.iter().map(|l| show::line(l)).collect();
            said.push(format!("{} {}", stream.name(), shown.join(", ")));
        }
    }
    if said.is_empty() {
        "; it printed nothing".to_string()
    } else {
        format!("; it printed: {}", said.join("; "))
    }
}

/// Lines shown one after another, or "nothing".
pub fn lines_or_nothing(lines: &[String]) -> String {
    if lines.is_empty() {
        "nothing".to_string()
    } else {
        let tail = &lines[lines.len().saturating_sub(6)..];
        tail.iter()
            .map(|l| show::line(l))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The contract's answer to a wrong echo: `error: echo mismatch …`, exit 1.
pub fn expect_mismatch_error(done: &Finished) -> CheckResult {
    if let Some(panic) = panicked(&done.stderr) {
        return Err(Outcome::fail("the client panicked on a wrong echo").actual(panic));
    }
    let said = done
        .stderr
        .iter()
        .any(|l| l.trim_start().starts_with("error:") && l.contains("mismatch"));
    if said && done.status.code() == Some(1) {
        return Ok(());
    }
    Err(Outcome::fail(format!(
        "the client accepted a wrong echo (it ended with {})",
        describe_status(done.status)
    ))
    .expected("exit status 1 and `error: echo mismatch …` on stderr")
    .actual(format!("stderr: {}", lines_or_nothing(&done.stderr))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todo_panics_are_found() {
        let stderr = [
            "thread 'main' (123) panicked at task01_connect/src/bin/server.rs:33:5:".to_string(),
            "not yet implemented: listen on 127.0.0.1:0".to_string(),
            "note: run with `RUST_BACKTRACE=1`".to_string(),
        ];
        assert_eq!(
            todo_location(&stderr).as_deref(),
            Some("task01_connect/src/bin/server.rs:33")
        );
        let other = [
            "thread 'main' panicked at src/main.rs:3:5:".to_string(),
            "boom".to_string(),
        ];
        assert_eq!(todo_location(&other), None);
        let python = [
            "Traceback (most recent call last):",
            "  File \"/tmp/e/task01_connect/server.py\", line 49, in <module>",
            "    sys.exit(main())",
            "             ^^^^^^",
            "  File \"/tmp/e/task01_connect/server.py\", line 15, in listen",
            "    raise NotImplementedError(\"make a TCP socket\")",
            "NotImplementedError: make a TCP socket",
        ]
        .map(String::from);
        assert_eq!(
            todo_location(&python).as_deref(),
            Some("task01_connect/server.py:15")
        );
        let crashed = python
            .clone()
            .map(|l| l.replace("NotImplementedError", "OSError"));
        assert_eq!(todo_location(&crashed), None);
    }
}
