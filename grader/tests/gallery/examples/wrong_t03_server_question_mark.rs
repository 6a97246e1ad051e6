//! Task 03 server that uses `?` on everything inside its accept loop. Mistake: one client resetting the connection ends the whole server.

use clap::Parser;
use std::io::{self, Read, Write};
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
    match serve(&args.host, args.port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server on {}:{} stopped: {e}", args.host, args.port);
            ExitCode::FAILURE
        }
    }
}

fn serve(host: &str, port: u16) -> io::Result<()> {
    let listener = TcpListener::bind((host, port))?;
    println!("Listening on {}", listener.local_addr()?);
    loop {
        let (stream, peer) = listener.accept()?;
        println!("Connection from {peer}");
        echo(stream)?;
    }
}

fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..n])?;
    }
}
