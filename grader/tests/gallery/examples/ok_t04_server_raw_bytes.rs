//! Task 04 server, correct, a thread per client, that answers each line with its raw bytes unchanged, so a line ended by `\r\n` is answered with `\r\n`; it adds a `\n` only to a last line that had none.

use clap::Parser;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
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
    for incoming in listener.incoming() {
        let stream = match incoming {
            Ok(stream) => stream,
            Err(e) => {
                eprintln!("error: accept failed: {e}");
                continue;
            }
        };
        match stream.peer_addr() {
            Ok(peer) => println!("Connection from {peer}"),
            Err(e) => eprintln!("error: a client vanished: {e}"),
        }
        thread::spawn(move || {
            if let Err(e) = converse(stream) {
                eprintln!("error: {e}");
            }
        });
    }
    ExitCode::SUCCESS
}

fn converse(stream: TcpStream) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line)? > 0 {
        if !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        writer.write_all(&line)?;
        if line == b"BYE\n" || line == b"BYE\r\n" {
            return Ok(());
        }
        line.clear();
    }
    Ok(())
}
