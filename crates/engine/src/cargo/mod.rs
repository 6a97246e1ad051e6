//! Building the tasks and finding their executables from cargo's own output.
//!
//! `cargo build --keep-going --message-format=json` builds every task that
//! compiles even when another does not, and reports each executable's
//! path (so `CARGO_TARGET_DIR` and any profile just work) and each compiler
//! error with the package it belongs to. Plain `json` rather than
//! `json-render-diagnostics`: the latter prints errors as text on stderr,
//! where they can't be told apart by package.
//!
//! A submission's build compiles only the graded binaries (`--bin` each),
//! and keeps a few errors of each, each cut short: what a report shows of
//! a build is bounded whatever the sources hold.

use cargo_metadata::{Message, Metadata, MetadataCommand, PackageId};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::SystemTime;
use thiserror::Error;

mod built;
mod offline;

pub use built::Built;
pub use offline::{resolve_offline, trim_lockfile};

#[derive(Debug, Error)]
pub enum BuildError {
    #[error("could not read the workspace at {dir}: {reason}")]
    Metadata { dir: PathBuf, reason: String },
    #[error("could not run cargo: {0}")]
    Spawn(std::io::Error),
    #[error("cargo failed before building anything:\n{0}")]
    Cargo(String),
    /// Cargo could not read or resolve the workspace offline; `reason` is
    /// its own message.
    #[error("cargo cannot resolve {dir} offline: {reason}")]
    Unresolved { dir: PathBuf, reason: String },
    #[error("could not trim {dir}/Cargo.lock offline (build the workspace once, so cargo has its crates' index): {reason}")]
    Lockfile { dir: PathBuf, reason: String },
}

/// A cargo workspace holding the tasks.
pub struct Workspace {
    pub root: PathBuf,
    metadata: Metadata,
}

impl Workspace {
    /// The workspace `dir` is in.
    pub fn open(dir: &Path) -> Result<Workspace, BuildError> {
        let metadata = MetadataCommand::new()
            .cargo_path(cargo())
            .current_dir(dir)
            .no_deps()
            .exec()
            .map_err(|e| BuildError::Metadata {
                dir: dir.to_path_buf(),
                reason: e.to_string(),
            })?;
        Ok(Workspace {
            root: metadata.workspace_root.clone().into_std_path_buf(),
            metadata,
        })
    }

    /// The workspace's target folder (`CARGO_TARGET_DIR` where set).
    pub fn target_dir(&self) -> PathBuf {
        self.metadata.target_directory.clone().into_std_path_buf()
    }

    /// Whether the workspace has a package called `name`.
    pub fn has_package(&self, name: &str) -> bool {
        self.metadata
            .workspace_packages()
            .iter()
            .any(|p| p.name.as_str() == name)
    }

    fn package_names(&self) -> HashMap<PackageId, String> {
        self.metadata
            .workspace_packages()
            .iter()
            .map(|p| (p.id.clone(), p.name.to_string()))
            .collect()
    }

    /// Builds the binaries of `packages`, going on past any that fail.
    pub fn build(&self, packages: &[&str]) -> Result<Built, BuildError> {
        self.cargo_build(packages, &["--bins"])
    }

    /// Builds the examples of `packages` (the grader's gallery of solutions).
    pub fn build_examples(&self, packages: &[&str]) -> Result<Built, BuildError> {
        self.cargo_build(packages, &["--examples"])
    }

    /// Builds the binaries of `packages` optimised, for benchmarks.
    pub fn build_release(&self, packages: &[&str]) -> Result<Built, BuildError> {
        self.cargo_build(packages, &["--bins", "--release"])
    }

