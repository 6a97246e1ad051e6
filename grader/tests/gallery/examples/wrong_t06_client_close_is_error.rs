//! Task 06 client, right but for one thing. Mistake: its reading thread
//! calls any close by the server an error, even the close that answers the
//! client's own `BYE` (typed, or sent at the end of input), which is the
//! normal end of the conversation.

use clap::Parser;
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::thread;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5006)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let addr = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    let stream = match TcpStream::connect(&addr) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!("error: could not connect to {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = stream.peer_addr().map_or(addr, |a| a.to_string());
    println!("Connected to {server}");
    let Ok(incoming) = stream.try_clone() else {
        eprintln!("error: could not use the connection to {server}");
        return ExitCode::FAILURE;
    };
    let reader = {
        let server = server.clone();
        thread::spawn(move || {
            for line in BufReader::new(incoming).lines() {
                let Ok(line) = line else { break };
                println!("Server: {line}");
                if line == "BYE" {
                    std::process::exit(0);
                }
            }
            // The mistake: after our own BYE this close is the normal end.
            eprintln!("error: the server {server} closed the connection without BYE");
            std::process::exit(1);
        })
    };
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line == "BYE" {
            break;
        }
        if let Err(e) = (&stream).write_all(format!("{line}\n").as_bytes()) {
            eprintln!("error: could not send to {server}: {e}");
            return ExitCode::FAILURE;
        }
    }
    if let Err(e) = (&stream).write_all(b"BYE\n") {
        eprintln!("error: could not send to {server}: {e}");
        return ExitCode::FAILURE;
    }
    let _ = reader.join();
    ExitCode::SUCCESS
}
