//! Keeps the coverage table of `docs/contract.md` honest.
//!
//! The section "Rules and the checks that enforce them" has one row per rule
//! of the contract: `| rule | checks |`, where `checks` is either a list of
//! check ids in backticks or, when no check tests the rule, a reason that
//! starts with `—`. The table is only worth reading if it matches the
//! grader, so this test fails when a row names a check that does not exist,
//! when a check is named by no row (it would test a rule nobody wrote
//! down), or when a row gives neither checks nor a reason.

use std::collections::BTreeSet;
use std::path::Path;

/// The header of the section that holds the table.
const SECTION: &str = "## Rules and the checks that enforce them";

/// What a row says about how its rule is enforced.
#[derive(Debug, PartialEq)]
enum Enforced {
    /// By these checks.
    By(Vec<String>),
    /// By none, for this reason.
    Not(String),
}

/// One row of the table: its line number in the file (from 1), its rule and
/// what enforces it, or why the row could not be read.
#[derive(Debug)]
struct Row {
    line: usize,
    rule: String,
    enforced: Result<Enforced, String>,
}

/// The rows of the coverage table in `doc`: every table line between the
/// section's header and the next `## ` header, the header row and the
/// separator row left out. `None` when the section is missing.
fn rows(doc: &str) -> Option<Vec<Row>> {
    let mut lines = doc.lines().enumerate();
    lines.find(|(_, line)| line.trim_end() == SECTION)?;
    let rows = lines
        .take_while(|(_, line)| !line.starts_with("## "))
        .filter(|(_, line)| line.trim_start().starts_with('|'))
        .filter_map(|(at, line)| {
            let cells: Vec<&str> = line
                .trim()
                .trim_start_matches('|')
                .trim_end_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let is_frame = cells == ["rule", "checks"]
                || cells
                    .iter()
                    .all(|cell| cell.chars().all(|c| c == '-' || c == ':'));
            (!is_frame).then(|| row(at + 1, &cells))
        })
        .collect();
    Some(rows)
}

fn row(line: usize, cells: &[&str]) -> Row {
    let rule = cells.first().copied().unwrap_or_default().to_string();
    let enforced = match cells {
        [_, checks] => enforced(checks),
        _ => Err(format!(
            "has {} cells, not 2 (a `|` inside a cell?)",
            cells.len()
        )),
    };
    Row {
        line,
        rule,
        enforced,
    }
}

/// Reads a `checks` cell: a reason after `—`, or ids in backticks separated
/// by commas.
fn enforced(cell: &str) -> Result<Enforced, String> {
    if let Some(reason) = cell.strip_prefix('—') {
        let reason = reason.trim();
        return if reason.is_empty() {
            Err("has a `—` but no reason after it".to_string())
        } else {
            Ok(Enforced::Not(reason.to_string()))
        };
    }
    if cell.is_empty() {
        return Err("names no check and gives no reason".to_string());
    }
    cell.split(',')
        .map(str::trim)
        .map(|item| {
            item.strip_prefix('`')
                .and_then(|id| id.strip_suffix('`'))
                .filter(|id| !id.is_empty() && !id.contains('`'))
                .map(str::to_string)
                .ok_or_else(|| {
                    format!("has `{item}`, neither a check id in backticks nor a reason after `—`")
                })
        })
        .collect::<Result<_, _>>()
        .map(Enforced::By)
}

/// Everything wrong with the table in `doc`, measured against the check ids
/// `known`: one line each, empty when the table is right.
fn problems(doc: &str, known: &BTreeSet<String>) -> Vec<String> {
    let Some(rows) = rows(doc) else {
        return vec![format!("no section `{SECTION}`")];
    };
    if rows.is_empty() {
        return vec![format!("the section `{SECTION}` has no table rows")];
    }
    let mut problems = Vec::new();
    let mut named = BTreeSet::new();
    for row in &rows {
        let Row { line, rule, .. } = row;
        if rule.is_empty() {
            problems.push(format!("line {line}: the row states no rule"));
        }
        match &row.enforced {
            Err(why) => problems.push(format!("line {line}: the row {why} ({rule})")),
            Ok(Enforced::Not(_)) => {}
            Ok(Enforced::By(ids)) => {
                for id in ids {
                    if !known.contains(id) {
                        problems.push(format!(
                            "line {line}: `{id}` is not a check of the grader ({rule})"
                        ));
                    }
                    named.insert(id.clone());
                }
            }
        }
    }
    for id in known.difference(&named) {
        problems.push(format!(
            "the check `{id}` enforces no rule of the table: add it to its rule's row"
        ));
    }
    problems
}

/// Every check id, as `grader --list` prints them.
fn known_ids() -> BTreeSet<String> {
    grader::tasks::all()
        .into_iter()
        .flat_map(|task| task.checks)
        .map(|check| check.id)
        .collect()
}

#[test]
fn the_coverage_table_matches_the_checks() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/contract.md");
    let doc = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("could not read {}: {e}", path.display()));
    let problems = problems(&doc, &known_ids());
    assert!(
        problems.is_empty(),
        "docs/contract.md's coverage table disagrees with the grader:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn list_prints_the_ids_the_library_gives() {
    // The table speaks of the ids `grader --list` prints; make sure they
    // are the library's.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grader"))
        .arg("--list")
        .output()
        .expect("could not run grader --list");
    assert!(output.status.success(), "grader --list failed: {output:?}");
    let listed: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert_eq!(listed, known_ids());
}

// The checker itself, on small tables, so that it is seen to fail.

fn ids(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| name.to_string()).collect()
}

fn table(rows: &str) -> String {
    format!(
        "# Contract\n\n{SECTION}\n\n| rule | checks |\n|---|---|\n{rows}\n## Next\n\n| x | `c` |\n"
    )
}

#[test]
fn a_right_table_has_no_problems() {
    let doc = table("| one | `a.b`, `a.c` |\n| two | — a human reads it |\n");
    assert_eq!(problems(&doc, &ids(&["a.b", "a.c"])), Vec::<String>::new());
}

#[test]
fn an_unknown_id_is_named() {
    let doc = table("| one | `a.b`, `a.bogus` |\n");
    let problems = problems(&doc, &ids(&["a.b"]));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`a.bogus` is not a check"),
        "{problems:?}"
    );
}

#[test]
fn a_check_in_no_row_is_named() {
    let doc = table("| one | `a.b` |\n");
    let problems = problems(&doc, &ids(&["a.b", "a.c"]));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`a.c` enforces no rule"),
        "{problems:?}"
    );
}

#[test]
fn a_row_without_checks_or_reason_is_named() {
    let known = ids(&["a.b"]);
    for cells in [
        "| one |  |",
        "| one | — |",
        "| one | later |",
        "| one | `a.b`, soon |",
    ] {
        let doc = table(&format!("| two | `a.b` |\n{cells}\n"));
        let problems = problems(&doc, &known);
        assert_eq!(problems.len(), 1, "{cells}: {problems:?}");
        assert!(problems[0].contains("(one)"), "{cells}: {problems:?}");
    }
}

#[test]
fn a_missing_section_is_named() {
    assert_eq!(
        problems("# Contract\n", &ids(&["a.b"])),
        [format!("no section `{SECTION}`")]
    );
}
