//! Task 06 server, right but for one thing. Mistake: it prints
//! `Connection from` as soon as it has accepted, then starts a thread for
//! the conversation, which hands the client's stream to the keyboard
//! thread only once it runs: a line typed right after `Connection from`
//! may find nobody connected and be dropped.

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
        println!("Connection from {peer}");
        // The mistake: the conversation's thread hands the client to the
        // keyboard thread only once it runs, after the line is out.
        let slot = Arc::clone(&current);
        let conversation = thread::spawn(move || {
            if let Ok(writer) = stream.try_clone() {
                *slot.lock().unwrap() = Some(writer);
            }
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                println!("Client: {line}");
                if line == "BYE" {
                    break;
                }
            }
        });
        let _ = conversation.join();
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
