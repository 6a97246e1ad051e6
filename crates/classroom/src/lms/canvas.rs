//! A Canvas submissions zip, read entry by entry (canvas-lms
//! lib/content_zipper.rb names them; [`names::canvas`] reads the names).
//!
//! A student's entries are grouped by user id: every file of the latest
//! attempt is laid together ([`lay`]), the higher attachment id winning a
//! task two files hold; online text and URL entries are noted, never
//! graded. An entry Canvas would not have named is a row of its own.

use super::lay::{lay, Part};
use super::names::{self, CanvasKind, CanvasName};
use super::{unrecognised, Entry, Submitter};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// Why an entry is not a student's in a Canvas download.
const NOT_CANVAS: &str = "not named as Canvas names a submission (name_userid_attachmentid_file)";

pub(super) fn read(entries: &[Entry], staging: &Path) -> io::Result<Vec<Submitter>> {
    let mut by_user: BTreeMap<String, Vec<(&Entry, CanvasName)>> = BTreeMap::new();
    let mut students = Vec::new();
    for entry in entries {
        match (!entry.is_dir)
            .then(|| names::canvas(&entry.name))
            .flatten()
        {
            Some(parsed) => by_user
                .entry(parsed.user_id.clone())
                .or_default()
                .push((entry, parsed)),
            None => students.push(unrecognised(entry, NOT_CANVAS)),
        }
    }
    for files in by_user.values() {
        students.push(student(files, staging)?);
    }
    Ok(students)
}

fn attachment_id(name: &CanvasName) -> u64 {
    name.submission_id.parse().unwrap_or(0)
}

/// One student's entries, laid into one submission.
fn student(files: &[(&Entry, CanvasName)], staging: &Path) -> io::Result<Submitter> {
    // Named after the latest file (feedback files handed back carry its
    // attachment id), or the text entry when there is no file.
    let (_, latest) = files
        .iter()
        .max_by_key(|(_, p)| (p.kind == CanvasKind::File, attachment_id(p)))
        .expect("a student has an entry");
    let key = if latest.name.is_empty() {
        latest.user_id.clone()
    } else {
        format!("{}_{}", latest.name, latest.user_id)
    };
    let mut notes = Vec::new();
    let mut parts = Vec::new();
    for (entry, parsed) in files {
        match parsed.kind {
            CanvasKind::File => parts.push(Part::File {
                path: entry.path.clone(),
                original: parsed.original.clone(),
                order: attachment_id(parsed),
            }),
            CanvasKind::Text => notes.push(format!(
                "{}: online text, not graded (only files are)",
                entry.name
            )),
            CanvasKind::Link => notes.push(format!(
                "{}: a website URL, not graded (only files are)",
                entry.name
            )),
        }
    }
    let laid = lay(
        staging,
        &key,
        &parts,
        "only online text or a URL was handed in: nothing to grade",
    )?;
    notes.extend(laid.notes);
    Ok(Submitter {
        name: latest.name.clone(),
        lms_id: latest.user_id.clone(),
        submission_id: latest.submission_id.clone(),
        late: files.iter().any(|(_, p)| p.late),
        path: laid.path,
        lms_name: latest.prefix.clone(),
        reason: laid.reason,
        notes,
        key,
        member: None,
    })
}
