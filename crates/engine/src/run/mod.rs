//! Grading: build the tasks, run every check, collect the report.

use crate::cargo::{BuildError, Built, Workspace};
mod prepare;

use crate::check::{Check, Ctx, Outcome, Role, Status, Subjects};
use crate::process::{Confinement, Program};
use crate::python;
use crate::report::{CheckReport, Protection, Report, TaskReport};
use crate::tasks::Task;
use crate::time::Timing;
use prepare::Prepared;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What to grade and how.
pub struct Options {
    /// The workspace holding the tasks.
    pub workspace: PathBuf,
    /// Grade this command instead of the task's server binary.
    pub server_cmd: Option<Program>,
    /// Grade this command instead of the task's client binary.
    pub client_cmd: Option<Program>,
    pub timing: Timing,
    /// Keep each check's transcript in the report.
    pub transcripts: bool,
    /// Build in this target folder shared with other workspaces (the
    /// submissions of a class), rather than the workspace's own.
    pub shared_target: Option<PathBuf>,
    /// Run every check this many times and flag any whose verdict changes.
    pub repeat: usize,
    /// Untrusted code: the sandbox that builds the workspace and confines
    /// its programs. `None`: the student's own code on their own machine.
    pub sandbox: Option<Box<dyn Sandbox>>,
}

/// The runner's view of the classroom's sandbox (`crate::sandbox::Sandboxed`).
pub trait Sandbox: Sync {
    /// What confines every program of the workspace.
    fn confinement(&self) -> Arc<dyn Confinement>;
    /// Builds `packages` of `workspace` confined; `None` when the
    /// workspace is the grader's own user's (`--sandbox`), built as usual.
    fn build(&self, workspace: &Workspace, packages: &[&str]) -> Option<Result<Built, BuildError>>;
    /// What protected the run, for the report.
    fn protection(&self) -> Protection;
    /// What the report says once for the whole run: each cap of a shared
    /// budget that was hit, the build's included.
    fn notes(&self) -> Vec<String>;
}

pub use crate::check::Progress;

/// Grades `tasks` and returns the report. Fails only when the grader itself
/// can't work (no workspace, no cargo); a task that does not build is part
/// of the report.
pub fn grade(
    tasks: &[Task],
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report, BuildError> {
    let workspace = Workspace::open(&options.workspace)?;
    let scripts = prepare::python_sides(tasks, &workspace.root, options);
    let interpreter = prepare::interpreter(&scripts, options);
    // A binary given as a command, or handed in as Python, needs no build;
    // a task with neither of its binaries to build is not built, nor one
    // whose Python binary has no Rust file at all: cargo would refuse the
    // whole build for that package's missing target.
    let to_build: Vec<&str> = tasks
        .iter()
        .zip(&scripts)
        .filter(|(task, [server, client])| {
            let unbuildable = [server, client]
                .into_iter()
                .flatten()
                .any(|script| !python::rust_source(script).exists());
            let server = options.server_cmd.is_some() || server.is_some();
            let client = options.client_cmd.is_some() || client.is_some();
            let nothing_to_build = server && client;
            !nothing_to_build && !unbuildable && workspace.has_package(task.package)
        })
        .map(|(task, _)| task.package)
        .collect();
    let built = if to_build.is_empty() {
        Default::default()
    } else {
        progress(Progress::Building);
        let confined = options.sandbox.as_ref();
        match confined.and_then(|sandbox| sandbox.build(&workspace, &to_build)) {
            Some(built) => built?,
            None => match &options.shared_target {
                Some(shared) => workspace.build_shared(&to_build, shared)?,
                None => workspace.build(&to_build)?,
            },
        }
    };
    let prepared: Vec<Prepared> = tasks
        .iter()
        .zip(&scripts)
        .map(|(task, scripts)| {
            prepare::prepare(
                task,
                &workspace,
                &built,
                options,
                scripts,
                interpreter.as_ref(),
            )
        })
        .collect();

    // Checks run side by side, a few at a time: most of a check's time is
    // spent waiting on sockets and processes, not on the CPU, and every
    // check has its own ports and processes.
    let jobs: Vec<(usize, usize)> = tasks
        .iter()
        .enumerate()
        .flat_map(|(t, task)| (0..task.checks.len()).map(move |c| (t, c)))
        .collect();
    // The server's checks and the client's take turns to start: a wrong
    // client's long waits then begin at once, not after every check of a
    // right server, and the other way round.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&j| {
        let (t, c) = jobs[j];
        let server = tasks[t].checks[c].role == Role::Server;
        let turn = tasks[t].checks[..c]
            .iter()
            .filter(|other| (other.role == Role::Server) == server)
            .count();
        (t, turn, !server)
    });
    let started: Vec<(usize, usize)> = order.iter().map(|&j| jobs[j]).collect();
    // Once the grader is being stopped (Ctrl-C), no more checks run: the
    // report holds those that did.
    let finished = crate::pool::parallel_map(&started, CHECKS_AT_ONCE, |&(t, c)| {
        let check = &tasks[t].checks[c];
        progress(Progress::Checking(check));
        let task = &prepared[t];
        // A check that needs a binary that did not build is not run, and
        // says why.
        match task.missing(check) {
            None => run_repeated(check, &task.subjects, options),
            Some(unbuilt) => prepare::not_built(check, unbuilt),
        }
    });
    let mut results: Vec<Option<CheckReport>> = (0..jobs.len()).map(|_| None).collect();
    for (j, report) in order.into_iter().zip(finished) {
        results[j] = report;
    }
    let mut results = results.into_iter();
    let reports = tasks
        .iter()
        .zip(prepared)
        .map(|(task, prepared)| {
            let mut checks: Vec<CheckReport> =
                results.by_ref().take(task.checks.len()).flatten().collect();
            crate::work::withhold(task, &mut checks);
            prepared.python_hints(task, &mut checks);
            TaskReport {
                unbuilt: prepared.unbuilt.iter().map(|u| u.role).collect(),
                python: prepared.python.clone(),
                ..TaskReport::new(task.package, prepared.build, prepared.build_errors, checks)
            }
        })
        .collect();
    let mut report = Report::new(reports);
    report
        .notes
        .extend(interpreter.as_ref().map(prepare::python_note));
    if let Some(sandbox) = &options.sandbox {
        report.sandbox = Some(sandbox.protection());
        // A cap hit at any time is said once for the whole submission,
        // whatever the checks made of it.
        report.notes.extend(sandbox.notes());
    }
    Ok(report)
}

