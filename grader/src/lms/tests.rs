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
            ("Bo Chen_2002_assignsubmission_file/lab.zip", "zip"),
        ],
    );
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
            ("s2", "Cy Diaz", false, false)
        ]
    );
    assert_eq!(download.not_on_roster, ["bo"]);
    assert_eq!(
        download.summary(),
        "GitHub Classroom clones: 2 students, 1 with no submission, not on the roster: bo"
    );
}

#[test]
fn a_plain_folder_is_read_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("class");
    write(
        &root,
        &[
            ("ana/task01/server.rs", "s"),
            ("bo.zip", "zip"),
            ("notes.txt", "x"),
            (".hidden/x", "x"),
            ("results/grades.csv", "x"),
        ],
    );
    let download = read(&root, &root.join("results"), None).unwrap();
    assert_eq!(download.lms, Lms::Plain);
    assert_eq!(
        keys(&download),
        [("ana", "ana", false, true), ("bo", "bo", false, true)]
    );
    assert_eq!(download.summary(), "Folder of submissions: 2 students");
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
