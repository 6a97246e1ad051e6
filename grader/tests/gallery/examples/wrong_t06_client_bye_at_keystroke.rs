//! Task 06 client with a reading thread, but the server's `BYE` only sets a
//! flag. Mistake: the main thread, blocked reading the keyboard, looks at
//! the flag after the next line is typed, so the client ends only when the
//! user presses Enter.

use clap::Parser;
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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
    let server_said_bye = Arc::new(AtomicBool::new(false));
    let heard = Arc::clone(&server_said_bye);
    let reader = thread::spawn(move || {
        for line in BufReader::new(incoming).lines() {
            let Ok(line) = line else { break };
            println!("Server: {line}");
            if line == "BYE" {
                heard.store(true, Ordering::SeqCst);
                return true;
            }
        }
        false
    });
    for line in io::stdin().lock().lines() {
        if server_said_bye.load(Ordering::SeqCst) {
            return ExitCode::SUCCESS;
        }
        let Ok(line) = line else { break };
        if line == "BYE" {
            break;
        }
        if stream.write_all(format!("{line}\n").as_bytes()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    if server_said_bye.load(Ordering::SeqCst) {
        return ExitCode::SUCCESS;
    }
    let _ = stream.write_all(b"BYE\n");
    match reader.join() {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
