//! The Gradescope autograder: one zip, made from the instructor's workspace.
//!
//! Gradescope unpacks the zip into `/autograder/source`, runs `setup.sh`
//! once to build its image, and `run_autograder` for every submission. The
//! zip holds:
//!
//! ```text
//! setup.sh         docs/gradescope/setup.sh, mode 0755
//! run_autograder   docs/gradescope/run_autograder, mode 0755
//! source/          the student edition: the grader with its checks, the
//!                  task stubs, rust-toolchain.toml, and Cargo.lock trimmed
//!                  to the crates the edition uses
//! ```
//!
//! `source/` is the student edition, never the instructor's workspace, so the
//! image holds no reference solution for a submission to read or be laid
//! on, and no `.git`, `target`, tests or gallery ([`crate::starter`] leaves
//! them out). The zip is written beside `out` and renamed into place, so a
//! failure leaves no half-written zip behind.

use crate::cargo::{self, BuildError};
use crate::starter::{self, StarterError};
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use thiserror::Error;
use zip::write::SimpleFileOptions;

/// The scripts at the top of the zip, taken from `docs/gradescope/`.
pub const SCRIPTS: [&str; 2] = ["setup.sh", "run_autograder"];

/// What `setup.sh` needs in `source/` to install the pinned Rust and build
/// the grader without changing a version.
const NEEDED: [&str; 5] = [
    "Cargo.toml",
    "Cargo.lock",
    "rust-toolchain.toml",
    "grader/Cargo.toml",
    "grader/src/main.rs",
];

#[derive(Debug, Error)]
pub enum AutograderError {
    #[error(transparent)]
    Edition(#[from] StarterError),
    #[error(transparent)]
    Lockfile(#[from] BuildError),
    #[error("{0} is missing: the autograder needs it")]
    Missing(PathBuf),
    #[error("could not write the autograder to {path}")]
    Io { path: PathBuf, source: io::Error },
    #[error("could not write the zip {path}: {reason}")]
    Zip { path: PathBuf, reason: String },
}

/// What [`write_zip`] wrote.
#[derive(Debug)]
pub struct Zipped {
    /// Files in the zip, the two scripts included.
    pub files: usize,
    /// Solution regions cut out of the edition.
    pub regions: usize,
}

/// Writes the autograder zip of the workspace at `root` to `out`, replacing
/// any file there.
pub fn write_zip(root: &Path, out: &Path) -> Result<Zipped, AutograderError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AutograderError::Io { path, source }
    };
    let scripts = root.join("docs/gradescope");
    for script in SCRIPTS {
        if !scripts.join(script).is_file() {
            return Err(AutograderError::Missing(scripts.join(script)));
        }
    }
    let edition_dir = tempfile::Builder::new()
        .prefix("grader-autograder-")
        .tempdir()
        .map_err(io_error(out))?;
    let edition_root = edition_dir.path();
    let edition = starter::write_edition_with(root, edition_root, false, true)?;
    for needed in NEEDED {
        if !edition_root.join(needed).is_file() {
            return Err(AutograderError::Missing(root.join(needed)));
        }
    }
    cargo::trim_lockfile(edition_root)?;

    let mut files = Vec::new();
    list_files(edition_root, edition_root, &mut files).map_err(io_error(edition_root))?;
    // An earlier zip written inside the workspace is not part of the next.
    if let Some(earlier) = inside(root, out) {
        files.retain(|file| *file != earlier);
    }
    files.sort();

    let parent = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(io_error(parent))?;
    let zip_error = |reason: String| AutograderError::Zip {
        path: out.to_path_buf(),
        reason,
    };
    let partial = tempfile::Builder::new()
        .prefix(".autograder-")
        .suffix(".zip")
        .tempfile_in(parent)
        .map_err(io_error(out))?;
    let mut zip = zip::ZipWriter::new(partial.as_file());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut add = |name: &str, mode: u32, contents: &[u8]| {
        zip.start_file(name, options.unix_permissions(mode))
            .map_err(|e| zip_error(e.to_string()))?;
        zip.write_all(contents).map_err(io_error(out))
    };
    for script in SCRIPTS {
        let path = scripts.join(script);
        add(script, 0o755, &fs::read(&path).map_err(io_error(&path))?)?;
    }
    for relative in &files {
        let path = edition_root.join(relative);
        let contents = fs::read(&path).map_err(io_error(&path))?;
        // Keep a script runnable; everything else is plain data.
        let executable =
            fs::metadata(root.join(relative)).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
        let mode = if executable { 0o755 } else { 0o644 };
        let name = format!("source/{}", relative.to_string_lossy());
        add(&name, mode, &contents)?;
    }
    zip.finish().map_err(|e| zip_error(e.to_string()))?;
    partial.persist(out).map_err(|e| io_error(out)(e.error))?;
    Ok(Zipped {
        files: SCRIPTS.len() + files.len(),
        regions: edition.regions,
    })
}

/// `out` relative to `root`, when it lies inside it.
fn inside(root: &Path, out: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let parent = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let out = parent.canonicalize().ok()?.join(out.file_name()?);
    out.strip_prefix(&root).ok().map(Path::to_path_buf)
}

/// Every file under `dir`, relative to `root`.
fn list_files(root: &Path, dir: &Path, into: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            list_files(root, &path, into)?;
        } else {
            into.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_inside_the_workspace_is_found_relative_to_it() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("out")).unwrap();
        assert_eq!(
            inside(root.path(), &root.path().join("out/autograder.zip")),
            Some(PathBuf::from("out/autograder.zip"))
        );
        let elsewhere = tempfile::tempdir().unwrap();
        assert_eq!(
            inside(root.path(), &elsewhere.path().join("autograder.zip")),
            None
        );
    }

    #[test]
    fn missing_scripts_are_named() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("autograder.zip");
        let err = write_zip(root.path(), &out).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is missing: the autograder needs it",
                root.path().join("docs/gradescope/setup.sh").display()
            )
        );
        assert!(!out.exists());
    }
}
