//! Task 01 server that prints `Connection from <ip>` with `peer.ip()`. Mistake: the client's port is missing from the connection line.

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
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {}", peer.ip());
                drop(stream);
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}
