//! Task 02 server that binds its default port, 5002, whatever `--port` says (as the handout's `bind("127.0.0.1:5002")` did). Mistake: with `--port 0` it still listens on 5002, so two copies can't run side by side and nobody gets the port they asked for.

use clap::Parser;
use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;

const PORT: u16 = 5002;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    // Parsed, and then never read: that is the mistake.
    #[allow(dead_code)]
    #[arg(long, default_value_t = PORT)]
    port: u16,
    #[arg(long, default_value = "Thank you for connecting")]
    message: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match TcpListener::bind((args.host.as_str(), PORT)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: could not listen on {}:{PORT}: {e}", args.host);
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
            Ok((mut stream, peer)) => {
                println!("Connection from {peer}");
                if let Err(e) = stream.write_all(format!("{}\n", args.message).as_bytes()) {
                    eprintln!("error: could not greet {peer}: {e}");
                }
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}
