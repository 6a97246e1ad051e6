//! A shard result: what `grader batch --shard K/N` writes for `grader
//! merge` — each student's result as the batch holds it (`graded.json`:
//! standing, report, who they are in the LMS) and the sources similarity
//! reads (`sources.json`), under `students/<student>/`, and a manifest,
//! `shard.json`, saying what graded them: the grader, the instructor's
//! workspace and `grading.toml`, the class and which part of it.
//!
//! Every hash is BLAKE3, in hex: a shard graded elsewhere can be checked
//! against another without trusting either's paths or clocks.

use super::write::{fresh_folder, from_submission};
use super::{BatchError, Download, Graded, Options};
use crate::cli::Shard;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::Path;

/// The shard a student's key falls in: the first 8 bytes of the BLAKE3
/// hash of the key's UTF-8, read as a little-endian number, modulo `n`,
/// plus one. A fixed hash, not Rust's randomised one, so a student stays
/// in the same shard on every run and machine; and a cryptographic one,
/// whose every bit depends on every byte, so keys that differ in a digit
/// still spread over the shards. (Here, not beside [`Shard`] in the
/// engine: the student's grader compiles no blake3.)
pub fn shard_of(key: &str, n: u32) -> u32 {
    let hash = blake3::hash(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    (u64::from_le_bytes(first) % u64::from(n)) as u32 + 1
}

/// Whether the student `key` is graded in `shard`.
pub fn holds(shard: Shard, key: &str) -> bool {
    shard_of(key, shard.n) == shard.k
}

/// The manifest's file name in a shard result.
pub const MANIFEST: &str = "shard.json";
/// Each student's result, in their folder of a shard result.
pub(super) const GRADED: &str = "graded.json";
/// What a manifest's `format` says, and a merge requires.
const FORMAT: &str = "socket-lab-shard/1";

/// `shard.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    pub grader: Grader,
    /// Of the instructor's workspace: the files its student edition is
    /// made from (every task's sources, the grader's), by path, less
    /// `grading.toml`.
    pub workspace: String,
    /// Of the `grading.toml` in force, `none` without one.
    pub policy: String,
    pub class: Class,
    /// This shard: K of N.
    pub k: u32,
    pub n: u32,
    /// The class's students in other shards: not unpacked, not built.
    pub skipped: usize,
    pub students: Vec<Student>,
}

/// The grader that graded a shard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Grader {
    pub version: String,
    /// Of its executable: two builds of one version differ here.
    pub binary: String,
}

/// The class download a shard is part of.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Class {
    /// Of its students' keys, in the download's order, each ended by a
    /// newline.
    pub keys: String,
    pub students: usize,
}

/// One student of a shard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Student {
    pub key: String,
    /// Their place in the download's order (by name): where the merge
    /// puts them back.
    pub index: usize,
    /// Their folder under `students/`.
    pub folder: String,
}

/// The grader whose executable is `exe`.
fn grader_of(exe: &Path) -> io::Result<Grader> {
    Ok(Grader {
        version: env!("CARGO_PKG_VERSION").to_string(),
        binary: blake3::hash(&fs::read(exe)?).to_hex().to_string(),
    })
}

