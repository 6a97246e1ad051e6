//! The report: what a grading run found, as data.
//!
//! The runner fills it in; each renderer only reads it, one module per
//! format. Its JSON form is the contract's schema, and `build_errors`,
//! `expected`, `actual` and `transcript` are added where they say something.

pub mod classroom;
pub mod github;
pub mod gradescope;
pub mod html;
pub mod human;
#[cfg(feature = "junit")]
pub mod junit;
mod lead;
pub mod markdown;
mod protection;
pub mod students;
mod visibility;

pub use lead::{lead, Lead};
pub use protection::{Mode, Protection, Usage};
pub use visibility::Visibility;

use crate::check::{Cause, Role, Status};
use crate::show;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub score: u32,
    pub max_score: u32,
    pub tasks: Vec<TaskReport>,
    /// What the grader noticed about a submission (which folders it took).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What protected the run, when untrusted code was graded (or
    /// `--sandbox` asked for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<Protection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Build {
    Ok,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskReport {
    pub task: String,
    pub score: u32,
    pub max_score: u32,
    pub build: Build,
    /// The first compiler errors, when the task did not build.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_errors: Vec<String>,
    /// The sides whose binary did not build (`build` is then `failed`):
    /// their checks and the pair's fail, the other side's are graded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unbuilt: Vec<Role>,
    /// The sides handed in as Python, whose hints are worded for Python.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub python: Vec<Role>,
    pub checks: Vec<CheckReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    pub id: String,
    pub title: String,
    pub role: Role,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    pub message: String,
    pub hint: String,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<String>,
    /// The reason behind a failure that fails other checks too (the
    /// starter code is not filled in, the server never announced itself),
    /// or behind the points withheld from a pass ([`crate::work`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// The check's verdict changed between runs of `--repeat`: a grader
    /// bug to fix, never the student's fault.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flaky: bool,
    /// Who sees the check's result, and when (`grading.toml`).
    #[serde(default, skip_serializing_if = "Visibility::is_visible")]
    pub visibility: Visibility,
}

impl Report {
    pub fn new(tasks: Vec<TaskReport>) -> Report {
        Report {
            version: 1,
            score: tasks.iter().map(|t| t.score).sum(),
            max_score: tasks.iter().map(|t| t.max_score).sum(),
            tasks,
            notes: Vec::new(),
            sandbox: None,
        }
    }

    fn checks(&self) -> impl Iterator<Item = &CheckReport> {
        self.tasks.iter().flat_map(|t| &t.checks)
    }

    /// The exit status the contract gives this report: 0 when every check
    /// passed, 2 when any check ended in `error`, else 1.
    pub fn exit_code(&self) -> u8 {
        if self.checks().any(|c| c.status == Status::Error) {
            2
        } else if self.checks().any(|c| c.status == Status::Fail) {
            1
        } else {
            0
        }
    }

    /// Every line a report shows before the checks: the sandbox (a warning
    /// when untrusted code ran without one), then the notes.
    pub fn preamble(&self) -> Vec<(bool, String)> {
        let mut lines = Vec::new();
        if let Some(sandbox) = &self.sandbox {
            let warning = sandbox.mode == Mode::Unsandboxed;
            lines.push((
                warning,
                format!(
                    "sandbox: {}: {}",
                    sandbox.headline(),
                    sandbox.layers.join("; ")
                ),
            ));
        }
        lines.extend(self.notes.iter().map(|n| (false, n.clone())));
        lines
    }

    /// The report with every text in it made [`show::inert`]: what every
    /// renderer starts from, the JSON report's too (JSON escapes C0
    /// controls but leaves C1 controls and bidi overrides raw, and its text
    /// ends up on terminals and pages as well). Names, notes, compiler
    /// errors and program output all come from a submission, and a batch
    /// reads even the rest back from a child grader; the grader's own words
    /// hold no character to escape and come out as they were.
    pub fn inert(&self) -> Report {
        let line = |text: &String| show::inert(text).into_owned();
        let lines = |text: &String| show::inert_lines(text).into_owned();
        let mut report = self.clone();
        report.notes = self.notes.iter().map(line).collect();
        if let Some(sandbox) = &mut report.sandbox {
            sandbox.layers = sandbox.layers.iter().map(line).collect();
        }
        for task in &mut report.tasks {
            task.task = line(&task.task);
            task.build_errors = task.build_errors.iter().map(lines).collect();
            for check in &mut task.checks {
                check.id = line(&check.id);
                check.title = line(&check.title);
                check.message = lines(&check.message);
                check.hint = lines(&check.hint);
                check.expected = check.expected.as_ref().map(lines);
                check.actual = check.actual.as_ref().map(lines);
                check.transcript = check.transcript.iter().map(line).collect();
                if let Some(cause) = &mut check.cause {
                    cause.program = line(&cause.program);
                    cause.detail = lines(&cause.detail);
                }
            }
        }
        report
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

impl Build {
    pub fn as_str(self) -> &'static str {
        match self {
            Build::Ok => "ok",
            Build::Failed => "failed",
        }
    }
}

/// The formats a report can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people at a terminal (the default).
    Human,
    /// The contract's JSON schema.
    Json,
    /// JUnit XML: one testsuite per task, one testcase per check.
    #[cfg(feature = "junit")]
    Junit,
    /// Gradescope's autograder results.json.
    Gradescope,
    /// GitHub Actions annotations for failed checks.
    Github,
    /// GitHub Classroom's autograding result, for its grading reporter.
    Classroom,
    /// A Markdown summary, for feedback or a job summary.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    /// Its name, as `--format` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            #[cfg(feature = "junit")]
            Format::Junit => "junit",
            Format::Gradescope => "gradescope",
            Format::Github => "github",
            Format::Classroom => "classroom",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// The report in this format; `title` heads the HTML page.
    pub fn render(self, report: &Report, verbose: bool, title: &str) -> String {
        match self {
            Format::Human => human::render(report, verbose),
            Format::Json => report.inert().to_json(),
            #[cfg(feature = "junit")]
            Format::Junit => junit::render(report),
            Format::Gradescope => gradescope::render(report),
            Format::Github => github::render(report),
            Format::Classroom => classroom::render(report),
            Format::Markdown => markdown::render(report),
            Format::Html => html::render(report, title),
        }
    }
}

