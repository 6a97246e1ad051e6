//! What the checks of one grading have learned about a server that holds
//! for every later check: started with the same arguments, a server that
//! never announced itself, ended first, announced port 0 or an unreadable
//! address, or bound a port of its own, will do the same again. Later
//! checks fail at once with what the first one found, instead of each
//! waiting out its own deadline for the same missing line.
//!
//! It also keeps what a program was seen never to do where a correct one
//! does it at once, found by waiting out a deadline (a server that answers
//! `BYE` and keeps the connection open): the same wait in a later check
//! would be waited out in vain, and a pair check that needs it can't end.

use crate::outcome::{CauseKind, Outcome};
use std::sync::{Arc, Mutex, MutexGuard};

/// Shared by the checks of one grading (cloning shares it).
#[derive(Clone, Debug, Default)]
pub struct Known(Arc<Mutex<Memory>>);

#[derive(Debug, Default)]
struct Memory {
    starts: Vec<Start>,
    nevers: Vec<(Never, Outcome)>,
}

/// Something a correct program does within milliseconds, which a check
/// waited for in vain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Never {
    /// The server answered `BYE` and kept the connection open (task 04).
    ClosesAfterBye,
    /// The server sent its greeting with no line ending and kept the
    /// connection open (task 02).
    EndsGreeting,
    /// The client sent its message and never shut down its sending side
    /// (task 03).
    HalfCloses,
    /// The server answered a second client only once the first had left
    /// (task 04).
    ServesTwo,
    /// The server sent no reply to a datagram sent again and again
    /// (task 05).
    RepliesToDatagram,
    /// The server kept a CPU busy after a client's end of stream instead
    /// of closing the connection: it spins (any task).
    IdlesAtEof,
}

impl Never {
    /// Whether it keeps a client and a server from finishing their
    /// exchange, as the pair checks have them do.
    fn blocks_pair(self) -> bool {
        matches!(
            self,
            Never::ClosesAfterBye | Never::EndsGreeting | Never::HalfCloses | Never::IdlesAtEof
        )
    }
}

/// A start of the server: its arguments, and how it failed.
type Start = (Vec<String>, Outcome);

/// The causes that the same arguments are sure to bring again.
const FOR_GOOD: [CauseKind; 5] = [
    CauseKind::NeverAnnounced,
    CauseKind::ExitedEarly,
    CauseKind::UnreadableAddress,
    CauseKind::AnnouncedPortZero,
    CauseKind::IgnoresPort,
];

impl Known {
    /// What starting the server with `args` led to before, if it is sure
    /// to again.
    pub fn start(&self, args: &[&str]) -> Option<Outcome> {
        self.memory()
            .starts
            .iter()
            .find(|(seen, _)| seen.iter().map(String::as_str).eq(args.iter().copied()))
            .map(|(_, outcome)| outcome.clone())
    }

    /// Keeps `outcome` of starting the server with `args`, when its cause
    /// is one the same arguments are sure to bring again.
    pub fn remember(&self, args: &[&str], outcome: &Outcome) {
        let sure = outcome
            .cause
            .as_ref()
            .is_some_and(|cause| FOR_GOOD.contains(&cause.kind));
        if sure && self.start(args).is_none() {
            let args = args.iter().map(|a| a.to_string()).collect();
            self.memory().starts.push((args, outcome.clone()));
        }
    }

    /// How an earlier check failed waiting for `never`, if one did.
    pub fn never(&self, never: Never) -> Option<Outcome> {
        self.memory()
            .nevers
            .iter()
            .find(|(seen, _)| *seen == never)
            .map(|(_, outcome)| outcome.clone())
    }

    /// Keeps `outcome`, a check's failure after waiting for `never` in vain.
    pub fn saw_never(&self, never: Never, outcome: &Outcome) {
        let mut memory = self.memory();
        if !memory.nevers.iter().any(|(seen, _)| *seen == never) {
            memory.nevers.push((never, outcome.clone()));
        }
    }

    /// The first thing seen never to happen that keeps a pair of programs
    /// from finishing their exchange.
    pub fn blocks_pair(&self) -> Option<Outcome> {
        let memory = self.memory();
        let mut blocking = memory
            .nevers
            .iter()
            .filter(|(never, _)| never.blocks_pair());
        blocking.next().map(|(_, outcome)| outcome.clone())
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_causes_sure_to_come_again_are_kept_and_only_for_their_arguments() {
        let known = Known::default();
        let args = ["--host", "127.0.0.1", "--port", "0"];
        let never = Outcome::fail("no `Listening on` line after 5 s").because(
            CauseKind::NeverAnnounced,
            "server",
            "",
        );
        known.remember(&args, &Outcome::fail("no greeting"));
        assert_eq!(known.start(&args), None);
        known.remember(&args, &never);
        assert_eq!(known.start(&args), Some(never));
        assert_eq!(known.start(&["--port", "0"]), None);
        let todo = Outcome::fail("not implemented yet").because(
            CauseKind::NotImplemented,
            "server",
            "server.rs:31",
        );
        known.remember(&["--port", "0"], &todo);
        assert_eq!(known.start(&["--port", "0"]), None);
    }

    #[test]
    fn a_never_is_kept_once_by_its_kind() {
        let known = Known::default();
        assert_eq!(known.blocks_pair(), None);
        let first = Outcome::fail("client 1: kept the connection open");
        known.saw_never(Never::ClosesAfterBye, &first);
        known.saw_never(Never::ClosesAfterBye, &Outcome::fail("client 2: the same"));
        assert_eq!(known.never(Never::ClosesAfterBye), Some(first.clone()));
        assert_eq!(known.never(Never::HalfCloses), None);
        assert_eq!(known.blocks_pair(), Some(first.clone()));
        let one = Known::default();
        one.saw_never(Never::ServesTwo, &first);
        assert_eq!(
            one.blocks_pair(),
            None,
            "one client at a time still serves a pair"
        );
    }
}
