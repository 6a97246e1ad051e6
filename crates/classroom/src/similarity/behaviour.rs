//! Behaviour fingerprints: students whose programs break the same rare way.
//!
//! Each failing check of a student's report gives a signature: the check's
//! id, its message and the wrong output it quotes, with what changes from
//! run to run masked (addresses, ports, timings, temporary paths). A
//! signature most of the class shares is a common mistake, and says
//! nothing; one that two or a few students share, and nobody else, is
//! evidence worth reading. Failures that only say the work is missing (the
//! starter's `todo!()`, a build failure, a limit of the sandbox) are no
//! behaviour and are left out.

use super::Source;
use crate::check::{CauseKind, Status};
use std::collections::{BTreeMap, BTreeSet};

/// Students who share rare wrong behaviour, and what it is.
#[derive(Debug, Clone)]
pub struct Group {
    /// Indices into the class's sources.
    pub members: Vec<usize>,
    pub evidence: Vec<Evidence>,
}

/// One failure the group shares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub check: String,
    pub title: String,
    /// The message and wrong output, masked.
    pub output: String,
    /// How many in the class fail this way.
    pub holders: usize,
}

/// The share of the graded class a failure may reach and still be rare.
const RARE_SHARE: f64 = 0.05;

/// What a run changes in a message, masked: IPv4 and IPv6 addresses,
/// ports, timings, numbers of four or more digits, temporary paths.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c == '/' && chars[at..].iter().take(5).collect::<String>() == "/tmp/" {
            while at < chars.len() && !chars[at].is_whitespace() && chars[at] != '`' {
                at += 1;
            }
            out.push_str("PATH");
            continue;
        }
        if c.is_ascii_hexdigit() || c == ':' || c == '[' {
            // An address: digits, dots, colons and hex, ending in a port.
            let start = at;
            while at < chars.len() && (chars[at].is_ascii_hexdigit() || ".:[]".contains(chars[at]))
            {
                at += 1;
            }
            let run: String = chars[start..at].iter().collect();
            let dots = run.matches('.').count();
            let colons = run.matches(':').count();
            let digits = run.chars().filter(char::is_ascii_digit).count();
            if (dots == 3 && digits >= 4) || (colons >= 2 && digits >= 1) {
                out.push_str("ADDR");
                continue;
            }
            at = start;
        }
        if c.is_ascii_digit()
            && !chars
                .get(at.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric())
        {
            let start = at;
            while at < chars.len() && (chars[at].is_ascii_digit() || chars[at] == '.') {
                at += 1;
            }
            let number: String = chars[start..at].iter().collect();
            let after = chars[at..]
                .iter()
                .skip_while(|c| **c == ' ')
                .take_while(|c| c.is_alphabetic());
            let word: String = after.collect();
            let unit = [
                "ms",
                "s",
                "µs",
                "us",
                "ns",
                "sec",
                "secs",
                "seconds",
                "milliseconds",
            ]
            .contains(&word.as_str());
            let port = out.ends_with(':') || out.ends_with("port ");
            if unit || port || number.trim_end_matches('.').len() >= 4 {
                out.push('N');
                if number.ends_with('.') {
                    out.push('.');
                }
            } else {
                out.push_str(&number);
            }
            continue;
        }
        out.push(c);
        at += 1;
    }
    out
}

/// What a failing check says, masked, when it says something about how
/// the program behaved.
fn signature(check: &crate::report::CheckReport) -> Option<String> {
    if check.status != Status::Fail {
        return None;
    }
    let missing = matches!(
        check.cause.as_ref().map(|c| c.kind),
        Some(CauseKind::NotImplemented | CauseKind::DidNotBuild | CauseKind::SandboxLimit)
    );
    if missing {
        return None;
    }
    let mut text = mask(&check.message);
    if let Some(actual) = &check.actual {
        text.push_str("\nprinted: ");
        text.push_str(&mask(actual));
    }
    Some(text)
}

/// Groups of students sharing rare wrong behaviour, most evidence first.
pub fn groups(sources: &[Source]) -> Vec<Group> {
    // Each signature: the students who show it, and the check's title.
    let mut holders: BTreeMap<(String, String), (String, BTreeSet<usize>)> = BTreeMap::new();
    let mut graded = 0;
    for (at, source) in sources.iter().enumerate() {
        let Some(report) = source.report.as_ref().filter(|_| !source.known) else {
            continue;
        };
        graded += 1;
        for check in report.tasks.iter().flat_map(|t| &t.checks) {
            if let Some(output) = signature(check) {
                holders
                    .entry((check.id.clone(), output))
                    .or_insert_with(|| (check.title.clone(), BTreeSet::new()))
                    .1
                    .insert(at);
            }
        }
    }
    let rare = 2usize.max((RARE_SHARE * graded as f64).ceil() as usize);
    // Students with the same set of rare failures form one group.
    let mut by_members: BTreeMap<Vec<usize>, Vec<Evidence>> = BTreeMap::new();
    for ((check, output), (title, who)) in holders {
        if who.len() < 2 || who.len() > rare {
            continue;
        }
        by_members
            .entry(who.iter().copied().collect())
            .or_default()
            .push(Evidence {
                check,
                title,
                output,
                holders: who.len(),
            });
    }
    let mut groups: Vec<Group> = by_members
        .into_iter()
        .map(|(members, evidence)| Group { members, evidence })
        .collect();
    groups.sort_by_key(|g| {
        (
            std::cmp::Reverse(g.evidence.len()),
            g.members.len(),
            g.members.clone(),
        )
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_run_changes_is_masked() {
        assert_eq!(
            mask("could not connect to 127.0.0.1:40213 after 1.50 s"),
            mask("could not connect to 127.0.0.1:5003 after 2.01 s")
        );
        assert_eq!(mask("listening on [::1]:8080"), "listening on ADDR");
        assert_eq!(mask("took 350 ms"), "took N ms");
        assert_eq!(mask("saw /tmp/grader-x1/a.txt here"), "saw PATH here");
        // What the program chose to print stays.
        assert_eq!(mask("expected 3 lines, got 2"), "expected 3 lines, got 2");
        assert_ne!(mask("echo hello"), mask("echo hellO"));
    }
}
