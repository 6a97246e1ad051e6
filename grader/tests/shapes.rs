//! Honest shapes: submissions as students hand them in, laid with
//! `submission::lay` on the student edition of this workspace. Each laid
//! workspace must hold exactly the student's task sources where they handed
//! some in, a stand-in that does not compile where they did not, and no
//! line of the reference solutions anywhere else. One shape is built for
//! real, to show loose files compile against the handed-out lib.rs.

mod common;

use grader::process::{Child, Program, Stream};
use grader::submission::{self, Laid, Limits, DEFAULT_ALLOWED};
use grader::time::Deadline;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const TASKS: [&str; 5] = [
    "task01_connect",
    "task02_greeting",
    "task03_echo",
    "task04_multithreaded",
    "task05_udp",
];

/// The student edition of this workspace, written once per test binary
/// into a cache kept between runs.
fn edition() -> &'static Path {
    static EDITION: OnceLock<PathBuf> = OnceLock::new();
    EDITION.get_or_init(|| {
        let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shapes-editions");
        submission::edition(&common::workspace_root(), &cache)
            .unwrap_or_else(|e| panic!("the edition could not be written: {e:#?}"))
    })
}

/// A student's version of a reference binary: its source with a first
/// line saying whose it is, so it can't be mistaken for anyone else's.
fn student_source(task: &str, bin: &str, shape: &str) -> Vec<u8> {
    let reference = fs::read_to_string(
        common::workspace_root()
            .join(task)
            .join("src/bin")
            .join(bin),
    )
    .unwrap();
    format!("// {shape}: the student's {bin}\n{reference}").into_bytes()
}

fn crlf(text: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(text)
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// What a shape hands in: files by their path in the submission, and where
/// each must end up in the laid workspace.
#[derive(Default)]
struct Shape {
    files: Vec<(String, Vec<u8>)>,
    /// Path in the laid workspace → the submission's path it comes from.
    lands: BTreeMap<String, String>,
}

impl Shape {
    /// Hands in `contents` at `path`, to land at `laid` in the workspace.
    fn hand_in(&mut self, path: &str, contents: Vec<u8>, laid: &str) {
        self.files.push((path.to_string(), contents));
        self.lands.insert(laid.to_string(), path.to_string());
    }

    /// A task's two binaries, as loose files in `folder`.
    fn loose_bins(&mut self, folder: &str, task: &str, shape: &str) {
        for bin in ["server.rs", "client.rs"] {
            self.hand_in(
                &format!("{folder}/{bin}"),
                student_source(task, bin, shape),
                &format!("{task}/src/bin/{bin}"),
            );
        }
    }

    /// A task's whole `src/` (binaries and lib.rs), in `folder`.
    fn whole_src(&mut self, folder: &str, task: &str, shape: &str) {
        self.loose_bins(&format!("{folder}/src/bin"), task, shape);
        let lib = fs::read(common::workspace_root().join(task).join("src/lib.rs")).unwrap();
        let mut lib = [
            format!("// {shape}: the student's lib.rs\n").into_bytes(),
            lib,
        ]
        .concat();
        lib.extend_from_slice(b"\n");
        self.hand_in(
            &format!("{folder}/src/lib.rs"),
            lib,
            &format!("{task}/src/lib.rs"),
        );
    }

    fn submitted(&self, path: &str) -> &[u8] {
        &self.files.iter().find(|(p, _)| p == path).unwrap().1
    }

    fn write_folder(&self, root: &Path) {
        for (path, contents) in &self.files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, contents).unwrap();
        }
    }

    fn write_zip(&self, zip: &Path) {
        let mut writer = zip::ZipWriter::new(fs::File::create(zip).unwrap());
        for (path, contents) in &self.files {
            // Large junk is stored: deflating it would only slow the test.
            let method = if contents.len() > 100_000 {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            let options = zip::write::SimpleFileOptions::default().compression_method(method);
            writer.start_file(path.as_str(), options).unwrap();
            writer.write_all(contents).unwrap();
        }
        writer.finish().unwrap();
    }
}

fn lay(submission: &Path, limits: &Limits) -> Laid {
    let allowed: BTreeSet<String> = DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect();
    submission::lay(
        submission,
        edition(),
        &grader::tasks::all(),
        &allowed,
        limits,
    )
    .unwrap_or_else(|e| panic!("{} was not laid: {e}", submission.display()))
}

