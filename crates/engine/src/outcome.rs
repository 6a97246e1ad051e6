//! What a check found: its [`Outcome`] when it did not pass, the
//! [`Status`] a report gives it, the [`Cause`] that explains many failures
//! at once, and which side ([`Role`]) and kind of behaviour ([`Kind`]) it
//! judged. The harness makes these and the checks return them; this module
//! depends on neither.

use serde::{Deserialize, Serialize};

/// Which side of the socket the check tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The submission's server, with the grader as its client.
    Server,
    /// The submission's client, with the grader as its server.
    Client,
    /// The submission's client against the submission's server.
    Pair,
}

impl Role {
    /// The role a check's name starts with: `server.`, `client.` or `pair.`.
    pub fn of_name(name: &str) -> Option<Role> {
        match name.split_once('.')?.0 {
            "server" => Some(Role::Server),
            "client" => Some(Role::Client),
            "pair" => Some(Role::Pair),
            _ => None,
        }
    }

    pub fn needs_server(self) -> bool {
        matches!(self, Role::Server | Role::Pair)
    }

    pub fn needs_client(self) -> bool {
        matches!(self, Role::Client | Role::Pair)
    }

    /// Its name, as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Server => "server",
            Role::Client => "client",
            Role::Pair => "pair",
        }
    }
}

/// What a check judges, for the rule "points need work" (docs/contract.md):
/// a program earns nothing for its edges until it does some of its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Its behaviour on the wire: the grader talks with it through its
    /// socket. A pair check is this for both of its binaries.
    Wire,
    /// An edge of the program rather than its work: its command line
    /// (`--version`, `--help`, a bad argument), an error path (a port in
    /// use, a refused connection), a signal that stops it, or a server's
    /// announcement (a printed `Listening on` line). clap, an unwrap-free
    /// `main`, the OS's default or one `println!` pass these for a program
    /// that does nothing else, so they count for a binary only once it
    /// passes a check of kind [`Kind::Wire`].
    Edge,
}

/// What a check found, when it is not a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// The reason behind it, when it is one that fails other checks too
    /// (boxed: most outcomes have none, and every check returns one).
    pub cause: Option<Box<Cause>>,
}

/// A reason that fails many checks at once (the starter code is not filled
/// in, the server never announced itself), or withholds the points of
/// passed ones (a binary that does no work on the wire yet): the report
/// shows it once for all of them, with a hint that speaks to it rather
/// than to each check.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cause {
    pub kind: CauseKind,
    /// The program it concerns: `server` or `client`.
    pub program: String,
    /// What pins it down: a `file:line`, an exit status, a compiler error.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// The kinds of [`Cause`], as the JSON report names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    /// It stopped at a `todo!()` of the starter code.
    NotImplemented,
    /// Its binary did not compile.
    DidNotBuild,
    /// A server that never printed `Listening on`.
    NeverAnnounced,
    /// A server that ended (or closed its stdout) before announcing itself.
    ExitedEarly,
    /// A `Listening on` line without an address the grader can read.
    UnreadableAddress,
    /// A server that announced port 0: the port it asked for.
    AnnouncedPortZero,
    /// A server that binds a port of its own, whatever `--port` says.
    IgnoresPort,
    /// It was stopped by a limit of the sandbox.
    SandboxLimit,
    /// A server that answered `BYE` and kept the connection open.
    KeepsOpenAfterBye,
    /// A server whose greeting has no line ending.
    GreetingUnended,
    /// A client that never shut down its sending side after its message.
    NoHalfClose,
    /// A server that exited while a check was talking to it.
    Exited,
    /// A server that ended at once after announcing itself (one that
    /// forks into the background, say).
    EndedAfterAnnouncing,
    /// A UDP server that sends no reply to the address a datagram came
    /// from.
    NoDatagramReply,
    /// A UDP server that sends back more bytes than it received.
    AddsBytes,
    /// A UDP server that sends back a datagram cut short (its receive
    /// buffer is smaller than the datagram).
    CutsShort,
    /// A chat program that waits for one side (its keyboard or the
    /// socket) before it serves the other.
    TakesTurns,
    /// A chat client still waiting for its keyboard after the server
    /// ended the conversation.
    KeyboardHoldsExit,
    /// A server that leaves a client unanswered while others are
    /// connected: one at a time, or a few at a time.
    OneAtATime,
    /// It passes none of its checks on the wire, so its edge checks
    /// ([`Kind::Edge`]) are not counted: the one cause a passed check has.
    NoWorkOnTheWire,
    /// It printed a panic (or a Python traceback) during the check.
    Panicked,
    /// A chat program that prints a prompt (`> `) before it reads its
    /// keyboard: the prompt glues itself to the next line it prints.
    PrintsPrompt,
    /// A server that keeps a CPU busy after a client's end of stream,
    /// where it should close the connection and wait for the next one.
    Spins,
    /// A client whose `Connected to` line names another address than the
    /// one it reached (the host and port it was given, say).
    NamesWrongAddress,
    /// A server that ended with exit status 0 while clients were still
    /// coming: its accept loop ended (or there is none).
    StoppedServing,
    /// A greeting server that sends its default greeting whatever
    /// `--message` says.
    IgnoresMessage,
    /// An echo client that sends something other than its message (a
    /// line ending added, say).
    AltersMessage,
    /// A UDP client whose datagram is its message with a `\n` added.
    SendsNewline,
    /// A UDP client that binds its own socket to the server's port
    /// (`--port`) rather than to port 0.
    BindsServerPort,
    /// A chat server that answers the client's `BYE` with a `BYE` of its
    /// own.
    AnswersClientBye,
    /// A chat client that calls the server's close an error even after it
    /// has sent `BYE` itself.
    CloseAfterByeIsError,
    /// A line client that closes at the end of its input without sending
    /// `BYE`.
    NoByeAtEof,
    /// A chat server that prints `Connection from` before its keyboard
    /// thread can send to that client.
    RegistersLate,
}

