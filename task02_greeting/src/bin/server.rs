//! Task 02 server: greet every client, then hang up.

use clap::Parser;
use std::process::ExitCode;
use task02_greeting::address;

// BEGIN SOLUTION
use std::io::Write;
use std::net::{TcpListener, TcpStream};
// END SOLUTION

/// Send a greeting to every client that connects.
#[derive(Parser)]
#[command(name = "task02-server", version)]
struct Args {
    /// Interface to listen on (`0.0.0.0` opens the server to the network)
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 lets the OS choose a free one)
    #[arg(long, default_value_t = 5002)]
    port: u16,
    /// The greeting sent to each client
    #[arg(long, default_value = "Thank you for connecting")]
    message: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match serve(&address(&args.host, args.port), &args.message) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(addr: &str, greeting: &str) -> Result<(), String> {
    // BEGIN SOLUTION
    // STARTER: todo!("listen on {addr}; send each client {greeting:?} and a newline, then close")
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("could not listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("could not read the address of {addr}: {e}"))?;
    println!("Listening on {local}");

    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer} has been established");
                // A client that vanishes before we are done costs us one
                // greeting, never the server.
                if let Err(e) = greet(stream, greeting) {
                    eprintln!("error: could not greet {peer}: {e}");
                }
            }
            Err(e) => eprintln!("error: could not accept a connection on {local}: {e}"),
        }
    }
    // END SOLUTION
}

// BEGIN SOLUTION
fn greet(mut stream: TcpStream, greeting: &str) -> std::io::Result<()> {
    // TCP carries bytes, not messages: the newline tells the client where
    // the text ends. `write_all` loops until the OS has taken every byte, as
    // one `write` may take only part of them.
    stream.write_all(format!("{greeting}\n").as_bytes())?;
    // Returning drops the stream, which closes the connection. The client
    // reads until that close, so it is part of the protocol, not tidying up.
    Ok(())
}
// END SOLUTION
