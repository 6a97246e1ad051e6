//! Task 01 client that `.unwrap()`s the result of `connect`. Mistake: a refused connection panics instead of printing `error: …` and exiting 1.

use clap::Parser;
use std::net::TcpStream;

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
    let stream = TcpStream::connect((args.host.as_str(), args.port)).unwrap();
    let server = stream.peer_addr().expect("a connected socket has a peer");
    println!("Connected to {server}");
}
