//! A class's submissions as an LMS hands them out, and its grades as the
//! LMS takes them back.
//!
//! [`read`] takes what `grader batch` is given (a folder, or a zip) and
//! tells which download it is from the names in it ([`names`]): a Canvas
//! submissions zip, a Moodle download, a GitHub Classroom clone folder, or
//! a plain folder of one folder or zip per student. Each student's files
//! are grouped into one submission, late flags and LMS ids kept, and a
//! [`roster`] adds the students who handed nothing in. [`gradebook`]
//! writes the grades and feedback files each LMS imports.
//!
//! What is unpacked here (a Canvas or Moodle zip) is unpacked with the same
//! checks as any submission (no links, no bombs), into a private temporary
//! folder that lives as long as the [`Download`]; each student's part is
//! then checked again by the child grader that grades it.

pub mod feedback;
pub mod gradebook;
pub mod names;
pub mod roster;

use crate::archive::{self, Limits};
use crate::submission::SubmissionError;
use roster::{Member, Roster};
use std::collections::BTreeMap;
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

/// One student: their submission, if any, and what the LMS and the roster
/// know of them.
#[derive(Debug, Clone, Default)]
pub struct Submitter {
    /// Unique in the class: the results are filed under it.
    pub key: String,
    /// The student's name as the roster or the LMS gives it.
    pub name: String,
    /// Canvas's user id, Moodle's participant id, the GitHub login.
    pub lms_id: String,
    /// The number after Canvas's user id in a file's name (the file's
    /// attachment id, which Canvas checks feedback files against).
    pub submission_id: String,
    pub late: bool,
    /// The folder or zip to grade; `None`: on the roster, nothing handed in.
    pub path: Option<PathBuf>,
    /// The name the LMS gave the submission (a Moodle folder, a Canvas
    /// file's prefix): feedback files handed back are named after it.
    pub lms_name: String,
    /// The roster's line for the student.
    pub member: Option<Member>,
    /// What the download says of this student's submission (a `.rar` left
    /// out, two zips), shown in the class's `reason` column.
    pub reason: Option<String>,
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
        source,
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
            source,
        })?;
        only_folder_named_submissions(&unpacked).unwrap_or(unpacked)
    } else {
        return Err(LmsError::NotAFolder {
            path: input.to_path_buf(),
        });
    };
    let entries = entries(&root, skip).map_err(io_error(&root))?;
    let staging = scratch.path().join("students");
    let (lms, mut students) =
        if let Some(students) = canvas(&entries, &staging).map_err(io_error(&staging))? {
            (Lms::Canvas, students)
        } else if let Some(students) = moodle(&entries, &staging).map_err(io_error(&staging))? {
            (Lms::Moodle, students)
        } else if let Some(students) = classroom(&root, &entries) {
            (Lms::Classroom, students)
        } else {
            (Lms::Plain, plain(&entries))
        };
    let not_on_roster = match roster {
        Some(roster) => match_roster(lms, &mut students, roster),
        None => Vec::new(),
    };
    unique_keys(&mut students);
    students.sort_by_key(|s| (s.name.to_lowercase(), s.key.clone()));
    Ok(Download {
        lms,
        students,
        not_on_roster,
        roster_headings: roster.map(|r| r.headings.clone()).unwrap_or_default(),
        _unpacked: Some(scratch),
    })
}

impl Download {
    /// The students with something to grade.
    pub fn handed_in(&self) -> impl Iterator<Item = &Submitter> {
        self.students.iter().filter(|s| s.path.is_some())
    }

