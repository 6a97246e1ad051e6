//! How one submission's grading ended, as every file of a class says it.

/// How one submission's grading ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Standing {
    Graded,
    DidNotBuild,
    TimedOut,
    /// Nothing in the submission looks like a task folder.
    NoTasks,
    /// The submission broke a rule (a link, a zip bomb): not graded.
    Rejected,
    /// The grader could not grade it (a corrupt zip, a crash).
    Error,
    /// On the roster, with nothing handed in.
    NoSubmission,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Graded => "graded",
            Standing::DidNotBuild => "did not build",
            Standing::TimedOut => "timed out",
            Standing::NoTasks => "no task folders found",
            Standing::Rejected => "rejected",
            Standing::Error => "error",
            Standing::NoSubmission => "no submission",
        }
    }
}
