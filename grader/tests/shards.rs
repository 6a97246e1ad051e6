//! A class graded in shards: `grader batch --shard K/N` run as separate
//! processes at once, `grader merge` of their results, compared file by
//! file with the same class graded in one batch; and every shard set that
//! `merge` refuses.
//!
//! Every student hands in task 01 (the reference's, or it with one
//! mistake), so the class is small to build: 12 submissions and one
//! student on the roster with none.

mod common;

use common::class::{hand_in_task01, rows, unzip};

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SHARDS: u32 = 4;
const GRADEBOOKS: [&str; 3] = [
    "gradebook-canvas.csv",
    "gradebook.csv",
    "feedback-canvas.zip",
];

/// Canvas's names for the class: login, user id, attachment id; two late.
fn class() -> Vec<String> {
    let logins = [
        "limaana",
        "chenbo",
        "diazcy",
        "evansdee",
        "fongeve",
        "garciafay",
        "hillgus",
        "itohana",
        "jonesivy",
        "kahnjo",
        "leekim",
        "moralu",
    ];
    logins
        .iter()
        .enumerate()
        .map(|(i, login)| {
            let late = if i % 5 == 1 { "_late" } else { "" };
            format!("{login}{late}_{}_{}_lab.zip", 1001 + i, 5001 + i)
        })
        .collect()
}

/// Task 01 as student `i` hands it in: right, or with one mistake.
fn hand_in(i: usize) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    hand_in_task01(dir.path());
    let client = dir.path().join("task01_connect/src/bin/client.rs");
    let text = fs::read_to_string(&client).unwrap();
    let text = match i % 4 {
        // Says nothing on connecting.
        1 => text.replace("println!(\"Connected to {server}\");", ""),
        // Does not compile.
        2 if i < 4 => text.replace("Ok(())\n    // END", "Ok(()\n    // END"),
        _ => text,
    };
    fs::write(&client, text).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/bin/server.rs",
        "src/bin/client.rs",
    ] {
        let path = dir.path().join("task01_connect").join(file);
        if path.is_file() {
            zip.start_file(format!("task01_connect/{file}"), options)
                .unwrap();
            zip.write_all(&fs::read(path).unwrap()).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// The class's Canvas zip and Canvas's own export as the roster (with one
/// student who handed nothing in).
fn download(dir: &Path) -> (PathBuf, PathBuf) {
    let zip = dir.join("submissions.zip");
    let mut writer = zip::ZipWriter::new(fs::File::create(&zip).unwrap());
    let mut export = String::from(
        "Student,ID,SIS User ID,SIS Login ID,Section,Socket lab (77)\n    Points Possible,,,,,100\n",
    );
    for (i, name) in class().iter().enumerate() {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&hand_in(i)).unwrap();
        let login = name.split('_').next().unwrap();
        export.push_str(&format!("\"{login}\",{},S-{i},{login},Lab A,\n", 1001 + i));
    }
    writer.finish().unwrap();
    export.push_str("\"Nobody, Ned\",1999,S-99,nned,Lab B,\n");
    let roster = dir.join("export.csv");
    fs::write(&roster, export).unwrap();
    (zip, roster)
}

fn grader() -> Command {
    let mut grader = Command::new(env!("CARGO_BIN_EXE_grader"));
    grader
        .current_dir(common::workspace_root())
        .timeout(Duration::from_secs(900));
    grader
}

/// The flags of what a class's results hold, the same for batch and merge.
fn written(roster: &Path) -> Vec<String> {
    [
        "--gradebook",
        "canvas",
        "--gradebook",
        "csv",
        "--format",
        "junit",
        "--roster",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([roster.display().to_string()])
    .collect()
}

/// `grader batch` of the download, with `extra` flags.
fn batch(zip: &Path, out: &Path, roster: &Path, extra: &[&str]) -> std::process::Command {
    let mut batch = std::process::Command::new(env!("CARGO_BIN_EXE_grader"));
    batch
        .current_dir(common::workspace_root())
        .arg("batch")
        .arg(zip)
        .arg("--out")
        .arg(out)
        .arg("--target-dir")
        .arg(common::shared_target())
        .args(["--budget", "240"])
        .args(written(roster))
        .args(extra);
    batch
}

/// Every file under `dir`, by relative path, with what may differ between
/// two runs masked: durations, and the folders the runs worked in.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".zip") {
                for (inner, text) in unzip(&path) {
                    found.insert(format!("{name}!{inner}"), mask(&text));
                }
            } else {
                found.insert(name, mask(&fs::read_to_string(&path).unwrap()));
            }
        }
    }
    found
}

