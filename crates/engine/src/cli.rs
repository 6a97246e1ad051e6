//! The grader's command line: every flag in one place, and what turns a
//! flag's text into what the grader works with (a workspace folder, tasks,
//! a program).
//!
//! Its helpers return `anyhow` errors, as the modes of the grader do: they
//! end up as the binary's `grader: …` message.

use crate::process::Program;
pub use crate::report::Format;
use crate::tasks::{self, Task};
use crate::time::Timing;
use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

mod merge;
mod similarity;
pub use merge::{Merge, Shard, Written};
pub use similarity::{Compare, Export, Similarity};

/// Grades the socket lab tasks by playing the other side of each socket.
#[derive(Parser, Debug)]
#[command(name = "grader", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub grade: Grade,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Grade a whole class: a folder of submissions or an LMS's download
    Batch(Batch),
    /// Merge the shard results of `batch --shard` into one class's results
    Merge(Merge),
    /// Compare a graded class's code and behaviour: similarity.html, evidence to read, never a grade
    Similarity(Similarity),
    /// Write the student edition: this workspace with the solutions cut out
    Starter(Starter),
    /// Write the Gradescope autograder zip: its scripts and the student edition
    Autograder(Autograder),
    /// Show a hint for the first failing check of a task, one level at a time
    Hint(Hint),
    /// Re-grade a task every time one of its files is saved, until Ctrl-C
    Watch(Watch),
    /// Load an echo server with many clients at once and measure it
    Bench(Bench),
    /// Run one check again and print everything it did, with timestamps
    Replay(Replay),
    /// Say which sandbox layers this machine gives untrusted code
    Doctor,
}

/// Replaying one check.
#[derive(Args, Debug)]
pub struct Replay {
    /// The check's id, as reports show it (`task03.server.echo_1mib`)
    pub check: String,

    #[command(flatten)]
    pub workspace: WorkspaceDir,

    /// Run this command as the server, as when grading with --server-cmd
    #[arg(long, value_name = "COMMAND")]
    pub server_cmd: Option<String>,

    /// Run this command as the client, as when grading with --client-cmd
    #[arg(long, value_name = "COMMAND")]
    pub client_cmd: Option<String>,

    #[command(flatten)]
    pub timing: TimeoutScale,
}

/// The load generator.
#[derive(Args, Debug)]
pub struct Bench {
    /// The echo task to load: task04 (lines), task03 (bytes) or task05
    /// (datagrams; a datagram with no echo within a second counts as an error)
    pub task: String,

    /// Numbers of clients at once, one level each
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    pub conns: Vec<usize>,

    /// Messages each client sends, waiting for each echo
    #[arg(long, default_value_t = 100)]
    pub messages: usize,

    /// Bytes per message (a line's newline included)
    #[arg(long, default_value_t = 64)]
    pub size: usize,

    /// Draw throughput and p99 latency against the clients into this SVG
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,

    /// Measure this task's server too, on the same levels and chart
    #[arg(long, value_name = "TASK")]
    pub compare: Option<String>,

    /// Load a server already running here instead of starting the task's
    /// (traffic goes only to this address)
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,

    /// Seconds one level may take before its unfinished clients count as errors
    #[arg(long, default_value_t = 60)]
    pub limit: u64,

    /// Build the servers optimised (as `cargo build --release`)
    #[arg(long)]
    pub release: bool,

    #[command(flatten)]
    pub workspace: WorkspaceDir,
}

/// Writing the student edition.
#[derive(Args, Debug)]
pub struct Starter {
    /// Where to write it (a new or empty folder)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Write into DIR even if it is not empty
    #[arg(long)]
    pub force: bool,

    /// Write the edition of a Python course: each task folder holds
    /// `server.py` and `client.py` stubs, cut from the Python reference
    /// solutions (`taskNN_*/python/`)
    #[arg(long)]
    pub python: bool,

    #[command(flatten)]
    pub workspace: InstructorWorkspace,
}

/// Writing the Gradescope autograder zip.
#[derive(Args, Debug)]
pub struct Autograder {
    /// Where to write the zip (a file there is replaced)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    pub workspace: InstructorWorkspace,
}

