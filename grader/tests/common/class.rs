//! A class to grade with `grader batch`: the reference's task 01 as a
//! student hands it in, and the files the batch writes, read back.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::Path;

/// Writes the reference's task 01 folder under `at`.
pub fn hand_in_task01(at: &Path) {
    let from = super::workspace_root().join("task01_connect");
    super::copy_workspace(&from.join("src"), &at.join("task01_connect/src"));
    fs::copy(
        from.join("Cargo.toml"),
        at.join("task01_connect/Cargo.toml"),
    )
    .unwrap();
}

/// The reference's task 01 as a student's zip, in memory.
pub fn task01_zip() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    hand_in_task01(dir.path());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let name = path.strip_prefix(dir.path()).unwrap().to_string_lossy();
            if path.is_dir() {
                stack.push(path.clone());
            } else {
                zip.start_file(name.to_string(), options).unwrap();
                zip.write_all(&fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    zip.finish().unwrap().into_inner()
}

/// A CSV file's rows, heading first.
pub fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// A zip's files and their text.
pub fn unzip(path: &Path) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        files.insert(entry.name().to_string(), text);
    }
    files
}

/// A Moodle download (one folder per student) of two students who hand in
/// the reference's task 01: participant 2001 as a zip, 2002 as a folder.
pub fn moodle_download(at: &Path) {
    let ana = at.join("Ana Lima_2001_assignsubmission_file_");
    fs::create_dir_all(&ana).unwrap();
    fs::write(ana.join("lab.zip"), task01_zip()).unwrap();
    hand_in_task01(&at.join("Bo Chen_2002_assignsubmission_file_"));
}
