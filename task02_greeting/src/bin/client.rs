//! Task 02 client: print what the server says.

use clap::Parser;
use std::process::ExitCode;
use task02_greeting::address;

// BEGIN SOLUTION
use std::io::Read;
use std::net::TcpStream;
// END SOLUTION

/// Connect to the task 02 server and print its greeting.
#[derive(Parser)]
#[command(name = "task02-client", version)]
struct Args {
    /// Server to connect to: an IP address or a name such as `localhost`
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server's port
    #[arg(long, default_value_t = 5002)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match receive(&address(&args.host, args.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn receive(addr: &str) -> Result<(), String> {
    // BEGIN SOLUTION
    // STARTER: todo!("connect to {addr}, read until the server closes, print what it sent")
    let mut stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;

    // One `read` returns whatever has arrived so far, which may be only the
    // start of the greeting. `read_to_end` keeps reading until a read returns
    // 0 bytes: the server has closed the connection and nothing more can come.
    let mut bytes = Vec::new();
    stream
        .read_to_end(&mut bytes)
        .map_err(|e| format!("could not read from {addr}: {e}"))?;

    let text = String::from_utf8_lossy(&bytes);
    let greeting = text.strip_suffix('\n').unwrap_or(&text);
    let greeting = greeting.strip_suffix('\r').unwrap_or(greeting);
    println!("Received from server: {greeting}");
    Ok(())
    // END SOLUTION
}
