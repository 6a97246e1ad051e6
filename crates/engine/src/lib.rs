//! The grader's engine: what a student's own run needs, on Linux, macOS
//! and Windows. It builds the tasks, supervises their programs, plays the
//! other side of each socket, judges, and reports one run.
//!
//! # Layout
//! Data flows one way: arguments → build → supervise → play the peer →
//! judge → report.
//! - [`cli`]: the command line, and what reads its flags (the workspace,
//!   the tasks, a program).
//! - [`cargo`]: builds the tasks and finds their executables.
//! - [`process`]: a supervised child (own process group, output as lines,
//!   waits with deadlines, killed and reaped on every path out), and what
//!   confines it when the code is untrusted ([`process::Confinement`]).
//! - [`signal`]: Ctrl-C and SIGTERM: every child stopped, nothing new
//!   started, the report written, exit 130.
//! - [`peer`]: the grader's own sockets, all with deadlines.
//! - [`outcome`]: what a check found; [`check`]: checks as data.
//! - [`platform`]: which system the grader runs on, and what it can judge
//!   there; [`hygiene`]: what the OS says of a program, where it says it.
//! - [`harness`]: running a check: starting the programs, playing the
//!   grader's side, judging what came back.
//! - [`tasks`]: each task's checks.
//! - [`pool`]: a few things at once (checks, submissions), stopping with
//!   the grader.
//! - [`run`]: runs the checks of the chosen tasks into a [`report`], with
//!   the classroom's sandbox behind [`run::Sandbox`] when there is one.
//! - [`work`]: points need work: a binary's edge checks (arguments, error
//!   paths, signals) count once it passes a check on the wire.
//! - [`policy`]: `grading.toml`, the instructor's points, weights and
//!   visibility, which a student's own run honours too.
//! - [`report`]: the report model and its renderers.
//! - [`bench`](mod@bench): an echo server under load.
//! - [`starter`]: the student edition, solutions cut out.
//! - [`output`], [`time`] and [`show`]: stdout, deadlines, and bytes shown
//!   to people.
//!
//! Nothing here depends on the classroom's crate (`grader-classroom`): the
//! compiler keeps the line.

pub mod bench;
pub mod cargo;
pub mod check;
pub mod cli;
pub mod harness;
pub mod hygiene;
pub mod outcome;
pub mod output;
pub mod peer;
pub mod platform;
pub mod policy;
pub mod pool;
pub mod process;
pub mod python;
pub mod report;
pub mod run;
pub mod show;
pub mod signal;
pub mod starter;
pub mod tasks;
pub mod time;
pub mod work;
