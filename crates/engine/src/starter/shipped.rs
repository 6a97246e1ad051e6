//! Which files of the instructor's workspace an edition is made from.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Files in `docs/` for instructors only.
const INSTRUCTORS_ONLY: &[&str] = &["instructors.md", "ci", "gradescope"];

/// Folders never shipped: the tests of the solutions, the gallery, the
/// benchmarks (which measure the reference server), and the instructors'
/// documents.
pub(super) fn left_out(relative: &Path) -> bool {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [first, ..] if first == "target" || (first.starts_with('.') && first != ".gitignore") => {
            true
        }
        [first, second, ..]
            if second == "tests" && (first == "grader" || first.starts_with("task")) =>
        {
            true
        }
        [first, second, ..] if first == "grader" && second == "benches" => true,
        // The Python reference solutions: the Python edition's stubs are
        // cut from them (see `python.rs`), the Rust edition has none.
        [first, second, ..] if first.starts_with("task") && second == super::python::FOLDER => true,
        // How to grade, hand out and set up CI: for instructors.
        [first, second, ..] if first == "docs" && INSTRUCTORS_ONLY.contains(&second.as_str()) => {
            true
        }
        _ => false,
    }
}

/// The files of the workspace at `root` that its student edition is made
/// from, relative to `root`, in order: everything but what is left out.
pub fn shipped(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect(root, root, &mut files)?;
    Ok(files)
}

fn collect(root: &Path, dir: &Path, into: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        if left_out(&relative) {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(root, &path, into)?;
        } else if kind.is_file() {
            into.push(relative);
        }
    }
    Ok(())
}
