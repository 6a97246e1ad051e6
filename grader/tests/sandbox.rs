//! The jail on its own: what a jailed program sees of its exit, its
//! signals, its children and its limits. Skipped, saying why, where the
//! machine cannot sandbox. One at a time: the jails of one test process
//! share a user id, whose processes one test counts.

mod common;

use grader::process::Signal;
use grader::process::{describe_status, Child, Program, Stream};
use grader::sandbox::{explain, Jail, Limits};
use grader::time::Deadline;
use serial_test::serial;
use std::time::{Duration, Instant};

fn soon() -> Deadline {
    Deadline::after(Duration::from_secs(10))
}

/// What this machine gives, with the grader's binary starting jailed
/// programs as it does when it grades.
fn support() -> grader::sandbox::Support {
    grader::sandbox::use_launcher(std::path::Path::new(env!("CARGO_BIN_EXE_grader")));
    grader::sandbox::support()
}

/// A jail in a fresh folder, or `None` (and why, on stderr) where the
/// machine has no sandbox.
fn jail() -> Option<(Jail, tempfile::TempDir)> {
    let support = support();
    if !support.complete() {
        eprintln!(
            "skipped: this machine cannot sandbox ({})",
            support.missing()
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let jail = Jail::for_this_grader(dir.path()).unwrap();
    Some((jail, dir))
}

fn sh(jail: &Jail, script: &str) -> Program {
    Program::new(vec!["sh".into(), "-c".into(), script.into()]).jailed(jail.clone())
}

#[test]
#[serial]
fn a_jailed_program_ends_as_it_ended_itself() {
    let Some((jail, _dir)) = jail() else { return };
    let child = Child::spawn(&sh(&jail, "echo out; echo err >&2; exit 3"), false).unwrap();
    let status = child.wait(soon()).unwrap();
    assert_eq!(describe_status(status), "exit status 3");
    assert_eq!(child.output(Stream::Stdout), ["out"]);
    assert_eq!(child.output(Stream::Stderr), ["err"]);
    let child = Child::spawn(&sh(&jail, "kill -SEGV $$"), false).unwrap();
    let status = child.wait(soon()).unwrap();
    assert_eq!(describe_status(status), "killed by signal 11 (SIGSEGV)");
}

#[test]
#[serial]
fn a_jailed_program_runs_as_its_own_user_in_its_own_folder_and_pid_space() {
    let Some((jail, _dir)) = jail() else { return };
    let child = Child::spawn(
        &sh(
            &jail,
            "id -u; pwd; echo $$; ls /proc | grep -c '^[0-9]'; env",
        ),
        false,
    )
    .unwrap();
    assert!(child.wait(soon()).unwrap().success());
    let out = child.output(Stream::Stdout);
    assert_eq!(out[0], jail.uid.to_string(), "{out:?}");
    assert_eq!(out[1], jail.scratch.display().to_string(), "{out:?}");
    // PID 2 (init is 1); /proc lists init, the shell, ls and grep.
    assert_eq!(out[2], "2", "{out:?}");
    let visible: u32 = out[3].parse().unwrap();
    assert!(visible <= 5, "it sees {visible} processes: {out:?}");
    // The environment holds the PATH and what the shell sets, nothing of
    // the grader's.
    let env = &out[4..];
    assert!(env.iter().any(|l| l.starts_with("PATH=")), "{env:?}");
    assert!(!env.iter().any(|l| l.starts_with("HOME=")), "{env:?}");
}

#[test]
#[serial]
fn a_jailed_program_holds_no_descriptor_but_its_stdio() {
    let Some((jail, _dir)) = jail() else { return };
    let child = Child::spawn(&sh(&jail, "exec ls /proc/self/fd"), false).unwrap();
    assert!(child.wait(soon()).unwrap().success());
    // 3 is the folder `ls` itself opened to list.
    assert_eq!(child.output(Stream::Stdout), ["0", "1", "2", "3"]);
}

#[test]
#[serial]
fn sigterm_reaches_a_jailed_program_at_once() {
    let Some((jail, _dir)) = jail() else { return };
    let mut child = Child::spawn(&sh(&jail, "echo ready; exec sleep 30"), false).unwrap();
    child
        .wait_for_line(Stream::Stdout, soon(), |l| l == "ready")
        .unwrap();
    let started = Instant::now();
    child.kill();
    let status = child.status().unwrap();
    assert_eq!(describe_status(status), "killed by signal 15 (SIGTERM)");
    // Well inside the grace before SIGKILL: SIGTERM itself ended it.
    assert!(
        started.elapsed() < grader::process::GRACE,
        "{:?}",
        started.elapsed()
    );
}

#[test]
#[serial]
fn sigint_reaches_a_jailed_program_as_ctrl_c_would() {
    // Sent to `outer` alone, as the stops checks send it: `outer` and
    // `init` pass it on, and the program dies of it.
    let Some((jail, _dir)) = jail() else { return };
    let child = Child::spawn(&sh(&jail, "echo ready; exec sleep 30"), false).unwrap();
    child
        .wait_for_line(Stream::Stdout, soon(), |l| l == "ready")
        .unwrap();
    let started = Instant::now();
    child.signal(Signal::Interrupt).unwrap();
    let status = child.wait(soon()).unwrap();
    assert_eq!(describe_status(status), "killed by signal 2 (SIGINT)");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
#[serial]
fn what_a_jailed_program_starts_dies_with_it() {
    let Some((jail, _dir)) = jail() else { return };
    // A detached child in a session of its own, still running when its
    // parent ends.
    let child = Child::spawn(
        &sh(
            &jail,
            "setsid sleep 60 </dev/null >/dev/null 2>&1 & echo started",
        ),
        false,
    )
    .unwrap();
    assert!(child.wait(soon()).unwrap().success());
    assert_eq!(child.output(Stream::Stdout), ["started"]);
    let gone = Deadline::after(Duration::from_secs(5));
    while !common::processes_of_users(|uid| uid == jail.uid).is_empty() {
        assert!(
            !gone.expired(),
            "still alive: {:?}",
            common::processes_of_users(|uid| uid == jail.uid)
        );
        std::thread::yield_now();
    }
}

#[test]
#[serial]
fn a_limit_that_stops_a_program_is_named() {
    let Some((jail, _dir)) = jail() else { return };
    // 20 MiB into one file: past the 16 MiB file-size limit.
    let child = Child::spawn(&sh(&jail, "exec head -c 20000000 /dev/zero > big"), false).unwrap();
    let message = describe_status(child.wait(soon()).unwrap());
    assert_eq!(message, "killed by signal 25 (SIGXFSZ)");
    let limits = Limits::default();
    assert_eq!(
        explain(&message, &[], &limits).as_deref(),
        Some("it wrote a file larger than 16 MiB"),
        "{message}"
    );
    assert_eq!(
        explain(
            "",
            &["memory allocation of 17179869184 bytes failed".into()],
            &limits
        )
        .as_deref(),
        Some("it used more than 4 GiB of memory")
    );
    assert_eq!(
        explain("the client ended (exit status 1)", &[], &limits),
        None
    );
}

#[test]
#[serial]
fn doctor_says_what_this_machine_gives() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_grader"))
        .arg("doctor")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    let complete = support().complete();
    assert_eq!(output.status.success(), complete, "{said}");
    assert_eq!(said.contains("missing"), !complete, "{said}");
    assert!(
        said.contains("a network namespace per submission"),
        "{said}"
    );
}

// Issue 21 item 7: the seccomp filter.

/// A jailed `python3` running `script`, its stdout once it ended well.
fn python(jail: &Jail, script: &str) -> Vec<String> {
    let program = Program::new(vec!["/usr/bin/python3".into(), "-c".into(), script.into()])
        .jailed(jail.clone());
    let child = Child::spawn(&program, false).unwrap();
    let status = child.wait(soon()).unwrap();
    assert!(
        status.success(),
        "{}: {:?}",
        describe_status(status),
        child.output(Stream::Stderr)
    );
    child.output(Stream::Stdout)
}

#[test]
#[serial]
fn a_jailed_program_cannot_make_a_user_namespace() {
    let Some((jail, _dir)) = jail() else { return };
    let program = Program::new(vec!["/usr/bin/unshare".into(), "-U".into(), "true".into()])
        .jailed(jail.clone());
    let child = Child::spawn(&program, false).unwrap();
    let status = child.wait(soon()).unwrap();
    let stderr = child.output(Stream::Stderr);
    assert!(!status.success(), "unshare -U succeeded: {stderr:?}");
    assert!(
        stderr.iter().any(|l| l.contains("Operation not permitted")),
        "{}: {stderr:?}",
        describe_status(status)
    );
}

#[test]
#[serial]
fn a_jailed_program_is_refused_the_kernels_large_surfaces_with_eperm() {
    let Some((jail, _dir)) = jail() else { return };
    // Each call with arguments that succeed, or fail otherwise than with
    // EPERM, for the jail's user when there is no filter.
    let script = format!(
        r#"
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
L = ctypes.c_long
def answer(result):
    return "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]
params = ctypes.create_string_buffer(256)
attr = ctypes.create_string_buffer(256)
print("unshare", answer(libc.unshare(0x10000000)))
print("io_uring_setup", answer(libc.syscall(L({io_uring}), L(1), params)))
print("bpf", answer(libc.syscall(L({bpf}), L(0), attr, L(256))))
print("keyctl", answer(libc.syscall(L({keyctl}), L(0), L(-3), L(0))))
"#,
        io_uring = libc::SYS_io_uring_setup,
        bpf = libc::SYS_bpf,
        keyctl = libc::SYS_keyctl,
    );
    assert_eq!(
        python(&jail, &script),
        [
            "unshare EPERM",
            "io_uring_setup EPERM",
            "bpf EPERM",
            "keyctl EPERM"
        ]
    );
}

#[test]
#[serial]
fn threads_and_child_processes_still_work_under_the_filter() {
    // glibc starts both with clone3 first: the filter's ENOSYS for it must
    // send glibc to clone, which the filter lets through without
    // namespace flags.
    let Some((jail, _dir)) = jail() else { return };
    let child = Child::spawn(&sh(&jail, "true & wait $! && echo waited"), false).unwrap();
    assert!(child.wait(soon()).unwrap().success());
    assert_eq!(child.output(Stream::Stdout), ["waited"]);
    let script = r#"
import subprocess, threading
done = []
threads = [threading.Thread(target=done.append, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(done), "threads")
print(subprocess.run(["/bin/echo", "child"], capture_output=True, check=True).stdout.decode().strip())
"#;
    assert_eq!(python(&jail, script), ["8 threads", "child"]);
}

// Issue 21, a budget per submission as a whole (sandbox::cgroup).

/// What `script` printed, run in `jail` to its end and dropped: a program
/// holds its jail, and with it the budget.
fn run_to_end(jail: &Jail, script: &str) -> Vec<String> {
    let child = Child::spawn(&sh(jail, script), false).unwrap();
    child.wait(soon()).unwrap();
    child.output(Stream::Stdout)
}

#[test]
#[serial]
fn a_budget_holds_every_program_of_a_jail_together_and_names_each_cap_hit() {
    use grader::sandbox::cgroup::{Budget, Caps};
    let Some((mut jail, _dir)) = jail() else {
        return;
    };
    let caps = Caps {
        memory: 64 << 20,
        processes: 32,
        cpu_millis: 1000,
    };
    let budget = match Budget::new(caps) {
        Ok(budget) => std::sync::Arc::new(budget),
        Err(why) => {
            eprintln!("skipped: this machine gives no budget ({why})");
            return;
        }
    };
    jail.budget = Ok(budget.clone());
    let group = format!("/grader-{}", std::process::id());
    let run = |script: &str| run_to_end(&jail, script);
    let places = run("cat /proc/self/cgroup");
    assert!(
        places.iter().any(|l| l.ends_with(&group)),
        "not in {group}: {places:?}"
    );
    let before = budget.counters();
    assert!(budget.hit_since(&before).is_empty());

    // 150 MB held by one program of a pipeline: past the budget's 64 MiB.
    let counted = run("head -c 200000000 /dev/zero | tail -c 150000000 | wc -c");
    assert_ne!(counted, ["150000000"]);
    assert_eq!(
        budget.hit_since(&before),
        ["the submission as a whole used more than 64 MiB of memory (grading.toml [sandbox] memory)"]
    );

    // 40 processes at once: past the budget's 32.
    let before = budget.counters();
    run("for i in $(seq 40); do sleep 1 & done; wait");
    assert_eq!(
        budget.hit_since(&before),
        ["the submission as a whole tried to run more than 32 processes and threads at once (grading.toml [sandbox] processes)"]
    );
    let usage = budget.usage();
    assert!(
        usage.peak_memory.is_some_and(|peak| peak <= 64 << 20),
        "{usage:?}"
    );
    assert!(
        usage.peak_processes.is_some_and(|peak| peak <= 32),
        "{usage:?}"
    );

    // The last holder gone, the group goes, and whatever was in it.
    drop(jail);
    drop(budget);
    for line in places.iter().filter(|l| l.ends_with(&group)) {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (
            fields.next(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        let dir = match controllers {
            "" => format!("/sys/fs/cgroup{path}"),
            named => format!("/sys/fs/cgroup/{named}{path}"),
        };
        assert!(!std::path::Path::new(&dir).exists(), "{dir} is left");
    }

    // Busy for a second on a tenth of a CPU: held back most of the time.
    let Some((mut jail, _dir)) = self::jail() else {
        return;
    };
    let budget = std::sync::Arc::new(
        Budget::new(Caps {
            cpu_millis: 100,
            ..caps
        })
        .unwrap(),
    );
    jail.budget = Ok(budget.clone());
    let before = budget.counters();
    run_to_end(&jail, "timeout 1 sh -c 'while :; do :; done'");
    assert_eq!(
        budget.hit_since(&before),
        ["the submission as a whole needed more than its 0.1 CPUs (grading.toml [sandbox] cpus)"]
    );
}

/// Every process alive in session `sid` (the fourth field after the name
/// in `/proc/PID/stat`: state, parent, group, session), zombies left out.
fn session(sid: u32) -> Vec<String> {
    let mut alive = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((name, after)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        if fields.get(3) == Some(&sid.to_string().as_str()) && fields[0] != "Z" {
            alive.push(format!("{}: {name})", entry.file_name().to_string_lossy()));
        }
    }
    alive
}

#[test]
#[serial]
fn a_sandboxed_grading_leaves_nothing_running_once_the_grader_ends() {
    if !support().complete() {
        return;
    }
    // In a session of its own, which everything it starts stays in unless
    // it leaves it: its zygote (the launcher kept for the whole run), the
    // zygote's copies and the jailed programs.
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_grader"));
    command
        .current_dir(common::workspace_root())
        .args(["task01", "--sandbox", "--format", "json"]);
    // SAFETY: setsid(2) is async-signal-safe and touches no memory.
    unsafe {
        command.pre_exec(|| match libc::setsid() {
            -1 => Err(std::io::Error::last_os_error()),
            _ => Ok(()),
        });
    }
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its pid is the session's id.
    let sid = child.id();
    let output = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no report ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(report["score"], report["max_score"], "{report:#}");
    // Its zygote ends once the grader's end of their socket is closed.
    let gone = Deadline::after(Duration::from_secs(5));
    while !session(sid).is_empty() {
        assert!(!gone.expired(), "still alive: {:?}", session(sid));
        std::thread::yield_now();
    }
}

/// The pids of this process's zygotes (the launchers kept for its jailed
/// programs), zombies left out.
fn zygotes() -> Vec<i32> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let (Ok(stat), Ok(cmdline)) = (
            std::fs::read_to_string(entry.path().join("stat")),
            std::fs::read(entry.path().join("cmdline")),
        ) else {
            continue;
        };
        let Some((_, after)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        let zygote = String::from_utf8_lossy(&cmdline).contains("--grader-jail-zygote");
        if zygote && fields.get(1) == Some(&me.as_str()) && fields[0] != "Z" {
            found.extend(
                entry
                    .file_name()
                    .to_str()
                    .and_then(|pid| pid.parse::<i32>().ok()),
            );
        }
    }
    found
}

#[test]
#[serial]
fn a_zygote_killed_between_starts_is_replaced_and_the_next_start_runs() {
    let Some((jail, _dir)) = jail() else { return };
    let child = Child::spawn(&sh(&jail, "echo first"), false).unwrap();
    assert!(child.wait(soon()).unwrap().success());
    let killed = zygotes();
    assert!(!killed.is_empty(), "no zygote");
    for &pid in &killed {
        // SAFETY: signals a child of this process.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let gone = Deadline::after(Duration::from_secs(5));
    while zygotes().iter().any(|pid| killed.contains(pid)) {
        assert!(!gone.expired(), "the zygote outlived SIGKILL");
        std::thread::yield_now();
    }
    let child = Child::spawn(&sh(&jail, "echo second"), false).unwrap();
    assert!(child.wait(soon()).unwrap().success());
    assert_eq!(child.output(Stream::Stdout), ["second"]);
    assert!(!zygotes().is_empty(), "no new zygote");
    for pid in killed {
        let reaped = !std::path::Path::new(&format!("/proc/{pid}")).exists();
        assert!(reaped, "the killed zygote {pid} was left a zombie");
    }
}
