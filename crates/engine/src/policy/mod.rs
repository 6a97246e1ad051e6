//! `grading.toml`: the instructor's points, weights and visibility, set
//! without touching the grader's code.
//!
//! ```toml
//! [tasks.task03_echo]
//! weight = 2                      # every point of the task counts twice
//!
//! [checks."task03.server.echo_1mib"]
//! points = 5                      # instead of the check's own
//! visibility = "after_due_date"   # visible, hidden, after_due_date, after_published
//!
//! [checks."task01.client.ipv6"]
//! off = true                      # not run, not counted
//!
//! [sandbox]                       # the budget of each submission as a whole
//! memory = "2 GiB"                # all its programs together, no swap
//! processes = 2048                # processes and threads, all together
//! cpus = 2                        # CPU time per second (1.5 is fine too)
//! ```
//!
//! The file sits at the top of the instructor's workspace. [`Policy::apply`]
//! sets the points of the tasks before they are graded (and drops the
//! checks switched off), so every score, total and report follows;
//! [`Policy::mark`] writes each check's visibility into the report, where
//! every format reads it. Visibility takes Gradescope's four values. Where
//! students read a report themselves (GitHub's annotations and summary,
//! the Classroom dashboard, a local run in the student edition) only
//! visible checks are shown ([`students_now`]); the feedback files handed
//! back after grading and Gradescope's output show the visible checks and
//! nothing of the others, not even in a task's total ([`students_only`]).
//! The grade always counts every check that was run.
//!
//! `[sandbox]` sets the caps of the budget every graded submission's
//! programs share ([`Caps`], which the sandbox's cgroup enforces); a setting left out keeps
//! its default, shown above.
//!
//! `grader starter` copies the file into the student edition with
//! `edition = "student"` added: there a plain `cargo run -p grader` runs
//! only the visible checks, while a graded submission (`--submission`, as
//! Gradescope's `run_autograder` grades) keeps them all.

pub mod caps;

pub use crate::report::students::{any_not_shown, students_now, students_only};
pub use caps::Caps;

use crate::report::Report;
pub use crate::report::Visibility;
use crate::tasks::Task;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The file's name, at the top of the workspace.
pub const FILE: &str = "grading.toml";

#[derive(Debug, Error)]
pub enum PolicyError {
    #[error("could not read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} does not parse: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("{path}: no check `{id}`; `grader --list` shows every check's id")]
    UnknownCheck { path: PathBuf, id: String },
    #[error("{path}: no task `{name}`; the tasks are {known}")]
    UnknownTask {
        path: PathBuf,
        name: String,
        known: String,
    },
    #[error("{path}: {what}")]
    Invalid { path: PathBuf, what: String },
}

/// What `grading.toml` says about one check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rule {
    points: Option<u32>,
    visibility: Visibility,
    off: bool,
}

/// The instructor's grading policy; the default changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Task package → weight.
    weights: BTreeMap<String, u32>,
    /// Check id → rule.
    checks: BTreeMap<String, Rule>,
    /// The file of a student edition.
    student_edition: bool,
    /// The budget of each submission as a whole.
    pub sandbox: Caps,
}

impl Policy {
    /// The policy of the workspace `dir` is in: its `grading.toml`, found
    /// in `dir` or the folders above it up to the workspace's top (the one
    /// with `Cargo.lock`); none there is the default.
    pub fn load(dir: &Path) -> Result<Policy, PolicyError> {
        let Some(path) = Policy::file(dir) else {
            return Ok(Policy::default());
        };
        let text = std::fs::read_to_string(&path).map_err(|source| PolicyError::Read {
            path: path.clone(),
            source,
        })?;
        Policy::parse(&text, &path)
    }

    /// The `grading.toml` that [`Policy::load`] reads for `dir`, if any.
    pub fn file(dir: &Path) -> Option<std::path::PathBuf> {
        for folder in dir.ancestors() {
            let path = folder.join(FILE);
            if path.is_file() {
                return Some(path);
            }
            if folder.join("Cargo.lock").is_file() {
                break;
            }
        }
        None
    }

