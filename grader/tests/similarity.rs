//! Code similarity across a class (issue 25): a class made of the
//! gallery's right programs, the reference, and copies of them disguised
//! the ways students disguise them; then behaviour, the command, and a
//! benchmark. The same for a class handing in Python: [`python`].

mod common;
#[path = "similarity/python.rs"]
mod python;

use grader::report::Report;
use grader::similarity::{analyse, reference, starter, Analysis, File, Settings, Source};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// A source's files, by task.
type Tasks = BTreeMap<String, Vec<File>>;

/// The package of the task a gallery program is for (`ok_t03_…` → task03_echo).
fn package(number: &str) -> &'static str {
    common::packages()
        .into_iter()
        .find(|p| p.starts_with(&format!("task{number}")))
        .unwrap()
}

/// The gallery's right-but-different programs: (name, task, file).
fn right_programs() -> Vec<(String, &'static str, File)> {
    let dir = common::workspace_root().join("grader/tests/gallery/examples");
    let mut found: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("ok_"))
        .collect();
    found.sort();
    found
        .iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let parts: Vec<&str> = name.split('_').collect();
            let file = File {
                path: format!("src/bin/{}.rs", parts[2]),
                text: fs::read_to_string(path).unwrap(),
            };
            (name.clone(), package(&parts[1][1..]), file)
        })
        .collect()
}

fn student(key: &str, tasks: BTreeMap<String, Vec<File>>) -> Source {
    Source {
        key: key.into(),
        tasks,
        ..Source::default()
    }
}

// The disguises, each a change of source text.

/// Every name bound by `let`, `fn` or a parameter, renamed everywhere.
fn rename(text: &str) -> String {
    let mut names: Vec<String> = Vec::new();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .collect();
    for pair in words.windows(2) {
        if matches!(pair[0], "let" | "mut" | "fn")
            && !pair[1].is_empty()
            && pair[1] != "main"
            && pair[1] != "mut"
        {
            names.push(pair[1].to_string());
        }
    }
    renamed(text, &names)
}

/// `text` with each word of `names` renamed wherever it stands.
fn renamed(text: &str, names: &[String]) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        match names.iter().position(|n| *n == word) {
            Some(at) => out.push_str(&format!("renamed_{at}")),
            None => out.push_str(&word),
        }
        word.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// The top-level functions in the opposite order.
fn reorder(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let (mut rest, mut functions, mut current): (Vec<&str>, Vec<Vec<&str>>, Option<Vec<&str>>) =
        (Vec::new(), Vec::new(), None);
    for line in lines {
        match current.as_mut() {
            Some(function) => {
                function.push(line);
                if line == "}" {
                    functions.push(current.take().unwrap());
                }
            }
            None if line.starts_with("fn ") || line.starts_with("pub fn ") => {
                current = Some(vec![line])
            }
            None => rest.push(line),
        }
    }
    functions.reverse();
    let mut out: Vec<&str> = rest;
    for function in functions {
        out.push("");
        out.extend(function);
    }
    out.join("\n")
}

/// Comments gone and others added, indentation and spacing changed.
fn reformat(text: &str) -> String {
    reformat_as(text, "//", "\t")
}

