//! The report as people read it on a terminal.
//!
//! One line per check with ✓ or ✗ and its points; under a failure what was
//! expected, what happened and the hint; then the score per task and in
//! total. The text carries ANSI styles; printing it through `anstream`
//! drops them when stdout is not a terminal or `NO_COLOR` is set.

use super::{Build, CheckReport, Report, TaskReport};
use crate::check::{Cause, CauseKind, Status};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

const PASS: Style = AnsiColor::Green.on_default();
const FAIL: Style = AnsiColor::Red.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// Renders the report; `verbose` adds durations and transcripts.
pub fn render(report: &Report, verbose: bool) -> String {
    let report = &report.inert();
    let mut out = String::new();
    let preamble = report.preamble();
    for (warning, line) in &preamble {
        match warning {
            true => writeln!(out, "{FAIL}warning:{FAIL:#} {line}"),
            false => writeln!(out, "{DIM}note:{DIM:#} {line}"),
        }
        .ok();
    }
    if !preamble.is_empty() {
        out.push('\n');
    }
    // Code still to write is one line per binary, and its hint, the same
    // for all, comes once at the end.
    // The hints of starter code not filled in, each shown once at the end
    // (a Python stub's names its `raise NotImplementedError`).
    let mut unwritten: Vec<&str> = Vec::new();
    for task in &report.tasks {
        let _ = writeln!(out, "{BOLD}{}{BOLD:#}", task.task);
        if task.build == Build::Failed {
            let what = if task.nothing_built() {
                String::new()
            } else {
                format!("{} ", task.unbuilt_names())
            };
            let _ = writeln!(out, "  {FAIL}✗ {what}did not build{FAIL:#}");
            for error in &task.build_errors {
                for line in error.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        // Every check of a task that did not build fails for that reason
        // alone; listing them would bury the compiler's errors. With one
        // side built, its checks ran and are listed.
        if !task.nothing_built() {
            let width = task.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
            // A cause that failed several checks is shown once, where its
            // first check would be; `--verbose` lists every check instead.
            let groups = if verbose {
                Vec::new()
            } else {
                shared_causes(&task.checks)
            };
            // With a cause shown for many checks, the passes are only
            // counted (on the score line): what is left to do comes first.
            let compact = !groups.is_empty();
            let mut shown = Vec::new();
            // The lead's group, the cause behind most failures, comes
            // first: it is where to start.
            let lead = super::lead(&task.checks).and_then(|lead| lead.cause);
            if let Some((cause, members)) = groups.iter().find(|(c, _)| Some(*c) == lead.as_ref()) {
                shown.push(*cause);
                render_group(&mut out, cause, members);
                note_unwritten(&mut unwritten, cause, members);
            }
            for check in &task.checks {
                let group = check
                    .cause
                    .as_ref()
                    .and_then(|cause| groups.iter().find(|(c, _)| *c == cause));
                match group {
                    None if compact && check.status == Status::Pass => {}
                    None => render_check(&mut out, check, width, verbose),
                    Some((cause, members)) if !shown.contains(cause) => {
                        shown.push(*cause);
                        render_group(&mut out, cause, members);
                        note_unwritten(&mut unwritten, cause, members);
                    }
                    Some(_) => {}
                }
            }
            // Passes whose points are withheld are not only counted: their
            // points are part of what is lost, so they get a line, after
            // what is left to do.
            let withheld: Vec<&CheckReport> = task.checks.iter().filter(|c| c.withheld()).collect();
            if compact && !withheld.is_empty() {
                render_withheld(&mut out, task, &withheld);
            }
        }
        let style = if task.score == task.max_score {
            PASS
        } else {
            FAIL
        };
        let passed = task
            .checks
            .iter()
            .filter(|c| c.status == Status::Pass)
            .count();
        let counted =
            if verbose || passed == task.checks.len() || shared_causes(&task.checks).is_empty() {
                String::new()
            } else {
                format!(" ({passed} of {} checks passed)", task.checks.len())
            };
        let _ = writeln!(
            out,
            "  {style}score {}/{}{style:#}{counted}\n",
            task.score, task.max_score
        );
    }
    for hint in unwritten {
        let _ = writeln!(out, "{DIM}hint:{DIM:#} {hint}\n");
    }
    let style = if report.score == report.max_score {
        PASS
    } else {
        FAIL
    };
    let _ = writeln!(
        out,
        "{BOLD}{style}Total: {}/{}{style:#}{BOLD:#}",
        report.score, report.max_score
    );
    out
}

/// Adds the hint of `members`, failed by `cause`, to `unwritten` when the
/// cause is starter code not filled in, and it is not there yet.
fn note_unwritten<'a>(unwritten: &mut Vec<&'a str>, cause: &Cause, members: &[&'a CheckReport]) {
    let hint = members.first().map_or("", |c| c.hint.as_str());
    if cause.kind == CauseKind::NotImplemented && !hint.is_empty() && !unwritten.contains(&hint) {
        unwritten.push(hint);
    }
}

/// The causes that failed two checks or more, each with its checks.
fn shared_causes(checks: &[CheckReport]) -> Vec<(&Cause, Vec<&CheckReport>)> {
    let mut groups: Vec<(&Cause, Vec<&CheckReport>)> = Vec::new();
    for check in checks.iter().filter(|c| c.status == Status::Fail) {
        let Some(cause) = &check.cause else { continue };
        match groups.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, members)) => members.push(check),
            None => groups.push((cause, vec![check])),
        }
    }
    groups.retain(|(_, members)| members.len() > 1);
    groups
}

