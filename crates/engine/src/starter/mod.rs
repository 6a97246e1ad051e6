//! The student edition: the workspace with the solutions cut out.
//!
//! Solutions are marked in the task sources, line by line:
//!
//! ```text
//! fn serve(addr: &str) -> Result<(), String> {
//!     // BEGIN SOLUTION
//!     // STARTER: todo!("listen on {addr} …")
//!     …the reference code…
//!     // END SOLUTION
//! }
//! ```
//!
//! In the student edition a region becomes its `STARTER:` line's code, at
//! the region's indentation, or nothing when it has none. Everything outside
//! the regions stays. Markdown files may mark regions the same way in HTML
//! comments (`<!-- BEGIN SOLUTION -->`). The edition is written file by
//! file, never cloned, so no solution text travels in history; the tests of
//! the solutions and the gallery of solutions are left out.

mod manifest;
mod python;
mod shipped;

use manifest::{student_manifest, student_policy};
pub use python::{references as python_references, write_python_edition};
pub use shipped::shipped;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StarterError {
    #[error("{file}:{line}: {problem}")]
    Marker {
        file: String,
        line: usize,
        problem: String,
    },
    #[error("{0} is not empty: pass --force to write into it anyway")]
    NotEmpty(PathBuf),
    #[error("could not write the student edition to {path}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} does not parse: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("{0} has no Python reference solutions (taskNN_*/python/server.py and client.py) to cut the stubs from")]
    NoPython(PathBuf),
}

/// The marker lines of one comment syntax.
struct Markers {
    begin: &'static str,
    end: &'static str,
    starter: &'static str,
    closing: &'static str,
    /// The most blank lines kept in a row where a region vanished: Python
    /// puts two between top-level definitions.
    blank_run: usize,
}

const RUST: Markers = Markers {
    begin: "// BEGIN SOLUTION",
    end: "// END SOLUTION",
    starter: "// STARTER:",
    closing: "",
    blank_run: 1,
};

const PYTHON: Markers = Markers {
    begin: "# BEGIN SOLUTION",
    end: "# END SOLUTION",
    starter: "# STARTER:",
    closing: "",
    blank_run: 2,
};

const MARKDOWN: Markers = Markers {
    begin: "<!-- BEGIN SOLUTION -->",
    end: "<!-- END SOLUTION -->",
    starter: "<!-- STARTER:",
    closing: "-->",
    blank_run: 1,
};

/// A marked region: where it starts, its starter, and the solution lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// 1-based line of `BEGIN SOLUTION`.
    pub line: usize,
    pub starter: Option<String>,
    pub solution: Vec<String>,
}

/// A file's text split into what stays and the regions between.
#[derive(Debug)]
struct Parsed {
    /// Kept lines, with `None` where a region stood.
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    Line(String),
    Region { indent: String, region: Region },
}

fn parse(text: &str, file: &str, markers: &Markers) -> Result<Parsed, StarterError> {
    let problem = |line: usize, problem: String| StarterError::Marker {
        file: file.to_string(),
        line,
        problem,
    };
    let mut parts = Vec::new();
    let mut open: Option<(String, Region)> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let trimmed = line.trim();
        if trimmed == markers.begin {
            if let Some((_, region)) = &open {
                return Err(problem(
                    number,
                    format!(
                        "BEGIN SOLUTION inside the region opened at line {}",
                        region.line
                    ),
                ));
            }
            let indent = line[..line.len() - line.trim_start().len()].to_string();
            open = Some((
                indent,
                Region {
                    line: number,
                    starter: None,
                    solution: Vec::new(),
                },
            ));
        } else if trimmed == markers.end {
            let Some((indent, region)) = open.take() else {
                return Err(problem(
                    number,
                    "END SOLUTION without BEGIN SOLUTION".into(),
                ));
            };
            parts.push(Part::Region { indent, region });
        } else if let Some((_, region)) = &mut open {
            let is_first = region.starter.is_none() && region.solution.is_empty();
            match trimmed.strip_prefix(markers.starter) {
                Some(code) if is_first => {
                    let code = code.strip_suffix(markers.closing).unwrap_or(code);
                    region.starter = Some(code.trim().to_string());
                }
                _ => region.solution.push(line.to_string()),
            }
        } else {
            parts.push(Part::Line(line.to_string()));
        }
    }
    if let Some((_, region)) = open {
        return Err(problem(
            region.line,
            "BEGIN SOLUTION without END SOLUTION".into(),
        ));
    }
    Ok(Parsed { parts })
}

