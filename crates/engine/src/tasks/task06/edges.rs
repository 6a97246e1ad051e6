//! Task 06 at the edges of a conversation: a line typed while nobody is
//! connected, a typed line written to a client that has just gone, and, at
//! the client, lines from the server that only look like `BYE`.

use super::client::Host;
use super::server::say_bye;
use super::talk::{expect_printed, expect_said, prompted, type_line, unprompted, Talk};
use crate::check::{CauseKind, CheckDef, CheckResult, Kind, Outcome};
use crate::harness::{lines_or_nothing, panicked, Ctx, Input, Server, LOOPBACK, REPLY_WAIT, STEP};
use crate::peer::End;
use crate::process::{describe_status, Child, Stream};
use crate::show;
use crate::time::{human, Deadline};
use std::cell::Cell;
use std::fs::File;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// How long the grader waits for the server's note on stderr about a line
/// typed while nobody is connected, before it connects all the same.
const NOTE_WAIT: Duration = Duration::from_millis(500);
/// How long the server's reading of its stdin may pause before the grader
/// takes it that the server is blocked writing to a client that reads
/// nothing.
const STALL: Duration = Duration::from_millis(100);
/// How much must be typed before a pause counts as a stall: more than a
/// pipe and loopback socket buffers hold (a pause before that is the
/// machine's load: the server was not blocked yet).
const FILLED: usize = 256 << 10;
/// Each line the grader types for a client that reads nothing.
const FILLER: usize = 4096;
/// The most the grader types for it, whatever the socket buffers hold.
const MOST_TYPED: usize = 64 << 20;

/// When `write_to_gone` finds the server dead or deaf, in its messages.
const WHEN: &str = "when a typed line could not be written to client 1, which had just gone";

/// Lines that look like `BYE` and are not.
const NOT_BYE: [&str; 3] = ["bye", " BYE", "BYE "];

pub(super) fn server_checks() -> Vec<CheckDef> {
    vec![
        CheckDef {
            name: "server.drops_typed",
            title: "drops a line typed while nobody is connected, with a note on stderr",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "A line typed when no client is connected goes nowhere: print a note on stderr and forget it, never keep it for the next client.",
                "In the keyboard loop, when the shared Option holds no stream, eprintln! a note (\"no \
                    client: line dropped\") and `continue`. Don't wait for a client, and don't put typed \
                    lines in a channel or a queue that a later conversation empties: the grader types a \
                    line before anyone connects, then one after `Connection from`, and the client must \
                    get only the second.",
            ],
            run: drops_typed,
        },
        CheckDef {
            name: "server.write_to_gone",
            title: "survives a typed line written to a client that has just gone, and serves the next",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Writing to a client that has gone fails: report it with `error:` and go on; no unwrap() or expect() on a write, in any thread.",
                "The keyboard thread writes while the conversation's thread reads, and the client can \
                    vanish between the two: then write_all returns an Err (Broken pipe, Connection \
                    reset). Match it: eprintln!(\"error: …\") and carry on reading the keyboard. An \
                    unwrap() there kills the keyboard thread (or the server), and nothing typed ever \
                    reaches a client again.",
            ],
            run: write_to_gone,
        },
    ]
}

pub(super) fn client_checks() -> Vec<CheckDef> {
    vec![CheckDef {
        name: "client.bye_exact",
        title: "prints `bye`, ` BYE` and `BYE ` from the server as ordinary lines: only `BYE` ends it",
        points: 1,
        kind: Kind::Wire,
        hints: &[
            "Compare each line from the server, without its line ending, to \"BYE\" exactly: no trimming, no ignoring case.",
            "line == \"BYE\" after lines() is the test, in the reading thread and in the keyboard loop \
                alike. trim(), to_uppercase() or eq_ignore_ascii_case make `bye`, ` BYE` or `BYE ` end \
                the client; the grader sends them, then more lines, and expects every one printed as \
                `Server: …` while the client goes on.",
        ],
        run: |ctx| unprompted(ctx, client_bye_exact),
    }]
}

