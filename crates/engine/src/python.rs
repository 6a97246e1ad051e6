//! Python hand-ins: a task folder whose binary is a `server.py` or
//! `client.py` (and no Rust source for it) is graded as Python 3, binary by
//! binary.
//!
//! - The interpreter is found once per run ([`Interpreter::find`]) and
//!   named by the file it really is (`sys.executable`, not a shim), with
//!   its version, for the report: "graded as Python 3.11.7".
//! - A binary runs as `python3 -I -S -B server.py` plus exactly the
//!   arguments the Rust binary gets. `-I` keeps the user's site folder and
//!   every `PYTHON*` variable out (so `PYTHONDONTWRITEBYTECODE` would be
//!   ignored: `-B` says the same and is obeyed), `-S` leaves the system's
//!   site-packages out, so a program imports the standard library only.
//! - Before any check, [`Interpreter::check`] compiles the file and looks
//!   up each module its top level imports, running none of the student's
//!   code and writing no `.pyc`: a `SyntaxError` or an `ImportError` at
//!   start costs that binary's checks, like a build failure.
//!
//! In a laid submission, a Python binary's Rust source is [`STAND_IN`]
//! (it builds, and is never run); in a workspace, the `.py` file is taken
//! when the Rust source is missing.

use crate::check::CauseKind;
use crate::process::{describe_status, Child, Confinement, Program, Stream};
use crate::tasks::Task;
use crate::time::Deadline;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// The flags every Python binary runs with (see the module's comment).
pub const FLAGS: [&str; 3] = ["-I", "-S", "-B"];

/// The Rust source laid where a binary is handed in as Python: it builds
/// (so the task's other binary does), and says why it is there.
pub const STAND_IN: &str =
    "// This binary is handed in as Python; the grader runs the .py file.\nfn main() {}\n";

/// A Python 3 interpreter: the file that runs, and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    pub path: PathBuf,
    pub version: String,
}

/// What compiling a Python binary found: the file, the line and the
/// message (`server.py:3: SyntaxError: invalid syntax`).
pub type StartError = String;

