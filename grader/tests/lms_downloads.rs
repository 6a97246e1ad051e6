//! Downloads shaped as each LMS shapes them, graded by `grader batch`:
//! every student lands on their own row of `grades.csv`, with the standing
//! and the reason their files earn, and nothing stops the batch.
//!
//! The shapes follow each system's own code: Canvas's submissions zip
//! (canvas-lms lib/content_zipper.rb), Moodle's "Download all submissions"
//! with and without folders (moodle mod/assign/classes/downloader.php),
//! `gh classroom clone student-repos` (gh-classroom cmd/gh-classroom/clone/
//! student-repos/student-repos.go) and Classroom's roster export
//! (github-education-resources/classroom app/models/roster_entry.rb).
//!
//! Grading builds each submission, so every graded student hands in only
//! the reference's task 01, which the batch builds once and reuses; the
//! students with nothing to grade cost no grading at all.

mod common;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// The standing of a student whose files hold nothing to grade.
fn no_tasks() -> &'static str {
    grader::batch::Standing::NoTasks.as_str()
}

/// The reference's task 01 under `folder/` (and any `extra` files), as a
/// zip in memory.
fn task01_zip(folder: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let from = common::workspace_root().join("task01_connect");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/bin/server.rs",
        "src/bin/client.rs",
    ] {
        if let Ok(bytes) = fs::read(from.join(file)) {
            files.push((format!("{folder}/{file}"), bytes));
        }
    }
    files.extend(extra.iter().map(|(n, b)| (n.to_string(), b.to_vec())));
    zip_of(&files)
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A zip whose entries are `files`, written at `path`.
fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
    let owned: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    fs::write(path, zip_of(&owned)).unwrap();
}

/// Writes the reference's task 01 into `at/task01_connect`.
fn hand_in_task01(at: &Path) {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(task01_zip("task01_connect", &[]))).unwrap();
    archive.extract(at).unwrap();
}

/// What `grader batch` made of a download: its summary and, per student,
/// the cells of `grades.csv` by heading.
struct Batch {
    stdout: String,
    rows: BTreeMap<String, BTreeMap<String, String>>,
}

impl Batch {
    fn run(input: &Path, out: &Path, args: &[&str]) -> Batch {
        let output = Command::new(env!("CARGO_BIN_EXE_grader"))
            .current_dir(common::workspace_root())
            .timeout(Duration::from_secs(600))
            .arg("batch")
            .arg(input)
            .arg("--out")
            .arg(out)
            .arg("--target-dir")
            .arg(common::shared_target())
            .args(["--jobs", "2"])
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.status.code(), Some(0), "the batch did not go on");
        let mut reader = csv::Reader::from_path(out.join("grades.csv")).unwrap();
        let headings: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| {
                let cells: BTreeMap<String, String> = headings
                    .iter()
                    .cloned()
                    .zip(r.unwrap().iter().map(String::from))
                    .collect();
                (cells["student"].clone(), cells)
            })
            .collect();
        Batch { stdout, rows }
    }

    /// The students, in the file's order of keys.
    fn students(&self) -> Vec<&str> {
        self.rows.keys().map(String::as_str).collect()
    }

    fn cell(&self, student: &str, column: &str) -> &str {
        let row = self
            .rows
            .get(student)
            .unwrap_or_else(|| panic!("no row for {student}: {:#?}", self.rows));
        &row[column]
    }

    /// Asserts `student`'s standing, and that their reason holds `reason`.
    fn assert_row(&self, student: &str, status: &str, reason: &str) {
        assert_eq!(self.cell(student, "status"), status, "{student}");
        let said = self.cell(student, "reason");
        assert!(
            said.contains(reason),
            "{student}'s reason: {said:?}, wanted {reason:?}"
        );
    }

    /// Asserts `student` earned task 01's full marks.
    fn assert_full_task01(&self, student: &str) {
        let full = grader::tasks::by_number(1)
            .unwrap()
            .max_points()
            .to_string();
        assert_eq!(self.cell(student, "task01_connect"), full, "{student}");
        assert_eq!(self.cell(student, "status"), "graded", "{student}");
    }
}

/// The notes of `student`'s report.
fn notes(out: &Path, student: &str) -> String {
    let report = out.join("students").join(student).join("report.json");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    report["notes"].to_string()
}