/// The hashes of the instructor's `workspace` and of its `grading.toml`,
/// as a manifest holds them.
pub(super) fn workspace_of(workspace: &Path) -> io::Result<(String, String)> {
    let root = crate::cargo::Workspace::open(workspace)
        .map(|w| w.root)
        .unwrap_or_else(|_| workspace.to_path_buf());
    // grading.toml has a hash of its own: a changed policy is named as such.
    let mut files: Vec<_> = crate::starter::shipped(&root)?
        .into_iter()
        .filter(|f| !f.ends_with(crate::policy::FILE))
        .collect();
    files.sort();
    let mut hasher = blake3::Hasher::new();
    for relative in files {
        let bytes = fs::read(root.join(&relative))?;
        let name = relative.to_string_lossy();
        // Each file as its name, a NUL, its length and its bytes: no two
        // workspaces hash alike by moving bytes from one file to the next.
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let policy = match Policy::file(workspace) {
        Some(path) => blake3::hash(&fs::read(path)?).to_hex().to_string(),
        None => "none".to_string(),
    };
    Ok((hasher.finalize().to_hex().to_string(), policy))
}

/// The hash of a download's keys, as [`Class::keys`] says.
fn class_of(download: &Download) -> Class {
    let mut hasher = blake3::Hasher::new();
    for who in &download.students {
        hasher.update(who.key.as_bytes());
        hasher.update(b"\n");
    }
    Class {
        keys: hasher.finalize().to_hex().to_string(),
        students: download.students.len(),
    }
}

/// Writes the shard result of `results` (the shard's students, graded)
/// into `options.output.out`.
pub(super) fn write(
    options: &Options,
    download: &Download,
    shard: Shard,
    results: &[Graded],
) -> Result<(), BatchError> {
    let out = &options.output.out;
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BatchError::Write { path, source }
    };
    let grader = grader_of(&options.grader).map_err(failed(&options.grader))?;
    let (workspace, policy) =
        workspace_of(&options.output.workspace).map_err(failed(&options.output.workspace))?;
    let mut students = Vec::new();
    for graded in results {
        let folder = super::write::folder_of(graded);
        let path = out.join(&folder);
        fresh_folder(&path)?;
        from_submission(graded, &path).map_err(failed(&path))?;
        let json = serde_json::to_string(graded).map_err(|e| failed(&path)(io::Error::other(e)))?;
        fs::write(path.join(GRADED), json).map_err(failed(&path))?;
        students.push(Student {
            key: graded.student.clone(),
            index: download
                .students
                .iter()
                .position(|s| s.key == graded.student)
                .unwrap_or(usize::MAX),
            folder: folder.trim_start_matches("students/").to_string(),
        });
    }
    let manifest = Manifest {
        format: FORMAT.to_string(),
        grader,
        workspace,
        policy,
        class: class_of(download),
        k: shard.k,
        n: shard.n,
        skipped: download.students.len() - results.len(),
        students,
    };
    let path = out.join(MANIFEST);
    let _ = fs::remove_file(&path);
    let json =
        serde_json::to_string_pretty(&manifest).map_err(|e| failed(&path)(io::Error::other(e)))?;
    fs::write(&path, json + "\n").map_err(failed(&path))
}

/// Reads the manifest of the shard result `dir`.
pub(super) fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(dir.join(MANIFEST)).ok()?;
    serde_json::from_str::<Manifest>(&text)
        .ok()
        .filter(|m| m.format == FORMAT)
}

/// What `grader batch --shard` prints: the download, a line per student of
/// the shard, how many were left to other shards, where the result is.
pub fn summary(download: &Download, results: &[Graded], out: &Path, shard: Shard) -> String {
    format!(
        "{}\nShard {} of {}: {} of {} students; {} skipped (in other shards, not unpacked or built)\n{}Wrote the shard result to {} (merge it with `grader merge`)\n",
        crate::show::inert(&download.summary()),
        shard.k,
        shard.n,
        results.len(),
        download.students.len(),
        download.students.len() - results.len(),
        super::lines(results),
        out.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shard_hash_is_blake3_of_the_key() {
        // BLAKE3 of "" begins af1349b9f5f9a1a6: little-endian, 0xa6a1…af.
        assert_eq!(
            shard_of("", u32::MAX),
            (0xa6a1_f9f5_b949_13af_u64 % 0xffff_ffff) as u32 + 1
        );
        // Every key falls in exactly one shard.
        let keys: Vec<String> = (0..100).map(|i| format!("student{i}")).collect();
        for key in &keys {
            let holders = (1..=4).filter(|&k| holds(Shard { k, n: 4 }, key)).count();
            assert_eq!(holders, 1, "{key}");
        }
        // A class of 1 000 in 10 and in 50 shards: the largest shard, which
        // sets the wall time, within half again of the mean.
        let class: Vec<String> = (1..=1000).map(|i| format!("s{i:04}")).collect();
        for n in [10, 50] {
            let sizes: Vec<usize> = (1..=n)
                .map(|k| class.iter().filter(|key| shard_of(key, n) == k).count())
                .collect();
            let largest = sizes.iter().max().copied().unwrap_or_default();
            eprintln!("1000 keys in {n} shards: {sizes:?}");
            assert!(largest * 2 <= 1000 / n as usize * 3, "{sizes:?}");
        }
        // And the shards are not all in one.
        for k in 1..=4 {
            let held = keys
                .iter()
                .filter(|key| holds(Shard { k, n: 4 }, key))
                .count();
            assert!((10..=40).contains(&held), "shard {k} holds {held} of 100");
        }
    }
}
