//! A task that cargo cannot resolve costs that task alone.
//!
//! A laid submission is one cargo workspace: one task's dependency line
//! the offline registry cannot satisfy (`socket2 = "0.5"` when only 0.6 is
//! cached, clap with a feature whose crates are not), or a source file
//! cargo refuses (`src/bin/build.rs`), stops cargo before it builds
//! anything, for every task. So before the build, [`keep_resolvable`] asks
//! cargo to read and resolve the laid workspace offline (`cargo metadata`:
//! some 60 ms, and nothing is built). Only when that fails is each task
//! the submission has a folder for tried in turn, on top of the tasks
//! tried before it, in the first of these forms that resolves:
//! 1. as laid;
//! 2. with the handed-out `Cargo.toml`, and a note quoting cargo's reason;
//! 3. with stand-ins that fail to compile quoting cargo's reason: that
//!    task fails to build, and no other.
//!
//! Meanwhile the tasks not yet tried are in form 3, which resolves
//! whenever the edition does. When even that does not resolve, the
//! edition (the grader's side) is at fault: the submission is left as laid
//! and the build says why.

use super::sources::{clear_sources, failing_binaries};
use super::{Laid, SubmissionError};
use crate::cargo::{self, BuildError};
use crate::tasks::Task;
use std::fs;
use std::io;
use std::path::Path;

/// Lays back, task by task, what cargo cannot resolve offline in `laid`
/// (the submission laid on the student edition at `edition`), noting
/// each change in `laid.notes`.
pub fn keep_resolvable(
    laid: &mut Laid,
    edition: &Path,
    tasks: &[Task],
    cargo: Cargo,
) -> Result<(), SubmissionError> {
    let workspace = laid.workspace.clone();
    let cannot = |dir: &Path| unresolved(dir, cargo);
    if cannot(&workspace)?.is_none() {
        return Ok(());
    }
    let held = laid._dir.path().join("held");
    let found: Vec<&Task> = tasks
        .iter()
        .filter(|task| laid.tasks_found.contains(&task.number))
        .collect();
    let edition_manifest = |task: &Task| edition.join(task.package).join("Cargo.toml");
    for task in &found {
        hold(&workspace.join(task.package), &held.join(task.package))?;
        stand_in(
            &workspace.join(task.package),
            &edition_manifest(task),
            "not tried yet",
        )?;
    }
    if cannot(&workspace)?.is_some() {
        for task in &found {
            put_back(&workspace.join(task.package), &held.join(task.package))?;
        }
        return Ok(());
    }
    for task in &found {
        let laid_task = workspace.join(task.package);
        put_back(&laid_task, &held.join(task.package))?;
        let Some(mut reason) = cannot(&workspace)? else {
            continue;
        };
        let manifest = laid_task.join("Cargo.toml");
        let theirs = fs::read(&manifest)?;
        if theirs != fs::read(edition_manifest(task))? {
            fs::copy(edition_manifest(task), &manifest)?;
            match cannot(&workspace)? {
                None => {
                    laid.notes.push(format!(
                        "{}: its Cargo.toml does not resolve offline ({reason}); the handed-out Cargo.toml is used",
                        task.package
                    ));
                    continue;
                }
                Some(again) => reason = again,
            }
        }
        let why = format!("cargo cannot read this task as handed in: {reason}");
        stand_in(&laid_task, &edition_manifest(task), &why)?;
        laid.notes
            .push(format!("{}: {why}; it is not built", task.package));
    }
    Ok(())
}

/// How cargo is run to resolve a submission: set up by this (confined, in
/// a sandboxed grading) before its arguments are given.
pub type Cargo<'a> = &'a dyn Fn(&mut std::process::Command) -> io::Result<()>;

/// Cargo's reason when it cannot resolve the workspace at `dir` offline.
fn unresolved(dir: &Path, cargo: Cargo) -> Result<Option<String>, SubmissionError> {
    match cargo::resolve_offline(dir, cargo) {
        Ok(()) => Ok(None),
        Err(BuildError::Unresolved { reason, .. }) => Ok(Some(reason)),
        Err(BuildError::Spawn(e)) => Err(e.into()),
        Err(other) => Err(io::Error::other(other.to_string()).into()),
    }
}

/// Moves the laid task's `src/` and `Cargo.toml` into `held`.
fn hold(task: &Path, held: &Path) -> io::Result<()> {
    fs::create_dir_all(held)?;
    fs::rename(task.join("src"), held.join("src"))?;
    fs::rename(task.join("Cargo.toml"), held.join("Cargo.toml"))
}

/// Moves what [`hold`] took back into the laid task, over what is there.
fn put_back(task: &Path, held: &Path) -> io::Result<()> {
    clear_sources(task)?;
    fs::rename(held.join("src"), task.join("src"))?;
    fs::rename(held.join("Cargo.toml"), task.join("Cargo.toml"))
}

