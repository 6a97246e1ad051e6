//! Grading a class: submissions, batches, and the CI set-ups in docs/.

mod common;

use assert_cmd::Command;
use clap::Parser;
use grader::cli::Cli;
use grader::process::{Child, Program, Stream};
use grader::time::Deadline;
use scraper::{Html, Selector};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TASKS: [&str; 6] = [
    "task01_connect",
    "task02_greeting",
    "task03_echo",
    "task04_multithreaded",
    "task05_udp",
    "task06_chat",
];

/// The columns of `grades.csv`: student, name, late, a column per task
/// from `FIRST`, total, max, grade, then these two.
const FIRST: usize = 3;
const STATUS: usize = FIRST + TASKS.len() + 3;
const REASON: usize = STATUS + 1;

/// A submission folder holding the reference's task folders, each under
/// the name `name(task)`.
fn submission(at: &Path, name: impl Fn(&str) -> String) {
    for task in TASKS {
        let from = common::workspace_root().join(task);
        let to = at.join(name(task));
        common::copy_workspace(&from.join("src"), &to.join("src"));
        fs::copy(from.join("Cargo.toml"), to.join("Cargo.toml")).unwrap();
    }
}

/// Replaces `from` by `to` in a file of a submission, which must change.
fn edit(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", file.display());
    fs::write(file, text.replace(from, to)).unwrap();
}

