//! Task 04 client that sends each line of stdin (and `BYE` when it ends), reading and printing one reply line per line sent. Mistake: once it has printed the server's `BYE` it breaks out and exits, without reading on until the server closes the connection.

use clap::Parser;
use std::io::{self, BufRead, BufReader, Write};
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
    let stream = TcpStream::connect(addr)?;
    let mut writer = stream.try_clone()?;
    let mut replies = BufReader::new(stream);
    let mut lines = io::stdin().lock().lines();
    loop {
        let line = match lines.next() {
            Some(line) => line?,
            None => "BYE".to_string(),
        };
        writer.write_all(format!("{line}\n").as_bytes())?;
        let mut reply = String::new();
        if replies.read_line(&mut reply)? == 0 {
            return Err(io::Error::other("the server closed the connection"));
        }
        let reply = reply.trim_end_matches(['\r', '\n']);
        println!("Received from server: {reply}");
        if reply == "BYE" {
            return Ok(());
        }
    }
}
