//! Task 04 client that sends each line of stdin and prints each reply. Mistake: when stdin ends it just exits, without sending `BYE` and waiting for the server's `BYE`.

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
    let addr = format!("{}:{}", args.host, args.port);
    match chat(&args.host, args.port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn chat(host: &str, port: u16) -> io::Result<()> {
    let stream = TcpStream::connect((host, port))?;
    let mut writer = stream.try_clone()?;
    let mut replies = BufReader::new(stream);
    for line in io::stdin().lock().lines() {
        let line = line?;
        writer.write_all(format!("{line}\n").as_bytes())?;
        let mut reply = String::new();
        if replies.read_line(&mut reply)? == 0 {
            return Err(io::Error::other("the server closed the connection"));
        }
        println!(
            "Received from server: {}",
            reply.trim_end_matches(['\r', '\n'])
        );
        if line == "BYE" {
            break;
        }
    }
    Ok(())
}
