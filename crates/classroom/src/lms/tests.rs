use super::*;
use crate::archive::write_zip;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
}

fn roster(dir: &Path, text: &str) -> Roster {
    let path = dir.join("roster.csv");
    fs::write(&path, text).unwrap();
    Roster::read(&path).unwrap()
}

/// A small real zip holding `files`.
fn zip_of(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let path = dir.join(name);
    write_zip(&path, files);
    fs::read(path).unwrap()
}

/// Each student's reason, by key.
fn reasons(download: &Download) -> Vec<(&str, Option<&str>)> {
    download
        .students
        .iter()
        .map(|s| (s.key.as_str(), s.reason.as_deref()))
        .collect()
}

fn keys(download: &Download) -> Vec<(&str, &str, bool, bool)> {
    download
        .students
        .iter()
        .map(|s| (s.key.as_str(), s.name.as_str(), s.late, s.path.is_some()))
        .collect()
}

#[test]
fn a_canvas_zip_is_grouped_per_student_late_flags_kept() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner.zip");
    write_zip(&inner, &[("task01/server.rs", b"s")]);
    let inner = fs::read(&inner).unwrap();
    let zip = dir.path().join("submissions.zip");
    write_zip(
        &zip,
        &[
            ("limaana_1001_5001_lab.zip", &inner),
            ("chenbo_late_1002_5002_server.rs", b"fn main() {}"),
            ("chenbo_late_1002_5002_client.rs", b"fn main() {}"),
        ],
    );
    let roster = roster(
        dir.path(),
        "Student,ID,SIS User ID,SIS Login ID,Section\n\"Lima, Ana\",1001,,,\n\"Chen, Bo\",1002,,,\n\"Diaz, Cy\",1003,,,\n",
    );
    let download = read(&zip, dir.path(), Some(&roster)).unwrap();
    assert_eq!(download.lms, Lms::Canvas);
    assert_eq!(
        keys(&download),
        [
            ("chenbo_1002", "Chen, Bo", true, true),
            ("1003", "Diaz, Cy", false, false),
            ("limaana_1001", "Lima, Ana", false, true),
        ]
    );
    assert_eq!(
        download.summary(),
        "Canvas download: 2 students, 1 late, 1 with no submission"
    );
    // One zip is the submission; loose files are gathered in a folder.
    let ana = &download.students[2];
    assert!(ana
        .path
        .as_ref()
        .unwrap()
        .ends_with("limaana_1001_5001_lab.zip"));
    assert_eq!(ana.lms_name, "limaana_1001_5001");
    let bo = download.students[0].path.clone().unwrap();
    assert!(bo.join("server.rs").is_file() && bo.join("client.rs").is_file());
    assert_eq!(download.students[0].lms_name, "chenbo_late_1002_5002");
}

#[test]
fn a_moodle_folder_is_read_by_participant() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("download");
    write(
        &root,
        &[
            ("Ana Lima_2001_assignsubmission_file_/task1/server.rs", "s"),
            (
                "Ana Lima_2001_assignsubmission_onlinetext_/onlinetext.html",
                "hi",
            ),
        ],
    );
    let lab = zip_of(dir.path(), "lab.zip", &[("task01/server.rs", b"s")]);
    fs::create_dir_all(root.join("Bo Chen_2002_assignsubmission_file")).unwrap();
    fs::write(root.join("Bo Chen_2002_assignsubmission_file/lab.zip"), lab).unwrap();
    let download = read(&root, dir.path(), None).unwrap();
    assert_eq!(download.lms, Lms::Moodle);
    assert_eq!(
        keys(&download),
        [
            ("Ana Lima_2001", "Ana Lima", false, true),
            ("Bo Chen_2002", "Bo Chen", false, true)
        ]
    );
    let ana = &download.students[0];
    assert_eq!(ana.lms_name, "Ana Lima_2001_assignsubmission_file_");
    assert!(ana.path.as_ref().unwrap().join("task1").is_dir());
    // A folder holding one zip is that zip.
    assert!(download.students[1]
        .path
        .as_ref()
        .unwrap()
        .ends_with("Bo Chen_2002_assignsubmission_file/lab.zip"));
    assert_eq!(download.summary(), "Moodle download: 2 students");
    assert_eq!(
        ana.notes,
        ["Ana Lima_2001_assignsubmission_onlinetext_: online text, not graded (only files are)"]
    );
}

