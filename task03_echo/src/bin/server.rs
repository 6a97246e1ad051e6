//! Task 03 server: send back every byte a client sends.

use clap::Parser;
use std::process::ExitCode;
use task03_echo::address;

// BEGIN SOLUTION
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
// END SOLUTION

/// Echo server: returns every byte it receives, unchanged.
#[derive(Parser)]
#[command(name = "task03-server", version)]
struct Args {
    /// Interface to listen on (`0.0.0.0` opens the server to the network)
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 lets the OS choose a free one)
    #[arg(long, default_value_t = 5003)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match serve(&address(&args.host, args.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(addr: &str) -> Result<(), String> {
    // BEGIN SOLUTION
    // STARTER: todo!("listen on {addr}; echo each client's bytes until it shuts down its side")
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
                // One client at a time: the next one waits in the listen
                // queue until this one is done. Task 04 lifts that limit.
                match echo(stream) {
                    Ok(bytes) => println!("Echoed {bytes} bytes to {peer}"),
                    Err(e) => eprintln!("error: lost {peer}: {e}"),
                }
            }
            Err(e) => eprintln!("error: could not accept a connection on {local}: {e}"),
        }
    }
    // END SOLUTION
}

// BEGIN SOLUTION
/// Echoes until the client closes its side; returns how many bytes came back.
fn echo(mut stream: TcpStream) -> std::io::Result<u64> {
    let mut buffer = [0u8; 8192];
    let mut total = 0;
    loop {
        // `read` returns as soon as *some* bytes have arrived, however the
        // client split them, so one read is never "the message". It returns 0
        // only when the client has shut down its sending side.
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            // Dropping the stream closes our side too: the client, reading
            // until end-of-stream, now knows the echo is complete.
            return Ok(total);
        }
        // Send back exactly the bytes read: they are raw bytes, not text.
        stream.write_all(&buffer[..n])?;
        total += n as u64;
    }
}
// END SOLUTION
