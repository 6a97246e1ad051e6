//! Task 06 client, otherwise right, that shows a prompt. Mistake: it
//! prints `> ` (flushed, no newline) before each read of its keyboard, as
//! a shell does. The prompt glues itself to the next line printed:
//! `> Server: hi` instead of `Server: hi`.

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

fn prompt() {
    print!("> ");
    let _ = io::stdout().flush();
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
    let Ok(incoming) = stream.try_clone() else {
        return ExitCode::FAILURE;
    };
    let said_bye = Arc::new(AtomicBool::new(false));
    let reader_knows = Arc::clone(&said_bye);
    let reader = thread::spawn(move || {
        for line in BufReader::new(incoming).lines() {
            let Ok(line) = line else {
                eprintln!("error: lost the connection to {server}");
                std::process::exit(1);
            };
            println!("Server: {line}");
            if line == "BYE" {
                std::process::exit(0);
            }
        }
        if !reader_knows.load(Ordering::SeqCst) {
            eprintln!("error: the server {server} closed the connection without BYE");
            std::process::exit(1);
        }
    });
    let mut lines = io::stdin().lock().lines();
    loop {
        prompt();
        let Some(Ok(line)) = lines.next() else { break };
        if line == "BYE" {
            break;
        }
        if (&stream).write_all(format!("{line}\n").as_bytes()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    said_bye.store(true, Ordering::SeqCst);
    let _ = (&stream).write_all(b"BYE\n");
    let _ = reader.join();
    ExitCode::SUCCESS
}
