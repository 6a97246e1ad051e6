//! Task 06: a two-way chat, one client at a time, both sides typing
//! whenever they like, either side ending it with `BYE`.
//!
//! - this file: the task's checks and its [`Lesson`].
//! - [`talk`]: the grader's connection to the server, and its typing on
//!   the server's stdin.
//! - [`server`]: the server checks, the grader on both of its inputs.
//! - [`client`]: the client checks, the grader playing the server; and the
//!   pair checks.
//! - [`edges`]: the edges of a conversation: a line typed while nobody is
//!   connected, a write to a client that has just gone, a look-alike `BYE`
//!   at the client.

use super::{client_checks, server_checks, Lesson};
use crate::check::{CheckDef, CheckResult, Kind};
use crate::harness::{Ctx, Input, Listen, Server};
use talk::unprompted;

mod client;
mod edges;
mod pair;
mod server;
mod start;
mod talk;

use talk::{expect_printed, type_line, Talk};

pub struct Chat;

impl Lesson for Chat {
    const NUMBER: u8 = 6;
    const PACKAGE: &'static str = "task06_chat";
    /// The client is connected and waits, stdin open and nothing typed.
    const WAITING_CLIENT: Option<Input<'static>> = Some(Input::Open(b""));
    const TOPIC: &'static str = "Full duplex: a chat";
    const ECHO: Option<super::Echo> = None;

    fn checks() -> Vec<CheckDef> {
        let mut checks = server_checks::<Chat>();
        checks.extend(server_own());
        checks.extend(edges::server_checks());
        checks.extend(client_checks::<Chat>());
        checks.extend(client_own());
        checks.extend(edges::client_checks());
        checks.extend(pair());
        checks
    }

    /// One short conversation: a line printed, one typed back, then the
    /// client's `BYE`.
    fn probe(ctx: &mut Ctx, server: &Server, round: usize) -> CheckResult {
        let mut talk = Talk::open(ctx, server, "client")?;
        let text = format!("probe {round}");
        talk.send(ctx, &text)?;
        expect_printed(ctx, server, &text, "each client line is printed")?;
        let answer = format!("answer {round}");
        type_line(ctx, server, &answer)?;
        talk.expect_line(
            ctx,
            &answer,
            "waiting for the line typed on the server's stdin",
        )?;
        server::say_bye(ctx, server, &mut talk)
    }

    fn play_server(ctx: &mut Ctx, at: Listen) -> CheckResult {
        unprompted(ctx, |ctx| client::play(ctx, at))
    }
}