    /// Builds the binaries of `packages` in the target folder `shared`,
    /// which many workspaces (the submissions of a class) share, so that
    /// their dependencies are compiled once.
    ///
    /// Builds take turns under a lock on `shared`, and each task's
    /// executables are copied out, under the hash of the task's sources and
    /// the workspace's manifest and lock file, before the next build can
    /// overwrite them. A task whose sources were built before is not built
    /// again.
    pub fn build_shared(&self, packages: &[&str], shared: &Path) -> Result<Built, BuildError> {
        fs::create_dir_all(shared).map_err(BuildError::Spawn)?;
        let lock = fs::File::create(shared.join("grader.lock")).map_err(BuildError::Spawn)?;
        lock.lock().map_err(BuildError::Spawn)?;

        let mut built = Built::default();
        let mut missing = Vec::new();
        for &package in packages {
            let cache = shared
                .join("bins")
                .join(format!("{package}-{:016x}", self.source_hash(package)));
            match cached_executables(&cache) {
                Some(executables) => built.executables.extend(executables),
                None => missing.push((package, cache)),
            }
        }
        if missing.is_empty() {
            return Ok(built);
        }
        let names: Vec<&str> = missing.iter().map(|(package, _)| *package).collect();
        // Another workspace's build of the same package may have left newer
        // artifacts; sources touched now are newer still, so cargo rebuilds.
        for package in &names {
            touch_tree(&self.root.join(package).join("src")).map_err(BuildError::Spawn)?;
        }
        let fresh = self.build_graded(&names, &[], &|command| {
            shared_profile(command, &shared.join("target"));
            Ok(())
        })?;
        for (package, cache) in &missing {
            let bins = self.graded_bins(package);
            let all_built = bins.iter().all(|bin| fresh.executables.contains_key(bin));
            // Only a complete build is found again by its hash; the binaries
            // of a partial one are kept aside, for this grading alone.
            let keep = if all_built {
                cache.clone()
            } else {
                cache.with_extension("partial")
            };
            for bin in bins
                .iter()
                .filter(|bin| fresh.executables.contains_key(*bin))
            {
                fs::create_dir_all(&keep).map_err(BuildError::Spawn)?;
                let kept = keep.join(bin);
                fs::copy(&fresh.executables[bin], &kept).map_err(BuildError::Spawn)?;
                built.executables.insert(bin.clone(), kept);
            }
            built.take_errors(&fresh, package, &bins);
        }
        Ok(built)
    }

    /// The binaries of `package` that are graded: its task's server and
    /// client. A submission's extra binaries are never built, so nothing
    /// they make the compiler quote can reach a report.
    pub fn graded_bins(&self, package: &str) -> Vec<String> {
        let Some(task) = crate::tasks::all()
            .into_iter()
            .find(|task| task.package == package)
        else {
            return Vec::new();
        };
        let graded = [task.server_bin(), task.client_bin()];
        self.bin_names(package)
            .into_iter()
            .filter(|bin| graded.contains(bin))
            .collect()
    }

    /// `--bin NAME` for every graded binary of `packages`.
    pub(crate) fn graded_bin_args(&self, packages: &[&str]) -> Vec<String> {
        packages
            .iter()
            .flat_map(|package| self.graded_bins(package))
            .flat_map(|bin| ["--bin".to_string(), bin])
            .collect()
    }

    pub(crate) fn bin_names(&self, package: &str) -> Vec<String> {
        self.metadata
            .workspace_packages()
            .iter()
            .filter(|p| p.name.as_str() == package)
            .flat_map(|p| &p.targets)
            .filter(|t| t.is_bin())
            .map(|t| t.name.clone())
            .collect()
    }

    /// A hash of everything a task's executables are built from here.
    fn source_hash(&self, package: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        for file in ["Cargo.toml", "Cargo.lock"] {
            fs::read(self.root.join(file))
                .unwrap_or_default()
                .hash(&mut hasher);
        }
        let dir = self.root.join(package);
        fs::read(dir.join("Cargo.toml"))
            .unwrap_or_default()
            .hash(&mut hasher);
        let mut files = Vec::new();
        list_files(&dir.join("src"), &mut files);
        files.sort();
        for file in files {
            file.strip_prefix(&dir).unwrap_or(&file).hash(&mut hasher);
            fs::read(&file).unwrap_or_default().hash(&mut hasher);
        }
        hasher.finish()
    }

