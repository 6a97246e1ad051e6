//! Task 04 client: send lines typed by the user, print the replies.

use clap::Parser;
use std::process::ExitCode;
use task04_multithreaded::address;

// BEGIN SOLUTION
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
// END SOLUTION

/// Send each line of standard input to the server and print its replies.
#[derive(Parser)]
#[command(name = "task04-client", version)]
struct Args {
    /// Server to connect to: an IP address or a name such as `localhost`
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server's port
    #[arg(long, default_value_t = 5004)]
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
    // BEGIN SOLUTION
    // STARTER: todo!("connect to {addr}; send stdin line by line, print each reply, end with BYE")
    let stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;
    // A second handle to the same socket: one to write on, the other for
    // the buffered reader.
    let mut writer = stream
        .try_clone()
        .map_err(|e| format!("could not use the connection to {addr}: {e}"))?;
    let mut replies = BufReader::new(stream);
    let send_error = |e: io::Error| format!("could not send to {addr}: {e}");
    let read_error = |e: io::Error| format!("could not read from {addr}: {e}");

    // Standard input ending counts as typing BYE.
    let mut lines = io::stdin().lock().lines();
    loop {
        let line = match lines.next() {
            Some(line) => line.map_err(|e| format!("could not read standard input: {e}"))?,
            None => "BYE".to_string(),
        };
        writer
            .write_all(format!("{line}\n").as_bytes())
            .map_err(send_error)?;

        // The server answers every line with one line: wait for it. This
        // blocks for as long as the server takes, which is the point of
        // task 04: a server that serves one client at a time leaves every
        // other client stuck right here.
        let mut reply = String::new();
        if replies.read_line(&mut reply).map_err(read_error)? == 0 {
            return Err(format!(
                "{addr} closed the connection before replying to {line:?}"
            ));
        }
        let reply = reply.trim_end_matches(['\n', '\r']);
        println!("Received from server: {reply}");
        if line == "BYE" {
            break;
        }
    }

    // After BYE the server closes: wait for that end-of-stream, so we know
    // the conversation ended cleanly.
    let mut rest = Vec::new();
    replies.read_to_end(&mut rest).map_err(read_error)?;
    Ok(())
    // END SOLUTION
}
