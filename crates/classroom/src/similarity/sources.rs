//! What is compared, read from where it lives.
//!
//! - A batch keeps each student's task sources beside their report, as
//!   `students/<student>/sources.json` ([`keep_sources`]): read from the
//!   submission by the same rules and limits as grading lays it out, so
//!   `grader similarity` later compares what was graded, without the
//!   download.
//! - [`read_results`]: a finished batch's students, sources and reports;
//!   names from its `grades.csv`.
//! - [`reference`] and [`starter`]: the instructor's workspace's task
//!   sources, whole (a known source) and cut as the student edition is (the
//!   code no pair counts).
//! - [`read_known`]: a `--compare-with` folder: an earlier batch's results,
//!   one workspace or submission, or a folder of submissions.

use super::tokens::is_python;
use super::{File, SimilarityError, Source};
use crate::lms::folder_name;
use crate::report::Report;
use crate::submission::{task_number, task_sources, Limits};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The file a batch keeps a student's task sources in.
pub const SOURCES: &str = "sources.json";

type Tasks = BTreeMap<String, Vec<File>>;

/// The task sources of `submission`, by package; nothing when the
/// submission cannot be read (it was rejected, and its report says why).
fn read_submission(submission: &Path) -> Tasks {
    let tasks = crate::tasks::all();
    let Ok(found) = task_sources(submission, &tasks, &Limits::default()) else {
        return Tasks::new();
    };
    found
        .into_iter()
        .filter_map(|(number, files)| {
            let task = tasks.iter().find(|t| t.number == number)?;
            let files = files
                .into_iter()
                .map(|(path, text)| File { path, text })
                .collect();
            Some((task.package.to_string(), files))
        })
        .collect()
}

/// Keeps the task sources of `submission` in `folder` (a student's results
/// folder), as `sources.json`.
pub fn keep_sources(submission: &Path, folder: &Path) -> std::io::Result<()> {
    let tasks = read_submission(submission);
    let path = folder.join(SOURCES);
    let _ = fs::remove_file(&path);
    let json = serde_json::to_string(&tasks).map_err(std::io::Error::other)?;
    fs::write(path, json)
}

/// Each student of the results folder `results` with sources or a report:
/// their key and name (from `grades.csv`), sources and report.
pub fn read_results(results: &Path) -> Result<Vec<Source>, SimilarityError> {
    let students = results.join("students");
    let entries =
        fs::read_dir(&students).map_err(|_| SimilarityError::NotResults(results.into()))?;
    let names = names(&results.join("grades.csv"));
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    folders.sort();
    let mut sources = Vec::new();
    for folder in folders {
        let shown = folder
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let tasks: Tasks = read_json(&folder.join(SOURCES)).unwrap_or_default();
        let report: Option<Report> = read_json(&folder.join("report.json"));
        if tasks.is_empty() && report.is_none() {
            continue;
        }
        let (key, name) = names.get(&shown).cloned().unwrap_or((shown, String::new()));
        sources.push(Source {
            key,
            name,
            known: false,
            tasks,
            report,
        });
    }
    Ok(sources)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    // Not through a link: the folder is the batch's own.
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

/// From `grades.csv`: each student's folder name → (key, name).
fn names(grades: &Path) -> HashMap<String, (String, String)> {
    let Ok(mut reader) = ::csv::Reader::from_path(grades) else {
        return HashMap::new();
    };
    reader
        .records()
        .flatten()
        .filter_map(|row| {
            let key = row.get(0)?.to_string();
            let name = row.get(1).unwrap_or("").to_string();
            // grades.csv keeps a formula-like cell from acting as one.
            let key = key.strip_prefix('\'').map(String::from).unwrap_or(key);
            Some((folder_name(&key), (key, name)))
        })
        .collect()
}

/// The sources of each task of the workspace `root`, by package: its Rust
/// files under `src/`, and its Python files (a Python edition's
/// `server.py`), each passed through `cut`, which leaves a file out by
/// returning `None`.
fn workspace_tasks(
    root: &Path,
    cut: impl Fn(&str, &str) -> Result<Option<String>, crate::starter::StarterError>,
) -> Result<Tasks, SimilarityError> {
    let mut tasks = Tasks::new();
    for task in crate::tasks::all() {
        let folder = root.join(task.package);
        let mut files = Vec::new();
        collect(&folder.join("src"), "src", "rs", &mut files);
        collect_python(&folder, "", &mut files);
        let mut cut_files = Vec::new();
        for (path, text) in files {
            let shown = format!("{}/{path}", task.package);
            if let Some(text) = cut(&text, &shown)? {
                cut_files.push(File { text, path });
            }
        }
        if !cut_files.is_empty() {
            tasks.insert(task.package.to_string(), cut_files);
        }
    }
    Ok(tasks)
}

/// The files under `dir` whose name ends in `.{extension}`, in order, each
/// with its path as `shown` and the folders below.
fn collect(dir: &Path, shown: &str, extension: &str, into: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = match shown {
            "" => name.clone(),
            _ => format!("{shown}/{name}"),
        };
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect(&entry.path(), &path, extension, into),
            Ok(t) if t.is_file() && name.ends_with(&format!(".{extension}")) => {
                if let Ok(text) = fs::read_to_string(entry.path()) {
                    into.push((path, text));
                }
            }
            _ => {}
        }
    }
}

