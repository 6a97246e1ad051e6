//! Checks as data, and their outcomes.
//!
//! A task's file writes each check as one [`CheckDef`] literal: name, title,
//! points, its [`Kind`], every hint level and a function. [`CheckDef::in_task`] makes it
//! the [`Check`] the runner and the reports see, its role and full id
//! derived from the name. The function gets a [`Ctx`] (see
//! [`crate::harness`], which runs it) and returns `Ok(())` for a pass or an
//! [`Outcome`] saying what went wrong.

pub use crate::harness::{Ctx, Finished, Server, Subjects};
pub use crate::outcome::{Cause, CauseKind, CheckResult, Kind, Outcome, Role, Status};

/// The language a binary is handed in as, which the hints about it speak:
/// Rust's calls (`read`, `write_all`) or Python's (`recv()`, `sendall()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Rust,
    Python,
}

impl Language {
    /// The language the hints of a check of `role` speak when the binaries
    /// of `python` are Python: its binary's; a pair check's is Python when
    /// either of its binaries is (its hints name calls of both sides, and
    /// Python's are the ones a Rust student reads best too).
    pub fn of(role: Role, python: &[Role]) -> Language {
        let is_python = match role {
            Role::Pair => !python.is_empty(),
            side => python.contains(&side),
        };
        if is_python {
            Language::Python
        } else {
            Language::Rust
        }
    }
}

/// One check as its task's file writes it: everything about it in one
/// literal. The role and the full id are derived from `name`, so they can't
/// disagree with it.
pub struct CheckDef {
    /// The id without `taskNN.`, starting with the role: `server.closes`.
    pub name: &'static str,
    pub title: &'static str,
    pub points: u32,
    pub kind: Kind,
    /// Hint levels, most general first: level 1 is shown with a failure
    /// (where to look, not the answer), level 2 on by `grader hint` (the
    /// calls and the shape of the fix, still not the code).
    pub hints: &'static [&'static str],
    pub run: fn(&mut Ctx) -> CheckResult,
}

impl CheckDef {
    /// The check as task `number`, whose default port is `default_port`,
    /// grades it.
    ///
    /// # Panics
    /// When the name does not start with `server.`, `client.` or `pair.`:
    /// a mistake in the grader's own tables, caught by its tests.
    pub fn in_task(self, number: u8, default_port: u16) -> Check {
        let role = Role::of_name(self.name).unwrap_or_else(|| {
            panic!(
                "check `{}`: a name starts with server., client. or pair.",
                self.name
            )
        });
        let (hint, deeper) = self.hints.split_first().unwrap_or((&"", &[]));
        Check {
            id: format!("task{number:02}.{}", self.name),
            title: self.title,
            role,
            points: self.points,
            kind: self.kind,
            hint,
            deeper,
            python: None,
            run: self.run,
            default_port,
        }
    }
}

/// One graded behaviour, as the runner and the reports see it.
pub struct Check {
    /// Stable id, `task03.server.echo_1mib`: the same in code, reports and docs.
    pub id: String,
    pub title: &'static str,
    pub role: Role,
    pub points: u32,
    /// Whether it judges work on the wire, or an edge that counts only
    /// after some.
    pub kind: Kind,
    /// Shown with a failure: where to look, not the answer.
    pub hint: &'static str,
    /// The hints past the first, for `grader hint`.
    pub deeper: &'static [&'static str],
    /// Every hint level again in Python's words, where `hint` and `deeper`
    /// name Rust's calls; `None`: they hold for a Python binary too.
    pub python: Option<&'static [&'static str]>,
    pub run: fn(&mut Ctx) -> CheckResult,
    /// The task's default port (the contract's layout table): a server that
    /// binds it whatever `--port` says is told so.
    pub default_port: u16,
}

impl Check {
    /// Its first hint and the deeper ones, worded for a binary in `language`.
    pub fn hints_in(&self, language: Language) -> (&'static str, &'static [&'static str]) {
        match (language, self.python) {
            (Language::Python, Some([first, deeper @ ..])) => (first, deeper),
            _ => (self.hint, self.deeper),
        }
    }
}

/// What the runner tells the caller as it goes, for a progress line.
pub enum Progress<'a> {
    Building,
    Checking(&'a Check),
}
