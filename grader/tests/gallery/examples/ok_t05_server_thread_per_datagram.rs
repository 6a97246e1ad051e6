//! Task 05 server, correct: a `recv_from` loop that hands each datagram to a thread of its own, which replies through the shared socket.

use clap::Parser;
use std::net::UdpSocket;
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5005)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let addr = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    let socket = match UdpSocket::bind(&addr) {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("error: could not listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match socket.local_addr() {
        Ok(local) => println!("Listening on {local}"),
        Err(e) => {
            eprintln!("error: could not read the local address: {e}");
            return ExitCode::FAILURE;
        }
    }
    let socket = Arc::new(socket);
    loop {
        let mut buffer = vec![0u8; 65_536];
        match socket.recv_from(&mut buffer) {
            Ok((n, peer)) => {
                println!("Datagram from {peer}: {n} bytes");
                let socket = Arc::clone(&socket);
                thread::spawn(move || {
                    if let Err(e) = socket.send_to(&buffer[..n], peer) {
                        eprintln!("error: could not reply to {peer}: {e}");
                    }
                });
            }
            Err(e) => eprintln!("error: could not receive: {e}"),
        }
    }
}
