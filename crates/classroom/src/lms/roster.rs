//! `--roster FILE.csv`: who is in the class, with the ids each LMS knows
//! them by.
//!
//! The columns are found by their headings, in any order and case, so an
//! LMS's own export works as it comes: Canvas's gradebook export
//! (`Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`), Moodle's
//! participants or grades export (`First name`, `Surname` or `Last name`,
//! `ID number`, `Username`, `Email address`), or a file of your own
//! (`id`, `name`, `email`, `login`). Only an id column is required.
//! GitHub Classroom's roster export (`identifier`, `github_username`,
//! `github_id`, `name`: github-education-resources/classroom
//! app/models/roster_entry.rb `to_csv`) is read as it is: the identifier is
//! the id and the name shown, the GitHub username the login its clones are
//! matched by.
//!
//! A roster that would put a grade on the wrong student is refused, naming
//! the line: an id twice, a row the CSV reader cannot read or with more
//! cells than headings, a file separated by semicolons (Canvas writes one
//! when its user's feature option asks for it: canvas-lms
//! lib/csv_with_i18n.rb `determine_column_separator`), no id column.

use crate::show;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RosterError {
    #[error("could not read the roster {path}")]
    Read { path: PathBuf, source: csv::Error },
    #[error("the roster {path} has no id column on line 1 (one of: {known})")]
    NoId { path: PathBuf, known: String },
    #[error("line {line} of the roster {path}: {problem}")]
    Line {
        path: PathBuf,
        line: u64,
        problem: String,
    },
}

/// One student on the roster.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
const ID: &[&str] = &["id", "user id", "identifier", "participant"];
const NAME: &[&str] = &["name", "student", "full name"];
const FIRST: &[&str] = &["first name"];
const LAST: &[&str] = &["surname", "last name"];
const EMAIL: &[&str] = &["email", "email address"];
const SIS_USER: &[&str] = &["sis user id", "id number"];
const LOGIN: &[&str] = &["sis login id", "username", "login", "github_username"];
const SECTION: &[&str] = &["section"];

impl Roster {
    pub fn read(path: &Path) -> Result<Roster, RosterError> {
        let read = |source| RosterError::Read {
            path: path.to_path_buf(),
            source,
        };
        let at = |line: u64, problem: String| RosterError::Line {
            path: path.to_path_buf(),
            line,
            problem,
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
            if headings.iter().any(|h| h.contains(';')) {
                return Err(at(
                    1,
                    "its cells are separated by semicolons; export or save it with commas".into(),
                ));
            }
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
        // Classroom's `name` is the GitHub profile's, often empty: its
        // identifier is the instructor's name for the student.
        let classroom = headings[id].eq_ignore_ascii_case("identifier")
            && login.is_some_and(|l| headings[l] == "github_username");
        let mut members: Vec<Member> = Vec::new();
        let mut lines: HashMap<(bool, String), u64> = HashMap::new();
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(at(line, format!("not a row a CSV reader can read: {e}")));
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if record.len() > headings.len() {
                return Err(at(
                    line,
                    format!("{} cells under {} headings", record.len(), headings.len()),
                ));
            }
            let field = |at: Option<usize>| {
                at.and_then(|i| record.get(i))
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            // Moodle's worksheet writes `Participant 2001`.
            let id = field(Some(id));
            let id = id.strip_prefix("Participant ").unwrap_or(&id).to_string();
            let mut name = match name {
                Some(_) => field(name),
                None => format!("{} {}", field(first), field(last))
                    .trim()
                    .to_string(),
            };
            if classroom {
                name.clone_from(&id);
            }
            // Canvas's export has a row of points possible and one of
            // hidden assignments, with no student's id (canvas-lms
            // lib/gradebook_exporter.rb).
            if id.is_empty() {
                if name.is_empty() || name.contains("Points Possible") {
                    continue;
                }
                return Err(at(line, format!("{} has no id", show::inert(&name))));
            }
            let login = field(login);
            for (is_login, key) in [(false, &id), (true, &login)] {
                if key.is_empty() {
                    continue;
                }
                if let Some(first) = lines.insert((is_login, key.to_lowercase()), line) {
                    let what = if is_login { "login" } else { "id" };
                    return Err(at(
                        line,
                        format!("the {what} {} is on line {first} too", show::inert(key)),
                    ));
                }
            }
            members.push(Member {
                id,
                name,
                email: field(email),
                sis_user_id: field(sis_user),
                login,
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

    /// The message of the error reading `text` as a roster.
    fn refused(text: impl AsRef<[u8]>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.csv");
        std::fs::write(&path, text).unwrap();
        let err = Roster::read(&path).unwrap_err().to_string();
        err.replace(&path.display().to_string(), "roster.csv")
    }

    #[test]
    fn roster_problems_are_errors_naming_the_line() {
        assert_eq!(
            refused("id,name\ns1,Ana\ns2,Bo\nS1,Cy\n"),
            "line 4 of the roster roster.csv: the id S1 is on line 2 too"
        );
        assert_eq!(
            refused("id,name,login\ns1,Ana,ana\ns2,Bo,ana\n"),
            "line 3 of the roster roster.csv: the login ana is on line 2 too"
        );
        assert_eq!(
            refused("id,name\ns1,Ana\ns2,Bo,extra\n"),
            "line 3 of the roster roster.csv: 3 cells under 2 headings"
        );
        assert_eq!(
            refused("id,name\n,Ana Lima\n"),
            "line 2 of the roster roster.csv: Ana Lima has no id"
        );
        // canvas-lms lib/csv_with_i18n.rb: `;` when the user asks for it.
        assert_eq!(
            refused("Student;ID;SIS Login ID;Socket lab (77)\n\"Lima, Ana\";1001;alima;\n"),
            "line 1 of the roster roster.csv: its cells are separated by semicolons; export or save it with commas"
        );
        assert!(refused("who,mail\nana,a@b\n").contains("no id column on line 1"));
        let bad = refused(b"id,name\ns1,Ana\ns2,Bo\xff\n");
        assert!(
            bad.starts_with("line 3 of the roster roster.csv: not a row"),
            "{bad}"
        );
    }

    #[test]
    fn classroom_roster_export_is_keyed_by_github_username() {
        // github-education-resources/classroom app/models/roster_entry.rb
        // `to_csv`: every cell quoted, an unlinked student's login empty.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("classroom_roster.csv");
        std::fs::write(
            &path,
            "\"identifier\",\"github_username\",\"github_id\",\"name\"\n\"Ana Lima\",\"ana-l\",\"1234\",\"\"\n\"Cy Diaz\",\"\",\"\",\"\"\n",
        )
        .unwrap();
        let roster = Roster::read(&path).unwrap();
        let seen: Vec<(&str, &str, &str)> = roster
            .members
            .iter()
            .map(|m| (m.id.as_str(), m.name.as_str(), m.login.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("Ana Lima", "Ana Lima", "ana-l"),
                ("Cy Diaz", "Cy Diaz", "")
            ]
        );
    }
}
