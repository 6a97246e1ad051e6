//! Task 01 client, correct, that resolves the host itself and tries each address in turn (as `connect` does), saying what it tries.

use clap::Parser;
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
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
    let target = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    match connect(&args.host, args.port) {
        Ok(stream) => match stream.peer_addr() {
            Ok(server) => {
                println!("Connected to {server}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: connected to {target} but lost it: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: could not connect to {target}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn connect(host: &str, port: u16) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
    for addr in (host, port).to_socket_addrs()? {
        println!("Trying {addr} ...");
        match TcpStream::connect(addr) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}
