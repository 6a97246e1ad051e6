//! Task 03 server whose echo loop has no way out: it writes back whatever `read` returned, 0 bytes included. Mistake: after the client's half-close `read` returns 0 at once, every time, so the loop spins at full CPU and never closes the connection.

use clap::Parser;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5003)]
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
                println!("Connection from {peer}");
                if let Err(e) = echo(stream) {
                    eprintln!("error: lost {peer}: {e}");
                }
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}

fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buffer = [0u8; 8192];
    loop {
        let n = stream.read(&mut buffer)?;
        stream.write_all(&buffer[..n])?;
    }
}
