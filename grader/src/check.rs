//! Checks as data, and their outcomes.
//!
//! A [`Check`] is an id, a title, a role, points, a hint and a function.
//! The function gets a [`Ctx`] (see [`crate::harness`], which runs it) and
//! returns `Ok(())` for a pass or an [`Outcome`] saying what went wrong.

use serde::{Deserialize, Serialize};

pub use crate::harness::{Ctx, Finished, Server, Subjects};

/// Which side of the socket the check tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The submission's server, with the grader as its client.
    Server,
    /// The submission's client, with the grader as its server.
    Client,
    /// The submission's client against the submission's server.
    Pair,
}

impl Role {
    pub fn needs_server(self) -> bool {
        matches!(self, Role::Server | Role::Pair)
    }

    pub fn needs_client(self) -> bool {
        matches!(self, Role::Client | Role::Pair)
    }
}

/// What a check found, when it is not a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// The submission did the wrong thing.
    Fail,
    /// The grader could not run the check: never the student's fault.
    Error,
    Skipped,
}

impl Outcome {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            expected: None,
            actual: None,
        }
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Outcome::new(Status::Fail, message)
    }

    pub fn error(message: impl Into<String>) -> Self {
        Outcome::new(Status::Error, message)
    }

    pub fn skip(message: impl Into<String>) -> Self {
        Outcome::new(Status::Skipped, message)
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }
}

pub type CheckResult = Result<(), Outcome>;

/// One graded behaviour.
pub struct Check {
    /// Stable id, `task03.server.echo_1mib`: the same in code, reports and docs.
    pub id: String,
    pub title: &'static str,
    pub role: Role,
    pub points: u32,
    /// Shown with a failure: where to look, not the answer.
    pub hint: &'static str,
    pub run: fn(&mut Ctx) -> CheckResult,
}
