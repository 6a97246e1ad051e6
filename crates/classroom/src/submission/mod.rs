//! A student's submission, laid onto a fresh copy of the student edition.
//!
//! [`edition()`] writes the student edition of the instructor's workspace
//! (solutions cut out, tests left out: see [`crate::starter`]) into a cache,
//! once per version of the workspace. [`lay`] copies it into a temporary
//! folder and lays the submission's task sources over it, so the reference
//! solutions are never in the workspace a submission is built in.
//!
//! # What is taken from a task folder
//! - A `src/` folder replaces the edition's `src/`. When it has no `lib.rs`,
//!   the edition's `lib.rs` is kept, so binaries that `use` the task's
//!   library still build.
//! - Without `src/`, the loose files are the handouts' way to hand in:
//!   `server.rs` and `client.rs` become `src/bin/`, and `lib.rs`, when there
//!   is one, the library; the edition's `lib.rs` and `Cargo.toml` stay.
//! - A binary the task folder lacks, or a task with no folder at all, gets a
//!   file that fails to compile saying why (`compile_error!`), never the
//!   edition's starter code: missing work is not a start on it.
//! - The `[dependencies]` of the task's `Cargo.toml` are added when every
//!   one is on the allow-list and a plain crates.io version. Nothing of the
//!   student's runs while building: a `build.rs`, `build = …`,
//!   `proc-macro = true`, `[build-dependencies]`, `path`, `git` or
//!   `registry` dependencies, `[patch]` and `[replace]` are refused with a
//!   note saying what and why, and the edition's manifest is used.
//! - A task whose `Cargo.toml` cargo cannot resolve offline (a version or
//!   feature whose crates are not in the registry) gets the handed-out one
//!   instead, and a task whose files cargo cannot read at all fails to
//!   build by itself, each with a note quoting cargo ([`keep_resolvable`],
//!   run on the laid workspace): one task never stops the others building.
//!
//! Files are copied byte for byte (CRLF line endings stay as they are). The
//! grader, its tests and the workspace manifest always come from the
//! edition, so a submission that edits them gains nothing.
//!
//! # Where task folders are
//! Anywhere up to four folders deep, by the names students use
//! ([`task_number`]: `task03_echo`, `Task03`, `task3`, `task-3`, `Task 3`,
//! `task_03`). Folders no task lives in (`.git`, `target`, `__MACOSX`,
//! `node_modules`, hidden ones) are not searched. When two folders claim a
//! task, one that holds sources wins, then the shallowest, then the first
//! by name, and a note says which was used.
//!
//! # What is refused
//! A submission is read as if hostile, before anything in it is used: a
//! zip's central directory is checked before any entry is unpacked, and
//! each entry's real bytes are counted as it is; a folder is walked without
//! following links. Within [`Limits`] (10 000 entries, 50 MB, a compression
//! ratio of 200 for entries over 1 MB), with no links, no special files, no
//! absolute names and no `..` anywhere.
//!
//! # Outcomes
//! - `Ok(`[`Laid`]`)`: the workspace to build, the notes for the report, the
//!   numbers of the tasks found.
//! - [`SubmissionError::Rejected`]: the submission broke a rule; shown as
//!   `rejected: <rule>` (`rejected: the zip has more than 10000 entries`).
//! - [`SubmissionError::NoTasks`]: nothing in the submission matched any of
//!   the tasks graded, with what it holds instead: `no task folders found:
//!   the zip holds only `lab.rar``. A folder or zip holding one zip and
//!   nothing else is graded as that zip.
//! - [`SubmissionError::Missing`] and [`SubmissionError::Zip`]: nothing at
//!   the path, or a zip that does not read.
//! - [`SubmissionError::NoEdition`], [`SubmissionError::Edition`] and
//!   [`SubmissionError::Io`]: the grader's side failed, not the student's.
//!
//! # Layout
//! - `find`: which folders of a submission are whose task.
//! - `sources`: a task folder's sources laid over the edition's, and the
//!   stand-ins for what is missing.
//! - `manifest`: what of a task's `Cargo.toml` is taken, and what refused.
//! - `resolve`: a task cargo cannot resolve laid back, alone.
//! - `edition`: the cache of student editions submissions are laid onto.

mod edition;
mod find;
#[cfg(test)]
mod fixtures;
mod manifest;
mod resolve;
mod sources;

pub use crate::archive::Limits;
pub use edition::{edition, Places};
pub use find::task_number;
pub use resolve::keep_resolvable;

use crate::archive;
use crate::show;
use crate::starter::StarterError;
use crate::tasks::Task;
use find::{chosen_among, find_task_folders};
use manifest::take_manifest;
pub(crate) use sources::copy_tree;
use sources::{clear_sources, read_sources, stand_in_for_missing, take_sources};
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use thiserror::Error;

/// Crates a submission may depend on unless the instructor says otherwise.
pub const DEFAULT_ALLOWED: &[&str] = &["clap", "socket2"];

