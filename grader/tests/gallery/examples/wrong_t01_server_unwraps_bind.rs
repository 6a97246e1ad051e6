//! Task 01 server that binds with `TcpListener::bind(..).unwrap()`. Mistake: when the port is already in use it panics (exit status 101, a `panicked at` message) instead of printing `error: could not listen on …` and exiting with status 1.

use clap::Parser;
use std::net::TcpListener;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5001)]
    port: u16,
}

fn main() {
    let args = Args::parse();
    let listener = TcpListener::bind((args.host.as_str(), args.port)).unwrap();
    match listener.local_addr() {
        Ok(local) => println!("Listening on {local}"),
        Err(e) => {
            eprintln!("error: could not read the local address: {e}");
            std::process::exit(1);
        }
    }
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer}");
                drop(stream);
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}
