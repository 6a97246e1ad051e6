//! The [`Jail`] as the engine sees it: a [`Confinement`] that each start of
//! a program goes through.

use super::cgroup::{Budget, Counters};
use super::Jail;
use crate::process::{BudgetMark, Confinement};
use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

/// The only `PATH` a jailed program gets.
const JAILED_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

impl Confinement for Jail {
    fn confine(&self, command: &mut Command, argv: &[String]) -> io::Result<()> {
        let name = argv
            .first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
        // Nothing of the grader's environment (a CI token, say) reaches
        // untrusted code.
        command.env_clear().env("PATH", JAILED_PATH);
        let mut prepared = self.prepare(&executable(name)?)?;
        prepared.exec_from_file(argv, &[format!("PATH={JAILED_PATH}")])?;
        // SAFETY: `enter` and `exec` make only async-signal-safe calls;
        // whatever allocates was done by `prepare` and `exec_from_file`.
        unsafe {
            command.pre_exec(move || {
                prepared.enter()?;
                prepared.exec()
            });
        }
        Ok(())
    }

    fn mark(&self) -> Option<Box<dyn BudgetMark>> {
        let budget = Arc::clone(self.budget.as_ref().ok()?);
        let before = budget.counters();
        Some(Box::new(Mark { budget, before }))
    }

    fn explain(&self, message: &str, stderr: &[String]) -> Option<String> {
        super::explain(message, stderr, &self.limits)
    }
}

/// The budget's counters when a check began.
struct Mark {
    budget: Arc<Budget>,
    before: Counters,
}

impl BudgetMark for Mark {
    fn hit_since(&self) -> Vec<String> {
        self.budget.hit_since(&self.before)
    }
}

/// The file `name` runs: itself when it has a slash, else the first match
/// on `PATH`.
fn executable(name: &str) -> io::Result<PathBuf> {
    let found = if name.contains('/') {
        Some(PathBuf::from(name))
    } else {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|file| file.is_file())
        })
    };
    found
        .and_then(|file| file.canonicalize().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no program `{name}`")))
}
