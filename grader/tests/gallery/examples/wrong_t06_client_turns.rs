//! Task 06 client that takes strict turns, as the handout's chat does: it
//! sends a typed line, then waits for the server's answer before reading
//! the keyboard again. Mistake: a server that speaks twice, or first, or
//! not at all, leaves it stuck on the wrong read.

use clap::Parser;
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::ExitCode;

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
    let mut stream = match TcpStream::connect((args.host.as_str(), args.port)) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!(
                "error: could not connect to {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let Ok(server) = stream.peer_addr() else {
        return ExitCode::FAILURE;
    };
    println!("Connected to {server}");
    let Ok(incoming) = stream.try_clone() else {
        return ExitCode::FAILURE;
    };
    let mut replies = BufReader::new(incoming).lines();
    let mut keyboard = io::stdin().lock().lines();
    loop {
        let line = match keyboard.next() {
            Some(Ok(line)) => line,
            _ => "BYE".to_string(),
        };
        if stream.write_all(format!("{line}\n").as_bytes()).is_err() {
            return ExitCode::FAILURE;
        }
        match replies.next() {
            Some(Ok(reply)) => {
                println!("Server: {reply}");
                if reply == "BYE" || line == "BYE" {
                    return ExitCode::SUCCESS;
                }
            }
            _ if line == "BYE" => return ExitCode::SUCCESS,
            _ => {
                eprintln!("error: the server {server} closed the connection without BYE");
                return ExitCode::FAILURE;
            }
        }
    }
}
