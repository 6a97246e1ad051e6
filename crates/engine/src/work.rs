//! Points need work (docs/contract.md): a binary's edge checks
//! ([`Kind::Edge`]: its command line, error paths and signals) count only
//! once it passes a check of its behaviour on the wire.
//!
//! clap answers `--version` and `--help`, and the OS stops a program on
//! Ctrl-C, before a single line of the task is written: without this rule
//! the handed-out starter, its `todo!()`s turned into `panic!()`s, would
//! earn points for work nobody did.
//!
//! Invariants: the rule runs once per task, after every check ran, so every
//! report (totals, JSON, JUnit, the class page) shows the same points. It
//! only lowers points, and only of passed edge checks: their status stays
//! `pass` (the program did what the check asks), their points go to 0 and
//! their `max_points` stay, and their message and cause say why. A binary
//! none of whose wire checks was judged (each skipped, in `error`, or left
//! out by grading.toml) keeps its points: nothing shows it idle.

use crate::check::{Cause, CauseKind, Kind, Role, Status};
use crate::report::CheckReport;
use crate::tasks::Task;

/// Withholds the points of the edge checks of `task` that a binary passed
/// while it passes none of its wire checks, in `checks` (the reports of
/// the task's checks, matched to them by id).
pub fn withhold(task: &Task, checks: &mut [CheckReport]) {
    let kind_of = |id: &str| task.checks.iter().find(|c| c.id == id).map(|c| c.kind);
    for side in [Role::Server, Role::Client] {
        let wire: Vec<Status> = checks
            .iter()
            .filter(|c| kind_of(&c.id) == Some(Kind::Wire) && uses(c.role, side))
            .map(|c| c.status)
            .collect();
        let idle = !wire.contains(&Status::Pass) && wire.contains(&Status::Fail);
        if !idle {
            continue;
        }
        let binary = match side {
            Role::Server => task.server_bin(),
            _ => task.client_bin(),
        };
        let cause = Cause {
            kind: CauseKind::NoWorkOnTheWire,
            program: side.as_str().to_string(),
            detail: String::new(),
        };
        let passed_edges = checks.iter_mut().filter(|c| {
            c.role == side && c.status == Status::Pass && kind_of(&c.id) == Some(Kind::Edge)
        });
        for check in passed_edges {
            check.points = 0;
            check.message = format!("not counted: {binary} {}", cause.kind.words());
            check.hint = cause.kind.hint().to_string();
            check.cause = Some(cause.clone());
        }
    }
}

