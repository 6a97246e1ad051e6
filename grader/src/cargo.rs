//! Building the tasks and finding their executables from cargo's own output.
//!
//! `cargo build --bins --keep-going --message-format=json` builds every task
//! that compiles even when another does not, and reports each executable's
//! path (so `CARGO_TARGET_DIR` and any profile just work) and each compiler
//! error with the package it belongs to. Plain `json` rather than
//! `json-render-diagnostics`: the latter prints errors as text on stderr,
//! where they can't be told apart by package.

use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::{Message, Metadata, MetadataCommand, PackageId};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use thiserror::Error;

/// How many compiler errors of a task are kept for its report.
const ERRORS_KEPT: usize = 3;

#[derive(Debug, Error)]
pub enum BuildError {
    #[error("could not read the workspace at {dir}: {reason}")]
    Metadata { dir: PathBuf, reason: String },
    #[error("could not run cargo: {0}")]
    Spawn(std::io::Error),
    #[error("cargo failed before building anything:\n{0}")]
    Cargo(String),
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
        let mut command = Command::new(cargo());
        command
            .current_dir(&self.root)
            .args(["build", "--bins", "--keep-going", "--message-format=json"])
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
        if let Some(stdout) = child.stdout.take() {
            for message in Message::parse_stream(BufReader::new(stdout)).flatten() {
                built.record(message, &names);
            }
        }
        let status = child.wait().map_err(BuildError::Spawn)?;
        let stderr = stderr.join().unwrap_or_default();
        if !status.success() && built.executables.is_empty() && built.errors.is_empty() {
            return Err(BuildError::Cargo(stderr.trim().to_string()));
        }
        Ok(built)
    }
}

/// The cargo that runs us (`cargo run` sets `CARGO`), else the one on PATH.
fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// What a build produced.
#[derive(Debug, Default)]
pub struct Built {
    /// Binary name → executable.
    pub executables: BTreeMap<String, PathBuf>,
    /// Package name → its first compiler errors, rendered.
    pub errors: BTreeMap<String, Vec<String>>,
}

impl Built {
    fn record(&mut self, message: Message, names: &HashMap<PackageId, String>) {
        match message {
            Message::CompilerArtifact(artifact) => {
                if let Some(exe) = artifact.executable {
                    self.executables
                        .insert(artifact.target.name.to_string(), exe.into_std_path_buf());
                }
            }
            Message::CompilerMessage(message)
                if message.message.level == DiagnosticLevel::Error =>
            {
                let Some(package) = names.get(&message.package_id) else {
                    return;
                };
                let errors = self.errors.entry(package.clone()).or_default();
                if errors.len() < ERRORS_KEPT {
                    let rendered = message.message.rendered.unwrap_or(message.message.message);
                    errors.push(rendered.trim_end().to_string());
                }
            }
            _ => {}
        }
    }

    pub fn executable(&self, bin: &str) -> Option<&Path> {
        self.executables.get(bin).map(PathBuf::as_path)
    }
}
