//! What the checks of one grading have learned about a server that holds
//! for every later check: started with the same arguments, a server that
//! never announced itself, ended first, announced port 0 or an unreadable
//! address, or bound a port of its own, will do the same again. Later
//! checks fail at once with what the first one found, instead of each
//! waiting out its own deadline for the same missing line.
//!
//! Only causes found while starting the server are kept: what a server
//! does later depends on what each check sends it.

use crate::check::{CauseKind, Outcome};
use std::sync::{Arc, Mutex};

/// Shared by the checks of one grading (cloning shares it).
#[derive(Clone, Debug, Default)]
pub struct Known(Arc<Mutex<Vec<Start>>>);

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
        let known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        known
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
            let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
            known.push((args, outcome.clone()));
        }
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
}
