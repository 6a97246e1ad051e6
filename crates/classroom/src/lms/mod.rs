//! A class's submissions as an LMS hands them out, and its grades as the
//! LMS takes them back.
//!
//! [`read`] takes what `grader batch` is given (a folder, or a zip) and
//! reads it entry by entry. Which download it is (a Canvas submissions
//! zip, a Moodle download, a GitHub Classroom clone folder, or a plain
//! folder of one folder or archive per student) is what most of its
//! entries are named as ([`names`]); each entry is then read on its own,
//! and one that fits no pattern becomes a row of its own with the reason,
//! never a reason to read the others another way. Each student's files
//! are laid into one submission ([`lay`]: several files together, zips
//! opened), late flags and LMS ids kept; a file that cannot be graded (a
//! `.rar`, an empty or corrupt zip, an empty folder) leaves the student a
//! row with the reason. A [`roster`] adds the students who handed nothing
//! in. [`gradebook`] writes the grades and feedback files each LMS imports.
//!
//! What is unpacked here (a class's zip, a student's several files) is
//! unpacked with the same checks as any submission (no links, no bombs),
//! into a private temporary folder that lives as long as the [`Download`];
//! each student's part is then checked again by the child grader that
//! grades it.
//!
//! # Layout
//! - `canvas`, `moodle`, `classroom`: each LMS's download, entry by entry.
//! - `lay`: one student's files laid into one submission, or the reason.
//! - `matching`: the roster laid beside the download.

mod canvas;
mod classroom;
pub mod feedback;
pub mod gradebook;
mod lay;
mod matching;
mod moodle;
pub mod names;
pub mod roster;

use crate::archive::{self, Limits};
use crate::report::Report;
use crate::standing::Standing;
use crate::submission::SubmissionError;
use roster::{Member, Roster};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum LmsError {
    #[error("could not read the submissions in {path}")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path} is neither a folder nor a .zip")]
    NotAFolder { path: PathBuf },
    #[error("could not unpack {path}")]
    Unpack {
        path: PathBuf,
        source: SubmissionError,
    },
}

/// Where a class's submissions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lms {
    Canvas,
    Moodle,
    Classroom,
    /// A folder of one folder or zip per student, named after them.
    Plain,
}

impl Lms {
    /// What the summary calls it.
    pub fn words(self) -> &'static str {
        match self {
            Lms::Canvas => "Canvas download",
            Lms::Moodle => "Moodle download",
            Lms::Classroom => "GitHub Classroom clones",
            Lms::Plain => "Folder of submissions",
        }
    }
}

/// One student (or one entry of the download that is nobody's): their
/// submission, if any, what the LMS and the roster know of them, and why
/// there is nothing to grade when there is not.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Submitter {
    /// Unique in the class: the results are filed under it.
    pub key: String,
    /// The student's name: the roster's when the roster has the student,
    /// else as the LMS gives it.
    pub name: String,
    /// Canvas's user id, Moodle's participant id, the GitHub login.
    pub lms_id: String,
    /// The number after Canvas's user id in a file's name (the file's
    /// attachment id, which Canvas checks feedback files against).
    pub submission_id: String,
    pub late: bool,
    /// The folder or zip to grade; `None`: nothing to grade (see `reason`).
    pub path: Option<PathBuf>,
    /// The name the LMS gave the submission (a Moodle folder, a Canvas
    /// file's prefix): feedback files handed back are named after it.
    pub lms_name: String,
    /// The roster's line for the student.
    pub member: Option<Member>,
    /// Why there is nothing to grade though something was handed in (`the
    /// zip holds only lab.rar`); `None` with no `path`: nothing handed in.
    pub reason: Option<String>,
    /// What the download's reading did with the student's files (a file
    /// not graded, which of two copies of a task is): for their report.
    pub notes: Vec<String>,
}

/// One student's result (kept in a shard result as it is).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Graded {
    pub student: String,
    pub standing: Standing,
    pub report: Option<Report>,
    /// Why there is no report, for `error` and `timed out`.
    pub reason: String,
    /// Who handed it in, as the LMS and the roster know them.
    pub submitter: Submitter,
}

