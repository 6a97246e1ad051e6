//! Task 04 server, a thread per client, that strips the line ending and echoes each line. Mistake: it compares the line with `BYE` by `eq_ignore_ascii_case`, so an ordinary `bye` ends the connection too.

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
}

fn converse(stream: TcpStream) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line)? > 0 {
        let text = line.trim_end_matches(['\r', '\n']);
        writer.write_all(format!("{text}\n").as_bytes())?;
        if text.eq_ignore_ascii_case("BYE") {
            return Ok(());
        }
        line.clear();
    }
    Ok(())
}
