//! The roster laid beside a download: each submission given its roster
//! line, the roster's students with none added, and each student a key of
//! their own.

use super::names::{self, nfc};
use super::roster::{Member, Roster};
use super::{Lms, Submitter};
use std::collections::BTreeMap;

/// Whether the roster's `member` is the student who handed in `who`.
/// Names are compared composed (NFC) and without regard to case.
fn same_student(lms: Lms, who: &Submitter, member: &Member) -> bool {
    let same = |a: &str, b: &str| !a.is_empty() && nfc(a).to_lowercase() == nfc(b).to_lowercase();
    same(&who.lms_id, &member.id)
        || match lms {
            // A roster without Canvas's ids: by the name Canvas made.
            Lms::Canvas => {
                !member.id.chars().all(|c| c.is_ascii_digit())
                    && same(&names::canvas_login(&member.name), &who.name)
            }
            Lms::Moodle => same(&who.name, &member.name),
            Lms::Classroom => same(&who.lms_id, &member.login),
            Lms::Plain => [&member.login, &member.email, &member.name]
                .iter()
                .any(|id| same(&who.key, id)),
        }
}

/// Gives each submission its roster line, and adds the roster's students
/// with none; returns who handed in without being on the roster.
pub(super) fn match_roster(
    lms: Lms,
    students: &mut Vec<Submitter>,
    roster: &Roster,
) -> Vec<String> {
    let mut matched = vec![false; roster.members.len()];
    let mut strangers = Vec::new();
    for who in students.iter_mut() {
        // An entry no LMS would give (see `super::unrecognised`) is nobody's.
        if who.lms_name.is_empty() && who.reason.is_some() {
            continue;
        }
        let found = roster
            .members
            .iter()
            .enumerate()
            .find(|(i, m)| !matched[*i] && same_student(lms, who, m));
        match found {
            Some((i, member)) => {
                matched[i] = true;
                if !member.name.is_empty() {
                    who.name = member.name.clone();
                }
                if who.lms_id.is_empty() {
                    who.lms_id = member.id.clone();
                }
                who.member = Some(member.clone());
            }
            None => strangers.push(who.key.clone()),
        }
    }
    for (member, _) in roster.members.iter().zip(matched).filter(|(_, m)| !m) {
        students.push(Submitter {
            key: member.id.clone(),
            name: if member.name.is_empty() {
                member.id.clone()
            } else {
                member.name.clone()
            },
            lms_id: member.id.clone(),
            member: Some(member.clone()),
            ..Submitter::default()
        });
    }
    strangers
}

/// Two students never share a results folder.
pub(super) fn unique_keys(students: &mut [Submitter]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for who in students.iter_mut() {
        let folder = super::folder_name(&who.key);
        let count = seen.entry(folder).or_default();
        *count += 1;
        if *count > 1 {
            who.key = format!("{}-{count}", who.key);
        }
    }
}