/// A student's folder under `out/students`: the id, made safe as a name.
pub fn folder_name(student: &str) -> String {
    student
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A class's submissions, read.
#[derive(Debug)]
pub struct Download {
    pub lms: Lms,
    pub students: Vec<Submitter>,
    /// Students handed in but not on the roster (when there is one).
    pub not_on_roster: Vec<String>,
    /// The roster's column headings (a Canvas export's assignment column).
    pub roster_headings: Vec<String>,
    /// What was unpacked, deleted when the download is dropped.
    _unpacked: Option<tempfile::TempDir>,
}

/// How much a whole class's zip may hold: each student's part is held to
/// the usual limits once it is graded.
fn class_limits() -> Limits {
    Limits {
        entries: 200_000,
        bytes: 4_000_000_000,
        ..Limits::default()
    }
}

/// Reads the submissions in `input` (a folder or a zip), less `skip` (the
/// results folder, when it is inside `input`), and the roster's students.
pub fn read(input: &Path, skip: &Path, roster: Option<&Roster>) -> Result<Download, LmsError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LmsError::Read { path, source }
    };
    fs::symlink_metadata(input).map_err(io_error(input))?;
    let meta = archive::check_root(input).map_err(|source| LmsError::Unpack {
        path: input.to_path_buf(),
        source: source.into(),
    })?;
    let scratch = tempfile::Builder::new()
        .prefix("grader-download-")
        .tempdir()
        .map_err(io_error(input))?;
    let root = if meta.is_dir() {
        input.to_path_buf()
    } else if input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        let unpacked = scratch.path().join("unpacked");
        archive::unzip(input, &unpacked, &class_limits()).map_err(|source| LmsError::Unpack {
            path: input.to_path_buf(),
            source: source.into(),
        })?;
        only_folder_named_submissions(&unpacked).unwrap_or(unpacked)
    } else {
        return Err(LmsError::NotAFolder {
            path: input.to_path_buf(),
        });
    };
    let entries = entries(&root, skip).map_err(io_error(&root))?;
    let staging = scratch.path().join("students");
    let folder = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (lms, mut students) = match kind_of(&folder, &entries) {
        Kind::Canvas => (
            Lms::Canvas,
            canvas::read(&entries, &staging).map_err(io_error(&staging))?,
        ),
        Kind::Moodle => (
            Lms::Moodle,
            moodle::read(&entries, &staging).map_err(io_error(&staging))?,
        ),
        Kind::Classroom(prefix) => (Lms::Classroom, classroom::read(&prefix, &entries)),
        Kind::Plain => (
            Lms::Plain,
            plain(&entries, &staging).map_err(io_error(&staging))?,
        ),
    };
    let not_on_roster = match roster {
        Some(roster) => matching::match_roster(lms, &mut students, roster),
        None => Vec::new(),
    };
    matching::unique_keys(&mut students);
    students.sort_by_key(|s| (s.name.to_lowercase(), s.key.clone()));
    Ok(Download {
        lms,
        students,
        not_on_roster,
        roster_headings: roster.map(|r| r.headings.clone()).unwrap_or_default(),
        _unpacked: Some(scratch),
    })
}

/// What a download is, judged by what most of its entries are named as
/// (Canvas before Moodle before Classroom where as many fit each).
enum Kind {
    Canvas,
    Moodle,
    Classroom(String),
    Plain,
}

fn kind_of(folder: &str, entries: &[Entry]) -> Kind {
    let count = |fits: &dyn Fn(&Entry) -> bool| entries.iter().filter(|e| fits(e)).count();
    let canvas = count(&|e| !e.is_dir && names::canvas(&e.name).is_some());
    let moodle = count(&|e| names::moodle(&e.name).is_some());
    let clones = classroom::prefix(folder, entries).map(|prefix| {
        let n = count(&|e| e.is_dir && e.name.starts_with(&prefix));
        (prefix, n)
    });
    let classroom = clones.as_ref().map_or(0, |(_, n)| *n);
    let most = canvas.max(moodle).max(classroom);
    // A few LMS-like names in a folder of students' own do not make it a
    // download: at least half the entries must fit.
    if most == 0 || most * 2 < entries.len() {
        Kind::Plain
    } else if canvas == most {
        Kind::Canvas
    } else if moodle == most {
        Kind::Moodle
    } else {
        Kind::Classroom(clones.map(|(p, _)| p).unwrap_or_default())
    }
}