fn server_own() -> Vec<CheckDef> {
    vec![
        CheckDef {
            name: "server.client_lines",
            title: "prints `Client: <text>` for each line the client sends",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Read the connection line by line and print each line's text after `Client: `, as it arrives.",
                "Wrap the accepted stream in a BufReader and loop over lines() (it removes \\n and \\r\\n): \
                    println!(\"Client: {line}\") for each. Print before doing anything else with the line, \
                    and keep no trim(): the grader sends a line with spaces at both ends.",
            ],
            run: server::client_lines,
        },
        CheckDef {
            name: "server.typed_lines",
            title: "sends each line typed on its stdin to the client",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Read the server's own stdin line by line, and write each line with a `\\n` to the client's socket.",
                "io::stdin().lock().lines() gives the typed lines; write_all(format!(\"{line}\\n\")) on a \
                    handle of the client's stream (a try_clone, kept where the stdin loop can reach it). \
                    The grader types a line once the client has spoken and waits for it on the socket.",
            ],
            run: server::typed_lines,
        },
        CheckDef {
            name: "server.conversation_start",
            title: "a line typed the moment `Connection from` is printed reaches that client",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "`Connection from` says the conversation has begun: make the client's stream reachable by the keyboard thread before you print it.",
                "Put the try_clone of the accepted stream into the shared slot (the Mutex<Option<TcpStream>>) \
                    first, then print `Connection from <peer>`, then read the socket. Printing first, or \
                    spawning the reading thread before storing the stream, leaves a moment in which the \
                    keyboard thread finds nobody connected and drops what was typed. The grader starts \
                    many short conversations and types a line the moment the line appears in each.",
            ],
            run: start::conversation_start,
        },
        CheckDef {
            name: "server.duplex_from_client",
            title: "prints two client lines in a row while nobody types",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Reading the keyboard blocks: while the server waits there, it cannot print what the client says. Give each of the two a thread.",
                "Strict turns (read the socket, then read stdin, then the socket again) hang as soon as the \
                    client sends two lines in a row: the second waits while the server sits in the keyboard \
                    read. Read stdin in a thread of its own (spawned once, for the server's whole life), and \
                    let the connection's loop only read the socket and print.",
            ],
            run: server::duplex_from_client,
        },
        CheckDef {
            name: "server.duplex_typed",
            title: "sends two typed lines in a row while the client says nothing",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Reading the socket blocks: while the server waits there, nothing typed is sent. The keyboard needs a thread of its own.",
                "A server that reads the client's line first and only then looks at stdin sends nothing to \
                    a client that is waiting to hear first. Keep the socket read in one thread and the stdin \
                    read in another, each blocking on its own input, so a typed line is written to the \
                    client the moment it is read.",
            ],
            run: server::duplex_typed,
        },
        CheckDef {
            name: "server.client_bye",
            title: "prints the client's `BYE`, closes without answering, and serves the next client",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "On a line that is exactly BYE from the client: print it, close the connection, print `Conversation ended`, and go back to accept().",
                "Break out of the read loop after printing `Client: BYE`, without writing anything back, \
                    and make sure every handle to that socket goes: the one the stdin thread writes through \
                    too (take it out of the shared Option, or shutdown(Shutdown::Both) it). Then print a line \
                    with `Conversation ended` and return to the accept loop; the grader connects a second \
                    client next.",
            ],
            run: server::client_bye,
        },
        CheckDef {
            name: "server.hangup",
            title: "a client that closes without `BYE` ends the conversation; the next is served",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "A read of 0 bytes (the end of lines()) means the client has gone: end the conversation as a BYE would.",
                "When lines() returns None or an Err, the client closed or vanished: leave the read loop, \
                    drop or shut down the stream the stdin thread writes to, print `Conversation ended` and \
                    accept the next client. Don't treat it as the end of the server, and don't loop on the \
                    dead socket.",
            ],
            run: server::hangup,
        },
        CheckDef {
            name: "server.backlog",
            title: "serves a second client after the first conversation, not alongside it",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "One conversation at a time: don't accept (or read from) the next client until the current one has ended; it waits in the backlog.",
                "Call accept() again only once the conversation has ended. A thread per client (task 04's \
                    lesson) is wrong here: the server has one keyboard, and typed lines would go to whichever \
                    client came last, while two clients' lines interleave. The grader connects a second \
                    client during the first conversation, checks that it hears nothing, then ends the first \
                    and expects the second to be accepted and heard.",
            ],
            run: server::backlog,
        },
        CheckDef {
            name: "server.typed_bye",
            title: "sends a typed `BYE`, closes the connection, and serves the next client",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "When the line typed is BYE, send it, then close the connection: the thread reading the socket must notice and end the conversation.",
                "After write_all of `BYE\\n`, call shutdown(Shutdown::Both) on the stream: that closes it for \
                    every handle and makes the socket-reading thread's blocked read return, so it ends the \
                    conversation and goes back to accept(). Dropping the stdin thread's try_clone alone closes \
                    nothing while the other handle lives.",
            ],
            run: server::typed_bye,
        },
        CheckDef {
            name: "server.stdin_end",
            title: "when its stdin ends, sends `BYE`, closes, and exits 0",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "The end of the server's stdin (Ctrl-D) ends the server: say BYE to the current client, close, and exit with status 0.",
                "When the stdin loop runs out, write `BYE\\n` to the current client if there is one, shut \
                    it down, and call std::process::exit(0): the main thread is blocked in accept() or a \
                    read, and returning from the stdin thread alone ends nothing.",
            ],
            run: server::stdin_end,
        },
        CheckDef {
            name: "server.utf8_crlf",
            title: "handles UTF-8 text and lines ending in `\\r\\n` (`BYE\\r\\n` too)",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Read whole lines, not single bytes, and remove a `\\r` before the `\\n` before printing or comparing with BYE.",
                "BufRead::lines() removes both \\n and \\r\\n and returns a String, so UTF-8 characters arrive \
                    whole; reading a byte at a time and pushing each as a char mangles them. Compare the line \
                    without its ending with \"BYE\", so `BYE\\r\\n` ends the conversation too.",
            ],
            run: server::utf8_crlf,
        },
        CheckDef {
            name: "server.bye_exact",
            title: "prints `bye`, ` BYE` and `BYE ` as ordinary lines: only `BYE` ends the conversation",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "Compare the line, without its line ending, to \"BYE\" exactly: no trimming of spaces, no ignoring case.",
                "line == \"BYE\" after lines() (or after removing only \\n and \\r) is the test. trim(), \
                    to_uppercase() or eq_ignore_ascii_case make ` BYE`, `BYE ` or `bye` end the \
                    conversation; the grader sends them, then types a line and expects it to arrive.",
            ],
            run: server::bye_exact,
        },
    ]
}

