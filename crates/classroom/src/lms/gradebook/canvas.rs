//! `gradebook-canvas.csv`, for the "Import" of Canvas's gradebook, written
//! to the rules of Canvas's own importer (canvas-lms
//! `lib/gradebook_importer.rb`, `GradebookImporter`) and of the export the
//! instructor gives as `--roster` (`lib/gradebook_exporter.rb`).
//!
//! The importer finds an assignment by the id in its column's heading,
//! `Socket lab (77)` (`parse_assignments`, with `Assignment.title_and_id`
//! in `app/models/assignment.rb`); a heading with no id it knows is a new
//! assignment (`Assignment.new`). So the kit writes into the export's own
//! column, found by the id or the title `--assignment` names, and refuses
//! to write when it names none: a new column would be a new assignment.

use super::{number, parse_number, read_rows, Ask, GradebookError, Scale, Source};
use crate::lms::Graded;
use crate::show;
use std::path::PathBuf;

/// The Canvas assignment the grades go to.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's heading, `Title (id)`, as the export has it.
    pub heading: String,
    /// The assignment's Points Possible.
    pub max: f64,
    pub source: Source,
}

#[derive(Debug, thiserror::Error)]
pub enum CanvasError {
    #[error(
        "the Canvas gradebook needs the assignment's id: give Canvas's gradebook export \
         (Grades, Export, CSV) as --roster, or --assignment 'Title (id)' with --points-possible \
         (the id is in the assignment's address, /assignments/ID)"
    )]
    NoExport,
    #[error("--assignment `{assignment}` names no assignment column of {path}; its assignment columns: {columns}")]
    NoColumn {
        assignment: String,
        path: PathBuf,
        columns: String,
    },
    #[error("--assignment `{assignment}` names several columns of {path}: {columns}; give the one you mean as its id")]
    Ambiguous {
        assignment: String,
        path: PathBuf,
        columns: String,
    },
    #[error("no Points Possible for `{heading}`{whence}: give --points-possible")]
    NoPoints { heading: String, whence: String },
    #[error("--points-possible is {given}, but {path} says `{heading}` is out of {export}")]
    Disagree {
        given: String,
        path: PathBuf,
        heading: String,
        export: String,
    },
}

/// canvas-lms `app/models/assignment.rb` `Assignment.title_and_id`:
/// `/\A(.*)\s\((\d+)\)\z/`, the title and the id of `Socket lab (77)`.
pub fn title_and_id(heading: &str) -> Option<(&str, &str)> {
    let inner = heading.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let id = &inner[open + 1..];
    let title = inner[..open].strip_suffix(char::is_whitespace)?;
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then_some((title, id))
}

impl Column {
    /// The column `ask` names, and its Points Possible.
    pub fn find(ask: &Ask) -> Result<Column, GradebookError> {
        let rows = match ask.export {
            Some(path) => read_rows(path)?,
            None => Vec::new(),
        };
        Ok(Column::find_in(ask, &rows)?)
    }

