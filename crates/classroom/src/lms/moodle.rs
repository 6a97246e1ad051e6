//! A Moodle "Download all submissions" zip, with or without a folder per
//! student (moodle mod/assign/classes/downloader.php
//! `load_submissionplugin_filelist`), read entry by entry.
//!
//! With folders, each student has `<Full Name>_<id>_assignsubmission_file`
//! (Moodle before 4.1 adds a `_`) holding their files; without, each file
//! is `<Full Name>_<id>_assignsubmission_file_<file>`. Either way the
//! student's files are laid together ([`lay`]), zips opened; other
//! submission plugins (online text) are noted, never graded.

use super::lay::{self, lay, Part};
use super::names::{self, MoodleName};
use super::{unrecognised, Entry, Submitter};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

const NOT_MOODLE: &str =
    "not named as Moodle names a submission (Full Name_id_assignsubmission_file)";

pub(super) fn read(entries: &[Entry], staging: &Path) -> io::Result<Vec<Submitter>> {
    let mut by_participant: BTreeMap<String, Vec<(&Entry, MoodleName)>> = BTreeMap::new();
    let mut students = Vec::new();
    for entry in entries {
        match names::moodle(&entry.name) {
            Some(parsed) => by_participant
                .entry(parsed.participant.clone())
                .or_default()
                .push((entry, parsed)),
            None => students.push(unrecognised(entry, NOT_MOODLE)),
        }
    }
    for parts in by_participant.values() {
        students.push(student(parts, staging)?);
    }
    Ok(students)
}

fn student(entries: &[(&Entry, MoodleName)], staging: &Path) -> io::Result<Submitter> {
    let (_, first) = &entries[0];
    let key = format!("{}_{}", first.full_name, first.participant);
    let mut notes = Vec::new();
    let mut parts = Vec::new();
    let mut lms_name = format!(
        "{}_{}_assignsubmission_file_",
        first.full_name, first.participant
    );
    for (entry, parsed) in entries {
        if parsed.plugin != "file" {
            let what = match parsed.plugin.as_str() {
                "onlinetext" => "online text".to_string(),
                other => format!("the {other} submission"),
            };
            notes.push(format!(
                "{}: {what}, not graded (only files are)",
                entry.name
            ));
        } else if entry.is_dir {
            lms_name.clone_from(&entry.name);
            parts.extend(folder_parts(&entry.path, &entry.name)?);
        } else {
            parts.push(Part::File {
                path: entry.path.clone(),
                original: parsed.original.clone(),
                order: 0,
            });
        }
    }
    let laid = lay(
        staging,
        &key,
        &parts,
        "only online text was handed in: nothing to grade",
    )?;
    notes.extend(laid.notes);
    Ok(Submitter {
        name: first.full_name.clone(),
        lms_id: first.participant.clone(),
        path: laid.path,
        lms_name,
        reason: laid.reason,
        notes,
        key,
        ..Submitter::default()
    })
}

/// A student's `file` folder: itself, unless it holds archives at its top,
/// which are then opened beside its other files and folders.
fn folder_parts(folder: &Path, name: &str) -> io::Result<Vec<Part>> {
    let mut inside: Vec<fs::DirEntry> = fs::read_dir(folder)?.collect::<Result<_, _>>()?;
    inside.sort_by_key(|e| e.file_name());
    let archive = |e: &fs::DirEntry| {
        let name = e.file_name().to_string_lossy().to_ascii_lowercase();
        name.ends_with(".zip") || lay::other_archive(&name).is_some()
    };
    if !inside.iter().any(archive) {
        return Ok(vec![Part::Folder {
            path: folder.to_path_buf(),
            name: name.to_string(),
        }]);
    }
    Ok(inside
        .iter()
        .map(|e| {
            let original = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                Part::Folder {
                    path: e.path(),
                    name: original,
                }
            } else {
                Part::File {
                    path: e.path(),
                    original,
                    order: 0,
                }
            }
        })
        .collect())
}