fn markers_for(file: &str) -> &'static Markers {
    if file.ends_with(".md") {
        &MARKDOWN
    } else if file.ends_with(".py") {
        &PYTHON
    } else {
        &RUST
    }
}

/// The student's version of `text`: each region replaced by its starter.
/// `file` names the file in error messages. Where a region vanishes, the
/// blank lines around it are not doubled, so the result is formatted as
/// rustfmt (or, for Python, PEP 8) would leave it.
pub fn cut(text: &str, file: &str) -> Result<String, StarterError> {
    let markers = markers_for(file);
    let parsed = parse(text, file, markers)?;
    let mut out: Vec<String> = Vec::new();
    for part in parsed.parts {
        match part {
            Part::Line(line) => {
                let blanks = out.iter().rev().take_while(|l| l.trim().is_empty()).count();
                let doubled = line.trim().is_empty() && blanks >= markers.blank_run;
                if !doubled {
                    out.push(line);
                }
            }
            Part::Region { indent, region } => {
                if let Some(starter) = region.starter {
                    out.push(format!("{indent}{starter}"));
                }
            }
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    Ok(join_lines(&out, text))
}

/// The marked regions of `text`.
pub fn regions(text: &str, file: &str) -> Result<Vec<Region>, StarterError> {
    Ok(parse(text, file, markers_for(file))?
        .parts
        .into_iter()
        .filter_map(|part| match part {
            Part::Region { region, .. } => Some(region),
            Part::Line(_) => None,
        })
        .collect())
}

/// Puts the solutions of `original` back into `student` (the output of
/// [`cut`] for it), checking that everything outside the regions is the
/// same. The result is `original` without its marker lines.
pub fn reinsert(original: &str, student: &str, file: &str) -> Result<String, StarterError> {
    let parsed = parse(original, file, markers_for(file))?;
    let theirs = student.lines().enumerate();
    let mut out = Vec::new();
    let mismatch = |line: Option<(usize, &str)>, wanted: &str| StarterError::Marker {
        file: file.to_string(),
        line: line.map_or(0, |(i, _)| i + 1),
        problem: format!(
            "the student edition differs here from the original: expected {wanted:?}, found {:?}",
            line.map(|(_, l)| l)
        ),
    };
    let mut theirs = theirs.peekable();
    for part in parsed.parts {
        match part {
            // A blank line `cut` dropped (doubled, or at the end).
            Part::Line(line)
                if line.trim().is_empty()
                    && theirs.peek().is_none_or(|(_, l)| !l.trim().is_empty()) =>
            {
                out.push(line);
            }
            Part::Line(line) => {
                let got = theirs.next();
                if got.map(|(_, l)| l) != Some(line.as_str()) {
                    return Err(mismatch(got, &line));
                }
                out.push(line);
            }
            Part::Region { indent, region } => {
                if let Some(starter) = &region.starter {
                    let wanted = format!("{indent}{starter}");
                    let got = theirs.next();
                    if got.map(|(_, l)| l) != Some(wanted.as_str()) {
                        return Err(mismatch(got, &wanted));
                    }
                }
                out.extend(region.solution);
            }
        }
    }
    if let Some(extra) = theirs.next() {
        return Err(mismatch(Some(extra), "the end of the file"));
    }
    Ok(join_lines(&out, original))
}

fn join_lines(lines: &[String], like: &str) -> String {
    let mut text = lines.join("\n");
    if like.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// What [`write_edition`] did.
#[derive(Debug, Default)]
pub struct Edition {
    pub files: usize,
    pub regions: usize,
}

/// The folder of the grader's classroom part, which the student edition
/// leaves out.
pub(crate) const CLASSROOM: &str = "crates/classroom";

/// Writes the student edition of the workspace at `root` into `out`: the
/// student's grader only, without the classroom's part.
pub fn write_edition(root: &Path, out: &Path, force: bool) -> Result<Edition, StarterError> {
    write_edition_with(root, out, force, false)
}

/// [`write_edition`], keeping the classroom's part when `classroom` (the
/// Gradescope autograder grades submissions with its edition).
pub fn write_edition_with(
    root: &Path,
    out: &Path,
    force: bool,
    classroom: bool,
) -> Result<Edition, StarterError> {
    refuse_busy(out, force)?;
    let (files, regions) = student_files(root, classroom)?;
    write_files(out, files, regions)
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StarterError {
    let path = path.to_path_buf();
    move |source| StarterError::Io { path, source }
}

/// Refuses a folder with something in it, unless `force`.
fn refuse_busy(out: &Path, force: bool) -> Result<(), StarterError> {
    let non_empty = fs::read_dir(out)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    match non_empty && !force {
        true => Err(StarterError::NotEmpty(out.to_path_buf())),
        false => Ok(()),
    }
}

/// A file of an edition: where it goes (relative) and what it holds.
type EditionFile = (PathBuf, Vec<u8>);

/// The files of the Rust student edition of `root`, each read and cut, and
/// how many regions were cut. Every file is read and cut before anything
/// is written, so a marker error leaves the edition's folder as it was.
fn student_files(root: &Path, classroom: bool) -> Result<(Vec<EditionFile>, usize), StarterError> {
    let mut files = shipped(root).map_err(io_error(root))?;
    if !classroom {
        files.retain(|file| !file.starts_with(CLASSROOM));
    }
    let mut regions_cut = 0;
    let mut written = Vec::new();
    for relative in files {
        let source = root.join(&relative);
        let shown = relative.display().to_string();
        let bytes = fs::read(&source).map_err(io_error(&source))?;
        // Solutions live in the tasks' Rust sources; any Markdown file may
        // mark a region too. The grader's own sources are never cut (they
        // spell the markers out, in strings).
        let in_task = relative
            .components()
            .next()
            .is_some_and(|c| c.as_os_str().to_string_lossy().starts_with("task"));
        let marked = (in_task && shown.ends_with(".rs")) || shown.ends_with(".md");
        let contents = match String::from_utf8(bytes) {
            Ok(text) if marked => {
                regions_cut += regions(&text, &shown)?.len();
                cut(&text, &shown)?.into_bytes()
            }
            Ok(text) if relative.file_name().is_some_and(|n| n == "Cargo.toml") => {
                student_manifest(&text, &source, classroom)?.into_bytes()
            }
            Ok(text) if relative == Path::new(crate::policy::FILE) => {
                student_policy(&text, &source)?.into_bytes()
            }
            Ok(text) => text.into_bytes(),
            Err(raw) => raw.into_bytes(),
        };
        written.push((relative, contents));
    }
    Ok((written, regions_cut))
}

/// Writes `files` under `out`, and trims the lock file there.
fn write_files(
    out: &Path,
    files: Vec<EditionFile>,
    regions: usize,
) -> Result<Edition, StarterError> {
    let mut edition = Edition {
        regions,
        ..Edition::default()
    };
    for (relative, contents) in files {
        let target = out.join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        fs::write(&target, contents).map_err(io_error(&target))?;
        edition.files += 1;
    }
    // The edition has no dev-dependencies: its lock file loses them now, so
    // that a student's first build changes no file of theirs, and no build
    // of a submission laid on it writes a lock file of its own. Where that
    // can't be done (no lock file, an index not cached), the first build
    // trims it instead.
    if out.join("Cargo.lock").is_file() {
        let _ = crate::cargo::trim_lockfile(out);
    }
    Ok(edition)
}

#[cfg(test)]
mod tests;
