//! Grading a class: each student's submission, as [`crate::lms`] read it
//! from a plain folder or an LMS's download.
//!
//! Each submission is graded by a child grader (`grader --submission`),
//! supervised like any other program: at most `jobs` at once, each within a
//! time budget, killed with everything it started when the budget runs
//! out. So a submission that hangs, prints forever or crashes the grading
//! is recorded as such, and the batch goes on. All of them share the
//! dependencies compiled once from the student edition.
//!
//! Nothing a submission's code could have touched is trusted here: the
//! child grader runs from a private copy of this grader's executable
//! (checked before every start), hands its report back in a file, in a
//! folder this process made for it alone (so no cap on a pipe can cut a
//! large report), and this process alone writes every report,
//! `grades.csv` and `index.html`, once the child and everything it started
//! are dead.

use crate::cargo::Workspace;
use crate::lms::gradebook::{self, Book, GradebookError};
use crate::lms::roster::{Roster, RosterError};
use crate::lms::{Download, LmsError, Submitter};
use crate::policy::{Policy, PolicyError};

use crate::show;
use crate::submission::Places;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

mod child;
mod merge;
mod shard;
mod write;

pub use crate::lms::Graded;
pub use crate::standing::Standing;
use child::{grade_one, not_graded, PrivateGrader};
pub use merge::{merge, summary as merged, MergeError};
pub use shard::{holds, shard_of, summary as sharded, Manifest, MANIFEST};
use write::write_class;