/// Whether a check of `role` runs the binary of `side`: its own checks,
/// and the pair's, which run both.
fn uses(role: Role, side: Role) -> bool {
    role == side || role == Role::Pair
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Outcome;

    /// Task 01's checks, each reported as the runner reports a check
    /// with the status `status` gives it (by id).
    fn graded(status: impl Fn(&str) -> Status) -> (Task, Vec<CheckReport>) {
        let task = crate::tasks::by_number(1).unwrap();
        let reports = task
            .checks
            .iter()
            .map(|check| {
                let outcome = match status(&check.id) {
                    Status::Pass => None,
                    Status::Fail => Some(Outcome::fail("wrong")),
                    Status::Error => Some(Outcome::error("broke")),
                    Status::Skipped => Some(Outcome::skip("not here")),
                };
                crate::run::report(check, outcome, 0, Vec::new())
            })
            .collect();
        (task, reports)
    }

    fn is_edge(task: &Task, id: &str) -> bool {
        task.checks
            .iter()
            .any(|c| c.id == id && c.kind == Kind::Edge)
    }

    fn points(checks: &[CheckReport], id: &str) -> u32 {
        checks.iter().find(|c| c.id == id).unwrap().points
    }

    #[test]
    fn edges_alone_earn_nothing_and_say_why() {
        // The starter with panic!() for todo!(): clap's checks pass, the
        // rest fail.
        let task = crate::tasks::by_number(1).unwrap();
        let (task, mut checks) = graded(|id| {
            if is_edge(&task, id) && (id.ends_with(".version") || id.ends_with(".arguments")) {
                Status::Pass
            } else {
                Status::Fail
            }
        });
        withhold(&task, &mut checks);
        assert_eq!(checks.iter().map(|c| c.points).sum::<u32>(), 0);
        let version = checks
            .iter()
            .find(|c| c.id == "task01.server.version")
            .unwrap();
        assert_eq!(version.status, Status::Pass, "the status stays truthful");
        assert_eq!(version.max_points, 1);
        assert_eq!(
            version.message,
            "not counted: task01-server passes none of its checks on the wire yet"
        );
        assert_eq!(
            version.cause.as_ref().map(|c| c.kind),
            Some(CauseKind::NoWorkOnTheWire)
        );
        assert_eq!(version.hint, CauseKind::NoWorkOnTheWire.hint());
        let client = checks
            .iter()
            .find(|c| c.id == "task01.client.arguments")
            .unwrap();
        assert!(client.message.starts_with("not counted: task01-client "));
    }

    #[test]
    fn one_check_on_the_wire_counts_the_edges_of_that_binary_only() {
        let (task, mut checks) = graded(|id| match id {
            "task01.server.closes" => Status::Pass,
            id if id.ends_with(".version") => Status::Pass,
            _ => Status::Fail,
        });
        withhold(&task, &mut checks);
        assert_eq!(points(&checks, "task01.server.version"), 1);
        assert_eq!(points(&checks, "task01.server.closes"), 2);
        assert_eq!(points(&checks, "task01.client.version"), 0);
    }

    #[test]
    fn a_pair_that_passes_is_work_on_the_wire_for_both_binaries() {
        let (task, mut checks) = graded(|id| match id {
            "task01.pair.connect" => Status::Pass,
            id if id.ends_with(".version") => Status::Pass,
            _ => Status::Fail,
        });
        withhold(&task, &mut checks);
        assert_eq!(points(&checks, "task01.server.version"), 1);
        assert_eq!(points(&checks, "task01.client.version"), 1);
    }

    #[test]
    fn a_right_program_wrong_on_the_edges_keeps_its_wire_points() {
        let (task, mut checks) = graded(|id| match id {
            id if id.ends_with(".version") => Status::Fail,
            _ => Status::Pass,
        });
        let before: Vec<u32> = checks.iter().map(|c| c.points).collect();
        withhold(&task, &mut checks);
        let after: Vec<u32> = checks.iter().map(|c| c.points).collect();
        assert_eq!(before, after);
        assert!(checks.iter().all(|c| c.cause.is_none()));
    }

    #[test]
    fn wire_checks_nobody_could_judge_withhold_nothing() {
        // No IPv6 here, a grader error: nothing shows the client idle.
        let task = crate::tasks::by_number(1).unwrap();
        let (task, mut checks) = graded(|id| match id {
            id if is_edge(&task, id) => Status::Pass,
            "task01.client.ipv6" => Status::Skipped,
            id if id.starts_with("task01.client.") => Status::Error,
            "task01.pair.connect" => Status::Error,
            _ => Status::Pass,
        });
        withhold(&task, &mut checks);
        assert_eq!(points(&checks, "task01.client.version"), 1);
        assert_eq!(points(&checks, "task01.client.refused"), 1);
    }

    #[test]
    fn the_edges_are_the_command_line_the_error_paths_the_signals_and_the_announcement() {
        let edges: Vec<String> = crate::tasks::all()
            .into_iter()
            .flat_map(|task| task.checks)
            .filter(|c| c.kind == Kind::Edge)
            .map(|c| c.id.split_once('.').unwrap().1.to_string())
            .collect();
        for edge in &edges {
            assert!(
                [
                    "server.version",
                    "server.arguments",
                    "server.port_in_use",
                    "server.stops",
                    "server.listening",
                    "server.loopback_default",
                    "client.version",
                    "client.arguments",
                    "client.refused",
                    "client.stops",
                ]
                .contains(&edge.as_str()),
                "{edge} is an edge check"
            );
        }
        // Every task has them, and every binary has wire checks besides.
        for task in crate::tasks::all() {
            for side in [Role::Server, Role::Client] {
                let of = |kind| {
                    task.checks
                        .iter()
                        .filter(|c| c.role == side && c.kind == kind)
                        .count()
                };
                assert!(of(Kind::Edge) >= 2, "task{:02} {side:?}", task.number);
                assert!(of(Kind::Wire) >= 1, "task{:02} {side:?}", task.number);
            }
        }
    }
}
