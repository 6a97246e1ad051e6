//! What a submission may hold, checked before anything in it is used.
//!
//! A submission is a folder or a `.zip` the grader did not make, so it is
//! read as if it were hostile:
//! - a zip is judged from its central directory before a byte is unpacked:
//!   the number of entries, the sum of the sizes its entries declare, each
//!   large entry's compression ratio, each name (no absolute paths, no
//!   `..`), each kind (files and folders only: no links, no devices). Then
//!   it is unpacked entry by entry, counting the bytes really written, so an
//!   entry that holds more than its header says is stopped as soon as it
//!   does;
//! - a folder is walked without following links, with the same limits on
//!   entries and bytes, and the same refusal of links and special files.
//!
//! Folders no task lives in ([`ignored`]: `.git`, `target`, `__MACOSX`, …)
//! are neither entered in a folder nor unpacked from a zip; a zip's entries
//! there still count towards its number of entries and may not be links.
//! Every refusal is a [`ArchiveError::Rejected`] naming the rule.
//!
//! # Layout
//! - `folder`: a submission folder walked, and the submission's own path.
//! - `zipfile`: a zip judged from its central directory, then unpacked.
//! - here: the [`Limits`] and the wording of every refusal.

mod folder;
mod zipfile;

pub use folder::{check_folder, check_root};
pub use zipfile::unzip;
#[cfg(test)]
pub(crate) use zipfile::write_zip;

use std::path::{Path, PathBuf};

/// Why a submission's folder or zip is refused, or can't be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A rule broken; `rule` says which, naming the entry.
    #[error("rejected: {rule}")]
    Rejected { rule: String },
    #[error("could not read the zip {path}: {reason}")]
    Zip { path: PathBuf, reason: String },
    #[error("could not read the submission")]
    Io(#[from] std::io::Error),
}

/// How much a submission may hold. The defaults suit a socket lab with room
/// to spare; tests use small ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Files and folders, at most.
    pub entries: usize,
    /// Bytes of all files together, at most (unpacked, for a zip).
    pub bytes: u64,
    /// The highest compression ratio of a zip entry larger than
    /// `ratio_from` bytes.
    pub ratio: u64,
    pub ratio_from: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            entries: 10_000,
            bytes: 50 * MB,
            ratio: 200,
            ratio_from: MB,
        }
    }
}

const MB: u64 = 1_000_000;

/// `bytes` as a person would say it in a limit: `50 MB`, or `300 bytes`.
pub(super) fn amount(bytes: u64) -> String {
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

pub(super) fn rejected(rule: String) -> ArchiveError {
    ArchiveError::Rejected { rule }
}

/// Folders no task lives in, which are never entered: version control,
/// build output, macOS's resource forks, and hidden folders.
pub fn ignored(name: &str) -> bool {
    matches!(name, "__MACOSX" | "target" | "node_modules") || name.starts_with('.')
}

/// Why a link at `shown` (pointing at `target`) is refused.
pub(super) fn link_refused(shown: &str, target: &str) -> ArchiveError {
    rejected(format!(
        "symbolic link at {shown} -> {target}; submissions may not contain links"
    ))
}

pub(super) fn special_refused(shown: &str, kind: &str) -> ArchiveError {
    rejected(format!(
        "{kind} at {shown}; submissions may hold only files and folders"
    ))
}

/// `path` below `root`, with `/` between its parts, as reports show it.
pub fn shown(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn small() -> Limits {
        Limits {
            entries: 5,
            bytes: 10_000,
            ratio: 20,
            ratio_from: 1_000,
        }
    }

    /// The rule a refusal names, or a panic saying what happened instead.
    pub(super) fn rule(result: Result<(), ArchiveError>) -> String {
        match result {
            Err(ArchiveError::Rejected { rule }) => rule,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn amounts_read_as_people_say_them() {
        assert_eq!(amount(50 * MB), "50 MB");
        assert_eq!(amount(10_000), "10000 bytes");
    }
}
