//! `grader replay`: one check run again, everything it did printed with
//! timestamps, for finding out why it failed.

use crate::cli::{self, Replay};
use crate::grade::plain_options;
use crate::run;
use crate::tasks;
use anyhow::Context;

/// What a replay printed, and the exit code of its report.
pub struct Replayed {
    pub text: String,
    pub exit_code: u8,
}

/// Runs the check named in `cli` once, with its transcript.
pub fn replay(cli: &Replay) -> anyhow::Result<Replayed> {
    let task = tasks::all()
        .into_iter()
        .find(|t| t.checks.iter().any(|c| c.id == cli.check))
        .with_context(|| {
            format!(
                "no check `{}`; `cargo run -p grader -- --list` shows them all",
                cli.check
            )
        })?;
    let only = vec![task.package.to_string()];
    let mut chosen = cli::chosen_tasks(&only)?;
    chosen[0].checks.retain(|c| c.id == cli.check);
    let mut options = plain_options(cli.workspace.resolve()?, cli.timing.timing());
    options.server_cmd = cli::command(cli.server_cmd.as_deref(), "--server-cmd")?;
    options.client_cmd = cli::command(cli.client_cmd.as_deref(), "--client-cmd")?;
    let report = run::grade(&chosen, &options, &|_| {})?;
    let task = &report.tasks[0];
    let mut text = String::new();
    for error in &task.build_errors {
        text.push_str(&format!("{error}\n"));
    }
    for check in &task.checks {
        text.push_str(&format!("{}: {}\n", check.id, check.title));
        for line in &check.transcript {
            text.push_str(&format!("{line}\n"));
        }
        text.push_str(&format!(
            "{} in {} ms",
            check.status.as_str(),
            check.duration_ms
        ));
        if !check.status_is_pass() {
            text.push_str(&format!("\n{}", check.details()));
        }
        text.push('\n');
    }
    Ok(Replayed {
        text,
        exit_code: report.exit_code(),
    })
}
