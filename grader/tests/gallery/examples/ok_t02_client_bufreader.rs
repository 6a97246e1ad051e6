//! Task 02 client, correct, that reads line by line through a `BufReader` until the server closes, then removes only the final line ending.

use clap::Parser;
use std::io::{BufRead, BufReader};
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
    let stream = match TcpStream::connect((args.host.as_str(), args.port)) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!(
                "error: could not connect to {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let mut reader = BufReader::new(stream);
    let mut text = String::new();
    loop {
        match reader.read_line(&mut text) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!(
                    "error: reading from {}:{} failed: {e}",
                    args.host, args.port
                );
                return ExitCode::FAILURE;
            }
        }
    }
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    println!("Received from server: {text}");
    ExitCode::SUCCESS
}
