//! `gradebook-moodle.csv`: the assignment's offline grading worksheet, for
//! "Upload grading worksheet", written to the rules of Moodle's own
//! importer (`mod/assign/feedback/offline/importgradeslib.php`, the
//! preview in `importgradesform.php`, the import in `locallib.php`
//! `process_import_grades`) and with the columns of the worksheet Moodle
//! itself downloads (`mod/assign/gradingtable.php`, downloading).
//!
//! Given Moodle's downloaded worksheet as `--roster`, the kit writes that
//! worksheet back, its columns and rows as they were, with `Grade`,
//! `Last modified (grade)` and `Feedback comments` filled in for each
//! student it graded. Without it, the kit writes the columns Moodle's
//! worksheet has on a site with Moodle's defaults.

use super::{number, parse_number, read_rows, Ask, GradebookError, Scale, Source};
use crate::lms::Graded;
use crate::show;
use std::path::PathBuf;
use std::time::SystemTime;

/// `get_string('recordid', 'assign')`: the importer's key column
/// (importgradeslib.php `init`).
const IDENTIFIER: &str = "Identifier";
/// `get_string('gradenoun')`, the importer's grade column.
const GRADE: &str = "Grade";
/// `get_string('lastmodifiedgrade', 'assign')`: the importer refuses a
/// worksheet without it (importgradeslib.php `init` returns false).
const MODIFIED: &str = "Last modified (grade)";
/// `get_string('maxgrade', 'assign')`: `Maximum grade` (`Maximum Grade`
/// before Moodle 4), so found in any case.
const MAXIMUM: &str = "maximum grade";
/// The comments feedback plugin's editor field, matched by this exact
/// description (importgradeslib.php `feedbackcolumnindexes`).
const COMMENTS: &str = "Feedback comments";
/// `get_string('hiddenuser', 'assign')`: the importer strips this many
/// characters off `Identifier` for the participant's unique id.
const PARTICIPANT: &str = "Participant ";

/// gradingtable.php, downloading, on a site with Moodle's defaults (the
/// e-mail as the only identity field, file submissions, feedback comments,
/// no marking workflow, no teams): these columns, in this order.
pub const DEFAULT_COLUMNS: [&str; 10] = [
    IDENTIFIER,
    "Full name",
    "Email address",
    "Status",
    GRADE,
    "Maximum grade",
    "Grade can be changed",
    "Last modified (submission)",
    MODIFIED,
    COMMENTS,
];

/// The worksheet the grades go into.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Its columns, in order.
    pub headings: Vec<String>,
    /// The downloaded worksheet's rows, when it was given.
    pub rows: Vec<Vec<String>>,
    /// The assignment's maximum grade.
    pub max: f64,
    pub source: Source,
}

#[derive(Debug, thiserror::Error)]
pub enum MoodleError {
    #[error("{path} grades with a scale, not points: the kit's grades are points")]
    Scale { path: PathBuf },
    #[error("--points-possible is {given}, but {path} says the maximum grade is {sheet}")]
    Disagree {
        given: String,
        path: PathBuf,
        sheet: String,
    },
}

