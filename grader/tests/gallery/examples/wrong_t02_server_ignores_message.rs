//! Task 02 server that logs `--message` but always sends the default greeting. Mistake: the `--message` text never reaches the client.

use clap::Parser;
use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;

const GREETING: &str = "Thank you for connecting\n";

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
    println!("Greeting: {}", args.message);
    loop {
        match listener.accept() {
            Ok((mut stream, peer)) => {
                println!("Connection from {peer}");
                if let Err(e) = stream.write_all(GREETING.as_bytes()) {
                    eprintln!("error: could not greet {peer}: {e}");
                }
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}
