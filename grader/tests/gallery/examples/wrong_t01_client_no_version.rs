//! Task 01 client whose clap struct has no `#[command(version)]`. Mistake: `--version` and `-V` are unknown options, so clap rejects them (exit status 2) instead of printing `NAME VERSION`.

use clap::Parser;
use std::net::TcpStream;
use std::process::ExitCode;

/// Connects to the task 01 server.
#[derive(Parser)]
struct Args {
    /// Server to connect to
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server's port
    #[arg(long, default_value_t = 5001)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let addr = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    match TcpStream::connect(&addr).and_then(|stream| stream.peer_addr()) {
        Ok(server) => {
            println!("Connected to {server}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: could not connect to {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
