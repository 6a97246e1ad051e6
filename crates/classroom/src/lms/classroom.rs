//! A GitHub Classroom clone folder (`gh classroom clone student-repos`),
//! read entry by entry: a folder named `<assignment>-<login>` is that
//! student's clone; anything else is a row of its own, with the reason.

use super::{lay, names, unrecognised, Entry, Submitter};
use std::fs;

/// The clones' common prefix (`socket-lab-`), when `entries` are clones
/// of one assignment.
pub(super) fn prefix(folder: &str, entries: &[Entry]) -> Option<String> {
    let clones: Vec<String> = entries
        .iter()
        .filter(|e| e.is_dir && fs::symlink_metadata(e.path.join(".git")).is_ok())
        .map(|e| e.name.clone())
        .collect();
    if clones.is_empty() {
        return None;
    }
    let prefix = names::classroom_prefix(folder, &clones)?;
    clones
        .iter()
        .any(|c| c.len() > prefix.len() && c.starts_with(&prefix))
        .then_some(prefix)
}

pub(super) fn read(prefix: &str, entries: &[Entry]) -> Vec<Submitter> {
    entries
        .iter()
        .map(|entry| {
            let login = entry
                .name
                .strip_prefix(prefix)
                .filter(|l| !l.is_empty() && entry.is_dir);
            let Some(login) = login else {
                let kind = if entry.is_dir { "a folder" } else { "a file" };
                return unrecognised(entry, &format!("{kind}, not a clone named {prefix}<login>"));
            };
            let empty = lay::empty_folder(&entry.path);
            Submitter {
                key: login.to_string(),
                name: login.to_string(),
                lms_id: login.to_string(),
                path: (!empty).then(|| entry.path.clone()),
                reason: empty.then(|| "the clone holds nothing but its git history".into()),
                lms_name: entry.name.clone(),
                ..Submitter::default()
            }
        })
        .collect()
}