    /// [`Column::find`] in the export's `rows`.
    fn find_in(ask: &Ask, rows: &[Vec<String>]) -> Result<Column, CanvasError> {
        let wanted = ask.assignment.trim();
        let headings = rows.first().cloned().unwrap_or_default();
        // lib/gradebook_importer.rb `parse_assignments`: each column left of
        // the student's is an assignment, by the id in `Title (id)`.
        let columns: Vec<(usize, &str, &str)> = headings
            .iter()
            .enumerate()
            .filter_map(|(at, h)| title_and_id(h).map(|(title, id)| (at, title, id)))
            .collect();
        let export = ask.export.filter(|_| !columns.is_empty());
        let Some(path) = export else {
            // No Canvas export (none, or a roster of another kind): only a
            // heading that holds the id is safe.
            return match (title_and_id(wanted), ask.points_possible) {
                (Some(_), Some(max)) => Ok(Column {
                    heading: wanted.to_string(),
                    max,
                    source: Source::Given,
                }),
                (Some(_), None) => Err(CanvasError::NoPoints {
                    heading: show::inert(wanted).into_owned(),
                    whence: " (no Canvas export as --roster)".into(),
                }),
                (None, _) => Err(CanvasError::NoExport),
            };
        };
        let by_id = match title_and_id(wanted) {
            Some((_, id)) => Some(id),
            None if wanted.chars().all(|c| c.is_ascii_digit()) => Some(wanted),
            None => None,
        };
        let found: Vec<&(usize, &str, &str)> = columns
            .iter()
            .filter(|(_, title, id)| match by_id {
                Some(wanted) => *id == wanted,
                None => title.trim().eq_ignore_ascii_case(wanted),
            })
            .collect();
        let list = |columns: &mut dyn Iterator<Item = usize>| {
            let names: Vec<String> = columns
                .map(|at| format!("`{}`", show::inert(&headings[at])))
                .collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        let at = match found.as_slice() {
            [(at, _, _)] => *at,
            [] => {
                return Err(CanvasError::NoColumn {
                    assignment: show::inert(wanted).into_owned(),
                    path: path.to_path_buf(),
                    columns: list(&mut columns.iter().map(|c| c.0)),
                })
            }
            several => {
                return Err(CanvasError::Ambiguous {
                    assignment: show::inert(wanted).into_owned(),
                    path: path.to_path_buf(),
                    columns: list(&mut several.iter().map(|c| c.0)),
                })
            }
        };
        let heading = headings[at].clone();
        // lib/gradebook_importer.rb `check_for_non_student_row`: the row
        // whose first cell includes "Points Possible" holds each
        // assignment's points (`process_pp`); lib/gradebook_exporter.rb
        // writes it as `    Points Possible`, the points as `100.00`.
        let exported = rows
            .iter()
            .skip(1)
            .find(|row| row.first().is_some_and(|c| c.contains("Points Possible")))
            .and_then(|row| row.get(at))
            .and_then(|cell| parse_number(cell));
        let (max, source) = match (exported, ask.points_possible) {
            (Some(export), Some(given)) if (export - given).abs() > 0.005 => {
                return Err(CanvasError::Disagree {
                    given: number(given),
                    path: path.to_path_buf(),
                    heading: show::inert(&heading).into_owned(),
                    export: number(export),
                })
            }
            (Some(export), _) => (export, Source::Export(path.to_path_buf())),
            (None, Some(given)) => (given, Source::Given),
            (None, None) => {
                return Err(CanvasError::NoPoints {
                    heading: show::inert(&heading).into_owned(),
                    whence: format!(" in {}", path.display()),
                })
            }
        };
        Ok(Column {
            heading,
            max,
            source,
        })
    }

    pub fn scale(&self, most: u32) -> Scale {
        Scale::new(most, self.max, &self.source)
    }

    /// The students Canvas would not know: no user id, SIS User ID or SIS
    /// Login ID.
    pub fn left_out(&self, results: &[Graded]) -> Vec<String> {
        results
            .iter()
            .filter(|g| identity(g).is_none())
            .map(|g| g.student.clone())
            .collect()
    }

    /// `gradebook-canvas.csv`, for a class whose submissions score at most
    /// `most`.
    pub fn write(&self, results: &[Graded], most: u32) -> Result<String, csv::Error> {
        let scale = self.scale(most);
        let mut writer = csv::Writer::from_writer(Vec::new());
        // lib/gradebook_importer.rb `row_has_student_headers?` and
        // `update_column_count`: `Student`, `ID` first; `SIS User ID`
        // followed by `SIS Login ID`; `Section` last of the student's.
        writer.write_record([
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            &self.heading,
        ])?;
        writer.write_record(["    Points Possible", "", "", "", "", &number(self.max)])?;
        for graded in results {
            // `process_student`: a row Canvas cannot match by ID, SIS User
            // ID, SIS Login ID or name is a new student; such a row is
            // left out, and the summary names it.
            let Some((id, sis_user_id, login)) = identity(graded) else {
                continue;
            };
            let who = &graded.submitter;
            let section = who.member.as_ref().map_or("", |m| m.section.as_str());
            writer.write_record([
                &*show::cell(&who.name),
                &show::cell(id),
                &show::cell(sis_user_id),
                &show::cell(login),
                &show::cell(section),
                &super::grade(graded).map_or(String::new(), |g| scale.grade(g)),
            ])?;
        }
        super::finish(writer)
    }
}

/// The ids Canvas matches a row by: its user id (a number), SIS User ID,
/// SIS Login ID; `None` when there is none.
fn identity(graded: &Graded) -> Option<(&str, &str, &str)> {
    let who = &graded.submitter;
    let id = if super::is_number(&who.lms_id) {
        who.lms_id.as_str()
    } else {
        ""
    };
    let (sis_user_id, login) = who
        .member
        .as_ref()
        .map_or(("", ""), |m| (m.sis_user_id.as_str(), m.login.as_str()));
    (!(id.is_empty() && sis_user_id.is_empty() && login.is_empty())).then_some((
        id,
        sis_user_id,
        login,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_splits_as_canvas_splits_it() {
        assert_eq!(title_and_id("Socket lab (77)"), Some(("Socket lab", "77")));
        assert_eq!(title_and_id("Lab (a) (12)"), Some(("Lab (a)", "12")));
        assert_eq!(title_and_id("Socket lab(77)"), None);
        assert_eq!(title_and_id("Socket lab ()"), None);
        assert_eq!(title_and_id("Current Score"), None);
    }

    #[test]
    fn the_column_is_found_by_id_or_title_or_refused_with_the_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(
            &path,
            "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (12),Socket lab (77),Current Score\n\
             ,,,,,Manual Posting,,\n    Points Possible,,,,,10.00,\"100,00\",(read only)\n",
        )
        .unwrap();
        let ask = |assignment| Ask {
            assignment,
            points_possible: None,
            export: Some(&path),
        };
        for name in ["socket lab", "77", "Socket lab (77)"] {
            let column = Column::find(&ask(name)).unwrap();
            assert_eq!(
                (column.heading.as_str(), column.max),
                ("Socket lab (77)", 100.0),
                "{name}"
            );
        }
        let err = Column::find(&ask("Socket Lab 2")).unwrap_err().to_string();
        assert!(
            err.ends_with("its assignment columns: `Lab 1 (12)`, `Socket lab (77)`"),
            "{err}"
        );
        let err = Column::find(&Ask {
            points_possible: Some(50.0),
            ..ask("77")
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("is out of 100"), "{err}");
        let err = Column::find(&Ask {
            export: None,
            ..ask("Socket lab")
        })
        .unwrap_err();
        assert!(
            matches!(err, GradebookError::Canvas(CanvasError::NoExport)),
            "{err}"
        );
    }

    #[test]
    fn a_student_canvas_cannot_match_is_left_out_and_named() {
        use crate::lms::Submitter;
        use crate::standing::Standing;
        let graded = |key: &str, lms_id: &str| Graded {
            student: key.to_string(),
            standing: Standing::Rejected,
            report: None,
            reason: String::new(),
            submitter: Submitter {
                key: key.to_string(),
                name: key.to_string(),
                lms_id: lms_id.to_string(),
                ..Submitter::default()
            },
        };
        let results = [graded("ana", "1001"), graded("folder-bo", "folder-bo")];
        let column = Column {
            heading: "Socket lab (77)".into(),
            max: 50.0,
            source: Source::Given,
        };
        let text = column.write(&results, 261).unwrap();
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "Student,ID,SIS User ID,SIS Login ID,Section,Socket lab (77)",
                "    Points Possible,,,,,50",
                "ana,1001,,,,0",
            ]
        );
        let words = super::super::Book::Canvas(column).words(&results, 261);
        assert_eq!(
            words.as_deref(),
            Some(
                "Canvas, column Socket lab (77): grades scaled to 50 (--points-possible): \
                 261 points = 50; left out, no id the LMS knows: folder-bo"
            )
        );
    }
}
