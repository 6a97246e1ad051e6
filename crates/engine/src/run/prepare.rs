//! What each task's checks run with: the built binaries, the commands
//! given in their place, or a binary's Python file; and, for a binary that
//! cannot run, why.

use super::{report, Options};
use crate::cargo::{Built, Workspace};
use crate::check::{CauseKind, Check, Language, Outcome, Role, Status, Subjects};
use crate::process::Program;
use crate::python::{self, Interpreter};
use crate::report::{Build, CheckReport};
use crate::tasks::Task;
use std::path::{Path, PathBuf};

/// The folders a jailed program's `PATH` holds: where a sandboxed run
/// looks for `python3`, so that the interpreter is a system file its jail
/// can read.
const SYSTEM_BIN: &[&str] = &["/usr/local/bin", "/usr/bin", "/bin"];

/// The Python files of every task's binaries, `[server, client]`, for the
/// binaries no command is given for.
pub(super) fn python_sides(
    tasks: &[Task],
    root: &Path,
    options: &Options,
) -> Vec<[Option<PathBuf>; 2]> {
    tasks
        .iter()
        .map(|task| {
            [
                options
                    .server_cmd
                    .is_none()
                    .then(|| python::script(root, task, "server"))
                    .flatten(),
                options
                    .client_cmd
                    .is_none()
                    .then(|| python::script(root, task, "client"))
                    .flatten(),
            ]
        })
        .collect()
}

/// The interpreter Python binaries run with, found once when there are
/// any: in a sandboxed run, the system's own.
pub(super) fn interpreter(
    sides: &[[Option<PathBuf>; 2]],
    options: &Options,
) -> Option<Result<Interpreter, String>> {
    let any = sides.iter().flatten().any(Option::is_some);
    any.then(|| Interpreter::find(options.sandbox.as_ref().map(|_| SYSTEM_BIN)))
}

/// What the report says once about the Python binaries.
pub(super) fn python_note(interpreter: &Result<Interpreter, String>) -> String {
    match interpreter {
        Ok(found) => format!(
            "Python binaries graded as Python {} ({})",
            found.version,
            found.path.display()
        ),
        Err(why) => format!(
            "Python binaries could not be run here: {why}; this machine's fault, not the submission's"
        ),
    }
}

/// What a task's checks run with.
pub(super) struct Prepared {
    pub(super) subjects: Subjects,
    pub(super) build: Build,
    pub(super) build_errors: Vec<String>,
    /// The binaries that cannot run, each with the first lines of why.
    pub(super) unbuilt: Vec<Unbuilt>,
    /// The binaries handed in as Python, whose hints are worded for Python.
    pub(super) python: Vec<Role>,
}

/// A binary of a task that cannot run.
pub(super) struct Unbuilt {
    pub(super) role: Role,
    name: String,
    errors: Vec<String>,
    /// Why is this machine's (no Python here), not the submission's.
    machine: bool,
    /// A Python file that does not compile, rather than Rust that did not build.
    python: bool,
}

impl Prepared {
    /// Why `check` can't run: a binary it needs did not build.
    pub(super) fn missing(&self, check: &Check) -> Option<&Unbuilt> {
        self.unbuilt.iter().find(|u| match u.role {
            Role::Server => check.role.needs_server(),
            _ => check.role.needs_client(),
        })
    }
}

