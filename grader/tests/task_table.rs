//! The task table is the one record of the tasks: each task's sheet (its
//! `README.md`) names every check the grader runs on it, and every check
//! id written in a sheet or in the contract is one the grader has.

mod common;

use grader::tasks::{self, Task};
use std::collections::BTreeSet;
use std::fs;

/// The section of `package`'s sheet that lists what the grader checks.
fn checks_section(package: &str) -> String {
    let path = common::workspace_root().join(package).join("README.md");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let start = text
        .find("## What the grader checks")
        .unwrap_or_else(|| panic!("{package}/README.md has no \"What the grader checks\""));
    let rest = &text[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |at| at + 3);
    rest[..end].to_string()
}

/// Whether `text` names the check `name` (`echo_1mib`) as a word.
fn names(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let before = text[..at].chars().next_back().is_none_or(|c| !word(c));
        let after = text[at + name.len()..]
            .chars()
            .next()
            .is_none_or(|c| !word(c));
        before && after
    })
}

/// Every `taskNN.side.name` id written in `text`.
fn ids_in(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (at, _) in text.match_indices("task") {
        let id: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let id = id.trim_end_matches('.');
        let parts: Vec<&str> = id.split('.').collect();
        let side = parts.get(1).copied().unwrap_or("");
        if parts.len() == 3 && ["server", "client", "pair"].contains(&side) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// The last part of a check id: `echo_1mib` of `task03.server.echo_1mib`.
fn short(id: &str) -> &str {
    id.rsplit('.').next().unwrap_or(id)
}

#[test]
fn every_sheet_names_every_check_of_its_task() {
    let all = tasks::all();
    // Checks every task has are told once, in the first task's sheet.
    let first: &Task = &all[0];
    let shared = checks_section(first.package);
    let mut missing = Vec::new();
    for task in &all {
        let section = checks_section(task.package);
        for check in &task.checks {
            let name = short(&check.id);
            if !names(&section, name) && !names(&shared, name) {
                missing.push(check.id.clone());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "checks no sheet tells of (add them to the task's README, \"What the grader checks\"): {missing:?}"
    );
}

#[test]
fn every_check_id_in_the_sheets_and_the_contract_is_real() {
    let known: BTreeSet<String> = tasks::all()
        .into_iter()
        .flat_map(|task| task.checks)
        .map(|check| check.id)
        .collect();
    let root = common::workspace_root();
    let mut documents: Vec<_> = tasks::all()
        .iter()
        .map(|task| root.join(task.package).join("README.md"))
        .collect();
    documents.push(root.join("docs/contract.md"));
    let mut unknown = Vec::new();
    let mut found = 0;
    for path in documents {
        let text = fs::read_to_string(&path).unwrap();
        for id in ids_in(&text) {
            found += 1;
            if !known.contains(&id) {
                unknown.push(format!("{}: {id}", path.display()));
            }
        }
    }
    assert!(found > 100, "only {found} ids found: the reader is broken");
    assert!(unknown.is_empty(), "ids of no check: {unknown:#?}");
}

#[test]
fn the_reader_finds_ids_and_words() {
    assert_eq!(
        ids_in("see `task03.server.echo_1mib`, and task04.pair.chat."),
        ["task03.server.echo_1mib", "task04.pair.chat"]
    );
    assert!(ids_in("task03_echo and task03-server").is_empty());
    assert!(names("`echo_text`, `echo_utf8`", "echo_utf8"));
    assert!(!names("`echo_utf8_more`", "echo_utf8"));
}

#[test]
fn every_task_topic_is_a_section_of_the_concepts() {
    let concepts = fs::read_to_string(common::workspace_root().join("docs/concepts.md")).unwrap();
    for task in tasks::all() {
        assert!(
            concepts.contains(&format!("## {}", task.topic))
                || concepts.contains(&format!("# {}", task.topic)),
            "{}: docs/concepts.md has no section \"{}\"",
            task.package,
            task.topic
        );
    }
}

/// Every Markdown file the kit ships: the docs and every task's sheet.
fn markdown_files() -> Vec<std::path::PathBuf> {
    let root = common::workspace_root();
    let mut files: Vec<_> = fs::read_dir(root.join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.extend(
        tasks::all()
            .iter()
            .map(|task| root.join(task.package).join("README.md")),
    );
    files.push(root.join("README.md"));
    files
}

#[test]
fn every_folded_answer_is_closed_before_the_next_opens() {
    for file in markdown_files() {
        let text = fs::read_to_string(&file).unwrap();
        let mut open: Option<usize> = None;
        for (number, line) in text.lines().enumerate() {
            if line.contains("<details>") {
                assert!(
                    open.is_none(),
                    "{}:{}: <details> opens inside the one of line {}",
                    file.display(),
                    number + 1,
                    open.unwrap() + 1
                );
                open = Some(number);
            }
            if line.contains("</details>") {
                open = None;
            }
        }
        assert!(open.is_none(), "{}: <details> never closed", file.display());
    }
}
