//! What students see of their grading: the feedback files handed back
//! through an LMS, and the one-line comment beside a grade.

use super::gradebook::{is_number, Kind};
use crate::batch::{folder_name, Graded, Standing};
use crate::policy;
use crate::report::{html, Report};
use crate::show;

/// A student's result, first thing on their page: their grade when every
/// check is shown to them, else their result on the checks shown (the
/// grade, in the gradebook, counts the others too; a total here would give
/// them away); with the report as they see it.
fn result(graded: &Graded, report: &Report) -> (String, Report) {
    let shown = policy::students_only(report);
    let late = late(graded);
    let line = if policy::any_not_shown(report) {
        format!(
            "Your result on the checks shown here: {}/{}{late}. Your grade, which counts every check, is in the gradebook.",
            shown.score, shown.max_score
        )
    } else {
        format!("Your grade: {}/{}{late}", report.score, report.max_score)
    };
    (line, shown)
}

/// One line for a gradebook's comment: the result and the points per task
/// as students see them (as [`result`] words it), or why there is none.
pub fn comment(graded: &Graded) -> String {
    let Some(report) = &graded.report else {
        return format!("Socket lab: {}{}", why_no_grade(graded), late(graded));
    };
    let (line, shown) = result(graded, report);
    let tasks: Vec<String> = shown
        .tasks
        .iter()
        .map(|t| format!("{} {}/{}", t.task, t.score, t.max_score))
        .collect();
    format!("Socket lab: {line}; {}", tasks.join(", "))
}

/// ` (handed in late)` when it was.
fn late(graded: &Graded) -> &'static str {
    if graded.submitter.late {
        " (handed in late)"
    } else {
        ""
    }
}

/// Why a submission has no report, as its student reads it.
fn why_no_grade(graded: &Graded) -> String {
    match graded.standing {
        // The reason says what the submission held instead.
        Standing::NoTasks | Standing::Rejected if !graded.reason.is_empty() => {
            format!("{}: {}", graded.standing.as_str(), graded.reason)
        }
        standing => standing.as_str().to_string(),
    }
}

/// A student's feedback page: their result first, then their report as
/// students see it ([`policy::students_only`]: no check kept from them, no
/// sandbox details), or why there is none.
pub fn feedback_page(graded: &Graded) -> String {
    let title = format!("Socket lab: {}", graded.submitter.name);
    match &graded.report {
        Some(report) => {
            let (line, shown) = result(graded, report);
            html::render_headed(&shown, &title, &line)
        }
        None => {
            crate::report::class::no_report(&graded.submitter.name, graded.standing, &graded.reason)
        }
    }
}

/// The feedback files of `kind` for the class, as (name in the zip,
/// page): only students who handed something in get one.
pub fn feedback_files(kind: Kind, results: &[Graded]) -> Vec<(String, String)> {
    results
        .iter()
        .filter(|g| g.standing != Standing::NoSubmission)
        .filter_map(|graded| {
            let who = &graded.submitter;
            let name = match kind {
                Kind::Canvas if !who.submission_id.is_empty() => {
                    format!("{}_feedback.html", who.lms_name)
                }
                Kind::Canvas | Kind::Csv => format!("{}_feedback.html", folder_name(&who.key)),
                // Moodle reads the participant id from the folder's name,
                // not the full name before it: that may be shown inert.
                Kind::Moodle if who.lms_name.contains("_assignsubmission_") => {
                    format!("{}/feedback.html", show::inert(&who.lms_name))
                }
                Kind::Moodle if is_number(&who.lms_id) => format!(
                    "{}_{}_assignsubmission_file_/feedback.html",
                    show::inert(&who.name.replace(['_', '/'], " ")),
                    who.lms_id
                ),
                Kind::Moodle => return None,
            };
            Some((name, feedback_page(graded)))
        })
        .collect()
}