/// Asking for a hint.
#[derive(Args, Debug)]
pub struct Hint {
    /// The task (`task03`, `3`)
    pub task: String,

    /// The next level of hint (repeat for more: --more --more)
    #[arg(long, action = clap::ArgAction::Count)]
    pub more: u8,

    #[command(flatten)]
    pub workspace: WorkspaceDir,
}

/// Watch mode.
#[derive(Args, Debug)]
pub struct Watch {
    /// The task to watch (`task01`, `1`); all when none is given
    pub task: Option<String>,

    #[command(flatten)]
    pub workspace: WorkspaceDir,

    #[command(flatten)]
    pub timing: TimeoutScale,
}

/// Grading one workspace or submission (the default command).
#[derive(Args, Debug)]
pub struct Grade {
    /// Tasks to grade (`task03`, `3`, `task03_echo`); all when none is given
    pub tasks: Vec<String>,

    /// List the checks and their points instead of grading
    #[arg(long)]
    pub list: bool,

    /// Report format on stdout
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also write the report in FORMAT to FILE (repeatable), e.g.
    /// `--output junit=results.xml --output html=report.html`
    #[arg(long, value_name = "FORMAT=FILE", value_parser = output)]
    pub output: Vec<(Format, PathBuf)>,

    /// The workspace to grade (default: the one the current folder is in);
    /// with --submission, the instructor's workspace
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// Grade a student's submission (a folder or a .zip): its task sources
    /// are laid into a fresh copy of the instructor's workspace
    #[arg(long, value_name = "PATH")]
    pub submission: Option<PathBuf>,

    #[command(flatten)]
    pub submissions: Submissions,

    /// Run the workspace's programs in the sandbox, as untrusted code is
    /// (on by default with --submission)
    #[arg(long, conflicts_with = "unsandboxed")]
    pub sandbox: bool,

    /// Grade this command as the server, e.g. 'python3 server.py'; the
    /// grader appends `--host H --port P` and the task's own arguments
    #[arg(long, value_name = "COMMAND")]
    pub server_cmd: Option<String>,

    /// Grade this command as the client, e.g. 'python3 client.py'
    #[arg(long, value_name = "COMMAND")]
    pub client_cmd: Option<String>,

    #[command(flatten)]
    pub timing: TimeoutScale,

    /// Show each check's duration and transcript
    #[arg(long, short)]
    pub verbose: bool,

    /// Run every check N times and flag as flaky (an `error`) any whose
    /// verdict changes: for hunting grader bugs
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub repeat: usize,

    /// The title of the HTML report
    #[arg(long, default_value = "Socket lab report")]
    pub title: String,
}

/// How submissions are built.
#[derive(Args, Debug, Clone)]
pub struct Submissions {
    /// A crate submissions may add to a task's dependencies (repeatable;
    /// clap and socket2 are always allowed)
    #[arg(long, value_name = "CRATE")]
    pub allow_crate: Vec<String>,

    /// The target folder submissions share, so dependencies are compiled
    /// once (default: `grader-submissions` in the workspace's target folder)
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,

    /// Grade submissions WITHOUT a sandbox, where this machine has none:
    /// their code then runs as you, and every report says so
    #[arg(long)]
    pub unsandboxed: bool,
}

/// Grading a folder of submissions.
#[derive(Args, Debug)]
pub struct Batch {
    /// The submissions: a folder of one subfolder or .zip per student, or
    /// an LMS's download as it comes (a Canvas or Moodle zip or folder, a
    /// GitHub Classroom clone folder)
    pub dir: PathBuf,

    /// Where to write grades.csv, index.html and one report per student
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// How many submissions to grade at once
    #[arg(long, short, default_value_t = 2)]
    pub jobs: usize,

    /// Seconds one submission may take, build included, before it is
    /// stopped and recorded as timed out
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub budget: u64,

    #[command(flatten)]
    pub written: Written,

    /// Grade only shard K of N (1 ≤ K ≤ N): the students whose key's
    /// BLAKE3 hash (its first 8 bytes, little-endian) modulo N is K-1.
    /// Writes a shard result for `grader merge` instead of grades.csv and
    /// index.html
    #[arg(long, value_name = "K/N", conflicts_with = "similarity")]
    pub shard: Option<Shard>,

