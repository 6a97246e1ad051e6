//! Hostile programs: each is failed with a clear message within its
//! deadline, and no process of it is left behind.

use grader::check::{Status, Subjects};
use grader::harness::{EXIT_WAIT, LISTEN_WAIT, REPLY_WAIT};
use grader::process::Program;
use grader::report::CheckReport;
use grader::time::{human, Deadline, Timing};
use std::path::Path;
use std::time::{Duration, Instant};

/// A unique word in a program's command line, to find its processes.
fn token(name: &str) -> String {
    format!("hostile-{name}-{}", std::process::id())
}

/// Processes whose command line contains `token`.
fn survivors(token: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // A zombie has been killed; it only awaits its parent's wait().
            (cmdline.contains(token) && !stat.contains(") Z ")).then_some(cmdline)
        })
        .collect()
}

/// `script` run by `sh`, with `token` as its $0 so it can be found.
fn sh(script: &str, token: &str) -> Program {
    Program::new(vec!["sh".into(), "-c".into(), script.into(), token.into()])
}

/// Runs the check `id` with `server` / `client`, and returns its report
/// and how long it took.
fn run(id: &str, server: Option<Program>, client: Option<Program>) -> (CheckReport, Duration) {
    let number: u8 = id[4..6].parse().unwrap();
    let task = grader::tasks::by_number(number).unwrap();
    let check = task.checks.iter().find(|c| c.id == id).unwrap();
    let subjects = Subjects {
        server,
        client,
        known: Default::default(),
    };
    let started = Instant::now();
    let report = grader::run::run_check(check, &subjects, Timing::default(), true);
    (report, started.elapsed())
}

/// What a server that never prints `Listening on` is told.
fn no_announcement() -> String {
    format!("no `Listening on` line after {}", human(LISTEN_WAIT))
}

fn assert_failed_with(report: &CheckReport, words: &[&str]) {
    assert_eq!(report.status, Status::Fail, "{report:#?}");
    for word in words {
        assert!(
            report.message.contains(word),
            "{word:?} not in {:?}",
            report.message
        );
    }
}

fn assert_nothing_left(token: &str) {
    // Killed processes are reaped by us or by init: give init a moment.
    let deadline = Deadline::after(Duration::from_secs(5));
    while !survivors(token).is_empty() && !deadline.expired() {
        std::thread::yield_now();
    }
    assert_eq!(
        survivors(token),
        Vec::<String>::new(),
        "processes left behind"
    );
}

/// Asserts that the check run as `ran` failed with all of `words` in its
/// message, within `secs` seconds, leaving no process of `token` behind;
/// returns the report for any further assertions.
fn caught(token: &str, ran: (CheckReport, Duration), words: &[&str], secs: u64) -> CheckReport {
    let (report, took) = ran;
    assert_failed_with(&report, words);
    assert!(took < Duration::from_secs(secs), "took {took:?}");
    assert_nothing_left(token);
    report
}

#[test]
fn a_server_that_never_announces_itself() {
    let token = token("silent");
    caught(
        &token,
        run(
            "task01.server.listening",
            Some(sh("sleep 60", &token)),
            None,
        ),
        &[&no_announcement(), "printed nothing"],
        7,
    );
}

#[test]
fn a_server_that_prints_forever() {
    let token = token("chatty");
    let report = caught(
        &token,
        run(
            "task02.server.listening",
            Some(sh("yes spam spam spam", &token)),
            None,
        ),
        &[&no_announcement(), "spam"],
        7,
    );
    assert!(
        report.message.len() < 2000,
        "the message quotes too much: {}",
        report.message.len()
    );
}

#[test]
fn a_server_that_exits_at_once() {
    let token = token("quitter");
    caught(
        &token,
        run(
            "task03.server.listening",
            Some(sh("echo bye >&2; exit 3", &token)),
            None,
        ),
        &["exit status 3", "without printing `Listening on`", "bye"],
        2,
    );
}

#[test]
fn a_server_that_hangs_after_accepting() {
    if which("python3").is_none() {
        eprintln!("skipped: no python3");
        return;
    }
    let token = token("hang");
    let script = "import socket, sys, time\n\
                  s = socket.create_server(('127.0.0.1', 0))\n\
                  print('Listening on 127.0.0.1:%d' % s.getsockname()[1], flush=True)\n\
                  c, a = s.accept()\n\
                  print('Connection from %s:%d' % a, flush=True)\n\
                  time.sleep(60)\n";
    let server = Program::new(vec![
        "python3".into(),
        "-c".into(),
        script.into(),
        token.clone(),
    ]);
    caught(
        &token,
        run("task03.server.echo_text", Some(server), None),
        &["only 0 of 15 bytes came back", "still open"],
        8,
    );
}

#[test]
fn a_client_that_never_connects() {
    let token = token("shy");
    caught(
        &token,
        run("task01.client.connects", None, Some(sh("sleep 60", &token))),
        &["did not connect", &format!("within {}", human(REPLY_WAIT))],
        5,
    );
}

#[test]
fn a_client_that_forks_and_lingers() {
    // The client's child keeps running after the client itself has exited;
    // the whole process group goes.
    let token = token("forker");
    let (report, _) = run(
        "task01.client.refused",
        None,
        Some(sh("sleep 60 & echo started; exit 0", &token)),
    );
    assert_failed_with(&report, &["exit status 0"]);
    assert_nothing_left(&token);
}

