//! Task 06 client, correct, with the threads the other way round from the
//! reference: main reads the socket and prints, and a writer thread owns a
//! `try_clone` of the stream and sends what is typed. When the server's
//! lines end, main returns and the writer thread, still blocked on the
//! keyboard, ends with the process.

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
    let stream = match TcpStream::connect((args.host.as_str(), args.port)) {
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
    let Ok(mut outgoing) = stream.try_clone() else {
        return ExitCode::FAILURE;
    };
    let said_bye = Arc::new(AtomicBool::new(false));
    let writer_said_bye = Arc::clone(&said_bye);
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if line == "BYE" {
                break;
            }
            if outgoing.write_all(format!("{line}\n").as_bytes()).is_err() {
                return;
            }
        }
        writer_said_bye.store(true, Ordering::SeqCst);
        let _ = outgoing.write_all(b"BYE\n");
    });
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else {
            eprintln!("error: lost the connection to {server}");
            return ExitCode::FAILURE;
        };
        println!("Server: {line}");
        if line == "BYE" {
            return ExitCode::SUCCESS;
        }
    }
    if said_bye.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: the server {server} closed the connection without BYE");
        ExitCode::FAILURE
    }
}