    /// Also compare the class's code and behaviour (similarity.html,
    /// similarity.csv): evidence of copying to read, never a grade
    #[arg(long)]
    pub similarity: bool,

    #[command(flatten)]
    pub compare: Compare,

    #[command(flatten)]
    pub workspace: InstructorWorkspace,

    #[command(flatten)]
    pub submissions: Submissions,

    #[command(flatten)]
    pub timing: TimeoutScale,
}

// The flags several commands share. Plain comments, not doc comments, on
// these structs: a flattened struct's doc comment would stand in for the
// command's own help.

// `--workspace` where it is the workspace worked in.
#[derive(Args, Debug)]
pub struct WorkspaceDir {
    /// The workspace (default: the one the current folder is in)
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

// `--workspace` where it is the instructor's.
#[derive(Args, Debug)]
pub struct InstructorWorkspace {
    /// The instructor's workspace (default: the one the current folder is in)
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

// `--timeout-scale`.
#[derive(Args, Debug)]
pub struct TimeoutScale {
    /// Multiply every timeout by this factor (for slow machines)
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = positive)]
    pub timeout_scale: f64,
}

impl WorkspaceDir {
    /// The folder given, else the default ([`workspace`]).
    pub fn resolve(&self) -> anyhow::Result<PathBuf> {
        workspace(self.workspace.as_deref())
    }
}

impl InstructorWorkspace {
    /// The folder given, else the default ([`workspace`]).
    pub fn resolve(&self) -> anyhow::Result<PathBuf> {
        workspace(self.workspace.as_deref())
    }
}

impl TimeoutScale {
    pub fn timing(&self) -> Timing {
        Timing::new(self.timeout_scale)
    }
}

/// `--workspace`, else the current folder, else the workspace the grader
/// was built in (for a grader run from outside any workspace).
pub fn workspace(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = given {
        return dir
            .canonicalize()
            .with_context(|| format!("no workspace at {}", dir.display()));
    }
    let here = std::env::current_dir().context("could not read the current folder")?;
    if here.ancestors().any(|dir| dir.join("Cargo.toml").is_file()) {
        return Ok(here);
    }
    Ok(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// The tasks named (`task03`, `3`, `task03_echo`), all when none is.
pub fn chosen_tasks(names: &[String]) -> anyhow::Result<Vec<Task>> {
    let all = tasks::all();
    if names.is_empty() {
        return Ok(all);
    }
    for name in names {
        if !all.iter().any(|task| task.is_named(name)) {
            let known: Vec<&str> = all.iter().map(|t| t.package).collect();
            bail!("no task `{name}`; the tasks are {}", known.join(", "));
        }
    }
    Ok(all
        .into_iter()
        .filter(|task| names.iter().any(|n| task.is_named(n)))
        .collect())
}

/// The program of a `--server-cmd` or `--client-cmd` command line.
pub fn command(text: Option<&str>, flag: &str) -> anyhow::Result<Option<Program>> {
    let Some(text) = text else { return Ok(None) };
    match shlex::split(text) {
        Some(argv) if !argv.is_empty() => Ok(Some(Program::new(argv))),
        _ => bail!("{flag} `{text}` is not a command line (empty, or unbalanced quotes)"),
    }
}

fn output(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not FORMAT=FILE"))?;
    let format = Format::from_str(format, true)?;
    Ok((format, PathBuf::from(file)))
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(scale) if scale.is_finite() && scale > 0.0 => Ok(scale),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

/// The gradebooks `--gradebook` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Gradebook {
    /// Canvas's gradebook import CSV and a feedback zip to re-upload.
    Canvas,
    /// Moodle's grading worksheet CSV and its feedback files zip.
    Moodle,
    /// A plain CSV with every id the kit knows.
    Csv,
}

/// What a grader without its classroom part says when asked for it.
pub const NEEDS_LINUX: &str = "this needs the grader's classroom part (the sandbox, submissions, batches), which runs on Linux only and is not in the student edition: use the instructor's workspace on a Linux machine, the course's GitHub workflow, or Gradescope";
