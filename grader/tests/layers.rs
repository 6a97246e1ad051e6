//! The grader's shape, which the compiler does not keep on its own: no
//! crate depends on one above it (engine, then classroom, then the
//! binary), inside each crate no two top-level modules import each other,
//! however far round, and no file is over 450 lines.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The grader's crates, lowest first: each may depend only on those
/// before it.
const CRATES: &[(&str, &str)] = &[
    ("grader-engine", "crates/engine"),
    ("grader-classroom", "crates/classroom"),
    ("grader", "grader"),
];

/// The longest a source file of the grader may be.
const LONGEST: usize = 450;

fn sources(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The code of `text` without comments and without its `#[cfg(test)]`
/// part (tests may reach anywhere).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every top-level module `crate::NAME` named in `code`.
fn named(code: &str) -> BTreeSet<String> {
    code.match_indices("crate::")
        .filter(|(at, _)| {
            // Not `grader_engine::` or `some_crate::`: only this crate.
            !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Which top-level module of `src` imports which.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap();
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(named(&code(&text)).into_iter().filter(|m| *m != module));
    }
    graph
}

/// A circle in `graph`, if there is one, as the modules round it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut round = path[at..].to_vec();
            round.push(node.to_string());
            return Some(round);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(round) = visit(next, graph, path, done) {
                return Some(round);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_reader_finds_imports_and_circles() {
    let code = code("use crate::report::Report;\n// crate::batch\nlet x = grader_engine::run();\ncrate::time::Deadline");
    assert_eq!(
        named(&code),
        BTreeSet::from(["report".into(), "time".into()])
    );
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    assert_eq!(circle(&graph), None);
    graph.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(circle(&graph).unwrap().len(), 4);
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    for (name, folder) in CRATES {
        let graph = imports(&common::workspace_root().join(folder).join("src"));
        assert!(graph.len() > 3 || *name == "grader", "{name}: {graph:?}");
        if let Some(round) = circle(&graph) {
            panic!("{name}: modules import each other: {}", round.join(" → "));
        }
    }
}

#[test]
fn no_crate_depends_on_one_above_it() {
    for (below, (name, folder)) in CRATES.iter().enumerate() {
        let manifest =
            fs::read_to_string(common::workspace_root().join(folder).join("Cargo.toml")).unwrap();
        for (above, _) in &CRATES[below + 1..] {
            assert!(
                !manifest.contains(&format!("\n{above} "))
                    && !manifest.contains(&format!("\n{above}.")),
                "{name} depends on {above}, which stands on it"
            );
        }
    }
}

#[test]
fn no_file_of_the_grader_is_over_450_lines() {
    let mut long = Vec::new();
    for (_, folder) in CRATES {
        let mut files = Vec::new();
        sources(
            &common::workspace_root().join(folder).join("src"),
            &mut files,
        );
        for file in files {
            let lines = fs::read_to_string(&file).unwrap().lines().count();
            if lines > LONGEST {
                long.push(format!("{}: {lines}", file.display()));
            }
        }
    }
    assert!(long.is_empty(), "over {LONGEST} lines: {long:?}");
}
