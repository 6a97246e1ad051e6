//! Task 01 client that parses `format!("{host}:{port}")` as a `SocketAddr`. Mistake: `--host ::1` gives `::1:5001`, which is no address without brackets, so IPv6 fails (cleanly).

use clap::Parser;
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5001)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let text = format!("{}:{}", args.host, args.port);
    let addr: SocketAddr = match text.parse() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("error: bad server address {text}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match TcpStream::connect(addr) {
        Ok(_) => {
            println!("Connected to {addr}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: could not connect to {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