    /// `Canvas download: 58 students, 3 late, 2 with no submission`.
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
        let missing = self.students.len() - handed_in;
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

/// The folders and files at the top of `root`, by name, without links,
/// hidden names, folders no task lives in, and `skip`.
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

fn is_zip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// A folder in `staging` holding `files` under their own names: one
/// student's loose files, graded as one submission.
fn gather(staging: &Path, key: &str, files: &[(&Path, &str)]) -> io::Result<PathBuf> {
    let folder = staging.join(crate::batch::folder_name(key));
    fs::create_dir_all(&folder)?;
    for (path, original) in files {
        // Only regular files are copied: a link here is never followed.
        if !fs::symlink_metadata(path)?.is_file() {
            continue;
        }
        let safe = crate::batch::folder_name(original);
        fs::copy(path, folder.join(safe))?;
    }
    Ok(folder)
}

/// A Canvas download: nothing but files named as Canvas names them.
fn canvas(entries: &[Entry], staging: &Path) -> io::Result<Option<Vec<Submitter>>> {
    let mut by_user: BTreeMap<String, Vec<(&Entry, names::CanvasName)>> = BTreeMap::new();
    for entry in entries {
        let parsed = (!entry.is_dir)
            .then(|| names::canvas(&entry.name))
            .flatten();
        let Some(parsed) = parsed else {
            return Ok(None);
        };
        by_user
            .entry(parsed.user_id.clone())
            .or_default()
            .push((entry, parsed));
    }
    if by_user.is_empty() {
        return Ok(None);
    }
    let mut students = Vec::new();
    for files in by_user.values() {
        let (_, first) = &files[0];
        let key = format!("{}_{}", first.name, first.user_id);
        let path = match files.as_slice() {
            [(entry, parsed)] if is_zip(&parsed.original) => entry.path.clone(),
            _ => {
                let loose: Vec<(&Path, &str)> = files
                    .iter()
                    .map(|(e, p)| (e.path.as_path(), p.original.as_str()))
                    .collect();
                gather(staging, &key, &loose)?
            }
        };
        students.push(Submitter {
            name: first.name.clone(),
            lms_id: first.user_id.clone(),
            submission_id: first.submission_id.clone(),
            late: files.iter().any(|(_, p)| p.late),
            path: Some(path),
            lms_name: format!(
                "{}_{}{}_{}",
                first.name,
                if first.late { "late_" } else { "" },
                first.user_id,
                first.submission_id
            ),
            member: None,
            reason: None,
            key,
        });
    }
    Ok(Some(students))
}

/// A Moodle download: folders (or files) named as Moodle names them. The
/// `file` plugin's folder is the submission; a folder holding one zip is
/// that zip.
fn moodle(entries: &[Entry], staging: &Path) -> io::Result<Option<Vec<Submitter>>> {
    let mut by_participant: BTreeMap<String, Vec<(&Entry, names::MoodleName)>> = BTreeMap::new();
    for entry in entries {
        let Some(parsed) = names::moodle(&entry.name) else {
            return Ok(None);
        };
        by_participant
            .entry(parsed.participant.clone())
            .or_default()
            .push((entry, parsed));
    }
    if by_participant.is_empty() {
        return Ok(None);
    }
    let mut students = Vec::new();
    for parts in by_participant.values() {
        let (_, first) = &parts[0];
        let key = format!("{}_{}", first.full_name, first.participant);
        let folder = parts
            .iter()
            .find(|(e, p)| e.is_dir && p.plugin == "file")
            .or_else(|| parts.iter().find(|(e, _)| e.is_dir));
        let loose: Vec<(&Path, &str)> = parts
            .iter()
            .filter(|(e, p)| !e.is_dir && p.plugin == "file")
            .map(|(e, p)| (e.path.as_path(), p.original.as_str()))
            .collect();
        let (path, lms_name) = match folder {
            Some((entry, _)) if loose.is_empty() => (one_zip_in(&entry.path), entry.name.clone()),
            _ => (
                gather(staging, &key, &loose)?,
                format!(
                    "{}_{}_assignsubmission_file_",
                    first.full_name, first.participant
                ),
            ),
        };
        students.push(Submitter {
            name: first.full_name.clone(),
            lms_id: first.participant.clone(),
            path: Some(path),
            lms_name,
            key,
            ..Submitter::default()
        });
    }
    Ok(Some(students))
}

/// The zip in `folder` when it holds that and nothing else; else `folder`.
fn one_zip_in(folder: &Path) -> PathBuf {
    let inside: Vec<PathBuf> = fs::read_dir(folder)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    match inside.as_slice() {
        [only]
            if fs::symlink_metadata(only).is_ok_and(|m| m.is_file())
                && is_zip(&only.to_string_lossy()) =>
        {
            only.clone()
        }
        _ => folder.to_path_buf(),
    }
}

/// A GitHub Classroom clone folder: git clones named `<assignment>-<login>`.
fn classroom(root: &Path, entries: &[Entry]) -> Option<Vec<Submitter>> {
    let clones = entries
        .iter()
        .all(|e| e.is_dir && fs::symlink_metadata(e.path.join(".git")).is_ok());
    if entries.is_empty() || !clones {
        return None;
    }
    let folder = root.file_name()?.to_string_lossy().into_owned();
    let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    let (_, logins) = names::classroom_logins(&folder, &names)?;
    Some(
        entries
            .iter()
            .zip(logins)
            .map(|(entry, login)| Submitter {
                key: login.clone(),
                name: login.clone(),
                lms_id: login,
                path: Some(entry.path.clone()),
                lms_name: entry.name.clone(),
                ..Submitter::default()
            })
            .collect(),
    )
}

/// A plain folder: each folder or `.zip` is a student, named by it.
fn plain(entries: &[Entry]) -> Vec<Submitter> {
    entries
        .iter()
        .filter(|e| e.is_dir || (is_zip(&e.name) && e.path.is_file()))
        .map(|e| {
            let name = if e.is_dir {
                e.name.clone()
            } else {
                e.name[..e.name.len() - 4].to_string()
            };
            Submitter {
                key: name.clone(),
                name: name.clone(),
                path: Some(e.path.clone()),
                lms_name: e.name.clone(),
                ..Submitter::default()
            }
        })
        .collect()
}

/// Whether the roster's `member` is the student who handed in `who`.
fn same_student(lms: Lms, who: &Submitter, member: &Member) -> bool {
    let same = |a: &str, b: &str| !a.is_empty() && a.eq_ignore_ascii_case(b);
    same(&who.lms_id, &member.id)
        || match lms {
            // A roster without Canvas's ids: by the name Canvas made.
            Lms::Canvas => {
                !member.id.chars().all(|c| c.is_ascii_digit())
                    && names::canvas_login(&member.name) == who.name
            }
            Lms::Moodle => same(&who.name, &member.name),
            Lms::Classroom => same(&who.lms_id, &member.login),
            Lms::Plain => [&member.login, &member.email, &member.name]
                .iter()
                .any(|id| same(&who.key, id)),
        }
}

/// Gives each submission its roster line, and adds the roster's students
/// with none; returns who handed in without being on the roster.
fn match_roster(lms: Lms, students: &mut Vec<Submitter>, roster: &Roster) -> Vec<String> {
    let mut matched = vec![false; roster.members.len()];
    let mut strangers = Vec::new();
    for who in students.iter_mut() {
        let found = roster
            .members
            .iter()
            .enumerate()
            .find(|(i, m)| !matched[*i] && same_student(lms, who, m));
        match found {
            Some((i, member)) => {
                matched[i] = true;
                if !member.name.is_empty() {
                    who.name = member.name.clone();
                }
                if who.lms_id.is_empty() {
                    who.lms_id = member.id.clone();
                }
                who.member = Some(member.clone());
            }
            None => strangers.push(who.key.clone()),
        }
    }
    for (member, _) in roster.members.iter().zip(matched).filter(|(_, m)| !m) {
        students.push(Submitter {
            key: member.id.clone(),
            name: if member.name.is_empty() {
                member.id.clone()
            } else {
                member.name.clone()
            },
            lms_id: member.id.clone(),
            member: Some(member.clone()),
            ..Submitter::default()
        });
    }
    strangers
}

/// Two students never share a results folder.
fn unique_keys(students: &mut [Submitter]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for who in students.iter_mut() {
        let folder = crate::batch::folder_name(&who.key);
        let count = seen.entry(folder).or_default();
        *count += 1;
        if *count > 1 {
            who.key = format!("{}-{count}", who.key);
        }
    }
}

#[cfg(test)]
mod tests;
