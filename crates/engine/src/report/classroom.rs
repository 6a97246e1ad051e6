//! GitHub Classroom's autograding result: what its grading reporter action
//! (`classroom-resources/autograding-grading-reporter@v1`) decodes from a
//! step's `result` output, in the shape Classroom's own graders give it
//! (`autograding-command-grader` `src/main.js`, `generateResult`).
//!
//! What the reporter does with it, by its source: `src/main.js` reads the
//! env `<RUNNER>_RESULTS` for each runner of `runners`, base64, as JSON;
//! `src/notify-classroom.js` adds up every test's `score`, against the top
//! `max_score`, and writes `Points <sum>/<max>` as a notice annotation
//! titled `Autograding complete`, which the Classroom dashboard reads;
//! `src/main.js` fails the job when `status` is `fail` or `error`; and
//! `src/console-results.js` prints each test's `name` in the job's log,
//! its `message` for an `error`, its `test_code` when there is one, and a
//! line number unless `line_no` is 0.
//!
//! Students read the log, so only the checks they are shown (grading.toml)
//! get a test of their own; the others are one test that carries their
//! points without naming them, so the sum is the grade.

use super::Report;
use crate::check::Status;
use serde::Serialize;

#[derive(Serialize)]
struct Results {
    version: u32,
    status: &'static str,
    max_score: u32,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    status: &'static str,
    score: u32,
    max_score: u32,
    message: String,
    test_code: String,
    filename: String,
    line_no: u32,
    /// Milliseconds, as the command grader gives it.
    duration: u64,
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Pass | Status::Skipped => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
    }
}

pub fn render(report: &Report) -> String {
    let report = &report.inert();
    let mut tests = Vec::new();
    let mut later = (0usize, 0u32, 0u32, true);
    for check in report.tasks.iter().flat_map(|t| &t.checks) {
        if !check.visibility.is_visible() {
            later.0 += 1;
            later.1 += check.points;
            later.2 += check.max_points;
            later.3 &= matches!(check.status, Status::Pass | Status::Skipped);
            continue;
        }
        tests.push(Test {
            name: format!("{}: {}", check.id, check.title),
            status: status(check.status),
            score: check.points,
            max_score: check.max_points,
            message: check.details(),
            test_code: String::new(),
            filename: String::new(),
            line_no: 0,
            duration: check.duration_ms,
        });
    }
    if later.0 > 0 {
        tests.push(Test {
            name: format!("{} more checks, shown later", later.0),
            status: if later.3 { "pass" } else { "fail" },
            score: later.1,
            max_score: later.2,
            message: String::new(),
            test_code: String::new(),
            filename: String::new(),
            line_no: 0,
            duration: 0,
        });
    }
    let results = Results {
        version: 1,
        status: match report.exit_code() {
            0 => "pass",
            1 => "fail",
            _ => "error",
        },
        max_score: report.max_score,
        tests,
    };
    serde_json::to_string(&results).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Role;
    use crate::report::Visibility;
    use crate::report::{Build, CheckReport, TaskReport};

    fn check(id: &str, status: Status, points: u32, visibility: Visibility) -> CheckReport {
        CheckReport {
            id: id.into(),
            title: "does it".into(),
            role: Role::Server,
            status,
            points: if status == Status::Pass { points } else { 0 },
            max_points: points,
            message: if status == Status::Pass {
                String::new()
            } else {
                "it did not".into()
            },
            hint: String::new(),
            duration_ms: 1500,
            expected: None,
            actual: None,
            transcript: Vec::new(),
            cause: None,
            flaky: false,
            visibility,
        }
    }

    #[test]
    fn the_reporter_adds_up_to_the_grade_and_hidden_checks_are_not_named() {
        let report = Report::new(vec![TaskReport::new(
            "task03_echo",
            Build::Ok,
            Vec::new(),
            vec![
                check("task03.server.echo", Status::Pass, 3, Visibility::Visible),
                check("task03.server.big", Status::Fail, 2, Visibility::Visible),
                check("task03.server.secret", Status::Pass, 4, Visibility::Hidden),
                check(
                    "task03.pair.late",
                    Status::Fail,
                    1,
                    Visibility::AfterDueDate,
                ),
            ],
        )]);
        let results: serde_json::Value = serde_json::from_str(&render(&report)).unwrap();
        assert_eq!(results["status"], "fail");
        assert_eq!(results["max_score"], report.max_score);
        let tests = results["tests"].as_array().unwrap();
        // What the reporter sums for the dashboard.
        let sum: u64 = tests.iter().map(|t| t["score"].as_u64().unwrap()).sum();
        assert_eq!(sum, u64::from(report.score));
        let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "task03.server.echo: does it",
                "task03.server.big: does it",
                "2 more checks, shown later"
            ]
        );
        assert_eq!(tests[1]["status"], "fail");
        assert_eq!(tests[1]["message"], "it did not");
        assert_eq!(tests[0]["duration"], 1500);
        assert_eq!(
            (
                &tests[2]["score"],
                &tests[2]["max_score"],
                &tests[2]["status"]
            ),
            (
                &serde_json::json!(4),
                &serde_json::json!(5),
                &serde_json::json!("fail")
            )
        );
        assert!(!render(&report).contains("secret"));
    }
}
