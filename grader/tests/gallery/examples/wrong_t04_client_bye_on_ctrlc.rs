//! Task 04 client that wants to leave politely on Ctrl-C: a handler (the `ctrlc` crate) sends `BYE` on the connection and leaves the rest to the conversation. Mistake: the main thread is blocked reading stdin, and nothing ever ends it, so neither SIGINT nor SIGTERM stops the client (and with a server that says nothing, nobody answers the `BYE` either).

use clap::Parser;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;

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
    let stream =
        TcpStream::connect(addr).map_err(|e| format!("could not connect to {addr}: {e}"))?;
    let mut writer = stream
        .try_clone()
        .map_err(|e| format!("could not use the connection to {addr}: {e}"))?;
    let mut goodbye = stream
        .try_clone()
        .map_err(|e| format!("could not use the connection to {addr}: {e}"))?;
    // On Ctrl-C, say BYE so that the server ends the conversation.
    ctrlc::set_handler(move || {
        let _ = goodbye.write_all(b"BYE\n");
    })
    .map_err(|e| format!("could not install the Ctrl-C handler: {e}"))?;

    let mut replies = BufReader::new(stream);
    let mut lines = io::stdin().lock().lines();
    loop {
        let line = match lines.next() {
            Some(line) => line.map_err(|e| format!("could not read standard input: {e}"))?,
            None => "BYE".to_string(),
        };
        writer
            .write_all(format!("{line}\n").as_bytes())
            .map_err(|e| format!("could not send to {addr}: {e}"))?;
        let mut reply = String::new();
        let n = replies
            .read_line(&mut reply)
            .map_err(|e| format!("could not read from {addr}: {e}"))?;
        if n == 0 {
            return Err(format!("{addr} closed the connection before replying"));
        }
        println!(
            "Received from server: {}",
            reply.trim_end_matches(['\n', '\r'])
        );
        if line == "BYE" {
            break;
        }
    }
    let mut rest = Vec::new();
    replies
        .read_to_end(&mut rest)
        .map_err(|e| format!("could not read from {addr}: {e}"))?;
    Ok(())
}
