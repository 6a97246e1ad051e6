//! Task 04 server with a fixed pool of 4 worker threads fed by a channel. Mistake: 4 workers are far too few for the contract's 100 clients at once; the fifth client waits until one of the first four leaves.

use clap::Parser;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;

const WORKERS: usize = 4;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5004)]
    port: u16,
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
    let (jobs, queue) = mpsc::channel::<TcpStream>();
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..WORKERS {
        let queue = Arc::clone(&queue);
        thread::spawn(move || loop {
            let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
            let Ok(stream) = next else { return };
            if let Err(e) = converse(stream) {
                eprintln!("error: lost a client: {e}");
            }
        });
    }
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer}");
                if jobs.send(stream).is_err() {
                    eprintln!("error: every worker is gone");
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}

fn converse(stream: TcpStream) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line)? > 0 {
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        writer.write_all(&[text, b"\n"].concat())?;
        if text == b"BYE" {
            return Ok(());
        }
        line.clear();
    }
    Ok(())
}
