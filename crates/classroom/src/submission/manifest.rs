//! What of a task folder's `Cargo.toml` is taken.
//!
//! Only `[dependencies]` are taken, and only when every one is on the
//! allow-list and a plain crates.io version. Anything that would run the
//! student's code while building (`build.rs`, `build = …`,
//! `proc-macro = true`, `[build-dependencies]`), replace crates (`[patch]`,
//! `[replace]`) or fetch them from elsewhere (`path`, `git`, `registry`) is
//! refused with a note, and the edition's manifest is used unchanged.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

/// Why build-time code is refused.
const RUNS_CODE: &str = "submissions may not run code while building";

/// Takes the dependencies of the task folder's `Cargo.toml` into the
/// edition's when nothing in it is refused; returns what it did and what it
/// refused.
pub(super) fn take_manifest(
    folder: &Path,
    task: &Path,
    allowed: &BTreeSet<String>,
) -> io::Result<Vec<String>> {
    let mut notes = Vec::new();
    // It is never copied, so it never runs; the note says why.
    if fs::symlink_metadata(folder.join("build.rs")).is_ok() {
        notes.push(format!("build.rs is not used: {RUNS_CODE}"));
    }
    let Ok(text) = fs::read_to_string(folder.join("Cargo.toml")) else {
        return Ok(notes);
    };
    let Ok(theirs) = text.parse::<toml_edit::DocumentMut>() else {
        notes.push("its Cargo.toml does not parse; the handed-out one is used".into());
        return Ok(notes);
    };
    let refused = refusals(&theirs, allowed);
    if !refused.is_empty() {
        notes.extend(refused);
        notes.push("the handed-out Cargo.toml is used".into());
        return Ok(notes);
    }
    let Some(deps) = theirs.get("dependencies").and_then(|d| d.as_table_like()) else {
        return Ok(notes);
    };
    let manifest = task.join("Cargo.toml");
    let mut ours: toml_edit::DocumentMut = fs::read_to_string(&manifest)?.parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", manifest.display()),
        )
    })?;
    let mut added = Vec::new();
    for (name, spec) in deps.iter() {
        if ours["dependencies"].get(name).is_none() {
            added.push(name.to_string());
        }
        ours["dependencies"][name] = spec.clone();
    }
    fs::write(&manifest, ours.to_string())?;
    if !added.is_empty() {
        notes.push(format!("added dependencies: {}", added.join(", ")));
    }
    Ok(notes)
}

/// What of a submitted manifest cannot be used, each with its reason.
fn refusals(theirs: &toml_edit::DocumentMut, allowed: &BTreeSet<String>) -> Vec<String> {
    let mut refused = Vec::new();
    let build = theirs.get("package").and_then(|p| p.get("build"));
    if let Some(build) = build.filter(|b| b.as_bool() != Some(false)) {
        let value = build
            .as_value()
            .map_or(String::new(), |v| v.to_string().trim().to_string());
        refused.push(format!(
            "`build = {value}` in its Cargo.toml is not used: {RUNS_CODE}"
        ));
    }
    let lib = theirs.get("lib");
    for key in ["proc-macro", "proc_macro"] {
        if lib.and_then(|l| l.get(key)).and_then(|v| v.as_bool()) == Some(true) {
            refused.push(format!(
                "`{key} = true` in its Cargo.toml is not used: {RUNS_CODE}"
            ));
        }
    }
    if theirs.contains_key("build-dependencies") {
        refused.push(format!(
            "[build-dependencies] in its Cargo.toml are not used: {RUNS_CODE}"
        ));
    }
    for table in ["patch", "replace"] {
        if theirs.contains_key(table) {
            refused.push(format!(
                "[{table}] in its Cargo.toml is not used: submissions may not replace crates"
            ));
        }
    }
    let platform_deps = theirs
        .get("target")
        .and_then(|t| t.as_table_like())
        .is_some_and(|targets| {
            targets.iter().any(|(_, platform)| {
                ["dependencies", "build-dependencies"]
                    .iter()
                    .any(|key| platform.get(key).is_some())
            })
        });
    if platform_deps {
        refused.push(
            "[target.…] dependencies in its Cargo.toml are not used: submissions may add only [dependencies]"
                .into(),
        );
    }
    let deps = theirs.get("dependencies").and_then(|d| d.as_table_like());
    for (name, spec) in deps.into_iter().flat_map(|d| d.iter()) {
        if !allowed.contains(name) {
            let list: Vec<&str> = allowed.iter().map(String::as_str).collect();
            refused.push(format!(
                "dependency `{name}` is not used: it is not on the allow-list ({})",
                list.join(", ")
            ));
        } else if let Some(source) = source_of(spec) {
            refused.push(format!(
                "dependency `{name}` is not used: it names a `{source}`; submissions may depend only on crates.io versions"
            ));
        } else if !plain(spec) {
            refused.push(format!(
                "dependency `{name}` is not used: only `version`, `features`, `default-features` and `workspace` may be given"
            ));
        }
    }
    refused
}

