//! Task 01 server: accept connections and say who connected.

use clap::Parser;
use std::process::ExitCode;
use task01_connect::address;

// BEGIN SOLUTION
use std::net::TcpListener;
// END SOLUTION

/// Accept TCP connections and report each client.
#[derive(Parser)]
#[command(name = "task01-server", version)]
struct Args {
    /// Interface to listen on (`0.0.0.0` opens the server to the network)
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 lets the OS choose a free one)
    #[arg(long, default_value_t = 5001)]
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
    // STARTER: todo!("listen on {addr}, print `Listening on <addr>`, accept clients in a loop")
    // `bind` does socket(), bind() and listen() in one call. From here on the
    // OS completes handshakes for us and queues the connections until we
    // accept them.
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("could not listen on {addr}: {e}"))?;
    // With port 0 only the socket knows which port the OS picked: ask it.
    let local = listener
        .local_addr()
        .map_err(|e| format!("could not read the address of {addr}: {e}"))?;
    // Rust's stdout is flushed at every newline, even into a pipe, so a
    // program reading our output sees this line at once.
    println!("Listening on {local}");

    loop {
        // `accept` blocks until a client has connected, then returns a new
        // socket for that one client; the listener goes on listening.
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer} has been established");
                // Dropping the stream closes the connection: the client sees
                // end-of-stream when it reads.
                drop(stream);
            }
            // A client that gave up while waiting in the queue is its own
            // problem, not the server's: report it and keep accepting.
            Err(e) => eprintln!("error: could not accept a connection on {local}: {e}"),
        }
    }
    // END SOLUTION
}
