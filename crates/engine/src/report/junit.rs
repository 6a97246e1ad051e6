//! JUnit XML, as GitHub, GitLab and Jenkins read it: one testsuite per
//! task, one testcase per check, a failure carrying the details.

use super::Report;
use crate::check::Status;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

pub fn render(report: &Report) -> String {
    // Inert text also holds no character XML 1.0 forbids.
    let report = &report.inert();
    let mut junit = quick_junit::Report::new("socket-lab");
    for task in &report.tasks {
        let mut suite = TestSuite::new(task.task.as_str());
        if !task.build_errors.is_empty() {
            suite.set_system_err(task.build_errors.join("\n\n"));
        }
        for check in &task.checks {
            let mut status = match check.status {
                Status::Pass => TestCaseStatus::success(),
                Status::Skipped => TestCaseStatus::skipped(),
                Status::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Status::Error => TestCaseStatus::non_success(NonSuccessKind::Error),
            };
            if check.status != Status::Pass {
                status.set_message(check.message.as_str());
                status.set_description(check.details());
            }
            let mut case = TestCase::new(check.id.as_str(), status);
            case.set_classname(task.task.as_str())
                .set_time(Duration::from_millis(check.duration_ms))
                .add_property((
                    "points",
                    format!("{}/{}", check.points, check.max_points).as_str(),
                ));
            // Who sees it, when grading.toml says it is not everyone.
            if !check.visibility.is_visible() {
                case.add_property(("visibility", check.visibility.as_str()));
            }
            // A pass whose points are withheld says why where a pass can.
            let said: Vec<&str> = check
                .withheld()
                .then_some(check.message.as_str())
                .into_iter()
                .chain(check.transcript.iter().map(String::as_str))
                .collect();
            if !said.is_empty() {
                case.set_system_out(said.join("\n"));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- could not write JUnit XML: {e} -->\n"))
}