pub(super) fn prepare(
    task: &Task,
    workspace: &Workspace,
    built: &Built,
    options: &Options,
    scripts: &[Option<PathBuf>; 2],
    interpreter: Option<&Result<Interpreter, String>>,
) -> Prepared {
    let confinement = options
        .sandbox
        .as_ref()
        .map(|sandbox| sandbox.confinement());
    let jailed = |program: Program| Program {
        jail: confinement.clone(),
        ..program
    };
    let binary = |name: String| Some(jailed(Program::from_path(built.executable(&name)?)));
    let mut unbuilt = Vec::new();
    // A Python binary: checked before it is graded; one that cannot start
    // costs its own checks, as a binary that does not build does.
    let mut python_side = |role: Role, script: &Option<PathBuf>| -> Option<Option<Program>> {
        let script = script.as_ref()?;
        let name = script
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cannot = |errors: Vec<String>, machine: bool| Unbuilt {
            role,
            name: name.clone(),
            errors,
            machine,
            python: true,
        };
        match interpreter? {
            Err(why) => unbuilt.push(cannot(vec![why.clone()], true)),
            Ok(found) => match found.check(script, confinement.clone()) {
                Ok(()) => return Some(Some(jailed(found.program(script)))),
                Err(error) => unbuilt.push(cannot(vec![error], false)),
            },
        }
        Some(None)
    };
    let commands = [&options.server_cmd, &options.client_cmd];
    let python: Vec<Role> = [Role::Server, Role::Client]
        .into_iter()
        .zip(scripts.iter().zip(commands))
        .filter(|(_, (script, command))| match command {
            Some(command) => runs_python(command),
            None => script.is_some(),
        })
        .map(|(role, _)| role)
        .collect();
    let server = python_side(Role::Server, &scripts[0]);
    let client = python_side(Role::Client, &scripts[1]);
    let subjects = Subjects {
        known: Default::default(),
        server: options
            .server_cmd
            .clone()
            .or_else(|| server.unwrap_or_else(|| binary(task.server_bin()))),
        client: options
            .client_cmd
            .clone()
            .or_else(|| client.unwrap_or_else(|| binary(task.client_bin()))),
    };
    // Each binary stands on its own: one that does not build costs its own
    // checks and the pair's, and the other is graded as usual.
    let sides = [
        (Role::Server, task.server_bin(), subjects.server.is_none()),
        (Role::Client, task.client_bin(), subjects.client.is_none()),
    ];
    let rust_unbuilt: Vec<Unbuilt> = sides
        .into_iter()
        .filter(|(role, _, missing)| *missing && unbuilt.iter().all(|u| u.role != *role))
        .map(|(role, name, _)| {
            let mut errors = built.errors_of(&name, task.package).to_vec();
            let missing_rust = scripts
                .iter()
                .flatten()
                .find(|script| !python::rust_source(script).exists());
            if let (true, Some(script)) = (errors.is_empty(), missing_rust) {
                errors.push(format!(
                    "{} is not built: {} has no Rust file beside it (src/bin/{}.rs), and cargo builds no binary of a package with one missing",
                    task.package,
                    script.file_name().unwrap_or_default().to_string_lossy(),
                    script.file_stem().unwrap_or_default().to_string_lossy()
                ));
            }
            if errors.is_empty() {
                errors.push(if workspace.has_package(task.package) {
                    format!("cargo produced no {name} binary")
                } else {
                    format!("the workspace has no package {}", task.package)
                });
            }
            Unbuilt {
                role,
                name,
                errors,
                machine: false,
                python: false,
            }
        })
        .collect();
    unbuilt.extend(rust_unbuilt);
    let mut build_errors = built.errors.get(task.package).cloned().unwrap_or_default();
    for missing in unbuilt.iter().filter(|u| !u.machine) {
        for error in &missing.errors {
            if !build_errors.contains(error) {
                build_errors.push(error.clone());
            }
        }
    }
    Prepared {
        subjects,
        build: if unbuilt.iter().all(|u| u.machine) {
            Build::Ok
        } else {
            Build::Failed
        },
        build_errors,
        unbuilt,
        python,
    }
}

