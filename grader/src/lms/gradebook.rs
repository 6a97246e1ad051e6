//! Grades and feedback in the shapes LMSs import (`--gradebook`).
//!
//! - `canvas`: `gradebook-canvas.csv`, the columns of Canvas's gradebook
//!   export (`Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`),
//!   then the assignment's column, with a `Points Possible` row first; and
//!   `feedback-canvas.zip`, a report per student named like the file the
//!   student handed in (`<name>_<user id>_<submission id>_feedback.html`),
//!   for Canvas's "Re-upload submissions", which takes a name's first two
//!   numbers as the user and one of the files they handed in, and attaches
//!   the file to that submission as a comment.
//! - `moodle`: `gradebook-moodle.csv`, the assignment's grading worksheet
//!   (`Identifier` is `Participant <id>`) with the columns Moodle's grade
//!   import can key on (`Email address`, `ID number`, `Username`); and
//!   `feedback-moodle.zip`, each report in the folder the student's files
//!   came in (`<Full Name>_<id>_assignsubmission_file_/feedback.html`), as
//!   the assignment's "Upload multiple feedback files in a zip" reads it.
//! - `csv`: `gradebook.csv`, every id the kit knows of each student, for
//!   anything else (GitHub Classroom has no grade import).
//!
//! A grade is written only where the grader graded, or where the student
//! is to blame for there being none; never invented (see [`grade`]).
//!
//! Every text cell that came from outside (a name, an id, a login, a
//! section, a reason) is a [`show::cell`]: control characters escaped and,
//! when it starts with `=`, `+`, `-` or `@`, a leading `'` so no spreadsheet
//! runs it as a formula. The `'` is the usual remedy (OWASP's) and the
//! least change: an LMS matches rows by id, login or email, and such a
//! cell changes only when it really starts with a formula character, which
//! no id an LMS issues does. Grades and maxima are the grader's numbers
//! and are written as numbers.

use super::feedback::{comment, feedback_files};
use crate::batch::{Graded, Standing};
use crate::show;
use std::io::Write;

/// The gradebooks `--gradebook` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Canvas's gradebook import CSV and a feedback zip to re-upload.
    Canvas,
    /// Moodle's grading worksheet CSV and its feedback files zip.
    Moodle,
    /// A plain CSV with every id the kit knows.
    Csv,
}

/// A student's grade in a gradebook: the score for a graded submission
/// (built or not), 0 for one that broke a rule or held no task, and no
/// grade when the grader could not grade it (an error, the budget used up)
/// or nothing was handed in: those are for the instructor to decide.
pub fn grade(graded: &Graded) -> Option<u32> {
    match graded.standing {
        Standing::Graded | Standing::DidNotBuild => graded.report.as_ref().map(|r| r.score),
        Standing::Rejected | Standing::NoTasks => Some(0),
        Standing::TimedOut | Standing::Error | Standing::NoSubmission => None,
    }
}

fn grade_cell(grade: Option<u32>) -> String {
    grade.map_or(String::new(), |g| g.to_string())
}

/// The points a submission could score, from the reports of the class.
pub fn points_possible(results: &[Graded], fallback: u32) -> u32 {
    results
        .iter()
        .filter_map(|g| g.report.as_ref())
        .map(|r| r.max_score)
        .max()
        .unwrap_or(fallback)
}

/// Canvas's column for the assignment: the roster's own (`Socket lab
/// (1234)`, from a gradebook export: Canvas updates that assignment), or a
/// new one named `assignment`.
pub fn canvas_column(assignment: &str, headings: &[String]) -> String {
    headings
        .iter()
        .find(|h| {
            h.rsplit_once(" (").is_some_and(|(name, id)| {
                name.trim().eq_ignore_ascii_case(assignment.trim())
                    && id
                        .strip_suffix(')')
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            })
        })
        .cloned()
        .unwrap_or_else(|| assignment.to_string())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `gradebook-canvas.csv`.
pub fn canvas(results: &[Graded], column: &str, possible: u32) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        &show::cell(column),
    ])?;
    writer.write_record(["    Points Possible", "", "", "", "", &possible.to_string()])?;
    for graded in results {
        let who = &graded.submitter;
        let member = who.member.clone().unwrap_or_default();
        writer.write_record([
            &*show::cell(&who.name),
            &show::cell(&who.lms_id),
            &show::cell(&member.sis_user_id),
            &show::cell(&member.login),
            &show::cell(&member.section),
            &grade_cell(grade(graded)),
        ])?;
    }
    finish(writer)
}

