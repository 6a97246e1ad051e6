//! Task 03 client: send a message, read back the echo, compare.

use clap::Parser;
use std::process::ExitCode;
use task03_echo::address;

// BEGIN SOLUTION
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
// END SOLUTION

/// Send a message to the echo server and check what comes back.
#[derive(Parser)]
#[command(name = "task03-client", version)]
struct Args {
    /// Server to connect to: an IP address or a name such as `localhost`
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server's port
    #[arg(long, default_value_t = 5003)]
    port: u16,
    /// The message to send
    #[arg(default_value = "Hello, Server!")]
    message: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match round_trip(&address(&args.host, args.port), &args.message) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn round_trip(addr: &str, message: &str) -> Result<(), String> {
    // BEGIN SOLUTION
    // STARTER: todo!("send {message:?} to {addr}, shut down sending, read the echo, compare")
    let mut stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;

    // We send the whole message before reading any echo. That is safe for a
    // message from the command line (Linux caps one argument at 128 KiB),
    // which the sockets' buffers can hold. A program sending megabytes would
    // read while it writes (from a second thread), or both sides' buffers
    // would fill and each would wait for the other forever.
    stream
        .write_all(message.as_bytes())
        .map_err(|e| format!("could not send to {addr}: {e}"))?;
    // Half-close: "I have nothing more to send." The server's next read
    // returns 0, so it knows the message is complete and closes in turn. We
    // can still read.
    stream
        .shutdown(Shutdown::Write)
        .map_err(|e| format!("could not shut down sending to {addr}: {e}"))?;

    // The echo may come back in any number of pieces: read until the server
    // closes.
    let mut echo = Vec::new();
    stream
        .read_to_end(&mut echo)
        .map_err(|e| format!("could not read from {addr}: {e}"))?;

    println!("Received from server: {}", String::from_utf8_lossy(&echo));
    if echo != message.as_bytes() {
        return Err(format!(
            "echo mismatch: sent {} bytes, received {} bytes that differ",
            message.len(),
            echo.len()
        ));
    }
    Ok(())
    // END SOLUTION
}
