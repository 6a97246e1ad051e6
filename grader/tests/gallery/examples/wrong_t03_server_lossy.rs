//! Task 03 server that reads the whole message, turns it into text with `String::from_utf8_lossy` and echoes that. Mistake: bytes that are not valid UTF-8 come back as U+FFFD, so binary data is changed.

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
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    println!("echoing {text:?}");
    stream.write_all(text.as_bytes())
}