/// [`reformat`] for a language whose line comments start with `comment`,
/// each four spaces of indentation becoming `indent`.
fn reformat_as(text: &str, comment: &str, indent: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with(comment))
        .enumerate()
        .map(|(i, l)| {
            let l = l
                .replace("    ", indent)
                .replace(" = ", "=")
                .replace(", ", ",");
            if i % 6 == 0 {
                format!("{comment} step {i}: my own approach\n{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Statements that do nothing put at the start of every function, and a
/// function never called: each copier's own (chosen by the text's length).
fn dead_code(text: &str) -> String {
    let n = text.len();
    let junk = [
        format!("    let _unused = vec![1u8, 2, 3].len() * {n};\n    if _unused > 100 {{ eprintln!(\"never\"); }}\n"),
        format!("    let mut _count = {n};\n    _count += 1;\n"),
        format!("    for _ in 0..0 {{ let _x = String::from(\"{n}\"); }}\n"),
    ][n % 3]
        .clone();
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if (line.starts_with("fn ") || line.starts_with("pub fn ")) && line.ends_with('{') {
            out.push_str(&junk);
        }
    }
    out.push_str(&format!(
        "\n#[allow(dead_code)]\nfn helper_{n}() -> u32 {{\n    (0..{n}).sum()\n}}\n"
    ));
    out
}

/// What `println!` says, reworded.
fn reword(text: &str) -> String {
    text.replace("println!(\"", "println!(\"Info: ")
        .replace("eprintln!(\"error: ", "eprintln!(\"Error - ")
}

/// A disguise: its name, and the change it makes.
type Disguise = (&'static str, fn(&str) -> String);

const DISGUISES: [Disguise; 5] = [
    ("renamed", rename),
    ("reordered", reorder),
    ("reformatted", reformat),
    ("dead_code", dead_code),
    ("reworded", reword),
];

fn all_disguises(text: &str) -> String {
    DISGUISES.iter().fold(text.to_string(), |t, (_, f)| f(&t))
}

fn disguised(
    tasks: &BTreeMap<String, Vec<File>>,
    how: fn(&str) -> String,
) -> BTreeMap<String, Vec<File>> {
    tasks
        .iter()
        .map(|(task, files)| {
            let files = files
                .iter()
                .map(|f| File {
                    path: f.path.clone(),
                    text: how(&f.text),
                })
                .collect();
            (task.clone(), files)
        })
        .collect()
}

/// Asserts that every copy scores at or above `threshold`, every pair of
/// independent programs below; each a (score, what) pair.
fn assert_separated(
    mut copies: Vec<(f64, String)>,
    mut independent: Vec<(f64, String)>,
    threshold: f64,
) {
    copies.sort_by(|a, b| a.0.total_cmp(&b.0));
    independent.sort_by(|a, b| b.0.total_cmp(&a.0));
    eprintln!("lowest copies: {:?}", &copies[..5]);
    eprintln!(
        "highest independent: {:?}",
        &independent[..independent.len().min(5)]
    );
    assert!(
        copies.iter().all(|(s, _)| *s >= threshold),
        "a copy below {threshold}: {:?}",
        copies[0]
    );
    assert!(
        independent.iter().all(|(s, _)| *s < threshold),
        "independent above {threshold}: {:?}",
        independent[0]
    );
}

fn score(analysis: &Analysis, task: &str, a: &str, b: &str) -> f64 {
    let at = |key: &str| analysis.sources.iter().position(|s| s.key == key).unwrap();
    let (a, b) = (at(a).min(at(b)), at(a).max(at(b)));
    analysis
        .pairs
        .iter()
        .find(|p| p.task == task && p.a == a && p.b == b)
        .map_or(0.0, |p| p.score)
}

#[test]
fn disguised_copies_are_paired_with_their_source_and_independent_programs_are_not() {
    let root = common::workspace_root();
    let reference = reference(&root).unwrap();
    let starter = starter(&root).unwrap();
    let mut class = Vec::new();
    let programs = right_programs();
    for (name, task, file) in &programs {
        let tasks = BTreeMap::from([(task.to_string(), vec![file.clone()])]);
        for (how, disguise) in DISGUISES {
            class.push(student(
                &format!("{name}_{how}"),
                disguised(&tasks, disguise),
            ));
        }
        class.push(student(
            &format!("{name}_all"),
            disguised(&tasks, all_disguises),
        ));
        class.push(student(name, tasks));
    }
    // A leaked reference, disguised every way; two untouched starters.
    class.push(student(
        "leaker",
        disguised(&reference.tasks, all_disguises),
    ));
    let handed_out: BTreeMap<String, Vec<File>> = starter.clone();
    class.push(student("starter_1", handed_out.clone()));
    class.push(student("starter_2", handed_out));
    class.push(reference);
    let settings = Settings::default();
    let threshold = settings.threshold;
    let analysis = analyse(class, &starter, settings);

    let mut copies = Vec::new();
    let mut independent = Vec::new();
    for (name, task, _) in &programs {
        for how in DISGUISES.iter().map(|d| d.0).chain(["all"]) {
            copies.push((
                score(&analysis, task, name, &format!("{name}_{how}")),
                format!("{name}_{how}"),
            ));
        }
        independent.push((
            score(&analysis, task, name, "reference"),
            format!("{name} ~ reference"),
        ));
        for (other, other_task, _) in &programs {
            if other_task == task && other > name {
                independent.push((
                    score(&analysis, task, name, other),
                    format!("{name} ~ {other}"),
                ));
            }
        }
    }
    for task in common::packages() {
        copies.push((
            score(&analysis, task, "leaker", "reference"),
            format!("leaker ~ reference, {task}"),
        ));
    }
    assert_separated(copies, independent, threshold);
    // Untouched starters: nothing of their own, so nothing in common.
    for task in common::packages() {
        assert_eq!(
            score(&analysis, task, "starter_1", "starter_2"),
            0.0,
            "{task}"
        );
    }
    // Each copy and its source form one cluster, the leaker is with the reference.
    let cluster_of = |key: &str| {
        let at = analysis.sources.iter().position(|s| s.key == key).unwrap();
        analysis
            .clusters
            .iter()
            .find(|c| c.contains(&at))
            .map(|c| c.len())
    };
    assert_eq!(cluster_of("leaker"), Some(2));
    assert_eq!(cluster_of(&programs[0].0), Some(DISGUISES.len() + 2));
    // Without the copies (which make what two programs share common in
    // their task), independent programs still stay below.
    let alone: Vec<Source> = programs
        .iter()
        .map(|(name, task, file)| {
            student(
                name,
                BTreeMap::from([(task.to_string(), vec![file.clone()])]),
            )
        })
        .chain([grader::similarity::reference(&root).unwrap()])
        .collect();
    let alone = analyse(alone, &starter, Settings::default());
    let highest = alone.pairs.iter().map(|p| p.score).fold(0.0, f64::max);
    for p in alone.pairs.iter().take(3) {
        let (a, b) = (&alone.sources[p.a].key, &alone.sources[p.b].key);
        eprintln!("independent without copies: {a} ~ {b}: {:.3}", p.score);
    }
    assert!(highest < threshold, "{:?}", alone.pairs.first());
    // The side by side marks the shared fragment: the longest is long.
    let pair = analysis
        .pairs
        .iter()
        .find(|p| analysis.sources[p.a].key == "leaker" || analysis.sources[p.b].key == "leaker")
        .unwrap();
    assert!(pair.longest().1 >= 3, "{:?}", pair.longest());
}

/// A report with one failing check per (id, message, printed).
fn report(failures: &[(&str, &str, &str)]) -> Report {
    let checks: Vec<serde_json::Value> = failures
        .iter()
        .map(|(id, message, printed)| {
            serde_json::json!({"id": id, "title": format!("title of {id}"), "role": "server", "status": "fail",
                "points": 0, "max_points": 2, "message": message, "hint": "", "duration_ms": 12, "actual": printed})
        })
        .collect();
    serde_json::from_value(serde_json::json!({"version": 1, "score": 0, "max_score": 10,
        "tasks": [{"task": "task03_echo", "score": 0, "max_score": 10, "build": "ok", "checks": checks}]}))
    .unwrap()
}

#[test]
fn students_sharing_rare_wrong_behaviour_are_listed_with_the_evidence() {
    let mut class: Vec<Source> = (0..30)
        .map(|i| Source {
            key: format!("s{i:02}"),
            // A common mistake most of the class makes: no evidence.
            report: Some(report(&[(
                "task03.server.echo_1mib",
                "the echo stopped after 65536 bytes",
                "",
            )])),
            ..Source::default()
        })
        .collect();
    let odd = |port: u16, ms: u32| {
        report(&[
            (
                "task03.server.echo_1mib",
                "the echo stopped after 65536 bytes",
                "",
            ),
            (
                "task03.server.two_clients",
                &format!("the server at 127.0.0.1:{port} answered after {ms} ms"),
                &format!("Echoing for 127.0.0.1:{port}!!\n"),
            ),
        ])
    };
    class[3].report = Some(odd(40111, 120));
    class[17].report = Some(odd(52002, 95));
    class[3].tasks = BTreeMap::from([(
        "task03_echo".into(),
        vec![File {
            path: "src/bin/server.rs".into(),
            text: "fn main() { let a = 1; }".into(),
        }],
    )]);
    class[17].tasks = BTreeMap::from([(
        "task03_echo".into(),
        vec![File {
            path: "src/bin/server.rs".into(),
            text: "fn main() { loop { break; } }".into(),
        }],
    )]);
    let analysis = analyse(class, &BTreeMap::new(), Settings::default());
    assert_eq!(analysis.behaviour.len(), 1, "{:?}", analysis.behaviour);
    let group = &analysis.behaviour[0];
    let members: Vec<&str> = group
        .members
        .iter()
        .map(|&i| analysis.sources[i].key.as_str())
        .collect();
    assert_eq!(members, ["s03", "s17"]);
    assert_eq!(group.evidence.len(), 1);
    assert_eq!(group.evidence[0].check, "task03.server.two_clients");
    assert!(
        group.evidence[0].output.contains("Echoing for ADDR!!"),
        "{}",
        group.evidence[0].output
    );
    assert!(analysis.pairs.is_empty(), "their code differs");
}

/// A finished batch's folder: students with sources, reports and names.
fn results(at: &Path, students: &[(&str, &str, &Tasks)]) {
    let mut grades = String::from("student,name,late\n");
    for (key, name, tasks) in students {
        let folder = at.join("students").join(key);
        fs::create_dir_all(&folder).unwrap();
        fs::write(
            folder.join("sources.json"),
            serde_json::to_string(tasks).unwrap(),
        )
        .unwrap();
        grades.push_str(&format!("{key},\"{name}\",\n"));
    }
    fs::write(at.join("grades.csv"), grades).unwrap();
    fs::write(at.join("index.html"), "<h1>Class</h1>\n<p id=\"counts\">3 students</p>\n<p id=\"files\">Files: <a href=\"grades.csv\">grades.csv</a></p>\n").unwrap();
}

#[test]
fn grader_similarity_writes_the_page_the_csv_and_the_dolos_zips_and_links_them() {
    let root = common::workspace_root();
    let reference = reference(&root).unwrap();
    let server = |s: &Source| s.tasks["task03_echo"].clone();
    let copied = BTreeMap::from([("task03_echo".to_string(), server(&reference))]);
    let mut hostile = copied.clone();
    hostile.get_mut("task03_echo").unwrap()[0]
        .text
        .push_str("\n// </pre><script>alert(1)</script>\n");
    let programs = right_programs();
    let own = BTreeMap::from([(
        "task03_echo".to_string(),
        vec![programs
            .iter()
            .find(|p| p.1 == "task03_echo")
            .unwrap()
            .2
            .clone()],
    )]);
    let dir = tempfile::tempdir().unwrap();
    results(
        dir.path(),
        &[
            ("ana", "Ana <b>Lima</b>", &copied),
            ("bo", "=cmd()", &hostile),
            ("cy", "Cy", &own),
        ],
    );
    // A folder of known solutions: cy's program leaked last year.
    let known = dir.path().join("known");
    let leaked = known.join("leaked/task03/src/bin");
    fs::create_dir_all(&leaked).unwrap();
    fs::write(leaked.join("server.rs"), &own["task03_echo"][0].text).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grader"))
        .args([
            "similarity",
            &dir.path().display().to_string(),
            "--similarity-export",
            "dolos",
            "--workspace",
        ])
        .arg(&root)
        .arg("--compare-with")
        .arg(&known)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("no grade was changed"), "{stdout}");
    let page = fs::read_to_string(dir.path().join("similarity.html")).unwrap();
    assert!(page.contains("Nothing here changes a grade"));
    assert!(
        !page.contains("<script>alert") && !page.contains("<b>Lima"),
        "untrusted text is escaped"
    );
    assert!(page.contains("id=\"pair-0\""), "a side-by-side view");
    let index = fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(
        index.contains("<a href=\"similarity.html\">similarity.html</a>"),
        "{index}"
    );
    let rows = common::class::rows(&dir.path().join("similarity.csv"));
    assert_eq!(rows[0][..3], ["task", "student_a", "name_a"]);
    let flagged: Vec<String> = rows
        .iter()
        .filter(|r| r[11] == "true" && r[0] != "all")
        .map(|r| format!("{} {}", r[1], r[3]))
        .collect();
    assert!(
        flagged.contains(&"ana bo".to_string()) && flagged.contains(&"ana reference".to_string()),
        "{flagged:?}"
    );
    // cy's own program is like nobody's in the class, but it is last year's leak.
    let cy: Vec<&String> = flagged.iter().filter(|f| f.contains("cy")).collect();
    assert_eq!(cy, ["cy known/leaked"], "{flagged:?}");
    assert!(
        rows.iter().any(|r| r[2] == "'=cmd()"),
        "a name is never a formula"
    );
    let zip = common::class::unzip(&dir.path().join("similarity-dolos-task03_echo.zip"));
    let info = &zip["info.csv"];
    assert!(
        info.starts_with("filename,full_name,labels,ignored\n"),
        "{info}"
    );
    assert!(
        info.contains("starter/task03_echo.rs,handed-out starter,starter,true"),
        "{info}"
    );
    assert_eq!(
        zip.len(),
        1 + 1 + 5,
        "info.csv, the starter, three students, the reference and the leak"
    );
}

#[test]
fn batch_similarity_keeps_what_it_graded_and_compares_it() {
    let dir = common::scratch("similarity-batch");
    let class = dir.join("class");
    // Two students hand in the reference's task 01, one with its names changed.
    for (student, folder) in [("ana", "task01_connect"), ("bo", "Task 1")] {
        common::class::hand_in_task01(&class.join(student));
        if folder != "task01_connect" {
            fs::rename(
                class.join(student).join("task01_connect"),
                class.join(student).join(folder),
            )
            .unwrap();
        }
    }
    let server = class.join("bo/Task 1/src/bin/server.rs");
    fs::write(&server, rename(&fs::read_to_string(&server).unwrap())).unwrap();
    let out = dir.join("results");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(common::workspace_root())
        .args([
            "batch",
            class.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--similarity",
            "--target-dir",
        ])
        .arg(common::shared_target())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let kept: Tasks =
        serde_json::from_str(&fs::read_to_string(out.join("students/bo/sources.json")).unwrap())
            .unwrap();
    let paths: Vec<&str> = kept["task01_connect"]
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        ["src/bin/client.rs", "src/bin/server.rs", "src/lib.rs"]
    );
    assert!(
        kept["task01_connect"][1].text.contains("renamed_"),
        "what was graded is kept"
    );
    let rows = common::class::rows(&out.join("similarity.csv"));
    assert!(
        rows.iter()
            .any(|r| r[..2] == ["task01_connect", "ana"] && r[3] == "bo" && r[11] == "true"),
        "{rows:?}"
    );
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<a href=\"similarity.html\">"), "{index}");
    let _ = fs::remove_dir_all(&dir);
}