/// Zips the folder `dir` into `zip`, its entries under `prefix`.
fn zip_folder(dir: &Path, zip: &Path) {
    let mut writer = zip::ZipWriter::new(fs::File::create(zip).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let name = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                writer.add_directory(name, options).unwrap();
                stack.push(path);
            } else {
                writer.start_file(name, options).unwrap();
                writer.write_all(&fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    writer.finish().unwrap();
}

fn grader() -> Command {
    let mut grader = Command::new(env!("CARGO_BIN_EXE_grader"));
    grader
        .current_dir(common::workspace_root())
        .timeout(Duration::from_secs(600));
    grader
}

#[test]
fn a_batch_records_every_kind_of_submission() {
    let dir = common::scratch("class");
    let class = dir.join("submissions");
    // Right, in the kit's own folder names.
    submission(&class.join("ana"), |task| task.to_string());
    // Partly wrong: a greeting without its newline.
    submission(&class.join("ben"), |task| task.to_string());
    edit(
        &class.join("ben/task02_greeting/src/bin/server.rs"),
        "format!(\"{greeting}\\n\")",
        "greeting.to_string()",
    );
    // Does not compile.
    submission(&class.join("cy"), |task| task.to_string());
    edit(
        &class.join("cy/task01_connect/src/bin/client.rs"),
        "println!(\"Connected to {server}\");",
        "println!(\"Connected to {server}\")",
    );
    // Hangs: its echo server never starts listening. Every wait of the
    // grader is bounded, so it is graded (badly) within the budget here;
    // the budget itself is tested below, with a smaller one.
    submission(&class.join("dee"), |task| task.to_string());
    edit(
        &class.join("dee/task03_echo/src/bin/server.rs"),
        "fn serve(addr: &str) -> Result<(), String> {",
        "fn serve(addr: &str) -> Result<(), String> {\n    std::thread::sleep(std::time::Duration::from_secs(3600));",
    );
    // A zip with Task01..Task04 folders inside a folder of the student's name.
    let unzipped = dir.join("eve");
    submission(&unzipped.join("eve"), |task| format!("Task{}", &task[4..6]));
    zip_folder(&unzipped, &class.join("eve.zip"));
    // Edits the grader to claim full marks, with a wrong task 04 client.
    submission(&class.join("fay"), |task| task.to_string());
    edit(
        &class.join("fay/task04_multithreaded/src/bin/client.rs"),
        "None => \"BYE\".to_string(),",
        "None => break,",
    );
    fs::create_dir_all(class.join("fay/grader/src")).unwrap();
    fs::write(
        class.join("fay/grader/src/main.rs"),
        "fn main() { println!(\"Total: 100/100\"); }\n",
    )
    .unwrap();

    let out = dir.join("results");
    let started = Instant::now();
    let output = grader()
        .args([
            "batch",
            class.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
        ])
        .args(["--budget", "120", "--format", "junit", "--target-dir"])
        .arg(common::shared_target())
        .assert()
        .success()
        .get_output()
        .clone();
    eprintln!(
        "batch took {:?}\n{}",
        started.elapsed(),
        String::from_utf8_lossy(&output.stdout)
    );

    let csv = fs::read_to_string(out.join("grades.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "student",
            "name",
            "late",
            "task01_connect",
            "task02_greeting",
            "task03_echo",
            "task04_multithreaded",
            "task05_udp",
            "task06_chat",
            "total",
            "max",
            "grade",
            "status",
            "reason",
            "report",
            "feedback"
        ]
    );
    // Full marks per task, and in all, as the grader counts them now.
    let full: Vec<String> = grader::tasks::all()
        .iter()
        .map(|t| t.max_points().to_string())
        .collect();
    let total: u32 = grader::tasks::all().iter().map(|t| t.max_points()).sum();
    let total = total.to_string();
    let full_marks = |student: &str| {
        let mut row = vec![student.to_string(), student.to_string(), "no".into()];
        row.extend(full.iter().cloned());
        row.extend([
            total.clone(),
            total.clone(),
            total.clone(),
            "graded".into(),
            String::new(),
            format!("students/{student}/report.html"),
            format!("students/{student}/feedback.html"),
        ]);
        row
    };
    let row = |student: &str| {
        rows.iter()
            .find(|r| r[0] == student)
            .unwrap_or_else(|| panic!("no row for {student}:\n{csv}"))
            .clone()
    };
    assert_eq!(row("ana"), full_marks("ana"));
    let ben = row("ben");
    assert_eq!(
        (ben[FIRST], ben[FIRST + 2], ben[FIRST + 3], ben[STATUS]),
        (&*full[0], &*full[2], &*full[3], "graded")
    );
    let number = |text: &str| text.parse::<u32>().unwrap();
    assert!(number(ben[FIRST + 1]) < number(&full[1]), "{ben:?}");
    let cy = row("cy");
    // cy's task01 client does not compile: it costs the client's checks
    // and the pair's, and the server is graded as usual.
    assert_eq!((cy[FIRST + 1], cy[STATUS]), (&*full[1], "did not build"));
    assert!((1..number(&full[0])).contains(&number(cy[FIRST])), "{cy:?}");
    let dee = row("dee");
    assert_eq!(
        (dee[FIRST], dee[FIRST + 1], dee[FIRST + 3], dee[STATUS]),
        (&*full[0], &*full[1], &*full[3], "graded")
    );
    assert!(number(dee[FIRST + 2]) < number(&full[2]) / 2, "{dee:?}");
    assert_eq!(row("eve"), full_marks("eve"));
    let fay = row("fay");
    assert_eq!(fay[STATUS], "graded");
    assert!(
        number(fay[FIRST + 3]) < number(&full[3]),
        "the edited grader gained something: {fay:?}"
    );

    // One report per student in every format, and the class page.
    for student in ["ana", "ben", "cy", "eve", "fay"] {
        for file in ["report.json", "report.html", "report.junit.xml"] {
            assert!(
                out.join("students").join(student).join(file).is_file(),
                "{student}/{file}"
            );
        }
    }
    let page = Html::parse_document(&fs::read_to_string(out.join("index.html")).unwrap());
    let students = Selector::parse("#students tbody tr").unwrap();
    assert_eq!(page.select(&students).count(), 6);
    let links = Selector::parse("#students tbody a").unwrap();
    let linked: Vec<&str> = page
        .select(&links)
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(linked.contains(&"students/ana/report.html"), "{linked:?}");
    let bars = Selector::parse("svg#histogram rect.bar").unwrap();
    assert_eq!(page.select(&bars).count(), 10);
    let failures = Selector::parse("svg#failures").unwrap();
    assert_eq!(page.select(&failures).count(), 1);
    assert!(page
        .root_element()
        .html()
        .contains("task02.server.greeting_default"));

    // The same hanging submission alone, with a budget it can't meet: it
    // is stopped, recorded as timed out, and still gets a page.
    let alone = dir.join("alone");
    fs::create_dir_all(&alone).unwrap();
    fs::rename(class.join("dee"), alone.join("dee")).unwrap();
    let out = dir.join("results-alone");
    grader()
        .args([
            "batch",
            alone.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--budget", "3", "--target-dir"])
        .arg(common::shared_target())
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("grades.csv")).unwrap();
    let dee: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((dee[0], dee[STATUS]), ("dee", "timed out"), "{csv}");
    assert!(dee[REASON].contains("still grading after 3 s"), "{dee:?}");
    let page = fs::read_to_string(out.join("students/dee/report.html")).unwrap();
    assert!(page.contains("timed out"), "{page}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_submission_with_loose_files_and_a_missing_task() {
    let dir = common::scratch("loose");
    let student = dir.join("gus");
    fs::create_dir_all(student.join("task1")).unwrap();
    for file in ["src/bin/server.rs", "src/bin/client.rs", "src/lib.rs"] {
        let from = common::workspace_root().join("task01_connect").join(file);
        fs::copy(
            from,
            student
                .join("task1")
                .join(Path::new(file).file_name().unwrap()),
        )
        .unwrap();
    }
    let output = grader()
        .args([
            "--format",
            "json",
            "--submission",
            student.to_str().unwrap(),
            "task01",
            "task02",
            "--target-dir",
        ])
        .arg(common::shared_target())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["tasks"][0]["score"], report["tasks"][0]["max_score"]);
    assert_eq!(report["tasks"][1]["build"], "failed");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("task01_connect: taken from `task1`"),
        "{notes}"
    );
    assert!(notes.contains("task02_greeting: no folder"), "{notes}");
    let _ = fs::remove_dir_all(&dir);
}

/// The Gradescope autograder zip of this workspace, written once.
fn autograder_zip() -> &'static Path {
    static ZIP: OnceLock<PathBuf> = OnceLock::new();
    ZIP.get_or_init(|| {
        let zip = common::scratch("autograder-zip").join("autograder.zip");
        grader()
            .args(["autograder", "--out", zip.to_str().unwrap(), "--workspace"])
            .arg(common::workspace_root())
            .timeout(Duration::from_secs(120))
            .assert()
            .success();
        zip
    })
}

/// A Gradescope layout at `root`: the zip unpacked into `source`, and
/// `run_autograder` copied to the top, as Gradescope builds its image.
fn autograder_layout(root: &Path) {
    let mut archive = zip::ZipArchive::new(fs::File::open(autograder_zip()).unwrap()).unwrap();
    archive.extract(root.join("source")).unwrap();
    fs::copy(
        root.join("source/run_autograder"),
        root.join("run_autograder"),
    )
    .unwrap();
    fs::create_dir_all(root.join("results")).unwrap();
}

/// Runs the layout's `run_autograder` with `grader`, as Gradescope would,
/// and returns `results/results.json`, which must be a regular file. The
/// script runs in a process group of its own, killed whole at the deadline:
/// a script stuck on a FIFO fails the test and leaves nothing behind.
fn run_autograder(root: &Path, grader: &Path) -> serde_json::Value {
    let program = Program::new(vec![
        "env".into(),
        format!("AUTOGRADER_ROOT={}", root.display()),
        format!("GRADER={}", grader.display()),
        format!("GRADER_TARGET_DIR={}", common::shared_target().display()),
        "bash".into(),
        root.join("run_autograder").display().to_string(),
    ]);
    let script = Child::spawn(&program, false).unwrap();
    let status = script.wait(Deadline::after(Duration::from_secs(300)));
    assert!(
        status.is_some_and(|s| s.success()),
        "run_autograder ended with {status:?}, stderr: {:?}",
        script.output(Stream::Stderr)
    );
    let results = root.join("results/results.json");
    let kind = fs::symlink_metadata(&results).unwrap().file_type();
    assert!(
        kind.is_file(),
        "results.json is not a regular file: {kind:?}"
    );
    serde_json::from_str(&fs::read_to_string(results).unwrap()).unwrap()
}

/// Lines of the reference solutions that are worth looking for: the lines
/// of every solution region of the tasks' sources longer than 20
/// characters, leaving out those the grader's own sources hold too (the
/// grader ships in the edition, and is a socket program itself) and those
/// the lessons in `docs/` show on purpose (concepts.md builds a listener
/// with socket2, self-check.md quizzes a client's loop).
fn telling_solution_lines() -> Vec<String> {
    let root = common::workspace_root();
    let mut shipped = String::new();
    let mut files = Vec::new();
    list_files(&root.join("grader/src"), "rs", &mut files);
    list_files(&root.join("crates"), "rs", &mut files);
    for file in files {
        shipped.push_str(&fs::read_to_string(file).unwrap());
    }
    let mut lessons = Vec::new();
    list_files(&root.join("docs"), "md", &mut lessons);
    for file in lessons.iter().filter(|f| !f.ends_with("instructors.md")) {
        let text = fs::read_to_string(file).unwrap();
        shipped.push_str(&grader::starter::cut(&text, &file.display().to_string()).unwrap());
    }
    let mut lines = Vec::new();
    for task in TASKS {
        let mut files = Vec::new();
        list_files(&root.join(task).join("src"), "rs", &mut files);
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            for region in grader::starter::regions(&text, &file.display().to_string()).unwrap() {
                lines.extend(
                    region
                        .solution
                        .iter()
                        .map(|l| l.trim().to_string())
                        .filter(|l| l.len() > 20 && !shipped.contains(l.as_str())),
                );
            }
        }
    }
    lines
}

