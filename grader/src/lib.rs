//! The socket lab grader.
//!
//! # Layout
//! Data flows one way: arguments → build → supervise → play the peer →
//! judge → report.
//! - [`cli`]: the command line.
//! - [`cargo`]: builds the tasks and finds their executables.
//! - [`process`]: a supervised child (own process group, output as lines,
//!   waits with deadlines, killed and reaped on every path out).
//! - [`peer`]: the grader's own sockets, all with deadlines.
//! - [`check`]: checks as data, and their outcomes.
//! - [`harness`]: running a check: starting the programs, playing the
//!   grader's side, judging what came back.
//! - [`tasks`]: each task's checks.
//! - [`run`]: runs the checks of the chosen tasks into a [`report`].
//! - [`report`]: the report model and its renderers.
//! - [`batch`]: a class's submissions graded by child graders.
//! - [`submission`]: a student's sources laid onto a copy of the student
//!   edition, after `archive` has checked what the submission holds.
//! - [`sandbox`]: untrusted code confined: its own network, processes,
//!   files and limits.
//! - [`starter`]: the student edition, solutions cut out.
//! - [`autograder`]: the Gradescope autograder zip, made of the edition.
//! - [`watch`]: re-grading as files are saved.
//! - [`time`] and [`show`]: deadlines, and bytes shown to people.

mod archive;
pub mod autograder;
pub mod batch;
pub mod bench;
pub mod cargo;
pub mod check;
pub mod cli;
pub mod harness;
pub mod hygiene;
pub mod peer;
pub mod process;
pub mod report;
pub mod run;
pub mod sandbox;
pub mod show;
pub mod starter;
pub mod submission;
pub mod tasks;
pub mod time;
pub mod watch;
