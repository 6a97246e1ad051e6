//! `--roster FILE.csv`: who is in the class, with the ids each LMS knows
//! them by.
//!
//! The columns are found by their headings, in any order and case, so an
//! LMS's own export works as it comes: Canvas's gradebook export
//! (`Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`), Moodle's
//! participants or grades export (`First name`, `Surname` or `Last name`,
//! `ID number`, `Username`, `Email address`), or a file of your own
//! (`id`, `name`, `email`, `login`). Only an id column is required.

use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RosterError {
    #[error("could not read the roster {path}")]
    Read { path: PathBuf, source: csv::Error },
    #[error("the roster {path} has no id column (one of: {known})")]
    NoId { path: PathBuf, known: String },
}

/// One student on the roster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    /// The LMS's id: Canvas's user id, Moodle's participant id, a GitHub
    /// login.
    pub id: String,
    pub name: String,
    pub email: String,
    /// Canvas's SIS User ID, Moodle's ID number.
    pub sis_user_id: String,
    /// Canvas's SIS Login ID, Moodle's username, a GitHub login.
    pub login: String,
    pub section: String,
}

/// The roster, in its file's order.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub members: Vec<Member>,
    /// The heading of each column the file had, in order: a Canvas export's
    /// assignment column (`Socket lab (1234)`) is found here.
    pub headings: Vec<String>,
}

/// The headings each field is read from, lowercase.
const ID: &[&str] = &[
    "id",
    "user id",
    "identifier",
    "participant",
    "github username",
];
const NAME: &[&str] = &["name", "student", "full name"];
const FIRST: &[&str] = &["first name"];
const LAST: &[&str] = &["surname", "last name"];
const EMAIL: &[&str] = &["email", "email address"];
const SIS_USER: &[&str] = &["sis user id", "id number"];
const LOGIN: &[&str] = &["sis login id", "username", "login"];
const SECTION: &[&str] = &["section"];

impl Roster {
    pub fn read(path: &Path) -> Result<Roster, RosterError> {
        let read = |source| RosterError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .map_err(read)?;
        let headings: Vec<String> = reader
            .headers()
            .map_err(read)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let column = |names: &[&str]| {
            headings
                .iter()
                .position(|h| names.contains(&h.to_lowercase().as_str()))
        };
        let Some(id) = column(ID) else {
            return Err(RosterError::NoId {
                path: path.to_path_buf(),
                known: ID.join(", "),
            });
        };
        let (name, first, last) = (column(NAME), column(FIRST), column(LAST));
        let (email, sis_user, login, section) = (
            column(EMAIL),
            column(SIS_USER),
            column(LOGIN),
            column(SECTION),
        );
        let mut members = Vec::new();
        for record in reader.records() {
            let record = record.map_err(read)?;
            let field = |at: Option<usize>| {
                at.and_then(|i| record.get(i))
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            // Moodle's worksheet writes `Participant 2001`.
            let id = field(Some(id));
            let id = id.strip_prefix("Participant ").unwrap_or(&id).to_string();
            let name = match name {
                Some(_) => field(name),
                None => format!("{} {}", field(first), field(last))
                    .trim()
                    .to_string(),
            };
            // Canvas's export has a row of points possible, not a student.
            if id.is_empty() || name.contains("Points Possible") {
                continue;
            }
            members.push(Member {
                id,
                name,
                email: field(email),
                sis_user_id: field(sis_user),
                login: field(login),
                section: field(section),
            });
        }
        Ok(Roster { members, headings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canvas_export_is_a_roster() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(
            &path,
            "Student,ID,SIS User ID,SIS Login ID,Section,Socket lab (77)\n    Points Possible,,,,,160\n\"Lima, Ana\",1001,S1,alima,Lab A,\n",
        )
        .unwrap();
        let roster = Roster::read(&path).unwrap();
        assert_eq!(
            roster.members,
            [Member {
                id: "1001".into(),
                name: "Lima, Ana".into(),
                email: String::new(),
                sis_user_id: "S1".into(),
                login: "alima".into(),
                section: "Lab A".into(),
            }]
        );
        assert_eq!(roster.headings[5], "Socket lab (77)");
    }

    #[test]
    fn a_moodle_export_is_a_roster_and_a_file_without_ids_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("moodle.csv");
        std::fs::write(
            &path,
            "Identifier,First name,Surname,Email address\nParticipant 2001,Ana,Lima,ana@uni.example\n",
        )
        .unwrap();
        let member = &Roster::read(&path).unwrap().members[0];
        assert_eq!(
            (
                member.id.as_str(),
                member.name.as_str(),
                member.email.as_str()
            ),
            ("2001", "Ana Lima", "ana@uni.example")
        );
        std::fs::write(&path, "who,mail\nana,a@b\n").unwrap();
        let err = Roster::read(&path).unwrap_err().to_string();
        assert!(err.contains("has no id column"), "{err}");
    }
}
