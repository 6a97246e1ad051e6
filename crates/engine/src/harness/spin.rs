//! A program that spins: while a check waits for a server to close a
//! connection whose client has ended its stream, a correct server has
//! nothing left to do but that, and sleeps. One that keeps a CPU busy
//! instead is stuck in a loop (typically reading again after `read`
//! returned 0, which it does at once, for ever): named as such at once,
//! rather than waited out, and remembered, so that the other checks
//! waiting on the same thing end as soon as they see it too.

use super::{Ctx, Never, STEP};
use crate::outcome::{CauseKind, Outcome};
use crate::peer::{self, End, Received};
use crate::process::{Child, Tree};
use crate::time::Deadline;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long a program must stay busy to be called spinning.
pub const WINDOW: Duration = Duration::from_millis(300);
/// The same, once an earlier check has seen it spin: only to confirm that
/// this check's copy of the program does the same.
const CONFIRM: Duration = Duration::from_millis(100);
/// The share of that time it must be busy: a program that waits on a
/// socket is busy for well under 1 % of it.
const BUSY: f64 = 0.8;
/// The shortest time between two readings.
const READINGS: Duration = Duration::from_millis(50);
/// How long a program's busy time must stay still for it to be idle.
const QUIET: Duration = Duration::from_millis(10);

/// Watches how busy a program is, from the moment it should be idle.
pub struct Watch {
    tree: Tree,
    /// Readings so far: when, and how busy the program had been until then.
    readings: Vec<(Instant, Duration)>,
    window: Duration,
    confirm: Duration,
    known: super::Known,
    spinning: bool,
}

impl Watch {
    /// Starts watching `program`, which from now on has nothing to do but
    /// wait or close.
    pub fn new(ctx: &Ctx, program: &Child) -> Watch {
        let mut watch = Watch {
            tree: Tree::new(program.pid()),
            readings: Vec::new(),
            window: ctx.timing.scaled(WINDOW),
            confirm: ctx.timing.scaled(CONFIRM),
            known: ctx.subjects.known.clone(),
            spinning: false,
        };
        watch.read();
        watch
    }

    fn read(&mut self) {
        if let Some(busy) = self.tree.busy() {
            self.readings.push((Instant::now(), busy));
        }
    }

    /// Whether the program has kept a CPU busy (on it, or in line for it)
    /// for most of the last [`WINDOW`] (less when an earlier check saw it
    /// spin). Always `false` where the system can't tell.
    pub fn spinning(&mut self) -> bool {
        let last = self.readings.last().map(|(at, _)| *at);
        if self.spinning || last.is_some_and(|at| at.elapsed() < READINGS) {
            return self.spinning;
        }
        self.read();
        let window = match self.known.never(Never::IdlesAtEof) {
            Some(_) => self.confirm,
            None => self.window,
        };
        let Some(&(now, busy_now)) = self.readings.last() else {
            return false;
        };
        // The latest reading at least a window old: how busy since then.
        let Some(from) = self
            .readings
            .iter()
            .rposition(|(at, _)| now.duration_since(*at) >= window)
        else {
            return false;
        };
        let (then, busy_then) = self.readings[from];
        self.readings.drain(..from);
        let share = busy_now.saturating_sub(busy_then).as_secs_f64()
            / now.duration_since(then).as_secs_f64();
        self.spinning = share >= BUSY;
        self.spinning
    }
}

/// The failure of a server that kept a CPU busy while it should have
/// closed the connection of a client that had ended its stream; kept for
/// the other checks, which then confirm it in a moment.
pub fn spins(ctx: &mut Ctx) -> Outcome {
    ctx.note("the server kept a CPU busy while it should have been closing: it spins");
    let outcome = Outcome::fail(
        "after the client's end of stream the server kept a CPU core busy (100 % CPU) instead of closing the connection: \
            a loop that reads again after `read` returned 0 spins for ever",
    )
    .because(CauseKind::Spins, "server", "");
    ctx.subjects.known.saw_never(Never::IdlesAtEof, &outcome);
    outcome
}

/// Waits until `program` is idle, every thread of it blocked (on its
/// keyboard, its socket), for [`QUIET`], or until `most` has passed: then
/// what it does next is what the grader does to it, not its threads'
/// timing. Returns at once where the system can't tell.
pub fn until_idle(program: &Child, most: Duration) {
    let mut tree = Tree::new(program.pid());
    let until = Deadline::after(most);
    let Some(mut last) = tree.busy() else {
        return;
    };
    let mut still_since = Instant::now();
    while !until.expired() {
        std::thread::sleep(QUIET / 5);
        let Some(busy) = tree.busy() else {
            return;
        };
        if busy != last {
            last = busy;
            still_since = Instant::now();
        } else if still_since.elapsed() >= QUIET {
            return;
        }
    }
}

/// Reads from `stream` until the server closes it, the deadline passes or
/// more than `cap` bytes came, as [`peer::read_to_end`] does; once
/// `settled()` says the server has all it needs to finish, watches it, and
/// ends the wait failed with [`spins`] when it spins.
pub fn read_to_close(
    ctx: &mut Ctx,
    server: &Child,
    stream: &TcpStream,
    cap: usize,
    deadline: Deadline,
    settled: impl Fn() -> bool,
) -> Result<Received, Outcome> {
    let mut bytes = Vec::new();
    let mut watch: Option<Watch> = None;
    loop {
        let mut got =
            peer::read_to_end(stream, cap.saturating_sub(bytes.len()), deadline.step(STEP));
        bytes.append(&mut got.bytes);
        if !matches!(got.end, End::Timeout) || deadline.expired() {
            return Ok(Received {
                bytes,
                end: got.end,
            });
        }
        if bytes.len() > cap {
            return Ok(Received {
                bytes,
                end: End::Capped,
            });
        }
        if !settled() {
            continue;
        }
        let watch = watch.get_or_insert_with(|| Watch::new(ctx, server));
        if watch.spinning() {
            return Err(spins(ctx));
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::harness::Subjects;
    use crate::process::{Program, Stream};
    use crate::time::Timing;

    fn sh(script: &str) -> Child {
        let program = Program::new(vec!["sh".into(), "-c".into(), script.into()]);
        let child = Child::spawn(&program, false).unwrap();
        let soon = Deadline::after(Duration::from_secs(10));
        let started = child.wait_for_line(Stream::Stdout, soon, |l| l == "started");
        assert!(started.is_ok(), "{script}: {started:?}");
        child
    }

    /// Whether `watch` calls its program spinning within `wall`.
    fn seen_spinning(mut watch: Watch, wall: Duration) -> bool {
        let until = Deadline::after(wall);
        while !until.expired() {
            if watch.spinning() {
                return true;
            }
            std::thread::sleep(STEP);
        }
        false
    }

    #[test]
    fn a_busy_loop_spins_and_an_idle_program_does_not_even_on_a_loaded_machine() {
        let subjects = Subjects::default();
        let ctx = Ctx::new(&subjects, Timing::default());
        // Three busy loops for two or so cores: every one of them waits in
        // line for a CPU much of the time, and still counts as busy.
        let hogs: Vec<Child> = (0..3)
            .map(|_| sh("echo started; while :; do :; done"))
            .collect();
        let idle = sh("echo started; exec sleep 30");
        let wall = Duration::from_millis(800);
        assert!(!seen_spinning(Watch::new(&ctx, &idle), wall));
        assert!(seen_spinning(Watch::new(&ctx, &hogs[0]), wall));
    }
}