#[test]
fn ctrl_c_stops_the_grader_and_its_children() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let token = token("interrupted");
    let grader = std::process::Command::new(env!("CARGO_BIN_EXE_grader"))
        .args(["task01", "--format", "json", "--server-cmd"])
        .arg(format!("sh -c 'sleep 60' {token}"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Deadline::after(Duration::from_secs(120));
    // The grader's own command line names the token too: wait for the server.
    while !survivors(&token)
        .iter()
        .any(|cmdline| !cmdline.contains("--server-cmd"))
    {
        assert!(!started.expired(), "the grader never started the server");
        std::thread::yield_now();
    }
    kill(Pid::from_raw(grader.id() as i32), Signal::SIGINT).unwrap();
    let output = grader.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert_nothing_left(&token);
    // The machine-readable report of what ran is still written.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report after Ctrl-C ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let notes = report["notes"].to_string();
    assert!(notes.contains("interrupted:"), "{notes}");
    let checks = report["tasks"][0]["checks"].as_array().unwrap();
    let interrupted = |c: &&serde_json::Value| {
        c["status"] == "error" && c["message"].as_str().unwrap_or("").contains("interrupted")
    };
    assert!(checks.iter().any(|c| interrupted(&c)), "{checks:#?}");
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// `python3 -c SCRIPT TOKEN`, or `None` (the test is skipped) without python3.
fn python(script: &str, token: &str) -> Option<Program> {
    if which("python3").is_none() {
        eprintln!("skipped: no python3");
        return None;
    }
    Some(Program::new(vec![
        "python3".into(),
        "-c".into(),
        script.into(),
        token.into(),
    ]))
}

/// A Python server's start: bind to the port the grader asks for, print
/// the `Listening on` line; `listen` says whether it then listens.
fn python_server(body: &str, listen: bool) -> String {
    format!(
        "import socket, signal, sys, time\n\
         port = int(sys.argv[sys.argv.index('--port') + 1])\n\
         s = socket.socket()\n\
         s.bind(('127.0.0.1', port))\n\
         {}\
         print('Listening on 127.0.0.1:%d' % s.getsockname()[1], flush=True)\n\
         {body}\n",
        if listen { "s.listen(16)\n" } else { "" }
    )
}

#[test]
fn a_server_that_ignores_sigterm_is_killed_all_the_same() {
    let token = token("stubborn");
    let script = python_server(
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: time.sleep(1)",
        true,
    );
    let Some(server) = python(&script, &token) else {
        return;
    };
    caught(
        &token,
        run("task03.server.echo_text", Some(server), None),
        &["only 0 of 15 bytes came back", "still open"],
        9,
    );
}

#[test]
fn a_server_that_closes_its_stdout_at_once() {
    let token = token("mute");
    caught(
        &token,
        run(
            "task02.server.listening",
            Some(sh("exec >&-; sleep 60", &token)),
            None,
        ),
        &["closed its stdout", "without printing `Listening on`"],
        3,
    );
}

#[test]
fn a_server_that_prints_one_endless_line_of_binary() {
    let token = token("binary");
    let script = "head -c 4000000 /dev/urandom | tr -d '\\n'; sleep 60";
    let report = caught(
        &token,
        run("task04.server.listening", Some(sh(script, &token)), None),
        &[&no_announcement()],
        7,
    );
    assert!(
        report.message.len() < 2000,
        "the message quotes too much: {}",
        report.message.len()
    );
}

#[test]
fn a_server_that_accepts_and_never_reads() {
    let token = token("deaf");
    let script = python_server("kept = []\nwhile True: kept.append(s.accept())", true);
    let Some(server) = python(&script, &token) else {
        return;
    };
    caught(
        &token,
        run("task03.server.echo_1mib", Some(server), None),
        &["only 0 of 1048576 bytes came back"],
        9,
    );
}

#[test]
fn a_server_that_binds_but_never_listens() {
    let token = token("unlistening");
    let script = python_server("while True: time.sleep(1)", false);
    let Some(server) = python(&script, &token) else {
        return;
    };
    caught(
        &token,
        run("task01.server.connection_line", Some(server), None),
        &["could not connect to", "though the server announced it"],
        5,
    );
}

#[test]
fn a_client_that_reads_stdin_forever() {
    let token = token("reader");
    caught(
        &token,
        run(
            "task04.client.bye_typed",
            None,
            Some(sh("cat > /dev/null; sleep 60", &token)),
        ),
        &["did not connect", &format!("within {}", human(REPLY_WAIT))],
        5,
    );
}

#[test]
fn a_client_that_connects_thousands_of_times() {
    let token = token("hammer");
    let script = "import socket, sys\n\
                  host = sys.argv[sys.argv.index('--host') + 1]\n\
                  port = int(sys.argv[sys.argv.index('--port') + 1])\n\
                  for _ in range(3000):\n\
                  \x20   try: socket.create_connection((host, port), timeout=1).close()\n\
                  \x20   except OSError: pass\n";
    let Some(client) = python(script, &token) else {
        return;
    };
    // The grader's listener takes one connection; the rest fill its queue
    // and wait, so the client is still busy when its time is up.
    caught(
        &token,
        run("task01.client.connects", None, Some(client)),
        &[&format!(
            "still running {} after its work was done",
            human(EXIT_WAIT)
        )],
        10,
    );
}

#[test]
fn a_server_that_forks_and_exits_is_failed_and_leaves_nothing_behind() {
    // The parent exits at once; its child, in the same process group,
    // keeps the port and serves. The child goes with the group.
    let token = token("daemon");
    let script = python_server(
        "import os\nif os.fork() > 0: os._exit(0)\nwhile True:\n    c, a = s.accept()\n    print('Connection from %s:%d' % a, flush=True)\n    c.close()",
        true,
    );
    let Some(server) = python(&script, &token) else {
        return;
    };
    caught(
        &token,
        run("task01.server.listening", Some(server), None),
        &["the server ended (exit status 0) right after announcing itself"],
        8,
    );
}