#[test]
fn a_moodle_download_without_folders_has_its_zips_opened() {
    // moodle mod/assign/classes/downloader.php without folders:
    // `<prefix>_assignsubmission_file_<file>`.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("download");
    fs::create_dir_all(&root).unwrap();
    let lab = zip_of(dir.path(), "lab.zip", &[("task01/server.rs", b"s")]);
    fs::write(
        root.join("Bo Chen_2002_assignsubmission_file_lab.zip"),
        &lab,
    )
    .unwrap();
    fs::write(
        root.join("Bo Chen_2002_assignsubmission_file_report.pdf"),
        "%PDF",
    )
    .unwrap();
    fs::write(
        root.join("Cy Diaz_2003_assignsubmission_onlinetext_onlinetext.html"),
        "hi",
    )
    .unwrap();
    let download = read(&root, dir.path(), None).unwrap();
    assert_eq!(download.lms, Lms::Moodle);
    let bo = &download.students[0];
    let laid = bo.path.as_ref().unwrap();
    assert!(laid.join("task01/server.rs").is_file(), "{laid:?}");
    assert!(laid.join("report.pdf").is_file());
    assert_eq!(bo.lms_name, "Bo Chen_2002_assignsubmission_file_");
    assert_eq!(
        reasons(&download),
        [
            ("Bo Chen_2002", None),
            (
                "Cy Diaz_2003",
                Some("only online text was handed in: nothing to grade")
            )
        ]
    );
}

#[test]
fn a_classroom_clone_folder_is_read_by_login_and_matched_to_the_roster() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("socket-lab-submissions");
    write(
        &root,
        &[
            ("socket-lab-ana-l/.git/HEAD", "ref"),
            ("socket-lab-ana-l/task01/server.rs", "s"),
            ("socket-lab-bo/.git/HEAD", "ref"),
            ("socket-lab-bo/task01/server.rs", "s"),
            ("socket-lab-dee/.git/HEAD", "ref"),
            // One stray file reads as a row, never as another download.
            ("notes.txt", "x"),
        ],
    );
    let roster = roster(
        dir.path(),
        "id,name,email,login\ns1,Ana Lima,ana@uni.example,ana-l\ns2,Cy Diaz,cy@uni.example,cyd\n",
    );
    let download = read(&root, dir.path(), Some(&roster)).unwrap();
    assert_eq!(download.lms, Lms::Classroom);
    assert_eq!(
        keys(&download),
        [
            ("ana-l", "Ana Lima", false, true),
            ("bo", "bo", false, true),
            ("s2", "Cy Diaz", false, false),
            ("dee", "dee", false, false),
            ("notes.txt", "notes.txt", false, false),
        ]
    );
    assert_eq!(
        reasons(&download)[3..],
        [
            ("dee", Some("the clone holds nothing but its git history")),
            (
                "notes.txt",
                Some("notes.txt: a file, not a clone named socket-lab-<login>")
            )
        ]
    );
    assert_eq!(download.not_on_roster, ["bo", "dee"]);
    assert_eq!(
        download.summary(),
        "GitHub Classroom clones: 2 students, 2 with nothing to grade, 1 with no submission, not on the roster: bo, dee"
    );
}

