//! Building a submission, confined.
//!
//! A submission is compiled from its own sources laid on the student
//! edition (never on the reference solutions), with no build scripts,
//! proc-macros or dependencies of its own (see [`crate::submission`]), so
//! no code of the student's runs while it builds. What the compiler may
//! still be asked to do — `include_str!`, `include_bytes!`, `#[path]`,
//! `env!` — is fenced by running the build in the submission's [`Jail`]:
//! - as the submission's unprivileged user, in a PID and mount namespace of
//!   its own with a private `/proc`;
//! - seeing, under a fresh `/tmp`, only the laid workspace, its target
//!   folder, the toolchain's sysroot and the registry's crates ([`super::view::Mounts`]),
//!   the last two read-only; landlock adds the system's libraries and tools
//!   and `/dev/null`, `/dev/zero`, `/dev/urandom`, and nothing else: no
//!   `/etc`, no home folder, no other submission;
//! - with an environment of nothing but those paths (no token or secret of
//!   the grader's can be read by `env!`), the build's rlimits, and the
//!   submission's budget of memory and processes;
//! - every submission has a target folder of its own, seeded with the
//!   dependencies compiled once from the student edition, so no build sees
//!   another student's artifacts.
//!
//! Executables of jailed programs are run from a [`Store`]: each file named
//! by its BLAKE3 hash, written by the grader, never replaced, and compared
//! with the fresh build before it is used. A build found in the store is
//! reused only when every file its compiler read (cargo's dep-info) is the
//! same, with the same toolchain.

use super::store::Store;
use super::view::{confine, outside, Toolchain, WORKSPACE_IN};
use super::Jail;
use crate::cargo::{BuildError, Built, Workspace};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Builds `packages` of the laid submission `workspace` in `jail`, with
/// dependencies seeded from `edition` (the student edition it was laid
/// on); the executables are put in `store`. A package whose sources were
/// built before (by any submission, with the same toolchain) is taken from
/// the store instead, once its executables are checked against their
/// hashes and every file its build read is found the same.
pub fn build(
    workspace: &Workspace,
    edition: &Path,
    packages: &[&str],
    seeds: &Path,
    store: &Store,
    jail: &Jail,
) -> Result<Built, BuildError> {
    let spawn = BuildError::Spawn;
    let toolchain = Toolchain::of(&workspace.root).map_err(spawn)?;
    let mut built = Built::default();
    let mut missing = Vec::new();
    for &package in packages {
        let index = seeds.join("built").join(format!(
            "{package}-{}",
            source_hash(&workspace.root, package, &toolchain)
        ));
        match store.cached(&index, &workspace.root) {
            Some(executables) => built.executables.extend(executables),
            None => missing.push((package, index)),
        }
    }
    if missing.is_empty() {
        return Ok(built);
    }
    let names: Vec<&str> = missing.iter().map(|(package, _)| *package).collect();
    let seed = seed(edition, seeds, jail)?;
    let target = workspace.root.join("target");
    copy_dir(&seed, &target).map_err(spawn)?;
    // Sources laid now are newer than anything in the seed: cargo rebuilds
    // every task crate and none of the dependencies.
    for package in &names {
        crate::cargo::touch_tree(&workspace.root.join(package)).map_err(spawn)?;
    }
    // A task that adds an allowed crate has cargo update the lock file.
    std::os::unix::fs::lchown(
        workspace.root.join("Cargo.lock"),
        Some(jail.uid),
        Some(jail.gid),
    )
    .map_err(spawn)?;
    let budget = jail.budget.as_ref().ok();
    let before = budget.map(|budget| budget.counters());
    let fresh = workspace.build_graded(&names, &["--offline"], &|command| {
        confine(command, jail, &target, &workspace.root)
    })?;
    // A compiler the budget stopped (killed for memory, refused a thread)
    // says nothing of it: the build errors say which cap it hit.
    let stopped: Vec<String> = match (budget, &before) {
        (Some(budget), Some(before)) => budget
            .hit_since(before)
            .into_iter()
            .map(|cap| format!("the build was stopped: {cap}"))
            .collect(),
        _ => Vec::new(),
    };
    for (package, index) in &missing {
        let bins = workspace.graded_bins(package);
        let mut kept = Vec::new();
        let mut refused = Vec::new();
        for bin in &bins {
            if let Some(file) = fresh.executables.get(bin) {
                match store.keep(&outside(file, &target)).map_err(spawn)? {
                    Ok(file) => kept.push((bin.clone(), file)),
                    Err(why) => refused.push((bin.clone(), why)),
                }
            }
        }
        if kept.len() == bins.len() {
            let read = read_by_build(&target, package, &bins, &workspace.root);
            store.remember(index, &kept, &read).map_err(spawn)?;
        }
        built.executables.extend(kept);
        built.take_errors(&fresh, package, &bins);
        for bin in bins
            .iter()
            .filter(|bin| !built.executables.contains_key(*bin))
        {
            if !stopped.is_empty() {
                built
                    .target_errors
                    .entry(bin.clone())
                    .or_default()
                    .extend(stopped.iter().cloned());
            }
        }
        for (bin, why) in refused {
            built.target_errors.insert(bin, vec![why]);
        }
    }
    Ok(built)
}

