//! Task 05 client, wrong: binds its own socket to the server's port
//! (`--port`) rather than to port 0, as if a client needed the same port
//! as its server.

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
        println!("Received from server: {}", String::from_utf8_lossy(&reply));
        if reply != args.message.as_bytes() {
            return Err("echo mismatch".to_string());
        }
        return Ok(());
    }
    Err(refused)
}

fn ask(server: SocketAddr, args: &Args) -> std::io::Result<Option<Vec<u8>>> {
    // The mistake: the client's own port should be 0, any free one.
    let own: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], args.port).into()
    } else {
        ([0u16; 8], args.port).into()
    };
    let socket = UdpSocket::bind(own)?;
    socket.connect(server)?;
    socket.set_read_timeout(Some(Duration::from_millis(args.timeout_ms)))?;
    let mut buffer = vec![0u8; 65_536];
    for _ in 0..=args.retries {
        socket.send(args.message.as_bytes())?;
        match socket.recv(&mut buffer) {
            Ok(n) => return Ok(Some(buffer[..n].to_vec())),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}
