//! Task 05 client, wrong: sends its message with a newline added, as if a
//! datagram were a line (`format!("{}\n", message)`), and compares the
//! reply with what it sent.

use clap::Parser;
use std::io::ErrorKind;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5005)]
    port: u16,
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_ms: u64,
    #[arg(long, default_value_t = 3)]
    retries: u32,
    #[arg(default_value = "Hello, Server!")]
    message: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let addr = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    let servers = addr
        .to_socket_addrs()
        .map_err(|e| format!("could not resolve {addr}: {e}"))?;
    let mut refused = format!("could not resolve {addr}: no address");
    for server in servers {
        let reply = match ask(server, args) {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                return Err(format!(
                    "no reply from {server} after {} tries",
                    args.retries + 1
                ))
            }
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                refused = format!("could not reach {server}: {e}");
                continue;
            }
            Err(e) => return Err(format!("could not talk to {server}: {e}")),
        };
        // The reply is compared with what was sent, newline and all.
        let text = String::from_utf8_lossy(&reply);
        println!("Received from server: {}", text.trim_end());
        if reply != line(args).as_bytes() {
            return Err("echo mismatch".to_string());
        }
        return Ok(());
    }
    Err(refused)
}

/// The mistake: a datagram is not a line, and this adds a byte to it.
fn line(args: &Args) -> String {
    format!("{}\n", args.message)
}

fn ask(server: SocketAddr, args: &Args) -> std::io::Result<Option<Vec<u8>>> {
    let any = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = UdpSocket::bind(any)?;
    socket.connect(server)?;
    socket.set_read_timeout(Some(Duration::from_millis(args.timeout_ms)))?;
    let mut buffer = vec![0u8; 65_536];
    for _ in 0..=args.retries {
        socket.send(line(args).as_bytes())?;
        match socket.recv(&mut buffer) {
            Ok(n) => return Ok(Some(buffer[..n].to_vec())),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}
