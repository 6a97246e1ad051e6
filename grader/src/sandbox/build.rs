//! Building a submission, confined.
//!
//! A submission is compiled from its own sources laid on the student
//! edition (never on the reference solutions), with no build scripts,
//! proc-macros or dependencies of its own (see [`crate::submission`]), so
//! no code of the student's runs while it builds. What the compiler may
//! still be asked to do — `include_str!`, `#[path]`, `env!` — is fenced
//! here:
//! - cargo runs offline, with an environment of nothing but the paths it
//!   needs (no token or secret of the grader's can be read by `env!`);
//! - landlock lets it read only the system, the toolchain, the registry's
//!   sources and the laid workspace, and write only its own target folder;
//! - every submission has a target folder of its own, seeded with the
//!   dependencies compiled once from the student edition, so no build sees
//!   another student's artifacts.
//!
//! Executables of jailed programs are run from a [`Store`]: each file named
//! by its BLAKE3 hash, written by the grader, and compared with the fresh
//! build before it is used.

use crate::cargo::{BuildError, Built, Workspace};
use landlock::{
    Access, AccessFs, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, RulesetStatus, ABI,
};
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where confined builds keep what they share: the seed target folders
/// and the executable store. Only the grader writes here.
pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    pub fn new(dir: PathBuf) -> io::Result<Store> {
        fs::create_dir_all(dir.join("exe"))?;
        // A folder someone else made (or a link), in a shared temporary
        // folder, could be written by them: refuse it.
        let meta = fs::symlink_metadata(&dir)?;
        if !meta.is_dir()
            || std::os::unix::fs::MetadataExt::uid(&meta) != nix::unistd::geteuid().as_raw()
        {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{} is not a folder of the grader's own", dir.display()),
            ));
        }
        // Student programs (another user) must reach their executable by
        // path, and list nothing.
        for folder in [&dir, &dir.join("exe")] {
            fs::set_permissions(folder, fs::Permissions::from_mode(0o711))?;
        }
        Ok(Store { dir })
    }

    /// `built` with every executable a jailed program could not reach (a
    /// folder on its path is closed to other users) put in the store; the
    /// others are run where they are, as landlock lets a jailed program
    /// write none of them.
    pub fn reachable(&self, built: Built) -> io::Result<Built> {
        let mut kept = Built {
            errors: built.errors,
            target_errors: built.target_errors,
            ..Built::default()
        };
        for (bin, file) in built.executables {
            let file = if open_to_others(&file) {
                file
            } else {
                self.keep(&file)?
            };
            kept.executables.insert(bin, file);
        }
        Ok(kept)
    }

    /// The executables an earlier build of the same sources left, as
    /// `index` lists them, when every one still matches its hash.
    fn cached(&self, index: &Path) -> Option<Vec<(String, PathBuf)>> {
        let text = fs::read_to_string(index).ok()?;
        let mut found = Vec::new();
        for line in text.lines() {
            let (bin, hash) = line.split_once(' ')?;
            let file = self.dir.join("exe").join(hash);
            let bytes = fs::read(&file).ok()?;
            if blake3::hash(&bytes).to_hex().as_str() != hash {
                return None;
            }
            found.push((bin.to_string(), file));
        }
        (!found.is_empty()).then_some(found)
    }

    /// Writes `index`: which executables a build of some sources made.
    fn remember(&self, index: &Path, kept: &[(String, PathBuf)]) -> io::Result<()> {
        let text: String = kept
            .iter()
            .filter_map(|(bin, file)| Some(format!("{bin} {}\n", file.file_name()?.to_str()?)))
            .collect();
        if let Some(parent) = index.parent() {
            fs::create_dir_all(parent)?;
        }
        let partial = index.with_extension(format!("partial-{}", std::process::id()));
        fs::write(&partial, text)?;
        fs::rename(&partial, index)
    }

    /// Puts `file` in the store, named by its hash; returns where it is
    /// kept. A file already there is used only when it still holds exactly
    /// these bytes: whoever may have changed it, what runs is what was built.
    fn keep(&self, file: &Path) -> io::Result<PathBuf> {
        let bytes = fs::read(file)?;
        let kept = self
            .dir
            .join("exe")
            .join(blake3::hash(&bytes).to_hex().as_str());
        if fs::read(&kept).ok().as_deref() == Some(&bytes[..]) {
            return Ok(kept);
        }
        let partial = kept.with_extension(format!("partial-{}", std::process::id()));
        fs::write(&partial, &bytes)?;
        fs::set_permissions(&partial, fs::Permissions::from_mode(0o555))?;
        fs::rename(&partial, &kept)?;
        Ok(kept)
    }
}

/// Whether any user may run `file`: it and every folder above it are open
/// to others.
fn open_to_others(file: &Path) -> bool {
    let mode = |path: &Path| fs::metadata(path).map(|m| m.permissions().mode());
    mode(file).is_ok_and(|m| m & 0o005 == 0o005)
        && file
            .ancestors()
            .skip(1)
            .all(|dir| mode(dir).is_ok_and(|m| m & 0o001 != 0))
}