/// Every file under `dir`, relative, with `/` between parts.
fn files_under(dir: &Path) -> Vec<String> {
    files_under_but(dir, &[])
}

/// Every file under `dir` but in the folders named `skip`.
fn files_under_but(dir: &Path, skip: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                if !skip.contains(&&*entry.file_name().to_string_lossy()) {
                    folders.push(path);
                }
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

/// Lines of the reference solutions that the student edition does not
/// hold anywhere: finding one in a laid workspace means a solution leaked.
fn solution_lines() -> &'static BTreeSet<String> {
    static LINES: OnceLock<BTreeSet<String>> = OnceLock::new();
    LINES.get_or_init(|| {
        let mut in_edition = BTreeSet::new();
        for file in files_under(edition()) {
            if let Ok(text) = fs::read_to_string(edition().join(&file)) {
                in_edition.extend(text.lines().map(|l| l.trim().to_string()));
            }
        }
        let mut lines = BTreeSet::new();
        for task in TASKS {
            for bin in ["server.rs", "client.rs"] {
                let file = common::workspace_root()
                    .join(task)
                    .join("src/bin")
                    .join(bin);
                let text = fs::read_to_string(&file).unwrap();
                for region in grader::starter::regions(&text, bin).unwrap() {
                    lines.extend(
                        region
                            .solution
                            .iter()
                            .map(|l| l.trim().to_string())
                            .filter(|l| l.len() >= 20 && !in_edition.contains(l)),
                    );
                }
            }
        }
        assert!(lines.len() > 40, "too few solution lines to look for");
        lines
    })
}

/// Checks a laid workspace against what the shape handed in.
fn check(name: &str, laid: &Laid, shape: &Shape, found: &[u8]) {
    assert_eq!(laid.tasks_found, found, "{name}: tasks found");
    let workspace = &laid.workspace;
    // Every file handed in is where it belongs, byte for byte.
    for (laid_path, from) in &shape.lands {
        let got = fs::read(workspace.join(laid_path))
            .unwrap_or_else(|e| panic!("{name}: {laid_path} was not laid: {e}"));
        assert!(
            got == shape.submitted(from),
            "{name}: {laid_path} is not the student's {from}:\n{}",
            String::from_utf8_lossy(&got)
        );
    }
    for (number, task) in (1u8..).zip(TASKS) {
        for bin in ["server.rs", "client.rs"] {
            let path = format!("{task}/src/bin/{bin}");
            if shape.lands.contains_key(&path) {
                continue;
            }
            // Not handed in: a stand-in that says why, not starter code.
            let text = fs::read_to_string(workspace.join(&path)).unwrap();
            assert!(
                text.starts_with(&format!("compile_error!(\"{bin} is missing: ")),
                "{name}: {path} is not a stand-in:\n{text}"
            );
        }
        let lib = format!("{task}/src/lib.rs");
        let laid_lib = workspace.join(&lib);
        if !found.contains(&number) {
            assert!(!laid_lib.exists(), "{name}: {lib} of a missing task");
        } else if !shape.lands.contains_key(&lib) {
            // The student gave none: the handed-out one.
            assert_eq!(
                fs::read(&laid_lib).unwrap(),
                fs::read(edition().join(&lib)).unwrap(),
                "{name}: {lib} is not the handed-out one"
            );
        }
        assert!(
            !workspace.join(task).join("tests").exists(),
            "{name}: the reference tests of {task} are in the workspace"
        );
    }
    // No line of a reference solution outside what the student handed in.
    for file in files_under(workspace) {
        if shape.lands.contains_key(&file) {
            continue;
        }
        let Ok(text) = fs::read_to_string(workspace.join(&file)) else {
            continue;
        };
        let leaked: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| solution_lines().contains(*l))
            .collect();
        assert!(
            leaked.is_empty(),
            "{name}: {file} holds reference solution lines: {leaked:#?}"
        );
        if file.starts_with("task") {
            assert!(
                !text.contains("BEGIN SOLUTION"),
                "{name}: {file} holds a marked solution"
            );
        }
    }
}