/// A line typed before anyone connects must not reach the first client.
fn drops_typed(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let early = "typed while nobody is connected";
    let before = server.child.output(Stream::Stderr).len();
    type_line(ctx, &server, early)?;
    // The note says the server has read the line: only then may a client
    // come, or a right server would send it to that client.
    let count = Cell::new(0);
    let noted = server
        .child
        .wait_for_line(Stream::Stderr, ctx.deadline(NOTE_WAIT), |_| {
            count.set(count.get() + 1);
            count.get() > before
        });
    if noted.is_err() {
        ctx.note("no note on the server's stderr yet: the grader connects all the same");
    }
    let mut talk = Talk::open(ctx, &server, "client")?;
    let after = "typed once the client is connected";
    type_line(ctx, &server, after)?;
    let deadline = ctx.deadline(REPLY_WAIT);
    let line = talk.next_line(deadline).map_err(|partial| {
        let outcome = Outcome::fail(format!(
            "client: a typed line must reach the client while the client says nothing: {}",
            match partial.end {
                End::Timeout => format!("nothing came within {}", human(deadline.budget())),
                ref end => end.describe(),
            }
        ))
        .expected(show::text(&format!("{after}\n")));
        match partial.end {
            End::Timeout if partial.bytes.is_empty() => {
                outcome.because(CauseKind::TakesTurns, "server", "")
            }
            _ => outcome,
        }
    })?;
    let text = line.strip_suffix(b"\n").unwrap_or(&line);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    if text == early.as_bytes() {
        return Err(Outcome::fail(
            "the server kept the line typed while nobody was connected and sent it to the next client: such a line must be dropped (with a note on stderr), not kept for later",
        )
        .expected(show::text(&format!("{after}\n")))
        .actual(show::bytes(&line)));
    }
    if text != after.as_bytes() {
        return Err(Outcome::fail(
            "client: waiting for the line typed after `Connection from`, another line came",
        )
        .expected(show::text(&format!("{after}\n")))
        .actual(show::bytes(&line)));
    }
    ctx.note(format!("client got {}", show::text(after)));
    let stderr = server.child.output(Stream::Stderr);
    if stderr.len() <= before {
        return Err(Outcome::fail(
            "the server dropped the line typed while nobody was connected without a word: print a note on stderr saying it went nowhere",
        )
        .actual(format!("stderr: {}", lines_or_nothing(&stderr))));
    }
    say_bye(ctx, &server, &mut talk)
}

/// The grader's typing on a server's stdin from a thread of its own, so
/// that a server that stops reading never holds up the check: first lines
/// of [`FILLER`] bytes, until told to stop or [`MOST_TYPED`] is typed,
/// each reported; then the lines it is given. It ends when the server has
/// ended (a write fails) or the check is over.
struct Typist {
    stop: Arc<AtomicBool>,
    typed: mpsc::Receiver<usize>,
    lines: mpsc::Sender<String>,
}

