//! Task 03 client that sends the message and then reads until the server closes. Mistake: it never calls `shutdown(Shutdown::Write)`, so the server never learns the message is complete and both wait forever.

use clap::Parser;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;

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
    let addr = format!("{}:{}", args.host, args.port);
    let mut stream = match TcpStream::connect((args.host.as_str(), args.port)) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!("error: could not connect to {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut echo = Vec::new();
    let exchanged = stream
        .write_all(args.message.as_bytes())
        .and_then(|()| stream.read_to_end(&mut echo));
    if let Err(e) = exchanged {
        eprintln!("error: talking to {addr} failed: {e}");
        return ExitCode::FAILURE;
    }
    println!("Received from server: {}", String::from_utf8_lossy(&echo));
    if echo != args.message.as_bytes() {
        eprintln!(
            "error: echo mismatch: sent {} bytes, got {}",
            args.message.len(),
            echo.len()
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
