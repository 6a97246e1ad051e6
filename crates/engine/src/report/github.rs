//! GitHub Actions workflow commands: one `::error` annotation per failed
//! check, a `::warning` per binary whose passes are not counted, and a
//! `::notice` with the score. The Markdown summary for
//! `$GITHUB_STEP_SUMMARY` is [`super::markdown`].

use super::{Build, Report};
use crate::check::Status;
use std::fmt::Write;

/// Students read these: the checks not shown to them yet are left out
/// (grading.toml), counted in a note; the score counts them.
pub fn render(report: &Report) -> String {
    let report = &super::students::students_now(report).inert();
    let mut out = String::new();
    for (_, line) in report.preamble() {
        let _ = writeln!(out, "::warning title=Submission::{}", escape_data(&line));
    }
    for task in &report.tasks {
        // One annotation for a task that did not build, not one per check:
        // GitHub shows only the first ten of a step.
        if task.build == Build::Failed {
            let _ = writeln!(
                out,
                "::error title={}::{}",
                escape_property(&format!(
                    "{} did not build ({}/{})",
                    task.unbuilt_names(),
                    task.score,
                    task.max_score
                )),
                escape_data(&task.build_errors.join("\n\n"))
            );
        }
        // Points withheld from passes: one annotation per reason, not one
        // per check.
        let mut withheld: Vec<&str> = Vec::new();
        for check in task.checks.iter().filter(|c| c.withheld()) {
            if !withheld.contains(&check.message.as_str()) {
                withheld.push(&check.message);
            }
        }
        for message in withheld {
            let _ = writeln!(
                out,
                "::warning title={}::{}",
                escape_property(&format!("{}: points not counted", task.task)),
                escape_data(message)
            );
        }
        for check in &task.checks {
            let failed = check.status == Status::Fail || check.status == Status::Error;
            if failed && !task.lost_to_build(check) {
                let _ = writeln!(
                    out,
                    "::error title={}::{}",
                    escape_property(&format!(
                        "{} ({}/{})",
                        check.id, check.points, check.max_points
                    )),
                    escape_data(&check.details())
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "::notice title=Socket lab score::{}/{}",
        report.score, report.max_score
    );
    out
}

// GitHub's own escaping for workflow commands, as `escapeData` and
// `escapeProperty` in actions/toolkit's packages/core/src/command.ts do it.
// The report is already inert (no raw ESC or CR reaches the log); this
// keeps a line break from ending a command early, and a `:` or `,` from
// ending a property.

/// A command's message: `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as a message, and `:` → `%3A`, `,` → `%2C`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