/// Builds `packages` of the laid submission `workspace`, confined, with
/// dependencies seeded from `edition` (the student edition it was laid
/// on); the executables are put in `store`. A package whose sources were
/// built before (by any submission) is taken from the store instead, once
/// its executables are checked against their hashes.
pub fn build(
    workspace: &Workspace,
    edition: &Path,
    packages: &[&str],
    seeds: &Path,
    store: &Store,
) -> Result<Built, BuildError> {
    let spawn = BuildError::Spawn;
    let mut built = Built::default();
    let mut missing = Vec::new();
    for &package in packages {
        let index = seeds.join("built").join(format!(
            "{package}-{}",
            source_hash(&workspace.root, package)
        ));
        match store.cached(&index) {
            Some(executables) => built.executables.extend(executables),
            None => missing.push((package, index)),
        }
    }
    if missing.is_empty() {
        return Ok(built);
    }
    let names: Vec<&str> = missing.iter().map(|(package, _)| *package).collect();
    let seed = seed(edition, seeds)?;
    let target = workspace.root.join("target");
    copy_dir(&seed, &target).map_err(spawn)?;
    // Sources laid now are newer than anything in the seed: cargo rebuilds
    // every task crate and none of the dependencies.
    for package in &names {
        crate::cargo::touch_tree(&workspace.root.join(package)).map_err(spawn)?;
    }
    let fresh = workspace.build_graded(&names, &["--offline"], &|command| {
        confine(command, &target, &workspace.root)
    })?;
    for (package, index) in &missing {
        let bins = workspace.graded_bins(package);
        let mut kept = Vec::new();
        for bin in &bins {
            if let Some(file) = fresh.executables.get(bin) {
                kept.push((bin.clone(), store.keep(file).map_err(spawn)?));
            }
        }
        if kept.len() == bins.len() {
            store.remember(index, &kept).map_err(spawn)?;
        }
        built.executables.extend(kept);
        built.take_errors(&fresh, package, &bins);
    }
    Ok(built)
}

/// A hash of everything `package` is built from in the workspace at `root`.
fn source_hash(root: &Path, package: &str) -> String {
    let mut hasher = blake3::Hasher::new();
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
/// compiled, dependencies included: built once, under a lock, and copied
/// (never written) by every submission's build. `grader batch` makes it
/// before grading, so no submission's time budget pays for it.
pub fn seed(edition: &Path, seeds: &Path) -> Result<PathBuf, BuildError> {
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
    if seed.join("ready").exists() {
        return Ok(seed.join("target"));
    }
    let partial = seed.with_extension("partial");
    let _ = fs::remove_dir_all(&partial);
    let target = partial.join("target");
    fs::create_dir_all(&target).map_err(spawn)?;
    let built = workspace.build_graded(&packages, &["--offline"], &|command| {
        confine(command, &target, &workspace.root)
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

/// The environment a confined cargo keeps: the paths it needs to find
/// itself, the toolchain and the registry, nothing else.
const KEPT_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
];

/// Sets `command` (a cargo build of `workspace`) up to run confined: a
/// clean environment, landlock reads of the system, the toolchain and
/// `workspace`, and writes to `target` and the workspace's lock file only.
fn confine(command: &mut Command, target: &Path, workspace: &Path) -> io::Result<()> {
    let kept: Vec<(String, String)> = KEPT_ENV
        .iter()
        .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?)))
        .collect();
    let temp = target.join("tmp");
    fs::create_dir_all(&temp)?;
    command
        .env_clear()
        .envs(kept)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .env("TMPDIR", &temp);
    let mut read: Vec<PathBuf> = toolchain();
    read.push(workspace.to_path_buf());
    let lock = workspace.join("Cargo.lock");
    let mut ruleset = Some(build_ruleset(&read, &[target, &lock]).map_err(io::Error::other)?);
    // SAFETY: restrict_self makes two system calls and allocates nothing
    // on success.
    unsafe {
        command.pre_exec(move || match ruleset.take() {
            Some(ruleset) => match ruleset.restrict_self() {
                Ok(status) if status.ruleset != RulesetStatus::NotEnforced => Ok(()),
                _ => Err(io::Error::from_raw_os_error(libc::EPERM)),
            },
            None => Ok(()),
        });
    }
    Ok(())
}

/// Where cargo, rustc and the registry live: `CARGO_HOME`, `RUSTUP_HOME`
/// (by default under `HOME`), and the folder of the cargo that runs.
fn toolchain() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let from_env = |name: &str, default: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    let mut dirs: Vec<PathBuf> = [
        from_env("CARGO_HOME", ".cargo"),
        from_env("RUSTUP_HOME", ".rustup"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let cargo = crate::cargo::cargo();
    if let Some(dir) = cargo
        .canonicalize()
        .ok()
        .and_then(|c| c.parent()?.parent().map(Path::to_path_buf))
    {
        dirs.push(dir);
    }
    dirs.extend(
        [
            "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev",
        ]
        .map(PathBuf::from),
    );
    dirs
}

fn build_ruleset(
    read: &[PathBuf],
    write: &[&Path],
) -> Result<RulesetCreated, Box<dyn std::error::Error + Send + Sync>> {
    let abi = ABI::V6;
    // The newest rights this kernel has (scoped signals need Linux 6.12);
    // a kernel with no landlock at all is refused when the rules are
    // enforced.
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))?
        .create()?;
    for dir in read {
        if let Ok(fd) = PathFd::new(dir) {
            ruleset = ruleset.add_rule(PathBeneath::new(fd, AccessFs::from_read(abi)))?;
        }
    }
    for writable in write.iter().copied().chain([Path::new("/dev/null")]) {
        if let Ok(fd) = PathFd::new(writable) {
            ruleset = ruleset.add_rule(PathBeneath::new(fd, AccessFs::from_all(abi)))?;
        }
    }
    Ok(ruleset)
}
