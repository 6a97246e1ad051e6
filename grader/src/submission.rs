//! A student's submission, laid onto a fresh copy of the student edition.
//!
//! [`edition`] writes the student edition of the instructor's workspace
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
//!   the tasks graded: `no task files found`.
//! - [`SubmissionError::Missing`] and [`SubmissionError::Zip`]: nothing at
//!   the path, or a zip that does not read.
//! - [`SubmissionError::NoEdition`], [`SubmissionError::Edition`] and
//!   [`SubmissionError::Io`]: the grader's side failed, not the student's.

pub use crate::archive::Limits;

use crate::archive::{self, ignored, shown};
use crate::starter::{self, StarterError};
use crate::tasks::Task;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::hash::{Hash, Hasher};
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
    /// No folder in the submission is named after a task being graded.
    #[error("no task files found")]
    NoTasks,
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

/// Marks a cached edition as written in full; it is written last.
const COMPLETE: &str = ".grader-edition-complete";

/// Why a task that was not handed in does not build: the compiler error
/// its stand-in gives, and how a batch tells it from a real build failure.
pub const NO_FOLDER: &str = "the submission has no folder for this task";

/// Where the submissions of one instructor's workspace are built: the
/// cache of its student editions, and the folder their builds share.
pub struct Places {
    pub editions: PathBuf,
    /// `--target-dir`, else `grader-submissions` in the workspace's target
    /// folder: the seeds of dependencies and the index of builds.
    pub shared: PathBuf,
}

impl Places {
    pub fn of(instructor: &crate::cargo::Workspace, target_dir: Option<&Path>) -> Places {
        Places {
            editions: instructor.target_dir().join("grader-edition"),
            shared: target_dir
                .map(Path::to_path_buf)
                .unwrap_or_else(|| instructor.target_dir().join("grader-submissions")),
        }
    }

    pub fn seeds(&self) -> PathBuf {
        self.shared.join("seeds")
    }
}

