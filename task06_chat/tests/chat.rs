//! Task 06 end to end: both directions at once, BYE from either side, one
//! conversation at a time. Every program's stdin is a pipe the test types
//! into; every wait has a deadline.

use assert_cmd::cargo::cargo_bin;
use grader::check::Server;
use grader::peer::{self, End, LineReader};
use grader::process::{Child, Program, Stream};
use grader::time::Deadline;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(20);

fn soon() -> Deadline {
    Deadline::after(LIMIT)
}

/// The server on a free port, its stdin a pipe left open.
fn server() -> Server {
    let program = Program::from_path(cargo_bin!("task06-server")).with_args(&["--port", "0"]);
    let child = Child::spawn(&program, true).expect("the server starts");
    Server::announced(child, soon()).unwrap_or_else(|o| panic!("no server: {}", o.message))
}

/// The client against `port`, its stdin a pipe left open.
fn client(port: u16) -> Child {
    let port = port.to_string();
    let program =
        Program::from_path(cargo_bin!("task06-client")).with_args(&["--port", port.as_str()]);
    Child::spawn(&program, true).expect("the client starts")
}

/// Waits for `program` to print exactly `line` on stdout.
fn expect_printed(program: &Child, line: &str) {
    expect_starting(program, line, true);
}

/// Waits for `program` to print a line that is `start` (`whole`) or starts
/// with it.
fn expect_starting(program: &Child, start: &str, whole: bool) {
    program
        .wait_for_line(Stream::Stdout, soon(), |l| {
            l.starts_with(start) && (!whole || l == start)
        })
        .unwrap_or_else(|e| {
            panic!(
                "no {start:?} ({e:?}); stdout: {:?}; stderr: {:?}",
                program.output(Stream::Stdout),
                program.output(Stream::Stderr)
            )
        });
}

fn type_line(program: &mut Child, line: &str) {
    program
        .write_stdin(format!("{line}\n").as_bytes())
        .expect("stdin takes the line");
}

fn read_line(reader: &mut LineReader) -> Vec<u8> {
    reader
        .read_line(1 << 16, soon())
        .unwrap_or_else(|partial| panic!("no line: {partial:?}"))
}

fn expect_closed(reader: &mut LineReader) {
    let rest = reader.read_to_end(1 << 16, soon());
    assert!(
        matches!(rest.end, End::Eof) && rest.bytes.is_empty(),
        "expected a clean close, got {rest:?}"
    );
}

fn connect(server: &Server) -> (TcpStream, LineReader) {
    let stream = peer::connect(server.addr, soon()).expect("the server accepts");
    let reader = LineReader::new(stream.try_clone().unwrap());
    (stream, reader)
}

fn say(stream: &TcpStream, data: &str) {
    peer::write_all(stream, data.as_bytes(), soon()).expect("the line is sent");
}

#[test]
fn the_server_talks_both_ways_without_taking_turns() {
    let mut server = server();
    let (stream, mut reader) = connect(&server);
    let me = stream.local_addr().unwrap();
    expect_printed(
        &server.child,
        &format!("Connection from {me} has been established"),
    );
    // Two lines in a row from the client, with nobody typing at the server.
    say(&stream, "first\nsecond, Grüße 🦀\r\n");
    expect_printed(&server.child, "Client: first");
    expect_printed(&server.child, "Client: second, Grüße 🦀");
    // Two typed lines in a row, the client saying nothing.
    type_line(&mut server.child, "one");
    type_line(&mut server.child, "two");
    assert_eq!(read_line(&mut reader), b"one\n");
    assert_eq!(read_line(&mut reader), b"two\n");
    // The client's BYE is printed, not answered, and ends the conversation.
    say(&stream, "BYE\n");
    expect_printed(&server.child, "Client: BYE");
    expect_closed(&mut reader);
    expect_printed(&server.child, &format!("Conversation ended with {me}"));
}

#[test]
fn a_second_client_waits_its_turn_and_a_hang_up_ends_the_first() {
    let server = server();
    let (first, first_reader) = connect(&server);
    let (second, mut second_reader) = connect(&server);
    let second_addr = second.local_addr().unwrap();
    say(&second, "waiting in the backlog\n");
    say(&first, "still mine\n");
    expect_printed(&server.child, "Client: still mine");
    // A client that leaves without BYE ends its conversation too.
    drop(first);
    drop(first_reader);
    expect_printed(
        &server.child,
        &format!("Connection from {second_addr} has been established"),
    );
    expect_printed(&server.child, "Client: waiting in the backlog");
    say(&second, "BYE\n");
    expect_closed(&mut second_reader);
}

