//! Task 06 client with a reading thread and the keyboard in main. Mistake:
//! the reading thread takes every read for a line. After the client's own
//! `BYE` the server's close is the normal end, but read_line returns 0 and
//! an empty string, and `strip_suffix('\n').expect(…)` panics. Main ignores
//! what join() says and exits 0, so only the panic on stderr shows it.

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
    let Ok(incoming) = stream.try_clone() else {
        return ExitCode::FAILURE;
    };
    let said_bye = Arc::new(AtomicBool::new(false));
    let reader_knows = Arc::clone(&said_bye);
    let reader = thread::spawn(move || {
        let mut incoming = BufReader::new(incoming);
        loop {
            let mut line = String::new();
            let n = incoming.read_line(&mut line).unwrap_or(0);
            if n == 0 && !reader_knows.load(Ordering::SeqCst) {
                eprintln!("error: the server {server} closed the connection without BYE");
                std::process::exit(1);
            }
            let text = line.strip_suffix('\n').expect("a line ends with a newline");
            println!("Server: {text}");
            if text == "BYE" {
                std::process::exit(0);
            }
        }
    });
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
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