/// The files under `dir` whose names end in `.{extension}`.
fn list_files(dir: &Path, extension: &str, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(&path, extension, into);
        } else if path.extension().is_some_and(|e| e == extension) {
            into.push(path);
        }
    }
}

#[test]
fn the_autograder_zip_holds_the_scripts_and_the_student_edition() {
    let mut archive = zip::ZipArchive::new(fs::File::open(autograder_zip()).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut contents = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut contents).unwrap();
        entries.push((
            entry.name().to_string(),
            entry.unix_mode(),
            String::from_utf8_lossy(&contents).into_owned(),
        ));
    }
    let names: Vec<&str> = entries.iter().map(|(n, _, _)| n.as_str()).collect();
    for script in ["setup.sh", "run_autograder"] {
        let (_, mode, text) = entries
            .iter()
            .find(|(n, _, _)| n == script)
            .unwrap_or_else(|| panic!("no {script} at the top of the zip: {names:?}"));
        assert_eq!(mode.map(|m| m & 0o777), Some(0o755), "{script}");
        let ours = fs::read_to_string(
            common::workspace_root()
                .join("docs/gradescope")
                .join(script),
        );
        assert_eq!(
            text,
            &ours.unwrap(),
            "{script} is not docs/gradescope/{script}"
        );
    }
    for needed in [
        "source/Cargo.toml",
        "source/Cargo.lock",
        "source/rust-toolchain.toml",
        "source/grader/Cargo.toml",
        "source/grader/src/main.rs",
        "source/task03_echo/src/bin/server.rs",
    ] {
        assert!(names.contains(&needed), "no {needed} in {names:?}");
    }
    for name in &names {
        let parts: Vec<&str> = name.split('/').collect();
        assert!(
            *name == "setup.sh" || *name == "run_autograder" || parts[0] == "source",
            "{name} is outside source/"
        );
        assert!(
            !parts
                .iter()
                .any(|p| *p == "target" || *p == ".git" || *p == "tests"),
            "{name} should not be in the zip"
        );
        assert!(!name.starts_with("source/docs/gradescope"), "{name}");
    }

    let solution = telling_solution_lines();
    assert!(
        solution.len() > 50,
        "too few solution lines: {}",
        solution.len()
    );
    for (name, _, text) in &entries {
        for line in &solution {
            assert!(
                !text.contains(line.as_str()),
                "{name} holds solution text: {line}"
            );
        }
    }
}