/// The student edition of the workspace `instructor`, written into
/// `cache/edition-<hash>` unless it is there already. The hash is of the
/// files the edition is made from, so an edited workspace gets a new one.
/// The edition is written into a temporary folder beside it and renamed
/// into place, so graders running side by side never see half of one.
pub fn edition(instructor: &Path, cache: &Path) -> Result<PathBuf, SubmissionError> {
    let mut hasher = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    for relative in starter::shipped(instructor)? {
        relative.hash(&mut hasher);
        fs::read(instructor.join(&relative))?.hash(&mut hasher);
    }
    let name = format!("edition-{:016x}", hasher.finish());
    let path = cache.join(&name);
    let complete = |path: &Path| path.join(COMPLETE).is_file();
    if complete(&path) {
        return Ok(path);
    }
    fs::create_dir_all(cache)?;
    let temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}-"))
        .tempdir_in(cache)?;
    starter::write_edition(instructor, temporary.path(), false).map_err(|source| {
        SubmissionError::Edition {
            instructor: instructor.to_path_buf(),
            source,
        }
    })?;
    // The edition has no dev-dependencies: its lock file loses them now,
    // so that no build of a submission laid on it writes one of its own.
    // Where that can't be done (no lock file, a workspace without tasks),
    // the first build trims it instead.
    if temporary.path().join("Cargo.lock").is_file() {
        let _ = crate::cargo::trim_lockfile(temporary.path());
    }
    fs::write(temporary.path().join(COMPLETE), "")?;
    // A folder of that name without the mark was not written by a grader
    // (they rename whole editions into place): it goes.
    if path.exists() && !complete(&path) {
        let _ = fs::remove_dir_all(&path);
    }
    match fs::rename(temporary.path(), &path) {
        Ok(()) => {
            let _ = temporary.keep();
            Ok(path)
        }
        // Another grader renamed its copy into place first.
        Err(_) if complete(&path) => Ok(path),
        Err(e) => Err(e.into()),
    }
}

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
    if fs::symlink_metadata(submission).is_err() {
        return Err(SubmissionError::Missing(submission.to_path_buf()));
    }
    let meta = archive::check_root(submission)?;
    if !edition.join("Cargo.toml").is_file() {
        return Err(SubmissionError::NoEdition(edition.to_path_buf()));
    }
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
    let found = find_task_folders(&source, tasks);
    if found.is_empty() {
        return Err(SubmissionError::NoTasks);
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
        stand_in_for_missing(&target, "the submission's task folder has no such file")?;
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

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// The task number a folder name stands for: `task03_echo`, `Task03`,
/// `task3`, `task-3` and `Task 3` all mean 3.
pub fn task_number(name: &str) -> Option<u8> {
    let name = name.to_ascii_lowercase();
    let rest = name
        .strip_prefix("task")?
        .trim_start_matches([' ', '-', '_']);
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let after = &rest[digits.len()..];
    if digits.is_empty() || after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    digits.parse().ok()
}

/// How deep task folders are looked for: `ana/lab/handin/Task03` is found.
const DEPTH: usize = 4;

/// A folder that looks like a task's.
#[derive(Debug)]
struct Candidate {
    path: PathBuf,
    /// Its path below the submission, as notes show it.
    shown: String,
    depth: usize,
    has_sources: bool,
}

/// The folders that look like each task's, the one to use first.
fn find_task_folders(root: &Path, tasks: &[Task]) -> BTreeMap<u8, Vec<Candidate>> {
    let mut found: BTreeMap<u8, Vec<Candidate>> = BTreeMap::new();
    let mut level = vec![root.to_path_buf()];
    for depth in 1..=DEPTH {
        let mut next = Vec::new();
        for dir in &level {
            for entry in sorted_entries(dir) {
                let is_dir = fs::symlink_metadata(&entry).is_ok_and(|m| m.is_dir());
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !is_dir || ignored(&name) {
                    continue;
                }
                if let Some(n) = task_number(&name).filter(|n| tasks.iter().any(|t| t.number == *n))
                {
                    found.entry(n).or_default().push(Candidate {
                        shown: shown(root, &entry),
                        has_sources: has_sources(&entry),
                        path: entry.clone(),
                        depth,
                    });
                }
                next.push(entry);
            }
        }
        level = next;
    }
    for candidates in found.values_mut() {
        candidates.sort_by(|a, b| {
            (!a.has_sources, a.depth, &a.shown).cmp(&(!b.has_sources, b.depth, &b.shown))
        });
    }
    found
}

/// Whether a task folder holds anything the grader would take.
fn has_sources(folder: &Path) -> bool {
    let is = |name: &str, dir: bool| {
        fs::symlink_metadata(folder.join(name)).is_ok_and(|m| {
            if dir {
                m.is_dir()
            } else {
                m.is_file()
            }
        })
    };
    is("src", true)
        || ["server.rs", "client.rs", "lib.rs"]
            .iter()
            .any(|n| is(n, false))
}

/// The note when several folders claim a task: which is used, and why.
fn chosen_among(candidates: &[Candidate], second: &Candidate) -> String {
    let chosen = &candidates[0];
    let all: Vec<String> = candidates
        .iter()
        .map(|c| format!("`{}`", c.shown))
        .collect();
    let why = if chosen.has_sources != second.has_sources {
        "the others hold no sources"
    } else if chosen.depth != second.depth {
        "it is the shallowest"
    } else {
        "it comes first by name"
    };
    format!(
        "{} all look like this task; `{}` is used: {why}",
        all.join(", "),
        chosen.shown
    )
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

/// Empties a task's `src/` in the copy, leaving a crate that does not build.
fn clear_sources(task: &Path) -> io::Result<()> {
    let src = task.join("src");
    if src.exists() {
        fs::remove_dir_all(&src)?;
    }
    Ok(())
}

/// Puts a file that fails to compile, saying `why`, where a binary's
/// source is missing: that task does not build, with a clear error, and
/// the workspace's other tasks still do.
fn stand_in_for_missing(task: &Path, why: &str) -> io::Result<()> {
    for name in ["server.rs", "client.rs"] {
        let file = task.join("src").join("bin").join(name);
        if !file.exists() {
            fs::create_dir_all(task.join("src").join("bin"))?;
            fs::write(
                &file,
                format!("compile_error!(\"{name} is missing: {why}\");\n"),
            )?;
        }
    }
    Ok(())
}

/// Lays the sources of the task folder `folder` over the edition's task
/// `task`; returns notes on what of the edition was kept.
fn take_sources(folder: &Path, task: &Path) -> io::Result<Vec<String>> {
    let src = task.join("src");
    let lib = src.join("lib.rs");
    let handed_out_lib = fs::read(&lib).ok();
    let theirs = folder.join("src");
    let whole_src = fs::symlink_metadata(&theirs).is_ok_and(|m| m.is_dir());
    if whole_src {
        clear_sources(task)?;
        copy_tree(&theirs, &src)?;
    } else {
        // Loose files: `server.rs` and `client.rs` are the binaries, `lib.rs`
        // the library. The edition's binaries are starter code: they go.
        let bin = src.join("bin");
        if bin.exists() {
            fs::remove_dir_all(&bin)?;
        }
        fs::create_dir_all(&bin)?;
        for (name, to) in [
            ("server.rs", bin.join("server.rs")),
            ("client.rs", bin.join("client.rs")),
            ("lib.rs", lib.clone()),
        ] {
            let from = folder.join(name);
            if fs::symlink_metadata(&from).is_ok_and(|m| m.is_file()) {
                fs::copy(&from, &to)?;
            }
        }
    }
    let mut notes = Vec::new();
    if let Some(handed_out) = handed_out_lib {
        let (theirs_lib, what) = if whole_src {
            (theirs.join("lib.rs"), "its src/")
        } else {
            (folder.join("lib.rs"), "the folder")
        };
        if !fs::symlink_metadata(&theirs_lib).is_ok_and(|m| m.is_file()) {
            if !lib.exists() {
                fs::write(&lib, handed_out)?;
            }
            notes.push(format!("{what} has no lib.rs; the handed-out one is used"));
        }
    }
    Ok(notes)
}

/// Why build-time code is refused.
const RUNS_CODE: &str = "submissions may not run code while building";

/// Takes the dependencies of the task folder's `Cargo.toml` into the
/// edition's when nothing in it is refused; returns what it did and what it
/// refused.
fn take_manifest(
    folder: &Path,
    task: &Path,
    allowed: &BTreeSet<String>,
) -> io::Result<Vec<String>> {
    let mut notes = Vec::new();
    // It is never copied, so it never runs; the note says why.
    if fs::symlink_metadata(folder.join("build.rs")).is_ok() {
        notes.push(format!("build.rs is not used: {RUNS_CODE}"));
    }
    let Ok(text) = fs::read_to_string(folder.join("Cargo.toml")) else {
        return Ok(notes);
    };
    let Ok(theirs) = text.parse::<toml_edit::DocumentMut>() else {
        notes.push("its Cargo.toml does not parse; the handed-out one is used".into());
        return Ok(notes);
    };
    let refused = refusals(&theirs, allowed);
    if !refused.is_empty() {
        notes.extend(refused);
        notes.push("the handed-out Cargo.toml is used".into());
        return Ok(notes);
    }
    let Some(deps) = theirs.get("dependencies").and_then(|d| d.as_table_like()) else {
        return Ok(notes);
    };
    let manifest = task.join("Cargo.toml");
    let mut ours: toml_edit::DocumentMut = fs::read_to_string(&manifest)?.parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", manifest.display()),
        )
    })?;
    let mut added = Vec::new();
    for (name, spec) in deps.iter() {
        if ours["dependencies"].get(name).is_none() {
            added.push(name.to_string());
        }
        ours["dependencies"][name] = spec.clone();
    }
    fs::write(&manifest, ours.to_string())?;
    if !added.is_empty() {
        notes.push(format!("added dependencies: {}", added.join(", ")));
    }
    Ok(notes)
}

