//! The confined build's jail: what cargo and rustc see of the files, the
//! toolchain they run, and the command set up to run them as the
//! submission's user ([`confine`]).
//!
//! The view is a fresh tmpfs over `/tmp` in the build's own mount
//! namespace, holding the laid workspace, its target folder, the
//! toolchain's sysroot and the registry's crates (the last two read-only);
//! landlock adds the system's libraries and tools, and nothing else of the
//! host. Paths cargo reports from inside the view are mapped back by
//! [`outside`].

use super::plan::{Handed, View};
use super::{Jail, Limits};
use landlock::{
    Access, AccessFs, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope, ABI,
};
use nix::fcntl::OFlag;
use nix::mount::{mount, MsFlags};
use serde::{Deserialize, Serialize};
use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The build's view of the files, laid in its own mount namespace on a
/// fresh tmpfs over `/tmp` (a path every user can cross, whatever `TMPDIR`
/// is): the laid workspace, its target folder, the toolchain's sysroot and
/// the registry's crates, each bound there. The toolchain and the registry
/// are bound read-only; the build's user owns only the target folder, the
/// lock file and its cargo home.
///
/// The view is laid in the jail's own scratch folder first (the sources
/// may be under `/tmp` themselves), then moved over `/tmp` whole.
#[derive(Serialize, Deserialize)]
pub struct Mounts {
    staging: CString,
    /// Folders made in the staging tmpfs, in order; the ones marked `true`
    /// are given to the build's user.
    folders: Vec<(CString, bool)>,
    binds: Vec<Bind>,
    cwd: CString,
}

#[derive(Serialize, Deserialize)]
struct Bind {
    source: CString,
    target: CString,
    read_only: bool,
}

/// Where each part of the view is, inside the build's namespace.
const ROOT: &str = "/tmp";
pub(super) const WORKSPACE_IN: &str = "/tmp/ws";
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
#[derive(Clone)]
pub struct Toolchain {
    pub sysroot: PathBuf,
    pub registry: PathBuf,
}

impl Toolchain {
    /// The toolchain of `workspace`, asked once per grader: every
    /// workspace a grader builds (the edition, the submission laid on it)
    /// shares the instructor's `rust-toolchain.toml`.
    pub fn of(workspace: &Path) -> io::Result<Toolchain> {
        static FOUND: std::sync::Mutex<Option<Toolchain>> = std::sync::Mutex::new(None);
        let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(toolchain) = found.as_ref() {
            return Ok(toolchain.clone());
        }
        let toolchain = Self::ask(workspace)?;
        *found = Some(toolchain.clone());
        Ok(toolchain)
    }

    /// Asks `rustc --print sysroot` in `workspace` (so rustup honours its
    /// `rust-toolchain.toml`), preferring the `rustc` beside the cargo
    /// that runs the grader.
    fn ask(workspace: &Path) -> io::Result<Toolchain> {
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
    let jail = Jail {
        limits: build_limits(),
        ..jail.clone()
    };
    let cargo = format!("{TOOLCHAIN_IN}/bin/cargo");
    let plan = jail.plan(View::Build(mounts), &cargo, Path::new(&cargo), None)?;
    // `cargo_build_with` made this command and set nothing on it yet; it
    // adds cargo's arguments after the launcher's own.
    *command = plan.command(Handed::default())?;
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
    Ok(())
}

/// `path` as the grader sees it, for a path cargo named inside the view.
pub(super) fn outside(path: &Path, target: &Path) -> PathBuf {
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
pub(super) fn build_ruleset() -> Result<RulesetCreated, Box<dyn std::error::Error + Send + Sync>> {
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
