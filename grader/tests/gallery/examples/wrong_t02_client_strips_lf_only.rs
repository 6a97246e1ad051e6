//! Task 02 client that reads until the server closes and strips the final `\n`. Mistake: a greeting ended by `\r\n` is printed with its `\r` (`Received from server: hello\r`), because only the `\n` is removed.

use clap::Parser;
use std::io::Read;
use std::net::TcpStream;
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5002)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut stream = match TcpStream::connect((args.host.as_str(), args.port)) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!(
                "error: could not connect to {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = stream.read_to_end(&mut bytes) {
        eprintln!(
            "error: could not read from {}:{}: {e}",
            args.host, args.port
        );
        return ExitCode::FAILURE;
    }
    let text = String::from_utf8_lossy(&bytes);
    println!(
        "Received from server: {}",
        text.strip_suffix('\n').unwrap_or(&text)
    );
    ExitCode::SUCCESS
}