/// Makes the laid task the handed-out manifest `manifest` with binaries
/// that fail to compile saying `why`.
fn stand_in(task: &Path, manifest: &Path, why: &str) -> io::Result<()> {
    failing_binaries(task, why)?;
    fs::copy(manifest, task.join("Cargo.toml"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{lay, Limits};
    use super::*;

    /// A student edition cargo can resolve offline with an empty registry:
    /// tasks 01 and 02, with no dependencies.
    fn resolvable_edition(at: &Path) -> std::path::PathBuf {
        let edition = at.join("edition");
        let mut files = vec![(
            "Cargo.toml".to_string(),
            "[workspace]\nresolver = \"2\"\nmembers = [\"task01_connect\", \"task02_greeting\"]\n"
                .to_string(),
        )];
        for (number, package) in [(1, "task01_connect"), (2, "task02_greeting")] {
            files.push((
                format!("{package}/Cargo.toml"),
                format!(
                    "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                     [[bin]]\nname = \"task{number:02}-server\"\npath = \"src/bin/server.rs\"\n\n\
                     [[bin]]\nname = \"task{number:02}-client\"\npath = \"src/bin/client.rs\"\n\n\
                     [dependencies]\n"
                ),
            ));
            for bin in ["server", "client"] {
                files.push((
                    format!("{package}/src/bin/{bin}.rs"),
                    "fn main() { todo!() }\n".to_string(),
                ));
            }
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        write_files(&edition, &files);
        edition
    }

    #[test]
    fn a_task_cargo_cannot_resolve_costs_that_task_alone() {
        let dir = tempfile::tempdir().unwrap();
        let edition = resolvable_edition(dir.path());
        let tasks = crate::tasks::all();
        let lay_tasks = |files: &[(&str, &str)]| {
            let submission = dir.path().join("ana");
            let _ = fs::remove_dir_all(&submission);
            write_files(&submission, files);
            let mut laid = lay(
                &submission,
                &edition,
                &tasks,
                &allowed(),
                &Limits::default(),
            )
            .unwrap();
            let before = laid.notes.len();
            keep_resolvable(&mut laid, &edition, &tasks, &|_| Ok(())).unwrap();
            let notes = laid.notes.split_off(before);
            (laid, notes)
        };
        let honest = "fn main() {}\n";

        // A version the registry cannot have: the handed-out manifest.
        let (laid, notes) = lay_tasks(&[
            ("task01/server.rs", honest),
            ("task01/client.rs", honest),
            ("task01/Cargo.toml", "[dependencies]\nsocket2 = \"99\"\n"),
            ("task02/server.rs", "// task02's own\nfn main() {}\n"),
            ("task02/client.rs", honest),
        ]);
        assert_eq!(notes.len(), 1, "{notes:#?}");
        assert!(
            notes[0].starts_with("task01_connect: its Cargo.toml does not resolve offline (")
                && notes[0].contains("socket2")
                && notes[0].ends_with("); the handed-out Cargo.toml is used"),
            "{notes:#?}"
        );
        assert_eq!(
            read(&laid, "task01_connect/Cargo.toml"),
            fs::read_to_string(edition.join("task01_connect/Cargo.toml")).unwrap()
        );
        assert_eq!(read(&laid, "task01_connect/src/bin/server.rs"), honest);
        assert_eq!(
            read(&laid, "task02_greeting/src/bin/server.rs"),
            "// task02's own\nfn main() {}\n"
        );

        // A file cargo refuses: the task fails to build quoting cargo.
        let (laid, notes) = lay_tasks(&[
            ("task01/src/bin/server.rs", honest),
            ("task01/src/bin/client.rs", honest),
            ("task01/src/bin/build.rs", honest),
            ("task02/server.rs", "// task02's own\nfn main() {}\n"),
            ("task02/client.rs", honest),
        ]);
        assert_eq!(notes.len(), 1, "{notes:#?}");
        assert!(
            notes[0].starts_with("task01_connect: cargo cannot read this task as handed in: ")
                && notes[0].contains("`build` is forbidden")
                && notes[0].ends_with("; it is not built"),
            "{notes:#?}"
        );
        let server = read(&laid, "task01_connect/src/bin/server.rs");
        assert!(
            server.starts_with("compile_error!(\"cargo cannot read this task as handed in: ")
                && server.contains("`build` is forbidden"),
            "{server}"
        );
        assert!(!laid
            .workspace
            .join("task01_connect/src/bin/build.rs")
            .exists());
        assert_eq!(
            read(&laid, "task02_greeting/src/bin/server.rs"),
            "// task02's own\nfn main() {}\n"
        );
        assert!(cargo::resolve_offline(&laid.workspace, &|_| Ok(())).is_ok());

        // Nothing wrong: nothing changed, and no note.
        let (_laid, notes) = lay_tasks(&[
            ("task01/server.rs", honest),
            ("task01/Cargo.toml", "[dependencies]\n"),
        ]);
        assert!(notes.is_empty(), "{notes:#?}");
    }
}
