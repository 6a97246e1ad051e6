//! Task 01 server that shuts each connection down but keeps its stream in a
//! list of clients "for later": the connections end, the sockets never close.

use clap::Parser;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5001)]
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
    let mut clients: Vec<TcpStream> = Vec::new();
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer} has been established");
                let _ = stream.shutdown(Shutdown::Both);
                clients.push(stream);
                println!("{} clients so far", clients.len());
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}