#[test]
fn the_autograder_builds_with_its_lock_file_as_it_is() {
    // setup.sh fetches and builds with --locked: cargo must find nothing to
    // change in the zip's Cargo.lock, the crates of the tests included.
    let root = common::scratch("autograder-lock");
    let mut archive = zip::ZipArchive::new(fs::File::open(autograder_zip()).unwrap()).unwrap();
    archive.extract(&root).unwrap();
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-p",
            "grader",
            "-e",
            "normal",
            // As setup.sh builds it.
            "--features",
            "classroom",
        ])
        .current_dir(root.join("source"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lock = fs::read_to_string(root.join("source/Cargo.lock")).unwrap();
    for test_only in [
        "name = \"tokio\"",
        "name = \"scraper\"",
        "name = \"gallery\"",
    ] {
        assert!(
            !lock.contains(test_only),
            "Cargo.lock still has {test_only}"
        );
    }
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn gradescope_run_autograder_writes_results_json() {
    let root = common::scratch("autograder");
    autograder_layout(&root);
    submission(&root.join("submission"), |task| task.to_string());
    let results = run_autograder(&root, Path::new(env!("CARGO_BIN_EXE_grader")));
    let full: u32 = grader::tasks::all().iter().map(|t| t.max_points()).sum();
    assert_eq!(results["score"], full);
    assert_eq!(results["max_score"], full);
    let tests = results["tests"].as_array().unwrap();
    assert!(tests.len() > 40);
    assert!(tests
        .iter()
        .all(|t| t["status"] == "passed" && t["visibility"] == "visible"));
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn a_results_json_put_in_the_way_redirects_and_blocks_nothing() {
    let task01 = grader::tasks::by_number(1).unwrap().max_points();
    for planted in ["fifo", "symlink"] {
        let root = common::scratch(&format!("autograder-{planted}"));
        autograder_layout(&root);
        // Task 01 alone: a grade, quickly.
        submission(&root.join("submission"), |task| task.to_string());
        for task in &TASKS[1..] {
            fs::remove_dir_all(root.join("submission").join(task)).unwrap();
        }
        let results = root.join("results/results.json");
        let elsewhere = root.join("elsewhere.json");
        fs::write(&elsewhere, "untouched").unwrap();
        match planted {
            "fifo" => assert!(std::process::Command::new("mkfifo")
                .arg(&results)
                .status()
                .unwrap()
                .success()),
            _ => std::os::unix::fs::symlink(&elsewhere, &results).unwrap(),
        }
        let graded = run_autograder(&root, Path::new(env!("CARGO_BIN_EXE_grader")));
        assert_eq!(graded["score"], task01, "{planted}: {graded:#}");
        assert_eq!(
            fs::read_to_string(&elsewhere).unwrap(),
            "untouched",
            "{planted}"
        );
        let _ = fs::remove_dir_all(&root);
    }
}

#[test]
fn gradescope_says_so_when_the_grader_cannot_run() {
    let root = common::scratch("autograder-broken");
    autograder_layout(&root);
    fs::create_dir_all(root.join("submission")).unwrap();
    let results = run_autograder(&root, &root.join("no-such-grader"));
    assert_eq!(results["score"], 0);
    let output = results["output"].as_str().unwrap();
    assert!(
        output.starts_with("The grader could not run (exit status 127)"),
        "{output}"
    );
    let _ = fs::remove_dir_all(&root);
}

/// Gradescope puts what the student uploaded in /autograder/submission:
/// an empty upload leaves it empty, and a zip of a zip (or a `.rar` in a
/// zip) leaves no task folder. The student reads why, not a crash.
#[test]
fn gradescope_tells_the_student_why_nothing_was_graded() {
    let root = common::scratch("autograder-nothing");
    autograder_layout(&root);
    let handed_in = root.join("submission");
    fs::create_dir_all(&handed_in).unwrap();
    let grader = Path::new(env!("CARGO_BIN_EXE_grader"));
    let results = run_autograder(&root, grader);
    assert_eq!(results["score"], 0);
    let output = results["output"].as_str().unwrap();
    assert!(
        output.contains("no task folders found: the submission is empty"),
        "{output}"
    );

    // One zip holding a .rar: the zip is opened, and its one file named.
    let inner = root.join("inner");
    fs::create_dir_all(&inner).unwrap();
    fs::write(inner.join("lab.rar"), "Rar!").unwrap();
    zip_folder(&inner, &handed_in.join("lab.zip"));
    let results = run_autograder(&root, grader);
    let output = results["output"].as_str().unwrap();
    assert!(
        output.contains("no task folders found: the zip `lab.zip` holds only `lab.rar`"),
        "{output}"
    );
    assert!(!output.contains("could not run"), "{output}");

    // One zip holding the task folders: graded as they are.
    fs::remove_file(handed_in.join("lab.zip")).unwrap();
    let tasks = root.join("tasks");
    submission(&tasks, |task| task.to_string());
    zip_folder(&tasks, &handed_in.join("lab.zip"));
    let results = run_autograder(&root, grader);
    let full: u32 = grader::tasks::all().iter().map(|t| t.max_points()).sum();
    assert_eq!(results["score"], full, "{results:#}");
    let _ = fs::remove_dir_all(&root);
}

#[test]
fn the_github_workflow_runs_a_command_the_grader_accepts() {
    let workflow =
        fs::read_to_string(common::workspace_root().join("docs/ci/github-classroom.yml")).unwrap();
    let line = workflow
        .lines()
        .find(|l| l.contains("target/release/grader "))
        .expect("the workflow runs the grader");
    let command = line.trim().trim_start_matches("run:").trim();
    let args = shlex::split(command).unwrap();
    // Through sudo, for the sandbox, with the paths cargo needs.
    assert_eq!(&args[..2], ["sudo", "env"], "{command}");
    let at = args
        .iter()
        .position(|a| a == "./target/release/grader")
        .unwrap();
    assert!(args[2..at].iter().all(|a| a.contains('=')), "{command}");
    let grader_args = &args[at + 1..];
    let cli = Cli::try_parse_from(
        std::iter::once("grader").chain(grader_args.iter().map(String::as_str)),
    )
    .unwrap_or_else(|e| panic!("the workflow's grader command does not parse: {e}"));
    assert_eq!(cli.grade.format, grader::cli::Format::Github);
    assert_eq!(cli.grade.submission, Some(PathBuf::from("../submission")));
    assert!(cli
        .grade
        .output
        .iter()
        .any(|(f, _)| *f == grader::cli::Format::Junit));
}

/// The workflow's steps, each as its lines, comments and `- ` left out.
fn workflow_steps(workflow: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = workflow
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let start = lines
        .iter()
        .position(|l| l.trim() == "steps:")
        .expect("the workflow has steps");
    let item = indent(lines[start + 1]);
    let mut steps: Vec<Vec<String>> = Vec::new();
    for line in lines[start + 1..].iter().take_while(|l| indent(l) >= item) {
        if indent(line) == item && line.trim_start().starts_with("- ") {
            steps.push(Vec::new());
        }
        let line = line.trim().trim_start_matches("- ").to_string();
        steps.last_mut().unwrap().push(line);
    }
    steps
}

/// The value of `key` in a workflow step, its quotes taken off.
fn value(step: &[String], key: &str) -> Option<String> {
    step.iter()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .map(|v| v.trim_matches('"').to_string())
}

/// The step that runs GitHub Classroom's grading reporter.
fn reporter_step(steps: &[Vec<String>]) -> &Vec<String> {
    steps
        .iter()
        .find(|s| {
            value(s, "uses").as_deref()
                == Some("classroom-resources/autograding-grading-reporter@v1")
        })
        .expect("the workflow reports to GitHub Classroom")
}

#[test]
fn the_github_workflow_keeps_tokens_and_permissions_to_a_minimum() {
    let workflow =
        fs::read_to_string(common::workspace_root().join("docs/ci/github-classroom.yml")).unwrap();
    let steps = workflow_steps(&workflow);
    let has = |step: &[String], line: &str| step.iter().any(|l| l == line);

    let checkouts: Vec<&Vec<String>> = steps
        .iter()
        .filter(|s| s.iter().any(|l| l.starts_with("uses: actions/checkout@")))
        .collect();
    assert_eq!(checkouts.len(), 2, "{steps:#?}");
    for checkout in checkouts {
        assert!(
            has(checkout, "persist-credentials: false"),
            "a checkout keeps its token in .git/config: {checkout:#?}"
        );
    }

    let install = steps
        .iter()
        .position(|s| s.iter().any(|l| l.contains("rustup")))
        .expect("the workflow installs Rust");
    assert!(
        has(&steps[install], "run: rustup toolchain install")
            && has(&steps[install], "working-directory: instructor"),
        "Rust is not installed from the instructor's rust-toolchain.toml: {:#?}",
        steps[install]
    );
    let cache = steps
        .iter()
        .position(|s| has(s, "uses: Swatinem/rust-cache@v2"))
        .expect("the build is cached");
    assert!(
        has(&steps[cache], "workspaces: instructor"),
        "{:#?}",
        steps[cache]
    );
    assert!(install < cache, "the cache's key needs the pinned rustc");

    let lines: Vec<&str> = workflow
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let at: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with("permissions:"))
        .collect();
    assert_eq!(
        at.len(),
        1,
        "permissions are set once, for the whole workflow"
    );
    let granted: Vec<&str> = lines[at[0] + 1..]
        .iter()
        .take_while(|l| l.starts_with(' '))
        .map(|l| l.trim())
        .collect();
    // The grading reporter's two, and the checkout's.
    assert_eq!(
        granted,
        ["checks: write", "actions: read", "contents: read"]
    );
}

#[test]
fn the_github_workflow_hands_the_points_to_the_classroom_reporter() {
    let workflow =
        fs::read_to_string(common::workspace_root().join("docs/ci/github-classroom.yml")).unwrap();
    let steps = workflow_steps(&workflow);
    // The reporter, and the runner it reads.
    let reporter = reporter_step(&steps);
    let runner = value(reporter, "runners").expect("the reporter names its runner");
    assert!(!runner.contains(','), "one runner: {runner}");
    // It reads `<RUNNER>_RESULTS`, the runner step's `result` output.
    let results = value(reporter, &format!("{}_RESULTS", runner.to_uppercase()));
    assert_eq!(
        results.as_deref(),
        Some(format!("${{{{ steps.{runner}.outputs.result }}}}").as_str()),
        "{reporter:#?}"
    );
    let encode = steps
        .iter()
        .find(|s| value(s, "id").as_deref() == Some(runner.as_str()))
        .expect("a step with the runner's id");
    let run = encode
        .iter()
        .find_map(|l| l.strip_prefix("run: "))
        .expect("the step runs a command");
    let file = run
        .strip_prefix("echo \"result=$(base64 -w0 ")
        .and_then(|r| r.strip_suffix(")\" >> \"$GITHUB_OUTPUT\""))
        .unwrap_or_else(|| panic!("not a base64 `result` output: {run}"));
    // The Grade step writes that file in the classroom format, beside
    // instructor/ (the encoding step runs at the top of the job's folder).
    let grade = workflow
        .lines()
        .find(|l| l.contains("target/release/grader "))
        .unwrap();
    let args = shlex::split(grade.trim().trim_start_matches("run:").trim()).unwrap();
    let at = args
        .iter()
        .position(|a| a == "./target/release/grader")
        .unwrap();
    let cli = Cli::try_parse_from(
        std::iter::once("grader").chain(args[at + 1..].iter().map(String::as_str)),
    )
    .unwrap();
    assert!(
        cli.grade.output.iter().any(|(format, path)| {
            *format == grader::cli::Format::Classroom
                && Path::new("instructor")
                    .join(path)
                    .components()
                    .collect::<Vec<_>>()
                    == Path::new("instructor/..")
                        .join(file)
                        .components()
                        .collect::<Vec<_>>()
        }),
        "the Grade step does not write {file} as classroom: {:?}",
        cli.grade.output
    );
    // Both run when a check failed, and the reporter finds its check run.
    for step in [encode, reporter] {
        assert_eq!(
            value(step, "if").as_deref(),
            Some("${{ !cancelled() }}"),
            "{step:#?}"
        );
    }
}

/// The workflow is named as GitHub Classroom names the one it generates.
#[test]
fn the_github_workflow_is_named_as_classroom_names_it() {
    let workflow =
        fs::read_to_string(common::workspace_root().join("docs/ci/github-classroom.yml")).unwrap();
    let lines: Vec<&str> = workflow
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let top: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.starts_with(' '))
        .collect();
    assert_eq!(
        top,
        ["name: Autograding Tests", "on:", "permissions:", "jobs:"],
        "{workflow}"
    );
    let under = |key: &str| -> Vec<&str> {
        let at = lines.iter().position(|l| *l == key).unwrap();
        lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with(' '))
            .filter(|l| l.len() - l.trim_start().len() == 2)
            .map(|l| l.trim())
            .collect()
    };
    assert_eq!(under("on:"), ["push:", "repository_dispatch:"]);
    assert_eq!(under("jobs:"), ["run-autograding-tests:"]);
    let job = lines
        .iter()
        .position(|l| l.trim() == "run-autograding-tests:")
        .unwrap();
    let settings: Vec<&str> = lines[job + 1..]
        .iter()
        .take_while(|l| l.len() - l.trim_start().len() > 2)
        .filter(|l| l.len() - l.trim_start().len() == 4)
        .map(|l| l.trim())
        .collect();
    assert!(
        settings.contains(&"if: github.actor != 'github-classroom[bot]'"),
        "{settings:?}"
    );
    // No `name:`: the job's check run is `run-autograding-tests`, the name
    // earlier reporters looked up (`src/notify-classroom.js` before v1:
    // `check_name: "run-autograding-tests"`).
    assert!(
        !settings.iter().any(|s| s.starts_with("name:")),
        "{settings:?}"
    );
}

