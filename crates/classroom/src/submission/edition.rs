//! The cache of student editions that submissions are laid onto.
//!
//! An edition is written once per version of the instructor's workspace,
//! into a folder named by the hash of the files it is made from. It is
//! written beside its place and renamed into it, marked complete last, so
//! graders running side by side never see half of one, and a folder
//! without the mark is never used.

use super::SubmissionError;
use crate::starter;
use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Marks a cached edition as written in full; it is written last.
const COMPLETE: &str = ".grader-edition-complete";

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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

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