/// Every file of the workspace at `root` the compiler read to build
/// `package`'s library and `bins`, with its hash, from the dep-info cargo
/// left in `target` (an `include!` of another task's file shows there).
fn read_by_build(
    target: &Path,
    package: &str,
    bins: &[String],
    root: &Path,
) -> Vec<(String, blake3::Hash)> {
    let crates: Vec<String> = std::iter::once(package)
        .chain(bins.iter().map(String::as_str))
        .map(|name| name.replace('-', "_"))
        .collect();
    let mut read = std::collections::BTreeMap::new();
    for name in crates {
        let newest = fs::read_dir(target.join("debug/deps"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| {
                let file = entry.file_name();
                let file = file.to_string_lossy();
                file.ends_with(".d")
                    && file
                        .strip_prefix(&name)
                        .is_some_and(|rest| rest.starts_with('-'))
            })
            .max_by_key(|entry| entry.metadata().and_then(|m| m.modified()).ok());
        let Some(entry) = newest else { continue };
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        for file in dep_info_files(&text) {
            let relative = match Path::new(&file).strip_prefix(WORKSPACE_IN) {
                Ok(rest) => rest.to_path_buf(),
                Err(_) if Path::new(&file).is_relative() => PathBuf::from(&file),
                // The toolchain's and the registry's files: part of the
                // toolchain, in the key.
                Err(_) => continue,
            };
            let bytes = fs::read(root.join(&relative)).unwrap_or_default();
            read.insert(relative.display().to_string(), blake3::hash(&bytes));
        }
    }
    read.into_iter().collect()
}

/// The files a dep-info file (`target: dep dep…`) lists as read, from its
/// first rule: spaces in names are escaped with `\`.
fn dep_info_files(text: &str) -> Vec<String> {
    let Some((_, deps)) = text.lines().next().and_then(|line| line.split_once(": ")) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut current = String::new();
    let mut chars = deps.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ' ' => files.extend((!current.is_empty()).then(|| std::mem::take(&mut current))),
            c => current.push(c),
        }
    }
    files.extend((!current.is_empty()).then_some(current));
    files
}

/// A hash of everything `package` is built from in the workspace at
/// `root`, and of the toolchain that builds it.
fn source_hash(root: &Path, package: &str, toolchain: &Toolchain) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(toolchain.sysroot.as_os_str().as_encoded_bytes());
    if let Ok(meta) = fs::metadata(toolchain.sysroot.join("bin/rustc")) {
        hasher.update(&meta.len().to_le_bytes());
        if let Ok(modified) = meta.modified() {
            hasher.update(format!("{modified:?}").as_bytes());
        }
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        hasher.update(file.as_bytes());
        hasher.update(&fs::read(root.join(file)).unwrap_or_default());
    }
    let mut files = Vec::new();
    crate::cargo::list_files(&root.join(package), &mut files);
    files.sort();
    for file in files {
        let relative = file.strip_prefix(root).unwrap_or(&file);
        if relative.starts_with(Path::new(package).join("target")) {
            continue;
        }
        hasher.update(relative.as_os_str().as_encoded_bytes());
        hasher.update(&[0]);
        hasher.update(&fs::read(&file).unwrap_or_default());
    }
    hasher.finalize().to_hex()[..32].to_string()
}

