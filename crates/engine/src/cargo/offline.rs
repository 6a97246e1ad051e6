//! Asking cargo, offline, what it can resolve: whether a laid submission
//! resolves from the crates already in the registry, and a student
//! edition's lock file trimmed to what it needs.

use super::built::cut_short;
use super::{cargo, BuildError};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Whether cargo can read the workspace at `dir` and resolve its
/// dependencies offline, from the crates already in the registry:
/// `cargo metadata` does both and builds nothing. On success the lock file
/// is brought up to date; on failure it is left as it was, and
/// [`BuildError::Unresolved`] holds cargo's reason.
pub fn resolve_offline(
    dir: &Path,
    configure: &dyn Fn(&mut Command) -> std::io::Result<()>,
) -> Result<(), BuildError> {
    let mut command = Command::new(cargo());
    configure(&mut command).map_err(BuildError::Spawn)?;
    let output = command
        .current_dir(dir)
        .args(["metadata", "--offline", "--format-version", "1"])
        // For this machine only, as the build is: otherwise cargo reads
        // the manifest of every crate of every platform (Windows' and
        // macOS' too), which a machine that only ever built for itself
        // has not downloaded, and no workspace resolves offline.
        .args(host().iter().flat_map(|host| ["--filter-platform", host]))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(BuildError::Spawn)?;
    if !output.status.success() {
        return Err(BuildError::Unresolved {
            dir: dir.to_path_buf(),
            reason: cargo_reason(&String::from_utf8_lossy(&output.stderr)),
        });
    }
    Ok(())
}

/// The line of cargo's error text that says why: the innermost cause
/// (after the last `Caused by:`), else the `error:` line, cut short.
fn cargo_reason(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
    let cause = match lines.iter().rposition(|line| *line == "Caused by:") {
        Some(at) => lines[at + 1..].iter().find(|line| !line.is_empty()),
        None => lines.iter().find(|line| line.starts_with("error:")),
    };
    let reason = cause
        .or_else(|| lines.iter().find(|line| !line.is_empty()))
        .map_or("cargo said nothing", |line| {
            line.trim_start_matches("error:").trim()
        });
    cut_short(reason, 300)
}

/// Drops from the `Cargo.lock` of the workspace at `dir` the packages it no
/// longer needs (a student edition has no dev-dependencies), changing no
/// version: `cargo update --workspace` re-resolves only the workspace's own
/// packages. Offline, so it never reaches for the network: the index of
/// every crate left was cached when the workspace was built.
pub fn trim_lockfile(dir: &Path) -> Result<(), BuildError> {
    let output = Command::new(cargo())
        .current_dir(dir)
        .args(["update", "--workspace", "--offline", "--quiet"])
        .stdin(Stdio::null())
        .output()
        .map_err(BuildError::Spawn)?;
    if !output.status.success() {
        return Err(BuildError::Lockfile {
            dir: dir.to_path_buf(),
            reason: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(())
}

/// The target triple of this machine's rustc (`rustc -vV`), once.
fn host() -> Option<&'static str> {
    static HOST: OnceLock<Option<String>> = OnceLock::new();
    HOST.get_or_init(|| {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let output = Command::new(rustc).arg("-vV").output().ok()?;
        String::from_utf8(output.stdout)
            .ok()?
            .lines()
            .find_map(|line| line.strip_prefix("host: "))
            .map(str::to_string)
    })
    .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_s_reason_is_its_innermost_cause_or_its_error_line() {
        let unresolved = "error: no matching package named `terminal_size` found\n\
            location searched: crates.io index\n\
            required by package `clap_builder v4.6.7`\n";
        assert_eq!(
            cargo_reason(unresolved),
            "no matching package named `terminal_size` found"
        );
        let unreadable = "error: failed to load manifest for workspace member `/tmp/w/task01`\n\
            referenced by workspace at `/tmp/w/Cargo.toml`\n\nCaused by:\n  \
            failed to parse manifest at `/tmp/w/task01/Cargo.toml`\n\nCaused by:\n  \
            the binary target name `build` is forbidden\n";
        assert_eq!(
            cargo_reason(unreadable),
            "the binary target name `build` is forbidden"
        );
        assert_eq!(cargo_reason(""), "cargo said nothing");
    }
}
