//! The attack gallery's Python side: a Python hand-in tries what the Rust
//! attackers try (read the reference, write outside its folder, plant a
//! module in the standard library, fork, leave a process behind), and the
//! sandbox contains all of it while the program is graded as usual.
//!
//! Needs the sandbox and `python3`: without the sandbox it says why and
//! passes without grading, as `attacks.rs` does; without python3 it fails.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

const SECRET: &str = "hunter2-grader-python-secret";

/// Run before the server listens: each attempt prints `attack NAME:
/// blocked (why)` or `attack NAME: SUCCEEDED what` on stderr.
const ATTACKS: &str = r#"
import os, signal, subprocess, time

def attempt(name, action):
    try:
        print(f"attack {name}: SUCCEEDED {action()}", file=sys.stderr, flush=True)
    except Exception as e:
        print(f"attack {name}: blocked ({e!r})", file=sys.stderr, flush=True)

def read(path):
    with open(path) as f:
        return f"read {len(f.read())} characters of {path}"

def write(path):
    with open(path, "a") as f:
        f.write("import os\n")
    return f"wrote {path}"

def secret():
    return os.environ["GRADER_TEST_SECRET"]

def fork_survivor():
    pid = os.fork()
    if pid == 0:
        # Ignores SIGTERM and SIGINT, closes what the grader reads, and
        # writes later, when nobody would be looking.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.setsid()
        for fd in (0, 1, 2):
            os.close(fd)
        time.sleep(3)
        try:
            write("@WS@/README.md")
        finally:
            os._exit(0)
    raise PermissionError(f"forked {pid}, to be checked after grading")

def detached():
    subprocess.Popen(
        ["sh", "-c", "sleep 2; echo hacked > @WS@/README.md"],
        start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    raise PermissionError("started, to be checked after grading")

def attack():
    attempt("read-reference", lambda: read("@WS@/task03_echo/src/bin/server.rs"))
    attempt("read-python-reference", lambda: read("@WS@/task03_echo/python/server.py"))
    attempt("write-workspace", lambda: write("@WS@/task01_connect/build.rs"))
    attempt("write-tmp", lambda: write("/tmp/py-attack-was-here"))
    attempt("write-stdlib", lambda: write(os.path.dirname(os.__file__) + "/sitecustomize.py"))
    attempt("read-secret", secret)
    attempt("fork-survivor", fork_survivor)
    attempt("leave-process", detached)

attack()
"#;

fn unsupported() -> Option<String> {
    grader::sandbox::use_launcher(std::path::Path::new(env!("CARGO_BIN_EXE_grader")));
    let support = grader::sandbox::support();
    (!support.complete()).then(|| support.missing())
}

/// Processes of a sandbox user (user ids from 1 000 000 up) that this
/// attacker could have left: other tests' jailed builds are not its.
fn jailed_processes() -> Vec<String> {
    common::processes_of_users(|uid| uid >= 1_000_000)
        .into_iter()
        .filter(|p| ["python", "\tsh", "sleep"].iter().any(|n| p.contains(n)))
        .collect()
}

#[test]
fn a_python_attacker_is_contained_and_graded_as_usual() {
    if let Some(why) = unsupported() {
        eprintln!("skipped: this machine cannot sandbox ({why})");
        return;
    }
    if let Err(why) = grader::python::Interpreter::find(None) {
        panic!("this test needs python3, and there is none: {why}");
    }
    let workspace = common::workspace_root();
    let dir = common::scratch("python-attack");
    let server = fs::read_to_string(common::python_file("task01_server.py")).unwrap();
    let attacks = ATTACKS.replace("@WS@", &workspace.display().to_string());
    let server = server.replace("\n\ndef main():", &format!("\n\n{attacks}\n\ndef main():"));
    assert!(server.contains("attack()"));
    let task = dir.join("mallory/Task01");
    fs::create_dir_all(&task).unwrap();
    fs::write(task.join("server.py"), server).unwrap();
    fs::copy(
        workspace.join("task01_connect/src/bin/client.rs"),
        task.join("client.rs"),
    )
    .unwrap();
    fs::copy(
        workspace.join("task01_connect/src/lib.rs"),
        task.join("lib.rs"),
    )
    .unwrap();
    let readme = fs::read(workspace.join("README.md")).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .current_dir(&workspace)
        .env("GRADER_TEST_SECRET", SECRET)
        .args(["task01", "--format", "json", "--verbose", "--submission"])
        .arg(dir.join("mallory"))
        .arg("--target-dir")
        .arg(common::shared_target())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(report["sandbox"]["mode"], "sandboxed", "{report:#}");
    for attack in [
        "read-reference",
        "read-python-reference",
        "write-workspace",
        "write-tmp",
        "write-stdlib",
        "read-secret",
        "fork-survivor",
        "leave-process",
    ] {
        assert!(
            stdout.contains(&format!("attack {attack}: blocked")),
            "attack {attack} did not report being blocked:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("SUCCEEDED"),
        "an attack succeeded:\n{stdout}"
    );
    assert!(!stdout.contains(SECRET), "the secret leaked:\n{stdout}");
    // Graded as usual: the attacks cost the honest server nothing.
    let task = &report["tasks"][0];
    assert_eq!(task["score"], task["max_score"], "{task:#}");
    // Nothing outlived the grading, so nothing can write later (no wait
    // needed: a survivor or a detached writer would be among these), and
    // nothing written during it stayed.
    let alive = jailed_processes();
    assert!(alive.is_empty(), "still alive after grading: {alive:#?}");
    assert_eq!(fs::read(workspace.join("README.md")).unwrap(), readme);
    assert!(!workspace.join("task01_connect/build.rs").exists());
    assert!(!PathBuf::from("/tmp/py-attack-was-here").exists());
    let _ = fs::remove_dir_all(&dir);
}