#[derive(Debug, Error)]
pub enum SubmissionError {
    #[error("no submission at {0}")]
    Missing(PathBuf),
    /// The submission broke a rule; `rule` says which, naming the entry.
    #[error("rejected: {rule}")]
    Rejected { rule: String },
    /// No folder in the submission is named after a task being graded;
    /// `seen` says what it holds instead (`the zip holds only `lab.rar``).
    #[error("no task folders found: {seen}")]
    NoTasks { seen: String },
    #[error("could not read the zip {path}: {reason}")]
    Zip { path: PathBuf, reason: String },
    #[error("no student edition at {0}")]
    NoEdition(PathBuf),
    #[error("could not write the student edition of {instructor}")]
    Edition {
        instructor: PathBuf,
        source: StarterError,
    },
    #[error("could not prepare the submission")]
    Io(#[from] io::Error),
}

impl From<archive::ArchiveError> for SubmissionError {
    fn from(error: archive::ArchiveError) -> Self {
        match error {
            archive::ArchiveError::Rejected { rule } => SubmissionError::Rejected { rule },
            archive::ArchiveError::Zip { path, reason } => SubmissionError::Zip { path, reason },
            archive::ArchiveError::Io(e) => SubmissionError::Io(e),
        }
    }
}

/// A submission laid onto its own copy of the student edition. The copy is
/// deleted when this is dropped.
pub struct Laid {
    /// The copy, ready to build.
    pub workspace: PathBuf,
    /// What was found, used and refused, for the report.
    pub notes: Vec<String>,
    /// The numbers of the tasks the submission has a folder for, in order.
    pub tasks_found: Vec<u8>,
    _dir: TempDir,
}

/// Why a task that was not handed in does not build: the compiler error
/// its stand-in gives, and how a batch tells it from a real build failure.
pub const NO_FOLDER: &str = "the submission has no folder for this task";

/// Lays `submission` (a folder or a `.zip`) onto a copy of the student
/// edition at `edition`, for the `tasks` graded. `allowed` names the crates
/// a task may depend on; `limits` bound what the submission may hold.
pub fn lay(
    submission: &Path,
    edition: &Path,
    tasks: &[Task],
    allowed: &BTreeSet<String>,
    limits: &Limits,
) -> Result<Laid, SubmissionError> {
    if !edition.join("Cargo.toml").is_file() && fs::symlink_metadata(submission).is_ok() {
        return Err(SubmissionError::NoEdition(edition.to_path_buf()));
    }
    let (dir, source, what) = open(submission, limits)?;
    let found = find_task_folders(&source, tasks);
    if found.is_empty() {
        return Err(SubmissionError::NoTasks {
            seen: holds(&source, &what),
        });
    }

    let workspace = dir.path().join("workspace");
    copy_tree(edition, &workspace)?;
    let mut notes = Vec::new();
    for task in tasks {
        let target = workspace.join(task.package);
        let mut note = |text: String| notes.push(format!("{}: {text}", task.package));
        let Some(candidates) = found.get(&task.number) else {
            note("no folder for this task in the submission".into());
            // Neither the solution nor the starter code is graded in its place.
            clear_sources(&target)?;
            stand_in_for_missing(&target, NO_FOLDER)?;
            continue;
        };
        let chosen = &candidates[0];
        note(format!("taken from `{}`", chosen.shown));
        if let Some(second) = candidates.get(1) {
            note(chosen_among(candidates, second));
        }
        for text in take_sources(&chosen.path, &target)? {
            note(text);
        }
        stand_in_for_missing(
            &target,
            "the submission's task folder has no such file, nor a Python one",
        )?;
        for text in take_manifest(&chosen.path, &target, allowed)? {
            note(text);
        }
    }
    Ok(Laid {
        workspace,
        notes,
        tasks_found: found.keys().copied().collect(),
        _dir: dir,
    })
}

/// The submission checked and, when it is a zip, unpacked into a fresh
/// temporary folder: that folder, where the submission's files now are,
/// and how to name it in a note (`the zip`).
fn open(submission: &Path, limits: &Limits) -> Result<(TempDir, PathBuf, String), SubmissionError> {
    if fs::symlink_metadata(submission).is_err() {
        return Err(SubmissionError::Missing(submission.to_path_buf()));
    }
    let meta = archive::check_root(submission)?;
    let dir = tempfile::Builder::new()
        .prefix("grader-submission-")
        .tempdir()?;
    let source = if meta.is_dir() {
        archive::check_folder(submission, limits)?;
        submission.to_path_buf()
    } else if is_zip(submission) {
        let unpacked = dir.path().join("unpacked");
        archive::unzip(submission, &unpacked, limits)?;
        unpacked
    } else {
        return Err(SubmissionError::Rejected {
            rule: format!("{} is neither a folder nor a .zip", submission.display()),
        });
    };
    // A folder (Gradescope's /autograder/submission) or a zip that holds
    // one zip and nothing else is that zip: the student zipped their zip,
    // or handed in a zip the LMS kept as it is.
    let (source, what) = match lone_zip(&source) {
        Some(zip) => {
            let inner = dir.path().join("inner");
            archive::unzip(&zip, &inner, limits)?;
            let name = zip.file_name().unwrap_or_default().to_string_lossy();
            (inner, format!("the zip `{}`", show::inert(&name)))
        }
        None if meta.is_dir() => (source, "the submission".to_string()),
        None => (source, "the zip".to_string()),
    };
    Ok((dir, source, what))
}

/// A source file: its path as laid in the task (`src/bin/server.rs`), and
/// its text.
pub type SourceFile = (String, String);

/// The sources of each task `submission` has a folder for, as [`lay`]
/// would lay them (`src/bin/server.rs`, `src/lib.rs`, …), read under the
/// same rules: for code similarity, which reads what was graded.
pub fn task_sources(
    submission: &Path,
    tasks: &[Task],
    limits: &Limits,
) -> Result<Vec<(u8, Vec<SourceFile>)>, SubmissionError> {
    let (_dir, source, _) = open(submission, limits)?;
    let mut sources = Vec::new();
    for (number, candidates) in find_task_folders(&source, tasks) {
        sources.push((number, read_sources(&candidates[0].path)?));
    }
    Ok(sources)
}

/// The one `.zip` at the top of `dir` when it holds nothing else (names
/// no task lives in, `.DS_Store` or `__MACOSX`, aside).
fn lone_zip(dir: &Path) -> Option<PathBuf> {
    let mut inside = fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| !archive::ignored(&e.file_name().to_string_lossy()));
    let only = inside.next()?;
    let is_file = only.file_type().is_ok_and(|t| t.is_file());
    (inside.next().is_none() && is_file && is_zip(&only.path())).then(|| only.path())
}

