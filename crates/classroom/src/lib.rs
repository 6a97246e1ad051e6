//! The grader's classroom part, for instructors and CI, on Linux: untrusted
//! code graded safely, and a class graded as an LMS hands it out.
//!
//! - [`sandbox`]: untrusted code confined: its own network, processes,
//!   files and limits; `grader doctor` says which this machine has. It
//!   implements the engine's [`Confinement`](grader_engine::process::Confinement)
//!   and [`Sandbox`](grader_engine::run::Sandbox).
//! - [`submission`]: a student's sources laid onto a copy of the student
//!   edition, after `archive` has checked what the submission holds.
//! - [`batch`]: a class's submissions graded by child graders.
//! - [`lms`]: a class's submissions as an LMS hands them out (Canvas,
//!   Moodle, GitHub Classroom), and the gradebooks it imports.
//! - [`class`]: the class's `grades.csv` and page.
//! - [`similarity`]: code and behaviour shared across a class, as evidence
//!   for the instructor (`similarity.html`), never a grade.
//! - [`autograder`]: the Gradescope autograder zip, made of the edition.
//!
//! It stands on the engine ([`grader_engine`]), whose modules it names as
//! its own (`crate::report`, `crate::process`, …). On a system other than
//! Linux the crate is empty, so a workspace build there passes it by.
#![cfg(target_os = "linux")]

pub(crate) use grader_engine::{
    cargo, check, cli, policy, pool, process, python, report, run, show, starter, tasks, time,
};

mod archive;
pub mod autograder;
pub mod batch;
pub mod class;
pub mod lms;
pub mod sandbox;
pub mod similarity;
pub mod standing;
pub mod submission;