/// The Python files of the task folder `folder`: at its top, and in its
/// folders but those of Rust, tests and caches.
fn collect_python(folder: &Path, shown: &str, into: &mut Vec<(String, String)>) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let skipped = ["src", "tests", "target", "__pycache__"].contains(&name.as_str())
            || name.starts_with('.');
        match entry.file_type() {
            Ok(t) if t.is_dir() && !skipped => collect(&entry.path(), &name, "py", into),
            Ok(t) if t.is_file() && shown.is_empty() && name.ends_with(".py") => {
                if let Ok(text) = fs::read_to_string(entry.path()) {
                    into.push((name, text));
                }
            }
            _ => {}
        }
    }
}

/// The reference solutions of the instructor's workspace, a known source:
/// a student who hands one in is paired with it.
pub fn reference(workspace: &Path) -> Result<Source, SimilarityError> {
    Ok(Source {
        key: "reference".into(),
        name: "the kit's reference solutions".into(),
        known: true,
        tasks: workspace_tasks(workspace, |text, _| Ok(Some(text.to_string())))?,
        report: None,
    })
}

/// The task files as the student editions hand them out, by package: the
/// reference with its solution regions cut, as `grader starter` writes it
/// (and `grader starter --python`, whose stubs are the cut of each task's
/// `python/` reference). Any other Python file counts only when the
/// edition ships it, and only once the cut has left no solution in it:
/// subtracting a whole solution would hide every copy of it.
pub fn starter(workspace: &Path) -> Result<BTreeMap<String, Vec<File>>, SimilarityError> {
    let shipped: HashSet<PathBuf> = crate::starter::shipped(workspace)
        .map_err(|source| SimilarityError::Read {
            path: workspace.to_path_buf(),
            source,
        })?
        .into_iter()
        .collect();
    let stubs: HashSet<PathBuf> = crate::starter::python_references(workspace)?
        .into_iter()
        .filter_map(|(_, script)| Some(script.strip_prefix(workspace).ok()?.to_path_buf()))
        .collect();
    workspace_tasks(workspace, |text, shown| {
        let python = is_python(shown);
        let stub = stubs.contains(Path::new(shown));
        if python && !stub && !shipped.contains(Path::new(shown)) {
            return Ok(None);
        }
        let cut = crate::starter::cut(text, shown)?;
        Ok((!python || !cut.contains("BEGIN SOLUTION")).then_some(cut))
    })
}

/// The known sources of a `--compare-with` folder: an earlier batch's
/// students (`earlier/<student>`), or one source when the folder holds
/// task folders itself, or else each of its folders and zips.
pub fn read_known(dir: &Path) -> Result<Vec<Source>, SimilarityError> {
    let label = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let known = |key: String, tasks: Tasks| Source {
        key,
        known: true,
        tasks,
        ..Source::default()
    };
    if super::is_results(dir) {
        return Ok(read_results(dir)?
            .into_iter()
            .map(|s| {
                let key = format!("{label}/{}", s.key);
                Source {
                    report: None,
                    ..known(key, s.tasks)
                }
            })
            .collect());
    }
    let read = fs::read_dir(dir).map_err(|source| SimilarityError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut children: Vec<PathBuf> = read.flatten().map(|e| e.path()).collect();
    children.sort();
    let holds_tasks = children.iter().any(|c| {
        c.is_dir()
            && c.file_name()
                .and_then(|n| task_number(&n.to_string_lossy()))
                .is_some()
    });
    if holds_tasks {
        return Ok(vec![known(label, read_submission(dir))]);
    }
    Ok(children
        .iter()
        .filter_map(|child| {
            let tasks = read_submission(child);
            let name = child.file_stem()?.to_string_lossy().into_owned();
            (!tasks.is_empty()).then(|| known(format!("{label}/{name}"), tasks))
        })
        .collect())
}