/// The passes of `task` whose points are withheld, on one line: how many,
/// and which binaries do no work on the wire yet.
fn render_withheld(out: &mut String, task: &TaskReport, withheld: &[&CheckReport]) {
    let mut binaries: Vec<String> = Vec::new();
    for check in withheld {
        let binary = task.binary(check.role);
        if !binaries.contains(&binary) {
            binaries.push(binary);
        }
    }
    let lost: u32 = withheld.iter().map(|c| c.max_points).sum();
    let who = match &binaries[..] {
        [one] => format!("{one} {}", CauseKind::NoWorkOnTheWire.words()),
        _ => format!(
            "{} pass none of their checks on the wire yet",
            binaries.join(" and ")
        ),
    };
    let _ = writeln!(
        out,
        "  {PASS}✓{PASS:#} {} checks passed but are not counted: {who}  {FAIL}0/{lost}{FAIL:#}",
        withheld.len()
    );
}

/// One cause and the checks it failed: the cause in words, what the first
/// of them expected and saw, the cause's hint, and the checks on one line.
fn render_group(out: &mut String, cause: &Cause, members: &[&CheckReport]) {
    let lost: u32 = members.iter().map(|c| c.max_points).sum();
    let _ = writeln!(
        out,
        "  {FAIL}✗{FAIL:#} {} checks failed for one reason: {cause}  {FAIL}0/{lost}{FAIL:#}",
        members.len()
    );
    let detail = |out: &mut String, label: &str, text: &str| {
        let _ = writeln!(out, "      {DIM}{label}{DIM:#} {text}");
    };
    if cause.kind == CauseKind::NotImplemented {
        // Its hint comes once, after every task.
        return;
    }
    let first = members[0];
    let short_id = |c: &CheckReport| {
        c.id.split_once('.')
            .map_or(c.id.clone(), |(_, rest)| rest.to_string())
    };
    // The first check's own words pin the cause down, unless the cause
    // already says everything (a line of starter code, a build error, an
    // exit and why).
    let said = !cause.detail.is_empty() && first.message.contains(&cause.detail);
    if !said
        && !matches!(
            cause.kind,
            CauseKind::NotImplemented | CauseKind::DidNotBuild
        )
    {
        detail(
            out,
            "first:   ",
            &format!("{}: {}", short_id(first), first.message),
        );
    }
    if let Some(expected) = &first.expected {
        detail(out, "expected:", expected);
    }
    if let Some(actual) = &first.actual {
        detail(out, "actual:  ", actual);
    }
    if !first.hint.is_empty() {
        detail(out, "hint:    ", &first.hint);
    }
    let ids: Vec<String> = members.iter().map(|c| short_id(c)).collect();
    detail(out, "checks:  ", &ids.join(", "));
}

