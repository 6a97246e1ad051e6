//! A student's submission, laid into a fresh copy of the instructor's
//! workspace.
//!
//! Only each task's sources are taken from the submission: its `src/` folder
//! (or `server.rs` / `client.rs` lying loose in the task folder), and its
//! `Cargo.toml` dependencies when every one of them is on the instructor's
//! allow-list. The grader, the tests and the workspace manifest always come
//! from the instructor, so a submission that edits them gains nothing.
//! Task folders are found by the names students use: `task03_echo`,
//! `Task03`, `task3`, `task-3`, `Task 3`.

use crate::tasks::Task;
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
    #[error("could not read the zip {path}: {reason}")]
    Zip { path: PathBuf, reason: String },
    #[error("could not prepare the submission")]
    Io(#[from] io::Error),
}

/// A submission laid into its own copy of the instructor's workspace. The
/// copy is deleted when this is dropped.
pub struct Laid {
    /// The copy, ready to build.
    pub workspace: PathBuf,
    /// What was found and used, for the report.
    pub notes: Vec<String>,
    _dir: TempDir,
}

/// Lays `submission` (a folder or a `.zip`) into a copy of `instructor`.
pub fn lay(
    submission: &Path,
    instructor: &Path,
    tasks: &[Task],
    allowed: &BTreeSet<String>,
) -> Result<Laid, SubmissionError> {
    if !submission.exists() {
        return Err(SubmissionError::Missing(submission.to_path_buf()));
    }
    let dir = tempfile::Builder::new()
        .prefix("grader-submission-")
        .tempdir()?;
    let source = if is_zip(submission) {
        let unpacked = dir.path().join("unpacked");
        unzip(submission, &unpacked)?;
        unpacked
    } else {
        submission.to_path_buf()
    };
    let workspace = dir.path().join("workspace");
    copy_tree(instructor, &workspace, &|name| {
        name != "target" && !name.starts_with('.')
    })?;

    let mut notes = Vec::new();
    let found = find_task_folders(&source, tasks);
    for task in tasks {
        let Some(folder) = found
            .iter()
            .find(|(number, _)| *number == task.number)
            .map(|(_, f)| f)
        else {
            notes.push(format!(
                "{}: no folder for this task in the submission",
                task.package
            ));
            // The instructor's solution must not be graded in its place.
            let target = workspace.join(task.package);
            clear_sources(&target)?;
            stand_in_for_missing(&target, "the submission has no folder for this task")?;
            continue;
        };
        let shown = folder
            .strip_prefix(&source)
            .unwrap_or(folder)
            .display()
            .to_string();
        notes.push(format!("{}: taken from `{shown}`", task.package));
        let target = workspace.join(task.package);
        take_sources(folder, &target)?;
        stand_in_for_missing(&target, "the submission's task folder has no such file")?;
        if let Some(note) = take_dependencies(folder, &target, allowed)? {
            notes.push(format!("{}: {note}", task.package));
        }
    }
    Ok(Laid {
        workspace,
        notes,
        _dir: dir,
    })
}