fn client_own() -> Vec<CheckDef> {
    vec![
        CheckDef {
            name: "client.connected",
            title: "prints `Connected to <server addr>` once connected",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "After connecting, print `Connected to ` and the stream's peer_addr().",
                "peer_addr() on the connected TcpStream is the address actually reached (127.0.0.1:5006, \
                    [::1]:5006), which is what the line names; print it before starting the threads.",
            ],
            run: |ctx| unprompted(ctx, client::connected),
        },
        CheckDef {
            name: "client.sends_typed",
            title: "sends each typed line, two in a row without waiting for the server",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Send every line read from stdin at once, without waiting for the server to answer: in a chat the server may say nothing.",
                "Loop over io::stdin().lock().lines() and write_all each line with a \\n; no read of the \
                    socket in that loop. Reading the server's lines is another thread's job, so the \
                    keyboard loop never blocks on the socket.",
            ],
            run: |ctx| unprompted(ctx, client::sends_typed),
        },
        CheckDef {
            name: "client.prints_at_once",
            title: "prints `Server: <text>` as soon as a line arrives, while nobody types",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "While the main thread waits for the keyboard, another thread must be reading the socket and printing.",
                "Before the stdin loop, spawn a thread that owns a try_clone of the stream, wraps it in a \
                    BufReader and prints `Server: {line}` for each line. A client that reads the socket only \
                    after each typed line prints nothing while the user is silent, which is the hang this \
                    task is about.",
            ],
            run: |ctx| unprompted(ctx, client::prints_at_once),
        },
        CheckDef {
            name: "client.server_bye",
            title: "ends with status 0 on the server's `BYE`, while its stdin is still open",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "The server's BYE ends the client at once, even while the main thread waits for a keystroke: the reading thread has to end the program.",
                "The main thread is blocked in the stdin read and nothing can wake it, so the thread that \
                    reads the socket must, after printing `Server: BYE`, call std::process::exit(0). Setting \
                    a flag that the stdin loop looks at after the next line means the client only ends when \
                    the user presses Enter.",
            ],
            run: |ctx| unprompted(ctx, client::server_bye),
        },
        CheckDef {
            name: "client.typed_bye",
            title: "after a typed `BYE`, reads no more input but prints until the server closes",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Once BYE is typed and sent, stop reading stdin, and wait for the reading thread: it prints the server's last lines and ends at the close.",
                "Break out of the stdin loop when the line is BYE (after sending it), then join() the reading \
                    thread. Exiting right after sending BYE loses what the server still says; the grader \
                    sends a line after your BYE, keeps the connection open for 300 ms, and types one more \
                    line that must not be sent.",
            ],
            run: |ctx| unprompted(ctx, client::typed_bye),
        },
        CheckDef {
            name: "client.stdin_end",
            title: "at the end of its input, sends `BYE` and waits for the server to close",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "When stdin ends, do what a typed BYE does: send BYE, then wait for the server to close.",
                "When lines() returns None, write `BYE\\n` yourself, then join the reading thread, which returns \
                    once the server closes the connection. The grader sends one more line after your BYE and \
                    keeps the connection open for 300 ms before closing.",
            ],
            run: |ctx| unprompted(ctx, client::stdin_end),
        },
        CheckDef {
            name: "client.no_bye",
            title: "a server that closes without `BYE` gives `error:` and exit status 1",
            points: 1,
            kind: Kind::Wire,
            hints: &[
                "If the server closes before anyone said BYE, print `error: the server <addr> closed the connection without BYE` and exit 1.",
                "In the reading thread, a read of 0 bytes (lines() ending) before the client sent BYE is an \
                    error: the thread must print the error line to stderr and call std::process::exit(1) \
                    itself, since the main thread may be blocked on the keyboard. Keep a flag (an AtomicBool) \
                    that says whether BYE was sent.",
            ],
            run: |ctx| unprompted(ctx, client::no_bye),
        },
    ]
}

fn pair() -> Vec<CheckDef> {
    vec![
        CheckDef {
            name: "pair.chat",
            title: "your client and your server talk both ways, and the client ends it",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Run the server and the client in two terminals, type on both, then BYE in the client.",
                "The grader types a line in your client, then one in your server, then BYE in your client: \
                    each line must show on the other side, your client must exit 0 once your server closes, \
                    and your server must print `Client: BYE` and `Conversation ended`. Whichever side is \
                    still running or silent is the one to fix.",
            ],
            run: |ctx| unprompted(ctx, pair::pair_chat),
        },
        CheckDef {
            name: "pair.server_ends",
            title: "your server ends the conversation with a typed `BYE`, and your client exits",
            points: 2,
            kind: Kind::Wire,
            hints: &[
                "Type BYE in the server's terminal: your client must print it and exit by itself.",
                "Your server must send the typed BYE and close; your client, waiting on its keyboard, must \
                    end from its reading thread with status 0. If the client only ends when you press \
                    Enter, it is the client to fix; if it never sees the BYE, the server.",
            ],
            run: |ctx| unprompted(ctx, pair::pair_server_ends),
        },
    ]
}
