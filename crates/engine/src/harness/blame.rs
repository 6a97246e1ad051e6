//! What a check's failure is put down to once the check has run: the one
//! reason behind it that the programs showed, whatever the check itself
//! saw go wrong after, in an order that holds every run.

use super::Ctx;
use crate::outcome::{CauseKind, CheckResult, Outcome, Status};

impl Ctx<'_> {
    /// `result`, the check's own verdict, put down to what the programs
    /// showed, first that applies:
    /// 1. starter code stopped at a `todo!()` (a failure, even of a check
    ///    that would have passed: a panic is one);
    /// 2. a program stopped by a sandbox limit;
    /// 3. a panic (or a Python traceback) printed while the check ran,
    ///    which fails a check that would have passed too;
    /// 4. a server that exited of its own accord during the check.
    ///
    /// Skipped checks and the grader's own errors stay as they are.
    pub fn explain(&self, result: CheckResult) -> CheckResult {
        let judged = |r: &CheckResult| r.as_ref().err().is_none_or(|o| o.status == Status::Fail);
        if !judged(&result) {
            return result;
        }
        if let Some((program, place)) = self.not_implemented() {
            return Err(
                Outcome::fail(format!("not implemented yet: {place}")).because(
                    CauseKind::NotImplemented,
                    &program,
                    place,
                ),
            );
        }
        if let Err(outcome) = &result {
            if let Some(limit) = self.limit_hit(outcome) {
                return Err(Outcome {
                    message: format!(
                        "a program hit a sandbox limit ({limit}): {}",
                        outcome.message
                    ),
                    ..outcome.clone()
                }
                .because(CauseKind::SandboxLimit, "program", limit));
            }
        }
        if let Some((program, detail)) = self.panic() {
            return Err(panicked(&program, &detail));
        }
        let unexplained = matches!(&result, Err(o) if o.cause.is_none());
        match unexplained.then(|| self.server_exit()).flatten() {
            Some(how) => {
                // Status 0: it returned, its accept loop over.
                let kind = match how.starts_with("exit status 0") {
                    true => CauseKind::StoppedServing,
                    false => CauseKind::Exited,
                };
                Err(
                    Outcome::fail(format!("the server exited during this check ({how})"))
                        .because(kind, "server", how),
                )
            }
            None => result,
        }
    }
}

/// The failure of a check during which `program` panicked (`detail`:
/// `file:line:col: message`). The cause names the place only: the message
/// can hold an OS error that differs run to run (a write to a client that
/// has gone fails with "Broken pipe" one time, "Connection reset" the
/// next), and one place is one mistake.
pub fn panicked(program: &str, detail: &str) -> Outcome {
    Outcome::fail(format!("the {program} panicked at {detail}")).because(
        CauseKind::Panicked,
        program,
        place(detail),
    )
}

/// `file:line:col` from `file:line:col: message`; all of `detail` when it
/// does not start that way (a Python traceback's line, say).
fn place(detail: &str) -> &str {
    let Some((head, _)) = detail.split_once(": ") else {
        return detail;
    };
    let mut parts = head.rsplitn(3, ':');
    let numbers = parts
        .by_ref()
        .take(2)
        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match numbers && parts.next().is_some_and(|file| !file.is_empty()) {
        true => head,
        false => detail,
    }
}

#[cfg(test)]
mod tests {
    use super::place;

    #[test]
    fn a_panic_is_placed_by_file_line_and_column() {
        assert_eq!(
            place("src/bin/server.rs:104:58: called `Result::unwrap()` on an `Err` value: Os { code: 32 }"),
            "src/bin/server.rs:104:58"
        );
        assert_eq!(place("C:\\t\\server.rs:4:5: boom"), "C:\\t\\server.rs:4:5");
        assert_eq!(
            place("File \"client.py\", line 9: x"),
            "File \"client.py\", line 9: x"
        );
        assert_eq!(place("no place here"), "no place here");
    }
}
