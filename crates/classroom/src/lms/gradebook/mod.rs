//! Grades and feedback in the shapes LMSs import (`--gradebook`), each
//! written to the rules of the LMS's own import code, named beside each
//! rule in [`canvas`] and [`moodle`].
//!
//! - `canvas`: `gradebook-canvas.csv` for the gradebook's "Import", the
//!   assignment's own column of Canvas's export (`Socket lab (77)`), found
//!   by its id; and `feedback-canvas.zip` for "Re-upload submissions".
//! - `moodle`: `gradebook-moodle.csv`, the assignment's offline grading
//!   worksheet with Moodle's own columns in Moodle's order (the downloaded
//!   worksheet's, when it is the roster); and `feedback-moodle.zip` for
//!   "Upload multiple feedback files in a zip".
//! - `csv`: `gradebook.csv`, every id the kit knows of each student, for
//!   anything else (GitHub Classroom has no grade import).
//!
//! A grade is written only where the grader graded, or where the student
//! is to blame for there being none; never invented (see [`grade`]). In an
//! LMS's gradebook it is scaled to the maximum the LMS's assignment has
//! ([`Scale`]): raw points never go into a column with another maximum.
//! A student the LMS could not match to one of its own (no id it knows) is
//! left out and named in the summary, never written as a new row.
//!
//! Every text cell that came from outside (a name, an id, a login, a
//! section, a reason) is a [`show::cell`]: control characters escaped and,
//! when it starts with `=`, `+`, `-` or `@`, a leading `'` so no spreadsheet
//! runs it as a formula. The `'` is the usual remedy (OWASP's) and the
//! least change: an LMS matches rows by id, login or email, and such a
//! cell changes only when it really starts with a formula character, which
//! no id an LMS issues does. Grades and maxima are the grader's numbers
//! and are written as numbers.

pub mod canvas;
pub mod moodle;
mod scale;

pub use scale::{number, parse_number, Scale, Source};

use super::feedback::{comment, feedback_files};
use crate::lms::Graded;
use crate::show;
use crate::standing::Standing;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The gradebooks `--gradebook` writes.
pub use crate::cli::Gradebook as Kind;

/// What the instructor said of the LMS's assignment.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    /// `--assignment`: a Canvas column's title, id or `Title (id)`.
    pub assignment: &'a str,
    /// `--points-possible`: the assignment's maximum in the LMS.
    pub points_possible: Option<f64>,
    /// `--roster`: the LMS's own export (Canvas's gradebook export,
    /// Moodle's grading worksheet) when it is one.
    pub export: Option<&'a Path>,
}

/// One gradebook to write, with what it is written against, read before
/// anyone is graded so that a wrong `--assignment` costs no time.
#[derive(Debug, Clone)]
pub enum Book {
    Canvas(canvas::Column),
    Moodle(moodle::Sheet),
    Csv,
}

/// Reads what each of `kinds` needs from `ask`; refuses a gradebook that
/// would not land on the LMS's own assignment.
pub fn prepare(kinds: &[Kind], ask: &Ask) -> Result<Vec<Book>, GradebookError> {
    if let Some(points) = ask.points_possible {
        if !(points.is_finite() && points > 0.0) {
            return Err(GradebookError::Points(points));
        }
    }
    kinds
        .iter()
        .map(|kind| {
            Ok(match kind {
                Kind::Canvas => Book::Canvas(canvas::Column::find(ask)?),
                Kind::Moodle => Book::Moodle(moodle::Sheet::read(ask)?),
                Kind::Csv => Book::Csv,
            })
        })
        .collect()
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

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
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

impl Book {
    pub fn kind(&self) -> Kind {
        match self {
            Book::Canvas(_) => Kind::Canvas,
            Book::Moodle(_) => Kind::Moodle,
            Book::Csv => Kind::Csv,
        }
    }

    /// The files this gradebook writes into the results folder, as (file
    /// name, contents), named as [`file_names`] says; `most` is what a
    /// submission could score when no report says.
    pub fn files(
        &self,
        results: &[Graded],
        most: u32,
    ) -> Result<Vec<(String, Vec<u8>)>, GradebookError> {
        let possible = points_possible(results, most);
        let feedback = || feedback_files(self.kind(), results);
        Ok(match self {
            Book::Canvas(column) => vec![
                (
                    "gradebook-canvas.csv".into(),
                    column.write(results, possible)?.into_bytes(),
                ),
                ("feedback-canvas.zip".into(), zip(&feedback())?),
            ],
            Book::Moodle(sheet) => vec![
                (
                    "gradebook-moodle.csv".into(),
                    sheet
                        .write(results, possible, std::time::SystemTime::now())?
                        .into_bytes(),
                ),
                ("feedback-moodle.zip".into(), zip(&feedback())?),
            ],
            Book::Csv => vec![(
                "gradebook.csv".into(),
                plain(results, possible)?.into_bytes(),
            )],
        })
    }

    /// What the summary says of this gradebook besides its files: the
    /// scale, and who could not be matched.
    pub fn words(&self, results: &[Graded], most: u32) -> Option<String> {
        let possible = points_possible(results, most);
        let (what, scale, left_out) = match self {
            Book::Canvas(column) => (
                format!("Canvas, column {}", show::inert(&column.heading)),
                column.scale(possible),
                column.left_out(results),
            ),
            Book::Moodle(sheet) => (
                "Moodle".to_string(),
                sheet.scale(possible),
                sheet.left_out(results),
            ),
            Book::Csv => return None,
        };
        let mut line = format!("{what}: {}", scale.words());
        if !left_out.is_empty() {
            line.push_str(&format!(
                "; left out, no id the LMS knows: {}",
                show::inert(&left_out.join(", "))
            ));
        }
        Some(line)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GradebookError {
    #[error("could not write a gradebook")]
    Csv(#[from] csv::Error),
    #[error("could not write a feedback zip")]
    Zip(#[from] zip::result::ZipError),
    #[error("could not read {path}")]
    Export { path: PathBuf, source: csv::Error },
    #[error("--points-possible must be a number above 0, not {0}")]
    Points(f64),
    #[error(transparent)]
    Canvas(#[from] canvas::CanvasError),
    #[error(transparent)]
    Moodle(#[from] moodle::MoodleError),
}

/// The rows of a CSV file an LMS wrote, heading first, a byte order mark
/// left out.
fn read_rows(path: &Path) -> Result<Vec<Vec<String>>, GradebookError> {
    let failed = |source| GradebookError::Export {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(failed)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(failed)?;
        rows.push(record.iter().map(String::from).collect::<Vec<_>>());
    }
    if let Some(first) = rows.first_mut().and_then(|r| r.first_mut()) {
        *first = first.trim_start_matches('\u{feff}').to_string();
    }
    Ok(rows)
}
