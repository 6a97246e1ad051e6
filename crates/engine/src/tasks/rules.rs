//! The rules of "every program" that are not about the network, as checks
//! every task has: `--version` and `-V` print `NAME VERSION`; `--help`
//! names the options and a bad argument is clap's to reject, with exit
//! status 2; SIGINT and SIGTERM stop the program within a second.

use super::Lesson;
use crate::check::{CheckDef, CheckResult, Kind, Outcome, Role};
use crate::harness::{
    connect, lines_or_nothing, printed, session, Ctx, Finished, LOOPBACK, REPLY_WAIT,
};
use crate::peer;
use crate::platform;
use crate::process::{describe_status, Child, NoLine, Signal, Stream};
use crate::show;
use crate::time::{human, Deadline};
use std::sync::Mutex;
use std::time::Duration;

/// How long a program has to answer its command line (`--version`,
/// `--help`, a bad argument) and exit.
const ANSWER_WAIT: Duration = Duration::from_secs(2);
/// How long a program has to stop once it gets SIGINT or SIGTERM.
const STOP_WAIT: Duration = Duration::from_secs(1);

const VERSION_HINTS: &[&str] = &[
    "`--version` and `-V` are clap's to answer, if you ask it to: look at the #[command(...)] attribute above your Args struct.",
    "Add `version` to the #[command(...)] attribute of the struct that derives Parser, next to \
        `name = …`: clap then answers --version and -V with one line, the name and the version from \
        Cargo.toml (`task03-server 0.1.0`), and exits 0 before your code runs. A program that reads \
        std::env::args() by hand must do all that itself; in Python, argparse's add_argument with \
        \"-V\", \"--version\", action=\"version\" and version=\"task03-server 0.1.0\" does it.",
];

const ARGUMENTS_HINTS: &[&str] = &[
    "Leave the command line to clap: it answers --help, and it rejects what it does not understand with exit status 2 before your program does anything.",
    "Declare every option as a field of the struct that derives Parser (#[arg(long)] on host and \
        port, a u16 for the port) and call Args::parse() first thing in main. clap prints the help \
        for -h and --help and exits 0; for an unknown option or a port that is not a number it prints \
        its message on stderr and exits 2, before anything binds or connects. Reading \
        std::env::args() by hand with parse().unwrap() panics (exit status 101) on `--port nope`, and \
        silently skips what it does not know.",
];

pub(super) const STOPS_HINTS: &[&str] = &[
    "Ctrl-C must end your program whatever it is blocked in: look for a signal handler (ctrlc, signal-hook, Python's signal module) that only sets a flag or waits for something.",
    "Without a handler of its own a program dies of SIGINT and SIGTERM at once, which is all the \
        contract asks. A handler that sets a flag the program looks at between two accept()s or \
        reads is not enough: a blocked accept() or read() never gets back to it. Remove the \
        handler, or end the process from it (std::process::exit) after cleanup that takes well \
        under a second: don't wait there for the other side, for a thread to join or for input.",
];

/// The rules' checks for the server.
pub fn server_rules<L: Lesson>() -> Vec<CheckDef> {
    let mut checks = server_rules_without_stops::<L>();
    checks.push(CheckDef {
        name: "server.stops",
        title: "stops within a second of SIGINT (Ctrl-C) or SIGTERM",
        points: 1,
        kind: Kind::Edge,
        hints: STOPS_HINTS,
        run: server_stops,
    });
    checks
}

/// The rules' checks for the server but `stops`, for a task whose server
/// is signalled in its own way (task 05's takes datagrams, not clients).
pub fn server_rules_without_stops<L: Lesson>() -> Vec<CheckDef> {
    vec![
        CheckDef {
            name: "server.version",
            title: "prints `NAME VERSION` for `--version` and `-V`, and exits 0",
            points: 1,
            kind: Kind::Edge,
            hints: VERSION_HINTS,
            run: |ctx| version::<L>(ctx, Role::Server),
        },
        CheckDef {
            name: "server.arguments",
            title: "answers `--help`, and rejects a bad argument with exit status 2",
            points: 1,
            kind: Kind::Edge,
            hints: ARGUMENTS_HINTS,
            run: |ctx| arguments(ctx, Role::Server),
        },
    ]
}

/// The rules' checks for the client; `stops` only where the client waits.
pub fn client_rules<L: Lesson>() -> Vec<CheckDef> {
    let mut checks = vec![
        CheckDef {
            name: "client.version",
            title: "prints `NAME VERSION` for `--version` and `-V`, and exits 0",
            points: 1,
            kind: Kind::Edge,
            hints: VERSION_HINTS,
            run: |ctx| version::<L>(ctx, Role::Client),
        },
        CheckDef {
            name: "client.arguments",
            title: "answers `--help`, and rejects a bad argument with exit status 2",
            points: 1,
            kind: Kind::Edge,
            hints: ARGUMENTS_HINTS,
            run: |ctx| arguments(ctx, Role::Client),
        },
    ];
    if L::WAITING_CLIENT.is_some() {
        checks.push(CheckDef {
            name: "client.stops",
            title: "stops within a second of SIGINT (Ctrl-C) or SIGTERM",
            points: 1,
            kind: Kind::Edge,
            hints: STOPS_HINTS,
            run: client_stops::<L>,
        });
    }
    checks
}

