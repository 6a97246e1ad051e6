//! Grading a class: every subfolder or `.zip` of a folder is one student's
//! submission.
//!
//! Each submission is graded by a child grader (`grader --submission`),
//! supervised like any other program: at most `jobs` at once, each within a
//! time budget, killed with everything it started when the budget runs
//! out. So a submission that hangs, prints forever or crashes the grading
//! is recorded as such, and the batch goes on. All of them build in one
//! shared target folder, so the dependencies are compiled once.

use crate::process::{Child, Program, Stream};
use crate::report::class::{self, Row};
use crate::report::{Build, Format, Report};
use crate::time::Deadline;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum BatchError {
    #[error("could not read the submissions in {dir}")]
    Read { dir: PathBuf, source: io::Error },
    #[error("could not write {path}")]
    Write { path: PathBuf, source: io::Error },
    #[error("could not write grades.csv")]
    Csv(#[from] csv::Error),
}

/// How long a child grader that ran out of time has to stop its programs.
const CLEANUP: Duration = Duration::from_secs(5);

/// What to grade and where the results go.
pub struct Options {
    pub dir: PathBuf,
    pub out: PathBuf,
    pub jobs: usize,
    /// Report formats per student, besides json and html.
    pub formats: Vec<Format>,
    pub budget: Duration,
    /// The grader to run for each submission (this one).
    pub grader: PathBuf,
    /// The instructor's workspace.
    pub workspace: PathBuf,
    pub allow_crates: Vec<String>,
    pub target_dir: Option<PathBuf>,
    pub timeout_scale: f64,
}

/// How one submission's grading ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Graded,
    DidNotBuild,
    TimedOut,
    /// The grader could not grade it (a corrupt zip, say).
    Error,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Graded => "graded",
            Standing::DidNotBuild => "did not build",
            Standing::TimedOut => "timed out",
            Standing::Error => "error",
        }
    }
}

/// One student's result.
pub struct Graded {
    pub student: String,
    pub standing: Standing,
    pub report: Option<Report>,
    /// Why there is no report, for `error` and `timed out`.
    pub reason: String,
}

/// The submissions in `dir`: subfolders and `.zip` files, by name, less
/// `skip` (the results folder, when it is inside `dir`).
pub fn submissions(dir: &Path, skip: &Path) -> Result<Vec<(String, PathBuf)>, BatchError> {
    let skip = skip.canonicalize().ok();
    let read = |source| BatchError::Read {
        dir: dir.to_path_buf(),
        source,
    };
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(read)? {
        let path = entry.map_err(read)?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || path.canonicalize().ok() == skip {
            continue;
        }
        let is_zip = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        if path.is_dir() || (path.is_file() && is_zip) {
            let student = if is_zip {
                name[..name.len() - 4].to_string()
            } else {
                name
            };
            found.push((student, path));
        }
    }
    found.sort();
    Ok(found)
}

/// Grades every submission; `done` is told of each as it finishes.
pub fn run(options: &Options, done: &(dyn Fn(&Graded) + Sync)) -> Result<Vec<Graded>, BatchError> {
    let submissions = submissions(&options.dir, &options.out)?;
    let students = options.out.join("students");
    fs::create_dir_all(&students).map_err(|source| BatchError::Write {
        path: students.clone(),
        source,
    })?;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Graded>>> =
        Mutex::new((0..submissions.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((student, path)) = submissions.get(i) else {
                    break;
                };
                if crate::process::stopping() {
                    break;
                }
                let graded = grade_one(options, student, path);
                done(&graded);
                if let Ok(mut results) = results.lock() {
                    results[i] = Some(graded);
                }
            });
        }
    });
    let results: Vec<Graded> = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .flatten()
        .collect();
    write_class(options, &results)?;
    Ok(results)
}

/// A student's folder under `out/students`: the id, made safe as a name.
fn folder_name(student: &str) -> String {
    student
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Human => "txt",
        Format::Json => "json",
        Format::Junit => "junit.xml",
        Format::Gradescope => "gradescope.json",
        Format::Github => "github.txt",
        Format::Markdown => "md",
        Format::Html => "html",
    }
}

