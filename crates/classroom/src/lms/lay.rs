//! One student's files, as an LMS hands them out, laid into one
//! submission to grade, or a reason why there is none.
//!
//! - One readable zip and nothing else: the zip itself is graded (the
//!   child grader checks and unpacks it).
//! - Several files: each zip is unpacked (with the same checks as any
//!   submission), each folder checked, and all laid together with the loose
//!   files into one folder. Where two of them hold the same task, the later
//!   one (the higher Canvas attachment id) is kept, and a note says so.
//! - A `.rar`, `.7z` or other archive the grader does not open, a zip of
//!   zero bytes, a corrupt one, one that is empty or holds only archives,
//!   an empty folder: a note, and when nothing else is left, the reason
//!   the student's row gives.

use crate::archive::{self, Limits};
use crate::submission::{copy_tree, task_number};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One thing a student handed in.
pub(super) enum Part {
    /// A file, under the name the student gave it; `order` ranks files
    /// holding the same task (Canvas's attachment id).
    File {
        path: PathBuf,
        original: String,
        order: u64,
    },
    /// A folder, laid under its own name.
    Folder { path: PathBuf, name: String },
}

/// What was made of a student's parts.
#[derive(Debug, Default)]
pub(super) struct Laid {
    /// What to grade; `None` with a `reason`.
    pub path: Option<PathBuf>,
    pub reason: Option<String>,
    /// Said in the student's report.
    pub notes: Vec<String>,
}

/// Archives the grader does not open, by the ending of their names.
const OTHER_ARCHIVES: &[(&str, &str)] = &[
    (".rar", "a RAR archive"),
    (".7z", "a 7-Zip archive"),
    (".tar", "a tar archive"),
    (".tar.gz", "a tar archive"),
    (".tgz", "a tar archive"),
    (".gz", "a gzip file"),
    (".bz2", "a bzip2 file"),
    (".xz", "an xz file"),
];

fn is_zip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// `Some("a RAR archive")` for an archive the grader does not open.
pub(super) fn other_archive(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    OTHER_ARCHIVES
        .iter()
        .find(|(end, _)| lower.ends_with(end))
        .map(|(_, kind)| *kind)
}

/// `ana` for `ana.zip` or `ana.tar.gz`: the name an archive stands for.
pub(super) fn archive_stem(name: &str) -> Option<&str> {
    let lower = name.to_ascii_lowercase();
    std::iter::once(".zip")
        .chain(OTHER_ARCHIVES.iter().map(|(end, _)| *end))
        .find(|end| lower.ends_with(end))
        .map(|end| &name[..name.len() - end.len()])
}

/// Why the zip at `path` (named `shown`) has nothing to grade, if so: zero
/// bytes, unreadable, empty, or only archives inside.
pub(super) fn unusable_zip(path: &Path, shown: &str) -> Option<String> {
    let size = fs::symlink_metadata(path).map(|m| m.len()).unwrap_or(0);
    if size == 0 {
        return Some(format!("{shown} is empty (0 bytes)"));
    }
    let archive = fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
    let archive = match archive {
        Ok(archive) => archive,
        Err(e) => return Some(format!("{shown} is not a zip that can be read ({e})")),
    };
    let files: Vec<&str> = archive
        .file_names()
        .filter(|n| !n.ends_with('/') && !n.split('/').any(archive::ignored))
        .collect();
    if files.is_empty() {
        return Some(format!("{shown} is an empty archive"));
    }
    if files
        .iter()
        .all(|f| is_zip(f) || other_archive(f).is_some())
    {
        let mut inside: Vec<&str> = files.iter().map(|f| base(f)).collect();
        inside.sort_unstable();
        return Some(format!("the zip holds only {}", inside.join(", ")));
    }
    None
}

