//! `grader merge`: the shard results of one class, checked to be one
//! class graded one way, written as one unsharded batch writes it — by the
//! batch's own writer, so the two cannot drift apart.
//!
//! Refused: a folder that is no shard result; shards graded by different
//! graders, against different workspaces or `grading.toml`s, of different
//! downloads or split in different numbers; a student in two shards; a
//! shard missing. And a merge whose own workspace is not the shards': its
//! `grading.toml` sets the class's maximum.

use super::shard::{read_manifest, workspace_of, Manifest, GRADED};
use super::write::{write_class, Sources};
use super::{BatchError, Graded, Output};
use crate::lms::gradebook::Book;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MergeError {
    #[error("{0} is not a shard result (no readable shard.json): write one with `grader batch --shard K/N --out {0}`")]
    NotAShard(PathBuf),
    #[error("the shards were not graded alike, so they cannot be merged: {what} differ:\n{list}")]
    Mixed { what: &'static str, list: String },
    #[error("student {key} is in two shards: {first} and {second}")]
    Duplicate {
        key: String,
        first: String,
        second: String,
    },
    #[error("shard{} {} of {n} {} missing: grade {} with `grader batch --shard K/{n}` and merge again", if .missing.len() == 1 { "" } else { "s" }, list(.missing), if .missing.len() == 1 { "is" } else { "are" }, if .missing.len() == 1 { "it" } else { "them" })]
    Missing { missing: Vec<u32>, n: u32 },
    #[error("this merge's {what} is not the one the shards were graded against ({ours} here, {theirs} in the shards): merge from the same workspace")]
    NotOurs {
        what: &'static str,
        ours: String,
        theirs: String,
    },
    #[error("could not read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error(transparent)]
    Batch(#[from] BatchError),
}

fn list(numbers: &[u32]) -> String {
    let words: Vec<String> = numbers.iter().map(u32::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => words.join(""),
    }
}

/// One shard result, read.
struct Read {
    dir: PathBuf,
    manifest: Manifest,
}

impl Read {
    fn name(&self) -> String {
        format!(
            "{} (shard {}/{})",
            self.dir.display(),
            self.manifest.k,
            self.manifest.n
        )
    }
}

/// Merges the shard results `dirs` into `output` with `books`; returns the
/// class's results, in the download's order.
pub fn merge(dirs: &[PathBuf], output: &Output, books: &[Book]) -> Result<Vec<Graded>, MergeError> {
    let shards: Vec<Read> = dirs
        .iter()
        .map(|dir| {
            read_manifest(dir)
                .map(|manifest| Read {
                    dir: dir.clone(),
                    manifest,
                })
                .ok_or_else(|| MergeError::NotAShard(dir.clone()))
        })
        .collect::<Result<_, _>>()?;
    alike(&shards)?;
    let n = shards[0].manifest.n;
    let mut held: BTreeMap<&str, &Read> = BTreeMap::new();
    for shard in &shards {
        for student in &shard.manifest.students {
            if let Some(first) = held.insert(&student.key, shard) {
                return Err(MergeError::Duplicate {
                    key: crate::show::inert(&student.key).into_owned(),
                    first: first.name(),
                    second: shard.name(),
                });
            }
        }
    }
    let present: BTreeSet<u32> = shards.iter().map(|s| s.manifest.k).collect();
    let missing: Vec<u32> = (1..=n).filter(|k| !present.contains(k)).collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, n });
    }
    ours(&shards[0].manifest, output)?;
    let mut results: Vec<(usize, Graded, PathBuf)> = Vec::new();
    for shard in &shards {
        for student in &shard.manifest.students {
            let folder = shard.dir.join("students").join(&student.folder);
            let path = folder.join(GRADED);
            let text = fs::read_to_string(&path).map_err(|e| MergeError::Read {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let graded: Graded = serde_json::from_str(&text).map_err(|e| MergeError::Read {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            results.push((student.index, graded, folder));
        }
    }
    results.sort_by_key(|(index, ..)| *index);
    let folders: BTreeMap<String, PathBuf> = results
        .iter()
        .map(|(_, graded, folder)| (graded.student.clone(), folder.clone()))
        .collect();
    // Each student's sources, as their shard kept them.
    let sources: &Sources<'_> = &|graded, into| match folders.get(&graded.student) {
        Some(from) if from.join(crate::similarity::SOURCES).is_file() => fs::copy(
            from.join(crate::similarity::SOURCES),
            into.join(crate::similarity::SOURCES),
        )
        .map(|_| ()),
        _ => Ok(()),
    };
    let results: Vec<Graded> = results.into_iter().map(|(_, graded, _)| graded).collect();
    write_class(output, &results, books, sources)?;
    Ok(results)
}

/// What shards must share: its name, and how a manifest shows it.
type Shared = (&'static str, fn(&Manifest) -> String);

/// Every shard graded alike: one grader, workspace, policy, class, N.
fn alike(shards: &[Read]) -> Result<(), MergeError> {
    let checks: [Shared; 5] = [
        ("graders", |m| {
            format!(
                "grader {} (binary {})",
                m.grader.version,
                short(&m.grader.binary)
            )
        }),
        ("instructor's workspaces", |m| {
            format!("workspace {}", short(&m.workspace))
        }),
        ("grading.toml policies", |m| {
            format!("grading.toml {}", short(&m.policy))
        }),
        ("class downloads", |m| {
            format!(
                "a class of {} (keys {})",
                m.class.students,
                short(&m.class.keys)
            )
        }),
        ("shard counts", |m| format!("split in {}", m.n)),
    ];
    for (what, of) in checks {
        let first = of(&shards[0].manifest);
        if shards.iter().any(|s| of(&s.manifest) != first) {
            let list = shards
                .iter()
                .map(|s| format!("  {}: {}", s.name(), of(&s.manifest)))
                .collect::<Vec<_>>()
                .join("\n");
            return Err(MergeError::Mixed { what, list });
        }
    }
    Ok(())
}

/// The shards were graded against this merge's workspace and policy.
fn ours(manifest: &Manifest, output: &Output) -> Result<(), MergeError> {
    let (workspace, policy) = workspace_of(&output.workspace).map_err(|e| MergeError::Read {
        path: output.workspace.clone(),
        reason: e.to_string(),
    })?;
    for (what, ours, theirs) in [
        ("workspace", workspace, &manifest.workspace),
        ("grading.toml", policy, &manifest.policy),
    ] {
        if ours != *theirs {
            return Err(MergeError::NotOurs {
                what,
                ours: short(&ours),
                theirs: short(theirs),
            });
        }
    }
    Ok(())
}

/// A hash cut to what a person compares by eye.
fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// Where the merged results are, as a batch says it.
pub fn summary(results: &[Graded], out: &Path, books: &[Book], shards: usize) -> String {
    format!(
        "Merged {shards} shard{}: {} students\n{}{}",
        if shards == 1 { "" } else { "s" },
        results.len(),
        super::lines(results),
        super::written(results, out, books)
    )
}
