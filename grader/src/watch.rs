//! Watch mode: re-grade whenever a task's file is saved.
//!
//! The OS tells us about changes (inotify, through the `notify` crate); a
//! burst of events from one save is gathered into one re-grade by waiting
//! until the folders have been quiet for [`QUIET`].

use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;
use thiserror::Error;

/// How long the folders must be quiet before a re-grade starts.
pub const QUIET: Duration = Duration::from_millis(300);

#[derive(Debug, Error)]
pub enum WatchError {
    #[error("could not watch {path}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
}

/// Whether a changed path, relative to the watched folder, is a source
/// worth a re-grade (not build output, not an editor's swap file).
fn worth_regrading(path: &Path) -> bool {
    let in_target = path.components().any(|c| c.as_os_str() == "target");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scratch = name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp");
    !in_target && !scratch
}

/// Calls `grade` once, then again after every save under `folders`, until
/// the process is stopped. `grade` gets the paths that changed.
pub fn watch(folders: &[PathBuf], mut grade: impl FnMut(&[PathBuf])) -> Result<(), WatchError> {
    let (events, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(events).map_err(|source| WatchError::Watch {
        path: folders.first().cloned().unwrap_or_default(),
        source,
    })?;
    for folder in folders {
        watcher
            .watch(folder, RecursiveMode::Recursive)
            .map_err(|source| WatchError::Watch {
                path: folder.clone(),
                source,
            })?;
    }
    grade(&[]);
    while !crate::signal::stopping() {
        // Wait until something worth a re-grade changes, looking up often
        // enough to stop promptly on Ctrl-C…
        let mut changed: Vec<PathBuf> = Vec::new();
        while changed.is_empty() {
            match changes.recv_timeout(LOOK_UP) {
                Ok(event) => changed.extend(relevant(event, folders)),
                Err(mpsc::RecvTimeoutError::Timeout) if !crate::signal::stopping() => {}
                Err(_) => return Ok(()),
            }
        }
        // …then take the rest of that save's events.
        while let Ok(event) = changes.recv_timeout(QUIET) {
            changed.extend(relevant(event, folders));
        }
        changed.sort();
        changed.dedup();
        grade(&changed);
    }
    Ok(())
}

/// How often an idle watch looks up to see whether it is being stopped.
const LOOK_UP: Duration = Duration::from_millis(100);

fn relevant(event: notify::Result<notify::Event>, folders: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(event) = event else { return Vec::new() };
    if event.kind.is_access() {
        return Vec::new();
    }
    event
        .paths
        .into_iter()
        .filter(|path| {
            let inside = folders
                .iter()
                .find_map(|folder| path.strip_prefix(folder).ok());
            inside.is_some_and(worth_regrading)
        })
        .collect()
}

/// `grader watch`: grades the chosen tasks as a dashboard on the
/// terminal, again after every save, until Ctrl-C.
pub fn dashboard(cli: &crate::cli::Watch) -> anyhow::Result<u8> {
    use crate::report::human;
    let names: Vec<String> = cli.task.iter().cloned().collect();
    let tasks = crate::cli::chosen_tasks(&names)?;
    let root = crate::cargo::Workspace::open(&cli.workspace.resolve()?)?.root;
    let folders: Vec<PathBuf> = tasks.iter().map(|t| root.join(t.package)).collect();
    let options = crate::grade::plain_options(root, cli.timing.timing());
    watch(&folders, |changed| {
        let report = crate::run::grade(&tasks, &options, &|_| {});
        // Clear the screen and start at the top, as a dashboard would.
        let mut text = String::from("\x1b[2J\x1b[H");
        if let Some(path) = changed.first() {
            text.push_str(&format!("changed: {}\n\n", path.display()));
        }
        match report {
            Ok(report) => {
                text.push_str(&human::render(&report, false));
                text.push_str(&human::progress_bar(report.score, report.max_score));
            }
            Err(e) => text.push_str(&format!("grader: {e:#}\n")),
        }
        text.push_str("\nWatching for changes; Ctrl-C to stop.\n");
        let _ = crate::output::emit(&text, true);
    })?;
    eprintln!("stopped watching");
    // Nothing is left to write: the Ctrl-C handler may exit now.
    crate::signal::finished();
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_output_and_editor_files_are_ignored() {
        assert!(worth_regrading(Path::new(
            "/w/task01_connect/src/bin/server.rs"
        )));
        assert!(!worth_regrading(Path::new("/w/target/debug/task01-server")));
        assert!(!worth_regrading(Path::new(
            "/w/task01_connect/src/bin/.server.rs.swp"
        )));
        assert!(!worth_regrading(Path::new(
            "/w/task01_connect/src/bin/server.rs~"
        )));
    }
}
