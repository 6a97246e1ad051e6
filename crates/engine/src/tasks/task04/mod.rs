//! Task 04: a line echo server that serves many clients at once.
//!
//! - this file: the task's checks and its [`Lesson`].
//! - [`conn`]: the grader's named connection to the server under test.
//! - [`server`]: the server checks, one or a few clients at a time.
//! - [`many`]: `server.concurrent_100`, a hundred clients at once.
//! - [`client`]: the client checks, the grader playing the server.

use super::trouble::reports_client_error;
use super::{client_checks, server_checks, Lesson};
use crate::check::{CheckDef, CheckResult, Kind};
use crate::harness::{Ctx, Input, Listen, Server, LOOPBACK, REPLY_WAIT};
use std::time::Duration;

mod client;
mod conn;
mod many;
mod server;

use client::{bye_typed, long_reply, pair, slow_replies, waits_for_close, Chat};
use conn::Conn;
use many::concurrent_100;
use server::{
    broken_client, bye, bye_crlf, bye_exact, bye_only_own, idle_client, invalid_utf8, line_echo,
    long_line, reverse_order, thread_per_client,
};

pub struct Lines;

/// How long a client may wait for a reply while another client idles.
const CONCURRENT_REPLY: Duration = Duration::from_secs(1);
/// The longest reply line the grader reads.
const LINE_CAP: usize = 256 * 1024;

impl Lesson for Lines {
    const NUMBER: u8 = 4;
    const PACKAGE: &'static str = "task04_multithreaded";
    /// The client waits for input, stdin open and nothing typed.
    const WAITING_CLIENT: Option<Input<'static>> = Some(Input::Open(b""));
    const TOPIC: &'static str = "One thread per connection";
    const ECHO: Option<super::Echo> = Some(super::Echo::Lines);

    fn checks() -> Vec<CheckDef> {
        let mut checks = server_checks::<Lines>();
        checks.extend([
            CheckDef {
                name: "server.line_echo",
                title: "answers each line with the same text",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "Read whole lines (a BufReader helps), and reply with the line's text as it came, spaces included, and a newline.",
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
                kind: Kind::Wire,
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
                name: "server.bye_exact",
                title: "echoes `bye`, ` BYE` and `BYE `: only a line that is exactly `BYE` ends the connection",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "Compare the line, without its line ending, to \"BYE\" exactly: no trimming of spaces, no ignoring case.",
                    "Remove only the line ending (the '\\n', then a '\\r' left before it) and test what is left \
                        with == \"BYE\". trim(), trim_end() or eq_ignore_ascii_case make ` BYE`, `BYE ` or `bye` \
                        end the connection, yet those are ordinary lines: the grader sends them one after another \
                        on one connection and expects each echoed, the connection still open.",
                ],
                run: bye_exact,
            },
            CheckDef {
                name: "server.bye_crlf",
                title: "takes `BYE\\r\\n` for `BYE`: answers it and closes the connection",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "A line may end in \\r\\n: remove the \\r as well as the \\n before comparing with \"BYE\".",
                    "After read_line or read_until, strip the '\\n' and then a '\\r' left before it (two \
                        strip_suffix calls, in that order, or trim_end_matches with just those two characters), \
                        and compare what is left. Stripping only the '\\n' leaves `BYE\\r`, which is echoed like \
                        any line while the connection stays open; the grader sends `BYE\\r\\n` and waits for the \
                        close.",
                ],
                run: bye_crlf,
            },
            CheckDef {
                name: "server.idle_client",
                title: "answers a second client within 1 s while the first sits idle",
                points: 3,
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                name: "server.reports_client_error",
                title: "reports a client's failed read or write as an `error:` line, and goes on",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "When a client's thread ends with an error, print it to stderr on a line starting with `error:`; don't let the thread swallow it.",
                    "The grader sends many lines without reading the replies and resets the connection, so \
                        the thread's read_line or write_all fails with `Connection reset by peer` or `Broken \
                        pipe`. In the thread's closure, match the io::Result of the client's function: Err(e) \
                        => eprintln!(\"error: lost {peer}: {e}\"). `let _ =`, .ok(), lines().flatten() and \
                        `while let Some(Ok(line))` all stop at the error without a word.",
                ],
                run: reports_client_error::<Lines>,
            },
            CheckDef {
                name: "server.invalid_utf8",
                title: "a line of invalid UTF-8 from one client disturbs no one else",
                points: 1,
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                kind: Kind::Wire,
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
                kind: Kind::Wire,
                hints: &[
                    "Read the reply with a blocking read; don't give up or move on because it hasn't arrived yet.",
                    "After sending a line, call read_line on the BufReader and let it block until the whole \
                        reply is there: no set_read_timeout or set_nonblocking, and no treating an empty or \
                        WouldBlock read as `no reply` and moving on. One reply per line sent, printed in order; \
                        the grader waits 100 ms before each.",
                ],
                run: slow_replies,
            },
            CheckDef {
                name: "client.long_reply",
                title: "prints a 64 KiB reply that arrives in pieces as one line",
                points: 2,
                kind: Kind::Wire,
                hints: &[
                    "A reply can be longer than one read: collect bytes up to the '\\n' before printing (BufReader::read_line does).",
                    "One read returns what has arrived so far, at most the buffer's size, not one line, and \
                        the grader sends its 64 KiB reply in pieces. Make one BufReader around the stream before \
                        the loop and call read_line for each reply: it keeps reading until the newline. Print \
                        the reply once it is whole, then go on to the next input line.",
                ],
                run: long_reply,
            },
            CheckDef {
                name: "client.waits_for_close",
                title: "after the server's `BYE`, waits for the connection to close, then exits",
                points: 1,
                kind: Kind::Wire,
                hints: &[
                    "Printing the server's BYE is not the end: keep reading until the server closes the connection (a read returns 0), then exit.",
                    "The contract has the client wait for the server's close after its BYE, so it knows the \
                        conversation ended cleanly. After printing the BYE reply, call read_to_end on the same \
                        BufReader (or loop on read until Ok(0)) and only then return. The grader keeps the \
                        connection open for a moment after its BYE and fails a client that has already exited.",
                ],
                run: waits_for_close,
            },
        ]);
        checks.extend(client_checks::<Lines>());
        checks.push(CheckDef {
                name: "pair.chat",
                title: "your client chats with your server",
                points: 2,
                kind: Kind::Wire,
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
        let input = Input::Closed(b"first line\nsecond  line  \n");
        Chat::new(at, input, &["first line", "second  line  ", "BYE"]).run(ctx)
    }
}
