//! Which folders of a submission are whose task.
//!
//! Task folders are found up to [`DEPTH`] folders deep by the names students
//! give them ([`task_number`]), never inside a folder no task lives in
//! ([`ignored`]). Each task's candidates are ordered so that the first is
//! the one used: one holding sources, then the shallowest, then the first
//! by name; [`chosen_among`] says why in a note.

use crate::archive::{ignored, shown};
use crate::tasks::Task;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

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
pub(super) struct Candidate {
    pub(super) path: PathBuf,
    /// Its path below the submission, as notes show it.
    pub(super) shown: String,
    depth: usize,
    has_sources: bool,
}

/// The folders that look like each task's, the one to use first.
pub(super) fn find_task_folders(root: &Path, tasks: &[Task]) -> BTreeMap<u8, Vec<Candidate>> {
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
        || ["server.rs", "client.rs", "lib.rs", "server.py", "client.py"]
            .iter()
            .any(|n| is(n, false))
}

/// The note when several folders claim a task: which is used, and why.
pub(super) fn chosen_among(candidates: &[Candidate], second: &Candidate) -> String {
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
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
}
