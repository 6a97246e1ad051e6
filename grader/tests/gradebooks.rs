//! The gradebook round trip: LMS downloads graded by `grader batch` into
//! each LMS's import file, parsed back column by column; and grading.toml
//! read by every report format.
//!
//! Grading builds each submission, so every student here hands in the same
//! task 01 (the reference's): the batch builds it once and reuses it.

mod common;

use common::class::{hand_in_task01, moodle_download, rows, task01_zip, unzip};

use assert_cmd::Command;
use grader::policy::Policy;
use serial_test::serial;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The instructor's grading.toml in these tests.
const POLICY: &str = r#"
[tasks.task01_connect]
weight = 2

[checks."task01.client.version"]
points = 4
visibility = "hidden"

[checks."task01.server.listening"]
visibility = "after_due_date"

[checks."task01.client.ipv6"]
off = true
"#;

/// A copy of this workspace's sources with `POLICY` as its grading.toml:
/// the instructor's workspace of these tests.
fn instructor() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::scratch("gradebook-instructor");
        common::copy_workspace(&common::workspace_root(), &dir);
        fs::write(dir.join("grading.toml"), POLICY).unwrap();
        dir
    })
}

/// Task 01's points under `POLICY`, and everything's.
fn points() -> (u32, u32) {
    let policy = Policy::parse(POLICY, Path::new("grading.toml")).unwrap();
    let mut tasks = grader::tasks::all();
    let plain: u32 = tasks[0].max_points();
    policy.apply(&mut tasks, false);
    let task01 = tasks[0].max_points();
    assert_ne!(task01, plain, "the policy changes nothing");
    (task01, tasks.iter().map(|t| t.max_points()).sum())
}

