//! Task 06 server that takes strict turns, as the handout's chat does: it
//! reads a line from the client, prints it, then waits for its operator to
//! type the answer. Mistake: two lines in a row from either side hang it.

use clap::Parser;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

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
    let mut keyboard = io::stdin().lock().lines();
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("error: accept failed: {e}");
                continue;
            }
        };
        println!("Connection from {peer}");
        match converse(stream, &mut keyboard) {
            Ok(true) => println!("Conversation ended with {peer}"),
            Ok(false) => return ExitCode::SUCCESS,
            Err(e) => eprintln!("error: lost {peer}: {e}"),
        }
    }
}

/// One conversation, in turns; `false` when the keyboard has ended.
fn converse(
    stream: TcpStream,
    keyboard: &mut impl Iterator<Item = io::Result<String>>,
) -> io::Result<bool> {
    let mut writer = stream.try_clone()?;
    for line in BufReader::new(stream).lines() {
        let line = line?;
        println!("Client: {line}");
        if line == "BYE" {
            return Ok(true);
        }
        let Some(typed) = keyboard.next() else {
            writer.write_all(b"BYE\n")?;
            return Ok(false);
        };
        let typed = typed?;
        writer.write_all(format!("{typed}\n").as_bytes())?;
        if typed == "BYE" {
            return Ok(true);
        }
    }
    Ok(true)
}