impl CheckReport {
    pub fn status_is_pass(&self) -> bool {
        self.status == Status::Pass
    }

    /// Whether it passed and its points are not counted (a binary with no
    /// work on the wire yet, [`crate::work`]): its message says why.
    pub fn withheld(&self) -> bool {
        self.status == Status::Pass && self.cause.is_some()
    }

    /// What went wrong, in plain text: the message, then what was expected,
    /// what happened and the hint, each on its own line.
    pub fn details(&self) -> String {
        let mut lines = vec![self.message.clone()];
        if let Some(expected) = &self.expected {
            lines.push(format!("expected: {expected}"));
        }
        if let Some(actual) = &self.actual {
            lines.push(format!("actual:   {actual}"));
        }
        if !self.hint.is_empty() {
            lines.push(format!("hint:     {}", self.hint));
        }
        lines.retain(|l| !l.is_empty());
        lines.join("\n")
    }
}

impl TaskReport {
    pub fn new(
        task: &str,
        build: Build,
        build_errors: Vec<String>,
        checks: Vec<CheckReport>,
    ) -> TaskReport {
        TaskReport {
            task: task.to_string(),
            score: checks.iter().map(|c| c.points).sum(),
            max_score: checks.iter().map(|c| c.max_points).sum(),
            build,
            build_errors,
            unbuilt: Vec::new(),
            python: Vec::new(),
            checks,
        }
    }

    /// Whether no check of the task ran: nothing of it was built. A task
    /// with one side built (`build` failed all the same) was graded on that
    /// side.
    pub fn nothing_built(&self) -> bool {
        self.build == Build::Failed && (self.unbuilt.len() != 1)
    }

    /// Whether `check` failed only because a binary it needs did not build.
    pub fn lost_to_build(&self, check: &CheckReport) -> bool {
        self.build == Build::Failed
            && (self.nothing_built()
                || self.unbuilt.iter().any(|side| match side {
                    Role::Server => check.role.needs_server(),
                    _ => check.role.needs_client(),
                }))
    }

    /// What did not build, for a headline: `task01-client`, or the task.
    pub fn unbuilt_names(&self) -> String {
        if self.nothing_built() {
            return self.task.clone();
        }
        self.unbuilt
            .iter()
            .map(|&side| self.binary(side))
            .collect::<Vec<_>>()
            .join(" and ")
    }

    /// The name of the binary of `side`: `task01-server`.
    pub fn binary(&self, side: Role) -> String {
        let number = self.task.get(4..6).unwrap_or("??");
        format!("task{number}-{}", side.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    /// A report whose every text from the submission holds escapes.
    fn hostile() -> Report {
        let evil = "\x1b]0;pwned\x07\x1b[2J\u{202e}";
        let check = CheckReport {
            id: "task01.server.listening".into(),
            title: "listens".into(),
            role: Role::Server,
            status: Status::Fail,
            points: 0,
            max_points: 2,
            message: format!("the server said {evil}\nand stopped"),
            hint: String::new(),
            duration_ms: 1,
            expected: Some(format!("expected{evil}")),
            actual: Some(format!("actual{evil}")),
            transcript: vec![format!("server stdout: {evil}")],
            cause: None,
            flaky: false,
            visibility: Visibility::default(),
        };
        let mut task = TaskReport::new("task01_connect", Build::Failed, vec![], vec![check]);
        task.build_errors = vec![format!("error: {evil}\n --> src/bin/server.rs")];
        task.unbuilt = vec![Role::Client];
        let mut report = Report::new(vec![task]);
        report.notes = vec![format!("task01_connect: taken from `task01{evil}`")];
        report
    }

    #[test]
    fn every_format_shows_escapes_inert() {
        let report = hostile();
        for format in Format::value_variants() {
            let text = format.render(&report, true, "Socket lab");
            // The human report's own styles are escapes too: without them.
            let text = match format {
                Format::Human => anstream::adapter::strip_str(&text).to_string(),
                _ => text,
            };
            let raw: Vec<char> = text
                .chars()
                .filter(|c| matches!(c, '\x1b' | '\x07' | '\u{202e}'))
                .collect();
            assert!(raw.is_empty(), "{format:?} holds {raw:?}:\n{text}");
            // JSON doubles the backslash.
            let shown = match format {
                Format::Json | Format::Gradescope | Format::Classroom => r"\\u{1b}]0;pwned\\u{7}",
                _ => r"\u{1b}]0;pwned\u{7}",
            };
            assert!(text.contains(shown), "{format:?}:\n{text}");
        }
    }

    /// One name per thing: what `as_str` says is what the JSON report and
    /// `--format` say.
    #[test]
    fn names_match_the_json_and_the_command_line() {
        for status in [Status::Pass, Status::Fail, Status::Error, Status::Skipped] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                status.as_str(),
                "{status:?}"
            );
        }
        for role in [Role::Server, Role::Client, Role::Pair] {
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                role.as_str(),
                "{role:?}"
            );
        }
        for format in Format::value_variants() {
            let name = format.to_possible_value().unwrap();
            assert_eq!(name.get_name(), format.as_str(), "{format:?}");
        }
    }
}