/// `text` with what two runs of one class may differ in turned into `#`:
/// durations (`"duration_ms": 12`, `time="0.4"`, `12 ms`, `0.4 s`), what
/// the sandbox measured (`"peak_memory": 43544576`), ports
/// (`127.0.0.1:40312`), temporary folders (`/tmp/…`) and the user id the
/// sandbox chose for the run (`unprivileged user 1030384`).
fn mask(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("/tmp/") {
            let end = rest
                .find(|c: char| c.is_whitespace() || "\"'<>,)".contains(c))
                .unwrap_or(rest.len());
            masked.push('#');
            rest = &rest[end..];
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let after = &rest[end..];
            let unit = ["ms", " ms", "s", " s"].iter().any(|u| {
                after.starts_with(u) && !after[u.len()..].starts_with(|c: char| c.is_alphanumeric())
            });
            let port = masked.ends_with(':')
                && masked[..masked.len() - 1].ends_with(|c: char| c.is_ascii_digit() || c == ']');
            let timing = [
                "_ms\": ",
                "\"peak_memory\": ",
                "\"peak_processes\": ",
                "time=\"",
            ]
            .iter()
            .any(|before| masked.ends_with(before));
            let user = masked.ends_with("unprivileged user ");
            if unit || port || timing || user {
                masked.push('#');
            } else {
                masked.push_str(&rest[..end]);
            }
            rest = after;
        } else {
            masked.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    masked
}

#[test]
fn a_class_graded_in_four_shards_at_once_merges_into_the_unsharded_results() {
    let dir = common::scratch("shards");
    let (zip, roster) = download(&dir);
    // Every shard holds somebody: the hash spreads these keys.
    let keys: Vec<String> = class()
        .iter()
        .map(|n| {
            let parts: Vec<&str> = n.split('_').collect();
            format!("{}_{}", parts[0], parts[parts.len() - 3])
        })
        .collect();
    for k in 1..=SHARDS {
        let held = keys
            .iter()
            .filter(|key| grader::batch::shard_of(key, SHARDS) == k)
            .count();
        assert!(held > 0, "shard {k} of {SHARDS} holds none of {keys:?}");
    }

    let whole = dir.join("whole");
    let started = Instant::now();
    let output = batch(&zip, &whole, &roster, &["--jobs", "2", "--similarity"])
        .output()
        .unwrap();
    let unsharded = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The shards, as four runners would grade them: four processes at once.
    let started = Instant::now();
    let children: Vec<(u32, std::process::Child)> = (1..=SHARDS)
        .map(|k| {
            let out = dir.join(format!("shard-{k}"));
            let shard = format!("{k}/{SHARDS}");
            let child = batch(&zip, &out, &roster, &["--jobs", "1", "--shard", &shard])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (k, child)
        })
        .collect();
    let mut graded = 0;
    for (k, child) in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "shard {k}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let manifest: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(dir.join(format!("shard-{k}/shard.json"))).unwrap(),
        )
        .unwrap();
        let students = manifest["students"].as_array().unwrap();
        assert_eq!(manifest["k"], k, "{manifest}");
        assert_eq!(manifest["class"]["students"], 13, "{manifest}");
        assert_eq!(manifest["skipped"], 13 - students.len(), "{manifest}");
        assert!(
            stdout.contains(&format!("{} skipped", 13 - students.len())),
            "{stdout}"
        );
        graded += students.len();
    }
    let sharded = started.elapsed();
    assert_eq!(graded, 13, "the shards do not hold the class once");

    let merged = dir.join("merged");
    let shards: Vec<PathBuf> = (1..=SHARDS)
        .map(|k| dir.join(format!("shard-{k}")))
        .collect();
    let started = Instant::now();
    grader()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .args(written(&roster))
        .arg("--similarity")
        .assert()
        .success();
    let merging = started.elapsed();
    eprintln!(
        "unsharded batch {unsharded:.1?}, {SHARDS} shards at once {sharded:.1?}, merge {merging:.1?}"
    );

    // What a class's results hold, and that it is what was asked for.
    let expected = files(&whole);
    for name in [
        "grades.csv",
        "index.html",
        "similarity.html",
        "similarity.csv",
    ]
    .iter()
    .chain(&GRADEBOOKS)
    {
        assert!(
            expected
                .keys()
                .any(|f| f == name || f.starts_with(&format!("{name}!"))),
            "the batch wrote no {name}"
        );
    }
    let grades = rows(&whole.join("grades.csv"));
    let status = grades[0].iter().position(|h| h == "status").unwrap();
    let standings: Vec<&str> = grades[1..].iter().map(|r| r[status].as_str()).collect();
    for standing in ["graded", "did not build", "no submission"] {
        assert!(
            standings.contains(&standing),
            "no {standing} in {standings:?}"
        );
    }
    let actual = files(&merged);
    let names = |files: &BTreeMap<String, String>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&actual), names(&expected));
    for (name, text) in &expected {
        let first = text.lines().zip(actual[name].lines()).find(|(a, b)| a != b);
        assert!(
            actual[name] == *text,
            "{name} differs, first at:\n--- unsharded\n{:?}\n--- merged\n{:?}",
            first.map(|f| f.0),
            first.map(|f| f.1)
        );
    }

    refusals(&dir, &shards, &roster);
    let _ = fs::remove_dir_all(&dir);
}