fn grade_one(options: &Options, student: &str, path: &Path) -> Graded {
    let folder = options.out.join("students").join(folder_name(student));
    let graded = |standing, report, reason: String| Graded {
        student: student.to_string(),
        standing,
        report,
        reason,
    };
    // Reports of an earlier batch must not pass for this one's.
    let _ = fs::remove_dir_all(&folder);
    if let Err(e) = fs::create_dir_all(&folder) {
        return graded(
            Standing::Error,
            None,
            format!("could not create {}: {e}", folder.display()),
        );
    }
    let json = folder.join("report.json");
    let mut argv: Vec<String> = vec![
        options.grader.display().to_string(),
        "--submission".into(),
        path.display().to_string(),
        "--workspace".into(),
        options.workspace.display().to_string(),
        "--timeout-scale".into(),
        options.timeout_scale.to_string(),
        "--title".into(),
        format!("Socket lab: {student}"),
        "--format".into(),
        "human".into(),
    ];
    if let Some(dir) = &options.target_dir {
        argv.extend(["--target-dir".into(), dir.display().to_string()]);
    }
    for name in &options.allow_crates {
        argv.extend(["--allow-crate".into(), name.clone()]);
    }
    let mut formats = vec![Format::Json, Format::Html];
    formats.extend(
        options
            .formats
            .iter()
            .filter(|f| !matches!(f, Format::Json | Format::Html)),
    );
    for format in formats {
        let file = folder.join(format!("report.{}", extension(format)));
        argv.extend([
            "--output".into(),
            format!("{}={}", format_name(format), file.display()),
        ]);
    }

    let mut child = match Child::spawn(&Program::new(argv), false) {
        Ok(child) => child,
        Err(e) => {
            return graded(
                Standing::Error,
                None,
                format!("could not start the grader: {e}"),
            )
        }
    };
    let Some(status) = child.wait(Deadline::after(options.budget)) else {
        // SIGTERM lets the child grader stop the programs it started (each
        // in a process group of its own) before it goes; give it time to.
        child.kill_with_grace(CLEANUP);
        return graded(
            Standing::TimedOut,
            None,
            format!("still grading after {} s", options.budget.as_secs()),
        );
    };
    let report = fs::read_to_string(&json)
        .ok()
        .and_then(|text| serde_json::from_str::<Report>(&text).ok());
    match report {
        Some(report) => {
            let standing = if report.tasks.iter().any(|t| t.build == Build::Failed) {
                Standing::DidNotBuild
            } else {
                Standing::Graded
            };
            graded(standing, Some(report), String::new())
        }
        None => {
            let said = child.output(Stream::Stderr).join("\n");
            graded(
                Standing::Error,
                None,
                format!("the grader ended with {status}: {said}"),
            )
        }
    }
}

fn format_name(format: Format) -> String {
    format!("{format:?}").to_lowercase()
}

fn write_class(options: &Options, results: &[Graded]) -> Result<(), BatchError> {
    let write = |path: PathBuf, text: String| {
        fs::write(&path, text).map_err(|source| BatchError::Write { path, source })
    };
    // A submission with no report still gets a page, saying why.
    for graded in results.iter().filter(|g| g.report.is_none()) {
        let page = class::no_report(&graded.student, graded.standing.as_str(), &graded.reason);
        let folder = options
            .out
            .join("students")
            .join(folder_name(&graded.student));
        write(folder.join("report.html"), page)?;
    }
    let rows: Vec<Row> = results
        .iter()
        .map(|g| Row {
            student: &g.student,
            status: g.standing.as_str(),
            reason: &g.reason,
            report: g.report.as_ref(),
            link: format!("students/{}/report.html", folder_name(&g.student)),
        })
        .collect();
    let tasks: Vec<&str> = crate::tasks::all().iter().map(|t| t.package).collect();
    write(options.out.join("grades.csv"), class::csv(&tasks, &rows)?)?;
    write(
        options.out.join("index.html"),
        class::index("Socket lab: class results", &tasks, &rows),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_ids_become_safe_folder_names() {
        assert_eq!(folder_name("ana.lima@uni"), "ana.lima@uni");
        assert_eq!(folder_name("../../etc"), ".._.._etc");
        assert_eq!(folder_name("Zoë Smith"), "Zoë_Smith");
    }
}
