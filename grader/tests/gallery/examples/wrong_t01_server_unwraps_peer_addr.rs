//! Task 01 server that asks each accepted stream for its peer with `peer_addr().unwrap()`. Mistake: a client that resets before the server gets to it leaves a socket with no peer, `peer_addr()` fails (`Transport endpoint is not connected`) and the unwrap ends the server.

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
    for incoming in listener.incoming() {
        match incoming {
            Ok(stream) => {
                let peer = stream.peer_addr().unwrap();
                println!("Connection from {peer}");
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
    ExitCode::SUCCESS
}
