//! `grader hint`: hints for the first failing check of a task, one level
//! at a time, as rustlings gives them: only on demand.
//!
//! The levels, shallow to deep: the check's own hint, the deeper hints
//! written for it ([`crate::tasks::deeper`]), then what the check
//! saw, with where to read more. `--more` shows one level further.

use crate::cli::{self, Hint};
use crate::grade::plain_options;
use crate::run;
use crate::tasks;
use crate::time::Timing;

/// Grades the task and returns the hint text to show.
pub fn hint(cli: &Hint) -> anyhow::Result<String> {
    let tasks = cli::chosen_tasks(std::slice::from_ref(&cli.task))?;
    let options = plain_options(cli.workspace.resolve()?, Timing::new(1.0));
    let report = run::grade(&tasks, &options, &|_| {})?;
    let task = &report.tasks[0];
    let failed = task
        .checks
        .iter()
        .find(|c| c.status == crate::check::Status::Fail);
    let Some(check) = failed else {
        return Ok(format!(
            "Every check of {} passes: no hint needed.\n",
            task.task
        ));
    };
    let mut levels = vec![check.hint.clone()];
    levels.extend(tasks::deeper(&check.id).iter().map(|h| h.to_string()));
    let mut seen = vec![check.message.clone()];
    seen.extend(check.expected.iter().map(|e| format!("expected: {e}")));
    seen.extend(check.actual.iter().map(|a| format!("actual:   {a}")));
    seen.push(format!(
        "Read the hints in {}/README.md and \"{}\" in docs/concepts.md; `cargo run -p grader -- {} --verbose` shows every step.",
        task.task,
        topic(&task.task),
        task.task
    ));
    levels.push(seen.join("\n"));
    levels.retain(|l| !l.is_empty());
    let shown = usize::from(cli.more).min(levels.len() - 1);
    let mut text = format!("{}: {}\n{}\n\n", check.id, check.title, check.message);
    for (level, hint) in levels.iter().enumerate().take(shown + 1) {
        text.push_str(&format!("Hint {} of {}: {hint}\n", level + 1, levels.len()));
    }
    if shown + 1 < levels.len() {
        let more = "--more ".repeat(shown + 1);
        text.push_str(&format!(
            "\nStuck still? `cargo run -p grader -- hint {} {}` gives the next one.\n",
            cli.task,
            more.trim_end()
        ));
    }
    Ok(text)
}

/// The section of `docs/concepts.md` that explains what `package` is about.
fn topic(package: &str) -> &'static str {
    tasks::all()
        .into_iter()
        .find(|task| task.package == package)
        .map_or("Sockets", |task| task.topic)
}