#[test]
fn a_plain_folder_gives_every_entry_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("class");
    write(
        &root,
        &[
            ("ana/task01/server.rs", "s"),
            ("cy.zip", "not a zip"),
            ("dee.rar", "Rar!"),
            ("eve/.DS_Store", ""),
            ("notes.txt", "x"),
            (".hidden/x", "x"),
            ("results/grades.csv", "x"),
        ],
    );
    let lab = zip_of(dir.path(), "lab.zip", &[("task01/server.rs", b"s")]);
    fs::write(root.join("bo.zip"), lab).unwrap();
    fs::write(root.join("fay.zip"), "").unwrap();
    let only_rar = zip_of(dir.path(), "x.zip", &[("lab/lab.rar", b"Rar!")]);
    fs::write(root.join("gus.zip"), only_rar).unwrap();
    let download = read(&root, &root.join("results"), None).unwrap();
    assert_eq!(download.lms, Lms::Plain);
    let zip_error = zip::ZipArchive::new(std::io::Cursor::new(b"not a zip".to_vec()))
        .unwrap_err()
        .to_string();
    let not_zip = format!("cy.zip is not a zip that can be read ({zip_error})");
    assert_eq!(
        reasons(&download),
        [
            ("ana", None),
            ("bo", None),
            ("cy", Some(not_zip.as_str())),
            (
                "dee",
                Some("dee.rar is a RAR archive, which the grader does not open: hand in a .zip")
            ),
            ("eve", Some("eve is an empty folder")),
            ("fay", Some("fay.zip is empty (0 bytes)")),
            ("gus", Some("the zip holds only lab.rar")),
            (
                "notes.txt",
                Some("notes.txt: a file, not a folder or a .zip")
            ),
        ]
    );
    assert_eq!(
        download.summary(),
        "Folder of submissions: 2 students, 6 with nothing to grade"
    );
}

#[test]
fn a_link_in_a_class_zip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("submissions.zip");
    let mut writer = zip::ZipWriter::new(fs::File::create(&zip).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    writer
        .add_symlink("limaana_1001_5001_lab.zip", "/etc/passwd", options)
        .unwrap();
    writer.finish().unwrap();
    let err = format!(
        "{:#}",
        anyhow::Error::from(read(&zip, dir.path(), None).unwrap_err())
    );
    assert_eq!(
        err,
        format!(
            "could not unpack {}: rejected: symbolic link at limaana_1001_5001_lab.zip -> /etc/passwd; submissions may not contain links",
            zip.display()
        )
    );
}

#[test]
fn a_canvas_student_s_attachments_are_laid_together_the_latest_winning_a_task() {
    let dir = tempfile::tempdir().unwrap();
    let old = zip_of(
        dir.path(),
        "old.zip",
        &[("Task01/server.rs", b"old"), ("Task02/server.rs", b"two")],
    );
    let new = zip_of(dir.path(), "new.zip", &[("lab/task1/server.rs", b"new")]);
    let zip = dir.path().join("submissions.zip");
    write_zip(
        &zip,
        &[
            ("limaana_1001_5003_new.zip", &new),
            ("limaana_1001_5001_old.zip", &old),
            ("limaana_1001_5002_report.pdf", b"%PDF"),
            ("limaana_1001_text.html", b"<p>see zip</p>"),
            // Only an online text entry: a row saying so.
            ("chenbo_LATE_1002_text.html", b"<p>hi</p>"),
            // Not a name Canvas gives: a row, the rest still Canvas.
            ("grades.xlsx", b"x"),
        ],
    );
    let download = read(&zip, dir.path(), None).unwrap();
    assert_eq!(download.lms, Lms::Canvas);
    assert_eq!(
        keys(&download),
        [
            ("chenbo_1002", "chenbo", true, false),
            ("grades.xlsx", "grades.xlsx", false, false),
            ("limaana_1001", "limaana", false, true),
        ]
    );
    let ana = &download.students[2];
    let laid = ana.path.as_ref().unwrap();
    assert_eq!(
        fs::read_to_string(laid.join("lab/task1/server.rs")).unwrap(),
        "new"
    );
    assert!(!laid.join("Task01").exists(), "the older task01 stays out");
    assert_eq!(
        fs::read_to_string(laid.join("Task02/server.rs")).unwrap(),
        "two"
    );
    assert!(laid.join("report.pdf").is_file());
    assert_eq!(
        ana.notes,
        [
            "limaana_1001_text.html: online text, not graded (only files are)",
            "task01_connect is in old.zip (attachment 5001) and new.zip (attachment 5003): the last, new.zip (attachment 5003), is graded",
        ]
    );
    // Feedback goes back under the graded attachment's name.
    assert_eq!(
        (ana.lms_name.as_str(), ana.submission_id.as_str()),
        ("limaana_1001_5003", "5003")
    );
    assert_eq!(
        reasons(&download)[..2],
        [
            ("chenbo_1002", Some("only online text or a URL was handed in: nothing to grade")),
            (
                "grades.xlsx",
                Some("grades.xlsx: not named as Canvas names a submission (name_userid_attachmentid_file)")
            )
        ]
    );
}

