//! Task 02 server, correct, that greets each client on its own thread, ends the greeting with `\r\n` (as many Internet protocols do), and logs more than asked.

use clap::Parser;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5002)]
    port: u16,
    #[arg(long, default_value = "Thank you for connecting")]
    message: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match TcpListener::bind((args.host.as_str(), args.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: bind {}:{} failed: {e}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    let local = match listener.local_addr() {
        Ok(local) => local,
        Err(e) => {
            eprintln!(
                "error: {}:{} has no local address: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    println!("Listening on {local}");
    println!("greeting every client with {:?}", args.message);
    let greeting: Arc<[u8]> = format!("{}\r\n", args.message).into_bytes().into();
    for incoming in listener.incoming() {
        let stream = match incoming {
            Ok(stream) => stream,
            Err(e) => {
                eprintln!("error: accept on {local} failed: {e}");
                continue;
            }
        };
        let greeting = Arc::clone(&greeting);
        thread::spawn(move || greet(stream, &greeting));
    }
    ExitCode::SUCCESS
}

fn greet(mut stream: TcpStream, greeting: &[u8]) {
    let peer = match stream.peer_addr() {
        Ok(peer) => peer,
        Err(e) => {
            eprintln!("error: a client left at once: {e}");
            return;
        }
    };
    println!("Connection from {peer}");
    match stream.write_all(greeting) {
        Ok(()) => println!("greeted {peer}, {} bytes; closing", greeting.len()),
        Err(e) => eprintln!("error: could not greet {peer}: {e}"),
    }
}