fn version<L: Lesson>(ctx: &mut Ctx, role: Role) -> CheckResult {
    let runs: [&[&str]; 2] = [&["--version"], &["-V"]];
    let answers = answers(ctx, role, &runs)?;
    for (args, done) in runs.iter().zip(&answers) {
        answered(args, done, "printing its version")?;
        let first = done.stdout.first().map(String::as_str).unwrap_or("");
        if !is_version_line(first) {
            return Err(Outcome::fail(format!(
                "{} printed no `NAME VERSION` line first on stdout",
                shown(args)
            ))
            .expected(format!("task{:02}-{} 0.1.0", L::NUMBER, role.as_str()))
            .actual(lines_or_nothing(&done.stdout)));
        }
    }
    Ok(())
}

/// `NAME VERSION`: two words, the second with a digit in it.
fn is_version_line(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    matches!(words[..], [_, version] if version.contains(|c: char| c.is_ascii_digit()))
}

fn arguments(ctx: &mut Ctx, role: Role) -> CheckResult {
    // A program that goes on despite the unknown option gets a port to
    // use: one the OS chose for a server, one nobody listens on for a
    // client.
    let closed = match role {
        Role::Client => Some(
            peer::free_port()
                .map_err(|e| Outcome::error(format!("could not find a free port: {e}")))?,
        ),
        _ => None,
    };
    let port = closed
        .as_ref()
        .map_or("0".to_string(), |c| c.port.to_string());
    let runs: [&[&str]; 4] = [
        &["--help"],
        &["-h"],
        &["--port", "nope"],
        &["--no-such-flag", "--host", "127.0.0.1", "--port", &port],
    ];
    let answers = answers(ctx, role, &runs)?;
    for (args, done) in runs[..2].iter().zip(&answers) {
        answered(args, done, "printing its help")?;
        let help = done.stdout.join("\n");
        if !help.contains("--host") || !help.contains("--port") {
            return Err(Outcome::fail(format!(
                "{} printed a help that does not name the options --host and --port",
                shown(args)
            ))
            .actual(lines_or_nothing(&done.stdout)));
        }
    }
    for (args, done) in runs[2..].iter().zip(&answers[2..]) {
        rejected(args, done)?;
    }
    Ok(())
}

/// Starts `role`'s program once for each command line of `runs`, one
/// after the other, and collects how each ended. One at a time, so that
/// a program that serves instead of answering is told the same way every
/// run: at once, it would bind its port in one run or the other. And one
/// check's runs at a time in this grader: most of them name no port, so a
/// program that serves anyway takes its task's default port, which the
/// runs of another check beside it would then find taken.
fn answers(ctx: &mut Ctx, role: Role, runs: &[&[&str]]) -> Result<Vec<Finished>, Outcome> {
    static ONE_CHECK_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_CHECK_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut answers = Vec::new();
    for args in runs {
        let child = ctx.start_bare(role, args)?;
        let deadline = ctx.deadline(ANSWER_WAIT);
        let done = answer(&child, args, deadline)?;
        ctx.note(format!(
            "{} ended: {}",
            shown(args),
            describe_status(done.status)
        ));
        answers.push(done);
    }
    Ok(answers)
}

/// How `child`, given `args`, ended; a server that starts serving instead
/// fails at once.
fn answer(child: &Child, args: &[&str], deadline: Deadline) -> Result<Finished, Outcome> {
    let still_running = || {
        Outcome::fail(format!(
            "given {}, the program was still running after {}: it went on with its work instead of exiting at once{}",
            shown(args),
            human(deadline.budget()),
            printed(child)
        ))
    };
    match child.wait_for_line(Stream::Stdout, deadline, |l| l.contains("Listening on")) {
        Ok(line) => {
            return Err(Outcome::fail(format!(
                "given {}, the server started serving instead of exiting at once",
                shown(args)
            ))
            .actual(show::text(&line)))
        }
        Err(NoLine::Timeout) => return Err(still_running()),
        Err(NoLine::Closed) => {}
    }
    let status = child.wait(deadline).ok_or_else(still_running)?;
    Ok(Finished {
        stdout: child.output(Stream::Stdout),
        stderr: child.output(Stream::Stderr),
        status,
    })
}

/// `done` did what `doing` says and exited 0, without a panic.
fn answered(args: &[&str], done: &Finished, doing: &str) -> CheckResult {
    no_panic(args, done)?;
    if done.status.success() {
        return Ok(());
    }
    Err(Outcome::fail(format!(
        "{} ended with {} instead of {doing} and exiting 0",
        shown(args),
        describe_status(done.status)
    ))
    .actual(format!("stderr: {}", lines_or_nothing(&done.stderr))))
}

