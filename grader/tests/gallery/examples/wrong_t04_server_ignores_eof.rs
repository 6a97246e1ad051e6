//! Task 04 server, a thread per client, whose threads treat a read of 0
//! bytes as "nothing yet" and read again: a client that leaves without BYE
//! leaves its thread spinning and its connection half open (CLOSE_WAIT).

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
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer} has been established");
                thread::spawn(move || {
                    if let Err(e) = serve(stream) {
                        eprintln!("error: {peer}: {e}");
                    }
                });
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}

fn serve(stream: TcpStream) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            // The mistake: nothing arrived, so try again.
            thread::yield_now();
            continue;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let mut reply = text.to_vec();
        reply.push(b'\n');
        writer.write_all(&reply)?;
        if text == b"BYE" {
            return Ok(());
        }
    }
}
