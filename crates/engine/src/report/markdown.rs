//! A Markdown summary: the score per task, then every check that did not
//! pass (or passed with its points withheld) with what went wrong. Pasted
//! into feedback, or appended to a GitHub job summary.

use super::{Build, Report};
use crate::check::Status;
use std::fmt::Write;

/// Students read it: the checks not shown to them yet are left out
/// (grading.toml), counted in a note; the score counts them.
pub fn render(report: &Report) -> String {
    let report = &super::students::students_now(report).inert();
    let mut out = format!("## Socket lab: {}/{}\n\n", report.score, report.max_score);
    out.push_str("| task | score | build |\n|---|---:|---|\n");
    for task in &report.tasks {
        let mark = if task.score == task.max_score {
            "✅"
        } else {
            "❌"
        };
        let _ = writeln!(
            out,
            "| {mark} {} | {}/{} | {} |",
            task.task,
            task.score,
            task.max_score,
            task.build.as_str()
        );
    }
    for (warning, line) in report.preamble() {
        let mark = if warning { "**warning:** " } else { "" };
        let _ = writeln!(out, "\n> {mark}{line}");
    }
    for task in report.tasks.iter().filter(|t| t.build == Build::Failed) {
        let _ = write!(
            out,
            "\n### {} did not build\n\n```text\n{}\n```\n",
            task.unbuilt_names(),
            task.build_errors.join("\n\n")
        );
    }
    let failed: Vec<_> = report
        .tasks
        .iter()
        .flat_map(|t| t.checks.iter().filter(|c| !t.lost_to_build(c)))
        .filter(|c| c.status == Status::Fail || c.status == Status::Error || c.withheld())
        .collect();
    if failed.is_empty() {
        out.push_str("\nEvery check passed.\n");
        return out;
    }
    out.push_str("\n| check | points | what went wrong |\n|---|---:|---|\n");
    for check in failed {
        let _ = writeln!(
            out,
            "| `{}` | {}/{} | {} |",
            check.id,
            check.points,
            check.max_points,
            cell(&check.details())
        );
    }
    out
}

/// Text made safe for one table cell: no pipes, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}
