//! Task 02 client that reads once into a `[0u8; 1024]` buffer. Mistake: it prints only what the first read returned, so a greeting that arrives in pieces, or is longer than 1024 bytes, is cut short.

use clap::Parser;
use std::io::Read;
use std::net::TcpStream;
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5002)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut stream = match TcpStream::connect((args.host.as_str(), args.port)) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!(
                "error: could not connect to {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let mut buffer = [0u8; 1024];
    let n = match stream.read(&mut buffer) {
        Ok(n) => n,
        Err(e) => {
            eprintln!(
                "error: could not read from {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let text = String::from_utf8_lossy(&buffer[..n]);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    println!("Received from server: {text}");
    ExitCode::SUCCESS
}
