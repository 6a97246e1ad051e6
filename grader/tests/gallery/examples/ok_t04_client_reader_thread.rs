//! Task 04 client, correct, with a reader thread that prints every reply while the main thread sends the lines of stdin (and `BYE` at the end).

use clap::Parser;
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::thread;

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
    let addr = if args.host.contains(':') {
        format!("[{}]:{}", args.host, args.port)
    } else {
        format!("{}:{}", args.host, args.port)
    };
    match chat(&addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn chat(addr: &str) -> Result<(), String> {
    let mut stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;
    let incoming = stream
        .try_clone()
        .map_err(|e| format!("could not clone the socket to {addr}: {e}"))?;
    // Prints replies until the server closes; tells whether BYE came.
    let printer = thread::spawn(move || -> io::Result<bool> {
        let mut saw_bye = false;
        for reply in BufReader::new(incoming).lines() {
            let reply = reply?;
            let reply = reply.strip_suffix('\r').unwrap_or(&reply);
            println!("Received from server: {reply}");
            saw_bye = reply == "BYE";
        }
        Ok(saw_bye)
    });

    let mut send = |line: &str| {
        stream
            .write_all(format!("{line}\n").as_bytes())
            .map_err(|e| format!("could not send to {addr}: {e}"))
    };
    let mut said_bye = false;
    for line in io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("could not read stdin: {e}"))?;
        send(&line)?;
        if line == "BYE" {
            said_bye = true;
            break;
        }
    }
    if !said_bye {
        send("BYE")?;
    }

    match printer.join() {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => Err(format!("{addr} closed the connection without saying BYE")),
        Ok(Err(e)) => Err(format!("could not read from {addr}: {e}")),
        Err(_) => Err("the reader thread panicked".to_string()),
    }
}
