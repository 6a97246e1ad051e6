//! The sandbox as the engine sees it: the [`Jail`] is a [`Confinement`]
//! that each start of a program goes through, and [`Sandboxed`] the
//! [`Sandbox`] a run builds and confines a submission with.

use super::cgroup::{Budget, Counters};
use super::launcher::LARGEST_PLANT;
use super::plan::{c_string, Handed, View};
use super::store::Store;
use super::Jail;
use crate::cargo::{BuildError, Built, Workspace};
use crate::process::{BudgetMark, Confined, Confinement};
use crate::report::Protection;
use crate::run::Sandbox;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The only `PATH` a jailed program gets.
const JAILED_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

impl Confinement for Jail {
    fn command(&self, argv: &[String], script: Option<&Path>) -> io::Result<Confined> {
        let name = argv
            .first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
        let path = executable(name)?;
        let mut handed = Handed::default();
        let executable = handed.hand(fs::File::open(&path)?)?;
        // A script (a Python hand-in's `server.py`) is copied into the
        // program's fresh scratch folder, its working folder, and named
        // there by its own name: the interpreter reads that copy, and no
        // path of the grader's has to be open to the program's user.
        let mut argv = argv.to_vec();
        let mut plant = None;
        if let Some(script) = script {
            let file_name = script
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| io::Error::other("a script with no file name"))?;
            let file = fs::File::open(script)?;
            if file.metadata()?.len() > LARGEST_PLANT {
                return Err(io::Error::other(format!(
                    "{file_name} is over {LARGEST_PLANT} bytes"
                )));
            }
            let shown = script.display().to_string();
            for arg in argv.iter_mut().filter(|arg| **arg == shown) {
                arg.clone_from(&file_name);
            }
            plant = Some((c_string(file_name)?, handed.hand(file)?));
        }
        let view = View::Scratch {
            scratch: self.scratch()?,
            plant,
        };
        let plan = self.plan(view, name, &path, Some(executable))?;
        let args = argv[1..]
            .iter()
            .map(|arg| c_string(arg.as_str()))
            .collect::<io::Result<_>>()?;
        // Nothing of the grader's environment (a CI token, say) reaches
        // untrusted code.
        let env = vec![c_string(format!("PATH={JAILED_PATH}"))?];
        plan.spawner(handed, args, env)
    }

    fn mark(&self) -> Option<Box<dyn BudgetMark>> {
        let budget = Arc::clone(self.budget.as_ref().ok()?);
        let before = budget.counters();
        Some(Box::new(Mark { budget, before }))
    }

    fn explain(&self, message: &str, stderr: &[String]) -> Option<String> {
        super::explain(message, stderr, &self.limits)
    }
}

/// The budget's counters when a check began.
struct Mark {
    budget: Arc<Budget>,
    before: Counters,
}

impl BudgetMark for Mark {
    fn hit_since(&self) -> Vec<String> {
        self.budget.hit_since(&self.before)
    }
}

/// The file `name` runs: itself when it has a slash, else the first match
/// on `PATH`.
fn executable(name: &str) -> io::Result<PathBuf> {
    let found = if name.contains('/') {
        Some(PathBuf::from(name))
    } else {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|file| file.is_file())
        })
    };
    found
        .and_then(|file| file.canonicalize().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no program `{name}`")))
}

/// The sandbox a run goes through: a [`Jail`] for every program and, for a
/// submission laid on a student edition, the confined build.
pub struct Sandboxed {
    jail: Arc<Jail>,
    build: Option<ConfinedBuild>,
}

/// How a submission is built: from the student edition it was laid on,
/// with the dependencies compiled once in a seed under `seeds`.
pub struct ConfinedBuild {
    pub edition: PathBuf,
    pub seeds: PathBuf,
}

impl Sandboxed {
    pub fn new(jail: Jail, build: Option<ConfinedBuild>) -> Sandboxed {
        Sandboxed {
            jail: Arc::new(jail),
            build,
        }
    }
}

impl Sandbox for Sandboxed {
    fn confinement(&self) -> Arc<dyn Confinement> {
        self.jail.clone()
    }

    fn build(&self, workspace: &Workspace, packages: &[&str]) -> Option<Result<Built, BuildError>> {
        // A workspace of the grader's own user (`--sandbox`) is built as
        // usual: a jailed program starts from a descriptor of the very file
        // built, wherever it is, and can write none of them.
        let confined = self.build.as_ref()?;
        // A submission: built in its jail, its executables kept in a store
        // only the grader writes.
        Some(
            Store::new(store())
                .map_err(BuildError::Spawn)
                .and_then(|store| {
                    super::build::build(
                        workspace,
                        &confined.edition,
                        packages,
                        &confined.seeds,
                        &store,
                        &self.jail,
                    )
                }),
        )
    }

    fn protection(&self) -> Protection {
        super::protection(&self.jail)
    }

    fn notes(&self) -> Vec<String> {
        match &self.jail.budget {
            Ok(budget) => budget.notes(),
            Err(_) => Vec::new(),
        }
    }
}

/// The store of executables that jailed programs run from: in the system's
/// temporary folder, which every user can reach.
fn store() -> PathBuf {
    std::env::temp_dir().join(format!("grader-store-{}", nix::unistd::geteuid()))
}
