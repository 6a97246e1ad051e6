//! Task 01 server without a loop around `accept`. Mistake: it serves the first client and then exits, so a second client is refused.

use clap::Parser;
use std::net::TcpListener;
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
    let listener = match TcpListener::bind((args.host.as_str(), args.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "error: could not listen on {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("Listening on {local}"),
        Err(e) => {
            eprintln!("error: could not read the local address: {e}");
            return ExitCode::FAILURE;
        }
    }
    match listener.accept() {
        Ok((stream, peer)) => {
            println!("Connection from {peer} has been established");
            drop(stream);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: accept failed: {e}");
            ExitCode::FAILURE
        }
    }
}
