//! `grader hint`: hints for a failing task, one level at a time, as
//! rustlings gives them: only on demand. They start from the task's lead
//! ([`report::lead`]): the cause behind most of its failures, not
//! whichever check comes first in the list.
//!
//! The levels, shallow to deep: the lead's hint (its cause's, or its
//! check's own), the deeper hints written for the lead's first check
//! ([`crate::tasks::deeper_in`], in the language of the check's binary),
//! then what that check saw, with where to read more. `--more` shows one
//! level further.

use crate::check::Language;
use crate::cli::{self, Hint};
use crate::grade::plain_options;
use crate::report::{self, TaskReport};
use crate::run;
use crate::tasks;
use crate::time::Timing;

/// Grades the task and returns the hint text to show.
pub fn hint(cli: &Hint) -> anyhow::Result<String> {
    let tasks = cli::chosen_tasks(std::slice::from_ref(&cli.task))?;
    let options = plain_options(cli.workspace.resolve()?, Timing::new(1.0));
    let report = run::grade(&tasks, &options, &|_| {})?;
    Ok(text(&report.tasks[0], &cli.task, cli.more))
}

/// The hint text for `task`, graded, as asked for with `asked` (the task
/// as typed) and `more` levels beyond the first.
pub fn text(task: &TaskReport, asked: &str, more: u8) -> String {
    let lead = report::lead(&task.checks);
    let Some((lead, check)) = lead.and_then(|lead| {
        let first = task
            .checks
            .iter()
            .find(|c| Some(&c.id) == lead.checks.first())?;
        Some((lead, first))
    }) else {
        return format!("Every check of {} passes: no hint needed.\n", task.task);
    };
    let mut levels = vec![lead.hint.clone()];
    let language = Language::of(check.role, &task.python);
    levels.extend(
        tasks::deeper_in(&check.id, language)
            .iter()
            .map(|h| h.to_string()),
    );
    let mut seen = vec![format!("{}: {}", check.id, check.message)];
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
    let shown = usize::from(more).min(levels.len() - 1);
    let mut text = match (&lead.cause, lead.checks.len()) {
        (Some(_), many) if many > 1 => format!(
            "{many} checks failed for one reason: {}\nchecks: {}\n\n",
            lead.text,
            lead.checks.join(", ")
        ),
        _ => format!("{}: {}\n{}\n\n", check.id, check.title, check.message),
    };
    for (level, hint) in levels.iter().enumerate().take(shown + 1) {
        text.push_str(&format!("Hint {} of {}: {hint}\n", level + 1, levels.len()));
    }
    if shown + 1 < levels.len() {
        let more = "--more ".repeat(shown + 1);
        text.push_str(&format!(
            "\nStuck still? `cargo run -p grader -- hint {asked} {}` gives the next one.\n",
            more.trim_end()
        ));
    }
    text
}

/// The section of `docs/concepts.md` that explains what `package` is about.
fn topic(package: &str) -> &'static str {
    tasks::all()
        .into_iter()
        .find(|task| task.package == package)
        .map_or("Sockets", |task| task.topic)
}
