//! Task 04 client that sends each line of stdin (and `BYE` when it ends) and waits for the server to close after its `BYE`. Mistake: it reads each reply with one `read` into a `[u8; 1024]` buffer and prints what that read got, so a long reply, or one that arrives in pieces, is printed cut up.

use clap::Parser;
use std::io::{self, BufRead, Read, Write};
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
            eprintln!("error: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn chat(addr: &str) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    let mut lines = io::stdin().lock().lines();
    loop {
        let line = match lines.next() {
            Some(line) => line?,
            None => "BYE".to_string(),
        };
        stream.write_all(format!("{line}\n").as_bytes())?;
        let mut buffer = [0u8; 1024];
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Err(io::Error::other("the server closed the connection"));
        }
        let reply = String::from_utf8_lossy(&buffer[..n]);
        println!(
            "Received from server: {}",
            reply.trim_end_matches(['\r', '\n'])
        );
        if line == "BYE" {
            break;
        }
    }
    // The server closes after its BYE: wait for that.
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest)?;
    Ok(())
}
