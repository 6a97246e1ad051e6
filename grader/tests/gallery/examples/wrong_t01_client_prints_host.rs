//! Task 01 client that connects to `(host, port)` and prints `Connected to {host}:{port}` from its own arguments. Mistake: that is what it was asked for, not the address it reached: `localhost:5001` instead of `127.0.0.1:5001`, `::1:5001` instead of `[::1]:5001`.

use clap::Parser;
use std::net::TcpStream;
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
    match TcpStream::connect((args.host.as_str(), args.port)) {
        Ok(_stream) => {
            println!("Connected to {}:{}", args.host, args.port);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: could not connect to {}:{}: {e}",
                args.host, args.port
            );
            ExitCode::FAILURE
        }
    }
}
