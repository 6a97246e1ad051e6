//! The tasks and their checks.
//!
//! Each task is one file: a type implementing [`Lesson`], which lists the
//! task's checks as [`CheckDef`] literals (name, title, points, kind, every
//! hint level, run function) and supplies what the checks every task shares
//! ([`shared`]) need: one correct exchange with its server, and the
//! grader's part against its client. The table in [`all`] lists the tasks.

mod pyhints;
mod rules;
mod shared;
mod task01;
mod task02;
mod task03;
mod task04;
mod task05;
mod task06;
mod trouble;

pub use shared::{client_checks, server_checks};

use crate::check::{Check, CheckDef, CheckResult, Language};
use crate::harness::{Ctx, Input, Listen, Server};

/// A task of the lab.
pub struct Task {
    pub number: u8,
    /// The cargo package, which is also the task's folder.
    pub package: &'static str,
    /// The section of `docs/concepts.md` the task is about.
    pub topic: &'static str,
    /// How its server echoes, for `grader bench`; `None`: nothing to load.
    pub echo: Option<Echo>,
    pub checks: Vec<Check>,
}

/// How a server echoes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    /// Task 04: each line comes back as a line; `BYE` ends.
    Lines,
    /// Task 03: every byte comes back; a half-close ends.
    Bytes,
    /// Task 05: every datagram comes back; one lost counts as an error,
    /// and the client goes on with the next.
    Datagrams,
}

impl Task {
    /// Task `L`, its checks given their full ids.
    fn of<L: Lesson>() -> Task {
        Task {
            number: L::NUMBER,
            package: L::PACKAGE,
            topic: L::TOPIC,
            echo: L::ECHO,
            checks: L::checks()
                .into_iter()
                .map(|def| {
                    let name = def.name;
                    let check = def.in_task(L::NUMBER, L::DEFAULT_PORT);
                    Check {
                        python: pyhints::of(&check.id, name),
                        ..check
                    }
                })
                .collect(),
        }
    }

    pub fn server_bin(&self) -> String {
        format!("task{:02}-server", self.number)
    }

    pub fn client_bin(&self) -> String {
        format!("task{:02}-client", self.number)
    }

    pub fn max_points(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }

    /// Whether `name` picks this task: `task03`, `3`, `03` or `task03_echo`.
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        let digits = name.strip_prefix("task").unwrap_or(&name);
        name == self.package || digits.parse::<u8>().is_ok_and(|n| n == self.number)
    }
}

/// Every task, in order.
pub fn all() -> Vec<Task> {
    vec![
        Task::of::<task01::Connect>(),
        Task::of::<task02::Greeting>(),
        Task::of::<task03::Echo>(),
        Task::of::<task04::Lines>(),
        Task::of::<task05::Udp>(),
        Task::of::<task06::Chat>(),
    ]
}

/// The task numbered `number`.
pub fn by_number(number: u8) -> Option<Task> {
    all().into_iter().find(|task| task.number == number)
}

/// The hints past the first for the check `id` (`task03.server.echo_1mib`),
/// most general first, for `grader hint`; none for an unknown id.
pub fn deeper(id: &str) -> &'static [&'static str] {
    deeper_in(id, Language::Rust)
}

/// [`deeper`], worded for a binary in `language`.
pub fn deeper_in(id: &str, language: Language) -> &'static [&'static str] {
    all()
        .into_iter()
        .flat_map(|task| task.checks)
        .find(|check| check.id == id)
        .map_or(&[], |check| check.hints_in(language).1)
}

/// A task: its number and package, its checks, and what the checks every
/// task shares need from it.
pub trait Lesson {
    /// The task's number: `task{NUMBER:02}` starts every id and binary name.
    const NUMBER: u8;
    /// The cargo package, which is also the task's folder.
    const PACKAGE: &'static str;
    /// What the client is given (`Input`) so that it connects to the
    /// grader and then waits, the grader saying nothing: where the
    /// `client.stops` check signals it. `None` for a client that never
    /// waits (task 01's connects and exits), which has no such check.
    const WAITING_CLIENT: Option<Input<'static>>;
    /// The port a server binds without `--port` (the contract's layout
    /// table: 5000 and the task's number).
    const DEFAULT_PORT: u16 = 5000 + Self::NUMBER as u16;
    /// The section of `docs/concepts.md` the task teaches, which `grader
    /// hint` points to.
    const TOPIC: &'static str;
    /// How the task's server echoes, if `grader bench` can load it.
    const ECHO: Option<Echo>;
    /// Its server talks in UDP datagrams, not over TCP connections.
    const DATAGRAMS: bool = false;
    /// Its server closes a connection of [`Lesson::probe`] before the
    /// grader does, leaving its side in TIME_WAIT: what `restarts` starts
    /// again over. An echo server closes only after the client's EOF, so
    /// there `restarts` stops it with a connection open instead.
    const SERVER_CLOSES_FIRST: bool = true;
    /// Every check of the task, in the order they run and are reported.
    fn checks() -> Vec<CheckDef>;
    /// One correct exchange with a running server, on a new connection.
    fn probe(ctx: &mut Ctx, server: &Server, round: usize) -> CheckResult;
    /// The grader plays the server on `ip` for the client and judges it.
    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Role;

    #[test]
    fn every_check_has_at_least_two_hint_levels_each_new() {
        for check in all().into_iter().flat_map(|task| task.checks) {
            for language in [Language::Rust, Language::Python] {
                let (hint, deeper) = check.hints_in(language);
                assert!(
                    !hint.is_empty() && !deeper.is_empty(),
                    "{} ({language:?}): fewer than two hint levels",
                    check.id
                );
                assert!(
                    !deeper.contains(&hint),
                    "{} ({language:?}): a deeper hint is the first one again",
                    check.id
                );
            }
        }
    }

    #[test]
    fn an_unknown_check_has_no_deeper_hint() {
        assert!(deeper("task03.server.no_such_check").is_empty());
        assert!(deeper_in("nonsense", Language::Python).is_empty());
        assert!(!deeper("task03.server.echo_1mib").is_empty());
        assert_ne!(
            deeper("task03.server.echo_1mib"),
            deeper_in("task03.server.echo_1mib", Language::Python)
        );
    }

    #[test]
    fn ids_name_their_task_and_role() {
        for task in all() {
            for check in &task.checks {
                let prefix = format!("task{:02}.{:?}.", task.number, check.role);
                assert!(
                    check.id.starts_with(&prefix.to_lowercase()),
                    "{} is not under {prefix}",
                    check.id
                );
            }
        }
        assert_eq!(Role::of_name("pair.chat"), Some(Role::Pair));
        assert_eq!(Role::of_name("peer.chat"), None);
    }
}