#[test]
fn a_typed_bye_closes_and_the_end_of_stdin_says_bye_and_exits() {
    let mut server = server();
    let (stream, mut reader) = connect(&server);
    // Typed before the server has accepted, the line would be dropped.
    let me = stream.local_addr().unwrap();
    expect_printed(
        &server.child,
        &format!("Connection from {me} has been established"),
    );
    type_line(&mut server.child, "BYE");
    assert_eq!(read_line(&mut reader), b"BYE\n");
    expect_closed(&mut reader);
    expect_starting(&server.child, "Conversation ended", false);
    let (stream, mut reader) = connect(&server);
    let me = stream.local_addr().unwrap();
    expect_printed(
        &server.child,
        &format!("Connection from {me} has been established"),
    );
    server.child.close_stdin();
    assert_eq!(read_line(&mut reader), b"BYE\n");
    expect_closed(&mut reader);
    let status = server.child.wait(soon()).expect("the server exits");
    assert!(status.success(), "{status:?}");
}

/// A listener of the test's own, playing the server, and the client
/// connected to it.
fn client_session() -> (Child, TcpStream, LineReader) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let client = client(listener.local_addr().unwrap().port());
    let (stream, _) = peer::accept(&listener, soon())
        .unwrap()
        .expect("the client connects");
    let reader = LineReader::new(stream.try_clone().unwrap());
    let server: SocketAddr = listener.local_addr().unwrap();
    expect_printed(&client, &format!("Connected to {server}"));
    (client, stream, reader)
}

#[test]
fn the_client_prints_while_nobody_types_and_a_server_bye_ends_it() {
    let (mut client, stream, mut reader) = client_session();
    say(&stream, "hello\nhow are you?\n");
    expect_printed(&client, "Server: hello");
    expect_printed(&client, "Server: how are you?");
    type_line(&mut client, "fine");
    type_line(&mut client, "and you?");
    assert_eq!(read_line(&mut reader), b"fine\n");
    assert_eq!(read_line(&mut reader), b"and you?\n");
    // Its stdin still open, the client must end on the server's BYE.
    say(&stream, "BYE\n");
    let status = client.wait(soon()).expect("the client exits");
    assert!(status.success(), "{status:?}");
    expect_printed(&client, "Server: BYE");
    expect_closed(&mut reader);
}

#[test]
fn the_client_says_bye_at_the_end_of_input_and_waits_for_the_close() {
    let (mut client, stream, mut reader) = client_session();
    type_line(&mut client, "last words");
    client.close_stdin();
    assert_eq!(read_line(&mut reader), b"last words\n");
    assert_eq!(read_line(&mut reader), b"BYE\n");
    // Still running until the server closes, and printing what it says.
    say(&stream, "see you\n");
    expect_printed(&client, "Server: see you");
    assert!(
        client.status().is_none(),
        "the client left before the close"
    );
    drop(stream);
    drop(reader);
    let status = client.wait(soon()).expect("the client exits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_server_that_leaves_without_bye_is_an_error() {
    let (client, stream, reader) = client_session();
    drop(stream);
    drop(reader);
    let status = client.wait(soon()).expect("the client exits");
    assert_eq!(status.code(), Some(1));
    let stderr = client.output(Stream::Stderr);
    assert!(
        stderr
            .iter()
            .any(|l| l.starts_with("error: the server 127.0.0.1:") && l.ends_with("without BYE")),
        "{stderr:?}"
    );
}

#[test]
fn the_pair_chats_and_the_client_ends_it() {
    let mut server = server();
    let mut client = client(server.addr.port());
    expect_starting(&server.child, "Connection from 127.0.0.1:", false);
    type_line(&mut client, "hi server");
    expect_printed(&server.child, "Client: hi server");
    type_line(&mut server.child, "hi client");
    expect_printed(&client, "Server: hi client");
    type_line(&mut client, "BYE");
    let status = client.wait(soon()).expect("the client exits");
    assert!(status.success(), "{status:?}");
    expect_printed(&server.child, "Client: BYE");
}
