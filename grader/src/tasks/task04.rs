//! Task 04: a line echo server that serves many clients at once.

use super::{client_checks, server_checks, Lesson};
use crate::check::{CheckDef, CheckResult, Outcome};
use crate::harness::{
    connect, expect_success, finish_pair, lines_or_nothing, session, Ctx, Input, Listen, Server,
    LOOPBACK, REPLY_WAIT,
};
use crate::hygiene;
use crate::peer::{self, ByeError, End, LineConn, LineError};
use crate::show;
use crate::time::{human, Deadline};
use std::net::SocketAddr;
use std::sync::{Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

pub struct Lines;

/// How long a client may wait for a reply while another client idles.
const CONCURRENT_REPLY: Duration = Duration::from_secs(1);
/// The longest reply line the grader reads.
const LINE_CAP: usize = 256 * 1024;
const CLIENTS: usize = 100;
const LINES_EACH: usize = 20;

impl Lesson for Lines {
    const NUMBER: u8 = 4;
    const PACKAGE: &'static str = "task04_multithreaded";

    fn checks() -> Vec<CheckDef> {
        let mut checks = server_checks::<Lines>();
        checks.extend([
            CheckDef {
                name: "server.line_echo",
                title: "answers each line with the same text",
                points: 2,
                hints: &[
                    "Read whole lines (a BufReader helps), and reply with the line's text and a newline.",
                    "Wrap the stream in a BufReader (write through a try_clone of it, or through a \
                        &TcpStream) and loop over read_line or read_until, answering with write_all after each \
                        line rather than at the end. Clear the buffer before every read, since read_line \
                        appends; an empty line is answered with a bare newline, and only a read of 0 bytes \
                        means the client is gone.",
                ],
                run: line_echo,
            },
            CheckDef {
                name: "server.bye",
                title: "answers `BYE` with `BYE` and closes that connection",
                points: 2,
                hints: &[
                    "Compare the line without its line ending to \"BYE\"; after replying, return from the client's function so its stream is dropped.",
                    "Strip only the line ending (trim_end_matches with '\\r' and '\\n'), compare with \
                        \"BYE\", write_all the reply, then break out of the read loop and return. Every handle \
                        to that socket has to go: a try_clone kept somewhere else (a shared list, say) holds \
                        the connection open, so drop it too or call shutdown(Shutdown::Both).",
                ],
                run: bye,
            },
            CheckDef {
                name: "server.idle_client",
                title: "answers a second client within 1 s while the first sits idle",
                points: 3,
                hints: &[
                    "Give each accepted connection its own thread (thread::spawn(move || …)) so accept() is called again at once.",
                    "The accept loop should only accept, print the connection line and thread::spawn a move \
                        closure that owns the stream and runs the per-client loop. Don't join() the JoinHandle \
                        there, and don't hold a lock shared by all clients while a thread blocks in read_line: \
                        either one puts the second client back in line behind the first.",
                ],
                run: idle_client,
            },
            CheckDef {
                name: "server.reverse_order",
                title: "serves two clients in the reverse order of connecting",
                points: 2,
                hints: &[
                    "Clients are independent: the second may speak before the first. One thread per client handles that.",
                    "Each client's thread should block only in read_line on its own stream. A design where \
                        the accept loop, or a single thread, reads from the clients in turn sits waiting on \
                        client 1 while client 2 talks; spawn each thread right after accept(), before anything \
                        reads.",
                ],
                run: reverse_order,
            },
            CheckDef {
                name: "server.concurrent_100",
                title: "serves 100 clients at once, 20 lines each, every reply to its own client",
                points: 4,
                hints: &[
                    "Every connected client needs its own thread (a pool needs a worker per client), and each thread must use only its own client's stream.",
                    "Move each accepted TcpStream into its own thread's closure and let that thread read from \
                        and write to that stream only: no shared Vec of streams, no reply to `the latest \
                        client`, no global lock held while reading. A thread pool passes only with 100 workers or \
                        more, and thread::Builder::spawn returns an error where thread::spawn would panic the \
                        accept loop when the OS runs short of threads.",
                ],
                run: concurrent_100,
            },
            CheckDef {
                name: "server.broken_client",
                title: "a client that sends half a line and resets disturbs no one else",
                points: 2,
                hints: &[
                    "An I/O error in one client's thread must end that thread quietly (print it), never the whole server.",
                    "Let the per-client function return io::Result and use `?` inside it; in the thread's \
                        closure, match the result and eprintln! the error (a reset shows up as ConnectionReset \
                        from read_line or BrokenPipe from write_all). Nothing a client thread does on error may \
                        reach the whole process: no std::process::exit, no panic while holding a lock the other \
                        threads use.",
                ],
                run: broken_client,
            },
            CheckDef {
                name: "server.invalid_utf8",
                title: "a line of invalid UTF-8 from one client disturbs no one else",
                points: 1,
                hints: &[
                    "Bytes that are not UTF-8 make read_line fail: end that client's thread (or echo the bytes with read_until), and let the others go on.",
                    "read_line and lines() return an Err of kind InvalidData for these bytes: treat it like \
                        any other error and end that client's thread, or read with read_until(b'\\n') into a \
                        Vec<u8>, which doesn't check UTF-8, and echo those bytes back. Either way the error must \
                        stay in that one thread, with no unwrap() on it.",
                ],
                run: invalid_utf8,
            },
            CheckDef {
                name: "server.thread_per_client",
                title: "runs a thread for each connected client, and ends it when the client leaves",
                points: 1,
                hints: &[
                    "Spawn the thread when you accept, and let it return when its client says BYE or hangs up.",
                    "The grader counts the server's threads with 10 clients connected and again after they \
                        leave. thread::spawn one thread per accepted stream, and make that thread's function \
                        return on BYE, on Ok(0) and on an error, so the thread ends with its client.",
                ],
                run: thread_per_client,
            },
            CheckDef {
                name: "server.long_line",
                title: "echoes a 64 KiB line",
                points: 2,
                hints: &[
                    "A line can be longer than one read: collect bytes until the newline (read_line or read_until do).",
                    "BufReader's read_line and read_until keep refilling until they find '\\n', however long \
                        the line, so use them instead of a single read into a fixed array or one fill_buf. Send \
                        the 64 KiB reply with write_all, because a single write may accept only part of it.",
                ],
                run: long_line,
            },
            CheckDef {
                name: "server.bye_only_own",
                title: "`BYE` from one client leaves the others connected",
                points: 2,
                hints: &[
                    "BYE ends that client's thread only; the accept loop and other threads go on.",
                    "After answering BYE, return from that client's function and nothing more: no \
                        std::process::exit, no shared `running` flag or channel message that stops the accept \
                        loop or the other threads, no shutdown of a socket anyone else uses.",
                ],
                run: bye_only_own,
            },
            CheckDef {
                name: "client.lines",
                title: "sends each input line, prints each reply, and sends `BYE` at the end of input",
                points: 3,
                hints: &[
                    "For every line of stdin: send it with a newline, read one reply line, print `Received from server: <reply>`. At end of input send BYE yourself.",
                    "Read stdin with io::stdin().lock().lines() and make one BufReader around the stream \
                        before the loop (a new one per reply can swallow bytes it had buffered); for each line, \
                        write_all it plus '\\n', read_line one reply, strip only its line ending and print it. \
                        When lines() runs out, do the same for BYE, then read_to_end until the server closes \
                        and return normally; the input has trailing spaces, so no trim().",
                ],
                run: |ctx| Lines::play_server(ctx, LOOPBACK),
            },
            CheckDef {
                name: "client.bye_typed",
                title: "stops reading input once the user types `BYE`",
                points: 2,
                hints: &[
                    "After sending BYE, stop reading stdin: wait for the server's BYE and its close, then exit.",
                    "Test each input line after its reply is printed: if it was `BYE`, break out of the \
                        stdin loop instead of asking for another line, because the grader leaves stdin open and \
                        the next lines().next() would block for ever. Don't read all of stdin up front \
                        (read_to_string waits for an end that never comes); after the break, read_to_end on \
                        the connection and exit 0.",
                ],
                run: bye_typed,
            },
            CheckDef {
                name: "client.slow_replies",
                title: "waits for replies that come slowly",
                points: 2,
                hints: &[
                    "Read the reply with a blocking read; don't give up or move on because it hasn't arrived yet.",
                    "After sending a line, call read_line on the BufReader and let it block until the whole \
                        reply is there: no set_read_timeout or set_nonblocking, and no treating an empty or \
                        WouldBlock read as `no reply` and moving on. One reply per line sent, printed in order; \
                        the grader waits 100 ms before each.",
                ],
                run: slow_replies,
            },
        ]);
        checks.extend(client_checks::<Lines>());
        checks.push(CheckDef {
                name: "pair.chat",
                title: "your client chats with your server",
                points: 2,
                hints: &[
                    "Run both in two terminals and type a few lines, then BYE.",
                    "The grader gives your client one line and then closes its stdin, so the client must turn \
                        end of input into a BYE it sends itself, and your server must answer it and drop every \
                        handle to that connection so the client's last read_to_end returns. To reproduce it, \
                        type a line and press Ctrl-D rather than typing BYE; whichever side is still running \
                        is the one to fix.",
                ],
                run: pair,
            });
        checks
    }

    fn probe(ctx: &mut Ctx, server: &Server, round: usize) -> CheckResult {
        let mut conn = Conn::open(ctx, server, "client")?;
        conn.exchange(ctx, &format!("probe {round}"), REPLY_WAIT)?;
        conn.say_bye(ctx)
    }

    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult {
        chat_with_client(
            ctx,
            at,
            Input::Closed(b"first line\nsecond  line  \n"),
            &["first line", "second  line  ", "BYE"],
            Duration::ZERO,
        )
    }
}

/// The grader's connection to the server, named for the transcript.
struct Conn {
    name: String,
    conn: LineConn,
}

impl Conn {
    fn open(ctx: &mut Ctx, server: &Server, name: &str) -> Result<Conn, Outcome> {
        let stream = connect(ctx, server)?;
        Ok(Conn {
            name: name.to_string(),
            conn: LineConn::new(stream, LINE_CAP),
        })
    }

    fn send(&self, ctx: &mut Ctx, line: &str) -> CheckResult {
        ctx.note(format!("{} sends {}", self.name, show::text(line)));
        self.conn
            .send(line.as_bytes(), ctx.deadline(REPLY_WAIT))
            .map_err(|e| judge_reply(&self.name, line, LineError::Unsent(e), REPLY_WAIT))
    }

    /// Reads one reply and expects its text to be `text`.
    fn expect_reply(&mut self, ctx: &mut Ctx, text: &str, within: Duration) -> CheckResult {
        let deadline = ctx.deadline(within);
        match self.conn.reply_to(text.as_bytes(), deadline) {
            Ok(_) => {
                ctx.note(format!("{} got its reply", self.name));
                Ok(())
            }
            Err(error) => Err(judge_reply(&self.name, text, error, deadline.budget())),
        }
    }

    fn exchange(&mut self, ctx: &mut Ctx, line: &str, within: Duration) -> CheckResult {
        self.send(ctx, line)?;
        self.expect_reply(ctx, line, within)
    }

    /// Sends `BYE`, expects `BYE` back and the connection closed.
    fn say_bye(&mut self, ctx: &mut Ctx) -> CheckResult {
        ctx.note(format!("{} sends {}", self.name, show::text("BYE")));
        let within = ctx.timing.scaled(REPLY_WAIT);
        match self.conn.say_bye(within) {
            Ok(()) => {
                ctx.note(format!("{} got its reply", self.name));
                Ok(())
            }
            Err(ByeError::Reply(error)) => Err(judge_reply(&self.name, "BYE", error, within)),
            Err(ByeError::StillOpen) => Err(Outcome::fail(format!(
                "{}: the server answered BYE but kept the connection open for {}",
                self.name,
                human(within)
            ))),
            Err(ByeError::More(bytes)) => Err(Outcome::fail(format!(
                "{}: the server sent more after BYE",
                self.name
            ))
            .actual(show::bytes(&bytes))),
        }
    }
}

/// What went wrong with `who`'s reply to `text`, waited for `budget`.
fn judge_reply(who: &str, text: &str, error: LineError, budget: Duration) -> Outcome {
    let expected = show::text(&format!("{text}\n"));
    let (what, got) = match error {
        LineError::Unsent(e) => {
            return Outcome::fail(format!("{who} could not send {}: {e}", show::text(text)))
        }
        LineError::Wrong(line) => {
            return Outcome::fail(format!("{who} got a wrong reply"))
                .expected(expected)
                .actual(show::bytes(&line))
        }
        LineError::Timeout(bytes) => (format!("no reply within {}", human(budget)), bytes),
        LineError::Closed(partial) => (
            format!("no complete reply line: {}", partial.end.describe()),
            partial.bytes,
        ),
    };
    let outcome = Outcome::fail(format!("{who}: {what}")).expected(expected);
    if got.is_empty() {
        outcome
    } else {
        outcome.actual(show::bytes(&got))
    }
}

fn line_echo(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut conn = Conn::open(ctx, &server, "client")?;
    for line in [
        "hello",
        "  spaced out  ",
        "Grüße, 世界 🦀",
        "bye is not BYE",
        "",
    ] {
        conn.exchange(ctx, line, REPLY_WAIT)?;
    }
    // A line ended by \r\n is answered with its text alone.
    ctx.note("client sends \"crlf line\\r\\n\"");
    peer::write_all(
        conn.conn.stream(),
        b"crlf line\r\n",
        ctx.deadline(REPLY_WAIT),
    )
    .map_err(|e| Outcome::fail(format!("could not send: {e}")))?;
    conn.expect_reply(ctx, "crlf line", REPLY_WAIT)
}

fn bye(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut conn = Conn::open(ctx, &server, "client")?;
    conn.exchange(ctx, "one line before leaving", REPLY_WAIT)?;
    conn.say_bye(ctx)
}

/// Expects `second`'s reply within [`CONCURRENT_REPLY`] while `first` holds
/// its connection; on a timeout, measures how long the reply takes once
/// `first` leaves, so the message says what happened.
fn expect_served_while_other_waits(
    ctx: &mut Ctx,
    first: Conn,
    second: &mut Conn,
    line: &str,
) -> CheckResult {
    second.send(ctx, line)?;
    let started = Instant::now();
    let deadline = ctx.deadline(CONCURRENT_REPLY);
    match second.conn.reply_to(line.as_bytes(), deadline) {
        Ok(_) => {
            ctx.note(format!("{} got its reply", second.name));
            Ok(())
        }
        Err(error @ LineError::Timeout(_)) => {
            let outcome = judge_reply(&second.name, line, error, deadline.budget());
            drop(first);
            ctx.note("grader closes client 1 to see whether client 2 is answered then");
            let late = second.expect_reply(ctx, line, REPLY_WAIT);
            let waited = human(started.elapsed());
            let message = match late {
                    Ok(()) => format!(
                        "client 2 waited {waited} and was answered only after client 1 closed: the server serves one client at a time"
                    ),
                    Err(_) => format!(
                        "client 2 got no reply in {waited}, even after client 1 closed, while client 1 was connected first"
                    ),
                };
            Err(Outcome { message, ..outcome })
        }
        Err(error) => Err(judge_reply(&second.name, line, error, deadline.budget())),
    }
}

fn idle_client(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let idle = Conn::open(ctx, &server, "client 1")?;
    let mut second = Conn::open(ctx, &server, "client 2")?;
    expect_served_while_other_waits(ctx, idle, &mut second, "is anybody there?")
}

fn reverse_order(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut first = Conn::open(ctx, &server, "client 1")?;
    let mut second = Conn::open(ctx, &server, "client 2")?;
    second
        .exchange(ctx, "second to connect, first to speak", CONCURRENT_REPLY)
        .map_err(|outcome| Outcome {
            message: format!(
                "{} (client 1, connected earlier, had sent nothing yet)",
                outcome.message
            ),
            ..outcome
        })?;
    first.exchange(ctx, "first to connect, second to speak", REPLY_WAIT)?;
    second.say_bye(ctx)?;
    first.say_bye(ctx)
}

fn concurrent_100(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let addr = server.addr;
    let deadline = ctx.deadline(Duration::from_secs(20));
    let together = Together::new(ctx.deadline(ALL_ANSWERED));
    ctx.note(format!(
            "{CLIENTS} clients connect, each is answered once while all are connected, then each sends {LINES_EACH} lines"
        ));
    let all_connected = Barrier::new(CLIENTS);
    let failures: Vec<String> = thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let (all_connected, together) = (&all_connected, &together);
                thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn_scoped(scope, move || {
                        one_of_many(i, addr, all_connected, together, deadline)
                    })
            })
            .collect();
        clients
            .into_iter()
            .filter_map(|spawned| match spawned {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|_| Err("client thread panicked".into()))
                    .err(),
                Err(e) => Some(format!("could not start a client thread: {e}")),
            })
            .collect()
    });
    if failures.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "{} of {CLIENTS} clients were not served correctly; first: {}",
        failures.len(),
        failures[0]
    );
    if let Some(answered) = together.at_deadline() {
        message = format!(
                "only {answered} of {CLIENTS} connected clients got a reply within {}: the server does not serve them all at once",
                human(ctx.timing.scaled(ALL_ANSWERED))
            );
    }
    Err(Outcome::fail(message))
}

