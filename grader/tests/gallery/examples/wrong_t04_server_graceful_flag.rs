//! Task 04 server, a thread per client, that wants a graceful shutdown: a Ctrl-C/SIGTERM handler (the `ctrlc` crate) sets a flag that the accept loop checks before each accept. Mistake: the loop sits blocked in `accept()`, so it never looks at the flag again, and neither SIGINT nor SIGTERM stops the server.

use clap::Parser;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

static RUNNING: AtomicBool = AtomicBool::new(true);

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
    let stopping = ctrlc::set_handler(|| {
        println!("Shutting down once the current accept is done...");
        RUNNING.store(false, Ordering::SeqCst);
    });
    if let Err(e) = stopping {
        eprintln!("error: could not install the Ctrl-C handler: {e}");
        return ExitCode::FAILURE;
    }
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
    while RUNNING.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer}");
                thread::spawn(move || {
                    if let Err(e) = converse(stream) {
                        eprintln!("error: lost {peer}: {e}");
                    }
                });
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
    println!("Server stopped");
    ExitCode::SUCCESS
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
            break;
        }
        line.clear();
    }
    Ok(())
}