/// `gradebook-moodle.csv`.
pub fn moodle(results: &[Graded], possible: u32) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "Identifier",
        "Full name",
        "Email address",
        "ID number",
        "Username",
        "Grade",
        "Maximum Grade",
        "Feedback comments",
    ])?;
    for graded in results {
        let who = &graded.submitter;
        let member = who.member.clone().unwrap_or_default();
        let identifier = if is_number(&who.lms_id) {
            format!("Participant {}", who.lms_id)
        } else {
            String::new()
        };
        writer.write_record([
            identifier.as_str(),
            &show::cell(&who.name),
            &show::cell(&member.email),
            &show::cell(&member.sis_user_id),
            &show::cell(&member.login),
            &grade_cell(grade(graded)),
            &possible.to_string(),
            &comment(graded),
        ])?;
    }
    finish(writer)
}

/// `gradebook.csv`.
pub fn plain(results: &[Graded], possible: u32) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "student",
        "name",
        "lms_id",
        "roster_id",
        "email",
        "sis_user_id",
        "login",
        "section",
        "late",
        "grade",
        "max",
        "status",
        "reason",
    ])?;
    for graded in results {
        let who = &graded.submitter;
        let member = who.member.clone().unwrap_or_default();
        writer.write_record([
            &*show::cell(&graded.student),
            &show::cell(&who.name),
            &show::cell(&who.lms_id),
            &show::cell(&member.id),
            &show::cell(&member.email),
            &show::cell(&member.sis_user_id),
            &show::cell(&member.login),
            &show::cell(&member.section),
            if who.late { "yes" } else { "no" },
            &grade_cell(grade(graded)),
            &possible.to_string(),
            graded.standing.as_str(),
            &show::cell(&graded.reason),
        ])?;
    }
    finish(writer)
}

pub(super) fn is_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

/// A zip of `files`, in memory.
pub fn zip(files: &[(String, String)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (name, text) in files {
        writer.start_file(name.as_str(), options)?;
        writer.write_all(text.as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}

/// The names of the files `kind` writes into the results folder.
pub fn file_names(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Canvas => &["gradebook-canvas.csv", "feedback-canvas.zip"],
        Kind::Moodle => &["gradebook-moodle.csv", "feedback-moodle.zip"],
        Kind::Csv => &["gradebook.csv"],
    }
}

/// The files `kind` writes into the results folder, as (file name,
/// contents), named as [`file_names`] says.
pub fn files(
    kind: Kind,
    results: &[Graded],
    column: &str,
    fallback_max: u32,
) -> Result<Vec<(String, Vec<u8>)>, GradebookError> {
    let possible = points_possible(results, fallback_max);
    let feedback = feedback_files(kind, results);
    Ok(match kind {
        Kind::Canvas => vec![
            (
                "gradebook-canvas.csv".into(),
                canvas(results, column, possible)?.into_bytes(),
            ),
            ("feedback-canvas.zip".into(), zip(&feedback)?),
        ],
        Kind::Moodle => vec![
            (
                "gradebook-moodle.csv".into(),
                moodle(results, possible)?.into_bytes(),
            ),
            ("feedback-moodle.zip".into(), zip(&feedback)?),
        ],
        Kind::Csv => vec![(
            "gradebook.csv".into(),
            plain(results, possible)?.into_bytes(),
        )],
    })
}

#[derive(Debug, thiserror::Error)]
pub enum GradebookError {
    #[error("could not write a gradebook")]
    Csv(#[from] csv::Error),
    #[error("could not write a feedback zip")]
    Zip(#[from] zip::result::ZipError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvas_reuses_the_exported_assignment_column() {
        let headings = [
            "Student".to_string(),
            "Socket Lab (4321)".to_string(),
            "Other (12)".to_string(),
        ];
        assert_eq!(canvas_column("socket lab", &headings), "Socket Lab (4321)");
        assert_eq!(canvas_column("Lab 2", &headings), "Lab 2");
    }
}
