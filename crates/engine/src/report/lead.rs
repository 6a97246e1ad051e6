//! The lead of a failing task: what a student reads first about it, and
//! what `grader hint` starts from. One mistake usually fails several
//! checks; the cause behind most of them is the place to start, not
//! whichever check happens to come first in the list.

use super::CheckReport;
use crate::check::Status;
use crate::outcome::Cause;

/// What to tell first about a task's failures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lead {
    /// The cause in words (`the server answers ...`), or the first failing
    /// check's message when no failure has a cause.
    pub text: String,
    /// The cause's hint, or that check's.
    pub hint: String,
    /// The failed checks it explains, in check order.
    pub checks: Vec<String>,
    /// The cause, when there is one.
    pub cause: Option<Cause>,
}

/// The lead of `checks`: the cause shared by the most failed checks (the
/// first such group in check order on a tie), else the first failed check.
/// `None` when nothing failed.
pub fn lead(checks: &[CheckReport]) -> Option<Lead> {
    let failed: Vec<&CheckReport> = checks.iter().filter(|c| c.status == Status::Fail).collect();
    let mut groups: Vec<(&Cause, Vec<&CheckReport>)> = Vec::new();
    for check in &failed {
        let Some(cause) = &check.cause else { continue };
        match groups.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, members)) => members.push(check),
            None => groups.push((cause, vec![check])),
        }
    }
    // `max_by_key` keeps the last of equals: reversed, the first one wins.
    let largest = groups.into_iter().rev().max_by_key(|(_, m)| m.len());
    if let Some((cause, members)) = largest {
        return Some(Lead {
            text: cause.to_string(),
            hint: members[0].hint.clone(),
            checks: members.iter().map(|c| c.id.clone()).collect(),
            cause: Some(cause.clone()),
        });
    }
    let first = failed.first()?;
    Some(Lead {
        text: first.message.clone(),
        hint: first.hint.clone(),
        checks: vec![first.id.clone()],
        cause: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{CauseKind, Role};

    fn check(id: &str, status: Status, cause: Option<CauseKind>) -> CheckReport {
        CheckReport {
            id: id.into(),
            title: String::new(),
            role: Role::Server,
            status,
            points: 0,
            max_points: 1,
            message: format!("{id} failed"),
            hint: format!("{id}'s hint"),
            duration_ms: 0,
            expected: None,
            actual: None,
            transcript: Vec::new(),
            cause: cause.map(|kind| Cause {
                kind,
                program: "server".into(),
                detail: String::new(),
            }),
            flaky: false,
            visibility: Default::default(),
        }
    }

    #[test]
    fn the_largest_cause_leads_wherever_its_checks_are() {
        let checks = [
            check("a", Status::Fail, None),
            check("b", Status::Fail, Some(CauseKind::Exited)),
            check("c", Status::Pass, None),
            check("d", Status::Fail, Some(CauseKind::OneAtATime)),
            check("e", Status::Fail, Some(CauseKind::OneAtATime)),
        ];
        let lead = lead(&checks).unwrap();
        assert_eq!(lead.checks, ["d", "e"]);
        assert_eq!(
            lead.text,
            "the server does not serve its clients at the same time"
        );
        assert_eq!(lead.hint, "d's hint");
    }

    #[test]
    fn on_a_tie_the_first_group_leads() {
        let checks = [
            check("a", Status::Fail, Some(CauseKind::Exited)),
            check("b", Status::Fail, Some(CauseKind::OneAtATime)),
        ];
        assert_eq!(lead(&checks).unwrap().checks, ["a"]);
    }

    #[test]
    fn without_a_cause_the_first_failure_leads() {
        let checks = [
            check("a", Status::Pass, None),
            check("b", Status::Error, None),
            check("c", Status::Fail, None),
            check("d", Status::Fail, None),
        ];
        let lead = lead(&checks).unwrap();
        assert_eq!(
            (lead.text.as_str(), lead.hint.as_str()),
            ("c failed", "c's hint")
        );
        assert!(super::lead(&checks[..2]).is_none());
    }
}