impl Typist {
    fn start(server: &Server) -> Result<Typist, Outcome> {
        let mut stdin = stdin_handle(&server.child)
            .map_err(|e| Outcome::error(format!("could not type on the server's stdin: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (tell, typed) = mpsc::channel();
        let (lines, given) = mpsc::channel::<String>();
        let stopped = Arc::clone(&stop);
        thread::spawn(move || {
            let mut line = format!("{:-<1$}", "typed for client 1 ", FILLER - 1);
            line.push('\n');
            let mut total = 0;
            while !stopped.load(Ordering::SeqCst) && total < MOST_TYPED {
                if stdin.write_all(line.as_bytes()).is_err() {
                    return;
                }
                total += line.len();
                let _ = tell.send(total);
            }
            // Its end tells that the server has read up to the last filler.
            drop(tell);
            for line in given {
                if stdin.write_all(line.as_bytes()).is_err() {
                    return;
                }
            }
        });
        Ok(Typist { stop, typed, lines })
    }

    /// Waits until the typing pauses for [`STALL`] (the server is blocked
    /// writing to the client), ends, or `deadline` passes; the bytes typed.
    fn until_stalled(&self, ctx: &Ctx, deadline: Deadline) -> usize {
        let stall = ctx.timing.scaled(STALL);
        let mut total = 0;
        while !deadline.expired() {
            match self.typed.recv_timeout(stall) {
                Ok(n) => total = n,
                // Too little to fill the pipe and the socket's buffers:
                // the pause was this machine's load, not a blocked write.
                Err(mpsc::RecvTimeoutError::Timeout) if total < FILLED => {}
                Err(_) => break,
            }
        }
        total
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether the server has read every filler line the typist wrote.
    fn filler_read(&self) -> bool {
        loop {
            match self.typed.try_recv() {
                Ok(_) => {}
                Err(mpsc::TryRecvError::Empty) => return false,
                Err(mpsc::TryRecvError::Disconnected) => return true,
            }
        }
    }

    /// Types `text` and a newline, after the filler.
    fn type_line(&self, ctx: &mut Ctx, text: &str) {
        ctx.note(format!(
            "grader types on the server's stdin: {}",
            show::text(text)
        ));
        let _ = self.lines.send(format!("{text}\n"));
    }
}

/// A second handle on `child`'s stdin, for the typist's thread: the
/// program reads end-of-file only once both handles are closed.
fn stdin_handle(child: &Child) -> io::Result<File> {
    let stdin = child
        .stdin()
        .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "stdin is not piped"))?;
    #[cfg(unix)]
    let owned = std::os::fd::AsFd::as_fd(stdin).try_clone_to_owned()?;
    #[cfg(windows)]
    let owned = std::os::windows::io::AsHandle::as_handle(stdin).try_clone_to_owned()?;
    Ok(File::from(owned))
}

/// Fails when the server has panicked or ended, `after` saying when.
fn alive(server: &Server, after: &str) -> CheckResult {
    if let Some(panic) = panicked(&server.child.output(Stream::Stderr)) {
        return Err(Outcome::fail(format!(
            "the server panicked {after}: a failed write to a client that has gone is that client's end, reported with `error:`, never a panic"
        ))
        .actual(panic));
    }
    if let Some(status) = server.child.status() {
        return Err(Outcome::fail(format!(
            "the server ended ({}) {after}: a client that has gone is never a reason to stop",
            describe_status(status)
        ))
        .actual(format!(
            "stderr: {}",
            lines_or_nothing(&server.child.output(Stream::Stderr))
        )));
    }
    Ok(())
}

/// Client 1 reads nothing while the grader types until the server's write
/// to it blocks; then client 1 resets, in the middle of that write. The
/// server must live on and serve client 2 both ways.
fn write_to_gone(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut first = Talk::open(ctx, &server, "client 1")?;
    let hello = "typed for client 1";
    type_line(ctx, &server, hello)?;
    first.expect_line_or(
        ctx,
        hello,
        "a typed line must reach the client while the client says nothing",
        Some(CauseKind::TakesTurns),
    )?;
    let typist = Typist::start(&server)?;
    let typed = typist.until_stalled(ctx, ctx.deadline(REPLY_WAIT));
    ctx.note(format!(
        "grader typed {} in lines of {FILLER} bytes on the server's stdin, which client 1 does not read, until the server's writes to it stalled",
        show::count(typed, "byte")
    ));
    first.reset(ctx);
    typist.stop();
    alive(&server, WHEN)?;
    let mut next = Talk::open(ctx, &server, "client 2").map_err(|outcome| {
        alive(&server, WHEN).err().unwrap_or(Outcome {
            message: format!("after client 1 went: {}", outcome.message),
            ..outcome
        })
    })?;
    next.send(ctx, "client 2 here")?;
    expect_printed(ctx, &server, "client 2 here", "each client line is printed")?;
    let answer = "welcome, client 2";
    typist.type_line(ctx, answer);
    expect_typed_line(ctx, &server, &mut next, answer, &typist)
        .map_err(|outcome| alive(&server, WHEN).err().unwrap_or(outcome))?;
    say_bye(ctx, &server, &mut next)?;
    alive(&server, WHEN)
}

/// Client 2's next line must be `answer`; lines typed for client 1 that
/// the server read only after client 2 came are let pass.
fn expect_typed_line(
    ctx: &mut Ctx,
    server: &Server,
    talk: &mut Talk,
    answer: &str,
    typist: &Typist,
) -> CheckResult {
    let deadline = ctx.deadline(REPLY_WAIT);
    loop {
        alive(server, WHEN)?;
        match talk.next_line(deadline.step(STEP)) {
            Ok(line) if line.starts_with(b"typed for client 1 ") => {}
            Ok(line) => {
                let text = line.strip_suffix(b"\n").unwrap_or(&line);
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                if text == answer.as_bytes() {
                    ctx.note(format!("client 2 got {}", show::text(answer)));
                    return Ok(());
                }
                return Err(Outcome::fail(
                    "client 2: waiting for the line typed on the server's stdin, another line came",
                )
                .expected(show::text(&format!("{answer}\n")))
                .actual(show::bytes(&line)));
            }
            Err(partial) if matches!(partial.end, End::Timeout) && !deadline.expired() => {}
            Err(_) if !typist.filler_read() => {
                return Err(Outcome::fail(format!(
                    "the server stopped reading its stdin {WHEN}: its keyboard loop must report the error and go on, so that what is typed reaches client 2"
                )))
            }
            Err(partial) => {
                return Err(Outcome::fail(format!(
                    "client 2: the line typed on the server's stdin after client 1 went never came: {}",
                    match partial.end {
                        End::Timeout =>
                            format!("nothing came within {}", human(deadline.budget())),
                        ref end => end.describe(),
                    }
                ))
                .expected(show::text(&format!("{answer}\n"))))
            }
        }
    }
}

/// The server sends lines that look like `BYE`: each is printed and the
/// client goes on; typed ones are sent and the keyboard goes on.
fn client_bye_exact(ctx: &mut Ctx) -> CheckResult {
    let mut host = Host::start(ctx, LOOPBACK, Input::Open(b""))?;
    for (n, text) in NOT_BYE.into_iter().enumerate() {
        let more = format!("more after {:?}", text);
        // The client may be gone already: the wait below says so.
        let _ = host.say(ctx, text);
        let _ = host.say(ctx, &more);
        let shown = expect_said(
            ctx,
            host.client(),
            "client",
            &format!("Server: {more}"),
            "every line from the server is printed while nobody types",
            Some(CauseKind::TakesTurns),
        );
        let out = host.client().output(Stream::Stdout);
        let said = format!("Server: {text}");
        if shown.is_err() || !out.contains(&said) {
            let ended = host.client().wait(ctx.deadline(STEP * 5));
            if let Some(status) = ended {
                return Err(Outcome::fail(format!(
                    "the client ended ({}) when the server sent {}: only a line that is exactly `BYE` ends it; `bye`, ` BYE` and `BYE ` are ordinary lines, printed as `Server: …`",
                    describe_status(status),
                    show::text(text)
                ))
                .actual(lines_or_nothing(&out)));
            }
            shown?;
            if let Some(outcome) = prompted(host.client(), "client", &said) {
                return Err(outcome);
            }
            return Err(Outcome::fail(format!(
                "the client did not print {} (line {} of the server's)",
                show::text(&said),
                2 * n + 1
            ))
            .expected(show::text(&said))
            .actual(lines_or_nothing(&out)));
        }
    }
    for text in NOT_BYE {
        host.type_line(ctx, text)?;
        host.expect_sent(
            ctx,
            text,
            "a typed line that only looks like BYE is sent as it is, and the keyboard goes on",
        )?;
    }
    host.type_line(ctx, "BYE")?;
    host.expect_sent(ctx, "BYE", "the typed BYE is sent")?;
    host.close_after_bye(ctx)
}
