//! Untrusted code: a submission laid on the student edition, and the
//! sandbox that builds and runs it (also the grader's own workspace under
//! `--sandbox`).

use crate::cargo::Workspace;
use crate::cli::{Format, Grade, Submissions};
use crate::output::emit;
use crate::policy::Policy;
use crate::report::{Protection, Report};
use crate::run;
use crate::sandbox;
use crate::submission::{self, Limits, DEFAULT_ALLOWED};
use crate::tasks::Task;
use anyhow::Context;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What grading untrusted code needs, kept until grading ends: the jail's
/// folder and the copy the submission was laid in.
pub struct Untrusted {
    laid: Option<LaidSubmission>,
    jail: Option<sandbox::Jail>,
    unsandboxed: bool,
    _jail_dir: Option<tempfile::TempDir>,
}

impl Untrusted {
    /// Enters the sandbox when the code is untrusted (or `--sandbox`), with
    /// the budget `policy` sets, and lays the submission, if any, on the
    /// student edition.
    pub fn prepare(
        cli: &Grade,
        workspace: &Path,
        tasks: &[Task],
        policy: &Policy,
    ) -> anyhow::Result<Untrusted> {
        let untrusted = cli.submission.is_some();
        let unsandboxed = untrusted && cli.submissions.unsandboxed;
        // The jail's folder lives until grading ends.
        let (jail, jail_dir) = if (untrusted && !unsandboxed) || cli.sandbox {
            let (jail, dir) = sandbox::doctor::enter(policy.sandbox)?;
            (Some(jail), Some(dir))
        } else {
            (None, None)
        };
        // A submission is graded in a copy of the student edition that
        // holds the student's task sources.
        let laid = match &cli.submission {
            Some(path) => Some(lay_submission(
                path,
                workspace,
                tasks,
                &cli.submissions,
                jail.as_ref()
                    .zip(jail_dir.as_ref().map(tempfile::TempDir::path)),
            )?),
            None => None,
        };
        Ok(Untrusted {
            laid,
            jail,
            unsandboxed,
            _jail_dir: jail_dir,
        })
    }

    /// The workspace to grade, when it is not the one given: the laid copy.
    pub fn workspace(&self) -> Option<PathBuf> {
        Some(self.laid.as_ref()?.laid.workspace.clone())
    }

    /// The target folder a submission builds in, shared with others.
    pub fn shared_target(&self) -> Option<PathBuf> {
        Some(self.laid.as_ref()?.places.shared.clone())
    }

    /// The sandbox that builds and confines the code.
    pub fn sandbox(&self) -> Option<Box<dyn run::Sandbox>> {
        let jail = self.jail.clone()?;
        let build = self.laid.as_ref().map(|laid| sandbox::ConfinedBuild {
            edition: laid.edition.clone(),
            seeds: laid.places.seeds(),
        });
        Some(Box::new(sandbox::Sandboxed::new(jail, build)))
    }

    /// Adds to `report` the submission's notes, and that it ran
    /// unsandboxed.
    pub fn annotate(&self, report: &mut Report) {
        if let Some(laid) = &self.laid {
            report.notes.splice(0..0, laid.laid.notes.iter().cloned());
        }
        if self.unsandboxed {
            report.sandbox = Some(Protection::unsandboxed());
        }
    }
}

/// A submission laid on the student edition.
struct LaidSubmission {
    laid: submission::Laid,
    /// The student edition it was laid on.
    edition: PathBuf,
    places: submission::Places,
}

/// Lays the submission into a copy of `workspace`'s student edition; cargo
/// reads its manifests in `jail` (with its folder) when there is one.
fn lay_submission(
    path: &Path,
    workspace: &Path,
    tasks: &[Task],
    how: &Submissions,
    jail: Option<(&sandbox::Jail, &Path)>,
) -> anyhow::Result<LaidSubmission> {
    let instructor = Workspace::open(workspace)?;
    let places = submission::Places::of(&instructor, how.target_dir.as_deref());
    let allowed: BTreeSet<String> = DEFAULT_ALLOWED
        .iter()
        .map(|s| s.to_string())
        .chain(how.allow_crate.iter().cloned())
        .collect();
    // Laid on the student edition: the reference solutions are never in
    // the workspace a submission builds in.
    let edition = submission::edition(&instructor.root, &places.editions)?;
    let mut laid = submission::lay(path, &edition, tasks, &allowed, &Limits::default())?;
    let laid_at = laid.workspace.clone();
    if let Some((jail, _)) = jail {
        // Resolving may write the lock file (a task that adds an allowed
        // crate), as the submission's user.
        std::os::unix::fs::lchown(laid_at.join("Cargo.lock"), Some(jail.uid), Some(jail.gid))?;
    }
    let cargo = |command: &mut std::process::Command| match jail {
        Some((jail, dir)) => {
            let target = dir.join("resolve-target");
            std::fs::create_dir_all(&target)?;
            sandbox::view::confine(command, jail, &target, &laid_at)
        }
        None => Ok(()),
    };
    submission::keep_resolvable(&mut laid, &edition, tasks, &cargo)?;
    Ok(LaidSubmission {
        laid,
        edition,
        places,
    })
}

/// A submission with nothing to grade (no task folder, a rule broken, a
/// zip that does not read) still gives Gradescope a results.json, saying
/// why: the student reads it, not the grader's error. The exit status
/// stays the error's.
pub fn tell_gradescope(cli: &Grade, err: &anyhow::Error) -> anyhow::Result<()> {
    use submission::SubmissionError;
    let refused = match err.downcast_ref::<SubmissionError>() {
        Some(
            refused @ (SubmissionError::NoTasks { .. }
            | SubmissionError::Rejected { .. }
            | SubmissionError::Zip { .. }),
        ) => refused,
        _ => return Ok(()),
    };
    let text = crate::report::gradescope::nothing_to_grade(&refused.to_string());
    if cli.format == Format::Gradescope {
        emit(&format!("{text}\n"), false)?;
    }
    for (_, file) in cli.output.iter().filter(|(f, _)| *f == Format::Gradescope) {
        std::fs::write(file, &text)
            .with_context(|| format!("could not write {}", file.display()))?;
    }
    Ok(())
}
