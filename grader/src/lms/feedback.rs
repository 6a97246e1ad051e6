//! What students see of their grading: the feedback files handed back
//! through an LMS, and the one-line comment beside a grade.

use super::gradebook::{is_number, Kind};
use crate::batch::{folder_name, Graded, Standing};
use crate::report::html;
use crate::show;

/// One line for a gradebook's comment: the score per task, or why there
/// is none.
pub fn comment(graded: &Graded) -> String {
    let late = if graded.submitter.late {
        " (handed in late)"
    } else {
        ""
    };
    match &graded.report {
        Some(report) => {
            let tasks: Vec<String> = report
                .tasks
                .iter()
                .map(|t| format!("{} {}/{}", t.task, t.score, t.max_score))
                .collect();
            format!(
                "Socket lab: {}/{}{late}; {}",
                report.score,
                report.max_score,
                tasks.join(", ")
            )
        }
        None => format!("Socket lab: {}{late}", graded.standing.as_str()),
    }
}

/// A student's feedback page: their report as students see it (checks
/// hidden from them left out), or why there is none.
pub fn feedback_page(graded: &Graded) -> String {
    let title = format!("Socket lab: {}", graded.submitter.name);
    match &graded.report {
        Some(report) => html::render(&crate::policy::students_after_grading(report), &title),
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