fn base(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Whether a folder holds nothing but what the grader ignores.
pub(super) fn empty_folder(path: &Path) -> bool {
    fs::read_dir(path).is_ok_and(|rd| {
        rd.flatten()
            .all(|e| archive::ignored(&e.file_name().to_string_lossy()))
    })
}

/// Lays `parts` for the student `key` under `staging`; `nothing` is the
/// reason when there are none.
pub(super) fn lay(staging: &Path, key: &str, parts: &[Part], nothing: &str) -> io::Result<Laid> {
    let mut laid = Laid::default();
    let mut problems = Vec::new();
    let mut zips: Vec<(u64, &Path, &str)> = Vec::new();
    let mut folders: Vec<(&Path, &str)> = Vec::new();
    let mut loose: Vec<(&Path, &str)> = Vec::new();
    for part in parts {
        if let Part::File { path, original, .. } = part {
            if !fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
                laid.reason = Some(format!(
                    "rejected: {original} is a link or a special file; submissions may hold only files and folders"
                ));
                return Ok(laid);
            }
        }
        match part {
            Part::Folder { path, name } if empty_folder(path) => {
                problems.push(format!("{name} is an empty folder"));
            }
            Part::Folder { path, name } => folders.push((path, name)),
            Part::File { original, .. } if other_archive(original).is_some() => {
                let kind = other_archive(original).unwrap_or_default();
                problems.push(format!(
                    "{original} is {kind}, which the grader does not open: hand in a .zip"
                ));
            }
            Part::File {
                path,
                original,
                order,
            } if is_zip(original) => match unusable_zip(path, original) {
                Some(problem) => problems.push(problem),
                None => zips.push((*order, path, original)),
            },
            Part::File { path, original, .. } => loose.push((path, original)),
        }
    }
    laid.notes.clone_from(&problems);
    match (zips.as_slice(), folders.as_slice(), loose.is_empty()) {
        ([], [], true) => {
            laid.notes.clear();
            laid.reason = Some(if problems.is_empty() {
                nothing.to_string()
            } else {
                problems.join("; ")
            });
            return Ok(laid);
        }
        ([(_, zip, _)], [], true) => {
            laid.path = Some(zip.to_path_buf());
            return Ok(laid);
        }
        ([], [(folder, _)], true) => {
            laid.path = Some(folder.to_path_buf());
            return Ok(laid);
        }
        _ => {}
    }
    let folder = staging.join(super::folder_name(key));
    let unpacked = staging.join(format!("{}.parts", super::folder_name(key)));
    fs::create_dir_all(&folder)?;
    fs::create_dir_all(&unpacked)?;
    // Each zip and folder on its own first, ranked: the last wins a task.
    zips.sort_by_key(|(order, _, name)| (*order, name.to_string()));
    let mut ranked: Vec<(String, PathBuf)> = Vec::new();
    for (i, (order, zip, name)) in zips.iter().enumerate() {
        let to = unpacked.join(i.to_string());
        match archive::unzip(zip, &to, &Limits::default()) {
            Ok(()) => ranked.push((shown_part(name, *order), to)),
            Err(archive::ArchiveError::Rejected { rule }) => {
                laid.reason = Some(format!("rejected: {name}: {rule}"));
                return Ok(laid);
            }
            Err(e) => laid
                .notes
                .push(format!("{name} could not be unpacked: {e}")),
        }
    }
    for (path, name) in &folders {
        if let Err(archive::ArchiveError::Rejected { rule }) =
            archive::check_folder(path, &Limits::default())
        {
            laid.reason = Some(format!("rejected: {name}: {rule}"));
            return Ok(laid);
        }
        let to = unpacked.join(format!("folder-{}", ranked.len()));
        fs::create_dir_all(&to)?;
        copy_tree(path, &to.join(super::folder_name(name)))?;
        ranked.insert(0, (name.to_string(), to));
    }
    keep_latest_of_each_task(&ranked, &mut laid.notes)?;
    for (_, part) in &ranked {
        copy_tree(part, &folder)?;
    }
    for (path, original) in loose {
        fs::copy(path, folder.join(super::folder_name(original)))?;
    }
    let _ = fs::remove_dir_all(&unpacked);
    laid.path = Some(folder);
    Ok(laid)
}

/// `lab.zip (attachment 5001)`, or the name alone where there is no id.
fn shown_part(name: &str, order: u64) -> String {
    if order > 0 {
        format!("{name} (attachment {order})")
    } else {
        name.to_string()
    }
}

/// Removes, from every part but the last holding it, each task that a
/// later part holds too, and notes which was kept.
fn keep_latest_of_each_task(
    ranked: &[(String, PathBuf)],
    notes: &mut Vec<String>,
) -> io::Result<()> {
    let held: Vec<BTreeMap<u8, Vec<PathBuf>>> =
        ranked.iter().map(|(_, dir)| task_folders(dir)).collect();
    let mut tasks: Vec<u8> = held.iter().flat_map(|h| h.keys().copied()).collect();
    tasks.sort_unstable();
    tasks.dedup();
    for task in tasks {
        let holders: Vec<usize> = (0..ranked.len())
            .filter(|i| held[*i].contains_key(&task))
            .collect();
        let Some((&last, earlier)) = holders.split_last() else {
            continue;
        };
        if earlier.is_empty() {
            continue;
        }
        for &i in earlier {
            for folder in &held[i][&task] {
                fs::remove_dir_all(folder)?;
            }
        }
        let all: Vec<&str> = holders.iter().map(|i| ranked[*i].0.as_str()).collect();
        let name = crate::tasks::by_number(task)
            .map_or_else(|| format!("task {task}"), |t| t.package.to_string());
        notes.push(format!(
            "{name} is in {}: the last, {}, is graded",
            all.join(" and "),
            ranked[last].0
        ));
    }
    Ok(())
}

/// The folders named after a task in `root`, up to four deep, by task.
fn task_folders(root: &Path) -> BTreeMap<u8, Vec<PathBuf>> {
    let mut found: BTreeMap<u8, Vec<PathBuf>> = BTreeMap::new();
    let mut level = vec![root.to_path_buf()];
    for _ in 0..4 {
        let mut next = Vec::new();
        for dir in &level {
            for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !entry.file_type().is_ok_and(|t| t.is_dir()) || archive::ignored(&name) {
                    continue;
                }
                match task_number(&name) {
                    // A task's folder is not searched for more.
                    Some(n) => found.entry(n).or_default().push(entry.path()),
                    None => next.push(entry.path()),
                }
            }
        }
        level = next;
    }
    found
}
