//! Task 05 server: send every datagram back to whoever sent it.

use clap::Parser;
use std::process::ExitCode;
use task05_udp::address;

// BEGIN SOLUTION
use std::net::UdpSocket;
use task05_udp::DATAGRAM_BUFFER;
// END SOLUTION

/// UDP echo server: returns every datagram to its sender, unchanged.
#[derive(Parser)]
#[command(name = "task05-server", version)]
struct Args {
    /// Interface to listen on (`0.0.0.0` opens the server to the network)
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 lets the OS choose a free one)
    #[arg(long, default_value_t = 5005)]
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
    // STARTER: todo!("bind a UDP socket on {addr}; send every datagram back to its sender")
    // No listen() and no accept(): one socket receives from every sender.
    let socket = UdpSocket::bind(addr).map_err(|e| format!("could not listen on {addr}: {e}"))?;
    let local = socket
        .local_addr()
        .map_err(|e| format!("could not read the address of {addr}: {e}"))?;
    println!("Listening on {local}");

    // One buffer big enough for the largest datagram: a smaller one cuts
    // longer datagrams short, and the cut-off bytes are gone for good.
    let mut buffer = vec![0u8; DATAGRAM_BUFFER];
    loop {
        // Each call returns exactly one datagram (0 bytes is a datagram
        // too, not an end of anything) and the address it came from.
        match socket.recv_from(&mut buffer) {
            Ok((n, peer)) => {
                println!("Datagram from {peer}: {n} bytes");
                // The reply goes to the address the datagram came from. If
                // that sender has gone, the datagram is lost and nobody
                // tells us: that concerns that sender only.
                if let Err(e) = socket.send_to(&buffer[..n], peer) {
                    eprintln!("error: could not reply to {peer}: {e}");
                }
            }
            Err(e) => eprintln!("error: could not receive on {local}: {e}"),
        }
    }
    // END SOLUTION
}
