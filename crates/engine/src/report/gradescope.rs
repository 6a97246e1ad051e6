//! Gradescope's autograder `results.json`: the score, and one test per
//! check with its own score, status, output and visibility.
//!
//! What students read of it, by Gradescope's autograder specification
//! (`gradescope/autograder_samples` `docs/specs.md`): the top-level
//! `output`, and each test's name, output and points once its
//! `visibility` allows; the total score only when no test is kept from
//! them. So the `output` is written from the checks students see now
//! ([`super::students::students_only`]): their result first, then each task's
//! points over those checks, build errors and notes; never the sandbox's
//! layers, which go in `extra_data` ("extra data to be stored", never
//! shown) and in `run_autograder`'s own output, for instructors only.
//! When a check kept from students carries points and no test would hide
//! the total, one more test, `after_published` and worth nothing, hides it
//! until grades are published, so no total gives the check away.

use super::students;
use super::Report;
use super::Visibility;
use crate::check::Status;
use serde::Serialize;

#[derive(Serialize)]
struct Results<'a> {
    score: u32,
    max_score: u32,
    output: String,
    visibility: &'static str,
    stdout_visibility: &'static str,
    /// Stored with the results, for the instructor: students never see it.
    extra_data: Extra<'a>,
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Extra<'a> {
    /// What protected the run, which every report states.
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox: Option<&'a crate::report::Protection>,
}

#[derive(Serialize)]
struct Test<'a> {
    name: String,
    number: &'a str,
    score: u32,
    max_score: u32,
    status: &'static str,
    output: String,
    visibility: &'static str,
}

/// The name of the test that hides the total until grades are published.
pub const TOTAL_LATER: &str = "Your total score";

pub fn render(report: &Report) -> String {
    let report = &report.inert();
    let mut tests: Vec<Test> = report
        .tasks
        .iter()
        .flat_map(|task| &task.checks)
        .map(|check| Test {
            name: format!("{}: {}", check.id, check.title),
            number: &check.id,
            score: check.points,
            max_score: check.max_points,
            status: if check.status == Status::Fail || check.status == Status::Error {
                "failed"
            } else {
                "passed"
            },
            output: check.details(),
            // Gradescope's own values: it hides the test as grading.toml says.
            visibility: check.visibility.as_str(),
        })
        .collect();
    let not_shown = report
        .tasks
        .iter()
        .flat_map(|t| &t.checks)
        .filter(|c| !c.visibility.is_visible());
    let total_hidden = report.tasks.iter().flat_map(|t| &t.checks).any(|c| {
        matches!(
            c.visibility,
            Visibility::AfterDueDate | Visibility::AfterPublished
        )
    });
    if !total_hidden && not_shown.clone().any(|c| c.max_points > 0) {
        tests.push(Test {
            name: TOTAL_LATER.to_string(),
            number: "total",
            score: 0,
            max_score: 0,
            status: "passed",
            output: "Your total score counts every check, and is shown once grades are published."
                .to_string(),
            visibility: Visibility::AfterPublished.as_str(),
        });
    }
    let results = Results {
        score: report.score,
        max_score: report.max_score,
        output: output(report),
        visibility: "visible",
        stdout_visibility: "hidden",
        extra_data: Extra {
            sandbox: report.sandbox.as_ref(),
        },
        tests,
    };
    serde_json::to_string_pretty(&results).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The `output` students read: their result on the checks they see, each
/// task's points over those checks, build errors, then the notes.
fn output(report: &Report) -> String {
    let shown = students::students_only(report);
    let headline = if students::any_not_shown(report) {
        format!(
            "Your result on the checks shown now: {}/{}. Your total score is shown once grades are published.",
            shown.score, shown.max_score
        )
    } else {
        format!("Your score: {}/{}", shown.score, shown.max_score)
    };
    let mut lines = vec![headline];
    for task in &shown.tasks {
        let mut line = format!("{}: {}/{}", task.task, task.score, task.max_score);
        if !task.build_errors.is_empty() {
            line.push_str(&format!(
                " ({} did not build)\n{}",
                task.unbuilt_names(),
                task.build_errors.join("\n")
            ));
        }
        lines.push(line);
    }
    lines.extend(shown.notes.iter().map(|n| format!("note: {n}")));
    lines.join("\n")
}

/// The results of a submission with nothing to grade: 0 points, and why,
/// for the student to read (`no task folders found: the zip holds only
/// `lab.rar``).
pub fn nothing_to_grade(why: &str) -> String {
    let results = serde_json::json!({
        "score": 0,
        "output": format!(
            "Nothing was graded: {}. Hand in your task folders (task01_connect, task02_greeting, …), or one .zip of them.",
            crate::show::inert(why)
        ),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    });
    serde_json::to_string_pretty(&results).unwrap_or_default()
}