/// 300 students × 12 files: `cargo test -p grader --test similarity --release -- --ignored`.
#[test]
#[ignore]
fn three_hundred_students_of_twelve_files_are_compared_in_under_ten_seconds() {
    let root = common::workspace_root();
    let reference = reference(&root).unwrap();
    let starter = starter(&root).unwrap();
    let programs = right_programs();
    let class: Vec<Source> = (0..300)
        .map(|i| {
            let mut tasks = BTreeMap::new();
            for (t, (task, files)) in reference.tasks.iter().enumerate() {
                let mut files: Vec<File> = files
                    .iter()
                    .filter(|f| f.path.contains("bin"))
                    .cloned()
                    .collect();
                // Each student's own mix: a right program, disguised, in place of a side.
                let (_, _, program) = &programs[(i * 7 + t) % programs.len()];
                let how = DISGUISES[(i + t) % DISGUISES.len()].1;
                let side = (i + t) % files.len();
                files[side] = File {
                    path: program.path.clone(),
                    text: how(&program.text).replace("0", &format!("{i}")),
                };
                tasks.insert(task.clone(), files);
            }
            student(&format!("s{i:03}"), tasks)
        })
        .collect();
    let files: usize = class
        .iter()
        .map(|s| s.tasks.values().map(Vec::len).sum::<usize>())
        .sum();
    assert_eq!(files, 300 * 12);
    let started = Instant::now();
    let analysis = analyse(class, &starter, Settings::default());
    let took = started.elapsed();
    eprintln!(
        "300 students × 12 files: {took:?}, {} pairs listed",
        analysis.pairs.len()
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}