/// Where a dependency spec says its crate comes from, when not crates.io.
fn source_of(spec: &toml_edit::Item) -> Option<&'static str> {
    let table = spec.as_table_like()?;
    ["path", "git", "registry", "registry-index"]
        .into_iter()
        .find(|key| table.contains_key(key))
}

/// A dependency spec with nothing but a version and features.
fn plain(spec: &toml_edit::Item) -> bool {
    if spec.is_str() {
        return true;
    }
    spec.as_table_like().is_some_and(|table| {
        table.iter().all(|(key, _)| {
            matches!(
                key,
                "version" | "features" | "default-features" | "workspace"
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn build_time_code_is_refused_with_a_note() {
        let (_dir, laid) = lay_folder(&[
            ("task03_echo/src/bin/server.rs", "s"),
            ("task03_echo/build.rs", "fn main() {}"),
            (
                "task03_echo/Cargo.toml",
                "[package]\nname = \"x\"\nbuild = \"gen.rs\"\n\n[lib]\nproc-macro = true\n\n\
                 [dependencies]\nclap = { path = \"../../evil\" }\nsocket2 = \"0.6\"\n\n\
                 [patch.crates-io]\nclap = { path = \"evil\" }\n",
            ),
            ("task01/server.rs", "s"),
            (
                "task01/Cargo.toml",
                "[package]\nname = \"x\"\n\n[dependencies]\nsocket2 = \"0.6\"\n\n\
                 [dev-dependencies]\ngrader = { path = \"../grader\" }\n",
            ),
        ]);
        let laid = laid.unwrap();
        let notes = laid.notes.join("\n");
        for wanted in [
            "task03_echo: build.rs is not used: submissions may not run code while building",
            "task03_echo: `build = \"gen.rs\"` in its Cargo.toml is not used: submissions may not run code while building",
            "task03_echo: `proc-macro = true` in its Cargo.toml is not used: submissions may not run code while building",
            "task03_echo: dependency `clap` is not used: it names a `path`; submissions may depend only on crates.io versions",
            "task03_echo: [patch] in its Cargo.toml is not used: submissions may not replace crates",
            "task03_echo: the handed-out Cargo.toml is used",
            // Plain and allowed: taken; dev-dependencies build nothing graded.
            "task01_connect: added dependencies: socket2",
        ] {
            assert!(notes.contains(wanted), "no {wanted:?} in\n{notes}");
        }
        let manifest = read(&laid, "task03_echo/Cargo.toml");
        assert!(
            !manifest.contains("evil") && !manifest.contains("build"),
            "{manifest}"
        );
        assert!(!laid.workspace.join("task03_echo/build.rs").exists());
        assert!(read(&laid, "task01_connect/Cargo.toml").contains("socket2 = \"0.6\""));
    }

    #[test]
    fn a_dependency_not_allowed_or_not_plain_is_refused() {
        let (_dir, laid) = lay_folder(&[
            ("task01/server.rs", "s"),
            (
                "task01/Cargo.toml",
                "[dependencies]\ntokio = \"1\"\nclap = { version = \"4\", package = \"evil\" }\n",
            ),
        ]);
        let notes = laid.unwrap().notes.join("\n");
        for wanted in [
            "task01_connect: dependency `tokio` is not used: it is not on the allow-list (clap, socket2)",
            "task01_connect: dependency `clap` is not used: only `version`, `features`, `default-features` and `workspace` may be given",
            "task01_connect: the handed-out Cargo.toml is used",
        ] {
            assert!(notes.contains(wanted), "no {wanted:?} in\n{notes}");
        }
    }
}
