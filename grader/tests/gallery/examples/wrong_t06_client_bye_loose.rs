//! Task 06 client, wrong: ends on any line from the server that looks like BYE once
//! trimmed and case ignored (`bye`, ` BYE`), where only an exact `BYE` ends it.

use clap::Parser;
use std::process::ExitCode;

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

/// Chat client: sends what you type, prints what the server says.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Server to connect to: an IP address or a name such as `localhost`
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server's port
    #[arg(long, default_value_t = 5006)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match chat(&address(&args.host, args.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn chat(addr: &str) -> Result<(), String> {
    let stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;
    let server = stream
        .peer_addr()
        .map_err(|e| format!("could not read the address of {addr}: {e}"))?;
    println!("Connected to {server}");
    let incoming = stream
        .try_clone()
        .map_err(|e| format!("could not use the connection to {server}: {e}"))?;

    // Reading the keyboard and reading the socket both block, so each gets
    // a thread: the server's lines are printed the moment they arrive, even
    // while this thread waits for the user to type.
    let said_bye = Arc::new(AtomicBool::new(false));
    let reader = {
        let said_bye = Arc::clone(&said_bye);
        thread::spawn(move || {
            if let Err(why) = print_from(incoming, server, &said_bye) {
                // The main thread may be blocked reading the keyboard, and
                // nothing would wake it: end the whole program from here.
                eprintln!("error: {why}");
                std::process::exit(1);
            }
        })
    };

    // `&TcpStream` writes too, so this thread needs no handle of its own.
    let send = |line: &str| {
        (&stream)
            .write_all(format!("{line}\n").as_bytes())
            .map_err(|e| format!("could not send to {server}: {e}"))
    };
    // Standard input ending counts as typing BYE.
    for line in io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("could not read standard input: {e}"))?;
        if line == "BYE" {
            break;
        }
        send(&line)?;
    }
    said_bye.store(true, Ordering::SeqCst);
    send("BYE")?;
    // No more typing: the reader thread prints what the server still says
    // and ends the program when the server closes.
    reader
        .join()
        .map_err(|_| "the reading thread panicked".to_string())
}

/// Prints each line the server sends. A `BYE` from the server ends the
/// whole program at once, for the same reason as an error does.
fn print_from(stream: TcpStream, server: SocketAddr, said_bye: &AtomicBool) -> Result<(), String> {
    for line in BufReader::new(stream).lines() {
        let line = line.map_err(|e| format!("could not read from {server}: {e}"))?;
        println!("Server: {line}");
        if line.trim().eq_ignore_ascii_case("bye") {
            std::process::exit(0);
        }
    }
    // The server closed. After our BYE that is the end we waited for;
    // before it, the server left without saying goodbye.
    if said_bye.load(Ordering::SeqCst) {
        Ok(())
    } else {
        Err(format!(
            "the server {server} closed the connection without BYE"
        ))
    }
}

/// `host:port`, an IPv6 literal in brackets.
fn address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