/// What `classroom-resources/autograding-grading-reporter@v1` makes of
/// the env it is given: the points it writes for the Classroom dashboard,
/// why it fails the job, and what it prints in the log. Written from its
/// source at the `v1` tag; each rule names its file.
#[derive(Debug)]
struct Reported {
    /// The `Autograding complete` notice: `Points 7/21`.
    points: Option<String>,
    /// `core.setFailed`'s message.
    failed: Option<String>,
    log: Vec<String>,
}

fn classroom_reporter(runners: &str, env: &std::collections::BTreeMap<String, String>) -> Reported {
    let failed = |message: &str| Reported {
        points: None,
        failed: Some(message.to_string()),
        log: Vec::new(),
    };
    // src/main.js: `core.getInput("runners").split(",")`, and for each
    // `process.env[`${runner.trim().toUpperCase()}_RESULTS`]`, decoded by
    // `Buffer.from(encoded, "base64")` and `JSON.parse`.
    let mut all = Vec::new();
    for runner in runners.split(',') {
        let name = format!("{}_RESULTS", runner.trim().to_uppercase());
        let decoded = env.get(&name).and_then(|encoded| {
            let mut base64 = std::process::Command::new("base64")
                .arg("-d")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            base64
                .stdin
                .take()
                .unwrap()
                .write_all(encoded.as_bytes())
                .unwrap();
            let out = base64.wait_with_output().unwrap();
            serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()
        });
        let Some(results) = decoded else {
            // src/main.js, `catch`: a `runners` that is not letters and
            // digits, comma-separated, is blamed; else the error itself.
            let listed = runners
                .split(',')
                .all(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric()));
            return failed(if listed {
                "could not read the results"
            } else {
                "The runners input must be a comma-separated list of strings."
            });
        };
        all.push((runner.to_string(), results));
    }
    let mut log = Vec::new();
    // src/console-results.js: each test's name, `✅` when its status is
    // `pass`; an `error` shows its message; `test_code` when not empty;
    // ` - line N` unless `line_no` is 0.
    for (_, results) in &all {
        for test in results["tests"].as_array().unwrap() {
            let mut line = match test["status"].as_str() {
                Some("pass") => format!("✅ {}", test["name"].as_str().unwrap()),
                Some("error") => format!("Error: {}", test["message"].as_str().unwrap_or("")),
                _ => format!("❌ {}", test["name"].as_str().unwrap()),
            };
            if test["line_no"] != 0 {
                line.push_str(&format!(" - line {}", test["line_no"]));
            }
            log.push(line);
            if let Some(code) = test["test_code"].as_str().filter(|c| !c.is_empty()) {
                log.push(format!("Test code:\n{code}"));
            }
        }
    }
    // src/notify-classroom.js: a runner without `max_score` is skipped;
    // the others add up `max_score` and every test's `score`; no notice
    // at all when the maximum is 0.
    let (mut total, mut max) = (0.0, 0.0);
    for (_, results) in &all {
        let Some(most) = results["max_score"].as_f64().filter(|m| *m != 0.0) else {
            continue;
        };
        max += most;
        for test in results["tests"].as_array().unwrap() {
            total += test["score"].as_f64().unwrap();
        }
    }
    let points = (max != 0.0).then(|| format!("Points {total}/{max}"));
    // src/main.js: the job fails when a runner's status is `fail`, else
    // when one is `error`.
    let status = |s: &str| all.iter().any(|(_, r)| r["status"] == s);
    let failed = if status("fail") {
        Some("Some tests failed.".to_string())
    } else if status("error") {
        Some("Some tests errored.".to_string())
    } else {
        None
    };
    Reported {
        points,
        failed,
        log,
    }
}

