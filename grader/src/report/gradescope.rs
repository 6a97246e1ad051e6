//! Gradescope's autograder `results.json`: the score, and one test per
//! check with its own score, status and output.

use super::Report;
use crate::check::Status;
use serde::Serialize;

#[derive(Serialize)]
struct Results<'a> {
    score: u32,
    max_score: u32,
    output: String,
    visibility: &'static str,
    stdout_visibility: &'static str,
    tests: Vec<Test<'a>>,
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

pub fn render(report: &Report) -> String {
    let report = &report.inert();
    let tests = report
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
    let output = report
        .tasks
        .iter()
        .map(|task| {
            let build = if task.build_errors.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} did not build)\n{}",
                    task.unbuilt_names(),
                    task.build_errors.join("\n")
                )
            };
            format!("{}: {}/{}{build}", task.task, task.score, task.max_score)
        })
        .chain(
            report
                .preamble()
                .into_iter()
                .map(|(_, line)| format!("note: {line}")),
        )
        .collect::<Vec<_>>()
        .join("\n");
    let results = Results {
        score: report.score,
        max_score: report.max_score,
        output,
        visibility: "visible",
        stdout_visibility: "hidden",
        tests,
    };
    serde_json::to_string_pretty(&results).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