/// `done` rejected the bad argument `args` as clap does: a message on
/// stderr and exit status 2.
fn rejected(args: &[&str], done: &Finished) -> CheckResult {
    no_panic(args, done)?;
    if done.status.code() != Some(2) {
        return Err(Outcome::fail(format!(
            "given the bad argument {}, the program ended with {}, not exit status 2",
            shown(args),
            describe_status(done.status)
        ))
        .expected("clap's message on stderr, exit status 2")
        .actual(format!("stderr: {}", lines_or_nothing(&done.stderr))));
    }
    if done.stderr.iter().all(|l| l.trim().is_empty()) {
        return Err(Outcome::fail(format!(
            "given the bad argument {}, the program exited 2 without a word on stderr about what was wrong",
            shown(args)
        )));
    }
    Ok(())
}

fn no_panic(args: &[&str], done: &Finished) -> CheckResult {
    match done.stderr.iter().find(|l| l.contains("panicked")) {
        Some(panic) => Err(
            Outcome::fail(format!("given {}, the program panicked", shown(args)))
                .actual(show::text(panic)),
        ),
        None => Ok(()),
    }
}

/// A command line as a message quotes it: `--port nope`.
fn shown(args: &[&str]) -> String {
    let line = shlex::try_join(args.iter().copied()).unwrap_or_else(|_| args.join(" "));
    format!("`{line}`")
}

fn server_stops(ctx: &mut Ctx) -> CheckResult {
    let mut interrupted = ctx.server(&[])?;
    let mut terminated = ctx.server(&[])?;
    // One server is signalled idle, the other serving a client that says
    // nothing: once it has taken the client, so that a server which looks
    // at a flag only between accepts is not let off by that accept.
    let _silent = connect(ctx, &terminated)?;
    let taken = terminated
        .child
        .wait_for_line(Stream::Stdout, ctx.deadline(REPLY_WAIT), |l| {
            l.contains("Connection from")
        });
    if taken.is_err() {
        ctx.note("no `Connection from` line: the grader signals the server all the same");
    }
    stops(
        ctx,
        Role::Server,
        &mut interrupted.child,
        &mut terminated.child,
    )
}

fn client_stops<L: Lesson>(ctx: &mut Ctx) -> CheckResult {
    let input = L::WAITING_CLIENT
        .ok_or_else(|| Outcome::error("this task's client never waits: no stops check"))?;
    let mut interrupted = session(ctx, LOOPBACK, &[], input)?;
    let mut terminated = session(ctx, LOOPBACK, &[], input)?;
    ctx.note("grader says nothing: each client waits");
    stops(
        ctx,
        Role::Client,
        &mut interrupted.client,
        &mut terminated.client,
    )
}

/// Sends SIGINT to one program and SIGTERM to the other, then gives them
/// [`STOP_WAIT`] together to end, however they end. One still running is
/// killed at once: it has shown that SIGTERM's grace would be lost on it.
pub(super) fn stops(
    ctx: &mut Ctx,
    role: Role,
    interrupted: &mut Child,
    terminated: &mut Child,
) -> CheckResult {
    if !platform::signals() {
        return Err(platform::unjudged("send a program Ctrl-C or SIGTERM"));
    }
    let who = role.as_str();
    let runs = [
        (interrupted, Signal::Interrupt),
        (terminated, Signal::Terminate),
    ];
    for (child, signal) in &runs {
        ctx.note(format!("grader sends {} to a {who}", signal.said()));
        if let Err(e) = child.signal(*signal) {
            if child.status().is_none() {
                return Err(Outcome::error(format!(
                    "could not send {}: {e}",
                    signal.said()
                )));
            }
        }
    }
    let deadline = ctx.deadline(STOP_WAIT);
    let mut ignored = Vec::new();
    for (child, signal) in runs {
        match child.wait(deadline) {
            Some(status) => ctx.note(format!(
                "the {who} given {} ended: {}",
                signal.said(),
                describe_status(status)
            )),
            None => {
                ignored.push(signal.said());
                child.kill_with_grace(Duration::ZERO);
            }
        }
    }
    if ignored.is_empty() {
        return Ok(());
    }
    Err(Outcome::fail(format!(
        "the {who} was still running {} after {}: it must stop within a second",
        human(deadline.budget()),
        ignored.join(", and so was a second one after ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lines_are_a_name_and_a_version() {
        assert!(is_version_line("task02-client 0.1.0"));
        assert!(is_version_line("server.py v2"));
        assert!(!is_version_line("task02-client"));
        assert!(!is_version_line("task02-client version unknown"));
        assert!(!is_version_line("Listening on 127.0.0.1:5002"));
        assert!(!is_version_line(""));
    }
}
