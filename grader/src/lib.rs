//! The socket lab grader: the one entry point over the engine
//! ([`grader_engine`], every system) and the classroom's part
//! (`grader-classroom`, Linux, left out of the student edition), whose
//! modules it names as its own. Its own modules are the modes that join
//! them:
//! - [`grade`]: the default mode, a workspace or a submission graded and
//!   the report written.
//! - [`hint`]: hints for the first failing check, a level at a time.
//! - [`replay`]: one check run again, its transcript printed.
//! - [`watch`]: re-grading as files are saved.
//!
//! The classroom's part is there under `cfg(classroom)`: the `classroom`
//! feature on Linux (see `build.rs`).

pub use grader_engine::{
    bench, cargo, check, cli, harness, hygiene, outcome, output, peer, platform, policy, pool,
    process, python, report, run, show, signal, starter, tasks, time, work,
};

#[cfg(classroom)]
pub use grader_classroom::{autograder, batch, class, lms, sandbox, similarity, submission};

pub mod grade;
pub mod hint;
pub mod replay;
pub mod watch;