    /// `cargo build` of `packages`, with `targets` such as `--bins`.
    fn cargo_build(&self, packages: &[&str], targets: &[&str]) -> Result<Built, BuildError> {
        self.cargo_build_with(packages, targets, &|_| Ok(()))
    }

    /// `cargo build` of the graded binaries of `packages` (see
    /// [`Workspace::graded_bins`]), with `flags` such as `--offline`, the
    /// command set up further by `configure`. Nothing is built when none
    /// of them has a graded binary: cargo given no target would build all.
    pub fn build_graded(
        &self,
        packages: &[&str],
        flags: &[&str],
        configure: &dyn Fn(&mut Command) -> std::io::Result<()>,
    ) -> Result<Built, BuildError> {
        let bins = self.graded_bin_args(packages);
        if bins.is_empty() {
            return Ok(Built::default());
        }
        let targets: Vec<&str> = bins
            .iter()
            .map(String::as_str)
            .chain(flags.iter().copied())
            .collect();
        self.cargo_build_with(packages, &targets, configure)
    }

    /// `cargo build` of `packages` with `targets`, the command set up
    /// further by `configure` (its environment, a sandbox).
    pub(crate) fn cargo_build_with(
        &self,
        packages: &[&str],
        targets: &[&str],
        configure: &dyn Fn(&mut Command) -> std::io::Result<()>,
    ) -> Result<Built, BuildError> {
        let mut command = Command::new(cargo());
        configure(&mut command).map_err(BuildError::Spawn)?;
        command
            .current_dir(&self.root)
            .arg("build")
            .args(targets)
            .args(["--keep-going", "--message-format=json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for package in packages {
            command.args(["--package", package]);
        }
        let mut child = command.spawn().map_err(BuildError::Spawn)?;
        let mut stderr = child
            .stderr
            .take()
            .ok_or_else(|| BuildError::Cargo("no stderr".into()))?;
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });

        let names = self.package_names();
        let mut built = Built::default();
        let mut cut = BTreeMap::new();
        if let Some(stdout) = child.stdout.take() {
            for message in Message::parse_stream(BufReader::new(stdout)).flatten() {
                built.record(message, &names, &mut cut);
            }
        }
        built.note_cut(cut);
        let status = child.wait().map_err(BuildError::Spawn)?;
        let stderr = stderr.join().unwrap_or_default();
        if !status.success() && built.executables.is_empty() && built.errors.is_empty() {
            return Err(BuildError::Cargo(stderr.trim().to_string()));
        }
        Ok(built)
    }
}

/// Sets `command` to build in the target folder `dir` that submissions
/// share. Submissions are built once and run a few times: no debug info,
/// no incremental cache, which halves their build time.
fn shared_profile(command: &mut Command, dir: &Path) {
    command
        .env("CARGO_TARGET_DIR", dir)
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0");
}

/// The executables kept in `cache`, if a build left them there.
fn cached_executables(cache: &Path) -> Option<Vec<(String, PathBuf)>> {
    let entries: Vec<(String, PathBuf)> = fs::read_dir(cache)
        .ok()?
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    (!entries.is_empty()).then_some(entries)
}

pub fn list_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => list_files(&path, into),
            Ok(kind) if kind.is_file() => into.push(path),
            _ => {}
        }
    }
}

/// Sets every file's modification time under `dir` to now.
pub fn touch_tree(dir: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    list_files(dir, &mut files);
    let now = SystemTime::now();
    for file in files {
        fs::File::options()
            .write(true)
            .open(&file)?
            .set_modified(now)?;
    }
    Ok(())
}

/// The cargo that runs us (`cargo run` sets `CARGO`), else the one on PATH.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}