/// The handouts' shape: a zip of `Task01`..`Task04`, each holding only
/// `server.rs` and `client.rs`; task 01's written on Windows (CRLF).
fn handouts_zip(dir: &Path) -> (PathBuf, Shape) {
    let mut shape = Shape::default();
    for (n, task) in (1..).zip(TASKS) {
        shape.loose_bins(&format!("Task{n:02}"), task, "handouts");
    }
    for (path, contents) in &mut shape.files {
        if path.starts_with("Task01/") {
            *contents = crlf(contents);
        }
    }
    let zip = dir.join("handouts.zip");
    shape.write_zip(&zip);
    (zip, shape)
}

#[test]
fn the_handouts_zip_keeps_the_handed_out_crate_and_builds() {
    let dir = common::scratch("shapes-handouts");
    let (zip, shape) = handouts_zip(&dir);
    let laid = lay(&zip, &Limits::default());
    check("handouts zip", &laid, &shape, &[1, 2, 3, 4, 5]);
    let server = fs::read(laid.workspace.join("task01_connect/src/bin/server.rs")).unwrap();
    assert!(server.windows(2).any(|w| w == b"\r\n"), "CRLF was lost");
    for task in TASKS {
        assert_eq!(
            fs::read(laid.workspace.join(task).join("Cargo.toml")).unwrap(),
            fs::read(edition().join(task).join("Cargo.toml")).unwrap(),
            "{task}: not the handed-out Cargo.toml"
        );
    }

    // Built for real: loose files, CRLF ones too, against the edition's lib.rs.
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shapes-target");
    let manifest = laid.workspace.join("Cargo.toml");
    let cargo = Program::new(vec![
        env!("CARGO").into(),
        "build".into(),
        "--offline".into(),
        "--manifest-path".into(),
        manifest.display().to_string(),
        "--target-dir".into(),
        target.display().to_string(),
        "-p".into(),
        "task01_connect".into(),
        "-p".into(),
        "task03_echo".into(),
    ]);
    let mut build = Child::spawn(&cargo, false).unwrap();
    let Some(status) = build.wait(Deadline::after(Duration::from_secs(600))) else {
        build.kill();
        panic!(
            "cargo build took over 600 s:\n{}",
            build.output(Stream::Stderr).join("\n")
        );
    };
    assert!(
        status.success(),
        "the laid handouts zip does not build:\n{}",
        build.output(Stream::Stderr).join("\n")
    );
    for bin in [
        "task01-server",
        "task01-client",
        "task03-server",
        "task03-client",
    ] {
        assert!(target.join("debug").join(bin).is_file(), "no {bin}");
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn loose_files_with_a_lib_of_their_own() {
    let dir = common::scratch("shapes-loose");
    let mut shape = Shape::default();
    shape.loose_bins("task1", "task01_connect", "loose");
    shape.hand_in(
        "task1/lib.rs",
        b"// loose: the student's lib.rs\npub fn address(h: &str, p: u16) -> String { format!(\"{h}:{p}\") }\n".to_vec(),
        "task01_connect/src/lib.rs",
    );
    shape.loose_bins("task2", "task02_greeting", "loose");
    shape.write_folder(&dir.join("gus"));
    let laid = lay(&dir.join("gus"), &Limits::default());
    check("loose files", &laid, &shape, &[1, 2]);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn nested_three_levels_deep_beside_a_macos_copy() {
    let dir = common::scratch("shapes-nested");
    let mut shape = Shape::default();
    shape.whole_src("ana/socket-lab/handin/Task03", "task03_echo", "nested");
    shape.loose_bins(
        "ana/socket-lab/handin/task4",
        "task04_multithreaded",
        "nested",
    );
    // What macOS's zipper leaves beside the real folders: the same names,
    // as deep and sorting first, holding resource forks.
    for task in ["Task03", "task4"] {
        for bin in ["server.rs", "._server.rs", "client.rs"] {
            shape.files.push((
                format!("__MACOSX/socket-lab/handin/{task}/{bin}"),
                b"\x00\x05\x16\x07 resource fork".to_vec(),
            ));
        }
    }
    shape.write_folder(&dir.join("ana"));
    let laid = lay(&dir.join("ana"), &Limits::default());
    check("nested, folder", &laid, &shape, &[3, 4]);
    assert!(
        laid.notes
            .iter()
            .any(|n| n == "task03_echo: taken from `ana/socket-lab/handin/Task03`"),
        "{:#?}",
        laid.notes
    );
    // The same as a zip.
    shape.write_zip(&dir.join("ana.zip"));
    let laid = lay(&dir.join("ana.zip"), &Limits::default());
    check("nested, zip", &laid, &shape, &[3, 4]);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn crlf_sources_are_laid_byte_for_byte() {
    let dir = common::scratch("shapes-crlf");
    let mut shape = Shape::default();
    shape.whole_src("task03_echo", "task03_echo", "crlf");
    for (_, contents) in &mut shape.files {
        *contents = crlf(contents);
        assert!(contents.ends_with(b"\r\n"));
    }
    shape.write_folder(&dir.join("win"));
    let laid = lay(&dir.join("win"), &Limits::default());
    check("crlf", &laid, &shape, &[3]);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_zip_of_the_whole_workspace_with_its_target_and_git() {
    let dir = common::scratch("shapes-workspace");
    let mut shape = Shape::default();
    let root = common::workspace_root();
    for file in files_under_but(&root, &["target", ".git"]) {
        if file.starts_with(".git") {
            continue;
        }
        let contents = fs::read(root.join(&file)).unwrap();
        let handed_in = format!("my-workspace/{file}");
        // Every task of the workspace, not only those the other shapes use.
        match grader::tasks::all()
            .iter()
            .find(|t| file.starts_with(&format!("{}/src/", t.package)))
        {
            Some(_) => shape.hand_in(&handed_in, contents, &file),
            None => shape.files.push((handed_in, contents)),
        }
    }
    // The limit: the workspace's own files and some room, however much
    // the kit grows.
    let sources: usize = shape.files.iter().map(|(_, c)| c.len()).sum();
    // What a student's workspace also holds: more than the limit of junk in
    // target/, and git's objects. Neither is unpacked nor counted.
    let mut x = 7u32;
    let junk: Vec<u8> = (0..3_000_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 24) as u8
        })
        .collect();
    shape
        .files
        .push(("my-workspace/target/debug/task01-server".into(), junk));
    shape.files.push((
        "my-workspace/target/debug/task01_connect/src/bin/server.rs".into(),
        b"junk".to_vec(),
    ));
    shape.files.push((
        "my-workspace/.git/HEAD".into(),
        b"ref: refs/heads/main\n".to_vec(),
    ));
    shape.files.push((
        "my-workspace/.git/objects/ab/cdef0123".into(),
        b"x\x01junk".to_vec(),
    ));
    let zip = dir.join("workspace.zip");
    shape.write_zip(&zip);
    let limits = Limits {
        bytes: (sources + 500_000) as u64,
        ..Limits::default()
    };
    let laid = lay(&zip, &limits);
    // Every task of the workspace is in it, however many there are.
    let every: Vec<u8> = grader::tasks::all().iter().map(|t| t.number).collect();
    check("whole workspace", &laid, &shape, &every);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn folder_names_students_use() {
    let dir = common::scratch("shapes-names");
    let mut shape = Shape::default();
    shape.whole_src("task1", "task01_connect", "names");
    shape.whole_src("task-02", "task02_greeting", "names");
    shape.whole_src("Task 3", "task03_echo", "names");
    shape.write_folder(&dir.join("cy"));
    let laid = lay(&dir.join("cy"), &Limits::default());
    check("names", &laid, &shape, &[1, 2, 3]);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn only_two_tasks_handed_in() {
    let dir = common::scratch("shapes-two");
    let mut shape = Shape::default();
    shape.whole_src("dee/task02_greeting", "task02_greeting", "two");
    shape.whole_src("dee/task04_multithreaded", "task04_multithreaded", "two");
    let zip = dir.join("dee.zip");
    shape.write_zip(&zip);
    let laid = lay(&zip, &Limits::default());
    check("two tasks", &laid, &shape, &[2, 4]);
    for task in ["task01_connect", "task03_echo"] {
        assert!(
            laid.notes.contains(&format!(
                "{task}: no folder for this task in the submission"
            )),
            "{:#?}",
            laid.notes
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn graders_side_by_side_write_one_edition() {
    let cache = common::scratch("shapes-edition-race");
    let editions: Vec<PathBuf> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| submission::edition(&common::workspace_root(), &cache).unwrap())
            })
            .collect();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert!(editions.iter().all(|e| *e == editions[0]), "{editions:#?}");
    let left: Vec<String> = fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left.len(),
        1,
        "more than the edition in the cache: {left:?}"
    );
    assert_eq!(files_under(&editions[0]), files_under(edition()));
    let _ = fs::remove_dir_all(&cache);
}
