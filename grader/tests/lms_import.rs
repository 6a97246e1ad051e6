//! The gradebooks `grader batch` writes, read the way each LMS reads them:
//! by models of Canvas's and Moodle's own import code
//! (`lms_import/canvas_model.rs`, `lms_import/moodle_model.rs`, each rule
//! beside the source it comes from), never by the kit's own reader.
//!
//! Each class hands in the reference's task 01 only, so a batch builds one
//! task; the refusals stop before anyone is graded.

mod common;

#[path = "lms_import/canvas_model.rs"]
mod canvas_model;
#[path = "lms_import/moodle_model.rs"]
mod moodle_model;

use assert_cmd::Command;
use canvas_model::{Column, Course, Row};
use common::class::{moodle_download, rows, task01_zip, unzip};
use moodle_model::Held;
use serial_test::serial;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Task 01's points, and the most a submission can score.
fn points() -> (u32, u32) {
    let tasks = grader::tasks::all();
    (
        tasks[0].max_points(),
        tasks.iter().map(|t| t.max_points()).sum(),
    )
}

/// `grader batch` on `input` with `args`, as an instructor runs it: its
/// exit status, stdout and stderr.
fn batch(input: &Path, out: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(common::workspace_root())
        .timeout(Duration::from_secs(600))
        .arg("batch")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--workspace")
        .arg(common::workspace_root())
        .arg("--target-dir")
        .arg(common::shared_target())
        .args(["--jobs", "2"])
        .args(args)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    eprintln!("{stdout}{stderr}");
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

/// A grade cell as a number.
fn number(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

/// `score` of `most` scaled to `max`, as the LMS should receive it.
fn scaled(score: u32, most: u32, max: f64) -> f64 {
    f64::from(score) * max / f64::from(most)
}

/// Canvas's gradebook export of the course in [`canvas_course`]: two
/// assignments, a totals column, a manual-posting row, Points Possible.
const CANVAS_EXPORT: &str =
    "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (12),Socket lab (77),Current Score\n\
,,,,,,Manual Posting,\n\
    Points Possible,,,,,10.00,100.00,(read only)\n\
\"Lima, Ana\",1001,S-1,alima,Lab A,9.00,,90.00\n\
\"Chen, Bo\",1002,S-2,bchen,Lab B,,,\n\
\"Diaz, Cy\",1003,S-3,cdiaz,Lab A,7.00,,70.00\n";

fn canvas_course() -> Course {
    let student = |id, name: &str, sortable: &str, sis: &str, login: &str, files: &[u64]| {
        canvas_model::Student {
            id,
            name: name.into(),
            sortable_name: sortable.into(),
            sis_user_id: sis.into(),
            login: login.into(),
            attachments: files.to_vec(),
        }
    };
    Course {
        assignments: vec![
            canvas_model::Assignment {
                id: 12,
                title: "Lab 1".into(),
                points_possible: 10.0,
            },
            canvas_model::Assignment {
                id: 77,
                title: "Socket lab".into(),
                points_possible: 100.0,
            },
        ],
        students: vec![
            student(1001, "Ana Lima", "Lima, Ana", "S-1", "alima", &[5001]),
            student(1002, "Bo Chen", "Chen, Bo", "S-2", "bchen", &[5002]),
            student(1003, "Cy Diaz", "Diaz, Cy", "S-3", "cdiaz", &[]),
        ],
    }
}

/// A Canvas download at `dir/submissions.zip` holding `entries`.
fn canvas_download(dir: &Path, entries: &[(&str, &[u8])]) -> PathBuf {
    let zip = dir.join("submissions.zip");
    let mut writer = zip::ZipWriter::new(fs::File::create(&zip).unwrap());
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
    zip
}

/// `grader batch` of `zip` with the Canvas export of [`canvas_course`] as
/// the roster and a Canvas gradebook for `assignment`: the exit code,
/// stdout and stderr, the results' folder and the export's path.
fn canvas_batch(
    dir: &Path,
    zip: &Path,
    assignment: &str,
) -> (i32, String, String, PathBuf, PathBuf) {
    let export = dir.join("export.csv");
    fs::write(&export, CANVAS_EXPORT).unwrap();
    let out = dir.join("results");
    let roster = export.to_str().unwrap();
    let (code, stdout, stderr) = batch(
        zip,
        &out,
        &[
            "--gradebook",
            "canvas",
            "--roster",
            roster,
            "--assignment",
            assignment,
        ],
    );
    (code, stdout, stderr, out, export)
}

/// The results' Canvas gradebook as Canvas imports it into
/// [`canvas_course`], having checked it creates nothing: no assignment, no
/// student.
fn canvas_import_creating_nothing(out: &Path, course: &Course) -> canvas_model::Import {
    let text = fs::read_to_string(out.join("gradebook-canvas.csv"))
        .unwrap_or_else(|e| panic!("no Canvas gradebook in {}: {e}", out.display()));
    let import = canvas_model::import(course, &text).unwrap();
    assert_eq!(import.columns, [Column::Existing(77)], "{text}");
    assert!(
        import
            .rows
            .iter()
            .all(|(row, _)| matches!(row, Row::Existing(_))),
        "a row Canvas would not match: {:?}\n{text}",
        import.rows
    );
    import
}

#[test]
#[serial]
fn canvas_imports_each_grade_scaled_on_its_own_student_and_each_feedback_file() {
    let (task01, most) = points();
    let dir = common::scratch("import-canvas");
    let lab = task01_zip();
    let zip = canvas_download(
        &dir,
        &[
            ("limaana_1001_5001_socketlab.zip", &lab),
            ("chenbo_late_1002_5002_lab.zip", &lab),
        ],
    );
    let (code, stdout, _, out, export) = canvas_batch(&dir, &zip, "socket lab");
    assert_eq!(code, 0, "{stdout}");
    // The summary states the scale.
    let scale = format!(
        "Canvas, column Socket lab (77): grades scaled to 100 (read from {}): {most} points = 100",
        export.display()
    );
    assert!(stdout.contains(&scale), "{stdout}");

    let course = canvas_course();
    let import = canvas_import_creating_nothing(&out, &course);
    assert_eq!(import.rows.len(), 3, "{:?}", import.rows);
    // The Points Possible row leaves the assignment's maximum as it is.
    let written = import.points_possible[0].as_deref().map(number);
    assert_eq!(written, Some(course.assignments[1].points_possible));
    // Each student's grade, scaled to 100, on their own row; none for Cy.
    let expected = scaled(task01, most, 100.0);
    assert_ne!(expected, f64::from(task01), "the test scales nothing");
    for student in [1001, 1002] {
        let grade = number(import.grade(student, 77).unwrap());
        assert!((grade - expected).abs() < 0.006, "{student}: {grade}");
        assert!(grade <= 100.0);
    }
    assert_eq!(import.grade(1003, 77), Some(""));

    // Every feedback file goes to its student's submission as a comment.
    let feedback = unzip(&out.join("feedback-canvas.zip"));
    let owners: BTreeMap<u64, usize> = feedback.keys().fold(BTreeMap::new(), |mut owners, name| {
        let owner = canvas_model::comment_for(&course, name)
            .unwrap_or_else(|| panic!("Canvas ignores {name}"));
        *owners.entry(owner).or_default() += 1;
        owners
    });
    assert_eq!(owners, BTreeMap::from([(1001, 1), (1002, 1)]));
    assert_eq!(
        feedback.keys().collect::<Vec<_>>(),
        [
            "chenbo_late_1002_5002_feedback.html",
            "limaana_1001_5001_feedback.html"
        ]
    );
    let _ = fs::remove_dir_all(&dir);
}

/// A Canvas download as students really fill it: Ana hands in her zip and a
/// `report.pdf`, then an older broken zip is also there under an earlier
/// attachment id; Bo writes online text beside his zip, his name arriving
/// decomposed (NFD, as a zip re-packed on a Mac gives it); a stray
/// `grades.xlsx` sits in the download. Canvas, reading the gradebook, must
/// still find each grade on its own student's row, scaled, and nothing new.
#[test]
#[serial]
fn canvas_imports_a_download_with_several_files_text_and_strays_onto_its_own_rows() {
    let (task01, most) = points();
    let dir = common::scratch("import-canvas-shapes");
    let lab = task01_zip();
    let mut broken = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    broken
        .start_file(
            "task01_connect/src/bin/server.rs",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
    broken
        .write_all(b"fn main() { this does not compile }")
        .unwrap();
    let broken = broken.finish().unwrap().into_inner();
    let zip = canvas_download(
        &dir,
        &[
            ("limaana_1001_4999_old.zip", &broken),
            ("limaana_1001_5001_socketlab.zip", &lab),
            ("limaana_1001_5004_report.pdf", b"%PDF-1.4 not code"),
            // "chenbó": an o and a combining acute accent.
            ("chenbo\u{301}_late_1002_5002_lab.zip", &lab),
            ("chenbo_late_1002_text.html", b"<p>my zip is attached</p>"),
            ("grades.xlsx", b"PK not a gradebook of ours"),
        ],
    );
    let (_, stdout, _, out, _) = canvas_batch(&dir, &zip, "Socket lab (77)");
    let course = canvas_course();
    let import = canvas_import_creating_nothing(&out, &course);
    // Ana's latest zip is graded, not the broken older one; Bo's zip is
    // found though his name came decomposed and his text sits beside it.
    let expected = scaled(task01, most, 100.0);
    for student in [1001, 1002] {
        let grade = number(import.grade(student, 77).unwrap());
        assert!(
            (grade - expected).abs() < 0.006,
            "{student}: {grade}\n{stdout}"
        );
    }
    assert_eq!(import.grade(1003, 77), Some(""));
    // The stray file is a row of the class's own files, not a student.
    assert!(stdout.contains("grades.xlsx"), "{stdout}");
    let _ = fs::remove_dir_all(&dir);
}

/// Moodle's own grading worksheet for the class of [`moodle_assignment`],
/// downloaded before grading: out of 50, Cy already graded.
const MOODLE_WORKSHEET: &str = "\u{feff}Identifier,\"Full name\",\"Email address\",Status,Grade,\"Maximum grade\",\"Grade can be changed\",\"Last modified (submission)\",\"Last modified (grade)\",\"Feedback comments\"\n\
\"Participant 2001\",\"Ana Lima\",ana@uni.example,\"Submitted for grading\",,50.00,Yes,\"Monday, 7 December 2026, 9:00 AM\",-,\n\
\"Participant 2002\",\"Bo Chen\",bo@uni.example,\"Submitted for grading\",,50.00,Yes,\"Monday, 7 December 2026, 9:10 AM\",-,\n\
\"Participant 2003\",\"Cy Diaz\",cy@uni.example,\"No submission\",40.00,50.00,Yes,-,\"Friday, 4 December 2026, 9:00 AM\",\"Well done\"\n";

/// The assignment behind [`MOODLE_WORKSHEET`]: participants 2001..2003
/// are users 11..13; Cy's 40 was set a day before the batch.
fn moodle_assignment(max: f64) -> moodle_model::Assignment {
    let yesterday = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 86_400;
    moodle_model::Assignment {
        max,
        participants: BTreeMap::from([(2001, 11), (2002, 12), (2003, 13)]),
        grades: BTreeMap::from([(
            13,
            Held {
                grade: 40.0,
                modified: yesterday,
            },
        )]),
        ignore_modified: false,
    }
}

#[test]
#[serial]
fn moodle_reads_its_own_worksheet_back_with_each_grade_scaled_and_each_feedback_file() {
    let (task01, most) = points();
    let dir = common::scratch("import-moodle");
    let download = dir.join("download");
    moodle_download(&download);
    let worksheet = dir.join("worksheet.csv");
    fs::write(&worksheet, MOODLE_WORKSHEET).unwrap();
    let out = dir.join("results");
    let (code, stdout, _) = batch(
        &download,
        &out,
        &[
            "--gradebook",
            "moodle",
            "--roster",
            worksheet.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    let scale = format!(
        "Moodle: grades scaled to 50 (read from {}): {most} points = 50",
        worksheet.display()
    );
    assert!(stdout.contains(&scale), "{stdout}");

    let text = fs::read_to_string(out.join("gradebook-moodle.csv")).unwrap();
    // Moodle's own columns, in its order.
    let sheet = rows(&out.join("gradebook-moodle.csv"));
    let downloaded: Vec<String> = MOODLE_WORKSHEET
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    assert_eq!(sheet[0], downloaded);

    let assignment = moodle_assignment(50.0);
    let upload = moodle_model::upload_worksheet(&assignment, &text).unwrap();
    let expected = scaled(task01, most, 50.0);
    assert_eq!(
        upload.grades.keys().collect::<Vec<_>>(),
        [&11, &12],
        "{text}"
    );
    for (user, grade) in &upload.grades {
        assert!((grade - expected).abs() < 0.006, "{user}: {grade}");
    }
    // Cy handed nothing in: the grade Moodle holds stays.
    assert_eq!(upload.skipped, [(13, "grade not modified")]);
    for user in [11, 12] {
        let comment = &upload.comments[&user];
        assert!(comment.starts_with("Socket lab: "), "{comment}");
    }

    let feedback = unzip(&out.join("feedback-moodle.zip"));
    let attached: Vec<(u64, String)> = feedback
        .keys()
        .map(|name| {
            moodle_model::feedback_file_for(&assignment, name)
                .unwrap_or_else(|| panic!("Moodle passes over {name}"))
        })
        .collect();
    // The folder's trailing `_` leaves an empty fifth piece, put back in
    // front of the path: Moodle files it as `/feedback.html`.
    assert_eq!(
        attached,
        [
            (11, "/feedback.html".to_string()),
            (12, "/feedback.html".to_string())
        ]
    );
    let _ = fs::remove_dir_all(&dir);
}

/// A Moodle download whose submissions hold no task (graded 0 without a
/// build), for the worksheet the kit writes with no worksheet given.
fn moodle_download_with_nothing_to_build(at: &Path) {
    for (name, id) in [("Ana Lima", 2001), ("Bo Chen", 2002)] {
        let folder = at.join(format!("{name}_{id}_assignsubmission_file_"));
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("notes.txt"), "no code here\n").unwrap();
    }
}

#[test]
fn without_a_worksheet_moodle_gets_its_default_columns_out_of_the_given_maximum() {
    let dir = common::scratch("import-moodle-default");
    let download = dir.join("download");
    moodle_download_with_nothing_to_build(&download);
    let out = dir.join("results");
    let (code, stdout, _) = batch(
        &download,
        &out,
        &["--gradebook", "moodle", "--points-possible", "20"],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("Moodle: grades out of 20 (--points-possible)")
            || stdout.contains("Moodle: grades scaled to 20 (--points-possible)"),
        "{stdout}"
    );
    let sheet = rows(&out.join("gradebook-moodle.csv"));
    assert_eq!(sheet[0], moodle_model::DEFAULT_WORKSHEET);
    assert!(sheet[1..].iter().all(|row| row[5] == "20"), "{sheet:?}");
    let text = fs::read_to_string(out.join("gradebook-moodle.csv")).unwrap();
    let mut assignment = moodle_assignment(20.0);
    assignment.grades.clear();
    let upload = moodle_model::upload_worksheet(&assignment, &text).unwrap();
    // A submission with no task scores 0: Moodle takes it, on each row.
    assert_eq!(upload.grades, BTreeMap::from([(11, 0.0), (12, 0.0)]));
    assert!(upload.skipped.is_empty(), "{:?}", upload.skipped);
    let _ = fs::remove_dir_all(&dir);
}

/// Runs a batch that must be refused before anyone is graded: exit 2, the
/// error on stderr, no results written.
fn refused(args: &[&str], export: Option<&str>) -> String {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = common::scratch(&format!("import-refused-{run}"));
    let download = dir.join("download");
    moodle_download_with_nothing_to_build(&download);
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if let Some(text) = export {
        let path = dir.join("export.csv");
        fs::write(&path, text).unwrap();
        args.extend(["--roster".to_string(), path.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = dir.join("results");
    let (code, stdout, stderr) = batch(&download, &out, &args);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(!out.join("students").exists(), "graded before refusing");
    let _ = fs::remove_dir_all(&dir);
    stderr
}

#[test]
fn an_assignment_naming_no_canvas_column_is_refused_with_the_columns() {
    let stderr = refused(
        &["--gradebook", "canvas", "--assignment", "Socket lab 2"],
        Some(CANVAS_EXPORT),
    );
    assert!(
        stderr.contains(
            "--assignment `Socket lab 2` names no assignment column of \
             "
        ) && stderr.contains("its assignment columns: `Lab 1 (12)`, `Socket lab (77)`"),
        "{stderr}"
    );
    // Canvas would have made that column a new assignment.
    let course = canvas_course();
    let new = canvas_model::import(
        &course,
        "Student,ID,SIS User ID,SIS Login ID,Section,Socket lab 2\n\"Lima, Ana\",1001,S-1,alima,Lab A,26\n",
    )
    .unwrap();
    assert_eq!(new.columns, [Column::New("Socket lab 2".into())]);
}

#[test]
fn raw_points_are_never_written_into_a_column_with_another_maximum() {
    // The export says 100; a different maximum is refused.
    let stderr = refused(
        &["--gradebook", "canvas", "--points-possible", "261"],
        Some(CANVAS_EXPORT),
    );
    assert!(
        stderr.contains("--points-possible is 261, but")
            && stderr.contains("says `Socket lab (77)` is out of 100"),
        "{stderr}"
    );
    // No export and no maximum: nothing to scale to.
    let stderr = refused(
        &["--gradebook", "canvas", "--assignment", "Socket lab (77)"],
        None,
    );
    assert!(stderr.contains("give --points-possible"), "{stderr}");
    let stderr = refused(&["--gradebook", "canvas"], None);
    assert!(
        stderr.contains("the Canvas gradebook needs the assignment's id"),
        "{stderr}"
    );
    // Moodle's worksheet says 50; 100 is refused.
    let stderr = refused(
        &["--gradebook", "moodle", "--points-possible", "100"],
        Some(MOODLE_WORKSHEET),
    );
    assert!(stderr.contains("says the maximum grade is 50"), "{stderr}");
    // And Moodle skips a grade above its maximum: the rule the scale keeps.
    let upload = moodle_model::upload_worksheet(
        &moodle_assignment(100.0),
        "Identifier,Grade,Last modified (grade)\nParticipant 2001,261,\n",
    )
    .unwrap();
    assert_eq!(upload.skipped, [(11, "out of range")]);
}

#[test]
fn moodle_refuses_a_worksheet_without_last_modified() {
    // The kit's worksheet once lacked this column: Moodle's importer
    // refuses such a file outright.
    let err = moodle_model::upload_worksheet(
        &moodle_assignment(100.0),
        "Identifier,Full name,Grade\nParticipant 2001,Ana Lima,50\n",
    )
    .unwrap_err();
    assert_eq!(err, "invalidgradeimport");
}
