//! `server.concurrent_100`: a hundred clients connected at once, each
//! answered while all the others are connected.

use super::conn::judge_reply;
use super::LINE_CAP;
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::Ctx;
use crate::peer::{self, LineConn};
use crate::time::{human, Deadline};
use std::net::SocketAddr;
use std::sync::{Barrier, Condvar, Mutex};
use std::thread;
use std::time::Duration;

const CLIENTS: usize = 100;
const LINES_EACH: usize = 20;

pub(super) fn concurrent_100(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let addr = server.addr;
    let deadline = ctx.deadline(Duration::from_secs(20));
    let together = Together::new(ctx.deadline(ALL_ANSWERED));
    ctx.note(format!(
            "{CLIENTS} clients connect, each is answered once while all are connected, then each sends {LINES_EACH} lines"
        ));
    let all_connected = Barrier::new(CLIENTS);
    let failures: Vec<String> = thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let (all_connected, together) = (&all_connected, &together);
                thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn_scoped(scope, move || {
                        one_of_many(i, addr, all_connected, together, deadline)
                    })
            })
            .collect();
        clients
            .into_iter()
            .filter_map(|spawned| match spawned {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|_| Err("client thread panicked".into()))
                    .err(),
                Err(e) => Some(format!("could not start a client thread: {e}")),
            })
            .collect()
    });
    if failures.is_empty() {
        return Ok(());
    }
    // A wrong reply leaves its client unanswered too: it is the mistake to
    // show, not the count.
    let wrong = failures.iter().find(|f| f.contains("wrong reply"));
    if let Some(answered) = together.at_deadline().filter(|_| wrong.is_none()) {
        let message = format!(
                "only {answered} of {CLIENTS} connected clients got a reply within {}: the server does not serve them all at once",
                human(ctx.timing.scaled(ALL_ANSWERED))
            );
        return Err(Outcome::fail(message).because(CauseKind::OneAtATime, "server", ""));
    }
    // Those that waited for another client's first reply in vain are
    // not counted: that client is.
    let own = failures.iter().filter(|f| !f.contains(NOT_EVERY)).count();
    Err(Outcome::fail(format!(
        "{} of {CLIENTS} clients were not served correctly; first: {}",
        own.max(1),
        wrong.unwrap_or(&failures[0])
    )))
}

/// What a client that was answered says when another one was not.
const NOT_EVERY: &str = "was answered, but not every other connected client was";

/// How long 100 connected clients have to be answered once each.
const ALL_ANSWERED: Duration = Duration::from_secs(2);

/// Counts the clients of [`concurrent_100`] that had their first reply,
/// and lets each wait, within a deadline, until all have: a server that
/// serves fewer at once than are connected can't get past this.
struct Together {
    /// How many had their first reply, and how many failed before theirs
    /// (a wrong reply, a refused connection): those never will.
    answered: Mutex<(usize, usize)>,
    changed: Condvar,
    deadline: Deadline,
    /// How many had been answered when the deadline passed, if it did.
    at_deadline: Mutex<Option<usize>>,
}

impl Together {
    fn new(deadline: Deadline) -> Self {
        Together {
            answered: Mutex::new((0, 0)),
            changed: Condvar::new(),
            deadline,
            at_deadline: Mutex::new(None),
        }
    }

    fn at_deadline(&self) -> Option<usize> {
        *self.at_deadline.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a client that failed before its first reply: the others
    /// need not wait for it.
    fn failed(&self) {
        let mut counts = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        counts.1 += 1;
        self.changed.notify_all();
    }

    /// Records one more answered client; true once all are, false if the
    /// deadline passes first or a client failed before its reply.
    fn answered_and_wait(&self) -> bool {
        let mut answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        answered.0 += 1;
        self.changed.notify_all();
        while answered.0 < CLIENTS {
            if answered.0 + answered.1 == CLIENTS {
                return false;
            }
            let Some(left) = self.deadline.remaining() else {
                let mut seen = self.at_deadline.lock().unwrap_or_else(|p| p.into_inner());
                seen.get_or_insert(answered.0);
                return false;
            };
            answered = self
                .changed
                .wait_timeout(answered, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }
}

/// One client of [`concurrent_100`]: connects, waits for all to connect,
/// is answered once and waits for all to be answered, then talks.
fn one_of_many(
    i: usize,
    addr: SocketAddr,
    all_connected: &Barrier,
    together: &Together,
    deadline: Deadline,
) -> Result<(), String> {
    let mut answered = false;
    let talked = talk(i, addr, all_connected, together, deadline, &mut answered);
    if talked.is_err() && !answered {
        together.failed();
    }
    talked
}

fn talk(
    i: usize,
    addr: SocketAddr,
    all_connected: &Barrier,
    together: &Together,
    deadline: Deadline,
    answered: &mut bool,
) -> Result<(), String> {
    let connected = peer::connect(addr, deadline);
    all_connected.wait();
    let stream = connected.map_err(|e| format!("client {i} could not connect: {e}"))?;
    let mut conn = LineConn::new(stream, LINE_CAP);
    let name = format!("client {i}");
    let judged = |line: &str, error, within: Deadline| {
        describe(&judge_reply(&name, line, error, within.budget()))
    };
    for j in 0..LINES_EACH {
        let line = format!("client {i} line {j}: {}", "x".repeat((i * 7 + j * 13) % 50));
        conn.send(line.as_bytes(), deadline)
            .map_err(|e| format!("{name} could not send line {j}: {e}"))?;
        let within = if j == 0 { together.deadline } else { deadline };
        conn.reply_to(line.as_bytes(), within)
            .map_err(|error| judged(&line, error, within))?;
        *answered |= j == 0;
        if j == 0 && !together.answered_and_wait() {
            return Err(format!("{name} {NOT_EVERY}"));
        }
    }
    conn.send(b"BYE", deadline)
        .map_err(|e| format!("{name} could not send BYE: {e}"))?;
    conn.reply_to(b"BYE", deadline)
        .map(drop)
        .map_err(|error| judged("BYE", error, deadline))
}

fn describe(outcome: &Outcome) -> String {
    let mut text = outcome.message.clone();
    if let Some(expected) = &outcome.expected {
        text.push_str(&format!("; expected {expected}"));
    }
    if let Some(actual) = &outcome.actual {
        text.push_str(&format!(", got {actual}"));
    }
    text
}
