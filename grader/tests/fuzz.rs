//! The reference servers under a bounded fuzz: many clients at once send
//! random bytes in random pieces, some reset halfway; the servers keep
//! serving and echo exactly. The seed is fixed, so a failure repeats.

mod common;

use grader::check::Server;
use grader::peer::{self, End, LineReader};
use grader::time::Deadline;
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use std::net::{Shutdown, SocketAddr};
use std::thread;
use std::time::Duration;

const ROUNDS: u64 = 12;
const CLIENTS: u64 = 12;

fn start(bin: &str) -> Server {
    Server::start(
        &common::binary(bin).with_args(&["--host", "127.0.0.1", "--port", "0"]),
        Deadline::after(Duration::from_secs(10)),
    )
    .unwrap_or_else(|o| panic!("{bin}: {}", o.message))
}

fn soon() -> Deadline {
    Deadline::after(Duration::from_secs(20))
}

/// Writes `data` in random pieces (no pauses: the OS splits them as it likes).
fn write_in_random_pieces(rng: &mut StdRng, stream: &std::net::TcpStream, data: &[u8]) {
    let mut rest = data;
    while !rest.is_empty() {
        let take = rng.random_range(1..=rest.len().min(4096));
        peer::write_all(stream, &rest[..take], soon()).unwrap();
        rest = &rest[take..];
    }
}

/// One task 03 client: random bytes, half-close, exact echo; or a reset.
fn echo_client(seed: u64, addr: SocketAddr, may_reset: bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    let stream = peer::connect(addr, soon()).unwrap();
    let mut data = vec![0u8; rng.random_range(0..64 * 1024)];
    rng.fill_bytes(&mut data);
    if may_reset && rng.random_bool(0.25) {
        let _ = peer::write_all(&stream, &data[..data.len() / 2], soon());
        peer::reset(stream);
        return;
    }
    let sender = stream.try_clone().unwrap();
    thread::scope(|scope| {
        let data = &data;
        scope.spawn(move || {
            let mut rng = StdRng::seed_from_u64(seed ^ 0xfeed);
            write_in_random_pieces(&mut rng, &sender, data);
            sender.shutdown(Shutdown::Write).unwrap();
        });
        let echo = peer::read_to_end(&stream, data.len() + 1, soon());
        assert!(matches!(echo.end, End::Eof), "seed {seed}: {:?}", echo.end);
        assert!(
            echo.bytes == *data,
            "seed {seed}: the echo of {} bytes differs",
            data.len()
        );
    });
}

/// One task 04 client: random text lines in random pieces, each answered
/// with itself; or half a line and a reset.
fn line_client(seed: u64, addr: SocketAddr, may_reset: bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    let stream = peer::connect(addr, soon()).unwrap();
    let lines: Vec<String> = (0..rng.random_range(1..20))
        .map(|_| {
            let len = rng.random_range(0..2000);
            (0..len)
                .map(|_| char::from(rng.random_range(b' '..=b'~')))
                .collect()
        })
        .filter(|line: &String| line != "BYE")
        .collect();
    if may_reset && rng.random_bool(0.25) {
        let _ = peer::write_all(&stream, b"half a li", soon());
        peer::reset(stream);
        return;
    }
    let mut reader = LineReader::new(stream);
    let mut wire: Vec<u8> = lines
        .iter()
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect();
    wire.extend_from_slice(b"BYE\n");
    write_in_random_pieces(&mut rng, reader.stream(), &wire);
    for line in lines.iter().map(String::as_str).chain(["BYE"]) {
        let reply = reader
            .read_line(1 << 20, soon())
            .unwrap_or_else(|r| panic!("seed {seed}: {:?}", r.end));
        assert_eq!(reply, format!("{line}\n").into_bytes(), "seed {seed}");
    }
    let rest = reader.read_to_end(16, soon());
    assert!(
        matches!(rest.end, End::Eof) && rest.bytes.is_empty(),
        "seed {seed}: {rest:?}"
    );
}

fn fuzz(bin: &str, client: fn(u64, SocketAddr, bool)) {
    let server = start(bin);
    for round in 0..ROUNDS {
        thread::scope(|scope| {
            for i in 0..CLIENTS {
                scope.spawn(move || client(round * 1000 + i, server.addr, true));
            }
        });
    }
    // After all of that, a plain client is still served.
    client(u64::MAX - 1, server.addr, false);
    assert!(
        server.child.status().is_none(),
        "{bin} exited under the fuzz"
    );
}

#[test]
fn the_echo_server_survives_random_bytes_pieces_and_resets() {
    fuzz("task03-server", echo_client);
}

#[test]
fn the_line_server_survives_random_lines_pieces_and_resets() {
    fuzz("task04-server", line_client);
}
