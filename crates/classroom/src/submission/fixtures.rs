//! Test fixtures: a small student edition, and submissions laid onto it.

use super::{lay, Laid, Limits, SubmissionError, DEFAULT_ALLOWED};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// A small student edition: each task a crate whose binaries are
/// `todo!()` stubs and whose lib.rs is the handed-out one.
pub(super) fn tiny_edition(at: &Path) -> PathBuf {
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

pub(super) fn allowed() -> BTreeSet<String> {
    DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect()
}

/// Writes `files` (path, contents) under `root`.
pub(super) fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
}

pub(super) fn lay_folder(
    files: &[(&str, &str)],
) -> (tempfile::TempDir, Result<Laid, SubmissionError>) {
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

pub(super) fn read(laid: &Laid, path: &str) -> String {
    fs::read_to_string(laid.workspace.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}