#[test]
fn canvas_names_in_another_normal_form_still_meet_the_roster() {
    let dir = tempfile::tempdir().unwrap();
    let lab = zip_of(dir.path(), "lab.zip", &[("task01/server.rs", b"s")]);
    let zip = dir.path().join("submissions.zip");
    // Re-packed on macOS: `ë` as `e` and a combining diaeresis.
    write_zip(&zip, &[("obrienzoe\u{308}_LATE_1004_5004_lab.zip", &lab)]);
    // A roster without Canvas's ids: matched by the name Canvas makes.
    let roster = roster(dir.path(), "id,name\nz1,\"O'Brien, Zo\u{eb}\"\n");
    let download = read(&zip, dir.path(), Some(&roster)).unwrap();
    assert_eq!(
        keys(&download),
        [("obrienzo\u{eb}_1004", "O'Brien, Zo\u{eb}", true, true)]
    );
    assert!(download.not_on_roster.is_empty());
}

#[test]
fn a_few_lms_names_do_not_make_a_folder_a_download() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("class");
    write(
        &root,
        &[
            ("ana/task01/server.rs", "s"),
            ("bo/task01/server.rs", "s"),
            ("cy/task01/server.rs", "s"),
        ],
    );
    let lab = zip_of(dir.path(), "lab.zip", &[("task01/server.rs", b"s")]);
    fs::write(root.join("limaana_1001_5001_lab.zip"), lab).unwrap();
    let download = read(&root, dir.path(), None).unwrap();
    assert_eq!(download.lms, Lms::Plain);
    assert_eq!(download.handed_in().count(), 4);
}

#[test]
fn a_link_in_one_of_a_student_s_zips_rejects_the_student_alone() {
    let dir = tempfile::tempdir().unwrap();
    let linked = dir.path().join("linked.zip");
    let mut writer = zip::ZipWriter::new(fs::File::create(&linked).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("task02/server.rs", options).unwrap();
    writer.add_symlink("task01/src", "/etc", options).unwrap();
    writer.finish().unwrap();
    let linked = fs::read(&linked).unwrap();
    let lab = zip_of(dir.path(), "lab.zip", &[("task01/server.rs", b"s")]);
    let zip = dir.path().join("submissions.zip");
    write_zip(
        &zip,
        &[
            ("limaana_1001_5001_lab.zip", &lab),
            ("limaana_1001_5002_more.zip", &linked),
            ("chenbo_1002_5003_lab.zip", &lab),
        ],
    );
    let download = read(&zip, dir.path(), None).unwrap();
    assert_eq!(
        reasons(&download),
        [
            ("chenbo_1002", None),
            (
                "limaana_1001",
                Some("rejected: more.zip: symbolic link at task01/src -> /etc; submissions may not contain links")
            )
        ]
    );
}