/// Runs `grader batch` on `input` with `args`, as an instructor would,
/// and returns its stdout.
fn batch(input: &Path, out: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(common::workspace_root())
        .timeout(Duration::from_secs(900))
        .arg("batch")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--workspace")
        .arg(instructor())
        .arg("--target-dir")
        .arg(common::shared_target())
        .args(["--jobs", "2"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    eprintln!("{stdout}");
    stdout
}

/// A gradebook's grade cell: `expected` to two decimals, or empty.
fn assert_grade(cell: &str, expected: Option<f64>) {
    match expected {
        Some(grade) => {
            let written: f64 = cell.parse().unwrap_or_else(|_| panic!("{cell:?}"));
            assert!((written - grade).abs() < 0.006, "{written} for {grade}");
        }
        None => assert_eq!(cell, ""),
    }
}

/// What a feedback page shows students: their result first, and nothing
/// of the hidden check or the one shown after the due date, not even task
/// 01's total, which counts them.
fn assert_feedback(page: &str, task01: u32) {
    assert!(!page.contains("task01.client.version"), "{page}");
    assert!(!page.contains("task01.server.listening"), "{page}");
    let heading = page
        .lines()
        .find(|l| l.starts_with("<h2 id=\"task01_connect\">"))
        .unwrap_or_else(|| panic!("{page}"));
    assert!(!heading.contains(&format!("/{task01}<")), "{heading}");
    assert!(
        page.contains("<p class=\"score\"><strong>Your result on the checks shown here: "),
        "{page}"
    );
}

#[test]
#[serial]
fn a_canvas_zip_grades_into_canvas_gradebook_and_feedback() {
    let (task01, total) = points();
    let dir = common::scratch("canvas-round-trip");
    let zip = dir.join("submissions.zip");
    let lab = task01_zip();
    let mut writer = zip::ZipWriter::new(fs::File::create(&zip).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for name in [
        "limaana_1001_5001_socketlab.zip",
        "chenbo_late_1002_5002_lab.zip",
    ] {
        writer.start_file(name, options).unwrap();
        writer.write_all(&lab).unwrap();
    }
    writer.finish().unwrap();
    // Canvas's own gradebook export, as the roster.
    let roster = dir.join("export.csv");
    fs::write(
        &roster,
        "Student,ID,SIS User ID,SIS Login ID,Section,Socket lab (77)\n    Points Possible,,,,,100\n\"Lima, Ana\",1001,S-1,alima,Lab A,\n\"Chen, Bo\",1002,S-2,bchen,Lab B,\n\"Diaz, Cy\",1003,S-3,cdiaz,Lab A,\n",
    )
    .unwrap();
    let out = dir.join("results");
    let stdout = batch(
        &zip,
        &out,
        &[
            "--gradebook",
            "canvas",
            "--roster",
            roster.to_str().unwrap(),
        ],
    );
    assert!(
        stdout.starts_with("Canvas download: 2 students, 1 late, 1 with no submission\n"),
        "{stdout}"
    );

    let book = rows(&out.join("gradebook-canvas.csv"));
    assert_eq!(
        book[0],
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            "Socket lab (77)"
        ]
    );
    // The export's Points Possible, and each grade scaled to it.
    assert_eq!(book[1], ["    Points Possible", "", "", "", "", "100"]);
    let scaled = f64::from(task01) * 100.0 / f64::from(total);
    let expect = [
        ["Chen, Bo", "1002", "S-2", "bchen", "Lab B"],
        ["Diaz, Cy", "1003", "S-3", "cdiaz", "Lab A"],
        ["Lima, Ana", "1001", "S-1", "alima", "Lab A"],
    ];
    assert_eq!(book.len(), 5, "{book:?}");
    for (row, who) in book[2..].iter().zip(expect) {
        assert_eq!(row[..5], who, "{row:?}");
        assert_grade(&row[5], (who[1] != "1003").then_some(scaled));
    }

    let feedback = unzip(&out.join("feedback-canvas.zip"));
    let names: Vec<&str> = feedback.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "chenbo_late_1002_5002_feedback.html",
            "limaana_1001_5001_feedback.html"
        ]
    );
    for page in feedback.values() {
        assert_feedback(page, task01);
    }
    // The instructor's own report keeps the hidden check, and the class
    // page counts the points as grading.toml sets them.
    let report = fs::read_to_string(out.join("students/limaana_1001/report.json")).unwrap();
    assert!(report.contains("\"visibility\": \"hidden\""), "{report}");
    let page = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        page.contains(&format!("data-value=\"{task01}\">{task01}/{total}</td>")),
        "{page}"
    );
    let grades = rows(&out.join("grades.csv"));
    let status = grades[0].iter().position(|h| h == "status").unwrap();
    let cy = grades
        .iter()
        .find(|r| r[0] == "1003")
        .expect("a row for Cy");
    assert_eq!(cy[status], "no submission", "{cy:?}");
    // Beside each student, the roster's name, the late flag, and the grade
    // Canvas's gradebook receives: the very cell of gradebook-canvas.csv.
    let column = |name: &str| grades[0].iter().position(|h| h == name).unwrap();
    for row in &grades[1..] {
        let canvas = book[2..]
            .iter()
            .find(|b| b[1] == row[0].rsplit('_').next().unwrap());
        let canvas = canvas.unwrap_or_else(|| panic!("{row:?} not in {book:?}"));
        assert_eq!(row[column("name")], canvas[0], "{row:?}");
        assert_eq!(row[column("grade canvas")], canvas[5], "{row:?}");
    }
    let late: Vec<(&str, &str)> = grades[1..]
        .iter()
        .map(|r| (r[column("name")].as_str(), r[column("late")].as_str()))
        .collect();
    assert!(
        late.contains(&("Chen, Bo", "yes")) && late.contains(&("Lima, Ana", "no")),
        "{late:?}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
#[serial]
fn a_moodle_folder_grades_into_moodle_worksheet_and_feedback_zip() {
    let (task01_points, total) = points();
    let dir = common::scratch("moodle-round-trip");
    let download = dir.join("download");
    moodle_download(&download);
    let roster = dir.join("participants.csv");
    fs::write(
        &roster,
        "Identifier,First name,Surname,ID number,Username,Email address\nParticipant 2001,Ana,Lima,S-1,alima,ana@uni.example\nParticipant 2002,Bo,Chen,S-2,bchen,bo@uni.example\nParticipant 2003,Cy,Diaz,S-3,cdiaz,cy@uni.example\n",
    )
    .unwrap();
    let out = dir.join("results");
    let stdout = batch(
        &download,
        &out,
        &[
            "--gradebook",
            "moodle",
            "--roster",
            roster.to_str().unwrap(),
        ],
    );
    assert!(
        stdout.starts_with("Moodle download: 2 students, 1 with no submission\n"),
        "{stdout}"
    );
    let book = rows(&out.join("gradebook-moodle.csv"));
    // A participants list is no worksheet: Moodle's default worksheet
    // columns, out of Moodle's default 100.
    assert_eq!(book[0], grader::lms::gradebook::moodle::DEFAULT_COLUMNS);
    let scaled = f64::from(task01_points) * 100.0 / f64::from(total);
    let expect = [
        (
            "Participant 2001",
            "Ana Lima",
            "ana@uni.example",
            "Submitted for grading",
            Some(scaled),
        ),
        (
            "Participant 2002",
            "Bo Chen",
            "bo@uni.example",
            "Submitted for grading",
            Some(scaled),
        ),
        (
            "Participant 2003",
            "Cy Diaz",
            "cy@uni.example",
            "No submission",
            None,
        ),
    ];
    assert_eq!(book.len(), 4, "{book:?}");
    for (row, (id, name, email, status, grade)) in book[1..].iter().zip(expect) {
        assert_eq!(row[..4], [id, name, email, status], "{row:?}");
        assert_grade(&row[4], grade);
        assert_eq!(row[5..7], ["100", "Yes"], "{row:?}");
        // Graded: the time and the comment; else neither.
        assert_eq!(row[8].is_empty(), grade.is_none(), "{row:?}");
    }
    // The comment, which students read beside the grade, counts only what
    // they are shown.
    let comment = &book[1][9];
    assert!(
        comment.starts_with("Socket lab: ")
            && comment.contains("Your result on the checks shown here: ")
            && comment.contains("; task01_connect ")
            && !comment.contains(&format!("/{total}"))
            && !comment.contains(&format!("{task01_points}/")),
        "{:?}",
        book[1]
    );
    assert_eq!(book[3][9], "");

    let feedback = unzip(&out.join("feedback-moodle.zip"));
    let names: Vec<&str> = feedback.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Ana Lima_2001_assignsubmission_file_/feedback.html",
            "Bo Chen_2002_assignsubmission_file_/feedback.html"
        ]
    );
    for page in feedback.values() {
        assert_feedback(page, task01_points);
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
#[serial]
fn a_classroom_clone_folder_grades_into_the_plain_gradebook() {
    let (task01, total) = points();
    let dir = common::scratch("classroom-round-trip");
    let clones = dir.join("socket-lab-submissions");
    for login in ["ana-l", "bo"] {
        let clone = clones.join(format!("socket-lab-{login}"));
        hand_in_task01(&clone);
        fs::create_dir_all(clone.join(".git")).unwrap();
        fs::write(clone.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    }
    let roster = dir.join("roster.csv");
    fs::write(
        &roster,
        "id,name,email,login\ns1,Ana Lima,ana@uni.example,ana-l\ns2,Bo Chen,bo@uni.example,bo\ns3,Cy Diaz,cy@uni.example,cyd\n",
    )
    .unwrap();
    let out = dir.join("results");
    let stdout = batch(
        &clones,
        &out,
        &["--gradebook", "csv", "--roster", roster.to_str().unwrap()],
    );
    assert!(
        stdout.starts_with("GitHub Classroom clones: 2 students, 1 with no submission\n"),
        "{stdout}"
    );
    let book = rows(&out.join("gradebook.csv"));
    assert_eq!(
        book[0],
        [
            "student",
            "name",
            "lms_id",
            "roster_id",
            "email",
            "sis_user_id",
            "login",
            "section",
            "late",
            "grade",
            "max",
            "status",
            "reason"
        ]
    );
    let (grade, most) = (task01.to_string(), total.to_string());
    // The LMS id is the GitHub login; the roster's own id is kept beside it.
    let graded = |key: &str, name: &str, id: &str, email: &str, login: &str| {
        vec![
            key.to_string(),
            name.into(),
            login.into(),
            id.into(),
            email.into(),
            String::new(),
            login.into(),
            String::new(),
            "no".into(),
            grade.clone(),
            most.clone(),
            "graded".into(),
        ]
    };
    assert_eq!(
        book[1][..12],
        graded("ana-l", "Ana Lima", "s1", "ana@uni.example", "ana-l")
    );
    assert_eq!(
        book[2][..12],
        graded("bo", "Bo Chen", "s2", "bo@uni.example", "bo")
    );
    // Tasks not handed in are named in the reason.
    assert!(book[1][12].starts_with("not handed in: "), "{:?}", book[1]);
    assert_eq!(
        book[3],
        [
            "s3",
            "Cy Diaz",
            "s3",
            "s3",
            "cy@uni.example",
            "",
            "cyd",
            "",
            "no",
            "",
            most.as_str(),
            "no submission",
            ""
        ]
    );
    let _ = fs::remove_dir_all(&dir);
}

/// Grades task 01 of the instructor's workspace (with `POLICY`) with the
/// reference server and a client that fails `task01.client.version`,
/// writing every format; returns each format's text.
fn every_format() -> BTreeMap<&'static str, String> {
    let dir = common::scratch("policy-formats");
    let built = common::built();
    let exe = |name: &str| built.executable(name).unwrap().display().to_string();
    let formats = [
        "human",
        "junit",
        "gradescope",
        "github",
        "classroom",
        "markdown",
        "html",
    ];
    let mut command = Command::new(env!("CARGO_BIN_EXE_grader"));
    command
        .current_dir(instructor())
        .timeout(Duration::from_secs(300))
        .args(["task01", "--format", "json", "--server-cmd"])
        .arg(exe("task01-server"))
        .arg("--client-cmd")
        .arg(exe("wrong_t01_client_no_version"));
    for format in formats {
        command
            .arg("--output")
            .arg(format!("{format}={}", dir.join(format).display()));
    }
    let output = command.assert().code(1).get_output().clone();
    let mut texts = BTreeMap::from([("json", String::from_utf8(output.stdout).unwrap())]);
    for format in formats {
        texts.insert(format, fs::read_to_string(dir.join(format)).unwrap());
    }
    let _ = fs::remove_dir_all(&dir);
    texts
}

#[test]
fn grading_toml_sets_points_and_visibility_in_every_format() {
    let (task01, _) = points();
    let texts = every_format();
    let hidden = "task01.client.version";

    // JSON: the points as set, each check's visibility, the check off gone.
    let json: serde_json::Value = serde_json::from_str(&texts["json"]).unwrap();
    assert_eq!(json["max_score"], task01);
    let checks = json["tasks"][0]["checks"].as_array().unwrap();
    let check = |id: &str| checks.iter().find(|c| c["id"] == id);
    assert!(
        check("task01.client.ipv6").is_none(),
        "a check off still ran"
    );
    let version = check(hidden).unwrap();
    assert_eq!(
        (
            &version["max_points"],
            &version["visibility"],
            &version["status"]
        ),
        (
            &serde_json::json!(8),
            &serde_json::json!("hidden"),
            &serde_json::json!("fail")
        )
    );
    assert_eq!(
        check("task01.server.listening").unwrap()["visibility"],
        "after_due_date"
    );
    assert_eq!(check("task01.client.connects").unwrap()["max_points"], 6);
    assert!(check("task01.client.connects")
        .unwrap()
        .get("visibility")
        .is_none());
    assert_eq!(json["score"], task01 - 8);

    // Human: the instructor sees every check, and who else does.
    let line = texts["human"]
        .lines()
        .find(|l| l.contains(hidden))
        .unwrap_or_else(|| panic!("{}", texts["human"]));
    assert!(
        line.contains("0/8") && line.contains("(hidden from students)"),
        "{line}"
    );

    // JUnit: a property per check.
    let junit = roxmltree::Document::parse(&texts["junit"]).unwrap();
    let case = junit
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(hidden))
        .unwrap();
    let property = |name: &str| {
        case.descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
            .and_then(|n| n.attribute("value"))
    };
    assert_eq!(
        (property("points"), property("visibility")),
        (Some("0/8"), Some("hidden"))
    );

    // Gradescope: its own visibility values, per test.
    let results: serde_json::Value = serde_json::from_str(&texts["gradescope"]).unwrap();
    let test = |id: &str| {
        results["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["number"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(test(hidden)["visibility"], "hidden");
    assert_eq!(test(hidden)["max_score"], 8);
    assert_eq!(
        test("task01.server.listening")["visibility"],
        "after_due_date"
    );
    assert_eq!(test("task01.pair.connect")["visibility"], "visible");
    assert_eq!(results["max_score"], task01);
    // What students read of it: neither check, nor the hidden one's
    // points, nor task 01's total, which counts both.
    let seen = common::gradescope::students_see(&results).join("\n");
    for kept in [
        hidden,
        "task01.server.listening",
        "0/8",
        &format!("/{task01}"),
    ] {
        assert!(!seen.contains(kept), "students see {kept:?}:\n{seen}");
    }

    // GitHub and Markdown are what students read: the hidden failure is
    // not named, only counted; the score counts it.
    for format in ["github", "markdown"] {
        let text = &texts[format];
        assert!(!text.contains(hidden), "{format}: {text}");
        assert!(
            text.contains("2 more checks not shown yet, 2/10 points"),
            "{format}: {text}"
        );
        assert!(
            text.contains(&format!("{}/{task01}", task01 - 8)),
            "{format}: {text}"
        );
    }

    // GitHub Classroom: the reporter's sum is the grade; the hidden check
    // is in it, unnamed.
    let classroom: serde_json::Value = serde_json::from_str(&texts["classroom"]).unwrap();
    let tests = classroom["tests"].as_array().unwrap();
    let sum: u64 = tests.iter().map(|t| t["score"].as_u64().unwrap()).sum();
    assert_eq!(
        (sum, &classroom["max_score"]),
        (u64::from(task01 - 8), &json["max_score"])
    );
    assert_eq!(classroom["status"], "fail");
    assert!(
        !texts["classroom"].contains(hidden),
        "{}",
        texts["classroom"]
    );

    // HTML: the instructor's page marks the row.
    let page = scraper::Html::parse_document(&texts["html"]);
    let row = scraper::Selector::parse(&format!("tr[data-id=\"{hidden}\"]")).unwrap();
    let row = page.select(&row).next().unwrap();
    assert_eq!(row.value().attr("data-visibility"), Some("hidden"));
    assert!(row.html().contains("hidden from students"));
}

#[test]
fn an_unknown_check_in_grading_toml_is_an_error_naming_it() {
    let dir = common::scratch("policy-unknown");
    common::copy_workspace(
        &common::workspace_root().join("task01_connect"),
        &dir.join("task01_connect"),
    );
    fs::write(dir.join("Cargo.lock"), "").unwrap();
    fs::write(
        dir.join("grading.toml"),
        "[checks.\"task01.server.listenning\"]\npoints = 2\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(dir.join("task01_connect"))
        .args(["--list"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        format!(
            "grader: {}: no check `task01.server.listenning`; `grader --list` shows every check's id",
            dir.join("grading.toml").display()
        )
    );
    let _ = fs::remove_dir_all(&dir);
}