#[derive(Debug, Error)]
pub enum BatchError {
    #[error(transparent)]
    Lms(#[from] LmsError),
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Gradebook(#[from] GradebookError),
    #[error("could not write {path}")]
    Write { path: PathBuf, source: io::Error },
    #[error("could not write grades.csv")]
    Csv(#[from] csv::Error),
    #[error("could not prepare the student edition")]
    Edition(#[from] crate::submission::SubmissionError),
    #[error("could not build the student edition's dependencies")]
    Seed(#[from] crate::cargo::BuildError),
}

/// Where a class's results go and what they hold: what a batch and a
/// merge of shards share.
pub struct Output {
    pub out: PathBuf,
    /// The instructor's workspace (its `grading.toml` sets the points).
    pub workspace: PathBuf,
    /// Report formats besides json and html, the roster, the gradebooks.
    pub written: crate::cli::Written,
}

/// What to grade and where the results go.
pub struct Options {
    pub dir: PathBuf,
    pub output: Output,
    pub jobs: usize,
    pub budget: Duration,
    /// The grader to run for each submission (this one): copied to a
    /// private folder before the first is graded.
    pub grader: PathBuf,
    /// Grade without a sandbox (the instructor said so).
    pub unsandboxed: bool,
    pub allow_crates: Vec<String>,
    pub target_dir: Option<PathBuf>,
    pub timeout_scale: f64,
    /// Grade only this shard of the class, and write a shard result.
    pub shard: Option<crate::cli::Shard>,
}

/// Reads the class's submissions, and the roster if there is one.
pub fn read(options: &Options) -> Result<Download, BatchError> {
    // A mistake in grading.toml stops the batch before anyone is graded.
    Policy::load(&options.output.workspace)?;
    let roster = match &options.output.written.roster {
        Some(path) => Some(Roster::read(path)?),
        None => None,
    };
    Ok(crate::lms::read(
        &options.dir,
        &options.output.out,
        roster.as_ref(),
    )?)
}

/// The gradebooks to write, each read against the LMS's own export before
/// anyone is graded: an `--assignment` that names no column of Canvas's
/// export stops the batch here.
pub fn gradebooks(output: &Output) -> Result<Vec<Book>, BatchError> {
    let written = &output.written;
    let ask = gradebook::Ask {
        assignment: &written.assignment,
        points_possible: written.points_possible,
        export: written.roster.as_deref(),
    };
    Ok(gradebook::prepare(&written.gradebook, &ask)?)
}

/// Grades every submission of `download` (of the shard, when a shard is
/// asked for) and writes the class's results with `books` (or the
/// shard's result); `done` is told of each as it finishes. A student on
/// the roster with no submission is recorded as such, and not graded.
pub fn run(
    options: &Options,
    download: &Download,
    books: &[Book],
    done: &(dyn Fn(&Graded) + Sync),
) -> Result<Vec<Graded>, BatchError> {
    let results = grade(options, download, done)?;
    match options.shard {
        Some(shard) => shard::write(options, download, shard, &results)?,
        None => write_class(&options.output, &results, books, &write::from_submission)?,
    }
    Ok(results)
}

/// Grades the students of `download` in the shard (all of them without
/// one): a shard of one is the whole class.
fn grade(
    options: &Options,
    download: &Download,
    done: &(dyn Fn(&Graded) + Sync),
) -> Result<Vec<Graded>, BatchError> {
    // Students of other shards are neither unpacked nor built.
    let ours = |who: &&Submitter| {
        options
            .shard
            .is_none_or(|shard| shard::holds(shard, &who.key))
    };
    let submissions: Vec<&Submitter> = download.handed_in().filter(ours).collect();
    let students = options.output.out.join("students");
    fs::create_dir_all(&students).map_err(|source| BatchError::Write {
        path: students.clone(),
        source,
    })?;
    let private = PrivateGrader::copy(&options.grader).map_err(|source| BatchError::Write {
        path: options.grader.clone(),
        source,
    })?;
    if !options.unsandboxed && !submissions.is_empty() {
        prepare(options)?;
    }
    let mut results: Vec<Graded> = crate::pool::parallel_map(&submissions, options.jobs, |who| {
        let graded = grade_one(options, &private, who);
        done(&graded);
        graded
    })
    .into_iter()
    .flatten()
    .collect();
    results.extend(
        download
            .students
            .iter()
            .filter(|who| who.path.is_none())
            .filter(ours)
            .map(|who| Graded {
                student: who.key.clone(),
                standing: not_graded(who),
                report: None,
                reason: match &who.reason {
                    Some(reason) => reason
                        .strip_prefix("rejected: ")
                        .unwrap_or(reason)
                        .to_string(),
                    None => String::new(),
                },
                submitter: who.clone(),
            }),
    );
    // The class in the download's order: by name.
    let order: Vec<&str> = download.students.iter().map(|s| s.key.as_str()).collect();
    results.sort_by_key(|g| order.iter().position(|k| *k == g.student));
    Ok(results)
}

/// Writes the student edition and compiles its dependencies once, before
/// any submission's budget starts: each child grader then finds both ready.
fn prepare(options: &Options) -> Result<(), BatchError> {
    let instructor = Workspace::open(&options.output.workspace)?;
    let places = Places::of(&instructor, options.target_dir.as_deref());
    let edition = crate::submission::edition(&instructor.root, &places.editions)?;
    // The seed is built the way a submission is: in a jail of its own.
    let dir = tempfile::Builder::new()
        .prefix("grader-seed-")
        .tempdir()
        .map_err(|e| BatchError::Seed(crate::cargo::BuildError::Spawn(e)))?;
    let jail = crate::sandbox::Jail::for_this_grader(dir.path())
        .map_err(|e| BatchError::Seed(crate::cargo::BuildError::Spawn(e)))?;
    crate::sandbox::build::seed(&edition, &places.seeds(), &jail)?;
    Ok(())
}

impl Options {
    /// The options `grader batch` was given; the grader to run for each
    /// submission is this one.
    pub fn from_cli(cli: &crate::cli::Batch) -> anyhow::Result<Options> {
        use anyhow::Context;
        Ok(Options {
            dir: cli.dir.clone(),
            output: Output {
                out: cli.out.clone(),
                workspace: cli.workspace.resolve()?,
                written: cli.written.clone(),
            },
            jobs: cli.jobs,
            budget: Duration::from_secs(cli.budget),
            grader: std::env::current_exe()
                .context("could not find the grader's own executable")?,
            allow_crates: cli.submissions.allow_crate.clone(),
            target_dir: cli.submissions.target_dir.clone(),
            timeout_scale: cli.timing.timeout_scale,
            unsandboxed: cli.submissions.unsandboxed,
            shard: cli.shard,
        })
    }
}

/// The progress bar of a batch on the terminal: how many are graded, how
/// many of those failed.
pub struct Progress {
    bar: indicatif::ProgressBar,
    failed: std::sync::atomic::AtomicUsize,
}

impl Progress {
    /// A bar for `count` submissions.
    pub fn new(count: usize) -> Progress {
        let bar = indicatif::ProgressBar::new(count as u64).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} graded, {msg} [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message("0 failed");
        Progress {
            bar,
            failed: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// One more submission graded.
    pub fn graded(&self, graded: &Graded) {
        if graded.standing != Standing::Graded {
            let n = self
                .failed
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                + 1;
            self.bar.set_message(format!("{n} failed"));
        }
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The summary `grader batch` prints: what the download was, a line per
/// student (score, standing, why), then where the class results are. Names
/// and reasons come from the submissions, and are shown inert.
pub fn summary(download: &Download, results: &[Graded], out: &Path, books: &[Book]) -> String {
    let mut summary = format!("{}\n", show::inert(&download.summary()));
    summary.push_str(&lines(results));
    summary.push_str(&written(results, out, books));
    summary
}

/// A line per student: score, standing, why.
fn lines(results: &[Graded]) -> String {
    let mut summary = String::new();
    for graded in results {
        let score = graded.report.as_ref().map_or("–".to_string(), |r| {
            format!("{}/{}", r.score, r.max_score)
        });
        let mut why: Vec<&str> = Vec::new();
        if graded.submitter.late {
            why.push("late");
        }
        if !graded.reason.is_empty() {
            why.push(&graded.reason);
        }
        let reason = if why.is_empty() {
            String::new()
        } else {
            format!(" ({})", show::inert(&why.join("; ")))
        };
        // The roster's name beside the key an LMS download files it under.
        let name = &graded.submitter.name;
        let who = if name.is_empty() || *name == graded.student {
            show::inert(&graded.student).into_owned()
        } else {
            show::inert(&format!("{} ({name})", graded.student)).into_owned()
        };
        summary.push_str(&format!(
            "{who:<24} {score:>7}  {}{reason}\n",
            graded.standing.as_str()
        ));
    }
    summary
}

/// Where the class's results are.
pub(crate) fn written(results: &[Graded], out: &Path, books: &[Book]) -> String {
    let mut summary = format!(
        "Wrote {} and {}\n",
        out.join("grades.csv").display(),
        out.join("index.html").display()
    );
    for book in books {
        let files: Vec<String> = gradebook::file_names(book.kind())
            .iter()
            .map(|f| out.join(f).display().to_string())
            .collect();
        summary.push_str(&format!("Wrote {}\n", files.join(" and ")));
        if let Some(words) = book.words(results, 0) {
            summary.push_str(&format!("  {words}\n"));
        }
    }
    summary
}

/// 2 when the grader could not grade a submission (not the student's
/// doing); a batch that graded everyone, however well, succeeded.
pub fn exit_code(results: &[Graded]) -> u8 {
    let any_error = results.iter().any(|g| g.standing == Standing::Error);
    if any_error {
        2
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lms::folder_name;

    #[test]
    fn student_ids_become_safe_folder_names() {
        assert_eq!(folder_name("ana.lima@uni"), "ana.lima@uni");
        assert_eq!(folder_name("../../etc"), ".._.._etc");
        assert_eq!(folder_name("Zoë Smith"), "Zoë_Smith");
    }

    #[test]
    fn the_summary_has_a_line_per_student_and_says_where_the_results_are() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("class/ana/task01")).unwrap();
        let download = crate::lms::read(&dir.path().join("class"), dir.path(), None).unwrap();
        let graded = |student: &str, standing, reason: &str, late| Graded {
            student: student.to_string(),
            standing,
            report: None,
            reason: reason.to_string(),
            submitter: Submitter {
                late,
                ..Submitter::default()
            },
        };
        let results = [
            graded("ana", Standing::TimedOut, "still grading after 300 s", true),
            graded("bo", Standing::Rejected, "", false),
            graded("cy", Standing::NoSubmission, "", false),
        ];
        let summary = summary(&download, &results, Path::new("out"), &[Book::Csv]);
        let lines: Vec<&str> = summary.lines().collect();
        assert_eq!(
            lines,
            [
                "Folder of submissions: 1 student",
                "ana                            –  timed out (late; still grading after 300 s)",
                "bo                             –  rejected",
                "cy                             –  no submission",
                "Wrote out/grades.csv and out/index.html",
                "Wrote out/gradebook.csv",
            ],
            "{summary}"
        );
        assert_eq!(exit_code(&results), 0);

        // Names and reasons from submissions are shown inert.
        let results = [graded(
            "evil\x1b[2J",
            Standing::Rejected,
            "link at x\x07",
            false,
        )];
        let shown = super::summary(&download, &results, Path::new("out"), &[]);
        assert_eq!(
            shown.lines().nth(1),
            Some(r"evil\u{1b}[2J                  –  rejected (link at x\u{7})"),
            "{shown}"
        );
        assert_eq!(
            exit_code(&[graded("dee", Standing::Error, "crash", false)]),
            2
        );
    }
}