/// `grader merge` of `shards` (as they are at first, then edited), which
/// must fail saying `words`.
fn refused(shards: &[PathBuf], roster: &Path, out: &Path, words: &[&str]) {
    let output = grader()
        .arg("merge")
        .args(shards)
        .arg("--out")
        .arg(out)
        .args(written(roster))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "merged: {stderr}");
    for word in words {
        assert!(stderr.contains(word), "no {word:?} in: {stderr}");
    }
    assert!(
        !out.join("grades.csv").exists(),
        "a refused merge wrote grades.csv"
    );
}

/// A copy of shard `from` whose manifest has `field` (a JSON pointer) set
/// to `value`.
fn edited(from: &Path, to: &Path, field: &str, value: serde_json::Value) -> PathBuf {
    common::copy_workspace(from, to);
    let path = to.join("shard.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    *manifest.pointer_mut(field).unwrap() = value;
    fs::write(&path, manifest.to_string()).unwrap();
    to.to_path_buf()
}

fn refusals(dir: &Path, shards: &[PathBuf], roster: &Path) {
    let out = dir.join("refused");
    let with = |i: usize, other: PathBuf| {
        let mut set = shards.to_vec();
        set[i] = other;
        set
    };
    // Another grader's shard.
    let other = edited(
        &shards[1],
        &dir.join("other-grader"),
        "/grader/binary",
        "0".repeat(64).into(),
    );
    refused(
        &with(1, other),
        roster,
        &out,
        &["graders differ", "shard 2/4", "000000000000"],
    );
    let other = edited(
        &shards[1],
        &dir.join("other-version"),
        "/grader/version",
        "0.0.1".into(),
    );
    refused(
        &with(1, other),
        roster,
        &out,
        &["graders differ", "grader 0.0.1"],
    );
    // Another workspace's, another policy's.
    let other = edited(
        &shards[2],
        &dir.join("other-workspace"),
        "/workspace",
        "ab".repeat(32).into(),
    );
    refused(
        &with(2, other),
        roster,
        &out,
        &["instructor's workspaces differ", "abababababab"],
    );
    let other = edited(
        &shards[2],
        &dir.join("other-policy"),
        "/policy",
        "cd".repeat(32).into(),
    );
    refused(
        &with(2, other),
        roster,
        &out,
        &["grading.toml policies differ", "cdcdcdcdcdcd"],
    );
    // A student in two shards: shard 1 given twice, as 1 and as 3.
    let twice = edited(&shards[0], &dir.join("twice"), "/k", 3.into());
    let first = fs::read_to_string(shards[0].join("shard.json")).unwrap();
    let key: serde_json::Value = serde_json::from_str(&first).unwrap();
    let key = key["students"][0]["key"].as_str().unwrap().to_string();
    refused(
        &with(2, twice),
        roster,
        &out,
        &[
            &format!("student {key} is in two shards"),
            "(shard 1/4)",
            "(shard 3/4)",
        ],
    );
    // Missing shards, named.
    refused(&shards[..3], roster, &out, &["shard 4 of 4 is missing"]);
    refused(
        &[shards[0].clone(), shards[2].clone()],
        roster,
        &out,
        &["shards 2 and 4 of 4 are missing"],
    );
    // A folder that is no shard: the unsharded batch's.
    refused(
        &with(0, dir.join("whole")),
        roster,
        &out,
        &["is not a shard result"],
    );
    // The merge's own workspace must be the one graded against: a copy
    // with its own grading.toml is not.
    let instructor = dir.join("instructor");
    common::copy_workspace(&common::workspace_root(), &instructor);
    fs::write(
        instructor.join("grading.toml"),
        "[tasks.task01_connect]\nweight = 2\n",
    )
    .unwrap();
    let output = grader()
        .arg("merge")
        .args(shards)
        .arg("--out")
        .arg(&out)
        .arg("--workspace")
        .arg(&instructor)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("this merge's grading.toml is not the one the shards were graded against"),
        "{stderr}"
    );
}