fn is_zip(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn unzip(path: &Path, to: &Path) -> Result<(), SubmissionError> {
    let zip_error = |reason: String| SubmissionError::Zip {
        path: path.to_path_buf(),
        reason,
    };
    let file = fs::File::open(path)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| zip_error(e.to_string()))?;
    // `extract` refuses entries that would land outside `to`.
    archive.extract(to).map_err(|e| zip_error(e.to_string()))
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

/// Task folders at the top of `root`, or one level down (a zip often holds
/// one folder named after the student).
fn find_task_folders(root: &Path, tasks: &[Task]) -> Vec<(u8, PathBuf)> {
    let mut found = Vec::new();
    let mut levels = vec![root.to_path_buf()];
    for _ in 0..2 {
        let mut next = Vec::new();
        for dir in &levels {
            for entry in sorted_entries(dir) {
                let Ok(meta) = fs::symlink_metadata(&entry) else {
                    continue;
                };
                if !meta.is_dir() {
                    continue;
                }
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                match task_number(&name) {
                    Some(n)
                        if tasks.iter().any(|t| t.number == n)
                            && !found.iter().any(|(m, _)| *m == n) =>
                    {
                        found.push((n, entry));
                    }
                    _ => next.push(entry),
                }
            }
        }
        if !found.is_empty() {
            break;
        }
        levels = next;
    }
    found
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

/// Replaces the copy's `src/` with the submission's sources.
fn take_sources(folder: &Path, task: &Path) -> io::Result<()> {
    clear_sources(task)?;
    let src = task.join("src");
    if folder.join("src").is_dir() {
        return copy_tree(&folder.join("src"), &src, &|_| true);
    }
    // Loose files: `server.rs` and `client.rs` are the binaries, `lib.rs`
    // the library.
    fs::create_dir_all(src.join("bin"))?;
    for entry in sorted_entries(folder) {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_file = fs::symlink_metadata(&entry).is_ok_and(|m| m.is_file());
        match name.as_str() {
            "server.rs" | "client.rs" if is_file => {
                fs::copy(&entry, src.join("bin").join(&name))?;
            }
            "lib.rs" if is_file => {
                fs::copy(&entry, src.join("lib.rs"))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Takes the submission's dependencies when all are allowed; says what it
/// did when there is anything to say.
fn take_dependencies(
    folder: &Path,
    task: &Path,
    allowed: &BTreeSet<String>,
) -> io::Result<Option<String>> {
    let Ok(theirs) = fs::read_to_string(folder.join("Cargo.toml")) else {
        return Ok(None);
    };
    let Ok(theirs) = theirs.parse::<toml_edit::DocumentMut>() else {
        return Ok(Some(
            "its Cargo.toml does not parse; the instructor's is used".into(),
        ));
    };
    let Some(deps) = theirs.get("dependencies").and_then(|d| d.as_table_like()) else {
        return Ok(None);
    };
    let refused: Vec<&str> = deps
        .iter()
        .map(|(name, _)| name)
        .filter(|name| !allowed.contains(*name))
        .collect();
    if !refused.is_empty() {
        return Ok(Some(format!(
            "dependencies not allowed ({}); the instructor's Cargo.toml is used",
            refused.join(", ")
        )));
    }
    let manifest = task.join("Cargo.toml");
    let mut ours: toml_edit::DocumentMut = fs::read_to_string(&manifest)?.parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", manifest.display()),
        )
    })?;
    let mut added = Vec::new();
    for (name, spec) in deps.iter() {
        let Some(spec) = spec_only_from_registry(spec) else {
            return Ok(Some(format!(
                "dependency `{name}` is not a plain crates.io version; the instructor's Cargo.toml is used"
            )));
        };
        if ours["dependencies"].get(name).is_none() {
            added.push(name.to_string());
        }
        ours["dependencies"][name] = spec;
    }
    fs::write(&manifest, ours.to_string())?;
    Ok((!added.is_empty()).then(|| format!("added dependencies: {}", added.join(", "))))
}

/// A dependency spec with nothing but a version and features: no path, git
/// or registry of the student's choosing.
fn spec_only_from_registry(spec: &toml_edit::Item) -> Option<toml_edit::Item> {
    if spec.is_str() {
        return Some(spec.clone());
    }
    let table = spec.as_table_like()?;
    let plain = table.iter().all(|(key, _)| {
        matches!(
            key,
            "version" | "features" | "default-features" | "workspace"
        )
    });
    plain.then(|| spec.clone())
}

/// Copies `from` to `to`, skipping symbolic links and names `keep` refuses.
fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&str) -> bool) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if !keep(&name.to_string_lossy()) {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(&name), keep)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_students_use_are_recognised() {
        for name in [
            "task03_echo",
            "Task03",
            "task3",
            "TASK-3",
            "Task 3",
            "task_03",
        ] {
            assert_eq!(task_number(name), Some(3), "{name}");
        }
        for name in ["tasks", "task", "task3b", "mytask3", "notes"] {
            assert_eq!(task_number(name), None, "{name}");
        }
    }
}
