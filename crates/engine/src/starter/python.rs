//! The student edition of a Python course (`grader starter --python`).
//!
//! The Python reference solutions live beside each task, in
//! `taskNN_*/python/server.py` and `client.py`, marked like the Rust ones
//! but with `#` comments:
//!
//! ```text
//! def serve(server):
//!     """Accept clients for ever."""
//!     # BEGIN SOLUTION
//!     # STARTER: raise NotImplementedError("accept in a loop: …")
//!     …the reference code…
//!     # END SOLUTION
//! ```
//!
//! They sit in a folder of their own, not at the task's top: the grader
//! takes `taskNN_*/server.py` as the student's binary (when the task has no
//! Rust source for it), so there a reference would be graded in place of
//! the instructor's Rust binaries, or shipped as an answer. The Rust
//! edition leaves the folder out.
//!
//! The Python edition is the Rust one (the grader, the docs, the sheets)
//! with each task folder holding only its sheet and the two stubs, cut from
//! the references: `taskNN_*/server.py`, `taskNN_*/client.py`. Its
//! workspace has no task packages, so a student never builds Rust for a
//! task, and the grader takes each task's binaries as Python.

use super::manifest::{parse_manifest, retain_members};
use super::{cut, io_error, refuse_busy, regions, student_files, write_files};
use super::{Edition, EditionFile, StarterError};
use std::fs;
use std::path::{Path, PathBuf};

/// The folder of a task that holds its Python reference solutions.
pub(super) const FOLDER: &str = "python";

/// Writes the Python student edition of the workspace at `root` into
/// `out`.
pub fn write_python_edition(root: &Path, out: &Path, force: bool) -> Result<Edition, StarterError> {
    refuse_busy(out, force)?;
    let scripts = references(root)?;
    if scripts.is_empty() {
        return Err(StarterError::NoPython(root.to_path_buf()));
    }
    let (rust, _) = student_files(root, false)?;
    let mut files: Vec<EditionFile> = Vec::new();
    for (relative, contents) in rust {
        match task_of(&relative) {
            // Of a task, only its sheet: no Rust package.
            Some(_) if relative.components().count() == 2 && relative.ends_with("README.md") => {
                files.push((relative, contents))
            }
            Some(_) => {}
            None if relative == Path::new("Cargo.toml") => {
                let text = String::from_utf8_lossy(&contents);
                files.push((
                    relative.clone(),
                    without_tasks(&text, &root.join(&relative))?,
                ));
            }
            None => files.push((relative, contents)),
        }
    }
    let mut regions_cut = 0;
    for (task, script) in scripts {
        let text = fs::read_to_string(&script).map_err(io_error(&script))?;
        let shown = script
            .strip_prefix(root)
            .unwrap_or(&script)
            .display()
            .to_string();
        regions_cut += regions(&text, &shown)?.len();
        let name = script.file_name().unwrap_or_default();
        files.push((
            Path::new(&task).join(name),
            cut(&text, &shown)?.into_bytes(),
        ));
    }
    write_files(out, files, regions_cut)
}

/// The task folder `relative` is in (`task03_echo`), if any.
fn task_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    first.starts_with("task").then(|| first.into_owned())
}

/// Every Python reference solution under `root`, with its task folder, in
/// order: `(task03_echo, root/task03_echo/python/client.py)`.
pub fn references(root: &Path) -> Result<Vec<(String, PathBuf)>, StarterError> {
    let mut found = Vec::new();
    let mut tasks: Vec<_> = fs::read_dir(root)
        .map_err(io_error(root))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("task"))
        .collect();
    tasks.sort();
    for task in tasks {
        for side in ["client", "server"] {
            let script = root
                .join(&task)
                .join(FOLDER)
                .join(crate::python::file_name(side));
            if script.is_file() {
                found.push((task.clone(), script));
            }
        }
    }
    Ok(found)
}

/// The root manifest without the task packages among its members: the
/// edition's tasks are Python.
fn without_tasks(text: &str, path: &Path) -> Result<Vec<u8>, StarterError> {
    let mut manifest = parse_manifest(text, path)?;
    retain_members(&mut manifest, |member| !member.starts_with("task"));
    Ok(manifest.to_string().into_bytes())
}
