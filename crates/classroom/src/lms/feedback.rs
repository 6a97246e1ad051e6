//! What students see of their grading: the feedback files handed back
//! through an LMS, and the one-line comment beside a grade.

use super::gradebook::{is_number, Kind};
use super::{folder_name, Graded};
use crate::policy;
use crate::report::{html, Report};
use crate::show;
use crate::standing::Standing;

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
            // The grader's own failure (a crash, a path on the grading
            // machine) is the instructor's to read, in the class's report.
            let why = match graded.standing {
                Standing::Error => {
                    "The grader could not grade this submission: your instructor has the details."
                }
                _ => graded.reason.as_str(),
            };
            crate::class::no_report(&graded.submitter.name, graded.standing, why)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lms::Submitter;

    fn graded(standing: Standing, reason: &str) -> Graded {
        Graded {
            student: "cy".into(),
            standing,
            report: None,
            reason: reason.into(),
            submitter: Submitter {
                key: "cy".into(),
                name: "Cy Diaz".into(),
                ..Submitter::default()
            },
        }
    }

    #[test]
    fn a_student_with_nothing_graded_is_told_why_and_no_more() {
        let nothing = graded(Standing::NoTasks, "the zip holds only `lab.rar`");
        let page = feedback_page(&nothing);
        assert!(page.contains("no task folders found"), "{page}");
        assert!(page.contains("the zip holds only `lab.rar`"), "{page}");
        assert_eq!(
            comment(&nothing),
            "Socket lab: no task folders found: the zip holds only `lab.rar`"
        );
        let crashed = graded(
            Standing::Error,
            "the grader ended with exit status: 2: grader: could not read /srv/grading/cy.zip",
        );
        let page = feedback_page(&crashed);
        assert!(!page.contains("/srv/grading"), "{page}");
        assert!(page.contains("your instructor has the details"), "{page}");
    }
}
