//! The socket lab grader.
//!
//! # Layout
//! Data flows one way: arguments → build → supervise → play the peer →
//! judge → report.
//! - [`cli`]: the command line, and what reads its flags (the workspace,
//!   the tasks, a program).
//! - [`cargo`]: builds the tasks and finds their executables.
//! - [`process`]: a supervised child (own process group, output as lines,
//!   waits with deadlines, killed and reaped on every path out).
//! - [`signal`]: Ctrl-C and SIGTERM: every child stopped, nothing new
//!   started, the report written, exit 130.
//! - [`peer`]: the grader's own sockets, all with deadlines.
//! - [`outcome`]: what a check found; [`check`]: checks as data.
//! - [`platform`]: which system the grader runs on, and what it can judge
//!   there.
//! - [`harness`]: running a check: starting the programs, playing the
//!   grader's side, judging what came back.
//! - [`tasks`]: each task's checks.
//! - [`pool`]: a few things at once (checks, submissions), stopping with
//!   the grader.
//! - [`run`]: runs the checks of the chosen tasks into a [`report`].
//! - [`work`]: points need work: a binary's edge checks (arguments, error
//!   paths, signals) count once it passes a check on the wire.
//! - [`policy`]: `grading.toml`, the instructor's points, weights and
//!   visibility.
//! - [`report`]: the report model and its renderers.
//! - [`output`]: writing to stdout.
//!
//! The classroom's part (`batch`, `lms`, `submission`, `sandbox`,
//! `autograder`, and `archive`) is compiled under `cfg(classroom)`: the
//! `classroom` feature on Linux (see `build.rs`). Without it, the student's
//! grader builds on macOS and Windows.
//!
//! The grader's modes, one module each, called by the binary:
//! - [`grade`]: the default mode, a workspace or a submission graded and
//!   the report written.
//! - [`batch`]: a class's submissions graded by child graders.
//! - [`lms`]: a class's submissions as an LMS hands them out (Canvas,
//!   Moodle, GitHub Classroom), and the gradebooks it imports.
//! - [`submission`]: a student's sources laid onto a copy of the student
//!   edition, after `archive` has checked what the submission holds.
//! - [`sandbox`]: untrusted code confined: its own network, processes,
//!   files and limits; `grader doctor` says which this machine has.
//! - [`hint`]: hints for the first failing check, a level at a time.
//! - [`replay`]: one check run again, its transcript printed.
//! - [`bench`](mod@bench): an echo server under load.
//! - [`starter`]: the student edition, solutions cut out.
//! - [`autograder`]: the Gradescope autograder zip, made of the edition.
//! - [`watch`]: re-grading as files are saved.
//! - [`time`] and [`show`]: deadlines, and bytes shown to people.

#[cfg(classroom)]
mod archive;
#[cfg(classroom)]
pub mod autograder;
#[cfg(classroom)]
pub mod batch;
pub mod bench;
pub mod cargo;
pub mod check;
pub mod cli;
pub mod grade;
pub mod harness;
pub mod hint;
pub mod hygiene;
#[cfg(classroom)]
pub mod lms;
pub mod outcome;
pub mod output;
pub mod peer;
pub mod platform;
pub mod policy;
pub mod pool;
pub mod process;
pub mod replay;
pub mod report;
pub mod run;
#[cfg(classroom)]
pub mod sandbox;
pub mod show;
pub mod signal;
pub mod starter;
#[cfg(classroom)]
pub mod submission;
pub mod tasks;
pub mod time;
pub mod watch;
pub mod work;
