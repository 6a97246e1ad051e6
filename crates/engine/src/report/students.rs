//! A report as students may read it: the checks `grading.toml` shows
//! them, and nothing of the others where that is asked.

use super::Visibility;
use crate::report::Report;

/// `report` as students may read it while the course runs: only the
/// visible checks, the others counted in one note per task. Scores and
/// totals stay those of the whole grading.
pub fn students_now(report: &Report) -> Report {
    shown(report, |v| v.is_visible())
}

/// `report` as a student reads it in a feedback file or in Gradescope's
/// output: the visible checks alone, each task's score and the total
/// counted over them alone, no word of the others (not their names, their
/// points, nor a task's total that holds them), and no sandbox details,
/// which are the instructor's. A task with no visible check is left out.
pub fn students_only(report: &Report) -> Report {
    let mut shown = report.clone();
    shown.sandbox = None;
    for task in &mut shown.tasks {
        task.checks.retain(|c| c.visibility.is_visible());
        task.score = task.checks.iter().map(|c| c.points).sum();
        task.max_score = task.checks.iter().map(|c| c.max_points).sum();
    }
    shown.tasks.retain(|t| !t.checks.is_empty());
    shown.score = shown.tasks.iter().map(|t| t.score).sum();
    shown.max_score = shown.tasks.iter().map(|t| t.max_score).sum();
    shown
}

/// Whether any check of `report` is not shown to students now.
pub fn any_not_shown(report: &Report) -> bool {
    report
        .tasks
        .iter()
        .flat_map(|t| &t.checks)
        .any(|c| !c.visibility.is_visible())
}

fn shown(report: &Report, keep: impl Fn(Visibility) -> bool) -> Report {
    let mut shown = report.clone();
    for task in &mut shown.tasks {
        let (kept, left): (Vec<_>, Vec<_>) =
            task.checks.drain(..).partition(|c| keep(c.visibility));
        task.checks = kept;
        if !left.is_empty() {
            let points: u32 = left.iter().map(|c| c.points).sum();
            let max: u32 = left.iter().map(|c| c.max_points).sum();
            shown.notes.push(format!(
                "{}: {} more check{} not shown yet, {points}/{max} points",
                task.task,
                left.len(),
                if left.len() == 1 { "" } else { "s" }
            ));
        }
    }
    shown
}