/// What of a submitted manifest cannot be used, each with its reason.
fn refusals(theirs: &toml_edit::DocumentMut, allowed: &BTreeSet<String>) -> Vec<String> {
    let mut refused = Vec::new();
    let build = theirs.get("package").and_then(|p| p.get("build"));
    if let Some(build) = build.filter(|b| b.as_bool() != Some(false)) {
        let value = build
            .as_value()
            .map_or(String::new(), |v| v.to_string().trim().to_string());
        refused.push(format!(
            "`build = {value}` in its Cargo.toml is not used: {RUNS_CODE}"
        ));
    }
    let lib = theirs.get("lib");
    for key in ["proc-macro", "proc_macro"] {
        if lib.and_then(|l| l.get(key)).and_then(|v| v.as_bool()) == Some(true) {
            refused.push(format!(
                "`{key} = true` in its Cargo.toml is not used: {RUNS_CODE}"
            ));
        }
    }
    if theirs.contains_key("build-dependencies") {
        refused.push(format!(
            "[build-dependencies] in its Cargo.toml are not used: {RUNS_CODE}"
        ));
    }
    for table in ["patch", "replace"] {
        if theirs.contains_key(table) {
            refused.push(format!(
                "[{table}] in its Cargo.toml is not used: submissions may not replace crates"
            ));
        }
    }
    let platform_deps = theirs
        .get("target")
        .and_then(|t| t.as_table_like())
        .is_some_and(|targets| {
            targets.iter().any(|(_, platform)| {
                ["dependencies", "build-dependencies"]
                    .iter()
                    .any(|key| platform.get(key).is_some())
            })
        });
    if platform_deps {
        refused.push(
            "[target.…] dependencies in its Cargo.toml are not used: submissions may add only [dependencies]"
                .into(),
        );
    }
    let deps = theirs.get("dependencies").and_then(|d| d.as_table_like());
    for (name, spec) in deps.into_iter().flat_map(|d| d.iter()) {
        if !allowed.contains(name) {
            let list: Vec<&str> = allowed.iter().map(String::as_str).collect();
            refused.push(format!(
                "dependency `{name}` is not used: it is not on the allow-list ({})",
                list.join(", ")
            ));
        } else if let Some(source) = source_of(spec) {
            refused.push(format!(
                "dependency `{name}` is not used: it names a `{source}`; submissions may depend only on crates.io versions"
            ));
        } else if !plain(spec) {
            refused.push(format!(
                "dependency `{name}` is not used: only `version`, `features`, `default-features` and `workspace` may be given"
            ));
        }
    }
    refused
}

