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
//!   folder, the toolchain's sysroot and the registry's crates ([`Mounts`]),
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

use super::{Jail, Limits};
use crate::cargo::{BuildError, Built, Workspace};
use landlock::{
    Access, AccessFs, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope, ABI,
};
use nix::fcntl::OFlag;
use nix::fcntl::{renameat2, RenameFlags};
use nix::mount::{mount, MsFlags};
use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Where confined builds keep what they share: the seed target folders
/// and the executable store. Only the grader writes here.
///
/// An entry of the store is never replaced once made (a program may be
/// starting from it), and programs are started from a descriptor of the
/// entry they were checked against ([`super::jail`]). The store is kept
/// under [`Store::CAP`] by dropping entries no run has used for an hour.
pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    /// The largest executable the store takes: a task's debug build is a
    /// few MiB; anything near this was built to fill the disk.
    pub const LARGEST: u64 = 64 << 20;
    /// The size past which old entries are dropped.
    pub const CAP: u64 = 2 << 30;
    /// How long an entry must have gone unused before it may be dropped:
    /// far longer than any run takes from finding an entry to starting it.
    const UNUSED: Duration = Duration::from_secs(3600);

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
        // Other users list nothing here; programs are started from
        // descriptors the grader opens.
        for folder in [&dir, &dir.join("exe")] {
            fs::set_permissions(folder, fs::Permissions::from_mode(0o711))?;
        }
        let store = Store { dir };
        store.evict(Self::CAP, Self::UNUSED);
        Ok(store)
    }

    /// `built` with every executable put in the store, so that what runs is
    /// what was built, whoever may write where it was built.
    pub fn reachable(&self, built: Built) -> io::Result<Built> {
        let mut kept = Built {
            errors: built.errors,
            target_errors: built.target_errors,
            ..Built::default()
        };
        for (bin, file) in built.executables {
            match self.keep(&file)? {
                Ok(file) => {
                    kept.executables.insert(bin, file);
                }
                Err(why) => {
                    kept.target_errors.insert(bin, vec![why]);
                }
            }
        }
        Ok(kept)
    }

    /// The executables an earlier build of the same sources left, as
    /// `index` lists them, when every one still matches its hash and every
    /// file that build read (its dep-info) is the same in `root`.
    fn cached(&self, index: &Path, root: &Path) -> Option<Vec<(String, PathBuf)>> {
        let text = fs::read_to_string(index).ok()?;
        let mut found = Vec::new();
        for line in text.lines() {
            let mut words = line.splitn(3, ' ');
            let (kind, hash, name) = (words.next()?, words.next()?, words.next()?);
            match kind {
                "bin" => {
                    let file = self.dir.join("exe").join(hash);
                    let bytes = fs::read(&file).ok()?;
                    if blake3::hash(&bytes).to_hex().as_str() != hash {
                        return None;
                    }
                    // Used now: not to be evicted for a while.
                    let _ = fs::File::open(&file)
                        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                    found.push((name.to_string(), file));
                }
                "read" => {
                    let bytes = fs::read(root.join(name)).ok()?;
                    if blake3::hash(&bytes).to_hex().as_str() != hash {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        (!found.is_empty()).then_some(found)
    }

    /// Writes `index`: which executables a build of some sources made, and
    /// every file of the workspace the compiler read for them.
    fn remember(
        &self,
        index: &Path,
        kept: &[(String, PathBuf)],
        read: &[(String, blake3::Hash)],
    ) -> io::Result<()> {
        let mut text: String = kept
            .iter()
            .filter_map(|(bin, file)| Some(format!("bin {} {bin}\n", file.file_name()?.to_str()?)))
            .collect();
        for (file, hash) in read {
            text.push_str(&format!("read {} {file}\n", hash.to_hex()));
        }
        if let Some(parent) = index.parent() {
            fs::create_dir_all(parent)?;
        }
        let partial = index.with_extension(format!("partial-{}", std::process::id()));
        fs::write(&partial, text)?;
        fs::rename(&partial, index)
    }

    /// Puts `file` in the store, named by its hash; returns where it is
    /// kept, or why it is not (too large). An entry already there is used
    /// only when it still holds exactly these bytes; an entry is never
    /// replaced.
    fn keep(&self, file: &Path) -> io::Result<Result<PathBuf, String>> {
        let size = fs::metadata(file)?.len();
        if size > Self::LARGEST {
            return Ok(Err(format!(
                "the executable is {} MiB, more than the {} MiB the grader runs",
                size >> 20,
                Self::LARGEST >> 20
            )));
        }
        let bytes = fs::read(file)?;
        let hash = blake3::hash(&bytes).to_hex();
        let kept = self.dir.join("exe").join(hash.as_str());
        if fs::read(&kept).ok().as_deref() == Some(&bytes[..]) {
            return Ok(Ok(kept));
        }
        let partial = kept.with_extension(format!("partial-{}", std::process::id()));
        fs::write(&partial, &bytes)?;
        fs::set_permissions(&partial, fs::Permissions::from_mode(0o555))?;
        match renameat2(
            nix::fcntl::AT_FDCWD,
            &partial,
            nix::fcntl::AT_FDCWD,
            &kept,
            RenameFlags::RENAME_NOREPLACE,
        ) {
            Ok(()) => Ok(Ok(kept)),
            // Another grader kept the same bytes first (its name is their
            // hash), or the entry was damaged: ours goes under a name of
            // its own, and the entry stays for whoever runs from it.
            Err(nix::errno::Errno::EEXIST) => {
                if fs::read(&kept).ok().as_deref() == Some(&bytes[..]) {
                    let _ = fs::remove_file(&partial);
                    return Ok(Ok(kept));
                }
                let own = kept.with_extension(format!("{}", std::process::id()));
                fs::rename(&partial, &own)?;
                Ok(Ok(own))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Drops the entries unused for `unused`, oldest first, while the
    /// store holds more than `cap` bytes.
    fn evict(&self, cap: u64, unused: Duration) {
        let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> =
            fs::read_dir(self.dir.join("exe"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| {
                    let meta = entry.metadata().ok()?;
                    Some((meta.modified().ok()?, meta.len(), entry.path()))
                })
                .collect();
        let mut total: u64 = entries.iter().map(|(_, size, _)| size).sum();
        entries.sort();
        for (used, size, file) in entries {
            if total <= cap {
                break;
            }
            if used.elapsed().is_ok_and(|age| age > unused) && fs::remove_file(&file).is_ok() {
                total -= size;
            }
        }
    }
}

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

/// The build's view of the files, laid in its own mount namespace on a
/// fresh tmpfs over `/tmp` (a path every user can cross, whatever `TMPDIR`
/// is): the laid workspace, its target folder, the toolchain's sysroot and
/// the registry's crates, each bound there. The toolchain and the registry
/// are bound read-only; the build's user owns only the target folder, the
/// lock file and its cargo home.
///
/// The view is laid in the jail's own scratch folder first (the sources
/// may be under `/tmp` themselves), then moved over `/tmp` whole.
pub struct Mounts {
    staging: CString,
    /// Folders made in the staging tmpfs, in order; the ones marked `true`
    /// are given to the build's user.
    folders: Vec<(CString, bool)>,
    binds: Vec<Bind>,
    cwd: CString,
}

struct Bind {
    source: CString,
    target: CString,
    read_only: bool,
}

/// Where each part of the view is, inside the build's namespace.
const ROOT: &str = "/tmp";
const WORKSPACE_IN: &str = "/tmp/ws";
const TARGET_IN: &str = "/tmp/target";
const TOOLCHAIN_IN: &str = "/tmp/toolchain";
const CARGO_HOME_IN: &str = "/tmp/cargo";
const REGISTRY_IN: &str = "/tmp/cargo/registry";

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::other(format!("{} has a NUL byte", path.display())))
}

impl Mounts {
    fn new(
        staging: &Path,
        workspace: &Path,
        target: &Path,
        toolchain: &Toolchain,
    ) -> io::Result<Mounts> {
        // A path of the view, as it is while being laid.
        let staged = |inside: &str| c_path(&staging.join(&inside[ROOT.len() + 1..]));
        let bind = |from: &Path, to: &str, read_only: bool| -> io::Result<Bind> {
            Ok(Bind {
                source: c_path(&from.canonicalize()?)?,
                target: staged(to)?,
                read_only,
            })
        };
        Ok(Mounts {
            staging: c_path(staging)?,
            folders: vec![
                (staged(WORKSPACE_IN)?, false),
                (staged(TARGET_IN)?, false),
                (staged(TOOLCHAIN_IN)?, false),
                (staged(CARGO_HOME_IN)?, true),
                (staged(REGISTRY_IN)?, false),
            ],
            binds: vec![
                bind(workspace, WORKSPACE_IN, false)?,
                bind(target, TARGET_IN, false)?,
                bind(&toolchain.sysroot, TOOLCHAIN_IN, true)?,
                bind(&toolchain.registry, REGISTRY_IN, true)?,
            ],
            cwd: c_path(Path::new(WORKSPACE_IN))?,
        })
    }

    /// Lays the view; runs in the forked child, as root, in its own mount
    /// namespace, making only system calls.
    pub(super) fn enter(&self, uid: u32) -> nix::Result<()> {
        mount(
            Some("grader-build"),
            self.staging.as_c_str(),
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some(c"size=16m,mode=0755"),
        )?;
        for (folder, owned) in &self.folders {
            nix::unistd::mkdir(
                folder.as_c_str(),
                nix::sys::stat::Mode::from_bits_truncate(0o755),
            )?;
            if *owned {
                nix::unistd::chown(
                    folder.as_c_str(),
                    Some(nix::unistd::Uid::from_raw(uid)),
                    Some(nix::unistd::Gid::from_raw(uid)),
                )?;
            }
        }
        for bind in &self.binds {
            let flags = MsFlags::MS_BIND | MsFlags::MS_REC;
            mount(
                Some(bind.source.as_c_str()),
                bind.target.as_c_str(),
                None::<&str>,
                flags,
                None::<&str>,
            )?;
            let remount = flags | MsFlags::MS_REMOUNT | MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
            mount(
                None::<&str>,
                bind.target.as_c_str(),
                None::<&str>,
                if bind.read_only {
                    remount | MsFlags::MS_RDONLY
                } else {
                    remount
                },
                None::<&str>,
            )?;
        }
        mount(
            Some(self.staging.as_c_str()),
            ROOT,
            None::<&str>,
            MsFlags::MS_MOVE,
            None::<&str>,
        )?;
        nix::unistd::chdir(self.cwd.as_c_str())
    }
    /// Adds the landlock rule for the view (made after the fork: the
    /// tmpfs did not exist before): everything under it may be read and
    /// written, as far as the mounts and file modes allow.
    pub(super) fn allow(
        &self,
        ruleset: Option<RulesetCreated>,
    ) -> io::Result<Option<RulesetCreated>> {
        let Some(ruleset) = ruleset else {
            return Ok(None);
        };
        let root = nix::fcntl::open(
            c"/tmp",
            OFlag::O_PATH | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )?;
        let rule = PathBeneath::new(root, AccessFs::from_all(ABI::V6));
        ruleset
            .add_rule(rule)
            .map(Some)
            .map_err(|_| io::Error::from_raw_os_error(libc::EPERM))
    }
}

/// The toolchain a confined build uses: the sysroot of the workspace's
/// `rustc` (its `cargo` and `rustc` are in its `bin`), and the registry's
/// crates.
pub struct Toolchain {
    pub sysroot: PathBuf,
    pub registry: PathBuf,
}

impl Toolchain {
    /// Asks `rustc --print sysroot` in `workspace` (so rustup honours its
    /// `rust-toolchain.toml`), preferring the `rustc` beside the cargo
    /// that runs the grader.
    pub fn of(workspace: &Path) -> io::Result<Toolchain> {
        let rustc = crate::cargo::cargo()
            .canonicalize()
            .ok()
            .and_then(|cargo| Some(cargo.parent()?.join("rustc")))
            .filter(|rustc| rustc.is_file())
            .unwrap_or_else(|| PathBuf::from("rustc"));
        let output = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .current_dir(workspace)
            .stdin(std::process::Stdio::null())
            .output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "`{} --print sysroot` failed: {}",
                rustc.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if !sysroot.join("bin/cargo").is_file() {
            return Err(io::Error::other(format!(
                "the toolchain at {} has no bin/cargo",
                sysroot.display()
            )));
        }
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
            .ok_or_else(|| io::Error::other("neither CARGO_HOME nor HOME is set"))?;
        Ok(Toolchain {
            sysroot,
            registry: cargo_home.join("registry"),
        })
    }
}

/// The limits a build runs under, beside the submission's budget.
fn build_limits() -> Limits {
    Limits {
        processes: 512,
        memory: 4 << 30,
        open_files: 1024,
        file_size: 512 << 20,
        cpu_seconds: 600,
        scratch_bytes: 0,
    }
}

/// Sets `command` (a cargo build of `workspace`) up to run in `jail`: the
/// toolchain's own cargo as the jail's user, in a PID and mount namespace
/// of its own with the view of [`Mounts`], an environment of nothing but
/// the paths of that view, landlock rules that read only the system's
/// libraries and tools and write only the view, and the build's limits.
/// The executables cargo names are under [`TARGET_IN`]: [`outside`] maps
/// them back.
pub fn confine(
    command: &mut Command,
    jail: &Jail,
    target: &Path,
    workspace: &Path,
) -> io::Result<()> {
    let toolchain = Toolchain::of(workspace)?;
    fs::create_dir_all(target.join("tmp"))?;
    give(target, jail.uid, jail.gid)?;
    let mounts = Mounts::new(&jail.scratch, workspace, target, &toolchain)?;
    let ruleset = build_ruleset().map_err(io::Error::other)?;
    let jail = Jail {
        limits: build_limits(),
        ..jail.clone()
    };
    let mut prepared = jail.prepare_build(mounts, ruleset)?;
    // `cargo_build_with` made this command and set nothing on it yet: the
    // program is the toolchain's cargo, as the view shows it.
    *command = Command::new(format!("{TOOLCHAIN_IN}/bin/cargo"));
    command
        .env_clear()
        .env("PATH", format!("{TOOLCHAIN_IN}/bin:/usr/bin:/bin"))
        .env("HOME", CARGO_HOME_IN)
        .env("CARGO_HOME", CARGO_HOME_IN)
        .env("RUSTC", format!("{TOOLCHAIN_IN}/bin/rustc"))
        .env("CARGO_TARGET_DIR", TARGET_IN)
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .env("TMPDIR", format!("{TARGET_IN}/tmp"));
    // SAFETY: `enter` makes only async-signal-safe calls; whatever
    // allocates was done above.
    unsafe {
        command.pre_exec(move || prepared.enter());
    }
    Ok(())
}

/// `path` as the grader sees it, for a path cargo named inside the view.
fn outside(path: &Path, target: &Path) -> PathBuf {
    match path.strip_prefix(TARGET_IN) {
        Ok(rest) => target.join(rest),
        Err(_) => path.to_path_buf(),
    }
}

/// Gives the folder `dir`, and everything in it, to `uid`:`gid`.
fn give(dir: &Path, uid: u32, gid: u32) -> io::Result<()> {
    std::os::unix::fs::lchown(dir, Some(uid), Some(gid))?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            give(&entry.path(), uid, gid)?;
        } else {
            std::os::unix::fs::lchown(entry.path(), Some(uid), Some(gid))?;
        }
    }
    Ok(())
}

/// The build's landlock rules, before the view exists: read and run the
/// system's libraries and tools (the linker among them), the loader's
/// cache, and `/dev/null`, `/dev/zero`, `/dev/urandom`; nothing else of
/// the host. Signals and abstract sockets stay within the build.
fn build_ruleset() -> Result<RulesetCreated, Box<dyn std::error::Error + Send + Sync>> {
    let abi = ABI::V6;
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))?
        .scope(Scope::Signal | Scope::AbstractUnixSocket)?
        .create()?;
    for dir in ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"] {
        if let Ok(fd) = PathFd::new(dir) {
            ruleset = ruleset.add_rule(PathBeneath::new(fd, AccessFs::from_read(abi)))?;
        }
    }
    let read = AccessFs::ReadFile.into();
    let rw = AccessFs::ReadFile | AccessFs::WriteFile;
    for (file, access) in [
        ("/etc/ld.so.cache", read),
        ("/dev/null", rw),
        ("/dev/zero", read),
        ("/dev/urandom", read),
    ] {
        if let Ok(fd) = PathFd::new(file) {
            ruleset = ruleset.add_rule(PathBeneath::new(fd, access))?;
        }
    }
    Ok(ruleset)
}