impl Prepared {
    /// Words the hint of each failed check of `task` for Python where the
    /// binary it is about is Python: its cause's hint, or the check's own.
    pub(super) fn python_hints(&self, task: &Task, checks: &mut [CheckReport]) {
        for report in checks.iter_mut().filter(|r| !r.hint.is_empty()) {
            let python = match &report.cause {
                Some(cause) => self
                    .python
                    .iter()
                    .any(|role| role.as_str() == cause.program)
                    .then(|| python::hint(cause.kind))
                    .flatten(),
                None => task
                    .checks
                    .iter()
                    .find(|check| check.id == report.id && report.status == Status::Fail)
                    .filter(|check| Language::of(check.role, &self.python) == Language::Python)
                    .map(|check| check.hints_in(Language::Python).0),
            };
            if let Some(hint) = python {
                report.hint = hint.to_string();
            }
        }
    }
}

/// Whether a command given for a binary (`--server-cmd 'python3
/// server.py'`) runs Python: its program is a `python…`, or it runs a
/// `.py` file.
fn runs_python(command: &Program) -> bool {
    command.argv.iter().enumerate().any(|(at, arg)| {
        let name = Path::new(arg)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        (at == 0 && name.starts_with("python")) || name.ends_with(".py")
    })
}

/// The report of a check that needs a binary that cannot run: failed,
/// with the binary's name and the opening lines of its first compiler
/// error, and no hint (it would not apply); in error when the machine, not
/// the submission, is why.
pub(super) fn not_built(check: &Check, unbuilt: &Unbuilt) -> CheckReport {
    let first = unbuilt
        .errors
        .first()
        .map(|error| {
            error
                .lines()
                .take(2)
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    if unbuilt.machine {
        let message = format!("{} could not be run here: {first}", unbuilt.name);
        return report(check, Some(Outcome::error(message)), 0, Vec::new());
    }
    let message = if unbuilt.python {
        format!("{} cannot start: {first}", unbuilt.name)
    } else {
        format!("{} did not build: {first}", unbuilt.name)
    };
    let outcome =
        Outcome::fail(message).because(CauseKind::DidNotBuild, unbuilt.role.as_str(), first);
    report(check, Some(outcome), 0, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_runs_python_when_its_program_is_python_or_it_runs_a_py_file() {
        let runs = |argv: &[&str]| {
            runs_python(&Program::new(argv.iter().map(|a| a.to_string()).collect()))
        };
        assert!(runs(&["python3", "server.py"]));
        assert!(runs(&["/usr/bin/python3.11", "-I", "client.py"]));
        assert!(runs(&["pypy3", "task03/server.py", "--port", "0"]));
        assert!(!runs(&["target/debug/task03-server"]));
        assert!(!runs(&["sh", "-c", "exec ./server"]));
        // Each side is worded for its own binary; a pair check for Python
        // when either is.
        let python = [Role::Client];
        assert_eq!(Language::of(Role::Client, &python), Language::Python);
        assert_eq!(Language::of(Role::Server, &python), Language::Rust);
        assert_eq!(Language::of(Role::Pair, &python), Language::Python);
        assert_eq!(Language::of(Role::Pair, &[]), Language::Rust);
    }

    #[test]
    fn no_python_here_is_an_error_of_this_machine_said_once() {
        let missing = Interpreter::find(Some(&["/nonexistent-grader-test"]));
        let Err(why) = &missing else {
            panic!("found a python3 where there is none: {missing:?}")
        };
        let note = python_note(&missing);
        assert!(
            note.starts_with("Python binaries could not be run here: no python3 in"),
            "{note}"
        );
        assert!(note.ends_with("not the submission's"), "{note}");
        let task = crate::tasks::by_number(3).unwrap();
        let unbuilt = Unbuilt {
            role: Role::Server,
            name: "server.py".into(),
            errors: vec![why.clone()],
            machine: true,
            python: true,
        };
        let server_check = task.checks.iter().find(|c| c.role == Role::Server).unwrap();
        let report = not_built(server_check, &unbuilt);
        assert_eq!(report.status, Status::Error);
        assert_eq!(report.points, 0);
        assert_eq!(
            report.message,
            format!("server.py could not be run here: {why}")
        );
        assert!(report.hint.is_empty());
    }
}
