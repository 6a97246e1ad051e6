//! Task 03 server, correct, written with `io::copy` from a cloned stream into the stream itself, one thread per client.

use clap::Parser;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;

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
                thread::spawn(move || match echo(stream) {
                    Ok(n) => println!("{peer}: echoed {n} bytes"),
                    Err(e) => eprintln!("error: {peer}: {e}"),
                });
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}

/// Copies until the client's half-close; dropping both handles closes.
fn echo(mut stream: TcpStream) -> io::Result<u64> {
    let mut incoming = stream.try_clone()?;
    io::copy(&mut incoming, &mut stream)
}
