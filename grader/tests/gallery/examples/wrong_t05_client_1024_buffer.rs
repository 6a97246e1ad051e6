//! Task 05 client, wrong: receives into a 1024-byte buffer, as many examples do: an echo longer than that is cut short and a right echo looks like a mismatch.

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
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut failure = format!("could not resolve {addr}: no address");
    for server in servers {
        let reply = match ask(server, args.message.as_bytes(), timeout, args.retries) {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                return Err(format!(
                    "no reply from {server} after {} tries",
                    args.retries + 1
                ))
            }
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                failure = format!("could not reach {server}: {e}");
                continue;
            }
            Err(e) => return Err(format!("could not talk to {server}: {e}")),
        };
        println!("Received from server: {}", String::from_utf8_lossy(&reply));
        if reply != args.message.as_bytes() {
            return Err(format!(
                "echo mismatch: sent {} bytes, received {}",
                args.message.len(),
                reply.len()
            ));
        }
        return Ok(());
    }
    Err(failure)
}

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
    socket.connect(server)?;
    socket.set_read_timeout(Some(timeout))?;
    let mut buffer = [0u8; 1024];
    for _ in 0..=retries {
        socket.send(message)?;
        match socket.recv(&mut buffer) {
            Ok(n) => return Ok(Some(buffer[..n].to_vec())),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}
