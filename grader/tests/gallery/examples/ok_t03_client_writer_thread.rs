//! Task 03 client, correct, that sends from a second thread while the main thread reads the echo, so even a huge message can't deadlock.

use clap::Parser;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::ExitCode;
use std::thread;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5003)]
    port: u16,
    #[arg(default_value = "Hello, Server!")]
    message: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let addr = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    match round_trip(&addr, &args.message) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn round_trip(addr: &str, message: &str) -> Result<(), String> {
    let mut stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;
    let mut sender = stream
        .try_clone()
        .map_err(|e| format!("could not clone the socket for {addr}: {e}"))?;
    let data = message.as_bytes().to_vec();
    let writer = thread::spawn(move || {
        sender.write_all(&data)?;
        sender.shutdown(Shutdown::Write)
    });
    let mut echo = Vec::new();
    let read = stream.read_to_end(&mut echo);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("writer panicked")));
    written.map_err(|e| format!("could not send to {addr}: {e}"))?;
    read.map_err(|e| format!("could not read from {addr}: {e}"))?;
    println!("Received from server: {}", String::from_utf8_lossy(&echo));
    if echo != message.as_bytes() {
        return Err(format!(
            "echo mismatch: {} bytes sent, {} received",
            message.len(),
            echo.len()
        ));
    }
    Ok(())
}