#[test]
fn a_canvas_zip_of_every_shape_gives_each_student_their_row() {
    let dir = common::scratch("dl-canvas");
    let zip = dir.join("submissions.zip");
    // An older attachment whose task 01 does not compile, found first by
    // the child grader were it left in: the higher attachment id wins.
    let broken = zip_of(&[(
        "Task01/server.rs".to_string(),
        b"fn main() { this does not compile }".to_vec(),
    )]);
    let good = task01_zip("lab/task01_connect", &[]);
    let only_rar = zip_of(&[("lab.rar".to_string(), b"Rar!\x1a\x07\x00".to_vec())]);
    write_zip(
        &zip,
        &[
            // canvas-lms lib/content_zipper.rb: name[_LATE]_userid_attachmentid_file.
            ("limaana_1001_5001_lab.zip", &broken),
            ("limaana_1001_5003_lab.zip", &good),
            ("limaana_1001_5002_report.pdf", b"%PDF-1.4"),
            ("limaana_1001_text.html", b"<p>my notes</p>"),
            // A name in NFD, as a zip re-packed on macOS has it.
            ("obrienzoe\u{308}_LATE_1004_5004_socketlab.zip", &good),
            ("chenbo_1002_text.html", b"<p>hello</p>"),
            ("diazcy_1003_5005_lab.zip", b""),
            ("evanseve_1006_5006_lab.zip", &only_rar),
            ("fongfay_1007_5007_lab.rar", b"Rar!\x1a\x07\x00"),
            ("grades.xlsx", b"PK"),
        ],
    );
    let roster = dir.join("export.csv");
    fs::write(
        &roster,
        "Student,ID,SIS User ID,SIS Login ID,Section,Socket lab (77)\n    Points Possible,,,,,100\n\"Lima, Ana\",1001,,,,\n\"Chen, Bo\",1002,,,,\n\"Diaz, Cy\",1003,,,,\n\"O'Brien, Zo\u{eb}\",1004,,,,\n\"Evans, Eve\",1006,,,,\n\"Fong, Fay\",1007,,,,\n\"Gray, Gus\",1008,,,,\n",
    )
    .unwrap();
    let out = dir.join("results");
    let batch = Batch::run(&zip, &out, &["--roster", roster.to_str().unwrap()]);
    assert!(
        batch.stdout.starts_with(
            "Canvas download: 2 students, 1 late, 5 with nothing to grade, 1 with no submission\n"
        ),
        "{}",
        batch.stdout
    );
    assert_eq!(
        batch.students(),
        [
            "1008",
            "chenbo_1002",
            "diazcy_1003",
            "evanseve_1006",
            "fongfay_1007",
            "grades.xlsx",
            "limaana_1001",
            "obrienzo\u{eb}_1004",
        ]
    );
    batch.assert_full_task01("limaana_1001");
    let ana = notes(&out, "limaana_1001");
    assert!(
        ana.contains("task01_connect is in lab.zip (attachment 5001) and lab.zip (attachment 5003): the last, lab.zip (attachment 5003), is graded"),
        "{ana}"
    );
    assert!(
        ana.contains("limaana_1001_text.html: online text, not graded"),
        "{ana}"
    );
    batch.assert_full_task01("obrienzo\u{eb}_1004");
    batch.assert_row(
        "chenbo_1002",
        no_tasks(),
        "only online text or a URL was handed in",
    );
    batch.assert_row("diazcy_1003", no_tasks(), "lab.zip is empty (0 bytes)");
    batch.assert_row("evanseve_1006", no_tasks(), "the zip holds only lab.rar");
    batch.assert_row(
        "fongfay_1007",
        no_tasks(),
        "lab.rar is a RAR archive, which the grader does not open",
    );
    batch.assert_row(
        "grades.xlsx",
        no_tasks(),
        "not named as Canvas names a submission",
    );
    batch.assert_row("1008", "no submission", "");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn moodle_downloads_with_and_without_folders_have_their_zips_opened() {
    let dir = common::scratch("dl-moodle");
    // With a folder per student (Moodle 4.1 and later: no `_` at the end).
    let folders = dir.join("folders");
    let ana = folders.join("Ana Lima_2001_assignsubmission_file");
    fs::create_dir_all(&ana).unwrap();
    fs::write(ana.join("lab.zip"), task01_zip("Task1", &[])).unwrap();
    let text = folders.join("Ana Lima_2001_assignsubmission_onlinetext");
    fs::create_dir_all(&text).unwrap();
    fs::write(text.join("onlinetext.html"), "<p>see the zip</p>").unwrap();
    hand_in_task01(&folders.join("Bo Chen_2002_assignsubmission_file"));
    fs::create_dir_all(folders.join("Cy Diaz_2003_assignsubmission_file")).unwrap();
    // Without folders: each file named after the student.
    let flat = dir.join("flat");
    fs::create_dir_all(&flat).unwrap();
    fs::write(
        flat.join("Dee Park_2004_assignsubmission_file_lab.zip"),
        task01_zip("task01", &[]),
    )
    .unwrap();
    fs::write(
        flat.join("Dee Park_2004_assignsubmission_file_report.pdf"),
        "%PDF-1.4",
    )
    .unwrap();
    fs::write(
        flat.join("Eve Ng_2005_assignsubmission_onlinetext_onlinetext.html"),
        "<p>hi</p>",
    )
    .unwrap();
    fs::write(flat.join("Fay Ro_2006_assignsubmission_file_lab.7z"), "7z").unwrap();

    let out = dir.join("results-folders");
    let batch = Batch::run(&folders, &out, &[]);
    assert!(
        batch
            .stdout
            .starts_with("Moodle download: 2 students, 1 with nothing to grade\n"),
        "{}",
        batch.stdout
    );
    assert_eq!(
        batch.students(),
        ["Ana Lima_2001", "Bo Chen_2002", "Cy Diaz_2003"]
    );
    batch.assert_full_task01("Ana Lima_2001");
    batch.assert_full_task01("Bo Chen_2002");
    batch.assert_row("Cy Diaz_2003", no_tasks(), "is an empty folder");
    // Results are filed under the key made a safe folder name.
    let said = notes(&out, "Ana_Lima_2001");
    assert!(said.contains("online text, not graded"), "{said}");

    let out = dir.join("results-flat");
    let batch = Batch::run(&flat, &out, &[]);
    assert_eq!(
        batch.students(),
        ["Dee Park_2004", "Eve Ng_2005", "Fay Ro_2006"]
    );
    batch.assert_full_task01("Dee Park_2004");
    batch.assert_row("Eve Ng_2005", no_tasks(), "only online text");
    batch.assert_row(
        "Fay Ro_2006",
        no_tasks(),
        "lab.7z is a 7-Zip archive, which the grader does not open",
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_classroom_clone_folder_with_a_stray_file_meets_classroom_s_roster() {
    let dir = common::scratch("dl-classroom");
    let clones = dir.join("socket-lab-submissions");
    for login in ["ana-l", "Bo99"] {
        let clone = clones.join(format!("socket-lab-{login}"));
        hand_in_task01(&clone);
        fs::create_dir_all(clone.join(".git")).unwrap();
        fs::write(clone.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    }
    fs::create_dir_all(clones.join("socket-lab-cyd/.git")).unwrap();
    fs::write(clones.join("grading-notes.txt"), "to do").unwrap();
    // github-education-resources/classroom app/models/roster_entry.rb
    // `to_csv`: every cell quoted; `name` is the GitHub profile's.
    let roster = dir.join("classroom_roster.csv");
    fs::write(
        &roster,
        "\"identifier\",\"github_username\",\"github_id\",\"name\"\n\"Ana Lima\",\"ana-l\",\"101\",\"\"\n\"Bo Chen\",\"bo99\",\"102\",\"Bo C.\"\n\"Cy Diaz\",\"cyd\",\"103\",\"\"\n\"Dee Park\",\"\",\"\",\"\"\n",
    )
    .unwrap();
    let out = dir.join("results");
    let batch = Batch::run(&clones, &out, &["--roster", roster.to_str().unwrap()]);
    assert!(
        batch.stdout.starts_with(
            "GitHub Classroom clones: 2 students, 2 with nothing to grade, 1 with no submission\n"
        ),
        "{}",
        batch.stdout
    );
    assert_eq!(
        batch.students(),
        ["Bo99", "Dee Park", "ana-l", "cyd", "grading-notes.txt"]
    );
    batch.assert_full_task01("ana-l");
    batch.assert_full_task01("Bo99");
    batch.assert_row(
        "cyd",
        no_tasks(),
        "the clone holds nothing but its git history",
    );
    batch.assert_row(
        "grading-notes.txt",
        no_tasks(),
        "a file, not a clone named socket-lab-<login>",
    );
    batch.assert_row("Dee Park", "no submission", "");
    // The roster's identifier is the name shown beside each key.
    assert!(
        batch.stdout.contains("ana-l (Ana Lima)"),
        "{}",
        batch.stdout
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn broken_archives_and_empty_folders_are_rows_and_the_batch_goes_on() {
    let dir = common::scratch("dl-plain");
    let class = dir.join("class");
    fs::create_dir_all(class.join("ana")).unwrap();
    fs::write(class.join("bo.zip"), "").unwrap();
    fs::write(class.join("cy.zip"), "PK\x03\x04 cut short").unwrap();
    fs::write(class.join("dee.rar"), "Rar!\x1a\x07\x00").unwrap();
    write_zip(&class.join("eve.zip"), &[]);
    let out = dir.join("results");
    let batch = Batch::run(&class, &out, &[]);
    assert!(
        batch
            .stdout
            .starts_with("Folder of submissions: 0 students, 5 with nothing to grade\n"),
        "{}",
        batch.stdout
    );
    batch.assert_row("ana", no_tasks(), "ana is an empty folder");
    batch.assert_row("bo", no_tasks(), "bo.zip is empty (0 bytes)");
    batch.assert_row("cy", no_tasks(), "cy.zip is not a zip that can be read");
    batch.assert_row("dee", no_tasks(), "dee.rar is a RAR archive");
    batch.assert_row("eve", no_tasks(), "eve.zip is an empty archive");
    // Each row has its page, saying why.
    let page = fs::read_to_string(out.join("students/bo/report.html")).unwrap();
    assert!(page.contains("bo.zip is empty (0 bytes)"), "{page}");
    let _ = fs::remove_dir_all(&dir);
}