impl Interpreter {
    /// The `python3` found first in `dirs` (or on `PATH` when `None`),
    /// named by the file it really is; `Err` says why there is none.
    pub fn find(dirs: Option<&[&str]>) -> Result<Interpreter, String> {
        let program = match dirs {
            None => PathBuf::from("python3"),
            Some(dirs) => dirs
                .iter()
                .map(|dir| Path::new(dir).join("python3"))
                .find(|file| file.is_file())
                .ok_or_else(|| format!("no python3 in {}", dirs.join(":")))?,
        };
        let output = Command::new(&program)
            .args([
                "-I",
                "-c",
                "import sys; print(sys.executable); print(sys.version.split()[0])",
            ])
            .output()
            .map_err(|e| format!("python3 could not be started: {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.lines();
        match (output.status.success(), lines.next(), lines.next()) {
            (true, Some(path), Some(version)) if version.starts_with('3') => Ok(Interpreter {
                path: PathBuf::from(path),
                version: version.to_string(),
            }),
            _ => Err(format!("{} is not a working Python 3", program.display())),
        }
    }

    /// The program that runs `script` as a binary is run.
    pub fn program(&self, script: &Path) -> Program {
        let mut argv = vec![self.path.display().to_string()];
        argv.extend(FLAGS.iter().map(|f| f.to_string()));
        argv.push(script.display().to_string());
        Program {
            script: Some(script.to_path_buf()),
            ..Program::new(argv)
        }
    }

    /// Compiles `script` and finds every module its top level imports,
    /// with the flags it will run with, confined by `jail` when there is
    /// one (the compiler reads hostile text); `Err` is what a student
    /// reads. Bounded by [`CHECK_TIME`].
    pub fn check(
        &self,
        script: &Path,
        jail: Option<Arc<dyn Confinement>>,
    ) -> Result<(), StartError> {
        let mut argv = vec![self.path.display().to_string()];
        argv.extend(FLAGS.iter().map(|f| f.to_string()));
        argv.extend(["-c".to_string(), CHECK.to_string()]);
        argv.push(script.display().to_string());
        let program = Program {
            jail,
            script: Some(script.to_path_buf()),
            ..Program::new(argv)
        };
        let name = script.file_name().unwrap_or_default().to_string_lossy();
        let child = Child::spawn(&program, false)
            .map_err(|e| format!("the grader could not check {name}: {e}"))?;
        let Some(status) = child.wait(Deadline::after(CHECK_TIME)) else {
            return Err(format!(
                "{name}: Python took over {} s to compile it",
                CHECK_TIME.as_secs()
            ));
        };
        let said = child.output(Stream::Stdout).join("\n").trim().to_string();
        match status.code() {
            Some(0) => Ok(()),
            Some(3) if !said.is_empty() => Err(said),
            _ => Err(format!(
                "{name}: Python could not compile it ({}): {}",
                describe_status(status),
                child.output(Stream::Stderr).join(" ").trim()
            )),
        }
    }
}

/// How long compiling one file may take: a hand-written exercise takes
/// milliseconds.
const CHECK_TIME: Duration = Duration::from_secs(20);

/// Compiles the file named by `sys.argv[1]` without running or writing
/// anything, then looks up each module imported at its top level; prints
/// `file:line: Error: message` and exits 3 on the first problem.
const CHECK: &str = r#"
import ast, importlib.util, os, sys
path = sys.argv[1]
name = os.path.basename(path)
try:
    with open(path, "rb") as f:
        source = f.read()
    tree = compile(source, name, "exec", ast.PyCF_ONLY_AST)
    compile(tree, name, "exec")
except SyntaxError as e:
    print(f"{name}:{e.lineno}: {type(e).__name__}: {e.msg}")
    sys.exit(3)
except ValueError as e:
    print(f"{name}: SyntaxError: {e}")
    sys.exit(3)
for node in tree.body:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
    elif isinstance(node, ast.ImportFrom):
        print(f"{name}:{node.lineno}: ImportError: a relative import, but {name} is run as a script")
        sys.exit(3)
    else:
        continue
    for module in names:
        top = module.split(".")[0]
        if top not in sys.builtin_module_names and importlib.util.find_spec(top) is None:
            print(f"{name}:{node.lineno}: ImportError: No module named '{top}' (only the standard library can be imported)")
            sys.exit(3)
"#;

/// The Rust source of the binary whose Python file is `script`
/// (`<task>/server.py` → `<task>/src/bin/server.rs`).
pub fn rust_source(script: &Path) -> PathBuf {
    let folder = script.parent().unwrap_or(Path::new("."));
    let side = script.file_stem().unwrap_or_default().to_string_lossy();
    folder.join("src").join("bin").join(format!("{side}.rs"))
}

/// The file name of `task`'s binary for `side` (`server` or `client`) when
/// it is handed in as Python: `server.py`.
pub fn file_name(side: &str) -> String {
    format!("{side}.py")
}

/// The Python file of `task`'s binary for `side` in the workspace at
/// `root`, when that binary is Python: `<task>/server.py` is there and the
/// Rust source is missing or the [`STAND_IN`].
pub fn script(root: &Path, task: &Task, side: &str) -> Option<PathBuf> {
    let folder = root.join(task.package);
    let script = folder.join(file_name(side));
    if !std::fs::symlink_metadata(&script).is_ok_and(|m| m.is_file()) {
        return None;
    }
    match std::fs::read_to_string(rust_source(&script)) {
        Ok(text) if text != STAND_IN => None,
        _ => Some(script),
    }
}

/// The hint for a cause found in a Python binary, where the Rust one names
/// Rust calls (`read`, `unwrap()`, `thread::spawn`); `None` where the
/// Rust wording holds for Python too.
pub fn hint(kind: CauseKind) -> Option<&'static str> {
    Some(match kind {
        CauseKind::NotImplemented => {
            "Replace the `raise NotImplementedError(…)` at each line named with your code; the task's README.md says what it must do, step by step."
        }
        CauseKind::DidNotBuild => {
            "Run it by hand with `python3 -I server.py` (or client.py) and fix the first error Python names; only the standard library can be imported."
        }
        CauseKind::NeverAnnounced => {
            "After bind() and listen(), print `Listening on` and the address from getsockname(), with print(..., flush=True): through a pipe Python holds its output back until the buffer fills."
        }
        CauseKind::UnreadableAddress | CauseKind::AnnouncedPortZero => {
            "Print the address sock.getsockname() gives after bind(), as `Listening on 127.0.0.1:40211` (IPv6 in brackets): with --port 0 the port is chosen at bind()."
        }
        CauseKind::NoHalfClose => {
            "After sendall(), call sock.shutdown(socket.SHUT_WR): the server reads until end-of-stream, and only that tells it the message is complete while you still read the echo."
        }
        CauseKind::NoDatagramReply => {
            "Reply with sock.sendto(data, peer), where data and peer are what recvfrom() returned for that datagram: UDP has no connection to answer on."
        }
        CauseKind::AddsBytes => {
            "Send back exactly the bytes recvfrom() returned: a datagram is not a line, so add no newline."
        }
        CauseKind::CutsShort => {
            "Call recvfrom(65535): recvfrom(1024) silently drops whatever of a datagram does not fit, and UDP never sends it again."
        }
        CauseKind::TakesTurns => {
            "Read the socket in a threading.Thread of its own that prints every line as it arrives, while the main thread sends every typed line at once: neither waits for the other."
        }
        CauseKind::KeyboardHoldsExit => {
            "The thread that reads the socket must end the whole program (os._exit) when the server says BYE or closes: the main thread, blocked reading the keyboard, can't notice."
        }
        CauseKind::OneAtATime => {
            "Give each accepted connection its own threading.Thread, so the accept loop is back at accept() at once."
        }
        CauseKind::Exited => {
            "Read why the server ended, shown here: an error that concerns one client (an OSError) must be caught, reported with `error:`, and that client dropped; it must never end the server."
        }
        CauseKind::Panicked => {
            "An exception nothing catches prints a traceback and ends its thread or the program: a failure wherever it happens. Catch OSError around what the network gives you, report a real error with an `error:` line on stderr and exit status 1; a connection that ends is the normal end of the conversation."
        }
        CauseKind::Spins => {
            "When recv() returns b'' the connection is over: leave the loop and close the socket; calling recv() again only returns b'' again, at once, for ever."
        }
        CauseKind::NamesWrongAddress => {
            "Print the connected socket's getpeername() after `Connected to `: it is the address connect() reached, whatever host name --host gave."
        }
        CauseKind::AltersMessage | CauseKind::SendsNewline => {
            "Send exactly MESSAGE's bytes with sendall(message.encode()), nothing added: the server sends back exactly what it got."
        }
        CauseKind::KeepsOpenAfterBye => {
            "After sending the `BYE` reply, leave that client's loop and close its socket, so the connection ends."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_error_names_the_file_line_and_error_and_runs_nothing() {
        let python = Interpreter::find(None)
            .unwrap_or_else(|why| panic!("this test needs python3, and there is none: {why}"));
        assert!(python.version.starts_with("3."), "{python:?}");
        let dir = std::env::temp_dir().join(format!("grader-python-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let witness = dir.join("ran");
        let check = |source: &str| {
            let script = dir.join("server.py");
            std::fs::write(&script, source).unwrap();
            python.check(&script, None)
        };
        // Nothing of the program runs, and no .pyc is written.
        let runs = format!(
            "open({:?}, 'w').write('x')\nimport socket\n",
            witness.display().to_string()
        );
        assert_eq!(check(&runs), Ok(()));
        assert!(!witness.exists());
        assert!(!dir.join("__pycache__").exists());
        assert_eq!(
            check("import socket\n\ndef main(:\n    pass\n"),
            Err("server.py:3: SyntaxError: invalid syntax".into())
        );
        assert_eq!(
            check("import socket, numpy.linalg\n"),
            Err("server.py:1: ImportError: No module named 'numpy' (only the standard library can be imported)".into())
        );
        assert!(check("from . import helpers\n").is_err());
        // Imports inside a function run later, if ever: not a start error.
        assert_eq!(check("def f():\n    import numpy\n"), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