/// How long 100 connected clients have to be answered once each.
const ALL_ANSWERED: Duration = Duration::from_secs(5);

/// Counts the clients of [`concurrent_100`] that had their first reply,
/// and lets each wait, within a deadline, until all have: a server that
/// serves fewer at once than are connected can't get past this.
struct Together {
    answered: Mutex<usize>,
    changed: Condvar,
    deadline: Deadline,
    /// How many had been answered when the deadline passed, if it did.
    at_deadline: Mutex<Option<usize>>,
}

impl Together {
    fn new(deadline: Deadline) -> Self {
        Together {
            answered: Mutex::new(0),
            changed: Condvar::new(),
            deadline,
            at_deadline: Mutex::new(None),
        }
    }

    fn at_deadline(&self) -> Option<usize> {
        *self.at_deadline.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one more answered client; true once all are, false if the
    /// deadline passes first.
    fn answered_and_wait(&self) -> bool {
        let mut answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        *answered += 1;
        self.changed.notify_all();
        while *answered < CLIENTS {
            let Some(left) = self.deadline.remaining() else {
                let mut seen = self.at_deadline.lock().unwrap_or_else(|p| p.into_inner());
                seen.get_or_insert(*answered);
                return false;
            };
            answered = self
                .changed
                .wait_timeout(answered, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }
}

/// One client of [`concurrent_100`]: connects, waits for all to connect,
/// is answered once and waits for all to be answered, then talks.
fn one_of_many(
    i: usize,
    addr: SocketAddr,
    all_connected: &Barrier,
    together: &Together,
    deadline: Deadline,
) -> Result<(), String> {
    let connected = peer::connect(addr, deadline);
    all_connected.wait();
    let stream = connected.map_err(|e| format!("client {i} could not connect: {e}"))?;
    let mut conn = LineConn::new(stream, LINE_CAP);
    let name = format!("client {i}");
    let judged = |line: &str, error, within: Deadline| {
        describe(&judge_reply(&name, line, error, within.budget()))
    };
    for j in 0..LINES_EACH {
        let line = format!("client {i} line {j}: {}", "x".repeat((i * 7 + j * 13) % 50));
        conn.send(line.as_bytes(), deadline)
            .map_err(|e| format!("{name} could not send line {j}: {e}"))?;
        let within = if j == 0 { together.deadline } else { deadline };
        conn.reply_to(line.as_bytes(), within)
            .map_err(|error| judged(&line, error, within))?;
        if j == 0 && !together.answered_and_wait() {
            return Err(format!(
                "{name} was answered, but not every other connected client was"
            ));
        }
    }
    conn.send(b"BYE", deadline)
        .map_err(|e| format!("{name} could not send BYE: {e}"))?;
    conn.reply_to(b"BYE", deadline)
        .map(drop)
        .map_err(|error| judged("BYE", error, deadline))
}

fn describe(outcome: &Outcome) -> String {
    let mut text = outcome.message.clone();
    if let Some(expected) = &outcome.expected {
        text.push_str(&format!("; expected {expected}"));
    }
    if let Some(actual) = &outcome.actual {
        text.push_str(&format!(", got {actual}"));
    }
    text
}

fn broken_client(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut steady = Conn::open(ctx, &server, "client 1")?;
    steady.exchange(ctx, "before the trouble", REPLY_WAIT)?;
    let broken = connect(ctx, &server)?;
    peer::write_all(&broken, b"half a li", ctx.deadline(REPLY_WAIT))
        .map_err(|e| Outcome::fail(format!("could not send to the server: {e}")))?;
    peer::reset(broken);
    ctx.note("client 2 sent half a line and reset its connection");
    steady.exchange(ctx, "after the trouble", REPLY_WAIT)?;
    let mut newcomer = Conn::open(ctx, &server, "client 3")?;
    newcomer.exchange(ctx, "a newcomer after the trouble", REPLY_WAIT)?;
    newcomer.say_bye(ctx)?;
    steady.say_bye(ctx)
}

fn invalid_utf8(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut steady = Conn::open(ctx, &server, "client 1")?;
    steady.exchange(ctx, "before the junk", REPLY_WAIT)?;
    let mut junk = Conn::open(ctx, &server, "client 2")?;
    ctx.note("client 2 sends \"\\xff\\xfe not text\\n\"");
    peer::write_all(
        junk.conn.stream(),
        b"\xff\xfe not text\n",
        ctx.deadline(REPLY_WAIT),
    )
    .map_err(|e| Outcome::fail(format!("could not send: {e}")))?;
    // Answered or hung up on: either is allowed. What matters is the rest.
    let answer = junk.conn.line(ctx.deadline(REPLY_WAIT));
    ctx.note(format!(
        "client 2's answer: {}",
        match &answer {
            Ok(line) => show::bytes(line),
            Err(partial) => partial.end.describe(),
        }
    ));
    steady.exchange(ctx, "after the junk", REPLY_WAIT)?;
    let mut newcomer = Conn::open(ctx, &server, "client 3")?;
    newcomer.exchange(ctx, "a newcomer after the junk", REPLY_WAIT)?;
    newcomer.say_bye(ctx)?;
    steady.say_bye(ctx)
}

fn thread_per_client(ctx: &mut Ctx) -> CheckResult {
    const HELD: usize = 10;
    if !hygiene::available() {
        return Err(Outcome::skip("no /proc on this machine to count threads"));
    }
    let server = ctx.server(&[])?;
    let group = server.child.pid();
    // A pool may still be starting its threads after `Listening on`: take
    // the count once it holds still.
    let before = hygiene::steady(ctx.deadline(Duration::from_secs(1)), || {
        hygiene::threads(group)
    })
    .unwrap_or(0);
    let mut held = Vec::new();
    for i in 0..HELD {
        let mut conn = Conn::open(ctx, &server, &format!("client {}", i + 1))?;
        conn.exchange(ctx, "hold on", REPLY_WAIT)?;
        held.push(conn);
    }
    let during = hygiene::threads(group).unwrap_or(0);
    ctx.note(format!(
        "threads: {before} before, {during} with {HELD} clients connected"
    ));
    // A pool that already had a thread for each of them is fine too.
    let pool = before > HELD;
    if during < before + HELD && !pool {
        return Err(Outcome::fail(format!(
                "with {HELD} clients connected the server ran {during} threads ({before} before): not one per client"
            )));
    }
    for conn in &mut held {
        conn.say_bye(ctx)?;
    }
    drop(held);
    let after = hygiene::settle(
        ctx.deadline(Duration::from_secs(2)),
        || hygiene::threads(group),
        |n| n <= before,
    )
    .unwrap_or(0);
    ctx.note(format!("threads after they left: {after}"));
    if after > before && !pool {
        return Err(Outcome::fail(format!(
                "{} threads were still running after their clients left: a client's thread must end with its client",
                after - before
            )));
    }
    Ok(())
}

fn long_line(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut conn = Conn::open(ctx, &server, "client")?;
    let line: String = (0..64 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    conn.exchange(ctx, &line, REPLY_WAIT)?;
    conn.say_bye(ctx)
}

fn bye_only_own(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut leaving = Conn::open(ctx, &server, "client 1")?;
    let mut staying = Conn::open(ctx, &server, "client 2")?;
    leaving.exchange(ctx, "I am leaving soon", CONCURRENT_REPLY)?;
    staying.exchange(ctx, "I am staying", CONCURRENT_REPLY)?;
    leaving.say_bye(ctx)?;
    staying.exchange(ctx, "still here after client 1 left", REPLY_WAIT)?;
    staying.say_bye(ctx)
}

/// Plays the server for the client: replies to each line (after `delay`),
/// answers `BYE` and closes; expects exactly `expected` lines from the
/// client and every reply printed.
fn chat_with_client(
    ctx: &mut Ctx,
    at: Listen,
    input: Input,
    expected: &[&str],
    delay: Duration,
) -> CheckResult {
    let session = session(ctx, at, &[], input)?;
    let mut reader = LineConn::new(session.stream, LINE_CAP);
    let mut received = Vec::new();
    loop {
        let deadline = ctx.deadline(REPLY_WAIT);
        let line = match reader.line(deadline) {
            Ok(line) => line,
            Err(partial) => {
                let what = match partial.end {
                    End::Timeout => format!(
                        "the client sent nothing more for {} and no BYE",
                        human(deadline.budget())
                    ),
                    End::Eof => "the client closed the connection without sending BYE".to_string(),
                    ref other => format!("before the client sent BYE, {}", other.describe()),
                };
                return Err(Outcome::fail(what)
                    .expected(lines_shown(expected))
                    .actual(lines_shown(&received)));
            }
        };
        let text = String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line)).into_owned();
        let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
        ctx.note(format!("client sent {}", show::text(&text)));
        if !delay.is_zero() {
            thread::sleep(delay);
        }
        reader
            .send(text.as_bytes(), ctx.deadline(REPLY_WAIT))
            .map_err(|e| Outcome::fail(format!("could not reply to the client: {e}")))?;
        let was_bye = text == "BYE";
        received.push(text);
        if was_bye || received.len() > expected.len() + 5 {
            break;
        }
    }
    drop(reader);
    let done = ctx.finish(&session.client)?;
    if received != expected {
        return Err(
            Outcome::fail("the client did not send the lines it was given, then BYE")
                .expected(lines_shown(expected))
                .actual(lines_shown(&received)),
        );
    }
    expect_success(&done)?;
    let wanted: Vec<String> = expected
        .iter()
        .map(|l| format!("Received from server: {l}"))
        .collect();
    let printed: Vec<&String> = done
        .stdout
        .iter()
        .filter(|l| l.starts_with("Received from server:"))
        .collect();
    if printed
        .iter()
        .map(|l| l.as_str())
        .ne(wanted.iter().map(String::as_str))
    {
        return Err(
            Outcome::fail("the client did not print every reply, in order")
                .expected(lines_shown(&wanted))
                .actual(lines_or_nothing(&done.stdout)),
        );
    }
    Ok(())
}

fn lines_shown<S: AsRef<str>>(lines: &[S]) -> String {
    if lines.is_empty() {
        return "no lines".to_string();
    }
    lines
        .iter()
        .map(|l| show::text(l.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bye_typed(ctx: &mut Ctx) -> CheckResult {
    chat_with_client(
        ctx,
        LOOPBACK,
        Input::Open(b"one\nBYE\nafter bye\n"),
        &["one", "BYE"],
        Duration::ZERO,
    )
}

fn slow_replies(ctx: &mut Ctx) -> CheckResult {
    chat_with_client(
        ctx,
        LOOPBACK,
        Input::Closed(b"slow one\nslow two\n"),
        &["slow one", "slow two", "BYE"],
        Duration::from_millis(100),
    )
}

fn pair(ctx: &mut Ctx) -> CheckResult {
    let server = ctx.server(&[])?;
    let mut client = ctx.client("127.0.0.1", server.addr.port(), &[], true)?;
    client
        .write_stdin(b"hello, my own server\n")
        .map_err(|e| Outcome::fail(format!("could not write to the client's stdin: {e}")))?;
    client.close_stdin();
    let done = finish_pair(ctx, &client)?;
    expect_success(&done)?;
    let wanted = [
        "Received from server: hello, my own server",
        "Received from server: BYE",
    ];
    let printed: Vec<&str> = done
        .stdout
        .iter()
        .filter(|l| l.starts_with("Received from server:"))
        .map(String::as_str)
        .collect();
    if printed != wanted {
        return Err(
            Outcome::fail("the client did not print both replies of your server")
                .expected(lines_shown(&wanted))
                .actual(lines_or_nothing(&done.stdout)),
        );
    }
    Ok(())
}
