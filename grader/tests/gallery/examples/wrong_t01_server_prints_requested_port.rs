//! Task 01 server that announces the address it was asked for. Mistake: it prints `Listening on 127.0.0.1:0` with `--port 0` instead of the listener's `local_addr()`, so nobody can learn the real port.

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
    println!("Listening on {}:{}", args.host, args.port);
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer} has been established");
                drop(stream);
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}