/// What `source` holds at its top, for a student told nothing was found:
/// `the zip holds only `lab.rar``, `the submission is empty`.
fn holds(source: &Path, what: &str) -> String {
    let mut names: Vec<String> = fs::read_dir(source)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !archive::ignored(n))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let shown: Vec<String> = names
        .iter()
        .take(5)
        .map(|n| format!("`{}`", show::inert(n)))
        .collect();
    let more = names.len().saturating_sub(shown.len());
    let listed = shown.join(", ");
    match (names.len(), more) {
        (0, _) => format!("{what} is empty"),
        (1, _) => format!("{what} holds only {listed}"),
        (_, 0) => format!("{what} holds {listed}"),
        _ => format!("{what} holds {listed} and {more} more"),
    }
}

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::archive::write_zip;

    #[test]
    fn a_submission_with_no_task_folder_has_no_tasks() {
        let (_dir, laid) = lay_folder(&[("notes.txt", "hi"), ("src/main.rs", "fn main() {}")]);
        assert!(
            matches!(laid, Err(SubmissionError::NoTasks { .. })),
            "{:?}",
            laid.err()
        );
        let (_dir, laid) = lay_folder(&[]);
        let err = laid.err().expect("an empty submission is refused");
        assert_eq!(
            err.to_string(),
            "no task folders found: the submission is empty"
        );
    }

    #[test]
    fn a_link_anywhere_rejects_the_whole_submission() {
        let dir = tempfile::tempdir().unwrap();
        let edition = tiny_edition(dir.path());
        let submission = dir.path().join("ana");
        write_files(
            &submission,
            &[("task03/server.rs", "s"), ("task01/server.rs", "s")],
        );
        std::os::unix::fs::symlink(&edition, submission.join("task03/src")).unwrap();
        let tasks = crate::tasks::all();
        let err = lay(
            &submission,
            &edition,
            &tasks,
            &allowed(),
            &Limits::default(),
        )
        .err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some(format!(
                "rejected: symbolic link at task03/src -> {}; submissions may not contain links",
                edition.display()
            ))
        );
        // The same in a zip.
        let zip = dir.path().join("ana.zip");
        let mut writer = zip::ZipWriter::new(fs::File::create(&zip).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file("task01/server.rs", options).unwrap();
        writer.add_symlink("task03/src", "/etc", options).unwrap();
        writer.finish().unwrap();
        let err = lay(&zip, &edition, &tasks, &allowed(), &Limits::default()).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some(
                "rejected: symbolic link at task03/src -> /etc; submissions may not contain links"
                    .into()
            )
        );
    }

    #[test]
    fn a_zip_breaking_a_rule_is_rejected_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let edition = tiny_edition(dir.path());
        let zip = dir.path().join("ana.zip");
        write_zip(&zip, &[("task01/server.rs", b"s"), ("../../etc/x", b"x")]);
        let limits = Limits {
            entries: 3,
            ..Limits::default()
        };
        let err = lay(&zip, &edition, &crate::tasks::all(), &allowed(), &limits).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("rejected: entry ../../etc/x escapes the submission".into())
        );
        let many: Vec<(String, &[u8])> = (0..4)
            .map(|i| (format!("task01/{i}.rs"), &b"x"[..]))
            .collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        write_zip(&zip, &many);
        let err = lay(&zip, &edition, &crate::tasks::all(), &allowed(), &limits).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("rejected: the zip has more than 3 entries".into())
        );
    }
}
