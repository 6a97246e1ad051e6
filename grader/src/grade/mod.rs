//! The grader's default mode: grade one workspace, or one submission laid
//! on the student edition, and write the report in every format asked for.
//!
//! This module turns the command line ([`cli::Grade`]) into
//! [`run::Options`]: the sandbox to enter, the submission to lay out, the
//! programs to grade. [`run`] does the grading; the renderers in
//! [`report`] write it.
//!
//! [`report`]: crate::report

#[cfg(classroom)]
mod untrusted;
#[cfg(not(classroom))]
#[path = "trusted.rs"]
mod untrusted;

use crate::cli::{self, Format, Grade};
use crate::output::emit;
use crate::policy::Policy;
use crate::report::{human, Report};
use crate::run::{self, Options};
use crate::tasks::Task;
use crate::time::Timing;
use anyhow::{bail, Context};
use std::io::IsTerminal;
use std::path::PathBuf;

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
            untrusted::tell_gradescope(cli, &err)?;
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
    untrusted: untrusted::Untrusted,
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
        let untrusted = untrusted::Untrusted::prepare(cli, &workspace, tasks, policy)?;
        let options = Options {
            workspace: untrusted.workspace().unwrap_or(workspace),
            server_cmd,
            client_cmd,
            timing: cli.timing.timing(),
            transcripts: cli.verbose,
            shared_target: untrusted.shared_target(),
            repeat: cli.repeat,
            sandbox: untrusted.sandbox(),
        };
        Ok(Grading { options, untrusted })
    }

    /// Adds to `report` what the run itself can't know: the submission's
    /// notes, that it ran unsandboxed, that the grader was interrupted.
    pub fn annotate(&self, report: &mut Report, tasks: &[Task]) {
        self.untrusted.annotate(report);
        if crate::signal::stopping() {
            let run: usize = report.tasks.iter().map(|t| t.checks.len()).sum();
            let all: usize = tasks.iter().map(|t| t.checks.len()).sum();
            report.notes.push(format!(
                "interrupted: {run} of {all} checks ran; the others did not"
            ));
        }
    }
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