/// How many checks run at once.
const CHECKS_AT_ONCE: usize = 12;

/// The checks of task `number` that `server` and `client` do not pass
/// (failed or in error): empty for a correct pair. For the tasks' own tests.
pub fn failures(
    number: u8,
    server: &std::path::Path,
    client: &std::path::Path,
) -> Vec<CheckReport> {
    let Some(task) = crate::tasks::by_number(number) else {
        return Vec::new();
    };
    let subjects = Subjects {
        server: Some(Program::from_path(server)),
        client: Some(Program::from_path(client)),
        known: Default::default(),
    };
    run_task(&task, &subjects, Timing::default())
        .into_iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Error))
        .collect()
}

/// Runs `check` `options.repeat` times. When the verdicts differ, the check
/// is flaky: reported as an `error` (the grader's fault), saying how often
/// each verdict came.
fn run_repeated(check: &Check, subjects: &Subjects, options: &Options) -> CheckReport {
    let first = run_check(check, subjects, options.timing, options.transcripts);
    let mut verdicts = vec![first.status];
    for _ in 1..options.repeat.max(1) {
        // Each run finds out for itself: a verdict the first run learned
        // must not be taken over, or a flaky start would look steady.
        let fresh = Subjects {
            known: Default::default(),
            ..subjects.clone()
        };
        verdicts.push(run_check(check, &fresh, options.timing, false).status);
    }
    if verdicts.iter().all(|&v| v == first.status) {
        return first;
    }
    let count = |status| verdicts.iter().filter(|&&v| v == status).count();
    let message = format!(
        "flaky: over {} runs the verdict changed (pass {}, fail {}, error {}); a grader bug, not yours",
        verdicts.len(),
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Error)
    );
    let mut report = report(
        check,
        Some(Outcome::error(message)),
        first.duration_ms,
        first.transcript,
    );
    report.flaky = true;
    report
}

/// Runs every check of `task` against `subjects`, with transcripts.
pub fn run_task(task: &Task, subjects: &Subjects, timing: Timing) -> Vec<CheckReport> {
    task.checks
        .iter()
        .map(|check| run_check(check, subjects, timing, true))
        .collect()
}

/// Runs one check, turning a missing program or a grader panic into its
/// outcome. The programs it started are killed before this returns.
pub fn run_check(
    check: &Check,
    subjects: &Subjects,
    timing: Timing,
    transcripts: bool,
) -> CheckReport {
    let started = Instant::now();
    let mut transcript = Vec::new();
    let result = match (&subjects.server, &subjects.client) {
        (None, _) if check.role.needs_server() => Err(Outcome::error("no server program to run")),
        (_, None) if check.role.needs_client() => Err(Outcome::error("no client program to run")),
        _ => {
            let mut ctx = Ctx::new(subjects, timing).with_default_port(check.default_port);
            let result =
                catch_unwind(AssertUnwindSafe(|| (check.run)(&mut ctx))).unwrap_or_else(|panic| {
                    Err(Outcome::error(format!(
                        "the grader crashed: {}",
                        panic_text(&panic)
                    )))
                });
            transcript = ctx.transcript().to_vec();
            if crate::signal::stopping() {
                // Its programs were stopped under it: no verdict on them.
                return report(
                    check,
                    Some(Outcome::error(
                        "the grader was interrupted during this check",
                    )),
                    started.elapsed().as_millis() as u64,
                    if transcripts { transcript } else { Vec::new() },
                );
            }
            ctx.explain(result)
        }
    };
    let duration = started.elapsed().as_millis() as u64;
    report(
        check,
        result.err(),
        duration,
        if transcripts { transcript } else { Vec::new() },
    )
}

pub(crate) fn report(
    check: &Check,
    outcome: Option<Outcome>,
    duration_ms: u64,
    transcript: Vec<String>,
) -> CheckReport {
    let status = outcome.as_ref().map_or(Status::Pass, |o| o.status);
    CheckReport {
        id: check.id.clone(),
        title: check.title.to_string(),
        role: check.role,
        status,
        points: if status == Status::Pass {
            check.points
        } else {
            0
        },
        // A skipped check (no IPv6 on this machine, say) counts for nothing.
        max_points: if status == Status::Skipped {
            0
        } else {
            check.points
        },
        message: outcome
            .as_ref()
            .map(|o| o.message.clone())
            .unwrap_or_default(),
        // A cause shared with other checks gets its own hint: the check's
        // hint assumes the program works that far.
        hint: match (status, outcome.as_ref().and_then(|o| o.cause.as_ref())) {
            (Status::Fail, Some(cause)) => cause.kind.hint().to_string(),
            (Status::Fail, None) => check.hint.to_string(),
            _ => String::new(),
        },
        cause: outcome.as_ref().and_then(|o| o.cause.as_deref().cloned()),
        duration_ms,
        expected: outcome.as_ref().and_then(|o| o.expected.clone()),
        actual: outcome.and_then(|o| o.actual),
        transcript,
        flaky: false,
        visibility: Default::default(),
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}
