//! Without the classroom's part (the student edition, or a system other
//! than Linux) there is no sandbox: a submission or `--sandbox` is refused
//! with where to grade it instead.

use crate::cli::Grade;
use crate::policy::Policy;
use crate::report::Report;
use crate::run;
use crate::tasks::Task;
use std::path::{Path, PathBuf};

/// Nothing: the code graded is the student's own.
pub struct Untrusted;

impl Untrusted {
    pub fn prepare(
        cli: &Grade,
        _workspace: &Path,
        _tasks: &[Task],
        _policy: &Policy,
    ) -> anyhow::Result<Untrusted> {
        if cli.submission.is_some() || cli.sandbox {
            anyhow::bail!("{}", crate::cli::NEEDS_LINUX);
        }
        Ok(Untrusted)
    }

    pub fn workspace(&self) -> Option<PathBuf> {
        None
    }

    pub fn shared_target(&self) -> Option<PathBuf> {
        None
    }

    pub fn sandbox(&self) -> Option<Box<dyn run::Sandbox>> {
        None
    }

    pub fn annotate(&self, _report: &mut Report) {}
}

/// Nothing to tell: without the classroom's part no submission is read.
pub fn tell_gradescope(_cli: &Grade, _err: &anyhow::Error) -> anyhow::Result<()> {
    Ok(())
}
