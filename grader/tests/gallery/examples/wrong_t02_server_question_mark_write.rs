//! Task 02 server whose accept loop is a function returning `io::Result`, with `?` on each greeting. Mistake: one client that is gone before its greeting is written (`Connection reset by peer`) makes the `?` leave the loop, and the whole server exits.

use clap::Parser;
use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5002)]
    port: u16,
    #[arg(long, default_value = "Thank you for connecting")]
    message: String,
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
    match serve(&listener, &args.message) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(listener: &TcpListener, message: &str) -> io::Result<()> {
    loop {
        let (stream, peer) = listener.accept()?;
        println!("Connection from {peer}");
        greet(stream, message)?;
    }
}

fn greet(mut stream: TcpStream, message: &str) -> io::Result<()> {
    stream.write_all(format!("{message}\n").as_bytes())
}
