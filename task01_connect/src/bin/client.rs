//! Task 01 client: connect to the server and say so.

use clap::Parser;
use std::process::ExitCode;
use task01_connect::address;

// BEGIN SOLUTION
use std::net::TcpStream;
// END SOLUTION

/// Connect to the task 01 server.
#[derive(Parser)]
#[command(name = "task01-client", version)]
struct Args {
    /// Server to connect to: an IP address or a name such as `localhost`
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server's port
    #[arg(long, default_value_t = 5001)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match connect(&address(&args.host, args.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn connect(addr: &str) -> Result<(), String> {
    // BEGIN SOLUTION
    // STARTER: todo!("connect to {addr} and print `Connected to <address>`")
    // `connect` does socket() and connect(): it returns once the TCP
    // three-way handshake is done, or fails with the OS's reason, such as
    // "Connection refused" when nothing listens on that port.
    let stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;
    // A name like `localhost` may stand for several addresses; the socket
    // knows which one answered.
    let server = stream
        .peer_addr()
        .map_err(|e| format!("could not read the address of {addr}: {e}"))?;
    println!("Connected to {server}");
    Ok(())
    // END SOLUTION
}