impl CauseKind {
    /// What went wrong, in words that follow "the server" or "the client".
    pub fn words(self) -> &'static str {
        match self {
            CauseKind::NotImplemented => "is not implemented yet",
            CauseKind::DidNotBuild => "did not build",
            CauseKind::NeverAnnounced => "never printed `Listening on <addr>`",
            CauseKind::ExitedEarly => "ended before it printed `Listening on <addr>`",
            CauseKind::UnreadableAddress => {
                "printed a `Listening on` line without an address such as 127.0.0.1:40211"
            }
            CauseKind::AnnouncedPortZero => "announced port 0, not the port it got",
            CauseKind::IgnoresPort => "ignores --port",
            CauseKind::SandboxLimit => "hit a limit of the sandbox",
            CauseKind::KeepsOpenAfterBye => "answers `BYE` but keeps the connection open",
            CauseKind::GreetingUnended => "sends its greeting with no line ending",
            CauseKind::NoHalfClose => "never shuts down its sending side after the message",
            CauseKind::Exited => "exited while a client was talking to it",
            CauseKind::EndedAfterAnnouncing => "ended right after announcing itself",
            CauseKind::OneAtATime => "does not serve its clients at the same time",
            CauseKind::TakesTurns => {
                "takes turns: it waits for one side before it serves the other"
            }
            CauseKind::KeyboardHoldsExit => {
                "goes on waiting for its keyboard after the server has ended the conversation"
            }
            CauseKind::NoDatagramReply => "sends no reply to the address a datagram came from",
            CauseKind::AddsBytes => "sends back more bytes than the datagram held",
            CauseKind::CutsShort => "cuts long datagrams short",
            CauseKind::NoWorkOnTheWire => "passes none of its checks on the wire yet",
            CauseKind::Panicked => "panicked",
            CauseKind::PrintsPrompt => "prints a prompt in front of its lines",
            CauseKind::Spins => "spins at 100 % CPU after the client's end of stream",
            CauseKind::NamesWrongAddress => {
                "names another address than the one it reached in its `Connected to` line"
            }
            CauseKind::StoppedServing => {
                "stopped serving and exited, though clients were still coming"
            }
            CauseKind::IgnoresMessage => "ignores --message: it sends its default greeting",
            CauseKind::AltersMessage => "sends something other than its message",
            CauseKind::SendsNewline => {
                "adds a newline to its message: the datagram must hold MESSAGE exactly"
            }
            CauseKind::BindsServerPort => {
                "binds its own socket to the server's port (--port), not to port 0"
            }
            CauseKind::AnswersClientBye => {
                "answers the client's `BYE` with `BYE` instead of closing without a word"
            }
            CauseKind::CloseAfterByeIsError => {
                "calls the server's close an error even after sending `BYE` itself"
            }
            CauseKind::NoByeAtEof => "sends no `BYE` at the end of its input",
            CauseKind::RegistersLate => {
                "prints `Connection from` before its keyboard thread can send to that client"
            }
        }
    }

    /// Where to look: the hint shown for every check that failed this way,
    /// in place of the checks' own hints, which assume it works this far.
    pub fn hint(self) -> &'static str {
        match self {
            CauseKind::NotImplemented => {
                "Replace the todo!() at each line named with your code; the task's README.md says what it must do, step by step."
            }
            CauseKind::DidNotBuild => "Fix the first compiler error shown; the others often follow from it.",
            CauseKind::NeverAnnounced => {
                "After bind() succeeds, print `Listening on` and the listener's local_addr(), before the accept loop; a program in another language must flush stdout."
            }
            CauseKind::ExitedEarly => {
                "Run the server by hand with the same arguments (--host 127.0.0.1 --port 0) and read its last lines: it stops before it listens."
            }
            CauseKind::UnreadableAddress => {
                "Print the listener's local_addr() with {} right after `Listening on `: `Listening on 127.0.0.1:40211`."
            }
            CauseKind::AnnouncedPortZero => {
                "Print listener.local_addr(), the address the OS gave you, not the one you asked for: with --port 0 the port is chosen at bind()."
            }
            CauseKind::IgnoresPort => {
                "Bind the address built from the --host and --port arguments: the grader passes --port 0 and learns the real port from your `Listening on` line."
            }
            CauseKind::SandboxLimit => {
                "Look for a loop that opens files, starts threads or allocates without end: a correct program stays far below every limit."
            }
            CauseKind::KeepsOpenAfterBye => {
                "After writing the `BYE` reply, leave that client's loop and return, so its stream is dropped and the connection closes."
            }
            CauseKind::GreetingUnended => {
                "Write the greeting followed by \"\\n\": a client reads up to the line ending, and a line without one never ends."
            }
            CauseKind::NoHalfClose => {
                "After write_all, call stream.shutdown(Shutdown::Write): the server reads until end-of-stream, and only that tells it the message is complete while you still read the echo."
            }
            CauseKind::EndedAfterAnnouncing => {
                "The program the grader starts must itself serve until it is stopped: don't exit, or fork into the background, after printing `Listening on`."
            }
            CauseKind::NoDatagramReply => {
                "Reply with send_to(&buffer[..n], peer), where n and peer are what recv_from returned for that datagram: UDP has no connection to answer on."
            }
            CauseKind::AddsBytes => {
                "Send back exactly &buffer[..n], the n bytes recv_from returned: a datagram is not a line, so add no newline."
            }
            CauseKind::CutsShort => {
                "Receive into a buffer that holds the largest datagram (65 507 bytes over IPv4; the kit's DATAGRAM_BUFFER is 65 536): recv_from silently drops what does not fit."
            }
            CauseKind::TakesTurns => {
                "Give the socket and the keyboard a thread each: one prints every line from the other side as it arrives, the other sends every typed line at once; neither waits for the other."
            }
            CauseKind::KeyboardHoldsExit => {
                "The thread that reads the socket must end the whole program (std::process::exit) when the server says BYE or closes: the main thread, blocked reading the keyboard, can't notice."
            }
            CauseKind::OneAtATime => {
                "Give each accepted connection its own thread (thread::spawn with a move closure that owns the stream), so the accept loop is back at accept() at once."
            }
            CauseKind::Exited => {
                "Read why the server ended, shown here: an error that concerns one client must be reported with `error:` and that client dropped, never end the server (no unwrap, no `?` out of the accept loop)."
            }
            CauseKind::NoWorkOnTheWire => {
                "Its checks of the command line, error paths and signals count once it passes one check of its work on the wire: make it do that first (the task's README.md says what, step by step)."
            }
            CauseKind::Panicked => {
                "A panic is a failure wherever it happens, in any thread, even at the very end: no unwrap() or expect() on what the network or the keyboard gives you. Report a real error with an `error:` line on stderr and exit status 1; a connection that ends is the normal end of the conversation."
            }
            CauseKind::PrintsPrompt => {
                "The contract allows extra lines, but a prompt printed without a newline glues itself to the next line the program prints (`> Server: hi`). Print no prompt, or end it with a newline."
            }
            CauseKind::Spins => {
                "When `read` returns 0 the connection is over: leave the loop (return from the client's function) so the stream is dropped and the connection closes; reading again only returns 0 again, at once, for ever."
            }
            CauseKind::NamesWrongAddress => {
                "Print the connected stream's peer_addr() after `Connected to `: it is the address connect() reached (127.0.0.1:5001, [::1]:5001), whatever host name or form --host gave."
            }
            CauseKind::StoppedServing => {
                "A server serves until it is stopped: put accept() in a loop that nothing ends, neither the first client nor an error with one client (print that one with `error:` and go back to accept())."
            }
            CauseKind::IgnoresMessage => {
                "Send the text of the --message argument (args.message), exactly as given, followed by \"\\n\": the grader starts the server with a --message of its own and reads the greeting back."
            }
            CauseKind::AltersMessage => {
                "Send exactly MESSAGE's bytes with write_all(message.as_bytes()), nothing added: the server echoes what it gets, and the client compares the echo with MESSAGE byte for byte."
            }
            CauseKind::SendsNewline => {
                "Send exactly message.as_bytes(), with no \"\\n\" added: a datagram is not a line, its end is the message's end, and the server sends back exactly the bytes it received."
            }
            CauseKind::BindsServerPort => {
                "Bind the client's socket to port 0 (\"0.0.0.0:0\", or \"[::]:0\" for an IPv6 server) so the OS picks a free port: --port is where the server listens, the address you send to, and the server already holds it."
            }
            CauseKind::AnswersClientBye => {
                "When the client's line is exactly BYE, print `Client: BYE` and leave the read loop without writing anything: closing the connection is the whole answer."
            }
            CauseKind::CloseAfterByeIsError => {
                "Remember that you sent BYE (typed, or at the end of input): after it the server's close is the normal end, exit 0; only a close before your BYE is `error: the server <addr> closed the connection without BYE`."
            }
            CauseKind::NoByeAtEof => {
                "When stdin ends (lines() returns None), send BYE yourself, as if it had been typed, then read the server's reply and wait for its close."
            }
            CauseKind::RegistersLate => {
                "Store the client's stream (a try_clone) where the keyboard thread finds it before you print `Connection from`: that line says the conversation has begun, and a line typed from then on must reach this client."
            }
        }
    }
}

impl std::fmt::Display for Cause {
    /// `the server is not implemented yet (task01_connect/src/bin/server.rs:31)`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the {} {}", self.program, self.kind.words())?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// The submission did the wrong thing.
    Fail,
    /// The grader could not run the check: never the student's fault.
    Error,
    Skipped,
}

impl Status {
    /// Its name, as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
        }
    }
}

impl Outcome {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            expected: None,
            actual: None,
            cause: None,
        }
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Outcome::new(Status::Fail, message)
    }

    pub fn error(message: impl Into<String>) -> Self {
        Outcome::new(Status::Error, message)
    }

    pub fn skip(message: impl Into<String>) -> Self {
        Outcome::new(Status::Skipped, message)
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }

    /// Names the reason behind it, one that fails other checks too.
    pub fn because(mut self, kind: CauseKind, program: &str, detail: impl Into<String>) -> Self {
        self.cause = Some(Box::new(Cause {
            kind,
            program: program.to_string(),
            detail: detail.into(),
        }));
        self
    }
}

pub type CheckResult = Result<(), Outcome>;