impl Download {
    /// The students with something to grade.
    pub fn handed_in(&self) -> impl Iterator<Item = &Submitter> {
        self.students.iter().filter(|s| s.path.is_some())
    }

    /// `Canvas download: 58 students, 3 late, 2 with nothing to grade, 2
    /// with no submission`.
    pub fn summary(&self) -> String {
        let handed_in = self.handed_in().count();
        let mut line = format!(
            "{}: {handed_in} student{}",
            self.lms.words(),
            if handed_in == 1 { "" } else { "s" }
        );
        let late = self.students.iter().filter(|s| s.late).count();
        if matches!(self.lms, Lms::Canvas) || late > 0 {
            line.push_str(&format!(", {late} late"));
        }
        let ungraded = self
            .students
            .iter()
            .filter(|s| s.path.is_none() && s.reason.is_some())
            .count();
        if ungraded > 0 {
            line.push_str(&format!(", {ungraded} with nothing to grade"));
        }
        let missing = self.students.len() - handed_in - ungraded;
        if missing > 0 {
            line.push_str(&format!(", {missing} with no submission"));
        }
        if !self.not_on_roster.is_empty() {
            line.push_str(&format!(
                ", not on the roster: {}",
                self.not_on_roster.join(", ")
            ));
        }
        line
    }
}

/// A zip of a clone folder holds that one folder: look inside it.
fn only_folder_named_submissions(dir: &Path) -> Option<PathBuf> {
    let inside: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    match inside.as_slice() {
        [only]
            if only.is_dir()
                && only
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with("-submissions")) =>
        {
            Some(only.clone())
        }
        _ => None,
    }
}

/// An entry at the top of a download.
struct Entry {
    name: String,
    path: PathBuf,
    is_dir: bool,
}

/// The folders and files at the top of `root`, by name, without hidden
/// names, folders no task lives in, and `skip`.
fn entries(root: &Path, skip: &Path) -> io::Result<Vec<Entry>> {
    let skip = skip.canonicalize().ok();
    let mut found = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if archive::ignored(&name) || path.canonicalize().ok() == skip {
            continue;
        }
        // A link is not followed; the child grader refuses it by name.
        found.push(Entry {
            name,
            is_dir: kind.is_dir(),
            path,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// An entry that is nobody's submission: a row of its own, saying why.
/// It has no `lms_name`, so no roster line is looked for.
fn unrecognised(entry: &Entry, why: &str) -> Submitter {
    Submitter {
        key: entry.name.clone(),
        name: entry.name.clone(),
        reason: Some(format!("{}: {why}", entry.name)),
        ..Submitter::default()
    }
}

/// A plain folder: each folder or archive is a student, named by it.
fn plain(entries: &[Entry], staging: &Path) -> io::Result<Vec<Submitter>> {
    let mut students = Vec::new();
    for entry in entries {
        let stem = if entry.is_dir {
            entry.name.as_str()
        } else if let Some(stem) = lay::archive_stem(&entry.name) {
            stem
        } else {
            students.push(unrecognised(entry, "a file, not a folder or a .zip"));
            continue;
        };
        let part = if entry.is_dir {
            lay::Part::Folder {
                path: entry.path.clone(),
                name: entry.name.clone(),
            }
        } else {
            lay::Part::File {
                path: entry.path.clone(),
                original: entry.name.clone(),
                order: 0,
            }
        };
        let laid = lay::lay(staging, stem, &[part], "nothing handed in")?;
        students.push(Submitter {
            key: stem.to_string(),
            name: stem.to_string(),
            path: laid.path,
            lms_name: entry.name.clone(),
            reason: laid.reason,
            notes: laid.notes,
            ..Submitter::default()
        });
    }
    Ok(students)
}

#[cfg(test)]
mod tests;
