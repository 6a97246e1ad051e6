//! Task 05 server, wrong: connects its socket to each sender so that it can reply with `send`, and gives up on the first error; a connected socket drops other senders' datagrams and hears the ICMP error of a sender that has gone.

use clap::Parser;
use std::net::UdpSocket;
use std::process::ExitCode;

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
    let mut buffer = vec![0u8; 65_536];
    loop {
        let (n, peer) = match socket.recv_from(&mut buffer) {
            Ok(got) => got,
            Err(e) => {
                eprintln!("error: could not receive: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("Datagram from {peer}: {n} bytes");
        let sent = socket
            .connect(peer)
            .and_then(|()| socket.send(&buffer[..n]));
        if let Err(e) = sent {
            eprintln!("error: could not reply to {peer}: {e}");
            return ExitCode::FAILURE;
        }
    }
}