fn render_check(out: &mut String, check: &CheckReport, width: usize, verbose: bool) {
    let (mark, style) = match check.status {
        Status::Pass => ("✓", PASS),
        Status::Fail => ("✗", FAIL),
        Status::Error => ("!", FAIL),
        Status::Skipped => ("-", DIM),
    };
    let points = format!("{}/{}", check.points, check.max_points);
    let timing = if verbose {
        format!("  {DIM}{} ms{DIM:#}", check.duration_ms)
    } else {
        String::new()
    };
    // grading.toml's visibility, for the instructor reading this.
    let seen = if check.visibility.is_visible() {
        String::new()
    } else {
        format!("  {DIM}({}){DIM:#}", check.visibility.words())
    };
    let _ = writeln!(
        out,
        "  {style}{mark}{style:#} {:<width$}  {points:>5}  {}{seen}{timing}",
        check.id, check.title
    );
    let detail = |out: &mut String, label: &str, text: &str| {
        let _ = writeln!(out, "      {DIM}{label}{DIM:#} {text}");
    };
    match check.status {
        Status::Pass if check.withheld() => {
            let _ = writeln!(out, "      {}", check.message);
            if !check.hint.is_empty() {
                detail(out, "hint:    ", &check.hint);
            }
        }
        Status::Pass => {}
        Status::Skipped => detail(out, "skipped:", &check.message),
        Status::Error => detail(out, "grader error (not your fault):", &check.message),
        Status::Fail => {
            let _ = writeln!(out, "      {}", check.message);
            if let Some(expected) = &check.expected {
                detail(out, "expected:", expected);
            }
            if let Some(actual) = &check.actual {
                detail(out, "actual:  ", actual);
            }
            if !check.hint.is_empty() {
                detail(out, "hint:    ", &check.hint);
            }
        }
    }
    if verbose {
        for line in &check.transcript {
            let _ = writeln!(out, "      {DIM}│ {line}{DIM:#}");
        }
    }
}

/// The checks of `tasks` and their points, for `grader --list`.
pub fn list(tasks: &[crate::tasks::Task]) -> String {
    let mut out = String::new();
    for task in tasks {
        let _ = writeln!(out, "{} ({} points)", task.package, task.max_points());
        for check in &task.checks {
            let _ = writeln!(
                out,
                "  {:<32} {:<6} {:>2}  {}",
                check.id,
                check.role.as_str(),
                check.points,
                check.title
            );
        }
    }
    out
}

/// `[██████░░░░] 60% of full marks`
pub fn progress_bar(score: u32, max: u32) -> String {
    let share = if max == 0 {
        0.0
    } else {
        f64::from(score) / f64::from(max)
    };
    let filled = (share * 30.0).round() as usize;
    format!(
        "[{}{}] {:.0}% of full marks\n",
        "█".repeat(filled),
        "░".repeat(30 - filled),
        share * 100.0
    )
}

/// The progress line a grading run keeps on stderr, at a terminal: what it
/// is doing now, overwritten by the next step and cleared by [`done`].
pub fn progress(step: crate::check::Progress) {
    let what = match step {
        crate::check::Progress::Building => "building the tasks…".to_string(),
        crate::check::Progress::Checking(check) => format!("checking {}…", check.id),
    };
    eprint!("\r\x1b[2K{what}");
}

/// Clears the progress line.
pub fn done() {
    eprint!("\r\x1b[2K");
}
