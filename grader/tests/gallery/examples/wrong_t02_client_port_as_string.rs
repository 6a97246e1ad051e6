//! Task 02 client that takes `--port` as a `String` and parses it itself with `unwrap()`. Mistake: a bad port such as `--port nope` panics (exit 101) instead of getting clap's message and exit status 2.

use clap::Parser;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value = "5002")]
    port: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let port: u16 = args.port.parse().unwrap();
    let stream = match TcpStream::connect((args.host.as_str(), port)) {
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
