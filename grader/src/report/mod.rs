//! The report: what a grading run found, as data.
//!
//! The runner fills it in; each renderer (`human`, `json`) only reads it.
//! Its JSON form is the contract's schema, and `expected`, `actual` and
//! `transcript` are added where they say something.

pub mod human;

use crate::check::{Role, Status};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub score: u32,
    pub max_score: u32,
    pub tasks: Vec<TaskReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Build {
    Ok,
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskReport {
    pub task: String,
    pub score: u32,
    pub max_score: u32,
    pub build: Build,
    /// The first compiler errors, when the task did not build.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub build_errors: Vec<String>,
    pub checks: Vec<CheckReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub id: String,
    pub title: String,
    pub role: Role,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    pub message: String,
    pub hint: String,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<String>,
}

impl Report {
    pub fn new(tasks: Vec<TaskReport>) -> Report {
        Report {
            version: 1,
            score: tasks.iter().map(|t| t.score).sum(),
            max_score: tasks.iter().map(|t| t.max_score).sum(),
            tasks,
        }
    }

    fn checks(&self) -> impl Iterator<Item = &CheckReport> {
        self.tasks.iter().flat_map(|t| &t.checks)
    }

    /// The exit status the contract gives this report: 0 when every check
    /// passed, 2 when any check ended in `error`, else 1.
    pub fn exit_code(&self) -> u8 {
        if self.checks().any(|c| c.status == Status::Error) {
            2
        } else if self.checks().any(|c| c.status == Status::Fail) {
            1
        } else {
            0
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

impl TaskReport {
    pub fn new(
        task: &str,
        build: Build,
        build_errors: Vec<String>,
        checks: Vec<CheckReport>,
    ) -> TaskReport {
        TaskReport {
            task: task.to_string(),
            score: checks.iter().map(|c| c.points).sum(),
            max_score: checks.iter().map(|c| c.max_points).sum(),
            build,
            build_errors,
            checks,
        }
    }
}
