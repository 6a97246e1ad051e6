//! The grader's default mode: grade one workspace, or one submission laid
//! on the student edition, and write the report in every format asked for.
//!
//! This module turns the command line ([`cli::Grade`]) into
//! [`run::Options`]: the sandbox to enter, the submission to lay out, the
//! programs to grade. [`run`] does the grading; the renderers in
//! [`report`] write it.
//!
//! [`report`]: crate::report

use crate::cargo::Workspace;
use crate::cli::{self, Format, Grade, Submissions};
use crate::output::emit;
use crate::policy::Policy;
use crate::report::Protection;
use crate::report::{human, Report};
use crate::run::{self, Options};
use crate::sandbox;
use crate::submission::{self, Limits, DEFAULT_ALLOWED};
use crate::tasks::Task;
use crate::time::Timing;
use anyhow::{bail, Context};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// `grader [TASK]…`: grades, writes the reports, and returns the exit code.
pub fn grade(cli: &Grade) -> anyhow::Result<u8> {
    let mut tasks = cli::chosen_tasks(&cli.tasks)?;
    // The instructor's points and visibility (grading.toml), before
    // anything is listed or graded.
    let policy = Policy::load(&cli::workspace(cli.workspace.as_deref())?)?;
    policy.apply(&mut tasks, cli.submission.is_none());
    if cli.list {
        emit(&human::list(&tasks), false)?;
        return Ok(0);
    }
    let grading = match Grading::prepare(cli, &tasks, &policy) {
        Ok(grading) => grading,
        Err(err) => {
            tell_gradescope(cli, &err)?;
            return Err(err);
        }
    };
    let show_progress = cli.format == Format::Human && std::io::stderr().is_terminal();
    let progress = |step: run::Progress| {
        if show_progress {
            human::progress(step);
        }
    };
    let mut report = run::grade(&tasks, &grading.options, &progress)?;
    if show_progress {
        human::done();
    }
    grading.annotate(&mut report, &tasks);
    policy.mark(&mut report);
    write_reports(cli, &report)?;
    Ok(report.exit_code())
}

/// A grading run made ready: its options, and what must live until it ends
/// (the jail's folder, the copy the submission was laid in).
pub struct Grading {
    pub options: Options,
    laid: Option<LaidSubmission>,
    unsandboxed: bool,
    _jail_dir: Option<tempfile::TempDir>,
}

impl Grading {
    /// Enters the sandbox when the code is untrusted (or `--sandbox`), with
    /// the budget `policy` sets, and lays the submission, if any, on the
    /// student edition.
    pub fn prepare(cli: &Grade, tasks: &[Task], policy: &Policy) -> anyhow::Result<Grading> {
        let server_cmd = cli::command(cli.server_cmd.as_deref(), "--server-cmd")?;
        let client_cmd = cli::command(cli.client_cmd.as_deref(), "--client-cmd")?;
        if (server_cmd.is_some() || client_cmd.is_some()) && tasks.len() != 1 {
            bail!("--server-cmd and --client-cmd grade one task: name it, e.g. `grader task03 --server-cmd 'python3 server.py'`");
        }
        let workspace = cli::workspace(cli.workspace.as_deref())?;
        let untrusted = cli.submission.is_some();
        let unsandboxed = untrusted && cli.submissions.unsandboxed;
        // The jail's folder lives until grading ends (in `Grading`).
        let (jail, jail_dir) = if (untrusted && !unsandboxed) || cli.sandbox {
            let (jail, dir) = sandbox::doctor::enter(policy.sandbox)?;
            (Some(jail), Some(dir))
        } else {
            (None, None)
        };
        // A submission is graded in a copy of the student edition that
        // holds the student's task sources; the copy lives until grading
        // ends.
        let laid = match &cli.submission {
            Some(path) => Some(lay_submission(
                path,
                &workspace,
                tasks,
                &cli.submissions,
                jail.as_ref()
                    .zip(jail_dir.as_ref().map(tempfile::TempDir::path)),
            )?),
            None => None,
        };
        let sandbox = jail.map(|jail| {
            let build = laid.as_ref().map(|laid| sandbox::ConfinedBuild {
                edition: laid.edition.clone(),
                seeds: laid.places.seeds(),
            });
            Box::new(sandbox::Sandboxed::new(jail, build)) as Box<dyn run::Sandbox>
        });
        let options = Options {
            workspace: laid
                .as_ref()
                .map_or(workspace, |laid| laid.laid.workspace.clone()),
            server_cmd,
            client_cmd,
            timing: cli.timing.timing(),
            transcripts: cli.verbose,
            shared_target: laid.as_ref().map(|laid| laid.places.shared.clone()),
            repeat: cli.repeat,
            sandbox,
        };
        Ok(Grading {
            options,
            laid,
            unsandboxed,
            _jail_dir: jail_dir,
        })
    }

    /// Adds to `report` what the run itself can't know: the submission's
    /// notes, that it ran unsandboxed, that the grader was interrupted.
    pub fn annotate(&self, report: &mut Report, tasks: &[Task]) {
        if let Some(laid) = &self.laid {
            report.notes.splice(0..0, laid.laid.notes.iter().cloned());
        }
        if self.unsandboxed {
            report.sandbox = Some(Protection::unsandboxed());
        }
        if crate::signal::stopping() {
            let run: usize = report.tasks.iter().map(|t| t.checks.len()).sum();
            let all: usize = tasks.iter().map(|t| t.checks.len()).sum();
            report.notes.push(format!(
                "interrupted: {run} of {all} checks ran; the others did not"
            ));
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
fn tell_gradescope(cli: &Grade, err: &anyhow::Error) -> anyhow::Result<()> {
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

/// The report on stdout in `--format`, and in every `--output` file.
fn write_reports(cli: &Grade, report: &Report) -> anyhow::Result<()> {
    let shown = cli.format.render(report, cli.verbose, &cli.title);
    emit(
        &format!("{}\n", shown.trim_end()),
        cli.format == Format::Human,
    )?;
    for (format, file) in &cli.output {
        let text = format.render(report, cli.verbose, &cli.title);
        let text = match format {
            Format::Human => anstream::adapter::strip_str(&text).to_string(),
            _ => text,
        };
        std::fs::write(file, text)
            .with_context(|| format!("could not write {}", file.display()))?;
    }
    // In GitHub Actions, the Markdown summary goes on the run's page.
    if cli.format == Format::Github {
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&summary)
                .and_then(|mut file| {
                    file.write_all(
                        Format::Markdown
                            .render(report, false, &cli.title)
                            .as_bytes(),
                    )
                })
                .with_context(|| format!("could not append to {}", summary.to_string_lossy()))?;
        }
    }
    Ok(())
}

/// Options to grade the workspace at `dir` as it stands, with transcripts:
/// for `hint`, `replay` and `watch`.
pub fn plain_options(dir: PathBuf, timing: Timing) -> Options {
    Options {
        workspace: dir,
        server_cmd: None,
        client_cmd: None,
        timing,
        transcripts: true,
        shared_target: None,
        repeat: 1,
        sandbox: None,
    }
}
