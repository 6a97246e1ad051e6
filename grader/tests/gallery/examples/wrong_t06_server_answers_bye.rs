//! Task 06 server, right but for one thing. Mistake: it answers the
//! client's `BYE` with a `BYE` of its own before closing, as if both sides
//! had to say it; the client's `BYE` is to be printed, and the connection
//! closed without a word.

use clap::Parser;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::thread;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5006)]
    port: u16,
}

type Current = Arc<Mutex<Option<TcpStream>>>;

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
    let current: Current = Arc::new(Mutex::new(None));
    let keyboard = Arc::clone(&current);
    thread::spawn(move || type_to(&keyboard));
    loop {
        let Ok((stream, peer)) = listener.accept() else {
            continue;
        };
        let Ok(writer) = stream.try_clone() else {
            continue;
        };
        *current.lock().unwrap() = Some(writer);
        println!("Connection from {peer}");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while let Ok(n) = reader.read_line(&mut line) {
            if n == 0 {
                break;
            }
            let text = line.trim_end_matches(['\r', '\n']);
            println!("Client: {text}");
            if text == "BYE" {
                let _ = reader.get_mut().write_all(b"BYE\n");
                break;
            }
            line.clear();
        }
        if let Some(stream) = current.lock().unwrap().take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        println!("Conversation ended with {peer}");
    }
}

fn type_to(current: &Mutex<Option<TcpStream>>) {
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut current = current.lock().unwrap();
        let Some(stream) = current.as_mut() else {
            eprintln!("note: nobody to send {line:?} to");
            continue;
        };
        let _ = stream.write_all(format!("{line}\n").as_bytes());
        if line == "BYE" {
            let _ = stream.shutdown(Shutdown::Both);
            *current = None;
        }
    }
    if let Some(stream) = current.lock().unwrap().as_mut() {
        let _ = stream.write_all(b"BYE\n");
        let _ = stream.shutdown(Shutdown::Both);
    }
    std::process::exit(0);
}