/// The job `name` of the workflow `text`: its lines up to the next job.
fn job(text: &str, name: &str) -> String {
    let heading = format!("  {name}:");
    let is_job =
        |l: &&str| l.starts_with("  ") && l[2..].starts_with(|c: char| c.is_alphanumeric());
    text.lines()
        .skip_while(|l| *l != heading)
        .enumerate()
        .take_while(|(i, l)| *i == 0 || !is_job(l))
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

#[test]
fn the_regrade_workflow_pins_its_actions_and_gives_student_code_no_token() {
    let text =
        fs::read_to_string(common::workspace_root().join("docs/ci/regrade-class.yml")).unwrap();
    let uses: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses: ")
        })
        .collect();
    assert!(uses.len() >= 4, "{uses:?}");
    for action in uses {
        let sha = action.split('@').nth(1).unwrap_or_default();
        let sha = sha.split_whitespace().next().unwrap_or_default();
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "not pinned to a commit: {action}"
        );
    }
    // Nothing granted but what a job asks for; the jobs that see student
    // code or its results ask for nothing, and check nothing out.
    assert!(text.contains("\npermissions: {}\n"), "{text}");
    for name in ["shard", "merge"] {
        let job = &job(&text, name);
        assert!(job.contains("    permissions: {}\n"), "{job}");
        // What the job does, less its comments.
        let job: String = job
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        for word in ["token", "checkout", "secrets."] {
            assert!(!job.contains(word), "the {name} job has {word:?}:\n{job}");
        }
    }
    let shard = &job(&text, "shard");
    assert!(
        shard.contains("sudo env") && !shard.contains("--unsandboxed"),
        "{shard}"
    );
    assert!(
        shard.contains("fromJSON(needs.plan.outputs.shards)"),
        "{shard}"
    );

    // The grader accepts the commands the jobs run.
    let command = |job: &str, what: &str| -> Vec<String> {
        let line = job
            .lines()
            .find(|l| l.contains(&format!("../grader {what}")))
            .unwrap_or_else(|| panic!("no grader {what} in {job}"));
        let line = &line[line.find("../grader").unwrap()..];
        let line = line
            .replace("\"$download\"", "class.zip")
            .replace("\"$SHARD\"", "3/10")
            .replace("\"$RUNNER_TEMP/shard\"", "out")
            .replace("../../shards/shard-*", "s1 s2")
            .replace("\"${flags[@]}\"", "--gradebook csv");
        shlex::split(line.trim_end_matches('\\').trim()).unwrap()
    };
    let batch = command(shard, "batch");
    let merge = command(&job(&text, "merge"), "merge");
    for argv in [batch, merge] {
        if let Err(e) = <grader::cli::Cli as clap::Parser>::try_parse_from(&argv) {
            panic!("the grader refuses {argv:?}: {e}");
        }
    }
}