/// Where a dependency spec says its crate comes from, when not crates.io.
fn source_of(spec: &toml_edit::Item) -> Option<&'static str> {
    let table = spec.as_table_like()?;
    ["path", "git", "registry", "registry-index"]
        .into_iter()
        .find(|key| table.contains_key(key))
}

/// A dependency spec with nothing but a version and features.
fn plain(spec: &toml_edit::Item) -> bool {
    if spec.is_str() {
        return true;
    }
    spec.as_table_like().is_some_and(|table| {
        table.iter().all(|(key, _)| {
            matches!(
                key,
                "version" | "features" | "default-features" | "workspace"
            )
        })
    })
}

/// Copies `from` to `to` byte for byte, leaving out links and the folders
/// no task lives in ([`ignored`]); a submission's were checked with the
/// same rule.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let kind = entry.file_type()?;
        if kind.is_dir() && !ignored(&name.to_string_lossy()) {
            copy_tree(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::write_zip;

    #[test]
    fn folder_names_students_use_are_recognised() {
        for name in [
            "task03_echo",
            "Task03",
            "task3",
            "TASK-3",
            "Task 3",
            "task_03",
            "task-03",
        ] {
            assert_eq!(task_number(name), Some(3), "{name}");
        }
        assert_eq!(task_number("task1"), Some(1));
        assert_eq!(task_number("task-02"), Some(2));
        for name in ["tasks", "task", "task3b", "mytask3", "notes"] {
            assert_eq!(task_number(name), None, "{name}");
        }
    }

    /// A small student edition: each task a crate whose binaries are
    /// `todo!()` stubs and whose lib.rs is the handed-out one.
    fn tiny_edition(at: &Path) -> PathBuf {
        let edition = at.join("edition");
        fs::create_dir_all(&edition).unwrap();
        fs::write(edition.join("Cargo.toml"), "[workspace]\n").unwrap();
        for task in crate::tasks::all() {
            let dir = edition.join(task.package);
            fs::create_dir_all(dir.join("src/bin")).unwrap();
            fs::write(
                dir.join("Cargo.toml"),
                format!(
                    "[package]\nname = \"{}\"\n\n[dependencies]\nclap = \"4\"\n",
                    task.package
                ),
            )
            .unwrap();
            fs::write(dir.join("src/lib.rs"), "// handed out\n").unwrap();
            for bin in ["server.rs", "client.rs"] {
                fs::write(dir.join("src/bin").join(bin), "fn main() { todo!() }\n").unwrap();
            }
        }
        edition
    }

    fn allowed() -> BTreeSet<String> {
        DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect()
    }

    /// Writes `files` (path, contents) under `root`.
    fn write_files(root: &Path, files: &[(&str, &str)]) {
        for (path, contents) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, contents).unwrap();
        }
    }

    fn lay_folder(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Laid, SubmissionError>) {
        let dir = tempfile::tempdir().unwrap();
        let edition = tiny_edition(dir.path());
        let submission = dir.path().join("ana");
        fs::create_dir_all(&submission).unwrap();
        write_files(&submission, files);
        let laid = lay(
            &submission,
            &edition,
            &crate::tasks::all(),
            &allowed(),
            &Limits::default(),
        );
        (dir, laid)
    }

    fn read(laid: &Laid, path: &str) -> String {
        fs::read_to_string(laid.workspace.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn task_folders_are_found_up_to_four_deep_and_macos_copies_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_files(
            root,
            &[
                // The resource-fork copy is as deep and sorts first.
                ("__MACOSX/Task01/server.rs", "junk"),
                ("ana/Task01/server.rs", "real"),
                (".hidden/task02/server.rs", "junk"),
                ("target/task02/server.rs", "junk"),
                ("a/b/c/task3/server.rs", "four deep"),
                ("a/b/c/d/task4/server.rs", "five deep"),
            ],
        );
        let found = find_task_folders(root, &crate::tasks::all());
        let shown: BTreeMap<u8, Vec<&str>> = found
            .iter()
            .map(|(n, c)| (*n, c.iter().map(|c| c.shown.as_str()).collect()))
            .collect();
        assert_eq!(
            shown,
            BTreeMap::from([(1, vec!["ana/Task01"]), (3, vec!["a/b/c/task3"])])
        );
    }

    #[test]
    fn of_two_folders_for_a_task_the_shallowest_is_used_with_a_note() {
        let (_dir, laid) = lay_folder(&[
            ("old/task3/server.rs", "old"),
            ("task-03/server.rs", "new"),
            // A folder named after the task, holding the crate: the
            // crate is used, it has the sources.
            ("Task 1/task01_connect/src/bin/server.rs", "inner"),
        ]);
        let laid = laid.unwrap();
        assert_eq!(read(&laid, "task03_echo/src/bin/server.rs"), "new");
        assert_eq!(read(&laid, "task01_connect/src/bin/server.rs"), "inner");
        assert!(laid.notes.contains(
            &"task03_echo: `task-03`, `old/task3` all look like this task; `task-03` is used: it is the shallowest".to_string()
        ), "{:#?}", laid.notes);
        assert!(laid.notes.contains(
            &"task01_connect: `Task 1/task01_connect`, `Task 1` all look like this task; `Task 1/task01_connect` is used: the others hold no sources".to_string()
        ), "{:#?}", laid.notes);
        assert_eq!(laid.tasks_found, [1, 3]);
    }

    #[test]
    fn loose_files_keep_the_handed_out_lib_and_manifest() {
        let crlf = "use task01_connect::address;\r\nfn main() {}\r\n";
        let (_dir, laid) = lay_folder(&[("Task01/server.rs", crlf), ("Task01/client.rs", "c")]);
        let laid = laid.unwrap();
        assert_eq!(read(&laid, "task01_connect/src/lib.rs"), "// handed out\n");
        assert_eq!(read(&laid, "task01_connect/src/bin/server.rs"), crlf);
        assert_eq!(read(&laid, "task01_connect/src/bin/client.rs"), "c");
        assert!(read(&laid, "task01_connect/Cargo.toml").contains("name = \"task01_connect\""));
        assert!(laid.notes.contains(
            &"task01_connect: the folder has no lib.rs; the handed-out one is used".into()
        ));
    }

    #[test]
    fn a_src_without_lib_keeps_the_handed_out_lib_and_missing_binaries_stand_in() {
        let (_dir, laid) = lay_folder(&[
            ("task02/src/bin/server.rs", "s"),
            ("task3/lib.rs", "// theirs\n"),
        ]);
        let laid = laid.unwrap();
        assert_eq!(read(&laid, "task02_greeting/src/lib.rs"), "// handed out\n");
        assert_eq!(read(&laid, "task02_greeting/src/bin/server.rs"), "s");
        let client = read(&laid, "task02_greeting/src/bin/client.rs");
        assert_eq!(
            client,
            "compile_error!(\"client.rs is missing: the submission's task folder has no such file\");\n"
        );
        assert_eq!(read(&laid, "task03_echo/src/lib.rs"), "// theirs\n");
        assert!(read(&laid, "task03_echo/src/bin/server.rs").starts_with("compile_error!"));
        // A task with no folder: neither the starter code nor a library.
        assert_eq!(
            read(&laid, "task04_multithreaded/src/bin/server.rs"),
            "compile_error!(\"server.rs is missing: the submission has no folder for this task\");\n"
        );
        assert!(!laid
            .workspace
            .join("task04_multithreaded/src/lib.rs")
            .exists());
        assert_eq!(laid.tasks_found, [2, 3]);
    }

    #[test]
    fn build_time_code_is_refused_with_a_note() {
        let (_dir, laid) = lay_folder(&[
            ("task03_echo/src/bin/server.rs", "s"),
            ("task03_echo/build.rs", "fn main() {}"),
            (
                "task03_echo/Cargo.toml",
                "[package]\nname = \"x\"\nbuild = \"gen.rs\"\n\n[lib]\nproc-macro = true\n\n\
                 [dependencies]\nclap = { path = \"../../evil\" }\nsocket2 = \"0.6\"\n\n\
                 [patch.crates-io]\nclap = { path = \"evil\" }\n",
            ),
            ("task01/server.rs", "s"),
            (
                "task01/Cargo.toml",
                "[package]\nname = \"x\"\n\n[dependencies]\nsocket2 = \"0.6\"\n\n\
                 [dev-dependencies]\ngrader = { path = \"../grader\" }\n",
            ),
        ]);
        let laid = laid.unwrap();
        let notes = laid.notes.join("\n");
        for wanted in [
            "task03_echo: build.rs is not used: submissions may not run code while building",
            "task03_echo: `build = \"gen.rs\"` in its Cargo.toml is not used: submissions may not run code while building",
            "task03_echo: `proc-macro = true` in its Cargo.toml is not used: submissions may not run code while building",
            "task03_echo: dependency `clap` is not used: it names a `path`; submissions may depend only on crates.io versions",
            "task03_echo: [patch] in its Cargo.toml is not used: submissions may not replace crates",
            "task03_echo: the handed-out Cargo.toml is used",
            // Plain and allowed: taken; dev-dependencies build nothing graded.
            "task01_connect: added dependencies: socket2",
        ] {
            assert!(notes.contains(wanted), "no {wanted:?} in\n{notes}");
        }
        let manifest = read(&laid, "task03_echo/Cargo.toml");
        assert!(
            !manifest.contains("evil") && !manifest.contains("build"),
            "{manifest}"
        );
        assert!(!laid.workspace.join("task03_echo/build.rs").exists());
        assert!(read(&laid, "task01_connect/Cargo.toml").contains("socket2 = \"0.6\""));
    }

    #[test]
    fn a_dependency_not_allowed_or_not_plain_is_refused() {
        let (_dir, laid) = lay_folder(&[
            ("task01/server.rs", "s"),
            (
                "task01/Cargo.toml",
                "[dependencies]\ntokio = \"1\"\nclap = { version = \"4\", package = \"evil\" }\n",
            ),
        ]);
        let notes = laid.unwrap().notes.join("\n");
        for wanted in [
            "task01_connect: dependency `tokio` is not used: it is not on the allow-list (clap, socket2)",
            "task01_connect: dependency `clap` is not used: only `version`, `features`, `default-features` and `workspace` may be given",
            "task01_connect: the handed-out Cargo.toml is used",
        ] {
            assert!(notes.contains(wanted), "no {wanted:?} in\n{notes}");
        }
    }

    #[test]
    fn a_submission_with_no_task_folder_has_no_tasks() {
        let (_dir, laid) = lay_folder(&[("notes.txt", "hi"), ("src/main.rs", "fn main() {}")]);
        assert!(
            matches!(laid, Err(SubmissionError::NoTasks)),
            "{:?}",
            laid.err()
        );
        let (_dir, laid) = lay_folder(&[]);
        let err = laid.err().expect("an empty submission is refused");
        assert_eq!(err.to_string(), "no task files found");
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

    #[test]
    fn the_edition_is_written_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let instructor = dir.path().join("instructor");
        write_files(
            &instructor,
            &[
                ("Cargo.toml", "[workspace]\nmembers = []\n"),
                (
                    "task01_connect/src/bin/server.rs",
                    "fn main() {\n    // BEGIN SOLUTION\n    // STARTER: todo!()\n    println!(\"secret\");\n    // END SOLUTION\n}\n",
                ),
                ("task01_connect/tests/t.rs", "secret"),
            ],
        );
        let cache = dir.path().join("cache");
        let first = edition(&instructor, &cache).unwrap();
        let server = fs::read_to_string(first.join("task01_connect/src/bin/server.rs")).unwrap();
        assert_eq!(server, "fn main() {\n    todo!()\n}\n");
        assert!(!first.join("task01_connect/tests").exists());
        // Reused: a file put there stays, and no second edition appears.
        fs::write(first.join("marker"), "").unwrap();
        assert_eq!(edition(&instructor, &cache).unwrap(), first);
        assert!(first.join("marker").exists());
        // An edited workspace gets an edition of its own.
        fs::write(instructor.join("README.md"), "new").unwrap();
        let second = edition(&instructor, &cache).unwrap();
        assert_ne!(second, first);
        assert!(second.join("README.md").is_file());
        let names: Vec<String> = fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "temporary folders were left: {names:?}");
    }
}
