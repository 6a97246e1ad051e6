//! Task 05 client: send a datagram, wait for the echo, send again if it is
//! lost.

use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use task05_udp::address;

// BEGIN SOLUTION
use std::io::ErrorKind;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use task05_udp::DATAGRAM_BUFFER;
// END SOLUTION

/// Send a message to the UDP echo server and check what comes back.
#[derive(Parser)]
#[command(name = "task05-client", version)]
struct Args {
    /// Server to send to: an IP address or a name such as `localhost`
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server's port
    #[arg(long, default_value_t = 5005)]
    port: u16,
    /// How long to wait for each reply, in milliseconds
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_ms: u64,
    /// How many times to send again when no reply comes
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// The message to send
    #[arg(default_value = "Hello, Server!")]
    message: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let timeout = Duration::from_millis(args.timeout_ms);
    let addr = address(&args.host, args.port);
    match round_trip(&addr, &args.message, timeout, args.retries) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn round_trip(addr: &str, message: &str, timeout: Duration, retries: u32) -> Result<(), String> {
    // BEGIN SOLUTION
    // STARTER: todo!("send {message:?} to {addr}; wait {timeout:?} for the reply from that address only; send again at most {retries} times")
    let servers = addr
        .to_socket_addrs()
        .map_err(|e| format!("could not resolve {addr}: {e}"))?;
    let mut refused = format!("could not resolve {addr}: no address");
    // A name may stand for several addresses (`localhost`: ::1 and
    // 127.0.0.1). Nothing listening at one shows as `Connection refused`:
    // try the next.
    for server in servers {
        let reply = match ask(server, message.as_bytes(), timeout, retries) {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                return Err(format!(
                    "no reply from {server} after {} tries",
                    retries + 1
                ))
            }
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                refused = format!("could not reach {server}: {e}");
                continue;
            }
            Err(e) => return Err(format!("could not talk to {server}: {e}")),
        };
        println!("Received from server: {}", String::from_utf8_lossy(&reply));
        if reply != message.as_bytes() {
            return Err(format!(
                "echo mismatch: sent {} bytes, received {} bytes that differ",
                message.len(),
                reply.len()
            ));
        }
        return Ok(());
    }
    Err(refused)
    // END SOLUTION
}

// BEGIN SOLUTION
/// Sends `message` to `server` and waits `timeout` for the reply, sending
/// again up to `retries` times; `None` when no reply came at all.
fn ask(
    server: SocketAddr,
    message: &[u8],
    timeout: Duration,
    retries: u32,
) -> std::io::Result<Option<Vec<u8>>> {
    let any = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = UdpSocket::bind(any)?;
    // connect() on a UDP socket sends nothing. It fixes the peer: the OS
    // now drops datagrams from any other address, so a stranger can't slip
    // us a fake reply, and it hands us the ICMP "port unreachable" that
    // comes back when nobody listens there, as `Connection refused`.
    socket.connect(server)?;
    // Without a timeout, recv waits forever for a reply that was lost.
    socket.set_read_timeout(Some(timeout))?;
    let mut buffer = vec![0u8; DATAGRAM_BUFFER];
    for _ in 0..=retries {
        socket.send(message)?;
        match socket.recv(&mut buffer) {
            Ok(n) => return Ok(Some(buffer[..n].to_vec())),
            // No reply in time: our datagram or its echo was lost (UDP
            // promises nothing). Send the same message again.
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}
// END SOLUTION