impl Sheet {
    /// The worksheet `ask.export` is, when it is one; else Moodle's default
    /// columns, out of `--points-possible` or Moodle's default 100.
    pub fn read(ask: &Ask) -> Result<Sheet, GradebookError> {
        let default = || {
            let (max, source) = match ask.points_possible {
                Some(given) => (given, Source::Given),
                None => (100.0, Source::MoodleDefault),
            };
            Sheet {
                headings: DEFAULT_COLUMNS.map(String::from).to_vec(),
                rows: Vec::new(),
                max,
                source,
            }
        };
        let Some(path) = ask.export else {
            return Ok(default());
        };
        let mut rows = read_rows(path)?;
        let headings = if rows.is_empty() {
            Vec::new()
        } else {
            rows.remove(0)
        };
        let has = |name: &str| headings.iter().any(|h| h == name);
        if !(has(IDENTIFIER) && has(GRADE) && has(MODIFIED)) {
            // A participants list, not a worksheet.
            return Ok(default());
        }
        let maximum = headings
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(MAXIMUM));
        // gradingtable.php: a worksheet has `Maximum grade` when the
        // assignment is out of points, `Scale` when it uses a scale.
        if maximum.is_none() && has("Scale") {
            return Err(MoodleError::Scale {
                path: path.to_path_buf(),
            }
            .into());
        }
        let in_sheet = maximum.and_then(|at| {
            rows.iter()
                .filter_map(|row| row.get(at))
                .find_map(|cell| parse_number(cell))
        });
        let (max, source) = match (in_sheet, ask.points_possible) {
            (Some(sheet), Some(given)) if (sheet - given).abs() > 0.005 => {
                return Err(MoodleError::Disagree {
                    given: number(given),
                    path: path.to_path_buf(),
                    sheet: number(sheet),
                }
                .into())
            }
            (Some(sheet), _) => (sheet, Source::Export(path.to_path_buf())),
            (None, Some(given)) => (given, Source::Given),
            (None, None) => (100.0, Source::MoodleDefault),
        };
        Ok(Sheet {
            headings,
            rows,
            max,
            source,
        })
    }

    pub fn scale(&self, most: u32) -> Scale {
        Scale::new(most, self.max, &self.source)
    }

    /// The participant of each of the worksheet's rows.
    fn participants(&self) -> Vec<Option<&str>> {
        let at = self.column(IDENTIFIER);
        self.rows
            .iter()
            .map(|row| {
                at.and_then(|at| row.get(at))
                    .and_then(|id| id.strip_prefix(PARTICIPANT))
            })
            .collect()
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.headings.iter().position(|h| h == name)
    }

    /// The students Moodle would not find: no participant id, or (with a
    /// worksheet given) not in it.
    pub fn left_out(&self, results: &[Graded]) -> Vec<String> {
        let participants = self.participants();
        results
            .iter()
            .filter(|g| {
                let id = g.submitter.lms_id.as_str();
                !super::is_number(id) || !(self.rows.is_empty() || participants.contains(&Some(id)))
            })
            .map(|g| g.student.clone())
            .collect()
    }

    /// `gradebook-moodle.csv` for a class whose submissions score at most
    /// `most`, its grades marked as modified `now`.
    pub fn write(
        &self,
        results: &[Graded],
        most: u32,
        now: SystemTime,
    ) -> Result<String, csv::Error> {
        let scale = self.scale(most);
        let modified = atom(now);
        let graded_as = |graded: &Graded| {
            super::grade(graded).map(|g| (scale.grade(g), super::comment(graded)))
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.headings)?;
        if self.rows.is_empty() {
            for graded in results {
                let who = &graded.submitter;
                if !super::is_number(&who.lms_id) {
                    continue;
                }
                let email = who.member.as_ref().map_or("", |m| m.email.as_str());
                let status = if who.path.is_some() {
                    "Submitted for grading"
                } else {
                    "No submission"
                };
                let (grade, when, comment) = match graded_as(graded) {
                    Some((grade, comment)) => (grade, modified.clone(), comment),
                    None => Default::default(),
                };
                writer.write_record([
                    format!("{PARTICIPANT}{}", who.lms_id),
                    show::cell(&who.name).into_owned(),
                    show::cell(email).into_owned(),
                    status.to_string(),
                    grade,
                    number(self.max),
                    "Yes".to_string(),
                    String::new(),
                    when,
                    comment,
                ])?;
            }
            return super::finish(writer);
        }
        // The downloaded worksheet, cell for cell, but for each graded
        // student's grade, its time and the comment. A row the kit has no
        // grade for is left as Moodle wrote it: the importer skips a grade
        // that did not change (`$usergrade->grade == $record->grade`).
        let (grade_at, modified_at) = (self.column(GRADE), self.column(MODIFIED));
        let comments_at = self.column(COMMENTS);
        for (row, participant) in self.rows.iter().zip(self.participants()) {
            let mut row = row.clone();
            let graded = participant.and_then(|id| {
                results
                    .iter()
                    .find(|g| super::is_number(id) && g.submitter.lms_id == id)
            });
            if let Some((grade, comment)) = graded.and_then(graded_as) {
                for (at, text) in [
                    (grade_at, grade),
                    (modified_at, modified.clone()),
                    (comments_at, comment),
                ] {
                    if let Some(cell) = at.and_then(|at| row.get_mut(at)) {
                        *cell = text;
                    }
                }
            }
            writer.write_record(&row)?;
        }
        super::finish(writer)
    }
}

/// `now` as ISO 8601 in UTC (`2026-12-07T14:05:00+00:00`, PHP's
/// `DATE_ATOM`), which the importer's `strtotime` reads.
pub fn atom(now: SystemTime) -> String {
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+00:00",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_written_as_iso_8601() {
        let at = |secs| atom(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00+00:00");
        assert_eq!(at(1_796_653_492), "2026-12-07T14:24:52+00:00");
    }

    #[test]
    fn a_downloaded_worksheet_sets_the_maximum_and_a_participants_list_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("worksheet.csv");
        std::fs::write(
            &path,
            "\u{feff}Identifier,\"Full name\",\"Email address\",Status,Grade,\"Maximum grade\",\"Grade can be changed\",\"Last modified (submission)\",\"Last modified (grade)\",\"Feedback comments\"\n\
             \"Participant 2001\",\"Ana Lima\",ana@uni.example,\"Submitted for grading\",,\"50,00\",Yes,,-,\n",
        )
        .unwrap();
        let ask = Ask {
            assignment: "",
            points_possible: None,
            export: Some(&path),
        };
        let sheet = Sheet::read(&ask).unwrap();
        assert_eq!(sheet.headings, DEFAULT_COLUMNS);
        assert_eq!(
            (sheet.max, &sheet.source, sheet.rows.len()),
            (50.0, &Source::Export(path.clone()), 1)
        );
        let err = Sheet::read(&Ask {
            points_possible: Some(100.0),
            ..ask
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("the maximum grade is 50"), "{err}");

        std::fs::write(&path, "Identifier,First name,Surname\nParticipant 1,A,B\n").unwrap();
        let sheet = Sheet::read(&ask).unwrap();
        assert_eq!(
            (sheet.max, sheet.source, sheet.rows.len()),
            (100.0, Source::MoodleDefault, 0)
        );
    }
}
