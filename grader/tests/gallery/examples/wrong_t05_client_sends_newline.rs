//! Task 05 client, wrong: sends its message with a newline added, as if a
//! datagram were a line (`format!("{}\n", message)`), and compares the
//! reply with what it sent.

use clap::Parser;
use std::io::ErrorKind;
use std::net::{ToSocketAddrs, UdpSocket};
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
    // The mistake: a datagram is not a line; this adds a byte to it.
    let line = format!("{}\n", args.message);
    let mut last = format!("could not resolve {addr}: no address");
    for server in servers {
        let any = if server.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
        let socket = UdpSocket::bind(any).map_err(|e| format!("could not bind: {e}"))?;
        socket
            .connect(server)
            .map_err(|e| format!("could not connect to {server}: {e}"))?;
        socket
            .set_read_timeout(Some(Duration::from_millis(args.timeout_ms)))
            .map_err(|e| format!("could not set the timeout: {e}"))?;
        let mut buffer = vec![0u8; 65_536];
        for _ in 0..=args.retries {
            socket
                .send(line.as_bytes())
                .map_err(|e| format!("could not send to {server}: {e}"))?;
            match socket.recv(&mut buffer) {
                Ok(n) => {
                    let reply = String::from_utf8_lossy(&buffer[..n]);
                    println!("Received from server: {}", reply.trim_end());
                    if buffer[..n] != *line.as_bytes() {
                        return Err("echo mismatch".to_string());
                    }
                    return Ok(());
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                    last = format!("could not reach {server}: {e}");
                    break;
                }
                Err(e) => return Err(format!("could not talk to {server}: {e}")),
            }
        }
        if !last.starts_with("could not reach") {
            return Err(format!(
                "no reply from {server} after {} tries",
                args.retries + 1
            ));
        }
    }
    Err(last)
}