/// The kit's Classroom result, handed over as the workflow's own steps
/// hand it (the encoding step's command run by bash, its `result` output
/// read from `GITHUB_OUTPUT`, the reporter's env as the workflow maps it),
/// read by the reporter's model: the dashboard gets the grade, the log
/// names no hidden check.
#[test]
fn the_classroom_reporter_reads_the_points_the_kit_writes() {
    let report: grader::report::Report = serde_json::from_value(serde_json::json!({
        "version": 1, "score": 7, "max_score": 21,
        "tasks": [{
            "task": "task02_greeting", "score": 7, "max_score": 21, "build": "ok",
            "checks": [
                {"id": "task02.server.greets", "title": "greets", "role": "server",
                 "status": "pass", "points": 3, "max_points": 3, "message": "",
                 "hint": "", "duration_ms": 5},
                {"id": "task02.client.crlf", "title": "crlf", "role": "client",
                 "status": "fail", "points": 0, "max_points": 6, "message": "no CRLF",
                 "hint": "", "duration_ms": 5},
                {"id": "task02.client.secret", "title": "secret", "role": "client",
                 "status": "pass", "points": 4, "max_points": 4, "message": "",
                 "hint": "", "duration_ms": 5, "visibility": "hidden"},
                {"id": "task02.server.later", "title": "later", "role": "server",
                 "status": "fail", "points": 0, "max_points": 8, "message": "",
                 "hint": "", "duration_ms": 5, "visibility": "after_due_date"}
            ]
        }]
    }))
    .unwrap();
    let workflow =
        fs::read_to_string(common::workspace_root().join("docs/ci/github-classroom.yml")).unwrap();
    let steps = workflow_steps(&workflow);
    let reporter = reporter_step(&steps);
    let runners = value(reporter, "runners").unwrap();

    // Each step the reporter's env names, run as Actions runs it.
    let job = common::scratch("classroom-reporter");
    fs::write(
        job.join("grader-classroom.json"),
        grader::report::Format::Classroom.render(&report, false, "t"),
    )
    .unwrap();
    let mut env = std::collections::BTreeMap::new();
    for line in reporter {
        let Some((key, expression)) = line.split_once(": ") else {
            continue;
        };
        let Some(id) = expression
            .trim_matches('"')
            .strip_prefix("${{ steps.")
            .and_then(|r| r.strip_suffix(".outputs.result }}"))
        else {
            continue;
        };
        let step = steps
            .iter()
            .find(|s| value(s, "id").as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no step {id}"));
        let run = step.iter().find_map(|l| l.strip_prefix("run: ")).unwrap();
        let outputs = job.join(format!("{id}.outputs"));
        let status = std::process::Command::new("bash")
            .args(["-eo", "pipefail", "-c", run])
            .current_dir(&job)
            .env("GITHUB_OUTPUT", &outputs)
            .status()
            .unwrap();
        assert!(status.success(), "{run}");
        // GitHub's `name=value` lines in the GITHUB_OUTPUT file.
        let result = fs::read_to_string(&outputs)
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("result=").map(String::from))
            .unwrap();
        env.insert(key.to_string(), result);
    }
    let reported = classroom_reporter(&runners, &env);
    assert_eq!(
        reported.points.as_deref(),
        Some("Points 7/21"),
        "{reported:#?}"
    );
    assert_eq!(reported.failed.as_deref(), Some("Some tests failed."));
    let log = reported.log.join("\n");
    assert!(log.contains("❌ task02.client.crlf: crlf"), "{log}");
    for kept in ["task02.client.secret", "task02.server.later"] {
        assert!(!log.contains(kept), "{log}");
    }
    let _ = fs::remove_dir_all(&job);
}
