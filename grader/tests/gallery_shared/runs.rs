//! Each gallery program graded once for the whole test binary, whichever
//! of its tests asks first: the gallery's assertions, the causes' and the
//! verdicts' read the same reports, so no program is graded again for
//! another question about the same run.
//!
//! The wrong programs whose verdict [`super::verdicts`] holds steady are
//! graded as `grader` grades (checks side by side), five times at once;
//! their first run is the one the other tests read. Every other program
//! is graded once the same way; [`one_by_one`] grades with the checks one
//! after another, for the tests of what one check passes on to the next.

use crate::common;
use grader::report::CheckReport;
use grader::run::{grade, Options};
use grader::time::Timing;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Reports of one grading.
pub type Reports = Arc<Vec<CheckReport>>;

/// How many times each program whose verdict must hold steady is graded.
pub const RUNS: usize = 5;

/// How many gradings run at once: one program's five runs. More, and a
/// loaded CI machine starts a server later than the grader waits for.
const AT_ONCE: usize = RUNS;

/// Wrong programs of other tasks whose verdict depends on timing: one
/// that never sends `BYE` (the grader waits for it), two that spin at
/// end of stream (the grader watches the CPU).
const ALSO: &[&str] = &[
    "wrong_t04_client_no_bye_at_eof",
    "wrong_t03_server_spins_at_eof",
    "wrong_t04_server_ignores_eof",
];

/// A program of the gallery graded as one side of a task: (task, side
/// (`server` or `client`), name).
pub type Program = (u8, &'static str, String);

/// The wrong programs whose verdict must hold steady: every wrong one of
/// the UDP and chat tasks in the gallery, so a new one can't be left out,
/// and [`ALSO`].
pub fn steady() -> Vec<Program> {
    let examples = format!("{}/tests/gallery/examples", env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<Program> = std::fs::read_dir(examples)
        .expect("the gallery is there")
        .filter_map(|entry| {
            let name = entry
                .ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".rs")?
                .to_string();
            let number = match &name {
                n if n.starts_with("wrong_t05_") => 5,
                n if n.starts_with("wrong_t06_") => 6,
                n if ALSO.contains(&n.as_str()) => n[7..9].parse().ok()?,
                _ => return None,
            };
            let side = match name.contains("_server_") {
                true => "server",
                false => "client",
            };
            Some((number, side, name))
        })
        .collect();
    found.sort();
    assert!(found.len() >= 30, "too few wrong programs found: {found:?}");
    found
}

/// Every run of every [`steady`] program, and how long they all took: a
/// run that panicked is its panic's text.
pub struct SteadyRuns {
    pub programs: Vec<Program>,
    pub runs: Vec<Vec<Result<Reports, String>>>,
    pub took: Duration,
}

/// The [`steady`] programs graded [`RUNS`] times each, once per test binary.
pub fn steady_runs() -> &'static SteadyRuns {
    static RAN: OnceLock<SteadyRuns> = OnceLock::new();
    RAN.get_or_init(|| {
        let started = Instant::now();
        let programs = steady();
        let jobs: Vec<&Program> = programs
            .iter()
            .flat_map(|program| std::iter::repeat_n(program, RUNS))
            .collect();
        let graded = grader::pool::parallel_map(&jobs, AT_ONCE, |(number, side, name)| {
            // A panic is kept as that run's result: the cell is filled
            // whatever happens, and no later test grades everything again.
            catch_unwind(AssertUnwindSafe(|| {
                Arc::new(graded_as_the_cli(*number, side, name, None))
            }))
            .map_err(|panic| {
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            })
        });
        let mut graded = graded.into_iter();
        let runs = programs
            .iter()
            .map(|_| {
                graded
                    .by_ref()
                    .take(RUNS)
                    .map(|run| run.unwrap_or_else(|| Err("not run".into())))
                    .collect()
            })
            .collect();
        SteadyRuns {
            programs,
            runs,
            took: started.elapsed(),
        }
    })
}

/// Task `number` graded as `grader` grades it (its checks side by side,
/// sharing what they learn), with the gallery's `name` as its `side` and
/// the reference on the other side; only the check `only` when given, as
/// `grader replay` runs it.
pub fn graded_as_the_cli(
    number: u8,
    side: &str,
    name: &str,
    only: Option<&str>,
) -> Vec<CheckReport> {
    let mut task = grader::tasks::by_number(number).expect("the task exists");
    if let Some(only) = only {
        task.checks.retain(|c| c.id == only);
    }
    let (server, client) = match side {
        "server" => (name.to_string(), task.client_bin()),
        "client" => (task.server_bin(), name.to_string()),
        _ => panic!("no side {side}"),
    };
    let options = Options {
        workspace: common::workspace_root(),
        server_cmd: Some(common::binary(&server)),
        client_cmd: Some(common::binary(&client)),
        timing: Timing::default(),
        transcripts: false,
        shared_target: None,
        repeat: 1,
        sandbox: None,
    };
    let report = grade(&[task], &options, &|_| {}).expect("grading runs");
    report.tasks.into_iter().next().expect("one task").checks
}

/// The gallery's `name` graded as the `side` (`server` or `client`) of
/// task `number` as `grader` grades it, the reference on the other side:
/// the first of its [`steady_runs`] if it is one of them, otherwise
/// graded once per test binary.
pub fn graded(number: u8, side: &'static str, name: &str) -> Reports {
    if let Some(at) = steady_runs_hold(number, side, name) {
        return match &steady_runs().runs[at][0] {
            Ok(reports) => reports.clone(),
            Err(panic) => panic!("grading {name} panicked: {panic}"),
        };
    }
    once(number, side, name, true, || {
        graded_as_the_cli(number, side, name, None)
    })
}

/// Where `name` is among the [`steady`] programs, if it is.
fn steady_runs_hold(number: u8, side: &str, name: &str) -> Option<usize> {
    static STEADY: OnceLock<Vec<Program>> = OnceLock::new();
    STEADY
        .get_or_init(steady)
        .iter()
        .position(|(n, s, m)| *n == number && *s == side && m == name)
}

/// `name` as the `side` of task `number` graded with its checks one after
/// another ([`common::grade`]), once per test binary: for the tests of
/// what one check passes on to the next.
pub fn one_by_one(number: u8, side: &'static str, name: &str) -> Reports {
    once(number, side, name, false, || {
        let program = Some(common::binary(name));
        match side {
            "server" => common::grade(number, program, None),
            _ => common::grade(number, None, program),
        }
    })
}

/// `grading()` of `name` as the `side` of task `number`, as the CLI does
/// when `as_the_cli`, once per test binary: a test asking while another
/// grades it waits for that grading.
fn once(
    number: u8,
    side: &'static str,
    name: &str,
    as_the_cli: bool,
    grading: impl FnOnce() -> Vec<CheckReport>,
) -> Reports {
    type Cell = Arc<OnceLock<Reports>>;
    static GRADED: OnceLock<Mutex<HashMap<(Program, bool), Cell>>> = OnceLock::new();
    let cell = GRADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(((number, side, name.to_string()), as_the_cli))
        .or_default()
        .clone();
    cell.get_or_init(|| Arc::new(grading())).clone()
}
