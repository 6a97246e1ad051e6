//! Task 05 client, wrong: does not connect its socket and takes the first datagram that arrives, from anyone, for the reply.

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

/// The server's address: an IPv4 one when the name has one.
fn server(args: &Args) -> Result<SocketAddr, String> {
    let addr = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    let all: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| format!("could not resolve {addr}: {e}"))?
        .collect();
    all.iter()
        .find(|a| a.is_ipv4())
        .or(all.first())
        .copied()
        .ok_or_else(|| format!("{addr} has no address"))
}

fn bind_for(server: SocketAddr) -> Result<UdpSocket, String> {
    let any = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    UdpSocket::bind(any).map_err(|e| format!("could not open a socket for {server}: {e}"))
}

fn judge(message: &str, reply: &[u8]) -> Result<(), String> {
    println!("Received from server: {}", String::from_utf8_lossy(reply));
    if reply != message.as_bytes() {
        return Err(format!(
            "echo mismatch: sent {} bytes, received {}",
            message.len(),
            reply.len()
        ));
    }
    Ok(())
}

fn timed_out(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn run(args: &Args) -> Result<(), String> {
    let server = server(args)?;
    let socket = bind_for(server)?;
    let mut buffer = vec![0u8; 65_536];
    socket
        .set_read_timeout(Some(Duration::from_millis(args.timeout_ms)))
        .map_err(|e| format!("could not set the timeout for {server}: {e}"))?;
    for _ in 0..=args.retries {
        socket
            .send_to(args.message.as_bytes(), server)
            .map_err(|e| format!("could not send to {server}: {e}"))?;
        match socket.recv_from(&mut buffer) {
            Ok((n, _anyone)) => return judge(&args.message, &buffer[..n]),
            Err(e) if timed_out(e.kind()) => {}
            Err(e) => return Err(format!("could not reach {server}: {e}")),
        }
    }
    Err(format!(
        "no reply from {server} after {} tries",
        args.retries + 1
    ))
}