/// A target folder with every task of the student edition `edition`
/// compiled, dependencies included: built once, in `jail`, under a lock,
/// and copied (never written) by every submission's build. `grader batch`
/// makes it before grading, so no submission's time budget pays for it.
/// Seeds of other editions unused for a day are dropped.
pub fn seed(edition: &Path, seeds: &Path, jail: &Jail) -> Result<PathBuf, BuildError> {
    let spawn = BuildError::Spawn;
    let workspace = Workspace::open(edition)?;
    let packages: Vec<&str> = crate::tasks::all()
        .iter()
        .map(|t| t.package)
        .filter(|p| workspace.has_package(p))
        .collect();
    fs::create_dir_all(seeds).map_err(spawn)?;
    let lock = fs::File::create(seeds.join("seed.lock")).map_err(spawn)?;
    lock.lock().map_err(spawn)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update(&fs::read(edition.join("Cargo.lock")).unwrap_or_default());
    for package in &packages {
        hasher.update(package.as_bytes());
        hasher.update(&fs::read(edition.join(package).join("Cargo.toml")).unwrap_or_default());
    }
    let seed = seeds.join(format!("seed-{}", &hasher.finalize().to_hex()[..16]));
    drop_stale_seeds(seeds, &seed);
    if seed.join("ready").exists() {
        let _ = fs::File::open(seed.join("ready"))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        return Ok(seed.join("target"));
    }
    let partial = seed.with_extension("partial");
    let _ = fs::remove_dir_all(&partial);
    let target = partial.join("target");
    fs::create_dir_all(&target).map_err(spawn)?;
    let built = workspace.build_graded(&packages, &["--offline"], &|command| {
        confine(command, jail, &target, &workspace.root)
    })?;
    if built.executables.is_empty() {
        return Err(BuildError::Cargo(format!(
            "the student edition did not build: {:?}",
            built.errors
        )));
    }
    fs::write(partial.join("ready"), "").map_err(spawn)?;
    let _ = fs::remove_dir_all(&seed);
    fs::rename(&partial, &seed).map_err(spawn)?;
    Ok(seed.join("target"))
}

/// Removes the seeds (other than `keep`) whose `ready` mark is older than
/// a day: an edition that changed leaves its old seed behind.
fn drop_stale_seeds(seeds: &Path, keep: &Path) {
    for entry in fs::read_dir(seeds).into_iter().flatten().flatten() {
        let path = entry.path();
        let stale = fs::metadata(path.join("ready"))
            .and_then(|m| m.modified())
            .is_ok_and(|t| {
                t.elapsed()
                    .is_ok_and(|age| age > Duration::from_secs(86_400))
            });
        if path != keep && stale {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Copies the folder `from` to `to`, keeping each file's modification time.
fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
            // Cargo compares the times of artifacts: a copy stamped "now",
            // file after file, would look newer than what was built from
            // it and everything would be built again.
            let modified = entry.metadata()?.modified()?;
            fs::File::options()
                .write(true)
                .open(&target)?
                .set_modified(modified)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_lists_every_file_of_its_first_rule() {
        let text = "/tmp/target/debug/deps/a-1.d: task01/src/bin/server.rs /tmp/ws/task02/src/my\\ file.rs\n\ntask01/src/bin/server.rs:\n";
        assert_eq!(
            dep_info_files(text),
            ["task01/src/bin/server.rs", "/tmp/ws/task02/src/my file.rs"]
        );
        assert!(dep_info_files("").is_empty());
    }
}