    /// Reads the text of `path`, checking every task and check it names.
    pub fn parse(text: &str, path: &Path) -> Result<Policy, PolicyError> {
        let invalid = |what: String| PolicyError::Invalid {
            path: path.to_path_buf(),
            what,
        };
        let doc: toml_edit::DocumentMut =
            text.parse()
                .map_err(|e: toml_edit::TomlError| PolicyError::Parse {
                    path: path.to_path_buf(),
                    reason: e.message().to_string(),
                })?;
        let tasks = crate::tasks::all();
        let mut policy = Policy::default();
        for (key, item) in doc.iter() {
            match key {
                "edition" => {
                    policy.student_edition = item.as_str() == Some("student");
                }
                "tasks" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| invalid("`tasks` is a table of tasks".into()))?;
                    for (name, settings) in table.iter() {
                        let task = tasks.iter().find(|t| t.is_named(name)).ok_or_else(|| {
                            PolicyError::UnknownTask {
                                path: path.to_path_buf(),
                                name: name.to_string(),
                                known: tasks.iter().map(|t| t.package).collect::<Vec<_>>().join(", "),
                            }
                        })?;
                        let settings = settings
                            .as_table_like()
                            .ok_or_else(|| invalid(format!("`tasks.{name}` is a table")))?;
                        for (setting, value) in settings.iter() {
                            match setting {
                                "weight" => {
                                    let weight = whole(value).ok_or_else(|| {
                                        invalid(format!(
                                            "`tasks.{name}.weight` is a whole number, 0 or more"
                                        ))
                                    })?;
                                    policy.weights.insert(task.package.to_string(), weight);
                                }
                                other => {
                                    return Err(invalid(format!(
                                        "`tasks.{name}.{other}` is not a setting; a task has `weight`"
                                    )))
                                }
                            }
                        }
                    }
                }
                "checks" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| invalid("`checks` is a table of check ids".into()))?;
                    for (id, settings) in table.iter() {
                        if !tasks.iter().flat_map(|t| &t.checks).any(|c| c.id == id) {
                            return Err(PolicyError::UnknownCheck {
                                path: path.to_path_buf(),
                                id: id.to_string(),
                            });
                        }
                        let settings = settings
                            .as_table_like()
                            .ok_or_else(|| invalid(format!("`checks.\"{id}\"` is a table")))?;
                        let mut rule = Rule::default();
                        for (setting, value) in settings.iter() {
                            match setting {
                                "points" => {
                                    rule.points = Some(whole(value).ok_or_else(|| {
                                        invalid(format!(
                                            "`points` of {id} is a whole number, 0 or more"
                                        ))
                                    })?);
                                }
                                "visibility" => {
                                    rule.visibility = value
                                        .as_str()
                                        .and_then(Visibility::parse)
                                        .ok_or_else(|| {
                                            invalid(format!(
                                                "`visibility` of {id} is one of visible, hidden, after_due_date, after_published"
                                            ))
                                        })?;
                                }
                                "off" => {
                                    rule.off = value.as_bool().ok_or_else(|| {
                                        invalid(format!("`off` of {id} is true or false"))
                                    })?;
                                }
                                other => {
                                    return Err(invalid(format!(
                                        "`{other}` of {id} is not a setting; a check has `points`, `visibility` and `off`"
                                    )))
                                }
                            }
                        }
                        policy.checks.insert(id.to_string(), rule);
                    }
                }
                "sandbox" => {
                    let table = item.as_table_like().ok_or_else(|| {
                        invalid("`sandbox` is a table of `memory`, `processes` and `cpus`".into())
                    })?;
                    for (setting, value) in table.iter() {
                        policy.sandbox.set(setting, value).map_err(invalid)?;
                    }
                }
                other => {
                    return Err(invalid(format!(
                        "`{other}` is not a setting; the file has `[tasks.NAME]`, `[checks.\"ID\"]` and `[sandbox]` tables"
                    )))
                }
            }
        }
        Ok(policy)
    }

    /// Sets the points of `tasks`' checks (each check's points, times its
    /// task's weight) and drops the checks switched off. A run of the
    /// student edition on its own (`local`, no `--submission`) also drops
    /// the checks students are not shown.
    pub fn apply(&self, tasks: &mut [Task], local: bool) {
        for task in tasks {
            let weight = self.weights.get(task.package).copied().unwrap_or(1);
            task.checks.retain(|check| {
                let rule = self.checks.get(&check.id);
                let off = rule.is_some_and(|r| r.off);
                let unseen = rule.is_some_and(|r| !r.visibility.is_visible());
                let not_for_students = local && self.student_edition && unseen;
                !(off || not_for_students)
            });
            for check in &mut task.checks {
                let points = self
                    .checks
                    .get(&check.id)
                    .and_then(|r| r.points)
                    .unwrap_or(check.points);
                check.points = points * weight;
            }
        }
    }

    /// The visibility `grading.toml` gives the check `id`.
    pub fn visibility(&self, id: &str) -> Visibility {
        self.checks
            .get(id)
            .map_or(Visibility::Visible, |r| r.visibility)
    }

    /// Writes each check's visibility into `report`.
    pub fn mark(&self, report: &mut Report) {
        for check in report.tasks.iter_mut().flat_map(|t| &mut t.checks) {
            check.visibility = self.visibility(&check.id);
        }
    }
}

/// A whole number of 0 or more.
fn whole(value: &toml_edit::Item) -> Option<u32> {
    value.as_integer().and_then(|n| u32::try_from(n).ok())
}

#[cfg(test)]
mod tests;
